package codes.temper.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Liveness of the loop ({@code /healthz}): the pure decision, then a real loop whose pass is a
 * stuck fake, judged on an injected clock. No sleep: the test waits on latches for the pass to
 * have started, and moves the clock itself.
 */
class LoopLivenessTest {
    static final long S = 1_000_000_000L;
    static final Duration BOUND = Duration.ofSeconds(60);

    static Coalescing.Progress inPassSince(long start) {
        return new Coalescing.Progress(true, true, false, true, start, "pods");
    }

    @Test
    void waitingForEventsIsProgressAPassOverTheBoundIsNot() {
        var idle = new Coalescing.Progress(true, true, false, false, 0, null);
        assertThat(Coalescing.stalled(idle, 3_600 * S, BOUND)).as("idle for an hour: nothing was due").isEmpty();
        assertThat(Coalescing.stalled(inPassSince(0), 60 * S, BOUND)).as("at the bound").isEmpty();
        assertThat(Coalescing.stalled(inPassSince(0), 61 * S, BOUND)).hasValue(
                "a pass (trigger pods) has run for 61 s, over the 60 s bound: the loop is stuck");
        // nanoTime may be negative and may wrap: differences only
        assertThat(Coalescing.stalled(inPassSince(Long.MAX_VALUE - S), Long.MIN_VALUE + 70 * S, BOUND)).isPresent();
    }

    @Test
    void aDeadThreadIsNotProgressAClosedOrUnstartedLoopIsNoConcern() {
        assertThat(Coalescing.stalled(new Coalescing.Progress(true, false, false, false, 0, null), 0, BOUND))
                .hasValue("the loop's thread has died; no change will be applied");
        assertThat(Coalescing.stalled(new Coalescing.Progress(true, false, true, false, 0, null), 0, BOUND)).isEmpty();
        assertThat(Coalescing.stalled(new Coalescing.Progress(false, false, false, false, 0, null), 0, BOUND)).isEmpty();
    }

    @Test
    void aStuckPassMakesTheLoopStalledUntilItReturns() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * S);
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1), returned = new CountDownLatch(1);
        var pacing = new Coalescing.Pacing(Duration.ZERO, Duration.ZERO, Duration.ofDays(1));
        try (var loop = new CoalescingLoop("stuck-test", pacing, b -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.countDown();
        }, now::get)) {
            assertThat(loop.stalled(BOUND)).as("not started").isEmpty();
            loop.start("start");
            entered.await();
            assertThat(loop.stalled(BOUND)).as("just started").isEmpty();
            now.addAndGet(61 * S);
            assertThat(loop.stalled(BOUND)).hasValue("a pass (trigger start) has run for 61 s, over the 60 s bound: the loop is stuck");

            release.countDown();
            returned.await();
            // The loop marks the pass done right after it returns; its lock orders that before this read.
            while (loop.stalled(BOUND).isPresent()) Thread.onSpinWait();
            now.addAndGet(600 * S);
            assertThat(loop.stalled(BOUND)).as("idle again: waiting is progress").isEmpty();
        }
    }

    /**
     * The agent starts its loop urgent when its world was read whole before (snapshot files): the
     * first pass does not wait out the debounce. The clock never moves here, so a pass that
     * waited for an hour of quiet could never run.
     */
    @Test
    void anUrgentStartRunsTheFirstPassWithoutWaitingOutTheDebounce() throws Exception {
        var pacing = new Coalescing.Pacing(Duration.ofHours(1), Duration.ofHours(2), Duration.ofDays(1));
        CountDownLatch ran = new CountDownLatch(1);
        var batches = new java.util.concurrent.CopyOnWriteArrayList<CoalescingLoop.Batch>();
        try (var loop = new CoalescingLoop("urgent-start-test", pacing, b -> {
            batches.add(b);
            ran.countDown();
        }, () -> 5 * S)) {
            loop.signal("policy"); // queued before the start, as the agent's first policy poll is
            loop.start("start", true);
            assertThat(ran.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the first pass ran").isTrue();
            assertThat(batches).containsExactly(new CoalescingLoop.Batch("policy,start", 2));
        }
    }

    @Test
    void aSoonerRetryBringsTheWaitingOneForwardALaterOneDoesNot() {
        AtomicLong now = new AtomicLong();
        var pacing = new Coalescing.Pacing(Duration.ZERO, Duration.ZERO, Duration.ofDays(1));
        try (var loop = new CoalescingLoop("retry-test", pacing, b -> { }, now::get)) {
            assertThat(loop.retryAfter("cgroup-retry", Duration.ofSeconds(16))).isTrue();
            assertThat(loop.retryAfter("cgroup-retry", Duration.ofSeconds(30))).as("later: the waiting one stays").isFalse();
            assertThat(loop.retryAfter("cgroup-retry", Duration.ofSeconds(1))).as("sooner: brought forward").isTrue();
            assertThat(loop.retryAfter("cgroup-retry", Duration.ofSeconds(1))).as("the same: not multiplied").isFalse();
        }
    }
}
