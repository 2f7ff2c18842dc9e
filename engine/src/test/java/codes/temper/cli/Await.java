package codes.temper.cli;

import codes.temper.reconcile.AgentStatus;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Waiting for an agent to get somewhere: the timeout is a hang guard, never a performance bound. */
final class Await {
    private Await() {
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** Until the agent's status matches; the failure shows the last status. */
    static AgentStatus status(Agent agent, Duration timeout, Predicate<AgentStatus> p, String what) throws InterruptedException {
        try {
            until(what, timeout, () -> p.test(agent.status()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status: " + agent.status());
        }
        return agent.status();
    }
}
