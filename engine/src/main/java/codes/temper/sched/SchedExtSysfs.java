package codes.temper.sched;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads {@link SchedExtState} from sysfs; the root is a parameter so tests can point elsewhere. */
public final class SchedExtSysfs {
    public static final Path DEFAULT_ROOT = Path.of("/sys/kernel/sched_ext");

    private final Path root;

    public SchedExtSysfs(Path root) {
        this.root = root;
    }

    public SchedExtState read() {
        if (!Files.isDirectory(root)) return SchedExtState.ABSENT;
        String state = text("state");
        if (state == null) return SchedExtState.ABSENT;
        String seq = text("enable_seq");
        String ops = text("root/ops");
        return new SchedExtState(state, seq == null ? 0 : parse(seq), ops == null ? "" : ops, events(text("root/events")));
    }

    // "SCX_EV_BYPASS_DURATION 29611614" per line; unknown shapes are skipped, not fatal.
    static Map<String, Long> events(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text == null) return out;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                try {
                    out.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException ignored) {
                    // not a counter line
                }
            }
        }
        return out;
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The file's trimmed text, or null when it does not exist (root/ is absent when detached). */
    private String text(String rel) {
        try {
            return Files.readString(root.resolve(rel), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // NoSuchFile: root/ops and root/events exist only while a scheduler is attached.
            return null;
        }
    }
}
