package codes.temper.api;

import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.SafeModeControl;
import codes.temper.rules.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Status snapshots and a recording safe-mode switch for the API tests. */
final class Fixtures {

    static final String REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567";
    static final Instant UPDATED = Instant.parse("2026-11-27T10:15:30.123Z");

    private Fixtures() {
    }

    static AgentStatus notReady() {
        return new AgentStatus("node-a", Mode.ATTACH, "degraded:starting", List.of("starting"), null, false, List.of(),
                new AgentStatus.Scheduler("dry-run", "no sched_ext in this kernel", "DETACHED", "absent", null, 0, null, null),
                null, UPDATED);
    }

    static AgentStatus attached(List<AgentStatus.Tier> tiers, String... reasons) {
        return new AgentStatus("node-a", Mode.ATTACH, "attached", List.of(reasons), REVISION, true, tiers,
                new AgentStatus.Scheduler("bpf", null, "ATTACHED", "enabled", "temper", 3, null, null,
                        new AgentStatus.CpuMax(AgentStatus.CpuMax.SCHEDULER_POD_CEILINGS, "scheduler (pod ceilings from CPU limits)",
                                "sched_ext does not pass cpu.max to the scheduler (probed: sched_ext_ops has no cgroup_set_bandwidth)")),
                new AgentStatus.Reconfiguration(Instant.parse("2026-11-27T10:15:29Z"), "pods", 4, 1.25, 0.5, 7, false),
                UPDATED);
    }

    /** Counters as the sampler makes them: critical and background, and the system tier. */
    static AgentStatus.SchedulerStats stats() {
        List<Long> critical = new ArrayList<>(java.util.Collections.nCopies(24, 0L));
        critical.set(3, 90L);   // < 8 us
        critical.set(10, 9L);   // < 1.024 ms
        critical.set(23, 1L);   // longer than 2^22 us
        List<Long> none = java.util.Collections.nCopies(24, 0L);
        return new AgentStatus.SchedulerStats(true, null, Instant.parse("2026-11-27T10:15:28Z"), 5.0, List.of(
                new AgentStatus.TierStat("critical", 0, 12.5, 1.25, 120, 110, 0, 80, 7, 100, 4.5, 8L, 1024L, critical),
                new AgentStatus.TierStat("background", 4, 300.0, 0.5, 900, 880, 42, 3, 0, 0, 0.0, null, null, none)),
                new AgentStatus.TierStat(AgentStatus.TierStat.SYSTEM, 16, 2.0, 0.01, 10, 10, 0, 9, 0, 0, 0.0, null, null, none),
                new AgentStatus.PodThrottling(57, List.of(
                        new AgentStatus.TierThrottling("critical", 0, 0, List.of()),
                        new AgentStatus.TierThrottling("background", 3, 57, List.of(
                                new AgentStatus.PodThrottled("batch/crunch-1", 50, 0.5, "pod ceiling"),
                                new AgentStatus.PodThrottled("batch/crunch-2", 7, 1.0, "pod ceiling")))), 5));
    }

    static List<AgentStatus.Tier> tiers() {
        return List.of(
                new AgentStatus.Tier("critical", 0, 8.0, "policy", 3),
                new AgentStatus.Tier("normal", 2, null, null, 21),
                new AgentStatus.Tier("background", 4, 2.0, "policy", 5));
    }

    static AgentStatus safeMode() {
        return new AgentStatus("node-a", Mode.SAFE_MODE, "safe-mode", List.of("requested through the status API"), REVISION,
                true, List.of(), new AgentStatus.Scheduler("bpf", null, "DETACHED", "disabled", null, 3, null, null),
                null, UPDATED);
    }

    /** Records calls; the real one belongs to reconcile. */
    static final class RecordingControl implements SafeModeControl {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized boolean requestSafeMode(boolean on, String actor, String reason) {
            calls.add(on + "|" + actor + "|" + reason);
            return true;
        }
    }
}
