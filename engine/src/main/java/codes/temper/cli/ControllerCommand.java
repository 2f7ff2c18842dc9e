package codes.temper.cli;

import codes.temper.controller.SafeModeController;
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
import picocli.CommandLine.ITypeConverter;
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

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig to use; default: fabric8's standard resolution (KUBECONFIG, ~/.kube/config, else the"
                    + " in-cluster service account)")
    Path kubeconfig;

    @Option(names = "--resync", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "full reconcile period, whatever the events (e.g. 30s, 10m, 1h; default ${DEFAULT-VALUE})")
    Duration resync;

    @Option(names = "--debounce", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
            description = "quiet time that ends a burst of events before a pass (default ${DEFAULT-VALUE}); a pass"
                    + " runs at the latest 10x this after the first event of a burst")
    Duration debounce;

    @Override
    public Integer call() throws IOException, InterruptedException {
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
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             SafeModeController controller = new SafeModeController(client,
                     new SafeModeController.Options(resync, debounce, debounce.multipliedBy(10)))) {
            controller.start();
            stop.await();
            System.err.println("temper controller: stopping; " + controller.stats());
        } finally {
            stopped.countDown();
        }
        return 0;
    }

    private String readKubeconfig() throws IOException {
        if (!Files.isReadable(kubeconfig)) throw new IOException("cannot read kubeconfig " + kubeconfig);
        return Files.readString(kubeconfig);
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, or ISO-8601 ({@code PT10M}). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip();
            Duration d;
            if (v.toUpperCase().startsWith("P")) d = Duration.parse(v);
            else if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            else if (v.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            else if (v.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            else if (v.endsWith("h")) d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            else throw new IllegalArgumentException("not a duration: '" + value + "' (e.g. 500ms, 30s, 10m, 1h)");
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("duration must be positive: " + value);
            return d;
        }
    }
}
