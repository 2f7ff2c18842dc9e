/* SPDX-License-Identifier: GPL-2.0 */
/*
 * temper: Kubernetes QoS tiers in the kernel.
 *
 * A task belongs to the tier of the first pod cgroup, walking up from its own cgroup, that the
 * agent put in pod_tiers. A task below the pods' root cgroup whose pod is not mapped yet runs at
 * the policy's default tier; everything else (kubelet, container runtime, the agent) is system
 * work.
 *
 * Placement. A waking task goes straight to an idle CPU (its previous CPU, then its LLC, then
 * any) when there is one. Otherwise it is queued, and a task of a preempting tier kicks the CPU
 * running the lowest-ranked work anywhere on the node (system work ranks below every tier). So
 * latency-sensitive work never waits for a lower tier's slice to run out. System work does not
 * preempt: its floor puts it first at the next dispatch.
 * A kernel thread goes straight to its CPU's queue: kernel work keeps the node alive.
 *
 * Order. Each tier has a queue per LLC, ordered by virtual time. Pods in a tier share it by
 * weight (the agent writes kubelet's cpu.weight, from the pods' CPU requests): a pod's virtual
 * time advances by runtime * 100 / weight and its tasks queue at it, so one greedy pod cannot take
 * its tier, and tasks within a pod take turns. Rank is strict: a CPU serves the highest-ranked
 * tier with work, and keeps running a task whose slice ended while nothing outranks it.
 *
 * Floors. Strict rank would let a saturating tier starve every tier below it; CFS's weights
 * would instead give each a share by requests, whatever the priority. Here each tier has a floor
 * (a policy knob, 1 % of the node by default): each 100 ms window, a tier with work waiting behind
 * a higher one is served out of rank order for up to its floor, in short slices reserved from it
 * so its tasks take turns and no CPU serves it past the floor (an overrun is repaid). So under
 * saturation a lower tier gets its floor and no more; otherwise also whatever is left. System work
 * has a floor too (10 % by default): within it, it is served before every tier; beyond it, after
 * every tier. So kubelet and the runtime are never starved, and runaway system work never takes
 * the node from the pods.
 *
 * Ceilings. A capped tier has a budget of ceiling * 100 ms, refilled each 100 ms. A CPU reserves
 * its slice from the budget when the task starts running and gives back what it did not use when
 * it stops; overrun (the tick ends a slice late) is carried into the next window as debt, and a
 * run that crosses a refill charges the new window for its part after it. So the tier holds its
 * ceiling over any second, CPUs do not charge one counter on every tick, and a tier whose ceiling
 * is lifted is work-conserving at once.
 *
 * cpu.max. While a sched_ext scheduler is attached the kernel's CFS bandwidth control does not
 * apply, so cgroup limits are enforced here, the same way (bandwidth.bpf.h): from the kernel's
 * cpu.max on 6.17+, from pod ceilings the agent derives from CPU limits before that.
 *
 * Liveness. A task that has waited GUARD_NS in any queue is served out of turn, in a short slice,
 * far below the kernel's watchdog timeout: the guard is per task, so a tier of a thousand threads
 * has every one of them run. Slices too short for the scheduler tick to end are ended by a per-CPU
 * timer. A CPU taken by a realtime task hands its queued tasks back to be run elsewhere and is
 * never chosen to preempt (on 6.12 a task that makes itself realtime takes its CPU without
 * cpu_release, so the choice also reads the policy of the CPU's current task). Were the
 * watchdog to fire anyway, the kernel would eject us and the node would run CFS again: the
 * fail-safe, but not a state to reach by design.
 *
 * The agent changes tiers by updating maps; nothing here needs a restart for pod churn.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "temper.h"
#include "compat.bpf.h"

char _license[] SEC("license") = "GPL";

#define WINDOW_NS	(100ULL * 1000 * 1000)	/* ceiling and floor budgets are refilled every 100 ms */
#define GUARD_NS	(2000ULL * 1000 * 1000)	/* a task queued this long is served out of turn */
#define GUARD_SCAN_NS	(20ULL * 1000 * 1000)	/* how often a CPU looks for one */
#define SCAN_MAX	16			/* queued tasks looked at per queue by such a search */
#define SHORT_SLICE_NS	(250ULL * 1000)		/* a run for the liveness guard */
#define FLOOR_SLICE_NS	(2ULL * 1000 * 1000)	/* the longest run for a floor */
#define FLOOR_DEBT_WINDOWS	10			/* a floor overrun is repaid for at most 1 s */
#define TIMED_SLICE_NS	(2ULL * 1000 * 1000)	/* shorter slices are ended by a timer, not the tick */
#define TIMER_MIN_NS	(1000ULL * 1000)	/* the window timer never fires sooner than this again */
#define MAX_DEPTH	16			/* cgroup levels walked looking for a pod */
#define MIN_SLICE_NS	(100ULL * 1000)		/* shortest slice worth a context switch */
#define WEIGHT_DFL	100
#define FLOOR_DFL_PERMILLE	10		/* a tier's floor when the agent gives none: 1 % */
#define SYSTEM_FLOOR_DFL_PERMILLE 100		/* system work's: 10 % */
#define DSQS_PER_LLC	32			/* TEMPER_DSQ_BASE + llc * 32 + tier */
#define POLICY_FIFO	1			/* sched(7)'s SCHED_FIFO, SCHED_RR, SCHED_DEADLINE */
#define POLICY_RR	2
#define POLICY_DEADLINE	6
/*
 * cpu_ctx.rank: what a CPU runs, for wake-ups looking for one to displace (the higher, the
 * sooner displaced). A tier's is its index; system work's is below every tier (its floor is kept
 * by dispatch order, not by holding CPUs against critical pods).
 */
#define RANK_OTHER	-2			/* a realtime task has it: never displaced */
#define RANK_SYSTEM	TEMPER_SYSTEM_TIER	/* system work */
#define RANK_IDLE	(TEMPER_MAX_TIERS + 1)	/* idle */
#define NO_TIER		(TEMPER_MAX_TIERS + 2)	/* no tier has work */
#define BW_LEVELS	4			/* limited cgroups a task is charged to (container, pod, ...) */
#define PARKED_DSQ	(TEMPER_DSQ_BASE + TEMPER_MAX_LLCS * DSQS_PER_LLC)	/* held for a refill */
#define PARK_MAX_NS	(2ULL * 1000 * 1000 * 1000)	/* forgiven after this long, far below the watchdog */
#define CLOCK_MONOTONIC	1
#define PF_KTHREAD	0x00200000		/* include/linux/sched.h: not in BTF */
#define ESRCH		3

/*
 * Fault injection for the kernel lab only (build.sh makes separate objects): the agent must see
 * the kernel eject a broken scheduler, report why, and not re-attach in a loop.
 *   TEMPER_FAULT=1  stall: pod tiers are never served, so the watchdog ejects us
 *   TEMPER_FAULT=2  error: scx_bpf_error() after a few hundred dispatches
 */
