package codes.temper.source;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyFile;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FileUtils;

/**
 * Brings one ref of a policy remote into a local bare cache repository and reads the policy files
 * of a commit from it. There is no working tree: files are read from Git objects, so no checkout
 * can be half-written.
 *
 * <p>Per poll, for a branch or tag: list the remote's refs (one HTTP GET with protocol v0, which
 * advertises every ref in its first response; v2 would need a second request), and if the
 * advertised id is the one the cache already holds, stop there: no object transfer. Otherwise
 * fetch just that ref, depth 1, with a forced refspec ({@code +}) so a force-pushed ref whose new
 * tip is unrelated to the old one is accepted like any other. A pinned commit never moves: when
 * the cache holds it, there is no network at all; otherwise branches and tags are fetched in full
 * (a server need not serve an unadvertised commit) into a separate, non-shallow cache.
 *
 * <p>Every network operation carries {@link #timeout}. A failure after the remote answered is
 * taken as a damaged cache: the cache is deleted and fetched afresh once, then the error is
 * reported. Not thread-safe across instances sharing a cache directory; one poller per cache.
 */
public final class GitFetcher {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Each fetch adds a small pack; past this many, start the cache afresh instead of repacking. */
    static final int MAX_PACKS = 64;

    private final PolicyLocation location;
    private final Path cacheDir;
    private final GitCredentials credentials;
    private final int timeoutSeconds;

    /**
     * A commit now present in the cache.
     *
     * @param revision    {@code <ref>@sha1:<40 hex>}
     * @param commit      parsed with its raw body, for signature checks
     * @param transferred whether objects were fetched (false: the cheap path)
     * @param recloned    whether the cache had to be started afresh
     */
    public record Fetched(String revision, ObjectId commitId, RevCommit commit, boolean transferred, boolean recloned) {
    }

    public GitFetcher(PolicyLocation location, Path cacheRoot, GitCredentials credentials, Duration timeout) {
        this.location = location;
        // Pinned commits need full history, branches want depth 1: they never share a cache.
        Path dir = location.cacheDir(cacheRoot);
        this.cacheDir = location.pinned() ? dir.resolveSibling(dir.getFileName() + "-full") : dir;
        this.credentials = credentials == null ? GitCredentials.NONE : credentials;
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    }

