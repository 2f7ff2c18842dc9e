package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code temper agent}: the per-node agent, in a cluster (informers) or on snapshot files. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Runs the node agent: policies in, pods mapped to tiers, the sched_ext scheduler driven, status out.",
                "In a cluster it watches its own Node (--node, default $NODE_NAME) and the pods bound to it; with",
                "--pods-file and --node-file it reads snapshots instead and re-reads them when they change.",
                "SIGTERM stands the scheduler down (the node runs CFS) and exits."})
final class AgentCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LogOptions logging;

    @Option(names = "--policies", required = true, paramLabel = "DIR|URL", description = "Policy directory or Git location <url>[#<ref>[:<path>]].")
    String policies;

    @Option(names = "--node", paramLabel = "NAME", defaultValue = "${env:NODE_NAME}",
            description = "This node's name (default: $NODE_NAME; in file mode: the node file's).")
    String node;

    @Option(names = "--pods-file", paramLabel = "FILE", description = "File mode: kubectl get pods -A -o yaml|json output.")
    Path podsFile;

    @Option(names = "--node-file", paramLabel = "FILE", description = "File mode: kubectl get node NAME -o yaml|json output.")
    Path nodeFile;

    @Option(names = "--safe-mode-file", paramLabel = "PATH", description = "Safe mode while this file exists (works without the API server).")
    Path safeModeFile;

    @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = "/var/lib/temper",
            description = "State kept on the node across restarts (default: ${DEFAULT-VALUE}, the chart's): the Git cache, the"
                    + " last-known-good revision, and in api/ the safe-mode request made through the API and the audit trail,"
                    + " restored after a restart. Created if missing; the agent does not start if it cannot write there.")
    Path cacheDir;

    @Option(names = "--git-credentials", paramLabel = "FILE|DIR", description = "Credentials file or mounted Secret for the policy remote.")
    Path gitCredentials;

    @Option(names = "--trusted-keys", paramLabel = "DIR", description = "Accept only commits signed by these OpenPGP keys.")
    Path trustedKeys;

    @Option(names = "--git-timeout", defaultValue = "30s", converter = DurationConverter.Positive.class, paramLabel = "DURATION",
            description = "Timeout of each network operation of the policy source (default: ${DEFAULT-VALUE}).")
    Duration gitTimeout;

    @Option(names = "--poll-interval", defaultValue = "60s", converter = DurationConverter.Positive.class, paramLabel = "DURATION",
            description = "How often the policy source is polled (default: ${DEFAULT-VALUE}).")
    Duration pollInterval;

    /** auto | bpf | dry-run, as people write them (the enum constants are AUTO, BPF, DRY_RUN). */
    static final class DriverModeConverter implements picocli.CommandLine.ITypeConverter<DriverChoice.Mode> {
        @Override
        public DriverChoice.Mode convert(String v) {
            return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "auto" -> DriverChoice.Mode.AUTO;
                case "bpf" -> DriverChoice.Mode.BPF;
                case "dry-run", "dry_run", "dryrun" -> DriverChoice.Mode.DRY_RUN;
                default -> throw new picocli.CommandLine.TypeConversionException("\"" + v + "\": expected auto, bpf or dry-run");
            };
        }
    }

    @Option(names = "--driver", defaultValue = "auto", paramLabel = "auto|bpf|dry-run", converter = DriverModeConverter.class,
            completionCandidates = Candidates.SchedulerDrivers.class,
            description = "Scheduler driver; auto = BPF where it can load, else a dry run that says why (default: ${DEFAULT-VALUE}).")
    DriverChoice.Mode driver;

    @Option(names = "--bpf-object", paramLabel = "FILE", description = "Load this scheduler object instead of the one in the jar (lab use).")
    Path bpfObject;

    @Option(names = "--kernel-btf", defaultValue = "/sys/kernel/btf/vmlinux", paramLabel = "FILE",
            description = "The kernel's BTF, read to learn whether its sched_ext passes cgroup cpu.max to the scheduler (6.17+). Default: ${DEFAULT-VALUE}.")
    Path kernelBtf;

    @Option(names = "--cgroup-root", defaultValue = "/sys/fs/cgroup", paramLabel = "DIR",
            description = "The cgroup v2 hierarchy the kubelet makes pod cgroups in, this machine's (default: ${DEFAULT-VALUE})."
                    + " In file mode too: the snapshot is the node's, the cgroups are this machine's; a cgroup v1 hierarchy makes"
                    + " the node unsupported.")
    Path cgroupRoot;

    @Option(names = "--cgroup-driver", paramLabel = "systemd|cgroupfs", completionCandidates = Candidates.CgroupDrivers.class,
            description = "The kubelet's cgroup driver (default: cgroupfs if <cgroup-root>/kubepods exists, else systemd).")
    CgroupDriver cgroupDriver;

    @Option(names = "--debounce", defaultValue = "200ms", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Quiet time before a burst of events is applied; 0 applies each event at once (default: ${DEFAULT-VALUE}).")
    Duration debounce;

    @Option(names = "--max-delay", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Longest an event waits for its burst to end (default: ${DEFAULT-VALUE}).")
    Duration maxDelay;

    @Option(names = "--resync", defaultValue = "5m", converter = DurationConverter.Positive.class, paramLabel = "DURATION",
            description = "Reconcile this often even without events, to repair drift (default: ${DEFAULT-VALUE}).")
    Duration resync;

    @Option(names = "--port", defaultValue = "9740", paramLabel = "PORT",
            description = "Status API port (default: ${DEFAULT-VALUE}; not 9100, node-exporter's). 0 = any free port.")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS", description = "Status API address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--api-tokens", paramLabel = "FILE", description = "Static bearer tokens (one per line) for POST /safe-mode and GET /audit; they may do everything. "
            + "In a cluster the cluster's own tokens work too (TokenReview, then SubjectAccessReview: get or patch on this node); in file mode, without this file both refuse.")
    Path apiTokens;

    @Option(names = "--audit-file", paramLabel = "FILE", description = "Append audit entries (JSON lines) to this file (default: <cache-dir>/api/audit.jsonl).")
    Path auditFile;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        boolean fileMode = podsFile != null || nodeFile != null;
        if (fileMode && (podsFile == null || nodeFile == null)) {
            throw new ParameterException(spec.commandLine(), "--pods-file and --node-file go together");
        }
        if (!fileMode && (node == null || node.isBlank())) {
            throw new ParameterException(spec.commandLine(), "--node (or $NODE_NAME) is required in a cluster; use --pods-file/--node-file without one");
        }
        KubernetesClient client = fileMode ? null : new KubernetesClientBuilder().build();
        Agent.Options o = new Agent.Options(fileMode ? blankToNull(node) : node, client, podsFile, nodeFile, policies, cacheDir, gitCredentials,
                trustedKeys, gitTimeout, pollInterval, safeModeFile, Duration.ofMillis(20), driver, bpfObject, cgroupRoot, cgroupDriver,
                new Reconciler.Pacing(debounce, maxDelay, resync, Duration.ofSeconds(1)), EjectionBackoff.defaults(),
                new Agent.Api(bind, port, apiTokens, auditFile), kernelBtf);
        Agent agent = new Agent(o).start();
        SignalLog.ignoreAndLog("USR1");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            // SIGTERM: the node goes back to CFS before the process ends.
            System.getLogger(AgentCommand.class.getName()).log(System.Logger.Level.WARNING, "SIGTERM or exit: standing down");
            agent.close();
            if (client != null) client.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * Called with {@code temper agent}'s arguments before they are parsed: starts what the start
     * needs of no option. In file mode ({@code --pods-file} among them) that is the snapshot
     * deserializers ({@link Snapshots#preload()}), the longest task of a file-mode start, which
     * can then run beside picocli and the logging set-up (about a third of a second of main's CPU
     * on a cold JVM). Arguments that turn out invalid cost a daemon thread's work, no output: it
     * logs nothing, so it cannot log before {@code --log-format} applies. The rule base is left to
     * the agent's constructor for that reason (Drools logs).
     */
    static void beforeParsing(String... args) {
        for (String a : args) {
            if (a.equals("--pods-file") || a.startsWith("--pods-file=")) {
                Snapshots.preload();
                return;
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