#ifndef TEMPER_FAULT
#define TEMPER_FAULT 0
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TEMPER_MAX_PODS);
	__type(key, u64);		/* kernfs id of the pod-level cgroup (its inode number) */
	__type(value, struct temper_pod);
} pod_tiers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TEMPER_MAX_TIERS);
	__type(key, u32);
	__type(value, struct temper_tier);
} tiers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct temper_config);
} node_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TEMPER_MAX_CPUS);
	__type(key, u32);
	__type(value, u32);
} cpu_llc SEC(".maps");

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
	u64 pod;		/* pod cgroup id; 0 = none (system work, or a pod not mapped yet) */
	u32 tier;		/* tier when last queued */
	u32 weight;
	u32 run_tier;		/* tier charged for the current run */
	u64 started_ns;		/* when the current run started; 0 = not running */
	u64 started_exec;	/* its se.sum_exec_runtime then */
	u64 reserved_ns;	/* ceiling budget reserved for the current run */
	u64 run_window;		/* the ceiling window it was reserved in (its start) */
	u64 woken_ns;		/* when it last woke up; 0 once it ran */
	u64 queued_ns;		/* when it was last put in a tier's queue (the liveness guard) */
	u64 floor_res;		/* floor reserved for a run out of rank order (floor or guard); 0 = none */
	s32 victim;		/* CPU select_cpu chose to preempt; -1 = none */
	u64 parked_ns;		/* when it was held back for a bandwidth refill */
	u64 bw[BW_LEVELS];	/* its limited cgroups, innermost first; 0 ends the list */
	u64 run_bw[BW_LEVELS];	/* ... as charged for the current run */
	u64 run_res[BW_LEVELS];	/* bandwidth reserved from each for the current run */
	u64 run_period[BW_LEVELS]; /* ... in the period ending then */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/* A pod's virtual time. LRU: a pod that is gone ages out; one evicted while alive restarts at
 * its tier's current virtual time, which is where a waking pod is placed anyway. */
struct pod_ctx {
	u64 vtime;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TEMPER_MAX_PODS);
	__type(key, u64);
	__type(value, struct pod_ctx);
} pod_ctxs SEC(".maps");

/* What each CPU runs, so a waking task knows whom it may preempt. */
struct cpu_ctx {
	s64 rank;		/* tier index, RANK_SYSTEM, RANK_IDLE or RANK_OTHER (64 bits: cmpxchg) */
	u64 run_seq;		/* counts runs, so a slice timer knows whether its run is still on */
	u64 guard_scan_ns;	/* when this CPU next looks for a task waiting GUARD_NS */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_ctx);
} cpu_ctxs SEC(".maps");

struct window_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct window_timer);
} window_timer SEC(".maps");

/*
 * Per CPU: ends a slice shorter than the scheduler tick on time (the tick would let a 250 us slice
 * run for up to a tick, 4 ms at HZ=250, which would make floors and the guard cost 16x more).
 */
struct slice_timer {
	struct bpf_timer timer;
	u64 seq;		/* cpu_ctx.run_seq of the run it ends */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TEMPER_MAX_CPUS);
	__type(key, u32);
	__type(value, struct slice_timer);
} slice_timers SEC(".maps");

/*
 * The functions marked __noinline are BPF global functions: the verifier checks each once, on
 * its own, rather than again at every call site with every state the caller can be in, which
 * keeps dispatch within 6.12's verifier limits (it refused the program with E2BIG otherwise).
 */

/*
 * Per tier (the system tier included), indexed through slot(): the arrays are a power of two
 * long and the index is masked, which the verifier accepts however the compiler copies it.
 */
#define SLOTS		32
static s64 budget_ns[SLOTS];		/* ceiling budget left; below 0 = debt */
static s64 floor_ns[SLOTS];		/* floor left in this window; below 0 = ran beyond it */
static u64 vtime_now[SLOTS];		/* virtual time of the last task run */
static u64 served_ns[SLOTS];		/* when a CPU last took a task from the tier (ops.dump) */
static u32 nr_llcs = 1;

static u32 slot(u32 tier)
{
	asm volatile("" : "+r"(tier));	/* the compiler may not drop the mask as redundant */
	return tier & (SLOTS - 1);
}

/* A tier's ceiling budget (see budget_reserve() below). */
static s64 *tier_budget(u32 tier)
{
	return &budget_ns[slot(tier)];
}
static u64 window_start_ns;
static u64 timer_due_ns;		/* when the window timer fires next */

static void roll_window(u64 now);
static void arm_timer(u64 when, u64 now);
static bool unpark(u64 now);

static struct temper_tier *tier_cfg(u32 tier)
{
	struct temper_tier *cfg;

	if (tier >= TEMPER_MAX_TIERS)
		return NULL;
	cfg = bpf_map_lookup_elem(&tiers, &tier);
	return cfg && (cfg->flags & TEMPER_TIER_ENABLED) ? cfg : NULL;
}

static struct temper_config *node_cfg(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&node_config, &zero);
}

static struct cpu_ctx *cpu_ctx_of(s32 cpu)
{
	u32 zero = 0;

	return bpf_map_lookup_percpu_elem(&cpu_ctxs, &zero, cpu);
}

/* The u64 counters at the head of struct temper_tier_stats, in their order there. */
enum tier_counter {
	STAT_RUNTIME_NS,
	STAT_ENQUEUED,
	STAT_DISPATCHED,
	STAT_THROTTLED,
	STAT_DIRECT,
	STAT_PREEMPTS,
	STAT_WAKEUPS,
	STAT_WAKE_NS,
	NR_TIER_COUNTERS,
};
_Static_assert(__builtin_offsetof(struct temper_tier_stats, wake_hist) == NR_TIER_COUNTERS * sizeof(u64),
	       "enum tier_counter must list the counters of struct temper_tier_stats in order");

static struct temper_tier_stats *tier_stat(u32 tier)
{
	return bpf_map_lookup_elem(&tier_stats, &tier);
}

/* Per-CPU counters, so a plain add is enough. */
static void stat_add(u32 tier, enum tier_counter field, u64 n)
{
	struct temper_tier_stats *st = tier_stat(tier);

	if (st && field < NR_TIER_COUNTERS)
		((u64 *)st)[field] += n;
}

static u64 tier_slice(u32 tier)
{
	struct temper_tier *cfg = tier_cfg(tier);

	return cfg && cfg->slice_ns ? cfg->slice_ns : SCX_SLICE_DFL;
}

static bool throttled(u32 tier)
{
	struct temper_tier *cfg = tier_cfg(tier);

	return cfg && cfg->ceiling_mcpu && tier < TEMPER_MAX_TIERS &&
	       *(volatile s64 *)tier_budget(tier) <= 0;
}

