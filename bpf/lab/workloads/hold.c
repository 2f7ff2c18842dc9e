/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hold: registers a sched_ext scheduler the way the agent does and holds it. Loads the BPF
 * object, attaches its struct_ops map(s), prints "HOLD attached" and keeps the link and every map
 * fd until SIGTERM/SIGINT, then destroys the link (the kernel returns to CFS) and prints
 * "HOLD detached". If hold dies, the kernel detaches by itself (the fail-safe).
 * Unlike `bpftool struct_ops register`, which pins the link and exits, this keeps a user-space
 * reference to the maps: a bpf_timer in a map dies with the last such reference, so under
 * bpftool the scheduler runs without its timers; under the agent (and hold) it has them.
 * Usage: hold OBJECT.bpf.o
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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
