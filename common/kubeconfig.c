/*
 * kubeconfig loading, merging and credentials, as kubectl 1.32 does it
 * (client-go tools/clientcmd): the typed parts are read with libcyaml
 * through mesh_typed_load (typed.c), and the same bytes with our own
 * reader, so a problem found later (bad base64, a missing file, a
 * duplicate name) is still reported at its line and column.  Exec
 * credential plugins are run here with fork and execve, never through a
 * shell.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cyaml/cyaml.h>

#include "buf.h"
#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "parse.h"
#include "pki.h"
#include "stream.h"
#include "typed.h"
#include "xalloc.h"

extern char **environ;

#define KUBECONFIG_MAX	(16u << 20)	/* bytes in one kubeconfig */
#define PEM_MAX		(1u << 20)	/* bytes in a CA, cert or key */
#define EXEC_OUT_MAX	(1u << 20)	/* bytes a plugin may print */
#define TOKEN_REREAD	60		/* seconds between reads */
#define SA_DIR		"/var/run/secrets/kubernetes.io/serviceaccount"
#define EXEC_V1		"client.authentication.k8s.io/v1"
#define EXEC_V1BETA1	"client.authentication.k8s.io/v1beta1"

/* The typed kubeconfig, as libcyaml fills it in. */
struct cy_env {
	char *name;
	char *value;
};

struct cy_exec {
	char *command;
	char **args;
	unsigned args_count;
	struct cy_env *env;
	unsigned env_count;
	char *api_version;
	char *interactive_mode;
	bool provide_cluster_info;
	char *install_hint;
};

struct cy_auth_provider {
	char *name;
};

struct cy_user {
	char *client_certificate, *client_certificate_data;
	char *client_key, *client_key_data;
	char *token, *token_file;
	char *as, *as_uid;
	char **as_groups;
	unsigned as_groups_count;
	char *username, *password;
	struct cy_auth_provider *auth_provider;
	struct cy_exec *exec;
};

struct cy_cluster {
	char *server;
	char *tls_server_name;
	bool insecure;
	char *ca, *ca_data;
	char *proxy_url;
	bool disable_compression;
};

struct cy_context {
	char *cluster, *user, *namespace;
};

struct cy_named_cluster {
	char *name;
	struct cy_cluster *cluster;
};

struct cy_named_user {
	char *name;
	struct cy_user *user;
};

struct cy_named_context {
	char *name;
	struct cy_context *context;
};

struct cy_config {
	char *api_version, *kind, *current_context;
	struct cy_named_cluster *clusters;
	unsigned clusters_count;
	struct cy_named_user *users;
	unsigned users_count;
	struct cy_named_context *contexts;
	unsigned contexts_count;
};

#define OPT	CYAML_FLAG_OPTIONAL
#define STR(key, type, member) CYAML_FIELD_STRING_PTR(key, \
    OPT | CYAML_FLAG_POINTER_NULL_STR, type, member, 0, CYAML_UNLIMITED)

static const cyaml_schema_value_t string_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t env_fields[] = {
	STR("name", struct cy_env, name),
	STR("value", struct cy_env, value),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t env_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct cy_env, env_fields),
};

