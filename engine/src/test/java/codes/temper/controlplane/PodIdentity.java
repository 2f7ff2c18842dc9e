package codes.temper.controlplane;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What the kubelet would give a pod's process, without a kubelet: the pod bound to its node (the
 * scheduler's part, through the pods' binding API, as kube-scheduler does it) and a projected
 * ServiceAccount token from the TokenRequest API, bound to that pod. A token bound to a pod on a
 * node carries the node's name ({@code authentication.kubernetes.io/node-name}), which the chart's
 * admission policy checks.
 */
public final class PodIdentity {
    private PodIdentity() {
    }

    /** POST .../bindings, as the scheduler does: sets the pod's spec.nodeName. A pod already bound is left as it is. */
    public static Pod bind(KubernetesClient admin, Pod pod, String node) {
        if (node.equals(pod.getSpec().getNodeName())) return pod;
        Binding b = new BindingBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget().build();
        admin.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(b).create();
        return admin.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    }

    /** A token of the pod's ServiceAccount from the TokenRequest API, bound to the pod (1 h, the kubelet's default). */
    public static String token(KubernetesClient admin, Pod pod) {
        TokenRequest req = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L)
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build();
        return admin.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getSpec().getServiceAccountName())
                .tokenRequest(req).getStatus().getToken();
    }

    /** The token written where a process reads it, readable by its owner only (as the kubelet projects it). */
    public static Path tokenFile(Path file, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, token);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
