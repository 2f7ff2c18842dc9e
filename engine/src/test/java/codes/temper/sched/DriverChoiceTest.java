package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.sched.DriverChoice.Host;
import codes.temper.sched.DriverChoice.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which driver a host gets, over hand-built sysfs and /proc/self/status trees. */
class DriverChoiceTest {
    static final BpfObject OBJECT = new BpfObject("temper", new byte[] {0x7f, 'E', 'L', 'F'}, "test");
    // Capability sets as a privileged container and an unprivileged one show them.
    static final String PRIVILEGED = "000001ffffffffff", UNPRIVILEGED = "00000000a80425fb";

    @TempDir
    Path dir;

    Host host(boolean schedExt, boolean libbpf, boolean object, String capEff) throws IOException {
        Path root = Files.createTempDirectory(dir, "host");
        Path sysfs = root.resolve("sched_ext");
        if (schedExt) {
            Files.createDirectories(sysfs);
            Files.writeString(sysfs.resolve("state"), "disabled\n");
        }
        Path status = root.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\nCapBnd:\t" + capEff + "\n");
        return new Host(sysfs, status, () -> libbpf, object ? Optional.of(OBJECT) : Optional.empty());
    }

    @Test
    void aPrivilegedProcessOnASchedExtKernelGetsTheBpfDriver() throws IOException {
        DriverChoice c = DriverChoice.choose(Mode.AUTO, host(true, true, true, PRIVILEGED));
        assertThat(c.driver().kind()).isEqualTo("bpf");
        assertThat(c.why()).isEmpty();
    }

    @Test
    void eachMissingPieceGivesADryRunThatSaysWhy() throws IOException {
        assertThat(DriverChoice.choose(Mode.AUTO, host(false, true, true, PRIVILEGED)).why()).get().asString()
                .contains("no sched_ext", "CONFIG_SCHED_CLASS_EXT");
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, false, true, PRIVILEGED)).why()).get().asString().contains("libbpf.so.1");
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, true, false, PRIVILEGED)).why()).get().asString().contains("no scheduler object");
        DriverChoice unprivileged = DriverChoice.choose(Mode.AUTO, host(true, true, true, UNPRIVILEGED));
        assertThat(unprivileged.driver().kind()).isEqualTo("dry-run");
        assertThat(unprivileged.why()).get().asString().contains("neither CAP_BPF with CAP_PERFMON nor CAP_SYS_ADMIN");
    }

    static String caps(int... bits) {
        java.math.BigInteger b = java.math.BigInteger.ZERO;
        for (int bit : bits) b = b.setBit(bit);
        return b.toString(16);
    }

    /**
     * The kernel lab's capability trial (bpf/lab/run, scenario g; docs/permissions.md): CAP_BPF
     * with CAP_PERFMON, or CAP_SYS_ADMIN alone, load and attach the scheduler; CAP_BPF alone or
     * CAP_PERFMON alone fail with EPERM, so the choice must be the dry run that says why.
     */
    @Test
    void theCapabilitySetsTheKernelLabMeasured() throws IOException {
        int sysAdmin = 21, perfmon = 38, bpf = 39;
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, true, true, caps(bpf, perfmon))).driver().kind()).isEqualTo("bpf");
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, true, true, caps(sysAdmin))).driver().kind()).isEqualTo("bpf");
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, true, true, caps(bpf))).driver().kind()).isEqualTo("dry-run");
        assertThat(DriverChoice.choose(Mode.AUTO, host(true, true, true, caps(perfmon))).driver().kind()).isEqualTo("dry-run");
    }

    @Test
    void forcedModes() throws IOException {
        assertThat(DriverChoice.choose(Mode.DRY_RUN, host(true, true, true, PRIVILEGED)).driver().kind()).isEqualTo("dry-run");
        assertThatThrownBy(() -> DriverChoice.choose(Mode.BPF, host(false, true, true, PRIVILEGED)))
                .hasMessageStartingWith("--driver bpf: this kernel has no sched_ext");
    }

    @Test
    void thisBuildsJarCarriesTheSchedulerObjectWhenBpfWasBuilt() {
        // run-tests builds bpf/ before Maven; a bare `mvn verify` without clang has no object.
        Path built = Path.of("../bpf/.build/temper.bpf.o");
        assertThat(BpfObject.packaged().isPresent()).isEqualTo(Files.isRegularFile(built));
        BpfObject.packaged().ifPresent(o -> assertThat(o.elf()).startsWith(0x7f, 'E', 'L', 'F'));
    }
}
