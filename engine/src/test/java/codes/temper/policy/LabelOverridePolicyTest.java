package codes.temper.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import codes.temper.yaml.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The label override's settings: off unless a policy says so, and on only with the namespaces it
 * trusts named. Every refusal names file, line, column and field.
 */
class LabelOverridePolicyTest {

    static String policy(String labelSettings) {
        return """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                %s  tiers:
                  - {name: fast, match: [{priorityAtLeast: 1000}]}
                  - {name: slow, match: [{priorityAtLeast: 0}]}
                """.formatted(labelSettings);
    }

    static PolicySet parse(String yaml) throws InvalidInputException {
        return new PolicyParser().parse(List.of(new PolicyFile("tiers.yaml", yaml.getBytes(StandardCharsets.UTF_8))));
    }

    static List<String> problems(String yaml) {
        return catchThrowableOfType(InvalidInputException.class, () -> parse(yaml)).problems().stream().map(Object::toString).toList();
    }

    @Test
    void offUnlessThePolicySaysSoAndTheShippedPolicyKeepsItOff() throws Exception {
        TierPolicy unset = parse(policy("")).tierPolicy();
        assertThat(unset.allowLabelOverride()).isFalse();
        assertThat(unset.labelOverrideNamespaces()).isEmpty();

        TierPolicy shipped = new PolicyParser().parse(PolicyDirectory.read(Path.of("../policies"))).tierPolicy();
        assertThat(shipped.allowLabelOverride()).as("policies/tiers.yaml").isFalse();
    }

    @Test
    void onWithTheTrustedNamespacesNamed() throws Exception {
        TierPolicy p = parse(policy("  allowLabelOverride: true\n  labelOverrideNamespaces: [platform-system, kube-system]\n")).tierPolicy();
        assertThat(p.allowLabelOverride()).isTrue();
        assertThat(p.labelOverrideNamespaces()).containsExactlyInAnyOrder("platform-system", "kube-system");
    }

    @Test
    void onWithoutNamespacesIsRefusedAtTheSwitch() {
        assertThat(problems(policy("  allowLabelOverride: true\n"))).containsExactly(
                "tiers.yaml:5:23: spec.allowLabelOverride: true needs spec.labelOverrideNamespaces, the namespaces trusted to pick any"
                        + " tier by the label temper.codes/tier (elsewhere a label may only lower a pod's tier)");
    }

    @Test
    void badNamespaceListsAreRefusedNamingTheEntry() {
        assertThat(problems(policy("  allowLabelOverride: true\n  labelOverrideNamespaces: []\n")))
                .containsExactly("tiers.yaml:6:28: spec.labelOverrideNamespaces: empty; name at least one namespace, or turn spec.allowLabelOverride off");
        assertThat(problems(policy("  allowLabelOverride: true\n  labelOverrideNamespaces: [ok, Not_A_Namespace, ok]\n")))
                .containsExactly(
                        "tiers.yaml:6:33: spec.labelOverrideNamespaces[1]: \"Not_A_Namespace\" is not a namespace name (lowercase letters, digits and '-', at most 63)",
                        "tiers.yaml:6:50: spec.labelOverrideNamespaces[2]: duplicate namespace \"ok\"");
        assertThat(problems(policy("  allowLabelOverride: true\n  labelOverrideNamespaces: platform\n")))
                .singleElement().asString().startsWith("tiers.yaml:6:28: spec.labelOverrideNamespaces: ");
    }

    @Test
    void namespacesWhileOffAreRefusedAsDoingNothing() {
        assertThat(problems(policy("  labelOverrideNamespaces: [platform-system]\n"))).containsExactly(
                "tiers.yaml:5:3: spec.labelOverrideNamespaces: has no effect unless spec.allowLabelOverride is true");
    }
}
