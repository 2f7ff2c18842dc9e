package codes.temper.controlplane;

import java.time.Duration;
import java.util.function.Supplier;

/** Waiting for the cluster to get somewhere: the timeout is a hang guard, never a performance bound. */
public final class Wait {
    private Wait() {
    }

    public interface Check {
        boolean done() throws Exception;
    }

    public static void until(String what, Duration timeout, Check check) throws InterruptedException {
        until(what, timeout, check, () -> "");
    }

    /** As {@link #until(String, Duration, Check)}; a failure adds what {@code state} says at the time. */
    public static void until(String what, Duration timeout, Check check, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.done()) return;
                last = null;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        String s = state.get();
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + (s.isEmpty() ? "" : ": " + s)
                + (last == null ? "" : " (last check failed: " + last + ")"));
    }
}
