/*
 * mesh-secret's private header: the options every subcommand reads, the
 * documents they print, and the remote-secret logic shared by remote and
 * its mesh description mode.
 *
 * main.c          options, usage and dispatch
 * doc.c           building and writing the Secrets
 * remotesecret.c  istioctl's create-remote-secret: credentials from a
 *                 cluster or a kubeconfig, the kubeconfig inside the Secret
 * remote.c        the remote subcommand
 * cacerts.c       the cacerts subcommand: a root kept on disk, one
 *                 intermediate per cluster
 * verify.c        cacerts --verify
 * tls.c           the tls subcommand
 */
#ifndef MESH_SECRET_H
#define MESH_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "pki.h"
#include "stream.h"

#define ISTIO_SYSTEM	"istio-system"
#define READER_SA	"istio-reader-service-account"
#define SA_TOKEN_TYPE	"kubernetes.io/service-account-token"
#define SA_NAME_ANN	"kubernetes.io/service-account.name"
#define CLUSTER_ANN	"networking.istio.io/cluster"
#define MESH_CLUSTER_ANN "meshline.io/cluster"
#define EXPIRY_ANN	"meshline.io/token-expires"
#define INSECURE_ENV	"PILOT_INSECURE_MULTICLUSTER_KUBECONFIG_OPTIONS"
#define TOKEN_WAIT_MS	5000	/* istioctl: 5 more tries, 1 s apart */
#define TOKEN_POLL_MS	200
#define PEM_MAX		(1024 * 1024)

enum cmd { CMD_NONE, CMD_REMOTE, CMD_CACERTS, CMD_TLS };

/* Options that only some subcommands take, as bits. */
#define F_ALLOW_LOOPBACK	(1ull << 0)
#define F_AUTH_PLUGIN_CONFIG	(1ull << 1)
#define F_AUTH_PLUGIN_NAME	(1ull << 2)
#define F_AUTH_TYPE	(1ull << 3)
#define F_CA_CONFIGMAP	(1ull << 4)
#define F_CA_DIR	(1ull << 5)
#define F_CLUSTER	(1ull << 6)
#define F_CONTEXT	(1ull << 7)
#define F_CREATE_SA	(1ull << 8)
#define F_DAYS	(1ull << 9)
#define F_FILENAME	(1ull << 10)
#define F_FORCE	(1ull << 11)
#define F_FROM_KUBECONFIG	(1ull << 12)
#define F_HOST	(1ull << 13)
#define F_ISTIO_NS	(1ull << 14)
#define F_KEY_SIZE	(1ull << 15)
#define F_KEY_TYPE	(1ull << 16)
#define F_KUBECONFIG	(1ull << 17)
#define F_NAME	(1ull << 18)
#define F_NAMESPACE	(1ull << 19)
#define F_ORG	(1ull << 20)
#define F_READ_ONLY	(1ull << 21)
#define F_REQUEST_TIMEOUT	(1ull << 22)
#define F_ROOT_DIR	(1ull << 23)
#define F_ROTATE	(1ull << 24)
#define F_SECRET_NAME	(1ull << 25)
#define F_SERVER	(1ull << 26)
#define F_SERVICE_ACCOUNT	(1ull << 27)
#define F_TLS_SERVER_NAME	(1ull << 28)
#define F_TOKEN_TTL	(1ull << 29)
#define F_TYPE	(1ull << 30)
#define F_VERIFY	(1ull << 31)
#define F_TIMEOUT	(1ull << 32)
#define F_DIR	(1ull << 33)
#define F_FOR	(1ull << 34)
#define F_STEP	(1ull << 35)
#define F_ROUTE	(F_DIR | F_FOR | F_STEP)	/* -f's routing */

struct pair {
	char *key, *value;
};

struct opts {
	enum cmd cmd;
	unsigned long long seen;
	enum mesh_format fmt;

	/* remote */
	const char *kubeconfig, *context, *namespace, *istio_namespace;
	const char *name, *type, *service_account, *server, *tls_server_name;
	const char *secret_name, *auth_type, *auth_plugin_name;
	const char *from_kubeconfig;
	struct pair *plugin_config;
	size_t nplugin_config;
	bool create_sa, rotate, read_only, allow_loopback, server_given;
	long token_ttl_s, timeout_ms;
	long deadline;			/* --timeout: the run's end, or 0 */

