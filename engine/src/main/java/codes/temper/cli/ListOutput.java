package codes.temper.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code -o} and {@code --no-headers} of the commands that list things ({@code plan}, {@code status}),
 * as kubectl has them: a table, a wider one, names only, JSON, YAML, or a JSONPath template.
 */
final class ListOutput {
    enum Kind { table, wide, name, json, yaml, jsonpath }

    /** @param template the parsed template of {@code jsonpath=...}; null for the other kinds */
    record Format(Kind kind, JsonPathTemplate template) {
    }

    /** What a command's data offers besides its JSON form. */
    interface Listing {
        /** @param headers false: the rows only (--no-headers) */
        void table(PrintWriter out, boolean wide, boolean headers);

        /** One name per listed thing, for {@code -o name}. */
        List<String> names();
    }

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT", converter = FormatConverter.class,
            completionCandidates = Candidates.ListFormats.class,
            description = "Output format: table, wide (more columns), name, json, yaml or jsonpath=TEMPLATE (kubectl's template"
                    + " syntax, e.g. jsonpath='{.policyRevision}') (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--no-headers", description = "table and wide: print the rows only, no header lines.")
    boolean noHeaders;

    /** {@code view} (whose JSON form json, yaml and jsonpath print) as the chosen format. */
    void print(PrintWriter out, Object view, Listing listing) {
        switch (output.kind()) {
            case table, wide -> listing.table(out, output.kind() == Kind.wide, !noHeaders);
            case name -> listing.names().forEach(out::println);
            case json -> out.print(Rendering.machine(Rendering.Format.json, view));
            case yaml -> out.print(Rendering.machine(Rendering.Format.yaml, view));
            case jsonpath -> out.print(output.template().render(view));
        }
        out.flush();
    }

    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String v) {
            int eq = v.indexOf('=');
            String kind = (eq < 0 ? v : v.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            if (kind.equals("jsonpath")) {
                if (eq < 0 || v.substring(eq + 1).isBlank()) throw new TypeConversionException("jsonpath needs a template: -o jsonpath='{.name}'");
                try {
                    return new Format(Kind.jsonpath, JsonPathTemplate.parse(v.substring(eq + 1)));
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("jsonpath: " + e.getMessage());
                }
            }
            try {
                if (eq < 0) return new Format(Kind.valueOf(kind), null);
            } catch (IllegalArgumentException e) {
                // the message below
            }
            throw new TypeConversionException("\"" + v + "\": expected table, wide, name, json, yaml or jsonpath=TEMPLATE");
        }
    }
}
