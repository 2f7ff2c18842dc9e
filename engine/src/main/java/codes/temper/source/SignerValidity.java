package codes.temper.source;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentSignature;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPUserId;

/**
 * Whether a key may have made a signature and may still be trusted for it: neither it nor its
 * certificate revoked or expired <em>now</em> (like {@code git verify-commit}, which refuses
 * signatures by expired or revoked keys), both valid when the signature was made, and the key
 * marked for signing. The caller holds the certificate's lock.
 */
final class SignerValidity {

    private SignerValidity() {
    }

    /** Null when the key may sign now; else why not, naming the signer as {@code signer}. */
    static String problem(OpenPGPCertificate certificate, OpenPGPComponentKey key, String signer, Date now, Date signedAt) {
        OpenPGPComponentKey primary = certificate.getPrimaryKey();
        if (revoked(primary, now) || !key.isPrimaryKey() && revoked(key, now)) {
            return "signer " + signer + " is revoked";
        }
        for (OpenPGPComponentKey k : List.of(primary, key)) {
            Date expiry = expiry(certificate, k, now, signedAt);
            if (expiry != null && !expiry.after(now)) {
                return "signer " + signer + " expired on " + expiry.toInstant();
            }
        }
        if (signedAt.before(key.getCreationTime())) {
            return "the signature by " + signer + " claims a time (" + signedAt.toInstant() + ") before the key existed";
        }
        if (!primary.isBoundAt(signedAt) || !key.isBoundAt(signedAt)) {
            return "signer " + signer + " was not valid when the signature was made (" + signedAt.toInstant() + ")";
        }
        if (!key.isSigningKey(signedAt)) {
            return "signer " + signer + " is not a signing key (no sign flag in its binding)";
        }
        if (!primary.isBoundAt(now) || !key.isBoundAt(now)) {
            return "signer " + signer + " is no longer valid";
        }
        return null;
    }

    /**
     * The earliest expiry in the key's self-signatures in force now or at signing time (the
     * binding or direct-key signature, and for a primary key the primary user id's
     * certification, where gpg puts it); null if none sets one. BouncyCastle's
     * getKeyExpirationDateAt does not report an expiry set by a direct-key signature.
     */
    private static Date expiry(OpenPGPCertificate certificate, OpenPGPComponentKey key, Date now, Date signedAt) {
        List<OpenPGPComponentSignature> selfSignatures = new ArrayList<>();
        for (Date at : List.of(now, signedAt)) {
            selfSignatures.add(key.getLatestSelfSignature(at));
            if (key.isPrimaryKey()) {
                OpenPGPUserId uid = certificate.getPrimaryUserId(at);
                if (uid != null) {
                    selfSignatures.add(uid.getLatestSelfSignature(at));
                }
            }
        }
        Date earliest = null;
        for (OpenPGPComponentSignature self : selfSignatures) {
            if (self == null || self.getSignature().getHashedSubPackets() == null) {
                continue;
            }
            long seconds = self.getSignature().getHashedSubPackets().getKeyExpirationTime();
            if (seconds > 0) {
                Date expiry = new Date(key.getCreationTime().getTime() + seconds * 1000L);
                if (earliest == null || expiry.before(earliest)) {
                    earliest = expiry;
                }
            }
        }
        return earliest;
    }

    private static boolean revoked(OpenPGPComponentKey key, Date now) {
        return key.getRevocation(now) != null;
    }
}
