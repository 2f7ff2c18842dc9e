package codes.temper.reconcile;

/**
 * A pod's share within its tier, derived from its CPU request exactly as the kubelet derives the
 * pod cgroup's {@code cpu.weight} (so temper shares a tier as CFS with kubelet's settings would):
 * millicores -> cpu.shares ({@code MilliCPUToShares}) -> cgroup v2 weight
 * ({@code CpuSharesToCpuWeight}, libcontainer's {@code ConvertCPUSharesToCgroupV2Value}).
 */
public final class CpuWeight {
    /** The kubelet's MinShares, MaxShares and SharesPerCPU. */
    static final long MIN_SHARES = 2, MAX_SHARES = 262_144, SHARES_PER_CPU = 1024;
    /** cpu.weight's range. */
    public static final int MIN = 1, MAX = 10_000;

    private CpuWeight() {
    }

    /** cpu.shares for a request: max(2, millis * 1024 / 1000), at most 262144; no request = 2. */
    public static long shares(long requestMillis) {
        if (requestMillis <= 0) return MIN_SHARES;
        // millis * 1024 cannot overflow for any real request; clamp first all the same.
        long m = Math.min(requestMillis, MAX_SHARES * 1000 / SHARES_PER_CPU + 1);
        return Math.clamp(m * SHARES_PER_CPU / 1000, MIN_SHARES, MAX_SHARES);
    }

    /** cpu.weight for a request: 1 + ((shares - 2) * 9999) / 262142, so 1..10000. */
    public static int ofRequestMillis(long requestMillis) {
        long shares = shares(requestMillis);
        return (int) (1 + ((shares - MIN_SHARES) * (MAX - MIN)) / (MAX_SHARES - MIN_SHARES));
    }
}
