/*
 * Range-checked numbers and sizes from the command line.
 */
#ifndef MESH_PARSE_H
#define MESH_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A whole decimal number in [min, max] into *out.  0, or -1 after
 * reporting "invalid value for 'opt': 's'" (the caller exits 2).
 */
int mesh_parse_num(const char *opt, const char *s, long long min,
    long long max, long long *out);

/*
 * A size: a number with an optional K, M or G suffix (powers of 1024,
 * "Ki"/"KiB" also read), at most max.  0, or -1 after a report.
 */
int mesh_parse_size(const char *opt, const char *s, size_t max, size_t *out);

/*
 * Are the n bytes at s a label of a host name: letters, digits and '-'
 * (not first or last), 1 to 63 of them?
 */
bool mesh_is_label(const char *s, size_t n);
/* Is s a DNS-1123 label: such a label, in lower case? */
bool mesh_is_dns_label(const char *s);

#endif
