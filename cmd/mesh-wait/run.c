/*
 * The wait itself.  Every (cluster, type, namespace, selector) the wants
 * need gets one feed: one list, then one watch, kept going by the
 * informer loop of common/kube, every cluster at once on one thread.  A
 * feed keeps the objects it sees; after whatever came in, the wants
 * whose feeds changed are judged again, and the run ends when every want
 * is ready, when one can never be (exit 1), or at the deadline (exit 3,
 * one line for each want not ready, saying what it lacks).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "jsonpath.h"
#include "kube.h"
#include "node.h"
#include "stream.h"
#include "xalloc.h"

#include "wait.h"

#define BUCKETS0	64
#define STATUS_EVERY_MS	100
#define ONCE_MAX_MS	30000		/* --timeout 0: the one look's limit */

/* ---- the objects a feed keeps ---------------------------------------- */

static unsigned long
hash2(const char *ns, const char *name)
{
	unsigned long h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)ns; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

struct obj *
feed_get(const struct feed *f, const char *ns, const char *name)
{
	struct obj *o;

	if (f->nbuckets == 0)
		return NULL;
	for (o = f->tab[hash2(ns, name) % f->nbuckets]; o != NULL;
	    o = o->next)
		if (strcmp(o->ns, ns) == 0 && strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static void
obj_free(struct obj *o)
{
	mesh_doc_free(o->doc);
	free(o->key);
	free(o);
}

static void
grow(struct feed *f)
{
	size_t n = f->nbuckets ? f->nbuckets * 2 : BUCKETS0, i;
	struct obj **tab = xcalloc(n, sizeof(*tab)), *o, *next;

	for (i = 0; i < f->nbuckets; i++) {
		for (o = f->tab[i]; o != NULL; o = next) {
			next = o->next;
			o->next = tab[hash2(o->ns, o->name) % n];
			tab[hash2(o->ns, o->name) % n] = o;
		}
	}
	free(f->tab);
	f->tab = tab;
	f->nbuckets = n;
}

static struct obj *
feed_add(struct feed *f, const char *ns, const char *name)
{
	struct obj *o = xcalloc(1, sizeof(*o));
	size_t nl = strlen(ns);
	unsigned long h;

	if (f->nobjs + 1 > f->nbuckets)
		grow(f);
	o->key = xasprintf("%s/%s", ns, name);
	o->key[nl] = '\0';
	o->ns = o->key;
	o->name = o->key + nl + 1;
	h = hash2(ns, name) % f->nbuckets;
	o->next = f->tab[h];
	f->tab[h] = o;
	f->nobjs++;
	return o;
}

static void
feed_remove(struct feed *f, struct obj *o)
{
	struct obj **p = &f->tab[hash2(o->ns, o->name) % f->nbuckets];

	while (*p != o)
		p = &(*p)->next;
	*p = o->next;
	f->nobjs--;
	obj_free(o);
}

/* Call fn on every object of f, in no order. */
#define FEED_EACH(f, o, i) \
	for ((i) = 0; (i) < (f)->nbuckets; (i)++) \
		for ((o) = (f)->tab[i]; (o) != NULL; (o) = (o)->next)

static bool
is_pods(const struct feed *f)
{
	return *f->res->group == '\0' && strcmp(f->res->name, "pods") == 0;
}

static void
touched(struct feed *f)
{
	f->dirty = true;
	f->r->any_dirty = true;
}

static int
on_listing(void *arg)
{
	struct feed *f = arg;
	struct obj *o;
	size_t i;

	FEED_EACH(f, o, i)
		o->stale = true;
	return 0;
}

/*
 * A copy of an object to keep, in one block of memory just its size,
 * without metadata.managedFields (kubectl get leaves them out too): the
 * parser's document is several times larger.
 */
static struct mesh_doc *
keep(struct mesh_doc *doc)
{
	struct mesh_node *md = mesh_map_get(doc->root, "metadata");
	struct mesh_doc *d;
	long i;

	if ((i = mesh_map_find(md, "managedFields")) >= 0)
		mesh_map_remove(md, (size_t)i);
	d = mesh_doc_new_sized(doc->src, mesh_node_copy_size(doc->root));
	d->root = mesh_node_copy(d, doc->root);
	d->changed = true;
	return d;
}

static int
on_event(void *arg, enum mesh_kube_event ev, struct mesh_doc *doc)
{
	struct feed *f = arg;
	const char *ns = mesh_map_getstr(doc->root, "metadata.namespace");
	const char *name = mesh_map_getstr(doc->root, "metadata.name");
	char why[512];
	struct obj *o;

	if (name == NULL)
		return 0;
	if (ns == NULL)
		ns = "";
	o = feed_get(f, ns, name);
	if (ev == MESH_KUBE_DELETED) {
		if (o != NULL)
			feed_remove(f, o);
		touched(f);
		return 0;
	}
	if (o == NULL)
		o = feed_add(f, ns, name);
	mesh_doc_free(o->doc);
	o->doc = keep(doc);
	o->version = ++f->r->events;
	o->stale = false;
	o->vcond = NULL;
	if (is_pods(f)) {
		if (!pod_backing_off(doc->root, why, sizeof(why)))
			o->bad_since = 0;
		else if (o->bad_since == 0)
			o->bad_since = mesh_now_ms();
	}
	touched(f);
	return 0;
}

static int
on_synced(void *arg)
{
	struct feed *f = arg;
	struct obj *o, *next;
	size_t i;

	/* what the list no longer holds went while we were not watching */
	for (i = 0; i < f->nbuckets; i++) {
		for (o = f->tab[i]; o != NULL; o = next) {
			next = o->next;
			if (o->stale)
				feed_remove(f, o);
		}
	}
	f->synced_once = true;
	touched(f);
	return 0;
}

static const struct mesh_kube_informer_ops feed_ops = {
	on_listing, on_event, on_synced
};

static void
feed_free(struct feed *f)
{
	struct obj *o, *next;
	size_t i;

	for (i = 0; i < f->nbuckets; i++) {
		for (o = f->tab[i]; o != NULL; o = next) {
			next = o->next;
			obj_free(o);
		}
	}
	free(f->tab);
	free(f->ns);
	free(f->selector);
	free(f->name);
	free(f);
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

static struct feed *
feed_find(struct run *r, struct cluster *c, const struct apires *res,
    const char *ns, const char *sel)
{
	struct feed *f, **tail;

	for (tail = &r->feeds; (f = *tail) != NULL; tail = &f->next)
		if (f->c == c && f->res == res && same(f->ns, ns) &&
		    same(f->selector, sel))
			return f;
	f = xcalloc(1, sizeof(*f));
	f->r = r;
	f->c = c;
	f->res = res;
	f->ns = ns ? xstrdup(ns) : NULL;
	f->selector = sel ? xstrdup(sel) : NULL;
	*tail = f;
	return f;
}

static bool
looks_at_pods(const struct want *w)
{
	return kind_has_pods(w->k) && (w->cond->kind == FOR_READY ||
	    w->cond->kind == FOR_INJECTED);
}

void
feeds_start(struct run *r, struct cluster *c)
{
	struct mesh_kube_list_opts lo;
	struct mesh_kube_res kr;
	struct want *w;
	struct feed *f;
	char what[600], field[600];
	const char *sel;

	c->started = true;
	r->any_dirty = true;
	for (w = r->wants; w != NULL; w = w->next) {
		if (w->c != c)
			continue;
		sel = w->selector != NULL && *w->selector ? w->selector : NULL;
		f = w->feed = feed_find(r, w->c, w->res, w->rns, sel);
		f->users++;
		if (w->name != NULL && sel == NULL && (f->one_name == NULL ||
		    strcmp(f->one_name, w->name) == 0))
			f->one_name = w->name;
		else if (sel == NULL)
			f->many = true;
		if (looks_at_pods(w)) {
			w->pods = feed_find(r, w->c, core_pods(w->c), w->rns,
			    NULL);
			w->pods->many = true;
		}
	}
	for (f = r->feeds; f != NULL; f = f->next) {
		if (f->inf != NULL)
			continue;
		memset(&lo, 0, sizeof(lo));
		lo.label_selector = f->selector;
		if (!f->many && f->one_name != NULL) {
			f->name = xstrdup(f->one_name);
			snprintf(field, sizeof(field), "metadata.name=%s",
			    f->name);
			lo.field_selector = field;
		}
		snprintf(what, sizeof(what), "%s%s%s%s%s%s%s", f->res->name,
		    *f->res->group ? "." : "", f->res->group,
		    f->ns ? " in " : "", f->ns ? f->ns : "",
		    r->clusters->next ? " of " : "",
		    r->clusters->next ? f->c->label : "");
		kr.api_version = f->res->api_version;
		kr.resource = f->res->name;
		kr.namespace = f->ns;
		f->inf = mesh_kube_inform(r->loop, f->c->k, &kr, &lo, what,
		    &feed_ops, f);
	}
}

/* ---- judging wants --------------------------------------------------- */

/* The pods of workload o: fail it when one backs off too long. */
static void
judge_pods(struct run *r, const struct want *w, const struct obj *o,
    long now, struct verdict *v)
{
	struct verdict pv = { 0 };
	const struct obj *p;
	const struct obj *first_wait = NULL;
	char why[sizeof(v->why)], name[256];
	bool injected = w->cond->kind == FOR_INJECTED;
	size_t i, matched = 0;

	FEED_EACH(w->pods, p, i) {
		if (p->doc == NULL || !selects(o->doc->root, p->doc->root) ||
		    mesh_map_getstr(p->doc->root,
		    "metadata.deletionTimestamp") != NULL)
			continue;
		matched++;
		if (!injected && p->bad_since == 0)
			continue;
		judge(r, w->cond, K_POD, p, now, &r->next_timer, &pv);
		if (pv.st == ST_FAIL) {
			snprintf(why, sizeof(why), "pod %.200s: %.300s",
			    mesh_visible(p->name, name, sizeof(name)), pv.why);
			v->st = ST_FAIL;
			memcpy(v->why, why, sizeof(why));
			verdict_clear(&pv);
			return;
		}
		if (pv.st == ST_WAIT && first_wait == NULL) {
			first_wait = p;
			snprintf(why, sizeof(why), "pod %.200s: %.300s",
			    mesh_visible(p->name, name, sizeof(name)), pv.why);
		}
	}
	verdict_clear(&pv);
	if (first_wait != NULL && v->st == ST_READY) {
		v->st = ST_WAIT;
		memcpy(v->why, why, sizeof(why));
	} else if (first_wait != NULL && v->st == ST_WAIT) {
		size_t n = strlen(v->why);

		snprintf(v->why + n, sizeof(v->why) - n, "; %s", why);
	} else if (injected && matched == 0 && v->st == ST_READY &&
	    mesh_map_getstr(o->doc->root, "spec.replicas") != NULL &&
	    strcmp(mesh_map_getstr(o->doc->root, "spec.replicas"), "0") !=
	    0) {
		v->st = ST_WAIT;
		snprintf(v->why, sizeof(v->why), "no pods yet");
	}
}

/* One object of w under w's condition, its pods included. */
static void
judge_one(struct run *r, const struct want *w, const struct obj *o,
    long now, struct verdict *v)
{
	judge(r, w->cond, w->k, o, now, &r->next_timer, v);
	if (w->pods != NULL && v->st != ST_FAIL)
		judge_pods(r, w, o, now, v);
}

static void
judge_named(struct run *r, struct want *w, long now)
{
	const struct obj *o = feed_get(w->feed, w->rns ? w->rns : "",
	    w->name);
	const char *uid;

	if (w->cond->kind == FOR_DELETE) {
		uid = o ? mesh_map_getstr(o->doc->root, "metadata.uid") : NULL;
		verdict_clear(&w->v);
		if (o != NULL && w->uid == NULL && uid != NULL)
			w->uid = xstrdup(uid);
		if (o != NULL)
			w->seen = true;
		if (o == NULL || (uid != NULL && w->uid != NULL &&
		    strcmp(uid, w->uid) != 0))
			w->v.st = ST_READY;
		else
			judge(r, w->cond, w->k, o, now, &r->next_timer, &w->v);
		return;
	}
	if (o == NULL) {
		verdict_clear(&w->v);
		snprintf(w->v.why, sizeof(w->v.why), "not there yet");
		w->jver = 0;
		return;
	}
	w->seen = true;
	/* the same object as last time says the same, pods aside */
	if (w->pods == NULL && w->jver == o->version && w->jgen == r->gen)
		return;
	judge_one(r, w, o, now, &w->v);
	w->jver = o->version;
	w->jgen = r->gen;
}

static void
judge_selected(struct run *r, struct want *w, long now)
{
	struct verdict v = { 0 };
	struct obj *o;
	char name[256], first[sizeof(v.why) + 300];
	size_t i, n = 0, nready = 0;
	enum state st;
	bool keep = w->pods == NULL;

	verdict_clear(&w->v);
	first[0] = '\0';
	FEED_EACH(w->feed, o, i) {
		n++;
		if (w->cond->kind == FOR_DELETE)
			continue;
		/* a selection of thousands is judged again object by object
		   only where something changed */
		if (keep && o->vcond == w->cond && o->vgen == r->gen) {
			st = o->vst;
		} else {
			judge_one(r, w, o, now, &v);
			st = v.st;
			if (keep) {
				o->vcond = w->cond;
				o->vgen = r->gen;
				o->vst = st;
			}
		}
		if (st == ST_READY) {
			nready++;
			continue;
		}
		if (first[0] == '\0' || st == ST_FAIL) {
			judge_one(r, w, o, now, &v);
			snprintf(first, sizeof(first), "%s: %s",
			    mesh_visible(o->name, name, sizeof(name)), v.why);
		}
		if (st == ST_FAIL) {
			w->v.st = ST_FAIL;
			snprintf(w->v.why, sizeof(w->v.why), "%s", first);
			verdict_clear(&v);
			return;
		}
	}
	verdict_clear(&v);
	if (n > 0)
		w->seen = true;
	if (w->cond->kind == FOR_DELETE) {
		if (n == 0)
			w->v.st = ST_READY;
		else
			snprintf(w->v.why, sizeof(w->v.why), "%zu still there",
			    n);
	} else if (n == 0) {
		snprintf(w->v.why, sizeof(w->v.why), "nothing matches yet");
	} else if (nready == n) {
		w->v.st = ST_READY;
	} else {
		snprintf(w->v.why, sizeof(w->v.why), "%zu/%zu ready; %s",
		    nready, n, first);
	}
}

static void
judge_want(struct run *r, struct want *w, long now)
{
	if (w->feed == NULL || !w->feed->synced_once ||
	    (w->pods != NULL && !w->pods->synced_once)) {
		verdict_clear(&w->v);
		snprintf(w->v.why, sizeof(w->v.why), w->feed == NULL ?
		    "finding its type" : "not listed yet");
		return;
	}
	if (w->name != NULL)
		judge_named(r, w, now);
	else
		judge_selected(r, w, now);
}

/* ---- the status line ------------------------------------------------- */

static void
status_clear(struct run *r)
{
	if (r->status_len > 0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		r->status_len = 0;
	}
}

/*
 * Show the status line, if it changed and the last one is old enough;
 * else return when to show it.
 */
static long
status_show(struct run *r, size_t nready, const struct want *slow,
    long now)
{
	struct winsize ws;
	char line[sizeof(r->status)], label[600];
	size_t width = 80;
	int n;

	if (!r->tty || r->o->quiet)
		return 0;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		width = ws.ws_col;
	if (slow != NULL)
		n = snprintf(line, sizeof(line), "%s: %zu/%zu ready; %s: %s",
		    mesh_cmdname(), nready, r->nwants, want_label(r, slow,
		    label, sizeof(label)), slow->v.why);
	else
		n = snprintf(line, sizeof(line), "%s: %zu/%zu ready",
		    mesh_cmdname(), nready, r->nwants);
	if (n < 0)
		return 0;
	/* the server's words: nothing in them moves the cursor */
	mesh_visible(line, line, sizeof(line));
	n = (int)strlen(line);
	if ((size_t)n >= width)
		line[width - 1] = '\0';
	if (r->status_len > 0 && strcmp(line, r->status) == 0)
		return 0;
	if (now - r->status_at < STATUS_EVERY_MS)
		return r->status_at + STATUS_EVERY_MS;
	r->status_at = now;
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	memcpy(r->status, line, sizeof(line));
	r->status_len = strlen(line) + 1;
	return 0;
}

/* ---- the loop's tick ------------------------------------------------- */

static bool
want_dirty(const struct want *w)
{
	return w->feed == NULL || w->feed->dirty ||
	    (w->pods != NULL && w->pods->dirty);
}

static void
report(struct run *r, const struct want *w, const char *why)
{
	char label[600];

	status_clear(r);
	mesh_err(want_label(r, w, label, sizeof(label)), "%s", why);
}

static bool
all_ready(const struct run *r)
{
	const struct want *w;

	for (w = r->wants; w != NULL; w = w->next)
		if (w->v.st != ST_READY)
			return false;
	return r->started;
}

static int
tick(void *arg, long now, long *wake)
{
	struct run *r = arg;
	struct want *w;
	struct feed *f;
	const struct want *slow = NULL;
	bool timer = r->next_timer != 0 && now >= r->next_timer;
	bool all_synced = r->started;
	size_t nready = 0, nfail = 0;
	long redraw;

	if (r->any_dirty || timer) {
		if (timer) {
			r->next_timer = 0;
			r->gen++;
		}
		for (w = r->wants; w != NULL; w = w->next)
			if (timer || want_dirty(w))
				judge_want(r, w, now);
		for (f = r->feeds; f != NULL; f = f->next)
			f->dirty = false;
		r->any_dirty = false;
	}
	for (f = r->feeds; f != NULL; f = f->next)
		if (!f->synced_once)
			all_synced = false;
	for (w = r->wants; w != NULL; w = w->next) {
		if (w->v.st == ST_READY)
			nready++;
		else if (w->v.st == ST_FAIL)
			nfail++;
		else if (slow == NULL)
			slow = w;
	}
	if (nfail > 0) {
		for (w = r->wants; w != NULL; w = w->next)
			if (w->v.st == ST_FAIL)
				report(r, w, w->v.why);
		r->fail = 1;
		return -1;
	}
	if (r->started && nready == r->nwants)
		return 1;
	if (r->once && all_synced)
		return 1;
	redraw = status_show(r, nready, slow, now);
	*wake = r->next_timer;
	if (redraw != 0 && (*wake == 0 || redraw < *wake))
		*wake = redraw;
	return 0;
}

/* ---- the end --------------------------------------------------------- */

/* What keeps w's feeds or discovery from answering, or NULL. */
static const char *
trouble(const struct want *w)
{
	const char *t;

	if (w->feed == NULL)
		return discover_trouble(w);
	if ((t = mesh_kube_informer_trouble(w->feed->inf)) != NULL)
		return t;
	if (w->pods != NULL && w->pods->inf != NULL)
		return mesh_kube_informer_trouble(w->pods->inf);
	return NULL;
}

static void
fmt_ms(char *buf, size_t len, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%lds", ms / 1000);
	else
		snprintf(buf, len, "%.3gs", (double)ms / 1000);
}

/* The deadline passed: one line per want not ready.  The exit status. */
static int
timed_out(struct run *r)
{
	const struct want *w;
	char after[64], t[700], label[600], tm[32];
	const char *tr;
	bool api = false;

	status_clear(r);
	if (r->once) {
		snprintf(after, sizeof(after), "not ready");
	} else {
		fmt_ms(tm, sizeof(tm), r->o->timeout_ms);
		snprintf(after, sizeof(after), "timed out after %s", tm);
	}
	for (w = r->wants; w != NULL; w = w->next) {
		if (w->v.st == ST_READY)
			continue;
		want_label(r, w, label, sizeof(label));
		if ((tr = trouble(w)) != NULL) {
			api = true;
			mesh_err(label, "%s: %s: %s", after, w->v.why,
			    mesh_visible(tr, t, sizeof(t)));
		} else {
			mesh_err(label, "%s: %s", after, w->v.why);
		}
	}
	return api ? MESH_EXIT_FAIL : MESH_EXIT_TIMEOUT;
}

/* "deployment.apps/istiod", as kubectl -o name prints it. */
static void
obj_name(struct mesh_buf *b, const struct apires *res, const char *name)
{
	const char *p;

	for (p = res->kind; *p != '\0'; p++)
		mesh_buf_addc(b, (char)tolower((unsigned char)*p));
	if (*res->group != '\0') {
		mesh_buf_addc(b, '.');
		mesh_buf_adds(b, res->group);
	}
	mesh_buf_addc(b, '/');
	mesh_buf_adds(b, name);
}

/* The objects w stands for now, sorted by namespace and name. */
static int
by_key(const void *a, const void *b)
{
	const struct obj *x = *(const struct obj *const *)a;
	const struct obj *y = *(const struct obj *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c != 0 ? c : strcmp(x->name, y->name);
}

static const struct obj **
want_objs(const struct want *w, size_t *n)
{
	const struct obj **v, *o;
	size_t i;

	*n = 0;
	if (w->name != NULL) {
		o = feed_get(w->feed, w->rns ? w->rns : "", w->name);
		if (o == NULL)
			return NULL;
		v = xmalloc(sizeof(*v));
		v[(*n)++] = o;
		return v;
	}
	v = xcalloc(w->feed->nobjs + 1, sizeof(*v));
	FEED_EACH(w->feed, o, i)
		v[(*n)++] = o;
	qsort(v, *n, sizeof(*v), by_key);
	return v;
}

/* Say on stderr what an address is not. */
static void
address_notes(struct run *r, const struct want *w, const struct obj *o,
    const struct verdict *v)
{
	char label[600], addr[300];

	want_label(r, w, label, sizeof(label));
	if (v->hostname)
		mesh_warn(label, "the load balancer gave a host name, '%s', "
		    "not an IP address: Istio's network gateways and "
		    "remotePilotAddress need an IP (resolve the name, or ask "
		    "the cloud for a load balancer with a fixed IP)",
		    mesh_visible(v->value, addr, sizeof(addr)));
	else if (v->nodeport)
		mesh_warn(label, "%s is a NodePort Service: reach it at a "
		    "node's IP address on these ports", mesh_visible(o->name, addr,
		    sizeof(addr)));
}

/* Everything is ready: print what -o asks for.  0 or -1. */
static int
output(struct run *r)
{
	const struct opts *o = r->o;
	struct mesh_buf b = MESH_BUF_INIT;
	struct mesh_writer *wr = NULL;
	struct verdict v = { 0 };
	const struct obj **objs;
	const struct want *w;
	char err[256];
	size_t i, n;
	int rv = -1;

	if (o->out == OUT_YAML || o->out == OUT_JSON)
		wr = mesh_writer_new(STDOUT_FILENO, o->out == OUT_JSON ?
		    MESH_FMT_JSON : MESH_FMT_YAML, false);
	for (w = r->wants; w != NULL; w = w->next) {
		if (w->cond->kind == FOR_DELETE) {
			if (w->name == NULL)
				continue;
			if (o->out == OUT_NAME || (o->out == OUT_DEFAULT &&
			    w->seen && w->name != NULL)) {
				obj_name(&b, w->res, w->name);
				mesh_buf_adds(&b, o->out == OUT_NAME ? "\n" :
				    " condition met\n");
			}
			continue;
		}
		objs = want_objs(w, &n);
		for (i = 0; i < n; i++) {
			if (o->cond.kind == FOR_ADDRESS || o->out == OUT_VALUE) {
				judge_one(r, w, objs[i], mesh_now_ms(), &v);
				if (o->cond.kind == FOR_ADDRESS)
					address_notes(r, w, objs[i], &v);
			}
			switch (o->out) {
			case OUT_DEFAULT:
			case OUT_NAME:
				obj_name(&b, w->res, objs[i]->name);
				if (o->out == OUT_DEFAULT) {
					mesh_buf_adds(&b, " condition met");
					if (r->clusters->next != NULL) {
						mesh_buf_adds(&b, " (");
						mesh_buf_adds(&b, w->c->label);
						mesh_buf_addc(&b, ')');
					}
				}
				mesh_buf_addc(&b, '\n');
				break;
			case OUT_VALUE:
				mesh_buf_adds(&b, v.value ? v.value : "");
				mesh_buf_addc(&b, '\n');
				break;
			case OUT_JSONPATH:
				if (mesh_jsonpath_exec(o->out_jp,
				    objs[i]->doc->root, false, &b, err,
				    sizeof(err)) == -1) {
					mesh_err(NULL, "-o jsonpath: %s", err);
					free(objs);
					goto out;
				}
				break;
			case OUT_YAML:
			case OUT_JSON:
				if (mesh_writer_put(wr, objs[i]->doc) == -1) {
					free(objs);
					goto out;
				}
				break;
			}
		}
		free(objs);
	}
	if (wr != NULL && mesh_writer_finish(wr) == -1)
		goto out;
	if (b.len > 0 && mesh_write_all(STDOUT_FILENO, b.data, b.len) == -1) {
		mesh_err(NULL, "cannot write the output:");
		goto out;
	}
	rv = 0;
out:
	verdict_clear(&v);
	mesh_writer_free(wr);
	mesh_buf_release(&b);
	return rv;
}

int
run_wait(struct run *r)
{
	const struct opts *o = r->o;
	struct cluster *c;
	long deadline = 0;
	int rc;

	r->tty = isatty(STDERR_FILENO);
	r->start = mesh_now_ms();
	if (o->timeout_ms == 0) {
		r->once = true;
		deadline = r->start + (o->request_timeout_ms > 0 ?
		    o->request_timeout_ms : ONCE_MAX_MS);
	} else if (o->timeout_ms > 0) {
		deadline = r->start + o->timeout_ms;
	}
	r->deadline = deadline;
	/* nothing a client does, exec plugins included, outlasts the run */
	for (c = r->clusters; c != NULL; c = c->next)
		mesh_kube_set_deadline(c->k, deadline);
	r->any_dirty = true;
	discover_start(r);
	rc = mesh_kube_loop_run(r->loop, deadline, tick, r);
	status_clear(r);
	if (rc == -1)
		return r->fail ? r->fail : MESH_EXIT_FAIL;
	if (rc == 1 || (r->once && !all_ready(r)))
		return timed_out(r);
	return output(r) == -1 ? MESH_EXIT_FAIL : MESH_EXIT_OK;
}

void
run_release(struct run *r)
{
	struct want *w, *wn;
	struct feed *f, *fn;
	struct cluster *c, *cn;

	mesh_kube_loop_free(r->loop);
	for (w = r->wants; w != NULL; w = wn) {
		wn = w->next;
		free(w->at.src);
		free(w->type);
		free(w->api_version);
		free(w->kind);
		free(w->name);
		free(w->ns);
		free(w->selector);
		free(w->from);
		free(w->rns);
		free(w->uid);
		verdict_clear(&w->v);
		free(w);
	}
	for (f = r->feeds; f != NULL; f = fn) {
		fn = f->next;
		feed_free(f);
	}
	for (c = r->clusters; c != NULL; c = cn) {
		cn = c->next;
		mesh_kube_free(c->k);
		mesh_kubeconfig_release(&c->kc);
		gvs_free(c->gvs);
		free(c->context);
		free(c->label);
		free(c);
	}
	mesh_kubeconfig_files_free(r->kfiles);
}
