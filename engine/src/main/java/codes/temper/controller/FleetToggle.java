package codes.temper.controller;

import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A fleet page toggle as state the one reconcile already knows: turning safe mode on for a target
 * (one node, a label selector, or every node) is a TemperPolicy of its own with one safeMode rule;
 * turning it off deletes that policy. The controller's pass then sets or withdraws the node
 * annotations with its ownership marker like for any policy, so the page never patches a node
 * itself, a resync never undoes a toggle, and an operator's own annotation is left alone by the
 * same code that leaves it alone today. Pure: the caller looks up the policy and the nodes.
 */
public final class FleetToggle {

    /** Marks the policies the fleet page made (and may delete); a policy without it is never touched here. */
    public static final String LABEL = "temper.codes/fleet-toggle";
    public static final String TARGET = "temper.codes/fleet-target";
    public static final String REQUESTED_BY = "temper.codes/fleet-requested-by";
    public static final String REQUESTED_AT = "temper.codes/fleet-requested-at";
    /** The selector as typed (whitespace around commas dropped), so the page can offer "turn off" for it. */
    public static final String SELECTOR = "temper.codes/fleet-selector";
    static final String RULE = "fleet-toggle";
    static final String PREFIX = "temper-fleet-";
    public static final int MAX_REASON = 500;
    static final int MAX_ACTOR = 200;
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private FleetToggle() {}

    /** What the page asks. {@code node} is set for {@link Scope#NODE}, {@code selector} for {@link Scope#SELECTOR}. */
    public record Request(Scope scope, String node, String selector, boolean enabled, String reason) {
        public String action() {
            return "fleet.safe-mode." + (enabled ? "on" : "off");
        }
    }

    public enum Scope { NODE, SELECTOR, ALL }

    /** Where a valid request points: the policy that holds it and how people read it. */
    record Target(Scope scope, String policyName, String description, LabelSelector selector, String nodeName, String selectorText) {}

    public sealed interface Decision permits Create, Replace, Delete, Refused {
    }

    /** @param policy to create (no such policy yet) */
    public record Create(TemperPolicy policy, String target) implements Decision {}

    /** @param policy the existing one with the new reason and requester (its resourceVersion kept: a conditional update) */
    public record Replace(TemperPolicy policy, String target) implements Decision {}

    public record Delete(String name, String resourceVersion, String target) implements Decision {}

    /** @param status the HTTP status the caller answers with: 400 bad input, 404 unknown node, 409 nothing to turn off */
    public record Refused(int status, String why) implements Decision {}

    /**
     * The decision. {@code existing} is the policy named for the target, or null; {@code selected}
     * how many nodes the target selects now (the caller counted them in its cache), so a selector
     * that selects nothing (a typo, most likely) is refused instead of creating a policy that waits.
     */
    public static Decision decide(Request req, String actor, Instant now, TemperPolicy existing, int selected) {
        if (req.reason() == null || req.reason().isBlank()) return new Refused(400, "a reason is required: say why (it goes to the audit trail, the Events and the nodes' safe-mode-reason)");
        String reason = req.reason().strip();
        if (reason.length() > MAX_REASON) return new Refused(400, "the reason is longer than " + MAX_REASON + " characters");
        Target target;
        try {
            target = target(req);
        } catch (IllegalArgumentException e) {
            return new Refused(400, e.getMessage());
        }
        if (existing != null && !ours(existing, target)) {
            return new Refused(409, "TemperPolicy " + target.policyName() + " exists and was not made by the fleet page for "
                    + target.description() + "; change it with kubectl");
        }
        if (!req.enabled()) {
            if (existing == null) {
                return new Refused(409, "no fleet toggle is on for " + target.description()
                        + "; a node may still be held by another toggle, a TemperPolicy or an operator's annotation (see the node's requested-by)");
            }
            return new Delete(existing.getMetadata().getName(), existing.getMetadata().getResourceVersion(), target.description());
        }
        if (selected == 0) {
            return req.scope() == Scope.NODE ? new Refused(404, "no node named " + target.nodeName() + " in the controller's view of the cluster")
                    : new Refused(400, target.description() + " selects no node now; nothing would change (check the selector)");
        }
        TemperPolicy policy = policy(target, cut(actor, MAX_ACTOR), reason, now);
        if (existing == null) return new Create(policy, target.description());
        policy.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        return new Replace(policy, target.description());
    }

    /** @throws IllegalArgumentException with a message for the user */
    static Target target(Request req) {
        return switch (req.scope()) {
            case ALL -> new Target(Scope.ALL, PREFIX + "all", "all nodes", new LabelSelector(), null, null);
            case NODE -> {
                String n = req.node() == null ? "" : req.node().strip();
                if (n.isEmpty()) throw new IllegalArgumentException("a node name is required for a one-node toggle");
                if (n.length() > 253 || !NODE_NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("not a node name: \"" + codes.temper.text.Printable.escape(cut(n, 60)) + "\"");
                }
                yield new Target(Scope.NODE, PREFIX + "node-" + hash(n), "node " + n, new LabelSelector(), n, null);
            }
            case SELECTOR -> {
                String s = req.selector() == null ? "" : req.selector().strip();
                if (s.isEmpty()) throw new IllegalArgumentException("a label selector is required (use the all-nodes toggle for every node)");
                LabelSelector parsed = SelectorText.parse(s);
                String canonical = String.join(",", s.split("\\s*,\\s*"));
                yield new Target(Scope.SELECTOR, PREFIX + "selector-" + hash(canonical), "nodes matching " + canonical, parsed, null, canonical);
            }
        };
    }

    /** The policy's name for a request, to look it up before deciding; the target must be valid. */
    public static String policyName(Request req) {
        return target(req).policyName();
    }

    static boolean ours(TemperPolicy p, Target t) {
        Map<String, String> labels = p.getMetadata().getLabels();
        Map<String, String> annotations = p.getMetadata().getAnnotations();
        return labels != null && "true".equals(labels.get(LABEL)) && annotations != null && t.description().equals(annotations.get(TARGET));
    }

    private static TemperPolicy policy(Target t, String actor, String reason, Instant now) {
        TemperPolicy p = new TemperPolicy(t.policyName(), new TemperPolicySpec(List.of(
                new SafeModeRule(RULE, t.selector(), true, reason + " (fleet page, " + actor + ")", t.nodeName()))));
        p.getMetadata().setLabels(Map.of(LABEL, "true"));
        Map<String, String> annotations = new java.util.HashMap<>(Map.of(TARGET, t.description(), REQUESTED_BY, actor, REQUESTED_AT, now.toString()));
        if (t.selectorText() != null) annotations.put(SELECTOR, t.selectorText());
        p.getMetadata().setAnnotations(annotations);
        return p;
    }

    /** 12 hex digits of SHA-256: names stay short and valid whatever the node name or selector. */
    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