static const cyaml_schema_field_t exec_fields[] = {
	STR("command", struct cy_exec, command),
	CYAML_FIELD_SEQUENCE("args", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_exec, args, &string_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("env", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_exec, env, &env_entry, 0, CYAML_UNLIMITED),
	STR("apiVersion", struct cy_exec, api_version),
	STR("interactiveMode", struct cy_exec, interactive_mode),
	CYAML_FIELD_BOOL("provideClusterInfo", OPT, struct cy_exec,
	    provide_cluster_info),
	STR("installHint", struct cy_exec, install_hint),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t auth_provider_fields[] = {
	STR("name", struct cy_auth_provider, name),
	CYAML_FIELD_IGNORE("config", OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t user_fields[] = {
	STR("client-certificate", struct cy_user, client_certificate),
	STR("client-certificate-data", struct cy_user,
	    client_certificate_data),
	STR("client-key", struct cy_user, client_key),
	STR("client-key-data", struct cy_user, client_key_data),
	STR("token", struct cy_user, token),
	STR("tokenFile", struct cy_user, token_file),
	STR("as", struct cy_user, as),
	STR("as-uid", struct cy_user, as_uid),
	CYAML_FIELD_SEQUENCE("as-groups", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_user, as_groups, &string_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_IGNORE("as-user-extra", OPT),
	STR("username", struct cy_user, username),
	STR("password", struct cy_user, password),
	CYAML_FIELD_MAPPING_PTR("auth-provider", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_user, auth_provider, auth_provider_fields),
	CYAML_FIELD_MAPPING_PTR("exec", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_user, exec, exec_fields),
	CYAML_FIELD_IGNORE("extensions", OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t cluster_fields[] = {
	STR("server", struct cy_cluster, server),
	STR("tls-server-name", struct cy_cluster, tls_server_name),
	CYAML_FIELD_BOOL("insecure-skip-tls-verify", OPT, struct cy_cluster,
	    insecure),
	STR("certificate-authority", struct cy_cluster, ca),
	STR("certificate-authority-data", struct cy_cluster, ca_data),
	STR("proxy-url", struct cy_cluster, proxy_url),
	CYAML_FIELD_BOOL("disable-compression", OPT, struct cy_cluster,
	    disable_compression),
	CYAML_FIELD_IGNORE("extensions", OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t context_fields[] = {
	STR("cluster", struct cy_context, cluster),
	STR("user", struct cy_context, user),
	STR("namespace", struct cy_context, namespace),
	CYAML_FIELD_IGNORE("extensions", OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t named_cluster_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER,
	    struct cy_named_cluster, name, 0, CYAML_UNLIMITED),
	CYAML_FIELD_MAPPING_PTR("cluster", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_named_cluster, cluster, cluster_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t named_user_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER,
	    struct cy_named_user, name, 0, CYAML_UNLIMITED),
	CYAML_FIELD_MAPPING_PTR("user", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_named_user, user, user_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t named_context_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER,
	    struct cy_named_context, name, 0, CYAML_UNLIMITED),
	CYAML_FIELD_MAPPING_PTR("context", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_named_context, context, context_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t named_cluster_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct cy_named_cluster,
	    named_cluster_fields),
};

static const cyaml_schema_value_t named_user_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct cy_named_user,
	    named_user_fields),
};

static const cyaml_schema_value_t named_context_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct cy_named_context,
	    named_context_fields),
};

static const cyaml_schema_field_t config_fields[] = {
	STR("apiVersion", struct cy_config, api_version),
	STR("kind", struct cy_config, kind),
	STR("current-context", struct cy_config, current_context),
	CYAML_FIELD_IGNORE("preferences", OPT),
	CYAML_FIELD_SEQUENCE("clusters", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_config, clusters, &named_cluster_entry, 0,
	    CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("users", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_config, users, &named_user_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("contexts", OPT | CYAML_FLAG_POINTER_NULL,
	    struct cy_config, contexts, &named_context_entry, 0,
	    CYAML_UNLIMITED),
	CYAML_FIELD_IGNORE("extensions", OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t config_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct cy_config,
	    config_fields),
};

/* One kubeconfig file, read. */
struct kfile {
	char *path;		/* as given, for messages */
	char *dir;		/* its directory, absolute */
	struct mesh_buf data;
	struct mesh_doc *doc;	/* the bytes as a tree, for positions */
	struct cy_config *cfg;	/* NULL for an empty file */
};

struct kfiles {
	struct kfile *v;
	size_t n;
};

void
mesh_kubeconfig_secret_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	mesh_wipe(p, n ? n : strlen(p));
	free(p);
}

/* Wipe every scalar under n: the tree may hold tokens and keys. */
static void
wipe_tree(struct mesh_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->type == MESH_SCALAR) {
		mesh_wipe(n->u.s.text, n->u.s.len);
		return;
	}
	for (i = 0; i < n->u.c.n; i++)
		wipe_tree(n->u.c.v[i]);
}

static void
wipe_str(char *s)
{
	if (s != NULL)
		mesh_wipe(s, strlen(s));
}

/* Wipe the secrets libcyaml copied before it frees them. */
static void
wipe_config(struct cy_config *c)
{
	unsigned i;

	if (c == NULL)
		return;
	for (i = 0; i < c->users_count; i++) {
		struct cy_user *u = c->users[i].user;

		if (u == NULL)
			continue;
		wipe_str(u->token);
		wipe_str(u->password);
		wipe_str(u->client_key_data);
	}
}

static void
kfiles_release(struct kfiles *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		struct kfile *f = &fs->v[i];

		wipe_config(f->cfg);
		mesh_typed_free(&config_schema, f->cfg);
		/* every block of the tree wiped, not only its scalars */
		mesh_doc_free_wipe(f->doc, mesh_wipe);
		mesh_wipe_buf(&f->data);
		free(f->path);
		free(f->dir);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = 0;
}

static bool
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* The absolute directory of path. */
static char *
abs_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return slash == path ? xstrdup("/") :
		    xstrndup(path, (size_t)(slash - path));
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), ".");
	if (slash == NULL)
		return xstrdup(cwd);
	return xasprintf("%s/%.*s", cwd, (int)(slash - path), path);
}

/* A path from a stanza of f: absolute as is, else under f's directory. */
static char *
resolve(const struct kfile *f, const char *p)
{
	if (!is_set(p))
		return NULL;
	if (p[0] == '/' || f == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", f->dir, p);
}

/*
 * The node at section[i].sub.key in f's tree (the key's value, or the
 * deepest node found on the way), for its position.
 */
static const struct mesh_node *
find(const struct kfile *f, const char *section, long i, const char *sub,
    const char *key)
{
	const struct mesh_node *n = f->doc ? f->doc->root : NULL, *v;

	if (n == NULL || section == NULL ||
	    (v = mesh_map_get(n, section)) == NULL)
		return n;
	n = v;
	if (i < 0)
		return n;
	if (!mesh_is_seq(n) || (size_t)i >= n->u.c.n)
		return n;
	n = n->u.c.v[i];
	if (sub == NULL || (v = mesh_map_get(n, sub)) == NULL)
		return n;
	n = v;
	if (key == NULL || (v = mesh_map_get(n, key)) == NULL)
		return n;
	return v;
}

/* Report "file:line:col: section[i].sub.key: text" for a stanza. */
static int
bad(const struct kfile *f, const char *section, long i, const char *sub,
    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
bad(const struct kfile *f, const char *section, long i, const char *sub,
    const char *key, const char *fmt, ...)
{
	const struct mesh_node *n = find(f, section, i, sub, key);
	struct mesh_buf path = MESH_BUF_INIT;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (section != NULL)
		mesh_buf_adds(&path, section);
	if (i >= 0)
		mesh_buf_addf(&path, "[%ld]", i);
	if (sub != NULL)
		mesh_buf_addf(&path, ".%s", sub);
	if (key != NULL)
		mesh_buf_addf(&path, ".%s", key);
	if (path.len > 0)
		mesh_errat(f->path, n ? n->line : 0, n ? n->col : 0, "%s: %s",
		    path.data, msg);
	else
		mesh_errat(f->path, n ? n->line : 0, n ? n->col : 0, "%s", msg);
	mesh_buf_release(&path);
	return -1;
}

/* The index of the first name seen before in names, or -1. */
static long
duplicate(const char **names, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return (long)i;
	return -1;
}

static int
check_file(const struct kfile *f)
{
	const struct cy_config *c = f->cfg;
	const char **names;
	unsigned i, n = c->clusters_count;
	long d;
	int rv = -1;

	if (is_set(c->kind) && strcmp(c->kind, "Config") != 0)
		return bad(f, "kind", -1, NULL, NULL,
		    "expected 'Config', not '%s'", c->kind);
	if (is_set(c->api_version) && strcmp(c->api_version, "v1") != 0)
		return bad(f, "apiVersion", -1, NULL, NULL,
		    "expected 'v1', not '%s'", c->api_version);
	if (c->users_count > n)
		n = c->users_count;
	if (c->contexts_count > n)
		n = c->contexts_count;
	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < c->clusters_count; i++)
		names[i] = c->clusters[i].name;
	if ((d = duplicate(names, c->clusters_count)) >= 0) {
		bad(f, "clusters", d, "name", NULL,
		    "cluster '%s' is defined twice", names[d]);
		goto out;
	}
	for (i = 0; i < c->users_count; i++)
		names[i] = c->users[i].name;
	if ((d = duplicate(names, c->users_count)) >= 0) {
		bad(f, "users", d, "name", NULL,
		    "user '%s' is defined twice", names[d]);
		goto out;
	}
	for (i = 0; i < c->contexts_count; i++)
		names[i] = c->contexts[i].name;
	if ((d = duplicate(names, c->contexts_count)) >= 0) {
		bad(f, "contexts", d, "name", NULL,
		    "context '%s' is defined twice", names[d]);
		goto out;
	}
	rv = 0;
out:
	free(names);
	return rv;
}

/*
 * Read one kubeconfig into fs.  A missing file is skipped (returns 0)
 * unless it must exist; 1 when read, -1 after a report.
 */
static int
read_kfile(struct kfiles *fs, const char *path, bool must_exist)
{
	struct mesh_limits lim;
	struct kfile f;
	struct stat st;
	void *cfg;

	memset(&f, 0, sizeof(f));
	if (!must_exist && stat(path, &st) == -1 && errno == ENOENT)
		return 0;
	/* tokens and keys: the buffer wiped as it grows, not copied */
	f.data.secret = true;
	if (mesh_slurp(path, &f.data, KUBECONFIG_MAX) == -1) {
		mesh_wipe_buf(&f.data);
		return -1;
	}
	mesh_limits_init(&lim);
	lim.secret = true;	/* tokens, keys: every copy wiped */
	f.path = xstrdup(path);
	f.dir = abs_dir(path);
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof(*fs->v));
	fs->v[fs->n++] = f;
	/* its bytes, as the typed reader below reads them: UTF-16, NULs */
	if ((fs->v[fs->n - 1].doc = mesh_parse_mem(path,
	    f.data.data ? f.data.data : "", f.data.len, &lim, false)) == NULL)
		return -1;
	if (fs->v[fs->n - 1].doc->root == NULL)
		return 1;		/* empty: contributes nothing */
	/* the tree just made: the bytes are read once */
	if (mesh_typed_load_doc(path, fs->v[fs->n - 1].doc, &config_schema,
	    mesh_wipe, &cfg) == -1)
		return -1;
	fs->v[fs->n - 1].cfg = cfg;
	if (check_file(&fs->v[fs->n - 1]) == -1)
		return -1;
	return 1;
}

/* Read the files kubectl would read.  0 or -1 after a report. */
static int
read_kfiles(struct kfiles *fs, const char *explicit)
{
	const char *env = getenv("KUBECONFIG"), *home;
	char *list, *p, *next, *path;
	size_t i;
	bool seen;
	int rv = 0;

	if (explicit != NULL)
		return read_kfile(fs, explicit, true) == -1 ? -1 : 0;
	if (is_set(env)) {
		list = xstrdup(env);
		for (p = list; p != NULL && rv == 0; p = next) {
			if ((next = strchr(p, ':')) != NULL)
				*next++ = '\0';
			if (*p == '\0')
				continue;
			seen = false;
			for (i = 0; i < fs->n; i++)
				if (strcmp(fs->v[i].path, p) == 0)
					seen = true;
			if (!seen && read_kfile(fs, p, false) == -1)
				rv = -1;
		}
		free(list);
		return rv;
	}
	if (!is_set(home = getenv("HOME")))
		return 0;
	path = xasprintf("%s/.kube/config", home);
	rv = read_kfile(fs, path, false) == -1 ? -1 : 0;
	free(path);
	return rv;
}

/*
 * PEM bytes from a -data field (base64) or a file; data wins.  0 (with
 * *out NULL when neither is set) or -1 after a report.
 */
static int
pem(const struct kfile *f, const char *section, long i, const char *sub,
    const char *file_key, const char *file, const char *data_key,
    const char *data, char **out, size_t *len)
{
	struct mesh_buf b = MESH_BUF_INIT;
	char *path, why[PATH_MAX + 128];

	*out = NULL;
	*len = 0;
	if (is_set(data)) {
		if (mesh_base64_decode(&b, data, strlen(data)) == -1) {
			mesh_wipe_buf(&b);
			return bad(f, section, i, sub, data_key,
			    "not valid base64");
		}
		*out = mesh_buf_detach(&b, len);
		return 0;
	}
	if (!is_set(file))
		return 0;
	path = resolve(f, file);
	if (mesh_slurp_why(path, &b, PEM_MAX, why, sizeof(why)) == -1) {
		free(path);
		mesh_wipe_buf(&b);
		return bad(f, section, i, sub, file_key, "%s", why);
	}
	free(path);
	*len = b.len;
	*out = mesh_buf_detach(&b, NULL);
	return 0;
}

/* The file and index that define name in a section, first file first. */
static const struct kfile *
lookup(const struct kfiles *fs, const char *section, const char *name,
    long *idx)
{
	size_t i;
	unsigned j;

	for (i = 0; i < fs->n; i++) {
		const struct cy_config *c = fs->v[i].cfg;

		if (c == NULL)
			continue;
		if (strcmp(section, "clusters") == 0) {
			for (j = 0; j < c->clusters_count; j++)
				if (strcmp(c->clusters[j].name, name) == 0)
					goto found;
		} else if (strcmp(section, "users") == 0) {
			for (j = 0; j < c->users_count; j++)
				if (strcmp(c->users[j].name, name) == 0)
					goto found;
		} else {
			for (j = 0; j < c->contexts_count; j++)
				if (strcmp(c->contexts[j].name, name) == 0)
					goto found;
		}
		continue;
found:
		*idx = (long)j;
		return &fs->v[i];
	}
	return NULL;
}

#define NOT_A_HEADER	"holds a control character, which cannot go " \
    "into an HTTP header"
#define NOT_IN_A_URL	"holds a control character, which cannot go " \
    "into a URL"

/*
 * Does s hold a control character?  Such a value would end the header it
 * goes into and begin another; client-go refuses it as Go's HTTP client
 * does, and so do we, before any request.
 */
static bool
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * Read a token file, whitespace-trimmed, into *tok.  0, or -1 with why
 * said in why (whylen bytes), unreported.
 */
static int
read_token(const char *path, char **tok, char *why, size_t whylen)
{
	struct mesh_buf b = MESH_BUF_SECRET;
	size_t s = 0, e;

	if (mesh_slurp_why(path, &b, PEM_MAX, why, whylen) == -1) {
		mesh_wipe_buf(&b);
		return -1;
	}
	e = b.len;
	while (s < e && isspace((unsigned char)b.data[s]))
		s++;
	while (e > s && isspace((unsigned char)b.data[e - 1]))
		e--;
	mesh_kubeconfig_secret_free(*tok, 0);
	*tok = xstrndup(b.data ? b.data + s : "", e - s);
	mesh_wipe_buf(&b);
	return 0;
}

/* A server URL as client-go takes it; host:port alone gets a scheme. */
static char *
server_url(const char *s, bool tls)
{
	size_t n;
	char *u;

	if (strstr(s, "://") != NULL)
		u = xstrdup(s);
	else
		u = xasprintf("%s://%s", tls ? "https" : "http", s);
	n = strlen(u);
	while (n > 0 && u[n - 1] == '/' && strstr(u, "://") + 3 < u + n)
		u[--n] = '\0';
	return u;
}

static int
load_exec(struct mesh_kubeconfig *kc, const struct kfile *f, long ui,
    const struct cy_exec *x)
{
	struct mesh_kubeconfig_exec *e;
	unsigned i;

	if (!is_set(x->command))
		return bad(f, "users", ui, "user", "exec",
		    "command must be specified for %s to use exec "
		    "authentication plugin", kc->user);
	if (!is_set(x->api_version))
		return bad(f, "users", ui, "user", "exec",
		    "apiVersion must be specified for %s to use exec "
		    "authentication plugin", kc->user);
	if (strcmp(x->api_version, EXEC_V1) != 0 &&
	    strcmp(x->api_version, EXEC_V1BETA1) != 0)
		return bad(f, "users", ui, "user", "exec",
		    "exec plugin: invalid apiVersion '%s'", x->api_version);
	for (i = 0; i < x->env_count; i++)
		if (!is_set(x->env[i].name))
			return bad(f, "users", ui, "user", "exec",
			    "env variable name must be specified for %s to "
			    "use exec authentication plugin", kc->user);
	e = xcalloc(1, sizeof(*e));
	kc->exec = e;
	if (!is_set(x->interactive_mode)) {
		if (strcmp(x->api_version, EXEC_V1) == 0)
			return bad(f, "users", ui, "user", "exec",
			    "interactiveMode must be specified for %s to use "
			    "exec authentication plugin", kc->user);
		e->interactive = MESH_KUBECONFIG_IF_AVAILABLE;
	} else if (strcmp(x->interactive_mode, "Never") == 0) {
		e->interactive = MESH_KUBECONFIG_NEVER;
	} else if (strcmp(x->interactive_mode, "IfAvailable") == 0) {
		e->interactive = MESH_KUBECONFIG_IF_AVAILABLE;
	} else if (strcmp(x->interactive_mode, "Always") == 0) {
		e->interactive = MESH_KUBECONFIG_ALWAYS;
	} else {
		return bad(f, "users", ui, "user", "exec",
		    "invalid interactiveMode '%s': use Never, IfAvailable or "
		    "Always", x->interactive_mode);
	}
	e->argv = xcalloc(x->args_count + 2, sizeof(*e->argv));
	/* a bare name is looked up on PATH, a path is the file's */
	e->argv[0] = strchr(x->command, '/') != NULL ?
	    resolve(f, x->command) : xstrdup(x->command);
	for (i = 0; i < x->args_count; i++)
		e->argv[i + 1] = xstrdup(x->args[i]);
	e->env = xcalloc(x->env_count + 1, sizeof(*e->env));
	for (i = 0; i < x->env_count; i++)
		e->env[i] = xasprintf("%s=%s", x->env[i].name,
		    x->env[i].value ? x->env[i].value : "");
	e->api_version = xstrdup(x->api_version);
	e->provide_cluster_info = x->provide_cluster_info;
	if (is_set(x->install_hint))
		e->install_hint = xstrdup(x->install_hint);
	return 0;
}

static int
load_user(struct mesh_kubeconfig *kc, const struct kfile *f, long ui,
    const struct cy_user *u)
{
	char why[PATH_MAX + 128];
	unsigned i;

	if (u == NULL)
		return 0;
	if (is_set(u->token) && (is_set(u->username) || is_set(u->password)))
		return bad(f, "users", ui, "user", NULL,
		    "more than one authentication method found for %s; found "
		    "[token basicAuth], only one is allowed", kc->user);
	if (u->exec != NULL && u->auth_provider != NULL)
		return bad(f, "users", ui, "user", NULL,
		    "exec and auth-provider are both set for %s; only one is "
		    "allowed", kc->user);
	if (u->auth_provider != NULL)
		return bad(f, "users", ui, "user", "auth-provider",
		    "auth-provider '%s' is not supported: use an exec "
		    "credential plugin", u->auth_provider->name ?
		    u->auth_provider->name : "");
	/* what becomes a header is checked before any request is made */
	if (is_set(u->token) && has_ctl(u->token))
		return bad(f, "users", ui, "user", "token", NOT_A_HEADER);
	if (is_set(u->as) && has_ctl(u->as))
		return bad(f, "users", ui, "user", "as", NOT_A_HEADER);
	if (is_set(u->as_uid) && has_ctl(u->as_uid))
		return bad(f, "users", ui, "user", "as-uid", NOT_A_HEADER);
	for (i = 0; i < u->as_groups_count; i++)
		if (u->as_groups[i] != NULL && has_ctl(u->as_groups[i]))
			return bad(f, "users", ui, "user", "as-groups",
			    "item %u " NOT_A_HEADER, i + 1);
	if (is_set(u->token))
		kc->token = xstrdup(u->token);
	if (is_set(u->token_file)) {
		kc->token_file = resolve(f, u->token_file);
		if (read_token(kc->token_file, &kc->token, why,
		    sizeof(why)) == -1)
			return bad(f, "users", ui, "user", "tokenFile", "%s",
			    why);
		if (has_ctl(kc->token))
			return bad(f, "users", ui, "user", "tokenFile",
			    "'%s' " NOT_A_HEADER, kc->token_file);
		kc->token_read = time(NULL);
	}
	if (pem(f, "users", ui, "user", "client-certificate",
	    u->client_certificate, "client-certificate-data",
	    u->client_certificate_data, &kc->cert, &kc->cert_len) == -1)
		return -1;
	if (pem(f, "users", ui, "user", "client-key", u->client_key,
	    "client-key-data", u->client_key_data, &kc->key,
	    &kc->key_len) == -1)
		return -1;
	if (kc->cert != NULL && kc->key == NULL)
		return bad(f, "users", ui, "user", NULL,
		    "client-key-data or client-key must be specified for %s "
		    "to use the clientCert authentication method", kc->user);
	if (kc->key != NULL && kc->cert == NULL)
		return bad(f, "users", ui, "user", NULL,
		    "client-certificate-data or client-certificate must be "
		    "specified for %s to use the clientCert authentication "
		    "method", kc->user);
	if (is_set(u->username))
		kc->username = xstrdup(u->username);
	if (is_set(u->password))
		kc->password = xstrdup(u->password);
	if (is_set(u->as))
		kc->as = xstrdup(u->as);
	if (is_set(u->as_uid))
		kc->as_uid = xstrdup(u->as_uid);
	if (u->as_groups_count > 0) {
		kc->as_groups = xcalloc(u->as_groups_count + 1,
		    sizeof(*kc->as_groups));
		for (i = 0; i < u->as_groups_count; i++)
			kc->as_groups[i] = xstrdup(u->as_groups[i]);
	}
	if (u->exec != NULL)
		return load_exec(kc, f, ui, u->exec);
	return 0;
}

static int
load_cluster(struct mesh_kubeconfig *kc, const struct kfile *f, long ci,
    const struct cy_cluster *c)
{
	bool tls;

	if (c == NULL || !is_set(c->server))
		return bad(f, "clusters", ci, NULL, NULL,
		    "no server found for cluster '%s'", kc->cluster);
	if (has_ctl(c->server))
		return bad(f, "clusters", ci, "cluster", "server", NOT_IN_A_URL);
	if (is_set(c->tls_server_name) && has_ctl(c->tls_server_name))
		return bad(f, "clusters", ci, "cluster", "tls-server-name",
		    NOT_IN_A_URL);
	if (is_set(c->proxy_url) && has_ctl(c->proxy_url))
		return bad(f, "clusters", ci, "cluster", "proxy-url",
		    NOT_IN_A_URL);
	if (is_set(c->ca) && is_set(c->ca_data))
		return bad(f, "clusters", ci, "cluster",
		    "certificate-authority-data", "certificate-authority-data "
		    "and certificate-authority are both specified for %s; "
		    "certificate-authority-data will override", kc->cluster);
	if (c->insecure && (is_set(c->ca) || is_set(c->ca_data)))
		return bad(f, "clusters", ci, "cluster",
		    "insecure-skip-tls-verify", "specifying a root "
		    "certificates file with the insecure flag is not allowed");
	if (pem(f, "clusters", ci, "cluster", "certificate-authority", c->ca,
	    "certificate-authority-data", c->ca_data, &kc->ca,
	    &kc->ca_len) == -1)
		return -1;
	if (is_set(c->proxy_url) && strncmp(c->proxy_url, "http://", 7) != 0 &&
	    strncmp(c->proxy_url, "https://", 8) != 0 &&
	    strncmp(c->proxy_url, "socks5://", 9) != 0)
		return bad(f, "clusters", ci, "cluster", "proxy-url",
		    "unsupported scheme in '%s': use http, https or socks5",
		    c->proxy_url);
	tls = kc->ca != NULL || c->insecure || is_set(c->tls_server_name);
	kc->server = server_url(c->server, tls);
	kc->insecure = c->insecure;
	if (is_set(c->tls_server_name))
		kc->tls_server_name = xstrdup(c->tls_server_name);
	if (is_set(c->proxy_url))
		kc->proxy_url = xstrdup(c->proxy_url);
	kc->disable_compression = c->disable_compression;
	return 0;
}

static int
load_context(struct mesh_kubeconfig *kc, const struct kfiles *fs,
    const struct mesh_kubeconfig_opts *o, const char *name)
{
	const struct kfile *f, *cf, *uf;
	const struct cy_context *ctx;
	long xi, ci, ui;

	if ((f = lookup(fs, "contexts", name, &xi)) == NULL) {
		mesh_err(NULL, "context '%s' not found", name);
		return -1;
	}
	ctx = f->cfg->contexts[xi].context;
	kc->context = xstrdup(name);
	kc->source = xstrdup(f->path);
	if (ctx == NULL || !is_set(ctx->cluster))
		return bad(f, "contexts", xi, NULL, NULL,
		    "context '%s' names no cluster", name);
	kc->cluster = xstrdup(ctx->cluster);
	if ((cf = lookup(fs, "clusters", ctx->cluster, &ci)) == NULL)
		return bad(f, "contexts", xi, "context", "cluster",
		    "cluster '%s' was not found for context '%s'",
		    ctx->cluster, name);
	if (load_cluster(kc, cf, ci, cf->cfg->clusters[ci].cluster) == -1)
		return -1;
	if (is_set(ctx->user)) {
		kc->user = xstrdup(ctx->user);
		if ((uf = lookup(fs, "users", ctx->user, &ui)) == NULL)
			return bad(f, "contexts", xi, "context", "user",
			    "user '%s' was not found for context '%s'",
			    ctx->user, name);
		if (load_user(kc, uf, ui, uf->cfg->users[ui].user) == -1)
			return -1;
	}
	if (is_set(o->namespace)) {
		kc->namespace = xstrdup(o->namespace);
	} else if (is_set(ctx->namespace)) {
		if (!mesh_is_dns_label(ctx->namespace))
			return bad(f, "contexts", xi, "context", "namespace",
			    "namespace '%s' for context '%s' does not conform "
			    "to the kubernetes DNS_LABEL rules",
			    ctx->namespace, name);
		kc->namespace = xstrdup(ctx->namespace);
	}
	return 0;
}

/* The in-cluster configuration: 1 when used, 0 when not possible, -1. */
static int
load_in_cluster(struct mesh_kubeconfig *kc,
    const struct mesh_kubeconfig_opts *o)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("MESH_SERVICEACCOUNT_DIR");
	const char *pns = getenv("POD_NAMESPACE");
	struct mesh_buf b = MESH_BUF_INIT;
	struct stat st;
	char *path, why[PATH_MAX + 128];
	size_t s, e;

	if (!is_set(dir))
		dir = SA_DIR;
	if (!is_set(host) || !is_set(port))
		return 0;
	path = xasprintf("%s/token", dir);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		free(path);
		return 0;
	}
	kc->in_cluster = true;
	kc->source = xstrdup("in-cluster configuration");
	kc->token_file = path;
	if (read_token(path, &kc->token, why, sizeof(why)) == -1) {
		mesh_err(kc->source, "%s", why);
		return -1;
	}
	if (has_ctl(kc->token)) {
		mesh_err(kc->source, "'%s' " NOT_A_HEADER, path);
		return -1;
	}
	kc->token_read = time(NULL);
	kc->server = strchr(host, ':') != NULL ?
	    xasprintf("https://[%s]:%s", host, port) :
	    xasprintf("https://%s:%s", host, port);
	path = xasprintf("%s/ca.crt", dir);
	if (stat(path, &st) == 0) {
		if (mesh_slurp(path, &b, PEM_MAX) == -1) {
			free(path);
			return -1;
		}
		kc->ca_len = b.len;
		kc->ca = mesh_buf_detach(&b, NULL);
	}
	free(path);
	if (is_set(o->namespace)) {
		kc->namespace = xstrdup(o->namespace);
	} else if (is_set(pns)) {
		kc->namespace = xstrdup(pns);
	} else {
		path = xasprintf("%s/namespace", dir);
		if (stat(path, &st) == 0 && mesh_slurp(path, &b, 4096) == 0 &&
		    b.len > 0) {
			for (s = 0; s < b.len && isspace((unsigned char)
			    b.data[s]); s++)
				;
			for (e = b.len; e > s && isspace((unsigned char)
			    b.data[e - 1]); e--)
				;
			if (e > s)
				kc->namespace = xstrndup(b.data + s, e - s);
		}
		mesh_buf_release(&b);
		free(path);
	}
	return 1;
}

