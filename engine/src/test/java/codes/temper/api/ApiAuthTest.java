package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiAuthTest {

    static final String TOKEN = "s3cret-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void actorIsTheFirstEightHexOfTheTokensSha256() {
        // printf %s s3cret-token-0123456789 | sha256sum
        assertThat(ApiAuth.actorOf(TOKEN)).matches("token:[0-9a-f]{8}").isEqualTo("token:" + sha256Prefix(TOKEN));
    }

    @Test
    void readsTokensSkippingCommentsAndBlankLines() throws IOException {
        Path f = Files.writeString(dir.resolve("tokens"), "# ops team\n\n  " + TOKEN + "  \nanother-token-abcdefgh\n");
        ApiAuth auth = ApiAuth.fromFile(f);
        assertThat(auth.authenticate("Bearer " + TOKEN)).isEqualTo(new ApiAuth.Allowed(ApiAuth.actorOf(TOKEN)));
        assertThat(auth.authenticate("bearer another-token-abcdefgh")).isInstanceOf(ApiAuth.Allowed.class);
        assertThat(auth.authenticate("Bearer wrong-token-0123456789")).isEqualTo(new ApiAuth.Refused("invalid token"));
        assertThat(auth.authenticate("Basic " + TOKEN)).isInstanceOf(ApiAuth.Refused.class);
        assertThat(auth.authenticate(null)).isInstanceOf(ApiAuth.Refused.class);
        assertThat(auth.toString()).doesNotContain(TOKEN);
    }

    @Test
    void noTokenConfiguredRefusesEverything() {
        var r = ApiAuth.none().authenticate("Bearer " + TOKEN);
        assertThat(r).isInstanceOf(ApiAuth.Refused.class);
        assertThat(((ApiAuth.Refused) r).why()).contains("no API token is configured");
    }

    @Test
    void missingEmptyOrWeakFilesAreReportedByName() throws IOException {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> ApiAuth.fromFile(missing)).isInstanceOf(IOException.class)
                .hasMessage("API token file " + missing + ": not found");
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n\n");
        assertThatThrownBy(() -> ApiAuth.fromFile(empty)).hasMessageContaining(empty.toString()).hasMessageContaining("no token");
        Path weak = Files.writeString(dir.resolve("weak"), "# c\nshort\n");
        assertThatThrownBy(() -> ApiAuth.fromFile(weak)).hasMessageContaining(weak + ":2:").hasMessageNotContaining("short\n")
                .hasMessageContaining("at least 16");
        Path unreadable = Files.createDirectory(dir.resolve("a-directory"));
        assertThatThrownBy(() -> ApiAuth.fromFile(unreadable)).isInstanceOf(IOException.class)
                .hasMessageContaining(unreadable.toString()).hasMessageContaining("cannot read");
    }

    @Test
    void tokensGivenDirectlyAreCheckedToo() {
        assertThatThrownBy(() -> ApiAuth.ofTokens(List.of("short"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ApiAuth.ofTokens(List.of(TOKEN)).configured()).isTrue();
    }

    static String sha256Prefix(String s) {
        try {
            var d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
