package codes.temper.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.sched.CgroupBandwidth;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.ExitInfo;
import codes.temper.sched.SchedExtState;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.SchedulerDriver;
import codes.temper.sched.SchedulerSupervisor;
import codes.temper.sched.TierStats;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The scheduler's counters as the status shows them: named, and differenced over the interval. */
class StatsSamplerTest {
    static final Instant NOW = Instant.parse("2026-11-27T10:15:30Z");
    static final List<AgentStatus.Tier> TIERS = List.of(new AgentStatus.Tier("critical", 0, null, null, 1),
            new AgentStatus.Tier("normal", 1, null, null, 2));

    /** A driver whose counters the test sets. */
    static final class Counting implements SchedulerDriver {
        List<TierStats> stats = List.of();
        Map<Long, CgroupBandwidth> bandwidth = Map.of();
        boolean attached, failRead;

        @Override public String kind() { return "bpf"; }
        @Override public ApplyResult apply(SchedulerConfig desired) { boolean a = !attached; attached = true; return new ApplyResult(0, a, 0); }
        @Override public void detach() { attached = false; stats = List.of(); }
        @Override public boolean attached() { return attached; }
        @Override public SchedExtState kernelState() { return SchedExtState.ABSENT; }
        @Override public ExitInfo exitInfo() { return ExitInfo.NONE; }
        @Override public void close() { }

        @Override
        public List<TierStats> stats() {
            if (failRead) throw new IllegalStateException("bpf_map_lookup_elem(tier_stats) failed: errno 9 (EBADF)");
            return stats;
        }

        @Override
        public Map<Long, CgroupBandwidth> podBandwidth() {
            return bandwidth;
        }
    }

    static TierStats tier(long runtimeNs, long wakeups, long[] hist) {
        return new TierStats(runtimeNs, 10, 9, 2, 5, 1, wakeups, wakeups * 1000, hist);
    }

    /** 17 slots: critical, normal, 14 unused, system. */
    static List<TierStats> slots(TierStats critical, TierStats normal, TierStats system) {
        List<TierStats> s = new ArrayList<>();
        s.add(critical);
        s.add(normal);
        while (s.size() < SchedulerConfig.SYSTEM_TIER) s.add(TierStats.ZERO);
        s.add(system);
        return s;
    }

