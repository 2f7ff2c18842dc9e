package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpsTrimTest {
    /** select_cpu at 0, cgroup_set_bandwidth at 8, timeout_ms (u32) at 16, name at 24 (8 bytes here). */
    static final KernelBtf.Struct OPS = new KernelBtf.Struct(32, List.of(new KernelBtf.Member("select_cpu", 0),
            new KernelBtf.Member("cgroup_set_bandwidth", 64), new KernelBtf.Member("timeout_ms", 128), new KernelBtf.Member("name", 192)));

    @Test
    void onlyASetMemberTheKernelLacksIsClearedAndOnlyItsBytes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(32);
            v.set(ValueLayout.JAVA_LONG, 0, 0x1111L);
            v.set(ValueLayout.JAVA_LONG, 8, 0x2222L);
            v.set(ValueLayout.JAVA_INT, 16, 10_000);
            v.set(ValueLayout.JAVA_BYTE, 24, (byte) 't');
            // 6.12: no cgroup_set_bandwidth; every other member there.
            assertThat(OpsTrim.clear(OPS, v, Set.of("select_cpu", "timeout_ms", "name"))).containsExactly("cgroup_set_bandwidth");
            assertThat(v.get(ValueLayout.JAVA_LONG, 8)).isZero();
            assertThat(v.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1111L);
            assertThat(v.get(ValueLayout.JAVA_INT, 16)).isEqualTo(10_000);
            assertThat(v.get(ValueLayout.JAVA_BYTE, 24)).isEqualTo((byte) 't');
            // A member the kernel lacks but the object leaves zero needs nothing: nothing to report.
            assertThat(OpsTrim.clear(OPS, v, Set.of("select_cpu", "timeout_ms", "name"))).isEmpty();
            // A kernel with every member: the value as built.
            assertThat(OpsTrim.clear(OPS, v, Set.of("select_cpu", "cgroup_set_bandwidth", "timeout_ms", "name"))).isEmpty();
            assertThat(v.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1111L);
        }
    }

    @Test
    void aValueShorterThanTheStructIsNotWrittenPastItsEnd() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(20);
            v.set(ValueLayout.JAVA_INT, 16, 7);
            // timeout_ms runs to name's start (24), past the value's end, and name starts past it:
            // neither is touched.
            assertThat(OpsTrim.clear(OPS, v, Set.of("select_cpu", "cgroup_set_bandwidth"))).isEmpty();
            assertThat(v.get(ValueLayout.JAVA_INT, 16)).isEqualTo(7);
        }
    }
}
