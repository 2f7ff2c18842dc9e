package codes.temper.sched;

/** A libbpf call failed; carries the call and errno so an operator can look it up. */
public final class BpfException extends Exception {
    private final int errno;

    BpfException(String call, int errno) {
        super(call + " failed: errno " + errno + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** The errno values libbpf and the bpf() syscall return in practice. */
    static final class Errno {
        private Errno() {
        }

        static String name(int e) {
            return switch (Math.abs(e)) {
                case 1 -> "EPERM: not privileged (CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN, needed)";
                case 2 -> "ENOENT: no such file, map entry or kernel symbol";
                case 7 -> "E2BIG";
                case 9 -> "EBADF";
                case 12 -> "ENOMEM";
                case 13 -> "EACCES: the verifier rejected a program";
                case 16 -> "EBUSY: another sched_ext scheduler is attached";
                case 17 -> "EEXIST";
                case 22 -> "EINVAL";
                case 95 -> "EOPNOTSUPP";
                case 524 -> "ENOTSUPP: the kernel lacks a feature the object needs (sched_ext?)";
                default -> "see errno(3)";
            };
        }
    }
}
