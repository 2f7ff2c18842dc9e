package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The poll schedule, computed: no thread, no clock, no sleep. */
class PollPlanTest {
    static final Duration MINUTE = Duration.ofSeconds(60);

    @Test
    void twoNodesWithTheSameIntervalDoNotPollInLockstep() {
        List<Duration> a = PollPlan.forNode("node-a", MINUTE).pollTimes(50);
        List<Duration> b = PollPlan.forNode("node-b", MINUTE).pollTimes(50);
        List<Long> gapsMillis = IntStream.range(0, 50).mapToObj(i -> Math.abs(a.get(i).minus(b.get(i)).toMillis())).toList();
        // never at the same moment, and drifting apart rather than keeping one offset
        assertThat(gapsMillis).allSatisfy(g -> assertThat(g).isPositive());
        assertThat(new HashSet<>(gapsMillis)).hasSizeGreaterThan(45);
        assertThat(gapsMillis.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(10_000);
    }

    @Test
    void aFleetStartedTogetherSpreadsOut() {
        // 500 nodes restarted by one rollout poll at start together; by their fifth poll no second holds 5 % of them.
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (int n = 0; n < 500; n++) {
            long at = PollPlan.forNode("node-" + n, MINUTE).pollTimes(5).getLast().toSeconds();
            perSecond.merge(at, 1, Integer::sum);
        }
        assertThat(perSecond.values()).allSatisfy(count -> assertThat(count).isLessThan(25));
        assertThat(perSecond).hasSizeGreaterThan(60);
    }

    @Test
    void withoutJitterEveryNodePollsInLockstep() {
        // What the agent did before: the assertions above fail for this plan.
        PollPlan a = new PollPlan(MINUTE, 0, 1), b = new PollPlan(MINUTE, 0, 2);
        assertThat(a.pollTimes(10)).isEqualTo(b.pollTimes(10));
        assertThat(a.delays(3)).containsOnly(MINUTE);
    }

    @Test
    void aNodesPlanIsReproducibleFromItsName() {
        assertThat(PollPlan.forNode("node-a", MINUTE).delays(20)).isEqualTo(PollPlan.forNode("node-a", MINUTE).delays(20));
        assertThat(PollPlan.forNode("node-a", MINUTE).seed()).isNotEqualTo(PollPlan.forNode("node-b", MINUTE).seed());
    }

    @Test
    void waitsStayWithinTheirBoundsVaryAndAverageTheInterval() {
        PollPlan plan = new PollPlan(MINUTE, 0.2, 42);
        List<Duration> waits = plan.delays(10_000);
        assertThat(waits).allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72)));
        Set<Duration> distinct = new HashSet<>(waits);
        assertThat(distinct).hasSizeGreaterThan(9_900);
        double meanSeconds = waits.stream().mapToLong(Duration::toMillis).average().orElseThrow() / 1000;
        assertThat(meanSeconds).isBetween(59.5, 60.5);
        assertThat(new PollPlan(MINUTE, 0, 42).nextDelay(new SplittableRandom(7))).isEqualTo(MINUTE);
    }

    @ParameterizedTest
    @CsvSource({"0, 0.2", "-1, 0.2", "60, -0.1", "60, 1.0"})
    void refusesAnIntervalOrJitterThatMakesNoSchedule(long seconds, double jitter) {
        assertThatThrownBy(() -> new PollPlan(Duration.ofSeconds(seconds), jitter, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
