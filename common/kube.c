/*
 * The Kubernetes REST client: one curl easy handle per client, reused
 * so connections are kept alive, set up anew for each request from the
 * kubeconfig (TLS, credentials, proxy).  Answers are parsed with our
 * own reader (JSON is YAML); watch streams are split into events at
 * newlines as they arrive.  The only file that includes curl.h.
 */
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "diag.h"
#include "kube-int.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "pki.h"
#include "stream.h"
#include "xalloc.h"

#define BACKOFF_MS	200		/* first wait; doubles */
#define BACKOFF_MAX_MS	5000
#define RETRY_AFTER_MAX	10		/* seconds we wait at most */
#define CONNECT_MS	30000L

/* ---- libcurl's memory, wiped as it is freed -------------------------- */

/*
 * libcurl copies the token into the Authorization header it builds, its
 * send buffer and its own option strings, and frees them unwiped.  Its
 * allocator hooks let us wipe every block it frees, whatever it held:
 * malloc_usable_size says how large a block is, and a realloc that moves
 * is done as a fresh block, a copy, and a wiped free of the old one.
 */
static void
wiping_free(void *p)
{
	if (p == NULL)
		return;
	mesh_wipe(p, malloc_usable_size(p));
	free(p);
}

static void *
wiping_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		wiping_free(p);
		return NULL;
	}
	old = malloc_usable_size(p);
	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	wiping_free(p);
	return q;
}

static char *
wiping_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int
mesh_kube_global_init(void)
{
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wiping_free,
	    wiping_realloc, wiping_strdup, calloc) != CURLE_OK) {
		mesh_err(NULL, "cannot start libcurl");
		return -1;
	}
	return 0;
}

void
mesh_kube_global_cleanup(void)
{
	curl_global_cleanup();
}

long
mesh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
mesh_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
kube_req_release(struct req *r)
{
	free(r->url);
	mesh_wipe_buf(&r->resp);
	mesh_buf_release(&r->warnings);
}

int
mesh_kube_parse_timeout(const char *opt, const char *s, long *ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 },
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const char *p = s;
	double total = 0;
	char *end;
	size_t i;

	if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
		errno = 0;
		total = strtod(p, &end) * 1000;
		if (errno != 0 || total > 1e15)
			goto bad;
		*ms = (long)total;
		return 0;
	}
	if (*p == '\0')
		goto bad;
	while (*p != '\0') {
		double v;
		size_t best = 0, len;

		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		errno = 0;
		v = strtod(p, &end);
		if (errno != 0 || end == p)
			goto bad;
		p = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			len = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, len) == 0 && len > best)
				best = len;
		}
		if (best == 0)
			goto bad;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].unit) == best &&
			    strncmp(p, units[i].unit, best) == 0)
				total += v * units[i].ms;
		p += best;
		if (total > 1e15)
			goto bad;
	}
	/* a timeout below a millisecond is still a timeout */
	*ms = total > 0 && total < 1 ? 1 : (long)total;
	return 0;
bad:
	mesh_err(NULL, "invalid value for '%s': '%s'", opt, s);
	return -1;
}

void
mesh_kube_fmt_ms(char *buf, size_t len, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%lds", ms / 1000);
	else
		snprintf(buf, len, "%ldms", ms);
}

long
mesh_kube_last_code(const struct mesh_kube *k)
{
	return k->last_code;
}

/* tls-server-name: connect to the server, name the TLS peer otherwise. */
static int
setup_server_name(struct mesh_kube *k)
{
	char *host = NULL, *port = NULL, *scheme = NULL, *url = NULL;
	CURLU *u = curl_url();
	int rv = -1;

	if (u == NULL)
		mesh_die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, k->kc->server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		mesh_err(NULL, "invalid server URL '%s'", k->kc->server);
		goto out;
	}
	url = xasprintf("%s:%s:%s:%s", k->kc->tls_server_name, port, host,
	    port);
	if ((k->connect_to = curl_slist_append(NULL, url)) == NULL)
		mesh_die("out of memory");
	k->host_header = xasprintf("Host: %s:%s", host, port);
	free(url);
	url = NULL;
	if (curl_url_set(u, CURLUPART_HOST, k->kc->tls_server_name, 0) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_URL, &url, 0) !=
	    CURLUE_OK) {
		mesh_err(NULL, "invalid tls-server-name '%s'",
		    k->kc->tls_server_name);
		goto out;
	}
	free(k->base);
	k->base = xstrdup(url);
	curl_free(url);
	url = NULL;
	/* the URL's path: no '/' at the end, as the server's */
	while (strlen(k->base) > 0 && k->base[strlen(k->base) - 1] == '/')
		k->base[strlen(k->base) - 1] = '\0';
	rv = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	free(url);
	curl_url_cleanup(u);
	return rv;
}

