package codes.temper.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyFile;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 14, must-show 1: deploy/helm/temper rendered and linted by real Helm (helm-java embeds
 * Helm's Go library) for the default values and for ci/git-values.yaml; every object read into
 * fabric8's typed model and created on the mock API server (CRUD mode); the DaemonSet's probes,
 * tolerations, priority class, heap flags, and its arguments parsed by the real picocli CLI.
 * Also: the bundled-policy ConfigMap holds exactly the policy files the agent loads, and the
 * kustomize base (deploy/) says what the chart says (see kustomizeBaseAgreesWithTheChart).
 */
@EnableKubernetesMockClient(crud = true)
class HelmChartTest {
    static Chart defaults;
    static Chart git;
    KubernetesClient client;

    @BeforeAll
    static void render() {
        defaults = Chart.defaults();
        git = Chart.gitValues();
    }

    static Container agentContainer(Chart c) {
        DaemonSet ds = c.one(DaemonSet.class, "temper-agent");
        assertThat(ds.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        return ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    static PodSpec agentPod(Chart c) {
        return c.one(DaemonSet.class, "temper-agent").getSpec().getTemplate().getSpec();
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    /** The agent's command line as the real CLI parses it: option name -> value; fails on anything unknown. */
    static Map<String, String> parseAgentArgs(List<String> args) {
        CommandLine.ParseResult parsed = new CommandLine(new codes.temper.cli.Main()).parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand()).as("a subcommand").isNotNull();
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("agent");
        assertThat(parsed.subcommand().unmatched()).as("arguments the CLI does not know").isEmpty();
        Map<String, String> out = new LinkedHashMap<>();
        for (var o : parsed.subcommand().matchedOptions()) out.put(o.longestName(), String.valueOf((Object) o.getValue()));
        return out;
    }

    static Map<String, VolumeMount> mounts(Container c) {
        return c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    }

    static Map<String, Volume> volumes(PodSpec p) {
        return p.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
    }

    /** The volume mounted at the longest mount path that is a prefix of path. */
    static Volume volumeUnder(Chart c, String path) {
        VolumeMount best = null;
        for (VolumeMount m : agentContainer(c).getVolumeMounts()) {
            if ((path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
                    && (best == null || m.getMountPath().length() > best.getMountPath().length())) {
                best = m;
            }
        }
        assertThat(best).as("a volume mounted over " + path).isNotNull();
        return volumes(agentPod(c)).get(best.getName());
    }

    static void assertProbe(Probe p, String path, Container c) {
        assertThat(p).as(path).isNotNull();
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        String port = p.getHttpGet().getPort().getStrVal();
        // A named port must name one the container declares, on the port the agent listens on.
        assertThat(c.getPorts()).anySatisfy(cp -> {
            assertThat(cp.getName()).isEqualTo(port);
            assertThat(cp.getContainerPort()).isEqualTo(9740);
        });
    }

    @Test
    void helmLintPassesStrict() {
        LintResult r = new Helm(Chart.DIR).lint().strict().call();
        System.out.println("helm lint --strict: " + String.join(" | ", r.getMessages()));
        assertThat(r.isFailed()).as("helm lint --strict: " + r.getMessages()).isFalse();
        assertThat(r.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultsRenderTheAgentOnTheBundledPolicyWithNoGit() {
        assertThat(defaults.kinds()).containsExactly(
                "ClusterRole/temper-agent", "ClusterRole/temper-controller",
                "ClusterRoleBinding/temper-agent", "ClusterRoleBinding/temper-controller",
                "ConfigMap/temper-policy", "CustomResourceDefinition/temperpolicies.temper.codes",
                "DaemonSet/temper-agent", "Deployment/temper-controller", "Service/temper-controller",
                "ServiceAccount/temper-agent", "ServiceAccount/temper-controller",
                "ValidatingAdmissionPolicy/temper-agent-own-node", "ValidatingAdmissionPolicyBinding/temper-agent-own-node");
        Container c = agentContainer(defaults);
        PodSpec pod = agentPod(defaults);
        DaemonSet ds = defaults.one(DaemonSet.class, "temper-agent");

        assertThat(c.getImage()).isEqualTo("ghcr.io/temper-codes/temper:0.1.0");
        assertProbe(c.getLivenessProbe(), "/healthz", c);
        assertProbe(c.getReadinessProbe(), "/readyz", c);
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        DeployManifestsTest.assertAgentSecurityContext(c.getSecurityContext());
        assertThat(env(c, "JAVA_TOOL_OPTIONS")).isEqualTo("-Xms64m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=/opt/temper/temper.jsa");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("10%");
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());

        Map<String, String> args = parseAgentArgs(c.getArgs());
        assertThat(args).containsEntry("--policies", "/etc/temper/policies").containsEntry("--port", "9740")
                .containsEntry("--poll-interval", "PT1M").doesNotContainKeys("--git-credentials", "--trusted-keys");
        // --policies is the ConfigMap, mounted as a directory (subPath would never see an update).
        Volume policy = volumeUnder(defaults, args.get("--policies"));
        assertThat(policy.getConfigMap().getName()).isEqualTo("temper-policy");
        assertThat(mounts(c).get("/etc/temper/policies").getSubPath()).isNull();
        for (String flag : List.of("--safe-mode-file", "--cache-dir", "--api-tokens", "--audit-file")) {
            assertThat(volumeUnder(defaults, args.get(flag))).as(flag).isNotNull();
        }
        assertThat(volumeUnder(defaults, args.get("--audit-file")).getHostPath().getPath()).as("the audit trail on the node")
                .isEqualTo("/var/log/temper");
        assertThat(volumeUnder(defaults, args.get("--api-tokens")).getSecret().getOptional()).isTrue();
    }

    @Test
    void theBundledPolicyConfigMapHoldsExactlyTheFilesTheAgentLoads() throws Exception {
        // What the agent reads from a directory (top-level *.yaml/*.yml; tests/ and examples/ are
        // not policy) is what the ConfigMap must carry, byte for byte: the chart's files/policies
        // are copies of policies/, and this keeps them so.
        Map<String, String> loaded = new TreeMap<>();
        for (PolicyFile f : PolicyDirectory.read(Path.of("..", "policies"))) {
            loaded.put(Path.of(f.name()).getFileName().toString(), new String(f.content(), StandardCharsets.UTF_8));
        }
        assertThat(loaded).isNotEmpty();
        ConfigMap cm = defaults.one(ConfigMap.class, "temper-policy");
        assertThat(new TreeMap<>(cm.getData())).isEqualTo(loaded);
        assertThat(cm.getBinaryData()).isNullOrEmpty();
        // And nothing else sits in the chart's copy that the agent would not load.
        try (var s = Files.list(Chart.DIR.resolve("files/policies"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(List.copyOf(loaded.keySet()));
        }
    }

    @Test
    void theChartsCrdIsTheGeneratedOne() throws Exception {
        CustomResourceDefinition inChart = defaults.one(CustomResourceDefinition.class, "temperpolicies.temper.codes");
        CustomResourceDefinition generated = Manifests.load().one(CustomResourceDefinition.class, "temperpolicies.temper.codes");
        assertThat(inChart.getSpec()).isEqualTo(generated.getSpec());
        // Uninstalling the chart must not delete every TemperPolicy with the CRD.
        assertThat(inChart.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }

    @Test
    void gitValuesRenderAPrivateRemoteAPinnedImageAndTheOptionalParts() {
        assertThat(git.kinds()).containsExactly(
                "ClusterRole/temper-agent", "ClusterRoleBinding/temper-agent", "DaemonSet/temper-agent",
                "NetworkPolicy/temper-agent", "PodMonitor/temper-agent",
                "ServiceAccount/temper-agent",
                "ValidatingAdmissionPolicy/temper-agent-own-node", "ValidatingAdmissionPolicyBinding/temper-agent-own-node");
        Container c = agentContainer(git);
        PodSpec pod = agentPod(git);
        assertThat(c.getImage()).isEqualTo(
                "ghcr.io/temper-codes/temper@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assertThat(env(c, "JAVA_TOOL_OPTIONS")).isEqualTo("-Xms96m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=/opt/temper/temper.jsa");
        assertThat(pod.getPriorityClassName()).isEqualTo("temper-node-agent");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("dedicated");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(git.one(DaemonSet.class, "temper-agent").getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
        assertProbe(c.getLivenessProbe(), "/healthz", c);
        assertProbe(c.getReadinessProbe(), "/readyz", c);

        Map<String, String> args = parseAgentArgs(c.getArgs());
        assertThat(args).containsEntry("--policies", "https://git.example.org/platform/temper-policies.git#main:policies")
                .containsEntry("--poll-interval", "PT30S").containsEntry("--git-timeout", "PT20S");
        assertThat(volumeUnder(git, args.get("--git-credentials")).getSecret().getSecretName()).isEqualTo("temper-git-credentials");
        assertThat(volumeUnder(git, args.get("--git-credentials")).getSecret().getOptional()).isNotEqualTo(Boolean.TRUE);
        assertThat(volumeUnder(git, args.get("--trusted-keys")).getConfigMap().getName()).isEqualTo("temper-trusted-keys");
        assertThat(mounts(c)).doesNotContainKey("/etc/temper/policies");

        // No Namespace: Helm keeps the release in the namespace before it creates anything, so a
        // chart-made namespace fails to install either way (issue 24, against a real API server).
        assertThat(git.ofType(Namespace.class)).isEmpty();
        assertThat(defaults.ofType(Namespace.class)).isEmpty();
        NetworkPolicy np = git.one(NetworkPolicy.class, "temper-agent");
        assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(np.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "temper-agent");
        // Egress: the API server, the policy remote and DNS, nothing else.
        assertThat(np.getSpec().getEgress()).hasSize(3);
        assertThat(np.getSpec().getEgress().get(0).getTo()).singleElement()
                .satisfies(p -> assertThat(p.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
        assertThat(np.getSpec().getEgress().get(1).getTo()).singleElement()
                .satisfies(p -> assertThat(p.getIpBlock().getCidr()).isEqualTo("203.0.113.0/24"));
        assertThat(np.getSpec().getEgress().get(2).getPorts()).allSatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(53));
        assertThat(np.getSpec().getIngress()).singleElement()
                .satisfies(r -> assertThat(r.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9740)));
        GenericKubernetesResource pm = git.ofType(GenericKubernetesResource.class).getFirst();
        assertThat(pm.getKind()).isEqualTo("PodMonitor");
        assertThat(pm.get("spec", "podMetricsEndpoints", 0, "port").toString()).isEqualTo("status");
        assertThat(pm.get("spec", "podMetricsEndpoints", 0, "path").toString()).isEqualTo("/metrics");
    }

    @Test
    void aServiceMonitorComesWithTheHeadlessServiceItSelects() {
        Chart c = Chart.render(t -> t.set("metrics.serviceMonitor.enabled", true));
        var svc = c.one(io.fabric8.kubernetes.api.model.Service.class, "temper-agent");
        assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("app.kubernetes.io/name", "temper-agent"));
        GenericKubernetesResource sm = c.ofType(GenericKubernetesResource.class).getFirst();
        assertThat(sm.getKind()).isEqualTo("ServiceMonitor");
        assertThat(sm.get("spec", "endpoints", 0, "port").toString()).isEqualTo(svc.getSpec().getPorts().getFirst().getName());
    }

    @Test
    void aPrometheusRuleShipsTheRuleFileUnchangedAndEveryMonitorLabelsTheNode() throws Exception {
        Chart c = Chart.render(t -> t.set("metrics.prometheusRule.enabled", true).set("metrics.prometheusRule.labels.release", "prom")
                .set("metrics.podMonitor.enabled", true).set("metrics.serviceMonitor.enabled", true));
        var pr = c.ofType(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals("PrometheusRule")).toList();
        assertThat(pr).singleElement().satisfies(r -> {
            assertThat(r.getMetadata().getLabels()).containsEntry("release", "prom");
            // spec is the rule file itself: the same groups, the same expressions and the same
            // {{ $labels.node }} annotation templates (Helm must not have rendered them).
            assertThat(r.getAdditionalProperties().get("spec"))
                    .isEqualTo(Chart.yamlMap(Files.readString(Path.of("../deploy/prometheus/temper-rules.yaml"))));
            assertThat(r.get("spec", "groups", 1, "rules", 0, "annotations", "summary").toString()).contains("{{ $labels.node }}");
        });
        for (GenericKubernetesResource m : c.ofType(GenericKubernetesResource.class)) {
            if (m.getKind().equals("PrometheusRule")) continue;
            String endpoints = m.getKind().equals("PodMonitor") ? "podMetricsEndpoints" : "endpoints";
            assertThat(m.get("spec", endpoints, 0, "relabelings", 0, "targetLabel").toString()).as(m.getKind()).isEqualTo("node");
            assertThat(m.get("spec", endpoints, 0, "relabelings", 0, "sourceLabels", 0).toString()).isEqualTo("__meta_kubernetes_pod_node_name");
        }
        createAll(c);
        assertThat(client.genericKubernetesResources("monitoring.coreos.com/v1", "PrometheusRule").inNamespace("temper-system")
                .withName("temper").get()).isNotNull();
        assertThat(defaults.kinds()).noneMatch(k -> k.startsWith("PrometheusRule/"));
    }

    @Test
    void badValuesAreRefusedAtRenderTime() {
        assertThatThrownBy(() -> Chart.render(t -> t.set("policy.source", "git"))).hasMessageContaining("policy.git.url");
        assertThatThrownBy(() -> Chart.render(t -> t.set("policy.source", "s3"))).hasMessageContaining("'bundled', 'git'");
        assertThatThrownBy(() -> Chart.render(t -> t.set("image.digest", "latest"))).hasMessageContaining("sha256");
        assertThatThrownBy(() -> Chart.render(t -> t.set("networkPolicy.enabled", true))).hasMessageContaining("apiServer.cidrs");
    }

    @Test
    void theAdmissionPolicyBindsToTheAgentsServiceAccountInTheReleaseNamespace() {
        ValidatingAdmissionPolicy vap = defaults.one(ValidatingAdmissionPolicy.class, "temper-agent-own-node");
        assertThat(vap.getSpec().getFailurePolicy()).isEqualTo("Fail");
        assertThat(vap.getSpec().getMatchConditions()).singleElement().satisfies(m ->
                assertThat(m.getExpression()).contains("'system:serviceaccount:temper-system:temper-agent'"));
        ValidatingAdmissionPolicyBinding b = defaults.one(ValidatingAdmissionPolicyBinding.class, "temper-agent-own-node");
        assertThat(b.getSpec().getPolicyName()).isEqualTo(vap.getMetadata().getName());
        assertThat(b.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(defaults.one(ClusterRoleBinding.class, "temper-agent").getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("temper-agent");
            assertThat(s.getNamespace()).isEqualTo("temper-system");
        });
    }

    /** Namespace first, CRDs next, then the rest, as kubectl apply and helm install order them. */
    static List<HasMetadata> installOrder(Chart c) {
        return c.objects().stream().sorted(Comparator.comparingInt(o -> o instanceof Namespace ? 0
                : o instanceof CustomResourceDefinition ? 1 : 2)).toList();
    }

    void createAll(Chart c) {
        // The Prometheus Operator's CRDs exist where its objects are used; stand them in.
        for (String kind : List.of("PodMonitor", "ServiceMonitor", "PrometheusRule")) {
            String plural = kind.toLowerCase() + "s";
            client.resource(new CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + ".monitoring.coreos.com").endMetadata()
                    .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                    .withNewNames().withKind(kind).withPlural(plural).withSingular(kind.toLowerCase()).endNames()
                    .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion().endSpec().build()).createOr(x -> x.update());
        }
        for (HasMetadata o : installOrder(c)) {
            if (o.getMetadata().getNamespace() == null && isNamespaced(o)) o.getMetadata().setNamespace(Chart.NAMESPACE);
            HasMetadata created = client.resource(o).create();
            assertThat(created.getMetadata().getUid()).as(o.getKind() + "/" + o.getMetadata().getName()).isNotBlank();
        }
        for (HasMetadata o : c.objects()) {
            assertThat(client.resource(o).get()).as("read back " + o.getKind() + "/" + o.getMetadata().getName()).isNotNull();
        }
    }

    static boolean isNamespaced(HasMetadata o) {
        return !(o instanceof Namespace || o instanceof ClusterRole || o instanceof ClusterRoleBinding
                || o instanceof CustomResourceDefinition || o instanceof ValidatingAdmissionPolicy
                || o instanceof ValidatingAdmissionPolicyBinding);
    }

    @Test
    void everyObjectOfTheDefaultsIsAcceptedByTheApiServerMock() {
        createAll(defaults);
        assertThat(client.configMaps().inNamespace("temper-system").withName("temper-policy").get().getData()).isNotEmpty();
        assertThat(client.apps().daemonSets().inNamespace("temper-system").withName("temper-agent").get()
                .getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
    }

    @Test
    void everyObjectOfTheGitValuesIsAcceptedByTheApiServerMock() {
        createAll(git);
        assertThat(client.genericKubernetesResources("monitoring.coreos.com/v1", "PodMonitor").inNamespace("temper-system")
                .withName("temper-agent").get()).isNotNull();
    }

    /**
     * The kustomize base (deploy/) is kept, and checked against the chart rendered with the
     * values that describe it (a Git source at the base's placeholder remote, the controller on):
     * the same objects under the same names (but the base's Namespace), the same RBAC, the
     * same agent and controller arguments, security contexts, host mounts and scheduling. The
     * chart's additions (heap flags, node selector, --poll-interval, admission policy) are the
     * only differences allowed, and each is named here.
     */
    @Test
    void kustomizeBaseAgreesWithTheChart() throws Exception {
        Manifests base = Manifests.load();
        Chart c = Chart.render(t -> t.set("policy.source", "git")
                .set("policy.git.url", "https://git.example.org/platform/temper-policies.git#main:policies"));
        for (var m : base.all()) {
            HasMetadata b = m.object();
            // kubectl apply -k creates the base's Namespace (labelled privileged); the chart cannot
            // (Helm stores its release there first), so the operator makes it (docs/install.md).
            if (b instanceof Namespace) continue;
            List<HasMetadata> same = c.objects().stream().filter(o -> o.getKind().equals(b.getKind())
                    && o.getMetadata().getName().equals(b.getMetadata().getName())).toList();
            assertThat(same).as("the chart has " + b.getKind() + "/" + b.getMetadata().getName()).hasSize(1);
            assertThat(same.getFirst().getMetadata().getLabels()).as("labels of " + b.getKind() + "/" + b.getMetadata().getName())
                    .containsAllEntriesOf(b.getMetadata().getLabels() == null ? Map.of() : b.getMetadata().getLabels());
        }
        for (String role : List.of("temper-agent", "temper-controller")) {
            assertThat(c.one(ClusterRole.class, role).getRules()).isEqualTo(base.one(ClusterRole.class, role).getRules());
            assertThat(c.one(ClusterRoleBinding.class, role).getSubjects()).isEqualTo(base.one(ClusterRoleBinding.class, role).getSubjects());
        }
        DaemonSet bd = base.one(DaemonSet.class, "temper-agent"), cd = c.one(DaemonSet.class, "temper-agent");
        assertThat(cd.getSpec().getUpdateStrategy()).isEqualTo(bd.getSpec().getUpdateStrategy());
        assertThat(cd.getSpec().getSelector()).isEqualTo(bd.getSpec().getSelector());
        PodSpec bp = bd.getSpec().getTemplate().getSpec(), cp = cd.getSpec().getTemplate().getSpec();
        assertThat(cp.getHostPID()).isEqualTo(bp.getHostPID());
        assertThat(cp.getServiceAccountName()).isEqualTo(bp.getServiceAccountName());
        assertThat(cp.getPriorityClassName()).isEqualTo(bp.getPriorityClassName());
        assertThat(cp.getTolerations()).isEqualTo(bp.getTolerations());
        assertThat(cp.getTerminationGracePeriodSeconds()).isEqualTo(bp.getTerminationGracePeriodSeconds());
        Container bc = bp.getContainers().getFirst(), cc = cp.getContainers().getFirst();
        assertThat(cc.getImage()).isEqualTo(bc.getImage());
        assertThat(cc.getSecurityContext()).isEqualTo(bc.getSecurityContext());
        assertThat(cc.getResources()).isEqualTo(bc.getResources());
        Map<String, String> chartArgs = parseAgentArgs(cc.getArgs()), baseArgs = parseAgentArgs(bc.getArgs());
        Map<String, String> chartOnly = new TreeMap<>(chartArgs);
        baseArgs.keySet().forEach(chartOnly::remove);
        assertThat(chartArgs).containsAllEntriesOf(baseArgs);
        assertThat(chartOnly.keySet()).as("arguments only the chart passes").containsExactlyInAnyOrder("--poll-interval", "--git-timeout");
        assertThat(chartOnly).as("...and they are the CLI's defaults").containsEntry("--poll-interval", "PT1M").containsEntry("--git-timeout", "PT30S");
        // Host paths: every one of the base's is the chart's, with the same mount and type.
        Map<String, Volume> bv = volumes(bp), cv = volumes(cp);
        for (Volume v : bv.values()) {
            if (v.getHostPath() == null) continue;
            assertThat(cv.get(v.getName())).as("volume " + v.getName()).isEqualTo(v);
            assertThat(mounts(cc).get(mounts(bc).values().stream().filter(x -> x.getName().equals(v.getName())).findFirst()
                    .orElseThrow().getMountPath())).isEqualTo(mounts(bc).values().stream()
                    .filter(x -> x.getName().equals(v.getName())).findFirst().orElseThrow());
        }
        // The same environment, JAVA_TOOL_OPTIONS (heap and JVM options) included: a base without
        // them would run the agent with the JVM's defaults (G1, C2, a quarter of the limit as heap).
        assertThat(cc.getEnv()).containsExactlyInAnyOrderElementsOf(bc.getEnv());
        assertThat(bc.getEnv()).extracting(EnvVar::getName).contains("JAVA_TOOL_OPTIONS");

        Deployment bdep = base.one(Deployment.class, "temper-controller"), cdep = c.one(Deployment.class, "temper-controller");
        assertThat(cdep.getSpec().getStrategy()).isEqualTo(bdep.getSpec().getStrategy());
        assertThat(cdep.getSpec().getReplicas()).isEqualTo(bdep.getSpec().getReplicas());
        PodSpec bdp = bdep.getSpec().getTemplate().getSpec(), cdp = cdep.getSpec().getTemplate().getSpec();
        assertThat(cdp.getSecurityContext()).isEqualTo(bdp.getSecurityContext());
        assertThat(cdp.getVolumes()).isEqualTo(bdp.getVolumes());
        Container bcc = bdp.getContainers().getFirst(), ccc = cdp.getContainers().getFirst();
        assertThat(ccc.getArgs()).isEqualTo(bcc.getArgs());
        assertThat(ccc.getEnv()).isEqualTo(bcc.getEnv());
        assertThat(ccc.getSecurityContext()).isEqualTo(bcc.getSecurityContext());
        assertThat(ccc.getResources()).isEqualTo(bcc.getResources());
        assertThat(ccc.getVolumeMounts()).isEqualTo(bcc.getVolumeMounts());

        assertThat(base.one(Namespace.class, "temper-system").getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
        assertThat(c.one(CustomResourceDefinition.class, "temperpolicies.temper.codes").getSpec())
                .isEqualTo(base.one(CustomResourceDefinition.class, "temperpolicies.temper.codes").getSpec());
    }

    /**
     * logging.format and logging.level reach agent and controller as --log-format/--log-level the
     * real CLI accepts; at the defaults (text, info) neither is passed, so the manifests stay the
     * kustomize base's. A value the CLI would refuse at start fails the render instead.
     */
    @Test
    void loggingValuesBecomeTheCommandsLogOptions() {
        assertThat(agentContainer(defaults).getArgs()).noneMatch(a -> a.startsWith("--log-"));
        Chart json = Chart.render(t -> t.set("logging.format", "json").set("logging.level", "debug"));
        assertThat(parseAgentArgs(agentContainer(json).getArgs())).containsEntry("--log-format", "JSON")
                .containsKey("--log-level");
        List<String> controller = json.one(Deployment.class, "temper-controller").getSpec().getTemplate().getSpec().getContainers()
                .getFirst().getArgs();
        assertThat(controller).containsExactly("controller", "--resync", "10m", "--api-port", "9741",
                "--audit-file", "/var/log/temper/controller-audit.jsonl", "--log-format", "json", "--log-level", "debug");
        CommandLine.ParseResult parsed = new CommandLine(new codes.temper.cli.Main()).parseArgs(controller.toArray(String[]::new));
        assertThat(parsed.subcommand().unmatched()).isEmpty();
        assertThatThrownBy(() -> Chart.render(t -> t.set("logging.format", "logfmt"))).hasMessageContaining("'text', 'json'");
        assertThatThrownBy(() -> Chart.render(t -> t.set("logging.level", "verbose"))).hasMessageContaining("'error', 'warn', 'info'");
    }

    /**
     * The fleet page: the controller serves it on the port its Service names, writes its audit file
     * under a mounted volume, may review its callers' tokens and permissions and make and delete the
     * toggles' TemperPolicies; with networkPolicy on, only that port is open. Off: none of it.
     */
    @Test
    void theFleetPageHasItsPortServiceRbacAndNetworkPolicy() {
        Chart c = Chart.render(t -> t.set("networkPolicy.enabled", true).set("networkPolicy.apiServer.cidrs[0]", "10.0.0.1/32")
                .set("controller.fleetPage.ingressFrom[0].namespaceSelector.matchLabels.team", "sre"));
        PodSpec pod = c.one(Deployment.class, "temper-controller").getSpec().getTemplate().getSpec();
        Container cc = pod.getContainers().getFirst();
        var parsed = new CommandLine(new codes.temper.cli.Main()).parseArgs(cc.getArgs().toArray(String[]::new)).subcommand();
        assertThat(parsed.unmatched()).isEmpty();
        assertThat((Integer) parsed.matchedOptionValue("--api-port", -1)).isEqualTo(9741);
        String audit = parsed.matchedOptionValue("--audit-file", null).toString();
        assertThat(cc.getVolumeMounts()).anySatisfy(m -> assertThat(audit).startsWith(m.getMountPath() + "/"));
        assertThat(cc.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("fleet");
            assertThat(p.getContainerPort()).isEqualTo(9741);
        });
        assertThat(cc.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        var svc = c.one(io.fabric8.kubernetes.api.model.Service.class, "temper-controller");
        assertThat(svc.getSpec().getType()).isIn(null, "ClusterIP");
        assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("app.kubernetes.io/name", "temper-controller"));
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("fleet"));
        var rules = c.one(ClusterRole.class, "temper-controller").getRules();
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("tokenreviews");
            assertThat(r.getVerbs()).containsExactly("create");
        }).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("subjectaccessreviews");
            assertThat(r.getVerbs()).containsExactly("create");
        }).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("temperpolicies");
            assertThat(r.getVerbs()).contains("create", "update", "delete");
        });
        NetworkPolicy np = c.one(NetworkPolicy.class, "temper-controller");
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(np.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "temper-controller");
        assertThat(np.getSpec().getIngress()).singleElement().satisfies(r -> {
            assertThat(r.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9741));
            assertThat(r.getFrom()).singleElement().satisfies(f -> assertThat(f.getNamespaceSelector().getMatchLabels()).containsEntry("team", "sre"));
        });

        Chart off = Chart.render(t -> t.set("controller.fleetPage.enabled", false));
        Container plain = off.one(Deployment.class, "temper-controller").getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(plain.getArgs()).containsExactly("controller", "--resync", "10m");
        assertThat(plain.getPorts()).isEmpty();
        assertThat(off.kinds()).doesNotContain("Service/temper-controller");
    }
}
