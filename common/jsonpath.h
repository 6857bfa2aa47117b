/*
 * kubectl's JSONPath templates, over document trees: text with {...}
 * actions, each a path ($, @, .field, ['field'], [n], [-n], [a:b:c],
 * [*], [a,b], ..field, [?(@.x == "y")]), a quoted literal, or {range
 * PATH}...{end}.  Several results of one action are joined by spaces;
 * strings print as they are, numbers and booleans as Go prints them,
 * mappings and sequences as compact JSON with sorted keys.
 */
#ifndef MESH_JSONPATH_H
#define MESH_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "node.h"

struct mesh_jsonpath;

/*
 * Parse a template.  A template with no '{' is taken as one path, as
 * kubectl takes `--for jsonpath=status.phase`: "{.status.phase}".  NULL
 * with the reason in err ("unclosed action", ...), nothing printed.
 */
struct mesh_jsonpath *mesh_jsonpath_parse(const char *tmpl, char *err,
    size_t errlen);
void mesh_jsonpath_free(struct mesh_jsonpath *jp);

/*
 * The template applied to root, appended to out.  A field that is not
 * there gives nothing when allow_missing, else -1 with "status is not
 * found" in err.  0 or -1.
 */
int mesh_jsonpath_exec(const struct mesh_jsonpath *jp,
    const struct mesh_node *root, bool allow_missing, struct mesh_buf *out,
    char *err, size_t errlen);

/*
 * The nodes the template's one action leads to in root (missing fields
 * give none): a malloc'd array of *n borrowed pointers, NULL when none.
 * -1 (err says why) when the template is not one path.
 */
int mesh_jsonpath_find(const struct mesh_jsonpath *jp,
    const struct mesh_node *root, const struct mesh_node ***res, size_t *n,
    char *err, size_t errlen);

/* A node as the template prints it: a scalar's text, else JSON. */
void mesh_jsonpath_print(struct mesh_buf *out, const struct mesh_node *n);

#endif
