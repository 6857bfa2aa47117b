/*
 * The benchmarks' runner: measure OUT LIMIT CMD [ARG...] runs CMD in a
 * process group of its own, kills the group after LIMIT seconds, and
 * appends one line to OUT:
 *
 *	start_ms end_ms wall_s user_s sys_s maxrss_kib status
 *
 * start and end in CLOCK_REALTIME milliseconds (simcluster's event times
 * are), wall time from CLOCK_MONOTONIC, the rusage of CMD's whole process
 * tree (wait4), and CMD's exit status (128 + the signal that killed it).
 * In C, not a script: a child's ru_maxrss starts at the RSS of the
 * process it was forked from, so the runner must be small.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t pid;

static void
on_alarm(int sig)
{
	(void)sig;
	kill(-pid, SIGKILL);
}

static double
ms(const struct timespec *t)
{
	return (double)t->tv_sec * 1e3 + (double)t->tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct timespec r0, r1, m0, m1;
	struct rusage ru;
	int status;
	FILE *out;

	if (argc < 4)
		return 2;
	clock_gettime(CLOCK_REALTIME, &r0);
	clock_gettime(CLOCK_MONOTONIC, &m0);
	if ((pid = fork()) == -1) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	setpgid(pid, pid);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)atoi(argv[2]));
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r1);
	alarm(0);
	if ((out = fopen(argv[1], "a")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(out, "%.3f %.3f %.6f %ld.%06ld %ld.%06ld %ld %d\n", ms(&r0),
	    ms(&r1), (ms(&m1) - ms(&m0)) / 1e3,
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return fclose(out) == 0 ? 0 : 2;
}
