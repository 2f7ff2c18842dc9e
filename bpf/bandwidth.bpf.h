/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by temper.bpf.c after struct task_ctx: the cgroup bandwidth (cpu.max) budgets.
 */
#ifndef TEMPER_BANDWIDTH_BPF_H
#define TEMPER_BANDWIDTH_BPF_H

#define POD_PERIOD_US	100000		/* the period of a pod ceiling from the agent */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * TEMPER_MAX_PODS);
	__type(key, u64);		/* kernfs id of a cgroup with a limit */
	__type(value, struct temper_bw);
} cgroup_bw SEC(".maps");

/*
 * CPU bandwidth (cpu.max). While a sched_ext scheduler is attached, the kernel's own CFS
 * bandwidth control does not apply, so this does: from 6.17 the kernel passes every cgroup's
 * cpu.max through ops.cgroup_init/cgroup_set_bandwidth; before that the agent writes each pod's
 * ceiling, derived from its CPU limits, into pod_tiers. A task is charged to each limited cgroup
 * it is in (its container's and its pod's), so both limits hold. Charging works as for tier
 * ceilings: a running task reserves its slice from every budget and returns the rest when it
 * stops; a task whose cgroup has spent its budget is parked until the period's refill.
 */
static bool bw_unlimited(u64 period_us, u64 quota_us)
{
	/* cpu.max "max" arrives as U64_MAX; nothing real exceeds a day per period. */
	return !period_us || !quota_us || quota_us > 86400ULL * 1000 * 1000;
}

static void bw_set(u64 id, u64 period_us, u64 quota_us, u64 burst_us, u32 source)
{
	struct temper_bw *bw = bpf_map_lookup_elem(&cgroup_bw, &id), init = {};

	if (bw_unlimited(period_us, quota_us)) {
		if (bw && bw->source == source)
			bpf_map_delete_elem(&cgroup_bw, &id);
		return;
	}
	if (bw) {
		/* The kernel's own cpu.max wins over a ceiling the agent derived for the same pod. */
		if (bw->source == TEMPER_BW_KERNEL && source != TEMPER_BW_KERNEL)
			return;
		if (bw->quota_ns == quota_us * 1000 && bw->period_ns == period_us * 1000 &&
		    bw->burst_ns == burst_us * 1000)
			return;
		bw->quota_ns = quota_us * 1000;
		bw->period_ns = period_us * 1000;
		bw->burst_ns = burst_us * 1000;
		bw->source = source;
		if (bw->budget_ns > (s64)(bw->quota_ns + bw->burst_ns))
			bw->budget_ns = bw->quota_ns + bw->burst_ns;
		return;
	}
	init.quota_ns = quota_us * 1000;
	init.period_ns = period_us * 1000;
	init.burst_ns = burst_us * 1000;
	init.budget_ns = init.quota_ns;
	init.period_end_ns = bpf_ktime_get_ns() + init.period_ns;
	init.source = source;
	bpf_map_update_elem(&cgroup_bw, &id, &init, BPF_NOEXIST);
}

/* Refills the budget when its period is over; one CPU wins each refill. */
static void bw_roll(struct temper_bw *bw, u64 now)
{
	u64 end = bw->period_end_ns, n;

	if ((s64)(now - end) < 0 || !bw->period_ns)
		return;
	n = (now - end) / bw->period_ns + 1;
	if (__sync_val_compare_and_swap(&bw->period_end_ns, end, end + n * bw->period_ns) != end)
		return;
	budget_refill(&bw->budget_ns, bw->quota_ns * (n < 16 ? n : 16), bw->quota_ns + bw->burst_ns);
}

/* The refill time of the first of the task's limited cgroups that has no budget left, or 0. */
static u64 bw_blocked(struct task_ctx *tctx, u64 now, bool count)
{
	struct temper_bw *bw;
	u64 id;
	u32 i;

	bpf_for(i, 0, BW_LEVELS) {
		id = tctx->bw[i];
		if (!id)
			break;
		bw = bpf_map_lookup_elem(&cgroup_bw, &id);
		if (!bw)
			continue;
		bw_roll(bw, now);
		if (*(volatile s64 *)&bw->budget_ns <= 0) {
			if (count)
				__sync_fetch_and_add(&bw->throttled, 1);
			return bw->period_end_ns ?: 1;
		}
	}
	return 0;
}

/* Remembers a limited cgroup of the task's; the pod's own ceiling is kept in step on the way. */
static void bw_collect(struct task_ctx *tctx, u64 id, struct temper_pod *pod, u32 *n)
{
	struct temper_bw *bw;

	if (pod) {
		if (pod->ceiling_mcpu)
			bw_set(id, POD_PERIOD_US, pod->ceiling_mcpu * (POD_PERIOD_US / 1000), 0, TEMPER_BW_POD);
		else
			bw_set(id, 0, 0, 0, TEMPER_BW_POD);
	}
	if (*n >= BW_LEVELS || !(bw = bpf_map_lookup_elem(&cgroup_bw, &id)))
		return;
	tctx->bw[*n & (BW_LEVELS - 1)] = id;
	(*n)++;
}

#endif /* TEMPER_BANDWIDTH_BPF_H */
