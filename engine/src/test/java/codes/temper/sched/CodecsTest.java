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
        // sizeof in C (x86_64): temper_tier 4+4+8+8, temper_tier_stats 4*8, temper_exit 8+8+128+512
        assertThat(TierConfig.LAYOUT.byteSize()).isEqualTo(24);
        assertThat(TierStats.LAYOUT.byteSize()).isEqualTo(32);
        assertThat(ExitInfo.LAYOUT.byteSize()).isEqualTo(656);
        assertThat(TierConfig.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("slice_ns"))).isEqualTo(8);
        assertThat(ExitInfo.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg"))).isEqualTo(144);
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
    void negativeFieldsAreRefused() {
        assertThatThrownBy(() -> new TierConfig(0, true, false, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perCpuStatsAreSummed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(32 * 3, 8);
            long[][] perCpu = {{100, 1, 2, 0}, {250, 3, 3, 1}, {0, 0, 0, 7}};
            for (int cpu = 0; cpu < 3; cpu++) {
                for (int f = 0; f < 4; f++) s.set(ValueLayout.JAVA_LONG, cpu * 32L + f * 8L, perCpu[cpu][f]);
            }
            assertThat(TierStats.sumPerCpu(s, 3)).isEqualTo(new TierStats(350, 4, 5, 8));
            assertThat(TierStats.sumPerCpu(s, 2)).isEqualTo(new TierStats(350, 4, 5, 1));
        }
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
