package codes.temper.controller;

import static codes.temper.controller.SafeModeAnnotations.REASON;
import static codes.temper.controller.SafeModeAnnotations.REQUESTED;
import static codes.temper.controller.SafeModeAnnotations.REQUESTED_BY;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.policy.LabelSelector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeModePlannerTest {

    static final SafeModePlanner.Want WANT = new SafeModePlanner.Want(
            new CompiledRule("p", "r", new LabelSelector(Map.of(), List.of()), null, true, "why"));

    static Map<String, String> withNulls(Object... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (String) kv[i + 1]);
        return m;
    }

    @Test
    void setsAllThreeOnAFreeNode() {
        assertThat(SafeModePlanner.annotationDiff(Map.of("other", "x"), WANT)).isEqualTo(
                Map.of(REQUESTED, "true", REQUESTED_BY, "controller/p/r", REASON, "why"));
    }

    @Test
    void changesOnlyWhatDiffers() {
        var current = Map.of(REQUESTED, "true", REQUESTED_BY, "controller/p/r", REASON, "old reason");
        assertThat(SafeModePlanner.annotationDiff(current, WANT)).isEqualTo(Map.of(REASON, "why"));
        assertThat(SafeModePlanner.annotationDiff(Map.of(REQUESTED, "true", REQUESTED_BY, "controller/p/r", REASON, "why"), WANT)).isEmpty();
    }

    @Test
    void removesOnlyItsOwnRequest() {
        var ours = Map.of(REQUESTED, "true", REQUESTED_BY, "controller/p/r", REASON, "why", "other", "x");
        assertThat(SafeModePlanner.annotationDiff(ours, null)).isEqualTo(withNulls(REQUESTED, null, REQUESTED_BY, null, REASON, null));
        // an operator's request, with or without a reason, is never touched: not released, not adopted
        var operators = Map.of(REQUESTED, "true", REASON, "kernel bug");
        assertThat(SafeModePlanner.annotationDiff(operators, null)).isEmpty();
        assertThat(SafeModePlanner.annotationDiff(operators, WANT)).isEmpty();
        assertThat(SafeModePlanner.annotationDiff(Map.of(REQUESTED, "false"), WANT)).isEmpty();
        // nothing of ours and nothing wanted: nothing to do, even with a stray reason
        assertThat(SafeModePlanner.annotationDiff(Map.of(REASON, "stray"), null)).isEmpty();
    }
}
