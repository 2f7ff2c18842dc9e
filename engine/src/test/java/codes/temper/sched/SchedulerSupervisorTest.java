package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.ManualClock;
import codes.temper.sched.SchedulerSupervisor.Event;
import codes.temper.sched.SchedulerSupervisor.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The supervisor's decisions without a kernel: a driver that the test can make the kernel eject
 * or refuse to attach. The kernel lab (bpf/lab/run) runs the same supervisor over the BPF driver
 * and a faulty scheduler that the real kernel ejects.
 */
class SchedulerSupervisorTest {
    static final SchedulerConfig CONFIG = SchedulerConfig.unweighted(List.of(DriversTest.CRITICAL, DriversTest.NORMAL), Map.of(10L, 0, 11L, 1));

    /** A driver whose kernel the test controls. */
    static final class KernelStandIn implements SchedulerDriver {
        boolean attached, refuseAttach;
        int attaches, detaches;
        ExitInfo exit = ExitInfo.NONE;
        String ejectedFor;
        SchedulerConfig applied = SchedulerConfig.EMPTY;

        @Override
        public String kind() {
            return "stand-in";
        }

        @Override
        public ApplyResult apply(SchedulerConfig desired) throws BpfException {
            boolean attaching = !attached;
            if (attaching && refuseAttach) throw new BpfException("bpf_map__attach_struct_ops", 16);
            int writes = ConfigDiff.between(applied, desired).writes();
            applied = desired;
            if (attaching) {
                attached = true;
                attaches++;
                ejectedFor = null;
                exit = ExitInfo.NONE;
            }
            return new ApplyResult(writes, attaching, 1000);
        }

        void eject(ExitInfo why) {
            ejectedFor = "the kernel ejected the scheduler: sched_ext is disabled; exit: " + why.kindName();
            exit = why;
        }

        @Override
        public void detach() {
            if (attached) detaches++;
            attached = false;
            applied = SchedulerConfig.EMPTY;
        }

        @Override
        public boolean attached() {
            return attached;
        }

        @Override
        public Optional<Ejection> ejected() {
            return attached && ejectedFor != null ? Optional.of(new Ejection(ejectedFor)) : Optional.empty();
        }

        @Override
        public SchedExtState kernelState() {
            return attached && ejectedFor == null ? new SchedExtState("enabled", attaches, "temper", Map.of())
                    : new SchedExtState("disabled", attaches, "", Map.of());
        }

        @Override
        public ExitInfo exitInfo() {
            return exit;
        }

        @Override
        public void close() {
            detach();
        }
    }

    final KernelStandIn kernel = new KernelStandIn();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00Z"));
    final List<Event> events = new ArrayList<>();
    final SchedulerSupervisor sup = new SchedulerSupervisor(kernel,
            new EjectionBackoff(3, Duration.ofSeconds(10), Duration.ofSeconds(25), Duration.ofMinutes(30)), clock, events::add);
    static final ExitInfo ERROR = new ExitInfo(1025, 0, "scx_bpf_error", "temper fault injection after 500 dispatches");

    List<Event.Kind> kinds() {
        return events.stream().map(Event::kind).toList();
    }

    @Test
    void engageAttachesOnceAndThenOnlyWritesTheDifference() {
        assertThat(sup.engage(CONFIG)).isEqualTo(Phase.ATTACHED);
        assertThat(sup.status().lastApply()).get().satisfies(a -> assertThat(a.attached()).isTrue());
        SchedulerConfig moved = SchedulerConfig.unweighted(CONFIG.tiers(), Map.of(10L, 1, 11L, 1));
        assertThat(sup.engage(moved)).isEqualTo(Phase.ATTACHED);
        assertThat(sup.status().lastApply().orElseThrow().writes()).isEqualTo(1);
        assertThat(kernel.attaches).isEqualTo(1);
        assertThat(kinds()).containsExactly(Event.Kind.ATTACHED);
    }

    @Test
    void standDownDetachesAndReEngageAttachesAgain() {
        sup.engage(CONFIG);
        sup.standDown();
        assertThat(kernel.attached).isFalse();
        assertThat(sup.status().phase()).isEqualTo(Phase.DETACHED);
        sup.standDown(); // idempotent
        assertThat(kernel.detaches).isEqualTo(1);
        assertThat(sup.engage(CONFIG)).isEqualTo(Phase.ATTACHED);
        assertThat(kinds()).containsExactly(Event.Kind.ATTACHED, Event.Kind.DETACHED, Event.Kind.ATTACHED);
    }

