/*
 * Document trees: an arena per document, node constructors and accessors,
 * and the YAML 1.1 rules for what a plain scalar means and when a string
 * must be quoted.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"
#include "xalloc.h"

struct mesh_arena_chunk {
	struct mesh_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/*
 * A document's arena starts small, so that a stream of tiny documents
 * costs little more than its bytes, and grows with what it holds (each
 * new chunk as large as the arena so far, up to CHUNK_MAX).  A block
 * larger than CHUNK_BIG gets a chunk of its own.
 */
#define CHUNK_FIRST 256
#define CHUNK_MAX (1024 * 1024)
#define CHUNK_BIG (16 * 1024)

/*
 * One chunk of each small size (256 bytes to 4 KiB) kept from a freed
 * document for the next one: a stream of small documents then
 * allocates little arena at all.  Threads share them (mesh-secret reads
 * clusters in threads), under a lock.
 */
#define SPARES 5
static struct mesh_arena_chunk *spare[SPARES];
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;

/* The spare slot for chunks of size bytes, or -1. */
static int
spare_slot(size_t size)
{
	int i;

	for (i = 0; i < SPARES; i++)
		if (size == (size_t)CHUNK_FIRST << i)
			return i;
	return -1;
}

/* Keep c as the spare of its size if there is none yet: true if kept. */
static bool
spare_put(struct mesh_arena_chunk *c)
{
	int k = spare_slot(c->size);
	bool kept = false;

	if (k < 0)
		return false;
	pthread_mutex_lock(&spare_lock);
	if (spare[k] == NULL) {
		spare[k] = c;
		kept = true;
	}
	pthread_mutex_unlock(&spare_lock);
	return kept;
}

/* The spare chunk of size bytes, taken, or NULL. */
static struct mesh_arena_chunk *
spare_take(size_t size)
{
	struct mesh_arena_chunk *c;
	int k = spare_slot(size);

	if (k < 0)
		return NULL;
	pthread_mutex_lock(&spare_lock);
	c = spare[k];
	spare[k] = NULL;
	pthread_mutex_unlock(&spare_lock);
	return c;
}

struct mesh_doc *
mesh_doc_new(const char *src)
{
	struct mesh_doc *doc = xcalloc(1, sizeof(*doc));

	doc->src = mesh_doc_strndup(doc, src, strlen(src));
	return doc;
}

/* n bytes, as the arena rounds them. */
static size_t
arena_bytes(size_t n)
{
	size_t a = sizeof(max_align_t);

	return (n + a - 1) / a * a;
}

struct mesh_doc *
mesh_doc_new_sized(const char *src, size_t bytes)
{
	struct mesh_doc *doc = xcalloc(1, sizeof(*doc));
	struct mesh_arena_chunk *c;
	size_t size = arena_bytes(strlen(src) + 1) + bytes;

	if (size < sizeof(max_align_t))
		size = sizeof(max_align_t);
	c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->used = 0;
	c->size = size;
	doc->chunks = c;
	doc->arena = size;
	doc->src = mesh_doc_strndup(doc, src, strlen(src));
	return doc;
}

void
mesh_doc_free(struct mesh_doc *doc)
{
	struct mesh_arena_chunk *c, *next;
	size_t i;

	if (doc == NULL)
		return;
	for (c = doc->chunks; c != NULL; c = next) {
		next = c->next;
		if (!spare_put(c))
			free(c);
	}
	while (doc->nheap > 0)
		free(doc->heap[--doc->nheap]);
	free(doc->heap);
	if (doc->idx != NULL)
		for (i = 0; i <= doc->idxmask; i++)
			mesh_keyidx_free(doc->idx[i]);
	free(doc->idx);
	free(doc);
	mesh_keys_edited();
}

void
mesh_doc_free_wipe(struct mesh_doc *doc, void (*wipe)(void *, size_t))
{
	struct mesh_arena_chunk *c;
	size_t i;

	if (doc == NULL)
		return;
	for (c = doc->chunks; wipe != NULL && c != NULL; c = c->next)
		wipe(c->data, c->used);
	/* the parser's own texts, NUL-terminated */
	for (i = 0; wipe != NULL && i < doc->nheap; i++)
		if (doc->heap[i] != NULL)
			wipe(doc->heap[i], strlen(doc->heap[i]));
	mesh_doc_free(doc);
}

void
mesh_doc_keep(struct mesh_doc *doc, struct mesh_node *n, char *s, size_t len)
{
	if (doc->nheap == doc->capheap) {
		doc->capheap = doc->capheap ? doc->capheap * 2 : 4;
		doc->heap = xreallocarray(doc->heap, doc->capheap,
		    sizeof(*doc->heap));
	}
	doc->heap[doc->nheap++] = s;
	n->heap = (uint32_t)doc->nheap;
	n->u.s.text = s;
	n->u.s.len = len;
}

