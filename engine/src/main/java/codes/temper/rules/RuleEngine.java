package codes.temper.rules;

import codes.temper.policy.PolicySet;
import codes.temper.policy.Tier;
import codes.temper.policy.TierMatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.kie.api.KieBase;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.drools.model.Model;
import org.drools.modelcompiler.KieBaseBuilder;
import org.kie.api.runtime.ClassObjectFilter;
import org.kie.api.runtime.KieSession;

/**
 * Runs the rules in {@code rules/*.drl} over one node's facts. The rule base ships in the jar as
 * an executable model compiled at build time; it is built once per process, on first use, and
 * each evaluation gets a fresh session over it. No rule text is ever read from a policy source.
 */
public final class RuleEngine {
    /** Written by kie-maven-plugin at build time: a version line, then the model class names. */
    private static final String MODEL_INDEX = "META-INF/kie/codes.temper/temper-engine/drools-model";

    private final KieBase kieBase;

    private RuleEngine(KieBase kieBase) {
        this.kieBase = kieBase;
    }

    /** The rule base: built once, by whoever asks first (see {@link #preload()}). */
    private static CompletableFuture<RuleEngine> building;

    // Instantiating the generated model classes directly skips kmodule.xml parsing and classpath
    // scanning, which would otherwise dominate start-up.
    private static List<Model> models() {
        ClassLoader cl = RuleEngine.class.getClassLoader();
        try (var in = cl.getResourceAsStream(MODEL_INDEX)) {
            if (in == null) throw new IllegalStateException(MODEL_INDEX + " missing: the jar was built without the executable model");
            List<Model> models = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                if (line.isBlank() || line.startsWith("Drools-Model-Version:")) continue;
                models.add((Model) Class.forName(line.strip(), true, cl).getDeclaredConstructor().newInstance());
            }
            if (models.isEmpty()) throw new IllegalStateException(MODEL_INDEX + " lists no rule model");
            return models;
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the rule model: " + e, e);
        }
    }

    /** The process-wide engine; the first call builds the rule base (or waits for {@link #preload()}'s build). */
    public static RuleEngine get() {
        CompletableFuture<RuleEngine> f;
        boolean mine = false;
        synchronized (RuleEngine.class) {
            if (building == null) {
                building = new CompletableFuture<>();
                mine = true;
            }
            f = building;
        }
        if (mine) {
            try {
                f.complete(new RuleEngine(KieBaseBuilder.createKieBaseFromModel(models())));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
    }

    /**
     * Starts building the rule base on a thread of its own. Building it is the largest part of the
     * agent's start-up after reading its inputs (a second or so on a cold JVM), and the two need
     * not wait for each other: the agent calls this first, reads its inputs, then {@link #get()}.
     */
    public static void preload() {
        Thread.ofPlatform().name("temper-rules-load").daemon(true).start(() -> {
            try {
                get();
            } catch (RuntimeException | Error e) {
                // The caller's own get() rethrows it, on its thread, where it is reported.
            }
        });
    }

    public List<String> ruleNames() {
        return kieBase.getKiePackages().stream()
                .flatMap(p -> p.getRules().stream())
                .map(org.kie.api.definition.rule.Rule::getName)
                .sorted()
                .toList();
    }

    public Decision evaluate(PolicySet policy, NodeFact node, List<PodFact> pods) {
        return evaluate(policy, node, pods, null);
    }

    /** As {@link #evaluate(PolicySet, NodeFact, List)}, telling {@code firedRule} each rule that fires. */
    public Decision evaluate(PolicySet policy, NodeFact node, List<PodFact> pods, Consumer<String> firedRule) {
        KieSession session = kieBase.newKieSession();
        try {
            if (firedRule != null) {
                session.addEventListener(new DefaultAgendaEventListener() {
                    @Override
                    public void afterMatchFired(AfterMatchFiredEvent event) {
                        firedRule.accept(event.getMatch().getRule().getName());
                    }
                });
            }
            session.insert(node);
            session.insert(policy.tierPolicy());
            for (Tier t : policy.tierPolicy().tiers()) {
                session.insert(t);
                for (TierMatch m : t.match()) session.insert(m);
            }
            policy.exclusions().forEach(session::insert);
            for (PodFact p : pods) session.insert(p);
            session.fireAllRules();
            return collect(session, policy, node);
        } finally {
            session.dispose();
        }
    }

    private static Decision collect(KieSession session, PolicySet policy, NodeFact node) {
        List<Assignment> assignments = new ArrayList<>(objects(session, Assignment.class));
        assignments.sort(Comparator.comparing((Assignment a) -> a.pod().namespace()).thenComparing(a -> a.pod().name()));
        Map<String, TierCeiling> ceilings = new HashMap<>();
        for (TierCeiling c : objects(session, TierCeiling.class)) ceilings.put(c.tier(), c);
        Map<String, TierFloor> floors = new HashMap<>();
        for (TierFloor f : objects(session, TierFloor.class)) floors.put(f.tier(), f);
        Map<String, Integer> counts = new HashMap<>();
        for (Assignment a : assignments) counts.merge(a.tier(), 1, Integer::sum);
        List<Decision.TierOutcome> tiers = policy.tierPolicy().tiers().stream()
                .map(t -> new Decision.TierOutcome(t.name(), t.rank(), ceilings.get(t.name()),
                        counts.getOrDefault(t.name(), 0), t.sliceMs(), t.preempt(), floors.get(t.name())))
                .toList();
        List<NodeMode> modes = objects(session, NodeMode.class);
        if (modes.size() != 1) {
            throw new IllegalStateException("rules decided " + modes.size() + " modes for node " + node.name());
        }
        List<String> warnings = objects(session, Warning.class).stream().map(Warning::message).sorted().toList();
        return new Decision(node.name(), modes.getFirst(), tiers, assignments, warnings, floors.get(TierFloor.SYSTEM));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> objects(KieSession session, Class<T> type) {
        return (List<T>) new ArrayList<>(session.getObjects(new ClassObjectFilter(type)));
    }
}