	/* cacerts and tls */
	const char **clusters;
	size_t nclusters;
	const char **rotate_clusters;	/* cacerts -f --rotate */
	size_t nrotate;
	const char **files;
	size_t nfiles;
	const char *root_dir, *org, *host, *ca_dir, *ca_configmap;
	enum mesh_key_type key_type;
	int key_size;
	long days;
	bool verify, force, output_given;

	/* -f: --for, --dir, --step (route.h) */
	const char *consumer, *dir, *step;
};

#define CACERTS_DAYS	3650	/* Istio's ROOTCA_DAYS, INTERMEDIATE_DAYS */
#define TLS_DAYS	365
#define TLS_SECRET	"external-istiod-tls"

/* ---- doc.c ------------------------------------------------------------ */

/* istioctl's check of a cluster ID: a DNS-1123 label, upper case allowed. */
bool is_cluster_id(const char *s);
struct mesh_desc;
/*
 * With -f: write the n documents of docs, docs[i] of step steps[i], as
 * --for, --dir and --step say (mesh(7), ROUTING), the steps of the
 * subcommand being mine (NULL-ended) for --dir to take back; the cluster
 * is --cluster's.  Takes the documents.  0, or -1 after a report.
 */
int route_docs(const struct opts *o, const struct mesh_desc *d,
    struct mesh_doc **docs, const char *const *steps, size_t n,
    const char *const *mine);
struct mesh_node *put_str(struct mesh_doc *doc, struct mesh_node *map,
    const char *key, const char *value);
struct mesh_node *put_map(struct mesh_doc *doc, struct mesh_node *map,
    const char *key);
/* A document of ours, an empty mapping, to be written from its tree. */
struct mesh_doc *new_doc(const char *src);
/* A v1 object with kind, metadata.name and metadata.namespace. */
struct mesh_doc *new_object(const char *kind, const char *name,
    const char *ns, struct mesh_node **meta);
/* Free a document that holds a secret, wiping it. */
void doc_free_secret(struct mesh_doc *doc);
/* A data entry: the base64 of n bytes at p. */
void put_b64(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    const void *p, size_t n);
/*
 * The bytes of key in a Secret, from stringData (text) or data (base64),
 * appended to b: 0, 1 when it has none (or an empty one), -1 when the
 * data is not base64 (b may then hold part of it).  Reports nothing.
 */
int secret_bytes(const struct mesh_node *secret, const char *key,
    struct mesh_buf *b);
/* Write the documents, all or nothing. */
int write_docs(struct mesh_writer *w, struct mesh_doc **docs, size_t n);
/* Say where a new CA's key now is: it must be kept. */
void note_new_ca(const char *dir, const char *what, const char *key_file);
/*
 * A CA kept in dir, its files named key_file and cert_file, a new one
 * made from spec with the key type, size and --force of o.
 */
void ca_opts_init(struct mesh_ca_opts *co, const struct opts *o,
    const char *dir, const char *key_file, const char *cert_file,
    const struct mesh_cert_spec *spec);

/* ---- remotesecret.c ---------------------------------------------------- */

struct remote {
	struct opts *o;
	/* -f: the kubeconfig files, read once for every source; or NULL */
	const struct mesh_kubeconfig_files *files;
	struct mesh_kubeconfig kc;
	struct mesh_kube *k;
	const char *src_ns;		/* the service account's */
	const char *secret_ns;		/* the Secret's */
	const char *sa;
	char *cluster;			/* the cluster ID */
	const char *server;
	struct mesh_buf ca;		/* PEM for certificate-authority-data */
	char *token;			/* secret */
	size_t token_len;
	char *expiry;			/* --token-ttl: when it ends */
};

/* Is the server in the kubeconfig (or --server) one istiod can use? */
int check_server(struct remote *r);
/* Credentials from the cluster itself (creating what is missing). */
int from_cluster(struct remote *r);
/* Credentials copied from a kubeconfig that holds them already. */
int from_kubeconfig(struct remote *r);
/* What istiod refuses in the Secret's kubeconfig by default, said once. */
void warn_refused(struct remote *r);
/* The remote Secret, written from its tree; NULL after a report. */
struct mesh_doc *remote_secret_doc(struct remote *r);
/* Write the remote Secret: YAML as istioctl writes it, or JSON. */
int put_remote_secret(struct remote *r, struct mesh_writer *w);

/* ---- the subcommands --------------------------------------------------- */

int run_remote(struct opts *o, struct mesh_writer *w);
int run_cacerts(struct opts *o, struct mesh_writer *w);
int run_verify(struct opts *o);
int run_tls(struct opts *o, struct mesh_writer *w);

#endif
