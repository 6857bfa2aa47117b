/*
 * A Kubernetes REST client over libcurl: get, list, watch, create,
 * server-side apply, delete and TokenRequest, with objects going in and
 * out as document trees.  TLS is verified unless the kubeconfig says
 * insecure-skip-tls-verify; credentials go only to https servers.
 *
 * Retries: a 429 is retried after its Retry-After (or a back-off), a 5xx
 * or a broken connection with exponential back-off (200 ms doubling);
 * at most MESH_KUBE_ATTEMPTS requests and MESH_KUBE_RETRY_MS of waiting
 * in all.  A create (POST) is retried after a 5xx only when the server
 * sent Retry-After, and after a network error only when it never
 * connected.  A 401 makes the exec plugin run again for the next request.
 *
 * Time: --request-timeout (timeout_ms) bounds each call as client-go
 * bounds each request: its attempts, the waits between them and the
 * exec plugin together (an informer's lists and watches: each request).
 * deadline bounds everything the client does, for a program's whole
 * run; an informer loop ends at the deadline its run is given.  A retry
 * whose wait would pass either is not waited for: the call fails at
 * once with the last answer.  An exec credential plugin gets what is
 * left, and at most MESH_KUBE_EXEC_MS when it cannot talk to the user;
 * past that its process group is killed and the call fails, naming the
 * plugin.
 *
 * Errors are reported once, as the API's Status message and the HTTP
 * code: "deployments.apps "x" not found (404 NotFound)".  No token, key
 * or password is ever printed; verbose output shows "Authorization:
 * <redacted>".  The caller calls mesh_kube_global_init and
 * mesh_kube_global_cleanup (or curl_global_init and curl_global_cleanup,
 * leaving libcurl's freed memory unwiped), once, in main.
 */
#ifndef MESH_KUBE_H
#define MESH_KUBE_H

#include <stdbool.h>
#include <time.h>

#include "kubeconfig.h"
#include "node.h"

#define MESH_KUBE_ATTEMPTS	5	/* requests per call, retries too */
#define MESH_KUBE_RETRY_MS	20000	/* waiting between them, in all */
#define MESH_KUBE_EXEC_MS	60000	/* an exec plugin without a user */

struct mesh_kube;

struct mesh_kube_opts {
	long timeout_ms;	/* --request-timeout: each call; 0: none */
	/*
	 * The whole run's end, a time on mesh_now_ms' clock (0: none): no
	 * request, retry, wait, watch or exec plugin goes past it.  For a
	 * whole-run flag: .deadline = mesh_now_ms() + timeout_ms.
	 */
	long deadline;
	int verbose;		/* 1: requests; 2: and headers, redacted */
	const char *field_manager;	/* create and apply; NULL: prog */
};

/* Where a kind lives.  All borrowed. */
struct mesh_kube_res {
	const char *api_version;	/* "v1", "apps/v1" */
	const char *resource;		/* the plural: "deployments" */
	const char *namespace;		/* NULL: cluster-scoped, or all */
};

/* Options of list and watch; all may be 0 or NULL. */
struct mesh_kube_list_opts {
	const char *label_selector;	/* "app=x,tier!=db" */
	const char *field_selector;	/* "metadata.name=x" */
	const char *resource_version;	/* watch from here, no list */
	long deadline_ms;		/* watch: give up after this long */
	bool bookmarks;			/* watch: pass BOOKMARKs on */
};

enum mesh_kube_event {
	MESH_KUBE_ADDED,
	MESH_KUBE_MODIFIED,
	MESH_KUBE_DELETED,
	MESH_KUBE_BOOKMARK
};

/* get, delete: a 404 is an answer (*out NULL, returns 0), not an error. */
#define MESH_KUBE_MISSING_OK	(1 << 0)
/*
 * get: so is any error status, unreported (mesh_kube_last_code has it);
 * the connection failing is still an error.
 */
#define MESH_KUBE_ERROR_OK	(1 << 1)

/*
 * A client for the cluster kc selects.  kc is borrowed and must outlive
 * the client; its exec credentials are cached in it.  NULL after a report.
 */
