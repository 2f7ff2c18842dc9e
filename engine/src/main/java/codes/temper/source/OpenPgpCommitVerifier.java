package codes.temper.source;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPImplementation;
import org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Signed-commit mode: accepts a commit only when it has exactly one {@code gpgsig} header, whose
 * OpenPGP signature, made by a key of the configured key set ({@link TrustedKeys}), verifies over
 * the commit exactly as git signs it ({@link SignedCommit}) and passes
 * {@link OpenPgpSignatureVerifier}'s checks. The signature bytes come from JGit
 * ({@link RevCommit#getRawGpgSignature()}).
 *
 * <p>Thread-safe: the key set is read once at construction; {@link #verify} does no I/O and never
 * throws for bad input. Reasons name the commit and key ids, never signature bytes.
 */
public final class OpenPgpCommitVerifier implements CommitVerifier {

    private final OpenPgpSignatureVerifier signatures;

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
        var implementation = new BcOpenPGPImplementation();
        TrustedKeys keys = TrustedKeys.load(Objects.requireNonNull(keyDirectory, "keyDirectory"), implementation);
        this.signatures = new OpenPgpSignatureVerifier(keys, implementation, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The loaded key set, one line per certificate: primary key fingerprint, primary user id and
     * source file. For the agent's start-up log and status page.
     */
    public List<String> describeKeys() {
        return signatures.describeKeys();
    }

    @Override
    public Verdict verify(RevCommit commit) {
        if (commit == null) {
            return new Verdict(false, "no commit given");
        }
        String id = commit.name();
        try {
            return check(commit, id);
        } catch (RuntimeException e) {
            // Defence in depth: a parser surprise must refuse the commit, not crash the poller.
            return new Verdict(false, "commit " + id + ": signature check failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Verdict check(RevCommit commit, String id) {
        byte[] raw = commit.getRawBuffer();
        if (raw == null) {
            return new Verdict(false, "commit " + id + " has no raw body to check (parsed without its body)");
        }
        SignedCommit signed = SignedCommit.split(raw);
        if (signed.signatureHeaders() == 0) {
            return new Verdict(false, signed.otherSignatureHeaders() > 0
                    ? "commit " + id + " is not signed for SHA-1 (only a gpgsig-sha256 header)"
                    : "commit " + id + " is not signed");
        }
        if (signed.signatureHeaders() > 1) {
            return new Verdict(false, "commit " + id + " carries " + signed.signatureHeaders()
                    + " gpgsig headers; exactly one is accepted");
        }
        SignatureVerification v = signatures.verify(signed.payload(), commit.getRawGpgSignature());
        return new Verdict(v.verified(), "commit " + id + v.message());
    }
}
