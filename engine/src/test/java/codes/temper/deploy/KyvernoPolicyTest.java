package codes.temper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.rules.PodFact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The sample Kyverno policy that guards the tier label, checked for its structure (no Kyverno
 * binary here): one ClusterPolicy that enforces, on Pod creation and update, a deny whose
 * precondition is the presence of exactly Temper's label, with the trusted namespaces excluded.
 */
class KyvernoPolicyTest {
    static final Path FILE = Manifests.SAMPLES.resolve("tier-label.yaml");

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        assertThat(o).as(what).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        assertThat(o).as(what).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    @Test
    void denysTheTierLabelOnPodsOutsideTheTrustedNamespaces() throws Exception {
        List<Object> docs = new java.util.ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(FILE)).forEach(docs::add);
        assertThat(docs).hasSize(1);
        Map<String, Object> policy = map(docs.getFirst(), "document");
        assertThat(policy).containsEntry("apiVersion", "kyverno.io/v1").containsEntry("kind", "ClusterPolicy");
        assertThat(map(policy.get("metadata"), "metadata")).containsEntry("name", "temper-tier-label");

        Map<String, Object> spec = map(policy.get("spec"), "spec");
        assertThat(spec).containsEntry("validationFailureAction", "Enforce").containsEntry("background", true);
        List<Object> rules = list(spec.get("rules"), "spec.rules");
        assertThat(rules).hasSize(1);
        Map<String, Object> rule = map(rules.getFirst(), "rule");

        Map<String, Object> resources = map(map(list(map(rule.get("match"), "match").get("any"), "match.any").getFirst(), "match.any[0]")
                .get("resources"), "match resources");
        assertThat(list(resources.get("kinds"), "kinds")).containsExactly("Pod");
        assertThat(list(resources.get("operations"), "operations")).containsExactlyInAnyOrder("CREATE", "UPDATE");

        Map<String, Object> excluded = map(map(list(map(rule.get("exclude"), "exclude").get("any"), "exclude.any").getFirst(),
                "exclude.any[0]").get("resources"), "exclude resources");
        assertThat(list(excluded.get("namespaces"), "trusted namespaces")).isNotEmpty().allSatisfy(ns ->
                assertThat((String) ns).matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"));

        Map<String, Object> pre = map(list(map(rule.get("preconditions"), "preconditions").get("all"), "preconditions.all").getFirst(),
                "precondition");
        assertThat((String) pre.get("key")).isEqualTo("{{ request.object.metadata.labels.\"" + PodFact.TIER_LABEL + "\" || '' }}");
        assertThat(pre).containsEntry("operator", "NotEquals").containsEntry("value", "");

        Map<String, Object> validate = map(rule.get("validate"), "validate");
        assertThat(map(validate.get("deny"), "deny")).as("an unconditional deny once the precondition holds").isEmpty();
        assertThat((String) validate.get("message")).contains(PodFact.TIER_LABEL, "labelOverrideNamespaces");
    }

    @Test
    void itIsASampleNotPartOfTheKustomization() throws Exception {
        assertThat(Files.readString(Manifests.DEPLOY.resolve("kustomization.yaml"))).doesNotContain("kyverno");
    }
}
