package codes.temper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Data flows one way between the rooms (DESIGN.md): no package under {@code codes.temper} may
 * reach itself again through the others. Read from the main sources as text: imports, static
 * imports and fully qualified names in code all count; comments and string literals do not.
 */
class PackageCycleTest {
    static final Path MAIN = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    // A package is the run of lowercase segments; the first capitalised segment is a type.
    private static final Pattern REFERENCE = Pattern.compile("\\bcodes\\.temper(?:\\.[a-z_][a-z0-9_]*)+");

    @Test
    void noPackageUnderCodesTemperDependsOnItself() throws IOException {
        Map<String, Set<String>> graph = graph(sources(MAIN));
        assertThat(graph).as("the main sources were read").containsKeys("codes.temper.reconcile", "codes.temper.kube");
        assertThat(cycle(graph)).as("a package cycle").isEmpty();
    }

    @Test
    void theGraphSeesImportsQualifiedNamesAndStaticImportsButNotCommentsOrStrings() {
        Map<String, Set<String>> g = graph(Map.of(
                "a/A.java", """
                        package codes.temper.a;
                        import codes.temper.b.B;
                        import static codes.temper.c.C.VALUE;
                        // codes.temper.d.D is only mentioned
                        /* codes.temper.d.D neither */
                        class A { Object x = new codes.temper.e.sub.E(); String s = "codes.temper.d.D"; }
                        """,
                "b/B.java", "package codes.temper.b;", "c/C.java", "package codes.temper.c;",
                "d/D.java", "package codes.temper.d;", "e/E.java", "package codes.temper.e.sub;"));
        assertThat(g.get("codes.temper.a")).containsExactlyInAnyOrder("codes.temper.b", "codes.temper.c", "codes.temper.e.sub");
    }

    @Test
    void aCycleIsFoundAndNamed() {
        Map<String, Set<String>> g = graph(Map.of(
                "kube/W.java", "package codes.temper.kube;\nclass W implements codes.temper.reconcile.World {}",
                "reconcile/R.java", "package codes.temper.reconcile;\nimport codes.temper.sched.S;\nclass R {}",
                "sched/S.java", "package codes.temper.sched;\nclass S { codes.temper.kube.W w; }"));
        assertThat(cycle(g)).hasValue(List.of("codes.temper.kube", "codes.temper.reconcile", "codes.temper.sched", "codes.temper.kube"));
        assertThat(cycle(graph(Map.of("a/A.java", "package codes.temper.a;\nimport codes.temper.b.B;",
                "b/B.java", "package codes.temper.b;")))).isEmpty();
    }

    static Map<String, String> sources(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                try {
                    files.put(root.relativize(p).toString(), Files.readString(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return files;
    }

    /** Package -> the other {@code codes.temper} packages its code names. */
    static Map<String, Set<String>> graph(Map<String, String> files) {
        Map<String, String> code = new HashMap<>();
        Set<String> packages = new TreeSet<>();
        files.forEach((name, text) -> {
            String stripped = stripCommentsAndLiterals(text);
            Matcher m = PACKAGE.matcher(stripped);
            if (!m.find()) throw new AssertionError(name + ": no package declaration");
            packages.add(m.group(1));
            code.put(name, stripped);
        });
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String text : code.values()) {
            Matcher pm = PACKAGE.matcher(text);
            pm.find();
            String from = pm.group(1);
            Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                if (m.start() == pm.start(1)) continue; // the declaration itself
                String target = m.group();
                // codes.temper.kube.crd.X names codes.temper.kube.crd, not codes.temper.kube
                while (!packages.contains(target) && target.lastIndexOf('.') > "codes.temper".length()) {
                    target = target.substring(0, target.lastIndexOf('.'));
                }
                if (packages.contains(target) && !target.equals(from)) to.add(target);
            }
        }
        return graph;
    }

    /** The first cycle found, as a path that ends where it starts; empty when there is none. */
    static Optional<List<String>> cycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (String start : graph.keySet()) {
            Optional<List<String>> c = visit(start, graph, state, new ArrayDeque<>());
            if (c.isPresent()) return c;
        }
        return Optional.empty();
    }

    private static Optional<List<String>> visit(String p, Map<String, Set<String>> graph, Map<String, Integer> state, Deque<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) return Optional.empty();
        if (s != null) {
            List<String> onPath = new ArrayList<>(path);
            List<String> c = new ArrayList<>(onPath.subList(onPath.indexOf(p), onPath.size()));
            c.add(p);
            return Optional.of(c);
        }
        state.put(p, 1);
        path.addLast(p);
        for (String q : graph.getOrDefault(p, Set.of())) {
            Optional<List<String>> c = visit(q, graph, state, path);
            if (c.isPresent()) return c;
        }
        path.removeLast();
        state.put(p, 2);
        return Optional.empty();
    }

    /** The text with comments, strings, text blocks and char literals blanked (line breaks kept). */
    static String stripCommentsAndLiterals(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, out);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                while (end > 0 && s.charAt(end - 1) == '\\') end = s.indexOf("\"\"\"", end + 1);
                end = end < 0 ? n : end + 3;
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') j += s.charAt(j) == '\\' ? 2 : 1;
                out.append(' ');
                i = Math.min(n, j + 1);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) out.append(s.charAt(k) == '\n' ? '\n' : ' ');
    }
}
