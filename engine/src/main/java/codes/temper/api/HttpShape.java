package codes.temper.api;

import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What the agent's status API and the controller's fleet page share about serving HTTP: the
 * thread model, the request bounds, the security headers and how failures become JSON answers.
 * One place, so the two servers cannot drift apart on any of them.
 */
final class HttpShape {

    private static final Logger LOG = System.getLogger(HttpShape.class.getName());
    static final long MAX_REQUEST_BYTES = 16 * 1024;
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(5);

    private HttpShape() {
    }

    /**
     * Jetty pads its thread pool's queue to a cache line and, unless told how many references
     * fit in one, creates the JVM's platform MBean server to ask whether oops are compressed:
     * a quarter of a second of CPU at every start (every platform MXBean, JFR's with its XML
     * configuration) for one padding size. They are compressed whenever the heap is under 32 GB,
     * as the agent's (192 MB) and the controller's are; a 64-byte line then holds 16.
     */
    private static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static void configure(JavalinConfig config, String host, int port) {
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(REFERENCES_PER_CACHE_LINE, Runtime.getRuntime().maxMemory() < (32L << 30) ? "16" : "8");
        }
        config.jetty.host = host;
        config.jetty.port = port;
        // Probes, scrapes and /status never block: they run on a few platform threads, where
        // Jetty can serve a request on the thread that read it, with no hand-off (under CPU
        // contention every hand-off is a wake-up that waits for a CPU; with every request on a
        // virtual thread, p99 of GET /status at 2,500/s was 94 ms against 14 ms on this pool,
        // docs/BENCHMARKS.md). What may wait (a TokenReview, a SubjectAccessReview, a slow
        // body) runs on a virtual thread of its own ({@link #offPool}), so neither an API server
        // that does not answer nor bodies that never finish can starve /healthz (the liveness probe).
        config.jetty.threadPool = new QueuedThreadPool(16, 2, 60_000);
        config.concurrency.useVirtualThreads = true;
        config.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            // A body is at most 16 KiB: one that stalls this long is cut off (and audited).
            http.setIdleTimeout(BODY_TIMEOUT.toMillis());
        });
        config.http.maxRequestSize = MAX_REQUEST_BYTES;
        config.http.prefer405over404 = true;
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jsonMapper(ApiJson.JAVALIN);
    }

    /** How failures become answers: a refusal says why, anything else is logged and answered without its stack. */
    static void errors(RoutesConfig r, String server) {
        r.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        r.exception(HttpResponseException.class, (e, ctx) -> {
            // Javalin's 405 knows the path's methods; RFC 9110 asks for them in Allow.
            String allow = e.getDetails().get("availableMethods");
            if (e.getStatus() == 405 && allow != null) {
                ctx.header("Allow", allow);
            }
            error(ctx, e.getStatus(), e.getMessage());
        });
        r.exception(Exception.class, (e, ctx) -> {
            LOG.log(Level.ERROR, server + ": " + ctx.method() + " " + ctx.path() + " failed", e);
            error(ctx, 500, "internal error; see the " + server + " log");
        });
    }

    /** Runs {@code h} on a virtual thread (Javalin's async executor), releasing the pool's thread meanwhile. */
    static Handler offPool(Handler h) {
        return ctx -> ctx.async(() -> h.handle(ctx));
    }

    static void securityHeaders(Context ctx, String contentSecurityPolicy) {
        ctx.header("Content-Security-Policy", contentSecurityPolicy);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        ctx.header("Referrer-Policy", "no-referrer");
        // Another site may neither frame the page nor read its responses (no CORS headers are sent either).
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    }

    static void error(Context ctx, int status, String message) {
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"temper\"");
        }
        ctx.status(status).contentType("application/json").result(ApiJson.error(message));
    }
}
