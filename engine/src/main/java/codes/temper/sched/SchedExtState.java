package codes.temper.sched;

import java.util.Map;

/**
 * What the kernel says about sched_ext, read from /sys/kernel/sched_ext.
 *
 * @param state      "enabled", "disabled", "enabling", "disabling", or "absent" without sched_ext
 * @param enableSeq  attaches since boot; a change means someone (re)attached
 * @param ops        name of the attached scheduler's ops ("temper" for ours), "" when none
 * @param events     root/events counters (SCX_EV_*), empty when not attached
 */
public record SchedExtState(String state, long enableSeq, String ops, Map<String, Long> events) {
    public static final SchedExtState ABSENT = new SchedExtState("absent", 0, "", Map.of());

    public SchedExtState {
        events = Map.copyOf(events);
    }

    public boolean present() {
        return !state.equals("absent");
    }

    public boolean enabled() {
        return state.equals("enabled");
    }

    /** Nanoseconds the kernel spent in bypass mode (CFS-like fallback) while this ops was attached. */
    public long bypassNs() {
        return events.getOrDefault("SCX_EV_BYPASS_DURATION", 0L);
    }
}
