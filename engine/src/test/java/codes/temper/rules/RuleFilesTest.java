package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every rule file has its test class, and the rule base is exactly what the files declare. */
class RuleFilesTest {

    @Test
    void eachRuleFileHasATestClassAndTogetherTheyAreTheRuleBase() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(RuleFixtures.RULES)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".drl")).sorted().toList();
        }
        // A new .drl file needs its own RuleFixtures subclass, named here.
        assertThat(files).containsExactly(new CeilingRulesTest().drlFile(), new FloorRulesTest().drlFile(), new ModeRulesTest().drlFile(),
                new TierRulesTest().drlFile());
        List<String> declared = new ArrayList<>();
        for (String f : files) declared.addAll(RuleFixtures.rulesOf(f));
        assertThat(RuleEngine.get().ruleNames()).containsExactlyInAnyOrderElementsOf(declared);
        assertThat(declared).contains("eligible-pod", "label-override", "label-override-unknown-tier", "label-override-not-allowed",
                "match-without-priority-class", "first-matching-tier", "default-tier", "ceiling-share", "ceiling-cores",
                "ceiling-none", "ceiling-quota", "ceiling-quota-fallback", "safe-mode-requested", "excluded-by-node-policy",
                "kernel-too-old", "kernel-unknown", "attach", "mode-by-precedence", "excluded-cpu-max-not-enforced",
                "cpu-max-enforced-by-scheduler", "floor-share", "floor-cores", "floor-default", "floor-system");
    }
}
