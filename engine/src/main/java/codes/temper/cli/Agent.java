package codes.temper.cli;

import codes.temper.api.AuditEntry;
import codes.temper.auth.StaticTokens;
import codes.temper.api.SafeModeRequestFile;
import codes.temper.api.StatusServer;
import codes.temper.kube.CgroupDriver;
import codes.temper.kube.FileWorld;
import codes.temper.kube.InformerWorld;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicySet;
import codes.temper.build.BuildInfo;
import codes.temper.reconcile.AgentMetrics;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.CgroupIds;
import codes.temper.reconcile.PolicyRevision;
import codes.temper.reconcile.Reconciler;
import codes.temper.reconcile.SafeModeFile;
import codes.temper.reconcile.SafeModeSignals;
import codes.temper.reconcile.World;
import codes.temper.rules.NodeFact;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.SchedulerSupervisor;
import codes.temper.source.GitSourceException;
import codes.temper.source.PolicyPolls;
import codes.temper.source.PolicySource;
import codes.temper.source.PolicySources;
import codes.temper.source.PollPlan;
import codes.temper.text.Redaction;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The node agent, assembled: policy source -> reconciler (rules, scheduler supervisor) -> status
 * (annotations, events, API). The composition root and nothing more: every decision is made in the
 * rooms it wires together. Several agents can live in one process (tests run fifty).
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Agent.class.getName());

    /**
     * Everything {@code temper agent} can be told. Null = not given.
     *
     * @param client    the API server; null in file mode
     * @param policies  a directory or a Git location
     * @param kernelBtf the kernel's BTF, read to learn whether sched_ext passes cpu.max; null = {@link CpuMaxProbe#VMLINUX_BTF}
     */
    public record Options(String nodeName, KubernetesClient client, Path podsFile, Path nodeFile, String policies,
            Path cacheDir, Path gitCredentials, Path trustedKeys, Duration gitTimeout, Duration pollInterval,
            Path safeModeFile, Duration safeModeFilePoll, DriverChoice.Mode driver, Path bpfObject, Path cgroupRoot,
            CgroupDriver cgroupDriver, Reconciler.Pacing pacing, EjectionBackoff backoff, Api api, Path kernelBtf) {

        public boolean fileMode() {
            return podsFile != null;
        }
    }

    /**
     * The status API; null in {@link Options} = none (tests that only need the loop). In a cluster
     * its bearer tokens are checked with TokenReview and its actions with SubjectAccessReview
     * ({@link KubernetesAccess}); the static tokens, when given, work beside them (and alone in
     * file mode).
     *
     * @param port      0 = ephemeral
     * @param apiTokens static bearer tokens for POST /safe-mode and GET /audit, or null
     * @param auditFile also append audit entries here, or null
     */
    public record Api(String bind, int port, Path apiTokens, Path auditFile) {
    }

    private final Options options;
    private final PrometheusMeterRegistry metrics;
    private final AgentMetrics counters;
    private final SafeModeSignals signals = new SafeModeSignals();
    private final RuleEngine rules;
    private final Supplier<Optional<PolicyRevision>> policy;
    private final PolicySource source;
    private final PolicyPolls polls;
    private final World world;
    private final SchedulerSupervisor supervisor;
    private final Reconciler reconciler;
    private final SafeModeFile safeModeFile;
    private final NodeStatusWriter statusWriter;
    /** The API's safe-mode request on the node (under --cache-dir), or null: kept in memory only. */
    private final SafeModeRequestFile requestFile;
    private final String nodeName;
    /**
     * The status API, started on a thread of its own at the top of the constructor so that Jetty's
     * start overlaps reading the inputs; {@link #start()} waits for it. Null without an API.
     */
    private final CompletableFuture<StatusServer> serverStart;
    /** Completed when the constructor has built the loop: until then the API has no status to show. */
    private final CompletableFuture<Reconciler> built = new CompletableFuture<>();
    private StatusServer server;

    public Agent(Options o) throws IOException, GitSourceException, codes.temper.yaml.InvalidInputException {
        // Built on a thread of its own while the policy, the node and its pods are read below:
        // on a cold JVM each takes about a second, and ready comes after both.
        RuleEngine.preload();
        if (o.fileMode()) Snapshots.preload();
        // After those, not as field initialisers before them: the registry takes a few tens of ms
        // on a cold JVM, and the deserializers are what the first pass waits for longest.
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        counters = new AgentMetrics(metrics);
        this.options = o;
        // Read first: a token file the API cannot use, or nowhere to keep what must outlive the
        // agent, stops it before it applies anything.
        StaticTokens tokens = o.api() == null ? StaticTokens.none() : AgentApi.tokens(o.api().apiTokens());
        if (o.cacheDir() != null) AgentApi.prepareCacheDir(o.cacheDir());
        Path requestPath = AgentApi.requestFile(o);
        requestFile = requestPath == null ? null : new SafeModeRequestFile(requestPath);
        // Likewise the status API (most of a second of CPU to start Jetty on a cold JVM): it
        // answers from the start, /readyz 503 until the first pass.
        serverStart = o.api() == null ? null : AgentApi.start(o, tokens, this::status, this::builtNodeName,
                AgentApi.control(this::loop, requestFile),
                metrics, o.fileMode() ? null : this::changeEvent);
        try {
            // Source: a directory or a Git remote, each applied whole or not at all.
            source = PolicySources.open(o.policies(), new PolicySources.GitOptions(o.cacheDir(), o.gitCredentials(), o.gitTimeout(),
                    o.trustedKeys(), true), this::evaluationCheck, Clock.systemUTC());
            policy = () -> source.current().map(r -> new PolicyRevision(r.policy(), r.revision()));

            // The agent runs on its node: its own kernel's BTF says whether sched_ext passes cpu.max,
            // and which scheduler callbacks the kernel has (the others are left out of the load).
            CpuMaxProbe.Result cpuMax = AgentHost.cpuMax(o);
            DriverChoice choice = AgentHost.driver(o, cpuMax.opsMembers());
            supervisor = new SchedulerSupervisor(choice.driver(), o.backoff(), Clock.systemUTC(), this::schedulerEvent);

            // The world adapters own the cgroup driver: they hand the loop pods with their cgroups.
            CgroupDriver driver = AgentHost.cgroupDriver(o);
            if (o.fileMode()) {
                FileWorld files = new FileWorld(o.podsFile(), o.nodeFile(), driver, o.nodeName());
                files.refresh();
                nodeName = o.nodeName() != null ? o.nodeName()
                        : files.node().map(n -> n.getMetadata().getName()).orElseThrow(() -> new IOException(files.problem().orElse(o.nodeFile() + ": no node")));
                world = files;
                statusWriter = null;
            } else {
                nodeName = o.nodeName();
                world = new InformerWorld(o.client(), nodeName, Duration.ofMinutes(10), driver);
                statusWriter = new NodeStatusWriter(o.client(), nodeName);
            }
            CgroupIds cgroups = new CgroupIds(o.cgroupRoot());
            rules = RuleEngine.get();
            reconciler = new Reconciler(nodeName, world, policy, rules, cgroups, supervisor, choice.why().orElse(null),
                    cpuMax, signals, o.pacing(), Clock.systemUTC(), counters, this::statusChanged);
            polls = new PolicyPolls(source, PollPlan.forNode(nodeName, o.pollInterval()), this::report, Clock.systemUTC());
            safeModeFile = o.safeModeFile() == null ? null : new SafeModeFile(o.safeModeFile(), reconciler);
        } catch (IOException | GitSourceException | RuntimeException | Error e) {
            built.completeExceptionally(e);
            stopServer();
            throw e;
        }
        built.complete(reconciler);
    }

    /** Starts everything; safe-mode triggers first, so an agent that starts requested stays on CFS. */
    public Agent start() {
        if (safeModeFile != null) {
            safeModeFile.check();
            safeModeFile.watch(options.safeModeFilePoll());
        }
        if (world instanceof InformerWorld iw) {
            // Started once the reconciler exists, so the listener needs no forward reference.
            iw.start(new InformerWorld.Listener() {
                @Override
                public void nodeChanged(Node before, Node after) {
                    Map<String, String> a = after == null ? null : after.getMetadata().getAnnotations();
                    reconciler.safeModeAnnotation(a == null ? null : a.get(NodeFact.SAFE_MODE_ANNOTATION));
                    reconciler.signal("node");
                }

                @Override
                public void podsChanged() {
                    reconciler.signal("pods");
                }
            });
        }
        if (world instanceof FileWorld fw) fw.watch(Duration.ofMillis(250), () -> reconciler.signal("files"));
        polls.start();
        supervisor.watch(Duration.ofMillis(250));
        // A safe-mode request made through the API before a crash stands until withdrawn.
        if (requestFile != null) requestFile.restore().ifPresent(why -> reconciler.safeMode(SafeModeSignals.Source.API, true, why));
        // The snapshot files were read whole in the constructor: nothing to wait for (see there).
        reconciler.start(world instanceof FileWorld);
        if (serverStart != null) {
            try {
                server = AgentApi.started(serverStart);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }
        AgentStatus st = status();
        LOG.log(Level.INFO, "temper agent {0} started: node {1} ({2}), mode {3}, driver {4}, policies {5} (revision {6}), status API {7}",
                BuildInfo.VERSION, nodeName, options.fileMode() ? "file mode: " + options.podsFile() + ", " + options.nodeFile()
                        : "cluster: " + Redaction.text(options.client().getConfiguration().getMasterUrl()),
                st.mode().wire(), supervisor.driver().kind(), Redaction.text(options.policies()),
                st.policySource() == null || st.policySource().revision() == null ? "none yet" : st.policySource().revision(),
                server == null ? "off" : options.api().bind() + ":" + server.port());
        return this;
    }

    /** The loop, once the constructor has built it (waits for that); throws if the agent failed to start. */
    private Reconciler loop() {
        try {
            return built.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the agent failed to start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** This agent's node, once the constructor has built the loop (waits for that). */
    private String builtNodeName() {
        loop();
        return nodeName;
    }

    private void stopServer() {
        AgentApi.stop(serverStart);
    }

    /**
     * The reconciler's snapshot, with the policy source's state as of now (the revision's age grows
     * between passes); null while the constructor is still building the loop.
     */
    public AgentStatus status() {
        if (!built.isDone() || built.isCompletedExceptionally()) return null;
        return built.join().status().withPolicySource(policySourceState(source.status(), polls.nextPollAt(), Instant.now()));
    }

    /**
     * The age is in whole seconds: finer would be noise for a revision polled every minute, and a
     * snapshot that only changes once a second lets the status API reuse its rendering meanwhile.
     */
    static AgentStatus.PolicySourceState policySourceState(PolicySource.Status s, Instant nextPollAt, Instant now) {
        var cur = s.current();
        return new AgentStatus.PolicySourceState(cur == null ? null : cur.revision(), cur == null ? null : cur.fetchedAt(),
                cur == null ? null : (double) cur.age(now).toSeconds(), cur != null && cur.fromDisk(), s.lastSuccessfulPoll(),
                s.consecutiveFailures(), Redaction.text(s.lastFailure()),
                s.lastRejection() == null ? null : Redaction.text(s.lastRejection().reason()), nextPollAt);
    }

    /** When this agent polls its policy source: jittered, and seeded by its node's name. */
    public PollPlan pollPlan() {
        return polls.plan();
    }

    World world() {
        return world;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public SchedulerSupervisor supervisor() {
        return supervisor;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** The agent's own counters and its reconcile latency, as also found in {@link #metrics()}. */
    public AgentMetrics counters() {
        return counters;
    }

    public String nodeName() {
        return nodeName;
    }

    /** The status API's bound port, or -1 without one. */
    public int apiPort() {
        return server == null ? -1 : server.port();
    }

    private void evaluationCheck(PolicySet set) {
        // A revision must evaluate on this node before it may become current.
        // RuleEngine.get(), not the field: a source may check a revision (its last good one) while
        // the constructor runs, before the field is set.
        RuleEngine.get().evaluate(set, new NodeFact(nodeNameOrProbe(), Map.of(), null, "7.0.0", 7000, 1000), List.of());
    }

    private String nodeNameOrProbe() {
        return nodeName == null ? "probe" : nodeName;
    }

    private void report(PolicySource.PollResult raw) {
        // The boundary to the log, the metrics and the node's Events: nothing secret passes it.
        var r = new PolicySource.PollResult(raw.outcome(), raw.revision(), Redaction.text(raw.message()));
        switch (r.outcome()) {
            case APPLIED -> {
                LOG.log(Level.INFO, "policy {0} applied", r.revision());
                source.current().ifPresent(c -> c.policy().notes().forEach(n -> LOG.log(Level.INFO, "policy {0}: {1}", r.revision(), n)));
                supervisor.reset(); // a new revision is a fresh start for a scheduler given up on
                if (reconciler != null) reconciler.signal("policy");
            }
            case REJECTED -> {
                LOG.log(Level.ERROR, "policy revision {0} rejected, last good kept: {1}", r.revision(), r.message());
                counters.policyRejected();
                if (statusWriter != null) statusWriter.rejectedRevision(r.revision(), r.message());
            }
            case FAILED -> {
                LOG.log(Level.WARNING, "policy source unreachable, last good kept: {0}", r.message());
                counters.policyPollFailed();
            }
            case UNCHANGED -> { }
        }
    }

    private void schedulerEvent(SchedulerSupervisor.Event e) {
        counters.schedulerEvent(e.kind());
        if (reconciler != null && e.kind() != SchedulerSupervisor.Event.Kind.ATTACHED && e.kind() != SchedulerSupervisor.Event.Kind.DETACHED) {
            reconciler.signal("scheduler");
        }
    }

    /** An allowed change through the status API, as an Event on the Node: who, from where, why. */
    private void changeEvent(AuditEntry e) {
        if (e.outcome() != AuditEntry.Outcome.OK || !e.action().startsWith("safe-mode.")) return;
        boolean on = e.action().equals("safe-mode.on");
        statusWriter.send(on ? "Warning" : "Normal", on ? "TemperSafeModeRequested" : "TemperSafeModeWithdrawn",
                "safe mode " + (on ? "requested" : "request withdrawn") + " through the status API by " + e.actor() + " from "
                        + e.remote() + ": " + e.detail());
    }

    private void statusChanged(AgentStatus st) {
        if (statusWriter != null) statusWriter.offer(st);
    }

    /** SIGTERM's path: stand down first (the node must end on CFS), then stop the rest. */
    @Override
    public void close() {
        AgentStatus before = reconciler.status();
        if (server != null) server.close();
        else stopServer(); // start() failed before it took the server over
        if (safeModeFile != null) safeModeFile.close();
        reconciler.close();
        supervisor.close();
        polls.close();
        if (world instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the world view", e);
            }
        }
        if (statusWriter != null) statusWriter.close();
        List<String> stopped = new java.util.ArrayList<>();
        if (server != null) stopped.add("status API");
        if (safeModeFile != null) stopped.add("safe-mode file watch");
        stopped.addAll(List.of("reconcile loop", "scheduler supervisor", "policy polls"));
        stopped.add(world instanceof InformerWorld ? "node and pod watches" : "snapshot file watch");
        if (statusWriter != null) stopped.add("node status writer");
        LOG.log(Level.WARNING, "stood down: the scheduler was {0} ({1} driver, mode {2}, {3} pod(s) in {4} tier(s), revision {5}); "
                + "the node runs its stock scheduler (CFS); stopped: {6}", before.scheduler().phase(), before.scheduler().driver(),
                before.mode().wire(), before.tiers().stream().mapToInt(AgentStatus.Tier::pods).sum(), before.tiers().size(),
                before.policyRevision() == null ? "none" : before.policyRevision(), String.join(", ", stopped));
    }
}
