package codes.temper.source;

import static codes.temper.source.OpenPgpFixtures.ALICE;
import static codes.temper.source.OpenPgpFixtures.ALICE_UID;
import static codes.temper.source.OpenPgpFixtures.API;
import static codes.temper.source.OpenPgpFixtures.BOB;
import static codes.temper.source.OpenPgpFixtures.BOB_UID;
import static codes.temper.source.OpenPgpFixtures.MALLORY;
import static codes.temper.source.OpenPgpFixtures.keyId;
import static codes.temper.source.OpenPgpFixtures.sign;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.source.CommitVerifier.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.SignatureParameters;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signed-commit mode against real JGit commits whose signatures BouncyCastle (and, when
 * installed, the gpg CLI through git) makes over the exact commit payload.
 */
class OpenPgpCommitVerifierTest {

    @TempDir
    Path keyDir;

    final Repository repo = OpenPgpFixtures.repository();

    RevCommit commit(String message, Function<byte[], String> signature) throws IOException {
        return OpenPgpFixtures.commit(repo, message, signature);
    }

    OpenPgpCommitVerifier verifier() throws IOException {
        return new OpenPgpCommitVerifier(OpenPgpFixtures.keyDirectory(keyDir));
    }

    // ---- good signatures ----------------------------------------------------------------------

    static Stream<Arguments> goodSigners() {
        return Stream.of(
                Arguments.of("Ed25519 signing subkey, armored key file", ALICE,
                        "subkey " + keyId(ALICE, true) + " of key " + keyId(ALICE, false) + " \"" + ALICE_UID + "\""),
                Arguments.of("RSA primary key, binary key file", BOB, "key " + keyId(BOB, false) + " \"" + BOB_UID + "\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodSigners")
    void aGoodSignatureIsAcceptedNamingKeyAndUser(String what, OpenPGPKey key, String signer) throws IOException {
        RevCommit c = commit("tiers: add batch\n", payload -> sign(key, payload));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).as(v.reason()).isTrue();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " has a good OpenPGP signature by " + signer);
    }

    // ---- refusals -----------------------------------------------------------------------------

    /** What each signature header makes of the commit: the reason after "commit <id>". */
    static Stream<Arguments> refusedWithTheirReason() {
        String onlyPgp = "; only OpenPGP signatures are accepted";
        return Stream.of(
                Arguments.of("unsigned", null, " is not signed"),
                Arguments.of("a key outside the key set", (Function<byte[], String>) p -> sign(MALLORY, p),
                        " is signed by unknown signer key " + keyId(MALLORY, true) + "; it is not in the configured key set"),
                Arguments.of("an SSH signature", (Function<byte[], String>) p -> OpenPgpFixtures.sshSignature(),
                        " carries an SSH signature" + onlyPgp),
                Arguments.of("an X.509 signature", (Function<byte[], String>) p -> "-----BEGIN SIGNED MESSAGE-----\n"
                        + "MIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB\n"
                        + "AACggDCCAzswggIjoAMCAQICFHx0sJ2kQw1oV3c0b3RhbGx5ZmFrZTANBgkqhkiG\n"
                        + "-----END SIGNED MESSAGE-----\n", " carries an X.509 (CMS) signature" + onlyPgp),
                Arguments.of("garbage", (Function<byte[], String>) p -> "this is not a signature\n",
                        " carries a signature of unknown type" + onlyPgp),
                Arguments.of("a signature of another commit", (Function<byte[], String>) p -> signatureOf("commit A\n"),
                        ": the signature by subkey " + keyId(ALICE, true) + " of key " + keyId(ALICE, false)
                                + " does not match the commit content (altered after signing, or a signature of another commit)"));
    }

