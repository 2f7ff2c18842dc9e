package codes.temper.lab;

import codes.temper.reconcile.CgroupIds;
import codes.temper.sched.BpfDriver;
import codes.temper.sched.BpfObject;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.SchedExtState;
import codes.temper.sched.SchedExtSysfs;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.SchedulerDriver;
import codes.temper.sched.SchedulerSupervisor;
import codes.temper.sched.TierConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel lab's driver (bpf/lab/run): the agent's own scheduler stack ({@link
 * SchedulerSupervisor} over {@link BpfDriver}, the object packaged in the jar) on a real sched_ext
 * kernel. Prints {@code PROBE key=value} lines for the lab to compare; lines starting {@code PROBE
 * debug} carry figures and are not compared. java.base only, so it runs on a jlinked runtime.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp temper.jar codes.temper.lab.LabProbe SCENARIO ...
 *   cycle                      engage -> enabled; stand down (safe mode) -> disabled; re-engage; stand down
 *   hold                       engage, print PROBE attached=1, wait to be killed
 *   batch N CGROUP-PARENT      N real cgroups in tier 1, all moved to tier 2 by map updates only
 *   faulty OBJECT              a scheduler the kernel ejects: backoff, then give up and stay on CFS
 *   caps LABEL CGROUP-ROOT REL...  the agent's path under whatever identity and capabilities the lab
 *                              gave this JVM: driver choice, cgroup ids, attach, map update, detach
 * </pre>
 */
public final class LabProbe {
    private LabProbe() {
    }

    private static final SchedExtSysfs SYSFS = new SchedExtSysfs(SchedExtSysfs.DEFAULT_ROOT);

    public static void main(String[] args) throws Exception {
        try {
            switch (args.length == 0 ? "" : args[0]) {
                case "cycle" -> cycle();
                case "hold" -> hold();
                case "batch" -> batch(Integer.parseInt(args[1]), Path.of(args[2]));
                case "faulty" -> faulty(Path.of(args[1]));
                case "caps" -> caps(args[1], Path.of(args[2]), List.of(args).subList(3, args.length));
                default -> {
                    System.err.println("usage: LabProbe cycle | hold | batch N CGROUP-PARENT | faulty OBJECT | caps LABEL CGROUP-ROOT REL...");
                    System.exit(2);
                }
            }
        } catch (RuntimeException | IOException e) {
            out("error=" + e.toString().replace(' ', '_'));
            e.printStackTrace();
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
    }

    static void out(String line) {
        System.out.println("PROBE " + line);
    }

    /** Three tiers as the default policy's top: rank == index, the last one capped at half a CPU. */
    static final List<TierConfig> TIERS = List.of(
            new TierConfig(0, true, true, 5_000_000, 0),
            new TierConfig(1, true, true, 10_000_000, 0),
            new TierConfig(2, true, false, 20_000_000, 500));

    static SchedulerSupervisor supervisor(BpfObject object, EjectionBackoff backoff, java.util.function.Consumer<SchedulerSupervisor.Event> events) {
        return new SchedulerSupervisor(new BpfDriver(object, SYSFS, CpuMaxProbe.probe().opsMembers()), backoff, Clock.systemUTC(), events);
    }

    static BpfObject packaged() {
        return BpfObject.packaged().orElseThrow(() -> new IllegalStateException("the jar carries no scheduler object"));
    }

    /** Waits (at most 10 s) for the state to leave the transitional enabling/disabling. */
    static SchedExtState settled() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        SchedExtState st = SYSFS.read();
        while ((st.state().equals("enabling") || st.state().equals("disabling")) && System.nanoTime() < deadline) {
            Thread.sleep(1);
            st = SYSFS.read();
        }
        return st;
    }

    static void printState(String step, SchedExtState st) {
        out(step + " state=" + st.state() + (st.enabled() ? " ops=" + st.ops() : ""));
        out("debug " + step + " enable_seq=" + st.enableSeq() + " bypass_ns=" + st.bypassNs());
    }

