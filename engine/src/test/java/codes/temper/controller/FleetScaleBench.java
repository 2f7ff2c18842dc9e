package codes.temper.controller;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.AuditLog;
import codes.temper.api.FleetServer;
import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import codes.temper.kube.MockApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import codes.temper.kube.crd.TemperPolicy;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes skip *Bench): the controller over a fleet of
 * NODES nodes (default 5,000) on the fabric8 mock API server in CRUD mode. A policy that selects
 * every node is the fleet-wide toggle; the time runs from its create (or delete) to the moment a
 * separate watch has seen the last node's annotation change; the toggle is made as the fleet page
 * makes it (POST /fleet/safe-mode for all nodes). Also: the fleet page's HTML and node pages
 * (time to first byte, to the last byte, size; {@link FleetPageLoad}), the policy's status size, and
 * the controller's heap (used heap after GC, with and without the controller's informers; the mock
 * server's own copy of the nodes is in both). Run with scripts/bench-fleet.
 */
class FleetScaleBench {
    static final int NODES = Integer.getInteger("nodes", 5_000);
    static final String REQUESTED = SafeModeAnnotations.REQUESTED;
    /** The mock server logs every request at INFO: a real API server's logging is not the controller's cost. */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long awaitMillis(BooleanSupplier done, long t0) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static final String TOKEN = "bench-token-0123456789abcdef";