/* The floor in millicores: the agent's, else the default share of the node. */
static u64 floor_mcpu(u32 tier)
{
	struct temper_tier *cfg;
	struct temper_config *c;

	if (tier == TEMPER_SYSTEM_TIER) {
		c = node_cfg();
		if (c && c->system_floor_mcpu)
			return c->system_floor_mcpu;
		return scx_bpf_nr_cpu_ids() * SYSTEM_FLOOR_DFL_PERMILLE;
	}
	cfg = tier_cfg(tier);
	if (!cfg || (cfg->flags & TEMPER_TIER_NO_FLOOR))
		return 0;
	return cfg->floor_mcpu ?: scx_bpf_nr_cpu_ids() * FLOOR_DFL_PERMILLE;
}

static bool under_floor(u32 tier)
{
	return *(volatile s64 *)&floor_ns[slot(tier)] > 0;
}

static u32 llc_of(s32 cpu)
{
	u32 key = cpu, *llc = bpf_map_lookup_elem(&cpu_llc, &key);

	return llc && *llc < nr_llcs ? *llc : 0;
}

static u64 dsq_of(u32 llc, u32 tier)
{
	return TEMPER_DSQ_BASE + (u64)llc * DSQS_PER_LLC + tier;
}

/* Where an unmapped task below the pods' root runs: never above the policy's default tier. */
static u32 default_tier(struct temper_config *c)
{
	u32 i;

	if ((c->flags & TEMPER_CFG_DEFAULT_TIER) && tier_cfg(c->default_tier))
		return c->default_tier;
	for (i = TEMPER_MAX_TIERS; i > 0; i--)
		if (tier_cfg(i - 1))
			return i - 1;
	return TEMPER_SYSTEM_TIER;
}

/*
 * A budget of CPU time shared by all CPUs: a tier's ceiling, or a cgroup's cpu.max. A CPU reserves
 * a slice before it runs a task and settles what the task really ran when it stops; each period
 * refills it up to a cap. Below zero is debt, carried into the next period.
 */
/* Takes up to @want from @budget; returns what it got (0 when nothing is left). */
static s64 budget_reserve(s64 *budget, s64 want)
{
	s64 left = __sync_fetch_and_sub(budget, want);

	if (left >= want)
		return want;
	left = left > 0 ? left : 0;
	__sync_fetch_and_add(budget, want - left);
	return left;
}

/* Gives back what a run did not use of its reservation, or owes its overrun. */
static void budget_settle(s64 *budget, s64 reserved, s64 ran)
{
	__sync_fetch_and_add(budget, reserved - ran);
}

/*
 * Settles a run that a refill cut in two, @after of its @ran after the refill. What it left of
 * its reservation belonged to the period that ended, where unused budget lapses: given back, it
 * would lift the new period above its quota on every run that crosses a refill. What it ran after
 * the refill is charged to the new period, and an overrun of the old reservation is owed as ever.
 */
static void budget_settle_late(s64 *budget, s64 reserved, s64 ran, s64 after)
{
	s64 before;

	if (after > ran)
		after = ran;
	before = ran - after;
	__sync_fetch_and_sub(budget, after + (before > reserved ? before - reserved : 0));
}

/* Adds a period's worth, keeping at most @cap: unused budget does not pile up, debt is repaid. */
static void budget_refill(s64 *budget, s64 add, s64 cap)
{
	s64 got = __sync_fetch_and_add(budget, add) + add;

	if (got > cap)
		__sync_fetch_and_sub(budget, got - cap);
}

#include "bandwidth.bpf.h"

/*
 * Finds the task's tier by walking up from its cgroup to the first mapped pod. The default
 * hierarchy's cgroup is read directly (not the cpu controller's), so this works whichever
 * controllers the node enables. Run at every enqueue, so the agent's map changes apply at once.
 */
static void resolve(struct task_struct *p, struct task_ctx *tctx)
{
	struct cgroup *cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp), *anc;
	int level = BPF_CORE_READ(cgrp, level);
	u32 nr_bw = 0, j;
	struct temper_config *c = node_cfg();
	struct temper_pod *pod;
	u64 id;

	tctx->pod = 0;
	tctx->weight = WEIGHT_DFL;
	tctx->tier = TEMPER_SYSTEM_TIER;
	bpf_for(j, 0, BW_LEVELS)
		tctx->bw[j] = 0;
	for (int i = 0; i < MAX_DEPTH; i++) {
		if (level - i < 1)
			break;
		anc = NULL;
		bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[level - i]);
		if (!anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		pod = bpf_map_lookup_elem(&pod_tiers, &id);
		bw_collect(tctx, id, pod, &nr_bw);
		if (pod && tier_cfg(pod->tier)) {
			tctx->pod = id;
			tctx->tier = pod->tier;
			tctx->weight = pod->weight ?: WEIGHT_DFL;
			return;
		}
		if (c && c->pods_cgroup_id && id == c->pods_cgroup_id) {
			tctx->tier = default_tier(c);
			return;
		}
	}
}

