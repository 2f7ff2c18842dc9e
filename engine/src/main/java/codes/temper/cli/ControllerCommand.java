package codes.temper.cli;

import codes.temper.api.AuditLog;
import codes.temper.api.FleetServer;
import codes.temper.auth.Access;
import codes.temper.auth.KubernetesAccess;
import codes.temper.auth.StaticTokens;
import codes.temper.build.BuildInfo;
import codes.temper.controller.Fleet;
import java.time.Clock;
import codes.temper.controller.SafeModeController;
import codes.temper.text.Redaction;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code temper controller}: the optional cluster-wide part. Agents do not need it; it only turns
 * TemperPolicy objects into the per-node annotation every agent already honours. No leader
 * election: run one replica (the Deployment uses the Recreate strategy). Two replicas would still
 * not fight, since both compute the same desired state and every node patch is conditional on the
 * node's resourceVersion, but they would duplicate work.
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = "Set temper.codes/safe-mode-requested on nodes from TemperPolicy objects.")
public final class ControllerCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ControllerCommand.class.getName());

    @Mixin
    LogOptions logging;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig to use; default: fabric8's standard resolution (KUBECONFIG, ~/.kube/config, else the"
                    + " in-cluster service account)")
    Path kubeconfig;

    @Option(names = "--resync", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.Positive.class,
            description = "full reconcile period, whatever the events (e.g. 30s, 10m, 1h; default ${DEFAULT-VALUE})")
    Duration resync;

    @Option(names = "--debounce", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.Positive.class,
            description = "quiet time that ends a burst of events before a pass (default ${DEFAULT-VALUE}); a pass"
                    + " runs at the latest 10x this after the first event of a burst")
    Duration debounce;

    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "-1",
            description = "serve the fleet page and its JSON on this port (the chart uses " + FleetServer.DEFAULT_PORT
                    + "; 0: any free port); default: no page")
    int apiPort;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0", description = "fleet page address (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--api-tokens", paramLabel = "FILE",
            description = "static bearer tokens (one per line) for the fleet page; they may do everything. The cluster's own"
                    + " tokens work too: TokenReview, then SubjectAccessReview (list nodes to read, patch nodes to toggle)")
    Path apiTokens;

    @Option(names = "--audit-file", paramLabel = "FILE",
            description = "append the fleet page's audit entries (JSON lines) to this file; default: the log only")
    Path auditFile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (apiPort < -1 || apiPort > 65535) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--api-port must be from 0 to 65535, not " + apiPort);
        }
        logging.apply();
        Config config = kubeconfig == null ? Config.autoConfigure(null)
                : Config.fromKubeconfig(readKubeconfig());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM runs shutdown hooks: let the main thread close the informers and finish the
        // pass in flight, and hold the JVM until it has.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "temper-controller-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.log(System.Logger.Level.INFO, "temper controller {0} starting: API server {1}, resync every {2}, debounce {3}",
                BuildInfo.VERSION, Redaction.text(config.getMasterUrl()), resync, debounce);
        SafeModeController.Stats stats = null;
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             SafeModeController controller = new SafeModeController(client,
                     new SafeModeController.Options(resync, debounce, debounce.multipliedBy(10)))) {
            controller.start();
            try (FleetServer page = apiPort < 0 ? null : fleetPage(client, controller)) {
                stop.await();
            }
            LOG.log(System.Logger.Level.INFO, "temper controller stopping (SIGTERM or exit): closing the watches");
            stats = controller.stats();
        } finally {
            // Logged before the shutdown hook is released: the JVM ends right after.
            if (stats != null) {
                LOG.log(System.Logger.Level.INFO, "temper controller stopped: reconcile loop and watches closed; the node"
                        + " annotations it set stay (agents keep honouring them); {0}", stats);
            }
            stopped.countDown();
        }
        return 0;
    }

    /** The fleet page: the static token file beside the cluster's own tokens, as the agent's API. */
    private FleetServer fleetPage(KubernetesClient client, SafeModeController controller) throws IOException {
        StaticTokens tokens = apiTokens == null ? StaticTokens.none() : StaticTokens.fromFile(apiTokens);
        Access access = KubernetesAccess.of(client, tokens, KubernetesAccess.Ttl.DEFAULT, Clock.systemUTC());
        AuditLog audit = auditFile == null ? AuditLog.inMemory() : AuditLog.appendingTo(auditFile);
        return FleetServer.start(new Fleet(client, controller, Clock.systemUTC()), access, audit, bind, apiPort);
    }

    private String readKubeconfig() throws IOException {
        if (!Files.isReadable(kubeconfig)) throw new IOException("cannot read kubeconfig " + kubeconfig);
        return Files.readString(kubeconfig);
    }
}