    public PolicyLocation location() {
        return location;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Makes the location's current commit present in the cache; see the class comment. */
    public synchronized Fetched fetch() throws GitSourceException {
        Ref advertised = location.pinned() ? null : lsRemote();
        try {
            return sync(advertised);
        } catch (GitSourceException e) {
            throw e;
        } catch (Exception first) {
            if (advertised == null && isTransport(first)) {
                throw new GitSourceException("cannot fetch from " + location.url(), first);
            }
            // The remote answered a moment ago, so suspect the cache: start it afresh, once.
            try {
                wipe();
                Fetched f = sync(advertised);
                return new Fetched(f.revision(), f.commitId(), f.commit(), true, true);
            } catch (GitSourceException e) {
                throw e;
            } catch (Exception second) {
                throw new GitSourceException("fetch failed, also into a fresh cache " + cacheDir
                        + " (first failure: " + GitSourceException.describe(first) + ")", second);
            }
        }
    }

    /**
     * The top-level {@code *.yaml}/{@code *.yml} blobs of the location's path at {@code commitId},
     * named {@code <path>/<file>} relative to the repository root, in name order. Refuses what
     * {@link PolicyDirectory} refuses (too many files, too large a file) with the same problems.
     */
    public synchronized List<PolicyFile> files(ObjectId commitId) throws GitSourceException, InvalidInputException {
        try {
            return readFiles(commitId);
        } catch (InvalidInputException e) {
            throw e;
        } catch (Exception damaged) {
            // Objects missing or unreadable: the cache is damaged. Start it afresh once.
            try {
                wipe();
            } catch (IOException e) {
                throw new GitSourceException("cannot delete the damaged cache " + cacheDir, e);
            }
            Fetched f = fetch();
            if (!f.commitId().equals(commitId)) {
                throw new GitSourceException("the ref moved to " + f.commitId().name() + " while the files of "
                        + commitId.name() + " were read; the next poll takes it up");
            }
            try {
                return readFiles(commitId);
            } catch (IOException | RuntimeException e) {
                throw new GitSourceException("cannot read the policy files of commit " + commitId.name(), e);
            }
        }
    }

    private Ref lsRemote() throws GitSourceException {
        // A throw-away in-memory repository carries the transport settings (protocol v0), so
        // listing refs does not depend on the on-disk cache being intact.
        try (InMemoryRepository mem = new InMemoryRepository.Builder()
                .setRepositoryDescription(new DfsRepositoryDescription("temper-ls-remote")).setFS(FS.DETECTED).build()) {
            mem.getConfig().setInt("protocol", null, "version", 0);
            try (Transport t = Transport.open(mem, location.uri())) {
                t.setTimeout(timeoutSeconds);
                credentials.configure(t);
                try (FetchConnection c = t.openFetch()) {
                    return resolve(c.getRefsMap());
                }
            }
        } catch (GitSourceException e) {
            throw e;
        } catch (Exception e) {
            throw new GitSourceException("cannot list the refs of " + location.url(), e);
        }
    }

    private Ref resolve(Map<String, Ref> refs) throws GitSourceException {
        String r = location.ref();
        Ref found;
        if (r.startsWith("refs/") || r.equals("HEAD")) {
            found = refs.get(r);
        } else {
            Ref head = refs.get(Constants.R_HEADS + r), tag = refs.get(Constants.R_TAGS + r);
            if (head != null && tag != null) {
                throw new GitSourceException("\"" + r + "\" is both a branch and a tag at " + location.url()
                        + "; write refs/heads/" + r + " or refs/tags/" + r);
            }
            found = head != null ? head : tag;
        }
        if (found == null || found.getObjectId() == null) {
            throw new GitSourceException("ref \"" + r + "\" not found at " + location.url() + " (deleted, or never pushed)");
        }
        return found;
    }

    private Fetched sync(Ref advertised) throws Exception {
        try (Repository repo = openOrInit()) {
            boolean transferred = false;
            ObjectId tip;
            if (advertised == null) {
                tip = ObjectId.fromString(location.ref());
                if (!repo.getObjectDatabase().has(tip)) {
                    fetch(repo, List.of(new RefSpec("+refs/heads/*:refs/temper/heads/*"), new RefSpec("+refs/tags/*:refs/temper/tags/*")), 0);
                    transferred = true;
                    if (!repo.getObjectDatabase().has(tip)) {
                        throw new GitSourceException("commit " + tip.name() + " is not on any branch or tag of " + location.url());
                    }
                }
            } else {
                String local = localName(advertised.getName());
                Ref cur = repo.exactRef(local);
                ObjectId want = advertised.getObjectId();
                if (cur == null || !want.equals(cur.getObjectId()) || !repo.getObjectDatabase().has(want)) {
                    fetch(repo, List.of(new RefSpec("+" + advertised.getName() + ":" + local)), 1);
                    transferred = true;
                    cur = repo.exactRef(local);
                    if (cur == null) throw new GitSourceException("ref \"" + location.ref() + "\" vanished from " + location.url() + " during the fetch");
                }
                tip = cur.getObjectId();
            }
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit c = walk.parseCommit(tip); // peels an annotated tag to its commit
                walk.parseBody(c);
                return new Fetched(location.ref() + "@sha1:" + c.name(), c.copy(), c, transferred, false);
            }
        }
    }

    private void fetch(Repository repo, List<RefSpec> specs, int depth) throws Exception {
        FetchCommand cmd = Git.wrap(repo).fetch()
                .setRemote(location.url())
                .setRefSpecs(specs)
                .setTagOpt(TagOpt.NO_TAGS)
                .setRemoveDeletedRefs(false)
                .setTimeout(timeoutSeconds)
                .setTransportConfigCallback(credentials::configure);
        if (depth > 0) cmd.setDepth(depth);
        FetchResult result = cmd.call();
        for (TrackingRefUpdate u : result.getTrackingRefUpdates()) {
            switch (u.getResult()) {
                case NEW, FORCED, FAST_FORWARD, NO_CHANGE, RENAMED -> { }
                default -> throw new IOException("could not update " + u.getLocalName() + " in the cache: " + u.getResult());
            }
        }
    }

