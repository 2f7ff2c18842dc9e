package codes.temper.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The revisions the soak commits: variations of the default policy that move pods between tiers
 * and change ceilings and slices, and broken ones, each of which also carries such a change so
 * that applying any part of it would show in the scheduler's configuration.
 */
record SoakPolicies(String tiers, String nodes) {
    static final String TIERS = "policies/tiers.yaml", NODES = "policies/nodes.yaml";

    static SoakPolicies read(Path dir) throws IOException {
        return new SoakPolicies(Files.readString(dir.resolve("tiers.yaml")), Files.readString(dir.resolve("nodes.yaml")));
    }

    Map<String, String> initial() {
        return Map.of(TIERS, tiers, NODES, nodes);
    }

    /** Revision i: a ceiling, a slice and the priority bounds of two tiers, each from a short cycle. */
    Map<String, String> good(long i) {
        return Map.of(TIERS, variant(i), NODES, nodes);
    }

    /** Revision i, broken in one of four ways, on top of a good change to the tiers. */
    Map<String, String> broken(long i) {
        String t = variant(i + 1);
        return switch ((int) (i / 4 % 4)) {
            case 0 -> Map.of(TIERS, t.replaceFirst("cpus: \"\\d+%\"", "cpus: \"150%\""), NODES, nodes);
            case 1 -> Map.of(TIERS, t.replace("  tiers:\n", "  tiers: [\n"), NODES, nodes);
            case 2 -> Map.of(TIERS, t, NODES, nodes.replace("    reason:", "    reasons:"));
            default -> Map.of(TIERS, t + "---\n" + t, NODES, nodes);
        };
    }

    private String variant(long i) {
        List<String> ceilings = List.of("25%", "20%", "30%", "35%");
        List<String> slices = List.of("20", "15", "25");
        return tiers.replace("cpus: \"25%\"", "cpus: \"" + ceilings.get((int) (i % ceilings.size())) + "\"")
                .replace("    sliceMs: 20\n", "    sliceMs: " + slices.get((int) (i % slices.size())) + "\n")
                .replace("priorityAtLeast: 100000", i % 2 == 0 ? "priorityAtLeast: 100000" : "priorityAtLeast: 50000")
                .replace("priorityAtLeast: -100\n", i % 3 == 0 ? "priorityAtLeast: -100\n" : "priorityAtLeast: -60\n");
    }
}
