package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EjectionTest {
    static final SchedExtState ATTACHED = new SchedExtState("enabled", 3, "temper", Map.of());

    @Test
    void stillAttachedIsNoEjection() {
        assertThat(Ejection.detect(ATTACHED, ATTACHED, ExitInfo.NONE)).isEmpty();
    }

    @Test
    void disabledByTheWatchdogCarriesTheExitReason() {
        SchedExtState now = new SchedExtState("disabled", 3, "", Map.of());
        ExitInfo exit = new ExitInfo(1026, 0, "runnable task stall", "sh[159] failed to run for 14.684s");
        assertThat(Ejection.detect(ATTACHED, now, exit)).get().extracting(Ejection::reason).isEqualTo(
                "the kernel ejected the scheduler: sched_ext is disabled; exit: watchdog: a runnable task stalled"
                        + " (runnable task stall): sh[159] failed to run for 14.684s");
    }

    @Test
    void aReasonAlreadyInTheKindNameIsNotRepeated() {
        SchedExtState now = new SchedExtState("disabled", 3, "", Map.of());
        ExitInfo exit = new ExitInfo(1025, 0, "scx_bpf_error", "temper fault injection after 500 dispatches");
        assertThat(Ejection.detect(ATTACHED, now, exit)).get().extracting(Ejection::reason).isEqualTo(
                "the kernel ejected the scheduler: sched_ext is disabled; exit: BPF error (scx_bpf_error): temper fault injection after 500 dispatches");
    }

    @Test
    void disablingIsNotYetAnEjectionBecauseTheReasonIsStillBeingWritten() {
        assertThat(Ejection.detect(ATTACHED, new SchedExtState("disabling", 3, "temper", Map.of()), ExitInfo.NONE)).isEmpty();
    }

    @Test
    void anotherSchedulerOrAReattachIsAnEjectionToo() {
        assertThat(Ejection.detect(ATTACHED, new SchedExtState("enabled", 4, "scx_simple", Map.of()), ExitInfo.NONE))
                .get().extracting(Ejection::reason).asString().contains("another scheduler (\"scx_simple\")");
        assertThat(Ejection.detect(ATTACHED, new SchedExtState("enabled", 5, "temper", Map.of()), ExitInfo.NONE))
                .get().extracting(Ejection::reason).asString().contains("enable_seq moved from 3 to 5");
    }
}
