package codes.temper.kube;

import codes.temper.concurrent.Daemons;
import codes.temper.reconcile.World;
import codes.temper.reconcile.WorldView;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node and its pods from snapshot files ({@code kubectl get node -o yaml}, {@code kubectl get
 * pods -A -o yaml}): the agent without a cluster, and what the kernel lab runs. The files are
 * re-read when their modification time, size or inode changes (an editor's or {@code mv}'s atomic
 * replace included); an unreadable or invalid file keeps the last good view and is reported.
 * Polled rather than watched with inotify: a poll every {@code interval} costs two stat calls,
 * and it also works on hostPath and network mounts where inotify events do not arrive.
 */
public final class FileWorld implements World, AutoCloseable {
    private static final Logger LOG = System.getLogger(FileWorld.class.getName());

    private record Stamp(Object key, long mtime, long size) {
        static Stamp of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new Stamp(a.fileKey(), a.lastModifiedTime().toMillis(), a.size());
            } catch (IOException e) {
                return null;
            }
        }
    }

    private final Path podsFile, nodeFile;
    private final CgroupDriver cgroupDriver;
    /** The node this agent serves: --node, else the first good node file's; a file for another is refused. */
    private volatile String expectedNode;
    private volatile Node node;
    private volatile List<Pod> pods = List.of();
    private volatile String problem;
    private volatile boolean synced;
    private Stamp podsStamp, nodeStamp;
    private ScheduledExecutorService watcher;

    public FileWorld(Path podsFile, Path nodeFile, CgroupDriver cgroupDriver) {
        this(podsFile, nodeFile, cgroupDriver, null);
    }

    /** @param expectedNode the agent's node ({@code --node}); null = the first good node file names it */
    public FileWorld(Path podsFile, Path nodeFile, CgroupDriver cgroupDriver, String expectedNode) {
        this.podsFile = podsFile;
        this.nodeFile = nodeFile;
        this.cgroupDriver = cgroupDriver;
        this.expectedNode = expectedNode;
    }

    /** Reads both files if they changed; true when the view or its problem changed. */
    public synchronized boolean refresh() {
        Stamp ps = Stamp.of(podsFile), ns = Stamp.of(nodeFile);
        if (synced && Objects.equals(ps, podsStamp) && Objects.equals(ns, nodeStamp)) return false;
        try {
            // Both files are parsed before either is bound: at the agent's start binding waits for
            // the deserializers being built on another thread (Snapshots.preload), and the pods'
            // YAML, the larger file, is parsed meanwhile rather than after. Problems are still
            // reported in the order the files are checked: the node file's first.
            Snapshots.Parsed nodeDocs = Snapshots.parse(nodeFile);
            Snapshots.Parsed podDocs = null;
            InvalidInputException podsUnreadable = null;
            try {
                podDocs = Snapshots.parse(podsFile);
            } catch (InvalidInputException e) {
                podsUnreadable = e;
            }
            Node n = Snapshots.readNode(nodeDocs);
            String name = n.getMetadata().getName();
            if (expectedNode != null && !expectedNode.equals(name)) {
                // Another node's file would have this node run that node's decision.
                throw new InvalidInputException(List.of(new Problem(nodeFile.toString(), 1, 1, "metadata.name",
                        "the node file is for node \"" + name + "\", not this agent's node \"" + expectedNode + "\"")));
            }
            if (podsUnreadable != null) throw podsUnreadable;
            List<Pod> p = Snapshots.readPods(podDocs);
            expectedNode = name;
            node = n;
            pods = List.copyOf(p);
            podsStamp = ps;
            nodeStamp = ns;
            problem = null;
            synced = true;
            return true;
        } catch (InvalidInputException e) {
            String msg = e.problems().getFirst().toString() + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : "");
            boolean news = !msg.equals(problem);
            if (news) LOG.log(Level.WARNING, "snapshot files rejected, keeping the last good view: {0}", msg);
            problem = msg;
            // Remember the stamps so a bad file is reported once, not re-read every poll.
            podsStamp = ps;
            nodeStamp = ns;
            return news; // the view is unchanged, but its status must say it may be stale
        }
    }

    /** Polls every {@code interval}, calling {@code onChange} after each change. */
    public synchronized void watch(Duration interval, Runnable onChange) {
        if (watcher != null) return;
        watcher = Daemons.scheduler("temper-files");
        watcher.scheduleWithFixedDelay(() -> {
            if (refresh()) onChange.run();
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public WorldView view() {
        return WorldViews.of(synced, node(), pods, cgroupDriver, problem());
    }

    /** The node as last read (the agent takes its name from it when none is given). */
    public Optional<Node> node() {
        return Optional.ofNullable(node);
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public synchronized void close() {
        if (watcher != null) watcher.shutdownNow();
        watcher = null;
    }
}
