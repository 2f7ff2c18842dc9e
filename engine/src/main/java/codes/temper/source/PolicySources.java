package codes.temper.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The one place that turns {@code --policies} and its Git options into a {@link PolicySource}. */
public final class PolicySources {

    /**
     * How to reach a Git remote when {@code --policies} names one; nulls are defaults.
     *
     * @param cacheRoot         bare caches (and the last-known-good file); null = {@link PolicyLocation#defaultCacheRoot()}
     * @param credentials       a credentials file or mounted Secret, or null for none
     * @param trustedKeys       signed-commit mode: OpenPGP public keys a commit must be signed by, or null
     * @param keepLastKnownGood persist the last good revision in the cache (the agent) or not ({@code temper plan})
     */
    public record GitOptions(Path cacheRoot, Path credentials, Duration timeout, Path trustedKeys, boolean keepLastKnownGood) {
    }

    private PolicySources() {
    }

    /**
     * {@code policies} is a local directory when one exists by that name or it does not look like
     * a Git location; else a Git location {@code <url>[#<ref>[:<path>]]} (scheme:// or user@host:).
     */
    public static boolean isDirectory(String policies) {
        return Files.isDirectory(Path.of(policies)) || !PolicyLocation.looksRemote(policies);
    }

    public static PolicySource open(String policies, GitOptions git, PolicySource.EvaluationCheck check, Clock clock)
            throws IOException, GitSourceException {
        if (isDirectory(policies)) {
            // Signed-commit mode cannot hold for files that have no commit: refuse rather than ignore it.
            if (git.trustedKeys() != null) throw new GitSourceException("--trusted-keys needs a Git remote; " + policies + " is a directory");
            return new DirectoryPolicySource(Path.of(policies), check, clock);
        }
        // Keys first: a bad key set is a configuration error even before the remote is asked.
        CommitVerifier verifier = git.trustedKeys() == null ? CommitVerifier.UNSIGNED_ALLOWED : new OpenPgpCommitVerifier(git.trustedKeys());
        PolicyLocation loc = PolicyLocation.parse(policies);
        GitCredentials creds = git.credentials() == null ? GitCredentials.NONE : GitCredentials.read(git.credentials());
        Path cache = git.cacheRoot() == null ? PolicyLocation.defaultCacheRoot() : git.cacheRoot();
        GitFetcher fetcher = new GitFetcher(loc, cache, creds, git.timeout());
        LastKnownGood lkg = git.keepLastKnownGood() ? new LastKnownGood(cache.resolve("last-known-good.json"), loc) : null;
        return new GitPolicySource(fetcher, lkg, verifier, check, clock);
    }
}
