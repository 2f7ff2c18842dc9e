package codes.temper.api;

import codes.temper.rules.Mode;
import io.javalin.json.JavalinJackson3;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The one JSON mapper of the status API. Javalin 7 ships an adapter for Jackson 3
 * ({@link JavalinJackson3}), so no hand-written {@code io.javalin.json.JsonMapper} is needed.
 */
final class ApiJson {

    /**
     * Instants as ISO-8601 strings (scripts and people read them; epoch numbers they would have to
     * convert) and nulls written, so {@code /status} keeps one shape whatever is unknown. Both are
     * Jackson 3's defaults; stated here so an upgrade that changes them does not change the API.
     * Reading is strict because the only body read is a safe-mode request: {@code {"enabled":
     * false, "enabled": true}} or trailing garbage is ambiguous, and an ambiguous request to
     * take a node's scheduler down is refused rather than guessed. A {@link Mode} is written as
     * its wire name ({@code attach}, {@code safe-mode}, ...), as DESIGN.md spells it.
     */
    static final int MAX_BODY_DEPTH = 16;

    /**
     * The parser's own bounds (Jackson's StreamReadConstraints), far below its defaults: a body is
     * two fields at depth one, so anything deeper, longer or bigger is refused while it is read,
     * before any tree is built. The request size bound (StatusServer) caps the bytes first.
     */
    private static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_BODY_DEPTH)
            .maxStringLength(16 * 1024)
            .maxNameLength(256)
            .maxNumberLength(64)
            .maxTokenCount(10_000)
            .build();

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(READ_LIMITS).build())
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new SimpleModule("temper-wire-names").addSerializer(Mode.class, new StdSerializer<>(Mode.class) {
                @Override
                public void serialize(Mode mode, JsonGenerator gen, SerializationContext ctxt) {
                    gen.writeString(mode.wire());
                }
            }))
            .build();

    static final JavalinJackson3 JAVALIN = new JavalinJackson3(MAPPER, false);

    private ApiJson() {
    }

    static String error(String message) {
        return MAPPER.writeValueAsString(Map.of("error", message));
    }
}
