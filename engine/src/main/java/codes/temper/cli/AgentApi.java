package codes.temper.cli;

import codes.temper.api.AuditEntry;
import codes.temper.api.AuditLog;
import codes.temper.api.StatusServer;
import codes.temper.auth.Access;
import codes.temper.auth.KubernetesAccess;
import codes.temper.auth.StaticTokens;
import codes.temper.reconcile.AgentStatus;
import codes.temper.api.SafeModeRequestFile;
import codes.temper.reconcile.Reconciler;
import codes.temper.reconcile.SafeModeControl;
import codes.temper.reconcile.SafeModeSignals;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's status API: who it lets in, where it audits, and its start on a thread of its own,
 * so that Jetty's start (most of a second of CPU on a cold JVM) overlaps the agent reading its
 * inputs. What it needs of the loop it reaches through the suppliers it is given, which wait for
 * the loop or answer "starting".
 */
final class AgentApi {
    /** Under --cache-dir: the API's safe-mode request and audit trail, kept across restarts. */
    static final String STATE_DIR = "api";

    private AgentApi() {
    }

    /** How long POST /safe-mode waits for the pass a release starts before answering 202 (a pass takes milliseconds). */
    static final Duration RELEASE_SETTLES = Duration.ofSeconds(5);

    /**
     * What {@code POST /safe-mode} drives: the loop's API trigger, kept on the node when there is a
     * request file. Before the loop exists, an authenticated request waits for it (a second or so):
     * a safe-mode request is applied and recorded before the first pass can attach anything.
     * Entering safe mode is done when the loop's switch returns; a release re-engages on the loop's
     * next pass, which runs at once, and the caller is answered with its outcome, not the state
     * before it.
     */
    static SafeModeControl control(Supplier<Reconciler> loop, SafeModeRequestFile requestFile) {
        SafeModeControl control = (on, actor, reason) -> {
            Reconciler r = loop.get();
            long seen = r.passesStarted();
            boolean changed = r.safeMode(SafeModeSignals.Source.API, on, actor + (reason == null || reason.isBlank() ? "" : ": " + reason));
            if (on || !changed) return true;
            try {
                return r.awaitPassAfter(seen, RELEASE_SETTLES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
        return requestFile == null ? control : requestFile.persisting(control);
    }

    /** Creates the cache directory if it is missing; fails, saying so in one line, where it cannot be written. */
    static void prepareCacheDir(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
            throw new IOException("--cache-dir " + dir + ": cannot create it (" + why + "); the agent keeps its Git cache, the API's safe-mode"
                    + " request and the audit trail there: give a writable directory", e);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("--cache-dir " + dir + ": not writable by this user; give a writable directory");
        }
    }

    /** Where the audit trail is appended: --audit-file, else under the cache directory, else nowhere (memory only). */
    static Path auditFile(Agent.Options o) {
        if (o.api().auditFile() != null) return o.api().auditFile();
        return o.cacheDir() == null ? null : o.cacheDir().resolve(STATE_DIR).resolve("audit.jsonl");
    }

    /** Where the API's safe-mode request is kept, or null: in memory only. */
    static Path requestFile(Agent.Options o) {
        return o.api() == null || o.cacheDir() == null ? null : o.cacheDir().resolve(STATE_DIR).resolve("safe-mode-request.json");
    }

    /**
     * Binds the status API on a thread of its own.
     *
     * @param tokens   the static tokens, read before the agent started anything else
     * @param onChange an audit entry just recorded (the agent turns allowed changes into Events)
     */
    static CompletableFuture<StatusServer> start(Agent.Options o, StaticTokens tokens, Supplier<AgentStatus> status,
            Supplier<String> node, SafeModeControl control, PrometheusMeterRegistry metrics, Consumer<AuditEntry> onChange) {
        CompletableFuture<StatusServer> f = new CompletableFuture<>();
        Thread.ofPlatform().name("temper-api-start").daemon(true).start(() -> {
            try {
                Access access = o.client() == null ? Access.staticTokens(tokens)
                        : KubernetesAccess.of(o.client(), tokens, KubernetesAccess.Ttl.DEFAULT, Clock.systemUTC());
                Path auditFile = auditFile(o);
                AuditLog audit = auditFile == null ? AuditLog.inMemory() : AuditLog.appendingTo(auditFile);
                if (onChange != null) audit.onRecorded(onChange);
                f.complete(StatusServer.start(status, node, control, metrics, access, audit, o.api().bind(), o.api().port()));
            } catch (IOException | RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * The static tokens of --api-tokens. The DaemonSet mounts the token Secret as optional: no
     * file = no static token; in file mode every authenticated request is then refused (fail closed).
     */
    static StaticTokens tokens(Path file) throws IOException {
        return file == null || !Files.exists(file) ? StaticTokens.none() : StaticTokens.fromFile(file);
    }

    /** The started server; its start's failure rethrown as what it was. */
    static StatusServer started(CompletableFuture<StatusServer> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u;
            if (e.getCause() instanceof IOException io) throw new UncheckedIOException(io.getMessage(), io);
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
    }

    /** Stops the server if it started (or once it has: waits for its start). */
    static void stop(CompletableFuture<StatusServer> f) {
        if (f == null) return;
        try {
            f.join().close();
        } catch (CompletionException e) {
            // It never bound: nothing to stop.
        }
    }
}