struct mesh_kubeconfig_files {
	struct kfiles fs;
};

struct mesh_kubeconfig_files *
mesh_kubeconfig_files_read(const char *kubeconfig)
{
	struct mesh_kubeconfig_files *files = xcalloc(1, sizeof(*files));

	if (read_kfiles(&files->fs, kubeconfig) == -1) {
		mesh_kubeconfig_files_free(files);
		return NULL;
	}
	return files;
}

void
mesh_kubeconfig_files_free(struct mesh_kubeconfig_files *files)
{
	if (files == NULL)
		return;
	kfiles_release(&files->fs);
	free(files);
}

int
mesh_kubeconfig_load(struct mesh_kubeconfig *kc,
    const struct mesh_kubeconfig_opts *o)
{
	struct mesh_kubeconfig_files *files;
	int rv;

	memset(kc, 0, sizeof(*kc));
	if ((files = mesh_kubeconfig_files_read(o->kubeconfig)) == NULL)
		return -1;
	rv = mesh_kubeconfig_select(kc, files, o);
	mesh_kubeconfig_files_free(files);
	return rv;
}

int
mesh_kubeconfig_select(struct mesh_kubeconfig *kc,
    const struct mesh_kubeconfig_files *files,
    const struct mesh_kubeconfig_opts *o)
{
	const struct kfiles *fs = &files->fs;
	const char *name = o->context;
	size_t i;
	int rv = -1, r;

	memset(kc, 0, sizeof(*kc));
	for (i = 0; !is_set(name) && i < fs->n; i++)
		if (fs->v[i].cfg != NULL &&
		    is_set(fs->v[i].cfg->current_context))
			name = fs->v[i].cfg->current_context;
	if (is_set(name)) {
		if (load_context(kc, fs, o, name) == -1)
			goto out;
	} else if ((r = load_in_cluster(kc, o)) != 1) {
		if (r == 0 && fs->n == 0)
			mesh_err(NULL, "no kubeconfig found: use --kubeconfig "
			    "or set KUBECONFIG");
		else if (r == 0)
			mesh_err(NULL, "current-context is not set: use "
			    "--context");
		goto out;
	}
	if (kc->namespace == NULL)
		kc->namespace = xstrdup("default");
	if (!mesh_is_dns_label(kc->namespace)) {
		mesh_err(NULL, "invalid namespace '%s'", kc->namespace);
		goto out;
	}
	rv = 0;
out:
	if (rv == -1)
		mesh_kubeconfig_release(kc);
	return rv;
}