    /** Fetched refs live under refs/temper/, apart from the bare repository's own HEAD. */
    private static String localName(String remote) {
        return "refs/temper/" + (remote.startsWith("refs/") ? remote.substring(5) : remote);
    }

    private Repository openOrInit() throws IOException {
        if (Files.isDirectory(cacheDir.resolve("objects")) && Files.exists(cacheDir.resolve("HEAD"))) {
            if (packCount() <= MAX_PACKS) {
                return new FileRepositoryBuilder().setGitDir(cacheDir.toFile()).setBare().setMustExist(true).build();
            }
        }
        wipe();
        Files.createDirectories(cacheDir.getParent());
        try {
            Repository repo = Git.init().setBare(true).setGitDir(cacheDir.toFile()).setInitialBranch("main").call().getRepository();
            StoredConfig cfg = repo.getConfig();
            cfg.setInt("protocol", null, "version", 0); // one request fewer than v2 for a small repo
            cfg.setInt("gc", null, "auto", 0); // never gc behind our back; MAX_PACKS bounds growth
            cfg.setBoolean("gc", null, "autoDetach", false); // and no background thread racing a wipe
            cfg.save();
            return repo;
        } catch (Exception e) {
            throw new IOException("cannot create the cache repository " + cacheDir + ": " + GitSourceException.describe(e), e);
        }
    }

    private long packCount() throws IOException {
        Path pack = cacheDir.resolve("objects").resolve("pack");
        if (!Files.isDirectory(pack)) return 0;
        try (Stream<Path> s = Files.list(pack)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".pack")).count();
        }
    }

    private void wipe() throws IOException {
        if (Files.exists(cacheDir)) FileUtils.delete(cacheDir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
    }

    private static boolean isTransport(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.eclipse.jgit.errors.TransportException || c instanceof org.eclipse.jgit.api.errors.TransportException) return true;
        }
        return false;
    }

    private List<PolicyFile> readFiles(ObjectId commitId) throws IOException, InvalidInputException {
        String path = location.path();
        try (Repository repo = new FileRepositoryBuilder().setGitDir(cacheDir.toFile()).setBare().setMustExist(true).build();
             RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(commitId);
            ObjectId tree = c.getTree();
            String root = path.isEmpty() ? "(repository root)" : path;
            if (!path.isEmpty()) {
                try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
                    if (tw == null || tw.getFileMode(0) != FileMode.TREE) {
                        throw new InvalidInputException(List.of(new Problem(path, 1, 1, "", "no such directory at commit " + c.name())));
                    }
                    tree = tw.getObjectId(0);
                }
            }
            List<String> names = new ArrayList<>();
            List<ObjectId> blobs = new ArrayList<>();
            try (TreeWalk tw = new TreeWalk(repo)) {
                tw.addTree(tree);
                tw.setRecursive(false);
                while (tw.next()) {
                    FileMode mode = tw.getFileMode(0);
                    // Symlinks and submodules are not policy; a directory's files are not read (as in a directory).
                    if (!PolicyDirectory.isYaml(tw.getNameString())) continue;
                    if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) continue;
                    names.add(path.isEmpty() ? tw.getNameString() : path + "/" + tw.getNameString());
                    blobs.add(tw.getObjectId(0));
                }
            }
            if (names.size() > PolicyDirectory.MAX_FILES) {
                throw new InvalidInputException(List.of(new Problem(root, 1, 1, "", names.size() + " policy files; at most " + PolicyDirectory.MAX_FILES)));
            }
            List<PolicyFile> files = new ArrayList<>();
            List<Problem> problems = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                ObjectLoader l = repo.open(blobs.get(i), Constants.OBJ_BLOB);
                if (l.getSize() > Limits.POLICY.maxBytes()) {
                    problems.add(new Problem(names.get(i), 1, 1, "", "file is " + l.getSize() + " bytes; the limit is " + Limits.POLICY.maxBytes()));
                    continue;
                }
                files.add(new PolicyFile(names.get(i), l.getBytes()));
            }
            if (!problems.isEmpty()) throw new InvalidInputException(problems);
            return files;
        }
    }
}
