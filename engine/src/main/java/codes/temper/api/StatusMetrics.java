package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.reconcile.AgentStatus;
import codes.temper.rules.Mode;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.TierStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The status snapshot as {@code temper_*} series. Every gauge reads one snapshot held here,
 * refreshed once per scrape, so the series of one scrape come from the same status and cannot
 * disagree (several reads of the supplier during a scrape could straddle a change).
 *
 * <p>The scheduler's counters (the snapshot's {@link AgentStatus.SchedulerStats}, the kernel's
 * {@code struct temper_tier_stats}) become, per tier ({@code tier="(system)"} for work outside the
 * pods), the counters {@code temper_tier_runtime_seconds_total}, {@code _enqueued_total},
 * {@code _dispatched_total}, {@code _direct_dispatches_total}, {@code _preemptions_total}, {@code _floored_total}, {@code _rescued_total},
 * {@code _throttled_total} and {@code _wakeups_total}, and the histogram
 * {@code temper_tier_wake_latency_seconds} of wake-to-run latency. The scheduler counts it in
 * power-of-two microsecond buckets, so the histogram's {@code le} bounds are 2^i us in seconds
 * (1e-06 ... 4.194304); Micrometer has no meter for a histogram whose buckets were counted
 * elsewhere, so it is exposed by a collector on the registry's Prometheus side. Counters run from
 * the scheduler's load: they read 0 while no scheduler is loaded (a dry run, safe mode, CFS after
 * an ejection) and start again at zero after a re-attach, as Prometheus counter resets do. The
 * series of a tier exist for every tier of the policy in force, and those of {@code (system)}
 * from the start, so a dashboard or an alert never sees a series appear or vanish with the
 * scheduler.
 *
 * <p>{@code temper_policy_revision_info{revision}} is 1 for the revision in force ({@code
 * revision=""} before one is loaded); {@code temper_policy_age_seconds} is its age, the
 * last-known-good age while the source is unreachable.
 *
 * <p>cpu.max: {@code temper_cpu_max_mechanism{mechanism}} is 1 for the mechanism that holds cgroup
 * cpu.max on the node now (scheduler-cgroup, scheduler-pod-ceilings, kernel-cfs, dry-run), and
 * {@code temper_tier_pod_throttled_total{tier}} counts, per tier, the times its pods were held
 * back by their own CPU limit. Per pod it would be unbounded in cardinality on big nodes: the top
 * pods are in {@code GET /status} only.
 */
final class StatusMetrics implements AutoCloseable {

    static final String ATTACHED = "ATTACHED";

    private final AtomicReference<AgentStatus> current = new AtomicReference<>();
    private final MeterRegistry registry;
    // What close() removes: the registry outlives a server, and a later server's meters would
    // otherwise be refused as duplicates and keep reading this one's stale snapshot.
    private final List<Meter> meters = new ArrayList<>();
    // Tiers come and go with policy revisions: MultiGauge removes the rows a refresh leaves out.
    private final MultiGauge tierPods;
    private final MultiGauge tierCeiling;
    private final MultiGauge revisionInfo;
    // The per-tier counters, by tier name: registered when a tier's counters first appear,
    // removed when a refresh no longer has them.
    private final Map<String, List<Meter>> tierCounters = new HashMap<>();
    private final MultiCollector wakeLatency = this::wakeLatency;
    private final PrometheusMeterRegistry prometheus;

