package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The agent's page and the fleet page share their style, sign-in markup and script helpers as
 * page parts inlined when the page is loaded, so each page stays one self-contained file whose
 * inline script and style the CSP pins by hash.
 */
class PagePartsTest {

    @Test
    void partsAreInlinedBeforeTheHashesAreTaken() throws Exception {
        for (String page : new String[] {"dashboard.html", "fleet.html"}) {
            Dashboard d = Dashboard.load(page);
            String html = d.html("t0.abc");
            assertThat(html).as(page).doesNotContain("{{include:").contains("function authHeaders()").contains("id=\"sign-in\"")
                    .contains("button.danger");
            var script = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(html);
            assertThat(script.find()).isTrue();
            String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(script.group(1).getBytes("UTF-8")));
            assertThat(d.contentSecurityPolicy()).as(page).contains("script-src 'sha256-" + hash + "'");
            assertThat(script.find()).as(page + ": one inline script").isFalse();
        }
    }

    @Test
    void aMissingPartFailsAtLoadNamingIt() {
        assertThatThrownBy(() -> Dashboard.expand("<style>{{include:no-such-part.css}}</style>"))
                .hasMessageContaining("codes/temper/api/no-such-part.css");
        assertThat(Dashboard.expand("{{csrf-token}} {{include:../secret}}")).as("only plain names are parts").isEqualTo("{{csrf-token}} {{include:../secret}}");
    }
}
