/*
 * One-line diagnostics on stderr, in the form every program shares:
 * "prog: [where: ]text", with strerror(errno) after a trailing ':'.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static const char *progname = "meshline";
static const char *cmdname = "meshline";

void
mesh_setprogname(const char *argv0)
{
	static char name[64], cmd[72];
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	if ((p = strrchr(argv0, '/')) != NULL)
		argv0 = p + 1;
	/*
	 * As a kubectl plugin we are kubectl-mesh_x: we are mesh-x to the
	 * server, and "kubectl mesh-x" to the user, who typed that.
	 */
	if (strncmp(argv0, "kubectl-mesh_", 13) == 0) {
		snprintf(name, sizeof(name), "mesh-%s", argv0 + 13);
		snprintf(cmd, sizeof(cmd), "kubectl %s", name);
		progname = name;
		cmdname = cmd;
		return;
	}
	progname = cmdname = argv0;
}

const char *
mesh_getprogname(void)
{
	return progname;
}

const char *
mesh_cmdname(void)
{
	return cmdname;
}

/* Does the usage line begin a block for sub ("prog a|sub|b ...")? */
static int
usage_for(const char *line, size_t len, const char *sub)
{
	size_t plen = strlen(progname), slen = strlen(sub), i, w;

	if (len >= 7 && strncmp(line, "usage: ", 7) == 0)
		line += 7, len -= 7;
	while (len > 0 && *line == ' ')
		line++, len--;
	if (len <= plen || strncmp(line, progname, plen) != 0 ||
	    line[plen] != ' ')
		return -1;		/* a continuation line */
	line += plen + 1;
	len -= plen + 1;
	for (i = 0; i < len && line[i] != ' '; i += w + 1) {
		for (w = 0; i + w < len && line[i + w] != ' ' &&
		    line[i + w] != '|'; w++)
			;
		if (w == slen && strncmp(line + i, sub, slen) == 0)
			return 1;
		if (i + w >= len || line[i + w] == ' ')
			break;
	}
	return 0;
}

/* Is the option word p (n bytes) a word of takes? */
static int
word_in(const char *p, size_t n, const char *takes, size_t tlen)
{
	const char *t;

	for (t = takes; t + n <= takes + tlen; t++)
		if (strncmp(t, p, n) == 0 &&
		    (t == takes || t[-1] == '[' || t[-1] == ' ') &&
		    (t + n == takes + tlen || t[n] == ' ' || t[n] == ']' ||
		    t[n] == '\n' || t[n] == '['))
			return 1;
	return 0;
}

/* Is the option of this help line ("  -x, --long" or "      --long") taken? */
static int
opt_taken(const char *line, size_t len, const char *takes, size_t tlen)
{
	const char *p = memchr(line, '-', len), *end = line + len;
	size_t n;

	if (p == NULL)
		return 0;
	if (p + 1 < end && p[1] != '-' && word_in(p, 2, takes, tlen))
		return 1;	/* its short form, -x */
	for (; p + 1 < end && !(p[0] == '-' && p[1] == '-'); p++)
		;
	if (p + 1 >= end)
		return 0;
	for (n = 2; p + n < end && (p[n] == '-' ||
	    (p[n] >= 'a' && p[n] <= 'z')); n++)
		;
	if ((n == 6 && strncmp(p, "--help", 6) == 0) ||
	    (n == 9 && strncmp(p, "--version", 9) == 0))
		return 1;
	return word_in(p, n, takes, tlen);
}

