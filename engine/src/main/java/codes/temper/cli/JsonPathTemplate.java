package codes.temper.cli;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code -o jsonpath=TEMPLATE} as kubectl reads it: text with {@code {expressions}} over the JSON
 * form of the output, e.g. {@code {.policyRevision}}, {@code {.tiers[*].name}} (several results,
 * separated by spaces), {@code {range .assignments[*]}{.name}{"\n"}{end}}, filters such as
 * {@code {.tiers[?(@.name=="low")].ceiling.cpus}}. The template's structure (text, literals,
 * range/end) is read here; each path is evaluated by Jayway JsonPath, relative to the element of
 * the innermost range ({@code $...} for the whole output). A key that is missing prints nothing,
 * as in {@code kubectl get}.
 */
final class JsonPathTemplate {
    private static final Configuration PATHS = Configuration.defaultConfiguration()
            .addOptions(Option.ALWAYS_RETURN_LIST, Option.SUPPRESS_EXCEPTIONS);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private sealed interface Part permits Text, Path, Range {
    }

    private record Text(String text) implements Part {
    }

    private record Path(JsonPath path, boolean self) implements Part {
    }

    private record Range(Path over, List<Part> body) implements Part {
    }

    private final String source;
    private final List<Part> parts;

    private JsonPathTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /** @throws IllegalArgumentException saying what is wrong with the template, and where */
    static JsonPathTemplate parse(String template) {
        List<List<Part>> open = new ArrayList<>();
        open.add(new ArrayList<>());
        List<Path> ranges = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '{') {
                text.append(c);
                i++;
                continue;
            }
            int end = closing(template, i);
            if (end < 0) throw new IllegalArgumentException("unclosed { at column " + (i + 1) + " of " + template);
            if (!text.isEmpty()) open.getLast().add(new Text(text.toString()));
            text.setLength(0);
            String expr = template.substring(i + 1, end).strip();
            if (expr.startsWith("\"")) {
                open.getLast().add(new Text(literal(expr, template)));
            } else if (expr.startsWith("range ")) {
                ranges.add(path(expr.substring(6).strip(), template));
                open.add(new ArrayList<>());
            } else if (expr.equals("end")) {
                if (ranges.isEmpty()) throw new IllegalArgumentException("{end} without a {range ...} in " + template);
                List<Part> body = open.removeLast();
                open.getLast().add(new Range(ranges.removeLast(), List.copyOf(body)));
            } else {
                open.getLast().add(path(expr, template));
            }
            i = end + 1;
        }
        if (!ranges.isEmpty()) throw new IllegalArgumentException("{range ...} without its {end} in " + template);
        if (!text.isEmpty()) open.getLast().add(new Text(text.toString()));
        return new JsonPathTemplate(template, List.copyOf(open.getLast()));
    }

    /** The template applied to {@code view} (a record made into its JSON tree first). */
    String render(Object view) {
        StringBuilder out = new StringBuilder();
        render(parts, JSON.convertValue(view, Object.class), out);
        return out.toString();
    }

    @Override
    public String toString() {
        return source;
    }

    private static void render(List<Part> parts, Object current, StringBuilder out) {
        for (Part p : parts) {
            switch (p) {
                case Text t -> out.append(t.text());
                case Path path -> {
                    List<Object> values = evaluate(path, current);
                    for (int i = 0; i < values.size(); i++) {
                        if (i > 0) out.append(' ');
                        out.append(print(values.get(i)));
                    }
                }
                case Range r -> {
                    List<Object> items = evaluate(r.over(), current);
                    // {range .tiers} as well as {range .tiers[*]}: an array iterates over its elements.
                    if (items.size() == 1 && items.getFirst() instanceof List<?> l) items = new ArrayList<>(l);
                    for (Object item : items) render(r.body(), item, out);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> evaluate(Path p, Object current) {
        if (p.self()) return List.of(current);
        // Jayway reads a String as JSON text: only objects and arrays are handed to it.
        if (!(current instanceof Map<?, ?>) && !(current instanceof List<?>)) return List.of();
        Object r = p.path().read(current, PATHS);
        return r instanceof List<?> l ? (List<Object>) l : r == null ? List.of() : List.of(r);
    }

    private static String print(Object v) {
        if (v == null) return "";
        if (v instanceof Map<?, ?> || v instanceof List<?>) return JSON.writeValueAsString(v);
        return v.toString();
    }

    private static Path path(String expr, String template) {
        if (expr.equals("@") || expr.equals(".") || expr.equals("$")) return new Path(null, true);
        String jayway = expr.startsWith("$") ? expr : expr.startsWith("@") ? "$" + expr.substring(1)
                : expr.startsWith(".") || expr.startsWith("[") ? "$" + expr : null;
        if (jayway == null) throw new IllegalArgumentException("{" + expr + "}: a path starts with . (e.g. {.items[*].name}) in " + template);
        try {
            return new Path(JsonPath.compile(jayway), false);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("{" + expr + "}: " + e.getMessage());
        }
    }

    /** {"\n"}, {"\t"}, {"text"}: JSON string syntax. */
    private static String literal(String expr, String template) {
        try {
            return JSON.readValue(expr, String.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("{" + expr + "}: not a quoted string in " + template);
        }
    }

    /** The } that closes the { at {@code open}, skipping quoted text (a filter's or a literal's). */
    private static int closing(String s, int open) {
        char quote = 0;
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '}') {
                return i;
            }
        }
        return -1;
    }
}
