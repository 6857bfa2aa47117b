/*
 * A growable byte buffer, always NUL-terminated after its contents.
 */
#ifndef MESH_BUF_H
#define MESH_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct mesh_buf {
	char *data;	/* NULL until something is added */
	size_t len;
	size_t cap;
	bool secret;	/* wipe what growing, consuming, releasing leave */
};

#define MESH_BUF_INIT { NULL, 0, 0, false }
#define MESH_BUF_SECRET { NULL, 0, 0, true }

/* Empty, not secret. */
void mesh_buf_init(struct mesh_buf *b);
/* Free the contents (wiped first if secret); it stays secret if it was. */
void mesh_buf_release(struct mesh_buf *b);
/* Make room for n more bytes; returns where they go. */
char *mesh_buf_grow(struct mesh_buf *b, size_t n);
void mesh_buf_add(struct mesh_buf *b, const void *p, size_t n);
void mesh_buf_adds(struct mesh_buf *b, const char *s);
void mesh_buf_addc(struct mesh_buf *b, char c);
void mesh_buf_addf(struct mesh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes. */
void mesh_buf_consume(struct mesh_buf *b, size_t n);
/* Hand the contents to the caller (never NULL) and empty the buffer. */
char *mesh_buf_detach(struct mesh_buf *b, size_t *len);

/*
 * Read all of path ("-" is stdin) into b, at most max bytes (0: no limit).
 * Reports "cannot open 'path': ..." or "'path' is larger than N bytes"
 * and returns -1; b then holds nothing new.
 */
int mesh_slurp(const char *path, struct mesh_buf *b, size_t max);
/*
 * The same, unreported: the message ("cannot open 'path': reason") goes
 * into why (whylen bytes), for a caller that says where the path came
 * from in the same line.
 */
int mesh_slurp_why(const char *path, struct mesh_buf *b, size_t max,
    char *why, size_t whylen);

/* Write all of p to fd, retrying short writes. 0, or -1 with errno. */
int mesh_write_all(int fd, const void *p, size_t n);

/* Append len bytes of s as standard base64, padded, on one line. */
void mesh_base64_encode(struct mesh_buf *b, const void *s, size_t len);
/*
 * Append what standard base64 text s (len bytes; padding required, CR and
 * LF skipped) decodes to.  0, or -1 when s is not base64: b may then hold
 * part of it, so wipe it if it was a secret.
 */
int mesh_base64_decode(struct mesh_buf *b, const char *s, size_t len);

#endif
