package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.source.CommitVerifier.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.bouncycastle.bcpg.ArmoredOutputStream;
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
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed-commit mode against real JGit commits whose signatures BouncyCastle (and, when
 * installed, the gpg CLI through git) makes over the exact commit payload.
 */
class OpenPgpCommitVerifierTest {

    static final OpenPGPApi API = new BcOpenPGPApi();
    static final String ALICE_UID = "Alice Admin <alice@example.org>";
    static final String BOB_UID = "Bob Builder <bob@example.org>";

    /** Ed25519 primary (certify only) with a signing subkey: signatures come from the subkey. */
    static OpenPGPKey alice;
    /** One RSA 2048 key that signs with its primary key. */
    static OpenPGPKey bob;
    /** A key that is never put in the key directory. */
    static OpenPGPKey mallory;

    @TempDir
    Path keyDir;

    Repository repo;

    @BeforeAll
    static void generateKeys() throws Exception {
        alice = API.generateKey(4).ed25519x25519Key(ALICE_UID).build();
        bob = API.generateKey(4).singletonRSAKey(2048, BOB_UID).build();
        mallory = API.generateKey(4).ed25519x25519Key("Mallory <mallory@example.org>").build();
    }

    @BeforeEach
    void repository() throws IOException {
        repo = new InMemoryRepository(new DfsRepositoryDescription("policies"));
        Files.writeString(keyDir.resolve("alice.asc"), alice.toCertificate().toAsciiArmoredString());
        Files.write(keyDir.resolve("bob.gpg"), bob.toCertificate().getEncoded());
    }

