package codes.temper.source;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * When an agent polls its policy source: pure arithmetic, kept apart from the thread that waits
 * ({@link PolicyPolls}), so the schedule can be checked without one.
 *
 * <p>Thousands of nodes must not poll in lockstep. The first poll happens at start (the agent
 * needs a policy); every later one waits {@code interval × (1 + u)} with {@code u} uniform in
 * {@code [-jitter, +jitter]} (default ±20 %), drawn afresh each time. Nodes started together by a
 * rollout therefore spread out after one interval and keep drifting apart (a random walk), while
 * the mean interval stays {@code interval}. The draws come from a generator seeded by the node's
 * name, so each node's schedule differs from its neighbours' and can be reproduced.
 *
 * @param seed the generator's seed; {@link #forNode} derives it from the node name
 */
public record PollPlan(Duration interval, double jitter, long seed) {
    public static final double DEFAULT_JITTER = 0.2;

    public PollPlan {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (jitter < 0 || jitter >= 1) throw new IllegalArgumentException("jitter must be in [0, 1)");
    }

    /** The plan of the node named {@code node}, with the default jitter. */
    public static PollPlan forNode(String node, Duration interval) {
        return new PollPlan(interval, DEFAULT_JITTER, seedOf(node == null ? "" : node));
    }

    /** The generator the waits are drawn from, fresh: the same seed gives the same waits. */
    public RandomGenerator random() {
        return new SplittableRandom(seed);
    }

    /** The wait before the next poll: {@code interval × (1 + u)}, {@code u} uniform in [-jitter, +jitter]. */
    public Duration nextDelay(RandomGenerator random) {
        double u = jitter <= 0 ? 0 : random.nextDouble(-jitter, jitter);
        return Duration.ofNanos(Math.max(0, Math.round(interval.toNanos() * (1 + u))));
    }

    /** The first {@code n} waits after the start-up poll, as {@link PolicyPolls} draws them. */
    public List<Duration> delays(int n) {
        RandomGenerator r = random();
        List<Duration> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(nextDelay(r));
        return List.copyOf(out);
    }

    /** When the first {@code n} polls after the start-up poll happen, counted from it. */
    public List<Duration> pollTimes(int n) {
        Duration at = Duration.ZERO;
        List<Duration> out = new ArrayList<>(n);
        for (Duration d : delays(n)) {
            at = at.plus(d);
            out.add(at);
        }
        return List.copyOf(out);
    }

    // A digest, not String.hashCode: names like node-1, node-2 must not give neighbouring seeds.
    private static long seedOf(String node) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
