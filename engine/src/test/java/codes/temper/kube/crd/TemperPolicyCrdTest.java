package codes.temper.kube.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class TemperPolicyCrdTest {

    static final String GENERATED = "/META-INF/fabric8/temperpolicies.temper.codes-v1.yml";
    static final Path COMMITTED = Path.of("..", "deploy", "crd", "temperpolicies.temper.codes-v1.yml");
    /** Helm reads files only inside the chart, so the chart carries its own copy. */
    static final Path CHART_COPY = Path.of("..", "deploy", "helm", "temper", "files", "crd", "temperpolicies.temper.codes-v1.yml");

    static String generated() throws IOException {
        try (InputStream in = Objects.requireNonNull(TemperPolicyCrdTest.class.getResourceAsStream(GENERATED),
                "the build did not generate the CRD (crd-generator-maven-plugin)")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void committedCrdIsTheGeneratedOne() throws IOException {
        assertThat(Files.readString(COMMITTED))
                .as("deploy/crd is stale: copy engine/target/classes%s over it", GENERATED)
                .isEqualTo(generated());
        assertThat(Files.readString(CHART_COPY))
                .as("the chart's CRD is stale: copy engine/target/classes%s over %s", GENERATED, CHART_COPY)
                .isEqualTo(generated());
    }

    @Test
    void crdIsClusterScopedWithStatusSubresourceAndValidation() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(generated(), CustomResourceDefinition.class);
        assertThat(crd.getMetadata().getName()).isEqualTo(TemperPolicy.CRD_NAME);
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        var version = crd.getSpec().getVersions().getFirst();
        assertThat(version.getName()).isEqualTo("v1");
        assertThat(version.getSubresources().getStatus()).isNotNull();

        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).containsExactly("rules");
        JSONSchemaProps rule = spec.getProperties().get("rules").getItems().getSchema();
        assertThat(rule.getRequired()).containsExactlyInAnyOrder("name", "nodeSelector", "safeMode");
        assertThat(rule.getXKubernetesValidations()).singleElement()
                .satisfies(v -> assertThat(v.getRule()).contains("self.safeMode").contains("self.reason"));
        assertThat(rule.getProperties().get("nodeSelector").getProperties())
                .containsKeys("matchLabels", "matchExpressions");

        JSONSchemaProps nodeState = version.getSchema().getOpenAPIV3Schema().getProperties().get("status")
                .getProperties().get("attention").getItems().getSchema();
        assertThat(nodeState.getProperties().get("mode").getEnum())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("\"safe-mode-requested\"", "\"released\"");
    }

    @Test
    void policyYamlReadsIntoTheModel() {
        String yaml = """
                apiVersion: temper.codes/v1
                kind: TemperPolicy
                metadata: {name: gpu-freeze}
                spec:
                  rules:
                  - name: gpu
                    nodeSelector:
                      matchLabels: {pool: gpu}
                      matchExpressions: [{key: zone, operator: In, values: [a, b]}]
                    safeMode: true
                    reason: driver rollout
                """;
        TemperPolicy p = Serialization.unmarshal(yaml, TemperPolicy.class);
        SafeModeRule r = p.getSpec().getRules().getFirst();
        assertThat(r.name()).isEqualTo("gpu");
        assertThat(r.safeMode()).isTrue();
        assertThat(r.reason()).isEqualTo("driver rollout");
        assertThat(r.nodeSelector().getMatchLabels()).containsEntry("pool", "gpu");
        assertThat(r.nodeSelector().getMatchExpressions().getFirst().getValues()).containsExactly("a", "b");
    }
}
