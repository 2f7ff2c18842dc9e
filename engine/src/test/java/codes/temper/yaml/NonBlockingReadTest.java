package codes.temper.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open behind every input file read: it never waits, and it reports the type of what it
 * opened, so a path swapped for a FIFO between the check and the open is refused, not waited on.
 */
class NonBlockingReadTest {

    static final int S_IFREG = 0100000, S_IFIFO = 0010000, S_IFMT = 0170000;

    @TempDir
    Path dir;

    static int type(Path p) throws java.io.IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode")) & S_IFMT;
    }

    @Test
    void aFifoOpensWithoutAWriterAndIsReportedUnread() throws Exception {
        assumeTrue(NonBlockingRead.available(), "Linux with /proc/self/fd only");
        Path fifo = dir.resolve("pods.yaml");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        // A bounded wait: an ordinary open of a FIFO with no writer never returns.
        var r = CompletableFuture.supplyAsync(() -> {
            try {
                return NonBlockingRead.read(fifo, 1024, S_IFREG, NonBlockingReadTest::type);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(r.fileType()).isEqualTo(S_IFIFO);
        assertThat(r.bytes()).as("nothing is read from what is not a regular file").isNull();
    }

    @Test
    void aRegularFileIsReadWholeOrOneBytePastTheLimit() throws Exception {
        assumeTrue(NonBlockingRead.available(), "Linux with /proc/self/fd only");
        Path f = dir.resolve("big.yaml");
        byte[] content = "x".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        Files.write(f, content);
        assertThat(NonBlockingRead.read(f, 200_000, S_IFREG, NonBlockingReadTest::type).bytes()).isEqualTo(content);
        assertThat(NonBlockingRead.read(f, 1_000, S_IFREG, NonBlockingReadTest::type).bytes()).hasSize(1_001);
        Files.write(f, new byte[0]);
        assertThat(NonBlockingRead.read(f, 1_000, S_IFREG, NonBlockingReadTest::type).bytes()).isEmpty();
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assumeTrue(NonBlockingRead.available(), "Linux with /proc/self/fd only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NonBlockingRead.read(dir.resolve("gone"), 10, S_IFREG, NonBlockingReadTest::type))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
