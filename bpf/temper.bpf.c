/* SPDX-License-Identifier: GPL-2.0 */
/*
 * temper: Kubernetes QoS tiers in the kernel.
 *
 * Every task belongs to the tier of the first pod cgroup, walking up from its own cgroup, that
 * the agent put in pod_tiers; tasks outside pods (kubelet, container runtime, the agent itself)
 * are in the system tier. Each tier has its own DSQ. Dispatch serves the system tier first, then
 * tiers by rank, skipping a tier that has used its CPU ceiling in the current window. A tier that
 * has waited a whole starvation interval is served before rank order, so strict ranking can never
 * trip the kernel's watchdog: if it did, the kernel would eject us and the node would simply run
 * CFS again, which is the fail-safe, but not a state to reach by design.
 *
 * The agent changes tiers by updating maps; nothing here needs a restart for pod churn.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "temper.h"

char _license[] SEC("license") = "GPL";

#define WINDOW_NS	(100ULL * 1000 * 1000)	/* ceilings are enforced per 100 ms window */
#define STARVE_NS	(500ULL * 1000 * 1000)	/* far below the watchdog timeout below */
#define MAX_DEPTH	16			/* cgroup levels walked looking for a pod */
#define MIN_SLICE_NS	(100ULL * 1000)		/* shortest slice worth a context switch */
#define MAX_CPUS	1024
#define CLOCK_MONOTONIC	1
#define ESRCH		3

#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/*
 * Kernels rename kfuncs (6.12 scx_bpf_dispatch/consume became scx_bpf_dsq_insert/move_to_local
 * in 6.13). The new names come from vmlinux.h; the old ones are weak aliases that libbpf resolves
 * by the name before "___", so one object loads on 6.12 and on today's sid kernel.
 */
void scx_bpf_dispatch___compat(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_consume___compat(u64 dsq_id) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TEMPER_MAX_PODS);
	__type(key, u64);		/* kernfs id of the pod-level cgroup (its inode number) */
	__type(value, u32);		/* tier index */
} pod_tiers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TEMPER_MAX_TIERS);
	__type(key, u32);
	__type(value, struct temper_tier);
} tiers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TEMPER_MAX_TIERS + 1);
	__type(key, u32);
	__type(value, struct temper_tier_stats);
} tier_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct temper_exit);
} exit_info SEC(".maps");

struct task_ctx {
	u32 tier;
	u64 started_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/* Tier currently running on each CPU, so a preempting tier knows whom it may displace. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} cpu_tier SEC(".maps");

struct window_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct window_timer);
} window_timer SEC(".maps");

/* Per-tier use of the current window; shared by all CPUs, so updated atomically. */
static u64 used_ns[TEMPER_MAX_TIERS + 1];
static u64 last_served_ns[TEMPER_MAX_TIERS + 1];
static u64 window_start_ns;
static u64 nr_windows;

/* Starts a new ceiling window when the current one is over; exactly one CPU wins the reset. */
static void roll_window(u64 now)
{
	u64 start = window_start_ns;
	u32 i;

	if (now - start < WINDOW_NS || __sync_val_compare_and_swap(&window_start_ns, start, now) != start)
		return;
	bpf_for(i, 0, TEMPER_MAX_TIERS + 1)
		__sync_lock_test_and_set(&used_ns[i], 0);
	__sync_fetch_and_add(&nr_windows, 1);
}

static void stat_add(u32 tier, int field, u64 v)
{
	struct temper_tier_stats *s = bpf_map_lookup_elem(&tier_stats, &tier);

	if (!s)
		return;
	switch (field) {
	case 0: s->runtime_ns += v; break;
	case 1: s->enqueued += v; break;
	case 2: s->dispatched += v; break;
	case 3: s->throttled += v; break;
	}
}

static struct temper_tier *tier_cfg(u32 tier)
{
	struct temper_tier *cfg;

	if (tier >= TEMPER_MAX_TIERS)
		return NULL;
	cfg = bpf_map_lookup_elem(&tiers, &tier);
	return cfg && (cfg->flags & TEMPER_TIER_ENABLED) ? cfg : NULL;
}

/*
 * The first mapped pod cgroup from the task's own cgroup upwards. The default hierarchy's
 * cgroup is read directly (not the cpu controller's), so this works whichever controllers the
 * node enables.
 */
static u32 task_tier(struct task_struct *p)
{
	struct cgroup *cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp), *anc;
	int level = BPF_CORE_READ(cgrp, level);
	u32 *tier;
	u64 id;