    @Test
    void anEjectionIsReportedWithTheKernelsReasonAndRetriedAfterTheBackoff() {
        sup.engage(CONFIG);
        kernel.eject(ERROR);
        assertThat(sup.check()).isPresent();
        var st = sup.status();
        assertThat(st.phase()).isEqualTo(Phase.BACKOFF);
        assertThat(st.lastFailure()).get().asString().contains("scx_bpf_error");
        assertThat(st.exit().kind()).isEqualTo(1025);
        assertThat(st.retryAt()).contains(clock.now.plusSeconds(10));
        assertThat(kernel.attached).as("the dead link is released").isFalse();

        clock.advance(Duration.ofSeconds(9));
        sup.check();
        assertThat(kernel.attaches).as("not before the backoff ran out").isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        sup.check();
        assertThat(kernel.attaches).isEqualTo(2);
        assertThat(sup.status().phase()).isEqualTo(Phase.ATTACHED);
        assertThat(kinds()).containsExactly(Event.Kind.ATTACHED, Event.Kind.EJECTED, Event.Kind.ATTACHED);
    }

    @Test
    void aSchedulerThatKeepsGettingEjectedIsGivenUpOnAndTheNodeStaysOnCfs() {
        sup.engage(CONFIG);
        Duration[] waits = new Duration[2];
        for (int i = 0; i < 3; i++) {
            kernel.eject(ERROR);
            sup.check();
            if (i < 2) {
                waits[i] = Duration.between(clock.now, sup.status().retryAt().orElseThrow());
                clock.advance(waits[i]);
                sup.check();
            }
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20));
        assertThat(sup.status().phase()).isEqualTo(Phase.GAVE_UP);
        assertThat(kernel.attaches).isEqualTo(3);
        // No further attach however long we wait, and a new configuration is held, not attached.
        clock.advance(Duration.ofHours(1));
        sup.check();
        assertThat(sup.engage(CONFIG)).isEqualTo(Phase.GAVE_UP);
        assertThat(kernel.attaches).isEqualTo(3);
        assertThat(kernel.attached).isFalse();
        assertThat(events.getLast().kind()).isEqualTo(Event.Kind.GAVE_UP);
        assertThat(events.getLast().message()).contains("3 failures", "staying on CFS");
        // An operator's reset attaches the wanted configuration again.
        sup.reset();
        assertThat(sup.status().phase()).isEqualTo(Phase.ATTACHED);
        assertThat(kernel.attaches).isEqualTo(4);
    }

    @Test
    void aFailedAttachCountsLikeAnEjectionAndLeavesNothingAttached() {
        kernel.refuseAttach = true;
        assertThat(sup.engage(CONFIG)).isEqualTo(Phase.BACKOFF);
        assertThat(sup.status().lastFailure()).get().asString().startsWith("attach failed: bpf_map__attach_struct_ops");
        assertThat(kernel.attached).isFalse();
        kernel.refuseAttach = false;
        clock.advance(Duration.ofSeconds(10));
        sup.check();
        assertThat(sup.status().phase()).isEqualTo(Phase.ATTACHED);
    }

    @Test
    void standingDownDuringABackoffCancelsTheRetry() {
        sup.engage(CONFIG);
        kernel.eject(ERROR);
        sup.check();
        sup.standDown();
        clock.advance(Duration.ofMinutes(5));
        sup.check();
        assertThat(kernel.attaches).isEqualTo(1);
        assertThat(sup.status().phase()).isEqualTo(Phase.DETACHED);
    }

    @Test
    void closeLeavesTheNodeOnCfs() {
        sup.engage(CONFIG);
        sup.watch(Duration.ofMillis(5));
        sup.close();
        assertThat(kernel.attached).isFalse();
    }

    @Test
    void aDryRunIsNeverCountedAsAnAttachOrADetach() {
        List<Event> dryEvents = new ArrayList<>();
        var dry = new SchedulerSupervisor(new DryRunDriver("this kernel has no sched_ext"), EjectionBackoff.defaults(), clock, dryEvents::add);
        assertThat(dry.engage(CONFIG)).as("the dry run holds the configuration").isEqualTo(Phase.ATTACHED);
        dry.standDown();
        dry.engage(CONFIG);
        dry.close();
        assertThat(dryEvents).as("nothing was loaded into the kernel, so no attach or detach happened").isEmpty();
    }
}
