package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.ResourceAttributes;
import codes.temper.auth.User;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.SafeModeControl;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The agent's status API (DESIGN.md, "Interfaces"): health, readiness, status, metrics, audit,
 * the authenticated safe-mode switch and the agent's page. All routes are in {@link #routes}; the
 * handlers only translate HTTP, the decisions live in the small classes they call ({@link Guard}
 * for who may, {@link SafeModeSwitch} for the change, {@link Dashboard} for the page).
 */
public final class StatusServer implements AutoCloseable {

    /** Not 9100: node-exporter owns it on most nodes. */
    public static final int DEFAULT_PORT = 9740;
    static final int AUDIT_DEFAULT_LIMIT = 200;
    static final String AUDIT_ACTION_READ = "audit.read";
    static final String SESSION_ACTION = "sign-in";

    private static final Logger LOG = System.getLogger(StatusServer.class.getName());
    static final Duration BODY_TIMEOUT = HttpShape.BODY_TIMEOUT;
    /**
     * What {@link PrometheusMeterRegistry#scrape()} writes. The Prometheus client's own constant
     * is in a runtime-scoped artifact, so it is not compiled against.
     */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<AgentStatus> status;
    // The node the authenticated actions are authorised on: the agent's, known only once it has read its inputs.
    private final Supplier<String> node;
    private final AuditLog audit;
    private final Guard guard;
    private final SafeModeSwitch safeMode;
    private final StatusMetrics metrics;
    private final Dashboard dashboard;
    private final CrossSite crossSite = new CrossSite(Clock.systemUTC());
    private final Javalin app;

    private StatusServer(Supplier<AgentStatus> status, Supplier<String> node, SafeModeControl control, PrometheusMeterRegistry registry,
            Access access, AuditLog audit, String host, int port) {
        this.status = Objects.requireNonNull(status, "status");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.guard = new Guard(Objects.requireNonNull(access, "access"), crossSite, audit);
        this.node = node == null ? () -> snapshot().node() : node;
        this.safeMode = new SafeModeSwitch(Objects.requireNonNull(control, "control"), audit);
        this.metrics = new StatusMetrics(Objects.requireNonNull(registry, "registry"), audit);
        this.dashboard = Dashboard.load();
        this.app = Javalin.create(config -> configure(config, host, port));
    }

    /**
     * Binds and serves until {@link #close()}.
     *
     * @param access who may read the audit trail and change the node: {@link Access#staticTokens}
     *               standalone, {@code KubernetesAccess.of} in a cluster
     * @param host   the address to bind (the pod IP, or 0.0.0.0)
     * @param port   {@link #DEFAULT_PORT} in the agent; 0 for an ephemeral port ({@link #port()})
     */
    public static StatusServer start(Supplier<AgentStatus> status, SafeModeControl control,
            PrometheusMeterRegistry registry, Access access, AuditLog audit, String host, int port) {
        return start(status, null, control, registry, access, audit, host, port);
    }

    /**
     * As {@link #start(Supplier, SafeModeControl, PrometheusMeterRegistry, Access, AuditLog, String, int)},
     * with the node the authenticated actions are authorised on from {@code node} rather than from
     * the status: an API that listens before the agent has a status (it starts beside reading the
     * inputs) gets the node from a supplier that waits for it.
     */
    public static StatusServer start(Supplier<AgentStatus> status, Supplier<String> node, SafeModeControl control,
            PrometheusMeterRegistry registry, Access access, AuditLog audit, String host, int port) {
        var server = new StatusServer(status, node, control, registry, access, audit, host, port);
        server.app.start();
        LOG.log(Level.INFO, "status API on " + host + ":" + server.port() + "; GET /audit and POST /safe-mode authenticated by " + access);
        return server;
    }

    /** The bound port (the ephemeral one when started with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        metrics.close();
    }

    private void configure(JavalinConfig config, String host, int port) {
        HttpShape.configure(config, host, port);
        routes(config.routes);
    }

    /** Every route of the API, and how failures become responses. */
    private void routes(RoutesConfig r) {
        r.before(this::securityHeaders);

        r.get("/", ctx -> ctx.html(dashboard.html(crossSite.issue())));
        r.get("/healthz", this::healthz);
        r.get("/readyz", this::readyz);
        r.get("/status", this::status);
        r.get("/metrics", this::metrics);
        r.get("/csrf-token", ctx -> ctx.json(Map.of("header", CrossSite.HEADER, "token", crossSite.issue())));
        r.get("/session", offPool(this::session));
        r.get("/audit", offPool(this::audit));
        r.post("/safe-mode", offPool(this::safeMode));

        HttpShape.errors(r, "agent");
    }