	for (int i = 0; i < MAX_DEPTH; i++) {
		if (level - i < 1)
			break;
		anc = NULL;
		bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[level - i]);
		if (!anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		tier = bpf_map_lookup_elem(&pod_tiers, &id);
		if (tier)
			return tier_cfg(*tier) ? *tier : TEMPER_SYSTEM_TIER;
	}
	return TEMPER_SYSTEM_TIER;
}

static void insert(struct task_struct *p, u64 dsq, u64 slice, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert))
		scx_bpf_dsq_insert(p, dsq, slice, enq_flags);
	else
		scx_bpf_dispatch___compat(p, dsq, slice, enq_flags);
}

static bool move_to_local(u64 dsq)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local))
		return scx_bpf_dsq_move_to_local(dsq);
	return scx_bpf_consume___compat(dsq);
}

/* 7.x has a kfunc for this and warns about direct writes; 6.12 only has the direct write. */
static void set_slice(struct task_struct *p, u64 slice)
{
	if (bpf_ksym_exists(scx_bpf_task_set_slice))
		scx_bpf_task_set_slice(p, slice);
	else
		p->scx.slice = slice;
}

static bool over_ceiling(u32 tier, struct temper_tier *cfg)
{
	u64 budget;

	if (!cfg->ceiling_mcpu)
		return false;
	budget = cfg->ceiling_mcpu * (WINDOW_NS / 1000);
	return __sync_fetch_and_add(&used_ns[tier], 0) >= budget;
}

static bool serve(u32 tier, u64 now)
{
	if (!move_to_local(TEMPER_DSQ_BASE + tier))
		return false;
	last_served_ns[tier] = now;
	stat_add(tier, 2, 1);
	return true;
}

s32 BPF_STRUCT_OPS(temper_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	/* Picking (and claiming) an idle CPU wakes it; it then dispatches by rank like any other. */
	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(temper_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 tier = task_tier(p), zero = 0, *running;
	struct temper_tier *cfg = tier_cfg(tier);
	struct task_ctx *tctx;
	s32 cpu;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (tctx)
		tctx->tier = tier;
	stat_add(tier, 1, 1);
	insert(p, TEMPER_DSQ_BASE + tier, cfg && cfg->slice_ns ? cfg->slice_ns : SCX_SLICE_DFL, enq_flags);

	if (cfg && (cfg->flags & TEMPER_TIER_PREEMPT)) {
		cpu = scx_bpf_task_cpu(p);
		running = bpf_map_lookup_percpu_elem(&cpu_tier, &zero, cpu);
		if (running && *running != TEMPER_SYSTEM_TIER && *running > tier)
			scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
	}
}

/*
 * Fault injection for the kernel lab only (build.sh makes separate objects): the agent must see
 * the kernel eject a broken scheduler, report why, and not re-attach in a loop.
 *   TEMPER_FAULT=1  stall: pod tiers are never served, so the watchdog ejects us
 *   TEMPER_FAULT=2  error: scx_bpf_error() after a few hundred dispatches
 */
#ifndef TEMPER_FAULT
#define TEMPER_FAULT 0
#endif
/* Not const: the kfunc takes a writable buffer, and .rodata is not one. */
static char fault_fmt[] = "temper fault injection after %llu dispatches";
static u64 nr_dispatches;

void BPF_STRUCT_OPS(temper_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 now = bpf_ktime_get_ns();
	struct temper_tier *cfg;
	u32 i;

	if (TEMPER_FAULT == 2 && __sync_fetch_and_add(&nr_dispatches, 1) == 500) {
		u64 data[1] = { 500 };

		scx_bpf_error_bstr(fault_fmt, data, sizeof(data));
	}

	roll_window(now);

	/* System work first: kubelet, the runtime and the agent never wait behind pods. */
	if (serve(TEMPER_SYSTEM_TIER, now) || TEMPER_FAULT == 1)
		return;

	bpf_for(i, 0, TEMPER_MAX_TIERS) {
		cfg = tier_cfg(i);
		if (cfg && !over_ceiling(i, cfg) && now - last_served_ns[i] > STARVE_NS &&
		    scx_bpf_dsq_nr_queued(TEMPER_DSQ_BASE + i) > 0 && serve(i, now))
			return;
	}

	bpf_for(i, 0, TEMPER_MAX_TIERS) {
		cfg = tier_cfg(i);
		if (!cfg)
			continue;
		if (over_ceiling(i, cfg)) {
			if (scx_bpf_dsq_nr_queued(TEMPER_DSQ_BASE + i) > 0)
				stat_add(i, 3, 1);
			continue;
		}
		if (serve(i, now))
			return;
	}
}

void BPF_STRUCT_OPS(temper_running, struct task_struct *p)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u32 zero = 0, *running = bpf_map_lookup_elem(&cpu_tier, &zero);
	struct temper_tier *cfg;
	u64 budget, used;
	u32 tier;

	if (!tctx)
		return;
	tctx->started_ns = bpf_ktime_get_ns();
	tier = tctx->tier;
	if (running)
		*running = tier;

	/*
	 * Usage is charged when a task stops, so a slice started just below the ceiling could run
	 * past it: cut the slice to what is left of the tier's budget in this window.
	 */
	cfg = tier_cfg(tier);
	if (!cfg || !cfg->ceiling_mcpu || tier >= TEMPER_MAX_TIERS)
		return;
	budget = cfg->ceiling_mcpu * (WINDOW_NS / 1000);
	used = __sync_fetch_and_add(&used_ns[tier], 0);
	if (used >= budget)
		set_slice(p, MIN_SLICE_NS);
	else if (p->scx.slice > budget - used)
		set_slice(p, budget - used > MIN_SLICE_NS ? budget - used : MIN_SLICE_NS);
}

