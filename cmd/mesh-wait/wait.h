/*
 * mesh-wait's private header: what the user asked for (wants), the
 * clusters they live in, the API types discovery resolved them to, the
 * feeds (one list and watch each) that keep the objects, and the rules
 * that say whether an object is ready.
 *
 * input.c    wants from arguments, names and YAML/JSON streams
 * discover.c API types from each cluster's discovery
 * ready.c    what "ready" means, kind by kind, and the other --for
 * run.c      clusters, feeds, the loop, the status line, the report
 * main.c     options
 */
#ifndef MESH_WAIT_H
#define MESH_WAIT_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonpath.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"

/* ---- conditions ------------------------------------------------------ */

enum cond_kind {
	FOR_READY,
	FOR_EXISTS,
	FOR_DELETE,
	FOR_CONDITION,	/* condition=NAME[=VALUE] */
	FOR_JSONPATH,	/* jsonpath=EXPR[=VALUE] */
	FOR_ADDRESS,
	FOR_INJECTED
};

struct cond {
	enum cond_kind kind;
	char *name;			/* condition: the type; jsonpath:
					   the expression */
	char *value;			/* condition: the status; jsonpath:
					   the value, NULL for any */
	struct mesh_jsonpath *jp;	/* jsonpath */
	const char *text;		/* as given, for messages */
};

/* Parse --for's value into c.  0, or -1 after a report (exit 2). */
int cond_parse(struct cond *c, const char *arg);
void cond_release(struct cond *c);

enum state { ST_WAIT, ST_READY, ST_FAIL };

/* What the rules say of one object. */
struct verdict {
	enum state st;
	char why[512];		/* WAIT: what it lacks; FAIL: why never */
	char *value;		/* READY: what -o value prints, or NULL */
	bool hostname;		/* the address is a host name, not an IP */
	bool nodeport;		/* the address is a NodePort Service's */
};

void verdict_clear(struct verdict *v);

/* ---- API types ------------------------------------------------------- */

/* One resource of a group version, from discovery. */
struct apires {
	char *group;		/* "" for the core group */
	char *version;
	char *api_version;	/* "v1", "apps/v1" */
	char *name;		/* the plural: "deployments" */
	char *singular;
	char *kind;
	char **shortnames;	/* NULL-terminated */
	bool namespaced;
};

/* The kinds ready.c has rules for. */
enum kind {
	K_OTHER,
	K_DEPLOYMENT, K_STATEFULSET, K_DAEMONSET, K_REPLICASET, K_JOB,
	K_POD, K_PVC, K_SERVICE, K_NAMESPACE, K_CRD, K_APISERVICE,
	K_WEBHOOKS,		/* mutating and validating */
	K_SECRETLIKE		/* Secret, ConfigMap: exist is ready */
};

enum kind kind_of(const char *group, const char *kind);
/* Does the kind run pods (so --for injected and fail-fast look at them)? */
bool kind_has_pods(enum kind k);

/* ---- clusters -------------------------------------------------------- */

struct gv;

struct cluster {
	struct cluster *next;
	struct run *run;
	char *context;			/* as asked for; NULL: the current */
	char *label;			/* for messages: the context's name */
	struct mesh_kubeconfig kc;
	struct mesh_kube *k;
	bool loaded;

	/* discovery */
	struct mesh_kube_informer *disco[2];	/* /api, /apis */
	struct gv *gvs;
	bool want_all;			/* a TYPE needs every group */
	int groups_state;		/* 0, 1 asked, 2 have */
	bool have_core, have_groups;
	size_t gv_pending;		/* asked for, not yet answered */
	bool started;			/* its feeds are */
};

/* ---- wants, feeds, objects ------------------------------------------- */

struct feed;

/* One object kept by a feed. */
struct obj {
	struct obj *next;		/* in its hash bucket */
	char *key;			/* "ns/name" or "/name" */
	const char *ns, *name;		/* into key (ns "" when none) */
	struct mesh_doc *doc;
	long bad_since;			/* a container backing off, since */
	bool stale;			/* not seen in the list under way */
	unsigned long version;		/* the run's count of events, at its last */
	/* the verdict under vcond, while vgen is the run's gen */
	const struct cond *vcond;
	unsigned long vgen;
	enum state vst;
};

/* One list and watch: a type in a namespace (or all), with selectors. */
struct feed {
	struct feed *next;
	struct run *r;
	struct cluster *c;
	const struct apires *res;
	char *ns;			/* NULL: cluster-scoped, or all */
	char *selector;			/* labelSelector, or NULL */
	char *name;			/* fieldSelector metadata.name */
	struct mesh_kube_informer *inf;
	struct obj **tab;		/* hash buckets */
	size_t nbuckets, nobjs;
	bool dirty;
	bool synced_once;
	size_t users;			/* wants that read it */
	const char *one_name;		/* the one name they ask for */
	bool many;			/* more than one name, or all */
};