static struct task_ctx *task_ctx(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * The pod's virtual time, not below its tier's current one less a slice: a pod that slept does
 * not bank credit to run ahead of its peers when it wakes.
 */
static u64 pod_vtime(u32 tier, u64 pod)
{
	struct pod_ctx *pc, init = {};
	u64 now, floor;

	if (tier >= TEMPER_MAX_TIERS)
		return 0;
	now = vtime_now[slot(tier)];
	floor = now - tier_slice(tier);
	if (!pod)
		return now;
	pc = bpf_map_lookup_elem(&pod_ctxs, &pod);
	if (!pc) {
		init.vtime = now;
		bpf_map_update_elem(&pod_ctxs, &pod, &init, BPF_NOEXIST);
		return now;
	}
	if ((s64)(pc->vtime - floor) < 0)
		pc->vtime = floor;
	return pc->vtime;
}

/*
 * Whether a waking task of this tier may preempt. System work never does: within its floor it is
 * served first at the next dispatch, and its floor is charged only there, so preempting would let
 * wake-heavy system work past its bound.
 */
static bool preempts(u32 tier)
{
	struct temper_tier *cfg;

	if (tier == TEMPER_SYSTEM_TIER)
		return false;
	cfg = tier_cfg(tier);
	return cfg && (cfg->flags & TEMPER_TIER_PREEMPT);
}

/*
 * Whether a realtime or deadline task has @cpu. cpu_release says so when one preempts our task,
 * but not on 6.12 when our task makes itself realtime where it runs (sched_setscheduler): a task
 * queued on that CPU would wait as long as the realtime one runs, the kernel's watchdog too.
 */
static bool cpu_taken(s32 cpu)
{
	int policy = cpu_curr_policy(cpu);

	return policy == POLICY_FIFO || policy == POLICY_RR || policy == POLICY_DEADLINE;
}

/*
 * The idle CPU, else the one running the lowest-ranked work below this tier, that a waking task
 * of a preempting tier may take over. The CPU is claimed with a compare-and-swap, so two wake-ups
 * never pick the same one.
 */
static s32 victim_cpu(struct task_struct *p, u32 tier, s32 prefer)
{
	s64 mine = tier, best_rank = mine;
	s32 best = -1;
	u32 i, nr = scx_bpf_nr_cpu_ids();
	struct cpu_ctx *cc;

	bpf_for(i, 0, TEMPER_MAX_CPUS) {
		s32 cpu = (prefer + i) % nr;

		if (i >= nr)
			break;
		cc = cpu_ctx_of(cpu);
		if (!cc || cc->rank <= best_rank)
			continue;
		if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			continue;
		best = cpu;
		best_rank = cc->rank;
		if (best_rank == RANK_IDLE)
			break;
	}
	if (best < 0 || !(cc = cpu_ctx_of(best)))
		return -1;
	if (cpu_taken(best)) {
		__sync_val_compare_and_swap(&cc->rank, best_rank, RANK_OTHER);
		return -1;
	}
	return __sync_val_compare_and_swap(&cc->rank, best_rank, mine) == best_rank ? best : -1;
}

s32 BPF_STRUCT_OPS(temper_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct task_ctx *tctx;
	bool is_idle = false;
	s32 cpu, victim;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (TEMPER_FAULT == 1 || !(tctx = task_ctx(p)))
		return cpu;
	resolve(p, tctx);
	tctx->victim = -1;
	if (throttled(tctx->tier) || bw_blocked(tctx, bpf_ktime_get_ns(), false))
		return cpu;
	if (is_idle) {
		/* Nothing runnable was waiting for this CPU: run there now, skipping the queues. */
		insert(p, SCX_DSQ_LOCAL, tier_slice(tctx->tier), 0);
		stat_add(tctx->tier, STAT_DIRECT, 1);
		return cpu;
	}
	/*
	 * No idle CPU: wake up on the CPU running the lowest-ranked work this task may displace, and
	 * enqueue preempts it there. Waking on that CPU rather than kicking it from here saves the
	 * round trip through the queues, and the interrupt when it is this very CPU.
	 */
	if (!preempts(tctx->tier) || (victim = victim_cpu(p, tctx->tier, prev_cpu)) < 0)
		return cpu;
	tctx->victim = victim;
	return victim;
}

/* Wakes an idle CPU that may run @p, for a task queued where no CPU is looking. */
static void kick_idle_for(struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(temper_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = task_ctx(p);
	u64 dsq, now, refill;
	u32 tier;
	s32 cpu, victim;

	if (!tctx) {
		insert(p, dsq_of(0, TEMPER_SYSTEM_TIER), SCX_SLICE_DFL, enq_flags);
		return;
	}
	victim = tctx->victim;
	tctx->victim = -1;
	resolve(p, tctx);
	tier = tctx->tier;
	if (tier > TEMPER_SYSTEM_TIER)
		return;
	cpu = scx_bpf_task_cpu(p);
	stat_add(tier, STAT_ENQUEUED, 1);

	/*
	 * A kernel thread runs next on its CPU, outside every floor: kworkers, ksoftirqd and RCU keep
	 * the node (sched_ext's own watchdog is a kworker: queued behind a flood of user-space system
	 * work at -smp 8 it failed to check in for 10 s and the kernel ejected us). One bound to this
	 * CPU could run nowhere else anyway; one that could, when a realtime task has its CPU, goes
	 * first in the system queue for another CPU to run.
	 */
	if (tier == TEMPER_SYSTEM_TIER && (p->flags & PF_KTHREAD)) {
		if (p->nr_cpus_allowed == 1 || !cpu_taken(cpu)) {
			insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
			return;
		}
		insert(p, dsq_of(llc_of(cpu), TEMPER_SYSTEM_TIER), SCX_SLICE_DFL, enq_flags | SCX_ENQ_HEAD);
		kick_idle_for(p);
		return;
	}

	/* Its cgroup spent its cpu.max budget: hold it until the refill, ordered by refill time. */
	now = bpf_ktime_get_ns();
	if ((refill = bw_blocked(tctx, now, true))) {
		tctx->parked_ns = now;
		insert_vtime(p, PARKED_DSQ, tier_slice(tier), refill, enq_flags);
		arm_timer(refill, now);
		return;
	}

	/*
	 * Dispatch found nothing else this CPU may run and the task's slice is over: run it again
	 * here unless its tier is at its ceiling (then it waits for the refill like the rest).
	 */
	if ((enq_flags & SCX_ENQ_LAST) && !throttled(tier)) {
		insert(p, SCX_DSQ_LOCAL, tier_slice(tier), enq_flags);
		return;
	}

	/* select_cpu chose this CPU to preempt: go first in its local queue and take it over. */
	if ((enq_flags & SCX_ENQ_WAKEUP) && victim == cpu && !throttled(tier)) {
		insert(p, SCX_DSQ_LOCAL, tier_slice(tier), enq_flags | SCX_ENQ_PREEMPT);
		stat_add(tier, STAT_PREEMPTS, 1);
		return;
	}

	dsq = dsq_of(llc_of(cpu), tier);
	tctx->queued_ns = now;
	if (tier == TEMPER_SYSTEM_TIER)
		insert(p, dsq, SCX_SLICE_DFL, enq_flags);
	else
		insert_vtime(p, dsq, tier_slice(tier), pod_vtime(tier, tctx->pod), enq_flags);

	/* Handed back by a CPU a realtime task took: another CPU has to run it. */
	if (enq_flags & SCX_ENQ_REENQ) {
		kick_idle_for(p);
		return;
	}
	/*
	 * A wake-up that did not land on the CPU select_cpu chose (or did not come through it: a
	 * task bound to one CPU, say) kicks the CPU to preempt instead. Only a wake-up preempts: a
	 * task whose slice ran out waits its turn.
	 */
	if (!(enq_flags & SCX_ENQ_WAKEUP) || throttled(tier) || !preempts(tier))
		return;
	if (victim < 0)
		victim = victim_cpu(p, tier, cpu);
	if (victim >= 0) {
		scx_bpf_kick_cpu(victim, SCX_KICK_PREEMPT);
		stat_add(tier, STAT_PREEMPTS, 1);
	}
}

__noinline bool tier_queued(u32 tier)
{
	u32 i;

	bpf_for(i, 0, TEMPER_MAX_LLCS) {
		if (i >= nr_llcs)
			break;
		if (scx_bpf_dsq_nr_queued(dsq_of(i, tier)) > 0)
			return true;
	}
	return false;
}

static void served(u32 tier, u64 now)
{
	served_ns[slot(tier)] = now;
	stat_add(tier, STAT_DISPATCHED, 1);
}

/* Moves the first task of a tier's queues this CPU may run to it: own LLC first, then the rest. */
__noinline bool serve(u32 tier, u32 llc, u64 now)
{
	u32 i;

	if (!move_to_local(dsq_of(llc, tier))) {
		bpf_for(i, 0, TEMPER_MAX_LLCS) {
			if (i >= nr_llcs)
				return false;
			if (i != llc && move_to_local(dsq_of(i, tier)))
				break;
		}
		if (i >= nr_llcs)
			return false;
	}
	served(tier, now);
	return true;
}

/*
 * Moves to this CPU, with a slice of @slice, the first of the first SCAN_MAX tasks on @dsq that
 * may run here and (when @waited) has been queued at least that long.
 */
__noinline bool serve_one(u64 dsq, s32 cpu, u64 slice, u64 now, u64 waited)
{
	struct task_struct *p;
	struct task_ctx *tctx;
	s64 *floor;
	u32 n = 0;

	bpf_for_each(scx_dsq, p, dsq, 0) {
		if (++n > SCAN_MAX)
			break;
		tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
		if (!tctx || (waited && now - tctx->queued_ns < waited))
			continue;
		if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			continue;
		/*
		 * Reserve the run from the tier's floor now, not when it stops: the CPUs dispatching
		 * meanwhile must see the floor spent, or each would serve the tier once more.
		 */
		floor = &floor_ns[slot(tctx->tier)];
		__sync_fetch_and_sub(floor, slice);
		tctx->floor_res = slice;
		if (move_with_slice(BPF_FOR_EACH_ITER, p, SCX_DSQ_LOCAL, slice))
			return true;
		__sync_fetch_and_add(floor, slice);
		tctx->floor_res = 0;
	}
	return false;
}

/* serve_one() over the tier's queues, own LLC first. */
__noinline bool serve_tier_one(u32 tier, s32 cpu, u64 slice, u64 now, u64 waited)
{
	u32 i, llc = llc_of(cpu);

	if (serve_one(dsq_of(llc, tier), cpu, slice, now, waited))
		goto done;
	bpf_for(i, 0, TEMPER_MAX_LLCS) {
		if (i >= nr_llcs)
			return false;
		if (i != llc && serve_one(dsq_of(i, tier), cpu, slice, now, waited))
			goto done;
	}
	return false;
done:
	served(tier, now);
	return true;
}

/* The slice of a run served for a floor: what is left of it, within short..the tier's slice. */
static u64 floor_slice(u32 tier)
{
	s64 left = *(volatile s64 *)&floor_ns[slot(tier)];
	u64 max = tier == TEMPER_SYSTEM_TIER ? FLOOR_SLICE_NS : tier_slice(tier);

	if (max > FLOOR_SLICE_NS)
		max = FLOOR_SLICE_NS;
	if (left < (s64)SHORT_SLICE_NS)
		return SHORT_SLICE_NS;
	return (u64)left < max ? (u64)left : max;
}

/*
 * The liveness guard: a task (of any tier, system work included, but not one held at a ceiling)
 * queued GUARD_NS is served now, in a short slice. Looked for every GUARD_SCAN_NS per CPU, and
 * again at once after one was found, so a crowd of waiting tasks is worked through.
 */
__noinline bool rescue(s32 cpu, u64 now)
{
	struct cpu_ctx *cc = cpu_ctx_of(cpu);
	u32 i;

	if (!cc || (s64)(now - cc->guard_scan_ns) < 0)
		return false;
	bpf_for(i, 0, TEMPER_MAX_TIERS + 1) {
		if (i < TEMPER_MAX_TIERS && (!tier_cfg(i) || throttled(i)))
			continue;
		if (serve_tier_one(i, cpu, SHORT_SLICE_NS, now, GUARD_NS)) {
			if (i < TEMPER_MAX_TIERS + 1) {
				struct temper_tier_stats *st = tier_stat(i);

				if (st)
					st->rescued++;
			}
			return true;
		}
	}
	cc->guard_scan_ns = now + GUARD_SCAN_NS;
	return false;
}

/*
 * Keeps @prev running when its slice ended and nothing queued outranks it: no round trip through
 * the queues. Not a task with a ceiling or a cpu.max: its run must be settled and reserved anew.
 */
static bool keep_prev(struct task_struct *prev, s32 best)
{
	struct task_ctx *tctx;
	struct temper_tier *cfg;
	struct cpu_ctx *cc;
	s32 rank;
	u32 tier;

	if (!prev || !(prev->scx.flags & SCX_TASK_QUEUED))
		return false;
	tctx = bpf_task_storage_get(&task_ctxs, prev, 0, 0);
	if (!tctx || tctx->bw[0])
		return false;
	tier = tctx->tier;
	if (tier == TEMPER_SYSTEM_TIER) {
		rank = NO_TIER;		/* within its floor it is served by reservation, not kept */
	} else {
		cfg = tier_cfg(tier);
		if (!cfg || cfg->ceiling_mcpu)
			return false;
		rank = tier;
	}
	if (rank >= best)
		return false;
	set_slice(prev, tier == TEMPER_SYSTEM_TIER ? SCX_SLICE_DFL : tier_slice(tier));
	/* A slice timer still pending for the run's first slice must not end the longer one. */
	if ((cc = cpu_ctx_of(scx_bpf_task_cpu(prev))))
		cc->run_seq++;
	return true;
}

/* Not const: the kfunc takes a writable buffer, and .rodata is not one. */
static char fault_fmt[] = "temper fault injection after %llu dispatches";
static u64 nr_dispatches;

void BPF_STRUCT_OPS(temper_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 now = bpf_ktime_get_ns();
	u32 llc = llc_of(cpu), i, best = NO_TIER;

	if (TEMPER_FAULT == 2 && __sync_fetch_and_add(&nr_dispatches, 1) == 500) {
		u64 data[1] = { 500 };

		scx_bpf_error_bstr(fault_fmt, data, sizeof(data));
	}

	roll_window(now);
	unpark(now);
	if (TEMPER_FAULT == 1) {
		serve(TEMPER_SYSTEM_TIER, llc, now);
		return;
	}

	/* A task that waited GUARD_NS, whatever its rank. */
	if (rescue(cpu, now))
		return;

	/* System work within its floor, before every tier. */
	if (under_floor(TEMPER_SYSTEM_TIER) &&
	    serve_tier_one(TEMPER_SYSTEM_TIER, cpu, floor_slice(TEMPER_SYSTEM_TIER), now, 0))
		return;

	/* The highest-ranked tier with work this CPU may take, not at its ceiling. */
	bpf_for(i, 0, TEMPER_MAX_TIERS) {
		if (!tier_cfg(i))
			continue;
		if (throttled(i)) {
			if (tier_queued(i))
				stat_add(i, STAT_THROTTLED, 1);
			continue;
		}
		if (tier_queued(i)) {
			best = i;
			break;
		}
	}

	/* Tiers below it that are under their floor, by rank, in short slices. */
	bpf_for(i, 0, TEMPER_MAX_TIERS) {
		struct temper_tier_stats *st;

		if (i <= best && best != NO_TIER)
			continue;
		if (!tier_cfg(i) || throttled(i) || !under_floor(i))
			continue;
		if (serve_tier_one(i, cpu, floor_slice(i), now, 0)) {
			if ((st = tier_stat(i)))
				st->floored++;
			return;
		}
	}

	if (keep_prev(prev, best))
		return;

	/* By rank from the best down (a queue may hold only tasks bound to other CPUs). */
	bpf_for(i, 0, TEMPER_MAX_TIERS) {
		if (i < best || !tier_cfg(i) || throttled(i))
			continue;
		if (serve(i, llc, now))
			return;
	}

	/* System work beyond its floor: after every tier. */
	if (serve(TEMPER_SYSTEM_TIER, llc, now))
		return;
	keep_prev(prev, NO_TIER + 1);
}

/* Bucket of a wake-to-run latency: i such that 2^(i-1) <= us < 2^i. */
static u32 lat_bucket(u64 ns)
{
	u64 us = ns / 1000;
	u32 b = 0;

	bpf_for(b, 0, TEMPER_LAT_BUCKETS - 1) {
		if (us < (1ULL << b))
			return b;
	}
	return TEMPER_LAT_BUCKETS - 1;
}

void BPF_STRUCT_OPS(temper_runnable, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx;

	if ((enq_flags & SCX_ENQ_WAKEUP) && (tctx = task_ctx(p)))
		tctx->woken_ns = bpf_ktime_get_ns();
}

/* Ends this CPU's run after @slice: the tick would end it up to a tick late. */
static void time_slice(struct cpu_ctx *cc, u64 slice)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct slice_timer *st = bpf_map_lookup_elem(&slice_timers, &cpu);

	if (!st)
		return;
	st->seq = cc->run_seq;
	bpf_timer_start(&st->timer, slice, BPF_F_TIMER_CPU_PIN);
}

static int slice_timer_fn(void *map, u32 *key, struct slice_timer *st)
{
	struct cpu_ctx *cc = cpu_ctx_of(*key);

	if (cc && cc->run_seq == st->seq)
		scx_bpf_kick_cpu(*key, SCX_KICK_PREEMPT);
	return 0;
}

void BPF_STRUCT_OPS(temper_running, struct task_struct *p)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u32 zero = 0, tier, b;
	struct cpu_ctx *cc = bpf_map_lookup_elem(&cpu_ctxs, &zero);
	struct temper_tier_stats *st;
	struct temper_tier *cfg;
	struct temper_bw *bw;
	u64 now = bpf_ktime_get_ns(), id, slice;
	s64 want, cut;
	u32 i;

	if (!tctx)
		return;
	tier = tctx->tier;
	if (tier > TEMPER_SYSTEM_TIER)
		return;
	cfg = tier_cfg(tier);
	tctx->run_tier = tier;
	tctx->started_ns = now;
	tctx->started_exec = p->se.sum_exec_runtime;
	tctx->reserved_ns = 0;
	if (cc) {
		cc->rank = tier;	/* RANK_SYSTEM for system work */
		cc->run_seq++;
	}
	if (tctx->woken_ns) {
		stat_add(tier, STAT_WAKEUPS, 1);
		stat_add(tier, STAT_WAKE_NS, now - tctx->woken_ns);
		b = lat_bucket(now - tctx->woken_ns);
		if ((st = tier_stat(tier)) && b < TEMPER_LAT_BUCKETS)
			st->wake_hist[b]++;
	}
	tctx->woken_ns = 0;

	/*
	 * Reserve this slice from the tier's ceiling budget and from each limited cgroup's, and cut
	 * it to the least of what they have left.
	 */
	want = cut = p->scx.slice;
	if (tier < TEMPER_MAX_TIERS) {
		if ((s64)(p->scx.dsq_vtime - vtime_now[slot(tier)]) > 0)
			vtime_now[slot(tier)] = p->scx.dsq_vtime;
		if (cfg && cfg->ceiling_mcpu) {
			tctx->run_window = window_start_ns;
			tctx->reserved_ns = budget_reserve(tier_budget(tier), want);
			cut = tctx->reserved_ns;
		}
	}
	bpf_for(i, 0, BW_LEVELS) {
		id = tctx->bw[i];
		tctx->run_bw[i] = 0;
		tctx->run_res[i] = 0;
		if (!id || !(bw = bpf_map_lookup_elem(&cgroup_bw, &id)))
			continue;
		bw_roll(bw, now);
		tctx->run_bw[i] = id;
		tctx->run_period[i] = bw->period_end_ns;
		tctx->run_res[i] = budget_reserve(&bw->budget_ns, want);
		if ((s64)tctx->run_res[i] < cut)
			cut = tctx->run_res[i];
	}
	slice = want;
	if (cut < want) {
		slice = cut > MIN_SLICE_NS ? cut : MIN_SLICE_NS;
		set_slice(p, slice);
	}
	if (cc && (slice < TIMED_SLICE_NS || tctx->floor_res))
		time_slice(cc, slice);
}

