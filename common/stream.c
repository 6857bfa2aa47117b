/*
 * Streams of documents.  The reader feeds libyaml from its own buffer, so
 * that each document's bytes can be handed on untouched, and builds a
 * tree per document within the limits.  The writer copies unchanged
 * documents byte for byte, emits the others with libyaml, or writes JSON,
 * and holds everything back until the whole run has succeeded.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "diag.h"
#include "pki.h"
#include "stream.h"
#include "xalloc.h"

#define READ_CHUNK (64 * 1024)
#define MAX_DEPTH_CAP 10000

void
mesh_limits_init(struct mesh_limits *lim)
{
	lim->max_depth = 512;
	lim->max_doc_size = (size_t)64 << 20;
	lim->max_input_size = (size_t)1 << 30;
	lim->max_alias_nodes = 100000;
	lim->max_alias_bytes = (size_t)16 << 20;
	lim->max_anchors = 100000;
	lim->max_docs = 250000;
	lim->input_seen = 0;
	lim->alias_seen = 0;
	lim->docs_seen = 0;
	lim->secret = false;
	lim->options = false;
}

enum read_fail { FAIL_NONE, FAIL_READ, FAIL_INPUT_SIZE, FAIL_DOC_SIZE };

struct anchor {
	const char *name;
	struct mesh_node *node;
};

/*
 * JSON writes a character past U+FFFF in a string as a UTF-16 surrogate
 * pair, "\ud83d\ude00", which libyaml refuses in a double-quoted scalar
 * (kubectl reads JSON with Go's encoding/json, which takes it).  While
 * the input is fed to libyaml, a document that starts like JSON ('{',
 * '[' or '"') is followed token by token, and in its strings each pair
 * becomes the one escape "\U0001f600".  Once the document stops looking
 * like JSON (a comment, a plain word, a tag), nothing more is changed
 * until the next "---": only what libyaml itself reads as a double-quoted
 * scalar is ever touched.  The input kept for copies is not changed; a
 * document with a pair in it is written anew.  A lone surrogate is left
 * for libyaml to refuse.
 */
enum js_state {
	JS_START,	/* before a document's first token */
	JS_COMMENT,	/* a comment or directive line before it */
	JS_SKIP,	/* not JSON: wait for the next "---" */
	JS_VALUE,	/* in a flow collection, a node may start */
	JS_AFTER,	/* in a flow collection, after a node */
	JS_WORD,	/* in a number, true, false or null */
	JS_STRING,	/* in a string */
	JS_OFF		/* UTF-16 input: left alone */
};

#define PAIR_IN 12	/* "\ud83d\ude00" */
#define PAIR_OUT 10	/* "\U0001F600" */

/* One pair rewritten: where it is in the input and in what libyaml read. */
struct pair_edit {
	size_t off;	/* stream offset of its backslash */
	size_t foff;	/* offset of the rewrite in the bytes fed */
	size_t idx;	/* libyaml's character index of the rewrite */
};

struct mesh_reader {
	yaml_parser_t p;
	char *name;		/* for messages */
	int fd;			/* -1 when reading memory */
	const char *mem;
	size_t memlen, mempos;
	struct mesh_buf in;	/* the input from stream offset base on */
	size_t base;
	size_t fed;		/* stream offset handed to libyaml */
	bool eof, ended, utf8, quiet;
	enum read_fail fail;
	int read_errno;
	struct mesh_limits *lim;

	/* where libyaml's character marks are in bytes */
	size_t cur_char, cur_byte;
	unsigned long cur_line, cur_col;
	size_t doc_start;	/* stream offset the next document starts at */
	unsigned long doc_line;

	/* surrogate pairs in JSON strings, see enum js_state */
	unsigned char js;	/* enum js_state */
	bool js_bol;		/* at the start of a line */
	bool js_key;		/* after a string: ':' may follow */
	size_t js_depth;	/* flow collections open */
	size_t fed_out;		/* bytes handed to libyaml */
	char pend[16];		/* a rewrite or a token not handed over */
	size_t npend, pendpos;
	struct pair_edit *edits;	/* in stream order */
	size_t nedits, capedits;
	size_t edit_next;	/* the first at or after cur_byte */
	size_t lone;		/* a lone surrogate in JSON, or SIZE_MAX */

	/* while a document is built */
	struct mesh_doc *doc;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t *aslot;		/* anchors by name: index + 1; 0: empty */
	size_t amask;
	size_t own_nodes, alias_nodes;
	struct mesh_node **stack;
	size_t nstack, capstack;
};

static int
fill(struct mesh_reader *r)
{
	size_t n;

	if (r->fd == -1) {
		n = r->memlen - r->mempos;
		if (n > READ_CHUNK)
			n = READ_CHUNK;
		mesh_buf_add(&r->in, r->mem + r->mempos, n);
		r->mempos += n;
	} else {
		ssize_t got;

		do
			got = read(r->fd, mesh_buf_grow(&r->in, READ_CHUNK),
			    READ_CHUNK);
		while (got == -1 && errno == EINTR);
		if (got == -1) {
			r->read_errno = errno;
			r->fail = FAIL_READ;
			return -1;
		}
		n = (size_t)got;
		r->in.len += n;
		r->in.data[r->in.len] = '\0';
	}
	if (n == 0) {
		r->eof = true;
		return 0;
	}
	r->lim->input_seen += n;
	if (r->lim->max_input_size != 0 &&
	    r->lim->input_seen > r->lim->max_input_size) {
		r->fail = FAIL_INPUT_SIZE;
		return -1;
	}
	/* Stop a runaway document before it is all in memory. */
	if (r->base + r->in.len - r->doc_start >
	    r->lim->max_doc_size + READ_CHUNK) {
		r->fail = FAIL_DOC_SIZE;
		return -1;
	}
	return 0;
}

static bool
is_hex4(const unsigned char *p, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		int d;

		if (isdigit(p[i]))
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return false;
		*v = *v << 4 | (unsigned)d;
	}
	return true;
}

/*
 * The code point of the surrogate pair escaped at p ("\ud83d\ude00",
 * len bytes there), or 0 when there is none.
 */
