package codes.temper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

@EnableKubernetesMockClient(crud = true)
class DeployManifestsTest {

    static Manifests manifests;
    KubernetesClient client;

    @BeforeAll
    static void load() throws IOException {
        manifests = Manifests.load();
    }

    static Set<String> grants(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            for (String g : r.getApiGroups()) for (String res : r.getResources()) for (String v : r.getVerbs()) {
                out.add((g.isEmpty() ? "core" : g) + " " + res + " " + v);
            }
        }
        return out;
    }

    static List<PolicyRule> allRules() {
        return Stream.concat(manifests.ofType(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
                manifests.ofType(Role.class).stream().flatMap(r -> r.getRules().stream())).toList();
    }

    @Test
    void everyFileParsesIntoTypedObjects() {
        assertThat(manifests.all()).extracting(m -> m.object().getKind()).contains(
                "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet", "Deployment",
                "CustomResourceDefinition");
        // The unknown-field check has teeth: a misspelt field is caught.
        var unknown = new java.util.ArrayList<String>();
        Object typo = Manifests.SERIALIZATION.convertValue(
                Map.of("apiVersion", "v1", "kind", "ServiceAccount", "metadata", Map.of("name", "x", "lables", Map.of())),
                io.fabric8.kubernetes.api.model.KubernetesResource.class);
        Manifests.unknownFields(typo, "typo", unknown, new java.util.IdentityHashMap<>());
        assertThat(unknown).singleElement().asString().contains("lables");
    }

    @Test
    void noWildcardsAndNoSecretsInAnyRole() {
        assertThat(allRules()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*").doesNotContain("secrets");
            assertThat(r.getApiGroups()).doesNotContain("*");
            assertThat(r.getNonResourceURLs()).isNullOrEmpty();
            assertThat(r.getResourceNames()).isNullOrEmpty();
        });
    }

    @Test
    void agentRoleIsExactlyWhatTheAgentNeeds() {
        assertThat(grants(manifests.one(ClusterRole.class, "temper-agent").getRules())).containsExactlyInAnyOrder(
                "core nodes get", "core nodes list", "core nodes watch", "core nodes patch",
                "core pods list", "core pods watch",
                "core events create",
                // the status API's callers, reviewed as kube-rbac-proxy reviews them
                "authentication.k8s.io tokenreviews create", "authorization.k8s.io subjectaccessreviews create");
        ClusterRoleBinding b = manifests.one(ClusterRoleBinding.class, "temper-agent");
        assertThat(b.getRoleRef().getName()).isEqualTo("temper-agent");
        assertThat(b.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("temper-agent");
            assertThat(s.getNamespace()).isEqualTo("temper-system");
        });
    }

    @Test
    void controllerRoleIsExactlyWhatTheControllerNeeds() {
        assertThat(grants(manifests.one(ClusterRole.class, "temper-controller").getRules())).containsExactlyInAnyOrder(
                "core nodes get", "core nodes list", "core nodes watch", "core nodes patch",
                "temper.codes temperpolicies get", "temper.codes temperpolicies list", "temper.codes temperpolicies watch",
                // the fleet page's toggles are TemperPolicies the controller makes and deletes
                "temper.codes temperpolicies create", "temper.codes temperpolicies update", "temper.codes temperpolicies delete",
                "temper.codes temperpolicies/status update",
                "core events create",
                // the fleet page's callers, reviewed as the agent reviews its own
                "authentication.k8s.io tokenreviews create", "authorization.k8s.io subjectaccessreviews create");
        assertThat(manifests.one(ClusterRoleBinding.class, "temper-controller").getSubjects())
                .singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("temper-controller"));
    }

    @Test
    void daemonSetRunsTheAgentWithTwoCapabilitiesOnEveryNode() {
        DaemonSet ds = manifests.one(DaemonSet.class, "temper-agent");
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("temper-system");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostPID()).as("hostPID").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getServiceAccountName()).isEqualTo("temper-agent");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("10%");
        assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(ds.getSpec().getTemplate().getMetadata().getLabels()
                .entrySet().stream().filter(e -> ds.getSpec().getSelector().getMatchLabels().containsKey(e.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        Container c = pod.getContainers().getFirst();
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(c.getImage()).isEqualTo("ghcr.io/temper-codes/temper:0.1.0");
        assertThat(c.getArgs()).containsExactly("agent", "--policies",
                "https://git.example.org/platform/temper-policies.git#main:policies", "--port", "9740",
                "--safe-mode-file", "/run/temper/safe-mode", "--cache-dir", "/var/lib/temper",
                "--api-tokens", "/etc/temper/api-tokens/tokens", "--audit-file", "/var/log/temper/audit.jsonl");
        assertAgentSecurityContext(c.getSecurityContext());
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("status");
            assertThat(p.getContainerPort()).isEqualTo(9740);
        });
        assertProbe(c.getLivenessProbe(), "/healthz");
        assertProbe(c.getReadinessProbe(), "/readyz");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")));

        Map<String, VolumeMount> mounts = c.getVolumeMounts().stream()
                .collect(java.util.stream.Collectors.toMap(VolumeMount::getMountPath, m -> m));
        Map<String, Volume> volumes = pod.getVolumes().stream()
                .collect(java.util.stream.Collectors.toMap(Volume::getName, v -> v));
        assertHostPath(mounts, volumes, "/sys", "/sys", true, null);
        assertThat(mounts).as("no bpffs: nothing is pinned").doesNotContainKey("/sys/fs/bpf");
        assertHostPath(mounts, volumes, "/sys/fs/cgroup", "/sys/fs/cgroup", true, null);
        assertThat(volumes.get(mounts.get("/tmp").getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();
        assertHostPath(mounts, volumes, "/run/temper", "/run/temper", false, "DirectoryOrCreate");
        assertHostPath(mounts, volumes, "/var/lib/temper", "/var/lib/temper", false, "DirectoryOrCreate");
        assertHostPath(mounts, volumes, "/var/log/temper", "/var/log/temper", false, "DirectoryOrCreate");
        for (String secretMount : List.of("/etc/temper/git", "/etc/temper/api-tokens")) {
            VolumeMount m = mounts.get(secretMount);
            assertThat(m).as(secretMount).isNotNull();
            assertThat(m.getReadOnly()).isTrue();
            var secret = volumes.get(m.getName()).getSecret();
            assertThat(secret).as(secretMount + " is a Secret volume").isNotNull();
            assertThat(secret.getOptional()).as(secretMount + " is optional").isTrue();
        }
    }

    /**
     * The capability trial's result (docs/permissions.md): not privileged, root UID (Kubernetes
     * gives added capabilities to root only), every capability dropped but the two the kernel lab
     * measured as enough, a read-only root filesystem.
     */
    static void assertAgentSecurityContext(io.fabric8.kubernetes.api.model.SecurityContext sc) {
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getRunAsUser()).isZero();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("BPF", "PERFMON");
    }

    /**
     * The kernel lab's scenario h) runs the real agent with the capabilities the manifests add
     * (HelmChartTest keeps the chart's equal to these): a change to one is then tried in the other.
     */
    @Test
    void theKernelLabRunsTheAgentWithTheCapabilitiesTheManifestsAdd() throws IOException {
        String lab = java.nio.file.Files.readString(Manifests.DEPLOY.resolveSibling("bpf").resolve("lab").resolve("run"));
        var m = java.util.regex.Pattern.compile("(?m)^agent_caps=(\\S+)$").matcher(lab);
        assertThat(m.find()).as("agent_caps= in bpf/lab/run").isTrue();
        List<String> tried = java.util.Arrays.stream(m.group(1).split(",")).map(c -> c.toUpperCase(java.util.Locale.ROOT)).toList();
        Container agent = manifests.one(DaemonSet.class, "temper-agent").getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactlyInAnyOrderElementsOf(tried);
    }

    static void assertProbe(Probe p, String path) {
        assertThat(p).as(path).isNotNull();
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        var port = p.getHttpGet().getPort();
        assertThat(port.getIntVal() != null ? port.getIntVal().toString() : port.getStrVal()).isIn("9740", "status");
    }

    static void assertHostPath(Map<String, VolumeMount> mounts, Map<String, Volume> volumes, String mountPath,
                               String hostPath, boolean readOnly, String type) {
        VolumeMount m = mounts.get(mountPath);
        assertThat(m).as("mount " + mountPath).isNotNull();
        assertThat(Boolean.TRUE.equals(m.getReadOnly())).as(mountPath + " read-only").isEqualTo(readOnly);
        var hp = volumes.get(m.getName()).getHostPath();
        assertThat(hp).as(mountPath + " is a hostPath").isNotNull();
        assertThat(hp.getPath()).isEqualTo(hostPath);
        if (type != null) assertThat(hp.getType()).isEqualTo(type);
    }

    @Test
    void theArgsInTheManifestsAreOnesTheCommandsAccept() {
        // Parsed by the real picocli model of `temper`, so a renamed or mistyped flag fails here,
        // not on a node. Paths the DaemonSet passes must be ones it mounts.
        DaemonSet ds = manifests.one(DaemonSet.class, "temper-agent");
        Container agent = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        var parsed = new picocli.CommandLine(new codes.temper.cli.Main()).parseArgs(agent.getArgs().toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("agent");
        assertThat(parsed.subcommand().unmatched()).isEmpty();
        List<String> mounts = agent.getVolumeMounts().stream().map(m -> m.getMountPath()).toList();
        for (String flag : List.of("--safe-mode-file", "--cache-dir", "--api-tokens")) {
            String value = String.valueOf((Object) parsed.subcommand().matchedOptionValue(flag, null));
            assertThat(mounts).as(flag + " " + value).anyMatch(m -> value.startsWith(m));
        }
        Deployment d = manifests.one(Deployment.class, "temper-controller");
        var controller = new picocli.CommandLine(new codes.temper.cli.Main())
                .parseArgs(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs().toArray(String[]::new));
        assertThat(controller.subcommand().commandSpec().name()).isEqualTo("controller");
        assertThat(controller.subcommand().unmatched()).isEmpty();
        String audit = String.valueOf((Object) controller.subcommand().matchedOptionValue("--audit-file", null));
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getVolumeMounts())
                .as("--audit-file " + audit).anyMatch(m -> audit.startsWith(m.getMountPath() + "/"));
    }

    @Test
    void controllerRunsUnprivilegedAndReadOnly() {
        Deployment d = manifests.one(Deployment.class, "temper-controller");
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getArgs()).first().isEqualTo("controller");
        assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    }

    @Test
    void kustomizationListsEveryManifestAndOnlyExistingFiles() throws IOException {
        Map<String, Object> k = new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Manifests.DEPLOY.resolve("kustomization.yaml"))) instanceof Map<?, ?> m
                ? castMap(m) : Map.of();
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) k.get("resources");
        assertThat(resources).isNotEmpty().allSatisfy(r ->
                assertThat(Manifests.DEPLOY.resolve(r)).as("kustomization resource " + r).isRegularFile());
        Set<Path> listed = new TreeSet<>();
        for (String r : resources) listed.add(Manifests.DEPLOY.resolve(r).normalize());
        Set<Path> files = new TreeSet<>();
        for (var m : manifests.all()) files.add(m.file().normalize());
        assertThat(listed).isEqualTo(files);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /**
     * The image's entrypoint (deploy/image/entrypoint, which scripts/build-image writes into the
     * image's config) is `temper` itself: the JDK 25 runtime of the Debian base, native access
     * for libbpf, and the jar Maven builds at the path the image has it. The manifests set only
     * args (agent ..., controller ...), never a command that would replace it.
     */
    @Test
    void theImagesEntrypointRunsTheJarMavenBuildsAndManifestsOnlyPassArgs() throws IOException {
        List<String> entrypoint = Files.readAllLines(Manifests.DEPLOY.resolve("image/entrypoint")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        assertThat(entrypoint).containsExactly("/usr/lib/jvm/java-25-openjdk-amd64/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-jar", "/opt/temper/" + finalName.group(1) + ".jar");
        String script = Files.readString(Path.of("..", "scripts", "build-image"));
        assertThat(script).contains("deploy/image/entrypoint").contains("openjdk-25-jre-headless,libbpf1")
                .contains("cp \"$d/temper.jar\" \"$d/temper.cdx.json\" \"$d/app/opt/temper/\"");
        for (var m : manifests.all()) {
            if (m.object() instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet ds) {
                assertThat(ds.getSpec().getTemplate().getSpec().getContainers()).allSatisfy(c -> {
                    assertThat(c.getCommand()).isNullOrEmpty();
                    assertThat(c.getArgs().getFirst()).isEqualTo("agent");
                });
            }
            if (m.object() instanceof io.fabric8.kubernetes.api.model.apps.Deployment d) {
                assertThat(d.getSpec().getTemplate().getSpec().getContainers()).allSatisfy(c -> {
                    assertThat(c.getCommand()).isNullOrEmpty();
                    assertThat(c.getArgs().getFirst()).isEqualTo("controller");
                });
            }
        }
    }

    @Test
    void everyManifestIsAcceptedByTheApiServerMock() {
        // Namespace first, CRD before anything that could need it, as kubectl apply -k orders them.
        List<HasMetadata> ordered = manifests.all().stream().map(Manifests.Manifest::object)
                .sorted(java.util.Comparator.comparingInt(o -> o instanceof Namespace ? 0
                        : o instanceof CustomResourceDefinition ? 1 : 2))
                .toList();
        // createOr: on a loaded machine the client may retry a create whose first try landed (409).
        for (HasMetadata o : ordered) client.resource(o).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        for (HasMetadata o : ordered) {
            HasMetadata back = client.resource(o).get();
            assertThat(back).as(o.getKind() + "/" + o.getMetadata().getName()).isNotNull();
            assertThat(back.getMetadata().getUid()).isNotBlank();
        }
        assertThat(client.apps().daemonSets().inNamespace("temper-system").withName("temper-agent").get()
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getSecurityContext().getCapabilities().getAdd())
                .containsExactlyInAnyOrder("BPF", "PERFMON");
    }
}