static void
free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
mesh_kubeconfig_forget(struct mesh_kubeconfig *kc)
{
	mesh_kubeconfig_secret_free(kc->exec_token, 0);
	mesh_kubeconfig_secret_free(kc->exec_cert, kc->exec_cert_len);
	mesh_kubeconfig_secret_free(kc->exec_key, kc->exec_key_len);
	kc->exec_token = kc->exec_cert = kc->exec_key = NULL;
	kc->exec_cert_len = kc->exec_key_len = 0;
	kc->exec_expiry = 0;
	kc->exec_valid = false;
}

void
mesh_kubeconfig_release(struct mesh_kubeconfig *kc)
{
	size_t i;

	mesh_kubeconfig_forget(kc);
	if (kc->exec != NULL) {
		free_strv(kc->exec->argv);
		for (i = 0; kc->exec->env && kc->exec->env[i] != NULL; i++)
			wipe_str(kc->exec->env[i]);
		free_strv(kc->exec->env);
		free(kc->exec->api_version);
		free(kc->exec->install_hint);
		free(kc->exec);
	}
	free(kc->context);
	free(kc->source);
	free(kc->namespace);
	free(kc->cluster);
	free(kc->server);
	free(kc->ca);
	free(kc->tls_server_name);
	free(kc->proxy_url);
	free(kc->user);
	mesh_kubeconfig_secret_free(kc->token, 0);
	free(kc->token_file);
	free(kc->cert);
	mesh_kubeconfig_secret_free(kc->key, kc->key_len);
	free(kc->username);
	mesh_kubeconfig_secret_free(kc->password, 0);
	free(kc->as);
	free(kc->as_uid);
	free_strv(kc->as_groups);
	memset(kc, 0, sizeof(*kc));
}

