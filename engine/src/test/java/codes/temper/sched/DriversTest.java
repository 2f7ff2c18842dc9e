package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The diff both drivers write, and the dry-run driver's level-based, idempotent behaviour. */
class DriversTest {
    static final TierConfig CRITICAL = new TierConfig(0, true, true, 5_000_000, 0);
    static final TierConfig NORMAL = new TierConfig(1, true, false, 20_000_000, 0);
    static final TierConfig BACKGROUND = new TierConfig(2, true, false, 5_000_000, 2000);

    static SchedulerConfig config(Map<Long, Integer> pods, TierConfig... tiers) {
        return SchedulerConfig.unweighted(List.of(tiers), pods);
    }

    static Map<Long, PodConfig> weighted(Map<Long, Integer> pods) {
        Map<Long, PodConfig> m = new java.util.HashMap<>();
        pods.forEach((id, tier) -> m.put(id, new PodConfig(tier, SchedulerConfig.DEFAULT_WEIGHT)));
        return m;
    }

    @Test
    void fromNothingEveryTierAndPodIsWritten() {
        ConfigDiff d = ConfigDiff.between(SchedulerConfig.EMPTY, config(Map.of(10L, 0, 11L, 2), CRITICAL, NORMAL, BACKGROUND));
        assertThat(d.tiers()).containsOnlyKeys(0, 1, 2);
        assertThat(d.upsert()).containsExactlyInAnyOrderEntriesOf(weighted(Map.of(10L, 0, 11L, 2)));
        assertThat(d.remove()).isEmpty();
        assertThat(d.node()).as("the default config is what a fresh load holds").isEmpty();
        assertThat(d.writes()).isEqualTo(5);
    }

    @Test
    void aWeightChangeIsAWriteOfThatPodOnly() {
        SchedulerConfig before = new SchedulerConfig(List.of(CRITICAL, NORMAL), Map.of(10L, new PodConfig(1, 4), 11L, new PodConfig(1, 39)),
                NodeConfig.NONE);
        SchedulerConfig after = new SchedulerConfig(List.of(CRITICAL, NORMAL), Map.of(10L, new PodConfig(1, 10), 11L, new PodConfig(1, 39)),
                NodeConfig.NONE);
        ConfigDiff d = ConfigDiff.between(before, after);
        assertThat(d.upsert()).containsExactly(Map.entry(10L, new PodConfig(1, 10)));
        assertThat(d.tiers()).isEmpty();
        assertThat(d.remove()).isEmpty();
        assertThat(d.writes()).isEqualTo(1);
    }

    @Test
    void theConfigIsWrittenWhenItChangesAndOnlyThen() {
        NodeConfig node = new NodeConfig(4242, 1);
        SchedulerConfig first = new SchedulerConfig(List.of(CRITICAL, NORMAL), Map.of(), node);
        ConfigDiff fresh = ConfigDiff.between(SchedulerConfig.EMPTY, first);
        assertThat(fresh.node()).contains(node);
        assertThat(fresh.writes()).isEqualTo(3);
        assertThat(ConfigDiff.between(first, first).isEmpty()).isTrue();
        SchedulerConfig moved = new SchedulerConfig(List.of(CRITICAL, NORMAL), Map.of(), new NodeConfig(4242, 0));
        assertThat(ConfigDiff.between(first, moved).node()).contains(new NodeConfig(4242, 0));
        assertThat(ConfigDiff.between(first, moved).writes()).isEqualTo(1);
    }

    @Test
    void configRefusesADefaultTierItDoesNotHaveAndBadWeights() {
        assertThatThrownBy(() -> new SchedulerConfig(List.of(CRITICAL), Map.of(), new NodeConfig(1, 1)))
                .hasMessageContaining("default tier 1 of 1");
        assertThatThrownBy(() -> new PodConfig(0, 0)).hasMessageContaining("weight 0");
        assertThatThrownBy(() -> new PodConfig(0, 10_001)).hasMessageContaining("weight 10001");
        assertThat(new SchedulerConfig(List.of(CRITICAL), Map.of(), null).node()).isEqualTo(NodeConfig.NONE);
    }

