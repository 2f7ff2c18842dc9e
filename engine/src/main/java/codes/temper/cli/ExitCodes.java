package codes.temper.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * The exit codes of every command, shown under "Exit codes:" in its {@code --help}. One table, so
 * that a command added later without an entry fails {@code CommandLineContractTest} instead of
 * shipping a help page with only the general codes. 2 is picocli's usage error everywhere; 1 is what
 * {@link Main}'s exception handler returns.
 */
final class ExitCodes {
    static final String USAGE = "Usage error: an unknown option, a missing or invalid value (the message names the option).";

    private static final Map<String, String[]> BY_COMMAND = Map.ofEntries(
            Map.entry("temper", new String[] {"The command succeeded.", "The command failed (see the command's own --help).", USAGE}),
            Map.entry("plan", new String[] {"The plan was printed.",
                    "Invalid policy, snapshot or node (file:line:column on stderr), Git or API server unreachable.", USAGE}),
            Map.entry("validate", new String[] {"The policy is valid.", "Problems were found (file:line:column on stderr, or in -o json|yaml).",
                    USAGE}),
            Map.entry("test", new String[] {"Every policy test passed.", "A test failed, or the policy or a test file is invalid.", USAGE}),
            Map.entry("status", new String[] {"The nodes were listed (whatever their modes).",
                    "The cluster could not be read (kubeconfig, context, API server, permissions).", USAGE}),
            Map.entry("bench", new String[] {"The benchmark ran.", "It could not run (policy unreadable, a child JVM failed).", USAGE}),
            Map.entry("agent", new String[] {"Stopped by SIGTERM after standing the scheduler down (the node runs CFS).",
                    "Could not start (policy source, API server, status port).", USAGE}),
            Map.entry("controller", new String[] {"Stopped by SIGTERM after the pass in flight.",
                    "Could not start (kubeconfig, API server).", USAGE}),
            Map.entry("completion", new String[] {"The script was printed.", null, USAGE}),
            Map.entry("help", new String[] {"Help was printed.", null, USAGE}));

    private ExitCodes() {
    }

    /** True when {@code command} has its own entry (CommandLineContractTest requires one for every command). */
    static boolean documented(String command) {
        return BY_COMMAND.containsKey(command);
    }

    /**
     * Adds the list to {@code cli} and every subcommand below it. A command missing from the table
     * gets the general list rather than failing the whole command line at start; the test catches it.
     */
    static void document(CommandLine cli) {
        String[] codes = BY_COMMAND.getOrDefault(cli.getCommandSpec().name(), BY_COMMAND.get("temper"));
        Map<String, String> list = new LinkedHashMap<>();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] != null) list.put(Integer.toString(i), codes[i]); // null: the command never returns that code
        }
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(list);
        cli.getSubcommands().values().forEach(ExitCodes::document);
    }
}
