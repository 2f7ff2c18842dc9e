package codes.temper.reconcile;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every trigger that can ask for safe mode: the node annotation, the local file, the status API.
 * Any one active is enough (fail-safe direction); each is withdrawn only by its own source.
 * {@link #set} returns whether the overall answer changed, so the caller knows when to act.
 */
public final class SafeModeSignals implements SafeModeState {

    public enum Source {
        ANNOTATION("node annotation temper.codes/safe-mode-requested"),
        FILE("safe-mode file"),
        API("POST /safe-mode");

        final String label;

        Source(String label) {
            this.label = label;
        }
    }

    private record Standing(String why, Instant since) {
    }

    private final Map<Source, Standing> active = new TreeMap<>();
    private final Clock clock;

    public SafeModeSignals() {
        this(Clock.systemUTC());
    }

    public SafeModeSignals(Clock clock) {
        this.clock = clock;
    }

    /** @return true when safe mode as a whole switched on or off */
    public synchronized boolean set(Source source, boolean on, String why) {
        boolean before = !active.isEmpty();
        if (on) {
            Standing was = active.get(source);
            // Seen again (the annotation on every node update): it has stood since it was first seen.
            active.put(source, new Standing(why, was == null ? clock.instant() : was.since()));
        } else {
            active.remove(source);
        }
        return before != !active.isEmpty();
    }

    /** The standing triggers, for the status: which, what they say, since when. */
    public synchronized AgentStatus.SafeMode snapshot() {
        return new AgentStatus.SafeMode(!active.isEmpty(), active.entrySet().stream()
                .map(e -> new AgentStatus.Trigger(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue().why(), e.getValue().since()))
                .toList());
    }

    @Override
    public synchronized boolean requested() {
        return !active.isEmpty();
    }

    /** One reason per active trigger, e.g. "safe-mode file: /run/temper/safe-mode exists". */
    @Override
    public synchronized java.util.List<String> reasons() {
        return active.entrySet().stream().map(e -> e.getKey().label + ": " + e.getValue().why()).toList();
    }
}
