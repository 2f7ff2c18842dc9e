package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing of /sys/kernel/sched_ext as the 7.2 kernel lays it out (contents copied from the lab's
 * console). The lab checks the same reader against the live files.
 */
class SchedExtSysfsTest {
    @TempDir Path root;

    @Test
    void noSchedExtDirectoryIsAbsent() {
        assertThat(new SchedExtSysfs(root.resolve("missing")).read()).isEqualTo(SchedExtState.ABSENT);
        assertThat(SchedExtState.ABSENT.present()).isFalse();
    }

    @Test
    void detachedHasNoRootDirectory() throws IOException {
        Files.writeString(root.resolve("state"), "disabled\n");
        Files.writeString(root.resolve("enable_seq"), "2\n");
        SchedExtState s = new SchedExtSysfs(root).read();
        assertThat(s.present()).isTrue();
        assertThat(s.enabled()).isFalse();
        assertThat(s.enableSeq()).isEqualTo(2);
        assertThat(s.ops()).isEmpty();
        assertThat(s.events()).isEmpty();
        assertThat(s.bypassNs()).isZero();
    }

    @Test
    void attachedReadsOpsAndEvents() throws IOException {
        Files.writeString(root.resolve("state"), "enabled\n");
        Files.writeString(root.resolve("enable_seq"), "1\n");
        Files.createDirectories(root.resolve("root"));
        Files.writeString(root.resolve("root/ops"), "temper\n");
        Files.writeString(root.resolve("root/events"), """
                SCX_EV_SELECT_CPU_FALLBACK 0
                SCX_EV_DISPATCH_KEEP_LAST 327
                SCX_EV_BYPASS_DURATION 29611614
                a line that is not a counter
                """);
        SchedExtState s = new SchedExtSysfs(root).read();
        assertThat(s.enabled()).isTrue();
        assertThat(s.ops()).isEqualTo("temper");
        assertThat(s.events()).containsEntry("SCX_EV_DISPATCH_KEEP_LAST", 327L).hasSize(3);
        assertThat(s.bypassNs()).isEqualTo(29_611_614L);
    }
}
