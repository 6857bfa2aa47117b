/*
 * Informers: many lists and watches at once, on one thread.  Each
 * informer has its own curl easy handle and at most one request in
 * flight; all of them share one multi handle, so connections to a
 * server are pooled and reused, and one poll waits on every stream.
 * Watch streams are split into events at newlines as they arrive and
 * handed on at once; nothing is polled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "diag.h"
#include "kube-int.h"
#include "kube.h"
#include "node.h"
#include "pki.h"
#include "xalloc.h"

#define RETRY_AFTER_MAX_S	10	/* the server's Retry-After, capped */
#define LIST_TIMEOUT_MS		60000	/* a list without --request-timeout */
#define ANSWER_BY_MS		30000	/* a watch's headers, the same */
#define SHORT_WATCH_MS		1000	/* a watch that ends sooner backs off */
#define POLL_MAX_MS		1000

enum step { LIST, WATCH, FETCH };

struct mesh_kube_informer {
	struct mesh_kube_loop *loop;
	struct mesh_kube_informer *next;
	struct mesh_kube *k;		/* borrowed */
	struct mesh_kube_res res;	/* strings owned */
	struct mesh_kube_list_opts lo;	/* selectors owned */
	char *what;
	const struct mesh_kube_informer_ops *ops;
	void *arg;
	char *path;			/* FETCH: what to GET */
	mesh_kube_got_fn *got;
	bool done;			/* FETCH: answered */

	CURL *h;
	struct req q;
	struct curl_slist *hdrs;
	char *np;
	bool active;			/* q is in flight */
	enum step step;			/* what q is, or is to be */
	long start_at;			/* not before this */
	long began;
	long answer_by;			/* a watch's headers, by then */

	char *rv;			/* the last resourceVersion seen */
	struct mesh_buf line;		/* a watch event not yet complete */
	struct mesh_buf body;		/* a watch answer other than 200 */
	size_t events;			/* in this stream */
	bool gone;			/* 410: list again */
	char *error;			/* an ERROR event's message */
	int failures;			/* in a row */
	int unauthorized;		/* 401s in a row */
	bool synced;
	char *trouble;
	unsigned long lists, watches;
};

struct mesh_kube_loop {
	CURLM *m;
	struct mesh_kube_informer *first, **tail;
	int stop;			/* a callback's 1 or -1 */
};

struct mesh_kube_loop *
mesh_kube_loop_new(void)
{
	struct mesh_kube_loop *l = xcalloc(1, sizeof(*l));

	if ((l->m = curl_multi_init()) == NULL)
		mesh_die("out of memory");
	l->tail = &l->first;
	return l;
}

/* Take inf's transfer out of the loop, if one is in flight. */
static void
halt(struct mesh_kube_informer *inf)
{
	if (!inf->active)
		return;
	curl_multi_remove_handle(inf->loop->m, inf->h);
	kube_handle_done(inf->h);
	curl_slist_free_all(inf->hdrs);
	inf->hdrs = NULL;
	free(inf->np);
	inf->np = NULL;
	inf->active = false;
}

static void
informer_free(struct mesh_kube_informer *inf)
{
	halt(inf);
	curl_easy_cleanup(inf->h);
	kube_req_release(&inf->q);
	free((char *)inf->res.api_version);
	free((char *)inf->res.resource);
	free((char *)inf->res.namespace);
	free((char *)inf->lo.label_selector);
	free((char *)inf->lo.field_selector);
	free(inf->what);
	free(inf->path);
	free(inf->rv);
	mesh_wipe_buf(&inf->line);
	mesh_wipe_buf(&inf->body);
	free(inf->error);
	free(inf->trouble);
	free(inf);
}