struct mesh_kube *mesh_kube_new(struct mesh_kubeconfig *kc,
    const struct mesh_kube_opts *o);
void mesh_kube_free(struct mesh_kube *k);

/* Set the client's deadline (as mesh_kube_opts' deadline) from now on. */
void mesh_kube_set_deadline(struct mesh_kube *k, long deadline);

/*
 * Start and end libcurl for a program that holds credentials: once, in
 * main, instead of curl_global_init and curl_global_cleanup.  libcurl's
 * memory is then wiped as it is freed, so the bearer token and the
 * headers that carried it are not left behind in freed blocks.  0, or
 * -1 after a report.
 */
int mesh_kube_global_init(void);
void mesh_kube_global_cleanup(void);

/*
 * A --request-timeout value as kubectl takes it: a whole number of
 * seconds, or a Go duration ("500ms", "5s", "1m30s", "1.5h"); 0 means no
 * timeout.  0, or -1 after "invalid value for 'opt': 's'".
 */
int mesh_kube_parse_timeout(const char *opt, const char *s, long *ms);

/* "1s", "1500ms": a duration in messages and in ?timeout=, into buf. */
void mesh_kube_fmt_ms(char *buf, size_t len, long ms);

/* Milliseconds on a monotonic clock, for deadlines. */
long mesh_now_ms(void);
/* Sleep ms milliseconds (none when ms <= 0), through signals. */
void mesh_sleep_ms(long ms);

/* The HTTP status of the last answer, 0 when none came. */
long mesh_kube_last_code(const struct mesh_kube *k);

/*
 * GET one object into *out (the caller frees it).  0, or -1 after a
 * report; with MESH_KUBE_MISSING_OK a 404 returns 0 and *out NULL.
 */
int mesh_kube_get(struct mesh_kube *k, const struct mesh_kube_res *r,
    const char *name, unsigned flags, struct mesh_doc **out);

/* GET a path of the server ("/version"), as mesh_kube_get. */
int mesh_kube_get_path(struct mesh_kube *k, const char *path,
    unsigned flags, struct mesh_doc **out);

/* List into *out: the List object, items and metadata.resourceVersion. */
int mesh_kube_list(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, struct mesh_doc **out);

/*
 * Called for each object a watch sees; doc is borrowed for the call and
 * has kind and apiVersion.  Return 0 to go on, 1 to stop, -1 to fail
 * (after your own report).
 */
typedef int mesh_kube_watch_fn(void *arg, enum mesh_kube_event ev,
    const struct mesh_doc *doc);

/*
 * List, pass every object on as MESH_KUBE_ADDED, then watch from the
 * list's resourceVersion and pass each event on, one by one.  A stream
 * that ends or breaks is resumed from the last resourceVersion seen; a
 * 410 Gone lists again (every object is then passed on again, as ADDED).
 * Returns 0 when fn stopped it, 1 when lo->deadline_ms or the client's
 * deadline passed, -1 after a report (or fn's -1).
 */
int mesh_kube_watch(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, mesh_kube_watch_fn *fn,
    void *arg);

/*
 * POST obj to its collection; the created object into *out (may be
 * NULL).  obj's metadata.namespace, if any, must be r->namespace.
 */
int mesh_kube_create(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_doc *obj, struct mesh_doc **out);

/*
 * Server-side apply: PATCH obj (named by its metadata.name) as
 * application/apply-patch+yaml with our field manager; force takes over
 * fields other managers own.  The object into *out (may be NULL).
 */
int mesh_kube_apply(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_doc *obj, bool force, struct mesh_doc **out);

/* DELETE name, propagation Background; the answer into *out (or NULL). */
int mesh_kube_delete(struct mesh_kube *k, const struct mesh_kube_res *r,
    const char *name, unsigned flags, struct mesh_doc **out);

/*
 * TokenRequest for service account sa in namespace ns: audiences (NULL
 * terminated, or NULL) and a lifetime (0: the server's default).  The
 * token into *token (free with mesh_kubeconfig_secret_free) and its
 * expiry into *expiry (RFC 3339, malloc'd).  0, or -1 after a report.
 */
