/*
 * floor: the throughput ceiling for a libyaml filter.  Reads a YAML stream
 * on stdin with libyaml's parser and hands every event straight to
 * libyaml's emitter, which writes to stdout with the settings
 * mesh_emit_yaml uses (unicode on, no line width, indent 2).  No tree, no
 * copy of the input, one emitter for the whole stream: whatever a filter
 * built on libyaml does on top of this costs time above the floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#define BUF_SIZE (64 * 1024)

static char outbuf[BUF_SIZE];
static size_t outlen;

static int
flush_out(void)
{
	size_t off = 0;

	while (off < outlen) {
		ssize_t n = write(STDOUT_FILENO, outbuf + off, outlen - off);

		if (n == -1)
			return -1;
		off += (size_t)n;
	}
	outlen = 0;
	return 0;
}

/* libyaml's output handler: buffer, and write when full. */
static int
write_handler(void *data, unsigned char *buffer, size_t size)
{
	(void)data;
	while (size > 0) {
		size_t room = BUF_SIZE - outlen;
		size_t n = size < room ? size : room;

		memcpy(outbuf + outlen, buffer, n);
		outlen += n;
		buffer += n;
		size -= n;
		if (outlen == BUF_SIZE && flush_out() == -1)
			return 0;
	}
	return 1;
}

int
main(void)
{
	yaml_parser_t p;
	yaml_emitter_t e;
	yaml_event_t ev;
	int done = 0, rv = 1;

	if (!yaml_parser_initialize(&p) || !yaml_emitter_initialize(&e)) {
		fputs("floor: out of memory\n", stderr);
		return 1;
	}
	yaml_parser_set_input_file(&p, stdin);
	yaml_emitter_set_output(&e, write_handler, NULL);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);

	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "floor: %lu:%lu: %s\n",
			    (unsigned long)p.problem_mark.line + 1,
			    (unsigned long)p.problem_mark.column + 1,
			    p.problem ? p.problem : "syntax error");
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		/* The emitter owns the event from here, even on failure. */
		if (!yaml_emitter_emit(&e, &ev)) {
			fprintf(stderr, "floor: cannot emit: %s\n",
			    e.problem ? e.problem : "emitter error");
			goto out;
		}
	}
	if (!yaml_emitter_flush(&e) || flush_out() == -1) {
		perror("floor: write");
		goto out;
	}
	rv = 0;
out:
	yaml_emitter_delete(&e);
	yaml_parser_delete(&p);
	return rv;
}