static unsigned long
surrogate_pair(const unsigned char *p, size_t len)
{
	unsigned hi, lo;

	if (len < PAIR_IN || p[0] != '\\' || p[1] != 'u' ||
	    !is_hex4(p + 2, &hi) || hi < 0xD800 || hi > 0xDBFF ||
	    p[6] != '\\' || p[7] != 'u' || !is_hex4(p + 8, &lo) ||
	    lo < 0xDC00 || lo > 0xDFFF)
		return 0;
	return 0x10000 + ((unsigned long)(hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Is p ("\uXXXX", len bytes there) one half of a surrogate pair? */
static bool
is_surrogate(const unsigned char *p, size_t len)
{
	unsigned v;

	return len >= 6 && p[0] == '\\' && p[1] == 'u' && is_hex4(p + 2, &v) &&
	    v >= 0xD800 && v <= 0xDFFF;
}

/* "---" or "..." and a blank at p: a document marker at a line start. */
static bool
is_marker(const unsigned char *p, size_t len)
{
	return len >= 3 && (p[0] == '-' || p[0] == '.') && p[1] == p[0] &&
	    p[2] == p[0] && (len == 3 || p[3] == ' ' || p[3] == '\t' ||
	    p[3] == '\r' || p[3] == '\n');
}

/* libyaml's character index of stream offset off, past the last edit. */
static size_t
char_index(const struct mesh_reader *r, size_t off)
{
	const unsigned char *p = (const unsigned char *)r->in.data - r->base;
	const struct pair_edit *e = r->nedits > 0 ?
	    &r->edits[r->nedits - 1] : NULL;
	size_t b = r->cur_byte, idx = r->cur_char;

	if (e != NULL && e->off + PAIR_IN > b) {
		b = e->off + PAIR_IN;
		idx = e->idx + PAIR_OUT;
	}
	/* libyaml counts no BOM at the very start */
	if (b == 0 && r->base == 0 && r->in.len >= 3 &&
	    memcmp(r->in.data, "\xef\xbb\xbf", 3) == 0)
		b = 3;
	for (; b < off; b++)
		if ((p[b] & 0xC0) != 0x80)
			idx++;
	return idx;
}

/* Rewrite the pair at stream offset r->fed, of code point cp. */
static void
rewrite_pair(struct mesh_reader *r, unsigned long cp)
{
	struct pair_edit *e;

	if (r->nedits == r->capedits) {
		r->capedits = r->capedits ? r->capedits * 2 : 8;
		r->edits = xreallocarray(r->edits, r->capedits,
		    sizeof(*r->edits));
	}
	e = &r->edits[r->nedits];
	e->off = r->fed;
	e->foff = r->fed_out;
	e->idx = char_index(r, r->fed);
	r->nedits++;
	snprintf(r->pend, sizeof(r->pend), "\\U%08X", (unsigned)cp);
	r->npend = PAIR_OUT;
	r->pendpos = 0;
	r->fed += PAIR_IN;
	r->fed_out += PAIR_OUT;
}

static bool
is_word(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '+' || c == '-';
}

/* Close a flow collection. */
static void
js_close(struct mesh_reader *r)
{
	if (--r->js_depth == 0)
		r->js = JS_SKIP;
	else
		r->js = JS_AFTER;
	r->js_key = false;
	r->js_bol = false;
}

/*
 * How many input bytes at p (avail there) go to libyaml as they are: a
 * run of at most room bytes, or a token of up to 3 that must go whole.
 * 0 when only the state changed, or a pair was rewritten instead.
 * Needs PAIR_IN bytes at a backslash in a string, 4 at a line start and
 * 3 at a BOM (see js_want), unless the input ends first.
 */
static size_t
js_step(struct mesh_reader *r, const unsigned char *p, size_t avail,
    size_t room)
{
	size_t k, len = avail < room ? avail : room;
	const unsigned char *q;
	unsigned long cp;

	switch (r->js) {
	case JS_OFF:
		return len;
	case JS_START:
		if (r->fed == 0 && (p[0] == 0xFF || p[0] == 0xFE)) {
			r->js = JS_OFF;
			return 0;
		}
		if (r->js_bol && is_marker(p, avail)) {
			r->js_bol = false;
			return 3;
		}
		if (avail >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			return 3;
		switch (p[0]) {
		case '\n':
			r->js_bol = true;
			return 1;
		case ' ':
		case '\t':
		case '\r':
			r->js_bol = false;
			return 1;
		case '%':
		case '#':
			r->js = JS_COMMENT;
			return 0;
		case '{':
		case '[':
			r->js = JS_VALUE;
			r->js_depth = 1;
			return 1;
		case '"':
			r->js = JS_STRING;
			r->js_depth = 0;
			return 1;
		}
		r->js = JS_SKIP;
		r->js_bol = false;
		return 0;
	case JS_COMMENT:
	case JS_SKIP:
		if (r->js_bol) {
			r->js_bol = false;
			if (is_marker(p, avail)) {
				r->js = JS_START;
				return 3;
			}
		}
		if ((q = memchr(p, '\n', len)) == NULL)
			return len;
		r->js_bol = true;
		if (r->js == JS_COMMENT)
			r->js = JS_START;
		return (size_t)(q - p) + 1;
	case JS_VALUE:
	case JS_AFTER:
		for (k = 0; k < len && (p[k] == ' ' || p[k] == '\t' ||
		    p[k] == '\r' || p[k] == '\n'); k++)
			;
		if (k > 0)
			return k;
		switch (p[0]) {
		case '}':
		case ']':
			js_close(r);
			return 1;
		case ',':
		case ':':
			if (r->js == JS_AFTER && (p[0] == ',' || r->js_key)) {
				r->js = JS_VALUE;
				return 1;
			}
			break;
		case '{':
		case '[':
			if (r->js == JS_VALUE) {
				r->js_depth++;
				return 1;
			}
			break;
		case '"':
			if (r->js == JS_VALUE) {
				r->js = JS_STRING;
				return 1;
			}
			break;
		default:
			if (r->js == JS_VALUE && (isdigit(p[0]) ||
			    p[0] == '-' || p[0] == 't' || p[0] == 'f' ||
			    p[0] == 'n')) {
				r->js = JS_WORD;
				return 0;
			}
			break;
		}
		r->js = JS_SKIP;
		r->js_bol = false;
		return 0;
	case JS_WORD:
		for (k = 0; k < len && is_word(p[k]); k++)
			;
		if (k < len) {
			r->js = JS_AFTER;
			r->js_key = false;
		}
		return k;
	case JS_STRING:
		for (k = 0; k < len && p[k] != '"' && p[k] != '\\'; k++)
			;
		if (k > 0)
			return k;
		if (p[0] == '"') {
			if (r->js_depth == 0) {
				r->js = JS_SKIP;
				r->js_bol = false;
			} else {
				r->js = JS_AFTER;
				r->js_key = true;
			}
			return 1;
		}
		if ((cp = surrogate_pair(p, avail)) != 0) {
			rewrite_pair(r, cp);
			return 0;
		}
		if (is_surrogate(p, avail) && r->lone == SIZE_MAX)
			r->lone = r->fed;
		/* the escaped character is never the string's end */
		return avail >= 2 ? 2 : avail;
	}
	return len;
}

/* How many bytes js_step wants to see at p, if the input has them. */
static size_t
js_want(const struct mesh_reader *r, const unsigned char *p)
{
	if (r->js == JS_STRING && p[0] == '\\')
		return PAIR_IN;
	if ((r->js == JS_START || r->js == JS_SKIP || r->js == JS_COMMENT) &&
	    r->js_bol && (p[0] == '-' || p[0] == '.'))
		return 4;
	if (r->js == JS_START && p[0] == 0xEF)
		return 3;
	return 1;
}

static int
read_handler(void *data, unsigned char *buffer, size_t size,
    size_t *size_read)
{
	struct mesh_reader *r = data;
	const unsigned char *p, *run = NULL;
	size_t n = 0, nrun = 0, avail, k;

	/*
	 * Bytes that go as they are gather in a run of the input, copied
	 * when something else is to follow them, or at the end.
	 */
	while (n + nrun < size) {
		if (r->pendpos < r->npend) {
			if (nrun > 0)
				memcpy(buffer + n, run, nrun);
			n += nrun;
			nrun = 0;
			k = r->npend - r->pendpos;
			if (k > size - n)
				k = size - n;
			memcpy(buffer + n, r->pend + r->pendpos, k);
			r->pendpos += k;
			n += k;
			continue;
		}
		avail = r->base + r->in.len - r->fed;
		p = avail == 0 ? NULL :
		    (const unsigned char *)r->in.data + (r->fed - r->base);
		/* hand over what there is rather than wait for more */
		if (!r->eof && (avail == 0 || avail < js_want(r, p))) {
			if (n + nrun > 0)
				break;
			if (fill(r) == -1)
				return 0;
			continue;
		}
		if (avail == 0)
			break;
		if ((k = js_step(r, p, avail, size - n - nrun)) == 0)
			continue;
		if (k > size - n - nrun) {
			/* a token that goes whole: the rest of it next time */
			memcpy(r->pend, p, k);
			r->npend = k;
			r->pendpos = 0;
		} else {
			if (nrun == 0)
				run = p;
			nrun += k;
		}
		r->fed += k;
		r->fed_out += k;
	}
	if (nrun > 0)
		memcpy(buffer + n, run, nrun);
	*size_read = n + nrun;
	return 1;
}

static struct mesh_reader *
reader_new(const char *name, struct mesh_limits *lim)
{
	struct mesh_reader *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	r->fd = -1;
	r->lim = lim;
	r->utf8 = true;
	r->doc_line = 1;
	r->js = JS_START;
	r->js_bol = true;
	r->lone = SIZE_MAX;
	mesh_buf_init(&r->in);
	r->in.secret = lim->secret;
	if (!yaml_parser_initialize(&r->p))
		mesh_die("out of memory");
	yaml_parser_set_input(&r->p, read_handler, r);
	return r;
}

struct mesh_reader *
mesh_reader_open(const char *path, struct mesh_limits *lim)
{
	struct mesh_reader *r;
	int fd;

	if (strcmp(path, "-") == 0) {
		r = reader_new("<stdin>", lim);
		r->fd = STDIN_FILENO;
		return r;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		mesh_err(NULL, "cannot open '%s':", path);
		return NULL;
	}
	r = reader_new(path, lim);
	r->fd = fd;
	return r;
}

struct mesh_reader *
mesh_reader_open_mem(const char *name, const char *data, size_t len,
    struct mesh_limits *lim)
{
	struct mesh_reader *r = reader_new(name, lim);

	r->mem = data;
	r->memlen = len;
	return r;
}

void
mesh_reader_free(struct mesh_reader *r)
{
	if (r == NULL)
		return;
	if (r->in.secret) {
		/* the parser's copies of what it read */
		if (r->p.buffer.start != NULL)
			mesh_wipe(r->p.buffer.start,
			    (size_t)(r->p.buffer.end - r->p.buffer.start));
		if (r->p.raw_buffer.start != NULL)
			mesh_wipe(r->p.raw_buffer.start,
			    (size_t)(r->p.raw_buffer.end - r->p.raw_buffer.start));
	}
	yaml_parser_delete(&r->p);
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	if (r->in.secret)
		mesh_wipe(r->pend, sizeof(r->pend));
	mesh_doc_free(r->doc);
	free(r->anchors);
	free(r->aslot);
	free(r->stack);
	free(r->edits);
	mesh_buf_release(&r->in);
	free(r->name);
	free(r);
}

/* The stream byte offset of libyaml's character index ch. */
static size_t
char_to_byte(struct mesh_reader *r, size_t ch)
{
	const unsigned char *p;
	const struct pair_edit *e;
	size_t b, lim, end = r->base + r->in.len;

	if (ch < r->cur_char)	/* never asked, but stay safe */
		return r->cur_byte;
	b = r->cur_byte;
	p = (const unsigned char *)r->in.data - r->base;
	while (r->cur_char < ch && b < end) {
		uint64_t w;

		/* a rewritten pair: fewer characters than bytes */
		e = r->edit_next < r->nedits ? &r->edits[r->edit_next] : NULL;
		if (e != NULL && b >= e->off) {
			if (ch - r->cur_char < PAIR_OUT) {
				/* inside it: no mark is, but stay safe */
				b = e->off + (ch - r->cur_char);
				r->cur_char = ch;
				break;
			}
			b = e->off + PAIR_IN;
			r->cur_char += PAIR_OUT;
			r->edit_next++;
			continue;
		}
		lim = e != NULL ? e->off : end;
		/* most input is ASCII: eight bytes, eight characters */
		if (ch - r->cur_char >= 8 && lim - b >= 8) {
			memcpy(&w, p + b, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				b += 8;
				r->cur_char += 8;
				continue;
			}
		}
		b++;
		while (b < end && (p[b] & 0xC0) == 0x80)
			b++;
		r->cur_char++;
	}
	r->cur_byte = b;
	return b;
}

/* Line and column (1-based) of stream byte offset off, at or after the
 * cursor. */
static void
byte_place(struct mesh_reader *r, size_t off, unsigned long *line,
    unsigned long *col)
{
	const unsigned char *p = (const unsigned char *)r->in.data - r->base;
	size_t b = r->cur_byte, end = r->base + r->in.len;

	*line = r->cur_line;
	*col = r->cur_col;
	if (off > end)
		off = end;
	for (; b < off; b++) {
		if (p[b] == '\n') {
			(*line)++;
			*col = 0;
		} else if ((p[b] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
	*line += 1;
	*col += 1;
}

/*
 * The number of edits before i: libyaml's character index i with by_idx,
 * else its byte offset i.
 */
static size_t
edit_bound(const struct mesh_reader *r, size_t i, bool by_idx)
{
	size_t lo = 0, hi = r->nedits;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t v = by_idx ? r->edits[mid].idx : r->edits[mid].foff;

		if (v < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The 1-based column of libyaml's mark m in the input: each pair
 * rewritten earlier on its line was two characters longer there.
 */
static unsigned long
mark_col(const struct mesh_reader *r, const yaml_mark_t *m)
{
	size_t from;

	if (r->nedits == 0)
		return (unsigned long)m->column + 1;
	from = m->index >= m->column ? m->index - m->column : 0;
	return (unsigned long)m->column + 1 + (PAIR_IN - PAIR_OUT) *
	    (edit_bound(r, m->index, true) - edit_bound(r, from, true));
}

/* The stream offset of libyaml's byte offset off. */
static size_t
fed_to_stream(const struct mesh_reader *r, size_t off)
{
	return off + (PAIR_IN - PAIR_OUT) *
	    edit_bound(r, off, false);
}

static void
rerr(struct mesh_reader *r, unsigned long line, unsigned long col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Report a problem in the input, unless the reader is quiet. */
static void
rerr(struct mesh_reader *r, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mesh_errat(r->name, line, col, "%s", msg);
}

static const char *
human(size_t n, char *buf, size_t len)
{
	if (n % ((size_t)1 << 30) == 0)
		snprintf(buf, len, "%zu GiB", n >> 30);
	else if (n % ((size_t)1 << 20) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else if (n % 1024 == 0)
		snprintf(buf, len, "%zu KiB", n >> 10);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

static void
report_doc_size(struct mesh_reader *r)
{
	char b[32];

	rerr(r, r->doc_line, 0, "document is larger than %s%s",
	    human(r->lim->max_doc_size, b, sizeof(b)),
	    r->lim->options ? " (see --max-document-size)" : "");
}

/* The input byte at stream offset off, for messages. */
static unsigned
bad_byte(const struct mesh_reader *r, size_t off)
{
	if (off < r->base || off >= r->base + r->in.len)
		return 0;
	return (unsigned char)r->in.data[off - r->base];
}

/*
 * libyaml refused the escape at its problem mark, just past "\\u": if
 * that is a UTF-16 surrogate, say so and what to write instead.  Returns
 * whether it was one.
 */
static bool
report_surrogate(struct mesh_reader *r)
{
	const yaml_mark_t *m = &r->p.problem_mark;
	const unsigned char *q;
	unsigned long line = m->line + 1, col = mark_col(r, m) - 2;
	unsigned long cp;
	size_t off, avail;

	if (r->p.problem == NULL || strstr(r->p.problem,
	    "invalid Unicode character escape") == NULL ||
	    m->index < 2 || m->column < 2 || m->index < r->cur_char)
		return false;
	off = char_to_byte(r, m->index) - 2;
	if (off < r->base || off >= r->base + r->in.len)
		return false;
	q = (const unsigned char *)r->in.data + (off - r->base);
	avail = r->base + r->in.len - off;
	if (!is_surrogate(q, avail))
		return false;
	if (off == r->lone) {
		rerr(r, line, col, "lone UTF-16 surrogate '\\u%.4s' in a JSON "
		    "string: the other half of its pair is missing",
		    (const char *)q + 2);
	} else if ((cp = surrogate_pair(q, avail)) != 0) {
		rerr(r, line, col, "UTF-16 surrogate pair '%.12s' in a YAML "
		    "string: YAML writes U+%04lX as '\\U%08lX' or as the "
		    "character itself", (const char *)q, cp, cp);
	} else {
		rerr(r, line, col, "lone UTF-16 surrogate '\\u%.4s' in a "
		    "string", (const char *)q + 2);
	}
	return true;
}

/* Say why libyaml stopped, once. */
static void
report_parser(struct mesh_reader *r)
{
	yaml_parser_t *p = &r->p;
	unsigned long line, col;
	size_t off;
	char b[32];

	switch (r->fail) {
	case FAIL_READ:
		errno = r->read_errno;
		if (!r->quiet)
			mesh_err(NULL, "cannot read '%s':", r->name);
		return;
	case FAIL_INPUT_SIZE:
		rerr(r, 0, 0, "input is larger than %s in all%s",
		    human(r->lim->max_input_size, b, sizeof(b)),
		    r->lim->options ? " (see --max-input-size)" : "");
		return;
	case FAIL_DOC_SIZE:
		report_doc_size(r);
		return;
	case FAIL_NONE:
		break;
	}
	if (p->error == YAML_MEMORY_ERROR)
		mesh_die("out of memory");
	if (p->error == YAML_READER_ERROR) {
		off = fed_to_stream(r, p->problem_offset);
		byte_place(r, off, &line, &col);
		if (p->problem_value == 0 &&
		    strstr(p->problem, "control") != NULL)
			rerr(r, line, col,
			    "NUL byte in input: YAML and JSON are text");
		else if (strstr(p->problem, "UTF") != NULL ||
		    strstr(p->problem, "octet") != NULL)
			rerr(r, line, col,
			    "invalid UTF-8 (byte 0x%02x): %s",
			    bad_byte(r, off), p->problem);
		else if (p->problem_value != -1)
			rerr(r, line, col,
			    "%s (character 0x%x)", p->problem,
			    (unsigned)p->problem_value);
		else
			rerr(r, line, col, "%s", p->problem);
		return;
	}
	if (report_surrogate(r))
		return;
	line = p->problem_mark.line + 1;
	col = mark_col(r, &p->problem_mark);
	if (p->context != NULL)
		rerr(r, line, col, "%s %s (from line %lu)",
		    p->problem ? p->problem : "syntax error", p->context,
		    (unsigned long)p->context_mark.line + 1);
	else
		rerr(r, line, col, "%s",
		    p->problem ? p->problem : "syntax error");
}

static int
next_event(struct mesh_reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->p, ev)) {
		report_parser(r);
		return -1;
	}
	return 0;
}

static void
push(struct mesh_reader *r, struct mesh_node *n)
{
	if (r->nstack == r->capstack) {
		r->capstack = r->capstack ? r->capstack * 2 : 64;
		r->stack = xreallocarray(r->stack, r->capstack,
		    sizeof(*r->stack));
	}
	r->stack[r->nstack++] = n;
}

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot of anchor name in the index: its own, or the empty one. */
static size_t
anchor_slot(const struct mesh_reader *r, const char *name)
{
	size_t i;

	for (i = (size_t)name_hash(name) & r->amask; r->aslot[i] != 0;
	    i = (i + 1) & r->amask)
		if (strcmp(r->anchors[r->aslot[i] - 1].name, name) == 0)
			break;
	return i;
}

/* Index the anchors anew in a table twice as large. */
static void
anchor_rehash(struct mesh_reader *r)
{
	size_t i, size = r->amask ? (r->amask + 1) * 2 : 64;

	free(r->aslot);
	r->aslot = xcalloc(size, sizeof(*r->aslot));
	r->amask = size - 1;
	for (i = 0; i < r->nanchors; i++)
		r->aslot[anchor_slot(r, r->anchors[i].name)] = i + 1;
}

/* A new anchor; a name given again refers to the new node from now on. */
static int
add_anchor(struct mesh_reader *r, const char *name, struct mesh_node *n)
{
	if (r->nanchors >= r->lim->max_anchors) {
		rerr(r, n->line, n->col, "more than %zu anchors in one "
		    "document", r->lim->max_anchors);
		return -1;
	}
	if (r->nanchors == r->capanchors) {
		r->capanchors = r->capanchors ? r->capanchors * 2 : 8;
		r->anchors = xreallocarray(r->anchors, r->capanchors,
		    sizeof(*r->anchors));
	}
	r->anchors[r->nanchors].name =
	    mesh_doc_strndup(r->doc, name, strlen(name));
	r->anchors[r->nanchors].node = n;
	r->nanchors++;
	if (r->nanchors * 2 > r->amask)
		anchor_rehash(r);
	else
		r->aslot[anchor_slot(r, name)] = r->nanchors;
	return 0;
}

static struct mesh_node *
alias(struct mesh_reader *r, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	unsigned long line = ev->start_mark.line + 1;
	unsigned long col = mark_col(r, &ev->start_mark);
	struct mesh_node *target = NULL;
	size_t i, count, bytes;
	char b[32];

	if (r->nanchors > 0 && r->aslot[i = anchor_slot(r, name)] != 0)
		target = r->anchors[r->aslot[i] - 1].node;
	if (target == NULL) {
		rerr(r, line, col, "unknown anchor '%s'", name);
		return NULL;
	}
	if (target->busy) {
		rerr(r, line, col,
		    "alias '*%s' is inside the node it refers to", name);
		return NULL;
	}
	count = mesh_node_count(target);
	r->alias_nodes += count;
	if (r->alias_nodes > r->lim->max_alias_nodes) {
		rerr(r, line, col,
		    "aliases expand to more than %zu nodes in one document",
		    r->lim->max_alias_nodes);
		return NULL;
	}
	/* a few nodes can hold a large text: count the bytes too */
	bytes = mesh_node_copy_size(target);
	if (bytes > r->lim->max_alias_bytes - r->lim->alias_seen) {
		rerr(r, line, col, "aliases expand to more than %s in all",
		    human(r->lim->max_alias_bytes, b, sizeof(b)));
		return NULL;
	}
	r->lim->alias_seen += bytes;
	return mesh_node_copy(r->doc, target);
}

/* A plain "<<" key, or one tagged !!merge: YAML 1.1's merge key. */
static bool
is_merge_key(const struct mesh_node *k)
{
	if (k->type != MESH_SCALAR)
		return false;
	if (k->tag != NULL)
		return strcmp(k->tag, "tag:yaml.org,2002:merge") == 0;
	return k->style == MESH_STYLE_PLAIN && k->u.s.len == 2 &&
	    memcmp(k->u.s.text, "<<", 2) == 0;
}

/*
 * Refuse what Kubernetes' strict reader refuses or reads otherwise in a
 * mapping: a key given twice, and merge keys, which it would apply and
 * which a tree edited here would keep as a literal "<<".  root: the
 * document's own mapping.  0, or -1 after a report.
 */
static int
check_keys(struct mesh_reader *r, const struct mesh_node *map, bool root)
{
	const struct mesh_node *k, *f;
	size_t i, first;
	long d;

	for (i = 0; i < map->u.c.n; i += 2)
		if (is_merge_key(k = map->u.c.v[i])) {
			rerr(r, k->line, k->col, "merge keys ('<<') are not "
			    "supported: write the merged keys out");
			return -1;
		}
	if ((d = mesh_map_dup(map, &first)) < 0)
		return 0;
	k = mesh_map_key(map, (size_t)d);
	f = mesh_map_key(map, first);
	rerr(r, k->line, k->col, "key '%s' is given twice in one mapping "
	    "(first at %u:%u)%s", k->u.s.text, f->line, f->col, root &&
	    (mesh_scalar_is(k, "apiVersion") || mesh_scalar_is(k, "kind")) ?
	    ": two documents without '---' between them?" : "");
	return -1;
}

static unsigned char
scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return MESH_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return MESH_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return MESH_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return MESH_STYLE_FOLDED;
	default:
		return MESH_STYLE_PLAIN;
	}
}

/* Is tag the non-specific tag "!"? */
static bool
is_bang(const yaml_char_t *tag)
{
	return tag != NULL && strcmp((const char *)tag, "!") == 0;
}

/* Build the node that ev starts; ev is deleted here. NULL after a report. */
static struct mesh_node *
build(struct mesh_reader *r, yaml_event_t *ev, unsigned depth)
{
	struct mesh_doc *doc = r->doc;
	struct mesh_node *n = NULL, *child;
	yaml_char_t *anchor = NULL, *tag = NULL;
	yaml_event_type_t end;
	size_t base, count;
	yaml_event_t cev;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		n = alias(r, ev);
		yaml_event_delete(ev);
		return n;
	case YAML_SCALAR_EVENT:
		n = mesh_doc_alloc(doc, sizeof(*n));
		memset(n, 0, sizeof(*n));
		n->type = MESH_SCALAR;
		n->style = scalar_style(ev->data.scalar.style);
		/* libyaml's string, NUL-terminated: kept, not copied */
		mesh_doc_keep(doc, n, (char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		ev->data.scalar.value = NULL;
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		/*
		 * "!" alone makes a string of a plain scalar ("! 12" is
		 * "12"), as quotes do; libyaml cannot write it back, so
		 * the writer chooses how to quote it.
		 */
		if (is_bang(tag)) {
			tag = NULL;
			if (n->style == MESH_STYLE_PLAIN) {
				n->style = MESH_STYLE_ANY;
				n->stype = MESH_T_STR;
			}
		}
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = mesh_doc_alloc(doc, sizeof(*n));
		memset(n, 0, sizeof(*n));
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			n->type = MESH_SEQ;
			n->style = ev->data.sequence_start.style ==
			    YAML_FLOW_SEQUENCE_STYLE ? MESH_STYLE_FLOW :
			    MESH_STYLE_BLOCK;
			anchor = ev->data.sequence_start.anchor;
			tag = ev->data.sequence_start.tag;
		} else {
			n->type = MESH_MAP;
			n->style = ev->data.mapping_start.style ==
			    YAML_FLOW_MAPPING_STYLE ? MESH_STYLE_FLOW :
			    MESH_STYLE_BLOCK;
			anchor = ev->data.mapping_start.anchor;
			tag = ev->data.mapping_start.tag;
		}
		/* "!" on a collection says nothing it does not */
		if (is_bang(tag))
			tag = NULL;
		break;
	default:
		rerr(r, ev->start_mark.line + 1,
		    mark_col(r, &ev->start_mark), "unexpected YAML event");
		yaml_event_delete(ev);
		return NULL;
	}
	n->line = ev->start_mark.line + 1;
	n->col = mark_col(r, &ev->start_mark);
	if (tag != NULL)
		n->tag = mesh_doc_strndup(doc, (const char *)tag,
		    strlen((const char *)tag));
	if (anchor != NULL && add_anchor(r, (const char *)anchor, n) == -1) {
		yaml_event_delete(ev);
		return NULL;
	}
	r->own_nodes++;
	if (n->type == MESH_SCALAR) {
		yaml_event_delete(ev);
		return n;
	}
	end = n->type == MESH_SEQ ? YAML_SEQUENCE_END_EVENT :
	    YAML_MAPPING_END_EVENT;
	yaml_event_delete(ev);
	if (depth >= r->lim->max_depth) {
		rerr(r, n->line, n->col, "nesting is deeper than %u levels%s",
		    r->lim->max_depth,
		    r->lim->options ? " (see --max-depth)" : "");
		return NULL;
	}
	n->busy = 1;
	base = r->nstack;
	for (;;) {
		if (next_event(r, &cev) == -1)
			return NULL;
		if (cev.type == end) {
			yaml_event_delete(&cev);
			break;
		}
		if ((child = build(r, &cev, depth + 1)) == NULL)
			return NULL;
		push(r, child);
	}
	count = r->nstack - base;
	n->u.c.n = n->u.c.cap = count;
	n->u.c.v = mesh_doc_alloc(doc, sizeof(*n->u.c.v) * (count + 1));
	if (count > 0)
		memcpy(n->u.c.v, r->stack + base, sizeof(*n->u.c.v) * count);
	r->nstack = base;
	n->busy = 0;
	if (n->type == MESH_MAP && check_keys(r, n, depth == 0) == -1)
		return NULL;
	return n;
}

/* Was a pair rewritten between stream offsets start and end? */
static bool
has_edit(const struct mesh_reader *r, size_t start, size_t end)
{
	size_t i;

	for (i = r->nedits; i-- > 0 && r->edits[i].off >= start;)
		if (r->edits[i].off < end)
			return true;
	return false;
}

static void
compact(struct mesh_reader *r)
{
	size_t dead = r->cur_byte < r->doc_start ? r->cur_byte : r->doc_start;
	size_t i;

	dead -= r->base;
	if (dead >= (size_t)1 << 20 || (dead >= READ_CHUNK &&
	    dead > r->in.len / 2)) {
		mesh_buf_consume(&r->in, dead);
		r->base += dead;
		/* the edits in what is gone */
		for (i = 0; i < r->nedits && r->edits[i].off < r->base; i++)
			;
		if (i > 0) {
			memmove(r->edits, r->edits + i, (r->nedits - i) *
			    sizeof(*r->edits));
			r->nedits -= i;
			r->edit_next -= i < r->edit_next ? i : r->edit_next;
		}
	}
}

int
mesh_reader_next(struct mesh_reader *r, struct mesh_doc **docp)
{
	const unsigned char *p;
	yaml_event_t ev;
	struct mesh_node *root;
	size_t start, end;
	bool explicit_start, directives, explicit_end;

	*docp = NULL;
	if (r->ended)
		return 0;
	for (;;) {
		if (next_event(r, &ev) == -1)
			return -1;
		if (ev.type == YAML_STREAM_START_EVENT) {
			r->utf8 = ev.data.stream_start.encoding ==
			    YAML_UTF8_ENCODING ||
			    ev.data.stream_start.encoding ==
			    YAML_ANY_ENCODING;
			if (r->base == 0 && r->in.len >= 3 &&
			    memcmp(r->in.data, "\xef\xbb\xbf", 3) == 0) {
				r->cur_byte = 3;
				/*
				 * libyaml's scanner skips a second BOM at
				 * the start of a line: keep the first in
				 * the copy then, or a third one is lost.
				 */
				if (r->in.len < 6 || memcmp(r->in.data + 3,
				    "\xef\xbb\xbf", 3) != 0)
					r->doc_start = 3;
			}
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			r->ended = true;
			return 0;
		}
		break;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		rerr(r, ev.start_mark.line + 1,
		    mark_col(r, &ev.start_mark), "unexpected YAML event");
		yaml_event_delete(&ev);
		return -1;
	}
	explicit_start = !ev.data.document_start.implicit;
	directives = ev.data.document_start.version_directive != NULL ||
	    ev.data.document_start.tag_directives.start !=
	    ev.data.document_start.tag_directives.end;
	r->doc = mesh_doc_new(r->name);
	r->doc->line = ev.start_mark.line + 1;
	r->doc_line = r->doc->line;
	if (r->lim->max_docs != 0 && r->lim->docs_seen >= r->lim->max_docs) {
		rerr(r, r->doc_line, 0, "more than %zu documents in all input",
		    r->lim->max_docs);
		yaml_event_delete(&ev);
		return -1;
	}
	r->lim->docs_seen++;
	if (r->nanchors > 0)
		memset(r->aslot, 0, (r->amask + 1) * sizeof(*r->aslot));
	r->nanchors = r->own_nodes = r->alias_nodes = 0;
	yaml_event_delete(&ev);

	if (next_event(r, &ev) == -1)
		return -1;
	if ((root = build(r, &ev, 0)) == NULL)
		return -1;
	if (next_event(r, &ev) == -1)
		return -1;
	explicit_end = !ev.data.document_end.implicit;

	/* The document's bytes: from where the last one ended to its own
	 * end, with the rest of a "..." line. */
	if (r->utf8) {
		p = (const unsigned char *)r->in.data - r->base;
		end = char_to_byte(r, ev.end_mark.index);
		r->cur_line = ev.end_mark.line;
		r->cur_col = mark_col(r, &ev.end_mark) - 1;
		start = r->doc_start;
		if (explicit_end) {
			size_t lim = r->base + r->in.len;

			/* a line ends at LF, CR LF or a lone CR */
			while (end < lim && p[end] != '\n' && p[end] != '\r')
				end++;
			if (end < lim && p[end] == '\r')
				end++;
			if (end < lim && p[end] == '\n')
				end++;
		}
		if (end - start > r->lim->max_doc_size) {
			yaml_event_delete(&ev);
			report_doc_size(r);
			return -1;
		}
		/* with a pair rewritten, the copy would not read back */
		if (!directives && !has_edit(r, start, end)) {
			r->doc->raw = mesh_doc_strndup(r->doc,
			    (const char *)p + start, end - start);
			r->doc->rawlen = end - start;
			r->doc->raw_explicit = explicit_start;
		}
		r->doc_start = end;
		compact(r);
	} else {
		/* UTF-16: no byte copies; keep only what libyaml has not
		 * read yet */
		r->doc_start = r->cur_byte = r->fed;
		compact(r);
	}
	yaml_event_delete(&ev);

	/* A document with nothing in it has no root. */
	if (!(root->type == MESH_SCALAR && root->u.s.len == 0 &&
	    root->style == MESH_STYLE_PLAIN && root->tag == NULL))
		r->doc->root = root;
	*docp = r->doc;
	r->doc = NULL;
	return 1;
}

int
mesh_read_all(const char *path, struct mesh_limits *lim,
    struct mesh_doc ***docs, size_t *n)
{
	struct mesh_reader *r;
	struct mesh_doc *doc;
	size_t cap = 0;
	int rv;

	*docs = NULL;
	*n = 0;
	if ((r = mesh_reader_open(path, lim)) == NULL)
		return -1;
	while ((rv = mesh_reader_next(r, &doc)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*docs = xreallocarray(*docs, cap, sizeof(**docs));
		}
		(*docs)[(*n)++] = doc;
	}
	mesh_reader_free(r);
	if (rv == -1) {
		while (*n > 0)
			mesh_doc_free((*docs)[--*n]);
		free(*docs);
		*docs = NULL;
		return -1;
	}
	return 0;
}

struct mesh_doc *
mesh_parse_string(const char *name, const char *s, struct mesh_limits *lim,
    bool quiet)
{
	return mesh_parse_mem(name, s, strlen(s), lim, quiet);
}

struct mesh_doc *
mesh_parse_mem(const char *name, const char *s, size_t len,
    struct mesh_limits *lim, bool quiet)
{
	struct mesh_reader *r = mesh_reader_open_mem(name, s, len, lim);
	struct mesh_doc *doc = NULL, *extra = NULL;
	int rv;

	r->quiet = quiet;
	if ((rv = mesh_reader_next(r, &doc)) == 0) {
		doc = mesh_doc_new(name);
	} else if (rv == 1 && (rv = mesh_reader_next(r, &extra)) != 0) {
		if (rv == 1 && !quiet)
			mesh_err(name, "holds more than one document");
		mesh_doc_free(extra);
		mesh_doc_free(doc);
		doc = NULL;
	}
	mesh_reader_free(r);
	return doc;
}

int
mesh_format_parse(const char *s)
{
	if (strcmp(s, "yaml") == 0)
		return MESH_FMT_YAML;
	if (strcmp(s, "json") == 0)
		return MESH_FMT_JSON;
	return -1;
}

int
mesh_format_option(const char *arg, enum mesh_format *fmt)
{
	int f = mesh_format_parse(arg);

	if (f == -1) {
		mesh_err(NULL, "invalid value for '-o': '%s' (use yaml or "
		    "json)", arg);
		return -1;
	}
	*fmt = (enum mesh_format)f;
	return 0;
}

/* Writing */

struct mesh_writer {
	int fd;
	enum mesh_format fmt;
	bool stream;
	yaml_emitter_t e;	/* one for the whole stream, once needed */
	bool e_open;		/* the emitter is set up */
	bool e_docs;		/* it has written a document */
	struct mesh_buf out;
	size_t ndocs;
	size_t *ends;		/* JSON, held: where each document ends */
	size_t nends, capends;
	bool secret;		/* wipe what was written when freed */
};

struct mesh_writer *
mesh_writer_new(int fd, enum mesh_format fmt, bool stream)
{
	struct mesh_writer *w = xcalloc(1, sizeof(*w));

	w->fd = fd;
	w->fmt = fmt;
	w->stream = stream;
	mesh_buf_init(&w->out);
	return w;
}

static int stream_out(struct mesh_writer *w);

/* Free an emitter, first wiping the text its buffers held if secret. */
static void
emitter_delete(yaml_emitter_t *e, bool secret)
{
	if (secret) {
		if (e->buffer.start != NULL)
			mesh_wipe(e->buffer.start,
			    (size_t)(e->buffer.end - e->buffer.start));
		if (e->raw_buffer.start != NULL)
			mesh_wipe(e->raw_buffer.start,
			    (size_t)(e->raw_buffer.end - e->raw_buffer.start));
	}
	yaml_emitter_delete(e);
}

void
mesh_writer_free(struct mesh_writer *w)
{
	if (w == NULL)
		return;
	/* with --stream, documents already done are written even now */
	if (w->stream)
		stream_out(w);
	if (w->e_open)
		emitter_delete(&w->e, w->secret);
	mesh_buf_release(&w->out);
	free(w->ends);
	free(w);
}

void
mesh_writer_secret(struct mesh_writer *w)
{
	w->secret = true;
	w->out.secret = true;
}

static int
write_handler(void *data, unsigned char *buffer, size_t size)
{
	mesh_buf_add(data, buffer, size);
	return 1;
}

static int
emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(e, ev)) {
		if (e->error == YAML_MEMORY_ERROR)
			mesh_die("out of memory");
		mesh_err(NULL, "cannot write YAML: %s",
		    e->problem ? e->problem : "emitter error");
		return -1;
	}
	return 0;
}

static yaml_scalar_style_t
pick_style(const struct mesh_node *n, bool json_like)
{
	switch (n->style) {
	case MESH_STYLE_PLAIN:
		return YAML_PLAIN_SCALAR_STYLE;
	case MESH_STYLE_SINGLE:
		return YAML_SINGLE_QUOTED_SCALAR_STYLE;
	case MESH_STYLE_DOUBLE:
		if (!json_like)
			return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		break;
	case MESH_STYLE_LITERAL:
		return YAML_LITERAL_SCALAR_STYLE;
	case MESH_STYLE_FOLDED:
		return YAML_FOLDED_SCALAR_STYLE;
	default:
		if (n->stype != MESH_T_STR)
			return YAML_PLAIN_SCALAR_STYLE;
		break;
	}
	/* A string we made, or one from JSON: quote it only if needed. */
	if (mesh_str_is_ambiguous(n->u.s.text, n->u.s.len))
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (memchr(n->u.s.text, '\n', n->u.s.len) != NULL)
		return YAML_LITERAL_SCALAR_STYLE;
	return YAML_ANY_SCALAR_STYLE;
}

/*
 * Is s UTF-8 that a YAML reader takes back?  libyaml's emitter lets
 * through code points past U+10FFFF and surrogates, which it then writes
 * as escapes that its own reader refuses.
 */
static bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, width;
	unsigned long c;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xC2 && p[i] <= 0xDF)
			width = 2, c = p[i] & 0x1F;
		else if (p[i] >= 0xE0 && p[i] <= 0xEF)
			width = 3, c = p[i] & 0x0F;
		else if (p[i] >= 0xF0 && p[i] <= 0xF4)
			width = 4, c = p[i] & 0x07;
		else
			return false;
		if (len - i < width)
			return false;
		for (k = 1; k < width; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			c = c << 6 | (p[i + k] & 0x3F);
		}
		/* overlong forms, surrogates, past U+10FFFF */
		if ((width == 3 && c < 0x800) || (width == 4 && c < 0x10000) ||
		    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
			return false;
		i += width;
	}
	return true;
}

/*
 * libyaml writes a tag under "!" or "tag:yaml.org,2002:" as "!suffix" or
 * "!!suffix" even when the suffix holds a flow indicator, which its
 * reader then refuses; other tags it writes whole, as "!<...>".
 */
static bool
tag_writable(const char *tag)
{
	const char *suffix;

	if (tag == NULL)
		return true;
	if (strncmp(tag, "tag:yaml.org,2002:", 18) == 0)
		suffix = tag + 18;
	else if (tag[0] == '!')
		suffix = tag + 1;
	else
		return true;
	return strpbrk(suffix, ",[]{}") == NULL;
}

/*
 * Is every collection under n in flow style?  A flow collection that got
 * a new mapping or list (from --set, a merge) is then written in block
 * style, and the flow ones around it too: block content cannot sit in a
 * flow collection, and new content is written in block style.
 */
static bool
all_flow(const struct mesh_node *n)
{
	size_t i;

	for (i = 0; i < n->u.c.n; i++) {
		const struct mesh_node *c = n->u.c.v[i];

		if (c->type != MESH_SCALAR && (c->style != MESH_STYLE_FLOW ||
		    !all_flow(c)))
			return false;
	}
	return true;
}

/*
 * flow: n is in a flow collection or is a mapping key, where libyaml
 * cannot write an empty plain scalar.
 */
static int
emit_node(yaml_emitter_t *e, struct mesh_doc *take, const struct mesh_node *n,
    bool json_like, bool flow)
{
	yaml_char_t *tag = (yaml_char_t *)n->tag;
	int implicit = n->tag == NULL;
	const char *text;
	char *own;
	yaml_event_t ev;
	size_t i, len;
	bool cflow = false;
	int ok;

	if (!tag_writable(n->tag)) {
		mesh_err(NULL, "cannot write YAML: tag '%s' would not read "
		    "back", n->tag);
		return -1;
	}
	switch (n->type) {
	case MESH_SCALAR:
		text = n->u.s.text;
		len = n->u.s.len;
		/*
		 * There libyaml writes an empty null as '', which reads
		 * back as a string: write it as "null".
		 */
		if (flow && len == 0 && n->tag == NULL &&
		    mesh_scalar_type(n) == MESH_T_NULL)
			text = "null", len = 4;
		/*
		 * The parser's own string, already checked as UTF-8 when it
		 * was read, goes to the emitter as it is: no copy, no second
		 * check.  Anything else is copied and checked by libyaml.
		 */
		if (take != NULL && text == n->u.s.text &&
		    (own = mesh_doc_give(take,
		    (struct mesh_node *)n)) != NULL) {
			memset(&ev, 0, sizeof(ev));
			ev.type = YAML_SCALAR_EVENT;
			ev.data.scalar.tag = tag ? (yaml_char_t *)xstrdup(
			    (char *)tag) : NULL;
			ev.data.scalar.value = (yaml_char_t *)own;
			ev.data.scalar.length = len;
			ev.data.scalar.plain_implicit = implicit;
			ev.data.scalar.quoted_implicit = implicit;
			ev.data.scalar.style = pick_style(n, json_like);
			ok = 1;
			break;
		}
		ok = utf8_valid(text, len) &&
		    yaml_scalar_event_initialize(&ev, NULL, tag,
		    (yaml_char_t *)text, (int)len, implicit, implicit,
		    pick_style(n, json_like));
		break;
	case MESH_MAP:
		cflow = n->style == MESH_STYLE_FLOW && !json_like &&
		    (flow || all_flow(n));
		ok = yaml_mapping_start_event_initialize(&ev, NULL, tag,
		    implicit, cflow ? YAML_FLOW_MAPPING_STYLE :
		    YAML_ANY_MAPPING_STYLE);
		break;
	default:
		cflow = n->style == MESH_STYLE_FLOW && !json_like &&
		    (flow || all_flow(n));
		ok = yaml_sequence_start_event_initialize(&ev, NULL, tag,
		    implicit, cflow ? YAML_FLOW_SEQUENCE_STYLE :
		    YAML_ANY_SEQUENCE_STYLE);
		break;
	}
	/*
	 * libyaml refuses text that is not UTF-8 and then leaves ev unset:
	 * emitting it frees stale pointers or loops.  The reader lets no
	 * such text in, but a --set key or a variable's value can hold it.
	 */
	if (!ok) {
		mesh_err(NULL, "cannot write YAML: text that is not valid "
		    "UTF-8");
		return -1;
	}
	if (emit(e, &ev) == -1)
		return -1;
	if (n->type == MESH_SCALAR)
		return 0;
	cflow = cflow || flow;
	for (i = 0; i < n->u.c.n; i++)
		if (emit_node(e, take, n->u.c.v[i], json_like, cflow ||
		    (n->type == MESH_MAP && i % 2 == 0)) == -1)
			return -1;
	if (n->type == MESH_MAP)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	return emit(e, &ev);
}

int
mesh_emit_yaml(struct mesh_buf *out, const struct mesh_node *root,
    bool json_like)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rv = -1;

	if (!yaml_emitter_initialize(&e))
		mesh_die("out of memory");
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit(&e, &ev) == -1)
		goto out;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit(&e, &ev) == -1)
		goto out;
	if (emit_node(&e, NULL, root, json_like, false) == -1)
		goto out;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit(&e, &ev) == -1)
		goto out;
	yaml_stream_end_event_initialize(&ev);
	if (emit(&e, &ev) == -1)
		goto out;
	rv = 0;
out:
	emitter_delete(&e, true);
	return rv;
}

