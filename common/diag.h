/*
 * Diagnostics shared by every program: the program's name, one-line error
 * and warning messages in the form "prog: [where: ]text", exit codes, and
 * the checks every filter makes on its way out.
 */
#ifndef MESH_DIAG_H
#define MESH_DIAG_H

#include <stdarg.h>
#include <stdbool.h>

enum mesh_exit {
	MESH_EXIT_OK = 0,	/* success */
	MESH_EXIT_FAIL = 1,	/* bad input, I/O, network or crypto error */
	MESH_EXIT_USAGE = 2,	/* bad option or operand */
	MESH_EXIT_TIMEOUT = 3	/* mesh-wait: the deadline passed */
};

/*
 * Remember the program's name: the basename of argv0, where kubectl's
 * plugin name kubectl-mesh_x is mesh-x.  mesh_getprogname() is that name
 * (for the API server: user agent, field manager); mesh_cmdname() is what
 * the user typed to run us ("kubectl mesh-x" as a plugin), for messages.
 */
void mesh_setprogname(const char *argv0);
const char *mesh_getprogname(void);
const char *mesh_cmdname(void);

/*
 * The subcommand named on a command line, for --help and the hint after a
 * usage error before the options are all read: the index in names (n of
 * them, names[0] standing for none) of the first word that is one, else
 * 0.  A value such as "--name remote" can mislead it; only the hint.
 */
size_t mesh_guess_sub(int argc, char *const argv[], const char *const names[],
    size_t n);

/* "Try 'prog [sub] --help' for more information." on stderr. */
void mesh_try_help(const char *sub);

/*
 * Print the help of one subcommand on stdout and exit 0: the blocks of
 * usage (a program's usage text, "usage: prog a|b [opts]" and "       prog
 * c ..." lines, continuation lines indented) whose names include sub,
 * then the lines of opts ("  -x, --long ..." or "      --long ...", and
 * the more indented lines after each) for -h, -V and the long options
 * those blocks name.
 */
_Noreturn void mesh_sub_help(const char *usage, const char *opts,
    const char *sub);

/*
 * Print "prog: where: text" (where may be NULL) on stderr.  A format that
 * ends in ':' gets ": strerror(errno)" appended, as in sbase.
 *
 * Every message is one line: whatever the arguments hold, a control
 * character (tab and newline too, C1 and DEL), a byte that is not part of
 * valid UTF-8, and the Unicode line separators and bidirectional
 * overrides are written as \xNN, each of their bytes.  Backslashes are
 * written as they are.
 */
void mesh_err(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mesh_verr(const char *where, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The same with "src:line:col" as the place; line or col 0 is left out. */
void mesh_errat(const char *src, unsigned long line, unsigned long col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Hand every message to fn as well, after it is printed (fn NULL: no
 * more): error true for an error, false for a warning; where the place
 * as printed ("src:line:col", or NULL); text the message after it.  A
 * KRM function also returns its messages as results.
 */
void mesh_diag_tee(void (*fn)(void *arg, bool error, const char *where,
    const char *text), void *arg);

/* "prog: where: warning: text". */
void mesh_warn(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mesh_warnat(const char *src, unsigned long line, unsigned long col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * s escaped as messages are (control characters, invalid UTF-8 ... as
 * \xNN), into buf (len bytes), cut with "..." when it does not fit: for
 * text from outside that goes somewhere other than a message (a status
 * line), or to bound it.  buf may be s.  Returns buf.
 */
const char *mesh_visible(const char *s, char *buf, size_t len);

/* Print like mesh_err(NULL, ...) and exit 1. */
_Noreturn void mesh_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * Word getopt's complaint after a ':'-prefixed optstring with opterr = 0:
 * ch is what getopt_long returned, argv and optind as getopt left them.
 */
void mesh_bad_option(char *const argv[], int ch);

/* Print "prog (meshline) VERSION" on stdout and exit 0. */
_Noreturn void mesh_version(void);

/* Flush and close stdout; report a write error once. 0 or -1. */
int mesh_close_stdout(void);

#endif