    static String signatureOf(String message) {
        try {
            return sign(ALICE, OpenPgpFixtures.builder(OpenPgpFixtures.repository(), message).build());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedWithTheirReason")
    void refusedWithItsReason(String what, Function<byte[], String> signature, String reason) throws IOException {
        RevCommit c = commit("commit B\n", signature);

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + reason);
    }

    /** Signatures refused by their shape; the reason starts as given after "commit <id>". */
    static Stream<Arguments> refusedByShape() {
        return Stream.of(
                // A correct signature by a trusted key: only the armor says SSH or X.509. The type
                // decides, and an SSH-typed signature never reaches the OpenPGP parser.
                Arguments.of("OpenPGP packets under an SSH armor", (Function<byte[], String>) p -> sign(ALICE, p)
                        .replace("BEGIN PGP SIGNATURE", "BEGIN SSH SIGNATURE").replace("END PGP SIGNATURE", "END SSH SIGNATURE"),
                        " carries an SSH signature"),
                Arguments.of("OpenPGP packets under an X.509 armor", (Function<byte[], String>) p -> sign(BOB, p)
                        .replace("BEGIN PGP SIGNATURE", "BEGIN SIGNED MESSAGE").replace("END PGP SIGNATURE", "END SIGNED MESSAGE"),
                        " carries an X.509 (CMS) signature"),
                Arguments.of("garbage inside an OpenPGP armor", (Function<byte[], String>) p -> "-----BEGIN PGP SIGNATURE-----\n\n"
                        + "bm90IGFuIE9wZW5QR1AgcGFja2V0IGF0IGFsbA==\n-----END PGP SIGNATURE-----\n",
                        " has a malformed OpenPGP signature: "),
                Arguments.of("a truncated OpenPGP signature", (Function<byte[], String>) p -> {
                    String sig = sign(ALICE, p);
                    // Keep the armor lines, cut the base64 body after 20 characters, drop the checksum.
                    int body = sig.indexOf("\n\n") + 2;
                    return sig.substring(0, body + 20) + "\n-----END PGP SIGNATURE-----\n";
                }, " has a malformed OpenPGP signature: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByShape")
    void refusedByItsShape(String what, Function<byte[], String> signature, String reasonStart) throws IOException {
        RevCommit c = commit("shape\n", signature);

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).startsWith("commit " + c.name() + reasonStart);
    }

    @Test
    void payloadAlteredAfterSigningIsRejected() throws IOException {
        CommitBuilder cb = OpenPgpFixtures.builder(repo, "ceiling 25%\n");
        String sig = sign(ALICE, cb.build());
        cb.setMessage("ceiling 100%\n");
        cb.setGpgSignature(new GpgSignature(sig.getBytes(StandardCharsets.US_ASCII)));
        RevCommit c = OpenPgpFixtures.insert(repo, cb);

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("does not match the commit content");
    }

    @Test
    void twoSignatureHeadersAreRejected() throws IOException {
        CommitBuilder cb = OpenPgpFixtures.builder(repo, "twice\n");
        cb.setGpgSignature(new GpgSignature(sign(ALICE, cb.build()).getBytes(StandardCharsets.US_ASCII)));
        String once = new String(cb.build(), StandardCharsets.UTF_8);
        int at = once.indexOf("gpgsig ");
        int end = once.indexOf("\n\n");
        String header = once.substring(at, end + 1);
        RevCommit c = OpenPgpFixtures.insertRaw(repo, (once.substring(0, end + 1) + header + once.substring(end + 1))
                .getBytes(StandardCharsets.UTF_8));

        Verdict v = verifier().verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + " carries 2 gpgsig headers; exactly one is accepted");
    }

    @Test
    void revokedKeyIsRejected() throws Exception {
        OpenPGPKey carol = API.generateKey(4).ed25519x25519Key("Carol <carol@example.org>").build();
        OpenPGPKey revoked = API.editKey(carol).revokeKey().done();
        OpenPgpFixtures.keyDirectory(keyDir);
        Files.writeString(keyDir.resolve("carol.asc"), revoked.toCertificate().toAsciiArmoredString());
        RevCommit c = commit("by carol\n", payload -> sign(carol, payload));

        Verdict v = new OpenPgpCommitVerifier(keyDir).verify(c);

        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo("commit " + c.name() + ": signer subkey "
                + keyId(carol, true) + " of key " + keyId(carol, false) + " is revoked");
    }

    @Test
    void expiredKeyIsRejectedOnceItHasExpired() throws Exception {
        OpenPGPKey dave = API.generateKey(4).ed25519x25519Key("Dave <dave@example.org>").build();
        OpenPGPKey expiring = API.editKey(dave).addDirectKeySignature(new SignatureParameters.Callback() {
            @Override
            public SignatureParameters apply(SignatureParameters params) {
                return params.setHashedSubpacketsFunction(subpackets -> {
                    subpackets.setKeyExpirationTime(true, Duration.ofDays(1).toSeconds());
                    return subpackets;
                });
            }
        }).done();
        OpenPgpFixtures.keyDirectory(keyDir);
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
        RevCommit signed = commit("body\n", payload -> sign(ALICE, payload));
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
                commit("good a\n", payload -> sign(ALICE, payload)), true,
                commit("good b\n", payload -> sign(BOB, payload)), true,
                commit("bad\n", payload -> sign(MALLORY, payload)), false,
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
                RevCommit head = OpenPgpFixtures.parse(fileRepo, fileRepo.resolve(Constants.HEAD));
                assertThat(head.getRawGpgSignature()).isNotNull();

                Verdict good = new OpenPgpCommitVerifier(keys).verify(head);
                Verdict stranger = verifier().verify(head);

                assertThat(good.accepted()).as(good.reason()).isTrue();
                assertThat(good.reason()).isEqualTo("commit " + head.name()
                        + " has a good OpenPGP signature by key " + fingerprint.substring(24)
                        + " \"Dev Eloper <dev@example.org>\"");
                assertThat(stranger.accepted()).isFalse();
                assertThat(stranger.reason()).contains("unknown signer key " + fingerprint.substring(24));
            }
        } finally {
            gpg.close();
        }
    }
}
