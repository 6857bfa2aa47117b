/*
 * Numbers and sizes from option values, checked the way strtonum(3)
 * checks them: whole, in range, or a clear message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parse.h"

static int
bad(const char *opt, const char *s)
{
	mesh_err(NULL, "invalid value for '%s': '%s'", opt, s);
	return -1;
}

int
mesh_parse_num(const char *opt, const char *s, long long min, long long max,
    long long *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return bad(opt, s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return bad(opt, s);
	*out = v;
	return 0;
}

int
mesh_parse_size(const char *opt, const char *s, size_t max, size_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return bad(opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return bad(opt, s);
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return bad(opt, s);
	}
	if (shift != 0) {
		end++;
		if (strcmp(end, "i") == 0 || strcmp(end, "iB") == 0 ||
		    strcmp(end, "B") == 0)
			end += strlen(end);
	}
	if (*end != '\0' || v > (unsigned long long)max >> shift)
		return bad(opt, s);
	*out = (size_t)(v << shift);
	return 0;
}

bool
mesh_is_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

bool
mesh_is_dns_label(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return false;
	return mesh_is_label(s, n);
}
