package codes.temper.sched;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Does this kernel's sched_ext pass cgroup cpu.max to the scheduler? It does when
 * {@code struct sched_ext_ops} in the kernel's BTF has {@code cgroup_set_bandwidth} (6.17+): then
 * the scheduler enforces every cgroup's cpu.max itself. Answers from the BTF file alone (no
 * libbpf, no privileges beyond reading it) and never throws: a missing, unreadable or malformed
 * file is {@link Answer#UNKNOWN} with the reason.
 */
public final class CpuMaxProbe {
    public static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    public static final String OPS = "sched_ext_ops", MEMBER = "cgroup_set_bandwidth";
    /** vmlinux BTF is a few MiB; anything past this is not one. */
    static final int MAX_BYTES = 64 << 20;

    public enum Answer { YES, NO, UNKNOWN }

    /**
     * @param why        for YES the member that was found, else what was missing or went wrong
     * @param opsMembers the kernel's {@code struct sched_ext_ops} members; empty when unknown or
     *                   absent (the scheduler object is then loaded as built, and libbpf decides)
     */
    public record Result(Answer answer, String why, List<String> opsMembers) {
        public Result {
            opsMembers = List.copyOf(opsMembers);
        }

        public Result(Answer answer, String why) {
            this(answer, why, List.of());
        }

        public boolean enforces() {
            return answer == Answer.YES;
        }
    }

    private CpuMaxProbe() {
    }

    public static Result probe() {
        return probe(VMLINUX_BTF);
    }

    public static Result probe(Path btfFile) {
        byte[] blob;
        try (InputStream in = Files.newInputStream(btfFile)) {
            blob = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return new Result(Answer.UNKNOWN, "no kernel BTF at " + btfFile);
        } catch (IOException | RuntimeException e) {
            return new Result(Answer.UNKNOWN, "cannot read " + btfFile + ": " + e.getMessage());
        }
        if (blob.length > MAX_BYTES) return new Result(Answer.UNKNOWN, btfFile + " is larger than " + (MAX_BYTES >> 20) + " MiB");
        Result r = probe(blob);
        return r.answer() == Answer.UNKNOWN ? new Result(Answer.UNKNOWN, btfFile + ": " + r.why(), r.opsMembers()) : r;
    }

    public static Result probe(byte[] blob) {
        try {
            Optional<List<String>> members = KernelBtf.parse(blob).structMembers(OPS);
            if (members.isEmpty()) return new Result(Answer.NO, "the kernel has no " + OPS + " (no sched_ext)");
            if (!members.get().contains(MEMBER)) return new Result(Answer.NO, OPS + " has no " + MEMBER, members.get());
            return new Result(Answer.YES, MEMBER, members.get());
        } catch (KernelBtf.Malformed e) {
            return new Result(Answer.UNKNOWN, "malformed BTF: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Result(Answer.UNKNOWN, "malformed BTF: " + e);
        }
    }
}
