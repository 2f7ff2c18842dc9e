package codes.temper.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, must-show 1: the chart installed by real Helm into a real API server, with the
 * documented quick install's flags and values. Every object is accepted (RBAC, the CEL admission
 * policy, the CRD), the CRD is established, and for 5 Node objects the real DaemonSet controller
 * creates 5 agent pods that Pod Security admission admits (Pending: no kubelet, no scheduler).
 * In a namespace at Pod Security {@code baseline} the same install leaves the DaemonSet without
 * pods, and the API server says why; the label docs/install.md gives then lets them in.
 */
@Tag(ControlPlane.TAG)
@org.junit.jupiter.api.Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartInstallTest {
    static final int NODES = 5;
    static final String AGENT_LABEL = "app.kubernetes.io/name";

    @TempDir
    Path home;

    static List<Pod> agentPods(KubernetesClient admin) {
        return admin.pods().inNamespace(TemperRelease.NAMESPACE).withLabel(AGENT_LABEL, "temper-agent").list().getItems();
    }

    static List<Event> daemonSetEvents(KubernetesClient admin, String reason) {
        return admin.v1().events().inNamespace(TemperRelease.NAMESPACE).list().getItems().stream()
                .filter(e -> "DaemonSet".equals(e.getInvolvedObject().getKind()) && reason.equals(e.getReason())).toList();
    }

    /** Exactly nodes node-000 .. node-004: other tests' extra nodes are removed. */
    static void fiveNodes(KubernetesClient admin) throws Exception {
        TestNodes.ensure(admin, NODES);
        admin.nodes().list().getItems().stream().map(n -> n.getMetadata().getName())
                .filter(n -> !TestNodes.names(NODES).contains(n)).forEach(n -> admin.nodes().withName(n).delete());
        Wait.until("only the 5 test nodes", Duration.ofMinutes(1), () -> admin.nodes().list().getItems().size() == NODES);
    }

    @Test
    @Order(1)
    void atBaselineTheServerRefusesTheAgentPodsAndTheDocumentedLabelAdmitsThem() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        TemperRelease.uninstall(cp);
        fiveNodes(admin);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TemperRelease.NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "baseline").endMetadata().build()).create();

        Release r = TemperRelease.install(cp, c -> c);
        assertThat(r.getStatus()).isEqualTo("deployed");
        // The DaemonSet is accepted (Pod Security enforces on pods, not on the workloads that make
        // them); its controller's pod creations are refused, and it reports the server's reason.
        Wait.until("the DaemonSet controller's FailedCreate event", Duration.ofMinutes(2),
                () -> !daemonSetEvents(admin, "FailedCreate").isEmpty());
        String message = daemonSetEvents(admin, "FailedCreate").getFirst().getMessage();
        System.out.println("BASELINE FailedCreate: " + message);
        assertThat(message).contains("violates PodSecurity \"baseline:latest\"").contains("hostPath volumes")
                .contains("non-default capabilities").contains("\"BPF\"", "\"PERFMON\"");
        assertThat(agentPods(admin)).isEmpty();

        // docs/install.md: a namespace that enforces more than privileged needs this label.
        Kubectl.Run label = Kubectl.run(cp.kubeconfig, home, "label", "namespace", TemperRelease.NAMESPACE,
                "pod-security.kubernetes.io/enforce=privileged", "--overwrite");
        assertThat(label.exit()).as(label.out()).isZero();
        Wait.until("5 agent pods after the label", Duration.ofMinutes(3), () -> agentPods(admin).size() == NODES,
                () -> agentPods(admin).size() + " pods");
        TemperRelease.uninstall(cp);
    }

    @Test
    @Order(2)
    void theQuickInstallIsAcceptedWholeAndPodSecurityAdmitsAnAgentPodPerNode() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        TemperRelease.uninstall(cp);
        fiveNodes(admin);

        Release r = TemperRelease.quickInstall(cp);
        assertThat(r.getStatus()).isEqualTo("deployed");
        // --create-namespace makes the namespace without labels: the API server's default Pod
        // Security level (privileged, unless the cluster's admission configuration says otherwise) applies.
        assertThat(admin.namespaces().withName(TemperRelease.NAMESPACE).get().getMetadata().getLabels())
                .doesNotContainKey("pod-security.kubernetes.io/enforce");

        // Every object the chart renders for this server is there, as the server stored it.
        String version = admin.getKubernetesVersion().getGitVersion();
        String manifest = new Helm(TemperRelease.CHART).template().withName(TemperRelease.NAME).withNamespace(TemperRelease.NAMESPACE)
                .withKubeVersion(version).call();
        List<HasMetadata> objects = admin.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
        assertThat(objects).extracting(o -> o.getKind()).contains("CustomResourceDefinition", "DaemonSet", "Deployment",
                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterRole", "ClusterRoleBinding", "ConfigMap");
        for (HasMetadata o : objects) {
            assertThat(admin.resource(o).get()).as(o.getKind() + "/" + o.getMetadata().getName() + " in the server").isNotNull();
        }
        TemperRelease.awaitCrdEstablished(admin);

        // The real DaemonSet controller: one pod per Linux node, admitted, Pending.
        Wait.until("5 agent pods", Duration.ofMinutes(3), () -> agentPods(admin).size() == NODES, () -> agentPods(admin).size() + " pods; events "
                + admin.v1().events().inNamespace(TemperRelease.NAMESPACE).list().getItems().stream().map(Event::getMessage).toList());
        List<Pod> pods = agentPods(admin);
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(p.getSpec().getServiceAccountName()).isEqualTo("temper-agent");
        });
        // Each pod is for one node: the DaemonSet controller pins it by node affinity (the scheduler binds it).
        assertThat(pods.stream().map(ChartInstallTest::targetNode).sorted().toList()).isEqualTo(TestNodes.names(NODES));
        DaemonSet ds = admin.apps().daemonSets().inNamespace(TemperRelease.NAMESPACE).withName("temper-agent").get();
        assertThat(ds.getStatus().getDesiredNumberScheduled()).isEqualTo(NODES);
        assertThat(daemonSetEvents(admin, "FailedCreate")).isEmpty();
        assertThat(pods.getFirst().getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pods.getFirst().getSpec().getPriority()).isEqualTo(2000001000);
    }

    /** The node a DaemonSet pod is for: its required node affinity on metadata.name. */
    static String targetNode(Pod p) {
        return p.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
                .getFirst().getMatchFields().getFirst().getValues().getFirst();
    }

    static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }
}
