package codes.temper.source;

import static codes.temper.source.OpenPgpFixtures.ALICE;
import static codes.temper.source.OpenPgpFixtures.ALICE_UID;
import static codes.temper.source.OpenPgpFixtures.BOB;
import static codes.temper.source.OpenPgpFixtures.BOB_UID;
import static codes.temper.source.OpenPgpFixtures.MALLORY;
import static codes.temper.source.OpenPgpFixtures.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The key directory of signed-commit mode, read through the verifier that uses it. */
class TrustedKeysTest {

    @TempDir
    Path keyDir;

    @Test
    void describesEveryLoadedKeyWithItsFile() throws IOException {
        assertThat(new OpenPgpCommitVerifier(OpenPgpFixtures.keyDirectory(keyDir)).describeKeys()).containsExactlyInAnyOrder(
                ALICE.getPrettyFingerprint().replace(" ", "") + " \"" + ALICE_UID + "\" (alice.asc)",
                BOB.getPrettyFingerprint().replace(" ", "") + " \"" + BOB_UID + "\" (bob.gpg)");
    }

    @Test
    void severalKeysInOneFileInOneOrSeveralArmorBlocksAreAllLoaded() throws Exception {
        ByteArrayOutputStream oneBlock = new ByteArrayOutputStream();
        try (ArmoredOutputStream out = ArmoredOutputStream.builder().build(oneBlock)) {
            out.write(ALICE.toCertificate().getEncoded());
            out.write(BOB.toCertificate().getEncoded());
        }
        Files.write(keyDir.resolve("team.asc"), oneBlock.toByteArray());
        Files.writeString(keyDir.resolve("more.pgp"), MALLORY.toCertificate().toAsciiArmoredString()
                + ALICE.toCertificate().toAsciiArmoredString());
        Files.writeString(keyDir.resolve("README.md"), "not a key");
        Files.createDirectory(keyDir.resolve("..2026_01_01_00_00_00.123"));

        OpenPgpCommitVerifier verifier = new OpenPgpCommitVerifier(keyDir);

        Repository repo = OpenPgpFixtures.repository();
        assertThat(verifier.describeKeys()).hasSize(4);
        assertThat(verifier.verify(OpenPgpFixtures.commit(repo, "m\n", p -> sign(MALLORY, p))).accepted()).isTrue();
        assertThat(verifier.verify(OpenPgpFixtures.commit(repo, "b\n", p -> sign(BOB, p))).accepted()).isTrue();
    }

    interface KeyFile {
        void write(Path file) throws IOException;
    }

    /** A bad file beside the good keys: the whole key set is refused, naming the file. */
    static Stream<Arguments> badKeyFiles() {
        return Stream.of(
                Arguments.of("broken.asc", (KeyFile) f -> Files.writeString(f, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
                        + "!!!! not base64 at all !!!!\n-----END PGP PUBLIC KEY BLOCK-----\n"), " is not a set of public keys: "),
                Arguments.of("notes.gpg", (KeyFile) f -> Files.writeString(f, "hello, I am a text file\n"),
                        " is neither ASCII-armored nor binary OpenPGP data"),
                Arguments.of("cut.pgp", (KeyFile) f -> {
                    byte[] full = BOB.toCertificate().getEncoded();
                    Files.write(f, Arrays.copyOf(full, full.length / 3));
                }, ""),
                Arguments.of("oops.asc", (KeyFile) f -> Files.writeString(f, ALICE.toAsciiArmoredString()),
                        " holds a secret key; the key directory must hold public keys only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeyFiles")
    void aFileThatIsNotPublicKeysIsAnErrorNamingIt(String name, KeyFile content, String why) throws IOException {
        OpenPgpFixtures.keyDirectory(keyDir);
        content.write(keyDir.resolve(name));

        assertThatThrownBy(() -> new OpenPgpCommitVerifier(keyDir)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("OpenPGP key file " + keyDir.resolve(name) + why);
    }

    @Test
    void emptyKeyDirectoryIsAnErrorSayingEverythingWouldBeRefused() throws IOException {
        Files.writeString(keyDir.resolve("README"), "keys go here");

        assertThatThrownBy(() -> new OpenPgpCommitVerifier(keyDir)).isInstanceOf(IOException.class)
                .hasMessage("no OpenPGP public keys (*.asc, *.gpg, *.pgp) in " + keyDir
                        + " (skipped README): signed-commit mode with no keys would refuse every commit");
    }

    @Test
    void missingKeyDirectoryIsAnError() {
        Path missing = keyDir.resolve("nope");

        assertThatThrownBy(() -> new OpenPgpCommitVerifier(missing)).isInstanceOf(IOException.class)
                .hasMessage("OpenPGP key directory " + missing + " does not exist or is not a directory");
    }
}