/*
 * The width of a character at p that JSON may hold raw but a YAML reader
 * refuses (DEL, C1 controls, U+FFFE, U+FFFF) or folds as a line break
 * (NEL, U+2028, U+2029), with its code point in *cp; else 0.
 */
static size_t
yaml_unsafe(const unsigned char *p, size_t left, unsigned *cp)
{
	if (p[0] == 0x7F) {
		*cp = 0x7F;
		return 1;
	}
	if (left >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
		*cp = p[1];
		return 2;
	}
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] == 0xA8 || p[2] == 0xA9)) {
		*cp = 0x2028 + (unsigned)(p[2] - 0xA8);
		return 3;
	}
	if (left >= 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE) {
		*cp = 0xFFFE + (unsigned)(p[2] - 0xBE);
		return 3;
	}
	return 0;
}

void
mesh_json_string(struct mesh_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, w, run = 0;
	unsigned cp;

	mesh_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[16];

		w = 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (c < 0x20) {
				memcpy(u, "\\u00", 4);
				u[4] = hex[c >> 4];
				u[5] = hex[c & 15];
				u[6] = '\0';
				esc = u;
			} else if ((w = yaml_unsafe((const unsigned char *)s +
			    i, len - i, &cp)) > 0) {
				/* so that our own reader takes it back */
				snprintf(u, sizeof(u), "\\u%04x", cp);
				esc = u;
			}
		}
		if (esc == NULL)
			continue;
		mesh_buf_add(b, s + run, i - run);
		mesh_buf_adds(b, esc);
		run = i + w;
		i += w - 1;
	}
	mesh_buf_add(b, s + run, len - run);
	mesh_buf_addc(b, '"');
}

