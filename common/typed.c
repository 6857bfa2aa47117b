/*
 * The libcyaml glue.  Our own reader reads the bytes, as it reads every
 * stream, and libcyaml reads the tree it made, written out again.  When
 * libcyaml refuses, its log says what and where along the schema (a
 * backtrace of mapping fields and sequence entries), but its positions
 * are often the enclosing mapping's.  So the backtrace is walked down our
 * tree to the exact node, and the problem is said again in our words.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cyaml/cyaml.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "stream.h"
#include "xalloc.h"
#include "typed.h"

/* libcyaml's error log, one message a line. */
static void log_fn(cyaml_log_t, void *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
{
	struct mesh_buf *b = ctx;
	char line[1024];

	(void)level;
	vsnprintf(line, sizeof(line), fmt, ap);
	mesh_buf_adds(b, line);
}

/* libcyaml's settings, in cfg: the caller's, so that threads share none. */
static const cyaml_config_t *
config(cyaml_config_t *cfg, struct mesh_buf *log)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_fn = log_fn;
	cfg->log_ctx = log;
	cfg->mem_fn = cyaml_mem;
	cfg->log_level = CYAML_LOG_ERROR;
	cfg->flags = CYAML_CFG_DEFAULT;
	return cfg;
}

/* The text between the first quote pair after marker in line, or NULL. */
static char *
quoted(const char *line, const char *marker)
{
	const char *p = strstr(line, marker), *q;

	if (p == NULL || (p = strchr(p, '\'')) == NULL ||
	    (q = strchr(p + 1, '\'')) == NULL)
		return NULL;
	return xstrndup(p + 1, (size_t)(q - p - 1));
}

static const char *
event_name(const char *ev)
{
	if (strstr(ev, "SEQUENCE") != NULL)
		return "a list";
	if (strstr(ev, "MAPPING") != NULL)
		return "a mapping";
	if (strstr(ev, "SCALAR") != NULL)
		return "a scalar";
	return "something else";
}

