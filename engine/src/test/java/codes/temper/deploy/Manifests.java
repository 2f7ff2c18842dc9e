package codes.temper.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Every Kubernetes object under deploy/, read into fabric8's typed model. */
record Manifests(List<Manifest> all) {

    static final Path DEPLOY = Path.of("..", "deploy");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    record Manifest(Path file, HasMetadata object) {}

    static Manifests load() throws IOException {
        List<Manifest> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path f : files.filter(Manifests::isObjectFile).sorted().toList()) {
                for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(f))) {
                    if (doc == null) continue;
                    Object typed = SERIALIZATION.convertValue(doc, io.fabric8.kubernetes.api.model.KubernetesResource.class);
                    if (!(typed instanceof HasMetadata h) || typed.getClass().getName().contains("GenericKubernetesResource")) {
                        throw new AssertionError(f + ": not a known Kubernetes kind: " + typed.getClass().getName());
                    }
                    List<String> unknown = new ArrayList<>();
                    unknownFields(typed, f.getFileName() + ":" + h.getKind() + "/" + h.getMetadata().getName(), unknown,
                            new IdentityHashMap<>());
                    if (!unknown.isEmpty()) throw new AssertionError("unknown fields (typos?): " + unknown);
                    out.add(new Manifest(f, h));
                }
            }
        }
        return new Manifests(List.copyOf(out));
    }

    /** The Helm chart's templates are Go templates, not manifests: HelmChartTest renders them. */
    static final Path CHART = DEPLOY.resolve("helm");

    /** Samples for other projects' admission controllers (Kyverno): KyvernoPolicyTest checks them. */
    static final Path SAMPLES = DEPLOY.resolve("kyverno");

    /** Prometheus rule files and their promtool tests (PrometheusRulesTest), not Kubernetes objects. */
    static final Path PROMETHEUS = DEPLOY.resolve("prometheus");

    static boolean isObjectFile(Path p) {
        if (p.startsWith(CHART) || p.startsWith(SAMPLES) || p.startsWith(PROMETHEUS)) return false;
        String n = p.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.equals("kustomization.yaml");
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return all.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = ofType(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        if (found.size() != 1) throw new AssertionError(found.size() + " " + type.getSimpleName() + " named " + name);
        return found.getFirst();
    }

    /**
     * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of
     * failing; a non-empty one anywhere in the tree is a misspelt or misplaced field.
     */
    static void unknownFields(Object o, String path, List<String> problems, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>
                || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) unknownFields(e, path + "[" + i++ + "]", problems, seen);
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || !(m.getName().startsWith("get") || m.getName().startsWith("is"))) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (m.getName().equals("getAdditionalProperties") && v instanceof Map<?, ?> extra) {
                if (!extra.isEmpty()) problems.add(path + ": " + extra.keySet());
            } else {
                unknownFields(v, path + "." + m.getName(), problems, seen);
            }
        }
    }
}
