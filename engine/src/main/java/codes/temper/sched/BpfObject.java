package codes.temper.sched;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A scheduler object (ELF) held in memory: the copy built from bpf/temper.bpf.c and packaged in
 * the jar, or a file named on the command line (the kernel lab's faulty variants).
 *
 * @param name   the object name libbpf gives it (prefix of its internal maps)
 * @param elf    the object file's bytes
 * @param origin where it came from, for messages
 */
public record BpfObject(String name, byte[] elf, String origin) {
    /** Where bpf/build.sh's output sits in the jar (engine/pom.xml copies it there). */
    public static final String RESOURCE = "/codes/temper/sched/temper.bpf.o";

    /** The object packaged in the jar, or empty when the jar was built without clang. */
    public static Optional<BpfObject> packaged() {
        try (InputStream in = BpfObject.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return Optional.empty();
            return Optional.of(new BpfObject("temper", in.readAllBytes(), "jar:" + RESOURCE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + " from the jar: " + e.getMessage(), e);
        }
    }

    public static BpfObject file(Path path) throws IOException {
        return new BpfObject("temper", Files.readAllBytes(path), path.toString());
    }
}
