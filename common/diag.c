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

void
mesh_try_help(const char *sub)
{
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", cmdname,
	    sub != NULL ? " " : "", sub != NULL ? sub : "");
}

static void vmsg(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vmsg(const char *where, const char *label, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", cmdname);
	if (where != NULL)
		fprintf(stderr, "%s: ", where);
	if (label != NULL)
		fputs(label, stderr);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
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
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0)
		return buf;
	for (; *p != '\0' && i + 5 < len; p++) {
		if (*p < 0x20 || *p == 0x7f)
			i += (size_t)snprintf(buf + i, len - i, "\\x%02x", *p);
		else
			buf[i++] = (char)*p;
	}
	if (*p != '\0' && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i < len ? i : len - 1] = '\0';
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
