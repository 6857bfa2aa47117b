/*
 * Strategic merge, after the rules of Kubernetes' strategicpatch
 * package for the patches istioctl makes from an IstioOperator's k8s
 * settings.  A keyed list is merged in two parts: the patch's items in
 * the patch's order (each merged with the item of the same key, if
 * any), and the items only the object has, in its order; the two are
 * then interleaved, an object-only item going first only while it
 * stands before the next patch item in the object too.  So a patch item
 * the object lacks goes before the object's remaining items.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smp.h"
#include "xalloc.h"

static int merge(struct mesh_doc *, struct mesh_node **, const char *,
    const struct mesh_node *, const struct mesh_smp_key *,
    struct mesh_smp_err *);

static int
fail(struct mesh_smp_err *err, const struct mesh_node *at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct mesh_smp_err *err, const struct mesh_node *at, const char *fmt,
    ...)
{
	va_list ap;

	err->at = at;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
merge_key(const struct mesh_smp_key *keys, const char *path)
{
	for (; keys != NULL && keys->path != NULL; keys++)
		if (strcmp(keys->path, path) == 0)
			return keys->key;
	return NULL;
}

/* New content is written in block style, whatever the patch's was. */
static void
block(struct mesh_node *n)
{
	size_t i;

	if (n->type == MESH_SCALAR)
		return;
	n->style = MESH_STYLE_ANY;
	for (i = 0; i < n->u.c.n; i++)
		block(n->u.c.v[i]);
}

/* Do two merge-key values mean the same, as decoded JSON values do? */
static bool
same_key(const struct mesh_node *a, const struct mesh_node *b)
{
	char ba[64], bb[64];

	if (!mesh_is_scalar(a) || !mesh_is_scalar(b))
		return false;
	if (mesh_scalar_type(a) != mesh_scalar_type(b))
		return false;
	return strcmp(mesh_scalar_canon(a, ba, sizeof(ba)),
	    mesh_scalar_canon(b, bb, sizeof(bb))) == 0;
}

/* The index in list of the item whose key is v, or -1. */
static long
find_item(const struct mesh_node *list, const char *key,
    const struct mesh_node *v)
{
	size_t i;

	for (i = 0; list != NULL && i < list->u.c.n; i++)
		if (mesh_is_map(list->u.c.v[i]) &&
		    same_key(mesh_map_get(list->u.c.v[i], key), v))
			return (long)i;
	return -1;
}

static int
merge_list(struct mesh_doc *doc, struct mesh_node **dst, const char *path,
    const struct mesh_node *patch, const char *key,
    const struct mesh_smp_key *keys, struct mesh_smp_err *err)
{
	struct mesh_node *orig = *dst, *out, **merged;
	long *from;
	size_t i, j, k, n = patch->u.c.n, norig = orig->u.c.n;
	bool *taken;
	int rv = -1;

	merged = xcalloc(n + 1, sizeof(*merged));
	from = xcalloc(n + 1, sizeof(*from));
	taken = xcalloc(norig + 1, sizeof(*taken));
	for (i = 0; i < n; i++) {
		const struct mesh_node *p = patch->u.c.v[i];
		const struct mesh_node *kv = mesh_map_get(p, key);

		if (!mesh_is_map(p) || kv == NULL || mesh_is_null(kv)) {
			fail(err, p, "an item of %s has no '%s', its merge key",
			    path, key);
			goto out;
		}
		from[i] = find_item(orig, key, kv);
		if (from[i] >= 0 && taken[from[i]]) {
			fail(err, p, "two items of %s have the same %s", path,
			    key);
			goto out;
		}
		if (from[i] >= 0) {
			taken[from[i]] = true;
			merged[i] = orig->u.c.v[from[i]];
		}
		if (merge(doc, &merged[i], path, p, keys, err) == -1)
			goto out;
	}
	out = mesh_seq_new(doc);
	out->style = orig->style;
	for (i = j = 0; i < n || j < norig;) {
		while (j < norig && taken[j])
			j++;
		if (j < norig && (i == n || (from[i] >= 0 &&
		    (long)j < from[i]))) {
			mesh_seq_append(doc, out, orig->u.c.v[j++]);
			continue;
		}
		if (i == n)
			break;
		k = i++;
		if (merged[k] != NULL)
			mesh_seq_append(doc, out, merged[k]);
	}
	*dst = out;
	rv = 0;
out:
	free(merged);
	free(from);
	free(taken);
	return rv;
}

static int
merge(struct mesh_doc *doc, struct mesh_node **dst, const char *path,
    const struct mesh_node *patch, const struct mesh_smp_key *keys,
    struct mesh_smp_err *err)
{
	const char *key;
	size_t i;

	if (mesh_is_map(patch)) {
		for (i = 0; i < mesh_map_len(patch); i++) {
			const struct mesh_node *k = mesh_map_key(patch, i);

			if (mesh_is_scalar(k) && k->u.s.text[0] == '$')
				return fail(err, k, "the patch directive '%s' "
				    "is not supported", k->u.s.text);
		}
	}
	if (!mesh_is_map(patch) || *dst == NULL || !mesh_is_map(*dst)) {
		if (mesh_is_seq(patch) && *dst != NULL && mesh_is_seq(*dst) &&
		    (key = merge_key(keys, path)) != NULL)
			return merge_list(doc, dst, path, patch, key, keys, err);
		if (mesh_is_seq(patch) && (key = merge_key(keys, path)) !=
		    NULL) {
			/* no list yet: the patch's items, checked alike */
			struct mesh_node *empty = mesh_seq_new(doc);

			*dst = empty;
			return merge_list(doc, dst, path, patch, key, keys, err);
		}
		if (!mesh_is_map(patch)) {
			*dst = mesh_node_copy(doc, patch);
			block(*dst);
			return 0;
		}
		*dst = mesh_map_new(doc);
	}
	for (i = 0; i < mesh_map_len(patch); i++) {
		const struct mesh_node *k = mesh_map_key(patch, i);
		const struct mesh_node *v = mesh_map_value(patch, i);
		struct mesh_node *cur;
		char *sub;
		long at;
		int rv;

		if (!mesh_is_scalar(k))
			return fail(err, k, "a key of the patch is not a "
			    "string");
		at = mesh_map_find(*dst, k->u.s.text);
		if (mesh_is_null(v)) {
			if (at >= 0)
				mesh_map_remove(*dst, (size_t)at);
			continue;
		}
		cur = at >= 0 ? mesh_map_value(*dst, (size_t)at) : NULL;
		sub = xmalloc(strlen(path) + k->u.s.len + 2);
		sprintf(sub, "%s%s%s", path, *path ? "." : "", k->u.s.text);
		rv = merge(doc, &cur, sub, v, keys, err);
		free(sub);
		if (rv == -1)
			return -1;
		mesh_map_set(doc, *dst, k->u.s.text, cur);
	}
	return 0;
}

int
mesh_smp_apply(struct mesh_doc *doc, struct mesh_node **dst, const char *path,
    const struct mesh_node *patch, const struct mesh_smp_key *keys,
    struct mesh_smp_err *err)
{
	return merge(doc, dst, path, patch, keys, err);
}
