package codes.temper.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the fuzz tests accept as a clean refusal of a file: an {@link InvalidInputException}
 * (the one documented refusal of every reader) whose problems each name one of the inputs, point
 * inside it, and render as one printable line without Java's own text.
 */
public final class Refusals {
    private Refusals() {
    }

    /** @param files the names a problem may carry -> their bytes (empty: a name with no content to point into) */
    public static void assertLocated(InvalidInputException e, Map<String, byte[]> files) {
        assertThat(e.problems()).as("a refusal lists its problems").isNotEmpty();
        for (Problem p : e.problems()) {
            assertThat(files).as("the problem names one of the inputs: %s", p).containsKey(p.file());
            assertThat(p.line()).as("line of %s", p).isPositive();
            assertThat(p.column()).as("column of %s", p).isPositive();
            byte[] bytes = files.get(p.file());
            if (bytes.length > 0) {
                assertThat(p.line()).as("line inside the file: %s", p).isLessThanOrEqualTo(lineBreaks(bytes) + 1);
                assertThat(p.column()).as("column inside the file: %s", p).isLessThanOrEqualTo(bytes.length + 1);
            }
            assertThat(p.message()).as("message of %s", p).isNotBlank();
            String shown = p.toString();
            // Printable escapes what the input put into a message: one line, whatever the input held.
            assertThat(shown).as("one line: %s", shown).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u001b");
            assertThat(shown).as("no Java exception text: %s", shown).doesNotContain("Exception:", "\tat ", "NullPointer");
        }
    }

    /** Every line break a YAML reader may count, so a line number past them all is outside the file. */
    private static int lineBreaks(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') n++;
        }
        return n;
    }
}
