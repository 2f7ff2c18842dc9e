package codes.temper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 25, point 12: Maven, run the way the launcher ({@code ./temper}) and {@code ./run-tests}
 * run it, writes no ANSI escape on its output. Debian's Maven 3.8 with Jansi 2 wrote
 * {@code ESC[0m} when it installed and uninstalled its console streams, even with
 * {@code -Dstyle.color=never}. The command is the launcher's own Maven line with the phase
 * replaced by {@code validate} (the escapes came from Maven's start and end, not from a plugin),
 * run in the repository root so that {@code .mvn/jvm.config} applies as it does for a user.
 */
class BuildOutputTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LAUNCHER_MVN = Pattern.compile("\\(cd \"\\$root\" && (mvn [^>)]*?) -DskipTests package");

    static List<String> launcherMaven() throws IOException {
        Matcher m = LAUNCHER_MVN.matcher(Files.readString(REPO.resolve("temper")));
        assertThat(m.find()).as("./temper builds with mvn ... -DskipTests package").isTrue();
        List<String> cmd = new ArrayList<>(List.of(m.group(1).split("\\s+")));
        cmd.add("validate");
        return cmd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"launcher", "run-tests"})
    void mavenPrintsNoEscapeSequences(String how) throws Exception {
        List<String> cmd = how.equals("launcher") ? launcherMaven() : List.of("mvn", "-B", "-ntp", "validate");
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).as(String.join(" ", cmd) + " printed: " + text.replace("\u001b", "ESC")).doesNotContain("\u001b");
    }
}
