/*
 * istioctl's create-remote-secret: the credentials istiod in another
 * cluster uses to read this one (the reader account's token, created
 * with its RBAC when missing; a time-bound token; or what a kubeconfig
 * holds), and the Secret holding a kubeconfig with them, written as
 * istioctl writes it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "pki.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

#include "secret.h"

static const struct mesh_kube_res res_sa = { "v1", "serviceaccounts", NULL };
static const struct mesh_kube_res res_secret = { "v1", "secrets", NULL };

static struct mesh_kube_res
in_ns(struct mesh_kube_res r, const char *ns)
{
	r.namespace = ns;
	return r;
}

/*
 * Why istiod in another cluster cannot use the API server at url, or
 * NULL.  Loopback is a problem unless allowed.
 */
static const char *
server_problem(const char *url, bool allow_loopback)
{
	unsigned char a[16];
	const char *p, *end, *at;
	char host[256];
	size_t n;

	if (strncmp(url, "https://", 8) != 0)
		return "is not https: istiod would send its token in the "
		    "clear, and refuses to";
	p = url + 8;
	end = p + strcspn(p, "/?#");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0 || n >= sizeof(host))
		return "has no host";
	memcpy(host, p, n);
	host[n] = '\0';
	if (allow_loopback)
		return NULL;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (strcmp(host, "localhost") == 0 ||
	    (n > 10 && strcmp(host + n - 10, ".localhost") == 0) ||
	    (inet_pton(AF_INET, host, a) == 1 && (a[0] == 127 ||
	    memcmp(a, "\0\0\0\0", 4) == 0)) ||
	    (inet_pton(AF_INET6, host, a) == 1 &&
	    (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0 ||
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0 ||
	    (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
	    a[12] == 127))))
		return "is a loopback address: from another cluster istiod "
		    "would reach itself, not this API server";
	return NULL;
}

/* The server the kubeconfig in the Secret names, checked. */
int
check_server(struct remote *r)
{
	const char *why;

	r->server = r->o->server != NULL ? r->o->server : r->kc.server;
	if (r->server == NULL || *r->server == '\0') {
		mesh_err(r->kc.source, "invalid kubeconfig: cluster '%s' has "
		    "no server", r->kc.cluster ? r->kc.cluster : "");
		return -1;
	}
	if ((why = server_problem(r->server, r->o->allow_loopback)) == NULL)
		return 0;
	if (r->o->server_given) {
		mesh_warn(NULL, "--server %s %s", r->server, why);
		return 0;
	}
	mesh_err(NULL, "the server in the kubeconfig, %s, %s; pass --server "
	    "with an https address the other cluster can reach (for kind, "
	    "the control plane container's IP)%s", r->server, why,
	    strncmp(r->server, "https://", 8) == 0 ?
	    ", or --allow-loopback for a mesh on this machine" : "");
	return -1;
}

/* The kube-system namespace's UID: istioctl's cluster ID. */
static int
cluster_uid(struct remote *r)
{
	static const struct mesh_kube_res res = { "v1", "namespaces", NULL };
	struct mesh_doc *doc;
	const char *uid;

	if (mesh_kube_get(r->k, &res, "kube-system", 0, &doc) == -1)
		return -1;
	uid = mesh_map_getstr(doc->root, "metadata.uid");
	if (uid == NULL || *uid == '\0' || !is_cluster_id(uid)) {
		mesh_err(NULL, "namespace kube-system has no usable "
		    "metadata.uid to name the cluster after: use --name");
		mesh_doc_free(doc);
		return -1;
	}
	r->cluster = xstrdup(uid);
	mesh_doc_free(doc);
	return 0;
}

