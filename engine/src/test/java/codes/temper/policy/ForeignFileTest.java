package codes.temper.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Files beside the policies that are plainly someone else's are skipped with a note; a file
 * meant to be Temper's that is broken still fails with file, line and field.
 */
class ForeignFileTest {
    static final Path POLICIES = Path.of("../policies");

    static List<PolicyFile> defaultsPlus(String name, String yaml) throws Exception {
        List<PolicyFile> files = new ArrayList<>(PolicyDirectory.read(POLICIES));
        files.add(new PolicyFile("policies/" + name, yaml.getBytes(UTF_8)));
        return files;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "kustomization.yaml|apiVersion: kustomize.config.k8s.io/v1beta1\\nkind: Kustomization\\nresources: [tiers.yaml]\\n"
                    + "|apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization",
            "settings.yaml|apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\ndata: {a: b}\\n---\\napiVersion: v1\\nkind: Secret\\n"
                    + "|apiVersion v1, kind ConfigMap; apiVersion v1, kind Secret",
            "other.yml|apiVersion: example.com/v2\\n|apiVersion example.com/v2"})
    void aFileOfAnotherApiIsSkippedWithANote(String name, String yaml, String what) throws Exception {
        PolicySet withFile = new PolicyParser().parse(defaultsPlus(name, yaml.replace("\\n", "\n")));
        PolicySet without = new PolicyParser().parse(PolicyDirectory.read(POLICIES));

        assertThat(withFile.notes()).containsExactly("policies/" + name + ": skipped, not a Temper policy (" + what + ")");
        assertThat(withFile.files()).doesNotContain("policies/" + name);
        // What applies is the same, so the revision is too.
        assertThat(withFile.digest()).isEqualTo(without.digest());
        assertThat(withFile.tierPolicy()).isEqualTo(without.tierPolicy());
        assertThat(without.notes()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // a Temper file with a mistake: the mistake is reported where it is
            "apiVersion: temper.codes/v1\\nkind: NodePolicy\\nmetadata: {name: x}\\nspec:\\n  exclusion: []\\n|5|3|spec.exclusion",
            // a Temper kind under a foreign apiVersion is a Temper file with a wrong apiVersion
            "apiVersion: v1\\nkind: NodePolicy\\nmetadata: {name: x}\\nspec: {exclusions: []}\\n|1|13|apiVersion",
            // no apiVersion at all: cannot be told apart, so it is checked
            "kind: Kustomization\\nresources: []\\n|1|1|apiVersion",
            // one foreign document does not excuse a broken Temper one in the same file
            "apiVersion: v1\\nkind: ConfigMap\\n---\\napiVersion: temper.codes/v1\\nkind: NodePolicy\\nmetadata: {name: x}\\nspec: {}\\n|7|7|spec.exclusions"})
    void aBrokenTemperFileStillFailsWithFileLineAndField(String yaml, int line, int column, String field) {
        assertThatThrownBy(() -> new PolicyParser().parse(defaultsPlus("broken.yaml", yaml.replace("\\n", "\n"))))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
                        .filteredOn(p -> p.file().equals("policies/broken.yaml"))
                        .extracting(Problem::line, Problem::column, Problem::field)
                        .contains(org.assertj.core.groups.Tuple.tuple(line, column, field)));
    }

    @Test
    void aRevisionOfForeignFilesOnlyIsRefusedNamingThem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
        assertThatThrownBy(() -> new PolicyParser().parse(PolicyDirectory.read(dir)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p.message()).contains("no Temper policy file").contains("kustomization.yaml: skipped")));
    }
}
