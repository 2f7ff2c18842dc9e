package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.openpgp.api.OpenPGPApi;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.OpenPGPSignature.OpenPGPDocumentSignature;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * What the signed-commit tests share: keys made once per run by BouncyCastle, real JGit commits
 * in an in-memory repository signed over their exact payload, and a key directory.
 */
final class OpenPgpFixtures {
    static final OpenPGPApi API = new BcOpenPGPApi();
    static final String ALICE_UID = "Alice Admin <alice@example.org>";
    static final String BOB_UID = "Bob Builder <bob@example.org>";

    /** Ed25519 primary (certify only) with a signing subkey: signatures come from the subkey. */
    static final OpenPGPKey ALICE = generate(() -> API.generateKey(4).ed25519x25519Key(ALICE_UID).build());
    /** One RSA 2048 key that signs with its primary key. */
    static final OpenPGPKey BOB = generate(() -> API.generateKey(4).singletonRSAKey(2048, BOB_UID).build());
    /** A key that is never put in the key directory. */
    static final OpenPGPKey MALLORY = generate(() -> API.generateKey(4).ed25519x25519Key("Mallory <mallory@example.org>").build());

    interface KeyMaker {
        OpenPGPKey make() throws Exception;
    }

    private OpenPgpFixtures() {
    }

    static OpenPGPKey generate(KeyMaker maker) {
        try {
            return maker.make();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The usual key directory: alice armored, bob binary. */
    static Path keyDirectory(Path dir) throws IOException {
        Files.writeString(dir.resolve("alice.asc"), ALICE.toCertificate().toAsciiArmoredString());
        Files.write(dir.resolve("bob.gpg"), BOB.toCertificate().getEncoded());
        return dir;
    }

    static Repository repository() {
        return new InMemoryRepository(new DfsRepositoryDescription("policies"));
    }

    static String sign(OpenPGPKey key, byte[] data) {
        try {
            List<OpenPGPDocumentSignature> sigs = API.createDetachedSignature().addSigningKey(key)
                    .sign(new ByteArrayInputStream(data));
            assertThat(sigs).hasSize(1);
            return sigs.getFirst().toAsciiArmoredString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CommitBuilder builder(Repository repo, String message) throws IOException {
        ObjectId tree;
        try (ObjectInserter ins = repo.newObjectInserter()) {
            tree = ins.insert(new TreeFormatter());
            ins.flush();
        }
        PersonIdent who = new PersonIdent("Alice Admin", "alice@example.org", Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
        CommitBuilder cb = new CommitBuilder();
        cb.setTreeId(tree);
        cb.setAuthor(who);
        cb.setCommitter(who);
        cb.setMessage(message);
        return cb;
    }

    static RevCommit insert(Repository repo, CommitBuilder cb) throws IOException {
        ObjectId id;
        try (ObjectInserter ins = repo.newObjectInserter()) {
            id = ins.insert(cb);
            ins.flush();
        }
        return parse(repo, id);
    }

    static RevCommit insertRaw(Repository repo, byte[] raw) throws IOException {
        ObjectId id;
        try (ObjectInserter ins = repo.newObjectInserter()) {
            id = ins.insert(Constants.OBJ_COMMIT, raw);
            ins.flush();
        }
        return parse(repo, id);
    }

    static RevCommit parse(Repository repo, ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(id);
        }
    }

    /** A commit whose gpgsig header is whatever {@code signature} makes of the payload; null = unsigned. */
    static RevCommit commit(Repository repo, String message, Function<byte[], String> signature) throws IOException {
        CommitBuilder cb = builder(repo, message);
        if (signature != null) {
            String sig = signature.apply(cb.build());
            cb.setGpgSignature(new GpgSignature(sig.getBytes(StandardCharsets.US_ASCII)));
        }
        return insert(repo, cb);
    }

    static String keyId(OpenPGPKey key, boolean signingSubkey) {
        var k = signingSubkey ? key.getSigningKeys().getFirst() : key.getPrimaryKey();
        assertThat(k.isPrimaryKey()).isEqualTo(!signingSubkey);
        return String.format("%016X", k.getKeyIdentifier().getKeyId());
    }

    /** A syntactically plausible sshsig blob (PROTOCOL.sshsig), armored as git stores it. */
    static String sshSignature() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeBytes("SSHSIG");
            out.writeInt(1);
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            DataOutputStream p = new DataOutputStream(pub);
            p.writeInt(11);
            p.writeBytes("ssh-ed25519");
            p.writeInt(32);
            p.write(new byte[32]);
            out.writeInt(pub.size());
            out.write(pub.toByteArray());
            for (String s : List.of("git", "", "sha512")) {
                out.writeInt(s.length());
                out.writeBytes(s);
            }
            out.writeInt(83);
            out.writeInt(11);
            out.writeBytes("ssh-ed25519");
            out.writeInt(64);
            out.write(new byte[64]);
            String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes.toByteArray());
            return "-----BEGIN SSH SIGNATURE-----\n" + b64 + "\n-----END SSH SIGNATURE-----\n";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