void
mesh_sub_help(const char *usage, const char *opts, const char *sub)
{
	const char *p, *e, *takes = NULL;
	size_t tlen = 0;
	int in = 0, r, first = 1, keep = 0;

	/* the usage blocks for sub; their words are what it takes */
	for (p = usage; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((r = usage_for(p, (size_t)(e - p), sub)) != -1)
			in = r;
		if (!in)
			continue;
		if (r == 1) {
			const char *w = strstr(p, progname);

			printf("%s%.*s\n", first ? "usage: " : "       ",
			    (int)(e - w), w);
			first = 0;
		} else {
			printf("%.*s\n", (int)(e - p), p);
		}
		if (takes == NULL)
			takes = p;
		tlen = (size_t)(e - takes);
	}
	putchar('\n');
	/* the option lines of what it takes, each with what follows it */
	for (p = opts; *p != '\0'; p = *e ? e + 1 : e) {
		const char *q;

		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		for (q = p; q < e && *q == ' '; q++)
			;
		if (q < e && *q == '-' && q - p <= 6)
			keep = takes != NULL && opt_taken(p, (size_t)(e - p),
			    takes, tlen);
		else if (q - p < 10)
			keep = 0;	/* not a continuation: prose */
		if (keep)
			printf("%.*s\n", (int)(e - p), p);
	}
	printf("\nSee %s(1).\n", progname);
	exit(mesh_close_stdout() == 0 ? MESH_EXIT_OK : MESH_EXIT_FAIL);
}

size_t
mesh_guess_sub(int argc, char *const argv[], const char *const names[],
    size_t n)
{
	size_t k;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (++i == argc)
				return 0;
		} else if (argv[i][0] == '-') {
			continue;
		}
		for (k = 1; k < n; k++)
			if (strcmp(argv[i], names[k]) == 0)
				return k;
	}
	return 0;
}

void
mesh_try_help(const char *sub)
{
	char name[256];

	/* the name we were run by may hold anything */
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n",
	    mesh_visible(cmdname, name, sizeof(name)), sub != NULL ? " " : "",
	    sub != NULL ? sub : "");
}

static void (*tee_fn)(void *, bool, const char *, const char *);
static void *tee_arg;

void
mesh_diag_tee(void (*fn)(void *, bool, const char *, const char *),
    void *arg)
{
	tee_fn = fn;
	tee_arg = arg;
}

/*
 * The length of the UTF-8 character at p (n bytes left) that may be
 * written as it is, or 0 when its first byte is to be escaped: a
 * control character (C0, DEL, C1), a byte that begins no valid
 * character, or a line or paragraph separator or a bidirectional
 * override, which make a terminal show text that is not there.
 */
static size_t
shown(const unsigned char *p, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (p[0] >= 0x20 && p[0] < 0x7f)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;		/* overlong, surrogate, too large */
	if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return len;
}

/*
 * Append s (n bytes) to out (cap bytes, *used of them in use) with what
 * shown() refuses written as \xNN, byte by byte; stop before what does
 * not fit whole, keeping room for the NUL.  Returns the bytes of s taken.
 */
static size_t
escape(const char *s, size_t n, char *out, size_t cap, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((k = shown(p + i, n - i)) == 0) {
			if (*used + 5 > cap)
				break;
			snprintf(out + *used, 5, "\\x%02x", p[i]);
			*used += 4;
			i++;
			continue;
		}
		if (*used + k + 1 > cap)
			break;
		memcpy(out + *used, p + i, k);
		*used += k;
		i += k;
	}
	if (cap > 0)
		out[*used < cap ? *used : cap - 1] = '\0';
	return i;
}

