package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Java mirrors of bpf/temper.h: sizes, offsets and byte-level round trips. */
class CodecsTest {

    @Test
    void layoutsMatchTheCStructs() {
        // sizeof in C (x86_64): temper_tier 4+4+8+8+8, temper_pod 4+4+8, temper_config 8+4+4+8,
        // temper_tier_stats 8*8 + 24*8 + 2*8, temper_exit 8+8+128+512+2048
        assertThat(TierConfig.LAYOUT.byteSize()).isEqualTo(32);
        assertThat(TierConfig.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("floor_mcpu"))).isEqualTo(24);
        assertThat(PodConfig.LAYOUT.byteSize()).isEqualTo(16);
        assertThat(NodeConfig.LAYOUT.byteSize()).isEqualTo(24);
        assertThat(NodeConfig.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("system_floor_mcpu"))).isEqualTo(16);
        assertThat(TierStats.LAYOUT.byteSize()).isEqualTo(272);
        assertThat(TierStats.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("floored"))).isEqualTo(256);
        assertThat(TierStats.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("wake_ns"))).isEqualTo(56);
        assertThat(TierStats.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("wake_hist"))).isEqualTo(64);
        assertThat(NodeConfig.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("flags"))).isEqualTo(12);
        assertThat(ExitInfo.LAYOUT.byteSize()).isEqualTo(656 + 2048);
        assertThat(ExitInfo.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("dump"))).isEqualTo(656);
        assertThat(TierConfig.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("slice_ns"))).isEqualTo(8);
        assertThat(ExitInfo.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg"))).isEqualTo(144);
        // temper_bw: 6*8 + 4 + 4
        assertThat(CgroupBandwidth.LAYOUT.byteSize()).isEqualTo(56);
        assertThat(CgroupBandwidth.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("source"))).isEqualTo(48);
        assertThat(BpfScheduler.CONTRACT).containsEntry("cgroup_bw", 56L);
    }

    @Test
    void bandwidthEntryDecodesAsTheSchedulerWritesIt() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(CgroupBandwidth.LAYOUT);
            s.set(ValueLayout.JAVA_LONG, 0, 50_000_000L);
            s.set(ValueLayout.JAVA_LONG, 8, 100_000_000L);
            s.set(ValueLayout.JAVA_LONG, 16, 0L);
            s.set(ValueLayout.JAVA_LONG, 24, -1_500L);
            s.set(ValueLayout.JAVA_LONG, 32, 123_456_789L);
            s.set(ValueLayout.JAVA_LONG, 40, 77L);
            s.set(ValueLayout.JAVA_INT, 48, CgroupBandwidth.SOURCE_KERNEL);
            CgroupBandwidth bw = CgroupBandwidth.decode(s);
            assertThat(bw).isEqualTo(new CgroupBandwidth(50_000_000L, 100_000_000L, 0, -1_500L, 123_456_789L, 77, 1));
            assertThat(bw.cpus()).isEqualTo(0.5);
            assertThat(bw.sourceName()).isEqualTo("cpu.max");
            assertThat(new CgroupBandwidth(1, 0, 0, 0, 0, 0, 2).cpus()).isZero();
            assertThat(new CgroupBandwidth(1, 0, 0, 0, 0, 0, 2).sourceName()).isEqualTo("pod ceiling");
            assertThat(new CgroupBandwidth(1, 0, 0, 0, 0, 0, 9).sourceName()).isEqualTo("source 9");
        }
    }

    @Test
    void tierConfigEncodesFlagsAndFieldsWhereTheSchedulerReadsThem() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(TierConfig.LAYOUT);
            new TierConfig(3, true, true, 5_000_000, 1978).encode(s);
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).isEqualTo(3);
            assertThat(s.get(ValueLayout.JAVA_INT, 4)).isEqualTo(TierConfig.ENABLED | TierConfig.PREEMPT);
            assertThat(s.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(5_000_000L);
            assertThat(s.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(1978L);
            assertThat(TierConfig.decode(s)).isEqualTo(new TierConfig(3, true, true, 5_000_000, 1978));

            TierConfig.DISABLED.encode(s);
            assertThat(s.get(ValueLayout.JAVA_INT, 4)).isZero();
        }
    }

    @Test
    void aTiersFloorIsItsOwnValueTheDefaultOrNoneFlagged() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(TierConfig.LAYOUT);
            new TierConfig(4, true, false, 5_000_000, 0, 80).encode(s);
            assertThat(s.get(ValueLayout.JAVA_LONG, 24)).isEqualTo(80L);
            assertThat(s.get(ValueLayout.JAVA_INT, 4) & TierConfig.NO_FLOOR).isZero();
            assertThat(TierConfig.decode(s).floorMillicpus()).isEqualTo(80);
            // No floor at all: 0 with the flag, since a bare 0 is the scheduler's default.
            new TierConfig(4, true, false, 5_000_000, 0, 0).encode(s);
            assertThat(s.get(ValueLayout.JAVA_LONG, 24)).isZero();
            assertThat(s.get(ValueLayout.JAVA_INT, 4) & TierConfig.NO_FLOOR).isEqualTo(TierConfig.NO_FLOOR);
            assertThat(TierConfig.decode(s).floorMillicpus()).isZero();
            new TierConfig(4, true, false, 5_000_000, 0).encode(s);
            assertThat(s.get(ValueLayout.JAVA_LONG, 24)).isZero();
            assertThat(s.get(ValueLayout.JAVA_INT, 4) & TierConfig.NO_FLOOR).isZero();
            assertThat(TierConfig.decode(s).floorMillicpus()).isEqualTo(TierConfig.DEFAULT_FLOOR);
        }
        assertThatThrownBy(() -> new TierConfig(0, true, false, 1, 0, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nodeConfigCarriesTheSystemFloor() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(NodeConfig.LAYOUT);
            new NodeConfig(77, 2, 800).encode(s);
            assertThat(s.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(800L);
            assertThat(NodeConfig.decode(s)).isEqualTo(new NodeConfig(77, 2, 800));
        }
        assertThatThrownBy(() -> new NodeConfig(1, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeFieldsAreRefused() {
        assertThatThrownBy(() -> new TierConfig(0, true, false, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void podEntryIsTierThenWeightThenCeilingAndBatchesLieBackToBack() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(PodConfig.LAYOUT, 2);
            new PodConfig(2, 39, 500).encode(s, 0);
            new PodConfig(4, 10_000).encode(s, PodConfig.LAYOUT.byteSize());
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).as("the tier index first, as bpftool recipes read it").isEqualTo(2);
            assertThat(s.get(ValueLayout.JAVA_INT, 4)).isEqualTo(39);
            assertThat(s.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(500L);
            assertThat(s.get(ValueLayout.JAVA_INT, 16)).isEqualTo(4);
            assertThat(s.get(ValueLayout.JAVA_INT, 20)).isEqualTo(10_000);
            assertThat(s.get(ValueLayout.JAVA_LONG, 24)).as("no ceiling of its own").isZero();
            assertThat(PodConfig.decode(s, 0)).isEqualTo(new PodConfig(2, 39, 500));
            assertThat(PodConfig.decode(s, 16)).isEqualTo(new PodConfig(4, 10_000));
        }
    }

    @Test
    void configCarriesThePodsRootAndTheDefaultTierFlag() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(NodeConfig.LAYOUT);
            new NodeConfig(0x1_0000_2a2bL, 2).encode(s);
            assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1_0000_2a2bL);
            assertThat(s.get(ValueLayout.JAVA_INT, 8)).isEqualTo(2);
            assertThat(s.get(ValueLayout.JAVA_INT, 12)).isEqualTo(NodeConfig.DEFAULT_TIER);
            assertThat(NodeConfig.decode(s)).isEqualTo(new NodeConfig(0x1_0000_2a2bL, 2));

            // Without a default tier the flag is clear and the field zero: the scheduler picks.
            new NodeConfig(77, -1).encode(s);
            assertThat(s.get(ValueLayout.JAVA_INT, 8)).isZero();
            assertThat(s.get(ValueLayout.JAVA_INT, 12)).isZero();
            assertThat(NodeConfig.decode(s)).isEqualTo(new NodeConfig(77, -1));
            // A default tier 0 (critical) is told apart from "none" by the flag alone.
            new NodeConfig(77, 0).encode(s);
            assertThat(s.get(ValueLayout.JAVA_INT, 12)).isEqualTo(NodeConfig.DEFAULT_TIER);
            assertThat(NodeConfig.decode(a.allocate(NodeConfig.LAYOUT))).isEqualTo(NodeConfig.NONE);
        }
    }

    @Test
    void perCpuStatsAreSummedFieldByFieldIncludingTheHistogram() {
        int fields = 8 + TierStats.LAT_BUCKETS + 2;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(TierStats.LAYOUT.byteSize() * 3, 8);
            // cpu c, field f holds (c + 1) * 1000 + f: every field distinct, so a shifted offset shows
            for (int cpu = 0; cpu < 3; cpu++) {
                for (int f = 0; f < fields; f++) s.set(ValueLayout.JAVA_LONG, cpu * 272L + f * 8L, (cpu + 1) * 1000L + f);
            }
            TierStats sum = TierStats.sumPerCpu(s, 3);
            assertThat(sum.runtimeNs()).isEqualTo(6000);
            assertThat(sum.enqueued()).isEqualTo(6003);
            assertThat(sum.dispatched()).isEqualTo(6006);
            assertThat(sum.throttled()).isEqualTo(6009);
            assertThat(sum.direct()).isEqualTo(6012);
            assertThat(sum.preempts()).isEqualTo(6015);
            assertThat(sum.wakeups()).isEqualTo(6018);
            assertThat(sum.wakeNs()).isEqualTo(6021);
            for (int i = 0; i < TierStats.LAT_BUCKETS; i++) assertThat(sum.bucket(i)).as("bucket %d", i).isEqualTo(6000 + 3L * (8 + i));
            assertThat(TierStats.sumPerCpu(s, 1).runtimeNs()).isEqualTo(1000);
            assertThat(sum.floored()).isEqualTo(6000 + 3L * 32);
            assertThat(sum.rescued()).isEqualTo(6000 + 3L * 33);
            assertThat(TierStats.sumPerCpu(s, 1).bucket(23)).isEqualTo(1031);
            assertThat(TierStats.sumPerCpu(s, 2).plus(TierStats.sumPerCpu(s.asSlice(544), 1))).isEqualTo(sum);
        }
    }

    @Test
    void wakeQuantilesAreTheUpperBoundOfTheirBucket() {
        long[] hist = new long[TierStats.LAT_BUCKETS];
        assertThat(TierStats.quantileMicros(hist, 0.5)).isEmpty();
        hist[3] = 50;  // 4..8 us
        hist[6] = 49;  // 32..64 us
        hist[12] = 1;  // 2..4 ms
        assertThat(TierStats.quantileMicros(hist, 0.5)).hasValue(8);
        assertThat(TierStats.quantileMicros(hist, 0.51)).hasValue(64);
        assertThat(TierStats.quantileMicros(hist, 0.99)).hasValue(64);
        assertThat(TierStats.quantileMicros(hist, 1.0)).hasValue(4096);
        hist[23] = 100; // beyond 2^22 us: no upper bound, the estimate is the lower one
        assertThat(TierStats.quantileMicros(hist, 0.99)).hasValue(1L << 22);
        TierStats t = new TierStats(0, 0, 0, 0, 0, 0, 200, 0, hist);
        assertThat(t.wakeQuantileMicros(0.5)).as("the 100th of 200").hasValue(4096);
        assertThat(TierStats.bucketUpperMicros(0)).isEqualTo(1);
        assertThat(TierStats.bucketUpperMicros(22)).isEqualTo(1L << 22);
        assertThat(TierStats.bucketUpperMicros(23)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> TierStats.quantileMicros(hist, 0)).isInstanceOf(IllegalArgumentException.class);
        hist[0] = 1_000_000; // the record keeps its own copy
        assertThat(t.bucket(0)).isZero();
    }

    @Test
    void exitInfoKeepsTheSchedulersLinesOfTheKernelsDump() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(ExitInfo.LAYOUT);
            s.set(ValueLayout.JAVA_LONG, 0, 1026);
            byte[] dump = ("""
                    Debug dump triggered by error: runnable task stall
                    ops.dump:
                      temper: tier 0 queued 2 floor_left_us 0 ceiling_left_us 0 last_served_ms_ago 3
                      temper: tier 4 queued 1000 floor_left_us -120 ceiling_left_us 0 last_served_ms_ago 7
                    CPU states
                    """).getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(dump, 0, s, ValueLayout.JAVA_BYTE, 656, dump.length);
            assertThat(ExitInfo.decode(s).schedulerDump()).containsExactly(
                    "temper: tier 0 queued 2 floor_left_us 0 ceiling_left_us 0 last_served_ms_ago 3",
                    "temper: tier 4 queued 1000 floor_left_us -120 ceiling_left_us 0 last_served_ms_ago 7");
        }
        assertThat(ExitInfo.NONE.schedulerDump()).isEmpty();
    }

    @Test
    void exitInfoReadsNulTerminatedAndFullBuffers() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(ExitInfo.LAYOUT);
            s.set(ValueLayout.JAVA_LONG, 0, 1026);
            s.set(ValueLayout.JAVA_LONG, 8, -1);
            byte[] reason = "runnable task stall".getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(reason, 0, s, ValueLayout.JAVA_BYTE, 16, reason.length);
            for (int i = 0; i < ExitInfo.MSG_LEN; i++) s.set(ValueLayout.JAVA_BYTE, 144 + i, (byte) 'x');
            ExitInfo e = ExitInfo.decode(s);
            assertThat(e.exited()).isTrue();
            assertThat(e.exitCode()).isEqualTo(-1);
            assertThat(e.reason()).isEqualTo("runnable task stall");
            assertThat(e.message()).hasSize(ExitInfo.MSG_LEN).matches("x+");
            assertThat(e.kindName()).contains("watchdog");
        }
    }

    @Test
    void aZeroedExitInfoMeansStillRunning() {
        try (Arena a = Arena.ofConfined()) {
            ExitInfo e = ExitInfo.decode(a.allocate(ExitInfo.LAYOUT));
            assertThat(e).isEqualTo(ExitInfo.NONE);
            assertThat(e.exited()).isFalse();
        }
    }
}
