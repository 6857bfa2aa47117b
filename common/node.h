/*
 * The document tree: scalars, mappings and sequences, each with the style
 * and position it was read with.  A document owns every node in it through
 * one arena; nodes are never freed one by one.
 */
#ifndef MESH_NODE_H
#define MESH_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mesh_node_type { MESH_SCALAR, MESH_MAP, MESH_SEQ };

enum mesh_style {
	MESH_STYLE_ANY,		/* made by us: the writer chooses */
	MESH_STYLE_PLAIN,
	MESH_STYLE_SINGLE,
	MESH_STYLE_DOUBLE,
	MESH_STYLE_LITERAL,
	MESH_STYLE_FOLDED,
	MESH_STYLE_BLOCK,	/* collections */
	MESH_STYLE_FLOW
};

/* What a scalar means, as Kubernetes' YAML reader (YAML 1.1) takes it. */
enum mesh_type {
	MESH_T_STR,
	MESH_T_INT,
	MESH_T_FLOAT,
	MESH_T_BOOL,
	MESH_T_NULL
};

struct mesh_node {
	unsigned char type;	/* enum mesh_node_type */
	unsigned char style;	/* enum mesh_style */
	unsigned char stype;	/* enum mesh_type, for MESH_STYLE_ANY scalars */
	unsigned char busy;	/* being built: an alias to it is an error */
	unsigned line, col;	/* 1-based; 0 for nodes we made */
	uint32_t heap;		/* text is doc->heap[heap - 1]; 0: arena */
	const char *tag;	/* explicit tag, or NULL */
	union {
		struct {
			char *text;	/* NUL-terminated */
			size_t len;
		} s;
		struct {
			/* a mapping holds key, value, key, value... */
			struct mesh_node **v;
			size_t n, cap;
		} c;
	} u;
};

struct mesh_arena_chunk;

struct mesh_doc {
	struct mesh_arena_chunk *chunks;
	size_t arena;		/* bytes in its chunks */
	struct mesh_keyidx **idx;	/* key indexes of its large mappings */
	size_t idxmask;
	char **heap;		/* scalar texts the parser made, kept as they are */
	size_t nheap, capheap;
	struct mesh_node *root;	/* NULL for an empty document */
	const char *src;	/* the source's name, for messages */
	unsigned long line;	/* where the document starts */
	const char *raw;	/* its bytes in the input, or NULL */
	size_t rawlen;
	bool raw_explicit;	/* raw holds its own "---" line */
	bool changed;		/* written anew instead of copied */
};

/* A new empty document read from src (copied). */
struct mesh_doc *mesh_doc_new(const char *src);
/* Free the document and every node in it; NULL is fine. */
void mesh_doc_free(struct mesh_doc *doc);
/*
 * The same, first passing everything it held to wipe (it held secrets);
 * with wipe NULL, just mesh_doc_free.
 */
void mesh_doc_free_wipe(struct mesh_doc *doc, void (*wipe)(void *, size_t));
/*
 * Keep s (malloc'd; the document now owns it, and frees it unless it is
 * taken) as the text of scalar n.
 */
void mesh_doc_keep(struct mesh_doc *doc, struct mesh_node *n, char *s,
    size_t len);
/*
 * The malloc'd text of scalar n, given away (the document forgets it,
 * and n must not be read again), or NULL when n's text is the arena's.
 */
char *mesh_doc_give(struct mesh_doc *doc, struct mesh_node *n);
/* Memory that lives as long as doc. */
void *mesh_doc_alloc(struct mesh_doc *doc, size_t n);
char *mesh_doc_strndup(struct mesh_doc *doc, const char *s, size_t n);

/* New nodes in doc.  The scalar's text is copied. */
struct mesh_node *mesh_scalar_new(struct mesh_doc *doc, const char *text,
    size_t len, enum mesh_type type);
struct mesh_node *mesh_str_new(struct mesh_doc *doc, const char *s);
struct mesh_node *mesh_map_new(struct mesh_doc *doc);
struct mesh_node *mesh_seq_new(struct mesh_doc *doc);
/*
 * A new empty document read from src (copied) whose arena first takes
 * bytes more, in one block: for copies that live long (see
 * mesh_node_copy_size).
 */
struct mesh_doc *mesh_doc_new_sized(const char *src, size_t bytes);
/* The bytes mesh_node_copy takes in an arena to copy n. */
size_t mesh_node_copy_size(const struct mesh_node *n);
/* A deep copy of n (from any document) into doc. */
struct mesh_node *mesh_node_copy(struct mesh_doc *doc,
    const struct mesh_node *n);
/*
 * Do a and b mean the same: same shape, same keys in the same order, and
 * scalars with the same text and the same meaning (so a plain "on" is
 * not a quoted "on")?  Styles, tags that agree, positions don't count.
 */
bool mesh_node_equal(const struct mesh_node *a, const struct mesh_node *b);

/* Number of nodes under and including n. */
size_t mesh_node_count(const struct mesh_node *n);

/* Collections.  Map pairs are counted in pairs, not in slots. */
size_t mesh_map_len(const struct mesh_node *map);
struct mesh_node *mesh_map_key(const struct mesh_node *map, size_t i);
struct mesh_node *mesh_map_value(const struct mesh_node *map, size_t i);
/* The index of the first pair whose key's text is key, or -1. */
long mesh_map_find(const struct mesh_node *map, const char *key);
/*
 * The first key in map (from its second pair on) that means the same as
 * an earlier one to Kubernetes, which turns YAML into JSON: the same
 * JSON key (1 and "1", yes and "true", ~ and null are one).  Returns its
 * pair index and sets *first to the earlier one's, or returns -1.  Keys
 * that are not scalars are not compared.  Linear in the keys.
 */
