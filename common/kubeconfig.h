/*
 * kubeconfig: which files kubectl would read, merged as kubectl merges
 * them, and the one context, cluster and user selected from them; or the
 * in-cluster configuration of a pod.  Also the credentials of that user,
 * exec credential plugins included.
 *
 * Files: --kubeconfig alone; else every file in KUBECONFIG (':'-separated,
 * missing ones skipped); else $HOME/.kube/config.  The first file that
 * names a cluster, user or context wins it whole; current-context comes
 * from the first file that sets one.  Relative paths in a stanza are
 * resolved against the directory of the file that defined it.
 *
 * In-cluster: when no kubeconfig file exists (or none selects a context)
 * and KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set, the
 * server is https://HOST:PORT and the token, CA and namespace come from
 * /var/run/secrets/kubernetes.io/serviceaccount, or from the directory
 * named by MESH_SERVICEACCOUNT_DIR when that is set (for tests).
 */
#ifndef MESH_KUBECONFIG_H
#define MESH_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* What the command line asked for; each may be NULL. Borrowed. */
struct mesh_kubeconfig_opts {
	const char *kubeconfig;		/* --kubeconfig: that file */
	const char *context;		/* --context */
	const char *namespace;		/* -n, --namespace */
};

enum mesh_kubeconfig_interactive {
	MESH_KUBECONFIG_NEVER,
	MESH_KUBECONFIG_IF_AVAILABLE,
	MESH_KUBECONFIG_ALWAYS
};

/* users[].user.exec, resolved. */
struct mesh_kubeconfig_exec {
	char **argv;		/* command, then args; NULL-terminated */
	char **env;		/* "NAME=value" to add; NULL-terminated */
	char *api_version;	/* client.authentication.k8s.io/v1[beta1] */
	enum mesh_kubeconfig_interactive interactive;
	bool provide_cluster_info;
	char *install_hint;	/* or NULL */
};

/*
 * The credentials of one request, all borrowed from the kubeconfig and
 * valid until the next mesh_kubeconfig_auth or mesh_kubeconfig_release.
 * Any may be NULL.
 */
struct mesh_kubeconfig_auth {
	const char *token;
	const char *username, *password;
	const char *cert, *key;		/* PEM */
	size_t cert_len, key_len;
};

/*
 * The selected configuration.  Strings are NULL when not set; ca, cert
 * and key hold PEM bytes read from the files or decoded from the -data
 * fields.  token, password and key are secrets: never print them.
 */
struct mesh_kubeconfig {
	char *context;		/* NULL in-cluster */
	char *source;		/* the context's file, for messages */
	char *namespace;	/* never NULL after a load */
	bool in_cluster;

	char *cluster;		/* cluster's name */
	char *server;		/* base URL, no trailing '/' */
	char *ca;
	size_t ca_len;
	bool insecure;		/* insecure-skip-tls-verify */
	char *tls_server_name;
	char *proxy_url;
	bool disable_compression;

	char *user;		/* user's name */
	char *token;
	char *token_file;	/* re-read at most once a minute; wins */
	time_t token_read;
	char *cert, *key;
	size_t cert_len, key_len;
	char *username, *password;
	char *as, *as_uid;	/* impersonation */
	char **as_groups;	/* NULL-terminated, or NULL */
	struct mesh_kubeconfig_exec *exec;

	/* credentials from the exec plugin, cached until they expire */
	char *exec_token, *exec_cert, *exec_key;
	size_t exec_cert_len, exec_key_len;
	time_t exec_expiry;	/* 0: for as long as we run */
	bool exec_valid;
};

/*
 * Load the kubeconfig files as kubectl does and select the context,
 * cluster, user and namespace (-n, else the context's, else "default").
 * Reports the first problem ("FILE:LINE:COL: users[0].user.token:
 * expected a string, not a mapping", "context 'x' not found", ...) and
 * returns -1; kc then holds nothing.  Release kc in both cases.  What
 * would become a header or a URL (token, tokenFile's token, as, as-uid,
 * as-groups, server, tls-server-name, proxy-url) must hold no control
 * character: it is refused here, before any request, its value unsaid.
 */
int mesh_kubeconfig_load(struct mesh_kubeconfig *kc,
    const struct mesh_kubeconfig_opts *o);

/*
 * The files of a kubeconfig (kubeconfig: --kubeconfig's, or NULL for
 * KUBECONFIG's or the default), read and checked once, for selecting
 * several contexts from them (mesh_kubeconfig_select); NULL after a
 * report.  mesh_kubeconfig_load is read, select and free.  Once read,
 * the files are only read: threads may select from them at once.
 */
struct mesh_kubeconfig_files;
struct mesh_kubeconfig_files *mesh_kubeconfig_files_read(
    const char *kubeconfig);
void mesh_kubeconfig_files_free(struct mesh_kubeconfig_files *files);
/* mesh_kubeconfig_load from files read before (o->kubeconfig unused). */
int mesh_kubeconfig_select(struct mesh_kubeconfig *kc,
    const struct mesh_kubeconfig_files *files,
    const struct mesh_kubeconfig_opts *o);
/* Wipe the secrets and free everything; kc may be reused after a load. */
void mesh_kubeconfig_release(struct mesh_kubeconfig *kc);

/*
 * The credentials for the next request: the token (re-read from
 * tokenFile once a minute), basic auth, the client certificate, or what
 * the exec plugin returns, run when no other credential is set and no
 * cached one is left.  The plugin must be done by deadline (a time on
 * mesh_now_ms' clock; 0: none) and, unless it may talk to the user,
 * within exec_ms (0: no limit); past that its process group is killed.
 * 0, or -1 after reporting why the plugin failed.  A token holding a
 * control character is refused (it would forge headers).
 */
int mesh_kubeconfig_auth(struct mesh_kubeconfig *kc,
    struct mesh_kubeconfig_auth *a, long deadline, long exec_ms);

/* The server refused the credentials: run the exec plugin again next. */
void mesh_kubeconfig_forget(struct mesh_kubeconfig *kc);

/* Wipe n bytes of p (n 0: p is a string), then free it; NULL is fine. */
void mesh_kubeconfig_secret_free(void *p, size_t n);

#endif