    StatusMetrics(MeterRegistry registry, AuditLog audit) {
        this.registry = registry;
        this.prometheus = registry instanceof PrometheusMeterRegistry p ? p : null;
        if (prometheus != null) prometheus.getPrometheusRegistry().register(wakeLatency);
        for (Mode m : Mode.values()) {
            meters.add(Gauge.builder("temper.mode", current, r -> is(r, s -> s.mode() == m))
                    .description("1 for the node's current mode, 0 for the others")
                    .tag("mode", m.wire()).strongReference(true).register(registry));
        }
        meters.add(Gauge.builder("temper.ready", current, r -> is(r, AgentStatus::ready))
                .description("1 when a policy is loaded and its decision applied").strongReference(true).register(registry));
        meters.add(Gauge.builder("temper.scheduler.attached", current,
                        r -> is(r, s -> s.scheduler() != null && ATTACHED.equals(s.scheduler().phase())
                                && !DryRunDriver.KIND.equals(s.scheduler().driver())))
                .description("1 while the sched_ext scheduler is attached (never in a dry run: nothing is loaded)").strongReference(true).register(registry));
        for (String m : AgentStatus.CpuMax.MECHANISMS) {
            meters.add(Gauge.builder("temper.cpu.max.mechanism", current,
                            r -> is(r, st -> st.scheduler() != null && st.scheduler().cpuMax() != null && m.equals(st.scheduler().cpuMax().mechanism())))
                    .description("1 for the mechanism holding cgroup cpu.max on the node now, 0 for the others")
                    .tag("mechanism", m).strongReference(true).register(registry));
        }
        meters.add(Gauge.builder("temper.policy.age", current, StatusMetrics::policyAgeSeconds).baseUnit("seconds")
                .description("age of the policy revision in force (the last known good): time since it was fetched; NaN before one")
                .strongReference(true).register(registry));
        tierPods = MultiGauge.builder("temper.tier.pods").description("pods placed in each tier").register(registry);
        tierCeiling = MultiGauge.builder("temper.tier.ceiling.cpus")
                .description("the tier's CPU ceiling in CPUs").register(registry);
        revisionInfo = MultiGauge.builder("temper.policy.revision.info")
                .description("the policy revision in force: always 1, the revision in the label (empty before one is loaded)")
                .register(registry);
        for (Outcome o : Outcome.values()) {
            meters.add(FunctionCounter.builder("temper.audit.events", audit, a -> a.count(o))
                    .description("audited API requests by outcome").tag("outcome", o.wire()).register(registry));
        }
    }

    /**
     * The exposition of the given snapshot. Refresh and scrape are one step under this object's
     * lock: a refresh removes and registers rows (a changed revision, a tier that came or went),
     * and a scrape running beside another request's refresh saw the same series twice and failed.
     * Prometheus scrapes a node every 15-60 s, so serialising scrapes costs nothing.
     */
    synchronized String scrape(AgentStatus status) {
        refresh(status);
        if (prometheus == null) throw new IllegalStateException("metrics are scraped from a Prometheus registry");
        return prometheus.scrape();
    }

    /** Brings the rows to the snapshot the scrape describes; only under {@link #scrape}'s lock. */
    private void refresh(AgentStatus status) {
        current.set(status);
        var tiers = status == null ? List.<AgentStatus.Tier>of() : status.tiers();
        tierPods.register(tiers.stream()
                .map(t -> MultiGauge.Row.of(Tags.of("tier", t.name()), t.pods()))
                .toList(), true);
        tierCeiling.register(tiers.stream()
                .filter(t -> t.ceilingCpus() != null)
                .map(t -> MultiGauge.Row.of(Tags.of("tier", t.name()), t.ceilingCpus()))
                .toList(), true);
        revisionInfo.register(List.of(MultiGauge.Row.of(Tags.of("revision", revision(status)), 1)), true);
        List<String> counted = tierNames(status);
        tierCounters.keySet().removeIf(name -> {
            if (counted.contains(name)) return false;
            tierCounters.get(name).forEach(registry::remove);
            return true;
        });
        for (String name : counted) tierCounters.computeIfAbsent(name, this::registerTierCounters);
    }

    private List<Meter> registerTierCounters(String tier) {
        return List.of(
                tierCounter("temper.tier.runtime", "seconds", "CPU time the tier's tasks ran since the scheduler was loaded",
                        tier, AgentStatus.TierStat::runtimeSeconds),
                tierCounter("temper.tier.throttled", null, "times the tier was found at its ceiling with work queued",
                        tier, t -> t.throttled()),
                tierCounter("temper.tier.enqueued", null, "tasks queued on the tier's queues", tier, t -> t.enqueued()),
                tierCounter("temper.tier.dispatched", null, "tasks moved from the tier's queues to a CPU", tier, t -> t.dispatched()),
                tierCounter("temper.tier.direct.dispatches", null, "wake-ups of the tier's tasks placed straight on an idle CPU",
                        tier, t -> t.direct()),
                tierCounter("temper.tier.preemptions", null, "CPUs running lower-ranked work that a wake-up of the tier's tasks preempted",
                        tier, t -> t.preempts()),
                FunctionCounter.builder("temper.tier.pod.throttled", current, r -> podThrottled(r.get(), tier))
                        .description("times the tier's pods were held back for their next period by their own CPU limit (cpu.max or pod ceiling)")
                        .tag("tier", tier).register(registry),
                tierCounter("temper.tier.wakeups", null, "wake-ups of the tier's tasks whose wake-to-run latency was recorded",
                        tier, t -> t.wakeups()),
                tierCounter("temper.tier.floored", null, "runs of the tier served ahead of a higher tier because it was under its floor",
                        tier, t -> t.floored()),
                tierCounter("temper.tier.rescued", null, "runs of the tier served out of turn after a task waited the scheduler's liveness limit (2 s)",
                        tier, t -> t.rescued()));
    }