static void vmsg(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

/*
 * Every message goes through here: formatted whole, then written as one
 * line with its control characters (and whatever is not UTF-8) escaped,
 * so text from an input file or a server can neither forge a second
 * line nor reach the terminal as a command.
 */
static void
vmsg(const char *where, const char *label, const char *fmt, va_list ap)
{
	char small[2048], *text = small, *line = NULL;
	int saved = errno, len;
	size_t n = strlen(fmt), cap, used = 0, skip;
	va_list aq;

	va_copy(aq, ap);
	len = vsnprintf(small, sizeof(small), fmt, ap);
	if (len >= (int)sizeof(small) &&
	    (text = malloc((size_t)len + 1)) != NULL)
		vsnprintf(text, (size_t)len + 1, fmt, aq);
	else if (len >= (int)sizeof(small))
		text = small;		/* cut: better than nothing */
	va_end(aq);
	if (len < 0)
		small[0] = '\0';
	/* at worst each byte becomes four */
	cap = 4 * (strlen(cmdname) + (where ? strlen(where) : 0) +
	    strlen(text) + 64) + 1;
	if ((line = malloc(cap)) == NULL) {
		fputs("out of memory\n", stderr);
		goto out;
	}
	escape(cmdname, strlen(cmdname), line, cap, &used);
	escape(": ", 2, line, cap, &used);
	if (where != NULL) {
		escape(where, strlen(where), line, cap, &used);
		escape(": ", 2, line, cap, &used);
	}
	if (label != NULL)
		escape(label, strlen(label), line, cap, &used);
	skip = used;
	escape(text, strlen(text), line, cap, &used);
	if (n > 0 && fmt[n - 1] == ':') {
		const char *e = strerror(saved);

		escape(" ", 1, line, cap, &used);
		escape(e, strlen(e), line, cap, &used);
	}
	line[used++] = '\n';
	fwrite(line, 1, used, stderr);
	if (tee_fn != NULL) {
		/* the message after the place, as it was written */
		line[used - 1] = '\0';
		tee_fn(tee_arg, label == NULL, where, line + skip);
	}
out:
	free(line);
	if (text != small)
		free(text);
}

void
mesh_verr(const char *where, const char *fmt, va_list ap)
{
	vmsg(where, NULL, fmt, ap);
}

void
mesh_err(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(where, NULL, fmt, ap);
	va_end(ap);
}

static const char *
place(char *buf, size_t len, const char *src, unsigned long line,
    unsigned long col)
{
	if (line == 0)
		return src;
	if (col == 0)
		snprintf(buf, len, "%s:%lu", src, line);
	else
		snprintf(buf, len, "%s:%lu:%lu", src, line, col);
	return buf;
}

void
mesh_errat(const char *src, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vmsg(place(buf, sizeof(buf), src, line, col), NULL, fmt, ap);
	va_end(ap);
}

void
mesh_warn(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(where, "warning: ", fmt, ap);
	va_end(ap);
}

void
mesh_warnat(const char *src, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vmsg(place(buf, sizeof(buf), src, line, col), "warning: ", fmt, ap);
	va_end(ap);
}

void
mesh_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, NULL, fmt, ap);
	va_end(ap);
	exit(MESH_EXIT_FAIL);
}

const char *
mesh_visible(const char *s, char *buf, size_t len)
{
	char *copy = NULL;
	size_t n = strlen(s), used = 0, taken;

	if (len == 0)
		return buf;
	/* in place: escaping grows the text, so read from a copy */
	if (s == buf && (s = copy = strdup(s)) == NULL) {
		buf[0] = '\0';
		return buf;
	}
	taken = escape(s, n, buf, len > 3 ? len - 3 : len, &used);
	if (taken < n && len > 3) {
		memcpy(buf + used, "...", 3);
		buf[used + 3] = '\0';
	}
	free(copy);
	return buf;
}

void
mesh_bad_option(char *const argv[], int ch)
{
	const char *what = argv[optind - 1];

	if (ch == ':')
		mesh_err(NULL, "option '%s' needs a value", what);
	else if (optopt != 0 && optopt != '?' && strncmp(what, "--", 2) != 0)
		mesh_err(NULL, "unknown option '-%c'", optopt);
	else
		mesh_err(NULL, "unknown option '%s'", what);
}

void
mesh_version(void)
{
	printf("%s (meshline) %s\n", progname, MESH_VERSION);
	exit(mesh_close_stdout() == 0 ? MESH_EXIT_OK : MESH_EXIT_FAIL);
}

int
mesh_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			mesh_err(NULL, "write error on standard output:");
		return -1;
	}
	if (fclose(stdout) != 0) {
		mesh_err(NULL, "write error on standard output:");
		return -1;
	}
	return 0;
}