void BPF_STRUCT_OPS(temper_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u32 zero = 0, tier;
	struct cpu_ctx *cc = bpf_map_lookup_elem(&cpu_ctxs, &zero);
	struct temper_tier *cfg;
	struct temper_bw *bw;
	struct pod_ctx *pc;
	u64 ran, id, now;
	s64 start;
	u32 i;

	if (cc) {
		cc->rank = RANK_IDLE;
		cc->run_seq++;
	}
	if (!tctx || !tctx->started_ns)
		return;
	tier = tctx->run_tier;	/* one read, so the bounds checks below are the ones the verifier sees */
	/*
	 * Charge what the kernel accounted to the task for this run, the figure cpu.stat and cpu.max
	 * count in, rather than the time between these callbacks, which also holds the switch.
	 */
	now = bpf_ktime_get_ns();
	ran = p->se.sum_exec_runtime - tctx->started_exec;
	if ((s64)ran < 0 || ran > now - tctx->started_ns)
		ran = now - tctx->started_ns;
	tctx->started_ns = 0;
	stat_add(tier, STAT_RUNTIME_NS, ran);
	/* A run out of rank order settles its floor reservation: a run past it is owed. */
	if (tctx->floor_res) {
		__sync_fetch_and_add(&floor_ns[slot(tier)], (s64)tctx->floor_res - (s64)ran);
		tctx->floor_res = 0;
	}
	/*
	 * Give back the unused reservations, or owe the overrun to the next period; a run that
	 * crossed a refill pays the new period for its part after it (budget_settle_late()).
	 */
	bpf_for(i, 0, BW_LEVELS) {
		id = tctx->run_bw[i];
		if (!id || !(bw = bpf_map_lookup_elem(&cgroup_bw, &id)))
			continue;
		bw_roll(bw, now);
		start = bw->period_end_ns - bw->period_ns;
		if (bw->period_end_ns == tctx->run_period[i])
			budget_settle(&bw->budget_ns, tctx->run_res[i], ran);
		else
			budget_settle_late(&bw->budget_ns, tctx->run_res[i], ran, (s64)(now - start));
	}
	if (tier >= TEMPER_MAX_TIERS)
		return;
	cfg = tier_cfg(tier);
	if (cfg && cfg->ceiling_mcpu) {
		roll_window(now);	/* as bw_roll() above: a refill that is due counts as done */
		start = window_start_ns;
		if (start == tctx->run_window)
			budget_settle(tier_budget(tier), tctx->reserved_ns, ran);
		else
			budget_settle_late(tier_budget(tier), tctx->reserved_ns, ran, (s64)(now - start));
	}
	tctx->reserved_ns = 0;
	if (tctx->pod && (pc = bpf_map_lookup_elem(&pod_ctxs, &tctx->pod)))
		__sync_fetch_and_add(&pc->vtime, ran * WEIGHT_DFL / (tctx->weight ?: WEIGHT_DFL));
}