struct obj *feed_get(const struct feed *f, const char *ns, const char *name);

/* Where a want came from, for messages. */
struct origin {
	char *src;			/* "<stdin>", a file, "argument" */
	unsigned long line;
};

/* One thing the user asked to wait for. */
struct want {
	struct want *next;
	struct cluster *c;
	struct origin at;

	/* what names it: a TYPE as typed, or a document's apiVersion/kind */
	char *type;
	char *api_version, *kind;
	char *name;			/* NULL: every object -l selects */
	char *ns;			/* set explicitly; NULL: default */
	char *selector;			/* -l ("" with --all) */
	bool all_namespaces;
	const struct cond *cond;	/* the global --for, or an override */
	char *from;			/* "istiooperator/x": what it stands for */

	/* after discovery */
	const struct apires *res;
	enum kind k;
	char *rns;			/* the namespace it lives in, or NULL */
	struct feed *feed;
	struct feed *pods;		/* its pods, for kinds that run them */
	bool failed_resolve;

	/* state */
	struct verdict v;
	unsigned long jver, jgen;	/* v is of that object version, gen */
	char *uid;			/* --for delete: the one first seen */
	bool seen;
};

/* ---- options --------------------------------------------------------- */

enum out { OUT_DEFAULT, OUT_NAME, OUT_YAML, OUT_JSON, OUT_VALUE,
	OUT_JSONPATH };

struct opts {
	const char *kubeconfig, *context, *namespace;
	const char *selector;
	bool all, all_namespaces;
	const char **files;
	size_t nfiles;
	struct cond cond;
	long timeout_ms;		/* the whole run; -1: none */
	long request_timeout_ms;
	long fail_after_ms;
	enum out out;
	struct mesh_jsonpath *out_jp;
	bool quiet;
	int verbose;
};

/* The whole run's state. */
struct run {
	const struct opts *o;
	struct cluster *clusters;
	/* the kubeconfig files, read once for every context; NULL before */
	struct mesh_kubeconfig_files *kfiles;
	struct want *wants, **wtail;
	size_t nwants;
	struct feed *feeds;
	struct mesh_kube_loop *loop;
	long start, deadline;
	long next_timer;		/* when a verdict may change by itself */
	unsigned long gen;		/* verdicts kept in objects hold while
					   it stays the same */
	unsigned long events;
	int fail;			/* a usage (2) or other (1) error */
	bool any_dirty;
	bool started;			/* every cluster's feeds are */
	bool once;			/* --timeout 0: one look */
	bool tty;
	long status_at;
	size_t status_len;		/* 0: none shown */
	char status[512];
	struct cond exists;		/* the IstioOperator's webhook rule */
};

/* run.c */
/* Every want of cluster c is resolved: start its feeds. */
void feeds_start(struct run *r, struct cluster *c);
/* Wait for every want; the exit status. */
int run_wait(struct run *r);
void run_release(struct run *r);

/* input.c */
struct cluster *cluster_get(struct run *r, const char *context);
/* Wants from the arguments.  0, or -1 after a report (exit 2). */
int input_args(struct run *r, int argc, char *argv[]);
/* Wants from a stream file ("-" stdin).  0, or -1 after a report. */
int input_stream(struct run *r, const char *path);
/* The want's place, for messages: "deployment/x (ns, cluster)". */
const char *want_label(const struct run *r, const struct want *w,
    char *buf, size_t len);

/* discover.c */
/* Ask for what every want needs to be resolved, through the loop. */
void discover_start(struct run *r);
/* Resolve what can be; -1 after a report of one that cannot be. */
int discover_resolve(struct run *r);
void gvs_free(struct gv *g);
/* Why w's discovery is not through, or NULL. */
const char *discover_trouble(const struct want *w);
/* The core group's pods, from discovery or made up without asking. */
const struct apires *core_pods(struct cluster *c);

/* ready.c */
/*
 * Judge one object under c.  now is mesh_now_ms's; *wake is lowered to
 * when the verdict may change with nothing new coming (a back-off's
 * grace running out).
 */
void judge(const struct run *r, const struct cond *c, enum kind k,
    const struct obj *o, long now, long *wake, struct verdict *v);
/* Is a container of pod doc backing off (image pull, crash loop)? */
bool pod_backing_off(const struct mesh_node *pod, char *why, size_t len);
/* Does obj's label selector (spec.selector) select pod? */
bool selects(const struct mesh_node *obj, const struct mesh_node *pod);


#endif
