package codes.temper.cli;

import java.util.List;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.NonPrintableStyle;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The machine-readable forms of every command's output ({@code -o json|yaml}). YAML is made from
 * the same tree as JSON (a view record through Jackson into maps and lists), so the two carry the
 * same keys in the same order and a script can switch between them.
 */
final class Rendering {

    /** {@code -o} of the commands that print data: a table for people, JSON or YAML for programs. */
    enum Format { table, json, yaml }

    static final String FORMAT_DESCRIPTION = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).";

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    // Block style reads like kubectl's -o yaml; non-printable characters (a forged line, an ANSI
    // escape in a pod name) are written as YAML escapes, never raw.
    private static final Dump YAML = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK)
            .setNonPrintableStyle(NonPrintableStyle.ESCAPE).setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true)
            .setWidth(Integer.MAX_VALUE).setSplitLines(false).build());

    private Rendering() {
    }

    static String json(Object view) {
        return JSON.writeValueAsString(view);
    }

    static String yaml(Object view) {
        return YAML.dumpToString(JSON.convertValue(view, Object.class));
    }

    /** {@code view} in {@code format}, for the machine-readable formats only; ends with a line break. */
    static String machine(Format format, Object view) {
        return switch (format) {
            case json -> json(view) + "\n";
            case yaml -> yaml(view);
            case table -> throw new IllegalArgumentException("a table is drawn by its command");
        };
    }

    /** The problems of refused input as data, for {@code -o json|yaml}: what {@link Problems} prints as lines. */
    record ProblemView(String file, int line, int column, String field, String message) {
        static List<ProblemView> of(List<codes.temper.yaml.Problem> problems) {
            return problems.stream().map(p -> new ProblemView(p.file(), p.line(), p.column(), p.field(), p.message())).toList();
        }
    }
}
