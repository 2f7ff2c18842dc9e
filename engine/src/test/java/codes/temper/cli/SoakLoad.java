package codes.temper.cli;

import codes.temper.api.Csrf;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.PodFacts;
import codes.temper.rules.Mode;
import codes.temper.source.PolicyRepo;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The soak's load, each kind on threads of its own until {@link #stop()}: pod churn, policy
 * commits (some broken), safe-mode toggles by annotation, file and API, and status requests.
 * Every expectation the agent must meet while loaded is checked here and counted in
 * {@link #failures}; the harness's own failed operations are counted apart in {@link #harnessErrors}.
 */
final class SoakLoad {
    static final String NAMESPACE = "soak";
    /** How long the agent may take to honour a commit or a toggle before it counts as a failure: a hang guard. */
    static final Duration HONOUR_WITHIN = Duration.ofSeconds(30);

    final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicLong> harnessErrors = new ConcurrentHashMap<>();
    final List<Long> toggleMillis = Collections.synchronizedList(new ArrayList<>());
    final List<Long> commitMillis = Collections.synchronizedList(new ArrayList<>());

    private final Soak.Rig rig;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SoakLoad(Soak.Rig rig) {
        this.rig = rig;
    }

    void start(int churnThreads, int podsPerThread, Duration commitEvery, int statusThreads) {
        for (int t = 0; t < churnThreads; t++) {
            int id = t;
            spawn("soak-churn-" + t, () -> churn(id, podsPerThread));
        }
        spawn("soak-commits", () -> commits(commitEvery));
        spawn("soak-safe-mode", this::toggles);
        for (int t = 0; t < statusThreads; t++) spawn("soak-status-" + t, this::statusLoad);
    }

    /**
     * Lets every thread finish the operation it is in (not interrupted: a pod created in the API
     * server whose cgroup was then never made would be the harness's fault, not the agent's).
     */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(Duration.ofSeconds(60));
    }

    long count(String what) {
        AtomicLong c = counts.get(what);
        return c == null ? 0 : c.get();
    }

    private void count(String what, long n) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(n);
    }

    private void spawn(String name, Runnable body) {
        Thread t = Thread.ofPlatform().name(name).daemon().start(() -> {
            while (running) {
                try {
                    body.run();
                } catch (RuntimeException e) {
                    if (!running) return;
                    harnessErrors.computeIfAbsent(name.replaceAll("-\\d+$", "") + ": " + e.getClass().getSimpleName(), k -> new AtomicLong())
                            .incrementAndGet();
                }
            }
        });
        threads.add(t);
    }

    private static void pause(long minMs, long maxMs) {
        sleep(ThreadLocalRandom.current().nextLong(minMs, maxMs + 1));
    }

    // --- pod churn: creates, deletes, relabels and re-prioritises pods on the node ---

    private static final long[] PRIORITIES = {2_000_000_000, 1_000_000, 100_000, 0, -50, -1000};

    private void churn(int id, int target) {
        List<String> mine = new ArrayList<>();
        long n = 0;
        while (running) {
            pause(40, 200);
            if (!running) return;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int op = mine.size() < target / 2 ? 0 : mine.size() > target * 3 / 2 ? 1 : r.nextInt(4);
            switch (op) {
                case 0 -> {
                    String name = "churn-" + id + "-" + n++;
                    createPod(name, r);
                    mine.add(name);
                    count("pods created", 1);
                }
                case 1 -> {
                    deletePod(mine.remove(r.nextInt(mine.size())));
                    count("pods deleted", 1);
                }
                case 2 -> {
                    patch(mine.get(r.nextInt(mine.size())), "{\"metadata\":{\"labels\":{\"soak/generation\":\"" + n++ + "\"}}}");
                    count("pods relabelled", 1);
                }
                default -> {
                    patch(mine.get(r.nextInt(mine.size())), "{\"spec\":{\"priority\":" + PRIORITIES[r.nextInt(PRIORITIES.length)] + "}}");
                    count("priority changes", 1);
                }
            }
        }
    }

    private void createPod(String name, ThreadLocalRandom r) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withNodeName(Soak.NODE).withPriority((int) PRIORITIES[r.nextInt(PRIORITIES.length)])
                .addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        switch (r.nextInt(3)) { // BestEffort, Burstable, Guaranteed: the three pod cgroup parents
            case 1 -> b.editSpec().editFirstContainer().withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                    .endContainer().endSpec();
            case 2 -> b.editSpec().editFirstContainer().withNewResources()
                    .addToRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi")))
                    .addToLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi"))).endResources()
                    .endContainer().endSpec();
            default -> { }
        }
        Pod created = rig.client().resource(b.build()).create();
        // As the kubelet does, the pod's cgroup appears once the API server has the pod.
        try {
            Files.createDirectories(rig.cgroup(created));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void deletePod(String name) {
        Pod p = rig.client().pods().inNamespace(NAMESPACE).withName(name).get();
        rig.client().pods().inNamespace(NAMESPACE).withName(name).delete();
        if (p != null) {
            try {
                Files.deleteIfExists(rig.cgroup(p));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void patch(String name, String json) {
        rig.client().pods().inNamespace(NAMESPACE).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    // --- policy commits to the Git server: good ones must apply, broken ones be rejected whole ---

    private void commits(Duration every) {
        long i = 0;
        while (running) {
            pause(every.toMillis() * 3 / 4, every.toMillis() * 5 / 4);
            if (!running) return;
            boolean broken = ++i % 4 == 0;
            Map<String, String> files = broken ? rig.policies().broken(i) : rig.policies().good(i);
            double rejectionsBefore = rig.rejections();
            long t0 = System.nanoTime();
            RevCommit c;
            try {
                c = rig.repo().commit((broken ? "broken " : "good ") + i, files);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            String revision = "main@sha1:" + c.name();
            if (!broken) {
                if (await(() -> revision.equals(rig.agent().status().policyRevision()), false)) {
                    rig.lastGood(c.name(), files);
                    commitMillis.add((System.nanoTime() - t0) / 1_000_000);
                    count("good commits applied", 1);
                } else {
                    failures.add("good commit " + i + " (" + c.name() + ") not applied within " + HONOUR_WITHIN.toSeconds() + " s");
                }
            } else if (await(() -> rig.rejections() > rejectionsBefore, false)) {
                String now = rig.agent().status().policyRevision();
                if (("main@sha1:" + rig.lastGoodCommit()).equals(now)) count("broken commits rejected, last good kept", 1);
                else failures.add("broken commit " + i + ": the agent runs " + now + ", not the last good " + rig.lastGoodCommit());
            } else {
                failures.add("broken commit " + i + " (" + c.name() + ") not rejected within " + HONOUR_WITHIN.toSeconds() + " s");
            }
        }
    }

    // --- safe mode, from one of the three sources at random; any one on must hold the node on CFS ---

    enum Source { ANNOTATION, FILE, API }

    private final Map<Source, Boolean> requested = new ConcurrentHashMap<>(Map.of(Source.ANNOTATION, false, Source.FILE, false, Source.API, false));

    /**
     * Mostly engaged, so pod churn is applied to the map most of the time: with no request, one
     * comes after 3-6 s from a random source; with some, after 1-2.5 s one of them is withdrawn,
     * or (one time in four) a second source asks too, so requests from two sources overlap.
     */
    private void toggles() {
        while (running) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            List<Source> on = requested.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
            List<Source> off = requested.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
            if (on.isEmpty()) pause(3000, 6000);
            else pause(1000, 2500);
            if (!running) return;
            Source s = on.isEmpty() || (!off.isEmpty() && r.nextInt(4) == 0) ? off.get(r.nextInt(off.size())) : on.get(r.nextInt(on.size()));
            boolean turnOn = !requested.get(s);
            long t0 = System.nanoTime();
            set(s, turnOn);
            requested.put(s, turnOn);
            count("safe-mode toggles by " + s.name().toLowerCase(), 1);
            boolean expectSafe = requested.containsValue(true);
            if (await(() -> honoured(expectSafe), true)) {
                toggleMillis.add((System.nanoTime() - t0) / 1_000_000);
            } else {
                failures.add("safe mode " + (expectSafe ? "on" : "off") + " after " + s + " " + (turnOn ? "on" : "off") + " not honoured within "
                        + HONOUR_WITHIN.toSeconds() + " s; status " + rig.agent().status().agentStatus());
            }
        }
    }

    /** Safe mode: the rules' mode says so and the driver is detached. Off: engaged (the dry run's attach) again. */
    boolean honoured(boolean safe) {
        var st = rig.agent().status();
        return safe ? st.mode() == Mode.SAFE_MODE && !rig.dryRun().attached()
                : st.agentStatus().startsWith("dry-run:") && rig.dryRun().attached();
    }

    /** Withdraws every request, as the soak ends. */
    void clearSafeMode() {
        for (Source s : Source.values()) {
            set(s, false);
            requested.put(s, false);
        }
    }

    private void set(Source s, boolean on) {
        switch (s) {
            case ANNOTATION -> rig.client().nodes().withName(Soak.NODE).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":" + (on ? "\"true\"" : "null") + "}}}");
            case FILE -> {
                try {
                    if (on) Files.writeString(rig.safeModeFile(), "soak\n");
                    else Files.deleteIfExists(rig.safeModeFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            case API -> {
                int code = send(HttpRequest.newBuilder(rig.api("/safe-mode")).header("Authorization", "Bearer " + Soak.TOKEN)
                        .header("Content-Type", "application/json").header(Csrf.HEADER, rig.csrfToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\": " + on + ", \"reason\": \"soak\"}")).build());
                if (code != 200) failures.add("POST /safe-mode " + on + " answered " + code);
            }
        }
    }

    // --- status load ---

    private static final List<String> READS = List.of("/status", "/metrics", "/healthz");

    private void statusLoad() {
        int i = 0;
        while (running) {
            String path = READS.get(i++ % READS.size());
            int code = send(HttpRequest.newBuilder(rig.api(path)).GET().build());
            count("GET " + path, 1);
            if (code != 200) {
                count("GET non-200", 1);
                failures.add("GET " + path + " answered " + code);
            }
            pause(5, 15);
        }
    }

    private int send(HttpRequest req) {
        try {
            return http.send(HttpRequest.newBuilder(req, (k, v) -> true).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped");
        }
    }

    /**
     * True once {@code p} holds, false after {@link #HONOUR_WITHIN}. With {@code untilStopped}, also
     * true when the soak stops meanwhile (a toggle's check cut short has no verdict); a commit's
     * check always runs to its end, so the last good revision is known when the soak converges.
     */
    private boolean await(BooleanSupplier p, boolean untilStopped) {
        long deadline = System.nanoTime() + HONOUR_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (p.getAsBoolean() || (untilStopped && !running)) return true;
            sleep(10);
        }
        return p.getAsBoolean();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    static Path cgroupOf(Path root, Pod p) {
        return root.resolve(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup());
    }
}