char *
mesh_doc_give(struct mesh_doc *doc, struct mesh_node *n)
{
	char *s;

	/* an edit may have given n other text since: then it is not ours */
	if (n->heap == 0 || n->heap > doc->nheap ||
	    (s = doc->heap[n->heap - 1]) != n->u.s.text)
		return NULL;
	doc->heap[n->heap - 1] = NULL;
	n->heap = 0;
	return s;
}

void *
mesh_doc_alloc(struct mesh_doc *doc, size_t n)
{
	struct mesh_arena_chunk *c = doc->chunks;
	void *p;

	n = arena_bytes(n);
	if (c == NULL || c->size - c->used < n) {
		size_t size = doc->arena;

		if (size < CHUNK_FIRST)
			size = CHUNK_FIRST;
		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		if (n > CHUNK_BIG)
			size = n;
		while (size < n)
			size *= 2;
		if ((c = spare_take(size)) == NULL)
			c = xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		doc->arena += size;
		if (n > CHUNK_BIG && doc->chunks != NULL) {
			/* a big block: keep filling the current chunk */
			c->next = doc->chunks->next;
			doc->chunks->next = c;
		} else {
			c->next = doc->chunks;
			doc->chunks = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *
mesh_doc_strndup(struct mesh_doc *doc, const char *s, size_t n)
{
	char *p = mesh_doc_alloc(doc, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static struct mesh_node *
node_new(struct mesh_doc *doc, enum mesh_node_type type)
{
	struct mesh_node *n = mesh_doc_alloc(doc, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

struct mesh_node *
mesh_scalar_new(struct mesh_doc *doc, const char *text, size_t len,
    enum mesh_type type)
{
	struct mesh_node *n = node_new(doc, MESH_SCALAR);

	n->style = MESH_STYLE_ANY;
	n->stype = type;
	n->u.s.text = mesh_doc_strndup(doc, text, len);
	n->u.s.len = len;
	return n;
}

struct mesh_node *
mesh_str_new(struct mesh_doc *doc, const char *s)
{
	return mesh_scalar_new(doc, s, strlen(s), MESH_T_STR);
}

struct mesh_node *
mesh_map_new(struct mesh_doc *doc)
{
	struct mesh_node *n = node_new(doc, MESH_MAP);

	n->style = MESH_STYLE_ANY;
	return n;
}

struct mesh_node *
mesh_seq_new(struct mesh_doc *doc)
{
	struct mesh_node *n = node_new(doc, MESH_SEQ);

	n->style = MESH_STYLE_ANY;
	return n;
}

size_t
mesh_node_copy_size(const struct mesh_node *n)
{
	size_t i, bytes = arena_bytes(sizeof(*n));

	if (n->tag != NULL)
		bytes += arena_bytes(strlen(n->tag) + 1);
	if (n->type == MESH_SCALAR)
		return bytes + arena_bytes(n->u.s.len + 1);
	bytes += arena_bytes(sizeof(*n->u.c.v) * (n->u.c.n + 1));
	for (i = 0; i < n->u.c.n; i++)
		bytes += mesh_node_copy_size(n->u.c.v[i]);
	return bytes;
}

struct mesh_node *
mesh_node_copy(struct mesh_doc *doc, const struct mesh_node *src)
{
	struct mesh_node *n = node_new(doc, src->type);
	size_t i;

	n->style = src->style;
	n->stype = src->stype;
	n->line = src->line;
	n->col = src->col;
	if (src->tag != NULL)
		n->tag = mesh_doc_strndup(doc, src->tag, strlen(src->tag));
	if (src->type == MESH_SCALAR) {
		n->u.s.text = mesh_doc_strndup(doc, src->u.s.text,
		    src->u.s.len);
		n->u.s.len = src->u.s.len;
		return n;
	}
	n->u.c.n = n->u.c.cap = src->u.c.n;
	n->u.c.v = mesh_doc_alloc(doc, sizeof(*n->u.c.v) * (src->u.c.n + 1));
	for (i = 0; i < src->u.c.n; i++)
		n->u.c.v[i] = mesh_node_copy(doc, src->u.c.v[i]);
	return n;
}

bool
mesh_node_equal(const struct mesh_node *a, const struct mesh_node *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type)
		return false;
	if (a->type == MESH_SCALAR)
		return a->u.s.len == b->u.s.len &&
		    memcmp(a->u.s.text, b->u.s.text, a->u.s.len) == 0 &&
		    mesh_scalar_type(a) == mesh_scalar_type(b);
	if (a->u.c.n != b->u.c.n)
		return false;
	for (i = 0; i < a->u.c.n; i++)
		if (!mesh_node_equal(a->u.c.v[i], b->u.c.v[i]))
			return false;
	return true;
}

size_t
mesh_node_count(const struct mesh_node *n)
{
	size_t i, count = 1;

	if (n->type != MESH_SCALAR)
		for (i = 0; i < n->u.c.n; i++)
			count += mesh_node_count(n->u.c.v[i]);
	return count;
}

size_t
mesh_map_len(const struct mesh_node *map)
{
	return map->u.c.n / 2;
}

struct mesh_node *
mesh_map_key(const struct mesh_node *map, size_t i)
{
	return map->u.c.v[2 * i];
}

struct mesh_node *
mesh_map_value(const struct mesh_node *map, size_t i)
{
	return map->u.c.v[2 * i + 1];
}

/*
 * Keys by hash, in an open-addressed table: for duplicate checks (by
 * what a key means) and merges (by its text), so that neither scans
 * every key for every key.
 */
struct keyslot {
	uint64_t hash;
	size_t pair;		/* pair index + 1; 0: empty */
};

struct mesh_keyidx {
	const struct mesh_node *map;
	struct keyslot *slot;
	size_t mask, n;
	bool meaning;		/* compare what keys mean, not their text */
	/* what map was when last indexed, to see whether it changed */
	struct mesh_node *const *v;
	size_t pairs;
	unsigned long gen;
};

/*
 * Bumped by every change to keys that appends do not account for, and
 * by every document freed (its memory may hold the next one's maps).
 */
static atomic_ulong keys_gen;

void
mesh_keys_edited(void)
{
	atomic_fetch_add_explicit(&keys_gen, 1, memory_order_relaxed);
}

static unsigned long
gen_now(void)
{
	return atomic_load_explicit(&keys_gen, memory_order_relaxed);
}

static uint64_t
fnv(const char *s, size_t len, uint64_t h)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The text a key is compared by: its own, or with meaning the JSON key
 * it becomes (*type is kept for a finer comparison, and is always
 * MESH_T_STR now).  buf holds a canonical number.
 */
static const char *
key_text(const struct mesh_node *k, bool meaning, char *buf, size_t len,
    size_t *tlen, int *type)
{
	const char *t;

	*type = MESH_T_STR;
	*tlen = k->u.s.len;
	if (!meaning)
		return k->u.s.text;
	/*
	 * Most keys are quoted, or plain words longer than any YAML 1.1
	 * keyword that start as no number does: strings, told quickly.
	 */
	if (k->tag == NULL && (k->style != MESH_STYLE_PLAIN ||
	    (k->u.s.len > 5 && strchr("0123456789+-.", k->u.s.text[0]) ==
	    NULL)) && k->style != MESH_STYLE_ANY)
		return k->u.s.text;
	/*
	 * Kubernetes turns YAML into JSON, whose keys are strings: 1 and
	 * "1", yes and "true" become one key there, the last one read.
	 */
	if (mesh_scalar_type(k) == MESH_T_NULL) {
		*tlen = 4;
		return "null";
	}
	t = mesh_scalar_canon(k, buf, len);
	*tlen = t == k->u.s.text ? k->u.s.len : strlen(t);
	return t;
}

static uint64_t
key_hash(const char *t, size_t len, int type)
{
	return fnv(t, len, 0xcbf29ce484222325ULL ^ (uint64_t)type);
}

static void
keyidx_init(struct mesh_keyidx *x, const struct mesh_node *map, bool meaning,
    struct keyslot *stack, size_t nstack)
{
	size_t want = 16;

	while (want < map->u.c.n * 2)
		want *= 2;
	x->map = map;
	x->meaning = meaning;
	x->n = 0;
	x->v = map->u.c.v;
	x->pairs = map->u.c.n / 2;
	x->gen = gen_now();
	x->mask = want - 1;
	if (stack != NULL && want <= nstack) {
		x->slot = stack;
		memset(stack, 0, want * sizeof(*stack));
	} else {
		x->slot = xcalloc(want, sizeof(*x->slot));
	}
}

/*
 * Find the pair whose key is as text t (of type type, hash h); with
 * insert, add pair when there is none.  Returns the pair found, or -1.
 */
static long
keyidx_probe(struct mesh_keyidx *x, const char *t, size_t len, int type,
    uint64_t h, size_t pair, bool insert)
{
	size_t i;
	char buf[64];

	for (i = (size_t)h & x->mask; x->slot[i].pair != 0;
	    i = (i + 1) & x->mask) {
		const struct mesh_node *k;
		const char *u;
		size_t ulen;
		int utype;

		if (x->slot[i].hash != h)
			continue;
		k = x->map->u.c.v[2 * (x->slot[i].pair - 1)];
		u = key_text(k, x->meaning, buf, sizeof(buf), &ulen, &utype);
		if (utype == type && ulen == len && memcmp(u, t, len) == 0)
			return (long)(x->slot[i].pair - 1);
	}
	if (insert) {
		x->slot[i].hash = h;
		x->slot[i].pair = pair + 1;
		x->n++;
	}
	return -1;
}

/* Make room for one more key: the table stays at most half full. */
static void
keyidx_grow(struct mesh_keyidx *x)
{
	struct keyslot *old = x->slot;
	size_t i, j, oldsize = x->mask + 1;

	if ((x->n + 1) * 2 <= oldsize)
		return;
	x->mask = oldsize * 2 - 1;
	x->slot = xcalloc(x->mask + 1, sizeof(*x->slot));
	for (i = 0; i < oldsize; i++) {
		if (old[i].pair == 0)
			continue;
		for (j = (size_t)old[i].hash & x->mask; x->slot[j].pair != 0;
		    j = (j + 1) & x->mask)
			;
		x->slot[j] = old[i];
	}
	free(old);
}

/* Few pairs: compared pair by pair, cheaper than a table. */
#define SMALL_MAP 8

static long
small_dup(const struct mesh_node *map, size_t *first)
{
	const char *t[SMALL_MAP];
	size_t len[SMALL_MAP], i, j;
	int type[SMALL_MAP];
	char buf[SMALL_MAP][64];

	for (i = 0; i < map->u.c.n / 2; i++) {
		const struct mesh_node *k = map->u.c.v[2 * i];

		if (k->type != MESH_SCALAR) {
			t[i] = NULL;
			continue;
		}
		t[i] = key_text(k, true, buf[i], sizeof(buf[i]), &len[i],
		    &type[i]);
		for (j = 0; j < i; j++)
			if (t[j] != NULL && len[j] == len[i] &&
			    type[j] == type[i] &&
			    memcmp(t[j], t[i], len[i]) == 0) {
				*first = j;
				return (long)i;
			}
	}
	return -1;
}

long
mesh_map_dup(const struct mesh_node *map, size_t *first)
{
	struct keyslot stack[64];
	struct mesh_keyidx x;
	size_t i, tlen;
	long j, rv = -1;
	char buf[64];
	const char *t;
	int type;

	if (!mesh_is_map(map) || map->u.c.n < 4)
		return -1;
	if (map->u.c.n <= 2 * SMALL_MAP)
		return small_dup(map, first);
	/* sized for every key from the start: it never grows */
	keyidx_init(&x, map, true, stack, 64);
	for (i = 0; i < map->u.c.n / 2; i++) {
		const struct mesh_node *k = map->u.c.v[2 * i];

		if (k->type != MESH_SCALAR)
			continue;
		t = key_text(k, true, buf, sizeof(buf), &tlen, &type);
		j = keyidx_probe(&x, t, tlen, type, key_hash(t, tlen, type),
		    i, true);
		if (j >= 0) {
			*first = (size_t)j;
			rv = (long)i;
			break;
		}
	}
	if (x.slot != stack)
		free(x.slot);
	return rv;
}

struct mesh_keyidx *
mesh_keyidx_new(const struct mesh_node *map)
{
	struct mesh_keyidx *x = xmalloc(sizeof(*x));
	size_t i;

	keyidx_init(x, map, false, NULL, 0);
	for (i = 0; i < map->u.c.n / 2; i++)
		mesh_keyidx_add(x, i);
	return x;
}

long
mesh_keyidx_find(const struct mesh_keyidx *x, const char *key, size_t len)
{
	/* a lookup never inserts: the table is not changed */
	return keyidx_probe((struct mesh_keyidx *)x, key, len, MESH_T_STR,
	    key_hash(key, len, MESH_T_STR), 0, false);
}

void
mesh_keyidx_add(struct mesh_keyidx *x, size_t i)
{
	const struct mesh_node *k = x->map->u.c.v[2 * i];

	x->v = x->map->u.c.v;
	x->pairs = x->map->u.c.n / 2;
	x->gen = gen_now();
	if (k->type != MESH_SCALAR)
		return;
	keyidx_grow(x);
	keyidx_probe(x, k->u.s.text, k->u.s.len, MESH_T_STR,
	    key_hash(k->u.s.text, k->u.s.len, MESH_T_STR), i, true);
}

void
mesh_keyidx_free(struct mesh_keyidx *x)
{
	if (x == NULL)
		return;
	free(x->slot);
	free(x);
}

static size_t
ptr_slot(const struct mesh_doc *doc, const struct mesh_node *map)
{
	size_t i = (size_t)(((uintptr_t)map >> 4) * 0x9E3779B97F4A7C15ULL);

	for (i &= doc->idxmask; doc->idx[i] != NULL && doc->idx[i]->map != map;
	    i = (i + 1) & doc->idxmask)
		;
	return i;
}

/* Room for one more index in doc's table, which stays half empty. */
static void
doc_idx_grow(struct mesh_doc *doc, size_t count)
{
	struct mesh_keyidx **old = doc->idx;
	size_t i, oldsize = old ? doc->idxmask + 1 : 0;

	if ((count + 1) * 2 <= oldsize)
		return;
	doc->idxmask = (oldsize ? oldsize * 2 : 16) - 1;
	doc->idx = xcalloc(doc->idxmask + 1, sizeof(*doc->idx));
	for (i = 0; i < oldsize; i++)
		if (old[i] != NULL)
			doc->idx[ptr_slot(doc, old[i]->map)] = old[i];
	free(old);
}

/*
 * Bring x up to date with map, when map changed only by pairs appended
 * since (copied to a larger array, maybe).  Returns whether x is now
 * the index of map as it is.
 */
static bool
is_fresh(struct mesh_keyidx *x, const struct mesh_node *map)
{
	size_t i, pairs = map->u.c.n / 2;

	if (x->map != map || x->gen != gen_now() || x->pairs > pairs)
		return false;
	for (i = x->pairs; i < pairs; i++)
		mesh_keyidx_add(x, i);
	x->v = map->u.c.v;
	return true;
}

struct mesh_keyidx *
mesh_doc_keyidx(struct mesh_doc *doc, const struct mesh_node *map)
{
	struct mesh_keyidx *x;
	size_t i, count = 0;

	if (doc->idx != NULL) {
		i = ptr_slot(doc, map);
		if ((x = doc->idx[i]) != NULL) {
			if (is_fresh(x, map))
				return x;
			mesh_keyidx_free(x);
			doc->idx[i] = mesh_keyidx_new(map);
			return doc->idx[i];
		}
		for (i = 0; i <= doc->idxmask; i++)
			count += doc->idx[i] != NULL;
	}
	doc_idx_grow(doc, count);
	x = mesh_keyidx_new(map);
	doc->idx[ptr_slot(doc, map)] = x;
	return x;
}

/*
 * Lookups in a mapping this large, asked again of the same mapping (the
 * kind of a document many overlays are merged into, one by one), go
 * through an index, kept for one mapping at a time; a lock keeps it for
 * one thread at a time.
 */
#define FIND_INDEX_PAIRS 64

static pthread_mutex_t find_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct mesh_node *find_last;	/* asked before, unindexed */
static struct mesh_keyidx *find_idx;

/* The pair of key in a large map, through the shared index. */
static long
find_indexed(const struct mesh_node *map, const char *key, size_t len,
    bool *done)
{
	long rv = -1;

	*done = false;
	pthread_mutex_lock(&find_lock);
	if (find_idx != NULL && !is_fresh(find_idx, map)) {
		mesh_keyidx_free(find_idx);
		find_idx = NULL;
	}
	if (find_idx == NULL && find_last == map) {
		find_idx = mesh_keyidx_new(map);
		find_last = NULL;
	}
	if (find_idx != NULL) {
		rv = mesh_keyidx_find(find_idx, key, len);
		*done = true;
	} else {
		find_last = map;
	}
	pthread_mutex_unlock(&find_lock);
	return rv;
}

long
mesh_map_find(const struct mesh_node *map, const char *key)
{
	size_t i, len = strlen(key);
	bool done;
	long rv;

	if (map == NULL || map->type != MESH_MAP)
		return -1;
	if (map->u.c.n / 2 >= FIND_INDEX_PAIRS &&
	    (rv = find_indexed(map, key, len, &done), done))
		return rv;
	for (i = 0; i < map->u.c.n; i += 2) {
		const struct mesh_node *k = map->u.c.v[i];

		if (k->type == MESH_SCALAR && k->u.s.len == len &&
		    memcmp(k->u.s.text, key, len) == 0)
			return (long)(i / 2);
	}
	return -1;
}

struct mesh_node *
mesh_map_get(const struct mesh_node *map, const char *key)
{
	long i = mesh_map_find(map, key);

	return i < 0 ? NULL : mesh_map_value(map, (size_t)i);
}

const char *
mesh_map_getstr(const struct mesh_node *map, const char *dotted)
{
	char key[128];
	const char *dot;
	size_t n;

	while (map != NULL) {
		dot = strchr(dotted, '.');
		n = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, dotted, n);
		key[n] = '\0';
		map = mesh_map_get(map, key);
		if (dot == NULL)
			break;
		dotted = dot + 1;
	}
	if (map == NULL || map->type != MESH_SCALAR)
		return NULL;
	return map->u.s.text;
}

static void
coll_push(struct mesh_doc *doc, struct mesh_node *c, struct mesh_node *n)
{
	if (c->u.c.n == c->u.c.cap) {
		size_t cap = c->u.c.cap ? c->u.c.cap * 2 : 4;
		struct mesh_node **v = mesh_doc_alloc(doc, sizeof(*v) * cap);

		if (c->u.c.n > 0)
			memcpy(v, c->u.c.v, sizeof(*v) * c->u.c.n);
		c->u.c.v = v;
		c->u.c.cap = cap;
	}
	c->u.c.v[c->u.c.n++] = n;
}

void
mesh_map_set(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    struct mesh_node *value)
{
	long i = mesh_map_find(map, key);

	if (i >= 0)
		map->u.c.v[2 * i + 1] = value;
	else
		mesh_map_append(doc, map, mesh_str_new(doc, key), value);
}

void
mesh_map_append(struct mesh_doc *doc, struct mesh_node *map,
    struct mesh_node *key, struct mesh_node *value)
{
	coll_push(doc, map, key);
	coll_push(doc, map, value);
}

void
mesh_map_insert(struct mesh_doc *doc, struct mesh_node *map, size_t i,
    struct mesh_node *key, struct mesh_node *value)
{
	size_t n = map->u.c.n;

	mesh_map_append(doc, map, key, value);
	memmove(map->u.c.v + 2 * i + 2, map->u.c.v + 2 * i,
	    sizeof(*map->u.c.v) * (n - 2 * i));
	map->u.c.v[2 * i] = key;
	map->u.c.v[2 * i + 1] = value;
	mesh_keys_edited();
}

void
mesh_map_remove(struct mesh_node *map, size_t i)
{
	memmove(map->u.c.v + 2 * i, map->u.c.v + 2 * i + 2,
	    sizeof(*map->u.c.v) * (map->u.c.n - 2 * i - 2));
	map->u.c.n -= 2;
	mesh_keys_edited();
}

void
mesh_seq_append(struct mesh_doc *doc, struct mesh_node *seq,
    struct mesh_node *item)
{
	coll_push(doc, seq, item);
}

void
mesh_seq_remove(struct mesh_node *seq, size_t i)
{
	memmove(seq->u.c.v + i, seq->u.c.v + i + 1,
	    sizeof(*seq->u.c.v) * (seq->u.c.n - i - 1));
	seq->u.c.n--;
}

bool
mesh_is_scalar(const struct mesh_node *n)
{
	return n != NULL && n->type == MESH_SCALAR;
}

bool
mesh_is_map(const struct mesh_node *n)
{
	return n != NULL && n->type == MESH_MAP;
}

bool
mesh_is_seq(const struct mesh_node *n)
{
	return n != NULL && n->type == MESH_SEQ;
}

bool
mesh_scalar_is(const struct mesh_node *n, const char *s)
{
	return mesh_is_scalar(n) && strcmp(n->u.s.text, s) == 0;
}

bool
mesh_is_null(const struct mesh_node *n)
{
	return n == NULL ||
	    (n->type == MESH_SCALAR && mesh_scalar_type(n) == MESH_T_NULL);
}

/* Plain words a YAML 1.1 reader takes for something else. */
static const char *const null_words[] = { "~", "null", "Null", "NULL" };
static const char *const true_words[] = { "y", "Y", "yes", "Yes", "YES",
	"true", "True", "TRUE", "on", "On", "ON" };
static const char *const false_words[] = { "n", "N", "no", "No", "NO",
	"false", "False", "FALSE", "off", "Off", "OFF" };
static const char *const inf_words[] = { ".inf", ".Inf", ".INF", "+.inf",
	"+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN" };

static bool
in_list(const char *s, size_t len, const char *const *list, size_t n)
{
	size_t i;

	if (len == 0 || len > 5)	/* every word is 1 to 5 long */
		return false;
	for (i = 0; i < n; i++)
		if (list[i][0] == s[0] && strlen(list[i]) == len &&
		    memcmp(list[i], s, len) == 0)
			return true;
	return false;
}

#define IN(s, len, list) in_list(s, len, list, sizeof(list) / sizeof(list[0]))

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool
is_yaml_float(const char *s)
{
	const char *p = s;
	int digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++, digits++;
		if (digits == 0)
			return false;
	} else {
		while (isdigit((unsigned char)*p))
			p++, digits++;
		if (digits == 0)
			return false;
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		digits = 0;
		while (isdigit((unsigned char)*p))
			p++, digits++;
		if (digits == 0)
			return false;
	}
	return *p == '\0';
}

/*
 * Go's strconv.ParseInt/ParseUint with base 0: an optional sign, then
 * 0x, 0o, 0b or a leading 0 for octal, else decimal.
 */
static bool
parse_go_int(const char *s, int64_t *i, uint64_t *u, bool *is_unsigned)
{
	const char *p = s;
	bool neg = false;
	int base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1] != '\0')
		base = 8, p += 1;
	for (; *p != '\0'; p++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (digits == 0)
		return false;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		if (i != NULL)
			*i = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
			    -(int64_t)v;
		if (is_unsigned != NULL)
			*is_unsigned = false;
		return true;
	}
	if (v > (uint64_t)INT64_MAX) {
		if (u != NULL)
			*u = v;
		if (is_unsigned != NULL)
			*is_unsigned = true;
		return true;
	}
	if (i != NULL)
		*i = (int64_t)v;
	if (is_unsigned != NULL)
		*is_unsigned = false;
	return true;
}

enum mesh_type
mesh_resolve_plain(const char *s, size_t len, int64_t *i, uint64_t *u,
    bool *is_unsigned, double *d)
{
	char tmp[64];
	size_t j, k;

	if (len == 0)
		return MESH_T_NULL;
	/* no keyword or number starts otherwise */
	if (strchr("~nNyYtTfFoO.+-0123456789", s[0]) == NULL || s[0] == '\0')
		return MESH_T_STR;
	if (IN(s, len, null_words))
		return MESH_T_NULL;
	if (IN(s, len, true_words) || IN(s, len, false_words))
		return MESH_T_BOOL;
	if (IN(s, len, inf_words)) {
		if (d != NULL)
			*d = s[len - 1] == 'n' || s[len - 1] == 'N' ? NAN :
			    s[0] == '-' ? -INFINITY : INFINITY;
		return MESH_T_FLOAT;
	}
	if (!(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' ||
	    s[0] == '.') || len >= sizeof(tmp))
		return MESH_T_STR;
	/* Underscores are dropped before anything else is tried. */
	for (j = k = 0; j < len; j++) {
		if (s[j] == '\0')
			return MESH_T_STR;
		if (s[j] != '_')
			tmp[k++] = s[j];
	}
	tmp[k] = '\0';
	if (parse_go_int(tmp, i, u, is_unsigned))
		return MESH_T_INT;
	if (is_yaml_float(tmp)) {
		if (d != NULL)
			*d = strtod(tmp, NULL);
		return MESH_T_FLOAT;
	}
	return MESH_T_STR;
}

enum mesh_type
mesh_scalar_type(const struct mesh_node *n)
{
	const char *t = n->tag;

	/*
	 * Kubernetes' reader resolves only untagged plain scalars and YAML's
	 * own types; any other tag (!!str, !foo) leaves the text a string.
	 */
	if (t != NULL) {
		if (strncmp(t, "tag:yaml.org,2002:", 18) != 0)
			return MESH_T_STR;
		t += 18;
		if (strcmp(t, "int") == 0)
			return MESH_T_INT;
		if (strcmp(t, "float") == 0)
			return MESH_T_FLOAT;
		if (strcmp(t, "bool") == 0)
			return MESH_T_BOOL;
		if (strcmp(t, "null") == 0)
			return MESH_T_NULL;
		return MESH_T_STR;
	}
	if (n->style == MESH_STYLE_ANY)
		return n->stype;
	if (n->style != MESH_STYLE_PLAIN)
		return MESH_T_STR;
	return mesh_resolve_plain(n->u.s.text, n->u.s.len, NULL, NULL, NULL,
	    NULL);
}

bool
mesh_str_is_ambiguous(const char *s, size_t len)
{
	static const char numeric[] = "0123456789abcdefABCDEFxXoO_.:+-";
	bool digit = false;
	size_t i;

	if (len == 0 || IN(s, len, null_words) || IN(s, len, true_words) ||
	    IN(s, len, false_words) || IN(s, len, inf_words))
		return true;
	if ((len == 2 && memcmp(s, "<<", 2) == 0) || (len == 1 && *s == '='))
		return true;
	/* A timestamp: four digits and a dash. */
	if (len >= 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
	    isdigit((unsigned char)s[3]) && s[4] == '-')
		return true;
	/*
	 * Anything made only of number characters that starts like a number
	 * (ints in any base, floats, sexagesimals) is quoted, whether or not
	 * a given reader would take it for one: quotes never hurt.
	 */
	if (!(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' ||
	    s[0] == '.'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0' || strchr(numeric, s[i]) == NULL)
			return false;
		if (isdigit((unsigned char)s[i]))
			digit = true;
	}
	return digit;
}

void
mesh_format_float(double d, char *buf, size_t len)
{
	char *e;
	int prec;

	if (isnan(d)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, len, d < 0 ? "-Inf" : "+Inf");
		return;
	}
	/* The shortest text that reads back as the same double. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		double a = fabs(d);

		/* Go prints plain decimals between 1e-6 and 1e21. */
		if (a >= 1e-6 && a < 1e21) {
			for (prec = 0; prec <= 40; prec++) {
				snprintf(buf, len, "%.*f", prec, d);
				if (strtod(buf, NULL) == d)
					break;
			}
			return;
		}
		/* e-07 -> e-07 stays as Go writes "e-07"; drop "+0" pads */
		if ((e[1] == '+' || e[1] == '-') && e[2] == '0' &&
		    e[3] != '\0')
			memmove(e + 2, e + 3, strlen(e + 3) + 1);
	}
}

const char *
mesh_scalar_canon(const struct mesh_node *n, char *buf, size_t len)
{
	int64_t i = 0;
	uint64_t u = 0;
	bool uns = false;
	double d = 0;

	switch (mesh_scalar_type(n)) {
	case MESH_T_NULL:
		return "<nil>";
	case MESH_T_BOOL:
		return IN(n->u.s.text, n->u.s.len, true_words) ? "true" :
		    IN(n->u.s.text, n->u.s.len, false_words) ? "false" :
		    n->u.s.text;
	case MESH_T_INT:
		if (mesh_resolve_plain(n->u.s.text, n->u.s.len, &i, &u, &uns,
		    NULL) != MESH_T_INT)
			return n->u.s.text;
		if (uns)
			snprintf(buf, len, "%" PRIu64, u);
		else
			snprintf(buf, len, "%" PRId64, i);
		return buf;
	case MESH_T_FLOAT:
		if (mesh_resolve_plain(n->u.s.text, n->u.s.len, NULL, NULL,
		    NULL, &d) != MESH_T_FLOAT)
			return n->u.s.text;
		mesh_format_float(d, buf, len);
		/* Go's %v uses exponents from 1e21 up, as JSON does. */
		return buf;
	case MESH_T_STR:
		break;
	}
	return n->u.s.text;
}

const char *
mesh_doc_kind(const struct mesh_doc *doc)
{
	if (!mesh_is_map(doc->root))
		return NULL;
	return mesh_map_getstr(doc->root, "kind");
}

bool
mesh_is_list(const struct mesh_node *root, struct mesh_node **items)
{
	const char *kind = mesh_is_map(root) ?
	    mesh_map_getstr(root, "kind") : NULL;
	struct mesh_node *v;
	size_t len;

	if (kind == NULL || (len = strlen(kind)) < 4 ||
	    strcmp(kind + len - 4, "List") != 0 ||
	    mesh_map_find(root, "items") < 0)
		return false;
	v = mesh_map_get(root, "items");
	if (!mesh_is_seq(v) && !mesh_is_null(v))
		return false;
	if (items != NULL)
		*items = mesh_is_seq(v) ? v : NULL;
	return true;
}

bool
mesh_list_item_fill(struct mesh_doc *doc, const struct mesh_node *list,
    struct mesh_node *item)
{
	const char *kind = mesh_map_getstr(list, "kind");
	const char *av = mesh_map_getstr(list, "apiVersion");
	size_t len = kind != NULL ? strlen(kind) : 0;

	if (len >= 4 && strcmp(kind + len - 4, "List") == 0)
		len -= 4;
	/* a v1 List says nothing of its items' kind */
	if (!mesh_is_map(item) || len == 0 ||
	    mesh_map_find(item, "kind") >= 0 ||
	    mesh_map_find(item, "apiVersion") >= 0)
		return false;
	mesh_map_insert(doc, item, 0, mesh_str_new(doc, "kind"),
	    mesh_scalar_new(doc, kind, len, MESH_T_STR));
	if (av != NULL)
		mesh_map_insert(doc, item, 0, mesh_str_new(doc, "apiVersion"),
		    mesh_str_new(doc, av));
	return true;
}

bool
mesh_is_iop(const struct mesh_node *root)
{
	const char *kind = mesh_is_map(root) ?
	    mesh_map_getstr(root, "kind") : NULL;

	return kind != NULL && strcmp(kind, "IstioOperator") == 0;
}

const char *
mesh_describe(const struct mesh_node *root, char *buf, size_t len)
{
	const char *kind = NULL, *name = NULL;

	if (mesh_is_map(root)) {
		kind = mesh_map_getstr(root, "kind");
		name = mesh_map_getstr(root, "metadata.name");
	}
	if (kind != NULL && name != NULL)
		snprintf(buf, len, "%s/%s", kind, name);
	else if (kind != NULL)
		snprintf(buf, len, "%s", kind);
	else
		snprintf(buf, len, "document");
	return buf;
}
