package codes.temper.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class StaticTokensTest {

    public static final String TOKEN = "s3cret-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void actorIsTheFirstEightHexOfTheTokensSha256() {
        // printf %s s3cret-token-0123456789 | sha256sum
        assertThat(StaticTokens.actorOf(TOKEN)).matches("token:[0-9a-f]{8}").isEqualTo("token:" + sha256Prefix(TOKEN));
    }

    @Test
    void readsTokensSkippingCommentsAndBlankLines() throws IOException {
        Path f = Files.writeString(dir.resolve("tokens"), "# ops team\n\n  " + TOKEN + "  \nanother-token-abcdefgh\n");
        StaticTokens tokens = StaticTokens.fromFile(f);
        assertThat(tokens.authenticate(TOKEN)).isEqualTo(new Authenticator.Authenticated(
                new User(StaticTokens.actorOf(TOKEN), "", List.of(StaticTokens.GROUP), User.Source.STATIC_TOKEN)));
        assertThat(tokens.authenticate("another-token-abcdefgh")).isInstanceOf(Authenticator.Authenticated.class);
        assertThat(tokens.authenticate("wrong-token-0123456789")).isEqualTo(new Authenticator.Unauthenticated("invalid token"));
        assertThat(tokens.toString()).doesNotContain(TOKEN);

        // Through the pair, as the API uses it: the header parsed, the user may do everything.
        Access access = Access.staticTokens(tokens);
        assertThat(access.check("Bearer " + TOKEN, ResourceAttributes.patchNode("n"))).isInstanceOf(Access.Granted.class);
        assertThat(access.check("bearer another-token-abcdefgh", ResourceAttributes.getNode("n"))).isInstanceOf(Access.Granted.class);
        assertThat(access.check("Basic " + TOKEN, ResourceAttributes.getNode("n"))).isInstanceOf(Access.NotAuthenticated.class);
        assertThat(access.check(null, ResourceAttributes.getNode("n"))).isEqualTo(
                new Access.NotAuthenticated("missing bearer token (Authorization: Bearer <token>)"));
        assertThat(access.check("Bearer ", ResourceAttributes.getNode("n"))).isInstanceOf(Access.NotAuthenticated.class);
    }

    @Test
    void noTokenConfiguredRefusesEverything() {
        var r = StaticTokens.none().authenticate(TOKEN);
        assertThat(r).isInstanceOf(Authenticator.Unauthenticated.class);
        assertThat(((Authenticator.Unauthenticated) r).why()).contains("no API token is configured");
    }

    @Test
    void missingEmptyOrWeakFilesAreReportedByName() throws IOException {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> StaticTokens.fromFile(missing)).isInstanceOf(IOException.class)
                .hasMessage("API token file " + missing + ": not found");
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n\n");
        assertThatThrownBy(() -> StaticTokens.fromFile(empty)).hasMessageContaining(empty.toString()).hasMessageContaining("no token");
        Path weak = Files.writeString(dir.resolve("weak"), "# c\nshort\n");
        assertThatThrownBy(() -> StaticTokens.fromFile(weak)).hasMessageContaining(weak + ":2:").hasMessageNotContaining("short\n")
                .hasMessageContaining("at least 16");
        Path unreadable = Files.createDirectory(dir.resolve("a-directory"));
        assertThatThrownBy(() -> StaticTokens.fromFile(unreadable)).isInstanceOf(IOException.class)
                .hasMessageContaining(unreadable.toString()).hasMessageContaining("cannot read");
    }

    @Test
    void tokensGivenDirectlyAreCheckedToo() {
        assertThatThrownBy(() -> StaticTokens.ofTokens(List.of("short"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(StaticTokens.ofTokens(List.of(TOKEN)).configured()).isTrue();
    }

    public static String sha256Prefix(String s) {
        try {
            var d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