static void
indent(struct mesh_buf *b, unsigned level)
{
	static const char sp[] = "                                ";
	size_t n = (size_t)level * 4;

	while (n > 0) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		mesh_buf_add(b, sp, k);
		n -= k;
	}
}

static int
json_scalar(struct mesh_buf *b, const struct mesh_doc *doc,
    const struct mesh_node *n, bool key)
{
	char canon[64];
	const char *c;
	enum mesh_type t;
	double d = 0;

	switch (mesh_scalar_type(n)) {
	case MESH_T_STR:
		mesh_json_string(b, n->u.s.text, n->u.s.len);
		return 0;
	case MESH_T_NULL:
		if (key)
			mesh_json_string(b, "null", 4);
		else
			mesh_buf_adds(b, "null");
		return 0;
	case MESH_T_FLOAT:
		if (mesh_resolve_plain(n->u.s.text, n->u.s.len, NULL, NULL,
		    NULL, &d) == MESH_T_FLOAT && !isfinite(d)) {
			mesh_errat(doc->src, n->line, n->col,
			    "'%s' cannot be written as JSON", n->u.s.text);
			return -1;
		}
		/* FALLTHROUGH */
	case MESH_T_INT:
	case MESH_T_BOOL:
		c = mesh_scalar_canon(n, canon, sizeof(canon));
		/*
		 * A tag can claim a type the text does not have; an empty
		 * or "~" text would write no JSON value at all.
		 */
		t = mesh_resolve_plain(c, strlen(c), NULL, NULL, NULL, NULL);
		if (t == MESH_T_STR || t == MESH_T_NULL) {
			mesh_errat(doc->src, n->line, n->col,
			    "'%s' is not a valid %s", n->u.s.text,
			    n->tag ? n->tag : "value");
			return -1;
		}
		if (key)
			mesh_json_string(b, c, strlen(c));
		else
			mesh_buf_adds(b, c);
		return 0;
	}
	return 0;
}