/* ---- exec credential plugins ----------------------------------------- */

/* KUBERNETES_EXEC_INFO: the ExecCredential the plugin is given. */
static char *
exec_info(const struct mesh_kubeconfig *kc, bool interactive)
{
	struct mesh_buf b = MESH_BUF_INIT;

	mesh_buf_adds(&b, "KUBERNETES_EXEC_INFO={\"kind\":\"ExecCredential\","
	    "\"apiVersion\":");
	mesh_json_string(&b, kc->exec->api_version,
	    strlen(kc->exec->api_version));
	mesh_buf_adds(&b, ",\"spec\":{");
	if (kc->exec->provide_cluster_info) {
		mesh_buf_adds(&b, "\"cluster\":{\"server\":");
		mesh_json_string(&b, kc->server, strlen(kc->server));
		if (kc->tls_server_name != NULL) {
			mesh_buf_adds(&b, ",\"tls-server-name\":");
			mesh_json_string(&b, kc->tls_server_name,
			    strlen(kc->tls_server_name));
		}
		if (kc->insecure)
			mesh_buf_adds(&b, ",\"insecure-skip-tls-verify\":true");
		if (kc->ca != NULL) {
			mesh_buf_adds(&b, ",\"certificate-authority-data\":\"");
			mesh_base64_encode(&b, kc->ca, kc->ca_len);
			mesh_buf_addc(&b, '"');
		}
		if (kc->proxy_url != NULL) {
			mesh_buf_adds(&b, ",\"proxy-url\":");
			mesh_json_string(&b, kc->proxy_url,
			    strlen(kc->proxy_url));
		}
		if (kc->disable_compression)
			mesh_buf_adds(&b, ",\"disable-compression\":true");
		mesh_buf_adds(&b, "},");
	}
	mesh_buf_addf(&b, "\"interactive\":%s}}",
	    interactive ? "true" : "false");
	return mesh_buf_detach(&b, NULL);
}

