/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the scheduler (temper.bpf.c) and the agent (engine: codes.temper.sched).
 * The agent writes pod_tiers and tiers, and reads tier_stats and exit_info. Layouts are fixed:
 * the Java codecs mirror them field by field, so change both together.
 */
#ifndef TEMPER_H
#define TEMPER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TEMPER_MAX_TIERS	16		/* PolicyParser.MAX_TIERS */
#define TEMPER_SYSTEM_TIER	TEMPER_MAX_TIERS /* tasks outside pods: kubelet, runtime, agent */
#define TEMPER_MAX_PODS		16384
#define TEMPER_DSQ_BASE		0x7e3e0000ULL	/* tier i queues on DSQ base + i */

enum temper_tier_flags {
	TEMPER_TIER_ENABLED	= 1 << 0,	/* written by the agent; unwritten tiers hold no pods */
	TEMPER_TIER_PREEMPT	= 1 << 1,	/* a waking task preempts lower tiers on its CPU */
};

/* tiers[i]: the agent writes index i == rank, so dispatch order is index order. */
struct temper_tier {
	__u32 rank;
	__u32 flags;
	__u64 slice_ns;
	__u64 ceiling_mcpu;	/* CPU ceiling in millicores over a window; 0 = no ceiling */
};

/* tier_stats[i] (per CPU; the agent sums): i == TEMPER_SYSTEM_TIER for the system tier. */
struct temper_tier_stats {
	__u64 runtime_ns;
	__u64 enqueued;
	__u64 dispatched;
	__u64 throttled;	/* dispatch passes that skipped the tier for its ceiling */
};

/* exit_info[0]: filled by ops.exit when the kernel (or the scheduler) ends the scheduler. */
struct temper_exit {
	__s64 kind;		/* enum scx_exit_kind; 0 while running */
	__s64 exit_code;
	char reason[128];
	char msg[512];
};

#endif /* TEMPER_H */
