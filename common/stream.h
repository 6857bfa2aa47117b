/*
 * YAML and JSON streams: reading documents into trees with limits, and
 * writing them back as YAML or JSON, all or nothing.
 */
#ifndef MESH_STREAM_H
#define MESH_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "node.h"

struct mesh_limits {
	unsigned max_depth;		/* nesting levels (512) */
	size_t max_doc_size;		/* bytes in one document (64 MiB) */
	size_t max_input_size;		/* bytes in all input (1 GiB); 0: none */
	size_t max_alias_nodes;		/* nodes made by aliases, per document */
	size_t max_alias_bytes;		/* bytes aliases expand to, in all */
	size_t max_anchors;		/* anchors in one document */
	size_t max_docs;		/* documents in all input; 0: none */
	size_t input_seen;		/* bytes read so far, across readers */
	size_t alias_seen;		/* bytes aliases expanded to so far */
	size_t docs_seen;		/* documents read so far */
	bool secret;			/* wipe the input read when done */
	bool options;			/* the --max-* options set these */
};

/* Fill in the defaults. */
void mesh_limits_init(struct mesh_limits *lim);

struct mesh_reader;

/*
 * Read the stream in path ("-" for stdin, named "<stdin>").  lim is
 * borrowed and must outlive the reader.  Reports and returns NULL when
 * the file cannot be opened.
 */
struct mesh_reader *mesh_reader_open(const char *path,
    struct mesh_limits *lim);
/* Read a stream held in memory (borrowed until the reader is freed). */
struct mesh_reader *mesh_reader_open_mem(const char *name, const char *data,
    size_t len, struct mesh_limits *lim);
/*
 * The next document: returns 1 and sets *doc (the caller frees it), 0 at
 * the end of the stream, or -1 after reporting "src:line:col: problem".
 */
int mesh_reader_next(struct mesh_reader *r, struct mesh_doc **doc);
void mesh_reader_free(struct mesh_reader *r);

/*
 * Read every document of path into *docs (a malloc'd array of *n; the
 * caller frees each and the array).  0, or -1 after a report.
 */
int mesh_read_all(const char *path, struct mesh_limits *lim,
    struct mesh_doc ***docs, size_t *n);
/*
 * Parse one document from a string (no document: an empty one); NULL
 * after a report, or silently when quiet.
 */
struct mesh_doc *mesh_parse_string(const char *name, const char *s,
    struct mesh_limits *lim, bool quiet);
/* The same for len bytes at s, which may hold anything (a NUL too). */
struct mesh_doc *mesh_parse_mem(const char *name, const char *s, size_t len,
    struct mesh_limits *lim, bool quiet);

enum mesh_format { MESH_FMT_YAML, MESH_FMT_JSON };

/* Parse "yaml" or "json"; -1 for anything else. */
int mesh_format_parse(const char *s);
/* The same for -o's value into *fmt; -1 after reporting it (exit 2). */
int mesh_format_option(const char *arg, enum mesh_format *fmt);

struct mesh_writer;

/*
 * A writer to fd.  Without stream, nothing reaches fd before
 * mesh_writer_finish; with it, whole documents are written as they are
 * put (gathered into writes of 64 KiB), and what is done is written
 * even when the writer is freed after an error.
 */
struct mesh_writer *mesh_writer_new(int fd, enum mesh_format fmt,
    bool stream);
/*
 * Write one document: its input bytes when it did not change and the
 * format is YAML, else the tree.  -1 after a report (a value JSON cannot
 * hold, a write error).
 */
int mesh_writer_put(struct mesh_writer *w, const struct mesh_doc *doc);
/*
 * The same, but the document's scalar strings may be given to the
 * emitter instead of copied: afterwards doc may only be freed.
 */
int mesh_writer_take(struct mesh_writer *w, struct mesh_doc *doc);
/*
 * Write n, a node of doc (an item of a List), as a document of its own.
 * As with mesh_writer_take, the scalar strings under n may be given to
 * the emitter: afterwards n may not be read again.
 */
int mesh_writer_take_node(struct mesh_writer *w, struct mesh_doc *doc,
    struct mesh_node *n);
/* Write what is held, and close a JSON list.  0, or -1 after a report. */
int mesh_writer_finish(struct mesh_writer *w);
/*
 * What goes through w is secret: its buffers, and the emitter's, are
 * wiped when it is freed.
 */
void mesh_writer_secret(struct mesh_writer *w);
/* Free the writer; without stream, anything not yet written is dropped. */
void mesh_writer_free(struct mesh_writer *w);

/*
 * A document (or one node) as YAML text, appended to out; the emitter's
 * own buffers are wiped after.  0 or -1.
 */
struct mesh_buf;
int mesh_emit_yaml(struct mesh_buf *out, const struct mesh_node *root,
    bool json_like);

/*
 * n (of doc, for messages) as JSON, appended to out, as the JSON writer
 * writes it: YAML 1.1 meanings, 4-space indents (collections nested
 * deeper than 32 levels on one line).  0, or -1 after a
 * report (a value JSON cannot hold, a key that is not a scalar).
 */
int mesh_emit_json(struct mesh_buf *out, const struct mesh_doc *doc,
    const struct mesh_node *n);
/* s (len bytes) as a JSON string, quotes included, appended to b. */
void mesh_json_string(struct mesh_buf *b, const char *s, size_t len);

#endif