/* The environment: ours, minus what exec.env and we set, then those. */
static char **
exec_env(const struct mesh_kubeconfig *kc, char *info)
{
	char **extra = kc->exec->env, **env;
	size_t n = 0, m = 0, i, j, k;

	while (environ[n] != NULL)
		n++;
	while (extra[m] != NULL)
		m++;
	env = xcalloc(n + m + 2, sizeof(*env));
	for (i = k = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		bool replaced = strncmp(environ[i], "KUBERNETES_EXEC_INFO=",
		    21) == 0;

		for (j = 0; j < m && !replaced; j++)
			if (strncmp(environ[i], extra[j], len + 1) == 0)
				replaced = true;
		if (!replaced)
			env[k++] = environ[i];
	}
	for (j = 0; j < m; j++)
		env[k++] = extra[j];
	env[k++] = info;
	env[k] = NULL;
	return env;
}

/* Where execvp would find name: PATH lookup of a bare name, or NULL. */
static char *
find_exec(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char *full;

	if (strchr(name, '/') != NULL)
		return xstrdup(name);
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		full = e == p ? xasprintf("./%s", name) :
		    xasprintf("%.*s/%s", (int)(e - p), p, name);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
		if (*e == '\0')
			return NULL;
	}
}

/* Text from a kubeconfig as one line: control characters and runs of
 * white space become one space (ANSI escapes cannot reach the terminal). */
