package codes.temper.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A served bare repository and a work repository that commits and pushes to it (over file://),
 * as an operator would. Real JGit all the way.
 */
public final class PolicyRepo implements AutoCloseable {
    public static final String TIERS = """
            apiVersion: temper.codes/v1
            kind: TierPolicy
            metadata: {name: default}
            spec:
              tiers:
              - name: critical
                match: [{priorityAtLeast: 1000000}]
                ceiling: {cpus: "%s"}
              - {name: normal, match: [{priorityAtLeast: 0}]}
            """;

    public final Path bare;
    private final Path workDir;
    private Git work;

    public PolicyRepo(Path root, String name) throws Exception {
        this.bare = root.resolve(name);
        Git.init().setBare(true).setGitDir(bare.toFile()).setInitialBranch("main").call().close();
        this.workDir = root.resolve(name + "-work");
        this.work = Git.init().setDirectory(workDir.toFile()).setInitialBranch("main").call();
    }

    public static String tiers(String criticalCeiling) {
        return TIERS.formatted(criticalCeiling);
    }

    /** Writes the files (path relative to the repo root -> content), commits all, pushes main. */
    public RevCommit commit(String message, Map<String, String> files) throws Exception {
        for (var e : files.entrySet()) {
            Path p = workDir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
        }
        work.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("Op", "op@example.com");
        RevCommit c = work.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        push("+refs/heads/main:refs/heads/main");
        return c;
    }

    /**
     * Replaces the last commit on main by the same commit carrying a gpgsig header made by
     * {@code signer} over the commit's bytes (as {@code git commit -S} does), and pushes it.
     */
    public RevCommit signLast(java.util.function.Function<byte[], String> signer) throws Exception {
        Repository r = work.getRepository();
        RevCommit last;
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            last = walk.parseCommit(r.resolve("refs/heads/main"));
        }
        org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
        cb.setTreeId(last.getTree());
        cb.setParentIds(last.getParents());
        cb.setAuthor(last.getAuthorIdent());
        cb.setCommitter(last.getCommitterIdent());
        cb.setMessage(last.getFullMessage());
        cb.setGpgSignature(new org.eclipse.jgit.lib.GpgSignature(signer.apply(cb.build()).getBytes(StandardCharsets.US_ASCII)));
        org.eclipse.jgit.lib.ObjectId id;
        try (org.eclipse.jgit.lib.ObjectInserter ins = r.newObjectInserter()) {
            id = ins.insert(cb);
            ins.flush();
        }
        RefUpdate u = r.updateRef("refs/heads/main");
        u.setNewObjectId(id);
        u.setForceUpdate(true);
        u.update();
        push("+refs/heads/main:refs/heads/main");
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            return walk.parseCommit(id);
        }
    }

    public void push(String refSpec) throws Exception {
        work.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec(refSpec)).setForce(true).call();
    }

    public void tag(String name) throws Exception {
        work.tag().setName(name).setAnnotated(true).setMessage("release " + name).setSigned(false)
                .setTagger(new PersonIdent("Op", "op@example.com")).call();
        push("+refs/tags/" + name + ":refs/tags/" + name);
    }

    /** Rewrites history: a fresh work repository with one unrelated root commit, force-pushed to main. */
    public RevCommit forcePushUnrelated(Map<String, String> files) throws Exception {
        work.close();
        org.eclipse.jgit.util.FileUtils.delete(workDir.toFile(), org.eclipse.jgit.util.FileUtils.RECURSIVE);
        work = Git.init().setDirectory(workDir.toFile()).setInitialBranch("main").call();
        return commit("rewritten history", files);
    }

    public void deleteRef(String ref) throws IOException {
        try (Repository r = Git.open(bare.toFile()).getRepository()) {
            RefUpdate u = r.updateRef(ref);
            u.setForceUpdate(true);
            RefUpdate.Result res = u.delete();
            if (res != RefUpdate.Result.FORCED) throw new IOException("delete " + ref + ": " + res);
        }
    }

    @Override
    public void close() {
        work.close();
    }
}
