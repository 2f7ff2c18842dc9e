package codes.temper.controller;

import static codes.temper.controller.SafeModeAnnotations.REASON;
import static codes.temper.controller.SafeModeAnnotations.REQUESTED;
import static codes.temper.controller.SafeModeAnnotations.REQUESTED_BY;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.crd.NodeMode;
import codes.temper.kube.crd.NodeState;
import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import codes.temper.kube.crd.TemperPolicyStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller against fabric8's mock API server in CRUD mode: real HTTP, real watches, real
 * merge patches. Nodes node-0..node-5 carry pool=gpu (0-2) or pool=cpu (3-5) and an unrelated
 * annotation that must survive everything.
 */
@EnableKubernetesMockClient(crud = true)
class SafeModeControllerMockTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String OTHER = "example.com/owned-by-someone-else";

    KubernetesMockServer server;
    KubernetesClient client;
    SafeModeController controller;

    @BeforeEach
    void setUp() throws Exception {
        try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/temperpolicies.temper.codes-v1.yml")) {
            // createOr: on a loaded machine the client may retry a create whose first try landed.
            client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).createOr(NonDeletingOperation::update);
        }
        for (int i = 0; i < 6; i++) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + i)
                    .addToLabels("pool", i < 3 ? "gpu" : "cpu")
                    .addToLabels("zone", i % 2 == 0 ? "a" : "b")
                    .addToAnnotations(OTHER, "keep-" + i)
                    .endMetadata().build()).createOr(NonDeletingOperation::update);
        }
    }

    @AfterEach
    void tearDown() {
        if (controller != null) controller.close();
    }

    void startController() {
        startController(client);
    }

    void startController(KubernetesClient own) {
        controller = new SafeModeController(own,
                new SafeModeController.Options(Duration.ofMinutes(10), Duration.ofMillis(100), Duration.ofSeconds(1)));
        controller.start();
    }

    static TemperPolicy policy(String name, SafeModeRule... rules) {
        return new TemperPolicy(name, new TemperPolicySpec(List.of(rules)));
    }

    static LabelSelector pool(String pool) {
        return new LabelSelectorBuilder().addToMatchLabels("pool", pool).build();
    }

    /**
     * The node's annotations. The mock server applies a merge patch's {@code "key": null} by
     * storing a null rather than deleting the key (a real API server deletes it, RFC 7386), so
     * null-valued entries are dropped here: for both, the annotation is gone.
     */
    Map<String, String> annotations(String node) {
        Map<String, String> out = new HashMap<>();
        client.nodes().withName(node).get().getMetadata().getAnnotations().forEach((k, v) -> {
            if (v != null) out.put(k, v);
        });
        return out;
    }

    TemperPolicyStatus status(String policy) {
        TemperPolicy p = client.resources(TemperPolicy.class).withName(policy).get();
        return p.getStatus() == null ? new TemperPolicyStatus() : p.getStatus();
    }

    List<String> attention(String policy) {
        return status(policy).getAttention().stream().map(NodeState::node).toList();
    }

    void agentReports(String node, String agentStatus) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editMetadata()
                .addToAnnotations("temper.codes/agent-status", agentStatus).endMetadata().build());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(TIMEOUT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(25);
        }
    }

    /** Waits until the controller has been idle (no new pass) for a while, i.e. it has converged. */
    void awaitQuiet() throws InterruptedException {
        long passes = -1;
        while (passes != controller.stats().passes()) {
            passes = controller.stats().passes();
            Thread.sleep(1000);
        }
    }

    boolean requested(String node) {
        return "true".equals(annotations(node).get(REQUESTED));
    }

    void assertOtherAnnotationsUntouched() {
        for (int i = 0; i < 6; i++) assertThat(annotations("node-" + i)).containsEntry(OTHER, "keep-" + i);
    }

    /**
     * docs/permissions.md, the controller's ClusterRole: every request the controller makes is
     * granted, and every grant on nodes, TemperPolicy status and events is used (the fleet page's
     * toggles are its own tests'). The controller gets a
     * client of its own, told apart by its User-Agent, and requests safe mode on a pool (node
     * patches, Events, status writes), then releases it.
     */
    @Test
    void everyRequestOfTheControllerIsGrantedByItsRoleAndItsGrantsAreUsed() throws Exception {
        String ua = "temper-controller-rbac-test";
        try (KubernetesClient own = server.createClient(b -> b.editOrNewConfig().withUserAgent(ua).endConfig())) {
            startController(own);
            client.resource(policy("freeze", new SafeModeRule("gpu", pool("gpu"), true, "GPU driver rollout"))).create();
            await("gpu nodes requested", () -> requested("node-0") && requested("node-1") && requested("node-2"));
            await("events", () -> client.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(e -> "TemperSafeModeRequested".equals(e.getReason())));
            await("status", () -> status("freeze").getSelectedNodes() == 3);
            client.resources(TemperPolicy.class).withName("freeze").delete();
            await("gpu nodes released", () -> !requested("node-0") && !requested("node-1") && !requested("node-2"));
            controller.close();
            controller = null;
        }
        var requests = codes.temper.kube.RbacUse.used(drainRequests(), ua);
        java.util.Set<String> used = requests.keySet();
        java.util.Set<String> granted = codes.temper.kube.RbacUse.granted(codes.temper.kube.RbacUse.DEPLOY.resolve("controller/rbac.yaml"));
        assertThat(granted).as("the controller's ClusterRole").containsAll(used);
        // The fleet page's toggles (TemperPolicies of its own) are its tests' to use, not the reconcile's.
        java.util.Set<String> fleetPage = java.util.Set.of("temper.codes temperpolicies get", "temper.codes temperpolicies create",
                "temper.codes temperpolicies update", "temper.codes temperpolicies delete");
        assertThat(granted.stream().filter(g -> g.startsWith("core ") || g.startsWith("temper.codes ")).filter(g -> !fleetPage.contains(g))
                .filter(g -> !used.contains(g)))
                .as("grants on nodes, TemperPolicies and events the controller never used (it used " + requests + ")").isEmpty();
    }

    @Test
    void policyDrivesAnnotationsAndStatusAndLeavesOperatorRequestsAlone() throws Exception {
        // node-4 (cpu) is in safe mode by an operator's own kubectl annotate: no ownership marker.
        client.nodes().withName("node-4").edit(n -> new NodeBuilder(n).editMetadata()
                .addToAnnotations(REQUESTED, "true").addToAnnotations(REASON, "operator: kernel bug").endMetadata().build());
        startController();

        client.resource(policy("freeze", new SafeModeRule("gpu", pool("gpu"), true, "GPU driver rollout"))).create();
        await("gpu nodes requested", () -> requested("node-0") && requested("node-1") && requested("node-2"));
        for (String n : List.of("node-0", "node-1", "node-2")) {
            assertThat(annotations(n))
                    .containsEntry(REASON, "GPU driver rollout")
                    .containsEntry(REQUESTED_BY, "controller/freeze/gpu");
        }
        for (String n : List.of("node-3", "node-5")) assertThat(annotations(n)).doesNotContainKeys(REQUESTED, REASON, REQUESTED_BY);
        await("an event on each requested node", () -> client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "TemperSafeModeRequested".equals(e.getReason())
                        && e.getMessage().equals("safe mode requested by controller/freeze/gpu: GPU driver rollout"))
                .map(e -> e.getInvolvedObject().getName()).distinct().count() == 3);
        await("status counts the gpu nodes", () -> status("freeze").getSelectedNodes() == 3);
        var st = status("freeze");
        assertThat(st.getSafeModeRequested()).isEqualTo(3);
        assertThat(st.getReleased()).isZero();
        assertThat(st.getAgents()).isEqualTo(Map.of("none", 3));
        assertThat(st.getAttentionTotal()).isEqualTo(3);
        assertThat(st.getAttention()).containsExactly(
                new NodeState("node-0", NodeMode.SAFE_MODE_REQUESTED, "gpu", null, "safe mode asked; no temper agent has reported on this node"),
                new NodeState("node-1", NodeMode.SAFE_MODE_REQUESTED, "gpu", null, "safe mode asked; no temper agent has reported on this node"),
                new NodeState("node-2", NodeMode.SAFE_MODE_REQUESTED, "gpu", null, "safe mode asked; no temper agent has reported on this node"));

        // The agents stand down one by one: the status follows what they report.
        agentReports("node-0", "safe-mode");
        agentReports("node-1", "degraded:scheduler failed, retrying");
        await("the status counts both reports", () -> status("freeze").getAgents().equals(Map.of("safe-mode", 1, "degraded", 1, "none", 1)));
        assertThat(attention("freeze")).as("node-0 no longer needs attention").containsExactly("node-1", "node-2");
        assertThat(status("freeze").getAttention().getFirst().why()).isEqualTo("safe mode asked; the agent reports degraded");
        assertThat(status("freeze").getAttention().getFirst().agentStatus()).isEqualTo("degraded:scheduler failed, retrying");
        agentReports("node-1", "safe-mode");
        agentReports("node-2", "safe-mode");
        await("every gpu node in safe mode", () -> status("freeze").getAttentionTotal() == 0);
        assertThat(status("freeze").getAgents()).isEqualTo(Map.of("safe-mode", 3));

        // Move the rule to the cpu pool: gpu nodes are released, cpu nodes requested, except
        // node-4 whose request (and reason) stay the operator's.
        client.resources(TemperPolicy.class).withName("freeze").edit(p -> {
            p.getSpec().setRules(List.of(new SafeModeRule("cpu", pool("cpu"), true, "cpu pool kernel update")));
            return p;
        });
        await("cpu nodes requested, gpu nodes released", () -> requested("node-3") && requested("node-5")
                && !annotations("node-0").containsKey(REQUESTED) && !annotations("node-2").containsKey(REQUESTED));
        for (String n : List.of("node-0", "node-1", "node-2")) assertThat(annotations(n)).doesNotContainKeys(REQUESTED, REASON, REQUESTED_BY);
        assertThat(annotations("node-3")).containsEntry(REQUESTED_BY, "controller/freeze/cpu").containsEntry(REASON, "cpu pool kernel update");
        try {
            await("status follows", () -> attention("freeze").equals(List.of("node-3", "node-4", "node-5")));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + client.getKubernetesSerialization().asJson(client.resources(TemperPolicy.class).withName("freeze").get()));
        }
        assertThat(status("freeze").getSelectedNodes()).as("the gpu nodes are no longer selected").isEqualTo(3);
        awaitQuiet();
        assertThat(annotations("node-4"))
                .containsEntry(REQUESTED, "true")
                .containsEntry(REASON, "operator: kernel bug")
                .doesNotContainKey(REQUESTED_BY);

        // Delete the policy: the controller removes what it set, and only that.
        client.resources(TemperPolicy.class).withName("freeze").delete();
        await("controller-owned requests removed", () -> !annotations("node-3").containsKey(REQUESTED)
                && !annotations("node-5").containsKey(REQUESTED));
        awaitQuiet();
        for (String n : List.of("node-0", "node-1", "node-2", "node-3", "node-5")) {
            assertThat(annotations(n)).doesNotContainKeys(REQUESTED, REASON, REQUESTED_BY);
        }
        assertThat(annotations("node-4")).containsEntry(REQUESTED, "true").containsEntry(REASON, "operator: kernel bug");
        assertOtherAnnotationsUntouched();
        assertThat(controller.stats().failures()).isZero();
        assertThat(client.v1().events().inNamespace("default").list().getItems()).anyMatch(e ->
                "TemperSafeModeReleased".equals(e.getReason()) && "node-3".equals(e.getInvolvedObject().getName()));
    }

    @Test
    void releaseRulesAreListedAndInvalidRulesReportedNotApplied() throws Exception {
        startController();
        client.resource(policy("mixed",
                new SafeModeRule("zone-a", new LabelSelectorBuilder().addToMatchLabels("zone", "a").build(), true, "zone a maintenance"),
                new SafeModeRule("everything", new LabelSelector(), false, null),
                new SafeModeRule("no-reason", pool("cpu"), true, " "),
                new SafeModeRule("bad-op", new LabelSelectorBuilder().addNewMatchExpression()
                        .withKey("pool").withOperator("Maybe").withValues("gpu").endMatchExpression().build(), true, "x"))).create();
        await("status written", () -> status("mixed").getSelectedNodes() == 6);
        assertThat(status("mixed").getSafeModeRequested()).as("zone a: node-0, 2, 4").isEqualTo(3);
        assertThat(status("mixed").getReleased()).isEqualTo(3);
        assertThat(attention("mixed")).as("asked for safe mode, no agent yet").containsExactly("node-0", "node-2", "node-4");
        var condition = client.resources(TemperPolicy.class).withName("mixed").get().getStatus().getConditions().getFirst();
        assertThat(condition.getType()).isEqualTo("Valid");
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getMessage()).contains("rule no-reason: reason must be non-empty")
                .contains("rule bad-op: nodeSelector: unknown operator 'Maybe'");
        await("zone a requested", () -> requested("node-0") && requested("node-2") && requested("node-4"));
        // The invalid cpu rule must not have put node-3/5 (cpu, zone b) into safe mode.
        assertThat(annotations("node-3")).doesNotContainKey(REQUESTED);
        assertThat(annotations("node-5")).doesNotContainKey(REQUESTED);
    }

    @Test
    void burstOfLabelChangesIsCoalesced() throws Exception {
        startController();
        client.resource(policy("freeze", new SafeModeRule("gpu", pool("gpu"), true, "GPU driver rollout"))).create();
        await("gpu nodes requested", () -> requested("node-0") && requested("node-1") && requested("node-2"));
        awaitQuiet();
        drainRequests();
        long patchesBefore = controller.stats().nodePatches();
        long conflictsBefore = controller.stats().nodeConflicts();

        // 200 label changes: every node flips between gpu and cpu many times; the last change of
        // each node (one of the last 6, round-robin) moves it to cpu. Nodes change in parallel.
        List<Runnable> changes = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            String node = "node-" + (k % 6);
            String pool = k >= 194 || (k / 6) % 2 == 0 ? "cpu" : "gpu";
            // JSON Patch, so the server log tells these from the controller's merge patches.
            changes.add(() -> client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/metadata/labels/pool\",\"value\":\"" + pool + "\"}]"));
        }
        // Sequential per node keeps the final label deterministic; nodes in parallel.
        IntStream.range(0, 6).parallel().forEach(n -> {
            for (int k = n; k < changes.size(); k += 6) changes.get(k).run();
        });
        await("all cpu -> no node requested", () -> IntStream.range(0, 6).noneMatch(i -> requested("node-" + i)));
        awaitQuiet();

        long controllerPatches = controller.stats().nodePatches() - patchesBefore;
        List<RecordedRequest> reqs = drainRequests();
        long serverPatches = reqs.stream()
                .filter(r -> "PATCH".equals(r.getMethod()) && r.getPath().startsWith("/api/v1/nodes/")
                        && String.valueOf(r.getHeader("Content-Type")).contains("merge-patch"))
                .count();
        // Patches the server refused (409: the node changed since the decision) count too.
        assertThat(serverPatches).isEqualTo(controllerPatches + controller.stats().nodeConflicts() - conflictsBefore);
        // The final state needs 3 patches (node-0..2 released). Every pass can patch each of the 6
        // nodes at most once; the burst lasts a few max-delay periods, so a handful of passes.
        assertThat(controllerPatches).isBetween(3L, 30L);
        assertThat(serverPatches).isLessThan(60L);
        assertOtherAnnotationsUntouched();
    }

    List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) out.add(r);
        return out;
    }
}
