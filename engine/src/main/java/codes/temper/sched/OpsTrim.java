package codes.temper.sched;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Clears the members of a struct_ops value that the running kernel's struct lacks: libbpf leaves a
 * zeroed member out of the load (its program too) and refuses a set one. Apart from
 * {@link BpfScheduler} so the byte work is tested on a plain buffer.
 */
final class OpsTrim {
    private OpsTrim() {
    }

    /**
     * @param local  the struct as the object declares it (member offsets)
     * @param value  the object's value of it, {@code local.size()} bytes or fewer
     * @param kernel the members the kernel's struct has
     * @return the members cleared (set in the object, absent in the kernel), in declaration order
     */
    static List<String> clear(KernelBtf.Struct local, MemorySegment value, Set<String> kernel) {
        List<KernelBtf.Member> members = local.members();
        long size = value.byteSize();
        List<String> cleared = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            KernelBtf.Member m = members.get(i);
            if (kernel.contains(m.name())) continue;
            // A member runs to the next one's start (or the struct's end): its padding goes with it.
            long from = m.bitOffset() / 8, to = i + 1 < members.size() ? members.get(i + 1).bitOffset() / 8 : size;
            if (from >= to || to > size) continue;
            MemorySegment field = value.asSlice(from, to - from);
            boolean set = false;
            for (long b = 0; b < field.byteSize() && !set; b++) set = field.get(ValueLayout.JAVA_BYTE, b) != 0;
            if (!set) continue;
            field.fill((byte) 0);
            cleared.add(m.name());
        }
        return List.copyOf(cleared);
    }
}