    private static io.javalin.http.Handler offPool(io.javalin.http.Handler h) {
        return HttpShape.offPool(h);
    }

    /** Liveness: fails, saying why, when the reconcile loop has stopped making progress. */
    private void healthz(Context ctx) {
        AgentStatus s = status.get();
        if (s != null && s.loop() != null && !s.loop().healthy()) {
            ctx.status(503).result(s.loop().why());
        } else {
            ctx.result("ok");
        }
    }

    private void readyz(Context ctx) {
        String why = Readiness.notReadyReason(status.get());
        if (why == null) {
            ctx.result("ready");
        } else {
            ctx.status(503).result(why);
        }
    }

    /** A snapshot, its JSON and the JSON gzipped (made on first demand): requests that find the same snapshot reuse them. */
    private static final class Rendered {
        final AgentStatus source;
        final byte[] json;
        private volatile byte[] gzip;

        Rendered(AgentStatus source) {
            this.source = source;
            this.json = ApiJson.MAPPER.writeValueAsBytes(source);
        }

        byte[] gzip() {
            byte[] g = gzip;
            if (g == null) {
                var out = new java.io.ByteArrayOutputStream(json.length / 4);
                try (var z = new java.util.zip.GZIPOutputStream(out)) {
                    z.write(json);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                gzip = g = out.toByteArray();
            }
            return g;
        }
    }

    private volatile Rendered rendered;

    /**
     * The snapshot as JSON. A scrape or a page polls far more often than the snapshot changes (a
     * pass, a counter sample, the revision's age in whole seconds), so the rendering (and its gzip)
     * is kept and served again while an equal snapshot comes back; equality is cheap because the
     * snapshots share their lists. Never staler than the snapshot itself. Sent with its length (not
     * chunked) and, when the client takes gzip, already compressed (Javalin does not compress again
     * a response that has a Content-Encoding).
     */
    private void status(Context ctx) {
        AgentStatus s = snapshot();
        Rendered r = rendered;
        if (r == null || !r.source.equals(s)) {
            r = new Rendered(s);
            rendered = r;
        }
        String accept = ctx.header("Accept-Encoding");
        byte[] body = r.json;
        if (accept != null && accept.contains("gzip")) {
            body = r.gzip();
            ctx.header("Content-Encoding", "gzip");
        }
        ctx.header("Vary", "Accept-Encoding");
        ctx.contentType("application/json");
        // Straight to the servlet's stream: no copy through an 8 KiB buffer per request.
        var res = ctx.res();
        res.setContentLength(body.length);
        try {
            res.getOutputStream().write(body);
        } catch (java.io.IOException e) {
            // The client went away mid-response: nothing to answer, Jetty closes the connection.
            LOG.log(Level.DEBUG, "GET /status: client gone ({0})", e.getClass().getSimpleName());
        }
    }

    private void metrics(Context ctx) {
        ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape(status.get()));
    }

    private void audit(Context ctx) {
        guard.read(ctx, AUDIT_ACTION_READ, ResourceAttributes.getNode(node.get()));
        int limit = AuditQuery.limit(ctx.queryParam("limit"), AUDIT_DEFAULT_LIMIT);
        ctx.json(audit.recent(limit));
    }

    /** Who the token is and whether it may change the node: the page's sign-in. */
    private void session(Context ctx) {
        User user = guard.read(ctx, SESSION_ACTION, ResourceAttributes.getNode(node.get()));
        ctx.json(new Session(user.name(), user.groups(), user.source().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                guard.may(user, ResourceAttributes.patchNode(node.get()))));
    }

    /** @param via static-token | token-review */
    record Session(String user, List<String> groups, String via, boolean mayChange) {
    }

    private void safeMode(Context ctx) {
        User user = guard.change(ctx, "safe-mode", ResourceAttributes.patchNode(node.get()));
        // The answer is the state after the change; 202 when the pass that applies it is still due.
        boolean settled = safeMode.request(user.name(), ctx.ip(), ctx::body);
        if (!settled) ctx.status(202);
        ctx.json(snapshot());
    }

    private AgentStatus snapshot() {
        AgentStatus s = status.get();
        if (s == null) {
            throw new ApiError(503, "agent starting: no status yet");
        }
        return s;
    }

    private void securityHeaders(Context ctx) {
        HttpShape.securityHeaders(ctx, dashboard.contentSecurityPolicy());
    }
}
