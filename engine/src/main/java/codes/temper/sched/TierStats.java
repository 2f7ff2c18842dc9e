package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * A tier's counters, summed over CPUs: {@code struct temper_tier_stats} in bpf/temper.h, stored
 * per CPU in {@code tier_stats}. All counters run from the scheduler's load (a re-attach after
 * safe mode or an ejection starts them again from zero).
 *
 * @param runtimeNs  CPU time the tier's tasks ran
 * @param enqueued   tasks queued on the tier's queues
 * @param dispatched tasks moved from the tier's queues to a CPU
 * @param throttled  times the tier was found at its ceiling with work queued
 * @param direct     wake-ups placed straight on an idle CPU
 * @param preempts   CPUs running lower-ranked work that a wake-up of this tier preempted
 * @param wakeups    wake-to-run latencies recorded
 * @param wakeNs     their sum
 * @param wakeHist   {@link #LAT_BUCKETS} buckets: [i] counts latencies below 2^i microseconds, the
 *                   last one every longer latency
 * @param floored    runs served before a higher tier because the tier was under its floor
 * @param rescued    runs served out of turn after a task waited the scheduler's liveness limit
 */
public record TierStats(long runtimeNs, long enqueued, long dispatched, long throttled, long direct, long preempts,
        long wakeups, long wakeNs, long[] wakeHist, long floored, long rescued) {
    /** TEMPER_LAT_BUCKETS. */
    public static final int LAT_BUCKETS = 24;
    /** The counters before wake_hist. */
    private static final int SCALARS = 8;

    /** The counters after wake_hist (appended to the struct later). */
    private static final int TAIL = 2;

    public static final TierStats ZERO = new TierStats(0, 0, 0, 0, 0, 0, 0, 0, new long[LAT_BUCKETS]);

    /** Before the floor and liveness counters were appended. */
    public TierStats(long runtimeNs, long enqueued, long dispatched, long throttled, long direct, long preempts,
            long wakeups, long wakeNs, long[] wakeHist) {
        this(runtimeNs, enqueued, dispatched, throttled, direct, preempts, wakeups, wakeNs, wakeHist, 0, 0);
    }

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("runtime_ns"),
            JAVA_LONG.withName("enqueued"),
            JAVA_LONG.withName("dispatched"),
            JAVA_LONG.withName("throttled"),
            JAVA_LONG.withName("direct"),
            JAVA_LONG.withName("preempts"),
            JAVA_LONG.withName("wakeups"),
            JAVA_LONG.withName("wake_ns"),
            MemoryLayout.sequenceLayout(LAT_BUCKETS, JAVA_LONG).withName("wake_hist"),
            JAVA_LONG.withName("floored"),
            JAVA_LONG.withName("rescued")).withName("temper_tier_stats");

    public TierStats {
        if (wakeHist.length != LAT_BUCKETS) throw new IllegalArgumentException(wakeHist.length + " buckets, not " + LAT_BUCKETS);
        wakeHist = wakeHist.clone();
    }

    @Override
    public long[] wakeHist() {
        return wakeHist.clone();
    }

    /** Bucket i's count. */
    public long bucket(int i) {
        return wakeHist[i];
    }

    /**
     * Bucket i's upper bound in microseconds (latencies in it are below this), or
     * {@link Long#MAX_VALUE} for the last bucket, which has none.
     */
    public static long bucketUpperMicros(int i) {
        return i == LAT_BUCKETS - 1 ? Long.MAX_VALUE : 1L << i;
    }

    /**
     * An estimate of the wake-to-run latency quantile {@code q} (0 < q <= 1) in microseconds: the
     * upper bound of the histogram bucket that holds it, so the true value is below the estimate
     * and, above the first bucket, at least half of it (bucket i holds [2^(i-1), 2^i) us). When the quantile falls in the last
     * bucket, which has no upper bound, the estimate is that bucket's lower bound 2^22 us (about
     * 4.2 s) and the true value is at least that. Empty when nothing was recorded.
     */
    public java.util.OptionalLong wakeQuantileMicros(double q) {
        return quantileMicros(wakeHist, q);
    }

    /** {@link #wakeQuantileMicros} over any bucket counts (for example the difference of two reads). */
    public static java.util.OptionalLong quantileMicros(long[] hist, double q) {
        if (!(q > 0 && q <= 1)) throw new IllegalArgumentException("quantile " + q);
        long total = 0;
        for (long c : hist) total += c;
        if (total <= 0) return java.util.OptionalLong.empty();
        // The rank of the quantile: the smallest count n with n >= q * total (at least 1); the
        // epsilon keeps 0.99 * 100 = 99.00000000000001 at rank 99.
        long rank = Math.max(1, (long) Math.ceil(q * total - 1e-9));
        long seen = 0;
        for (int i = 0; i < hist.length; i++) {
            seen += hist[i];
            if (seen >= rank) return java.util.OptionalLong.of(i == hist.length - 1 ? 1L << (hist.length - 2) : 1L << i);
        }
        return java.util.OptionalLong.of(1L << (hist.length - 2));
    }

    /**
     * Sums a per-CPU lookup result: the kernel returns one value per possible CPU, each rounded up
     * to 8 bytes (already the case for this struct).
     */
    static TierStats sumPerCpu(MemorySegment values, int cpus) {
        long[] sum = new long[SCALARS + LAT_BUCKETS + TAIL];
        for (int cpu = 0; cpu < cpus; cpu++) {
            long base = cpu * LAYOUT.byteSize();
            for (int f = 0; f < sum.length; f++) sum[f] += values.get(JAVA_LONG, base + f * 8L);
        }
        return of(sum);
    }

    private static TierStats of(long[] f) {
        int t = SCALARS + LAT_BUCKETS;
        return new TierStats(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], Arrays.copyOfRange(f, SCALARS, t), f[t], f[t + 1]);
    }

    private long[] fields() {
        long[] f = new long[SCALARS + LAT_BUCKETS + TAIL];
        f[0] = runtimeNs;
        f[1] = enqueued;
        f[2] = dispatched;
        f[3] = throttled;
        f[4] = direct;
        f[5] = preempts;
        f[6] = wakeups;
        f[7] = wakeNs;
        System.arraycopy(wakeHist, 0, f, SCALARS, LAT_BUCKETS);
        f[SCALARS + LAT_BUCKETS] = floored;
        f[SCALARS + LAT_BUCKETS + 1] = rescued;
        return f;
    }

    public TierStats plus(TierStats o) {
        long[] a = fields(), b = o.fields();
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return of(a);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TierStats t && Arrays.equals(fields(), t.fields());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fields());
    }

    @Override
    public String toString() {
        return "TierStats[runtimeNs=" + runtimeNs + ", enqueued=" + enqueued + ", dispatched=" + dispatched + ", throttled=" + throttled
                + ", direct=" + direct + ", preempts=" + preempts + ", wakeups=" + wakeups + ", wakeNs=" + wakeNs
                + ", wakeHist=" + Arrays.toString(wakeHist) + ", floored=" + floored + ", rescued=" + rescued + "]";
    }
}
