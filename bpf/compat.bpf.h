/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by temper.bpf.c: one name for each sched_ext kfunc whatever the kernel calls it, and
 * the struct_ops boilerplate.
 */
#ifndef TEMPER_COMPAT_BPF_H
#define TEMPER_COMPAT_BPF_H

#define BPF_FOR_EACH_ITER	(&___it)	/* the iterator bpf_for_each() declares */
#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/*
 * Kernels rename kfuncs (6.12's scx_bpf_dispatch{,_vtime}/consume became scx_bpf_dsq_insert
 * {,_vtime}/move_to_local in 6.13). The new names come from vmlinux.h; the old ones are weak
 * aliases that libbpf resolves by the name before "___", so one object loads on 6.12 and on
 * today's sid kernel.
 */
void scx_bpf_dispatch___compat(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch_vtime___compat(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime, u64 enq_flags) __ksym __weak;
bool scx_bpf_consume___compat(u64 dsq_id) __ksym __weak;
bool scx_bpf_dispatch_from_dsq___compat(struct bpf_iter_scx_dsq *it__iter, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym __weak;
bool scx_bpf_dispatch_vtime_from_dsq___compat(struct bpf_iter_scx_dsq *it__iter, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch_from_dsq_set_vtime___compat(struct bpf_iter_scx_dsq *it__iter, u64 vtime) __ksym __weak;
void scx_bpf_dispatch_from_dsq_set_slice___compat(struct bpf_iter_scx_dsq *it__iter, u64 slice) __ksym __weak;

static void insert(struct task_struct *p, u64 dsq, u64 slice, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert))
		scx_bpf_dsq_insert(p, dsq, slice, enq_flags);
	else
		scx_bpf_dispatch___compat(p, dsq, slice, enq_flags);
}

static void insert_vtime(struct task_struct *p, u64 dsq, u64 slice, u64 vtime, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert_vtime))
		scx_bpf_dsq_insert_vtime(p, dsq, slice, vtime, enq_flags);
	else
		scx_bpf_dispatch_vtime___compat(p, dsq, slice, vtime, enq_flags);
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

/* 7.1 gave it an enq_flags argument under a new name; the old one may go. */
static void reenqueue_local(void)
{
	if (bpf_ksym_exists(scx_bpf_reenqueue_local___v2))
		scx_bpf_reenqueue_local___v2();
	else
		scx_bpf_reenqueue_local();
}

/* Moves a task found by a DSQ iterator to @dsq (a CPU's local queue too) with a new slice. */
static bool move_with_slice(struct bpf_iter_scx_dsq *it, struct task_struct *p, u64 dsq, u64 slice)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move)) {
		scx_bpf_dsq_move_set_slice(it, slice);
		return scx_bpf_dsq_move(it, p, dsq, 0);
	}
	scx_bpf_dispatch_from_dsq_set_slice___compat(it, slice);
	return scx_bpf_dispatch_from_dsq___compat(it, p, dsq, 0);
}

/* Moves a task found by a DSQ iterator to another queue, in vtime order or FIFO. */
static bool move_parked(struct bpf_iter_scx_dsq *it, struct task_struct *p, u64 dsq, u64 vtime, bool fifo)
{
	if (fifo) {
		if (bpf_ksym_exists(scx_bpf_dsq_move))
			return scx_bpf_dsq_move(it, p, dsq, 0);
		return scx_bpf_dispatch_from_dsq___compat(it, p, dsq, 0);
	}
	if (bpf_ksym_exists(scx_bpf_dsq_move_vtime)) {
		scx_bpf_dsq_move_set_vtime(it, vtime);
		return scx_bpf_dsq_move_vtime(it, p, dsq, 0);
	}
	scx_bpf_dispatch_from_dsq_set_vtime___compat(it, vtime);
	return scx_bpf_dispatch_vtime_from_dsq___compat(it, p, dsq, 0);
}

/*
 * The scheduling policy of the task running on @cpu, -1 when unknown: 6.12 has only
 * scx_bpf_cpu_rq(), 7.3 only scx_bpf_cpu_curr() (which wants an RCU read section).
 */
static int cpu_curr_policy(s32 cpu)
{
	struct task_struct *curr;
	struct rq *rq;
	int policy = -1;

	if (bpf_ksym_exists(scx_bpf_cpu_curr)) {
		bpf_rcu_read_lock();
		curr = scx_bpf_cpu_curr(cpu);
		if (curr)
			policy = curr->policy;
		bpf_rcu_read_unlock();
	} else if (bpf_ksym_exists(scx_bpf_cpu_rq) && (rq = scx_bpf_cpu_rq(cpu))) {
		policy = BPF_CORE_READ(rq, curr, policy);
	}
	return policy;
}

#endif /* TEMPER_COMPAT_BPF_H */
