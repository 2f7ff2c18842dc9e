package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.AuditEntry.Outcome;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Issue 13: the body of an authenticated {@code POST /safe-mode}, fuzzed. Whatever the bytes, the
 * switch either takes a well-formed request (the control called once, audited OK) or refuses it
 * cleanly: an {@link ApiError} 400 whose message says what is wrong with the body or which field,
 * carries no Java text, and is the audit entry's detail; the control is not called. Anything else
 * escaping (a NullPointerException, a Jackson exception, a StackOverflowError) fails the test.
 *
 * <p>{@code mvn verify} runs it over the corpus in {@code SafeModeBodyFuzzTestInputs/}; {@code
 * scripts/fuzz} fuzzes it (JAZZER_FUZZ=1).
 */
class SafeModeBodyFuzzTest {
    // Every audited request is logged at INFO; a fuzzing run makes millions. Held: JUL keeps loggers weakly.
    private static final Logger AUDIT_LOG = quiet(AuditLog.LOGGER);

    private static Logger quiet(String name) {
        Logger l = Logger.getLogger(name);
        l.setLevel(Level.OFF);
        return l;
    }

    /** What a refusal may say: the shape, the JSON, or a named field, and nothing from Java. */
    private static final List<String> REFUSALS = List.of("empty request body", "request body is not valid JSON",
            "request body is nested deeper than", "request body must be a JSON object", "unknown field \"",
            "field \"enabled\"", "field \"reason\"");

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"{", "}", "[", "]", ":", ",", "\"enabled\"", "\"reason\"", "true", "false", "null", "\"\\u0000\"", "\"\\ud800\""})
    void safeModeBody(byte[] input) {
        // Javalin hands the handler the body decoded as UTF-8 (malformed bytes replaced), as here.
        String body = new String(input, StandardCharsets.UTF_8);
        AuditLog audit = AuditLog.inMemory();
        List<String> calls = new ArrayList<>();
        SafeModeSwitch sw = new SafeModeSwitch((on, actor, reason) -> calls.add(on + "|" + actor + "|" + reason) || true, audit);
        try {
            sw.request("token:0123abcd", "127.0.0.1", () -> body);
        } catch (ApiError e) {
            assertThat(e.status()).as("status of %s", e.getMessage()).isEqualTo(400);
            assertThat(e.getMessage()).as("a refusal that says what is wrong").satisfies(m ->
                    assertThat(REFUSALS).anyMatch(m::startsWith));
            assertThat(e.getMessage()).doesNotContain("java.", "Exception", "tools.jackson", "\tat ");
            assertThat(calls).as("a refused body changes nothing").isEmpty();
            List<AuditEntry> entries = audit.recent(10);
            assertThat(entries).hasSize(1);
            assertThat(entries.getFirst().outcome()).isEqualTo(Outcome.INVALID);
            assertThat(entries.getFirst().detail()).isEqualTo(e.getMessage());
            return;
        }
        assertThat(calls).hasSize(1);
        SafeModeRequest req = SafeModeRequest.parse(body);
        assertThat(calls.getFirst()).isEqualTo(req.enabled() + "|token:0123abcd|" + req.reason());
        assertThat(req.reason().length()).isLessThanOrEqualTo(SafeModeRequest.MAX_REASON);
        assertThat(audit.recent(10)).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.OK));
    }
}
