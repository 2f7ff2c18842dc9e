package codes.temper.kube;

import codes.temper.yaml.InputFiles;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import codes.temper.yaml.Problem;
import codes.temper.yaml.YamlLoader;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code kubectl get pods -A -o yaml|json} and {@code kubectl get node NAME -o yaml|json}
 * output. JSON is YAML 1.2, so one bounded loader reads both and locates errors in either.
 */
public final class Snapshots {
    /**
     * Jackson's mapper, in a holder of its own: it is built by the first bind (at the agent's
     * start, on {@link #preload()}'s thread), not on the caller's thread by whatever first touches
     * this class (building it takes a tenth of a second on a cold JVM).
     */
    private static final class Binding {
        static final JsonMapper MAPPER = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(BoundFields.module())
                .build();
    }

    /**
     * Pods read from one snapshot. A node runs at most a few hundred (the kubelet's default is 110);
     * a whole cluster's {@code kubectl get pods -A} for {@code plan} may hold more, up to this.
     */
    public static final int MAX_PODS = 2_000;

    private static final AtomicBoolean PRELOADING = new AtomicBoolean();

    private Snapshots() {
    }

    /**
     * Builds Jackson's deserializers for a Node and a Pod on a thread of its own. On a cold JVM
     * that is most of the cost of the first snapshot read (about 0.2 s of CPU for the fields of
     * {@link BoundFields}; over half a second before, for fabric8's whole model), and it needs
     * nothing from the files, so the agent starts it
     * first and reads the files meanwhile; a read that gets there first waits for the deserializer
     * being built (Jackson's cache) instead of building its own. Once per process: the mapper and
     * its cache are, and the agent asks twice (AgentCommand before it parses its options, Agent).
     */
    public static void preload() {
        if (!PRELOADING.compareAndSet(false, true)) return;
        Thread.ofPlatform().name("temper-snapshot-load").daemon(true).start(() -> {
            try {
                Binding.MAPPER.convertValue(Map.of("kind", "Node"), Node.class);
                Binding.MAPPER.convertValue(Map.of("kind", "Pod"), Pod.class);
            } catch (RuntimeException e) {
                // Only a warm-up: the read itself reports whatever is wrong.
            }
        });
    }

    /**
     * A snapshot file read and parsed into YAML documents, not yet bound to fabric8's model: {@link
     * FileWorld} parses both of its files before it binds either, since binding may wait for
     * {@link #preload()} and parsing need not.
     */
    public record Parsed(String name, List<org.snakeyaml.engine.v2.nodes.Node> documents) {
    }

    /** Reads and parses {@code file}: the size bound, UTF-8 and YAML problems are thrown here. */
    public static Parsed parse(Path file) throws InvalidInputException {
        return new Parsed(file.toString(), documents(file.toString(), read(file)));
    }

    /** Pods from a v1 List (kind List or PodList) or a single Pod. */
    public static List<Pod> readPods(Path file) throws InvalidInputException {
        return readPods(parse(file));
    }

    public static List<Pod> readPods(String name, byte[] content) throws InvalidInputException {
        return readPods(new Parsed(name, documents(name, content)));
    }