static const char *
type_name(const char *t)
{
	static const struct {
		const char *cyaml, *ours;
	} names[] = {
		{ "STRING", "a string" }, { "INT", "a whole number" },
		{ "UINT", "a whole number" }, { "BOOL", "true or false" },
		{ "ENUM", "one of the listed words" }, { "FLOAT", "a number" },
		{ "MAPPING", "a mapping" }, { "SEQUENCE", "a list" },
		{ "FLAGS", "a list of flags" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(t, names[i].cyaml, strlen(names[i].cyaml)) == 0 &&
		    (t[strlen(names[i].cyaml)] == ',' ||
		    t[strlen(names[i].cyaml)] == '\0'))
			return names[i].ours;
	return "something else";
}

/* The schema of a mapping field, or NULL. */
static const cyaml_schema_value_t *
field_schema(const cyaml_schema_value_t *s, const char *key)
{
	const cyaml_schema_field_t *f;

	if (s == NULL || s->type != CYAML_MAPPING)
		return NULL;
	for (f = s->mapping.fields; f->key != NULL; f++)
		if (strcmp(f->key, key) == 0)
			return &f->value;
	return NULL;
}

/*
 * Walk the backtrace (innermost first in the log) from the root of doc
 * and the schema; leaves the node and schema found, and the path text.
 */
static void
walk(char **steps, size_t n, const struct mesh_node **node,
    const cyaml_schema_value_t **schema, struct mesh_buf *path)
{
	const struct mesh_node *nd = *node;
	const cyaml_schema_value_t *s = *schema;

	while (n-- > 0) {
		const char *st = steps[n];
		char *name;

		if ((name = quoted(st, "mapping field")) != NULL) {
			if (path->len > 0)
				mesh_buf_addc(path, '.');
			mesh_buf_adds(path, name);
			if (mesh_is_map(nd))
				nd = mesh_map_get(nd, name) ? mesh_map_get(nd,
				    name) : nd;
			s = field_schema(s, name);
			free(name);
		} else if ((name = quoted(st, "sequence entry")) != NULL) {
			long i = strtol(name, NULL, 10) - 1;

			/* entry '0': the sequence itself, before any entry */
			if (i < 0) {
				free(name);
				continue;
			}
			mesh_buf_addf(path, "[%ld]", i);
			if (mesh_is_seq(nd) && i >= 0 && (size_t)i < nd->u.c.n)
				nd = nd->u.c.v[i];
			s = s != NULL && s->type == CYAML_SEQUENCE ?
			    s->sequence.entry : NULL;
			free(name);
		}
	}
	*node = nd;
	*schema = s;
}

/* The key node of key in map, for a position. */
static const struct mesh_node *
key_node(const struct mesh_node *map, const char *key)
{
	long i = mesh_map_find(map, key);

	return i < 0 ? map : mesh_map_key(map, (size_t)i);
}

/* The second key node of key in map (libcyaml saw it twice). */
static const struct mesh_node *
second_key(const struct mesh_node *map, const char *key)
{
	size_t i;
	int seen = 0;

	if (!mesh_is_map(map))
		return map;
	for (i = 0; i < mesh_map_len(map); i++)
		if (mesh_scalar_is(mesh_map_key(map, i), key) && seen++ == 1)
			return mesh_map_key(map, i);
	return map;
}

static void
report(const char *src, const struct mesh_doc *doc,
    const cyaml_schema_value_t *root, const char *log)
{
	struct mesh_buf path = MESH_BUF_INIT, msg = MESH_BUF_INIT;
	const cyaml_schema_value_t *s;
	const struct mesh_node *nd = doc->root;
	char **steps = NULL, *copy = xstrdup(log), *line, *next;
	const char *problem = NULL;
	size_t skip = 0;
	size_t nsteps = 0;
	const char *p;
	unsigned a, b;
	char what[256];

	/* "Load: problem", "Load: Backtrace:", "  in ..." lines */
	for (line = copy; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "Load: Backtrace", 15) == 0)
			continue;
		if (strstr(line, "  in ") != NULL) {
			steps = xreallocarray(steps, nsteps + 1,
			    sizeof(*steps));
			steps[nsteps++] = line;
		} else if (problem == NULL && strncmp(line, "Load: ", 6) == 0) {
			problem = line + 6;
		}
	}
	if (problem == NULL)
		problem = "";
	/*
	 * A missing field is found when its mapping ends, and the backtrace
	 * then names the last field that was there: the place to point at
	 * is the mapping.
	 */
	if (strncmp(problem, "Missing required", 16) == 0 && nsteps > 0 &&
	    strstr(steps[0], "mapping field") != NULL)
		skip = 1;
	s = root;
	walk(steps + skip, nsteps - skip, &nd, &s, &path);
	if (strncmp(problem, "Unexpected key: ", 16) == 0) {
		p = problem + 16;
		nd = key_node(nd, p);
		mesh_buf_addf(&msg, "unknown key '%s'", p);
	} else if (strncmp(problem, "Missing required mapping field: ",
	    32) == 0) {
		mesh_buf_addf(&msg, "missing key '%s'", problem + 32);
	} else if (strncmp(problem, "Mapping field already seen: ", 28) == 0) {
		nd = second_key(nd, problem + 28);
		mesh_buf_addf(&msg, "key '%s' is given twice", problem + 28);
	} else if (strncmp(problem, "Invalid ENUM value: ", 20) == 0) {
		uint32_t i;

		mesh_buf_addf(&msg, "'%s' is not one of", problem + 20);
		for (i = 0; s != NULL && s->type == CYAML_ENUM &&
		    i < s->enumeration.count; i++)
			mesh_buf_addf(&msg, "%s %s", i ? "," : "",
			    s->enumeration.strings[i].str);
		if (s == NULL || s->type != CYAML_ENUM)
			mesh_buf_adds(&msg, " the allowed values");
	} else if (strncmp(problem, "Expecting ", 10) == 0 &&
	    (p = strstr(problem, ", got event: ")) != NULL) {
		char *t = xstrndup(problem + 10, (size_t)(p - problem - 10));

		mesh_buf_addf(&msg, "expected %s, not %s", type_name(t),
		    event_name(p + 13));
		free(t);
	} else if (sscanf(problem, "STRING length < %u", &a) == 1) {
		mesh_buf_addf(&msg, "must be at least %u characters long", a);
	} else if (sscanf(problem, "STRING length > %u", &a) == 1) {
		mesh_buf_addf(&msg, "must be at most %u characters long", a);
	} else if (sscanf(problem, "Insufficient entries (%u of %u", &a,
	    &b) == 2) {
		mesh_buf_addf(&msg, "needs at least %u %s", b,
		    b == 1 ? "entry" : "entries");
	} else if (sscanf(problem, "Excessive entries (%u", &a) == 1) {
		mesh_buf_addf(&msg, "may hold at most %u entries", a);
	} else if (strstr(problem, "INT value") != NULL ||
	    strstr(problem, "uint64_t value") != NULL) {
		mesh_buf_adds(&msg, "expected a whole number");
	} else if (strstr(problem, "FLOAT") != NULL) {
		mesh_buf_adds(&msg, "expected a number");
	} else if (strstr(problem, "alias") != NULL) {
		mesh_buf_adds(&msg, "aliases are not supported here");
	} else {
		mesh_buf_adds(&msg, "invalid value");
	}
	if (nd == NULL)
		nd = doc->root;
	snprintf(what, sizeof(what), "%s", path.len ? path.data : "");
	if (path.len > 0)
		mesh_errat(src, nd ? nd->line : 0, nd ? nd->col : 0, "%s: %s",
		    what, msg.data);
	else
		mesh_errat(src, nd ? nd->line : 0, nd ? nd->col : 0, "%s",
		    msg.data);
	free(steps);
	free(copy);
	mesh_buf_release(&path);
	mesh_buf_release(&msg);
}

