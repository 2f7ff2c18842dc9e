package codes.temper.cli;

import codes.temper.text.Printable;

import codes.temper.reconcile.CpuWeight;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.TierCeiling;
import codes.temper.rules.TierFloor;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The {@code temper plan} output: the JSON shape of DESIGN.md ("Decisions"), and a table for people. */
record PlanView(String node, String policyRevision, DecisionView decision, List<TierView> tiers, CeilingView systemFloor,
                List<AssignmentView> assignments, List<String> warnings, List<String> notes) implements ListOutput.Listing {

    record DecisionView(String mode, List<String> reasons) {}

    /** CPUs with where the figure comes from: a ceiling, or a floor. */
    record CeilingView(double cpus, String source, String note) {}

    record TierView(String name, int rank, CeilingView ceiling, CeilingView floor, int pods, int sliceMs, boolean preempt) {}

    /**
     * One pod's placement. {@code weight} is its share within the tier as the scheduler holds it:
     * kubelet's cpu.weight for the pod's effective CPU request ({@code cpuRequestMillis}).
     */
    record AssignmentView(String namespace, String name, String uid, String qosClass, long priority,
                          String priorityClassName, String phase, boolean terminating, String tier,
                          String rule, String because, String cgroup, long cpuRequestMillis, int weight) {}

    /** @param notes the policy source's notes: files read but skipped as not Temper's */
    static PlanView of(Decision d, String revision, List<String> notes) {
        return new PlanView(d.node(), revision,
                new DecisionView(d.mode().mode().wire(), d.mode().reasons()),
                d.tiers().stream().map(t -> new TierView(t.name(), t.rank(), ceiling(t.ceiling()), floor(t.floor()), t.pods(), t.sliceMs(),
                        t.preempt())).toList(),
                floor(d.systemFloor()),
                d.assignments().stream().map(PlanView::assignment).toList(),
                d.warnings(), notes);
    }

    private static CeilingView ceiling(TierCeiling c) {
        return c == null ? null : new CeilingView(Math.round(c.cpus() * 10_000) / 10_000.0, c.source(), c.note());
    }

    private static CeilingView floor(TierFloor f) {
        return f == null ? null : new CeilingView(Math.round(f.cpus() * 10_000) / 10_000.0, f.source(), f.note());
    }

    private static AssignmentView assignment(Assignment a) {
        var p = a.pod();
        return new AssignmentView(p.namespace(), p.name(), p.uid(), p.qosClass().name(), p.priority(),
                p.priorityClassName(), p.phase(), p.terminating(), a.tier(), a.rule(), a.because(), p.cgroup(),
                p.cpuRequestMillis(), CpuWeight.ofRequestMillis(p.cpuRequestMillis()));
    }

    private static void line(PrintWriter out, String text) {
        out.println(Printable.escape(text));
    }

    /** {@code -o name}: each placed pod as {@code <namespace>/<name>}, the key the policy tests use. */
    @Override
    public List<String> names() {
        return assignments.stream().map(a -> Printable.escape(a.namespace() + "/" + a.name())).toList();
    }

    /**
     * The plan for a terminal: every line is escaped, as pod names and reasons come from files
     * anyone may write. Wide adds each pod's UID, priority class, CPU request, weight in its tier
     * and why its rule placed it.
     */
    @Override
    public void table(PrintWriter out, boolean wide, boolean headers) {
        if (headers) {
            line(out, String.format("node %s   mode %s   policy %s", node, decision.mode(), policyRevision));
            decision.reasons().forEach(r -> line(out, "  reason: " + r));
            warnings.forEach(w -> line(out, "  warning: " + w));
            notes.forEach(n -> line(out, "  note: " + n));
            out.println();
            line(out, String.format("%-4s %-14s %9s %-15s %9s %5s %8s %8s", "RANK", "TIER", "CEILING", "CEILING-FROM", "FLOOR", "PODS", "SLICE-MS",
                    "PREEMPT"));
        }
        for (TierView t : tiers) {
            line(out, String.format(Locale.ROOT, "%-4d %-14s %9.3f %-15s %9.3f %5d %8d %8s", t.rank(), t.name(),
                    t.ceiling() == null ? 0.0 : t.ceiling().cpus(), t.ceiling() == null ? "?" : t.ceiling().source(),
                    t.floor() == null ? 0.0 : t.floor().cpus(), t.pods(), t.sliceMs(), t.preempt() ? "yes" : "no"));
        }
        if (headers && systemFloor != null) {
            line(out, String.format(Locale.ROOT, "system work (kubelet, runtime): floor %.3f CPUs (%s)", systemFloor.cpus(), systemFloor.note()));
        }
        out.println();
        int w = Math.max(20, assignments.stream().mapToInt(a -> a.namespace().length() + a.name().length() + 1).max().orElse(0));
        String format = "%-" + w + "s %-10s %11s  %-10s  %-28s  %s";
        String more = "  %-36s  %-24s %11s %6s  %s";
        if (headers) {
            line(out, (String.format(format, "POD", "QOS", "PRIORITY", "TIER", "RULE", "CGROUP")
                    + (wide ? String.format(more, "UID", "PRIORITY-CLASS", "CPU-REQUEST", "WEIGHT", "BECAUSE") : "")).stripTrailing());
        }
        for (AssignmentView a : assignments) {
            String row = String.format(format, a.namespace() + "/" + a.name(), a.qosClass(), a.priority(), a.tier(), a.rule(), a.cgroup());
            if (wide) {
                row += String.format(more, a.uid(), a.priorityClassName() == null ? "-" : a.priorityClassName(),
                        a.cpuRequestMillis() + "m", a.weight(), a.because());
            }
            line(out, row.stripTrailing());
        }
        out.flush();
    }
}
