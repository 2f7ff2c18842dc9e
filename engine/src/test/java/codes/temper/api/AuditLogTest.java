package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.ManualClock;
import codes.temper.api.AuditEntry.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AuditLogTest {

    @TempDir
    Path dir;

    @Test
    void ringKeepsTheNewestEntriesNewestLast() {
        var log = new AuditLog(3, null, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        for (int i = 1; i <= 5; i++) {
            log.record("token:0000000" + i, "10.0.0.1", "safe-mode.on", Outcome.OK, "n" + i);
        }
        assertThat(log.recent(10)).extracting(AuditEntry::detail).containsExactly("n3", "n4", "n5");
        assertThat(log.recent(2)).extracting(AuditEntry::detail).containsExactly("n4", "n5");
        assertThat(log.count(Outcome.OK)).isEqualTo(5);
        assertThat(log.count(Outcome.REFUSED)).isZero();
    }

    @Test
    void appendsOneJsonLinePerEntryToTheFileCreatingDirectories() throws IOException {
        Path file = dir.resolve("var/log/temper/audit.jsonl");
        var log = AuditLog.appendingTo(file);
        log.record("anonymous", "10.0.0.9", "safe-mode", Outcome.REFUSED, "missing bearer token");
        log.record("token:abcdef01", "10.0.0.9", "safe-mode.on", Outcome.OK, "line\nbreak");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode second = ApiJson.MAPPER.readTree(lines.get(1));
        assertThat(second.get("actor").stringValue()).isEqualTo("token:abcdef01");
        assertThat(second.get("outcome").stringValue()).isEqualTo("ok");
        assertThat(second.get("detail").stringValue()).isEqualTo("line\nbreak");
        assertThat(second.get("time").stringValue()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void refusalsPastTheRateAreCountedAndSummarisedWhenTheMinuteEnds() {
        var hands = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        var log = new AuditLog(5, null, hands);
        log.record("token:00000001", "10.0.0.1", "safe-mode.on", Outcome.OK, "kept");
        for (int i = 0; i < AuditLog.REFUSALS_PER_WINDOW + 70; i++) {
            log.record("anonymous", "10.0.0.9", "audit.read", Outcome.REFUSED, "missing bearer token");
        }
        assertThat(log.count(Outcome.REFUSED)).isEqualTo(AuditLog.REFUSALS_PER_WINDOW + 70);
        assertThat(log.recent(1000)).hasSize(1 + AuditLog.REFUSALS_PER_WINDOW);
        hands.now = hands.now.plus(AuditLog.REFUSAL_WINDOW);
        assertThat(log.recent(1000)).last().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditLog.SUPPRESSED);
            assertThat(e.detail()).startsWith("70 further refusal(s)");
        });
        // The change is still there, whatever came after it.
        assertThat(log.recent(1000)).first().satisfies(e -> assertThat(e.detail()).isEqualTo("kept"));
    }

    @Test
    void aRestartReadsTheTrailBackSkippingALineCutByACrash() throws IOException {
        Path file = dir.resolve("api/audit.jsonl");
        AuditLog.appendingTo(file).record("token:abcdef01", "10.0.0.9", "safe-mode.on", Outcome.OK, "before the crash");
        Files.writeString(file, "{\"time\":\"2026-01-01T00:00:00Z\",\"actor\":\"tok", java.nio.file.StandardOpenOption.APPEND);
        var again = AuditLog.appendingTo(file);
        assertThat(again.recent(10)).singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("before the crash"));
        again.record("token:abcdef01", "10.0.0.9", "safe-mode.off", Outcome.OK, "after");
        assertThat(again.recent(10)).extracting(AuditEntry::detail).containsExactly("before the crash", "after");
        assertThat(AuditLog.appendingTo(file).recent(10)).extracting(AuditEntry::detail).containsExactly("before the crash", "after");
    }
}
