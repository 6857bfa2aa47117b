/*
 * A few macros for the unit tests of common/: each CHECK prints the
 * failing expression with its line, and main returns how many failed.
 */
#ifndef MESH_UNIT_H
#define MESH_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed, unit_run;

#define CHECK(e) do {							\
	unit_run++;							\
	if (!(e)) {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
		    __LINE__, #e);					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	unit_run++;							\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {		\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: '%s' != '%s' (%s)\n",		\
		    __FILE__, __LINE__, a_ ? a_ : "(null)",		\
		    b_ ? b_ : "(null)", #a);				\
	}								\
} while (0)

#define UNIT_DONE() (printf("%d checks, %d failed\n", unit_run,	\
	unit_failed), unit_failed != 0)

#endif
