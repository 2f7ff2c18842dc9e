/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wakeprobe: wake-up latency as a periodic task sees it. Loops N times: sleep until an absolute
 * deadline D us ahead (clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME), record how late it woke
 * (actual wake time - deadline: the timer's and the scheduler's delay together), then burn W us
 * of its own CPU time (CLOCK_THREAD_CPUTIME_ID, so work is work even if it is preempted).
 * Prints one line:
 *   WAKEPROBE n=<count> p50=<us> p90=<us> p99=<us> max=<us> mean=<us> wall_ms=<ms>
 * Usage: wakeprobe [-n count (1500)] [-s sleep_us (2000)] [-w work_us (200)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = 1500, opt;
	long long sleep_us = 2000, work_us = 200, sum = 0, t0, *late;

	while ((opt = getopt(argc, argv, "n:s:w:")) != -1) {
		switch (opt) {
		case 'n': n = atoi(optarg); break;
		case 's': sleep_us = atoll(optarg); break;
		case 'w': work_us = atoll(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n count] [-s sleep_us] [-w work_us]\n", argv[0]);
			return 2;
		}
	}
	if (n < 1 || !(late = calloc(n, sizeof(*late))))
		return 2;
	t0 = ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++) {
		long long deadline = ns(CLOCK_MONOTONIC) + sleep_us * 1000, end;
		struct timespec ts = { deadline / 1000000000LL, deadline % 1000000000LL };

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
			;	/* EINTR: sleep on to the same deadline */
		late[i] = ns(CLOCK_MONOTONIC) - deadline;
		sum += late[i];
		end = ns(CLOCK_THREAD_CPUTIME_ID) + work_us * 1000;
		while (ns(CLOCK_THREAD_CPUTIME_ID) < end)
			;
	}
	qsort(late, n, sizeof(*late), cmp);
	/* Nearest rank: the smallest value with at least p % of the samples at or below it. */
#define PCT(p) (late[(n * (p) + 99) / 100 - 1] / 1000)
	printf("WAKEPROBE n=%d p50=%lld p90=%lld p99=%lld max=%lld mean=%lld wall_ms=%lld\n", n,
	       PCT(50), PCT(90), PCT(99), late[n - 1] / 1000, sum / n / 1000,
	       (ns(CLOCK_MONOTONIC) - t0) / 1000000);
	return 0;
}
