/*
 * Allocation that cannot fail: running out of memory ends the program with
 * "prog: out of memory" and exit 1.
 */
#ifndef MESH_XALLOC_H
#define MESH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* Grow or shrink p to nmemb * size bytes, checking the product. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A malloc'd string built like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
