package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (run with scripts/bench-kill-switch --file): file mode as the DaemonSet's
 * hostPath trigger works, `--safe-mode-file` polled every 20 ms (the command's setting): time from
 * creating the file to the driver detached and to /status saying safe-mode, and from removing it
 * to re-attached.
 */
class SafeModeFileBench {
    static final int TOGGLES = Integer.getInteger("toggles", 200);

    @Test
    void safeModeFileToDetach() throws Exception {
        Path dir = Files.createTempDirectory("temper-bench-file");
        Path safe = dir.resolve("safe-mode");
        Agent agent = new Agent(new Agent.Options(null, null, Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml"),
                "../policies", null, null, null, Duration.ofSeconds(5), Duration.ofMinutes(1), safe, Duration.ofMillis(20),
                DriverChoice.Mode.DRY_RUN, null, dir, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), null, null)).start();
        try {
            KillSwitchBench.spinUntil(() -> agent.supervisor().driver().attached());
            List<Long> detach = new ArrayList<>(), status = new ArrayList<>(), reattach = new ArrayList<>();
            for (int t = -10; t < TOGGLES; t++) {
                long t0 = System.nanoTime();
                Files.createFile(safe);
                KillSwitchBench.spinUntil(() -> !agent.supervisor().driver().attached());
                long d = System.nanoTime() - t0;
                KillSwitchBench.spinUntil(() -> agent.status().mode() == Mode.SAFE_MODE);
                long s = System.nanoTime() - t0;
                t0 = System.nanoTime();
                Files.delete(safe);
                KillSwitchBench.spinUntil(() -> agent.supervisor().driver().attached() && agent.status().mode() == Mode.DRY_RUN);
                if (t >= 0) {
                    detach.add(d);
                    status.add(s);
                    reattach.add(System.nanoTime() - t0);
                }
            }
            detach.sort(null);
            status.sort(null);
            reattach.sort(null);
            System.out.printf("BENCH safe-mode file (polled every 20 ms), %d toggles%n", TOGGLES);
            System.out.printf("BENCH file created -> detached: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    KillSwitchBench.pct(detach, 0.5), KillSwitchBench.pct(detach, 0.99), KillSwitchBench.pct(detach, 1));
            System.out.printf("BENCH file created -> /status safe-mode: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    KillSwitchBench.pct(status, 0.5), KillSwitchBench.pct(status, 0.99), KillSwitchBench.pct(status, 1));
            System.out.printf("BENCH file removed -> re-attached: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    KillSwitchBench.pct(reattach, 0.5), KillSwitchBench.pct(reattach, 0.99), KillSwitchBench.pct(reattach, 1));
            assertThat(detach).hasSize(TOGGLES);
        } finally {
            agent.close();
        }
    }
}
