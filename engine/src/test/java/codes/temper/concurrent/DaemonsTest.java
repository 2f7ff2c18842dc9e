package codes.temper.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DaemonsTest {
    @Test
    void aPeriodicTaskThatThrowsRunsAgain() throws InterruptedException {
        ScheduledExecutorService executor = Daemons.scheduler("temper-test-every");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        try {
            Daemons.every(executor, Duration.ofMillis(1), () -> {
                runs.incrementAndGet();
                third.countDown();
                throw new IllegalStateException("every run fails");
            }, System.getLogger("DaemonsTest"), Level.DEBUG, "expected failure");
            // The executor alone would stop after the first throw; the await is a bound, not a time under test.
            assertThat(third.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.get()).isGreaterThanOrEqualTo(3);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void threadsAreNamedDaemons() throws InterruptedException {
        Thread t = Daemons.start("temper-test-thread", () -> { });
        t.join();
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.getName()).isEqualTo("temper-test-thread");
    }
}