int mesh_kube_token(struct mesh_kube *k, const char *ns, const char *sa,
    const char *const *audiences, long seconds, char **token,
    char **expiry);

/* ---- many lists and watches at once (informer.c) --------------------- */

/*
 * A loop runs informers, each the list and watch of one collection (one
 * resource in one namespace, or in all, with optional selectors), all on
 * one thread over one connection pool: an informer lists, hands every
 * object on, then watches from the list's resourceVersion.  A watch that
 * ends is resumed from the last resourceVersion seen (bookmarks are
 * asked for); a 410 Gone or an ERROR event lists again; a 429, a 5xx or
 * a broken or refused connection is retried after a back-off (200 ms
 * doubling to 5 s, or the server's Retry-After), for as long as the run
 * lasts, the trouble kept where the owner can read it.  Any other error
 * answer (401 twice, 403, 404, ...) ends the run after one report.
 */
struct mesh_kube_loop;
struct mesh_kube_informer;

/*
 * What an informer tells its owner; doc is borrowed for the call, and
 * the callback may change it (it is freed after).  Each returns 0 to go
 * on, 1 to end the run (mesh_kube_loop_run returns 0), or -1 to fail it
 * (after the callback's own report).
 */
struct mesh_kube_informer_ops {
	/* a list begins: until synced, its objects come as ADDED */
	int (*listing)(void *arg);
	/* ADDED (listed too), MODIFIED or DELETED; never BOOKMARK */
	int (*event)(void *arg, enum mesh_kube_event ev,
	    struct mesh_doc *doc);
	/* the list is through: what came since listing is all there is */
	int (*synced)(void *arg);
};

struct mesh_kube_loop *mesh_kube_loop_new(void);
/* Stop every informer, free them and the loop; NULL is fine. */
void mesh_kube_loop_free(struct mesh_kube_loop *l);

/*
 * A new informer of r (and lo's selectors; its resource_version,
 * deadline_ms and bookmarks are not used) through client k, which must
 * outlive the loop.  what names it in messages ("deployments.apps in
 * istio-system").  Everything is copied.  It starts at the next run.
 */
struct mesh_kube_informer *mesh_kube_inform(struct mesh_kube_loop *l,
    struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, const char *what,
    const struct mesh_kube_informer_ops *ops, void *arg);

/*
 * Called once before the loop waits, after whatever came in: returns 0
 * to go on, 1 to end the run (0 from run), -1 to fail it.  *wake, when
 * set to a time on mesh_now_ms' clock, is when to be called at the
 * latest.
 */
typedef int mesh_kube_tick_fn(void *arg, long now, long *wake);

/*
 * Run every informer until a callback or tick ends the run (0), the
 * deadline passes (1; a time on mesh_now_ms' clock, 0 for none), or an
 * error ends it (-1, reported).  A run may be started again.
 */
int mesh_kube_loop_run(struct mesh_kube_loop *l, long deadline,
    mesh_kube_tick_fn *tick, void *arg);

/*
 * What a fetch hands on: the answer, or NULL when it was a 404; borrowed
 * for the call.  Returns as an informer's callbacks do.
 */
typedef int mesh_kube_got_fn(void *arg, const struct mesh_doc *doc);

/*
 * A single GET of path ("/apis/apps/v1") through the loop, retried as
 * an informer's list is, then got's call; it is then done, and counts
 * as synced.  Everything is copied.  It starts at the next run.
 */
struct mesh_kube_informer *mesh_kube_fetch(struct mesh_kube_loop *l,
    struct mesh_kube *k, const char *path, const char *what,
    mesh_kube_got_fn *got, void *arg);

/* Has the informer listed (and not begun to list again since)? */
bool mesh_kube_informer_synced(const struct mesh_kube_informer *inf);
/* What keeps it from listing or watching now, or NULL. */
const char *mesh_kube_informer_trouble(const struct mesh_kube_informer *inf);
/* The list and watch requests it has sent. */
void mesh_kube_informer_requests(const struct mesh_kube_informer *inf,
    unsigned long *lists, unsigned long *watches);

#endif
