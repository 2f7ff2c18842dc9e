package codes.temper.cli;

import codes.temper.log.Logging;
import codes.temper.text.Printable;
import codes.temper.text.Redaction;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code temper} command line. Exit codes: 0 ok, 1 invalid input or failed check, 2 usage. */
@Command(name = "temper", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Kernel-level CPU QoS tiers for Kubernetes nodes.",
        subcommands = {PlanCommand.class, ValidateCommand.class, TestCommand.class, BenchCommand.class, AgentCommand.class, ControllerCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        // Before anything logs: logging must outlive the shutdown hook that stands the scheduler down.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
        // One line per event from the first record on, libraries included; agent and controller
        // apply their --log-format and --log-level over this once their options are parsed. A
        // configuration given with -Djava.util.logging.config.file is left to stand until then.
        if (System.getProperty("java.util.logging.config.class") == null && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.config.class", Logging.class.getName());
        }
        System.exit(run(System.out, System.err, args));
    }

    /** Runs one command with the given streams; never throws, never prints a stack trace. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("temper: " + Printable.escape(Redaction.text(e.getMessage() == null ? e.toString() : e.getMessage())));
            if (System.getenv("TEMPER_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 1;
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (OutOfMemoryError e) {
            // Inputs are bounded so this should not happen; if it does, say so in one line.
            err.println("temper: out of memory (" + e.getMessage() + "); raise -Xmx with TEMPER_JAVA_OPTS");
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"temper " + (v == null ? "dev" : v)};
        }
    }
}