    /** As {@link #readPods(Path)}, from its parsed documents; consumes them (each item's tree is let go once bound). */
    public static List<Pod> readPods(Parsed parsed) throws InvalidInputException {
        String name = parsed.name();
        List<Problem> problems = new ArrayList<>();
        NodeReader r = new NodeReader(name, problems, Limits.SNAPSHOT);
        List<Pod> pods = new ArrayList<>();
        for (org.snakeyaml.engine.v2.nodes.Node doc : parsed.documents()) {
            var top = r.mapping(doc, "", null);
            if (top == null) continue;
            String kind = top.containsKey("kind") ? r.string(top.get("kind").getValueNode(), "kind") : null;
            if ("Pod".equals(kind)) {
                Pod p = bind(r, doc, "", Pod.class);
                if (p != null) {
                    SnapshotChecks.pod(r, doc, "", p);
                    pods.add(p);
                }
            } else if ("List".equals(kind) || "PodList".equals(kind)) {
                if (!top.containsKey("items")) continue;
                List<org.snakeyaml.engine.v2.nodes.Node> items = r.sequence(top.get("items").getValueNode(), "items");
                if (items != null && pods.size() + items.size() > MAX_PODS) {
                    throw new InvalidInputException(List.of(new Problem(name, 1, 1, "items", (pods.size() + items.size())
                            + " pods; a snapshot holds at most " + MAX_PODS + " (a node runs a few hundred: take this node's only, "
                            + "kubectl get pods -A --field-selector spec.nodeName=NODE)")));
                }
                for (int i = 0; items != null && i < items.size(); i++) {
                    Pod p = bind(r, items.get(i), "items[" + i + "]", Pod.class);
                    if (p != null) {
                        SnapshotChecks.pod(r, items.get(i), "items[" + i + "]", p);
                        pods.add(p);
                    }
                    items.set(i, null); // the item's YAML tree can go once it is a Pod: the peak is one copy, not two
                }
            } else if (kind != null) {
                r.problem(top.get("kind").getValueNode(), "kind", "expected List, PodList or Pod, got \"" + kind + "\"");
            } else {
                r.problem(doc, "kind", "required field is missing (is this kubectl get pods -o yaml output?)");
            }
        }
        for (int i = 0; i < pods.size(); i++) {
            Pod p = pods.get(i);
            if (p.getMetadata() == null || p.getMetadata().getUid() == null || p.getMetadata().getName() == null) {
                problems.add(new Problem(name, 1, 1, "items[" + i + "].metadata", "a pod without metadata.name or metadata.uid"));
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return pods;
    }

    public static Node readNode(Path file) throws InvalidInputException {
        return readNode(parse(file));
    }

    public static Node readNode(String name, byte[] content) throws InvalidInputException {
        return readNode(new Parsed(name, documents(name, content)));
    }

    /** As {@link #readNode(Path)}, from its parsed documents. */
    public static Node readNode(Parsed parsed) throws InvalidInputException {
        String name = parsed.name();
        List<Problem> problems = new ArrayList<>();
        NodeReader r = new NodeReader(name, problems, Limits.SNAPSHOT);
        List<org.snakeyaml.engine.v2.nodes.Node> docs = parsed.documents();
        Node node = null;
        if (docs.size() != 1) {
            problems.add(new Problem(name, 1, 1, "", "expected exactly one Node document, found " + docs.size()));
        } else {
            var top = r.mapping(docs.getFirst(), "", null);
            String kind = top == null || !top.containsKey("kind") ? null : r.string(top.get("kind").getValueNode(), "kind");
            if (top != null && !"Node".equals(kind)) {
                r.problem(docs.getFirst(), "kind", "expected a Node (kubectl get node NAME -o yaml), got " + (kind == null ? "no kind" : "\"" + kind + "\""));
            } else if (top != null) {
                node = bind(r, docs.getFirst(), "", Node.class);
                if (node != null && (node.getMetadata() == null || node.getMetadata().getName() == null)) {
                    r.problem(docs.getFirst(), "metadata.name", "required field is missing");
                }
                if (node != null) SnapshotChecks.node(r, docs.getFirst(), node);
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return node;
    }

    /**
     * The documents of a snapshot, at least one. An empty file is what a shell redirect ({@code
     * kubectl get pods -o yaml > pods.yaml}) leaves while kubectl still runs, or when it failed:
     * taking it as "no pods" would unmap every pod. "No pods" is said with {@code items: []}.
     */
    static List<org.snakeyaml.engine.v2.nodes.Node> documents(String name, byte[] content) throws InvalidInputException {
        if (content.length == 0) {
            throw refuse(name, "the file is empty (0 bytes); an empty list of pods is written \"items: []\" "
                    + "(was the file truncated by a redirect while kubectl ran? write to a temporary file and rename it)");
        }
        List<org.snakeyaml.engine.v2.nodes.Node> docs = new YamlLoader(Limits.SNAPSHOT).load(name, content);
        if (docs.isEmpty()) throw refuse(name, "no YAML document in the file (only blanks or comments)");
        return docs;
    }

    private static InvalidInputException refuse(String name, String message) {
        return new InvalidInputException(List.of(new Problem(name, 1, 1, "", message)));
    }

    private static <T> T bind(NodeReader r, org.snakeyaml.engine.v2.nodes.Node n, String path, Class<T> type) {
        Object value = r.toJava(n, path);
        if (!(value instanceof Map)) {
            if (value != null) r.problem(n, path, "expected a mapping");
            return null;
        }
        try {
            return Binding.MAPPER.convertValue(value, type);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            r.problem(n, path, "cannot read as a " + type.getSimpleName() + ": " + msg);
            return null;
        }
    }

    private static byte[] read(Path file) throws InvalidInputException {
        return InputFiles.read(file, file.toString(), Limits.SNAPSHOT.maxBytes());
    }
}
