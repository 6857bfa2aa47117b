/*
 * Growable byte buffers, and reading a whole file into one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "pki.h"
#include "xalloc.h"

void
mesh_buf_init(struct mesh_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->secret = false;
}

void
mesh_buf_release(struct mesh_buf *b)
{
	bool secret = b->secret;

	if (secret && b->data != NULL)
		mesh_wipe(b->data, b->cap);
	free(b->data);
	mesh_buf_init(b);
	b->secret = secret;
}

char *
mesh_buf_grow(struct mesh_buf *b, size_t n)
{
	if (n >= b->cap - b->len || b->data == NULL) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap - b->len <= n) {
			if (cap > (size_t)-1 / 2)
				mesh_die("out of memory");
			cap *= 2;
		}
		if (b->secret && b->data != NULL) {
			/* move it by hand: realloc would leave a copy */
			char *p = xmalloc(cap);

			memcpy(p, b->data, b->len + 1);
			mesh_wipe(b->data, b->cap);
			free(b->data);
			b->data = p;
		} else {
			b->data = xreallocarray(b->data, cap, 1);
		}
		b->cap = cap;
	}
	return b->data + b->len;
}

void
mesh_buf_add(struct mesh_buf *b, const void *p, size_t n)
{
	memcpy(mesh_buf_grow(b, n), p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
mesh_buf_adds(struct mesh_buf *b, const char *s)
{
	mesh_buf_add(b, s, strlen(s));
}

void
mesh_buf_addc(struct mesh_buf *b, char c)
{
	mesh_buf_add(b, &c, 1);
}

void
mesh_buf_addf(struct mesh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	mesh_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
mesh_buf_consume(struct mesh_buf *b, size_t n)
{
	size_t old = b->len;

	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->secret && b->data != NULL)
		mesh_wipe(b->data + b->len, old - b->len);
	if (b->data != NULL)
		b->data[b->len] = '\0';
}

char *
mesh_buf_detach(struct mesh_buf *b, size_t *len)
{
	bool secret = b->secret;
	char *p;

	if (b->data == NULL)
		mesh_buf_grow(b, 0), b->data[0] = '\0';
	p = b->data;
	if (len != NULL)
		*len = b->len;
	mesh_buf_init(b);
	b->secret = secret;
	return p;
}

int
mesh_slurp_why(const char *path, struct mesh_buf *b, size_t max, char *why,
    size_t whylen)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	size_t start = b->len;
	int fd, rv = -1;
	ssize_t n;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		char *p = mesh_buf_grow(b, 65536);

		n = read(fd, p, 65536);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(why, whylen, "cannot read '%s': %s", name,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (max != 0 && b->len - start > max) {
			snprintf(why, whylen, "'%s' is larger than %zu bytes",
			    name, max);
			goto out;
		}
	}
	b->data[b->len] = '\0';
	rv = 0;
out:
	if (rv == -1) {
		if (b->secret && b->data != NULL)
			memset(b->data + start, 0, b->len - start);
		b->len = start;
		if (b->data != NULL)
			b->data[start] = '\0';
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rv;
}

int
mesh_slurp(const char *path, struct mesh_buf *b, size_t max)
{
	char why[4096 + 64];

	if (mesh_slurp_why(path, b, max, why, sizeof(why)) == -1) {
		mesh_err(NULL, "%s", why);
		return -1;
	}
	return 0;
}

int
mesh_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
mesh_base64_encode(struct mesh_buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	char *o = mesh_buf_grow(b, (len + 2) / 3 * 4);
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = b64[p[i] >> 2];
		*o++ = b64[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = b64[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		*o++ = b64[p[i + 2] & 63];
	}
	if (len - i == 1) {
		*o++ = b64[p[i] >> 2];
		*o++ = b64[(p[i] & 3) << 4];
		*o++ = '=';
		*o++ = '=';
	} else if (len - i == 2) {
		*o++ = b64[p[i] >> 2];
		*o++ = b64[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = b64[(p[i + 1] & 15) << 2];
		*o++ = '=';
	}
	b->len += (len + 2) / 3 * 4;
	b->data[b->len] = '\0';
}

int
mesh_base64_decode(struct mesh_buf *b, const char *s, size_t len)
{
	unsigned long acc = 0;
	size_t i, q = 0, pad = 0;
	const char *k;

	mesh_buf_grow(b, len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=') {
			pad++;
			acc <<= 6;
		} else if (pad > 0 || s[i] == '\0' ||
		    (k = strchr(b64, s[i])) == NULL) {
			return -1;
		} else {
			acc = acc << 6 | (unsigned long)(k - b64);
		}
		if (++q < 4)
			continue;
		if (pad > 2)
			return -1;
		b->data[b->len++] = (char)(acc >> 16);
		if (pad < 2)
			b->data[b->len++] = (char)(acc >> 8 & 0xff);
		if (pad < 1)
			b->data[b->len++] = (char)(acc & 0xff);
		q = 0;
		acc = 0;
	}
	b->data[b->len] = '\0';
	return q == 0 ? 0 : -1;
}
