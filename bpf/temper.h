/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the scheduler (temper.bpf.c) and the agent (engine: codes.temper.sched).
 * The agent writes pod_tiers, tiers, node_config and cpu_llc, and reads tier_stats, cgroup_bw and
 * exit_info. The Java codecs mirror these layouts field by field, so change both together. Fields
 * are only ever appended, and zero in an appended field means the default behaviour, so a tool
 * written against the first fields (the bpftool recipe in README.md) keeps its meaning as long as
 * it zero-fills the value to the map's size.
 */
#ifndef TEMPER_H
#define TEMPER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TEMPER_MAX_TIERS	16		/* PolicyParser.MAX_TIERS */
#define TEMPER_SYSTEM_TIER	TEMPER_MAX_TIERS /* tasks outside pods: kubelet, runtime, agent */
#define TEMPER_MAX_PODS		16384
#define TEMPER_MAX_CPUS		1024
#define TEMPER_MAX_LLCS		64
#define TEMPER_DSQ_BASE		0x7e3e0000ULL	/* tier t of LLC l queues on base + l * 32 + t */
#define TEMPER_LAT_BUCKETS	24		/* wake-to-run histogram: bucket i counts < 2^i us */

enum temper_tier_flags {
	TEMPER_TIER_ENABLED	= 1 << 0,	/* written by the agent; unwritten tiers hold no pods */
	TEMPER_TIER_PREEMPT	= 1 << 1,	/* a waking task preempts the lowest-ranked CPU */
	TEMPER_TIER_NO_FLOOR	= 1 << 2,	/* floor_mcpu 0 means none, not the default */
};

/* tiers[i]: the agent writes index i == rank, so dispatch order is index order. */
struct temper_tier {
	__u32 rank;
	__u32 flags;
	__u64 slice_ns;
	__u64 ceiling_mcpu;	/* CPU ceiling in millicores; 0 = no ceiling */
	/*
	 * CPU the tier keeps while higher tiers saturate the node, in millicores: served before them
	 * until it has run this much in a 100 ms window. 0 = 1 % of the node's CPUs (none with
	 * TEMPER_TIER_NO_FLOOR); a tier that gets more in rank order is not given more for it.
	 */
	__u64 floor_mcpu;
};

/* pod_tiers[kernfs id of the pod-level cgroup]. */
struct temper_pod {
	__u32 tier;		/* index into tiers */
	__u32 weight;		/* share within the tier, as kubelet's cpu.weight (1..10000); 0 = 100 */
	/*
	 * The pod's own CPU ceiling in millicores over 100 ms periods; 0 = none. For kernels whose
	 * sched_ext cannot pass cgroup cpu.max to the scheduler (before 6.17), the agent derives it
	 * from the pod's CPU limits; where the kernel passes cpu.max, that wins.
	 */
	__u64 ceiling_mcpu;
};

enum temper_bw_source {
	TEMPER_BW_KERNEL	= 1,	/* the cgroup's cpu.max, from ops.cgroup_init/cgroup_set_bandwidth */
	TEMPER_BW_POD		= 2,	/* temper_pod.ceiling_mcpu */
};

/*
 * cgroup_bw[kernfs id of a cgroup]: a CPU bandwidth limit the scheduler enforces, written by the
 * scheduler itself and read by the agent for its throttling figures.
 */
struct temper_bw {
	__u64 quota_ns;		/* CPU time per period */
	__u64 period_ns;
	__u64 burst_ns;		/* unused quota that may carry over, as cpu.max.burst */
	__s64 budget_ns;	/* left in this period; below 0 = owed to the next */
	__u64 period_end_ns;	/* when the budget is next refilled */
	__u64 throttled;	/* times one of its tasks was held back for the next period */
	__u32 source;		/* enum temper_bw_source */
	__u32 pad;
};

enum temper_config_flags {
	TEMPER_CFG_DEFAULT_TIER	= 1 << 0,	/* default_tier is set */
};

/* node_config[0]: node-wide settings (not "config": vmlinux.h has a type of that name). */
struct temper_config {
	/*
	 * kernfs id of the cgroup all pods live under (kubepods). A task below it whose pod is not
	 * mapped yet (just started, or its cgroup not seen by the agent yet) runs at default_tier;
	 * tasks elsewhere are system work. 0 = unknown: every unmapped task is system work.
	 */
	__u64 pods_cgroup_id;
	__u32 default_tier;	/* without TEMPER_CFG_DEFAULT_TIER: the lowest-ranked enabled tier */
	__u32 flags;
	/*
	 * System work (tasks outside the pods' hierarchy) is served before every tier until it has
	 * run this much in a 100 ms window, and after every tier beyond it, so it is never starved and
	 * never takes the node from the pods. Millicores; 0 = 10 % of the node's CPUs.
	 */
	__u64 system_floor_mcpu;
};

/* cpu_llc[cpu]: the last-level cache a CPU shares (its L3 id); all 0 = one LLC. */

/* tier_stats[i] (per CPU; the agent sums): i == TEMPER_SYSTEM_TIER for the system tier. */
struct temper_tier_stats {
	__u64 runtime_ns;
	__u64 enqueued;
	__u64 dispatched;	/* moved from the tier's queues to a CPU */
	__u64 throttled;	/* times the tier was found at its ceiling with work queued */
	__u64 direct;		/* wake-ups placed straight on an idle CPU */
	__u64 preempts;		/* CPUs running lower-ranked work that a wake-up of this tier preempted */
	__u64 wakeups;		/* wake-to-run latencies recorded */
	__u64 wake_ns;		/* their sum */
	__u64 wake_hist[TEMPER_LAT_BUCKETS];	/* [i]: latency < 2^i us (the last: all longer) */
	__u64 floored;		/* served before a higher tier because it was under its floor */
	__u64 rescued;		/* served out of turn after one of its tasks waited the liveness limit */
};

/* exit_info[0]: filled by ops.exit when the kernel (or the scheduler) ends the scheduler. */
struct temper_exit {
	__s64 kind;		/* enum scx_exit_kind; 0 while running */
	__s64 exit_code;
	char reason[128];
	char msg[512];
	char dump[2048];	/* the head of the kernel's debug dump: ops.dump's lines come first */
};

#endif /* TEMPER_H */
