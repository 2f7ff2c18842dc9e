package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes skip *Bench): annotation -> detach latency
 * while the reconcile queue is kept busy by pod churn. Run with scripts/bench-kill-switch.
 * Latency is from just before the annotation patch is sent to the moment the driver has detached
 * (observed by spinning on it): HTTP patch, watch event, informer, the kill switch's fast path.
 */
class KillSwitchBench {
    static final int TOGGLES = Integer.getInteger("toggles", 200);
    /** Not counted: the first toggles pay for class loading and JIT. */
    static final int WARMUP = 20;

    /** Polls every 50 µs: spinning would take a whole core from the agent on a 2-core machine. */
    static void spinUntil(java.util.function.BooleanSupplier p) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!p.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    @Test
    void annotationToDetachWhileTheQueueIsBusy() throws Exception {
        Path cg = Files.createTempDirectory("temper-bench-cgroup");
        try (MockApiServer api = new MockApiServer(); KubernetesClient client = api.client(); KubernetesClient churnClient = api.client()) {
            client.resource(Snapshots.readNode(Path.of("../policies/examples/node.yaml"))).create();
            List<String> churnPods = new ArrayList<>();
            for (Pod p : Snapshots.readPods(Path.of("../policies/examples/pods.yaml"))) {
                Pod c = client.resource(p).create();
                Files.createDirectories(cg.resolve(PodFacts.of(c, CgroupDriver.SYSTEMD).cgroup()));
                if ("node-a".equals(c.getSpec().getNodeName())) churnPods.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
            }
            Agent agent = new Agent(new Agent.Options("node-a", client, null, null, "../policies", null, null, null, Duration.ofSeconds(5),
                    Duration.ofMinutes(1), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null, cg, CgroupDriver.SYSTEMD,
                    Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), null, null)).start();
            DryRunDriver driver = (DryRunDriver) agent.supervisor().driver();
            try {
                spinUntil(driver::attached);
                AtomicBoolean churn = new AtomicBoolean(true);
                AtomicLong churnEvents = new AtomicLong();
                Thread churner = Thread.ofPlatform().start(() -> {
                    int i = 0;
                    while (churn.get()) {
                        String[] ns = churnPods.get(i % churnPods.size()).split("/");
                        String tier = (i / churnPods.size()) % 2 == 0 ? "low" : "normal";
                        try {
                            churnClient.pods().inNamespace(ns[0]).withName(ns[1]).patch(PatchContext.of(PatchType.JSON_MERGE),
                                    "{\"metadata\":{\"labels\":{\"temper.codes/tier\":\"" + tier + "\"}}}");
                            churnEvents.incrementAndGet();
                        } catch (RuntimeException e) {
                            // a pod the policy refuses to relabel, or a conflict: churn goes on
                        }
                        i++;
                    }
                });
                List<Long> detach = new ArrayList<>(), reattach = new ArrayList<>();
                double passesBefore = agent.counters().passes();
                long benchStart = System.nanoTime();
                for (int t = -WARMUP; t < TOGGLES; t++) {
                    long t0 = System.nanoTime();
                    client.nodes().withName("node-a").patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":\"true\"}}}");
                    spinUntil(() -> !driver.attached());
                    if (t >= 0) detach.add(System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    client.nodes().withName("node-a").patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":null}}}");
                    spinUntil(driver::attached);
                    if (t >= 0) reattach.add(System.nanoTime() - t0);
                }
                double seconds = (System.nanoTime() - benchStart) / 1e9;
                churn.set(false);
                churner.join();
                double passes = agent.counters().passes() - passesBefore;
                detach.sort(null);
                reattach.sort(null);
                System.out.printf("BENCH kill switch: %d toggles in %.1f s with %d pod events (%.0f/s) and %.0f reconcile passes in flight%n",
                        TOGGLES, seconds, churnEvents.get(), churnEvents.get() / seconds, passes);
                System.out.printf("BENCH annotation -> detached: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", pct(detach, 0.5), pct(detach, 0.99), pct(detach, 1));
                System.out.printf("BENCH annotation removed -> re-attached: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        pct(reattach, 0.5), pct(reattach, 0.99), pct(reattach, 1));
                assertThat(detach).hasSize(TOGGLES);
                assertThat(churnEvents.get()).as("the queue was busy").isGreaterThan(TOGGLES);
            } finally {
                agent.close();
            }
        }
    }
}