struct mesh_kube *
mesh_kube_new(struct mesh_kubeconfig *kc, const struct mesh_kube_opts *o)
{
	struct mesh_kube *k = xcalloc(1, sizeof(*k));
	char *p;

	k->kc = kc;
	if (o != NULL)
		k->o = *o;
	k->field_manager = xstrdup(k->o.field_manager ?
	    k->o.field_manager : mesh_getprogname());
	if ((k->h = curl_easy_init()) == NULL)
		mesh_die("out of memory");
	k->base = xstrdup(kc->server);
	k->user_agent = xasprintf("%s/%s", mesh_getprogname(), MESH_VERSION);
	/* the name we were run by is a header too */
	for (p = k->user_agent; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (kc->tls_server_name != NULL && setup_server_name(k) == -1) {
		mesh_kube_free(k);
		return NULL;
	}
	return k;
}

void
mesh_kube_set_deadline(struct mesh_kube *k, long deadline)
{
	k->o.deadline = deadline;
}

void
mesh_kube_free(struct mesh_kube *k)
{
	if (k == NULL)
		return;
	if (k->h != NULL)
		curl_easy_cleanup(k->h);
	free(k->field_manager);
	curl_slist_free_all(k->connect_to);
	free(k->host_header);
	free(k->base);
	free(k->user_agent);
	free(k);
}

/* ---- the wire -------------------------------------------------------- */

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;

	if (r->resp.len + len > KUBE_ANSWER_MAX)
		return 0;		/* curl then fails the request */
	mesh_buf_add(&r->resp, p, len);
	return len;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = n * size;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char *end;
		long v = strtol(p + 12, &end, 10);

		while (*end == ' ' || *end == '\t')
			end++;
		if (v >= 0 && (*end == '\r' || *end == '\n'))
			r->retry_after = v;
	} else if (len > 8 && strncasecmp(p, "Warning:", 8) == 0) {
		const char *q = memchr(p, '"', len), *e;

		/* 299 - "text" */
		if (q != NULL && (e = memchr(q + 1, '"', len - (size_t)(q + 1 -
		    p))) != NULL) {
			mesh_buf_add(&r->warnings, q + 1, (size_t)(e - q - 1));
			mesh_buf_addc(&r->warnings, '\n');
		}
	} else if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new answer (after 100 Continue, say) */
		r->retry_after = -1;
	}
	return len;
}

/* -v: what curl says, with credentials taken out. */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	const struct mesh_kube *k = arg;
	const char *mark, *p = data, *e, *end = data + size;

	(void)h;
	switch (type) {
	case CURLINFO_TEXT:
		mark = "*";
		break;
	case CURLINFO_HEADER_OUT:
		mark = ">";
		break;
	case CURLINFO_HEADER_IN:
		mark = "<";
		break;
	default:
		return 0;
	}
	if (k->o.verbose < 2 && type != CURLINFO_HEADER_OUT)
		return 0;
	for (; p < end; p = e + 1) {
		int len;

		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			e = end;
		len = (int)(e - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (k->o.verbose < 2) {
			/* only the request line */
			mesh_err(NULL, "%.*s", len, p);
			break;
		}
		if ((len >= 14 && strncasecmp(p, "Authorization:", 14) == 0) ||
		    (len >= 20 && strncasecmp(p, "Proxy-Authorization:",
		    20) == 0))
			mesh_err(NULL, "%s %.*s <redacted>", mark,
			    (int)(strchr(p, ':') - p + 1), p);
		else
			mesh_err(NULL, "%s %.*s", mark, len, p);
		if (e == end)
			break;
	}
	return 0;
}

/* NO_PROXY from the environment, plus loopback, which Go never proxies. */
static char *
no_proxy(void)
{
	const char *env = getenv("NO_PROXY");

	if (env == NULL || *env == '\0')
		env = getenv("no_proxy");
	if (env != NULL && strcmp(env, "*") == 0)
		return xstrdup("*");
	return xasprintf("%s%slocalhost,127.0.0.1,::1", env ? env : "",
	    env && *env ? "," : "");
}

int
kube_setup(struct mesh_kube *k, CURL *h, struct req *r,
    struct curl_slist **hdrs, char **np)
{
	const struct mesh_kubeconfig *kc = k->kc;
	struct mesh_kubeconfig_auth a;
	struct curl_blob blob;
	struct curl_slist *l = NULL;
	bool tls = strncmp(kc->server, "https://", 8) == 0;
	long timeout = r->timeout_ms ? r->timeout_ms : k->o.timeout_ms;
	long left, conn;
	size_t i;
	char *s;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	r->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, k->user_agent);
	if (!kc->disable_compression)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, r->stream ? r->stream :
	    write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r->stream ? r->stream_arg :
	    (void *)r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (k->o.verbose > 0) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, k);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
	if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
		s = xasprintf("Content-Type: %s", r->ctype);
		l = curl_slist_append(l, s);
		free(s);
		l = curl_slist_append(l, "Expect:");
	}
	l = curl_slist_append(l, "Accept: application/json");

	/* TLS: only the kubeconfig's CA, when it names one */
	if (kc->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (kc->ca != NULL) {
		blob.data = kc->ca;
		blob.len = kc->ca_len;
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (k->connect_to != NULL) {
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, k->connect_to);
		l = curl_slist_append(l, k->host_header);
	}
	if (kc->proxy_url != NULL) {
		curl_easy_setopt(h, CURLOPT_PROXY, kc->proxy_url);
	} else {
		*np = no_proxy();
		curl_easy_setopt(h, CURLOPT_NOPROXY, *np);
	}

	/* as kubectl: no credentials over plain http, no plugin run */
	if (!tls) {
		if (!k->warned_http && (kc->token || kc->username ||
		    kc->password || kc->cert || kc->exec))
			mesh_warn(NULL, "not sending credentials to '%s' over "
			    "plain http", kc->server);
		k->warned_http = true;
	} else if (mesh_kubeconfig_auth(k->kc, &a, r->auth_deadline,
	    MESH_KUBE_EXEC_MS) == -1) {
		*hdrs = l;
		return -1;
	} else {
		if (a.token != NULL) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
			curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, a.token);
		} else if (a.username != NULL || a.password != NULL) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
			curl_easy_setopt(h, CURLOPT_USERNAME,
			    a.username ? a.username : "");
			curl_easy_setopt(h, CURLOPT_PASSWORD,
			    a.password ? a.password : "");
		}
		if (a.cert != NULL) {
			blob.data = (void *)a.cert;
			blob.len = a.cert_len;
			blob.flags = CURL_BLOB_COPY;
			curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &blob);
			curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
			blob.data = (void *)a.key;
			blob.len = a.key_len;
			curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &blob);
			curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
		}
		if (kc->as != NULL) {
			s = xasprintf("Impersonate-User: %s", kc->as);
			l = curl_slist_append(l, s);
			free(s);
		}
		if (kc->as_uid != NULL) {
			s = xasprintf("Impersonate-Uid: %s", kc->as_uid);
			l = curl_slist_append(l, s);
			free(s);
		}
		for (i = 0; kc->as_groups && kc->as_groups[i] != NULL; i++) {
			s = xasprintf("Impersonate-Group: %s",
			    kc->as_groups[i]);
			l = curl_slist_append(l, s);
			free(s);
		}
	}
	if (l == NULL)
		mesh_die("out of memory");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	*hdrs = l;

	/* the time limits, from what the plugin (if it ran) left */
	conn = timeout > 0 && timeout < CONNECT_MS ? timeout : CONNECT_MS;
	if (r->watch)
		timeout = r->timeout_ms;	/* a watch lasts */
	if (r->deadline > 0) {
		left = r->deadline - mesh_now_ms();
		if (left < 1)
			left = 1;
		if (timeout <= 0 || left < timeout)
			timeout = left;
		if (left < conn)
			conn = left;
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, conn);
	if (timeout > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	return 0;
}

