package codes.temper.controlplane;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.util.List;

/**
 * People with bearer tokens the API server issues (ServiceAccounts of the namespace
 * {@value #NAMESPACE}, tokens from the TokenRequest API), given what an operator would grant with
 * RBAC: a viewer who may get and list nodes, an operator who may also patch them.
 */
public final class TestUsers {
    public static final String NAMESPACE = "temper-test-users";
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";

    private TestUsers() {
    }

    public static String username(String who) {
        return "system:serviceaccount:" + NAMESPACE + ":" + who;
    }

    /** The two users and their roles exist (created once; applied again harmlessly). */
    public static void ensure(KubernetesClient admin) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
        grant(admin, VIEWER, List.of("get", "list"));
        grant(admin, OPERATOR, List.of("get", "list", "patch"));
    }

    private static void grant(KubernetesClient admin, String who, List<String> verbs) {
        admin.serviceAccounts().inNamespace(NAMESPACE).resource(new ServiceAccountBuilder().withNewMetadata().withName(who)
                .withNamespace(NAMESPACE).endMetadata().build()).serverSideApply();
        String role = "temper-test-" + who;
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(role).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("nodes").withVerbs(verbs).build()).build()).serverSideApply();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(role).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(role).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(who).withNamespace(NAMESPACE).endSubject().build()).serverSideApply();
    }

    /** A fresh token of the user's ServiceAccount (1 h). */
    public static String token(KubernetesClient admin, String who) {
        return admin.serviceAccounts().inNamespace(NAMESPACE).withName(who)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    }

    /** A client that authenticates with this bearer token only. */
    public static KubernetesClient client(ControlPlane cp, String token) throws IOException {
        Config c = new ConfigBuilder(Config.empty()).withMasterUrl(cp.url()).withCaCertFile(cp.ca.toString()).withOauthToken(token)
                .withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(c).build();
    }
}
