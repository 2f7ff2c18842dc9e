package codes.temper.reconcile;

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

    private final Map<Source, String> active = new TreeMap<>();

    /** @return true when safe mode as a whole switched on or off */
    public synchronized boolean set(Source source, boolean on, String why) {
        boolean before = !active.isEmpty();
        if (on) active.put(source, why);
        else active.remove(source);
        return before != !active.isEmpty();
    }

    @Override
    public synchronized boolean requested() {
        return !active.isEmpty();
    }

    /** One reason per active trigger, e.g. "safe-mode file: /var/run/temper/safe-mode exists". */
    @Override
    public synchronized java.util.List<String> reasons() {
        return active.entrySet().stream().map(e -> e.getKey().label + ": " + e.getValue()).toList();
    }
}
