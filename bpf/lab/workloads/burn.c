/* SPDX-License-Identifier: GPL-2.0 */
/*
 * burn: N busy processes (fork, one per loop) that spin for T seconds, or until SIGTERM.
 * Each prints the CPU time it got: "BURN pid=<pid> cpu_ms=<ms>". The bench measures a pod's CPU
 * from its cgroup's cpu.stat usage_usec instead; these lines are for reading by hand.
 * With -c each is bound to that CPU; with -r each runs SCHED_FIFO at that priority (a realtime hog);
 * with -s each stops itself (SIGSTOP) once forked, so a thousand are forked before any burns, and
 * SIGCONT starts them.
 * Usage: burn [-p processes (1)] [-t seconds (5; 0 = until killed)] [-c cpu] [-r fifo priority] [-s]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static long long ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	int procs = 1, secs = 5, cpu = -1, prio = 0, stopped = 0, opt;

	while ((opt = getopt(argc, argv, "p:t:c:r:s")) != -1) {
		switch (opt) {
		case 'p': procs = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'r': prio = atoi(optarg); break;
		case 's': stopped = 1; break;
		default:
			fprintf(stderr, "usage: %s [-p processes] [-t seconds] [-c cpu] [-r fifo priority] [-s]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGTERM, on_term);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("burn: sched_setaffinity");
			return 1;
		}
	}
	if (prio > 0) {
		struct sched_param sp = { .sched_priority = prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("burn: sched_setscheduler");
			return 1;
		}
	}
	for (int i = 1; i < procs; i++)
		if (fork() == 0)
			break;
	if (stopped)
		raise(SIGSTOP);
	long long end = secs ? ns(CLOCK_MONOTONIC) + secs * 1000000000LL : 0;
	volatile unsigned long x = 0;

	while (!stop && (!end || ns(CLOCK_MONOTONIC) < end))
		for (int i = 0; i < 100000; i++)
			x++;
	printf("BURN pid=%d cpu_ms=%lld cpu_us=%lld\n", getpid(), ns(CLOCK_PROCESS_CPUTIME_ID) / 1000000,
	       ns(CLOCK_PROCESS_CPUTIME_ID) / 1000);
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	return 0;
}