/*
 * One attempt.  Returns the curl code (CURLE_OK: an answer came, in
 * r->code), or -1 after a report from setup.
 */
static int
attempt(struct mesh_kube *k, struct req *r)
{
	struct curl_slist *hdrs = NULL;
	char *np = NULL;
	CURLcode rc;

	mesh_wipe_buf(&r->resp);
	mesh_buf_release(&r->warnings);
	r->code = 0;
	r->retry_after = -1;
	if (kube_setup(k, k->h, r, &hdrs, &np) == -1) {
		curl_slist_free_all(hdrs);
		free(np);
		return -1;
	}
	rc = curl_easy_perform(k->h);
	curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &r->code);
	curl_easy_getinfo(k->h, CURLINFO_REQUEST_SIZE, &r->sent);
	kube_handle_done(k->h);
	curl_slist_free_all(hdrs);
	free(np);
	k->last_code = rc == CURLE_OK ? r->code : 0;
	return (int)rc;
}

void
kube_handle_done(CURL *h)
{
	/* curl copies options; take them back out before our copies go */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_CONNECT_TO, NULL);
	curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
	curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, NULL);
}

/* A URL for messages: no query. */
void
kube_report_transport(const struct req *r, int rc, long timeout)
{
	size_t n = strcspn(r->url, "?");
	char t[32];

	if (rc == CURLE_OPERATION_TIMEDOUT && timeout > 0) {
		mesh_kube_fmt_ms(t, sizeof(t), timeout);
		mesh_err(NULL, "cannot %s '%.*s': no answer within %s",
		    r->method, (int)n, r->url, t);
	} else {
		mesh_err(NULL, "cannot %s '%.*s': %s", r->method, (int)n,
		    r->url, r->errbuf[0] ? r->errbuf :
		    curl_easy_strerror((CURLcode)rc));
	}
}

bool
kube_not_sent(int rc, const struct req *r)
{
	return rc == CURLE_COULDNT_CONNECT ||
	    rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_COULDNT_RESOLVE_PROXY || (r->sent == 0 &&
	    (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_GOT_NOTHING));
}

bool
kube_broken(int rc, const struct req *r)
{
	return kube_not_sent(rc, r) || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
	    rc == CURLE_PARTIAL_FILE || rc == CURLE_SSL_CONNECT_ERROR;
}