    static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    /** Must-show 1: engage -> enabled, safe mode -> disabled, re-engage -> enabled. */
    static void cycle() throws Exception {
        SchedulerConfig config = SchedulerConfig.unweighted(TIERS, Map.of());
        try (SchedulerSupervisor sup = supervisor(packaged(), EjectionBackoff.defaults(), e -> { })) {
            out("initial state=" + SYSFS.read().state());
            for (int round = 1; round <= 2; round++) {
                long t0 = System.nanoTime();
                out("engage" + round + " phase=" + sup.engage(config));
                long attachNs = System.nanoTime() - t0;
                printState("attach" + round, settled());
                t0 = System.nanoTime();
                sup.standDown();
                long detachNs = System.nanoTime() - t0;
                SchedExtState after = SYSFS.read();
                long settleNs = System.nanoTime() - t0;
                printState("detach" + round, after);
                out("exit" + round + " kind=" + sup.status().exit().kind() + " phase=" + sup.status().phase());
                out("debug cycle" + round + " engage_ms=" + ms(attachNs) + " standdown_ms=" + ms(detachNs) + " to_disabled_ms=" + ms(settleNs)
                        + " exit_reason=" + sup.status().exit().reason().replace(' ', '_'));
            }
        }
        out("cycle done");
    }

