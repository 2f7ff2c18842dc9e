package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw BTF reader and the cpu.max probe, on synthetic blobs written here and on the host's own BTF. */
class CpuMaxProbeTest {
    @TempDir Path dir;

    /** Writes a raw BTF blob: types as (kind, name, vlen, member names), strings deduplicated. */
    static final class Blob {
        private final ByteOrder order;
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new LinkedHashMap<>();
        private final List<byte[]> types = new ArrayList<>();

        Blob(ByteOrder order) {
            this.order = order;
            strings.write(0);
            offsets.put("", 0);
        }

        Blob() {
            this(ByteOrder.LITTLE_ENDIAN);
        }

        int str(String s) {
            return offsets.computeIfAbsent(s, k -> {
                int at = strings.size();
                strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
                strings.write(0);
                return at;
            });
        }

        private ByteBuffer type(int kind, String name, int vlen, int extra, int sizeOrType) {
            ByteBuffer b = ByteBuffer.allocate(12 + extra).order(order);
            b.putInt(str(name)).putInt((kind << 24) | vlen).putInt(sizeOrType);
            return b;
        }

        Blob integer(String name) {
            ByteBuffer b = type(1, name, 0, 4, 8);
            b.putInt(64);
            types.add(b.array());
            return this;
        }

        Blob pointer() {
            types.add(type(2, "", 0, 0, 1).array());
            return this;
        }

        Blob funcProto(int params) {
            ByteBuffer b = type(13, "", params, 8 * params, 0);
            for (int i = 0; i < params; i++) b.putInt(0).putInt(1);
            types.add(b.array());
            return this;
        }

        Blob enumeration(String name, String... values) {
            ByteBuffer b = type(6, name, values.length, 8 * values.length, 4);
            for (int i = 0; i < values.length; i++) b.putInt(str(values[i])).putInt(i);
            types.add(b.array());
            return this;
        }

        Blob struct(int kind, String name, String... members) {
            ByteBuffer b = type(kind, name, members.length, 12 * members.length, 8 * members.length);
            for (int i = 0; i < members.length; i++) b.putInt(str(members[i])).putInt(2).putInt(64 * i);
            types.add(b.array());
            return this;
        }

        Blob struct(String name, String... members) {
            return struct(KernelBtf.KIND_STRUCT, name, members);
        }

        Blob raw(byte[] type) {
            types.add(type);
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            types.forEach(t::writeBytes);
            byte[] s = strings.toByteArray();
            ByteBuffer b = ByteBuffer.allocate(KernelBtf.HEADER_LEN + t.size() + s.length).order(order);
            b.putShort((short) KernelBtf.MAGIC).put((byte) 1).put((byte) 0).putInt(KernelBtf.HEADER_LEN)
                    .putInt(0).putInt(t.size()).putInt(t.size()).putInt(s.length);
            b.put(t.toByteArray()).put(s);
            return b.array();
        }
    }

    private static Blob kernel617() {
        return new Blob().integer("long unsigned int").pointer().funcProto(2).enumeration("scx_ops_flags", "SCX_OPS_KEEP_BUILTIN_IDLE")
                .struct(KernelBtf.KIND_UNION, "sched_ext_ops", "not_a_struct")
                .struct("sched_ext_ops", "select_cpu", "enqueue", "dispatch", "cgroup_init", "cgroup_set_weight", "cgroup_set_bandwidth", "name");
    }

    @Test
    void kernelWithTheCallbackAnswersYes() {
        assertThat(CpuMaxProbe.probe(kernel617().bytes())).isEqualTo(new CpuMaxProbe.Result(CpuMaxProbe.Answer.YES, "cgroup_set_bandwidth",
                List.of("select_cpu", "enqueue", "dispatch", "cgroup_init", "cgroup_set_weight", "cgroup_set_bandwidth", "name")));
    }

    @Test
    void bigEndianBlobsAreReadInTheirOwnOrder() {
        Blob b = new Blob(ByteOrder.BIG_ENDIAN).integer("int").struct("sched_ext_ops", "enqueue", "cgroup_set_bandwidth");
        assertThat(CpuMaxProbe.probe(b.bytes()).answer()).isEqualTo(CpuMaxProbe.Answer.YES);
    }

    @Test
    void sixTwelveHasOpsWithoutTheCallback() {
        byte[] btf = new Blob().integer("int").struct("sched_ext_ops", "select_cpu", "enqueue", "cgroup_init", "cgroup_set_weight", "name").bytes();
        // The members are what the agent leaves the scheduler's other callbacks out by.
        assertThat(CpuMaxProbe.probe(btf)).isEqualTo(new CpuMaxProbe.Result(CpuMaxProbe.Answer.NO, "sched_ext_ops has no cgroup_set_bandwidth",
                List.of("select_cpu", "enqueue", "cgroup_init", "cgroup_set_weight", "name")));
    }

    @Test
    void kernelWithoutSchedExtHasNoOps() {
        // A union of that name, or a member elsewhere, is not the struct.
        byte[] btf = new Blob().integer("int").struct(KernelBtf.KIND_UNION, "sched_ext_ops", "cgroup_set_bandwidth")
                .struct("other_ops", "cgroup_set_bandwidth").bytes();
        assertThat(CpuMaxProbe.probe(btf)).isEqualTo(new CpuMaxProbe.Result(CpuMaxProbe.Answer.NO, "the kernel has no sched_ext_ops (no sched_ext)"));
    }

