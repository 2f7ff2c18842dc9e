package codes.temper.cli;

import codes.temper.build.BuildInfo;
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

    @Override
    public Integer call() throws IOException, InterruptedException {
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
            stop.await();
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

    private String readKubeconfig() throws IOException {
        if (!Files.isReadable(kubeconfig)) throw new IOException("cannot read kubeconfig " + kubeconfig);
        return Files.readString(kubeconfig);
    }
}
