package codes.temper.cli;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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

    /** A client for the chosen cluster; the caller closes it. A named context that does not exist is an error, never a fallback. */
    KubernetesClient client() throws IOException {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) throw new IOException("cannot read kubeconfig " + kubeconfig);
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } else {
            config = Config.autoConfigure(context);
        }
        if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName()))) {
            List<String> known = config.getContexts() == null ? List.of() : config.getContexts().stream().map(NamedContext::getName).sorted().toList();
            throw new IOException("no context \"" + context + "\" in the kubeconfig" + (known.isEmpty() ? "" : " (contexts: " + String.join(", ", known) + ")"));
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
        config.setRequestTimeout(ms);
        config.setConnectionTimeout(ms);
        // A person waits at the terminal: one retry, not the ten with exponential backoff an informer gets.
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * One line for a failed request: fabric8's message names the operation but not why it failed
     * when the failure is the connection ("Operation: [list] for kind: [Node] ... failed."), so the
     * first specific I/O cause is added (ConnectException, UnknownHostException, an SSL or timeout error),
     * else the innermost one.
     */
    static String describe(Exception e) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e.getCause(); t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        // A plain IOException is only a wrapper here; its first subclass says what happened.
        Throwable why = chain.stream().filter(t -> t instanceof java.io.IOException && t.getClass() != java.io.IOException.class)
                .findFirst().orElse(chain.isEmpty() ? null : chain.getLast());
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        if (why == null) return msg;
        return msg + " (" + why.getClass().getSimpleName() + (why.getMessage() == null ? "" : ": " + why.getMessage()) + ")";
    }
}