    @Test
    void readerListsMembersInOrder() throws Exception {
        assertThat(KernelBtf.parse(kernel617().bytes()).structMembers("sched_ext_ops")).hasValueSatisfying(
                m -> assertThat(m).startsWith("select_cpu", "enqueue").endsWith("cgroup_set_bandwidth", "name"));
        assertThat(KernelBtf.parse(kernel617().bytes()).structMembers("nothing")).isEmpty();
    }

    @Test
    void missingFileIsUnknown() {
        CpuMaxProbe.Result r = CpuMaxProbe.probe(dir.resolve("vmlinux"));
        assertThat(r.answer()).isEqualTo(CpuMaxProbe.Answer.UNKNOWN);
        assertThat(r.why()).contains("no kernel BTF at");
    }

    @Test
    void directoryIsUnknownNotAnException() {
        CpuMaxProbe.Result r = CpuMaxProbe.probe(dir);
        assertThat(r.answer()).isEqualTo(CpuMaxProbe.Answer.UNKNOWN);
        assertThat(r.why()).contains("cannot read");
    }

    @Test
    void fileIsReadAndJudged() throws IOException {
        Path f = Files.write(dir.resolve("vmlinux"), kernel617().bytes());
        assertThat(CpuMaxProbe.probe(f).answer()).isEqualTo(CpuMaxProbe.Answer.YES);
        Files.write(f, new byte[] {1, 2, 3});
        assertThat(CpuMaxProbe.probe(f).why()).startsWith(f + ": malformed BTF: 3 bytes");
    }

    // ---------------------------------------------------------------- bad input

    private static String refused(byte[] btf) {
        CpuMaxProbe.Result r = CpuMaxProbe.probe(btf);
        assertThat(r.answer()).isEqualTo(CpuMaxProbe.Answer.UNKNOWN);
        assertThat(r.why()).startsWith("malformed BTF: ");
        assertThatThrownBy(() -> KernelBtf.parse(btf).structMembers("sched_ext_ops")).isInstanceOf(KernelBtf.Malformed.class);
        return r.why();
    }

    private static byte[] withInt(byte[] btf, int at, int value) {
        byte[] b = btf.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    @Test
    void emptyAndShortBlobsAreRefused() {
        assertThat(refused(new byte[0])).contains("0 bytes: shorter than a BTF header");
        assertThat(refused(new byte[23])).contains("23 bytes");
    }

    @Test
    void wrongMagicOrVersionIsRefused() {
        byte[] b = kernel617().bytes();
        b[0] = 0x7f;
        assertThat(refused(b)).contains("magic 0xeb7f");
        b = kernel617().bytes();
        b[2] = 2;
        assertThat(refused(b)).contains("BTF version 2");
    }

    @Test
    void hugeLengthsAreRefused() {
        byte[] b = kernel617().bytes();
        assertThat(refused(withInt(b, 4, 0x7fffffff))).contains("header length 2147483647");
        assertThat(refused(withInt(b, 4, 8))).contains("header length 8");
        assertThat(refused(withInt(b, 12, -1))).contains("type section").contains("past the end");
        assertThat(refused(withInt(b, 8, -16))).contains("type section");
        assertThat(refused(withInt(b, 20, 0x7fffffff))).contains("string section").contains("past the end");
        assertThat(refused(withInt(b, 20, 0))).contains("does not start with the empty string");
    }

    @Test
    void truncatedBlobsAreRefused() {
        byte[] b = kernel617().bytes();
        for (int cut = 0; cut < b.length; cut += 7) {
            refused(java.util.Arrays.copyOf(b, cut));
        }
    }

    @Test
    void typesThatRunPastTheirSectionAreRefused() {
        // A struct claiming 1000 members in a section that holds two.
        ByteBuffer t = ByteBuffer.allocate(12 + 24).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(0).putInt((KernelBtf.KIND_STRUCT << 24) | 1000).putInt(16);
        assertThat(refused(new Blob().raw(t.array()).bytes())).contains("type 1 at byte 36 runs past the type section's end");
    }

    @Test
    void unknownKindsAndBadNamesAreRefused() {
        ByteBuffer t = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(0).putInt(31 << 24).putInt(0);
        assertThat(refused(new Blob().integer("int").raw(t.array()).bytes())).contains("type 2").contains("kind 31 unknown");

        ByteBuffer s = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        s.putInt(1 << 20).putInt(KernelBtf.KIND_STRUCT << 24).putInt(0);
        assertThat(refused(new Blob().raw(s.array()).bytes())).contains("name offset 1048576 outside the string section");

        byte[] b = new Blob().struct("sched_ext_ops").bytes();
        b[b.length - 1] = 'x'; // the last string loses its NUL
        assertThat(refused(b)).contains("not NUL-terminated");
    }

    /**
     * The host's own kernel: whatever it has, the probe answers from it without an exception, and
     * a readable vmlinux BTF is never UNKNOWN.
     */
    @Test
    void hostKernelAnswers() {
        CpuMaxProbe.Result r = CpuMaxProbe.probe();
        assertThat(r.why()).isNotBlank();
        if (Files.isReadable(CpuMaxProbe.VMLINUX_BTF)) {
            assertThat(r.answer()).as(r.why()).isNotEqualTo(CpuMaxProbe.Answer.UNKNOWN);
            // A kernel without sched_ext (the build hosts' 6.1, a firecracker 6.18) has no sched_ext_ops at all.
            if (!Files.exists(Path.of("/sys/kernel/sched_ext"))) {
                assertThat(r).isEqualTo(new CpuMaxProbe.Result(CpuMaxProbe.Answer.NO, "the kernel has no sched_ext_ops (no sched_ext)"));
            }
        }
        System.out.println("host kernel " + System.getProperty("os.version") + ": " + r);
    }
}
