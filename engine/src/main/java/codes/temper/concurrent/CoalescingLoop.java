package codes.temper.concurrent;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One thread that turns a stream of events into as few passes as the {@link Coalescing} pacing
 * allows: many events, one pass over the whole current state. Level-based callers (the agent's
 * reconciler, the controller) need nothing else: a pass always reads everything, so which events
 * led to it only matters for the report. Passes never overlap; an event that arrives during a
 * pass starts the next burst.
 */
public final class CoalescingLoop implements AutoCloseable {
    private static final Logger LOG = System.getLogger(CoalescingLoop.class.getName());

    /**
     * What one pass serves.
     *
     * @param trigger the distinct triggers, sorted and comma-joined (e.g. {@code node,pods})
     * @param events  how many events were folded into it
     */
    public record Batch(String trigger, int events) {
    }

    public static final String RESYNC = "resync";

    private final String name;
    private final Coalescing.Pacing pacing;
    private final Consumer<Batch> pass;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    private final Set<String> triggers = new TreeSet<>();
    private int pending;
    private boolean urgent;
    private long first, last, idleSince;
    private long retryAt = Coalescing.NEVER;
    private String retryTrigger;
    private boolean closed;
    private Thread worker;
    // The pass in flight, for liveness: whether one runs, since when, and for what.
    private boolean inPass;
    private long passStart;
    private String passTrigger;

    public CoalescingLoop(String name, Coalescing.Pacing pacing, Consumer<Batch> pass) {
        this(name, pacing, pass, System::nanoTime);
    }

    CoalescingLoop(String name, Coalescing.Pacing pacing, Consumer<Batch> pass, LongSupplier nanoTime) {
        this.name = name;
        this.pacing = pacing;
        this.pass = pass;
        this.nanoTime = nanoTime;
    }

    /** Starts the thread (once) and queues a first pass with {@code trigger}. */
    public void start(String trigger) {
        start(trigger, false);
    }

    /** As {@link #start(String)}; {@code urgent} as in {@link #signal(String, boolean)}, for the first pass. */
    public void start(String trigger, boolean urgent) {
        synchronized (lock) {
            if (worker != null || closed) return;
            idleSince = nanoTime.getAsLong();
            worker = Daemons.start(name, this::run);
        }
        signal(trigger, urgent);
    }

    /** Something changed: a pass soon, together with whatever else arrives. */
    public void signal(String trigger) {
        signal(trigger, false);
    }

    /**
     * @param urgent skip the debounce: the pass runs as soon as the one in flight (if any) ends,
     *               and carries along whatever else is pending rather than waiting for it
     */
    public void signal(String trigger, boolean urgent) {
        synchronized (lock) {
            add(trigger);
            if (urgent) this.urgent = true;
            lock.notifyAll();
        }
    }

    /**
     * Counts {@code trigger} as an event {@code after} from now, unless a retry is already
     * waiting that is due no later: repeated requests while a retry waits do not multiply it, and
     * a sooner request (a backoff that started again) brings the waiting one forward.
     *
     * @return true when this call set the retry up or brought it forward (false: an earlier one
     *         was waiting, or the loop is closed)
     */
    public boolean retryAfter(String trigger, Duration after) {
        synchronized (lock) {
            long at = nanoTime.getAsLong() + after.toNanos();
            if (closed || (retryAt != Coalescing.NEVER && retryAt - at <= 0)) return false;
            retryAt = at;
            retryTrigger = trigger;
            lock.notifyAll();
            return true;
        }
    }

    /** Why the loop is not making progress (a pass over {@code stuckAfter}, a dead thread), or empty. */
    public java.util.Optional<String> stalled(Duration stuckAfter) {
        synchronized (lock) {
            var p = new Coalescing.Progress(worker != null, worker != null && worker.isAlive(), closed, inPass, passStart, passTrigger);
            return Coalescing.stalled(p, nanoTime.getAsLong(), stuckAfter);
        }
    }

    private void add(String trigger) {
        long now = nanoTime.getAsLong();
        if (pending == 0) first = now;
        last = now;
        pending++;
        triggers.add(trigger);
    }

    private void run() {
        while (true) {
            Batch batch;
            synchronized (lock) {
                try {
                    if (!awaitDue()) return;
                } catch (InterruptedException e) {
                    return;
                }
                batch = new Batch(String.join(",", triggers), pending);
                pending = 0;
                urgent = false;
                triggers.clear();
                inPass = true;
                passStart = nanoTime.getAsLong();
                passTrigger = batch.trigger();
            }
            try {
                pass.accept(batch);
            } catch (RuntimeException e) {
                // Never leave the loop: the next event or resync runs the pass again.
                LOG.log(Level.ERROR, name + ": pass failed; the next event or resync retries", e);
            }
            synchronized (lock) {
                inPass = false;
                idleSince = nanoTime.getAsLong();
            }
        }
    }

    /** Waits, holding the lock between waits, until a pass is due; false once closed. */
    private boolean awaitDue() throws InterruptedException {
        while (!closed) {
            long now = nanoTime.getAsLong();
            switch (Coalescing.next(new Coalescing.State(pending, urgent, first, last, idleSince, retryAt), now, pacing)) {
                case Coalescing.Run r -> {
                    return true;
                }
                case Coalescing.Retry r -> {
                    retryAt = Coalescing.NEVER;
                    add(retryTrigger);
                }
                case Coalescing.Resync r -> add(RESYNC);
                case Coalescing.Wait w -> TimeUnit.NANOSECONDS.timedWait(lock, w.nanos());
            }
        }
        return false;
    }

    /**
     * Stops the loop: a pass in flight finishes (up to {@code grace}), pending events are dropped.
     */
    public void close(Duration grace) {
        Thread w;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            w = worker;
        }
        if (w == null || w == Thread.currentThread()) return;
        try {
            w.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
