/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hold: registers a sched_ext scheduler the way the agent does and holds it. Loads the BPF
 * object, attaches its struct_ops map(s), prints "HOLD attached" and keeps the link and every map
 * fd until SIGTERM/SIGINT, then destroys the link (the kernel returns to CFS) and prints
 * "HOLD detached". If hold dies, the kernel detaches by itself (the fail-safe).
 * Unlike `bpftool struct_ops register`, which pins the link and exits, this keeps a user-space
 * reference to the maps: a bpf_timer in a map dies with the last such reference, so under
 * bpftool the scheduler runs without its timers; under the agent (and hold) it has them.
 * Like the agent, it first clears each struct_ops member the running kernel does not have (libbpf
 * refuses a non-zero one: 6.12-6.16 have no cgroup_set_bandwidth), printing "HOLD dropped NAME".
 * Usage: hold OBJECT.bpf.o
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The kernel's struct @name has a member @member. */
static int kernel_has(const struct btf *kbtf, const char *name, const char *member)
{
	int id = btf__find_by_name_kind(kbtf, name, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(kbtf, id) : NULL;
	const struct btf_member *m;
	int i;

	if (!t)
		return 0;
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(kbtf, m->name_off), member))
			return 1;
	return 0;
}

/* Zeroes the members of each struct_ops map's value that the kernel's struct lacks. */
static void drop_missing(struct bpf_object *obj)
{
	struct btf *kbtf = btf__load_vmlinux_btf(), *btf = bpf_object__btf(obj);
	const struct btf_member *m;
	const struct btf_type *t;
	struct bpf_map *map;
	const char *tname;
	size_t size;
	char *data;
	int i;

	if (!kbtf || !btf)
		return;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		data = bpf_map__initial_value(map, &size);
		if (!t || !data)
			continue;
		tname = btf__name_by_offset(btf, t->name_off);
		for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			long msz = btf__resolve_size(btf, m->type), j;
			char *at = data + m->offset / 8;

			if (kernel_has(kbtf, tname, name) || msz <= 0 || m->offset / 8 + (size_t)msz > size)
				continue;
			for (j = 0; j < msz && !at[j]; j++)
				;
			if (j < msz) {
				memset(at, 0, msz);
				printf("HOLD dropped %s\n", name);
			}
		}
	}
	btf__free(kbtf);
}

int main(int argc, char **argv)
{
	struct bpf_link *links[8];
	struct bpf_object *obj;
	struct bpf_map *map;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.bpf.o\n", argv[0]);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj)
		drop_missing(obj);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "hold: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || n == 8)
			continue;
		if (!(links[n] = bpf_map__attach_struct_ops(map))) {
			fprintf(stderr, "hold: cannot attach %s\n", bpf_map__name(map));
			return 1;
		}
		n++;
	}
	printf("HOLD attached %d\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	printf("HOLD detached\n");
	fflush(stdout);
	return 0;
}
