package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * Why the kernel (or the scheduler itself) ended the scheduler: {@code struct temper_exit} in
 * bpf/temper.h, written by ops.exit. {@code kind} 0 means it has not exited.
 */
public record ExitInfo(long kind, long exitCode, String reason, String message, String dump) {
    static final int REASON_LEN = 128, MSG_LEN = 512, DUMP_LEN = 2048;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("kind"),
            JAVA_LONG.withName("exit_code"),
            MemoryLayout.sequenceLayout(REASON_LEN, JAVA_BYTE).withName("reason"),
            MemoryLayout.sequenceLayout(MSG_LEN, JAVA_BYTE).withName("msg"),
            MemoryLayout.sequenceLayout(DUMP_LEN, JAVA_BYTE).withName("dump")).withName("temper_exit");

    public static final ExitInfo NONE = new ExitInfo(0, 0, "", "", "");

    /** Without the dump (an object from before it was appended, or none taken). */
    public ExitInfo(long kind, long exitCode, String reason, String message) {
        this(kind, exitCode, reason, message, "");
    }

    /** The scheduler's own lines of the kernel's debug dump (ops.dump: each tier's queues, floor and budget). */
    public java.util.List<String> schedulerDump() {
        return dump.lines().map(String::strip).filter(l -> l.startsWith("temper: ")).toList();
    }

    public boolean exited() {
        return kind != 0;
    }

    static ExitInfo decode(MemorySegment s) {
        return new ExitInfo(s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8), cString(s, 16, REASON_LEN), cString(s, 16 + REASON_LEN, MSG_LEN),
                cString(s, 16 + REASON_LEN + MSG_LEN, DUMP_LEN));
    }

    /** A NUL-terminated string in a fixed buffer; the kernel may have filled it to the last byte. */
    private static String cString(MemorySegment s, long offset, int max) {
        int len = 0;
        while (len < max && s.get(JAVA_BYTE, offset + len) != 0) len++;
        return new String(s.asSlice(offset, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** The kernel's enum scx_exit_kind (include/linux/sched/ext.h), for people. */
    public String kindName() {
        return switch ((int) kind) {
            case 0 -> "none";
            case 1 -> "done";
            case 64 -> "unregistered from user space";
            case 65 -> "unregistered by the BPF program";
            case 66 -> "unregistered by the kernel";
            case 67 -> "disabled by sysrq-S";
            case 68 -> "parent scheduler exited";
            case 1024 -> "runtime error";
            case 1025 -> "BPF error (scx_bpf_error)";
            case 1026 -> "watchdog: a runnable task stalled";
            default -> "kind " + kind;
        };
    }
}