/*
 * A realtime (or deadline) task took this CPU: what waits in its local queue would wait behind
 * it, so hand it back to be queued and run elsewhere; and no wake-up is to count on preempting
 * this CPU meanwhile.
 */
void BPF_STRUCT_OPS(temper_cpu_release, s32 cpu, struct scx_cpu_release_args *args)
{
	struct cpu_ctx *cc = cpu_ctx_of(cpu);

	if (cc)
		cc->rank = RANK_OTHER;
	reenqueue_local();
}

void BPF_STRUCT_OPS(temper_cpu_acquire, s32 cpu, struct scx_cpu_acquire_args *args)
{
	struct cpu_ctx *cc = cpu_ctx_of(cpu);

	if (cc)
		cc->rank = RANK_IDLE;
}

/*
 * Starts a new window when the current one is over: refills the capped tiers' budgets and every
 * floor (unused budget does not carry over; a debt does, a floor's up to FLOOR_DEBT_WINDOWS).
 * Exactly one CPU wins each window. Called from the hot paths, not only from
 * the timer: a bpf_timer dies with the last user-space reference to its map, so a scheduler
 * registered by a tool that then exits (bpftool) has no timer.
 */
static void roll_window(u64 now)
{
	u64 start = window_start_ns;
	struct temper_tier *cfg;
	s64 full, *fl, over;
	u32 i;

	if (now - start < WINDOW_NS || __sync_val_compare_and_swap(&window_start_ns, start, now) != start)
		return;
	bpf_for(i, 0, TEMPER_MAX_TIERS + 1) {
		fl = &floor_ns[slot(i)];
		full = floor_mcpu(i) * (WINDOW_NS / 1000);
		over = *(volatile s64 *)fl + FLOOR_DEBT_WINDOWS * full;
		if (over < 0)
			__sync_fetch_and_sub(fl, over);
		budget_refill(fl, full, full);
		if (i == TEMPER_SYSTEM_TIER)
			continue;
		cfg = tier_cfg(i);
		if (!cfg || !cfg->ceiling_mcpu) {
			*tier_budget(i) = 0;
			continue;
		}
		full = cfg->ceiling_mcpu * (WINDOW_NS / 1000);
		budget_refill(tier_budget(i), full, full);
	}
}

