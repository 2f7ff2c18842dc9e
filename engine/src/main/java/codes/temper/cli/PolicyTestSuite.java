package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.policy.PolicyParser;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import codes.temper.yaml.Problem;
import codes.temper.yaml.YamlLoader;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Policy test fixtures ({@code kind: PolicyTest} in a policy directory's {@code tests/}): nodes and
 * pods written in a short form, and the tiers, ceilings and mode the policy must decide for them.
 * The short forms are turned into real Kubernetes objects and go through the same translation as
 * {@code plan} and the agent.
 */
record PolicyTestSuite(String file, String name, List<Case> cases) {

    record Case(String name, int line, NodeFact node, List<PodFact> pods, Expect expect) {}

    record Expect(String mode, List<String> reasonsContain, Map<String, String> tiers, List<String> unassigned,
                  Map<String, Double> ceilings, List<String> warningsContain) {}

    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> SPEC = Set.of("node", "cases", "cgroupDriver");
    private static final Set<String> CASE = Set.of("name", "node", "pods", "expect");
    private static final Set<String> NODE = Set.of("name", "kernelVersion", "allocatableCpu", "labels", "annotations");
    private static final Set<String> POD = Set.of("name", "namespace", "uid", "nodeName", "phase", "qosClass", "priority",
            "priorityClassName", "labels", "annotations", "cpuLimit", "terminating");
    private static final Set<String> EXPECT = Set.of("mode", "reasonsContain", "tiers", "unassigned", "ceilings", "warningsContain");

    static List<PolicyTestSuite> parse(String file, byte[] content) throws InvalidInputException {
        List<Problem> problems = new ArrayList<>();
        NodeReader r = new NodeReader(file, problems, Limits.POLICY);
        List<PolicyTestSuite> suites = new ArrayList<>();
        for (org.snakeyaml.engine.v2.nodes.Node doc : new YamlLoader(Limits.POLICY).load(file, content)) {
            Map<String, NodeTuple> top = r.mapping(doc, "", TOP);
            if (top == null) continue;
            String api = top.containsKey("apiVersion") ? r.string(top.get("apiVersion").getValueNode(), "apiVersion") : null;
            String kind = top.containsKey("kind") ? r.string(top.get("kind").getValueNode(), "kind") : null;
            if (!PolicyParser.API_VERSION.equals(api) || !"PolicyTest".equals(kind)) {
                r.problem(doc, "kind", "expected apiVersion " + PolicyParser.API_VERSION + " and kind PolicyTest");
                continue;
            }
            String name = "tests";
            if (top.containsKey("metadata")) {
                var md = r.mapping(top.get("metadata").getValueNode(), "metadata", Set.of("name"));
                if (md != null && md.containsKey("name")) name = r.string(md.get("name").getValueNode(), "metadata.name");
            }
            if (!top.containsKey("spec")) {
                r.problem(doc, "spec", "required field is missing");
                continue;
            }
            suites.add(suite(r, top.get("spec").getValueNode(), name));
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return suites;
    }

    private static PolicyTestSuite suite(NodeReader r, org.snakeyaml.engine.v2.nodes.Node specNode, String name) {
        var spec = r.mapping(specNode, "spec", SPEC);
        List<Case> cases = new ArrayList<>();
        if (spec == null) return new PolicyTestSuite(r.file(), name, cases);
        CgroupDriver driver = CgroupDriver.SYSTEMD;
        if (spec.containsKey("cgroupDriver")) {
            String d = r.string(spec.get("cgroupDriver").getValueNode(), "spec.cgroupDriver");
            if ("cgroupfs".equals(d)) driver = CgroupDriver.CGROUPFS;
            else if (d != null && !d.equals("systemd")) r.problem(spec.get("cgroupDriver").getValueNode(), "spec.cgroupDriver", "expected systemd or cgroupfs");
        }
        Map<String, Object> nodeDefaults = spec.containsKey("node") ? fields(r, spec.get("node").getValueNode(), "spec.node", NODE) : Map.of();
        List<org.snakeyaml.engine.v2.nodes.Node> items = spec.containsKey("cases") ? r.sequence(spec.get("cases").getValueNode(), "spec.cases") : null;
        if (items == null) {
            r.problem(specNode, "spec.cases", "required field is missing");
            return new PolicyTestSuite(r.file(), name, cases);
        }
        for (int i = 0; i < items.size(); i++) {
            String path = "spec.cases[" + i + "]";
            var c = r.mapping(items.get(i), path, CASE);
            if (c == null) continue;
            String caseName = c.containsKey("name") ? r.string(c.get("name").getValueNode(), path + ".name") : "case " + i;
            Map<String, Object> nodeFields = new LinkedHashMap<>(nodeDefaults);
            if (c.containsKey("node")) nodeFields.putAll(fields(r, c.get("node").getValueNode(), path + ".node", NODE));
            NodeFact node = NodeFacts.of(node(nodeFields)).orElse(null);
            if (node == null) r.problem(items.get(i), path + ".node.allocatableCpu", "required (no default in spec.node)");
            List<PodFact> pods = new ArrayList<>();
            if (c.containsKey("pods")) {
                var ps = r.sequence(c.get("pods").getValueNode(), path + ".pods");
                for (int j = 0; ps != null && j < ps.size(); j++) {
                    var pf = fields(r, ps.get(j), path + ".pods[" + j + "]", POD);
                    if (!pf.containsKey("name")) {
                        r.problem(ps.get(j), path + ".pods[" + j + "].name", "required field is missing");
                        continue;
                    }
                    try {
                        pods.add(PodFacts.of(pod(pf, node == null ? null : node.name()), driver));
                    } catch (RuntimeException e) {
                        r.problem(ps.get(j), path + ".pods[" + j + "]", "cannot build the pod: " + e.getMessage());
                    }
                }
            }
            Expect expect = c.containsKey("expect") ? expect(r, c.get("expect").getValueNode(), path + ".expect") : null;
            if (expect == null) r.problem(items.get(i), path + ".expect", "required field is missing");
            if (node != null && expect != null) cases.add(new Case(caseName, NodeReader.line(items.get(i)), node, pods, expect));
        }
        return new PolicyTestSuite(r.file(), name, cases);
    }

    @SuppressWarnings("unchecked")
    private static Expect expect(NodeReader r, org.snakeyaml.engine.v2.nodes.Node n, String path) {
        Map<String, Object> e = fields(r, n, path, EXPECT);
        Map<String, Double> ceilings = new LinkedHashMap<>();
        ((Map<String, Object>) e.getOrDefault("ceilings", Map.of())).forEach((k, v) -> {
            if (v instanceof Number num) ceilings.put(k, num.doubleValue());
            else r.problem(n, path + ".ceilings." + k, "expected a number of CPUs");
        });
        return new Expect((String) e.get("mode"), strings(e.get("reasonsContain")),
                (Map<String, String>) e.getOrDefault("tiers", Map.of()), strings(e.get("unassigned")),
                ceilings, strings(e.get("warningsContain")));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return o == null ? List.of() : ((List<Object>) o).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> fields(NodeReader r, org.snakeyaml.engine.v2.nodes.Node n, String path, Set<String> allowed) {
        var m = r.mapping(n, path, allowed);
        Map<String, Object> out = new LinkedHashMap<>();
        if (m != null) m.forEach((k, t) -> out.put(k, r.toJava(t.getValueNode(), NodeReader.join(path, k))));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Node node(Map<String, Object> f) {
        var b = new NodeBuilder().withNewMetadata()
                .withName(String.valueOf(f.getOrDefault("name", "node-a")))
                .withLabels((Map<String, String>) f.getOrDefault("labels", Map.of()))
                .withAnnotations(stringValues((Map<String, Object>) f.getOrDefault("annotations", Map.of())))
                .endMetadata().withNewStatus();
        if (f.containsKey("allocatableCpu")) b.addToAllocatable("cpu", new Quantity(String.valueOf(f.get("allocatableCpu"))));
        if (f.get("kernelVersion") != null) b.withNewNodeInfo().withKernelVersion(String.valueOf(f.get("kernelVersion"))).endNodeInfo();
        return b.endStatus().build();
    }

    private static Map<String, String> stringValues(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Pod pod(Map<String, Object> f, String nodeName) {
        String ns = String.valueOf(f.getOrDefault("namespace", "default"));
        String name = String.valueOf(f.get("name"));
        String uid = String.valueOf(f.getOrDefault("uid", UUID.nameUUIDFromBytes((ns + "/" + name).getBytes(StandardCharsets.UTF_8))));
        var container = new ContainerBuilder().withName("main").withImage("registry.example/app:1");
        if (f.containsKey("cpuLimit")) container.withNewResources().addToLimits("cpu", new Quantity(String.valueOf(f.get("cpuLimit")))).endResources();
        var meta = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid(uid)
                .withLabels((Map<String, String>) f.getOrDefault("labels", Map.of()))
                .withAnnotations(stringValues((Map<String, Object>) f.getOrDefault("annotations", Map.of())));
        if (Boolean.TRUE.equals(f.get("terminating"))) meta.withDeletionTimestamp("2026-11-27T00:00:00Z");
        var spec = meta.endMetadata().withNewSpec()
                .withNodeName(f.containsKey("nodeName") ? (String) f.get("nodeName") : nodeName)
                .withContainers(container.build());
        if (f.get("priority") != null) spec.withPriority(((Number) f.get("priority")).intValue());
        if (f.get("priorityClassName") != null) spec.withPriorityClassName(String.valueOf(f.get("priorityClassName")));
        return spec.endSpec().withNewStatus()
                .withPhase(String.valueOf(f.getOrDefault("phase", "Running")))
                .withQosClass(String.valueOf(f.getOrDefault("qosClass", "Burstable")))
                .endStatus().build();
    }
}
