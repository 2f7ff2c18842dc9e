package codes.temper.policy;

import static codes.temper.policy.PolicyFields.required;
import static codes.temper.policy.PolicyFields.stringMap;

import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import codes.temper.yaml.Problem;
import codes.temper.yaml.YamlLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Validates a set of policy files into one {@link PolicySet}, or reports every problem found.
 * All files are checked even after the first problem, and nothing is returned unless the whole
 * revision is valid: a revision applies whole or not at all.
 *
 * <p>This class reads what every document has (apiVersion, kind, metadata) and checks the revision
 * as a whole (one TierPolicy, unique exclusion names); each kind's {@code spec} has its reader:
 * {@link TierPolicyReader} (and {@link TierReader} for each tier) and {@link NodePolicyReader}.
 */
public final class PolicyParser {
    public static final String API_VERSION = "temper.codes/v1";
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    // The fields allowed at each level; the kinds' own are in their readers. Package-private:
    // PolicySchemaTest holds docs/schema/temper-policy.schema.json to exactly these names.
    static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    static final Set<String> METADATA = Set.of("name", "labels", "annotations");

    private final YamlLoader loader = new YamlLoader(Limits.POLICY);

    /** The TierPolicy one document contributed, with where its kind was written. */
    private record FoundTierPolicy(TierPolicy value, String file, Node at) {}

    public PolicySet parse(List<PolicyFile> files) throws InvalidInputException {
        List<Problem> problems = new ArrayList<>();
        List<FoundTierPolicy> tierPolicies = new ArrayList<>();
        List<NodePolicyReader.Found> exclusions = new ArrayList<>();
        List<PolicyFile> policyFiles = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (PolicyFile f : files) {
            List<Node> docs;
            try {
                docs = loader.load(f.name(), f.content());
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
                continue;
            }
            String foreign = ForeignFile.describe(docs);
            if (foreign != null) {
                // A kustomization.yaml or a ConfigMap beside the policies is not a mistake in them.
                notes.add(f.name() + ": skipped, not a Temper policy (" + foreign + ")");
                continue;
            }
            policyFiles.add(f);
            NodeReader r = new NodeReader(f.name(), problems, Limits.POLICY);
            for (Node doc : docs) document(r, doc, tierPolicies, exclusions);
        }
        if (files.isEmpty()) {
            problems.add(new Problem("(policy root)", 1, 1, "", "no policy files (*.yaml, *.yml) found"));
        } else if (policyFiles.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(files.getFirst().name(), 1, 1, "", "no Temper policy file (apiVersion " + API_VERSION
                    + ") in this revision; " + String.join("; ", notes)));
        } else if (tierPolicies.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(files.getFirst().name(), 1, 1, "", "no TierPolicy in this revision; exactly one is required"));
        }
        for (int i = 1; i < tierPolicies.size(); i++) {
            FoundTierPolicy first = tierPolicies.getFirst(), dup = tierPolicies.get(i);
            problems.add(new Problem(dup.file(), NodeReader.line(dup.at()), NodeReader.column(dup.at()), "kind",
                    "a second TierPolicy; a revision has exactly one (first in " + first.file() + ":" + NodeReader.line(first.at()) + ")"));
        }
        Map<String, NodePolicyReader.Found> byName = new HashMap<>();
        for (NodePolicyReader.Found e : exclusions) {
            NodePolicyReader.Found first = byName.putIfAbsent(e.exclusion().name(), e);
            if (first != null) {
                problems.add(new Problem(e.file(), NodeReader.line(e.at()), NodeReader.column(e.at()), "spec.exclusions[].name",
                        "duplicate exclusion \"" + e.exclusion().name() + "\" (first in " + first.file() + ":" + NodeReader.line(first.at()) + ")"));
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return new PolicySet(tierPolicies.getFirst().value(), exclusions.stream().map(NodePolicyReader.Found::exclusion).toList(),
                policyFiles.stream().map(PolicyFile::name).toList(), PolicySet.digest(policyFiles), notes);
    }

    /**
     * The digest a revision of these files has, valid or not: that of its policy files (those not
     * skipped as another API's), so that a refused revision is named as what it would have been.
     * A file that does not load as YAML counts as a policy file.
     */
    public String digest(List<PolicyFile> files) {
        List<PolicyFile> policyFiles = new ArrayList<>();
        for (PolicyFile f : files) {
            try {
                if (ForeignFile.describe(loader.load(f.name(), f.content())) != null) continue;
            } catch (InvalidInputException e) {
                // Not YAML: not another API's file either.
            }
            policyFiles.add(f);
        }
        return PolicySet.digest(policyFiles);
    }

    private void document(NodeReader r, Node doc, List<FoundTierPolicy> tierPolicies, List<NodePolicyReader.Found> exclusions) {
        Map<String, NodeTuple> top = r.mapping(doc, "", TOP);
        if (top == null) return;
        String apiVersion = required(r, doc, top, "apiVersion") instanceof Node n ? r.string(n, "apiVersion") : null;
        if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
            r.problem(top.get("apiVersion").getValueNode(), "apiVersion", "unsupported apiVersion \"" + apiVersion + "\"; expected " + API_VERSION);
        }
        Node kindNode = required(r, doc, top, "kind");
        String kind = kindNode == null ? null : r.string(kindNode, "kind");
        String name = metadata(r, doc, top);
        Node spec = required(r, doc, top, "spec");
        if (kind == null) return;
        switch (kind) {
            case "TierPolicy" -> {
                TierPolicy tp = spec == null ? null : TierPolicyReader.tierPolicy(r, spec, name);
                if (tp != null) tierPolicies.add(new FoundTierPolicy(tp, r.file(), kindNode));
            }
            case "NodePolicy" -> {
                if (spec != null) NodePolicyReader.nodePolicy(r, spec, name, exclusions);
            }
            default -> r.problem(kindNode, "kind", "unsupported kind \"" + kind + "\"; expected TierPolicy or NodePolicy"
                    + (kind.equals("PolicyTest") ? " (policy tests belong in tests/)" : ""));
        }
    }

    private static String metadata(NodeReader r, Node doc, Map<String, NodeTuple> top) {
        Node md = required(r, doc, top, "metadata");
        if (md == null) return null;
        Map<String, NodeTuple> m = r.mapping(md, "metadata", METADATA);
        if (m == null) return null;
        for (String k : List.of("labels", "annotations")) {
            if (m.containsKey(k)) stringMap(r, m.get(k).getValueNode(), "metadata." + k);
        }
        Node n = required(r, md, m, "name", "metadata.name");
        String name = n == null ? null : r.string(n, "metadata.name");
        if (name != null && !NAME.matcher(name).matches()) {
            r.problem(n, "metadata.name", "\"" + name + "\" is not a valid name (lowercase letters, digits and '-')");
        }
        return name;
    }
}
