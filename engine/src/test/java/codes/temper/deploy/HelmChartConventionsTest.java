package codes.temper.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 25, point 8: what SREs expect of a chart (as of Falco's or Cilium's), rendered by real
 * Helm (helm-java): NOTES.txt after an install, a values schema whose refusals are Helm's own,
 * nameOverride/fullnameOverride, the securityContext from values, and the controller's own
 * scheduling. (The namespace's Pod Security label is issue 24's.)
 *
 * <p>The install is {@code helm install --dry-run=client}: fabric8's mock API server answers
 * Helm's version and discovery requests once they are stubbed, but Helm's client-go stores the
 * release Secret in protobuf, which the mock cannot read (the POST ends in EOF), so a client-side
 * install is the install that can run here; it renders NOTES.txt exactly as a real one prints it.
 */
class HelmChartConventionsTest {

    static Release install(Map<String, Object> values) {
        var install = new Helm(Chart.DIR).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE).withKubeVersion(Chart.KUBE_VERSION)
                .clientOnly().dryRun();
        values.forEach(install::set);
        return install.call();
    }

    @Test
    void anInstallPrintsWhatToDoNext() {
        String notes = install(Map.of()).getOutput();
        assertThat(notes).contains("Temper 0.1.0 is installed as release temper in namespace temper-system.")
                .contains("kubectl -n temper-system rollout status daemonset/temper-agent")
                .contains("ConfigMap temper-policy")
                .contains("kubectl annotate node --all temper.codes/safe-mode-requested=true")
                .contains("kubectl annotate node --all temper.codes/safe-mode-requested-")
                .contains("port-forward svc/temper-controller 9741");
        String renamed = install(Map.of("fullnameOverride", "acme", "controller.fleetPage.enabled", false,
                "policy.source", "git", "policy.git.url", "https://git.example.org/p.git#main")).getOutput();
        assertThat(renamed).contains("daemonset/acme-agent").contains("Git, https://git.example.org/p.git#main").doesNotContain("port-forward");
    }

    @Test
    void theSchemaRefusesBadValuesWithHelmsOwnMessage() {
        String helm = "values don't meet the specifications of the schema(s) in the following chart(s):\ntemper:\n";
        assertThatThrownBy(() -> Chart.render(t -> t.set("agent.tolerance", "x"))).hasMessageStartingWith(helm)
                .hasMessageContaining("at '/agent': additional properties 'tolerance' not allowed");
        assertThatThrownBy(() -> Chart.render(t -> t.set("agent.port", "http"))).hasMessageStartingWith(helm)
                .hasMessageContaining("at '/agent/port'");
        assertThatThrownBy(() -> Chart.render(t -> t.set("image.pullPolicy", "Sometimes"))).hasMessageStartingWith(helm)
                .hasMessageContaining("at '/image/pullPolicy'");
        assertThatThrownBy(() -> Chart.render(t -> t.set("policy.pollInterval", "soon"))).hasMessageStartingWith(helm)
                .hasMessageContaining("at '/policy/pollInterval'");
        // The values the chart ships and its CI example pass it.
        assertThat(Chart.defaults().objects()).isNotEmpty();
        assertThat(Chart.gitValues().objects()).isNotEmpty();
    }

    @Test
    void fullnameOverrideRenamesEveryObjectAndKeepsThemPointingAtEachOther() {
        Chart c = Chart.render(t -> t.set("fullnameOverride", "acme"));
        for (HasMetadata o : c.objects()) {
            if (o instanceof CustomResourceDefinition) continue; // named by its group
            assertThat(o.getMetadata().getName()).as(o.getKind()).startsWith("acme");
        }
        DaemonSet ds = c.one(DaemonSet.class, "acme-agent");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(c.one(ServiceAccount.class, pod.getServiceAccountName())).isNotNull();
        assertThat(c.one(ClusterRoleBinding.class, "acme-agent").getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("acme-agent"));
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap() == null ? null : v.getConfigMap().getName()).isEqualTo("acme-policy"));
        assertThat(c.one(ConfigMap.class, "acme-policy")).isNotNull();
        assertThat(c.one(ValidatingAdmissionPolicy.class, "acme-agent-own-node").getSpec().getMatchConditions()).singleElement()
                .satisfies(m -> assertThat(m.getExpression()).contains("'system:serviceaccount:temper-system:acme-agent'"));
        assertThat(c.one(Deployment.class, "acme-controller").getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("acme-controller");

        Chart n = Chart.render(t -> t.set("nameOverride", "tq"));
        DaemonSet nds = n.one(DaemonSet.class, "tq-agent");
        assertThat(nds.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "tq-agent");
        assertThat(nds.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(nds.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void theSecurityContextsComeFromValues() {
        Chart c = Chart.render(t -> t.set("agent.securityContext.capabilities.add[0]", "SYS_ADMIN")
                .set("agent.podSecurityContext.fsGroup", 0).set("controller.securityContext.readOnlyRootFilesystem", false)
                .set("controller.podSecurityContext.runAsUser", 10001));
        var agent = c.one(DaemonSet.class, "temper-agent").getSpec().getTemplate().getSpec();
        assertThat(agent.getContainers().getFirst().getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_ADMIN");
        assertThat(agent.getContainers().getFirst().getSecurityContext().getPrivileged()).isFalse();
        assertThat(agent.getSecurityContext().getFsGroup()).isZero();
        var controller = c.one(Deployment.class, "temper-controller").getSpec().getTemplate().getSpec();
        assertThat(controller.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem()).isFalse();
        assertThat(controller.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(controller.getSecurityContext().getRunAsNonRoot()).isTrue();
        // The defaults are the kustomize base's (HelmChartTest.kustomizeBaseAgreesWithTheChart) and unprivileged.
        DeployManifestsTest.assertAgentSecurityContext(Chart.defaults().one(DaemonSet.class, "temper-agent").getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getSecurityContext());
    }

    @Test
    void theControllerIsScheduledByItsOwnValues() {
        Chart c = Chart.render(t -> t.set("agent.nodeSelector.pool", "gpu").set("controller.nodeSelector.pool", "ops")
                .set("controller.tolerations[0].key", "dedicated").set("controller.tolerations[0].operator", "Exists")
                .set("controller.priorityClassName", "ops-critical").set("controller.podAnnotations.team", "sre")
                .set("controller.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key", "zone")
                .set("controller.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator", "Exists"));
        var d = c.one(Deployment.class, "temper-controller").getSpec().getTemplate();
        assertThat(d.getSpec().getNodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux", "pool", "ops"));
        assertThat(d.getSpec().getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(d.getSpec().getPriorityClassName()).isEqualTo("ops-critical");
        assertThat(d.getSpec().getAffinity().getNodeAffinity()).isNotNull();
        assertThat(d.getMetadata().getAnnotations()).containsEntry("team", "sre");
        var agent = c.one(DaemonSet.class, "temper-agent").getSpec().getTemplate().getSpec();
        assertThat(agent.getNodeSelector()).containsEntry("pool", "gpu");
        assertThat(agent.getTolerations()).singleElement().satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        // Defaults: a plain Deployment on Linux nodes, not the agent's every-taint toleration or node-critical priority.
        var plain = Chart.defaults().one(Deployment.class, "temper-controller").getSpec().getTemplate().getSpec();
        assertThat(plain.getNodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(plain.getTolerations()).isNullOrEmpty();
        assertThat(plain.getPriorityClassName()).isNull();
    }
}