void BPF_STRUCT_OPS(temper_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u32 tier;
	u64 ran;

	if (!tctx || !tctx->started_ns)
		return;
	tier = tctx->tier;	/* one read, so the bounds check below is the one the verifier sees */
	if (tier > TEMPER_SYSTEM_TIER)
		return;
	ran = bpf_ktime_get_ns() - tctx->started_ns;
	tctx->started_ns = 0;
	__sync_fetch_and_add(&used_ns[tier], ran);
	stat_add(tier, 0, ran);
}

/*
 * Each window: roll it and wake idle CPUs, because a CPU that went idle while every queued tier
 * was at its ceiling would otherwise sleep until an unrelated wakeup.
 */
static int window_tick(void *map, int *key, struct bpf_timer *timer)
{
	u32 i, nr = scx_bpf_nr_cpu_ids();

	roll_window(bpf_ktime_get_ns());
	bpf_for(i, 0, MAX_CPUS) {
		if (i >= nr)
			break;
		scx_bpf_kick_cpu(i, SCX_KICK_IDLE);
	}
	bpf_timer_start(timer, WINDOW_NS, 0);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(temper_init)
{
	struct bpf_timer *timer;
	u32 i, zero = 0;
	s32 ret;

	bpf_for(i, 0, TEMPER_MAX_TIERS + 1) {
		ret = scx_bpf_create_dsq(TEMPER_DSQ_BASE + i, -1);
		if (ret)
			return ret;
	}
	timer = bpf_map_lookup_elem(&window_timer, &zero);
	if (!timer)
		return -ESRCH;
	bpf_timer_init(timer, &window_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(timer, window_tick);
	return bpf_timer_start(timer, WINDOW_NS, 0);
}

void BPF_STRUCT_OPS(temper_exit, struct scx_exit_info *ei)
{
	u32 zero = 0;
	struct temper_exit *e = bpf_map_lookup_elem(&exit_info, &zero);

	if (!e)
		return;
	bpf_probe_read_kernel_str(e->reason, sizeof(e->reason), ei->reason);
	bpf_probe_read_kernel_str(e->msg, sizeof(e->msg), ei->msg);
	e->exit_code = ei->exit_code;
	e->kind = ei->kind;	/* last: the agent reads kind != 0 as "the rest is written" */
}

SEC(".struct_ops.link")
struct sched_ext_ops temper_ops = {
	.select_cpu	= (void *)temper_select_cpu,
	.enqueue	= (void *)temper_enqueue,
	.dispatch	= (void *)temper_dispatch,
	.running	= (void *)temper_running,
	.stopping	= (void *)temper_stopping,
	.init		= (void *)temper_init,
	.exit		= (void *)temper_exit,
	/*
	 * Without ENQ_LAST the kernel keeps running a task whose slice ended when dispatch finds
	 * nothing else, which would let a tier at its ceiling run on; with it, that task comes back
	 * through enqueue and waits for the next window like the rest of its tier.
	 */
	.flags		= SCX_OPS_ENQ_LAST,
	.timeout_ms	= 10000,
	.name		= "temper",
};
