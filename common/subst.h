/*
 * YAML-safe ${VAR} substitution.  Variables are replaced inside scalars
 * only, so whatever a value holds (": ", a newline, "on") it stays one
 * scalar and cannot change the document's structure.
 */
#ifndef MESH_SUBST_H
#define MESH_SUBST_H

#include <stdbool.h>
#include <stddef.h>

#include "node.h"

struct mesh_buf;

/* Look a variable up: its value, or NULL when it is not set. */
typedef const char *(*mesh_lookup_fn)(const char *name, void *arg);

/* The environment, for mesh_lookup_fn. */
const char *mesh_lookup_env(const char *name, void *arg);

/* A small table of values, for mesh_vars_lookup (arg: the table). */
struct mesh_vars {
	const char *name[16], *value[16];	/* borrowed */
	size_t n;
};

/* Add (or replace) name's value; more than 16 names is a bug. */
void mesh_vars_add(struct mesh_vars *v, const char *name, const char *value);
const char *mesh_vars_lookup(const char *name, void *arg);

/*
 * Expand ${NAME}, ${NAME:-default} (the default when NAME is unset or
 * empty) and $${ (a literal "${") in s into out.  0, or -1 with the
 * reason in err (nothing printed).
 */
int mesh_subst_string(const char *s, size_t len, mesh_lookup_fn lookup,
    void *arg, struct mesh_buf *out, char *err, size_t errlen);

/*
 * Expand every scalar (keys too) under n.  A plain scalar that changes
 * becomes a string (quoted where it must be), unless a !!int, !!float or
 * !!bool tag asks for that type: the value must then be one.  *changed is
 * set when anything changed.  0, or -1 after reporting src:line:col.
 */
int mesh_subst_tree(struct mesh_doc *doc, struct mesh_node *n,
    mesh_lookup_fn lookup, void *arg, bool *changed);

#endif