/*
 * Puts tasks whose cgroups got their refill back in their tiers' queues. Parked tasks are ordered
 * by refill time, so this stops at the first one still waiting; one still owing after its refill
 * is parked again until the next.
 */
static bool unpark(u64 now)
{
	struct task_struct *p;
	struct task_ctx *tctx;
	bool moved = false;
	u32 n = 0, tier;
	u64 refill;

	if (scx_bpf_dsq_nr_queued(PARKED_DSQ) <= 0)
		return false;
	bpf_for_each(scx_dsq, p, PARKED_DSQ, 0) {
		if (++n > 32 || (s64)(p->scx.dsq_vtime - now) > 0)
			break;
		tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
		if (!tctx)
			continue;
		tier = tctx->tier;
		if (tier > TEMPER_SYSTEM_TIER)
			continue;
		/* Still owing after the refill waits another period; never near the watchdog. */
		if (now - tctx->parked_ns < PARK_MAX_NS && (refill = bw_blocked(tctx, now, false))) {
			if ((s64)(refill - now) > 0 && move_parked(BPF_FOR_EACH_ITER, p, PARKED_DSQ, refill, false))
				arm_timer(refill, now);
			continue;
		}
		tctx->queued_ns = now;
		if (move_parked(BPF_FOR_EACH_ITER, p, dsq_of(llc_of(scx_bpf_task_cpu(p)), tier),
				pod_vtime(tier, tctx->pod), tier == TEMPER_SYSTEM_TIER))
			moved = true;
	}
	return moved;
}

/* When the first parked task's cgroup is refilled, or 0 when none is parked. */
static u64 next_refill(void)
{
	struct task_struct *p;
	u64 when = 0;

	if (scx_bpf_dsq_nr_queued(PARKED_DSQ) <= 0)
		return 0;
	bpf_for_each(scx_dsq, p, PARKED_DSQ, 0) {
		when = p->scx.dsq_vtime;
		break;
	}
	return when;
}

/* Makes the window timer fire no later than @when (a refill a parked task waits for). */
static void arm_timer(u64 when, u64 now)
{
	u32 zero = 0;
	struct bpf_timer *timer;
	u64 due = timer_due_ns;

	if ((s64)(when - due) >= 0 && (s64)(due - now) > 0)
		return;
	timer = bpf_map_lookup_elem(&window_timer, &zero);
	if (!timer)
		return;
	if ((s64)(when - now) < (s64)TIMER_MIN_NS)
		when = now + TIMER_MIN_NS;
	timer_due_ns = when;
	bpf_timer_start(timer, when - now, 0);
}

/* Whether anything waits in a queue: only then is an idle CPU worth waking. */
static bool work_waiting(void)
{
	u32 i;

	if (scx_bpf_dsq_nr_queued(PARKED_DSQ) > 0)
		return true;
	bpf_for(i, 0, TEMPER_MAX_TIERS + 1) {
		if ((i == TEMPER_SYSTEM_TIER || tier_cfg(i)) && tier_queued(i))
			return true;
	}
	return false;
}

/*
 * Each window, and at each refill a parked task waits for: roll the window, and wake idle CPUs
 * when work waits, since a CPU that went idle while everything queued was at a ceiling or parked
 * would otherwise sleep until an unrelated wake-up; they bring refilled tasks back themselves.
 */
