package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.reconcile.AgentStatus;
import codes.temper.rules.Mode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The status snapshot as {@code temper_*} series. Every gauge reads one snapshot held here,
 * refreshed once per scrape, so the series of one scrape come from the same status and cannot
 * disagree (several reads of the supplier during a scrape could straddle a change).
 */
final class StatusMetrics implements AutoCloseable {

    static final String ATTACHED = "ATTACHED";

    private final AtomicReference<AgentStatus> current = new AtomicReference<>();
    private final MeterRegistry registry;
    // What close() removes: the registry outlives a server, and a later server's meters would
    // otherwise be refused as duplicates and keep reading this one's stale snapshot.
    private final List<Meter> meters = new ArrayList<>();
    // Tiers come and go with policy revisions: MultiGauge removes the rows a refresh leaves out.
    private final MultiGauge tierPods;
    private final MultiGauge tierCeiling;

    StatusMetrics(MeterRegistry registry, AuditLog audit) {
        this.registry = registry;
        for (Mode m : Mode.values()) {
            meters.add(Gauge.builder("temper.mode", current, r -> is(r, s -> m.wire().equals(s.mode())))
                    .description("1 for the node's current mode, 0 for the others")
                    .tag("mode", m.wire()).strongReference(true).register(registry));
        }
        meters.add(Gauge.builder("temper.ready", current, r -> is(r, AgentStatus::ready))
                .description("1 when a policy is loaded and its decision applied").strongReference(true).register(registry));
        meters.add(Gauge.builder("temper.scheduler.attached", current,
                        r -> is(r, s -> s.scheduler() != null && ATTACHED.equals(s.scheduler().phase())))
                .description("1 while the sched_ext scheduler is attached").strongReference(true).register(registry));
        tierPods = MultiGauge.builder("temper.tier.pods").description("pods placed in each tier").register(registry);
        tierCeiling = MultiGauge.builder("temper.tier.ceiling.cpus")
                .description("the tier's CPU ceiling in CPUs").register(registry);
        for (Outcome o : Outcome.values()) {
            meters.add(FunctionCounter.builder("temper.audit.events", audit, a -> a.count(o))
                    .description("audited API requests by outcome").tag("outcome", o.wire()).register(registry));
        }
    }

    /** Called before each scrape with the snapshot the scrape describes. */
    synchronized void refresh(AgentStatus status) {
        current.set(status);
        var tiers = status == null ? List.<AgentStatus.Tier>of() : status.tiers();
        tierPods.register(tiers.stream()
                .map(t -> MultiGauge.Row.of(Tags.of("tier", t.name()), t.pods()))
                .toList(), true);
        tierCeiling.register(tiers.stream()
                .filter(t -> t.ceilingCpus() != null)
                .map(t -> MultiGauge.Row.of(Tags.of("tier", t.name()), t.ceilingCpus()))
                .toList(), true);
    }

    @Override
    public synchronized void close() {
        tierPods.register(List.of(), true);
        tierCeiling.register(List.of(), true);
        meters.forEach(registry::remove);
        meters.clear();
    }

    private static double is(AtomicReference<AgentStatus> ref, Predicate<AgentStatus> p) {
        AgentStatus s = ref.get();
        return s != null && p.test(s) ? 1 : 0;
    }
}
