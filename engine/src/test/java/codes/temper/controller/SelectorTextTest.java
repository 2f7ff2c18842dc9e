package codes.temper.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** kubectl's label selector syntax, read into the API's form and evaluated with the policies' own matcher. */
class SelectorTextTest {

    static boolean matches(String selector, Map<String, String> labels) {
        return PolicyRules.selector(SelectorText.parse(selector)).matches(labels);
    }

    @Test
    void kubectlSyntax() {
        Map<String, String> gpuA = Map.of("pool", "gpu", "topology.kubernetes.io/zone", "a");
        assertThat(matches("", gpuA)).isTrue();
        assertThat(matches("pool=gpu", gpuA)).isTrue();
        assertThat(matches("pool==gpu", gpuA)).isTrue();
        assertThat(matches("pool!=gpu", gpuA)).isFalse();
        assertThat(matches("pool!=cpu", Map.of())).as("NotIn matches a node without the label, as in Kubernetes").isTrue();
        assertThat(matches("topology.kubernetes.io/zone in (a, b)", gpuA)).isTrue();
        assertThat(matches("topology.kubernetes.io/zone notin (a,b)", gpuA)).isFalse();
        assertThat(matches("pool", gpuA)).isTrue();
        assertThat(matches("!pool", gpuA)).isFalse();
        assertThat(matches("pool=gpu,!spot", gpuA)).isTrue();
        assertThat(matches("pool=gpu,pool=cpu", gpuA)).as("two requirements on one key both hold").isFalse();
    }

    @Test
    void refusalsSayWhat() {
        assertThatThrownBy(() -> SelectorText.parse("pool=gpu,")).hasMessageContaining("empty requirement");
        assertThatThrownBy(() -> SelectorText.parse("zone in (a,(b))")).hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> SelectorText.parse("<script>=x")).hasMessageContaining("not a label key: \"<script>\"");
        assertThatThrownBy(() -> SelectorText.parse("pool=a b")).hasMessageContaining("not a label value");
        assertThatThrownBy(() -> SelectorText.parse("pool=" + "x".repeat(64))).hasMessageContaining("not a label value");
        assertThatThrownBy(() -> SelectorText.parse("a\u001b[31m=x")).hasMessageContaining("\\u001b");
        assertThatThrownBy(() -> SelectorText.parse("x".repeat(1001))).hasMessageContaining("longer than 1000");
    }
}
