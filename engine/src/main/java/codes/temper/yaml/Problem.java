package codes.temper.yaml;

import codes.temper.text.Printable;

/**
 * One thing wrong with an input file, located precisely enough for an editor to jump to it.
 * Rendered as {@code file:line:column: field: message}, the format every Temper command prints.
 *
 * @param file   the file as the user named it (a path relative to the policy root, or a repo path)
 * @param line   1-based line
 * @param column 1-based column
 * @param field  dotted path of the offending field ({@code spec.tiers[2].ceiling.cpus}), or "" for
 *               problems that are not about a field (syntax, encoding, size)
 */
public record Problem(String file, int line, int column, String field, String message) {

    @Override
    public String toString() {
        // One line whatever the input held: the message quotes policy values, which may carry
        // control characters meant to forge lines or drive the terminal.
        return Printable.escape(file) + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : Printable.escape(field) + ": ")
                + Printable.escape(message);
    }
}
