/* SPDX-License-Identifier: GPL-2.0 */
/*
 * burn: N busy processes (fork, one per loop) that spin for T seconds, or until SIGTERM.
 * Each prints the CPU time it got: "BURN pid=<pid> cpu_ms=<ms>". The bench measures a pod's CPU
 * from its cgroup's cpu.stat usage_usec instead; these lines are for reading by hand.
 * Usage: burn [-p processes (1)] [-t seconds (5; 0 = until killed)]
 */
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
	int procs = 1, secs = 5, opt;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p': procs = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-p processes] [-t seconds]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGTERM, on_term);
	for (int i = 1; i < procs; i++)
		if (fork() == 0)
			break;
	long long end = secs ? ns(CLOCK_MONOTONIC) + secs * 1000000000LL : 0;
	volatile unsigned long x = 0;

	while (!stop && (!end || ns(CLOCK_MONOTONIC) < end))
		for (int i = 0; i < 100000; i++)
			x++;
	printf("BURN pid=%d cpu_ms=%lld\n", getpid(), ns(CLOCK_PROCESS_CPUTIME_ID) / 1000000);
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	return 0;
}
