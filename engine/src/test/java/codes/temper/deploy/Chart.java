package codes.temper.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** deploy/helm/temper rendered by real Helm (its Go library, through helm-java) and read into fabric8 types. */
record Chart(String yaml, List<HasMetadata> objects) {
    static final Path DIR = Path.of("..", "deploy", "helm", "temper");
    static final Path GIT_VALUES = DIR.resolve("ci/git-values.yaml");
    static final String RELEASE = "temper";
    static final String NAMESPACE = "temper-system";

    /**
     * The cluster version Helm renders for. helm-java's embedded Helm otherwise assumes v1.20,
     * older than the chart's kubeVersion (ValidatingAdmissionPolicy v1 and the token's node-name
     * claim need 1.30); the kubectl the tests fetch is 1.36.
     */
    static final String KUBE_VERSION = "v1.34.0";

    static Chart render(UnaryOperator<TemplateCommand> options) {
        TemplateCommand t = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        return parse(options.apply(t).call());
    }

    static Chart defaults() {
        return render(t -> t);
    }

    static Chart gitValues() {
        return render(t -> t.withValuesFile(GIT_VALUES));
    }

    static Chart parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (doc == null) continue;
            Object typed = Manifests.SERIALIZATION.convertValue(doc, KubernetesResource.class);
            if (!(typed instanceof HasMetadata h)) throw new AssertionError("not an object: " + doc);
            // Only the Prometheus Operator's kinds may stay generic; anything else generic is a
            // misspelt apiVersion or kind that fabric8's model (and so the API server) would not know.
            if (typed instanceof GenericKubernetesResource g && !g.getApiVersion().startsWith("monitoring.coreos.com/")) {
                throw new AssertionError("unknown kind " + g.getApiVersion() + " " + g.getKind());
            }
            List<String> unknown = new ArrayList<>();
            if (!(typed instanceof GenericKubernetesResource)) {
                Manifests.unknownFields(typed, h.getKind() + "/" + h.getMetadata().getName(), unknown, new IdentityHashMap<>());
            }
            if (!unknown.isEmpty()) throw new AssertionError("unknown fields (typos?): " + unknown);
            out.add(h);
        }
        return new Chart(yaml, List.copyOf(out));
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = ofType(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        if (found.size() != 1) throw new AssertionError(found.size() + " " + type.getSimpleName() + " named " + name);
        return found.getFirst();
    }

    List<String> kinds() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).sorted().toList();
    }

    static Map<String, Object> yamlMap(String text) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
        return m;
    }
}
