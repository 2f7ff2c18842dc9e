package codes.temper.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import codes.temper.cli.Main;
import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The bounds that make untrusted YAML safe to read (size, depth, documents, aliases, nodes read),
 * at and just past each limit, and the YAML 1.2 behaviour policies rely on.
 */
class YamlBoundsTest {
    static final Path CORPUS = Path.of("src/test/resources/broken-policies");
    static final Path DEFAULT_POLICIES = Path.of("../policies");

    static final YamlLoader POLICY = new YamlLoader(Limits.POLICY);

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Problem refused(String file, String yaml) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> POLICY.load(file, utf8(yaml)));
        assertThat(e.problems()).hasSize(1);
        return e.problems().getFirst();
    }

    /** The billion laughs: 9 levels of 9 aliases, 9^9 (387,420,489) leaves if expanded. */
    static String billionLaughs() {
        StringBuilder b = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            String prev = "*" + (char) (c - 1);
            b.append(c).append(": &").append(c).append(" [").append(String.join(", ", Collections.nCopies(9, prev))).append("]\n");
        }
        return b.toString();
    }

    /**
     * A smaller bomb that stays under the alias limit: ten scalars, then {@code levels} lists of 4
     * aliases to the list before, then one alias to the last: 4 * levels + 1 aliases and
     * 10 * 4^levels leaves when followed.
     */
    static String quadBomb(int levels) {
        StringBuilder b = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= levels; i++) {
            b.append("l").append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", Collections.nCopies(4, "*l" + (i - 1)))).append("]\n");
        }
        return b.append("top: *l").append(levels).append('\n').toString();
    }

    // ---- the bombs

    @Test
    void billionLaughsIsRefusedByTheAliasLimitBeforeItsAliasesAreComposed() {
        // aliases 1-9 on line 2 (b), 10-18 (c), 19-27 (d), 28-36 (e): the 33rd is the 6th on line 5,
        // at column 8 + 5 * len("*d, ").
        assertThat(refused("bomb.yaml", billionLaughs()))
                .hasToString("bomb.yaml:5:28: more than 32 aliases; refusing a possible YAML bomb");
    }

    @Test
    void aliasBombUnderTheAliasLimitIsRefusedByTheNodeBudget() throws InvalidInputException {
        String bomb = quadBomb(7); // 29 aliases, 163,840 leaves
        List<Node> docs = POLICY.load("bomb.yaml", utf8(bomb)); // composing shares nodes: cheap
        assertThat(docs).hasSize(1);

        List<Problem> problems = new ArrayList<>();
        new NodeReader("bomb.yaml", problems, Limits.POLICY).toJava(docs.getFirst(), "");
        assertThat(problems).singleElement().hasToString(
                "bomb.yaml:1:1: more than 100000 nodes to read once aliases are followed; refusing a possible YAML bomb");
    }

    @Test
    void theSameShapeSmallEnoughIsReadInFull() throws InvalidInputException {
        String small = quadBomb(3); // 13 aliases, 640 leaves
        List<Node> docs = POLICY.load("small.yaml", utf8(small));
        List<Problem> problems = new ArrayList<>();
        Object value = new NodeReader("small.yaml", problems, Limits.POLICY).toJava(docs.getFirst(), "");
        assertThat(problems).isEmpty();
        assertThat(countLeaves(((Map<?, ?>) value).get("top"))).isEqualTo(640);
    }

    private static long countLeaves(Object o) {
        if (o instanceof List<?> l) return l.stream().mapToLong(YamlBoundsTest::countLeaves).sum();
        return 1;
    }

    @Test
    void policyShapedAliasBombIsRefusedByTheNodeBudget() throws IOException {
        // 31 aliases of one selector requirement with 4,000 values: about 128,000 nodes to read.
        byte[] bytes = Files.readAllBytes(CORPUS.resolve("59-alias-node-budget.yaml"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new PolicyParser().parse(List.of(new PolicyFile("59.yaml", bytes))));
        assertThat(e.problems()).singleElement().hasToString(
                "59.yaml:1:1: more than 100000 nodes to read once aliases are followed; refusing a possible YAML bomb");
    }

    @Test
    void aliasBombInAPolicyTestFixtureIsRefusedByTheNodeBudget(@TempDir Path tmp) throws IOException {
        Path dir = policyWithBombTest(tmp);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "test", dir.toString());
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(stderr).contains(dir.resolve("tests/bomb.yaml") + ":1:1: more than 100000 nodes to read once aliases are followed");
        assertThat(stderr).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("PASS").doesNotContain("FAIL");
    }

    /** A valid policy directory whose tests/ fixture hides an alias bomb (29 aliases) in a pod's labels. */
    private static Path policyWithBombTest(Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("policies"));
        Files.copy(DEFAULT_POLICIES.resolve("tiers.yaml"), dir.resolve("tiers.yaml"));
        Files.createDirectories(dir.resolve("tests"));
        // 1,000 strings, then 7 levels of 4 aliases: 16,384,000 strings if followed without a bound,
        // more than a 32 MiB heap can hold as lists.
        StringBuilder labels = new StringBuilder("        x-l0: &l0 [" + String.join(", ", Collections.nCopies(1000, "x")) + "]\n");
        for (int i = 1; i <= 7; i++) {
            labels.append("        x-l").append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", Collections.nCopies(4, "*l" + (i - 1)))).append("]\n");
        }
        labels.append("        team: *l7\n");
        Files.writeString(dir.resolve("tests/bomb.yaml"), """
                apiVersion: temper.codes/v1
                kind: PolicyTest
                metadata:
                  name: bomb
                spec:
                  node: {name: node-a, kernelVersion: 6.12.57, allocatableCpu: "8"}
                  cases:
                  - name: a pod whose labels expand to 16,384,000 strings
                    pods:
                    - name: p
                      labels:
                """ + labels + """
                    expect:
                      tiers: {default/p: normal}
                """);
        return dir;
    }

    // Each bomb in a separate JVM with a 32 MiB heap: refused, with its message, without running out of memory.

    @Test
    void billionLaughsIsRefusedInABoundedHeap(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("laughs"));
        Files.copy(CORPUS.resolve("58-billion-laughs.yaml"), dir.resolve("tiers.yaml"));
        assertRefusedIn32MiB(List.of("validate", dir.toString()), "more than 32 aliases; refusing a possible YAML bomb");
    }

    @Test
    void policyShapedAliasBombIsRefusedInABoundedHeap(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("budget"));
        Files.copy(CORPUS.resolve("59-alias-node-budget.yaml"), dir.resolve("nodes.yaml"));
        assertRefusedIn32MiB(List.of("validate", dir.toString()), "more than 100000 nodes to read once aliases are followed");
    }

    @Test
    void policyTestAliasBombIsRefusedInABoundedHeap(@TempDir Path tmp) throws Exception {
        assertRefusedIn32MiB(List.of("test", policyWithBombTest(tmp).toString()), "more than 100000 nodes to read once aliases are followed");
    }

    @Test
    void snapshotsAcceptNoAliasesAtAll() {
        // kubectl never writes aliases; followed up to the snapshot node bound, a 1 KB bomb needs gigabytes.
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new YamlLoader(Limits.SNAPSHOT).load("pods.yaml", utf8("a: &x 1\nb: *x\n")));
        assertThat(e.problems()).singleElement()
                .hasToString("pods.yaml:2:4: aliases (*name) are not accepted in this input; refusing a possible YAML bomb");
    }

    @Test
    void billionLaughsInAPodsSnapshotIsRefusedInABoundedHeap(@TempDir Path tmp) throws Exception {
        Path node = Files.writeString(tmp.resolve("node.yaml"), """
                apiVersion: v1
                kind: Node
                metadata: {name: node-a}
                status: {allocatable: {cpu: "8"}, nodeInfo: {kernelVersion: 6.12.57}}
                """);
        Path pods = Files.writeString(tmp.resolve("pods.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Pod
                  metadata:
                    name: p
                    namespace: default
                    uid: 0b7c1f0e-2a43-4d8e-9f55-3c1d2e4f5a6b
                    annotations:
                """ + billionLaughs().indent(6) + """
                  spec: {nodeName: node-a, containers: [{name: c, image: busybox}]}
                """);
        // the first alias is on line 12 ("b:"), after 6 spaces and "b: &b [": column 14
        assertRefusedIn32MiB(List.of("plan", "--policies", DEFAULT_POLICIES.toString(), "--pods", pods.toString(),
                "--node", node.toString()), pods + ":12:14: aliases (*name) are not accepted in this input");
    }

    private static void assertRefusedIn32MiB(List<String> args, String message) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), "codes.temper.cli.Main"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        // Read both streams fully; a hang guard only, not a performance assertion.
        var stderr = new java.util.concurrent.CompletableFuture<String>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                stderr.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.completeExceptionally(e);
            }
        });
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("temper " + args + " did not finish");
        }
        t.join();
        String err = stderr.get();
        assertThat(p.exitValue()).as("exit code of %s; stderr:\n%s", args, err).isEqualTo(1);
        assertThat(err).contains(message).contains("1 problem(s) found");
        assertThat(err + stdout).doesNotContain("OutOfMemoryError").doesNotContain("Exception").doesNotContain("\tat ");
    }

    // ---- each bound: at the limit accepted, one past it refused

    @Test
    void sizeBound() throws InvalidInputException {
        int max = Limits.POLICY.maxBytes();
        assertThat(max).isEqualTo(1 << 20);
        String atLimit = "a: " + "x".repeat(max - 4) + "\n";
        assertThat(POLICY.load("max.yaml", utf8(atLimit))).hasSize(1);
        assertThat(refused("big.yaml", atLimit + "\n")).hasToString("big.yaml:1:1: file is 1048577 bytes; the limit is 1048576");
    }

    @Test
    void depthBound() throws InvalidInputException {
        // The top mapping is level 1, so 31 brackets reach 32 levels; the 32nd bracket is level 33.
        String ok = "a: " + "[".repeat(31) + "]".repeat(31) + "\n";
        assertThat(POLICY.load("ok.yaml", utf8(ok))).hasSize(1);
        String deep = "a: " + "[".repeat(32) + "]".repeat(32) + "\n";
        assertThat(refused("deep.yaml", deep)).hasToString("deep.yaml:1:35: nesting deeper than 32 levels");
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        String deep = "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
        assertThat(refused("deep.yaml", deep)).hasToString("deep.yaml:1:35: nesting deeper than 32 levels");
    }

    @Test
    void documentBound() throws InvalidInputException {
        assertThat(POLICY.load("ok.yaml", utf8("---\na: 1\n".repeat(64)))).hasSize(64);
        // document k starts on line 2k - 1: the 65th on line 129
        assertThat(refused("many.yaml", "---\na: 1\n".repeat(65))).hasToString("many.yaml:129:1: more than 64 documents in one file");
    }

    @Test
    void aliasBound() throws InvalidInputException {
        String ok = "a: &x 1\nb: [" + String.join(", ", Collections.nCopies(32, "*x")) + "]\n";
        assertThat(POLICY.load("ok.yaml", utf8(ok))).hasSize(1);
        String over = "a: &x 1\nb: [" + String.join(", ", Collections.nCopies(33, "*x")) + "]\n";
        // "b: [" then "*x, " per alias: the 33rd at column 5 + 32 * 4
        assertThat(refused("over.yaml", over)).hasToString("over.yaml:2:133: more than 32 aliases; refusing a possible YAML bomb");
    }

    /**
     * The bounds are counted as the composer takes the parser's events in (one pass over the text);
     * an error of the composer's own (an undefined alias) is reported only when the rest of the file
     * breaks no bound and parses, as when the bounds had a pass of their own before composing.
     */
    @Test
    void aLaterBoundOrSyntaxErrorIsReportedBeforeAnEarlierUndefinedAlias() {
        assertThat(refused("f.yaml", "a: *undefined\n")).hasToString("f.yaml:1:4: YAML syntax: found undefined alias undefined");
        assertThat(refused("f.yaml", "a: *undefined\nb: [\n"))
                .hasToString("f.yaml:3:1: YAML syntax: while parsing a flow node: expected the node content, but found '<stream end>'");
        assertThat(refused("f.yaml", "a: *u\nb: [" + "*x, ".repeat(33) + "]\n"))
                .hasToString("f.yaml:2:129: more than 32 aliases; refusing a possible YAML bomb");
        assertThat(refused("f.yaml", "a: *u\n" + "---\na: 1\n".repeat(65))).hasToString("f.yaml:128:1: more than 64 documents in one file");
        assertThat(refused("f.yaml", "a: *u\nb: " + "[".repeat(40) + "]".repeat(40) + "\n"))
                .hasToString("f.yaml:2:35: nesting deeper than 32 levels");
        assertThat(refused("f.yaml", "a: 1\nb: *nope\nc: 'unclosed\n")).hasToString("f.yaml:3:4: YAML syntax: while scanning a quoted scalar: "
                + "found unexpected end of stream at line 4, column 1; is a closing quote missing?");
    }

    // ---- YAML 1.2

    @Test
    void yesNoOnOffStayStrings() throws InvalidInputException {
        List<Node> docs = POLICY.load("b.yaml", utf8("a: no\nb: yes\nc: on\nd: off\ne: y\nf: n\ng: true\n"));
        List<Problem> problems = new ArrayList<>();
        NodeReader r = new NodeReader("b.yaml", problems, Limits.POLICY);
        var m = r.mapping(docs.getFirst(), "", null);
        assertThat(r.string(m.get("a").getValueNode(), "a")).isEqualTo("no");
        assertThat(r.string(m.get("b").getValueNode(), "b")).isEqualTo("yes");
        assertThat(r.string(m.get("c").getValueNode(), "c")).isEqualTo("on");
        assertThat(r.string(m.get("d").getValueNode(), "d")).isEqualTo("off");
        assertThat(r.string(m.get("e").getValueNode(), "e")).isEqualTo("y");
        assertThat(r.string(m.get("f").getValueNode(), "f")).isEqualTo("n");
        assertThat(r.bool(m.get("g").getValueNode(), "g")).isTrue();
        assertThat(problems).isEmpty();
        // and the other way round: "on" is not a boolean
        assertThat(r.bool(m.get("c").getValueNode(), "c")).isNull();
        assertThat(problems).singleElement().hasToString("b.yaml:3:4: c: expected true or false, got the string \"on\"");
    }

    @Test
    void unquotedNoYesOnOffAreAcceptedAsLabelValues() throws InvalidInputException {
        String nodes = """
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata:
                  name: default
                spec:
                  exclusions:
                  - name: no-temper
                    nodeSelector:
                      matchLabels:
                        temper.codes/enabled: no
                        example.com/a: yes
                        example.com/b: on
                        example.com/c: off
                    reason: the node's owner opted out
                """;
        PolicySet set = new PolicyParser().parse(List.of(
                new PolicyFile("tiers.yaml", readDefault("tiers.yaml")), new PolicyFile("nodes.yaml", utf8(nodes))));
        assertThat(set.exclusions()).singleElement().satisfies(e -> assertThat(e.nodeSelector().matchLabels()).isEqualTo(Map.of(
                "temper.codes/enabled", "no", "example.com/a", "yes", "example.com/b", "on", "example.com/c", "off")));
    }

    @Test
    void aUtf8ByteOrderMarkIsAccepted() throws IOException, InvalidInputException {
        byte[] tiers = readDefault("tiers.yaml");
        PolicySet set = new PolicyParser().parse(List.of(new PolicyFile("tiers.yaml", withBom(tiers))));
        assertThat(set.tierPolicy().tiers()).hasSize(5);
    }

    @Test
    void aByteOrderMarkDoesNotShiftLocations() throws IOException {
        byte[] broken = Files.readAllBytes(CORPUS.resolve("40-apiversion-v2.yaml"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new PolicyParser().parse(List.of(new PolicyFile("bom.yaml", withBom(broken)))));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.column()).isEqualTo(13);
        });
    }

    @Test
    void invalidUtf8AfterABomIsLocatedInTheText() {
        byte[] bytes = withBom("a: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(assertThrows(InvalidInputException.class, () -> POLICY.load("l1.yaml", bytes)).problems())
                .singleElement().hasToString("l1.yaml:1:7: not valid UTF-8 (byte 0xE9 at offset 9); policies must be UTF-8");
    }

    private static byte[] withBom(byte[] b) {
        byte[] out = new byte[b.length + 3];
        out[0] = (byte) 0xEF;
        out[1] = (byte) 0xBB;
        out[2] = (byte) 0xBF;
        System.arraycopy(b, 0, out, 3, b.length);
        return out;
    }

    private static byte[] readDefault(String name) {
        try {
            return Files.readAllBytes(DEFAULT_POLICIES.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
