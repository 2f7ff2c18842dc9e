package codes.temper.policy;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.fuzz.Refusals;
import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.SchedulerConfig;
import codes.temper.yaml.InvalidInputException;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * Issue 13: the policy loader fuzzed, as {@code temper validate} and the agent's sources run it:
 * a directory read by {@link PolicyDirectory}, parsed whole by {@link PolicyParser}, and a valid
 * revision evaluated by the rules on the example node and its pods (the agent's evaluation check).
 *
 * <p>An input is one or more files. A line {@code #%file NAME} starts a file (the name kept to
 * {@code [A-Za-z0-9._-]}, so a name not ending in .yaml/.yml is one the directory skips); an input
 * without one is a single {@code tiers.yaml}. The only acceptable outcomes: a policy set the rules
 * evaluate, every live pod placed exactly once in one of its tiers; or an {@link
 * InvalidInputException} whose every problem names one of the files (or the policy root) with a
 * line and column inside it and a one-line message. Anything else thrown fails.
 */
class PolicyLoaderFuzzTest {
    private static final String MARK = "#%file ";
    private static final int MAX_FILES = 8;
    private static final Path BASE;
    private static final NodeFact NODE;
    private static final List<PodFact> PODS;

    static {
        try {
            BASE = Files.createTempDirectory("temper-policy-fuzz");
            Path examples = Path.of("../policies/examples");
            NODE = NodeFacts.of(Snapshots.readNode(examples.resolve("node.yaml"))).orElseThrow();
            // The agent's own pods (its field selector): those the rules place.
            PODS = Snapshots.readPods(examples.resolve("pods.yaml")).stream().map(p -> PodFacts.of(p, CgroupDriver.SYSTEMD))
                    .filter(p -> NODE.name().equals(p.nodeName())).toList();
        } catch (IOException | InvalidInputException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long runs;

    @FuzzTest
    // No line breaks in entries: libFuzzer's dictionary format cannot hold them (the file is refused).
    @DictionaryEntries({MARK, "apiVersion: temper.codes/v1", "kind: TierPolicy", "kind: NodePolicy", "metadata: {name: x}",
            "spec:", "tiers:", "- name: ", "match:", "priorityAtLeast: ", "priorityBelow: ", "qosClass: ", "BestEffort",
            "noPriorityClass: true", "ceiling: {cpus: ", "\"25%\"", "quota", "sliceMs: ", "preempt: true", "allowLabelOverride: true",
            "labelOverrideNamespaces: [", "defaultTier: ", "exclusions:", "nodeSelector:", "matchLabels:", "matchExpressions:",
            "operator: In", "values: [", "reason: ", "requires: cpuMaxEnforcement", "&a ", "*a", "<<: ", "---", "!!str ", "? ",
            "0x", "0o", "1e9", ".inf", "~", "null", "\t", "\"\\u202e\""})
    void policyDirectory(byte[] input) throws IOException {
        Path dir = Files.createDirectory(BASE.resolve("r" + runs++));
        try {
            Map<String, byte[]> files = split(input);
            for (var f : files.entrySet()) Files.write(dir.resolve(f.getKey()), f.getValue());
            PolicySet set;
            try {
                set = new PolicyParser().parse(PolicyDirectory.read(dir));
            } catch (InvalidInputException e) {
                Map<String, byte[]> byPath = new LinkedHashMap<>();
                files.forEach((name, bytes) -> byPath.put(dir.resolve(name).toString(), bytes));
                byPath.put("(policy root)", new byte[0]);
                byPath.put(dir.toString(), new byte[0]);
                Refusals.assertLocated(e, byPath);
                return;
            }
            assertValid(set);
        } finally {
            deleteTree(dir);
        }
    }

    /** A revision that parsed must be one the agent can run: tiers the scheduler can hold, every live pod placed once. */
    private static void assertValid(PolicySet set) {
        List<Tier> tiers = set.tierPolicy().tiers();
        assertThat(tiers).isNotEmpty().hasSizeLessThanOrEqualTo(SchedulerConfig.MAX_TIERS);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            assertThat(tiers.get(i).rank()).isEqualTo(i);
            assertThat(names.add(tiers.get(i).name())).as("tier names are unique").isTrue();
        }
        assertThat(names).contains(set.tierPolicy().defaultTier());
        Decision d = RuleEngine.get().evaluate(set, NODE, PODS);
        assertThat(d.tiers()).extracting(Decision.TierOutcome::name).containsExactlyElementsOf(tiers.stream().map(Tier::name).toList());
        long live = PODS.stream().filter(p -> !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase())).count();
        assertThat(d.assignments()).hasSize((int) live);
        assertThat(d.assignments().stream().map(a -> a.pod().uid()).distinct().count()).isEqualTo(live);
        assertThat(d.assignments()).extracting(Assignment::tier).allSatisfy(t -> assertThat(names).contains(t));
    }

    /** The files of an input: {@code #%file NAME} lines start them; without one, the whole input is tiers.yaml. */
    static Map<String, byte[]> split(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1); // one char per byte: offsets are byte offsets
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (!text.startsWith(MARK)) {
            int first = text.indexOf("\n" + MARK);
            files.put("tiers.yaml", slice(input, 0, first < 0 ? input.length : first + 1));
            if (first < 0) return files;
            text = text.substring(first + 1);
            input = slice(input, first + 1, input.length);
        }
        int at = 0;
        while (at < text.length() && files.size() < MAX_FILES) {
            int eol = text.indexOf('\n', at);
            String name = name(text.substring(at + MARK.length(), eol < 0 ? text.length() : eol), files.size());
            int start = eol < 0 ? text.length() : eol + 1;
            int next = text.indexOf("\n" + MARK, start - 1);
            int end = next < 0 ? text.length() : next + 1;
            files.merge(name, slice(input, start, end), (a, b) -> b);
            at = end;
        }
        return files;
    }

    private static String name(String raw, int index) {
        String n = raw.replaceAll("[^A-Za-z0-9._-]", "");
        if (n.length() > 64) n = n.substring(0, 64);
        return n.isEmpty() || n.equals(".") || n.equals("..") ? "f" + index + ".yaml" : n;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        deleteTree(BASE);
    }
}
