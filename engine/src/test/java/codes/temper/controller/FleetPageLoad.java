package codes.temper.controller;

import codes.temper.api.Csrf;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * Loads the fleet page's resources as its script does, timing each: to the response's headers
 * (first byte) and to its last byte, over {@value #RUNS} runs after a warm-up; median and worst.
 */
final class FleetPageLoad {
    static final int RUNS = 20;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String token;

    FleetPageLoad(int port, String token) {
        this.port = port;
        this.token = token;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    void warmUp() throws Exception {
        for (int i = 0; i < 30; i++) {
            http.send(request("/fleet/nodes?limit=200").build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** @return one line of {@code key=value} figures for {@code path} */
    String measure(String name, String path, boolean gzip) throws Exception {
        long[] first = new long[RUNS], last = new long[RUNS];
        long bytes = 0;
        for (int i = 0; i < RUNS; i++) {
            HttpRequest.Builder b = request(path);
            if (gzip) b.header("Accept-Encoding", "gzip");
            long t0 = System.nanoTime();
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            first[i] = System.nanoTime() - t0;
            try (InputStream in = r.body()) {
                bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            last[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200) throw new AssertionError(path + " answered " + r.statusCode());
        }
        Arrays.sort(first);
        Arrays.sort(last);
        return String.format("%s bytes=%d first_byte_ms_median=%.1f first_byte_ms_max=%.1f complete_ms_median=%.1f complete_ms_max=%.1f",
                name, bytes, first[RUNS / 2] / 1e6, first[RUNS - 1] / 1e6, last[RUNS / 2] / 1e6, last[RUNS - 1] / 1e6);
    }

    void toggleAll(boolean on) throws Exception {
        var r = http.send(request("/fleet/safe-mode").header("Content-Type", "application/json")
                .header(Csrf.HEADER, Csrf.token(port))
                .POST(HttpRequest.BodyPublishers.ofString("{\"scope\": \"all\", \"enabled\": " + on + ", \"reason\": \"bench\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("toggle answered " + r.statusCode() + ": " + r.body());
    }
}