/*
 * kubectl indents JSON by four spaces a level, so that the text of a
 * deeply nested document grows with the square of its depth: 1 MB of
 * nested lists would be a gigabyte.  Collections deeper than this are
 * written on one line, as Go's compact JSON, so that no line is
 * indented more than 128 columns and the output stays within some 70
 * times the input.
 */
#define JSON_PRETTY_DEPTH 32

static int
json_node(struct mesh_buf *b, const struct mesh_doc *doc,
    const struct mesh_node *n, unsigned level)
{
	bool map = n->type == MESH_MAP;
	bool pretty = level < JSON_PRETTY_DEPTH;
	size_t i, step = map ? 2 : 1;

	if (n->type == MESH_SCALAR)
		return json_scalar(b, doc, n, false);
	if (n->u.c.n == 0) {
		mesh_buf_adds(b, map ? "{}" : "[]");
		return 0;
	}
	mesh_buf_addc(b, map ? '{' : '[');
	if (pretty)
		mesh_buf_addc(b, '\n');
	for (i = 0; i < n->u.c.n; i += step) {
		if (pretty)
			indent(b, level + 1);
		if (map) {
			const struct mesh_node *k = n->u.c.v[i];

			if (k->type != MESH_SCALAR) {
				mesh_errat(doc->src, k->line, k->col,
				    "a mapping key that is not a scalar "
				    "cannot be written as JSON");
				return -1;
			}
			if (json_scalar(b, doc, k, true) == -1)
				return -1;
			mesh_buf_adds(b, pretty ? ": " : ":");
		}
		if (json_node(b, doc, n->u.c.v[i + step - 1], level + 1) == -1)
			return -1;
		if (i + step < n->u.c.n)
			mesh_buf_addc(b, ',');
		if (pretty)
			mesh_buf_addc(b, '\n');
	}
	if (pretty)
		indent(b, level);
	mesh_buf_addc(b, map ? '}' : ']');
	return 0;
}

