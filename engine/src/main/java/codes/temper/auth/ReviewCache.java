package codes.temper.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Answers of the API server kept for a short while, as kube-rbac-proxy and the kubelet keep theirs:
 * a page that polls every two seconds must not cost a TokenReview and a SubjectAccessReview per
 * poll. Bounded (least recently used entries go first) and keyed by digests, never by a token.
 * A value the {@code ttl} function gives no time to is not kept (an unavailable answer: the next
 * request asks again). At most {@value #IN_FLIGHT} reviews wait for the API server at a time;
 * past that a request waits up to {@link #QUEUE_WAIT} for a turn and is then answered with
 * {@code busy}, so a flood of unknown tokens cannot become a flood of reviews.
 */
final class ReviewCache<V> {

    private record Entry<V>(V value, Instant expires) {
    }

    static final int IN_FLIGHT = 16;
    static final Duration QUEUE_WAIT = Duration.ofSeconds(5);

    private final int capacity;
    private final Function<V, Duration> ttl;
    private final java.util.function.Supplier<V> busy;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT, true);
    private final Clock clock;
    private final LinkedHashMap<String, Entry<V>> entries;
    private long hits;
    private long misses;

    ReviewCache(int capacity, Function<V, Duration> ttl, java.util.function.Supplier<V> busy, Clock clock) {
        this.capacity = capacity;
        this.ttl = ttl;
        this.busy = busy;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ReviewCache.Entry<V>> eldest) {
                return size() > ReviewCache.this.capacity;
            }
        };
    }

    /**
     * The cached answer, or {@code review}'s, kept for its time to live. The review runs outside
     * the lock: a slow API server holds up only the requests that need it.
     */
    V get(String key, Function<String, V> review) {
        Instant now = clock.instant();
        synchronized (this) {
            Entry<V> e = entries.get(key);
            if (e != null && now.isBefore(e.expires())) {
                hits++;
                return e.value();
            }
            if (e != null) entries.remove(key);
            misses++;
        }
        V v;
        try {
            if (!inFlight.tryAcquire(QUEUE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) return busy.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return busy.get();
        }
        try {
            v = review.apply(key);
        } finally {
            inFlight.release();
        }
        Duration keep = ttl.apply(v);
        if (keep != null && keep.isPositive()) {
            synchronized (this) {
                entries.put(key, new Entry<>(v, clock.instant().plus(keep)));
            }
        }
        return v;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }
}
