package codes.temper.reconcile;

import codes.temper.concurrent.Daemons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code --safe-mode-file PATH}: present = safe mode. The local trigger for when the API server
 * is unreachable (a hostPath, so {@code touch} on the node or in the pod works). Checked every
 * {@code interval} on its own thread with one stat call: nothing else the agent does can delay
 * it, and it works on any file system (inotify would not see changes made through some mounts).
 */
public final class SafeModeFile implements AutoCloseable {
    private final Path path;
    private final Reconciler reconciler;
    private ScheduledExecutorService watcher;
    private boolean present;

    public SafeModeFile(Path path, Reconciler reconciler) {
        this.path = path;
        this.reconciler = reconciler;
    }

    /** Checks once, now (the agent calls this before its first reconcile, so it starts in safe mode). */
    public synchronized void check() {
        boolean now = Files.exists(path);
        if (now != present) {
            present = now;
            reconciler.safeMode(SafeModeSignals.Source.FILE, now, path + (now ? " exists" : " removed"));
        }
    }

    public synchronized void watch(Duration interval) {
        if (watcher != null) return;
        watcher = Daemons.scheduler("temper-safe-mode-file");
        watcher.scheduleWithFixedDelay(this::check, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void close() {
        if (watcher != null) watcher.shutdownNow();
        watcher = null;
    }
}
