package codes.temper.reconcile;

import codes.temper.build.BuildInfo;
import codes.temper.sched.SchedulerSupervisor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's own counters and its reconcile latency, every series registered at start: a counter
 * and each of its label values exist at 0 before the first event, so {@code increase()} and
 * {@code rate()} see the first event too (a series born at 1 has no earlier sample to grow from),
 * and an alert or a dashboard never has to tell "no such series" from "nothing happened". Each
 * carries its HELP text.
 *
 * <p>The reconcile latency is a histogram ({@code temper_reconcile_duration_seconds}), not a
 * Micrometer Timer: a Timer is a summary whose quantiles cannot be summed or averaged across
 * nodes, and always comes with a {@code _max} gauge of its own making. Histogram buckets from every
 * node add up in {@code histogram_quantile(sum by (le) (rate(..._bucket[5m])))}. It is the
 * Prometheus client's own histogram, on the registry's Prometheus side, as the scheduler's
 * wake-latency histogram is.
 */
public final class AgentMetrics implements AutoCloseable {

    /** What makes the loop run: every value {@link Reconciler#signal} is given, and its own. */
    public static final List<String> TRIGGERS = List.of("start", "node", "pods", "files", "policy", "scheduler", "safe-mode",
            "cgroup-retry");
    /** A pass takes milliseconds when only map entries change, up to seconds when a scheduler is loaded. */
    static final double[] PASS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Counter> triggers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<SchedulerSupervisor.Event.Kind, Counter> schedulerEvents = new LinkedHashMap<>();
    private final Counter safeModeOn;
    private final Counter safeModeOff;
    private final Counter mapWrites;
    private final Counter rejections;
    private final Counter pollFailures;
    private final Histogram passDuration;

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.prometheus = registry instanceof PrometheusMeterRegistry p ? p : null;
        for (String t : TRIGGERS) triggers.put(t, triggerCounter(t));
        for (SchedulerSupervisor.Event.Kind k : SchedulerSupervisor.Event.Kind.values()) {
            schedulerEvents.put(k, keep(Counter.builder("temper.scheduler.events")
                    .description("scheduler lifecycle events: attached, detached, ejected by the kernel, attach failed, gave up after"
                            + " repeated failures")
                    .tag("kind", k.name().toLowerCase(Locale.ROOT)).register(registry)));
        }
        safeModeOn = safeModeCounter("on");
        safeModeOff = safeModeCounter("off");
        mapWrites = keep(Counter.builder("temper.map.writes")
                .description("BPF map entries written by reconcile passes (only entries that changed are written)").register(registry));
        rejections = keep(Counter.builder("temper.policy.rejections")
                .description("policy revisions rejected (invalid, unsigned or failing evaluation); the last good one stays in force")
                .register(registry));
        pollFailures = keep(Counter.builder("temper.policy.poll.failures")
                .description("polls of the policy source that failed (unreachable, timed out, refused); the last good revision stays")
                .register(registry));
        keep(Gauge.builder("temper.build.info", () -> 1).description("the running build: always 1, its version in the labels")
                .tag("version", BuildInfo.VERSION).tag("java_version", BuildInfo.JAVA_VERSION).register(registry));
        passDuration = Histogram.builder().name("temper_reconcile_duration_seconds").unit(Unit.SECONDS)
                .help("time of a reconcile pass that decided: evaluate the rules and make the scheduler hold the decision")
                .classicOnly().classicUpperBounds(PASS_BUCKETS).withoutExemplars().build();
        if (prometheus != null) prometheus.getPrometheusRegistry().register(passDuration);
    }

    private <M extends Meter> M keep(M m) {
        meters.add(m);
        return m;
    }

    private Counter triggerCounter(String trigger) {
        return keep(Counter.builder("temper.reconcile.events").description("events that asked for a reconcile pass, by trigger")
                .tag("trigger", trigger).register(registry));
    }

    private Counter safeModeCounter(String to) {
        return keep(Counter.builder("temper.safe.mode.transitions")
                .description("safe mode switched on (any trigger) or withdrawn (the last trigger gone)").tag("to", to).register(registry));
    }

    /** A trigger outside {@link #TRIGGERS} still counts, from its first event. */
    void reconcileEvent(String trigger) {
        triggers.computeIfAbsent(trigger, this::triggerCounter).increment();
    }

    void safeModeTransition(boolean on) {
        (on ? safeModeOn : safeModeOff).increment();
    }

    void pass(int writes, long nanos) {
        mapWrites.increment(writes);
        passDuration.observe(nanos / 1e9);
    }

    public void schedulerEvent(SchedulerSupervisor.Event.Kind kind) {
        schedulerEvents.get(kind).increment();
    }

    public void policyRejected() {
        rejections.increment();
    }

    public void policyPollFailed() {
        pollFailures.increment();
    }

    /** Decided reconcile passes so far (the histogram's count). */
    public long passes() {
        return passDuration.getCount();
    }

    /** Policy revisions rejected so far. */
    public long rejections() {
        return (long) rejections.count();
    }

    @Override
    public void close() {
        if (prometheus != null) prometheus.getPrometheusRegistry().unregister(passDuration);
        meters.forEach(registry::remove);
        meters.clear();
    }
}
