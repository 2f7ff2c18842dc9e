package codes.temper.kube.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Cluster-wide safe-mode policy: which nodes the controller asks to stand their scheduler down,
 * and why. Cluster-scoped (it does not implement {@link Namespaced}) because nodes are.
 *
 * <p>The CRD in {@code deploy/crd/} is generated from this class at build time; edit this class,
 * never the YAML.
 */
@Group(TemperPolicy.GROUP)
@Version(TemperPolicy.VERSION)
@Kind("TemperPolicy")
@Plural("temperpolicies")
@Singular("temperpolicy")
@ShortNames("tpol")
public class TemperPolicy extends CustomResource<TemperPolicySpec, TemperPolicyStatus> {

    public static final String GROUP = "temper.codes";
    public static final String VERSION = "v1";
    public static final String CRD_NAME = "temperpolicies." + GROUP;

    public TemperPolicy() {}

    public TemperPolicy(String name, TemperPolicySpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }

    @Override
    protected TemperPolicySpec initSpec() {
        return new TemperPolicySpec();
    }
}
