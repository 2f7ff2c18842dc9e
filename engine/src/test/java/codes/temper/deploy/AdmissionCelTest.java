package codes.temper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, must-show 7: the CEL of the chart's ValidatingAdmissionPolicy (as Helm renders it)
 * and of the CRD's x-kubernetes-validations (deploy/crd), compiled and evaluated by a real CEL
 * engine (cel-java) against admission requests and objects built here, each rule with a case it
 * allows and a case it refuses.
 *
 * <p>The variables are declared dyn: the API server type-checks against the OpenAPI schema,
 * which is stricter at compile time; the evaluation semantics (maps, lists, has(), all(),
 * startsWith, trim) are CEL's own and the same.
 */
class AdmissionCelTest {
    static final String AGENT = "system:serviceaccount:temper-system:temper-agent";
    static final String NODE_NAME_CLAIM = "authentication.kubernetes.io/node-name";

    static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS) // has(), all(), exists(), map(), filter()
            .addVar("object", SimpleType.DYN).addVar("oldObject", SimpleType.DYN).addVar("request", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN).addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN)
            // Kubernetes' CEL environment includes the strings extension (trim(), lowerAscii() ...).
            .addLibraries(CelExtensions.strings()).build();
    static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();

    static ValidatingAdmissionPolicy vap;

    @BeforeAll
    static void render() {
        vap = Chart.defaults().one(ValidatingAdmissionPolicy.class, "temper-agent-own-node");
    }

    static Object eval(String expression, Map<String, Object> activation) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return RUNTIME.createProgram(ast).eval(activation);
        } catch (Exception e) {
            throw new AssertionError("CEL " + expression + ": " + e.getMessage(), e);
        }
    }

    // ---- the admission policy --------------------------------------------------------------

    static Map<String, Object> node(String name, Consumer<Map<String, Object>> edit) {
        Map<String, Object> labels = new HashMap<>(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux"));
        Map<String, Object> annotations = new HashMap<>(Map.of("node.alpha.kubernetes.io/ttl", "0",
                "temper.codes/agent-status", "attached", "temper.codes/policy-revision", "dir@sha256:00"));
        Map<String, Object> metadata = new HashMap<>(Map.of("name", name, "labels", labels, "annotations", annotations));
        Map<String, Object> spec = new HashMap<>(Map.of("podCIDR", "10.244.1.0/24"));
        Map<String, Object> node = new HashMap<>(Map.of("apiVersion", "v1", "kind", "Node", "metadata", metadata, "spec", spec));
        edit.accept(node);
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> meta(Map<String, Object> node, String field) {
        return (Map<String, Object>) ((Map<String, Object>) node.get("metadata")).get(field);
    }

    static Map<String, Object> request(String user, List<String> boundNode) {
        Map<String, Object> userInfo = new HashMap<>(Map.of("username", user, "groups", List.of("system:serviceaccounts")));
        if (boundNode != null) {
            userInfo.put("extra", Map.of(NODE_NAME_CLAIM, boundNode,
                    "authentication.kubernetes.io/pod-name", List.of("temper-agent-x7k2p")));
        }
        return Map.of("operation", "UPDATE", "userInfo", userInfo,
                "resource", Map.of("group", "", "version", "v1", "resource", "nodes"));
    }

    record Verdict(boolean matched, List<String> refusals) {
        boolean allowed() {
            return refusals.isEmpty();
        }
    }

    /** What the API server does with the policy: match conditions, then variables, then every validation. */
    static Verdict admit(Map<String, Object> request, Map<String, Object> oldObject, Map<String, Object> object) {
        Map<String, Object> activation = new HashMap<>(Map.of("request", request, "object", object, "oldObject", oldObject));
        for (MatchCondition c : vap.getSpec().getMatchConditions()) {
            if (!Boolean.TRUE.equals(eval(c.getExpression(), activation))) return new Verdict(false, List.of());
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        activation.put("variables", variables);
        for (Variable v : vap.getSpec().getVariables()) variables.put(v.getName(), eval(v.getExpression(), activation));
        List<String> refusals = new ArrayList<>();
        for (Validation v : vap.getSpec().getValidations()) {
            Object ok = eval(v.getExpression(), activation);
            assertThat(ok).as(v.getExpression()).isInstanceOf(Boolean.class);
            if (!(Boolean) ok) {
                refusals.add(v.getMessageExpression() != null ? String.valueOf(eval(v.getMessageExpression(), activation)) : v.getMessage());
            }
        }
        return new Verdict(true, refusals);
    }

    static Verdict agentOnNodeA(Map<String, Object> before, Map<String, Object> after) {
        return admit(request(AGENT, List.of("node-a")), before, after);
    }

    @Test
    void thePolicyHasTheFourRulesTheseCasesCover() {
        // A new rule must come with its own allowed and refused cases below.
        assertThat(vap.getSpec().getValidations()).hasSize(4);
        assertThat(vap.getSpec().getMatchConditions()).hasSize(1);
    }

    @Test
    void matchConditionSelectsOnlyTheAgentsServiceAccount() {
        var before = node("node-b", n -> {});
        var after = node("node-b", n -> meta(n, "labels").put("team", "x"));
        // The controller, an admin, a kubelet: not this policy's business (RBAC and NodeRestriction are).
        assertThat(admit(request("system:serviceaccount:temper-system:temper-controller", null), before, after).matched()).isFalse();
        assertThat(admit(request("kubernetes-admin", null), before, after).matched()).isFalse();
        assertThat(admit(request("system:serviceaccount:other-ns:temper-agent", List.of("node-b")), before, after).matched()).isFalse();
        assertThat(admit(request(AGENT, List.of("node-b")), before, after).matched()).isTrue();
    }

    @Test
    void ownNodeTemperAnnotationsAllowed() {
        var before = node("node-a", n -> {});
        var changed = node("node-a", n -> meta(n, "annotations").put("temper.codes/agent-status", "safe-mode"));
        var added = node("node-a", n -> meta(n, "annotations").put("temper.codes/safe-mode-reason", "x"));
        var removed = node("node-a", n -> meta(n, "annotations").remove("temper.codes/policy-revision"));
        for (var after : List.of(changed, added, removed)) {
            Verdict v = agentOnNodeA(before, after);
            assertThat(v.matched()).isTrue();
            assertThat(v.refusals()).isEmpty();
        }
        // A node with no annotations at all yet (has() guards the missing map).
        var bare = node("node-a", n -> ((Map<?, ?>) n.get("metadata")).remove("annotations"));
        var first = node("node-a", n -> {
            ((Map<String, Object>) n.get("metadata")).put("annotations", new HashMap<>(Map.of("temper.codes/agent-status", "attached")));
        });
        assertThat(agentOnNodeA(bare, first).allowed()).isTrue();
    }

    @Test
    void otherNodeRefused() {
        var before = node("node-b", n -> {});
        var after = node("node-b", n -> meta(n, "annotations").put("temper.codes/agent-status", "safe-mode"));
        assertThat(agentOnNodeA(before, after).refusals()).containsExactly("temper-agent may change only the Node its token is bound to, not node-b");
        // The same change by the agent bound to node-b is allowed: the rule is about the binding.
        assertThat(admit(request(AGENT, List.of("node-b")), before, after).allowed()).isTrue();
    }

    @Test
    void aTokenWithoutTheNodeClaimIsRefused() {
        // Fail closed: a legacy Secret-based token, or a cluster too old to put the claim in.
        var before = node("node-a", n -> {});
        var after = node("node-a", n -> meta(n, "annotations").put("temper.codes/agent-status", "safe-mode"));
        assertThat(admit(request(AGENT, null), before, after).refusals()).singleElement().asString().contains("bound to");
    }

    @Test
    void otherAnnotationsRefused() {
        var before = node("node-a", n -> {});
        var added = node("node-a", n -> meta(n, "annotations").put("cluster-autoscaler.kubernetes.io/scale-down-disabled", "true"));
        var changed = node("node-a", n -> meta(n, "annotations").put("node.alpha.kubernetes.io/ttl", "30"));
        var removed = node("node-a", n -> meta(n, "annotations").remove("node.alpha.kubernetes.io/ttl"));
        // A look-alike prefix is not the prefix.
        var lookalike = node("node-a", n -> meta(n, "annotations").put("temper.codes.evil.io/x", "1"));
        for (var after : List.of(added, changed, removed, lookalike)) {
            assertThat(agentOnNodeA(before, after).refusals()).containsExactly("temper-agent may add, change or remove only temper.codes/ annotations");
        }
    }

    @Test
    void labelsRefusedUnchangedLabelsAllowed() {
        var before = node("node-a", n -> {});
        var labelled = node("node-a", n -> meta(n, "labels").put("temper.codes/cpu-quota", "strict"));
        var unlabelled = node("node-a", n -> meta(n, "labels").remove("kubernetes.io/os"));
        for (var after : List.of(labelled, unlabelled)) {
            assertThat(agentOnNodeA(before, after).refusals()).containsExactly("temper-agent may not change a Node's labels");
        }
        assertThat(agentOnNodeA(before, node("node-a", n -> {})).allowed()).isTrue();
    }

    @Test
    void specRefusedUnchangedSpecAllowed() {
        var before = node("node-a", n -> {});
        var tainted = node("node-a", n -> ((Map<String, Object>) n.get("spec")).put("taints",
                List.of(Map.of("key", "x", "effect", "NoSchedule"))));
        var cordoned = node("node-a", n -> ((Map<String, Object>) n.get("spec")).put("unschedulable", true));
        for (var after : List.of(tainted, cordoned)) {
            assertThat(agentOnNodeA(before, after).refusals()).containsExactly(
                    "temper-agent may not change a Node's spec (taints, podCIDR, unschedulable)");
        }
    }

    // ---- the CRD's x-kubernetes-validations --------------------------------------------------

    /** Every x-kubernetes-validations rule in the CRD's schema, wherever it sits. */
    static void rules(JSONSchemaProps s, List<ValidationRule> out) {
        if (s == null) return;
        if (s.getXKubernetesValidations() != null) out.addAll(s.getXKubernetesValidations());
        if (s.getProperties() != null) s.getProperties().values().forEach(p -> rules(p, out));
        if (s.getItems() != null) rules(s.getItems().getSchema(), out);
        if (s.getAdditionalProperties() != null) rules(s.getAdditionalProperties().getSchema(), out);
    }

    @Test
    void crdRuleReasonRequiredWhenSafeModeIsTrue() throws Exception {
        CustomResourceDefinition crd = Manifests.load().one(CustomResourceDefinition.class, "temperpolicies.temper.codes");
        List<ValidationRule> found = new ArrayList<>();
        for (var v : crd.getSpec().getVersions()) rules(v.getSchema().getOpenAPIV3Schema(), found);
        // A new rule must come with its own allowed and refused cases below.
        assertThat(found).singleElement().satisfies(r -> assertThat(r.getMessage()).isEqualTo("reason must be non-empty when safeMode is true"));
        String rule = found.getFirst().getRule();
        // self = one item of spec.rules
        assertThat(eval(rule, Map.of("self", Map.of("name", "drain", "nodeSelector", Map.of(), "safeMode", true, "reason", "kernel bug 123"))))
                .isEqualTo(true);
        assertThat(eval(rule, Map.of("self", Map.of("name", "off", "nodeSelector", Map.of(), "safeMode", false)))).isEqualTo(true);
        assertThat(eval(rule, Map.of("self", Map.of("name", "drain", "nodeSelector", Map.of(), "safeMode", true)))).isEqualTo(false);
        assertThat(eval(rule, Map.of("self", Map.of("name", "drain", "nodeSelector", Map.of(), "safeMode", true, "reason", " \t "))))
                .isEqualTo(false);
    }
}