    /** Must-show 2: holds the link until the lab kills this JVM with SIGKILL. */
    static void hold() throws Exception {
        SchedulerSupervisor sup = supervisor(packaged(), EjectionBackoff.defaults(), e -> { });
        sup.engage(SchedulerConfig.unweighted(TIERS, Map.of()));
        out("attached=" + (sup.status().phase() == SchedulerSupervisor.Phase.ATTACHED ? 1 : 0));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Must-show 3: N pod cgroups in tier 1, attached, then all moved to tier 2 through the same
     * engage() the reconcile loop calls: the kernel must not re-enable (enable_seq) nor spend
     * time in bypass (SCX_EV_BYPASS_DURATION), and the driver must not re-attach.
     *
     * <p>The cgroup id the scheduler matches is the cgroup's kernfs id, on 64-bit kernels the
     * directory's inode number: java.base reads it as the "unix:ino" attribute.
     */
    static void batch(int n, Path parent) throws Exception {
        List<Path> dirs = new ArrayList<>();
        Map<Long, Integer> tier1 = new HashMap<>(), tier2 = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Path p = parent.resolve("lab-pod-" + i);
            Files.createDirectories(p);
            dirs.add(p);
            long id = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
            tier1.put(id, 1);
            tier2.put(id, 2);
        }
        out("cgroups=" + tier1.size());
        try (SchedulerSupervisor sup = supervisor(packaged(), EjectionBackoff.defaults(), e -> { })) {
            sup.engage(SchedulerConfig.unweighted(TIERS, tier1));
            printState("batch attach", settled());
            Thread.sleep(200); // a bypass at enable time is counted before "before" is read
            SchedExtState before = SYSFS.read();
            sup.engage(SchedulerConfig.unweighted(TIERS, tier2));
            SchedulerDriver.ApplyResult first = sup.status().lastApply().orElseThrow();
            SchedExtState after = SYSFS.read();
            // Twenty more batches back and forth: the first pays for JIT and downcall linkage. The
            // pause lets the JIT's own threads finish: under single-threaded emulation the other
            // vCPU's work shows up as wall time in ours.
            List<Long> warm = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                Thread.sleep(100);
                sup.engage(SchedulerConfig.unweighted(TIERS, round % 2 == 0 ? tier1 : tier2));
                SchedulerDriver.ApplyResult r = sup.status().lastApply().orElseThrow();
                if (r.writes() != n || r.attached()) out("batch round " + round + " writes=" + r.writes() + " reattached=" + r.attached());
                warm.add(r.nanos());
            }
            SchedExtState after2 = SYSFS.read();
            warm.sort(null);
            out("batch writes=" + first.writes() + " reattached=" + (first.attached() ? "yes" : "no"));
            out("debug batch n=" + n + " first_ms=" + ms(first.nanos()) + " warm_min_ms=" + ms(warm.getFirst())
                    + " warm_median_ms=" + ms((warm.get(9) + warm.get(10)) / 2) + " warm_max_ms=" + ms(warm.getLast()));
            out("debug batch enable_seq " + before.enableSeq() + " " + after.enableSeq() + " " + after2.enableSeq()
                    + " bypass_ns " + before.bypassNs() + " " + after.bypassNs() + " " + after2.bypassNs());
            out("batch state=" + after2.state() + " ops=" + after2.ops());
            out("batch enable_seq_unchanged=" + yes(before.enableSeq() == after.enableSeq() && after.enableSeq() == after2.enableSeq()));
            out("batch bypass_unchanged=" + yes(before.events().containsKey("SCX_EV_BYPASS_DURATION")
                    && before.bypassNs() == after.bypassNs() && after.bypassNs() == after2.bypassNs()));
            sup.standDown();
            printState("batch detach", settled());
        }
        for (Path p : dirs) Files.deleteIfExists(p);
    }

    /**
     * Must-show 4: a scheduler that the kernel ejects (the scx_bpf_error build) under the real
     * supervisor and its watcher. Backoff 3 failures in 10 minutes, 1 s then 2 s apart: the
     * supervisor must re-attach twice, then give up and leave the node on CFS for good.
     */
    static void faulty(Path object) throws Exception {
        AtomicInteger attaches = new AtomicInteger();
        long t0 = System.nanoTime();
        EjectionBackoff backoff = new EjectionBackoff(3, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(10));
        SchedulerSupervisor[] holder = new SchedulerSupervisor[1];
        try (SchedulerSupervisor sup = supervisor(BpfObject.file(object), backoff, e -> {
            if (e.kind() == SchedulerSupervisor.Event.Kind.ATTACHED) attaches.incrementAndGet();
            String kind = e.kind() == SchedulerSupervisor.Event.Kind.EJECTED ? " kind=" + holder[0].status().exit().kind() : "";
            out("faulty event=" + e.kind() + kind);
            out("debug faulty at_ms=" + ms(System.nanoTime() - t0) + " " + e.message().replace(' ', '_'));
        })) {
            holder[0] = sup;
            sup.engage(SchedulerConfig.unweighted(TIERS, Map.of()));
            sup.watch(Duration.ofMillis(50));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (sup.status().phase() != SchedulerSupervisor.Phase.GAVE_UP && System.nanoTime() < deadline) Thread.sleep(50);
            Thread.sleep(5000); // a crash loop would re-attach in here
            var st = sup.status();
            out("faulty phase=" + st.phase() + " state=" + SYSFS.read().state() + " attaches=" + attaches.get() + " failures=" + st.failures());
            out("faulty reason_names_the_error=" + yes(st.lastFailure().orElse("").contains("scx_bpf_error")));
        }
    }

    /**
     * Issue 14's capability trial: the lab runs this JVM as a non-root user holding only the
     * capability set named LABEL (setpriv, ambient capabilities), and this walks the agent's own
     * path with whatever the process was given: {@link DriverChoice} as {@code temper agent} makes
     * it, the pod cgroups' ids through {@link CgroupIds} (read-only: the cgroups are root's), an
     * attach, a map update of every pod without re-attach, and a detach. Nothing is written
     * outside the BPF syscalls, so a pass also shows that no write to /sys or /sys/fs/bpf is needed.
     * Every line is prefixed {@code caps[LABEL]}; a failure prints the error the kernel or libbpf
     * gave, which is what the trial records for each dropped capability.
     */
    static void caps(String label, Path cgroupRoot, List<String> podCgroups) throws Exception {
        String p = "caps[" + label + "] ";
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") || line.startsWith("CapEff:") || line.startsWith("CapAmb:")) {
                out("debug " + p + line.replaceAll("\\s+", " "));
            }
        }
        DriverChoice choice = DriverChoice.choose(DriverChoice.Mode.AUTO, DriverChoice.Host.local(BpfObject.packaged(), CpuMaxProbe.probe().opsMembers()));
        out(p + "driver=" + choice.driver().kind());
        choice.why().ifPresent(why -> out("debug " + p + "why=" + why.replace(' ', '_')));
        CgroupIds ids = new CgroupIds(cgroupRoot);
        Map<Long, Integer> tier1 = new HashMap<>(), tier2 = new HashMap<>();
        for (String rel : podCgroups) {
            ids.id(rel).ifPresent(id -> {
                tier1.put(id, 1);
                tier2.put(id, 2);
            });
        }
        out(p + "hierarchy=" + ids.hierarchy().version() + " cgroups=" + tier1.size() + "/" + podCgroups.size());
        // The BPF driver whatever the choice said: with too few capabilities the choice is dry-run,
        // and the trial wants the kernel's answer too (the two must agree: the lab compares them).
        try (SchedulerSupervisor sup = supervisor(packaged(), new EjectionBackoff(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(1)), e -> { })) {
            SchedulerSupervisor.Phase phase = sup.engage(SchedulerConfig.unweighted(TIERS, tier1));
            out(p + "engage phase=" + phase);
            sup.status().lastFailure().ifPresent(f -> out("debug " + p + "failure=" + f.replace(' ', '_')));
            if (phase != SchedulerSupervisor.Phase.ATTACHED) {
                out(p + "state=" + SYSFS.read().state());
                return;
            }
            printState(p + "attach", settled());
            sup.engage(SchedulerConfig.unweighted(TIERS, tier2));
            SchedulerDriver.ApplyResult r = sup.status().lastApply().orElseThrow();
            out(p + "update phase=" + sup.status().phase() + " writes=" + r.writes() + " reattached=" + yes(r.attached()));
            sup.standDown();
            printState(p + "detach", settled());
        }
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
