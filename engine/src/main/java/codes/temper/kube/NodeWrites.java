package codes.temper.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two writes Temper makes to a Node, for the agent and the controller alike: a JSON merge
 * patch of some annotations, and an Event about the node (what {@code kubectl describe node}
 * shows).
 */
public final class NodeWrites {
    // Our own mapper: fabric8's omits nulls, and a null is how a merge patch removes a key.
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The API server refuses long messages; the whole story is in the writer's own status. */
    static final int MAX_MESSAGE = 1000;

    /**
     * Who reports an event.
     *
     * @param namePrefix the event's generated name is {@code <node>.<namePrefix>.<random>}
     * @param host       the node the reporter runs on, or null
     */
    public record Reporter(String namePrefix, String component, String reportingComponent, String instance, String host) {
    }

    private NodeWrites() {
    }

    /**
     * Sends only {@code annotations} (a null value removes its key), so nothing else on the node
     * is touched and there is no read-modify-write race with other writers.
     *
     * @param resourceVersion when not null, the API server refuses the patch (409) if the node
     *                        changed since that version
     */
    public static void patchAnnotations(KubernetesClient client, String node, String resourceVersion, Map<String, String> annotations) {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), annotationPatch(resourceVersion, annotations));
    }

    static String annotationPatch(String resourceVersion, Map<String, String> annotations) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (resourceVersion != null) metadata.put("resourceVersion", resourceVersion);
        metadata.put("annotations", annotations);
        return JSON.writeValueAsString(Map.of("metadata", metadata));
    }

    /** An Event on {@code node} in the default namespace, where node events live; not sent yet. */
    public static Event event(Reporter by, String node, String type, String reason, String message) {
        return event(by, new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(node).build(), type, reason, message);
    }

    /** An Event on any cluster-scoped object (the controller's fleet toggles report on their TemperPolicy); not sent yet. */
    public static Event event(Reporter by, ObjectReference about, String type, String reason, String message) {
        String now = Instant.now().toString();
        return new EventBuilder()
                .withNewMetadata().withGenerateName(about.getName() + "." + by.namePrefix() + ".").withNamespace("default").endMetadata()
                .withInvolvedObject(about)
                .withType(type).withReason(reason)
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
                .withNewSource().withComponent(by.component()).withHost(by.host()).endSource()
                .withReportingComponent(by.reportingComponent()).withReportingInstance(by.instance())
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
    }

    public static void send(KubernetesClient client, Event event) {
        client.v1().events().inNamespace("default").resource(event).create();
    }
}
