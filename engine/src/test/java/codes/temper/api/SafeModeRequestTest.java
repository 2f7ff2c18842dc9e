package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SafeModeRequestTest {

    @Test
    void parsesTheDocumentedShape() {
        assertThat(SafeModeRequest.parse("{\"enabled\": true, \"reason\": \" incident 42 \"}"))
                .isEqualTo(new SafeModeRequest(true, "incident 42"));
        assertThat(SafeModeRequest.parse("{\"enabled\": false, \"reason\": \"resolved\"}")).isEqualTo(new SafeModeRequest(false, "resolved"));
    }

    @Test
    void theReasonIsRequiredBothWays() {
        assertRefused("{\"enabled\": true}", "field \"reason\" is required");
        assertRefused("{\"enabled\": false}", "field \"reason\" is required");
        assertRefused("{\"enabled\": false, \"reason\": null}", "field \"reason\" is required");
        assertRefused("{\"enabled\": true, \"reason\": \"  \"}", "field \"reason\" is blank");
    }

    @Test
    void refusalsNameTheField() {
        assertRefused("{}", "field \"enabled\" is required");
        assertRefused("{\"enabled\": null}", "field \"enabled\" is required");
        assertRefused("{\"enabled\": \"true\"}", "field \"enabled\" must be true or false");
        assertRefused("{\"enabled\": 1}", "field \"enabled\" must be true or false");
        assertRefused("{\"enable\": true}", "unknown field \"enable\"");
        assertRefused("{\"enabled\": true, \"reason\": 5}", "field \"reason\" must be a string");
        assertRefused("{\"enabled\": true, \"reason\": \"" + "x".repeat(501) + "\"}", "field \"reason\" is longer than 500");
    }

    @Test
    void ambiguousOrMalformedBodiesAreRefused() {
        assertRefused("", "empty request body");
        assertRefused("{\"enabled\": tru", "not valid JSON");
        assertRefused("[true]", "must be a JSON object");
        assertRefused("{\"enabled\": false, \"enabled\": true}", "not valid JSON");
        assertRefused("{\"enabled\": true} {\"enabled\": false}", "not valid JSON");
    }

    private static void assertRefused(String body, String message) {
        assertThatThrownBy(() -> SafeModeRequest.parse(body)).isInstanceOf(ApiError.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400));
    }
}
