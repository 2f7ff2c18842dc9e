package codes.temper.source;

import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;
import org.bouncycastle.openpgp.api.OpenPGPPolicy;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier;

/**
 * Judges one detached signature over some data against the {@link TrustedKeys}, in JGit's
 * {@link SignatureVerifier} shape (it needs neither the repository nor the Git configuration).
 * In order, each failure with its own reason: the armor says OpenPGP; it holds one binary-document
 * signature packet; its issuer is a trusted key (a subkey counts as its certificate); the hash
 * algorithm and the key are acceptable to BouncyCastle's default policy (no MD5, SHA-1,
 * RIPEMD-160); the signature verifies over the data; {@link SignerValidity} holds.
 *
 * <p>The {@link SignatureVerification#message() message} continues a sentence whose subject is
 * the signed object ("commit &lt;id&gt;" + message), so a commit's reason reads as one line.
 * Thread-safe; no I/O; never throws for bad input.
 */
final class OpenPgpSignatureVerifier implements SignatureVerifier {
    static final String NAME = "temper-openpgp";

    private final OpenPGPImplementation implementation;
    private final OpenPGPPolicy policy;
    private final TrustedKeys keys;
    private final Clock clock;

    OpenPgpSignatureVerifier(TrustedKeys keys, OpenPGPImplementation implementation, Clock clock) {
        this.keys = keys;
        this.implementation = implementation;
        this.policy = implementation.policy();
        this.clock = clock;
    }

    @Override
    public SignatureVerification verify(Repository repository, GpgConfig config, byte[] data, byte[] signature) {
        return verify(data, signature);
    }

    SignatureVerification verify(byte[] data, byte[] signature) {
        switch (ArmoredSignature.typeOf(signature)) {
            case SSH -> {
                return refuse(" carries an SSH signature; only OpenPGP signatures are accepted");
            }
            case X509 -> {
                return refuse(" carries an X.509 (CMS) signature; only OpenPGP signatures are accepted");
            }
            case UNKNOWN -> {
                return refuse(" carries a signature of unknown type; only OpenPGP signatures are accepted");
            }
            case OPENPGP -> { }
        }
        PGPSignature sig;
        try {
            sig = ArmoredSignature.parse(signature, implementation);
        } catch (ArmoredSignature.Malformed e) {
            return refuse(" has a malformed OpenPGP signature: " + e.getMessage());
        }
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
            return refuse(" has an OpenPGP signature of type 0x" + Integer.toHexString(sig.getSignatureType())
                    + "; only binary document signatures (0x00, as git makes them) are accepted");
        }
        List<KeyIdentifier> issuers = sig.getKeyIdentifiers();
        if (issuers.isEmpty()) {
            return refuse(" has a malformed OpenPGP signature: it names no issuer key");
        }
        Optional<TrustedKeys.Signer> found = keys.find(issuers);
        if (found.isEmpty()) {
            return refuse(" is signed by unknown signer key " + TrustedKeys.keyId(issuers.get(0).getKeyId())
                    + "; it is not in the configured key set");
        }
        TrustedKeys.Signer signer = found.get();
        String name = signer.name();
        if (!policy.hasAcceptableDocumentSignatureHashAlgorithm(sig)) {
            return refuse(" is signed with a weak hash algorithm (" + hashName(sig.getHashAlgorithm()) + ") by " + name);
        }
        if (!policy.isAcceptableVerificationKey(signer.key().getPGPPublicKey())) {
            return refuse(" is signed by " + name + ", whose algorithm or size the OpenPGP policy does not accept");
        }
        boolean intact;
        try {
            sig.init(implementation.pgpContentVerifierBuilderProvider(), signer.key().getPGPPublicKey());
            sig.update(data);
            intact = sig.verify();
        } catch (PGPException e) {
            return refuse(": the signature by " + name + " cannot be checked (" + e.getClass().getSimpleName() + ")");
        }
        if (!intact) {
            return refuse(": the signature by " + name + " does not match the commit content (altered after signing, or a"
                    + " signature of another commit)");
        }
        Date now = Date.from(clock.instant());
        OpenPGPCertificate certificate = signer.trusted().certificate();
        synchronized (certificate) {
            String fingerprint = certificate.getPrettyFingerprint().replace(" ", "");
            String user = TrustedKeys.userId(certificate, now);
            String problem = SignerValidity.problem(certificate, signer.key(), name, now, sig.getCreationTime());
            if (problem != null) {
                return new SignatureVerification(NAME, sig.getCreationTime(), name, fingerprint, user, false,
                        problem.contains(" expired on "), TrustLevel.NEVER, ": " + problem);
            }
            return new SignatureVerification(NAME, sig.getCreationTime(), name, fingerprint, user, true, false,
                    TrustLevel.FULL, " has a good OpenPGP signature by " + name + " " + user);
        }
    }

    List<String> describeKeys() {
        return keys.describe(new Date(clock.millis()));
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public void clear() {
        // nothing cached beyond the key set, which is immutable
    }

    private static SignatureVerification refuse(String message) {
        return new SignatureVerification(NAME, null, null, null, null, false, false, TrustLevel.NEVER, message);
    }

    private static String hashName(int algorithm) {
        return switch (algorithm) {
            case HashAlgorithmTags.MD5 -> "MD5";
            case HashAlgorithmTags.SHA1 -> "SHA-1";
            case HashAlgorithmTags.RIPEMD160 -> "RIPEMD-160";
            default -> "hash algorithm " + algorithm;
        };
    }
}