    @Test
    void fleetWideToggle() throws Exception {
        try (MockApiServer api = new MockApiServer(); KubernetesClient client = api.client(); KubernetesClient watcher = api.client()) {
            try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/temperpolicies.temper.codes-v1.yml")) {
                client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
            }
            for (int i = 0; i < NODES; i++) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-%05d".formatted(i))
                        .addToLabels("kubernetes.io/os", "linux").addToLabels("pool", "p" + i % 10)
                        .addToAnnotations("temper.codes/agent-status", "attached").endMetadata().build()).create();
            }
            // The bench's own view of the annotations, from a watch like kubectl's.
            Set<String> requested = ConcurrentHashMap.newKeySet();
            SharedIndexInformer<Node> seen = watcher.nodes().inform(new ResourceEventHandler<>() {
                public void onAdd(Node n) {
                    track(n);
                }

                public void onUpdate(Node o, Node n) {
                    track(n);
                }

                public void onDelete(Node n, boolean unknown) {
                }

                private void track(Node n) {
                    Map<String, String> a = n.getMetadata().getAnnotations();
                    if (a != null && "true".equals(a.get(REQUESTED))) requested.add(n.getMetadata().getName());
                    else requested.remove(n.getMetadata().getName());
                }
            }, 0);
            long before = usedHeapAfterGc();

            long t0 = System.nanoTime();
            var controller = new SafeModeController(client, SafeModeController.Options.DEFAULT);
            controller.start();
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            long withController = usedHeapAfterGc();

            // The fleet page, served from the controller's cache, read as a browser would.
            Path tokens = Files.createTempFile("bench-tokens", "");
            Files.writeString(tokens, TOKEN + "\n");
            FleetServer page = FleetServer.start(new Fleet(client, controller, Clock.systemUTC()),
                    Access.staticTokens(StaticTokens.fromFile(tokens)), AuditLog.inMemory(), "127.0.0.1", 0);
            FleetPageLoad load = new FleetPageLoad(page.port(), TOKEN);
            load.warmUp();
            List<String> pageFigures = new ArrayList<>();
            pageFigures.add(load.measure("page_html", "/", false));
            pageFigures.add(load.measure("nodes_first_200", "/fleet/nodes?limit=200", false));
            pageFigures.add(load.measure("nodes_first_200_gzip", "/fleet/nodes?limit=200", true));
            pageFigures.add(load.measure("nodes_last_page", "/fleet/nodes?limit=200&after=node-04799", false));
            pageFigures.add(load.measure("nodes_selector_pool_p3_1000", "/fleet/nodes?limit=1000&selector=pool%3Dp3", false));
            pageFigures.add(browserLoad(page.port()));

            // The fleet-wide toggle as the page makes it: one POST, a TemperPolicy, the reconcile.
            t0 = System.nanoTime();
            load.toggleAll(true);
            long onMs = awaitMillis(() -> requested.size() == NODES, t0);
            String fleetPolicy = "temper-fleet-all";
            awaitMillis(() -> {
                var p = client.resources(TemperPolicy.class).withName(fleetPolicy).get();
                return p.getStatus() != null && p.getStatus().getSafeModeRequested() == NODES;
            }, System.nanoTime());
            var policy = client.resources(TemperPolicy.class).withName(fleetPolicy).get();
            int statusBytes = client.getKubernetesSerialization().asJson(policy.getStatus()).getBytes(StandardCharsets.UTF_8).length;
            int objectBytes = client.getKubernetesSerialization().asJson(policy).getBytes(StandardCharsets.UTF_8).length;
            long peak = usedHeapAfterGc();

            pageFigures.add(load.measure("nodes_first_200_all_in_safe_mode", "/fleet/nodes?limit=200", false));
            t0 = System.nanoTime();
            load.toggleAll(false);
            long offMs = awaitMillis(requested::isEmpty, t0);
            var stats = controller.stats();
            page.close();
            controller.close();
            seen.close();

            System.out.printf("BENCH fleet nodes=%d controller_start_ms=%d toggle_on_to_last_annotation_ms=%d toggle_off_to_last_annotation_ms=%d%n",
                    NODES, startMs, onMs, offMs);
            System.out.printf("BENCH fleet status_bytes=%d policy_object_bytes=%d attention_listed=%d attention_total=%d%n",
                    statusBytes, objectBytes, policy.getStatus().getAttention().size(), policy.getStatus().getAttentionTotal());
            System.out.printf("BENCH fleet heap_after_gc_mb before_controller=%.1f with_controller=%.1f after_toggle=%.1f controller_delta=%.1f%n",
                    before / 1e6, withController / 1e6, peak / 1e6, (peak - before) / 1e6);
            System.out.printf("BENCH fleet passes=%d node_patches=%d conflicts=%d status_writes=%d failures=%d%n",
                    stats.passes(), stats.nodePatches(), stats.nodeConflicts(), stats.statusWrites(), stats.failures());
            pageFigures.forEach(f -> System.out.println("BENCH fleet_page " + f));
            System.out.printf("BENCH fleet load_average=%s cpus=%d%n", Files.readString(Path.of("/proc/loadavg")).strip(),
                    Runtime.getRuntime().availableProcessors());
            assertThat(statusBytes).isLessThan(100_000);
            assertThat(stats.failures()).isZero();
        }
    }

    /**
     * The page in headless Chromium at this fleet's size, as an operator meets it: from navigation
     * to the sign-in form, then from "Sign in" to the first page of nodes drawn (200 rows) with the
     * fleet's total shown. Once, cold: the first load is the one a person waits for.
     */
    private static String browserLoad(int port) throws Exception {
        Path profile = Files.createTempDirectory("bench-chromium");
        try (var b = new codes.temper.api.Browser(profile, "fleet-bench")) {
            long t0 = System.nanoTime();
            b.driver.get("http://127.0.0.1:" + port + "/");
            b.until("the sign-in form", d -> b.id("token").isDisplayed());
            long formMs = (System.nanoTime() - t0) / 1_000_000;
            b.id("token").sendKeys(TOKEN);
            long t1 = System.nanoTime();
            b.id("sign-in").click();
            b.until("the first 200 nodes drawn", d -> ((Number) b.js("return document.querySelectorAll('#nodes tr.node').length")).intValue() == 200);
            long rowsMs = (System.nanoTime() - t1) / 1_000_000;
            String total = b.text("total");
            b.screenshot("signed-in");
            return String.format("browser_chromium navigate_to_sign_in_form_ms=%d sign_in_to_200_rows_drawn_ms=%d total_shown=%s",
                    formMs, rowsMs, total);
        }
    }
}
