package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parsing {@code <url>[#<ref>[:<path>]]}, and the polling jitter's bounds. */
class PolicyLocationTest {
    static final String C = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void parsesEveryForm() {
        assertThat(PolicyLocation.parse("https://git.example.com/org/policies.git"))
                .isEqualTo(new PolicyLocation("https://git.example.com/org/policies.git", "main", ""));
        assertThat(PolicyLocation.parse("https://git.example.com/org/policies.git#release:clusters/prod/"))
                .isEqualTo(new PolicyLocation("https://git.example.com/org/policies.git", "release", "clusters/prod"));
        assertThat(PolicyLocation.parse("git@github.com:org/policies.git#v1.2.0"))
                .isEqualTo(new PolicyLocation("git@github.com:org/policies.git", "v1.2.0", ""));
        assertThat(PolicyLocation.parse("ssh://git@host:2222/org/p.git#:policies"))
                .isEqualTo(new PolicyLocation("ssh://git@host:2222/org/p.git", "main", "policies"));
        assertThat(PolicyLocation.parse("file:///srv/git/p.git#" + C)).satisfies(l -> {
            assertThat(l.pinned()).isTrue();
            assertThat(l.ref()).isEqualTo(C);
        });
        assertThat(PolicyLocation.parse("http://127.0.0.1:8080/p.git#refs/heads/feature/x").ref()).isEqualTo("refs/heads/feature/x");
        assertThat(PolicyLocation.parse("https://h/p.git#main:a/b").toString()).isEqualTo("https://h/p.git#main:a/b");
    }

    @Test
    void refusesBadInputWithAClearMessage() {
        assertThatThrownBy(() -> PolicyLocation.parse("")).hasMessage("empty policy location; expected <url>[#<ref>[:<path>]]");
        assertThatThrownBy(() -> PolicyLocation.parse("ftp://h/p.git")).hasMessage("unsupported URL scheme \"ftp\"; expected https, http, ssh or file");
        assertThatThrownBy(() -> PolicyLocation.parse("https://h/p.git#ma..in")).hasMessage("\"ma..in\" is not a valid ref; expected a branch, a tag, refs/... or a 40-hex commit id");
        assertThatThrownBy(() -> PolicyLocation.parse("https://h/p.git#main:../etc")).hasMessage("path \"../etc\" must be a plain subdirectory of the repository (no '.' or '..')");
        assertThatThrownBy(() -> PolicyLocation.parse("#main")).hasMessage("no repository URL before '#'");
        assertThatThrownBy(() -> PolicyLocation.parse("https://h/")).hasMessage("the URL names no repository path");
    }

    @Test
    void tellsRemotesFromDirectories() {
        assertThat(PolicyLocation.looksRemote("https://h/p.git")).isTrue();
        assertThat(PolicyLocation.looksRemote("git@github.com:org/p.git#main:x")).isTrue();
        assertThat(PolicyLocation.looksRemote("file:///srv/p.git")).isTrue();
        assertThat(PolicyLocation.looksRemote("policies")).isFalse();
        assertThat(PolicyLocation.looksRemote("/etc/temper/policies")).isFalse();
        assertThat(PolicyLocation.looksRemote("./a:b")).isFalse();
    }

    @Test
    void distinctRemotesGetDistinctCaches() {
        Path root = Path.of("/cache");
        Path a = PolicyLocation.parse("https://h/org/p.git").cacheDir(root);
        Path b = PolicyLocation.parse("https://h/org2/p.git").cacheDir(root);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.getParent()).isEqualTo(root);
        assertThat(a.getFileName().toString()).startsWith("h-org_p.git-").endsWith(".git");
        assertThat(PolicyLocation.parse("https://h/org/p.git#v1:x").cacheDir(root)).isEqualTo(a);
    }
}
