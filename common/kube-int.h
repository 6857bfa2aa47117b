/*
 * The inside of the Kubernetes client, shared by its two halves: kube.c
 * (one request at a time) and informer.c (many lists and watches at
 * once).  Only these two files include it, and with it curl.h; no
 * program sees it.
 */
#ifndef MESH_KUBE_INT_H
#define MESH_KUBE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"

#define KUBE_ANSWER_MAX	(256u << 20)	/* bytes in one answer or event */
#define KUBE_WATCH_MIN_S	300	/* timeoutSeconds, as client-go */
#define KUBE_WATCH_SPAN_S	300

struct mesh_kube {
	CURL *h;
	struct mesh_kubeconfig *kc;	/* borrowed */
	struct mesh_kube_opts o;
	char *field_manager;
	struct curl_slist *connect_to;	/* tls-server-name: the peer */
	char *host_header;
	char *base;			/* the server URL requests go to */
	char *user_agent;
	long last_code;
	bool warned_http;
};

/* One request and its answer. */
struct req {
	const char *method;
	char *url;
	const char *ctype;		/* of the body */
	const char *body;
	size_t body_len;
	bool idempotent;
	bool watch;
	long timeout_ms;		/* 0: the client's */
	long deadline;			/* the call's end (mesh_now_ms), 0 */
	long auth_deadline;		/* the exec plugin's, 0 */

	long code;
	long sent;			/* bytes of the request sent */
	long retry_after;		/* seconds, -1: none */
	bool late;			/* a retry given up: no time left */
	struct mesh_buf resp;
	struct mesh_buf warnings;
	size_t (*stream)(char *, size_t, size_t, void *);
	void *stream_arg;
	char errbuf[CURL_ERROR_SIZE];
};

/* Free r's URL and buffers, wiping the answer (it may hold a Secret). */
void kube_req_release(struct req *r);

/*
 * Set handle h up for one attempt of r against k: URL, TLS, proxy,
 * credentials, headers.  *hdrs and *np are the header list and the
 * NO_PROXY string, which the caller frees once the transfer is over
 * (after kube_handle_done).  0, or -1 after a report.
 */
int kube_setup(struct mesh_kube *k, CURL *h, struct req *r,
    struct curl_slist **hdrs, char **np);

/* A transfer on h is over: take our copies of secrets back out of it. */
void kube_handle_done(CURL *h);

/* After a curl failure rc on r: one line naming the URL (no query). */
void kube_report_transport(const struct req *r, int rc, long timeout);

/* Did curl's rc mean the request surely never reached the server? */
bool kube_not_sent(int rc, const struct req *r);
/* Did the connection break (so an idempotent request may be sent again)? */
bool kube_broken(int rc, const struct req *r);

/* Milliseconds to wait before attempt n + 1 (n from 1): 200 doubling. */
long kube_backoff(int n);

/* Report an error answer once, from its Status body (or its code). */
void kube_report_status(long code, const char *body);
/* The same message into buf, unreported. */
void kube_status_message(long code, const char *body, char *buf,
    size_t len);

/* Print the server's Warning headers the answer carried. */
void kube_print_warnings(const struct req *r);

/*
 * The URL of r's collection with the list options: a list, or a watch
 * from resource version rv (NULL: none) ending after timeout_s.
 */
char *kube_list_url(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, const char *rv, bool watch,
    long timeout_s);

/* What one line of a watch stream said. */
struct kube_event {
	int type;		/* enum mesh_kube_event, or one of these: */
#define KUBE_EVENT_ERROR	(-1)	/* an ERROR event: code, message */
#define KUBE_EVENT_UNKNOWN	(-2)	/* a type we do not know: skip */
	struct mesh_doc *doc;	/* the object as a document of its own */
	long code;		/* ERROR: the Status code */
	const char *message;	/* ERROR: the Status message, in doc */
};

/*
 * Parse one line of a watch stream into ev (free ev->doc after).  0, or
 * -1 after reporting an event that cannot be read.
 */
int kube_event_parse(const char *text, size_t len, struct kube_event *ev);

/*
 * Append p to line and hand each complete line that is not empty to fn
 * (arg, text, length), keeping the rest for later.  -1 as soon as fn
 * returns -1, else 0.
 */
int kube_feed_lines(struct mesh_buf *line, const char *p, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg);

/*
 * Item i of a List answer as a document of its own, with the kind and
 * apiVersion the list gives its items when they lack them.
 */
struct mesh_doc *kube_list_item(const struct mesh_doc *list, size_t i);

/* Parse an answer body into a mapping; NULL after a report. */
struct mesh_doc *kube_parse_answer(const struct req *r);

#endif
