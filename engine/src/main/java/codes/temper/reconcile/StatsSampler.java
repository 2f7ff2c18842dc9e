package codes.temper.reconcile;

import codes.temper.sched.BpfException;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.SchedulerSupervisor;
import codes.temper.sched.TierStats;
import java.time.Clock;
import codes.temper.sched.CgroupBandwidth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Turns the scheduler's raw counters into the status's {@link AgentStatus.SchedulerStats}: names
 * the tiers, and derives the figures over the interval since the previous sample (CPUs used,
 * wake-to-run quantiles) from the difference of two reads of the same load. Runs on a timer, not
 * on the reconcile loop; the read itself is one map lookup per tier under the supervisor's lock.
 */
final class StatsSampler {
    /** How many pods of each tier the status names by their throttling. */
    static final int TOP_PODS_PER_TIER = 5;

    /** A mapped pod as the last reconcile pass named it. */
    record PodRef(String pod, String tier) {
    }

    private final SchedulerSupervisor supervisor;
    private final String dryRunWhy;
    private final Clock clock;
    private final LongSupplier nanos;
    private SchedulerSupervisor.Counters previous;
    private long previousNanos;

    StatsSampler(SchedulerSupervisor supervisor, String dryRunWhy, Clock clock, LongSupplier nanos) {
        this.supervisor = supervisor;
        this.dryRunWhy = dryRunWhy;
        this.clock = clock;
        this.nanos = nanos;
    }

    /** What a snapshot says before the first sample. */
    AgentStatus.SchedulerStats initial() {
        return dryRun() ? dryRunStats() : AgentStatus.SchedulerStats.NOT_SAMPLED;
    }

    private boolean dryRun() {
        return DryRunDriver.KIND.equals(supervisor.driver().kind());
    }

    private AgentStatus.SchedulerStats dryRunStats() {
        return AgentStatus.SchedulerStats.unavailable("dry run: no scheduler is loaded, so nothing is counted"
                + (dryRunWhy == null ? "" : " (" + dryRunWhy + ")"));
    }

    synchronized AgentStatus.SchedulerStats sample(List<AgentStatus.Tier> tiers) {
        return sample(tiers, Map.of());
    }

    /**
     * Reads the counters now; {@code tiers} name the slots (index == rank), {@code pods} the
     * mapped pods' cgroups.
     */
    synchronized AgentStatus.SchedulerStats sample(List<AgentStatus.Tier> tiers, Map<Long, PodRef> pods) {
        if (dryRun()) return dryRunStats();
        SchedulerSupervisor.Counters now;
        long t = nanos.getAsLong();
        try {
            now = supervisor.counters();
        } catch (BpfException | RuntimeException e) {
            previous = null;
            return AgentStatus.SchedulerStats.unavailable("reading the scheduler's counters failed: " + e.getMessage());
        }
        if (now.tiers().size() <= SchedulerConfig.SYSTEM_TIER) {
            previous = null;
            return AgentStatus.SchedulerStats.unavailable("no scheduler loaded (" + supervisor.status().phase() + ")");
        }
        SchedulerSupervisor.Counters before = previous != null && previous.attach() == now.attach() ? previous : null;
        double interval = before == null ? 0 : (t - previousNanos) / 1e9;
        if (interval <= 0) before = null;
        previous = now;
        previousNanos = t;

        List<AgentStatus.TierStat> named = new ArrayList<>();
        for (AgentStatus.Tier tier : tiers) {
            int i = tier.rank();
            if (i < 0 || i >= SchedulerConfig.MAX_TIERS) continue;
            named.add(stat(tier.name(), i, now, before, interval));
        }
        int sys = SchedulerConfig.SYSTEM_TIER;
        return new AgentStatus.SchedulerStats(true, null, clock.instant(), before == null ? null : round(interval, 3), named,
                stat(AgentStatus.TierStat.SYSTEM, sys, now, before, interval), throttling(tiers, pods, now.bandwidth()));
    }

    /** Per tier: the pods with a limit, their throttling summed, and the top few by name. */
    static AgentStatus.PodThrottling throttling(List<AgentStatus.Tier> tiers, Map<Long, PodRef> pods, Map<Long, CgroupBandwidth> bandwidth) {
        Map<String, List<AgentStatus.PodThrottled>> byTier = new HashMap<>();
        for (Map.Entry<Long, CgroupBandwidth> e : bandwidth.entrySet()) {
            PodRef ref = pods.get(e.getKey());
            if (ref == null) continue; // unmapped since the pass that named the pods
            CgroupBandwidth bw = e.getValue();
            byTier.computeIfAbsent(ref.tier(), t -> new ArrayList<>())
                    .add(new AgentStatus.PodThrottled(ref.pod(), bw.throttled(), round(bw.cpus(), 3), bw.sourceName()));
        }
        long total = 0;
        List<AgentStatus.TierThrottling> out = new ArrayList<>();
        for (AgentStatus.Tier t : tiers) {
            List<AgentStatus.PodThrottled> list = byTier.getOrDefault(t.name(), List.of());
            long sum = list.stream().mapToLong(AgentStatus.PodThrottled::throttled).sum();
            total += sum;
            List<AgentStatus.PodThrottled> top = list.stream().filter(p -> p.throttled() > 0)
                    .sorted(Comparator.comparingLong(AgentStatus.PodThrottled::throttled).reversed().thenComparing(AgentStatus.PodThrottled::pod))
                    .limit(TOP_PODS_PER_TIER).toList();
            out.add(new AgentStatus.TierThrottling(t.name(), list.size(), sum, top));
        }
        return new AgentStatus.PodThrottling(total, out, TOP_PODS_PER_TIER);
    }

    private static AgentStatus.TierStat stat(String name, int index, SchedulerSupervisor.Counters now,
            SchedulerSupervisor.Counters before, double interval) {
        TierStats s = now.tiers().get(index);
        Double cpus = null;
        Long p50 = null, p99 = null;
        if (before != null) {
            TierStats b = before.tiers().get(index);
            cpus = round(Math.max(0, s.runtimeNs() - b.runtimeNs()) / 1e9 / interval, 3);
            long[] hist = new long[TierStats.LAT_BUCKETS];
            for (int i = 0; i < hist.length; i++) hist[i] = Math.max(0, s.bucket(i) - b.bucket(i));
            p50 = boxed(TierStats.quantileMicros(hist, 0.5));
            p99 = boxed(TierStats.quantileMicros(hist, 0.99));
        }
        List<Long> buckets = new ArrayList<>(TierStats.LAT_BUCKETS);
        for (int i = 0; i < TierStats.LAT_BUCKETS; i++) buckets.add(s.bucket(i));
        return new AgentStatus.TierStat(name, index, s.runtimeNs() / 1e9, cpus, s.enqueued(), s.dispatched(), s.throttled(),
                s.direct(), s.preempts(), s.wakeups(), s.wakeNs() / 1e9, p50, p99, buckets, s.floored(), s.rescued());
    }

    private static Long boxed(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