    @Test
    void podChurnWritesOnlyTheChangedEntries() {
        SchedulerConfig before = config(Map.of(10L, 0, 11L, 1, 12L, 2), CRITICAL, NORMAL, BACKGROUND);
        SchedulerConfig after = config(Map.of(10L, 0, 11L, 2, 13L, 1), CRITICAL, NORMAL, BACKGROUND);
        ConfigDiff d = ConfigDiff.between(before, after);
        assertThat(d.tiers()).isEmpty();
        assertThat(d.upsert()).containsExactlyInAnyOrderEntriesOf(weighted(Map.of(11L, 2, 13L, 1)));
        assertThat(d.remove()).containsExactly(12L);
        assertThat(ConfigDiff.between(after, after).isEmpty()).isTrue();
    }

    @Test
    void aDroppedTierSlotIsWrittenDisabled() {
        ConfigDiff d = ConfigDiff.between(config(Map.of(), CRITICAL, NORMAL, BACKGROUND), config(Map.of(), CRITICAL, NORMAL));
        assertThat(d.tiers()).containsExactly(Map.entry(2, TierConfig.DISABLED));
    }

    @Test
    void configRefusesPodsInTiersItDoesNotHave() {
        assertThatThrownBy(() -> config(Map.of(10L, 3), CRITICAL, NORMAL)).hasMessageContaining("cgroup 10 mapped to tier 3 of 2");
        TierConfig[] seventeen = new TierConfig[17];
        java.util.Arrays.fill(seventeen, NORMAL);
        assertThatThrownBy(() -> config(Map.of(), seventeen)).hasMessageContaining("17 tiers");
    }

    @Test
    void dryRunIsLevelBasedAndIdempotent() {
        try (DryRunDriver d = new DryRunDriver("no /sys/kernel/sched_ext on this host")) {
            assertThat(d.kind()).isEqualTo("dry-run");
            SchedulerConfig c = config(Map.of(10L, 0, 11L, 2), CRITICAL, NORMAL, BACKGROUND);
            var first = d.apply(c);
            assertThat(first.attached()).isTrue();
            assertThat(first.writes()).isEqualTo(5);
            var again = d.apply(c);
            assertThat(again.attached()).isFalse();
            assertThat(again.writes()).isZero();

            d.detach();
            assertThat(d.attached()).isFalse();
            var reengage = d.apply(c);
            assertThat(reengage.attached()).isTrue();
            assertThat(reengage.writes()).as("after safe mode everything is rewritten").isEqualTo(5);
            assertThat(d.history()).hasSize(3);
            assertThat(d.kernelState().present()).isFalse();
            assertThat(d.stats()).as("a dry run counts nothing").isEmpty();
        }
    }

    /**
     * A dry run may last the life of a node; its record of what it would have written must not grow
     * with every pass (it kept every diff before, found while choosing the soak's map stand-in).
     */
    @Test
    void dryRunKeepsABoundedHistoryAndCountsEveryApply() {
        try (DryRunDriver d = new DryRunDriver("test")) {
            SchedulerConfig a = config(Map.of(10L, 0), CRITICAL, NORMAL), b = config(Map.of(10L, 1), CRITICAL, NORMAL);
            int n = DryRunDriver.HISTORY + 44;
            for (int i = 0; i < n; i++) d.apply(i % 2 == 0 ? a : b);
            assertThat(d.applies()).isEqualTo(n);
            assertThat(d.history()).hasSize(DryRunDriver.HISTORY);
            assertThat(d.history().getLast().upsert()).as("the newest diff is kept").containsKey(10L);
            assertThat(d.applied()).isEqualTo(b);
        }
    }
}
