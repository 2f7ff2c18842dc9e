package codes.temper.sched;

import java.util.Optional;

/**
 * Tells from sysfs whether the kernel has ejected the scheduler we attached: sched_ext no longer
 * enabled, another ops attached, or enable_seq moved (someone re-attached behind our back).
 * The reason comes from our exit_info map, written by ops.exit, when it is there.
 */
public record Ejection(String reason) {
    public static final String OPS_NAME = "temper";

    public static Optional<Ejection> detect(SchedExtState atAttach, SchedExtState now, ExitInfo exit) {
        String what;
        // ops.exit writes the reason during the disable work, before "disabled": wait for it.
        if (now.state().equals("disabling")) return Optional.empty();
        if (!now.enabled()) what = "sched_ext is " + now.state();
        else if (!now.ops().equals(OPS_NAME)) what = "another scheduler (\"" + now.ops() + "\") is attached";
        else if (now.enableSeq() != atAttach.enableSeq()) what = "enable_seq moved from " + atAttach.enableSeq() + " to " + now.enableSeq();
        else return Optional.empty();
        StringBuilder sb = new StringBuilder("the kernel ejected the scheduler: ").append(what);
        if (exit.exited()) {
            sb.append("; exit: ").append(exit.kindName());
            if (!exit.reason().isEmpty() && !exit.kindName().contains("(" + exit.reason() + ")")) sb.append(" (").append(exit.reason()).append(")");
            if (!exit.message().isEmpty()) sb.append(": ").append(exit.message());
        }
        return Optional.of(new Ejection(sb.toString()));
    }
}
