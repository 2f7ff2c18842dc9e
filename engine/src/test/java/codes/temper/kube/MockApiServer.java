package codes.temper.kube;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The fabric8 Kubernetes mock server in CRUD mode (real HTTP, real watches; objects kept in
 * memory), which stands in for kube-apiserver here. It can be stopped and started again on the
 * same port with the same objects, to play an API server outage.
 */
public final class MockApiServer implements AutoCloseable {
    private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
    /** POST path -> answer, asked before the CRUD dispatcher (create-only resources such as reviews). */
    private final Map<String, Function<RecordedRequest, MockResponse>> posts = new ConcurrentHashMap<>();
    private KubernetesMockServer server;
    private int port;

    public MockApiServer() {
        start();
    }

    /**
     * The CRUD dispatcher evaluates field selectors on metadata.name and metadata.namespace only;
     * asked for {@code spec.nodeName=x} it matches nothing. This drops that one requirement so
     * the server answers with every pod, the worst case for the agent, whose own filter (kept in
     * production as defence in depth) then keeps its node's pods. Everything else is untouched.
     */
    private static final class NodeNameSelectorIgnored extends Dispatcher {
        private static final Pattern NODE_NAME = Pattern.compile("spec\\.nodeName(?:=|%3D)[^&,%]*(?:,|%2C)?");
        private final Dispatcher delegate;
        private final Map<String, Function<RecordedRequest, MockResponse>> posts;

        NodeNameSelectorIgnored(Dispatcher delegate, Map<String, Function<RecordedRequest, MockResponse>> posts) {
            this.delegate = delegate;
            this.posts = posts;
        }

        @Override
        public MockResponse dispatch(RecordedRequest r) {
            String path = r.getPath();
            if ("POST".equals(r.getMethod()) && path != null) {
                var answer = posts.get(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
                if (answer != null) return answer.apply(r);
            }
            if (path != null && path.contains("fieldSelector=spec.nodeName")) {
                String p = NODE_NAME.matcher(path).replaceAll("").replace("fieldSelector=&", "").replaceAll("[?&]fieldSelector=$", "");
                r = new RecordedRequest(r.getHttpVersion(), r.method(), p, r.getHeaders(), r.getBody());
            }
            return delegate.dispatch(r);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }

    public synchronized void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new NodeNameSelectorIgnored(dispatcher, posts), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        port = server.getPort();
    }

    /**
     * Answers POSTs to {@code path} (no query) with {@code answer} instead of storing them: the CRUD
     * dispatcher would keep a TokenReview or SubjectAccessReview and echo it back with no status,
     * where the real API server evaluates it and keeps nothing.
     */
    public void onPost(String path, Function<RecordedRequest, MockResponse> answer) {
        posts.put(path, answer);
    }

    public synchronized void stop() {
        server.destroy();
    }

    /** A client with short timeouts and retries, as a test wants them; the agent's code path is the same. */
    public NamespacedKubernetesClient client() {
        return server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(3).withRequestRetryBackoffInterval(100)
                .withWatchReconnectInterval(200).endConfig());
    }

    /** As {@link #client()}, sending this User-Agent, so that its requests can be told from others' ({@link RbacUse}). */
    public NamespacedKubernetesClient client(String userAgent) {
        return server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(3).withRequestRetryBackoffInterval(100)
                .withWatchReconnectInterval(200).withUserAgent(userAgent).endConfig());
    }

    /** Takes (and so forgets) every request the server has recorded so far, headers included ({@link RbacUse}). */
    public synchronized java.util.List<RecordedRequest> takeRequests() throws InterruptedException {
        java.util.List<RecordedRequest> out = new java.util.ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) out.add(r);
        return out;
    }

    /**
     * Drops the requests the server has recorded so far. It keeps every request, body and
     * headers included, for tests that inspect them; a long run (the soak) would otherwise see
     * the harness's heap grow with every request the agent makes.
     */
    public synchronized int discardRecordedRequests() throws InterruptedException {
        int n = 0;
        while (server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS) != null) n++;
        return n;
    }

    /** Drains the requests recorded so far, as {@code METHOD path?query}, oldest first. */
    public synchronized java.util.List<String> takeRecordedRequests() throws InterruptedException {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS)) != null; ) {
            out.add(r.getMethod() + " " + r.getPath());
        }
        return out;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
    }
}