int
mesh_emit_json(struct mesh_buf *out, const struct mesh_doc *doc,
    const struct mesh_node *n)
{
	return json_node(out, doc, n, 0);
}

static int
flush(struct mesh_writer *w, const char *p, size_t n)
{
	if (mesh_write_all(w->fd, p, n) == -1) {
		if (errno != EPIPE)
			mesh_err(NULL, "write error on standard output:");
		return -1;
	}
	return 0;
}

/* A document read as JSON: its root a flow collection. */
static bool
is_json_like(const struct mesh_node *root)
{
	return root != NULL && root->type != MESH_SCALAR &&
	    root->style == MESH_STYLE_FLOW;
}

/* The last scalar under n that has any text, or NULL. */
static const struct mesh_node *
last_text(const struct mesh_node *n)
{
	const struct mesh_node *t;
	size_t i;

	if (n->type == MESH_SCALAR)
		return n->style == MESH_STYLE_PLAIN && n->u.s.len == 0 ?
		    NULL : n;
	for (i = n->u.c.n; i-- > 0;)
		if ((t = last_text(n->u.c.v[i])) != NULL)
			return t;
	return NULL;
}

/*
 * Do the document's bytes end inside a block scalar, with no line break?
 * The newline a copy needs would then join the scalar's text, so such a
 * document is written anew.
 */
