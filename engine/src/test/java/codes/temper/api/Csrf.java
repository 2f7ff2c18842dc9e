package codes.temper.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A cross-site token from a running status API, as a script gets one: {@code GET /csrf-token}. */
public final class Csrf {

    public static final String HEADER = CrossSite.HEADER;

    private Csrf() {
    }

    public static String token(int port) {
        try {
            var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/csrf-token"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError("GET /csrf-token answered " + r.statusCode() + ": " + r.body());
            return ApiJson.MAPPER.readTree(r.body()).get("token").stringValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
