package codes.temper.yaml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Opens a path with {@code O_NONBLOCK} through libc, so the open itself can never wait: a path
 * checked as a regular file and swapped for a FIFO before the open would otherwise block the
 * thread until a writer came, and Java's own open has no such flag. The file type is then read
 * from the descriptor that was opened ({@code /proc/self/fd/N}), not from the path, so what is
 * read is what was checked. Linux only; elsewhere {@link #available()} is false and callers fall
 * back to a check before an ordinary open.
 */
final class NonBlockingRead {

    /** What the opened descriptor turned out to be, and its bytes when it was a regular file. */
    record Result(int fileType, byte[] bytes) {}

    // Linux's generic open(2) flags (x86-64 and arm64 share them).
    private static final int O_RDONLY = 0, O_NOCTTY = 0400, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    private static final int EINTR = 4, ENOENT = 2;
    private static final int CHUNK = 64 * 1024;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private NonBlockingRead() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        if (!System.getProperty("os.name", "").equals("Linux")) return null;
        Optional<MemorySegment> addr = LINKER.defaultLookup().find(name);
        return addr.map(a -> LINKER.downcallHandle(a, fd, Linker.Option.captureCallState("errno"))).orElse(null);
    }

    // Looked up once: every input file read asks.
    private static final boolean AVAILABLE = OPEN != null && READ != null && CLOSE != null && Files.isDirectory(Path.of("/proc/self/fd"));

    static boolean available() {
        return AVAILABLE;
    }

    /**
     * @param regular  the st_mode file type of a regular file; anything else is returned unread
     * @param typeOfFd reads the st_mode file type of an open descriptor's file
     */
    static Result read(Path file, long maxBytes, int regular, TypeOf typeOfFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd;
            do {
                fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            } while (fd < 0 && errno(state) == EINTR);
            if (fd < 0) {
                int e = errno(state);
                if (e == ENOENT) throw new java.nio.file.NoSuchFileException(file.toString());
                throw new IOException("open failed (errno " + e + ")");
            }
            try {
                int type = typeOfFd.of(Path.of("/proc/self/fd/" + fd));
                if (type != regular) return new Result(type, null);
                return new Result(type, readAll(fd, maxBytes, arena, state));
            } finally {
                // A failed close of a read-only descriptor loses nothing.
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("libc call failed: " + t, t);
        }
    }

    /** Reads until end of file or one byte past the limit, so a file over it is seen as such. */
    private static byte[] readAll(int fd, long maxBytes, Arena arena, MemorySegment state) throws Throwable {
        long want = Math.min(Integer.MAX_VALUE - 8, maxBytes + 1);
        MemorySegment buf = arena.allocate(CHUNK);
        byte[] out = new byte[(int) Math.min(want, CHUNK)];
        int len = 0;
        while (len < want) {
            long n = (long) READ.invokeExact(state, fd, buf, Math.min(CHUNK, want - len));
            if (n < 0) {
                if (errno(state) == EINTR) continue;
                throw new IOException("read failed (errno " + errno(state) + ")");
            }
            if (n == 0) break;
            if (len + n > out.length) out = Arrays.copyOf(out, (int) Math.min(want, Math.max(out.length * 2L, len + n)));
            MemorySegment.copy(buf, 0, MemorySegment.ofArray(out), len, n);
            len += (int) n;
        }
        return Arrays.copyOf(out, len);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    @FunctionalInterface
    interface TypeOf {
        int of(Path descriptor) throws IOException;
    }
}
