package codes.temper.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.BCPGInputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentSignature;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPUserId;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;
import org.bouncycastle.openpgp.api.OpenPGPPolicy;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPImplementation;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Signed-commit mode: accepts a commit only when its {@code gpgsig} header holds an OpenPGP
 * signature, made by a key of a configured key set, over the commit exactly as git signs it.
 *
 * <p>The key set is a directory of public keys, as a mounted ConfigMap or Secret provides it:
 * ASCII-armored {@code *.asc} and binary {@code *.gpg} / {@code *.pgp} files, each holding one or
 * more public key rings (certificates). Entries whose names start with a dot (the {@code ..data}
 * links Kubernetes adds to a volume) and files with other extensions are skipped; a file that
 * cannot be read as public keys is an error naming the file, and so is a directory with no key:
 * signed mode with no keys would refuse every commit.
 *
 * <p>What {@link #verify} checks, in order, each failure with its own reason:
 * <ol>
 * <li>the commit has exactly one {@code gpgsig} header;</li>
 * <li>its armor header line is {@code -----BEGIN PGP SIGNATURE-----}: SSH and X.509/CMS
 * signatures, or anything else, are refused as the wrong type before any parser runs;</li>
 * <li>the armor decodes to exactly one binary-document signature packet and nothing else;</li>
 * <li>the issuer (fingerprint or key id) is the primary key or a subkey of a trusted
 * certificate; a subkey counts as its certificate;</li>
 * <li>the hash algorithm is acceptable to BouncyCastle's default policy (no MD5, SHA-1,
 * RIPEMD-160) and the key is strong enough;</li>
 * <li>the signature verifies over the signed payload: the raw commit without its signature
 * headers, as git computes it;</li>
 * <li>the certificate and the signing key are neither revoked nor expired <em>now</em> (like
 * {@code git verify-commit}, which refuses signatures by expired or revoked keys), were valid
 * when the signature was made, and the key is marked for signing.</li>
 * </ol>
 *
 * <p>Thread-safe: the key set is read once at construction; {@link #verify} does no I/O and never
 * throws for bad input. Reasons name the commit and key ids, never signature bytes.
 */
public final class OpenPgpCommitVerifier implements CommitVerifier {

    static final String PGP_ARMOR = "-----BEGIN PGP SIGNATURE-----";
    static final String PGP_ARMOR_END = "-----END PGP SIGNATURE-----";
    static final String SSH_ARMOR = "-----BEGIN SSH SIGNATURE-----";
    static final String X509_ARMOR = "-----BEGIN SIGNED MESSAGE-----";

    private static final List<String> KEY_EXTENSIONS = List.of(".asc", ".gpg", ".pgp");
    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final OpenPGPImplementation implementation;
    private final OpenPGPPolicy policy;
    private final List<TrustedKey> keys;
    private final Clock clock;

    /** One certificate of the key set and the file it came from. */
    private record TrustedKey(OpenPGPCertificate certificate, String file) {
    }

    /**
     * Reads every public key in {@code keyDirectory}.
     *
     * @throws IOException naming the directory or the offending file when the directory is
     *         missing, holds no key, or holds a file that is not a set of OpenPGP public keys
     */
    public OpenPgpCommitVerifier(Path keyDirectory) throws IOException {
        this(keyDirectory, Clock.systemUTC());
    }

    /** As {@link #OpenPgpCommitVerifier(Path)}, judging revocation and expiry at {@code clock}. */
    public OpenPgpCommitVerifier(Path keyDirectory, Clock clock) throws IOException {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.implementation = new BcOpenPGPImplementation();
        this.policy = implementation.policy();
        this.keys = List.copyOf(load(Objects.requireNonNull(keyDirectory, "keyDirectory")));
    }

    /**
     * The loaded key set, one line per certificate: primary key fingerprint, primary user id and
     * source file. For the agent's start-up log and status page.
     */
    public List<String> describeKeys() {
        List<String> lines = new ArrayList<>();
        for (TrustedKey key : keys) {
            synchronized (key.certificate()) {
                lines.add(key.certificate().getPrettyFingerprint().replace(" ", "") + " "
                        + userId(key.certificate(), new Date(clock.millis())) + " (" + key.file()
                        + ")");
            }
        }
        return List.copyOf(lines);
    }

    @Override
    public Verdict verify(RevCommit commit) {
        if (commit == null) {
            return reject("no commit given");
        }
        String id = commit.name();
        try {
            return check(commit, id);
        } catch (RuntimeException e) {
            // Defence in depth: a parser surprise must refuse the commit, not crash the poller.
            return reject("commit " + id + ": signature check failed ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private Verdict check(RevCommit commit, String id) {
        byte[] raw = commit.getRawBuffer();
        if (raw == null) {
            return reject("commit " + id + " has no raw body to check (parsed without its body)");
        }
        SignedCommit signed = SignedCommit.split(raw);
        if (signed.signatureHeaders() == 0) {
            return reject(signed.otherSignatureHeaders() > 0
                    ? "commit " + id + " is not signed for SHA-1 (only a gpgsig-sha256 header)"
                    : "commit " + id + " is not signed");
        }
        if (signed.signatureHeaders() > 1) {
            return reject("commit " + id + " carries " + signed.signatureHeaders()
                    + " gpgsig headers; exactly one is accepted");
        }
        byte[] signature = signed.signature();

        // The type comes from the armor header line, before any parser sees the bytes.
        if (startsWith(signature, SSH_ARMOR)) {
            return reject("commit " + id
                    + " carries an SSH signature; only OpenPGP signatures are accepted");
        }
        if (startsWith(signature, X509_ARMOR)) {
            return reject("commit " + id
                    + " carries an X.509 (CMS) signature; only OpenPGP signatures are accepted");
        }
        if (!startsWith(signature, PGP_ARMOR)) {
            return reject("commit " + id
                    + " carries a signature of unknown type; only OpenPGP signatures are accepted");
        }

        PGPSignature sig;
        try {
            sig = parseArmoredSignature(signature);
        } catch (MalformedSignature e) {
            return reject("commit " + id + " has a malformed OpenPGP signature: " + e.getMessage());
        }
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
            return reject("commit " + id + " has an OpenPGP signature of type 0x"
                    + Integer.toHexString(sig.getSignatureType())
                    + "; only binary document signatures (0x00, as git makes them) are accepted");
        }

        List<KeyIdentifier> issuers = sig.getKeyIdentifiers();
        if (issuers.isEmpty()) {
            return reject("commit " + id + " has a malformed OpenPGP signature: it names no issuer key");
        }
        TrustedKey trusted = null;
        OpenPGPComponentKey signingKey = null;
        for (TrustedKey candidate : keys) {
            synchronized (candidate.certificate()) {
                for (KeyIdentifier issuer : issuers) {
                    OpenPGPComponentKey key = candidate.certificate().getKey(issuer);
                    if (key != null) {
                        trusted = candidate;
                        signingKey = key;
                        break;
                    }
                }
            }
            if (signingKey != null) {
                break;
            }
        }
        if (signingKey == null) {
            return reject("commit " + id + " is signed by unknown signer key "
                    + keyId(issuers.get(0).getKeyId()) + "; it is not in the configured key set");
        }
        String keyName = keyId(signingKey.getKeyIdentifier().getKeyId());
        OpenPGPCertificate certificate = trusted.certificate();
        String primaryName = keyId(certificate.getKeyIdentifier().getKeyId());
        String signer = signingKey.isPrimaryKey() ? "key " + keyName
                : "subkey " + keyName + " of key " + primaryName;

        if (!policy.hasAcceptableDocumentSignatureHashAlgorithm(sig)) {
            return reject("commit " + id + " is signed with a weak hash algorithm ("
                    + hashName(sig.getHashAlgorithm()) + ") by " + signer);
        }
        if (!policy.isAcceptableVerificationKey(signingKey.getPGPPublicKey())) {
            return reject("commit " + id + " is signed by " + signer
                    + ", whose algorithm or size the OpenPGP policy does not accept");
        }

        boolean intact;
        try {
            sig.init(implementation.pgpContentVerifierBuilderProvider(), signingKey.getPGPPublicKey());
            sig.update(signed.payload());
            intact = sig.verify();
        } catch (PGPException e) {
            return reject("commit " + id + ": the signature by " + signer + " cannot be checked ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!intact) {
            return reject("commit " + id + ": the signature by " + signer
                    + " does not match the commit content (altered after signing, or a signature"
                    + " of another commit)");
        }

        Date now = Date.from(clock.instant());
        Date signedAt = sig.getCreationTime();
        synchronized (certificate) {
            String problem = keyProblem(certificate, signingKey, signer, now, signedAt);
            if (problem != null) {
                return reject("commit " + id + ": " + problem);
            }
            return new Verdict(true, "commit " + id + " has a good OpenPGP signature by " + signer
                    + " " + userId(certificate, now));
        }
    }

    /** Revocation, expiry, binding and signing capability; null when the key may sign now. */
    private static String keyProblem(OpenPGPCertificate certificate, OpenPGPComponentKey key,
            String signer, Date now, Date signedAt) {
        OpenPGPComponentKey primary = certificate.getPrimaryKey();
        if (revoked(primary, now)) {
            return "signer " + signer + " is revoked";
        }
        if (!key.isPrimaryKey() && revoked(key, now)) {
            return "signer " + signer + " is revoked";
        }
        for (OpenPGPComponentKey k : List.of(primary, key)) {
            Date expiry = expiry(certificate, k, now, signedAt);
            if (expiry != null && !expiry.after(now)) {
                return "signer " + signer + " expired on " + expiry.toInstant();
            }
        }
        if (signedAt.before(key.getCreationTime())) {
            return "the signature by " + signer + " claims a time (" + signedAt.toInstant()
                    + ") before the key existed";
        }
        if (!primary.isBoundAt(signedAt) || !key.isBoundAt(signedAt)) {
            return "signer " + signer + " was not valid when the signature was made ("
                    + signedAt.toInstant() + ")";
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
    private static Date expiry(OpenPGPCertificate certificate, OpenPGPComponentKey key, Date now,
            Date signedAt) {
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
        OpenPGPComponentSignature revocation = key.getRevocation(now);
        return revocation != null;
    }

    // ---- signature parsing --------------------------------------------------------------------

    private static final class MalformedSignature extends Exception {
        MalformedSignature(String message) {
            super(message, null, false, false);
        }
    }

    /** Exactly one OpenPGP signature packet inside exactly one armor block, nothing else. */
    private PGPSignature parseArmoredSignature(byte[] armored) throws MalformedSignature {
        if (armored.length > MAX_SIGNATURE_BYTES) {
            throw new MalformedSignature("larger than " + MAX_SIGNATURE_BYTES + " bytes");
        }
        String text = new String(armored, StandardCharsets.US_ASCII);
        int end = text.indexOf(PGP_ARMOR_END);
        if (end < 0) {
            throw new MalformedSignature("no " + PGP_ARMOR_END + " line");
        }
        if (!text.substring(end + PGP_ARMOR_END.length()).isBlank()) {
            throw new MalformedSignature("data after the end of the armor");
        }
        byte[] packets;
        try (ArmoredInputStream in = ArmoredInputStream.builder().setIgnoreCRC(false)
                .build(new ByteArrayInputStream(armored))) {
            packets = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new MalformedSignature("bad armor (" + e.getClass().getSimpleName() + ")");
        }
        if (packets.length == 0) {
            throw new MalformedSignature("empty armor");
        }
        List<Object> objects = new ArrayList<>();
        try {
            PGPObjectFactory factory = implementation.pgpObjectFactory(
                    new BCPGInputStream(new ByteArrayInputStream(packets)));
            Object next;
            while ((next = factory.nextObject()) != null) {
                objects.add(next);
            }
        } catch (IOException | RuntimeException e) {
            throw new MalformedSignature("unreadable packets (" + e.getClass().getSimpleName() + ")");
        }
        objects.removeIf(o -> o instanceof PGPMarker);
        if (objects.size() != 1 || !(objects.getFirst() instanceof PGPSignatureList list)) {
            throw new MalformedSignature("expected one signature packet, found "
                    + describe(objects));
        }
        if (list.size() != 1) {
            throw new MalformedSignature(list.size() + " signatures in one block; expected one");
        }
        return list.get(0);
    }

    private static String describe(List<Object> objects) {
        if (objects.isEmpty()) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        for (Object o : objects) {
            names.add(o.getClass().getSimpleName());
        }
        return String.join(", ", names);
    }

    private static boolean startsWith(byte[] data, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (data.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (data[i] != p[i]) {
                return false;
            }
        }
        // The armor header line must end there: "-----BEGIN PGP SIGNATURE-----X" is not it.
        return data.length == p.length || data[p.length] == '\n' || data[p.length] == '\r';
    }

    // ---- the signed payload -------------------------------------------------------------------

    /**
     * A commit split as git splits it for verification ({@code parse_buffer_signed_by_header}
     * in git's commit.c): in the header block, before the first empty line, a line starting
     * {@code "gpgsig "} or {@code "gpgsig-sha256 "} begins a signature header, and every following
     * line starting with a space continues it. Those lines are left out of the payload; the
     * value of {@code gpgsig} (the header for SHA-1 repositories) is the signature, each line's
     * leading space removed. Everything else, message included, is payload byte for byte.
     *
     * @param payload the bytes the signature covers
     * @param signature the {@code gpgsig} value, or an empty array
     * @param signatureHeaders how many {@code gpgsig} headers there were
     * @param otherSignatureHeaders how many {@code gpgsig-sha256} headers there were
     */
    record SignedCommit(byte[] payload, byte[] signature, int signatureHeaders,
            int otherSignatureHeaders) {

        private static final byte[] GPGSIG = "gpgsig ".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] GPGSIG_SHA256 =
                "gpgsig-sha256 ".getBytes(StandardCharsets.US_ASCII);

        static SignedCommit split(byte[] raw) {
            ByteArrayOutputStream payload = new ByteArrayOutputStream(raw.length);
            ByteArrayOutputStream signature = new ByteArrayOutputStream();
            int headers = 0;
            int others = 0;
            int state = 0; // 0: ordinary header, 1: in gpgsig, 2: in gpgsig-sha256
            int line = 0;
            while (line < raw.length) {
                int next = nextLine(raw, line);
                if (raw[line] == '\n') {
                    // End of the header block: the rest is payload as it is.
                    payload.write(raw, line, raw.length - line);
                    break;
                }
                if (state != 0 && raw[line] == ' ') {
                    if (state == 1) {
                        signature.write(raw, line + 1, next - line - 1);
                    }
                } else if (matches(raw, line, GPGSIG)) {
                    state = 1;
                    headers++;
                    signature.write(raw, line + GPGSIG.length, next - line - GPGSIG.length);
                } else if (matches(raw, line, GPGSIG_SHA256)) {
                    state = 2;
                    others++;
                } else {
                    state = 0;
                    payload.write(raw, line, next - line);
                }
                line = next;
            }
            return new SignedCommit(payload.toByteArray(), signature.toByteArray(), headers, others);
        }

        private static int nextLine(byte[] raw, int from) {
            for (int i = from; i < raw.length; i++) {
                if (raw[i] == '\n') {
                    return i + 1;
                }
            }
            return raw.length;
        }

        private static boolean matches(byte[] raw, int at, byte[] prefix) {
            if (raw.length - at < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (raw[at + i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- loading the key set ------------------------------------------------------------------

    private List<TrustedKey> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("OpenPGP key directory " + dir + " does not exist or is not a"
                    + " directory");
        }
        TreeSet<Path> files = new TreeSet<>();
        List<String> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || Files.isDirectory(entry)) {
                    continue; // ..data, ..2025_01_01_... links of a mounted volume; dotfiles
                }
                if (KEY_EXTENSIONS.stream().anyMatch(
                        ext -> name.toLowerCase(Locale.ROOT).endsWith(ext))) {
                    files.add(entry);
                } else {
                    skipped.add(name);
                }
            }
        }
        List<TrustedKey> result = new ArrayList<>();
        for (Path file : files) {
            result.addAll(loadFile(file));
        }
        if (result.isEmpty()) {
            throw new IOException("no OpenPGP public keys (*.asc, *.gpg, *.pgp) in " + dir
                    + (skipped.isEmpty() ? "" : " (skipped " + String.join(", ", skipped) + ")")
                    + ": signed-commit mode with no keys would refuse every commit");
        }
        return result;
    }

    private List<TrustedKey> loadFile(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read OpenPGP key file " + file + ": " + e, e);
        }
        List<TrustedKey> result = new ArrayList<>();
        String name = file.getFileName().toString();
        try {
            for (PGPPublicKeyRing ring : readRings(bytes, file)) {
                OpenPGPCertificate certificate = new OpenPGPCertificate(ring, implementation, policy);
                // Warm the lazily computed signature chains so verify() mostly reads.
                certificate.getValidKeys();
                result.add(new TrustedKey(certificate, name));
            }
        } catch (IOException e) {
            throw e;
        } catch (PGPException | RuntimeException e) {
            throw new IOException("OpenPGP key file " + file + " is not a set of public keys: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
                    + e.getMessage()), e);
        }
        if (result.isEmpty()) {
            throw new IOException("OpenPGP key file " + file + " holds no public key");
        }
        return result;
    }

    /** Every public key ring in the file: binary, or one or more ASCII-armored blocks. */
    private List<PGPPublicKeyRing> readRings(byte[] bytes, Path file)
            throws IOException, PGPException {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        List<byte[]> blocks = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains(ARMOR_BEGIN)) {
            // Files made by concatenating exports hold several armor blocks: read each on its own.
            int at = text.indexOf(ARMOR_BEGIN);
            while (at >= 0) {
                int next = text.indexOf(ARMOR_BEGIN, at + ARMOR_BEGIN.length());
                blocks.add(text.substring(at, next < 0 ? text.length() : next)
                        .getBytes(StandardCharsets.ISO_8859_1));
                at = next;
            }
        } else if (bytes.length > 0 && (bytes[0] & 0x80) != 0) {
            blocks.add(bytes);
        } else {
            throw new IOException("OpenPGP key file " + file
                    + " is neither ASCII-armored nor binary OpenPGP data");
        }
        for (byte[] block : blocks) {
            try {
                InputStream in = new ByteArrayInputStream(block);
                if (block != bytes) {
                    in = ArmoredInputStream.builder().build(in);
                }
                PGPObjectFactory factory = implementation.pgpObjectFactory(in);
                Object next;
                while ((next = factory.nextObject()) != null) {
                    if (next instanceof PGPPublicKeyRing ring) {
                        rings.add(ring);
                    } else if (next instanceof PGPSecretKeyRing) {
                        throw new KeyFileProblem("holds a secret key; the key directory must hold"
                                + " public keys only (export with gpg --export, not"
                                + " --export-secret-keys)");
                    } else if (!(next instanceof PGPMarker)) {
                        throw new KeyFileProblem("holds " + next.getClass().getSimpleName()
                                + " where public keys belong");
                    }
                }
            } catch (KeyFileProblem e) {
                throw new IOException("OpenPGP key file " + file + " " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                throw new IOException("OpenPGP key file " + file + " is not a set of public keys: "
                        + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            }
        }
        return rings;
    }

    private static final String ARMOR_BEGIN = "-----BEGIN PGP ";

    private static final class KeyFileProblem extends RuntimeException {
        KeyFileProblem(String message) {
            super(message, null, false, false);
        }
    }

    // ---- wording -------------------------------------------------------------------------------

    private static String keyId(long id) {
        return String.format("%016X", id);
    }

    private static String userId(OpenPGPCertificate certificate, Date at) {
        OpenPGPUserId uid = certificate.getPrimaryUserId(at);
        if (uid == null) {
            List<OpenPGPUserId> all = certificate.getAllUserIds();
            uid = all.isEmpty() ? null : all.getFirst();
        }
        if (uid == null) {
            return "(no user id)";
        }
        StringBuilder clean = new StringBuilder("\"");
        uid.getUserId().codePoints().limit(200)
                .forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return clean.append('"').toString();
    }

    private static String hashName(int algorithm) {
        return switch (algorithm) {
            case HashAlgorithmTags.MD5 -> "MD5";
            case HashAlgorithmTags.SHA1 -> "SHA-1";
            case HashAlgorithmTags.RIPEMD160 -> "RIPEMD-160";
            default -> "hash algorithm " + algorithm;
        };
    }

    private static Verdict reject(String reason) {
        return new Verdict(false, reason);
    }
}
