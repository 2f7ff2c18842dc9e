package codes.temper.source;

import static codes.temper.source.OpenPgpFixtures.ALICE;
import static codes.temper.source.OpenPgpFixtures.sign;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

/** The signed payload as git computes it, and the signature as JGit hands it over. */
class SignedCommitTest {

    @Test
    void signedPayloadIsTheCommitWithoutItsSignatureHeaderExactlyAsJGitBuiltIt() throws IOException {
        Repository repo = OpenPgpFixtures.repository();
        CommitBuilder cb = OpenPgpFixtures.builder(repo, "multi\n\nline message\n gpgsig lookalike in the body\n");
        byte[] unsigned = cb.build();
        String signature = sign(ALICE, unsigned);
        cb.setGpgSignature(new GpgSignature(signature.getBytes(StandardCharsets.US_ASCII)));
        RevCommit c = OpenPgpFixtures.insert(repo, cb);

        var split = SignedCommit.split(c.getRawBuffer());

        assertThat(split.payload()).isEqualTo(unsigned);
        assertThat(split.signatureHeaders()).isEqualTo(1);
        assertThat(new String(c.getRawGpgSignature(), StandardCharsets.US_ASCII) + "\n").isEqualTo(signature);
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
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);

        var split = SignedCommit.split(bytes);

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
        assertThat(split.signatureHeaders()).isEqualTo(1);
        assertThat(split.otherSignatureHeaders()).isEqualTo(1);
        // The verifier takes the signature from JGit: the gpgsig value, not the gpgsig-sha256 one.
        assertThat(new String(RevCommit.parse(bytes).getRawGpgSignature(), StandardCharsets.UTF_8))
                .isEqualTo("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----");
    }
}
