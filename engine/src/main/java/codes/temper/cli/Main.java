package codes.temper.cli;

import codes.temper.build.BuildInfo;
import codes.temper.log.Logging;
import codes.temper.text.Printable;
import codes.temper.text.Redaction;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code temper} command line. Each command's exit codes are in its {@code --help} ({@link ExitCodes}). */
@Command(name = "temper", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = Main.DESCRIPTION,
        subcommands = {PlanCommand.class, ValidateCommand.class, TestCommand.class, StatusCommand.class, BenchCommand.class,
                AgentCommand.class, ControllerCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    static final String DESCRIPTION = "Kernel-level CPU QoS tiers for Kubernetes nodes.";

    /**
     * The root of {@code temper agent}'s own tree: Main as picocli sees it, less the subcommands
     * it would build from Main's annotation (see {@link Main#commandLine(InputStream, String...)}).
     */
    @Command(name = "temper", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = DESCRIPTION)
    static final class AgentRoot {
    }

    /** What {@code -} reads ({@code --pods -}); a field so that tests can hand a command its input. */
    private final InputStream stdin;

    /** The command tree on the process's standard input (what tests that only parse arguments build). */
    public Main() {
        this(System.in);
    }

    private Main(InputStream stdin) {
        this.stdin = stdin;
    }

    InputStream stdin() {
        return stdin;
    }

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
        // The agent's slowest start-up task needs none of its options: begun before they are parsed.
        if (args.length > 0 && args[0].equals("agent")) AgentCommand.beforeParsing(args);
        System.exit(run(System.in, System.out, System.err, args));
    }

    /** Runs one command with the given streams; never throws, never prints a stack trace. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(InputStream.nullInputStream(), out, err, args);
    }

    /** As {@link #run(PrintStream, PrintStream, String...)}, with {@code in} as standard input. */
    public static int run(InputStream in, PrintStream out, PrintStream err, String... args) {
        return run(commandLine(in, args), out, err, args);
    }

    /** Runs {@code args} on the tree {@code cli} (tests compare the agent's own tree with the whole one). */
    static int run(CommandLine cli, PrintStream out, PrintStream err, String... args) {
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
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

    /** The whole command tree as it runs, also what {@code temper completion} describes. */
    static CommandLine commandLine(InputStream in) {
        return configure(new CommandLine(new Main(in)));
    }

    /**
     * The tree that runs {@code args}: for {@code temper agent ...} the root with the agent command
     * alone, else the whole tree. Picocli reflects over every command's options when the tree is
     * built (a third of a second of the agent's start on a cold JVM, before anything else can
     * begin); past its first argument {@code agent} a command line never reaches a sibling
     * command, so the agent's help, version, errors and exit codes are the same either way
     * ({@code CommandLineContractTest}).
     */
    static CommandLine commandLine(InputStream in, String... args) {
        if (args.length == 0 || !args[0].equals("agent")) return commandLine(in);
        return configure(new CommandLine(new AgentRoot()).addSubcommand(AgentCommand.class));
    }

    private static CommandLine configure(CommandLine cli) {
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        ExitCodes.document(cli);
        versionEverywhere(cli);
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(ansi(System.getenv())));
        cli.setParameterExceptionHandler(Main::usageError);
        return cli;
    }

    /**
     * Colour in help only where the terminal takes it: never with {@code NO_COLOR} set
     * (no-color.org) or {@code TERM=dumb}; picocli's detection otherwise (a terminal, not a pipe).
     */
    static CommandLine.Help.Ansi ansi(java.util.Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return CommandLine.Help.Ansi.OFF;
        if ("dumb".equals(env.get("TERM"))) return CommandLine.Help.Ansi.OFF;
        return CommandLine.Help.Ansi.AUTO;
    }

    /**
     * A usage error as kubectl reports one: what is wrong, a suggestion for a misspelt option or
     * command, and where the help is; not the whole help, which buries the one line that matters.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        if (args.length == 0) {
            // "temper" alone: someone finding their way in; the commands are what they need.
            cmd.usage(err, cmd.getColorScheme());
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }
        err.println("temper: " + Printable.escape(e.getMessage()));
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            err.println("Did you mean: " + Printable.escape(String.join(" or ", u.getSuggestions())) + "?");
        }
        err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** {@code temper plan --version} answers like {@code temper --version}, not with an empty line. */
    private static void versionEverywhere(CommandLine c) {
        c.getCommandSpec().versionProvider(new Version());
        c.getSubcommands().values().forEach(Main::versionEverywhere);
    }

    /**
     * The version Maven built ({@link BuildInfo}, filtered at build time, so the jar and the
     * build's classes say the same); the jar's manifest is the fallback. Only a build that
     * bypassed Maven says {@code dev}.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"temper " + version()};
        }

        static String version() {
            if (!BuildInfo.VERSION.equals("dev")) return BuildInfo.VERSION;
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }
    }
}
