package codes.temper.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Browser;
import codes.temper.cli.Main;
import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, must-show 5: {@value #NODES} Node objects in the real API server (no kubelets) with
 * the {@value AgentFleet#SIZE} real agents among them. Prints, as BENCH lines, never asserted:
 * {@code temper status}'s time and size, the fleet page's first paint of its node table in
 * headless Chromium, a fleet-wide toggle through a TemperPolicy (to the last node annotated and
 * the last agent stood down) and {@code kubectl annotate node --all} (kubectl's own time), and
 * the controller's resident set. The extra nodes carry no kubernetes.io/os label, so the
 * DaemonSet makes no pods for them: 5,000 Pending pods would measure the DaemonSet controller,
 * not Temper.
 */
@Tag(ControlPlane.TAG)
@Order(5)
class ScaleTest {
    static final int NODES = Integer.getInteger("scale.nodes", 5000);
    static final String SCALE_LABEL = "temper.codes/scale-test";

    @TempDir
    Path home;

    /** Creates nodes scale-0000.. until NODES nodes exist, 8 requests at a time; returns the seconds it took. */
    static double createNodes(KubernetesClient admin, int existing) throws Exception {
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < NODES - existing; i++) {
                String name = "scale-%04d".formatted(i);
                Node n = TestNodes.node(name, Map.of(SCALE_LABEL, "true"));
                n.getMetadata().getLabels().remove("kubernetes.io/os");
                n.getMetadata().getLabels().remove("beta.kubernetes.io/os");
                done.add(pool.submit(() -> admin.resource(n).create()));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static long nodesAnnotated(KubernetesClient admin, String key) {
        return admin.nodes().list().getItems().stream()
                .filter(n -> n.getMetadata().getAnnotations() != null && n.getMetadata().getAnnotations().containsKey(key)).count();
    }

    @Test
    void fiveThousandNodesWithTwentyAgents() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        AgentFleet fleet = AgentFleet.shared();
        int existing = admin.nodes().list().getItems().size();
        double createSeconds = createNodes(admin, existing);
        assertThat(admin.nodes().list().getItems()).hasSize(NODES);
        System.out.printf("BENCH scale: %d Node objects created in %.1f s (8 requests at a time)%n", NODES - existing, createSeconds);

        // temper status, as a user runs it: its own JVM, the admin kubeconfig.
        Path out = home.resolve("status.json");
        long t0 = System.nanoTime();
        Process status = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "status", "--kubeconfig", cp.kubeconfig.toString(), "-o", "json")
                .redirectOutput(out.toFile()).redirectError(home.resolve("status.err").toFile()).start();
        assertThat(status.waitFor(5, TimeUnit.MINUTES)).isTrue();
        double statusSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(status.exitValue()).as(Files.readString(home.resolve("status.err"))).isZero();
        String json = Files.readString(out);
        assertThat(json).contains("\"" + TestNodes.name(0) + "\"", "\"scale-0000\"");
        Process table = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "status", "--kubeconfig", cp.kubeconfig.toString())
                .redirectErrorStream(true).start();
        byte[] tableBytes = table.getInputStream().readAllBytes();
        assertThat(table.waitFor(5, TimeUnit.MINUTES)).isTrue();
        System.out.printf("BENCH scale: temper status -o json over %d nodes: %.2f s wall (JVM start included), %d bytes; the table: %d bytes%n",
                NODES, statusSeconds, json.getBytes(StandardCharsets.UTF_8).length, tableBytes.length);

        TestUsers.ensure(admin);
        String operator = TestUsers.token(admin, TestUsers.OPERATOR);
        try (ControllerProcess controller = ControllerProcess.start(cp, Path.of("target/control-plane-controller-scale").toAbsolutePath())) {
            Wait.until("the controller's page answering", Duration.ofMinutes(2),
                    () -> ServerSecurityTest.get(controller.url() + "/fleet/nodes?limit=1", operator).statusCode() == 200);
            firstPaint(controller, operator);

            // A fleet-wide toggle through a TemperPolicy selecting every node.
            TemperPolicy all = new TemperPolicy("scale-all",
                    new TemperPolicySpec(List.of(new SafeModeRule("all", new LabelSelector(), true, "scale test"))));
            long p0 = System.nanoTime();
            admin.resource(all).create();
            Wait.until("every node asked for safe mode", Duration.ofMinutes(10),
                    () -> nodesAnnotated(admin, "temper.codes/safe-mode-requested") == NODES);
            double annotated = (System.nanoTime() - p0) / 1e9;
            Wait.until("every agent in safe mode", Duration.ofMinutes(2), () -> allInMode(fleet, "safe-mode"));
            double agentsDown = (System.nanoTime() - p0) / 1e9;
            double rssOn = controller.rssMiB();
            long d0 = System.nanoTime();
            admin.resources(TemperPolicy.class).withName("scale-all").delete();
            Wait.until("every node released", Duration.ofMinutes(10), () -> nodesAnnotated(admin, "temper.codes/safe-mode-requested") == 0);
            double released = (System.nanoTime() - d0) / 1e9;
            Wait.until("every agent re-engaged", Duration.ofMinutes(2), () -> allInMode(fleet, "dry-run"));
            System.out.printf("BENCH scale: TemperPolicy selecting all %d nodes: last node annotated after %.1f s, last of %d agents in safe mode"
                            + " after %.1f s; deleted: last node released after %.1f s; controller RSS %.0f MiB (heap max 128m, the chart's)%n",
                    NODES, annotated, fleet.agents.size(), agentsDown, released, rssOn);

            // The kill switch verbatim over every node: kubectl's own time (one direction: kubectl
            // patches the nodes one after another, so the other costs the same; AgentFleetTest
            // runs both ten times over 20 nodes).
            Kubectl.Run on = Kubectl.run(cp.kubeconfig, home, "annotate", "node", "--all", "temper.codes/safe-mode-requested=true");
            assertThat(on.exit()).as(on.out()).isZero();
            assertThat(on.out().lines().filter(l -> l.endsWith(" annotated"))).hasSize(NODES);
            Wait.until("every agent in safe mode", Duration.ofMinutes(2), () -> allInMode(fleet, "safe-mode"));
            System.out.printf("BENCH scale: kubectl annotate node --all temper.codes/safe-mode-requested=true over %d nodes: %.1f s; "
                    + "controller RSS after: %.0f MiB%n", NODES, (on.exitedNanos() - on.startNanos()) / 1e9, controller.rssMiB());
        } finally {
            // One deletecollection for the 4,980 extra nodes, then the 20 agents' nodes re-engaged.
            admin.nodes().withLabel(SCALE_LABEL).delete();
            Kubectl.run(cp.kubeconfig, home, "annotate", "node", "--all", "temper.codes/safe-mode-requested-");
        }
    }

    static boolean allInMode(AgentFleet fleet, String mode) throws Exception {
        for (AgentFleet.Agent a : fleet.agents) {
            if (!mode.equals(fleet.status(a).get("mode").asString())) return false;
        }
        return true;
    }

    /** The fleet page in headless Chromium: from navigation to its first page of node rows, signed in (the token in sessionStorage). */
    static void firstPaint(ControllerProcess controller, String token) throws Exception {
        Path profile = Files.createTempDirectory("chromium-scale");
        try (Browser b = new Browser(profile, "scale")) {
            b.driver.get(controller.url() + "/");
            b.js("sessionStorage.setItem('temper.fleet.token', arguments[0])", token);
            List<Double> paints = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                b.driver.get(controller.url() + "/");
                b.until("node rows", d -> !b.texts("#nodes tr.node").isEmpty());
                paints.add((System.nanoTime() - t0) / 1e6);
            }
            b.screenshot("fleet-5000");
            System.out.printf("BENCH scale: fleet page over %d nodes, navigation to the first node rows in headless Chromium: %s ms (total shown: %s)%n",
                    NODES, paints.stream().map(p -> "%.0f".formatted(p)).toList(), b.text("total"));
        }
    }
}