long
kube_backoff(int n)
{
	long ms = BACKOFF_MS;

	while (--n > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

/*
 * When a call begun at start must end: --request-timeout after start, or
 * the client's deadline, whichever comes first; 0 for never.
 */
static long
call_end(const struct mesh_kube *k, long start, long timeout)
{
	long end = timeout > 0 ? start + timeout : 0;

	if (k->o.deadline > 0 && (end == 0 || k->o.deadline < end))
		end = k->o.deadline;
	return end;
}

/*
 * Send r, retrying what may be retried while time is left.  0 when an
 * answer came (any code, in r->code; r->late when a retry was given up
 * for lack of time), -1 after a report.
 */
static int
request(struct mesh_kube *k, struct req *r)
{
	long start = mesh_now_ms(), wait;
	long timeout = r->timeout_ms ? r->timeout_ms : k->o.timeout_ms;
	int n, rc;
	bool again;

	r->deadline = r->auth_deadline = call_end(k, start, timeout);
	r->late = false;
	for (n = 1;; n++) {
		if (r->deadline > 0 && mesh_now_ms() >= r->deadline) {
			/* only the run's deadline can have passed already */
			mesh_err(NULL, "cannot %s '%.*s': the time limit passed "
			    "before it was sent", r->method,
			    (int)strcspn(r->url, "?"), r->url);
			return -1;
		}
		if ((rc = attempt(k, r)) == -1)
			return -1;
		if (rc == CURLE_OK && r->code == 401)
			mesh_kubeconfig_forget(k->kc);
		if (rc == CURLE_OK)
			again = r->code == 429 || (r->code >= 500 &&
			    (r->idempotent || r->retry_after >= 0));
		else
			again = kube_not_sent(rc, r) || (r->idempotent &&
			    kube_broken(rc, r));
		if (!again || n >= MESH_KUBE_ATTEMPTS)
			break;
		wait = r->retry_after >= 0 ? (r->retry_after < RETRY_AFTER_MAX ?
		    r->retry_after : RETRY_AFTER_MAX) * 1000 : kube_backoff(n);
		if (mesh_now_ms() - start + wait > MESH_KUBE_RETRY_MS)
			break;
		if (r->deadline > 0 && mesh_now_ms() + wait >= r->deadline) {
			/* no time for the wait: the last answer is the one */
			r->late = true;
			break;
		}
		if (k->o.verbose > 0)
			mesh_err(NULL, "retrying in %ld ms", wait);
		mesh_sleep_ms(wait);
	}
	if (rc != CURLE_OK) {
		kube_report_transport(r, rc, r->deadline > 0 ?
		    r->deadline - start : timeout);
		return -1;
	}
	return 0;
}

/* The message client-go gives a code when the body says nothing. */
static const char *
generic(long code)
{
	switch (code) {
	case 400:
		return "the server rejected our request for an unknown reason";
	case 401:
		return "the server has asked for the client to provide "
		    "credentials";
	case 403:
		return "the server does not allow access to the requested "
		    "resource";
	case 404:
		return "the server could not find the requested resource";
	case 405:
		return "the server does not allow this method on the "
		    "requested resource";
	case 409:
		return "the server reported a conflict";
	case 410:
		return "the server no longer has the requested resource";
	case 415:
		return "the server does not support the media type of the "
		    "request";
	case 422:
		return "the server rejected our request due to an error in "
		    "our request";
	case 429:
		return "the server has received too many requests and has "
		    "asked us to try again later";
	case 500:
		return "an error on the server has prevented the request "
		    "from succeeding";
	case 503:
		return "the server is currently unable to handle the request";
	case 504:
		return "the server was unable to return a response in the "
		    "time allotted, but may still be processing the request";
	}
	return NULL;
}

static const char *
reason_of(long code)
{
	switch (code) {
	case 400: return "BadRequest";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 405: return "MethodNotAllowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 415: return "UnsupportedMediaType";
	case 422: return "Invalid";
	case 429: return "TooManyRequests";
	case 500: return "InternalError";
	case 503: return "ServiceUnavailable";
	case 504: return "Timeout";
	}
	return "Unknown";
}

void
kube_status_message(long code, const char *body, char *buf, size_t len)
{
	struct mesh_limits lim;
	struct mesh_doc *doc = NULL;
	const char *msg = NULL, *reason = NULL, *g = generic(code);

	mesh_limits_init(&lim);
	if (body != NULL && (doc = mesh_parse_string("answer", body, &lim,
	    true)) != NULL && mesh_is_map(doc->root)) {
		const char *kind = mesh_map_getstr(doc->root, "kind");

		if (kind != NULL && strcmp(kind, "Status") == 0) {
			msg = mesh_map_getstr(doc->root, "message");
			reason = mesh_map_getstr(doc->root, "reason");
		}
	}
	if (reason == NULL || *reason == '\0')
		reason = reason_of(code);
	if (msg == NULL || *msg == '\0' || strcmp(msg, reason) == 0)
		msg = g;
	if (msg != NULL) {
		char m[1024], r[128];

		/* the server's words: no control characters reach a terminal */
		snprintf(buf, len, "%s (%ld %s)", mesh_visible(msg, m,
		    sizeof(m)), code, mesh_visible(reason, r, sizeof(r)));
	} else
		snprintf(buf, len, "the server responded with the status code "
		    "%ld but did not return more information", code);
	mesh_doc_free(doc);
}

void
kube_report_status(long code, const char *body)
{
	char msg[1024];

	kube_status_message(code, body, msg, sizeof(msg));
	mesh_err(NULL, "%s", msg);
}

void
kube_print_warnings(const struct req *r)
{
	const char *p = r->warnings.data, *e;

	char *line, vis[1024];

	for (; p != NULL && *p != '\0'; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			break;
		line = xstrndup(p, (size_t)(e - p));
		mesh_warn(NULL, "%s", mesh_visible(line, vis, sizeof(vis)));
		free(line);
	}
}

/*
 * Send r and take its answer apart: 0 with *out the object (when out is
 * not NULL), 1 for a 404 under MESH_KUBE_MISSING_OK or any error status
 * under MESH_KUBE_ERROR_OK, -1 after a report.
 */
static int
call(struct mesh_kube *k, struct req *r, unsigned flags,
    struct mesh_doc **out)
{
	if (out != NULL)
		*out = NULL;
	if (request(k, r) == -1)
		return -1;
	kube_print_warnings(r);
	if (r->code == 404 && (flags & MESH_KUBE_MISSING_OK))
		return 1;
	if ((r->code < 200 || r->code > 299) && (flags & MESH_KUBE_ERROR_OK))
		return 1;
	if ((r->code < 200 || r->code > 299) && r->late) {
		char msg[1024];

		kube_status_message(r->code, r->resp.data, msg, sizeof(msg));
		mesh_err(NULL, "%s; no time left to try again", msg);
		return -1;
	}
	if (r->code < 200 || r->code > 299) {
		kube_report_status(r->code, r->resp.data);
		return -1;
	}
	if (out == NULL)
		return 0;
	if ((*out = kube_parse_answer(r)) == NULL)
		return -1;
	return 0;
}

struct mesh_doc *
kube_parse_answer(const struct req *r)
{
	struct mesh_limits lim;
	struct mesh_doc *doc;

	mesh_limits_init(&lim);
	if ((doc = mesh_parse_string(r->url, r->resp.data ? r->resp.data : "",
	    &lim, true)) == NULL || !mesh_is_map(doc->root)) {
		mesh_err(NULL, "cannot parse the answer to %s '%.*s'",
		    r->method, (int)strcspn(r->url, "?"), r->url);
		mesh_doc_free(doc);
		return NULL;
	}
	/* the bytes are the wire's: a writer should write the tree */
	doc->changed = true;
	return doc;
}

/* ---- URLs and bodies ------------------------------------------------- */

static void
add_escaped(struct mesh_buf *b, CURL *h, const char *s)
{
	char *e = curl_easy_escape(h, s, 0);

	if (e == NULL)
		mesh_die("out of memory");
	mesh_buf_adds(b, e);
	curl_free(e);
}

/* server/api[s]/GV[/namespaces/NS]/resource[/name][/sub] */
static void
path(struct mesh_buf *b, struct mesh_kube *k, const struct mesh_kube_res *r,
    const char *ns, const char *name, const char *sub)
{
	mesh_buf_adds(b, k->base);
	mesh_buf_adds(b, strchr(r->api_version, '/') ? "/apis/" : "/api/");
	mesh_buf_adds(b, r->api_version);
	if (ns != NULL) {
		mesh_buf_adds(b, "/namespaces/");
		add_escaped(b, k->h, ns);
	}
	mesh_buf_addc(b, '/');
	mesh_buf_adds(b, r->resource);
	if (name != NULL) {
		mesh_buf_addc(b, '/');
		add_escaped(b, k->h, name);
	}
	if (sub != NULL) {
		mesh_buf_addc(b, '/');
		mesh_buf_adds(b, sub);
	}
}

static void
query(struct mesh_buf *b, CURL *h, const char *key, const char *value)
{
	if (value == NULL)
		return;
	mesh_buf_addc(b, strchr(b->data, '?') ? '&' : '?');
	mesh_buf_adds(b, key);
	mesh_buf_addc(b, '=');
	add_escaped(b, h, value);
}

/* kubectl's ?timeout= on requests bounded by --request-timeout. */
static void
query_timeout(struct mesh_buf *b, const struct mesh_kube *k)
{
	char t[32];

	if (k->o.timeout_ms <= 0)
		return;
	mesh_kube_fmt_ms(t, sizeof(t), k->o.timeout_ms);
	query(b, k->h, "timeout", t);
}

/* obj's name and namespace, checked against r.  0 or -1. */
static int
object_names(const struct mesh_doc *obj, const struct mesh_kube_res *r,
    const char **name)
{
	const char *ns;
	char what[256];

	if (obj == NULL || !mesh_is_map(obj->root)) {
		mesh_err(obj ? obj->src : NULL, "the object is not a mapping");
		return -1;
	}
	*name = mesh_map_getstr(obj->root, "metadata.name");
	ns = mesh_map_getstr(obj->root, "metadata.namespace");
	if (ns != NULL && *ns != '\0' && (r->namespace == NULL ||
	    strcmp(ns, r->namespace) != 0)) {
		mesh_err(obj->src, "%s: the namespace of the object (%s) does "
		    "not match the namespace on the request (%s)",
		    mesh_describe(obj->root, what, sizeof(what)), ns,
		    r->namespace ? r->namespace : "none");
		return -1;
	}
	return 0;
}

/* ---- the verbs ------------------------------------------------------- */

/* GET the URL in u (taken), as mesh_kube_get. */
static int
get_url(struct mesh_kube *k, struct mesh_buf *u, unsigned flags,
    struct mesh_doc **out)
{
	struct req q;
	int rv;

	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = mesh_buf_detach(u, NULL);
	q.idempotent = true;
	rv = call(k, &q, flags, out);
	kube_req_release(&q);
	return rv == -1 ? -1 : 0;
}

int
mesh_kube_get(struct mesh_kube *k, const struct mesh_kube_res *r,
    const char *name, unsigned flags, struct mesh_doc **out)
{
	struct mesh_buf u = MESH_BUF_INIT;

	path(&u, k, r, r->namespace, name, NULL);
	query_timeout(&u, k);
	return get_url(k, &u, flags, out);
}

int
mesh_kube_get_path(struct mesh_kube *k, const char *p, unsigned flags,
    struct mesh_doc **out)
{
	struct mesh_buf u = MESH_BUF_INIT;

	mesh_buf_adds(&u, k->base);
	mesh_buf_adds(&u, p);
	return get_url(k, &u, flags, out);
}

char *
kube_list_url(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, const char *rv, bool watch,
    long timeout_s)
{
	struct mesh_buf u = MESH_BUF_INIT;
	char t[32];

	path(&u, k, r, r->namespace, NULL, NULL);
	if (watch) {
		query(&u, k->h, "allowWatchBookmarks", "true");
	}
	if (lo != NULL) {
		query(&u, k->h, "fieldSelector", lo->field_selector);
		query(&u, k->h, "labelSelector", lo->label_selector);
	}
	query(&u, k->h, "resourceVersion", rv);
	if (watch) {
		snprintf(t, sizeof(t), "%ld", timeout_s);
		query(&u, k->h, "timeoutSeconds", t);
		query(&u, k->h, "watch", "true");
	} else {
		query_timeout(&u, k);
	}
	return mesh_buf_detach(&u, NULL);
}

static int
list_rv(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, const char *rv,
    struct mesh_doc **out)
{
	struct req q;
	int rc;

	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = kube_list_url(k, r, lo, rv, false, 0);
	q.idempotent = true;
	rc = call(k, &q, 0, out);
	kube_req_release(&q);
	return rc == -1 ? -1 : 0;
}

int
mesh_kube_list(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, struct mesh_doc **out)
{
	return list_rv(k, r, lo, NULL, out);
}

/* A document POSTed or PATCHed: JSON of obj (or of a root we made). */
static int
send_obj(struct mesh_kube *k, const char *method, char *url,
    const char *ctype, const struct mesh_doc *obj,
    const struct mesh_node *root, bool idempotent, struct mesh_doc **out)
{
	struct mesh_buf body = MESH_BUF_INIT;
	struct req q;
	int rv = -1;

	memset(&q, 0, sizeof(q));
	q.url = url;
	if (mesh_emit_json(&body, obj, root) == -1)
		goto out;
	q.method = method;
	q.ctype = ctype;
	q.body = body.data;
	q.body_len = body.len;
	q.idempotent = idempotent;
	rv = call(k, &q, 0, out) == -1 ? -1 : 0;
out:
	kube_req_release(&q);
	mesh_wipe_buf(&body);
	return rv;
}

int
mesh_kube_create(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_doc *obj, struct mesh_doc **out)
{
	struct mesh_buf u = MESH_BUF_INIT;
	const char *name;

	if (out != NULL)
		*out = NULL;
	if (object_names(obj, r, &name) == -1)
		return -1;
	path(&u, k, r, r->namespace, NULL, NULL);
	query(&u, k->h, "fieldManager", k->field_manager);
	query_timeout(&u, k);
	return send_obj(k, "POST", mesh_buf_detach(&u, NULL),
	    "application/json", obj, obj->root, false, out);
}

int
mesh_kube_apply(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_doc *obj, bool force, struct mesh_doc **out)
{
	struct mesh_buf u = MESH_BUF_INIT;
	const char *name;
	char what[256];

	if (out != NULL)
		*out = NULL;
	if (object_names(obj, r, &name) == -1)
		return -1;
	if (name == NULL || *name == '\0') {
		mesh_err(obj->src, "%s: cannot apply an object without "
		    "metadata.name", mesh_describe(obj->root, what,
		    sizeof(what)));
		return -1;
	}
	path(&u, k, r, r->namespace, name, NULL);
	query(&u, k->h, "fieldManager", k->field_manager);
	query(&u, k->h, "force", force ? "true" : "false");
	query_timeout(&u, k);
	/* JSON is YAML: what kubectl --server-side sends too */
	return send_obj(k, "PATCH", mesh_buf_detach(&u, NULL),
	    "application/apply-patch+yaml", obj, obj->root, true, out);
}

int
mesh_kube_delete(struct mesh_kube *k, const struct mesh_kube_res *r,
    const char *name, unsigned flags, struct mesh_doc **out)
{
	static const char body[] = "{\"propagationPolicy\":\"Background\"}";
	struct mesh_buf u = MESH_BUF_INIT;
	struct req q;
	int rv;

	memset(&q, 0, sizeof(q));
	path(&u, k, r, r->namespace, name, NULL);
	query_timeout(&u, k);
	q.method = "DELETE";
	q.url = mesh_buf_detach(&u, NULL);
	q.ctype = "application/json";
	q.body = body;
	q.body_len = sizeof(body) - 1;
	q.idempotent = true;
	rv = call(k, &q, flags, out);
	kube_req_release(&q);
	return rv == -1 ? -1 : 0;
}

int
mesh_kube_token(struct mesh_kube *k, const char *ns, const char *sa,
    const char *const *audiences, long seconds, char **token,
    char **expiry)
{
	static const struct mesh_kube_res sa_res = { "v1", "serviceaccounts",
	    NULL };
	struct mesh_buf u = MESH_BUF_INIT, body = MESH_BUF_INIT;
	struct mesh_doc *doc = NULL;
	const char *t, *e;
	struct req q;
	size_t i;
	int rv = -1;

	*token = *expiry = NULL;
	memset(&q, 0, sizeof(q));
	path(&u, k, &sa_res, ns, sa, "token");
	query(&u, k->h, "fieldManager", k->field_manager);
	query_timeout(&u, k);
	q.url = mesh_buf_detach(&u, NULL);
	mesh_buf_adds(&body, "{\"apiVersion\":\"authentication.k8s.io/v1\","
	    "\"kind\":\"TokenRequest\",\"spec\":{");
	if (audiences != NULL && audiences[0] != NULL) {
		mesh_buf_adds(&body, "\"audiences\":[");
		for (i = 0; audiences[i] != NULL; i++) {
			if (i > 0)
				mesh_buf_addc(&body, ',');
			mesh_json_string(&body, audiences[i],
			    strlen(audiences[i]));
		}
		mesh_buf_addc(&body, ']');
	}
	if (seconds > 0)
		mesh_buf_addf(&body, "%s\"expirationSeconds\":%ld",
		    audiences && audiences[0] ? "," : "", seconds);
	mesh_buf_adds(&body, "}}");
	q.method = "POST";
	q.ctype = "application/json";
	q.body = body.data;
	q.body_len = body.len;
	if (call(k, &q, 0, &doc) == -1)
		goto out;
	t = mesh_map_getstr(doc->root, "status.token");
	e = mesh_map_getstr(doc->root, "status.expirationTimestamp");
	if (t == NULL || *t == '\0') {
		mesh_err(NULL, "the TokenRequest for '%s/%s' returned no token",
		    ns, sa);
		goto out;
	}
	*token = xstrdup(t);
	*expiry = xstrdup(e ? e : "");
	rv = 0;
out:
	if (doc != NULL && doc->root != NULL) {
		struct mesh_node *st = mesh_map_get(doc->root, "status");
		struct mesh_node *tn = st ? mesh_map_get(st, "token") : NULL;

		if (tn != NULL && mesh_is_scalar(tn))
			mesh_wipe(tn->u.s.text, tn->u.s.len);
	}
	mesh_doc_free(doc);
	mesh_wipe_buf(&body);
	kube_req_release(&q);
	return rv;
}

/* ---- watch ----------------------------------------------------------- */

struct watch {
	struct mesh_kube *k;
	mesh_kube_watch_fn *fn;
	void *arg;
	bool bookmarks;
	char *rv;		/* the last resourceVersion seen */
	struct mesh_buf line;	/* an event not yet complete */
	struct mesh_buf body;	/* an answer other than 200 */
	size_t events;		/* in this stream */
	int stop;		/* 1 or -1 from fn, or our -1 */
	bool gone;		/* 410: list again */
	char *error;		/* an ERROR event's message */
};

static void
set_rv(struct watch *w, const struct mesh_node *obj)
{
	const char *rv = mesh_map_getstr(obj, "metadata.resourceVersion");

	if (rv != NULL && *rv != '\0') {
		free(w->rv);
		w->rv = xstrdup(rv);
	}
}

int
kube_event_parse(const char *text, size_t len, struct kube_event *ev)
{
	static const struct {
		const char *name;
		enum mesh_kube_event ev;
	} types[] = {
		{ "ADDED", MESH_KUBE_ADDED },
		{ "MODIFIED", MESH_KUBE_MODIFIED },
		{ "DELETED", MESH_KUBE_DELETED },
		{ "BOOKMARK", MESH_KUBE_BOOKMARK },
	};
	struct mesh_limits lim;
	struct mesh_doc *doc;
	struct mesh_node *obj;
	const char *type, *code;
	char *copy = xstrndup(text, len);
	size_t i;

	memset(ev, 0, sizeof(*ev));
	mesh_limits_init(&lim);
	doc = mesh_parse_string("watch event", copy, &lim, true);
	if (doc == NULL || !mesh_is_map(doc->root) ||
	    (type = mesh_map_getstr(doc->root, "type")) == NULL ||
	    (obj = mesh_map_get(doc->root, "object")) == NULL ||
	    !mesh_is_map(obj)) {
		mesh_err(NULL, "cannot parse a watch event: '%.60s'", copy);
		mesh_doc_free(doc);
		free(copy);
		return -1;
	}
	free(copy);
	ev->type = KUBE_EVENT_UNKNOWN;
	if (strcmp(type, "ERROR") == 0) {
		ev->type = KUBE_EVENT_ERROR;
		code = mesh_map_getstr(obj, "code");
		ev->code = code != NULL ? strtol(code, NULL, 10) : 0;
		ev->message = mesh_map_getstr(obj, "message");
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			ev->type = (int)types[i].ev;
	/* the object as a document of its own */
	doc->root = obj;
	doc->raw = NULL;
	doc->rawlen = 0;
	doc->changed = true;
	ev->doc = doc;
	return 0;
}

/* One line of the stream.  0 to go on, -1 to end the stream. */
static int
event_line(void *arg, const char *text, size_t len)
{
	struct watch *w = arg;
	struct kube_event ev;
	int rv = 0;

	if (kube_event_parse(text, len, &ev) == -1) {
		w->stop = -1;
		return -1;
	}
	if (ev.type == KUBE_EVENT_ERROR) {
		if (ev.code == 410) {
			w->gone = true;
		} else {
			free(w->error);
			w->error = xstrdup(ev.message ? ev.message :
			    "unknown error");
		}
		rv = -1;
		goto out;
	}
	if (ev.type == KUBE_EVENT_UNKNOWN)
		goto out;
	set_rv(w, ev.doc->root);
	w->events++;
	if (ev.type == MESH_KUBE_BOOKMARK && !w->bookmarks)
		goto out;
	if ((w->stop = w->fn(w->arg, (enum mesh_kube_event)ev.type,
	    ev.doc)) != 0)
		rv = -1;
out:
	mesh_doc_free(ev.doc);
	return rv;
}

static size_t
watch_cb(char *p, size_t size, size_t n, void *arg)
{
	struct watch *w = arg;
	size_t len = size * n;
	long code = 0;

	curl_easy_getinfo(w->k->h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		if (w->body.len + len <= KUBE_ANSWER_MAX)
			mesh_buf_add(&w->body, p, len);
		return len;
	}
	if (w->line.len + len > KUBE_ANSWER_MAX) {
		mesh_err(NULL, "a watch event is larger than %u bytes",
		    KUBE_ANSWER_MAX);
		w->stop = -1;
		return 0;
	}
	if (kube_feed_lines(&w->line, p, len, event_line, w) == -1)
		return 0;	/* ends the transfer */
	return len;
}

int
kube_feed_lines(struct mesh_buf *line, const char *p, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	const char *nl;

	mesh_buf_add(line, p, len);
	while (line->len > 0 &&
	    (nl = memchr(line->data, '\n', line->len)) != NULL) {
		size_t l = (size_t)(nl - line->data);
		int r = l > 0 ? fn(arg, line->data, l) : 0;

		mesh_buf_consume(line, l + 1);
		if (r == -1)
			return -1;
	}
	return 0;
}

struct mesh_doc *
kube_list_item(const struct mesh_doc *list, size_t i)
{
	const struct mesh_node *items = mesh_map_get(list->root, "items");
	const char *kind = mesh_map_getstr(list->root, "kind");
	const char *av = mesh_map_getstr(list->root, "apiVersion");
	struct mesh_doc *doc = mesh_doc_new(list->src);
	struct mesh_node *obj;
	size_t klen = kind ? strlen(kind) : 0;

	if (klen > 4 && strcmp(kind + klen - 4, "List") == 0)
		klen -= 4;
	obj = mesh_node_copy(doc, items->u.c.v[i]);
	doc->root = obj;
	doc->changed = true;
	/* items come without kind and apiVersion: say them, first */
	if (mesh_is_map(obj) && kind != NULL &&
	    mesh_map_get(obj, "kind") == NULL)
		mesh_map_insert(doc, obj, 0, mesh_str_new(doc, "kind"),
		    mesh_scalar_new(doc, kind, klen, MESH_T_STR));
	if (mesh_is_map(obj) && av != NULL &&
	    mesh_map_get(obj, "apiVersion") == NULL)
		mesh_map_insert(doc, obj, 0, mesh_str_new(doc, "apiVersion"),
		    mesh_str_new(doc, av));
	return doc;
}

/* List, hand every item on as ADDED, and remember the list's version. */
static int
relist(struct watch *w, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo)
{
	struct mesh_doc *list = NULL, *doc;
	const struct mesh_node *items;
	size_t i;
	int rv = -1;

	if (list_rv(w->k, r, lo, NULL, &list) == -1)
		goto out;
	set_rv(w, list->root);
	items = mesh_map_get(list->root, "items");
	for (i = 0; mesh_is_seq(items) && i < items->u.c.n; i++) {
		doc = kube_list_item(list, i);
		w->stop = w->fn(w->arg, MESH_KUBE_ADDED, doc);
		mesh_doc_free(doc);
		if (w->stop != 0)
			break;
	}
	rv = 0;
out:
	mesh_doc_free(list);
	return rv;
}

int
mesh_kube_watch(struct mesh_kube *k, const struct mesh_kube_res *r,
    const struct mesh_kube_list_opts *lo, mesh_kube_watch_fn *fn,
    void *arg)
{
	struct watch w;
	struct req q;
	long start = mesh_now_ms(), deadline = 0, left, began, t;
	bool need_list = lo == NULL || lo->resource_version == NULL;
	int failures = 0, rc, rv = -1;
	char why[512];

	memset(&w, 0, sizeof(w));
	memset(&q, 0, sizeof(q));
	w.k = k;
	w.fn = fn;
	w.arg = arg;
	w.bookmarks = lo != NULL && lo->bookmarks;
	if (!need_list)
		w.rv = xstrdup(lo->resource_version);
	if (lo != NULL && lo->deadline_ms > 0)
		deadline = start + lo->deadline_ms;
	if (k->o.deadline > 0 && (deadline == 0 || k->o.deadline < deadline))
		deadline = k->o.deadline;
	why[0] = '\0';
	for (;;) {
		left = deadline ? deadline - mesh_now_ms() : 0;
		if (deadline && left <= 0) {
			rv = 1;
			goto out;
		}
		if (need_list) {
			if (relist(&w, r, lo) == -1)
				goto out;
			if (w.stop != 0)
				break;
			need_list = false;
		}
		t = KUBE_WATCH_MIN_S + rand() % KUBE_WATCH_SPAN_S;
		if (deadline && t > (left + 999) / 1000)
			t = (left + 999) / 1000;
		free(q.url);
		q.url = kube_list_url(k, r, lo, w.rv, true, t);
		q.method = "GET";
		q.watch = true;
		q.timeout_ms = deadline ? left : 0;
		q.deadline = q.auth_deadline = deadline;
		q.stream = watch_cb;
		q.stream_arg = &w;
		w.events = 0;
		w.gone = false;
		free(w.error);
		w.error = NULL;
		mesh_buf_release(&w.line);
		mesh_buf_release(&w.body);
		began = mesh_now_ms();
		if ((rc = attempt(k, &q)) == -1)
			goto out;
		if (w.stop != 0)
			break;
		if (w.events > 0)
			failures = 0;
		if (rc == CURLE_OK && q.code == 401)
			mesh_kubeconfig_forget(k->kc);
		if (w.gone || (rc == CURLE_OK && q.code == 410)) {
			/* history is gone: list again */
			need_list = true;
			failures++;
			snprintf(why, sizeof(why), "the watch keeps expiring");
		} else if (w.error != NULL) {
			need_list = true;
			failures++;
			snprintf(why, sizeof(why), "%s", w.error);
		} else if (rc == CURLE_OK && q.code != 200) {
			if (q.code != 429 && q.code < 500) {
				kube_report_status(q.code, w.body.data);
				goto out;
			}
			failures++;
			snprintf(why, sizeof(why), "the server answered %ld",
			    q.code);
		} else if (rc == CURLE_OPERATION_TIMEDOUT && deadline &&
		    mesh_now_ms() >= deadline) {
			rv = 1;
			goto out;
		} else if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
			failures += w.events == 0;
			snprintf(why, sizeof(why), "%s", q.errbuf[0] ?
			    q.errbuf : curl_easy_strerror((CURLcode)rc));
		} else if (w.events == 0 && mesh_now_ms() - began < 1000) {
			/* a very short watch: back off */
			failures++;
			snprintf(why, sizeof(why), "the watch ended at once");
		} else {
			continue;	/* ended in time: watch on */
		}
		if (failures >= MESH_KUBE_ATTEMPTS) {
			mesh_err(NULL, "cannot watch '%.*s': %s",
			    (int)strcspn(q.url, "?"), q.url, why);
			goto out;
		}
		if (failures > 0) {
			t = kube_backoff(failures);
			if (deadline && t > deadline - mesh_now_ms())
				t = deadline - mesh_now_ms();
			if (k->o.verbose > 0)
				mesh_err(NULL, "watching again in %ld ms", t);
			mesh_sleep_ms(t);
		}
	}
	rv = w.stop == -1 ? -1 : 0;
out:
	kube_req_release(&q);
	free(w.rv);
	free(w.error);
	mesh_wipe_buf(&w.line);
	mesh_buf_release(&w.body);
	return rv;
}
