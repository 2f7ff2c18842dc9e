package codes.temper.cli;

import codes.temper.text.Printable;
import codes.temper.text.Redaction;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How the commands that read a cluster ({@code plan --node NAME}, {@code status}) reach it: the
 * flags kubectl users type, resolved the way kubectl resolves them ({@code --kubeconfig}, else
 * {@code $KUBECONFIG}, else {@code ~/.kube/config}, else the in-cluster service account). These
 * commands only read (get and list), so they run with a read-only role.
 */
final class KubeOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the in-cluster service account).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context to use (default: its current-context).")
    String context;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.Positive.class,
            description = "Timeout of each request to the API server, e.g. 500ms, 10s (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    /** True when a cluster was named on the command line. */
    boolean given() {
        return kubeconfig != null || context != null;
    }

    /** Where the client's settings came from ("kubeconfig FILE, context C"), once {@link #client()} has run. */
    private String source = "no kubeconfig read yet";
    /** The API server the client talks to, once {@link #client()} has run. */
    private String server;

    /**
     * A client for the chosen cluster; the caller closes it. A named context that does not exist is
     * an error, never a fallback; so is finding no kubeconfig and no in-cluster account, where
     * fabric8 would quietly try https://kubernetes.default.svc.
     */
    KubernetesClient client() throws IOException {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) throw new IOException("cannot read kubeconfig " + kubeconfig);
            source = "kubeconfig " + kubeconfig;
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } else {
            // The order fabric8's autoConfigure (and kubectl) follow, said here so a message can name it.
            String env = System.getenv("KUBECONFIG");
            Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
            if (env != null && !env.isBlank()) source = "kubeconfig " + env + " from $KUBECONFIG";
            else if (Files.exists(home)) source = "kubeconfig " + home;
            else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) source = "the in-cluster service account";
            else {
                throw new IOException("no kubeconfig found: --kubeconfig not given, $KUBECONFIG not set, " + home + " does not exist,"
                        + " and not in a cluster ($KUBERNETES_SERVICE_HOST not set); give --kubeconfig FILE");
            }
            config = Config.autoConfigure(context);
        }
        if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName()))) {
            List<String> known = config.getContexts() == null ? List.of() : config.getContexts().stream().map(NamedContext::getName).sorted().toList();
            throw new IOException("no context \"" + context + "\" in the kubeconfig" + (known.isEmpty() ? "" : " (contexts: " + String.join(", ", known) + ")"));
        }
        if (config.getCurrentContext() != null) source += ", context " + config.getCurrentContext().getName();
        server = config.getMasterUrl();
        int ms = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
        config.setRequestTimeout(ms);
        config.setConnectionTimeout(ms);
        // A person waits at the terminal: one retry, not the ten with exponential backoff an informer gets.
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * Reports a failed cluster command in one line (with the stack trace under TEMPER_DEBUG) and
     * returns its exit code. A request that never reached the server says which server and where
     * its address came from, as kubectl does; one the server answered says what it answered.
     */
    int fail(java.io.PrintWriter err, Exception e) {
        String line;
        if (e instanceof KubernetesClientException k && k.getCode() <= 0 && server != null) {
            line = "cannot reach the API server " + server + " (" + source + "): " + cause(k);
        } else if (e instanceof KubernetesClientException k) {
            line = describe(k) + (server == null ? "" : " (API server " + server + ", " + source + ")");
        } else {
            line = e.getMessage();
        }
        err.println("temper: " + Printable.escape(Redaction.text(line)));
        if (System.getenv("TEMPER_DEBUG") != null) e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** The first specific I/O cause (ConnectException, UnknownHostException, an SSL or timeout error), else the innermost. */
    private static String cause(Exception e) {
        Throwable why = why(e);
        if (why == null) return e.getMessage();
        String name = why.getClass().getSimpleName();
        // The JDK's HTTP client leaves these without a message.
        if (why.getMessage() == null && why instanceof java.net.ConnectException) return "connection refused (" + name + ")";
        if (why.getMessage() == null && why instanceof java.net.http.HttpTimeoutException) return "timed out (" + name + ")";
        return why.getMessage() == null ? name : why.getMessage() + " (" + name + ")";
    }

    private static Throwable why(Exception e) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e.getCause(); t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        // A plain IOException is only a wrapper here; its first subclass says what happened.
        return chain.stream().filter(t -> t instanceof java.io.IOException && t.getClass() != java.io.IOException.class)
                .findFirst().orElse(chain.isEmpty() ? null : chain.getLast());
    }

    /**
     * One line for a request the server answered: fabric8's message names the operation; the
     * first specific I/O cause is added when there is one.
     */
    static String describe(Exception e) {
        Throwable why = why(e);
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        if (why == null) return msg;
        return msg + " (" + why.getClass().getSimpleName() + (why.getMessage() == null ? "" : ": " + why.getMessage()) + ")";
    }
}