static bool
ends_in_block_scalar(const struct mesh_doc *doc)
{
	const struct mesh_node *n;

	if (doc->root == NULL || doc->rawlen == 0 ||
	    doc->raw[doc->rawlen - 1] == '\n')
		return false;
	n = last_text(doc->root);
	return n != NULL && (n->style == MESH_STYLE_LITERAL ||
	    n->style == MESH_STYLE_FOLDED);
}

/*
 * A document written anew, through the writer's own emitter: set up once
 * and kept, as libyaml's stacks and buffers are worth keeping, and
 * flushed by every document end, so the copies in between stay in order.
 * libyaml writes "---" before every document but its first, which the
 * writer adds itself when copies came before.
 */
static int
writer_emit(struct mesh_writer *w, struct mesh_doc *take,
    const struct mesh_node *root)
{
	yaml_event_t ev;

	if (!w->e_open) {
		if (!yaml_emitter_initialize(&w->e))
			mesh_die("out of memory");
		yaml_emitter_set_output(&w->e, write_handler, &w->out);
		yaml_emitter_set_unicode(&w->e, 1);
		yaml_emitter_set_width(&w->e, -1);
		yaml_emitter_set_indent(&w->e, 2);
		w->e_open = true;
		w->e_docs = false;
		yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
		if (emit(&w->e, &ev) == -1)
			goto broken;
	}
	if (w->ndocs > 0 && !w->e_docs)
		mesh_buf_adds(&w->out, "---\n");
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit(&w->e, &ev) == -1 ||
	    emit_node(&w->e, take, root, is_json_like(root), false) == -1)
		goto broken;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit(&w->e, &ev) == -1)
		goto broken;
	w->e_docs = true;
	return 0;