long mesh_map_dup(const struct mesh_node *map, size_t *first);

/*
 * An index of a mapping's scalar keys by text, for many lookups in a
 * large mapping (a merge).  The index borrows map, which must outlive
 * it; pairs appended to map afterwards are added with mesh_keyidx_add.
 */
struct mesh_keyidx;
struct mesh_keyidx *mesh_keyidx_new(const struct mesh_node *map);
/*
 * The index of map, a mapping of doc, kept with the document: made when
 * first asked for, made again when map changed since other than by
 * pairs appended and added with mesh_keyidx_add.  The document owns it.
 */
struct mesh_keyidx *mesh_doc_keyidx(struct mesh_doc *doc,
    const struct mesh_node *map);
/*
 * Say that a key's text changed in place, outside this module: indexes
 * made before are made again.  Removing or inserting pairs says so.
 */
void mesh_keys_edited(void);
/* The first pair whose key's text is key (len bytes), or -1. */
long mesh_keyidx_find(const struct mesh_keyidx *x, const char *key,
    size_t len);
/* Add pair i of the map, unless a key with its text is there already. */
void mesh_keyidx_add(struct mesh_keyidx *x, size_t i);
void mesh_keyidx_free(struct mesh_keyidx *x);

/* The value for key, or NULL. */
struct mesh_node *mesh_map_get(const struct mesh_node *map, const char *key);
/* The string value of a dotted chain of keys ("metadata.name"), or NULL. */
const char *mesh_map_getstr(const struct mesh_node *map, const char *dotted);
/* Set key to value: replace the first pair with that key, else append. */
void mesh_map_set(struct mesh_doc *doc, struct mesh_node *map,
    const char *key, struct mesh_node *value);
void mesh_map_append(struct mesh_doc *doc, struct mesh_node *map,
    struct mesh_node *key, struct mesh_node *value);
/* Put key: value at pair index i (at most the length). */
void mesh_map_insert(struct mesh_doc *doc, struct mesh_node *map, size_t i,
    struct mesh_node *key, struct mesh_node *value);
void mesh_map_remove(struct mesh_node *map, size_t i);
void mesh_seq_append(struct mesh_doc *doc, struct mesh_node *seq,
    struct mesh_node *item);
void mesh_seq_remove(struct mesh_node *seq, size_t i);

bool mesh_is_scalar(const struct mesh_node *n);
bool mesh_is_map(const struct mesh_node *n);
bool mesh_is_seq(const struct mesh_node *n);
/* n is a scalar whose text is s. */
bool mesh_scalar_is(const struct mesh_node *n, const char *s);
/* n is a null: no node, or a scalar that means null. */
bool mesh_is_null(const struct mesh_node *n);

/*
 * What a scalar means: its tag, its quotes, or YAML 1.1 plain rules.  A
 * tag other than YAML's own !!int, !!float, !!bool and !!null makes a
 * string, as Kubernetes reads it.
 */
enum mesh_type mesh_scalar_type(const struct mesh_node *n);

/*
 * How Kubernetes' YAML reader takes a plain scalar.  For MESH_T_INT *i
 * (or *u when it only fits unsigned: *is_unsigned) is set, for
 * MESH_T_FLOAT *d.  Any out-pointer may be NULL.
 */
enum mesh_type mesh_resolve_plain(const char *s, size_t len, int64_t *i,
    uint64_t *u, bool *is_unsigned, double *d);

/*
 * Would some YAML reader (1.1 or 1.2) take s, written plain, for something
 * other than a string?  Such strings are always written quoted.
 */
bool mesh_str_is_ambiguous(const char *s, size_t len);

/* A float as Go prints it in JSON (shortest round trip); buf >= 32. */
void mesh_format_float(double d, char *buf, size_t len);
/*
 * The scalar's value as text the way Go's fmt prints the decoded value:
 * 511 for 0777, true for yes, <nil> for null.  Returns buf or n's text.
 */
const char *mesh_scalar_canon(const struct mesh_node *n, char *buf,
    size_t len);

/* The document's "kind", or NULL when it has none. */
const char *mesh_doc_kind(const struct mesh_doc *doc);
/*
 * Is root a List as kubectl reads one: a mapping whose kind ends in
 * "List" (a v1 List, a PodList...) and whose items is a list or null?
 * kubectl reads such a document as its items.  *items is set to the
 * list, or NULL when it is null; items may be NULL.
 */
bool mesh_is_list(const struct mesh_node *root, struct mesh_node **items);
/*
 * Give item, an item of the List list (in doc), the kind and apiVersion
 * kubectl gives it when it has neither: the List's kind without "List"
 * and the List's apiVersion (a PodList's items are v1 Pods).  Returns
 * whether item changed.
 */
bool mesh_list_item_fill(struct mesh_doc *doc, const struct mesh_node *list,
    struct mesh_node *item);
/*
 * Is root an IstioOperator?  istioctl reads kind IstioOperator whatever
 * its apiVersion says (install.istio.io and operator.istio.io alike).
 */
bool mesh_is_iop(const struct mesh_node *root);
/* "Kind/name", "Kind" or "document", for messages about an object. */
const char *mesh_describe(const struct mesh_node *root, char *buf,
    size_t len);

#endif
