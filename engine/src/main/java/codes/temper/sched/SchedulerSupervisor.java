package codes.temper.sched;

import codes.temper.concurrent.Daemons;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Keeps the scheduler in the state the reconcile loop asks for and survives the kernel's verdict.
 * {@link #engage} wants a configuration held; {@link #standDown} is safe mode. A watcher
 * ({@link #check}, run every {@link #watch period}) reads sysfs and notices when the kernel
 * ejected the scheduler; the ejection's reason is kept and reported, the dead link released, and
 * re-attaching follows {@link EjectionBackoff}: a scheduler that keeps failing is not re-attached
 * in a loop, and once the backoff gives up the node stays on CFS until {@link #reset}.
 *
 * <p>Every method is synchronized: the reconcile loop, the kill switch and the watcher call in
 * from different threads, and the driver is single-threaded. Nothing here blocks on the network.
 */
public final class SchedulerSupervisor implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SchedulerSupervisor.class.getName());

    /** Where the supervisor stands. Only {@code ATTACHED} means our scheduler runs the node. */
    public enum Phase {
        /** Nothing requested yet, or stood down (safe mode, excluded): CFS. */
        DETACHED,
        ATTACHED,
        /** Ejected or failed to attach; CFS until {@link Status#retryAt}. */
        BACKOFF,
        /** Too many failures in the backoff window: CFS until an operator or a new revision resets. */
        GAVE_UP
    }

    /** What happened, for logs, Kubernetes Events and metrics. */
    public record Event(Kind kind, String message) {
        public enum Kind { ATTACHED, DETACHED, EJECTED, ATTACH_FAILED, GAVE_UP }
    }

    /** An event and when it happened, as {@link #recentEvents} keeps them. */
    public record Happened(Instant at, Event.Kind kind, String message) {
    }

    /** How many events {@link #recentEvents} keeps. */
    public static final int RECENT_EVENTS = 20;

    /**
     * @param failures    ejections and failed attaches within the backoff window
     * @param lastFailure the last ejection or attach failure, with the kernel's exit reason
     */
    public record Status(String driver, Phase phase, SchedExtState kernel, ExitInfo exit, int failures,
            Optional<String> lastFailure, Optional<Instant> retryAt, Optional<SchedulerDriver.ApplyResult> lastApply) {
    }

    private final SchedulerDriver driver;
    private final EjectionBackoff backoff;
    private final Clock clock;
    private final Consumer<Event> listener;
    private SchedulerConfig wanted;
    private Phase phase = Phase.DETACHED;
    private Instant retryAt;
    private String lastFailure;
    private SchedulerDriver.ApplyResult lastApply;
    private long attaches;
    private ScheduledExecutorService watcher;
    // Replaced whole under the lock, read without it: the status API must never wait for a scheduler load.
    private volatile java.util.List<Happened> recent = java.util.List.of();

    public SchedulerSupervisor(SchedulerDriver driver, EjectionBackoff backoff, Clock clock, Consumer<Event> listener) {
        this.driver = driver;
        this.backoff = backoff;
        this.clock = clock;
        this.listener = listener;
    }

    public SchedulerDriver driver() {
        return driver;
    }

    /**
     * Wants {@code desired} held. Attached: writes the difference. Detached: attaches, unless a
     * backoff is running (then the retry picks up this configuration) or the supervisor gave up.
     */
    public synchronized Phase engage(SchedulerConfig desired) {
        wanted = desired;
        if (phase == Phase.ATTACHED || phase == Phase.DETACHED) apply();
        return phase;
    }

    /**
     * {@link #engage} unless {@code standDownInstead} says otherwise, decided under the same lock
     * as {@link #standDown}: a kill switch that sets its flag and then stands down can never be
     * overtaken by a reconcile that read the flag a moment earlier.
     */
    public synchronized Phase engage(SchedulerConfig desired, java.util.function.BooleanSupplier standDownInstead) {
        if (standDownInstead.getAsBoolean()) {
            standDown();
            return phase;
        }
        return engage(desired);
    }

    /** Safe mode: the node runs CFS. Always succeeds; forgets what was wanted. */
    public synchronized void standDown() {
        wanted = null;
        boolean was = driver.attached();
        driver.detach();
        retryAt = null;
        if (phase != Phase.GAVE_UP) phase = Phase.DETACHED;
        if (was) attachEvent(Event.Kind.DETACHED, "scheduler detached; the node runs CFS");
    }

    /**
     * The watcher's step: notices an ejection (sysfs state, ops, enable_seq; reason from the
     * exit_info map) and retries when a backoff has run out. Returns the ejection it found.
     */
    public synchronized Optional<Ejection> check() {
        if (phase == Phase.ATTACHED) {
            Optional<Ejection> e = driver.ejected();
            if (e.isPresent()) {
                driver.detach(); // releases the dead link and object; keeps the exit reason
                failed(Event.Kind.EJECTED, e.get().reason());
            }
            return e;
        }
        if (phase == Phase.BACKOFF && wanted != null && !clock.instant().isBefore(retryAt)) apply();
        return Optional.empty();
    }

    /** An operator's request or a new policy revision: forget past failures and try again. */
    public synchronized void reset() {
        backoff.reset();
        retryAt = null;
        if (phase == Phase.BACKOFF || phase == Phase.GAVE_UP) {
            phase = Phase.DETACHED;
            if (wanted != null) apply();
        }
    }

    /** The last {@value #RECENT_EVENTS} events, oldest first; never waits for the lock. */
    public java.util.List<Happened> recentEvents() {
        return recent;
    }

    public synchronized Status status() {
        return new Status(driver.kind(), phase, driver.kernelState(), driver.exitInfo(), backoff.recentEjections(),
                Optional.ofNullable(lastFailure), Optional.ofNullable(retryAt), Optional.ofNullable(lastApply));
    }

    /**
     * The scheduler's counters (see {@link SchedulerDriver#stats}), read under the lock the loop and
     * the kill switch share: a map lookup per tier, never a wait on the kernel or the network.
     *
     * @param attach which attach the counters belong to (they start again at zero on every load),
     *               so a reader can tell a restart from counters that went backwards
     * @param bandwidth the mapped pods' cgroup_bw entries by cgroup id (see {@link SchedulerDriver#podBandwidth})
     */
    public record Counters(long attach, java.util.List<TierStats> tiers, java.util.Map<Long, CgroupBandwidth> bandwidth) {
        public Counters {
            tiers = java.util.List.copyOf(tiers);
            bandwidth = java.util.Map.copyOf(bandwidth);
        }

        public Counters(long attach, java.util.List<TierStats> tiers) {
            this(attach, tiers, java.util.Map.of());
        }
    }

    /** The driver's counters now; empty tiers while nothing is loaded and always in a dry run. */
    public synchronized Counters counters() throws BpfException {
        java.util.List<TierStats> tiers = driver.stats();
        return new Counters(attaches, tiers, tiers.isEmpty() ? java.util.Map.of() : driver.podBandwidth());
    }

    /** Runs {@link #check} every {@code period} on a daemon thread until {@link #close}. */
    public synchronized void watch(Duration period) {
        if (watcher != null) return;
        watcher = Daemons.scheduler("temper-sched-watch");
        Daemons.every(watcher, period, this::check, LOG, Level.ERROR, "scheduler watch failed; will look again");
    }

    /** Stops watching and stands down: a process that stops must leave the node on CFS. */
    @Override
    public void close() {
        ScheduledExecutorService w;
        synchronized (this) {
            w = watcher;
            watcher = null;
        }
        if (w != null) w.shutdownNow();
        standDown();
        driver.close();
    }

    private void apply() {
        boolean attaching = !driver.attached();
        try {
            lastApply = driver.apply(wanted);
            phase = Phase.ATTACHED;
            retryAt = null;
            if (attaching) attaches++;
            if (attaching) attachEvent(Event.Kind.ATTACHED, "scheduler attached (" + driver.kind() + ")");
        } catch (BpfException | RuntimeException e) {
            // Fail-safe direction: never leave a half-configured scheduler behind.
            driver.detach();
            failed(Event.Kind.ATTACH_FAILED, (attaching ? "attach failed: " : "update failed: ") + e.getMessage());
        }
    }

    private void failed(Event.Kind kind, String reason) {
        lastFailure = reason;
        Instant now = clock.instant();
        Optional<Instant> retry = backoff.onEjection(now);
        emit(kind, reason);
        if (retry.isEmpty()) {
            phase = Phase.GAVE_UP;
            retryAt = null;
            emit(Event.Kind.GAVE_UP, backoff.recentEjections() + " failures in the backoff window; staying on CFS until reset"
                    + " (a new policy revision or an operator's request)");
        } else {
            phase = Phase.BACKOFF;
            retryAt = retry.get();
            LOG.log(Level.WARNING, "staying on CFS; next attach attempt in {0} ms", Duration.between(now, retryAt).toMillis());
        }
    }

    /**
     * Attached and detached are events of the kernel: a dry run loads nothing, so it only logs
     * what it holds and never counts as an attach (events, metrics, the Node's Events).
     */
    private void attachEvent(Event.Kind kind, String message) {
        if (DryRunDriver.KIND.equals(driver.kind())) {
            LOG.log(Level.INFO, "dry run, nothing loaded: {0}", kind == Event.Kind.ATTACHED
                    ? "the configuration is held, the node runs CFS" : "the configuration is released");
        } else {
            emit(kind, message);
        }
    }

    private void emit(Event.Kind kind, String message) {
        var next = new java.util.ArrayList<>(recent);
        next.add(new Happened(clock.instant(), kind, message));
        recent = java.util.List.copyOf(next.subList(Math.max(0, next.size() - RECENT_EVENTS), next.size()));
        LOG.log(kind == Event.Kind.ATTACHED || kind == Event.Kind.DETACHED ? Level.INFO : Level.ERROR, "{0}: {1}", kind, message);
        try {
            listener.accept(new Event(kind, message));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event listener failed", e);
        }
    }
}