broken:
	/* an emitter that failed mid-document is not used again */
	emitter_delete(&w->e, w->secret);
	w->e_open = false;
	return -1;
}

#define STREAM_BATCH (64 * 1024)

/* --stream: write out the whole documents held so far. */
static int
stream_out(struct mesh_writer *w)
{
	int rv = 0;

	if (w->out.len > 0)
		rv = flush(w, w->out.data, w->out.len);
	w->out.len = 0;
	return rv;
}

/*
 * The comment lines at the head of a document's input (after its "---"
 * line): Helm's "# Source:" lines, which helm template --show-only looks
 * for.  Sets *len; NULL when there are none.
 */
static const char *
head_comments(const struct mesh_doc *doc, size_t *len)
{
	const char *p = doc->raw, *end, *start, *last, *nl;

	if (p == NULL)
		return NULL;
	end = p + doc->rawlen;
	if (doc->raw_explicit) {
		/* past the "---" line, whatever ends it */
		while (p < end && *p != '\n' && *p != '\r')
			p++;
		if (p == end)
			return NULL;
	}
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	start = last = p;
	while (p < end) {
		const char *q = p;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q != '#' && *q != '\n' && *q != '\r')
			break;
		/* a line ends at LF, CR LF or a lone CR */
		for (nl = q; nl < end && *nl != '\n' && *nl != '\r'; nl++)
			;
		if (nl < end && *nl == '\r' && nl + 1 < end && nl[1] == '\n')
			nl++;
		p = nl < end ? nl + 1 : end;
		if (q < end && *q == '#')
			last = p;
	}
	if (last == start)
		return NULL;
	*len = (size_t)(last - start);
	return start;
}

/*
 * Put the head comments of doc into what the emitter wrote for it from
 * mark on, after its "---" line, so that they stay with the document.
 */
static void
keep_head_comments(struct mesh_writer *w, const struct mesh_doc *doc,
    size_t mark)
{
	const char *c;
	size_t n = 0, off = mark, add;
	bool nl_before = false, nl_after;

	if ((c = head_comments(doc, &n)) == NULL)
		return;
	if (w->out.len - mark >= 3 && memcmp(w->out.data + mark, "---", 3) == 0) {
		off = mark + 3;
		if (off < w->out.len && w->out.data[off] == '\n')
			off++;
		else if (off < w->out.len && w->out.data[off] == ' ')
			/* "--- {...}": the root goes on a line of its own */
			w->out.data[off++] = '\n';
		else
			nl_before = true;
	}
	nl_after = c[n - 1] != '\n';
	add = nl_before + n + nl_after;
	mesh_buf_grow(&w->out, add);
	memmove(w->out.data + off + add, w->out.data + off, w->out.len - off);
	if (nl_before)
		w->out.data[off++] = '\n';
	memcpy(w->out.data + off, c, n);
	if (nl_after)
		w->out.data[off + n] = '\n';
	w->out.len += add;
	w->out.data[w->out.len] = '\0';
}

/* Write root, doc's root or a node in it, as one document. */
static int
put(struct mesh_writer *w, const struct mesh_doc *doc,
    const struct mesh_node *root, struct mesh_doc *take)
{
	size_t mark = w->out.len;

	if (w->fmt == MESH_FMT_JSON) {
		if (root == NULL)
			return 0;
		if (json_node(&w->out, doc, root, 0) == -1)
			goto fail;
		mesh_buf_addc(&w->out, '\n');
		if (!w->stream) {
			if (w->nends == w->capends) {
				w->capends = w->capends ? w->capends * 2 : 16;
				w->ends = xreallocarray(w->ends, w->capends,
				    sizeof(*w->ends));
			}
			w->ends[w->nends++] = w->out.len;
		}
	} else if (root == doc->root && !doc->changed && doc->raw != NULL &&
	    !ends_in_block_scalar(doc)) {
		if (w->ndocs > 0 && !doc->raw_explicit)
			mesh_buf_adds(&w->out, "---\n");
		mesh_buf_add(&w->out, doc->raw, doc->rawlen);
		if (doc->rawlen > 0 && doc->raw[doc->rawlen - 1] != '\n')
			mesh_buf_addc(&w->out, '\n');
	} else if (root == NULL) {
		/* an empty document is only there with its "---" */
		mesh_buf_adds(&w->out, "---\n");
	} else if (writer_emit(w, take, root) == -1) {
		goto fail;
	} else if (root == doc->root) {
		keep_head_comments(w, doc, mark);
	}
	w->ndocs++;
	/* whole documents only, in writes of some size */
	if (w->stream && w->out.len >= STREAM_BATCH)
		return stream_out(w);
	return 0;
fail:
	w->out.len = mark;
	return -1;
}

int
mesh_writer_put(struct mesh_writer *w, const struct mesh_doc *doc)
{
	return put(w, doc, doc->root, NULL);
}

int
mesh_writer_take(struct mesh_writer *w, struct mesh_doc *doc)
{
	return put(w, doc, doc->root, doc);
}

int
mesh_writer_take_node(struct mesh_writer *w, struct mesh_doc *doc,
    struct mesh_node *n)
{
	return put(w, doc, n, doc);
}


int
mesh_writer_finish(struct mesh_writer *w)
{
	struct mesh_buf list = MESH_BUF_INIT;
	size_t i, start;
	int rv;

	list.secret = w->secret;
	if (w->stream)
		return stream_out(w);
	if (w->fmt != MESH_FMT_JSON || w->nends == 1)
		return w->out.len > 0 ? flush(w, w->out.data, w->out.len) : 0;
	/* Several documents, or none, in JSON: a v1 List, as kubectl
	 * writes it. */
	mesh_buf_adds(&list, "{\n    \"apiVersion\": \"v1\",\n");
	if (w->nends == 0) {
		mesh_buf_adds(&list, "    \"items\": [],\n");
	} else {
		mesh_buf_adds(&list, "    \"items\": [\n");
		for (i = start = 0; i < w->nends; i++) {
			/* one document's lines, with its own newlines */
			const char *p = w->out.data + start;
			size_t len = w->ends[i] - start - 1;
			const char *q;

			while (len > 0) {
				q = memchr(p, '\n', len);
				indent(&list, 2);
				if (q == NULL) {
					mesh_buf_add(&list, p, len);
					break;
				}
				mesh_buf_add(&list, p, (size_t)(q - p) + 1);
				len -= (size_t)(q - p) + 1;
				p = q + 1;
			}
			mesh_buf_adds(&list, i + 1 < w->nends ? ",\n" : "\n");
			start = w->ends[i];
		}
		mesh_buf_adds(&list, "    ],\n");
	}
	mesh_buf_adds(&list, "    \"kind\": \"List\",\n"
	    "    \"metadata\": {\n"
	    "        \"resourceVersion\": \"\"\n    }\n}\n");
	rv = flush(w, list.data, list.len);
	mesh_buf_release(&list);
	return rv;
}
