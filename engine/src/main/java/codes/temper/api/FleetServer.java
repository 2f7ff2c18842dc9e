package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.auth.Access;
import codes.temper.auth.ResourceAttributes;
import codes.temper.auth.User;
import codes.temper.controller.Fleet;
import codes.temper.controller.FleetNodes;
import codes.temper.controller.FleetToggle;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The controller's fleet page and its JSON: every node from the controller's cache, the fleet
 * toggles in force, the audit trail, and the toggle itself. Routes are in {@link #routes}; the
 * handlers translate HTTP only: who may is {@link Guard}'s ({@code list} nodes to read,
 * {@code patch} nodes to toggle), what a toggle does is {@link Fleet}'s.
 */
public final class FleetServer implements AutoCloseable {

    public static final int DEFAULT_PORT = 9741;
    static final String TOGGLE_ACTION = "fleet.safe-mode";
    private static final Logger LOG = System.getLogger(FleetServer.class.getName());

    private final Fleet fleet;
    private final AuditLog audit;
    private final Guard guard;
    private final CrossSite crossSite = new CrossSite(Clock.systemUTC());
    private final Dashboard page = Dashboard.load("fleet.html");
    private final Javalin app;

    private FleetServer(Fleet fleet, Access access, AuditLog audit, String host, int port) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.guard = new Guard(Objects.requireNonNull(access, "access"), crossSite, audit);
        this.app = Javalin.create(config -> {
            HttpShape.configure(config, host, port);
            routes(config.routes);
        });
    }

    /** Binds and serves until {@link #close()}; port 0 takes an ephemeral port ({@link #port()}). */
    public static FleetServer start(Fleet fleet, Access access, AuditLog audit, String host, int port) {
        var server = new FleetServer(fleet, access, audit, host, port);
        server.app.start();
        LOG.log(Level.INFO, "fleet page on " + host + ":" + server.port() + "; authenticated by " + access);
        return server;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void routes(RoutesConfig r) {
        r.before(ctx -> HttpShape.securityHeaders(ctx, page.contentSecurityPolicy()));
        r.get("/", ctx -> ctx.html(page.html(crossSite.issue())));
        // The chart's readiness probe: a page that would show a stale fleet as current is not ready.
        r.get("/healthz", ctx -> fleet.staleness().ifPresentOrElse(why -> ctx.status(503).result(why), () -> ctx.result("ok")));
        r.get("/csrf-token", ctx -> ctx.json(Map.of("header", CrossSite.HEADER, "token", crossSite.issue())));
        r.get("/session", HttpShape.offPool(this::session));
        r.get("/fleet/nodes", HttpShape.offPool(this::nodes));
        r.get("/fleet/toggles", HttpShape.offPool(ctx -> {
            guard.read(ctx, "fleet.read", ResourceAttributes.listNodes());
            ctx.json(fleet.toggles());
        }));
        r.get("/audit", HttpShape.offPool(ctx -> {
            guard.read(ctx, StatusServer.AUDIT_ACTION_READ, ResourceAttributes.listNodes());
            ctx.json(audit.recent(AuditQuery.limit(ctx.queryParam("limit"), StatusServer.AUDIT_DEFAULT_LIMIT)));
        }));
        r.post("/fleet/safe-mode", HttpShape.offPool(this::toggle));
        HttpShape.errors(r, "controller");
    }

    /** @param mayToggle whether the page offers the toggles (the server checks again on every one) */
    record Session(String user, List<String> groups, String via, boolean mayToggle) {
    }

    private void session(Context ctx) {
        User user = guard.read(ctx, StatusServer.SESSION_ACTION, ResourceAttributes.listNodes());
        ctx.json(new Session(user.name(), user.groups(), user.source().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                guard.may(user, ResourceAttributes.patchNodes())));
    }

    private void nodes(Context ctx) {
        guard.read(ctx, "fleet.read", ResourceAttributes.listNodes());
        int limit = FleetNodes.DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null && !l.isBlank()) {
            try {
                limit = Integer.parseInt(l.strip());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("query parameter \"limit\" must be a whole number from 1 to " + FleetNodes.MAX_LIMIT);
            }
        }
        try {
            ctx.json(fleet.page(ctx.queryParam("selector"), ctx.queryParam("after"), limit));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** Every attempt ends in one audit record: refused at the door (by {@link Guard}), malformed, refused, done or failed. */
    private void toggle(Context ctx) {
        User user = guard.change(ctx, TOGGLE_ACTION, ResourceAttributes.patchNodes());
        FleetToggle.Request req;
        try {
            req = FleetToggleRequest.parse(ctx.body());
        } catch (ApiError e) {
            audit.record(user.name(), ctx.ip(), TOGGLE_ACTION, Outcome.INVALID, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            // Javalin's refusal of an oversized body, or a body the client never finished.
            String why = "request body refused or incomplete; nothing was changed";
            audit.record(user.name(), ctx.ip(), TOGGLE_ACTION, Outcome.INVALID, why);
            throw ApiError.badRequest(why);
        }
        Fleet.Outcome out = fleet.toggle(req, user.name());
        String what = (out.target() == null ? "" : out.target() + ": ") + req.reason();
        Outcome outcome = out.changed() ? Outcome.OK : out.status() >= 500 ? Outcome.FAILED : Outcome.INVALID;
        audit.record(user.name(), ctx.ip(), req.action(), outcome, out.changed() ? what : what + " (refused: " + out.message() + ")");
        if (!out.changed()) throw new ApiError(out.status(), out.message());
        ctx.json(Map.of("result", out.message()));
    }
}
