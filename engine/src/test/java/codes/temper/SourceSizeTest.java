package codes.temper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house's size for a class doing one job: no main source file over {@value #MAX_LINES} lines
 * (issue 25: {@code cli/Agent.java} had grown to 456, {@code policy/PolicyParser.java} to 432).
 * A file that needs more is doing more than one job: split it by job, not by line count.
 */
class SourceSizeTest {
    static final int MAX_LINES = 400;

    @Test
    void noMainSourceFileIsOverTheHouseSize() throws IOException {
        List<String> over;
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            over = s.filter(p -> p.toString().endsWith(".java")).map(p -> {
                try (Stream<String> lines = Files.lines(p)) {
                    long n = lines.count();
                    return n > MAX_LINES ? p + ": " + n + " lines" : null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(java.util.Objects::nonNull).sorted().toList();
        }
        assertThat(over).as("main source files over " + MAX_LINES + " lines").isEmpty();
    }
}