static char *
printable(const char *s)
{
	char *t = xmalloc(strlen(s) + 1), *p = t;
	bool space = false;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f) {
			space = p > t;
			continue;
		}
		if (space)
			*p++ = ' ';
		space = false;
		*p++ = *s;
	}
	*p = '\0';
	return t;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* An RFC 3339 time, as Go's time.RFC3339 reads it.  0 or -1. */
static int
parse_rfc3339(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, n = 0;
	long off = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
		return -1;
	p = s + 19;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
			return -1;
		off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L +
	    mi * 60L + sec - off);
	return 0;
}

/*
 * Wait for the plugin's output (fd) or its end until end (a time on
 * mesh_now_ms' clock, 0: none).  1 when fd has something, 0 when the time
 * is up, -1 on a poll error.
 */
static int
wait_readable(int fd, long end)
{
	struct pollfd p;
	long left;
	int r;

	for (;;) {
		left = end ? end - mesh_now_ms() : -1;
		if (end && left <= 0)
			return 0;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r > 0)
			return 1;
	}
}

/* Reap pid by end (0: no limit).  1 with *status, 0 when time is up. */
static int
reap(pid_t pid, int *status, long end)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, end ? WNOHANG : 0);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r == 0) {
			if (mesh_now_ms() >= end)
				return 0;
			mesh_sleep_ms(10);
		}
	}
}

/*
 * Run the plugin, its stdout into out, by end (a time on mesh_now_ms'
 * clock, 0: none).  0 or -1 after a report.
 */
