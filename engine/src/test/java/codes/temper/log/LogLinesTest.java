package codes.temper.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One record, one line: the formats themselves, on records built here. */
class LogLinesTest {
    static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    static final Instant AT = Instant.parse("2026-11-30T09:21:01.120Z");

    static LogRecord record(Level level, String message, Object[] params, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("codes.temper.test.Thing");
        r.setInstant(AT);
        r.setParameters(params);
        r.setThrown(thrown);
        return r;
    }

    static Throwable failure() {
        return new IOException("fetch of https://TOKEN123@git.example.org/p.git failed",
                new ConnectException("refused\nsecond line"));
    }

    @Test
    void jsonIsOneObjectOnOneLineWithTimeLevelLoggerMessageAndTheExceptionAsAString() {
        String line = new LogLines(Logging.Format.JSON, false).format(record(Level.WARNING,
                "policy {0} rejected: \"bad\"\n\tline two \u001b[31m", new Object[] {"main@sha1:abc"}, failure()));
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n", "\r");

        JsonNode n = JSON.readTree(line);
        assertThat(n.get("time").asString()).isEqualTo("2026-11-30T09:21:01.120Z");
        assertThat(n.get("level").asString()).isEqualTo("warn");
        assertThat(n.get("logger").asString()).isEqualTo("codes.temper.test.Thing");
        assertThat(n.get("message").asString()).isEqualTo("policy main@sha1:abc rejected: \"bad\"\n\tline two \u001b[31m");
        assertThat(n.get("thread").asString()).isEqualTo(Thread.currentThread().getName());
        String exception = n.get("exception").asString();
        assertThat(exception).startsWith("java.io.IOException: fetch of https://***@git.example.org/p.git failed")
                .contains("\tat codes.temper.log.LogLinesTest.failure", "Caused by: java.net.ConnectException: refused\nsecond line")
                .doesNotContain("TOKEN123");
    }

    @Test
    void jsonWithoutAnExceptionHasNoExceptionField() {
        JsonNode n = JSON.readTree(new LogLines(Logging.Format.JSON, false).format(record(Level.INFO, "started", null, null)));
        assertThat(n.propertyNames()).containsExactly("time", "level", "logger", "message", "thread");
    }

    @Test
    void textIsOneLineWithTheExceptionSummarisedUnlessStackTracesAreAskedFor() {
        LogRecord r = record(Level.SEVERE, "pass failed\nforged line", null, failure());
        String line = new LogLines(Logging.Format.TEXT, false).format(r);
        assertThat(line).isEqualTo("2026-11-30T09:21:01.120Z ERROR codes.temper.test.Thing: pass failed\\nforged line"
                + " | java.io.IOException: fetch of https://***@git.example.org/p.git failed;"
                + " caused by: java.net.ConnectException: refused\\nsecond line" + System.lineSeparator());

        String debug = new LogLines(Logging.Format.TEXT, true).format(r);
        assertThat(debug.lines().findFirst()).hasValue(line.strip());
        assertThat(debug).contains("\tat codes.temper.log.LogLinesTest.failure").doesNotContain("TOKEN123");
    }

    @Test
    void levelsAreNamedAsOperatorsWriteThem() {
        assertThat(LogLines.levelName(Level.SEVERE)).isEqualTo("error");
        assertThat(LogLines.levelName(Level.WARNING)).isEqualTo("warn");
        assertThat(LogLines.levelName(Level.INFO)).isEqualTo("info");
        assertThat(LogLines.levelName(Level.CONFIG)).isEqualTo("info");
        assertThat(LogLines.levelName(Level.FINE)).isEqualTo("debug");
        assertThat(LogLines.levelName(Level.FINER)).isEqualTo("trace");
        assertThat(LogLines.levelName(Level.FINEST)).isEqualTo("trace");
        for (String name : new String[] {"error", "warn", "info", "debug", "trace"}) {
            assertThat(LogLines.levelName(Logging.level(name))).isEqualTo(name);
        }
    }

    @Test
    void logLevelSettingsAreALevelOrALoggerAndALevel() {
        assertThat(Logging.Setting.parse("debug")).isEqualTo(new Logging.Setting(null, Level.FINE));
        assertThat(Logging.Setting.parse("io.fabric8=WARN")).isEqualTo(new Logging.Setting("io.fabric8", Level.WARNING));
        assertThatThrownBy(() -> Logging.Setting.parse("verbose")).hasMessageContaining("expected error, warn, info, debug or trace");
        assertThatThrownBy(() -> Logging.Setting.parse("a b=info")).hasMessageContaining("not a logger name");
        assertThat(Logging.Format.parse("JSON")).isEqualTo(Logging.Format.JSON);
        assertThatThrownBy(() -> Logging.Format.parse("logfmt")).hasMessageContaining("expected text or json");
    }
}
