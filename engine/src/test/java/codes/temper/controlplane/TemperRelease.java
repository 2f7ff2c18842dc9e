package codes.temper.controlplane;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * deploy/helm/temper installed into the real API server by real Helm (its Go library, through
 * helm-java), as docs/install.md's quick install does: {@code helm install temper
 * deploy/helm/temper --namespace temper-system --create-namespace}. The chart's object names are
 * fixed (one release per cluster), so the tests share one release: {@link #ensureInstalled}
 * installs it when it is not there.
 */
public final class TemperRelease {
    public static final Path CHART = ControlPlane.REPO.resolve("deploy/helm/temper");
    public static final String NAME = "temper";
    public static final String NAMESPACE = "temper-system";
    public static final String CRD = "temperpolicies.temper.codes";

    private TemperRelease() {
    }

    /** helm install with the quick install's flags, and whatever else {@code options} adds. */
    public static Release install(ControlPlane cp, UnaryOperator<InstallCommand> options) {
        InstallCommand c = new Helm(CHART).install().withName(NAME).withNamespace(NAMESPACE).withKubeConfig(cp.kubeconfig);
        return options.apply(c).call();
    }

    /** The documented quick install, exactly. */
    public static Release quickInstall(ControlPlane cp) {
        return install(cp, InstallCommand::createNamespace);
    }

    public static boolean installed(ControlPlane cp) {
        List<Release> deployed = Helm.list().withNamespace(NAMESPACE).withKubeConfig(cp.kubeconfig).deployed().call();
        return deployed.stream().anyMatch(r -> r.getName().equals(NAME));
    }

    /** helm uninstall, then the namespace deleted and gone (its pods too): the cluster as before the install. */
    public static void uninstall(ControlPlane cp) throws IOException, InterruptedException {
        Helm.uninstall(NAME).withNamespace(NAMESPACE).withKubeConfig(cp.kubeconfig).ignoreNotFound().call();
        KubernetesClient admin = cp.admin();
        admin.namespaces().withName(NAMESPACE).delete();
        Wait.until("namespace " + NAMESPACE + " deleted", Duration.ofMinutes(3), () -> admin.namespaces().withName(NAMESPACE).get() == null);
    }

    /** The quick install, unless the release is already deployed; returns once the CRD is established. */
    public static synchronized void ensureInstalled(ControlPlane cp) throws IOException, InterruptedException {
        if (!installed(cp)) {
            uninstall(cp);
            quickInstall(cp);
        }
        awaitCrdEstablished(cp.admin());
    }

    public static void awaitCrdEstablished(KubernetesClient admin) throws InterruptedException {
        Wait.until("CRD " + CRD + " Established", Duration.ofMinutes(1), () -> {
            CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
            return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
        });
    }
}
