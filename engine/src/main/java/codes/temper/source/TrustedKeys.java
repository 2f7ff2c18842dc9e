package codes.temper.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPUserId;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;

/**
 * The key set of signed-commit mode: a directory of public keys, as a mounted ConfigMap or Secret
 * provides it. ASCII-armored {@code *.asc} and binary {@code *.gpg} / {@code *.pgp} files, each
 * holding one or more public key rings (certificates). Entries whose names start with a dot (the
 * {@code ..data} links Kubernetes adds to a volume) and files with other extensions are skipped; a
 * file that cannot be read as public keys is an error naming the file, and so is a directory with
 * no key: signed mode with no keys would refuse every commit.
 *
 * <p>Read once; BouncyCastle's certificates compute their signature chains lazily, so every use
 * of one holds its lock.
 */
final class TrustedKeys {

    private static final List<String> KEY_EXTENSIONS = List.of(".asc", ".gpg", ".pgp");
    private static final String ARMOR_BEGIN = "-----BEGIN PGP ";

    /** One certificate of the key set and the file it came from. */
    record TrustedKey(OpenPGPCertificate certificate, String file) {
    }

    /** The key that made a signature, and the certificate it belongs to. */
    record Signer(TrustedKey trusted, OpenPGPComponentKey key) {
        /** "key X" for a primary key, "subkey X of key Y" for a subkey: how reasons name the signer. */
        String name() {
            String keyName = keyId(key.getKeyIdentifier().getKeyId());
            return key.isPrimaryKey() ? "key " + keyName
                    : "subkey " + keyName + " of key " + keyId(trusted.certificate().getKeyIdentifier().getKeyId());
        }
    }

    private final List<TrustedKey> keys;

    private TrustedKeys(List<TrustedKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * Reads every public key in {@code dir}.
     *
     * @throws IOException naming the directory or the offending file when the directory is
     *         missing, holds no key, or holds a file that is not a set of OpenPGP public keys
     */
    static TrustedKeys load(Path dir, OpenPGPImplementation implementation) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("OpenPGP key directory " + dir + " does not exist or is not a directory");
        }
        TreeSet<Path> files = new TreeSet<>();
        List<String> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || Files.isDirectory(entry)) {
                    continue; // ..data, ..2025_01_01_... links of a mounted volume; dotfiles
                }
                if (KEY_EXTENSIONS.stream().anyMatch(ext -> name.toLowerCase(Locale.ROOT).endsWith(ext))) {
                    files.add(entry);
                } else {
                    skipped.add(name);
                }
            }
        }
        List<TrustedKey> result = new ArrayList<>();
        for (Path file : files) {
            result.addAll(loadFile(file, implementation));
        }
        if (result.isEmpty()) {
            throw new IOException("no OpenPGP public keys (*.asc, *.gpg, *.pgp) in " + dir
                    + (skipped.isEmpty() ? "" : " (skipped " + String.join(", ", skipped) + ")")
                    + ": signed-commit mode with no keys would refuse every commit");
        }
        return new TrustedKeys(result);
    }

    /** The trusted key named by one of the signature's issuer ids. */
    Optional<Signer> find(List<KeyIdentifier> issuers) {
        for (TrustedKey candidate : keys) {
            synchronized (candidate.certificate()) {
                for (KeyIdentifier issuer : issuers) {
                    OpenPGPComponentKey key = candidate.certificate().getKey(issuer);
                    if (key != null) {
                        return Optional.of(new Signer(candidate, key));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** One line per certificate: primary key fingerprint, primary user id and source file. */
    List<String> describe(Date at) {
        List<String> lines = new ArrayList<>();
        for (TrustedKey key : keys) {
            synchronized (key.certificate()) {
                lines.add(key.certificate().getPrettyFingerprint().replace(" ", "") + " "
                        + userId(key.certificate(), at) + " (" + key.file() + ")");
            }
        }
        return List.copyOf(lines);
    }

    private static List<TrustedKey> loadFile(Path file, OpenPGPImplementation implementation) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read OpenPGP key file " + file + ": " + e, e);
        }
        List<TrustedKey> result = new ArrayList<>();
        String name = file.getFileName().toString();
        try {
            for (PGPPublicKeyRing ring : readRings(bytes, file, implementation)) {
                OpenPGPCertificate certificate = new OpenPGPCertificate(ring, implementation, implementation.policy());
                // Warm the lazily computed signature chains so verification mostly reads.
                certificate.getValidKeys();
                result.add(new TrustedKey(certificate, name));
            }
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw notKeys(file, e);
        }
        if (result.isEmpty()) {
            throw new IOException("OpenPGP key file " + file + " holds no public key");
        }
        return result;
    }

    /** Every public key ring in the file: binary, or one or more ASCII-armored blocks. */
    private static List<PGPPublicKeyRing> readRings(byte[] bytes, Path file, OpenPGPImplementation implementation)
            throws IOException {
        List<byte[]> blocks = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains(ARMOR_BEGIN)) {
            // Files made by concatenating exports hold several armor blocks: read each on its own.
            int at = text.indexOf(ARMOR_BEGIN);
            while (at >= 0) {
                int next = text.indexOf(ARMOR_BEGIN, at + ARMOR_BEGIN.length());
                blocks.add(text.substring(at, next < 0 ? text.length() : next).getBytes(StandardCharsets.ISO_8859_1));
                at = next;
            }
        } else if (bytes.length > 0 && (bytes[0] & 0x80) != 0) {
            blocks.add(bytes);
        } else {
            throw new IOException("OpenPGP key file " + file + " is neither ASCII-armored nor binary OpenPGP data");
        }
        List<PGPPublicKeyRing> rings = new ArrayList<>();
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
                                + " public keys only (export with gpg --export, not --export-secret-keys)");
                    } else if (!(next instanceof PGPMarker)) {
                        throw new KeyFileProblem("holds " + next.getClass().getSimpleName() + " where public keys belong");
                    }
                }
            } catch (KeyFileProblem e) {
                throw new IOException("OpenPGP key file " + file + " " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                throw notKeys(file, e);
            }
        }
        return rings;
    }

    /** A file that reads as OpenPGP but holds what does not belong in a key set. */
    private static final class KeyFileProblem extends RuntimeException {
        KeyFileProblem(String message) {
            super(message, null, false, false);
        }
    }

    private static IOException notKeys(Path file, Exception e) {
        return new IOException("OpenPGP key file " + file + " is not a set of public keys: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }

    static String keyId(long id) {
        return String.format("%016X", id);
    }

    /** The primary user id, quoted, control characters replaced and at most 200 code points. */
    static String userId(OpenPGPCertificate certificate, Date at) {
        OpenPGPUserId uid = certificate.getPrimaryUserId(at);
        if (uid == null) {
            List<OpenPGPUserId> all = certificate.getAllUserIds();
            uid = all.isEmpty() ? null : all.getFirst();
        }
        if (uid == null) {
            return "(no user id)";
        }
        StringBuilder clean = new StringBuilder("\"");
        uid.getUserId().codePoints().limit(200).forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return clean.append('"').toString();
    }
}
