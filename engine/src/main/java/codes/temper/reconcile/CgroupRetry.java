package codes.temper.reconcile;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * When the loop looks again for pods whose cgroup is not there yet. A runtime creates a pod's
 * cgroup within a second or two of the pod being bound, so the first look comes soon; a pod whose
 * cgroup never appears (a runtime that failed, a node file naming pods of another host) must not
 * cost a full pass every second for ever. So the wait doubles while the same pods stay
 * unresolved, up to a cap, and starts again from the base as soon as the set changes (a new pod,
 * one resolved): what changed is looked at promptly, what is stuck is looked at rarely.
 *
 * <p>Pure: the state after a pass and the wait it implies, no clock and no thread.
 *
 * @param waitingFor the pods (namespace/name) still without a cgroup after the last pass
 * @param attempts   passes in a row that found exactly these pods unresolved
 */
record CgroupRetry(Set<String> waitingFor, int attempts) {
    static final CgroupRetry NONE = new CgroupRetry(Set.of(), 0);

    CgroupRetry {
        waitingFor = Set.copyOf(waitingFor);
    }

    /** The state after a pass that left {@code unresolved} without a cgroup. */
    CgroupRetry after(Collection<String> unresolved) {
        Set<String> now = Set.copyOf(unresolved);
        if (now.isEmpty()) return NONE;
        return new CgroupRetry(now, now.equals(waitingFor) ? attempts + 1 : 1);
    }

    /** How long to wait before the next look: {@code base * 2^(attempts-1)}, at most {@code max}; empty when none is needed. */
    Optional<Duration> delay(Duration base, Duration max) {
        if (attempts == 0) return Optional.empty();
        // 2^20 seconds is far past any sensible cap: the shift stays small and cannot overflow.
        long factor = 1L << Math.min(attempts - 1, 20);
        Duration d = base.multipliedBy(factor);
        return Optional.of(d.compareTo(max) > 0 ? max : d);
    }
}
