package codes.temper.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cgroup retry's backoff, pass by pass: no clock, no loop. */
class CgroupRetryTest {
    static final Duration BASE = Duration.ofSeconds(1), MAX = Duration.ofSeconds(30);

    @Test
    void theWaitDoublesWhileTheSamePodsStayUnresolvedUpToTheCap() {
        CgroupRetry r = CgroupRetry.NONE;
        List<Long> waits = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            r = r.after(List.of("ns/a", "ns/b"));
            waits.add(r.delay(BASE, MAX).orElseThrow().toSeconds());
        }
        assertThat(waits).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
        // a thousand passes later the shift has not overflowed
        for (int i = 0; i < 1000; i++) r = r.after(List.of("ns/b", "ns/a"));
        assertThat(r.delay(BASE, MAX)).hasValue(MAX);
    }

    @Test
    void anyChangeInThePodsWaitedForStartsAgainFromTheBase() {
        CgroupRetry r = CgroupRetry.NONE.after(List.of("ns/a")).after(List.of("ns/a")).after(List.of("ns/a"));
        assertThat(r.delay(BASE, MAX)).hasValue(Duration.ofSeconds(4));
        assertThat(r.after(List.of("ns/a", "ns/new")).delay(BASE, MAX)).as("a new pod").hasValue(BASE);
        assertThat(r.after(List.of()).after(List.of("ns/a")).delay(BASE, MAX)).as("resolved, then waiting again").hasValue(BASE);
    }

    @Test
    void nothingUnresolvedMeansNoRetry() {
        assertThat(CgroupRetry.NONE.after(List.of())).isEqualTo(CgroupRetry.NONE);
        assertThat(CgroupRetry.NONE.delay(BASE, MAX)).isEmpty();
        assertThat(new CgroupRetry(Set.of("ns/a"), 5).after(Set.of())).isEqualTo(CgroupRetry.NONE);
    }
}