static int window_tick(void *map, int *key, struct bpf_timer *timer)
{
	u32 i, nr = scx_bpf_nr_cpu_ids();
	u64 now = bpf_ktime_get_ns(), next = now + WINDOW_NS, refill;

	roll_window(now);
	if (work_waiting()) {
		bpf_for(i, 0, TEMPER_MAX_CPUS) {
			if (i >= nr)
				break;
			scx_bpf_kick_cpu(i, SCX_KICK_IDLE);
		}
	}
	/* A timer callback is no RCU read section of itself; 6.12 wants one around a DSQ iterator. */
	bpf_rcu_read_lock();
	refill = next_refill();
	bpf_rcu_read_unlock();
	if (refill && (s64)(refill - next) < 0)
		next = (s64)(refill - now) > (s64)TIMER_MIN_NS ? refill : now + TIMER_MIN_NS;
	timer_due_ns = next;
	bpf_timer_start(timer, next - now, 0);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(temper_init)
{
	u32 i, j, zero = 0, nr = scx_bpf_nr_cpu_ids(), max_llc = 0;
	struct slice_timer *st;
	struct bpf_timer *timer;
	u32 *llc;
	s32 ret;

	/* One queue per tier per LLC; cpu_llc is written by the agent before it attaches us. */
	bpf_for(i, 0, TEMPER_MAX_CPUS) {
		if (i >= nr)
			break;
		llc = bpf_map_lookup_elem(&cpu_llc, &i);
		if (llc && *llc > max_llc && *llc < TEMPER_MAX_LLCS)
			max_llc = *llc;
		st = bpf_map_lookup_elem(&slice_timers, &i);
		if (!st)
			return -ESRCH;
		bpf_timer_init(&st->timer, &slice_timers, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&st->timer, slice_timer_fn);
	}
	nr_llcs = max_llc + 1;
	bpf_for(i, 0, TEMPER_MAX_LLCS) {
		if (i >= nr_llcs)
			break;
		bpf_for(j, 0, TEMPER_MAX_TIERS + 1) {
			ret = scx_bpf_create_dsq(dsq_of(i, j), -1);
			if (ret)
				return ret;
		}
	}
	ret = scx_bpf_create_dsq(PARKED_DSQ, -1);
	if (ret)
		return ret;
	timer = bpf_map_lookup_elem(&window_timer, &zero);
	if (!timer)
		return -ESRCH;
	bpf_timer_init(timer, &window_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(timer, window_tick);
	timer_due_ns = bpf_ktime_get_ns() + WINDOW_NS;
	return bpf_timer_start(timer, WINDOW_NS, 0);
}

#ifndef TEMPER_NO_CGROUP_BW
/*
 * cpu.max as the kernel passes it (6.17+). Before that the kernel has no cgroup_set_bandwidth:
 * the agent clears the member before loading (libbpf refuses a member the kernel lacks unless it
 * is zero), cgroup_init's arguments carry no bandwidth, and pod ceilings from the agent apply.
 */
s32 BPF_STRUCT_OPS_SLEEPABLE(temper_cgroup_init, struct cgroup *cgrp, struct scx_cgroup_init_args *args)
{
	if (bpf_core_field_exists(args->bw_quota_us))
		bw_set(cgrp->kn->id, args->bw_period_us, args->bw_quota_us, args->bw_burst_us, TEMPER_BW_KERNEL);
	return 0;
}

void BPF_STRUCT_OPS(temper_cgroup_set_bandwidth, struct cgroup *cgrp, u64 period_us, u64 quota_us, u64 burst_us)
{
	bw_set(cgrp->kn->id, period_us, quota_us, burst_us, TEMPER_BW_KERNEL);
}

void BPF_STRUCT_OPS(temper_cgroup_exit, struct cgroup *cgrp)
{
	u64 id = cgrp->kn->id;

	bpf_map_delete_elem(&cgroup_bw, &id);
}

/* A task moved between cgroups is charged to its new ones from its next run. */
void BPF_STRUCT_OPS(temper_cgroup_move, struct task_struct *p, struct cgroup *from, struct cgroup *to)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	if (tctx)
		resolve(p, tctx);
}
#endif

/* Not const: the kfunc takes a writable buffer. */
static char dump_tier_fmt[] = "temper: tier %llu queued %llu floor_left_us %lld ceiling_left_us %lld last_served_ms_ago %llu";
static char dump_parked_fmt[] = "temper: parked for cpu.max %llu, window started %llu ms ago";

/* Signed ns to us, as the dump prints them (BPF has no signed division). */
static u64 us_of(s64 ns)
{
	return ns < 0 ? -(s64)((u64)-ns / 1000) : (u64)ns / 1000;
}

/* What an ejection's debug dump says of us: each tier's queues, floors and budgets. */
void BPF_STRUCT_OPS(temper_dump, struct scx_dump_ctx *dctx)
{
	u64 now = bpf_ktime_get_ns(), data[5];
	u32 i, l;

	bpf_for(i, 0, TEMPER_MAX_TIERS + 1) {
		if (i < TEMPER_MAX_TIERS && !tier_cfg(i))
			continue;
		data[0] = i;
		data[1] = 0;
		bpf_for(l, 0, TEMPER_MAX_LLCS) {
			if (l >= nr_llcs)
				break;
			data[1] += scx_bpf_dsq_nr_queued(dsq_of(l, i));
		}
		data[2] = us_of(floor_ns[slot(i)]);
		data[3] = i < TEMPER_MAX_TIERS ? us_of(budget_ns[slot(i)]) : 0;
		data[4] = (now - served_ns[slot(i)]) / 1000000;
		scx_bpf_dump_bstr(dump_tier_fmt, data, sizeof(data));
	}
	data[0] = scx_bpf_dsq_nr_queued(PARKED_DSQ);
	data[1] = (now - window_start_ns) / 1000000;
	scx_bpf_dump_bstr(dump_parked_fmt, data, 2 * sizeof(u64));
}

void BPF_STRUCT_OPS(temper_exit, struct scx_exit_info *ei)
{
	u32 zero = 0;
	struct temper_exit *e = bpf_map_lookup_elem(&exit_info, &zero);

	if (!e)
		return;
	bpf_probe_read_kernel_str(e->reason, sizeof(e->reason), ei->reason);
	bpf_probe_read_kernel_str(e->msg, sizeof(e->msg), ei->msg);
	if (ei->dump)
		bpf_probe_read_kernel_str(e->dump, sizeof(e->dump), ei->dump);
	e->exit_code = ei->exit_code;
	e->kind = ei->kind;	/* last: the agent reads kind != 0 as "the rest is written" */
}

SEC(".struct_ops.link")
struct sched_ext_ops temper_ops = {
	.select_cpu	= (void *)temper_select_cpu,
	.enqueue	= (void *)temper_enqueue,
	.dispatch	= (void *)temper_dispatch,
	.runnable	= (void *)temper_runnable,
	.running	= (void *)temper_running,
	.stopping	= (void *)temper_stopping,
	.cpu_acquire	= (void *)temper_cpu_acquire,
	.cpu_release	= (void *)temper_cpu_release,
#ifndef TEMPER_NO_CGROUP_BW
	.cgroup_init		= (void *)temper_cgroup_init,
	.cgroup_exit		= (void *)temper_cgroup_exit,
	.cgroup_move		= (void *)temper_cgroup_move,
	.cgroup_set_bandwidth	= (void *)temper_cgroup_set_bandwidth,
#endif
	.dump		= (void *)temper_dump,
	.init		= (void *)temper_init,
	.exit		= (void *)temper_exit,
	/*
	 * Without ENQ_LAST the kernel keeps running a task whose slice ended when dispatch finds
	 * nothing else, which would let a tier at its ceiling run on; with it, that task comes back
	 * through enqueue, which runs it again unless its tier must wait for the next window.
	 */
	.flags		= SCX_OPS_ENQ_LAST,
	.timeout_ms	= 10000,
	.name		= "temper",
};
