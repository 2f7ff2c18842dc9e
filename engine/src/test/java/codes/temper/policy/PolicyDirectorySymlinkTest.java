package codes.temper.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import codes.temper.yaml.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy directory entry that links outside the directory is refused before it is read (issue
 * 13, item 9): its content never reaches an error message. Links inside, as a Kubernetes
 * ConfigMap mount makes them ({@code tiers.yaml -> ..data/tiers.yaml}), are read as before.
 */
class PolicyDirectorySymlinkTest {
    static final Path POLICIES = Path.of("../policies");

    @TempDir
    Path dir;

    @Test
    void aLinkToAFileOutsideIsRefusedWithoutQuotingIt() throws Exception {
        Path root = Files.createDirectories(dir.resolve("policies"));
        Files.copy(POLICIES.resolve("tiers.yaml"), root.resolve("tiers.yaml"));
        Files.copy(POLICIES.resolve("nodes.yaml"), root.resolve("nodes.yaml"));
        Path shadow = Files.writeString(dir.resolve("shadow"), "root:$6$secrethash:19000:0:99999:7:::\n");
        Files.createSymbolicLink(root.resolve("zz.yaml"), shadow);
        // A link to a directory's file through "..": outside as well.
        Files.createSymbolicLink(root.resolve("zy.yaml"), Path.of("..", "shadow"));

        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> PolicyDirectory.read(root));
        assertThat(e).isNotNull();
        assertThat(e.problems()).extracting(Object::toString).containsExactly(
                root.resolve("zy.yaml") + ":1:1: a symbolic link to a file outside the policy directory; refused",
                root.resolve("zz.yaml") + ":1:1: a symbolic link to a file outside the policy directory; refused");
        assertThat(e.problems().toString()).doesNotContain("secrethash", "root:");
    }

    @Test
    void linksInsideTheDirectoryAreRead() throws Exception {
        Path root = Files.createDirectories(dir.resolve("policies"));
        Path data = Files.createDirectories(root.resolve("..2026_01_01_00_00_00.1"));
        Files.copy(POLICIES.resolve("tiers.yaml"), data.resolve("tiers.yaml"));
        Files.copy(POLICIES.resolve("nodes.yaml"), data.resolve("nodes.yaml"));
        Files.createSymbolicLink(root.resolve("..data"), Path.of("..2026_01_01_00_00_00.1"));
        Files.createSymbolicLink(root.resolve("tiers.yaml"), Path.of("..data", "tiers.yaml"));
        Files.createSymbolicLink(root.resolve("nodes.yaml"), Path.of("..data", "nodes.yaml"));
        assertThat(PolicyDirectory.read(root)).hasSize(2);
        // The root itself may be reached through a link.
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), root);
        assertThat(PolicyDirectory.read(alias)).hasSize(2);
    }
}