    private Meter tierCounter(String name, String unit, String help, String tier, ToDoubleFunction<AgentStatus.TierStat> value) {
        return FunctionCounter.builder(name, current, r -> {
                    AgentStatus.TierStat t = stat(r.get(), tier);
                    return t == null ? 0 : value.applyAsDouble(t);
                })
                .description(help).baseUnit(unit).tag("tier", tier).register(registry);
    }

    private static double podThrottled(AgentStatus s, String tier) {
        if (s == null || s.stats().podThrottling() == null) return 0;
        return s.stats().podThrottling().tiers().stream().filter(t -> t.tier().equals(tier))
                .mapToLong(AgentStatus.TierThrottling::throttled).findFirst().orElse(0);
    }

    /**
     * {@code temper_tier_wake_latency_seconds}: the scheduler's histogram, cumulative from its
     * load; all zero for a tier while no scheduler counts.
     */
    private MetricSnapshots wakeLatency() {
        AgentStatus s = current.get();
        HistogramSnapshot.Builder h = HistogramSnapshot.builder().name("temper_tier_wake_latency_seconds").unit(Unit.SECONDS)
                .help("time from a task's wake-up to running, per tier; buckets are the scheduler's powers of two of microseconds");
        for (String tier : tierNames(s)) {
            AgentStatus.TierStat t = stat(s, tier);
            ClassicHistogramBuckets.Builder b = ClassicHistogramBuckets.builder();
            for (int i = 0; i < TierStats.LAT_BUCKETS; i++) {
                // bucket i counts latencies below 2^i us; the last one, every longer latency
                long count = t == null || i >= t.wakeBuckets().size() ? 0 : t.wakeBuckets().get(i);
                b.bucket(i == TierStats.LAT_BUCKETS - 1 ? Double.POSITIVE_INFINITY : (1L << i) / 1e6, count);
            }
            h.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().classicHistogramBuckets(b.build())
                    .sum(t == null ? 0 : t.wakeSeconds()).labels(Labels.of("tier", tier)).build());
        }
        return MetricSnapshots.of(h.build());
    }

    /** The tiers with series: the policy's, by rank, then {@code (system)}, which exists from the start. */
    private static List<String> tierNames(AgentStatus s) {
        List<String> names = new ArrayList<>();
        if (s != null) s.tiers().forEach(t -> names.add(t.name()));
        names.add(AgentStatus.TierStat.SYSTEM);
        return names;
    }

    /** The tier's counters as last sampled, or null while the scheduler's counters are not available. */
    private static AgentStatus.TierStat stat(AgentStatus s, String tier) {
        if (s == null || !s.stats().available()) return null;
        return s.stats().all().stream().filter(t -> t.name().equals(tier)).findFirst().orElse(null);
    }

    private static String revision(AgentStatus s) {
        return s == null || s.policyRevision() == null ? "" : s.policyRevision();
    }

    @Override
    public synchronized void close() {
        tierPods.register(List.of(), true);
        tierCeiling.register(List.of(), true);
        revisionInfo.register(List.of(), true);
        tierCounters.values().forEach(ms -> ms.forEach(registry::remove));
        tierCounters.clear();
        if (prometheus != null) prometheus.getPrometheusRegistry().unregister(wakeLatency);
        meters.forEach(registry::remove);
        meters.clear();
    }

    private static double policyAgeSeconds(AtomicReference<AgentStatus> ref) {
        AgentStatus s = ref.get();
        return s == null || s.policySource() == null || s.policySource().ageSeconds() == null ? Double.NaN : s.policySource().ageSeconds();
    }

    private static double is(AtomicReference<AgentStatus> ref, Predicate<AgentStatus> p) {
        AgentStatus s = ref.get();
        return s != null && p.test(s) ? 1 : 0;
    }
}