    // ---- helpers ------------------------------------------------------------------------------

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
        PersonIdent who = new PersonIdent("Alice Admin", "alice@example.org",
                Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
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

    /** A commit whose gpgsig header is whatever {@code signature} makes of the payload. */
    RevCommit commit(String message, Function<byte[], String> signature) throws IOException {
        CommitBuilder cb = builder(repo, message);
        if (signature != null) {
            String sig = signature.apply(cb.build());
            cb.setGpgSignature(new GpgSignature(sig.getBytes(StandardCharsets.US_ASCII)));
        }
        return insert(repo, cb);
    }

    OpenPgpCommitVerifier verifier() throws IOException {
        return new OpenPgpCommitVerifier(keyDir);
    }

    static String keyId(OpenPGPKey key, boolean signingSubkey) {
        var k = signingSubkey ? key.getSigningKeys().getFirst() : key.getPrimaryKey();
        assertThat(k.isPrimaryKey()).isEqualTo(!signingSubkey);
        return String.format("%016X", k.getKeyIdentifier().getKeyId());
    }

    // ---- good signatures ----------------------------------------------------------------------

    @Test
    void goodSignatureBySigningSubkeyIsAcceptedAndNamesKeyAndUser() throws IOException {
        RevCommit c = commit("tiers: add batch\n", payload -> sign(alice, payload));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).as(v.reason()).isTrue();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " has a good OpenPGP signature by"
                + " subkey " + keyId(alice, true) + " of key " + keyId(alice, false) + " \""
                + ALICE_UID + "\"");
    }

    @Test
    void goodSignatureByPrimaryRsaKeyFromBinaryKeyFileIsAccepted() throws IOException {
        RevCommit c = commit("tiers: lower background ceiling\n", payload -> sign(bob, payload));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).as(v.reason()).isTrue();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " has a good OpenPGP signature by"
                + " key " + keyId(bob, false) + " \"" + BOB_UID + "\"");
    }

    @Test
    void signedPayloadIsTheCommitWithoutItsSignatureHeaderExactlyAsJGitBuiltIt()
            throws IOException {
        CommitBuilder cb = builder(repo, "multi\n\nline message\n gpgsig lookalike in the body\n");
        byte[] unsigned = cb.build();
        cb.setGpgSignature(new GpgSignature(sign(alice, unsigned).getBytes(StandardCharsets.US_ASCII)));
        RevCommit c = insert(repo, cb);

        var split = OpenPgpCommitVerifier.SignedCommit.split(c.getRawBuffer());

        assertThat(split.payload()).isEqualTo(unsigned);
        assertThat(split.signatureHeaders()).isEqualTo(1);
        assertThat(new String(split.signature(), StandardCharsets.US_ASCII))
                .isEqualTo(new String(c.getRawGpgSignature(), StandardCharsets.US_ASCII) + "\n");
        assertThat(verifier().verify(c).accepted()).isTrue();
    }

    @Test
    void splitFollowsGitForSha256SignatureHeadersAndLeavesTheMessageAlone() {
        String raw = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                + "author A <a@x> 1 +0000\n"
                + "committer A <a@x> 1 +0000\n"
                + "gpgsig -----BEGIN PGP SIGNATURE-----\n"
                + " \n"
                + " AAAA\n"
                + " -----END PGP SIGNATURE-----\n"
                + "gpgsig-sha256 -----BEGIN PGP SIGNATURE-----\n"
                + " BBBB\n"
                + " -----END PGP SIGNATURE-----\n"
                + "mergetag object x\n"
                + " type commit\n"
                + "\n"
                + "message\n"
                + "gpgsig not a header here\n"
                + " nor this\n";

        var split = OpenPgpCommitVerifier.SignedCommit.split(raw.getBytes(StandardCharsets.UTF_8));

        assertThat(new String(split.payload(), StandardCharsets.UTF_8)).isEqualTo(
                "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                        + "author A <a@x> 1 +0000\n"
                        + "committer A <a@x> 1 +0000\n"
                        + "mergetag object x\n"
                        + " type commit\n"
                        + "\n"
                        + "message\n"
                        + "gpgsig not a header here\n"
                        + " nor this\n");
        assertThat(new String(split.signature(), StandardCharsets.UTF_8)).isEqualTo(
                "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n");
        assertThat(split.signatureHeaders()).isEqualTo(1);
        assertThat(split.otherSignatureHeaders()).isEqualTo(1);
    }

    // ---- refusals -----------------------------------------------------------------------------

    @Test
    void unsignedCommitIsRejected() throws IOException {
        RevCommit c = commit("unsigned\n", null);

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " is not signed");
    }

    @Test
    void signatureByKeyOutsideTheKeySetIsRejectedNamingTheKeyId() throws IOException {
        RevCommit c = commit("from mallory\n", payload -> sign(mallory, payload));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " is signed by unknown signer key "
                + keyId(mallory, true) + "; it is not in the configured key set");
    }

    @Test
    void signatureOfAnotherCommitIsRejectedAsNotMatching() throws IOException {
        String signatureOfA = sign(alice, builder(repo, "commit A\n").build());
        RevCommit b = commit("commit B\n", payload -> signatureOfA);

        Verdict v = verifier().verify(b);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + b.name() + ": the signature by subkey "
                + keyId(alice, true) + " of key " + keyId(alice, false)
                + " does not match the commit content (altered after signing, or a signature of"
                + " another commit)");
    }

    @Test
    void payloadAlteredAfterSigningIsRejected() throws IOException {
        CommitBuilder cb = builder(repo, "ceiling 25%\n");
        String sig = sign(alice, cb.build());
        cb.setMessage("ceiling 100%\n");
        cb.setGpgSignature(new GpgSignature(sig.getBytes(StandardCharsets.US_ASCII)));
        RevCommit c = insert(repo, cb);

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("does not match the commit content");
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
            String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(bytes.toByteArray());
            return "-----BEGIN SSH SIGNATURE-----\n" + b64 + "\n-----END SSH SIGNATURE-----\n";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sshSignatureIsRejectedAsTheWrongType() throws IOException {
        RevCommit c = commit("ssh signed\n", payload -> sshSignature());

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name()
                + " carries an SSH signature; only OpenPGP signatures are accepted");
    }

    @Test
    void validOpenPgpPacketsUnderAnSshArmorAreStillRejectedAsSsh() throws IOException {
        // The body is a correct signature by a trusted key: only the armor says SSH. The verifier
        // must go by the type and never hand an SSH-typed signature to the OpenPGP parser.
        RevCommit c = commit("disguised\n", payload -> sign(alice, payload)
                .replace("BEGIN PGP SIGNATURE", "BEGIN SSH SIGNATURE")
                .replace("END PGP SIGNATURE", "END SSH SIGNATURE"));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("carries an SSH signature");
    }

    @Test
    void x509SignatureIsRejectedAsTheWrongType() throws IOException {
        RevCommit c = commit("smime signed\n", payload -> "-----BEGIN SIGNED MESSAGE-----\n"
                + "MIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB\n"
                + "AACggDCCAzswggIjoAMCAQICFHx0sJ2kQw1oV3c0b3RhbGx5ZmFrZTANBgkqhkiG\n"
                + "-----END SIGNED MESSAGE-----\n");

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name()
                + " carries an X.509 (CMS) signature; only OpenPGP signatures are accepted");
    }

    @Test
    void validOpenPgpPacketsUnderAnX509ArmorAreStillRejectedAsX509() throws IOException {
        RevCommit c = commit("disguised\n", payload -> sign(bob, payload)
                .replace("BEGIN PGP SIGNATURE", "BEGIN SIGNED MESSAGE")
                .replace("END PGP SIGNATURE", "END SIGNED MESSAGE"));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("carries an X.509 (CMS) signature");
    }

    @Test
    void garbageInTheSignatureHeaderIsRejectedAsUnknownType() throws IOException {
        RevCommit c = commit("garbage\n", payload -> "this is not a signature\n");

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name()
                + " carries a signature of unknown type; only OpenPGP signatures are accepted");
    }

    @Test
    void garbageInsideAnOpenPgpArmorIsRejectedAsMalformed() throws IOException {
        RevCommit c = commit("garbage\n", payload -> "-----BEGIN PGP SIGNATURE-----\n\n"
                + "bm90IGFuIE9wZW5QR1AgcGFja2V0IGF0IGFsbA==\n"
                + "-----END PGP SIGNATURE-----\n");

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).startsWith("commit " + c.name()
                + " has a malformed OpenPGP signature: ");
    }

    @Test
    void truncatedOpenPgpSignatureIsRejectedAsMalformed() throws IOException {
        RevCommit c = commit("truncated\n", payload -> {
            String sig = sign(alice, payload);
            // Keep the armor lines, cut the base64 body after 20 characters, drop the checksum.
            int body = sig.indexOf("\n\n") + 2;
            return sig.substring(0, body + 20) + "\n-----END PGP SIGNATURE-----\n";
        });

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).startsWith("commit " + c.name()
                + " has a malformed OpenPGP signature: ");
    }

    @Test
    void twoSignatureHeadersAreRejected() throws IOException {
        CommitBuilder cb = builder(repo, "twice\n");
        String sig = sign(alice, cb.build());
        cb.setGpgSignature(new GpgSignature(sig.getBytes(StandardCharsets.US_ASCII)));
        String once = new String(cb.build(), StandardCharsets.UTF_8);
        int at = once.indexOf("gpgsig ");
        int end = once.indexOf("\n\n");
        String header = once.substring(at, end + 1);
        RevCommit c = insertRaw(repo, (once.substring(0, end + 1) + header + once.substring(end + 1))
                .getBytes(StandardCharsets.UTF_8));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name()
                + " carries 2 gpgsig headers; exactly one is accepted");
    }

    @Test
    void revokedKeyIsRejected() throws Exception {
        OpenPGPKey carol = API.generateKey(4).ed25519x25519Key("Carol <carol@example.org>").build();
        OpenPGPKey revoked = API.editKey(carol).revokeKey().done();
        Files.writeString(keyDir.resolve("carol.asc"), revoked.toCertificate().toAsciiArmoredString());
        RevCommit c = commit("by carol\n", payload -> sign(carol, payload));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + ": signer subkey "
                + keyId(carol, true) + " of key " + keyId(carol, false) + " is revoked");
    }

    @Test
    void expiredKeyIsRejectedOnceItHasExpired() throws Exception {
        OpenPGPKey dave = API.generateKey(4).ed25519x25519Key("Dave <dave@example.org>").build();
        OpenPGPKey expiring = API.editKey(dave).addDirectKeySignature(
                new org.bouncycastle.openpgp.api.SignatureParameters.Callback() {
                    @Override
                    public org.bouncycastle.openpgp.api.SignatureParameters apply(
                            org.bouncycastle.openpgp.api.SignatureParameters params) {
                        return params.setHashedSubpacketsFunction(subpackets -> {
                            subpackets.setKeyExpirationTime(true, Duration.ofDays(1).toSeconds());
                            return subpackets;
                        });
                    }
                }).done();
        Files.writeString(keyDir.resolve("dave.asc"), expiring.toCertificate().toAsciiArmoredString());
        RevCommit c = commit("by dave\n", payload -> sign(dave, payload));

        Clock today = Clock.systemUTC();
        Clock inThreeDays = Clock.offset(today, Duration.ofDays(3));

        assertThat(new OpenPgpCommitVerifier(keyDir, today).verify(c).accepted()).isTrue();
        Verdict later = new OpenPgpCommitVerifier(keyDir, inThreeDays).verify(c);
        assertThat(later.accepted()).isFalse();
        assertThat(later.reason()).startsWith("commit " + c.name() + ": signer subkey "
                + keyId(dave, true) + " of key " + keyId(dave, false) + " expired on ");
    }

    @Test
    void rawBodyDroppedByTheWalkIsRejectedNotThrown() throws IOException {
        RevCommit signed = commit("body\n", payload -> sign(alice, payload));
        RevCommit bodiless;
        try (RevWalk walk = new RevWalk(repo)) {
            walk.setRetainBody(false);
            bodiless = walk.parseCommit(signed);
        }

        Verdict v = verifier().verify(bodiless);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("no raw body");
    }

    @Test
    void verdictsAreTheSameFromManyThreads() throws Exception {
        OpenPgpCommitVerifier verifier = verifier();
        Map<RevCommit, Boolean> expected = Map.of(
                commit("good a\n", payload -> sign(alice, payload)), true,
                commit("good b\n", payload -> sign(bob, payload)), true,
                commit("bad\n", payload -> sign(mallory, payload)), false,
                commit("none\n", null), false);
        List<Future<Boolean>> results = new ArrayList<>();
        List<Boolean> wanted = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 50; i++) {
                for (var e : expected.entrySet()) {
                    results.add(pool.submit(() -> verifier.verify(e.getKey()).accepted()));
                    wanted.add(e.getValue());
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isEqualTo(wanted.get(i));
            }
        }
    }

    // ---- the key directory ----------------------------------------------------------------------

    @Test
    void describesEveryLoadedKeyWithItsFile() throws IOException {
        assertThat(verifier().describeKeys()).containsExactlyInAnyOrder(
                alice.getPrettyFingerprint().replace(" ", "") + " \"" + ALICE_UID + "\" (alice.asc)",
                bob.getPrettyFingerprint().replace(" ", "") + " \"" + BOB_UID + "\" (bob.gpg)");
    }

    @Test
    void severalKeysInOneFileInOneOrSeveralArmorBlocksAreAllLoaded(@TempDir Path dir)
            throws Exception {
        ByteArrayOutputStream oneBlock = new ByteArrayOutputStream();
        try (ArmoredOutputStream out = ArmoredOutputStream.builder().build(oneBlock)) {
            out.write(alice.toCertificate().getEncoded());
            out.write(bob.toCertificate().getEncoded());
        }
        Files.write(dir.resolve("team.asc"), oneBlock.toByteArray());
        Files.writeString(dir.resolve("more.pgp"), mallory.toCertificate().toAsciiArmoredString()
                + alice.toCertificate().toAsciiArmoredString());
        Files.writeString(dir.resolve("README.md"), "not a key");
        Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.123"));

        OpenPgpCommitVerifier verifier = new OpenPgpCommitVerifier(dir);

        assertThat(verifier.describeKeys()).hasSize(4);
        assertThat(verifier.verify(commit("m\n", payload -> sign(mallory, payload))).accepted())
                .isTrue();
        assertThat(verifier.verify(commit("b\n", payload -> sign(bob, payload))).accepted())
                .isTrue();
    }

    @Test
    void corruptArmoredKeyFileIsAnErrorNamingTheFile() throws IOException {
        Files.writeString(keyDir.resolve("broken.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
                + "!!!! not base64 at all !!!!\n-----END PGP PUBLIC KEY BLOCK-----\n");

        assertThatThrownBy(this::verifier).isInstanceOf(IOException.class)
                .hasMessageStartingWith("OpenPGP key file " + keyDir.resolve("broken.asc"));
    }

    @Test
    void nonOpenPgpBinaryKeyFileIsAnErrorNamingTheFile() throws IOException {
        Files.writeString(keyDir.resolve("notes.gpg"), "hello, I am a text file\n");

        assertThatThrownBy(this::verifier).isInstanceOf(IOException.class)
                .hasMessage("OpenPGP key file " + keyDir.resolve("notes.gpg")
                        + " is neither ASCII-armored nor binary OpenPGP data");
    }

    @Test
    void truncatedBinaryKeyFileIsAnErrorNamingTheFile() throws IOException {
        byte[] full = bob.toCertificate().getEncoded();
        Files.write(keyDir.resolve("cut.pgp"), java.util.Arrays.copyOf(full, full.length / 3));

        assertThatThrownBy(this::verifier).isInstanceOf(IOException.class)
                .hasMessageContaining("cut.pgp");
    }

    @Test
    void secretKeyInTheKeyDirectoryIsRefused() throws IOException {
        Files.writeString(keyDir.resolve("oops.asc"), alice.toAsciiArmoredString());

        assertThatThrownBy(this::verifier).isInstanceOf(IOException.class)
                .hasMessageContaining("oops.asc")
                .hasMessageContaining("holds a secret key");
    }

    @Test
    void emptyKeyDirectoryIsAnErrorSayingEverythingWouldBeRefused(@TempDir Path empty)
            throws IOException {
        Files.writeString(empty.resolve("README"), "keys go here");

        assertThatThrownBy(() -> new OpenPgpCommitVerifier(empty)).isInstanceOf(IOException.class)
                .hasMessage("no OpenPGP public keys (*.asc, *.gpg, *.pgp) in " + empty
                        + " (skipped README): signed-commit mode with no keys would refuse every"
                        + " commit");
    }

    @Test
    void missingKeyDirectoryIsAnError(@TempDir Path parent) {
        Path missing = parent.resolve("nope");

        assertThatThrownBy(() -> new OpenPgpCommitVerifier(missing)).isInstanceOf(IOException.class)
                .hasMessage("OpenPGP key directory " + missing
                        + " does not exist or is not a directory");
    }

    // ---- interoperability with commits developers make ----------------------------------------

    @Test
    void commitSignedByGitWithTheGpgCliIsAccepted(@TempDir Path tmp) throws Exception {
        GpgCli.assumeGpgAndGit();
        GpgCli gpg = new GpgCli(tmp);
        try {
            String fingerprint = gpg.generateKey("Dev Eloper <dev@example.org>");
            Path keys = Files.createDirectory(tmp.resolve("keys"));
            Files.writeString(keys.resolve("dev.asc"), gpg.exportArmored(fingerprint));
            Path work = gpg.signedCommit(fingerprint, "policies: signed by git commit -S\n");

            try (Repository fileRepo = new FileRepositoryBuilder().setWorkTree(work.toFile())
                    .setGitDir(work.resolve(".git").toFile()).build()) {
                RevCommit head = parse(fileRepo, fileRepo.resolve(Constants.HEAD));
                assertThat(head.getRawGpgSignature()).isNotNull();

                Verdict good = new OpenPgpCommitVerifier(keys).verify(head);
                Verdict stranger = verifier().verify(head);

                assertThat(good.accepted()).as(good.reason()).isTrue();
                assertThat(good.reason()).isEqualTo("commit " + head.name()
                        + " has a good OpenPGP signature by key " + fingerprint.substring(24)
                        + " \"Dev Eloper <dev@example.org>\"");
                assertThat(stranger.accepted()).isFalse();
                assertThat(stranger.reason()).contains("unknown signer key "
                        + fingerprint.substring(24));
            }
        } finally {
            gpg.close();
        }
    }

    /** gpg and git in a throwaway GNUPGHOME / HOME, no user or system configuration. */
    static final class GpgCli {
        final Path home;
        final Path gnupg;

        GpgCli(Path tmp) throws IOException {
            home = Files.createDirectory(tmp.resolve("home"));
            gnupg = Files.createDirectory(tmp.resolve("gnupg"));
            gnupg.toFile().setReadable(false, false);
            gnupg.toFile().setReadable(true, true);
            gnupg.toFile().setExecutable(false, false);
            gnupg.toFile().setExecutable(true, true);
        }

        static void assumeGpgAndGit() {
            org.junit.jupiter.api.Assumptions.assumeTrue(onPath("gpg"), "gpg is not installed");
            org.junit.jupiter.api.Assumptions.assumeTrue(onPath("git"), "git is not installed");
        }

        static boolean onPath(String tool) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                    return true;
                }
            }
            return false;
        }

        String run(Path dir, String... command) throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(false);
            Map<String, String> env = pb.environment();
            env.put("GNUPGHOME", gnupg.toString());
            env.put("HOME", home.toString());
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", home.resolve("no-gitconfig").toString());
            env.put("LC_ALL", "C");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = p.getErrorStream().readAllBytes();
            byte[] out = p.getInputStream().readAllBytes();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + rc + ": "
                        + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        }

        /** @return the new key's 40-hex fingerprint */
        String generateKey(String uid) throws IOException, InterruptedException {
            run(home, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--quick-gen-key", uid, "ed25519", "sign", "never");
            for (String line : run(home, "gpg", "--batch", "--with-colons", "--fingerprint", uid)
                    .split("\n")) {
                if (line.startsWith("fpr:")) {
                    return line.split(":")[9];
                }
            }
            throw new AssertionError("no fingerprint for " + uid);
        }

        String exportArmored(String fingerprint) throws IOException, InterruptedException {
            return run(home, "gpg", "--batch", "--armor", "--export", fingerprint);
        }

        /** A new repository with one commit made by {@code git commit -S}; its work tree. */
        Path signedCommit(String fingerprint, String message)
                throws IOException, InterruptedException {
            Path work = Files.createDirectory(home.resolve("repo"));
            run(work, "git", "init", "-q");
            Files.writeString(work.resolve("tiers.yaml"), "apiVersion: temper.codes/v1\n");
            run(work, "git", "add", "tiers.yaml");
            run(work, "git", "-c", "user.name=Dev Eloper", "-c", "user.email=dev@example.org",
                    "-c", "gpg.program=gpg", "-c", "gpg.format=openpgp",
                    "-c", "user.signingkey=" + fingerprint, "commit", "-q", "-S", "-m", message);
            return work;
        }

        void close() {
            try {
                run(home, "gpgconf", "--kill", "all");
            } catch (Exception | AssertionError ignored) {
                // best effort: the agent exits by itself once GNUPGHOME is gone
            }
        }
    }
}