void
mesh_kube_loop_free(struct mesh_kube_loop *l)
{
	struct mesh_kube_informer *inf, *next;

	if (l == NULL)
		return;
	for (inf = l->first; inf != NULL; inf = next) {
		next = inf->next;
		informer_free(inf);
	}
	curl_multi_cleanup(l->m);
	free(l);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct mesh_kube_informer *
mesh_kube_inform(struct mesh_kube_loop *l, struct mesh_kube *k,
    const struct mesh_kube_res *r, const struct mesh_kube_list_opts *lo,
    const char *what, const struct mesh_kube_informer_ops *ops, void *arg)
{
	struct mesh_kube_informer *inf = xcalloc(1, sizeof(*inf));

	inf->loop = l;
	inf->k = k;
	inf->res.api_version = xstrdup(r->api_version);
	inf->res.resource = xstrdup(r->resource);
	inf->res.namespace = dup_or_null(r->namespace);
	if (lo != NULL) {
		inf->lo.label_selector = dup_or_null(lo->label_selector);
		inf->lo.field_selector = dup_or_null(lo->field_selector);
	}
	inf->what = xstrdup(what);
	inf->ops = ops;
	inf->arg = arg;
	if ((inf->h = curl_easy_init()) == NULL)
		mesh_die("out of memory");
	inf->step = LIST;
	*l->tail = inf;
	l->tail = &inf->next;
	return inf;
}

struct mesh_kube_informer *
mesh_kube_fetch(struct mesh_kube_loop *l, struct mesh_kube *k,
    const char *path, const char *what, mesh_kube_got_fn *got, void *arg)
{
	struct mesh_kube_informer *inf = xcalloc(1, sizeof(*inf));

	inf->loop = l;
	inf->k = k;
	inf->path = xstrdup(path);
	inf->what = xstrdup(what);
	inf->got = got;
	inf->arg = arg;
	if ((inf->h = curl_easy_init()) == NULL)
		mesh_die("out of memory");
	inf->step = FETCH;
	*l->tail = inf;
	l->tail = &inf->next;
	return inf;
}

bool
mesh_kube_informer_synced(const struct mesh_kube_informer *inf)
{
	return inf->synced;
}

const char *
mesh_kube_informer_trouble(const struct mesh_kube_informer *inf)
{
	return inf->trouble;
}

void
mesh_kube_informer_requests(const struct mesh_kube_informer *inf,
    unsigned long *lists, unsigned long *watches)
{
	*lists = inf->lists;
	*watches = inf->watches;
}

static void
set_trouble(struct mesh_kube_informer *inf, const char *msg)
{
	free(inf->trouble);
	inf->trouble = msg != NULL ? xstrdup(msg) : NULL;
}

static void
set_rv(struct mesh_kube_informer *inf, const struct mesh_node *obj)
{
	const char *rv = mesh_map_getstr(obj, "metadata.resourceVersion");

	if (rv != NULL && *rv != '\0') {
		free(inf->rv);
		inf->rv = xstrdup(rv);
	}
}

/* A callback's answer: remember a 1 or -1 for the run. */
static int
answer(struct mesh_kube_informer *inf, int rv)
{
	if (rv != 0 && inf->loop->stop == 0)
		inf->loop->stop = rv < 0 ? -1 : 1;
	return rv;
}

/* One line of a watch stream.  0 to go on, -1 to end the stream. */
static int
watch_line(void *arg, const char *text, size_t len)
{
	struct mesh_kube_informer *inf = arg;
	struct kube_event ev;
	int rv = 0;

	if (kube_event_parse(text, len, &ev) == -1) {
		/* a stream we cannot read: list anew, later */
		free(inf->error);
		inf->error = xstrdup("a watch event that cannot be read");
		return -1;
	}
	switch (ev.type) {
	case KUBE_EVENT_ERROR:
		if (ev.code == 410) {
			inf->gone = true;
		} else {
			free(inf->error);
			inf->error = xstrdup(ev.message ? ev.message :
			    "an ERROR event");
		}
		rv = -1;
		break;
	case KUBE_EVENT_UNKNOWN:
		break;
	case MESH_KUBE_BOOKMARK:
		set_rv(inf, ev.doc->root);
		inf->events++;
		break;
	default:
		set_rv(inf, ev.doc->root);
		inf->events++;
		if (answer(inf, inf->ops->event(inf->arg,
		    (enum mesh_kube_event)ev.type, ev.doc)) != 0)
			rv = -1;
	}
	mesh_doc_free(ev.doc);
	return rv;
}

static size_t
watch_cb(char *p, size_t size, size_t n, void *arg)
{
	struct mesh_kube_informer *inf = arg;
	size_t len = size * n;
	long code = 0;

	curl_easy_getinfo(inf->h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		if (inf->body.len + len <= KUBE_ANSWER_MAX)
			mesh_buf_add(&inf->body, p, len);
		return len;
	}
	if (inf->line.len + len > KUBE_ANSWER_MAX) {
		free(inf->error);
		inf->error = xasprintf("a watch event is larger than %u bytes",
		    KUBE_ANSWER_MAX);
		return 0;
	}
	if (kube_feed_lines(&inf->line, p, len, watch_line, inf) == -1)
		return 0;	/* ends the transfer */
	return len;
}

/* Send inf's next request.  0, or -1 after a report. */
static int
start(struct mesh_kube_informer *inf, long now)
{
	struct mesh_kube *k = inf->k;
	struct req *q = &inf->q;
	long t;

	kube_req_release(q);
	memset(q, 0, sizeof(*q));
	q->method = "GET";
	q->idempotent = true;
	q->retry_after = -1;
	/* the loop ends its requests at its deadline; a plugin is ours */
	q->auth_deadline = k->o.deadline;
	if (inf->step == FETCH) {
		q->url = xasprintf("%s%s", k->base, inf->path);
		q->timeout_ms = k->o.timeout_ms > 0 ? k->o.timeout_ms :
		    LIST_TIMEOUT_MS;
		inf->answer_by = 0;
	} else if (inf->step == LIST) {
		q->url = kube_list_url(k, &inf->res, &inf->lo, NULL, false, 0);
		q->timeout_ms = k->o.timeout_ms > 0 ? k->o.timeout_ms :
		    LIST_TIMEOUT_MS;
		inf->answer_by = 0;
		inf->lists++;
	} else {
		t = KUBE_WATCH_MIN_S + rand() % KUBE_WATCH_SPAN_S;
		q->url = kube_list_url(k, &inf->res, &inf->lo, inf->rv, true,
		    t);
		q->watch = true;
		q->stream = watch_cb;
		q->stream_arg = inf;
		inf->answer_by = now + (k->o.timeout_ms > 0 ?
		    k->o.timeout_ms : ANSWER_BY_MS);
		inf->watches++;
	}
	inf->events = 0;
	inf->gone = false;
	free(inf->error);
	inf->error = NULL;
	mesh_wipe_buf(&inf->line);
	mesh_buf_release(&inf->body);
	if (kube_setup(k, inf->h, q, &inf->hdrs, &inf->np) == -1) {
		curl_slist_free_all(inf->hdrs);
		inf->hdrs = NULL;
		free(inf->np);
		inf->np = NULL;
		return -1;
	}
	curl_easy_setopt(inf->h, CURLOPT_PRIVATE, (void *)inf);
	if (curl_multi_add_handle(inf->loop->m, inf->h) != CURLM_OK)
		mesh_die("out of memory");
	inf->active = true;
	inf->began = now;
	return 0;
}

/* Try again after a back-off (or what the server asked for). */
static void
again(struct mesh_kube_informer *inf, enum step step, const char *why,
    long now)
{
	long wait;

	inf->failures++;
	wait = kube_backoff(inf->failures);
	if (inf->q.retry_after >= 0 && inf->q.code != 0)
		wait = (inf->q.retry_after < RETRY_AFTER_MAX_S ?
		    inf->q.retry_after : RETRY_AFTER_MAX_S) * 1000;
	set_trouble(inf, why);
	if (inf->k->o.verbose > 0)
		mesh_err(NULL, "%s: %s; again in %ld ms", inf->what, why,
		    wait);
	inf->step = step;
	inf->start_at = now + wait;
}

/* An answer that no retry will change: report it, end the run. */
static int
fatal(struct mesh_kube_informer *inf, const char *body)
{
	char msg[1024];

	kube_status_message(inf->q.code, body, msg, sizeof(msg));
	mesh_err(NULL, "cannot %s %s: %s", inf->step == LIST ? "list" :
	    inf->step == WATCH ? "watch" : "read", inf->what, msg);
	return -1;
}

/* Was the answer a 401?  Forget the credentials; twice is the end. */
static bool
unauthorized(struct mesh_kube_informer *inf)
{
	if (inf->q.code != 401) {
		inf->unauthorized = 0;
		return false;
	}
	mesh_kubeconfig_forget(inf->k->kc);
	inf->unauthorized++;
	return true;
}

/*
 * What is wrong with the answer to a list or a fetch: 0 when it is to be
 * sent again (later), -1 when it ends the run (reported), 1 when it is
 * an answer to read (a 404 too, when missing_ok).
 */
static int
trouble(struct mesh_kube_informer *inf, int rc, enum step step, long now,
    bool missing_ok)
{
	struct req *q = &inf->q;
	char why[1024];

	if (rc != CURLE_OK) {
		snprintf(why, sizeof(why), "%s", q->errbuf[0] ? q->errbuf :
		    curl_easy_strerror((CURLcode)rc));
		again(inf, step, why, now);
		return 0;
	}
	if (unauthorized(inf)) {
		if (inf->unauthorized > 1)
			return fatal(inf, q->resp.data);
		inf->start_at = now;
		return 0;
	}
	if (q->code == 429 || q->code >= 500) {
		kube_status_message(q->code, q->resp.data, why, sizeof(why));
		again(inf, step, why, now);
		return 0;
	}
	if ((q->code < 200 || q->code > 299) && !(missing_ok &&
	    q->code == 404))
		return fatal(inf, q->resp.data);
	return 1;
}

/* A fetch is back.  0, or -1 to end the run (reported). */
static int
fetched(struct mesh_kube_informer *inf, int rc, long now)
{
	struct req *q = &inf->q;
	struct mesh_doc *doc = NULL;
	int t;

	if ((t = trouble(inf, rc, FETCH, now, true)) != 1)
		return t;
	kube_print_warnings(q);
	if (q->code != 404 && (doc = kube_parse_answer(q)) == NULL) {
		again(inf, FETCH, "an answer that cannot be read", now);
		return 0;
	}
	inf->failures = 0;
	set_trouble(inf, NULL);
	inf->done = true;
	inf->synced = true;
	kube_req_release(q);
	memset(q, 0, sizeof(*q));
	answer(inf, inf->got(inf->arg, doc));
	mesh_doc_free(doc);
	return 0;
}

/* A list is back.  0, or -1 to end the run (reported). */
static int
listed(struct mesh_kube_informer *inf, int rc, long now)
{
	struct req *q = &inf->q;
	const struct mesh_node *items;
	struct mesh_doc *list, *doc;
	size_t i;
	int r;

	if ((r = trouble(inf, rc, LIST, now, false)) != 1)
		return r;
	kube_print_warnings(q);
	if ((list = kube_parse_answer(q)) == NULL) {
		again(inf, LIST, "an answer that cannot be read", now);
		return 0;
	}
	/* the tree is all that is read from here: the bytes can go */
	mesh_wipe_buf(&q->resp);
	list->raw = NULL;
	list->rawlen = 0;
	inf->failures = 0;
	set_trouble(inf, NULL);
	set_rv(inf, list->root);
	inf->synced = false;
	r = answer(inf, inf->ops->listing(inf->arg));
	items = mesh_map_get(list->root, "items");
	for (i = 0; r == 0 && mesh_is_seq(items) && i < items->u.c.n; i++) {
		doc = kube_list_item(list, i);
		r = answer(inf, inf->ops->event(inf->arg, MESH_KUBE_ADDED,
		    doc));
		mesh_doc_free(doc);
	}
	mesh_doc_free(list);
	if (r == 0) {
		inf->synced = true;
		answer(inf, inf->ops->synced(inf->arg));
	}
	inf->step = WATCH;
	inf->start_at = now;
	return 0;
}

/* A watch ended.  0, or -1 to end the run (reported). */
static int
watched(struct mesh_kube_informer *inf, int rc, long now)
{
	struct req *q = &inf->q;
	char why[1024];

	if (inf->loop->stop != 0 && rc == CURLE_WRITE_ERROR) {
		/* a callback ended the run: resume from here next time */
		inf->start_at = now;
		return 0;
	}
	if (inf->events > 0)
		inf->failures = 0;
	if (rc == CURLE_OK && unauthorized(inf)) {
		if (inf->unauthorized > 1)
			return fatal(inf, inf->body.data);
		inf->start_at = now;
		return 0;
	}
	if (inf->gone || (rc == CURLE_OK && q->code == 410)) {
		/* the history is gone: list again, at once the first time */
		inf->step = LIST;
		inf->start_at = now;
		if (inf->failures++ > 0)
			inf->start_at += kube_backoff(inf->failures);
	} else if (inf->error != NULL) {
		snprintf(why, sizeof(why), "%s", inf->error);
		again(inf, LIST, why, now);
	} else if (rc == CURLE_OK && q->code != 200) {
		if (q->code != 429 && q->code < 500)
			return fatal(inf, inf->body.data);
		kube_status_message(q->code, inf->body.data, why,
		    sizeof(why));
		again(inf, WATCH, why, now);
	} else if (rc != CURLE_OK) {
		snprintf(why, sizeof(why), "%s", q->errbuf[0] ? q->errbuf :
		    curl_easy_strerror((CURLcode)rc));
		again(inf, WATCH, why, now);
	} else if (inf->events == 0 && now - inf->began < SHORT_WATCH_MS) {
		again(inf, WATCH, "the watch ended at once", now);
	} else {
		set_trouble(inf, NULL);
		inf->start_at = now;	/* ended in time: watch on */
	}
	return 0;
}

/* A transfer is over. */
static int
finish(struct mesh_kube_informer *inf, int rc, long now)
{
	struct req *q = &inf->q;

	curl_easy_getinfo(inf->h, CURLINFO_RESPONSE_CODE, &q->code);
	curl_easy_getinfo(inf->h, CURLINFO_REQUEST_SIZE, &q->sent);
	halt(inf);
	inf->k->last_code = rc == CURLE_OK ? q->code : 0;
	if (inf->step == FETCH)
		return fetched(inf, rc, now);
	return inf->step == LIST ? listed(inf, rc, now) :
	    watched(inf, rc, now);
}

/* Watches whose headers are late: cut them, try again. */
static void
check_late(struct mesh_kube_loop *l, long now, long *next)
{
	struct mesh_kube_informer *inf;
	long code;

	for (inf = l->first; inf != NULL; inf = inf->next) {
		if (!inf->active || inf->answer_by == 0)
			continue;
		code = 0;
		curl_easy_getinfo(inf->h, CURLINFO_RESPONSE_CODE, &code);
		if (code != 0) {
			inf->answer_by = 0;
		} else if (now >= inf->answer_by) {
			halt(inf);
			again(inf, WATCH, "no answer to the watch in time",
			    now);
		} else if (*next == 0 || inf->answer_by < *next) {
			*next = inf->answer_by;
		}
	}
}

int
mesh_kube_loop_run(struct mesh_kube_loop *l, long deadline,
    mesh_kube_tick_fn *tick, void *arg)
{
	struct mesh_kube_informer *inf;
	CURLMsg *msg;
	long now, wake, next, t;
	int running, left, rv;

	l->stop = 0;
	for (;;) {
		now = mesh_now_ms();
		next = 0;
		for (inf = l->first; inf != NULL; inf = inf->next) {
			if (inf->active || inf->done)
				continue;
			if (inf->start_at <= now) {
				if (start(inf, now) == -1)
					return -1;
			} else if (next == 0 || inf->start_at < next) {
				next = inf->start_at;
			}
		}
		check_late(l, now, &next);
		wake = 0;
		if (tick != NULL && (rv = tick(arg, now, &wake)) != 0)
			return rv < 0 ? -1 : 0;
		if (deadline > 0 && now >= deadline)
			return 1;
		if (wake > 0 && (next == 0 || wake < next))
			next = wake;
		if (deadline > 0 && (next == 0 || deadline < next))
			next = deadline;
		t = next > 0 ? next - now : POLL_MAX_MS;
		if (t > POLL_MAX_MS)
			t = POLL_MAX_MS;
		if (t < 0)
			t = 0;
		if (curl_multi_poll(l->m, NULL, 0, (int)t, NULL) != CURLM_OK ||
		    curl_multi_perform(l->m, &running) != CURLM_OK) {
			mesh_err(NULL, "the connection pool failed");
			return -1;
		}
		now = mesh_now_ms();
		while ((msg = curl_multi_info_read(l->m, &left)) != NULL) {
			char *p = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &p);
			inf = (struct mesh_kube_informer *)(void *)p;
			if (finish(inf, (int)msg->data.result, now) == -1)
				return -1;
		}
		if (l->stop != 0)
			return l->stop < 0 ? -1 : 0;
	}
}
