package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rules/floors.drl: every tier gets exactly one floor (share, cores, the default), and system work one. */
class FloorRulesTest extends RuleFixtures {

    @Override
    String drlFile() {
        return "floors.drl";
    }

    static String floorTiers(String cpus) {
        return tiers("{name: top, match: [{priorityAtLeast: 1000}]}",
                "{name: floored, match: [{priorityAtLeast: -1000000}], floor: {cpus: %s}}",
                "{name: last}").formatted(cpus);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"5%\"|7910|0.3955|5% of 7.91 allocatable CPUs|floor-share",
            "\"0%\"|8000|0.0|0% of 8.0 allocatable CPUs|floor-share",
            "\"0.5\"|7910|0.5|0.5 cores|floor-cores",
            "0|8000|0.0|0 cores|floor-cores"})
    void aShareIsAFractionOfAllocatableAndCoresAreAbsolute(String cpus, long allocatableMillis, double floor, String note, String rule) {
        Run r = run(policy(floorTiers(cpus)), node(Map.of(), null, KERNEL, 6012, allocatableMillis));
        assertThat(r.tier("floored").floor()).isEqualTo(new TierFloor("floored", floor, "policy", note));
        assertThat(r.fired()).contains(rule);
    }

    @Test
    void aTierWithoutAFloorGetsOnePercentAndSystemWorkTen() {
        Run r = run(policy(floorTiers("\"2\"")), node(Map.of(), null, KERNEL, 6012, 7910));
        assertThat(r.tier("last").floor()).isEqualTo(new TierFloor("last", 0.0791, "default",
                "no floor in the policy: 1.0% of 7.91 allocatable CPUs"));
        assertThat(r.decision().systemFloor()).isEqualTo(new TierFloor(TierFloor.SYSTEM, 0.791, "default",
                "no system floor in the policy: 10.0% of 7.91 allocatable CPUs"));
        assertThat(r.fired()).contains("floor-default", "floor-system");
    }

    @Test
    void systemWorksFloorAsWritten() {
        Run r = run(policy(floorTiers("\"1%\"").replace("spec:\n", "spec:\n  system: {floor: {cpus: \"0.25\"}}\n")),
                node(Map.of(), null, KERNEL, 6012, 4000));
        assertThat(r.decision().systemFloor()).isEqualTo(new TierFloor(TierFloor.SYSTEM, 0.25, "policy", "0.25 cores"));
    }

    @Test
    void everyTierGetsExactlyOneFloor() {
        Run r = run(policy(floorTiers("\"3%\"")), node());
        assertThat(r.decision().tiers()).allSatisfy(t -> assertThat(t.floor()).isNotNull());
        assertThat(r.fired()).filteredOn(n -> n.startsWith("floor-") && !n.equals("floor-system")).hasSize(3);
        assertThat(r.fired()).filteredOn(n -> n.equals("floor-system")).hasSize(1);
    }
}