/* Create the reader account and its RBAC, as istioctl does. */
static int
create_reader(struct remote *r)
{
	static const struct mesh_kube_res res_ns = { "v1", "namespaces",
	    NULL };
	static const struct {
		const char *kind;
		struct mesh_kube_res res;
		bool namespaced;
	} kinds[] = {
		{ "ServiceAccount", { "v1", "serviceaccounts", NULL }, true },
		{ "ClusterRole", { "rbac.authorization.k8s.io/v1",
		    "clusterroles", NULL }, false },
		{ "ClusterRoleBinding", { "rbac.authorization.k8s.io/v1",
		    "clusterrolebindings", NULL }, false },
	};
	struct mesh_vars vars;
	struct mesh_doc **docs = NULL, *ns = NULL, *meta_doc;
	struct mesh_node *meta;
	size_t n = 0, i, j;
	int rv = -1;

	if (mesh_kube_get(r->k, &res_ns, r->src_ns, MESH_KUBE_MISSING_OK,
	    &ns) == -1)
		return -1;
	if (ns == NULL) {
		meta_doc = new_object("Namespace", r->src_ns, NULL, &meta);
		rv = mesh_kube_create(r->k, &res_ns, meta_doc, NULL);
		mesh_doc_free(meta_doc);
		if (rv == -1)
			return -1;
		rv = -1;
	}
	mesh_doc_free(ns);
	memset(&vars, 0, sizeof(vars));
	mesh_vars_add(&vars, "NAMESPACE", r->src_ns);
	if (mesh_template_render("secret/reader", mesh_vars_lookup, &vars,
	    false, &docs, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const char *kind = mesh_doc_kind(docs[i]);
		struct mesh_kube_res res;

		for (j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++)
			if (kind != NULL && strcmp(kind, kinds[j].kind) == 0)
				break;
		if (j == sizeof(kinds) / sizeof(kinds[0]))
			mesh_die("secret/reader: unexpected kind");
		res = in_ns(kinds[j].res, kinds[j].namespaced ? r->src_ns :
		    NULL);
		if (mesh_kube_apply(r->k, &res, docs[i], true, NULL) == -1)
			goto out;
	}
	rv = 0;
out:
	for (i = 0; i < n; i++)
		mesh_doc_free(docs[i]);
	free(docs);
	return rv;
}

/* The service account, created when missing and allowed. */
static int
find_sa(struct remote *r, struct mesh_doc **sa)
{
	struct mesh_kube_res res = in_ns(res_sa, r->src_ns);

	if (mesh_kube_get(r->k, &res, r->sa, MESH_KUBE_MISSING_OK, sa) ==
	    -1)
		return -1;
	if (*sa != NULL)
		return 0;
	if (r->o->read_only) {
		mesh_err(NULL, "service account %s/%s not found, and "
		    "--read-only creates nothing: install Istio on the "
		    "cluster first, or leave out --read-only", r->src_ns,
		    r->sa);
		return -1;
	}
	if (!r->o->create_sa) {
		mesh_err(NULL, "failed retrieving service account %s.%s "
		    "required for creating the remote secret (hint: try "
		    "installing a minimal Istio profile on the cluster first, "
		    "or run with '--create-service-account=true'): not found",
		    r->sa, r->src_ns);
		return -1;
	}
	if (strcmp(r->sa, READER_SA) != 0) {
		mesh_err(NULL, "service account %s/%s not found: only %s can "
		    "be created here (istiod's own account comes with its "
		    "RBAC from Istio's remote profile: install it first)",
		    r->src_ns, r->sa, READER_SA);
		return -1;
	}
	if (create_reader(r) == -1)
		return -1;
	return mesh_kube_get(r->k, &res, r->sa, 0, sa);
}

/*
 * Is the server older than Kubernetes 1.24 (token Secrets listed in the
 * service account)?  One that does not say, or refuses to, is taken as
 * newer, as istioctl takes it.
 */
static int
old_server(struct remote *r, bool *old)
{
	struct mesh_doc *v;
	const char *major, *minor;

	*old = false;
	if (mesh_kube_get_path(r->k, "/version", MESH_KUBE_ERROR_OK, &v) == -1)
		return -1;
	if (v == NULL)
		return 0;
	major = mesh_map_getstr(v->root, "major");
	minor = mesh_map_getstr(v->root, "minor");
	/* "1" and "23" (some vendors write "23+") */
	if (major != NULL && minor != NULL)
		*old = strtol(major, NULL, 10) == 1 &&
		    strtol(minor, NULL, 10) < 24;
	mesh_doc_free(v);
	return 0;
}

/* Is this Secret a token of our service account? */
static bool
is_sa_token(const struct mesh_node *secret, const char *sa)
{
	const char *type = mesh_map_getstr(secret, "type");
	struct mesh_node *ann = mesh_map_get(mesh_map_get(secret,
	    "metadata"), "annotations");
	struct mesh_node *v = ann ? mesh_map_get(ann, SA_NAME_ANN) : NULL;

	return type != NULL && strcmp(type, SA_TOKEN_TYPE) == 0 &&
	    v != NULL && mesh_scalar_is(v, sa);
}

/*
 * Create a token Secret for the account, as istioctl names it (with
 * --rotate, under a name the server makes from it); its name into *name.
 */
static int
create_token_secret(struct remote *r, char **name)
{
	struct mesh_kube_res res = in_ns(res_secret, r->src_ns);
	struct mesh_doc *obj, *made = NULL;
	struct mesh_node *meta;
	const char *created;
	char *nm = xasprintf("%s-istio-remote-secret-token%s", r->sa,
	    r->o->rotate ? "-" : "");
	int rv;

	obj = new_object("Secret", NULL, r->src_ns, &meta);
	mesh_map_insert(obj, meta, 0, mesh_str_new(obj, r->o->rotate ?
	    "generateName" : "name"), mesh_str_new(obj, nm));
	put_str(obj, put_map(obj, meta, "annotations"), SA_NAME_ANN, r->sa);
	put_str(obj, obj->root, "type", SA_TOKEN_TYPE);
	free(nm);
	rv = mesh_kube_create(r->k, &res, obj, &made);
	mesh_doc_free(obj);
	if (rv == -1)
		return -1;
	if ((created = mesh_map_getstr(made->root, "metadata.name")) == NULL) {
		mesh_err(NULL, "the server created a token Secret without a "
		    "name");
		doc_free_secret(made);
		return -1;
	}
	*name = xstrdup(created);
	doc_free_secret(made);
	return 0;
}

/*
 * Before Kubernetes 1.24 the account lists its token Secrets: the one
 * --secret-name names, or the only one, as istioctl takes it.
 */
static int
listed_token_secret(struct remote *r, const struct mesh_doc *sa,
    char **name)
{
	struct mesh_node *s = mesh_map_get(sa->root, "secrets");
	size_t n = mesh_is_seq(s) ? s->u.c.n : 0, i;
	const char *nm;

	if (r->o->rotate) {
		mesh_err(NULL, "--rotate needs Kubernetes 1.24 or newer: "
		    "before, the token controller makes the service account's "
		    "token Secrets");
		return -1;
	}
	if (r->o->secret_name != NULL) {
		for (i = 0; i < n; i++)
			if (mesh_scalar_is(mesh_map_get(s->u.c.v[i], "name"),
			    r->o->secret_name))
				break;
		if (i == n) {
			mesh_err(NULL, "provided secret does not exist: %s",
			    r->o->secret_name);
			return -1;
		}
		*name = xstrdup(r->o->secret_name);
		return 0;
	}
	if (n != 1) {
		if (n == 0)
			mesh_err(NULL, "no secret found in the service "
			    "account %s/%s", r->src_ns, r->sa);
		else
			mesh_err(NULL, "wrong number of secrets (%zu) in "
			    "serviceaccount %s/%s, please use --secret-name to "
			    "specify one", n, r->src_ns, r->sa);
		return -1;
	}
	if ((nm = mesh_map_getstr(s->u.c.v[0], "name")) == NULL) {
		mesh_err(NULL, "service account %s/%s lists a secret without "
		    "a name", r->src_ns, r->sa);
		return -1;
	}
	*name = xstrdup(nm);
	return 0;
}

/* The newest token Secret of the account into *name, or NULL. */
static int
newest_token_secret(struct remote *r, char **name)
{
	struct mesh_kube_res res = in_ns(res_secret, r->src_ns);
	struct mesh_kube_list_opts lo;
	struct mesh_doc *list;
	struct mesh_node *items;
	const char *best = NULL, *best_ts = "";
	size_t i;

	memset(&lo, 0, sizeof(lo));
	lo.field_selector = "type=" SA_TOKEN_TYPE;
	if (mesh_kube_list(r->k, &res, &lo, &list) == -1)
		return -1;
	items = mesh_map_get(list->root, "items");
	for (i = 0; mesh_is_seq(items) && i < items->u.c.n; i++) {
		const struct mesh_node *it = items->u.c.v[i];
		const char *ts = mesh_map_getstr(it,
		    "metadata.creationTimestamp");

		/* RFC 3339 in UTC sorts as text */
		if (is_sa_token(it, r->sa) && (best == NULL ||
		    (ts != NULL && strcmp(ts, best_ts) > 0))) {
			best = mesh_map_getstr(it, "metadata.name");
			best_ts = ts ? ts : "";
		}
	}
	*name = best != NULL ? xstrdup(best) : NULL;
	doc_free_secret(list);
	return 0;
}

/*
 * The name of the token Secret to use: --secret-name, the newest token
 * Secret of the account, or (none, or --rotate) a new one.
 */
static int
token_secret_name(struct remote *r, const struct mesh_doc *sa, char **name)
{
	struct mesh_kube_res res = in_ns(res_secret, r->src_ns);
	struct mesh_doc *obj;
	bool old, ok;

	*name = NULL;
	if (old_server(r, &old) == -1)
		return -1;
	if (old)
		return listed_token_secret(r, sa, name);
	if (r->o->secret_name != NULL) {
		if (mesh_kube_get(r->k, &res, r->o->secret_name, 0, &obj) ==
		    -1)
			return -1;
		ok = is_sa_token(obj->root, r->sa);
		doc_free_secret(obj);
		if (!ok) {
			mesh_err(NULL, "secret %s/%s does not reference "
			    "ServiceAccount %s", r->src_ns, r->o->secret_name,
			    r->sa);
			return -1;
		}
		*name = xstrdup(r->o->secret_name);
		return 0;
	}
	if (!r->o->rotate) {
		if (newest_token_secret(r, name) == -1)
			return -1;
		if (*name != NULL)
			return 0;
		if (r->o->read_only) {
			mesh_err(NULL, "no token Secret of service account "
			    "%s/%s, and --read-only creates none: leave out "
			    "--read-only, or use --token-ttl", r->src_ns,
			    r->sa);
			return -1;
		}
	}
	return create_token_secret(r, name);
}

/*
 * Read ca.crt and token from the token Secret, waiting for the token
 * controller to fill them in (istioctl's 5 seconds).
 */
static int
read_token_secret(struct remote *r, const char *name)
{
	struct mesh_kube_res res = in_ns(res_secret, r->src_ns);
	struct mesh_buf tok = MESH_BUF_SECRET;
	bool plugin = strcmp(r->o->auth_type, "plugin") == 0;
	long deadline = mesh_now_ms() + TOKEN_WAIT_MS;
	const char *missing;
	struct mesh_doc *doc;
	int ca, t;

	for (;;) {
		if (mesh_kube_get(r->k, &res, name, 0, &doc) == -1)
			return -1;
		mesh_wipe_buf(&r->ca);
		mesh_wipe_buf(&tok);
		ca = secret_bytes(doc->root, "ca.crt", &r->ca);
		t = plugin ? 0 : secret_bytes(doc->root, "token", &tok);
		doc_free_secret(doc);
		if (ca == -1 || t == -1) {
			mesh_err(NULL, "data.%s of token Secret %s/%s is not "
			    "base64", ca == -1 ? "ca.crt" : "token", r->src_ns,
			    name);
			goto fail;
		}
		if (ca == 0 && t == 0)
			break;
		missing = ca != 0 ? "ca.crt" : "token";
		if (mesh_now_ms() >= deadline) {
			mesh_err(NULL, "token Secret %s/%s has no \"%s\" data "
			    "after %ds: is the cluster's token controller "
			    "(kube-controller-manager) running?", r->src_ns,
			    name, missing, TOKEN_WAIT_MS / 1000);
			goto fail;
		}
		mesh_sleep_ms(TOKEN_POLL_MS);
	}
	if (!plugin) {
		if (memchr(tok.data, '\n', tok.len) != NULL ||
		    memchr(tok.data, '\0', tok.len) != NULL) {
			mesh_err(NULL, "the token in Secret %s/%s is not one "
			    "line of text", r->src_ns, name);
			goto fail;
		}
		r->token = mesh_buf_detach(&tok, &r->token_len);
	}
	return 0;
fail:
	mesh_wipe_buf(&tok);
	return -1;
}

/* A time-bound token from the TokenRequest API, and the cluster's CA. */
static int
request_token(struct remote *r)
{
	static const struct mesh_kube_res res_cm = { "v1", "configmaps",
	    NULL };
	struct mesh_kube_res res = in_ns(res_cm, r->src_ns);
	struct mesh_doc *cm;
	struct mesh_node *ca;

	if (mesh_kube_token(r->k, r->src_ns, r->sa, NULL, r->o->token_ttl_s,
	    &r->token, &r->expiry) == -1)
		return -1;
	r->token_len = strlen(r->token);
	if (mesh_kube_get(r->k, &res, "kube-root-ca.crt",
	    MESH_KUBE_MISSING_OK, &cm) == -1)
		return -1;
	/* every namespace has the cluster's CA in this ConfigMap */
	ca = cm ? mesh_map_get(mesh_map_get(cm->root, "data"), "ca.crt") : NULL;
	if (ca != NULL && mesh_is_scalar(ca) && ca->u.s.len > 0)
		mesh_buf_add(&r->ca, ca->u.s.text, ca->u.s.len);
	else if (r->kc.ca != NULL)
		mesh_buf_add(&r->ca, r->kc.ca, r->kc.ca_len);
	mesh_doc_free(cm);
	if (r->ca.len == 0 && !r->kc.insecure) {
		mesh_err(NULL, "no CA for the API server: neither ConfigMap "
		    "%s/kube-root-ca.crt nor the kubeconfig holds one",
		    r->src_ns);
		return -1;
	}
	return 0;
}

/* Credentials from the cluster itself. */
int
from_cluster(struct remote *r)
{
	struct mesh_kube_opts ko;
	struct mesh_doc *sa = NULL;
	char *name = NULL;
	int rv = -1;

	memset(&ko, 0, sizeof(ko));
	ko.timeout_ms = r->o->timeout_ms;
	ko.deadline = r->o->deadline;
	if ((r->k = mesh_kube_new(&r->kc, &ko)) == NULL)
		return -1;
	if (r->o->name != NULL)
		r->cluster = xstrdup(r->o->name);
	else if (cluster_uid(r) == -1)
		return -1;
	if (find_sa(r, &sa) == -1)
		goto out;
	if (r->o->token_ttl_s > 0) {
		rv = request_token(r);
		goto out;
	}
	if (token_secret_name(r, sa, &name) == -1)
		goto out;
	rv = read_token_secret(r, name);
out:
	free(name);
	mesh_doc_free(sa);
	return rv;
}

/* Credentials copied from a kubeconfig that holds them already. */
int
from_kubeconfig(struct remote *r)
{
	struct mesh_kubeconfig *kc = &r->kc;

	r->cluster = xstrdup(r->o->name);
	if (kc->ca != NULL)
		mesh_buf_add(&r->ca, kc->ca, kc->ca_len);
	if (kc->token_file != NULL)
		mesh_warn(kc->source, "user %s: the token of tokenFile %s is "
		    "copied in as it is now (istiod cannot read this "
		    "machine's files); make the Secret again when it "
		    "changes", kc->user, kc->token_file);
	if (kc->token != NULL) {
		r->token = xstrdup(kc->token);
		r->token_len = strlen(r->token);
	}
	if (kc->exec != NULL)
		mesh_warn(kc->source, "user %s runs an exec credential "
		    "plugin: istiod refuses it unless %s includes exec, and "
		    "the command must exist in istiod's image", kc->user,
		    INSECURE_ENV);
	if (kc->token == NULL && kc->cert == NULL && kc->username == NULL &&
	    kc->exec == NULL) {
		mesh_err(kc->source, "user %s has no credentials to copy "
		    "(token, client certificate, basic auth or exec)",
		    kc->user ? kc->user : "");
		return -1;
	}
	return 0;
}

/* ---- the Secret -------------------------------------------------------- */

static struct mesh_node *
seq_of_one(struct mesh_doc *doc, struct mesh_node *parent, const char *key)
{
	struct mesh_node *seq = mesh_seq_new(doc), *item = mesh_map_new(doc);

	mesh_seq_append(doc, seq, item);
	mesh_map_set(doc, parent, key, seq);
	return item;
}

static void
put_user(struct remote *r, struct mesh_doc *doc, struct mesh_node *user)
{
	const struct mesh_kubeconfig *kc = &r->kc;
	struct mesh_node *m, *cfg;
	size_t i, j;

	if (strcmp(r->o->auth_type, "plugin") == 0) {
		/* client-go writes config always, {} when empty */
		m = put_map(doc, user, "auth-provider");
		cfg = put_map(doc, m, "config");
		cfg->style = MESH_STYLE_FLOW;
		for (i = 0; i < r->o->nplugin_config; i++) {
			/* in key order, as Go writes a map */
			const struct pair *p = &r->o->plugin_config[i];

			for (j = 0; j < mesh_map_len(cfg); j++)
				if (strcmp(mesh_map_key(cfg, j)->u.s.text,
				    p->key) > 0)
					break;
			mesh_map_insert(doc, cfg, j, mesh_str_new(doc,
			    p->key), mesh_str_new(doc, p->value));
		}
		if (mesh_map_len(cfg) > 0)
			cfg->style = MESH_STYLE_ANY;
		put_str(doc, m, "name", r->o->auth_plugin_name);
		return;
	}
	if (r->o->from_kubeconfig == NULL) {
		put_str(doc, user, "token", r->token);
		return;
	}
	if (kc->cert != NULL && kc->key != NULL) {
		put_b64(doc, user, "client-certificate-data", kc->cert,
		    kc->cert_len);
		put_b64(doc, user, "client-key-data", kc->key, kc->key_len);
	}
	if (kc->exec != NULL) {
		static const char *const modes[] = { "Never", "IfAvailable",
		    "Always" };
		const struct mesh_kubeconfig_exec *e = kc->exec;
		struct mesh_node *args, *env;

		m = put_map(doc, user, "exec");
		put_str(doc, m, "apiVersion", e->api_version);
		if (e->argv[1] != NULL) {
			args = mesh_seq_new(doc);
			for (i = 1; e->argv[i] != NULL; i++)
				mesh_seq_append(doc, args, mesh_str_new(doc,
				    e->argv[i]));
			mesh_map_set(doc, m, "args", args);
		}
		put_str(doc, m, "command", e->argv[0]);
		if (e->env != NULL && e->env[0] != NULL) {
			env = mesh_seq_new(doc);
			for (i = 0; e->env[i] != NULL; i++) {
				struct mesh_node *kv = mesh_map_new(doc);
				const char *eq = strchr(e->env[i], '=');
				size_t n = eq ? (size_t)(eq - e->env[i]) :
				    strlen(e->env[i]);

				mesh_map_set(doc, kv, "name",
				    mesh_scalar_new(doc, e->env[i], n,
				    MESH_T_STR));
				put_str(doc, kv, "value", eq ? eq + 1 : "");
				mesh_seq_append(doc, env, kv);
			}
			mesh_map_set(doc, m, "env", env);
		}
		if (e->install_hint != NULL)
			put_str(doc, m, "installHint", e->install_hint);
		put_str(doc, m, "interactiveMode", modes[e->interactive]);
		if (e->provide_cluster_info)
			mesh_map_set(doc, m, "provideClusterInfo",
			    mesh_scalar_new(doc, "true", 4, MESH_T_BOOL));
	}
	if (kc->password != NULL)
		put_str(doc, user, "password", kc->password);
	if (r->token != NULL)
		put_str(doc, user, "token", r->token);
	if (kc->username != NULL)
		put_str(doc, user, "username", kc->username);
}

/* The kubeconfig inside the Secret, keys in order as client-go's. */
static struct mesh_doc *
inner_kubeconfig(struct remote *r)
{
	struct mesh_doc *doc = new_doc("<kubeconfig>");
	struct mesh_node *item, *m;
	const char *tls_name = r->o->tls_server_name != NULL ?
	    r->o->tls_server_name : r->kc.tls_server_name;

	put_str(doc, doc->root, "apiVersion", "v1");
	item = seq_of_one(doc, doc->root, "clusters");
	m = put_map(doc, item, "cluster");
	if (r->kc.insecure)
		mesh_map_set(doc, m, "insecure-skip-tls-verify",
		    mesh_scalar_new(doc, "true", 4, MESH_T_BOOL));
	else if (r->ca.len > 0)
		put_b64(doc, m, "certificate-authority-data", r->ca.data,
		    r->ca.len);
	if (r->kc.proxy_url != NULL)
		put_str(doc, m, "proxy-url", r->kc.proxy_url);
	put_str(doc, m, "server", r->server);
	if (tls_name != NULL)
		put_str(doc, m, "tls-server-name", tls_name);
	put_str(doc, item, "name", r->cluster);
	item = seq_of_one(doc, doc->root, "contexts");
	m = put_map(doc, item, "context");
	put_str(doc, m, "cluster", r->cluster);
	put_str(doc, m, "user", r->cluster);
	put_str(doc, item, "name", r->cluster);
	put_str(doc, doc->root, "current-context", r->cluster);
	put_str(doc, doc->root, "kind", "Config");
	item = seq_of_one(doc, doc->root, "users");
	put_str(doc, item, "name", r->cluster);
	put_user(r, doc, put_map(doc, item, "user"));
	return doc;
}

/* What istiod refuses in that kubeconfig by default, said once. */
void
warn_refused(struct remote *r)
{
	const char *name = r->o->auth_plugin_name;

	if (strcmp(r->o->auth_type, "plugin") == 0 && strcmp(name, "oidc") !=
	    0)
		mesh_warn(NULL, "istiod refuses auth provider '%s' unless %s "
		    "includes %s", name, INSECURE_ENV, name);
	if (r->kc.insecure)
		mesh_warn(r->kc.source, "cluster %s skips TLS verification "
		    "(insecure-skip-tls-verify), so the kubeconfig in the "
		    "Secret does too, without a CA: istiod will not check "
		    "the API server's certificate", r->kc.cluster ?
		    r->kc.cluster : "");
}

/*
 * Would Go's YAML encoder take s for a timestamp (and so quote it)?  It
 * tries one when four digits and a '-' start s: a date, year-month-day
 * with one or two digits each, alone or followed by 'T', 't' or a space
 * and a time (here: anything with a ':').
 */
static bool
is_timestamp(const char *s)
{
	size_t n;

	if (strspn(s, "0123456789") != 4 || s[4] != '-')
		return false;
	s += 5;
	if ((n = strspn(s, "0123456789")) < 1 || n > 2 || s[n] != '-')
		return false;
	s += n + 1;
	if ((n = strspn(s, "0123456789")) < 1 || n > 2)
		return false;
	return s[n] == '\0' || ((s[n] == 'T' || s[n] == 't' || s[n] == ' ') &&
	    strchr(s + n, ':') != NULL);
}

/*
 * Write strings plain wherever Kubernetes' YAML reader takes them back as
 * strings, as the serializer istioctl uses does: a kube-system UID such
 * as 517d27b8-7958-... stays unquoted.  (The writer would quote anything
 * that merely looks like a number.)  libyaml still quotes what cannot be
 * plain for its syntax.
 */
static void
plain_strings(struct mesh_node *n)
{
	size_t i;

	if (n->type != MESH_SCALAR) {
		for (i = 0; i < n->u.c.n; i++)
			plain_strings(n->u.c.v[i]);
		return;
	}
	if (n->style == MESH_STYLE_ANY && n->stype == MESH_T_STR &&
	    memchr(n->u.s.text, '\n', n->u.s.len) == NULL &&
	    !is_timestamp(n->u.s.text) &&
	    mesh_resolve_plain(n->u.s.text, n->u.s.len, NULL, NULL, NULL,
	    NULL) == MESH_T_STR)
		n->style = MESH_STYLE_PLAIN;
}

struct mesh_doc *
remote_secret_doc(struct remote *r)
{
	struct mesh_buf text = MESH_BUF_SECRET;
	struct mesh_doc *kc = inner_kubeconfig(r), *doc;
	struct mesh_node *meta, *m, *v;
	bool config = strcmp(r->o->type, "config") == 0;
	char *name;

	plain_strings(kc->root);
	if (mesh_emit_yaml(&text, kc->root, false) == -1) {
		doc_free_secret(kc);
		mesh_wipe_buf(&text);
		return NULL;
	}
	doc_free_secret(kc);
	name = config ? xstrdup("istio-kubeconfig") :
	    xasprintf("istio-remote-secret-%s", r->cluster);
	for (char *p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!config && strcmp(name + strlen("istio-remote-secret-"),
	    r->cluster) != 0)
		mesh_warn(NULL, "the Secret is named %s: an object name "
		    "cannot hold upper case; the cluster ID stays %s in its "
		    "key and annotation", name, r->cluster);
	doc = new_doc("<mesh-secret>");
	put_str(doc, doc->root, "apiVersion", "v1");
	put_str(doc, doc->root, "kind", "Secret");
	meta = put_map(doc, doc->root, "metadata");
	m = put_map(doc, meta, "annotations");
	/* in key order, as istioctl's serializer writes a map */
	if (r->expiry != NULL && *r->expiry != '\0')
		put_str(doc, m, EXPIRY_ANN, r->expiry);
	put_str(doc, m, CLUSTER_ANN, r->cluster);
	m = put_map(doc, meta, "labels");
	put_str(doc, m, "istio/multiCluster", "true");
	put_str(doc, meta, "name", name);
	put_str(doc, meta, "namespace", r->secret_ns);
	m = put_map(doc, doc->root, "stringData");
	v = mesh_scalar_new(doc, text.data, text.len, MESH_T_STR);
	v->style = MESH_STYLE_LITERAL;
	mesh_map_set(doc, m, config ? "config" : r->cluster, v);
	free(name);
	mesh_wipe_buf(&text);
	plain_strings(doc->root);
	return doc;
}

int
put_remote_secret(struct remote *r, struct mesh_writer *w)
{
	struct mesh_buf out = MESH_BUF_SECRET;
	struct mesh_doc *doc;
	int rv = -1;

	if ((doc = remote_secret_doc(r)) == NULL)
		return -1;
	if (r->o->fmt == MESH_FMT_JSON) {
		rv = write_docs(w, &doc, 1);
	} else {
		/* istioctl's stream, byte for byte */
		mesh_buf_adds(&out, "# This file is autogenerated, do not "
		    "edit.\n");
		if (mesh_emit_yaml(&out, doc->root, false) == 0) {
			mesh_buf_adds(&out, "---\n");
			rv = 0;
			if (mesh_write_all(STDOUT_FILENO, out.data, out.len) ==
			    -1) {
				mesh_err("<stdout>", "write error:");
				rv = -1;
			}
		}
		mesh_wipe_buf(&out);
	}
	doc_free_secret(doc);
	return rv;
}
