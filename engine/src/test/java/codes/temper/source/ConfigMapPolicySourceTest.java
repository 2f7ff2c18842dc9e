package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.deploy.ConfigMapVolume;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.source.PolicySource.Outcome;
import codes.temper.source.PolicySource.PollResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, must-show 2 (the chart's side): the directory source (--policies DIR) on the chart's
 * bundled-policy ConfigMap as the kubelet mounts it: timestamped data directory, {@code ..data}
 * symlink, per-key symlinks, and an update by renaming a new symlink over {@code ..data}.
 * The ConfigMap's data is rendered by real Helm from deploy/helm/temper.
 */
class ConfigMapPolicySourceTest {
    static Map<String, String> bundled;
    static PolicySet fromRepository;

    @TempDir
    Path tmp;

    @BeforeAll
    static void render() throws Exception {
        bundled = ConfigMapVolume.bundledPolicy();
        fromRepository = new PolicyParser().parse(PolicyDirectory.read(Path.of("..", "policies")));
    }

    @Test
    void theBundledPolicyLoadsFromAConfigMapMount() throws Exception {
        ConfigMapVolume v = ConfigMapVolume.create(tmp.resolve("policies"), bundled);
        assertThat(Files.isSymbolicLink(v.dir().resolve("..data"))).isTrue();
        assertThat(Files.isSymbolicLink(v.dir().resolve("tiers.yaml"))).isTrue();

        DirectoryPolicySource source = new DirectoryPolicySource(v.dir(), null, null);
        PollResult r = source.poll();
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.APPLIED);
        assertThat(r.revision()).startsWith("dir@sha256:");
        // The policy the agent runs is the repository's default, read through the symlinks (the
        // hidden ..data and ..<timestamp> entries are not read as policy files).
        PolicySet loaded = source.current().orElseThrow().policy();
        assertThat(loaded.tierPolicy()).isEqualTo(fromRepository.tierPolicy());
        assertThat(loaded.exclusions()).isEqualTo(fromRepository.exclusions());
        assertThat(loaded.files()).hasSize(bundled.size());
        assertThat(source.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void anAtomicSwapIsFollowedAndABadOneKeepsTheLastGood() throws Exception {
        ConfigMapVolume v = ConfigMapVolume.create(tmp.resolve("policies"), bundled);
        DirectoryPolicySource source = new DirectoryPolicySource(v.dir(), null, null);
        assertThat(source.poll().outcome()).isEqualTo(Outcome.APPLIED);
        String first = source.poll().revision();

        // An operator edits the ConfigMap: the "normal" tier's slice, 20 ms -> 15 ms.
        Map<String, String> edited = new HashMap<>(bundled);
        String tiers = bundled.get("tiers.yaml");
        assertThat(tiers).contains("sliceMs: 20");
        edited.put("tiers.yaml", tiers.replaceFirst("sliceMs: 20", "sliceMs: 15"));
        v.update(edited);
        PollResult swapped = source.poll();
        assertThat(swapped.outcome()).as(swapped.message()).isEqualTo(Outcome.APPLIED);
        assertThat(swapped.revision()).isNotEqualTo(first).isEqualTo(DirRevision.of(edited));
        assertThat(source.current().orElseThrow().policy().tierPolicy().tiers()).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo("normal");
            assertThat(t.sliceMs()).isEqualTo(15);
        });

        // A broken edit is rejected whole; the swapped-in good policy stays current.
        Map<String, String> broken = new HashMap<>(edited);
        broken.put("tiers.yaml", "apiVersion: temper.codes/v1\nkind: TierPolicy\nspec: [not, a, map\n");
        v.update(broken);
        PollResult rejected = source.poll();
        assertThat(rejected.outcome()).isEqualTo(Outcome.REJECTED);
        // Reported as the revision that was refused (issue 25, point 2), not the one kept in force.
        assertThat(rejected.revision()).isEqualTo(DirRevision.of(broken)).isNotEqualTo(swapped.revision());
        assertThat(source.status().lastRejection().revision()).isEqualTo(rejected.revision());
        assertThat(source.current().orElseThrow().revision()).isEqualTo(swapped.revision());
        assertThat(source.current().orElseThrow().policy().tierPolicy().tiers()).anySatisfy(t -> assertThat(t.sliceMs()).isEqualTo(15));

        // A key removed from the ConfigMap disappears from the directory and from the policy.
        Map<String, String> tiersOnly = new HashMap<>(Map.of("tiers.yaml", bundled.get("tiers.yaml")));
        v.update(tiersOnly);
        assertThat(v.dir().resolve("nodes.yaml")).doesNotExist();
        PollResult fewer = source.poll();
        assertThat(fewer.outcome()).as(fewer.message()).isEqualTo(Outcome.APPLIED);
        assertThat(source.current().orElseThrow().policy().files()).singleElement().asString().endsWith("tiers.yaml");
        assertThat(source.current().orElseThrow().policy().exclusions()).isEmpty();
    }
}
