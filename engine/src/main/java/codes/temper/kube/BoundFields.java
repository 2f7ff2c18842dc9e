package codes.temper.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.introspect.BeanPropertyDefinition;
import tools.jackson.databind.module.SimpleModule;

/**
 * The fields of fabric8's Pod and Node that the agent reads ({@link PodFacts}, {@link NodeFacts},
 * {@link SnapshotChecks}, the node-name check in {@link FileWorld}): a snapshot file binds these
 * and skips the rest unread. Binding the whole model made Jackson build deserializers for a few
 * hundred classes (volumes, probes, affinity, every status) before the first pod could be read,
 * the longest task of a file-mode agent's start. The informers of a cluster-mode agent go through
 * fabric8's own client and are not affected.
 *
 * <p>Code that comes to read another field adds it here; {@code BoundFieldsTest} computes the
 * facts from this binding and from fabric8's whole model and requires them equal.
 */
final class BoundFields {

    static final Map<Class<?>, Set<String>> READ = Map.of(
            Pod.class, Set.of("apiVersion", "kind", "metadata", "spec", "status"),
            Node.class, Set.of("apiVersion", "kind", "metadata", "status"),
            ObjectMeta.class, Set.of("name", "namespace", "uid", "labels", "annotations", "deletionTimestamp"),
            PodSpec.class, Set.of("nodeName", "priority", "priorityClassName", "resources", "overhead", "containers", "initContainers"),
            Container.class, Set.of("name", "resources", "restartPolicy"),
            ResourceRequirements.class, Set.of("limits", "requests"),
            PodStatus.class, Set.of("phase", "qosClass"),
            NodeStatus.class, Set.of("allocatable", "capacity", "nodeInfo"),
            NodeSystemInfo.class, Set.of("kernelVersion"));

    private BoundFields() {
    }

    /** For Jackson's mapper: the classes above get a deserializer for their read fields only. */
    static JacksonModule module() {
        SimpleModule module = new SimpleModule("temper-bound-fields");
        module.setDeserializerModifier(new ValueDeserializerModifier() {
            @Override
            public List<BeanPropertyDefinition> updateProperties(DeserializationConfig config, BeanDescription.Supplier bean,
                    List<BeanPropertyDefinition> properties) {
                Set<String> read = READ.get(bean.getBeanClass());
                return read == null ? properties : properties.stream().filter(p -> read.contains(p.getName())).toList();
            }

            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription.Supplier bean,
                    BeanDeserializerBuilder builder) {
                if (READ.containsKey(bean.getBeanClass())) {
                    // fabric8 keeps unknown fields in additionalProperties: unread fields would be
                    // bound there as maps instead of skipped.
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(true);
                }
                return builder;
            }
        });
        return module;
    }
}