static int
run_plugin(struct mesh_kubeconfig *kc, struct mesh_buf *out, long deadline,
    long exec_ms)
{
	const struct mesh_kubeconfig_exec *x = kc->exec;
	char *path = NULL, *info = NULL, **env = NULL, *hint, t[32];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, status, err = 0, w;
	bool interactive = false, group = false;
	long start = mesh_now_ms(), end = deadline;
	pid_t pid = -1;
	ssize_t r;
	int rv = -1;

	if (x->interactive == MESH_KUBECONFIG_ALWAYS && !isatty(0)) {
		mesh_err(NULL, "exec plugin cannot support interactive mode: "
		    "standard input is not a terminal");
		return -1;
	}
	interactive = x->interactive != MESH_KUBECONFIG_NEVER && isatty(0);
	/* one that may be talking to the user gets only the deadline */
	if (!interactive && exec_ms > 0 && (end == 0 || start + exec_ms < end))
		end = start + exec_ms;
	if ((path = find_exec(x->argv[0])) == NULL) {
		if (x->install_hint != NULL) {
			hint = printable(x->install_hint);
			mesh_err(NULL, "exec plugin '%s' not found: %s",
			    x->argv[0], hint);
			free(hint);
		} else {
			mesh_err(NULL, "exec plugin '%s' not found in PATH",
			    x->argv[0]);
		}
		return -1;
	}
	info = exec_info(kc, interactive);
	env = exec_env(kc, info);
	if (pipe(outp) == -1 || pipe(errp) == -1 ||
	    fcntl(outp[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(errp[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(errp[1], F_SETFD, FD_CLOEXEC) == -1) {
		mesh_err(NULL, "cannot run exec plugin '%s':", path);
		goto out;
	}
	if ((pid = fork()) == -1) {
		mesh_err(NULL, "cannot run exec plugin '%s':", path);
		goto out;
	}
	if (pid == 0) {
		int fd;

		/*
		 * A group of its own, so that all it started can be stopped
		 * together; not when it may read the terminal, which only
		 * the foreground group can.
		 */
		if (!interactive)
			setpgid(0, 0);
		if (dup2(outp[1], 1) == -1)
			_exit(127);
		if (!interactive && (fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		signal(SIGPIPE, SIG_DFL);
		execve(path, x->argv, env);
		err = errno;
		if (write(errp[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	if (!interactive) {
		setpgid(pid, pid);	/* whichever of us comes first */
		group = true;
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	while ((r = read(errp[0], &err, sizeof(err))) == -1 && errno == EINTR)
		;
	if (r == (ssize_t)sizeof(err)) {
		errno = err;
		mesh_err(NULL, "cannot run exec plugin '%s':", path);
		goto out;
	}
	for (;;) {
		char *p;

		if ((w = wait_readable(outp[0], end)) == 0)
			goto late;
		if (w == -1) {
			mesh_err(NULL, "exec plugin '%s':", path);
			goto out;
		}
		p = mesh_buf_grow(out, 4096);
		if ((r = read(outp[0], p, 4096)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		out->len += (size_t)r;
		out->data[out->len] = '\0';
		if (out->len > EXEC_OUT_MAX) {
			mesh_err(NULL, "exec plugin '%s' printed more than "
			    "%u bytes", path, EXEC_OUT_MAX);
			goto out;
		}
	}
	if ((w = reap(pid, &status, end)) == 0)
		goto late;
	if (w == -1) {
		mesh_err(NULL, "exec plugin '%s':", path);
		pid = -1;
		goto out;
	}
	pid = -1;
	if (WIFSIGNALED(status)) {
		mesh_err(NULL, "exec plugin '%s' was killed by signal %d", path,
		    WTERMSIG(status));
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		mesh_err(NULL, "exec plugin '%s' failed with exit code %d",
		    path, WEXITSTATUS(status));
		goto out;
	}
	rv = 0;
	goto out;
late:
	if (end == deadline) {
		mesh_err(NULL, "exec plugin '%s' gave no credentials before "
		    "the time limit: stopped", path);
	} else {
		mesh_kube_fmt_ms(t, sizeof(t), exec_ms);
		mesh_err(NULL, "exec plugin '%s' gave no credentials within "
		    "%s: stopped", path, t);
	}
out:
	if (outp[0] != -1)
		close(outp[0]);
	if (outp[1] != -1)
		close(outp[1]);
	if (errp[0] != -1)
		close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	if (pid > 0) {
		/* all it started goes with it */
		if (group)
			kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	free(env);
	mesh_kubeconfig_secret_free(info, 0);
	free(path);
	return rv;
}

/* Run the plugin and keep what it returns.  0 or -1 after a report. */
static int
run_exec(struct mesh_kubeconfig *kc, long deadline, long exec_ms)
{
	const char *cmd = kc->exec->argv[0], *v, *tok, *cert, *key, *exp;
	struct mesh_buf out = MESH_BUF_SECRET;
	struct mesh_doc *doc = NULL;
	struct mesh_node *status;
	struct mesh_limits lim;
	time_t expiry = 0;
	int rv = -1;

	if (run_plugin(kc, &out, deadline, exec_ms) == -1)
		goto out;
	mesh_limits_init(&lim);
	if ((doc = mesh_parse_string(cmd, out.data ? out.data : "", &lim,
	    true)) == NULL || !mesh_is_map(doc->root)) {
		mesh_err(NULL, "exec plugin '%s': cannot decode its output",
		    cmd);
		goto out;
	}
	v = mesh_map_getstr(doc->root, "apiVersion");
	if (v == NULL || strcmp(v, kc->exec->api_version) != 0) {
		mesh_err(NULL, "exec plugin is configured to use API version "
		    "%s, plugin returned version %s", kc->exec->api_version,
		    v ? v : "(none)");
		goto out;
	}
	if ((status = mesh_map_get(doc->root, "status")) == NULL ||
	    !mesh_is_map(status)) {
		mesh_err(NULL, "exec plugin didn't return a status field");
		goto out;
	}
	tok = mesh_map_getstr(status, "token");
	cert = mesh_map_getstr(status, "clientCertificateData");
	key = mesh_map_getstr(status, "clientKeyData");
	exp = mesh_map_getstr(status, "expirationTimestamp");
	if (!is_set(tok) && !is_set(cert) && !is_set(key)) {
		mesh_err(NULL, "exec plugin didn't return a token or cert/key "
		    "pair");
		goto out;
	}
	if (is_set(cert) != is_set(key)) {
		mesh_err(NULL, "exec plugin returned only certificate or key, "
		    "not both");
		goto out;
	}
	if (is_set(exp) && parse_rfc3339(exp, &expiry) == -1) {
		mesh_err(NULL, "exec plugin '%s': invalid expirationTimestamp "
		    "'%s'", cmd, exp);
		goto out;
	}
	if (is_set(tok) && has_ctl(tok)) {
		mesh_err(kc->source, "exec plugin '%s' returned a token that "
		    NOT_A_HEADER, cmd);
		goto out;
	}
	mesh_kubeconfig_forget(kc);
	if (is_set(tok))
		kc->exec_token = xstrdup(tok);
	if (is_set(cert)) {
		kc->exec_cert = xstrdup(cert);
		kc->exec_cert_len = strlen(cert);
		kc->exec_key = xstrdup(key);
		kc->exec_key_len = strlen(key);
	}
	kc->exec_expiry = expiry;
	kc->exec_valid = true;
	rv = 0;
out:
	if (doc != NULL)
		wipe_tree(doc->root);
	mesh_doc_free(doc);
	mesh_wipe_buf(&out);
	return rv;
}

int
mesh_kubeconfig_auth(struct mesh_kubeconfig *kc,
    struct mesh_kubeconfig_auth *a, long deadline, long exec_ms)
{
	time_t now = time(NULL);

	memset(a, 0, sizeof(*a));
	if (kc->token_file != NULL && now - kc->token_read >= TOKEN_REREAD) {
		char why[PATH_MAX + 128];

		/* the file wins over an inline token; keep ours on failure */
		(void)read_token(kc->token_file, &kc->token, why, sizeof(why));
		kc->token_read = now;
		if (kc->token != NULL && has_ctl(kc->token)) {
			mesh_err(kc->source, "tokenFile '%s' " NOT_A_HEADER,
			    kc->token_file);
			return -1;
		}
	}
	a->token = kc->token;
	a->username = kc->username;
	a->password = kc->password;
	a->cert = kc->cert;
	a->cert_len = kc->cert_len;
	a->key = kc->key;
	a->key_len = kc->key_len;
	/* the plugin runs only when nothing else is configured */
	if (kc->exec == NULL || kc->token != NULL || kc->username != NULL ||
	    kc->cert != NULL)
		return 0;
	if (!kc->exec_valid || (kc->exec_expiry != 0 &&
	    now >= kc->exec_expiry)) {
		if (run_exec(kc, deadline, exec_ms) == -1)
			return -1;
	}
	a->token = kc->exec_token;
	a->cert = kc->exec_cert;
	a->cert_len = kc->exec_cert_len;
	a->key = kc->exec_key;
	a->key_len = kc->exec_key_len;
	return 0;
}