    static long[] hist(int bucket, long count) {
        long[] h = new long[TierStats.LAT_BUCKETS];
        h[bucket] = count;
        return h;
    }

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final Counting driver = new Counting();
    final SchedulerSupervisor supervisor = new SchedulerSupervisor(driver, EjectionBackoff.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), e -> { });
    final StatsSampler sampler = new StatsSampler(supervisor, null, Clock.fixed(NOW, ZoneOffset.UTC), nanos::get);

    @Test
    void theFirstSampleHasCountersAndNoIntervalTheNextDifferences() {
        supervisor.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
        driver.stats = slots(tier(2_000_000_000L, 100, hist(4, 100)), tier(0, 0, hist(0, 0)), tier(500_000_000L, 10, hist(10, 10)));
        AgentStatus.SchedulerStats first = sampler.sample(TIERS);
        assertThat(first.available()).isTrue();
        assertThat(first.why()).isNull();
        assertThat(first.sampledAt()).isEqualTo(NOW);
        assertThat(first.intervalSeconds()).isNull();
        assertThat(first.tiers()).extracting(AgentStatus.TierStat::name).containsExactly("critical", "normal");
        AgentStatus.TierStat critical = first.tiers().getFirst();
        assertThat(critical.runtimeSeconds()).isEqualTo(2.0);
        assertThat(critical.cpus()).isNull();
        assertThat(critical.wakeP50Micros()).isNull();
        assertThat(critical.throttled()).isEqualTo(2);
        assertThat(critical.dispatched()).isEqualTo(9);
        assertThat(critical.direct()).isEqualTo(5);
        assertThat(critical.preempts()).isEqualTo(1);
        assertThat(critical.wakeups()).isEqualTo(100);
        assertThat(critical.wakeSeconds()).isEqualTo(1e-4);
        assertThat(critical.wakeBuckets()).hasSize(TierStats.LAT_BUCKETS).element(4).isEqualTo(100L);
        assertThat(first.system().name()).isEqualTo(AgentStatus.TierStat.SYSTEM);
        assertThat(first.system().index()).isEqualTo(16);
        assertThat(first.all()).hasSize(3);

        // 4 s later: critical ran 6 s more (1.5 CPUs), 100 wake-ups of which 98 in the 16 us
        // bucket and 2 in the 2 ms one: p50 16 us, p99 2048 us (upper bounds of their buckets).
        nanos.addAndGet(4_000_000_000L);
        long[] h = hist(4, 198);
        h[11] = 2;
        driver.stats = slots(tier(8_000_000_000L, 200, h), tier(0, 0, hist(0, 0)), tier(900_000_000L, 10, hist(10, 10)));
        AgentStatus.SchedulerStats next = sampler.sample(TIERS);
        assertThat(next.intervalSeconds()).isEqualTo(4.0);
        critical = next.tiers().getFirst();
        assertThat(critical.cpus()).isEqualTo(1.5);
        assertThat(critical.wakeP50Micros()).isEqualTo(16);
        assertThat(critical.wakeP99Micros()).isEqualTo(2048);
        assertThat(next.tiers().get(1).cpus()).isZero();
        assertThat(next.tiers().get(1).wakeP50Micros()).as("no wake-ups in the interval").isNull();
        assertThat(next.system().cpus()).isEqualTo(0.1);
    }

    @Test
    void aReattachStartsTheIntervalAgain() {
        supervisor.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
        driver.stats = slots(tier(9_000_000_000L, 0, hist(0, 0)), TierStats.ZERO, TierStats.ZERO);
        sampler.sample(TIERS);
        supervisor.standDown();
        assertThat(sampler.sample(TIERS).available()).isFalse();
        assertThat(sampler.sample(TIERS).why()).startsWith("no scheduler loaded");
        supervisor.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
        driver.stats = slots(tier(1_000_000_000L, 0, hist(0, 0)), TierStats.ZERO, TierStats.ZERO);
        nanos.addAndGet(1_000_000_000L);
        AgentStatus.SchedulerStats after = sampler.sample(TIERS);
        assertThat(after.intervalSeconds()).as("new counters: no difference against the old load").isNull();
        assertThat(after.tiers().getFirst().cpus()).isNull();
    }

    @Test
    void aFailedReadIsReportedNotThrown() {
        supervisor.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
        driver.failRead = true;
        AgentStatus.SchedulerStats s = sampler.sample(TIERS);
        assertThat(s.available()).isFalse();
        assertThat(s.why()).contains("reading the scheduler's counters failed").contains("bpf_map_lookup_elem(tier_stats)");
        assertThat(s.tiers()).isEmpty();
        assertThat(s.system()).isNull();
    }

    @Test
    void aDryRunHasNoCountersAndSaysSo() {
        try (DryRunDriver dry = new DryRunDriver("no sched_ext here")) {
            SchedulerSupervisor sup = new SchedulerSupervisor(dry, EjectionBackoff.defaults(), Clock.systemUTC(), e -> { });
            StatsSampler s = new StatsSampler(sup, "no sched_ext here", Clock.systemUTC(), System::nanoTime);
            sup.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
            for (AgentStatus.SchedulerStats st : List.of(s.initial(), s.sample(TIERS))) {
                assertThat(st.available()).isFalse();
                assertThat(st.why()).isEqualTo("dry run: no scheduler is loaded, so nothing is counted (no sched_ext here)");
                assertThat(st.all()).isEmpty();
            }
        }
    }

    static CgroupBandwidth bw(double cpus, long throttled, int source) {
        return new CgroupBandwidth(Math.round(cpus * 100_000_000L), 100_000_000L, 0, 0, 0, throttled, source);
    }

    @Test
    void podThrottlingIsSummedPerTierWithTheTopPodsNamed() {
        supervisor.engage(SchedulerConfig.unweighted(List.of(), Map.of()));
        driver.stats = slots(TierStats.ZERO, TierStats.ZERO, TierStats.ZERO);
        Map<Long, StatsSampler.PodRef> pods = new java.util.HashMap<>();
        Map<Long, CgroupBandwidth> bw = new java.util.HashMap<>();
        // normal: seven limited pods, throttled 0..6 times; critical: one, never throttled.
        for (int i = 0; i < 7; i++) {
            pods.put(100L + i, new StatsSampler.PodRef("ns/n" + i, "normal"));
            bw.put(100L + i, bw(0.5, i, CgroupBandwidth.SOURCE_POD));
        }
        pods.put(200L, new StatsSampler.PodRef("ns/c", "critical"));
        bw.put(200L, bw(2, 0, CgroupBandwidth.SOURCE_KERNEL));
        pods.put(300L, new StatsSampler.PodRef("ns/unlimited", "normal")); // no cgroup_bw entry: no limit
        bw.put(400L, bw(1, 99, CgroupBandwidth.SOURCE_KERNEL));            // not a pod the last pass named
        driver.bandwidth = bw;

        AgentStatus.PodThrottling t = sampler.sample(TIERS, pods).podThrottling();
        assertThat(t.total()).isEqualTo(21);
        assertThat(t.topPerTier()).isEqualTo(StatsSampler.TOP_PODS_PER_TIER);
        assertThat(t.tiers()).extracting(AgentStatus.TierThrottling::tier, AgentStatus.TierThrottling::limited,
                        AgentStatus.TierThrottling::throttled)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("critical", 1, 0L), org.assertj.core.groups.Tuple.tuple("normal", 7, 21L));
        assertThat(t.tiers().get(0).top()).as("only pods that were throttled").isEmpty();
        assertThat(t.tiers().get(1).top()).extracting(AgentStatus.PodThrottled::pod).containsExactly("ns/n6", "ns/n5", "ns/n4", "ns/n3", "ns/n2");
        assertThat(t.tiers().get(1).top().getFirst()).isEqualTo(new AgentStatus.PodThrottled("ns/n6", 6, 0.5, "pod ceiling"));
    }

    @Test
    void withoutCountersThereIsNoThrottling() {
        assertThat(sampler.sample(TIERS, Map.of(1L, new StatsSampler.PodRef("ns/a", "normal"))).podThrottling()).isNull();
    }
}
