package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code temper} command in a JVM of its own, as a user runs it: its output to a log file, no input. */
public final class TemperProcess {
    private static final Pattern STATUS_API = Pattern.compile("status API on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern STARTED = Pattern.compile("temper agent \\S+ started: ");

    private TemperProcess() {
    }

    /** Starts {@code temper ARGS} on this JVM's Java and the test classpath. */
    public static Process start(Path log, String... args) throws IOException {
        // The agent's default --cache-dir is the node's /var/lib/temper: a test must never write there.
        if (args.length > 0 && args[0].equals("agent") && !List.of(args).contains("--help")) {
            assertThat(List.of(args)).as("a test agent's own --cache-dir").contains("--cache-dir");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        return p;
    }

    /** The port of an agent started with {@code --port 0} as soon as it listens, before it may have started. */
    public static int listeningPort(Process agent, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STATUS_API.matcher(Files.readString(log));
            if (m.find()) return Integer.parseInt(m.group(1));
            assertThat(agent.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("no status API line in the log:\n" + Files.readString(log));
    }

    /**
     * The port of an agent started with {@code --port 0}: the agent logs where it listens. Returns
     * once the agent has also logged that it started: the API listens while the agent still reads
     * its inputs, and answers 503 "agent starting" until its loop exists.
     */
    public static int statusPort(Process agent, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            Matcher m = STATUS_API.matcher(text);
            if (m.find() && STARTED.matcher(text).find()) return Integer.parseInt(m.group(1));
            assertThat(agent.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("no status API line in the log:\n" + Files.readString(log));
    }
}
