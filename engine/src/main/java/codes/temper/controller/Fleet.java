package codes.temper.controller;

import codes.temper.kube.NodeWrites;
import codes.temper.kube.crd.TemperPolicy;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the fleet page reads and changes, without HTTP: node pages from the controller's informer
 * cache, the toggles in force, and a toggle applied as a TemperPolicy ({@link FleetToggle}) that
 * the controller's one reconcile then carries to the nodes.
 */
public final class Fleet {

    private static final Logger LOG = System.getLogger(Fleet.class.getName());

    /**
     * A toggle in force, as the page lists it; {@code scope}, {@code node} and {@code selector} are
     * what a request to turn it off carries.
     */
    public record Toggle(String policy, String target, String scope, String node, String selector, String requestedBy,
            String requestedAt, String reason, Integer selected, Integer safeModeReported) {}

    /**
     * How a toggle request ended.
     *
     * @param status  HTTP status: 200 done, 4xx refused (nothing changed), 5xx failed
     * @param message for the caller and the audit record
     * @param target  what the request pointed at, as people read it, or null when the request was malformed
     */
    public record Outcome(int status, String message, String target) {
        public boolean changed() {
            return status == 200;
        }
    }

    private final KubernetesClient client;
    private final SafeModeController controller;
    private final Clock clock;

    public Fleet(KubernetesClient client, SafeModeController controller, Clock clock) {
        this.client = client;
        this.controller = controller;
        this.clock = clock;
    }

    /** @throws IllegalArgumentException for a bad selector or limit */
    public FleetNodes.Page page(String selector, String after, int limit) {
        return FleetNodes.page(controller.cachedNodes(), selector, after, limit, controller::lastStatusChange);
    }

    /** Why the page's view of the fleet may be stale (a watch down), or empty. */
    public Optional<String> staleness() {
        return controller.watchProblem();
    }

    public List<Toggle> toggles() {
        return controller.cachedPolicies().stream()
                .filter(p -> p.getMetadata().getLabels() != null && "true".equals(p.getMetadata().getLabels().get(FleetToggle.LABEL)))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(Fleet::toggle).toList();
    }

    private static Toggle toggle(TemperPolicy p) {
        Map<String, String> a = p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations();
        var rule = p.getSpec() == null || p.getSpec().getRules().isEmpty() ? null : p.getSpec().getRules().getFirst();
        String reason = rule == null ? null : rule.reason();
        String node = rule == null ? null : rule.nodeName();
        String selector = a.get(FleetToggle.SELECTOR);
        String scope = node != null ? "node" : selector != null ? "selector" : "all";
        var s = p.getStatus();
        return new Toggle(p.getMetadata().getName(), a.get(FleetToggle.TARGET), scope, node, selector, a.get(FleetToggle.REQUESTED_BY),
                a.get(FleetToggle.REQUESTED_AT), reason, s == null ? null : s.getSelectedNodes(),
                s == null ? null : s.getAgents().getOrDefault("safe-mode", 0));
    }

    /** Decides from the cache and the policy as the API server has it now, then applies; never throws for a refusal. */
    public Outcome toggle(FleetToggle.Request req, String actor) {
        FleetToggle.Target target;
        try {
            target = FleetToggle.target(req);
        } catch (IllegalArgumentException e) {
            return new Outcome(400, e.getMessage(), null);
        }
        Instant now = clock.instant();
        try {
            TemperPolicy existing = client.resources(TemperPolicy.class).withName(target.policyName()).get();
            int selected = FleetNodes.count(controller.cachedNodes(), target);
            return switch (FleetToggle.decide(req, actor, now, existing, selected)) {
                case FleetToggle.Refused r -> new Outcome(r.status(), r.why(), target.description());
                case FleetToggle.Create c -> {
                    client.resource(c.policy()).create();
                    yield done(req, actor, target, "safe mode requested for " + c.target() + " (" + selected + " node(s) now)");
                }
                case FleetToggle.Replace r -> {
                    client.resource(r.policy()).update();
                    yield done(req, actor, target, "safe-mode request for " + r.target() + " renewed with the new reason ("
                            + selected + " node(s) now)");
                }
                case FleetToggle.Delete d -> {
                    client.resources(TemperPolicy.class).withName(d.name()).delete();
                    yield done(req, actor, target, "safe-mode request for " + d.target() + " withdrawn");
                }
            };
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new Outcome(409, "the toggle for " + target.description() + " changed meanwhile; reload and try again", target.description());
            }
            LOG.log(Level.WARNING, "fleet toggle for {0} by {1} failed: {2}", target.description(), actor, e.getMessage());
            return new Outcome(502, "the API server refused or did not answer (HTTP " + e.getCode() + "); nothing was changed",
                    target.description());
        }
    }

    /**
     * Best effort, like the controller's node events: the TemperPolicy is what counts. A one-node
     * toggle reports on that Node; the others on their TemperPolicy (the nodes get the
     * controller's own events as it patches them).
     */
    private Outcome done(FleetToggle.Request req, String actor, FleetToggle.Target target, String message) {
        var about = target.nodeName() != null
                ? new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(target.nodeName()).build()
                : new ObjectReferenceBuilder().withApiVersion(TemperPolicy.GROUP + "/" + TemperPolicy.VERSION).withKind("TemperPolicy")
                        .withName(target.policyName()).build();
        try {
            NodeWrites.send(client, NodeWrites.event(SafeModeController.REPORTER, about, req.enabled() ? "Warning" : "Normal",
                    req.enabled() ? "TemperFleetSafeModeRequested" : "TemperFleetSafeModeWithdrawn",
                    message + " on the fleet page by " + actor + ": " + req.reason().strip()));
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "fleet toggle event not recorded: {0}", e.getMessage());
        }
        LOG.log(Level.INFO, "fleet toggle by {0}: {1}", actor, message);
        return new Outcome(200, message, target.description());
    }
}