int
mesh_typed_load(const char *src, const char *data, size_t len,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out)
{
	return mesh_typed_load_tree(src, data, len, schema, wipe, out, NULL);
}

int
mesh_typed_load_tree(const char *src, const char *data, size_t len,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out, struct mesh_doc **tree)
{
	struct mesh_limits lim;
	struct mesh_doc *doc;
	int rv = -1;

	*out = NULL;
	if (tree != NULL)
		*tree = NULL;
	mesh_limits_init(&lim);
	lim.secret = wipe != NULL;
	/*
	 * Our reader reads the bytes as every stream is read: the same
	 * checks, encodings (UTF-16, a BOM), JSON's surrogate pairs, limits
	 * and messages.  libcyaml is then given the tree written anew as
	 * plain UTF-8 YAML, so it sees what our reader saw.
	 */
	if ((doc = mesh_parse_mem(src, data, len, &lim, false)) == NULL)
		goto out;
	if (doc->root == NULL) {
		mesh_err(src, "the document is empty");
		goto out;
	}
	if (mesh_typed_load_doc(src, doc, schema, wipe, out) == -1)
		goto out;
	rv = 0;
	if (tree != NULL) {
		*tree = doc;
		doc = NULL;
	}
out:
	mesh_doc_free_wipe(doc, wipe);
	return rv;
}

int
mesh_typed_load_doc(const char *src, const struct mesh_doc *doc,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out)
{
	struct mesh_buf log = MESH_BUF_INIT, yaml = MESH_BUF_INIT;
	cyaml_config_t cfg;
	cyaml_err_t err;
	int rv = -1;

	*out = NULL;
	yaml.secret = wipe != NULL;
	if (mesh_emit_yaml(&yaml, doc->root, false) == -1)
		goto out;
	err = cyaml_load_data((const uint8_t *)yaml.data, yaml.len,
	    config(&cfg, &log), schema, (cyaml_data_t **)out, NULL);
	if (err == CYAML_ERR_OOM)
		mesh_die("out of memory");
	if (err != CYAML_OK) {
		report(src, doc, schema, log.data ? log.data : "");
		*out = NULL;
		goto out;
	}
	rv = 0;
out:
	mesh_buf_release(&yaml);
	mesh_buf_release(&log);
	return rv;
}

void
mesh_typed_free(const cyaml_schema_value_t *schema, void *data)
{
	struct mesh_buf log = MESH_BUF_INIT;
	cyaml_config_t cfg;

	if (data != NULL)
		cyaml_free(config(&cfg, &log), schema, data, 0);
	mesh_buf_release(&log);
}
