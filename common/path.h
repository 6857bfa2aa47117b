/*
 * istioctl's path grammar, as --set and k8s.overlays use it: dotted keys
 * with "\." escapes, "[N]" indexes, "[key:value]" and "[:value]" list
 * selectors.  Two engines walk a path: the --set engine (create what is
 * missing, append past the end, string-only selectors) and the overlay
 * engine (text selectors, regular expressions for leaf lists, null
 * deletes).  Where istioctl would crash, drop the patch or write a key
 * called "[0]", these report an error instead.
 */
#ifndef MESH_PATH_H
#define MESH_PATH_H

#include <stdbool.h>

#include "node.h"

enum mesh_pe_kind {
	MESH_PE_KEY,		/* a mapping key */
	MESH_PE_INDEX,		/* [N] */
	MESH_PE_SELECT,		/* [key:value] */
	MESH_PE_LEAF		/* [:value] or [value] */
};

struct mesh_path_elem {
	enum mesh_pe_kind kind;
	char *key;		/* KEY, SELECT */
	char *value;		/* SELECT, LEAF */
	long index;		/* INDEX */
};

struct mesh_path {
	char *text;		/* as given */
	struct mesh_path_elem *v;
	size_t n;
};

/* What went wrong, and on which node if one is known. */
struct mesh_path_err {
	char msg[512];
	const struct mesh_node *at;
};

/*
 * Parse text into p (the caller releases it).  0, or -1 with the reason
 * in err (nothing is printed).
 */
int mesh_path_parse(const char *text, struct mesh_path *p,
    struct mesh_path_err *err);
void mesh_path_release(struct mesh_path *p);

/* The node at p under n, or NULL (without creating anything). */
struct mesh_node *mesh_path_get(struct mesh_node *n,
    const struct mesh_path *p);

/*
 * The --set engine: set p under n to value (which now belongs to doc),
 * creating missing mappings and lists.  0, or -1 with err set.
 */
int mesh_path_set(struct mesh_doc *doc, struct mesh_node *n,
    const struct mesh_path *p, struct mesh_node *value,
    struct mesh_path_err *err);

/*
 * Set the path text under n (with mesh_path_set) to value, for paths a
 * program writes itself: one that does not apply is a bug, and dies.
 */
void mesh_path_put(struct mesh_doc *doc, struct mesh_node *n,
    const char *path, struct mesh_node *value);

/*
 * Delete what p names under n, with the --set engine's grammar.  A
 * missing last key is not an error; anything else that does not resolve
 * is.  0, or -1 with err set.
 */
int mesh_path_delete(struct mesh_node *n, const struct mesh_path *p,
    struct mesh_path_err *err);

/*
 * The k8s.overlays engine: set p under root to value, or delete it when
 * value is NULL.  The value is used as given (see mesh_overlay_value).
 */
int mesh_path_overlay(struct mesh_doc *doc, struct mesh_node *root,
    const struct mesh_path *p, struct mesh_node *value,
    struct mesh_path_err *err);

#endif
