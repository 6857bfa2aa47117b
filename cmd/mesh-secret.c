/*
 * mesh-secret: the Secrets a multicluster mesh needs.  remote reads a
 * cluster's service account credentials and prints the Secret that lets
 * istiod in another cluster read it, as istioctl create-remote-secret
 * does; cacerts makes a root CA (kept on disk) and one intermediate CA per
 * cluster, as Istio's plug-in CA Makefile does, and prints each cluster's
 * cacerts Secret, or checks such Secrets; tls makes the serving
 * certificate of the external istiod's address, signed by a CA kept on
 * disk.  Output is YAML or JSON on stdout, all or nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "parse.h"
#include "pki.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

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

static const char *const cmd_names[] = { "", "remote", "cacerts", "tls" };

/* Options that only some subcommands take, as bits. */
#define F_ALLOW_LOOPBACK	(1u << 0)
#define F_AUTH_PLUGIN_CONFIG	(1u << 1)
#define F_AUTH_PLUGIN_NAME	(1u << 2)
#define F_AUTH_TYPE	(1u << 3)
#define F_CA_CONFIGMAP	(1u << 4)
#define F_CA_DIR	(1u << 5)
#define F_CLUSTER	(1u << 6)
#define F_CONTEXT	(1u << 7)
#define F_CREATE_SA	(1u << 8)
#define F_DAYS	(1u << 9)
#define F_FILENAME	(1u << 10)
#define F_FORCE	(1u << 11)
#define F_FROM_KUBECONFIG	(1u << 12)
#define F_HOST	(1u << 13)
#define F_ISTIO_NS	(1u << 14)
#define F_KEY_SIZE	(1u << 15)
#define F_KEY_TYPE	(1u << 16)
#define F_KUBECONFIG	(1u << 17)
#define F_NAME	(1u << 18)
#define F_NAMESPACE	(1u << 19)
#define F_ORG	(1u << 20)
#define F_READ_ONLY	(1u << 21)
#define F_REQUEST_TIMEOUT	(1u << 22)
#define F_ROOT_DIR	(1u << 23)
#define F_ROTATE	(1u << 24)
#define F_SECRET_NAME	(1u << 25)
#define F_SERVER	(1u << 26)
#define F_SERVICE_ACCOUNT	(1u << 27)
#define F_TLS_SERVER_NAME	(1u << 28)
#define F_TOKEN_TTL	(1u << 29)
#define F_TYPE	(1u << 30)
#define F_VERIFY	(1u << 31)

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ F_ALLOW_LOOPBACK, "--allow-loopback" },
	{ F_AUTH_PLUGIN_CONFIG, "--auth-plugin-config" },
	{ F_AUTH_PLUGIN_NAME, "--auth-plugin-name" },
	{ F_AUTH_TYPE, "--auth-type" },
	{ F_CA_CONFIGMAP, "--ca-configmap" },
	{ F_CA_DIR, "--ca-dir" },
	{ F_CLUSTER, "--cluster" },
	{ F_CONTEXT, "--context" },
	{ F_CREATE_SA, "--create-service-account" },
	{ F_DAYS, "--days" },
	{ F_FILENAME, "--filename" },
	{ F_FORCE, "--force" },
	{ F_FROM_KUBECONFIG, "--from-kubeconfig" },
	{ F_HOST, "--host" },
	{ F_ISTIO_NS, "--istio-namespace" },
	{ F_KEY_SIZE, "--key-size" },
	{ F_KEY_TYPE, "--key-type" },
	{ F_KUBECONFIG, "--kubeconfig" },
	{ F_NAME, "--name" },
	{ F_NAMESPACE, "--namespace" },
	{ F_ORG, "--org" },
	{ F_READ_ONLY, "--read-only" },
	{ F_REQUEST_TIMEOUT, "--request-timeout" },
	{ F_ROOT_DIR, "--root-dir" },
	{ F_ROTATE, "--rotate" },
	{ F_SECRET_NAME, "--secret-name" },
	{ F_SERVER, "--server" },
	{ F_SERVICE_ACCOUNT, "--service-account" },
	{ F_TLS_SERVER_NAME, "--tls-server-name" },
	{ F_TOKEN_TTL, "--token-ttl" },
	{ F_TYPE, "--type" },
	{ F_VERIFY, "--verify" },
};

/* What each subcommand takes, in the order of enum cmd. */
static const unsigned cmd_flags[] = {
	0,
	F_ALLOW_LOOPBACK | F_AUTH_PLUGIN_CONFIG | F_AUTH_PLUGIN_NAME |
	    F_AUTH_TYPE | F_CONTEXT | F_CREATE_SA | F_FROM_KUBECONFIG |
	    F_ISTIO_NS | F_KUBECONFIG | F_NAME | F_NAMESPACE | F_READ_ONLY |
	    F_REQUEST_TIMEOUT | F_ROTATE | F_SECRET_NAME | F_SERVER |
	    F_SERVICE_ACCOUNT | F_TLS_SERVER_NAME | F_TOKEN_TTL | F_TYPE,
	F_CLUSTER | F_DAYS | F_FILENAME | F_FORCE | F_ISTIO_NS | F_KEY_SIZE |
	    F_KEY_TYPE | F_ORG | F_ROOT_DIR | F_VERIFY,
	F_CA_CONFIGMAP | F_CA_DIR | F_DAYS | F_FORCE | F_HOST | F_KEY_SIZE |
	    F_KEY_TYPE | F_NAME | F_NAMESPACE,
};

struct pair {
	char *key, *value;
};

struct opts {
	enum cmd cmd;
	unsigned seen;
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

	/* cacerts and tls */
	const char **clusters;
	size_t nclusters;
	const char **files;
	size_t nfiles;
	const char *root_dir, *org, *host, *ca_dir, *ca_configmap;
	enum mesh_key_type key_type;
	int key_size;
	long days;
	bool verify, force, output_given;
};

/* Each subcommand's usage, its continuation lines indented. */
static const char *const cmd_usage[] = {
	[CMD_REMOTE] =
	"mesh-secret remote [-hV] [-o yaml|json] [--context ctx] "
	"[--kubeconfig file]\n"
	"           [-n ns] [--istio-namespace ns] [--name cluster] "
	"[--type remote|config]\n"
	"           [--service-account sa] "
	"[--create-service-account[=true|false]]\n"
	"           [--secret-name secret] [--token-ttl duration] "
	"[--rotate] [--read-only]\n"
	"           [--server url] [--tls-server-name name] "
	"[--allow-loopback]\n"
	"           [--auth-type bearer-token|plugin] [--auth-plugin-name "
	"name]\n"
	"           [--auth-plugin-config key=value] [--from-kubeconfig "
	"file]\n"
	"           [--request-timeout duration]\n",
	[CMD_CACERTS] =
	"mesh-secret cacerts --cluster name [-o yaml|json] "
	"[--root-dir dir]\n"
	"           [--key-type rsa|ecdsa] [--key-size bits] [--days n] "
	"[--org org]\n"
	"           [--istio-namespace ns] [--force]\n"
	"       mesh-secret cacerts --verify [-f file]\n",
	[CMD_TLS] =
	"mesh-secret tls --host name [-o yaml|json] [--name secret] "
	"[-n ns]\n"
	"           [--ca-dir dir] [--ca-configmap name] [--days n]\n"
	"           [--key-type rsa|ecdsa] [--key-size bits] [--force]\n",
};

static _Noreturn void
usage(int status)
{
	FILE *f = status == MESH_EXIT_OK ? stdout : stderr;

	fprintf(f, "usage: %s       %s       %s", cmd_usage[CMD_REMOTE],
	    cmd_usage[CMD_CACERTS], cmd_usage[CMD_TLS]);
	if (status == MESH_EXIT_OK)
		fputs(
		    "\n"
		    "Print the Secrets of an Istio multicluster mesh.\n"
		    "\n"
		    "  remote    the Secret that lets istiod in another cluster "
		    "read this one, as\n"
		    "            istioctl create-remote-secret prints it "
		    "(--type config: the\n"
		    "            external istiod's istio-kubeconfig)\n"
		    "  cacerts   a root CA kept in --root-dir (./mesh-ca) and, "
		    "for each --cluster,\n"
		    "            an intermediate CA in a cacerts Secret, as "
		    "Istio's plug-in CA\n"
		    "            Makefile makes them; --verify checks cacerts "
		    "Secrets\n"
		    "  tls       a kubernetes.io/tls Secret for --host, signed "
		    "by a CA kept in\n"
		    "            --ca-dir (./mesh-tls-ca)\n"
		    "\n"
		    "  -f, --filename file     cacerts --verify: read the "
		    "Secrets from file (stdin)\n"
		    "  -n, --namespace ns      remote: the service account's; "
		    "tls: the Secret's\n"
		    "  -o, --output yaml|json  the output format (yaml)\n"
		    "  -h, --help              print this help\n"
		    "  -V, --version           print the version\n"
		    "\n"
		    "'mesh-secret SUBCOMMAND --help' describes a subcommand's "
		    "options.\n"
		    "See mesh-secret(1).\n", f);
	exit(status);
}

/* What "mesh-secret SUBCOMMAND --help" prints after its usage. */
static const char *const cmd_help[] = {
	[CMD_REMOTE] =
	"\n"
	"Print the Secret that lets istiod in another cluster read the source "
	"cluster\n"
	"(the current context's), as istioctl create-remote-secret prints it. "
	"Creates\n"
	"the reader account, its role and token Secret there when missing.\n"
	"\n"
	"Source cluster:\n"
	"      --context ctx             the source cluster's context "
	"(current)\n"
	"      --kubeconfig file         read this kubeconfig only, not "
	"$KUBECONFIG's\n"
	"      --request-timeout dur     give up on a request after dur "
	"(0: never)\n"
	"      --from-kubeconfig file    no request: take the credentials in "
	"file\n"
	"                                (needs --name)\n"
	"      --read-only               create nothing on the source "
	"cluster\n"
	"The Secret:\n"
	"      --name cluster            the cluster ID the other istiod "
	"knows it by\n"
	"                                (default: kube-system's UID)\n"
	"      --type remote|config      remote (default), or the external "
	"istiod's\n"
	"                                istio-kubeconfig Secret\n"
	"      --istio-namespace ns      the Secret's namespace (-n's, else "
	"istio-system)\n"
	"  -n, --namespace ns            the service account's namespace\n"
	"      --server url              the API server address written "
	"into it\n"
	"      --tls-server-name name    the name its certificate is checked "
	"against\n"
	"      --allow-loopback          accept a server at a loopback "
	"address\n"
	"The credentials:\n"
	"      --service-account sa      the account whose token istiod uses\n"
	"                                (istio-reader-service-account; "
	"config: istiod)\n"
	"      --create-service-account[=true|false]\n"
	"                                create a missing account (true)\n"
	"      --secret-name secret      the token Secret to read\n"
	"      --rotate                  make a new token Secret beside the "
	"old\n"
	"      --token-ttl duration      a time-bound token (at least 10m), "
	"no Secret\n"
	"      --auth-type bearer-token|plugin\n"
	"                                a token (default) or an "
	"auth-provider\n"
	"      --auth-plugin-name name   the auth provider (with --auth-type "
	"plugin)\n"
	"      --auth-plugin-config key=value\n"
	"                                an entry of its config "
	"(repeatable)\n"
	"\n"
	"  -o, --output yaml|json        the output format (yaml)\n"
	"  -h, --help                    print this help\n"
	"  -V, --version                 print the version\n"
	"\n"
	"See mesh-secret(1), Remote secrets.\n",
	[CMD_CACERTS] =
	"\n"
	"Print a cacerts Secret for each --cluster, holding an intermediate CA "
	"signed by\n"
	"the root kept in --root-dir (made there on the first run), as "
	"Istio's plug-in\n"
	"CA Makefile makes them.  With --verify, check cacerts Secrets "
	"instead.\n"
	"\n"
	"      --cluster name            a cluster to make a Secret for "
	"(repeatable)\n"
	"      --root-dir dir            where the root CA is kept "
	"(mesh-ca)\n"
	"      --key-type rsa|ecdsa      the type of new keys (rsa)\n"
	"      --key-size bits           RSA 2048-8192 (4096); ECDSA 256 or 384 "
	"(256)\n"
	"      --days n                  validity of intermediates and a new "
	"root (3650)\n"
	"      --org org                 their organisation, O (Istio)\n"
	"      --istio-namespace ns      the Secrets' namespace "
	"(istio-system)\n"
	"      --force                   keep the CA in a directory others may "
	"write into\n"
	"      --verify                  check Secrets: keys, chains, one "
	"root\n"
	"  -f, --filename file           --verify: read the Secrets from file "
	"(stdin)\n"
	"  -o, --output yaml|json        the output format (yaml)\n"
	"  -h, --help                    print this help\n"
	"  -V, --version                 print the version\n"
	"\n"
	"See mesh-secret(1), Plug-in CA certificates.\n",
	[CMD_TLS] =
	"\n"
	"Print a kubernetes.io/tls Secret for the external istiod's --host, "
	"signed by a\n"
	"CA kept in --ca-dir (made there on the first run).\n"
	"\n"
	"      --host name               the istiod's DNS name or IP address\n"
	"      --name secret             the Secret's name "
	"(external-istiod-tls)\n"
	"  -n, --namespace ns            its namespace (istio-system)\n"
	"      --ca-dir dir              where the CA is kept (mesh-tls-ca)\n"
	"      --ca-configmap name       also print a ConfigMap holding the "
	"CA\n"
	"      --days n                  the certificate's validity (365)\n"
	"      --key-type rsa|ecdsa      the type of new keys (rsa)\n"
	"      --key-size bits           RSA 2048-8192 (2048); ECDSA 256 or 384 "
	"(256)\n"
	"      --force                   keep the CA in a directory others may "
	"write into\n"
	"  -o, --output yaml|json        the output format (yaml)\n"
	"  -h, --help                    print this help\n"
	"  -V, --version                 print the version\n"
	"\n"
	"See mesh-secret(1), TLS for the external istiod.\n",
};

static enum cmd
find_cmd(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (strcmp(s, cmd_names[i]) == 0)
			return (enum cmd)i;
	return CMD_NONE;
}

/* ---- option values ---------------------------------------------------- */

enum {
	OPT_ALLOW_LOOPBACK = 256,
	OPT_AUTH_PLUGIN_CONFIG,
	OPT_AUTH_PLUGIN_NAME,
	OPT_AUTH_TYPE,
	OPT_CA_CONFIGMAP,
	OPT_CA_DIR,
	OPT_CLUSTER,
	OPT_CONTEXT,
	OPT_CREATE_SA,
	OPT_DAYS,
	OPT_FORCE,
	OPT_FROM_KUBECONFIG,
	OPT_HOST,
	OPT_ISTIO_NS,
	OPT_KEY_SIZE,
	OPT_KEY_TYPE,
	OPT_KUBECONFIG,
	OPT_NAME,
	OPT_ORG,
	OPT_READ_ONLY,
	OPT_REQUEST_TIMEOUT,
	OPT_ROOT_DIR,
	OPT_ROTATE,
	OPT_SECRET_NAME,
	OPT_SERVER,
	OPT_SERVICE_ACCOUNT,
	OPT_TLS_SERVER_NAME,
	OPT_TOKEN_TTL,
	OPT_TYPE,
	OPT_VERIFY
};

/* istioctl's check of a cluster ID: a DNS-1123 label, upper case allowed. */
static bool
is_cluster_id(const char *s)
{
	return mesh_is_label(s, strlen(s));
}

/* A DNS name (or an IP address) for a certificate; no wildcard. */
static bool
is_host(const char *s)
{
	unsigned char a[16];
	const char *label;
	size_t n = strlen(s), len;

	if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
		return true;
	if (n == 0 || n > 253)
		return false;
	for (label = s; ; label += len + 1) {
		len = strcspn(label, ".");
		if (!mesh_is_label(label, len))
			return false;
		if (label[len] == '\0')
			return true;
	}
}

/* "k=v" or "k1=v1,k2=v2", as pflag's StringToString takes them. */
static int
take_pairs(struct opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *p, *next, *eq;
	size_t i, len = strlen(arg);

	for (p = copy; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(p, '=')) == NULL || eq == p) {
			mesh_err(NULL, "invalid value for '--auth-plugin-config':"
			    " '%s' (use key=value)", p);
			mesh_wipe(copy, len);
			free(copy);
			return -1;
		}
		*eq = '\0';
		for (i = 0; i < o->nplugin_config; i++)
			if (strcmp(o->plugin_config[i].key, p) == 0)
				break;
		if (i == o->nplugin_config) {
			o->plugin_config = xreallocarray(o->plugin_config,
			    o->nplugin_config + 1, sizeof(*o->plugin_config));
			o->plugin_config[o->nplugin_config++].key = xstrdup(p);
		} else {
			free(o->plugin_config[i].value);
		}
		o->plugin_config[i].value = xstrdup(eq + 1);
	}
	mesh_wipe(copy, len);
	free(copy);
	return 0;
}

static void
add_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* Take one subcommand option; -1 after a report (a usage error). */
static int
take(struct opts *o, int ch, const char *arg)
{
	long long v;

	switch (ch) {
	case OPT_ALLOW_LOOPBACK:
		o->allow_loopback = true;
		o->seen |= F_ALLOW_LOOPBACK;
		break;
	case OPT_AUTH_PLUGIN_CONFIG:
		o->seen |= F_AUTH_PLUGIN_CONFIG;
		return take_pairs(o, arg);
	case OPT_AUTH_PLUGIN_NAME:
		o->auth_plugin_name = arg;
		o->seen |= F_AUTH_PLUGIN_NAME;
		break;
	case OPT_AUTH_TYPE:
		if (strcmp(arg, "bearer-token") != 0 &&
		    strcmp(arg, "plugin") != 0) {
			mesh_err(NULL, "invalid value for '--auth-type': '%s' "
			    "(use bearer-token or plugin)", arg);
			return -1;
		}
		o->auth_type = arg;
		o->seen |= F_AUTH_TYPE;
		break;
	case OPT_CA_CONFIGMAP:
		if (!mesh_is_dns_label(arg)) {
			mesh_err(NULL, "invalid value for '--ca-configmap': "
			    "'%s' (a ConfigMap name is a DNS-1123 label)", arg);
			return -1;
		}
		o->ca_configmap = arg;
		o->seen |= F_CA_CONFIGMAP;
		break;
	case OPT_CA_DIR:
		o->ca_dir = arg;
		o->seen |= F_CA_DIR;
		break;
	case OPT_CLUSTER:
		if (!is_cluster_id(arg)) {
			mesh_err(NULL, "invalid value for '--cluster': '%s' "
			    "(letters, digits and '-', at most 63)", arg);
			return -1;
		}
		add_str(&o->clusters, &o->nclusters, arg);
		o->seen |= F_CLUSTER;
		break;
	case OPT_CONTEXT:
		o->context = arg;
		o->seen |= F_CONTEXT;
		break;
	case OPT_CREATE_SA:
		if (arg == NULL || strcmp(arg, "true") == 0) {
			o->create_sa = true;
		} else if (strcmp(arg, "false") == 0) {
			o->create_sa = false;
		} else {
			mesh_err(NULL, "invalid value for "
			    "'--create-service-account': '%s' (use true or "
			    "false)", arg);
			return -1;
		}
		o->seen |= F_CREATE_SA;
		break;
	case OPT_DAYS:
		if (mesh_parse_num("--days", arg, 1, 36500, &v) == -1)
			return -1;
		o->days = (long)v;
		o->seen |= F_DAYS;
		break;
	case 'f':
		add_str(&o->files, &o->nfiles, arg);
		o->seen |= F_FILENAME;
		break;
	case OPT_FORCE:
		o->force = true;
		o->seen |= F_FORCE;
		break;
	case OPT_FROM_KUBECONFIG:
		o->from_kubeconfig = arg;
		o->seen |= F_FROM_KUBECONFIG;
		break;
	case OPT_HOST:
		if (!is_host(arg)) {
			mesh_err(NULL, "invalid value for '--host': '%s' (a "
			    "DNS name or an IP address)", arg);
			return -1;
		}
		o->host = arg;
		o->seen |= F_HOST;
		break;
	case OPT_ISTIO_NS:
	case 'n':
		if (!mesh_is_dns_label(arg)) {
			mesh_err(NULL, "invalid value for '%s': '%s' (a "
			    "namespace is a DNS-1123 label)", ch == 'n' ?
			    "--namespace" : "--istio-namespace", arg);
			return -1;
		}
		if (ch == 'n') {
			o->namespace = arg;
			o->seen |= F_NAMESPACE;
		} else {
			o->istio_namespace = arg;
			o->seen |= F_ISTIO_NS;
		}
		break;
	case OPT_KEY_SIZE:
		if (mesh_parse_num("--key-size", arg, 256, 8192, &v) == -1)
			return -1;
		o->key_size = (int)v;
		o->seen |= F_KEY_SIZE;
		break;
	case OPT_KEY_TYPE:
		if (strcmp(arg, "rsa") == 0) {
			o->key_type = MESH_KEY_RSA;
		} else if (strcmp(arg, "ecdsa") == 0) {
			o->key_type = MESH_KEY_ECDSA;
		} else {
			mesh_err(NULL, "invalid value for '--key-type': '%s' "
			    "(use rsa or ecdsa)", arg);
			return -1;
		}
		o->seen |= F_KEY_TYPE;
		break;
	case OPT_KUBECONFIG:
		o->kubeconfig = arg;
		o->seen |= F_KUBECONFIG;
		break;
	case OPT_NAME:
		o->name = arg;
		o->seen |= F_NAME;
		break;
	case OPT_ORG:
		if (*arg == '\0') {
			mesh_err(NULL, "invalid value for '--org': ''");
			return -1;
		}
		o->org = arg;
		o->seen |= F_ORG;
		break;
	case OPT_READ_ONLY:
		o->read_only = true;
		o->seen |= F_READ_ONLY;
		break;
	case OPT_REQUEST_TIMEOUT:
		if (mesh_kube_parse_timeout("--request-timeout", arg,
		    &o->timeout_ms) == -1)
			return -1;
		o->seen |= F_REQUEST_TIMEOUT;
		break;
	case OPT_ROOT_DIR:
		o->root_dir = arg;
		o->seen |= F_ROOT_DIR;
		break;
	case OPT_ROTATE:
		o->rotate = true;
		o->seen |= F_ROTATE;
		break;
	case OPT_SECRET_NAME:
		o->secret_name = arg;
		o->seen |= F_SECRET_NAME;
		break;
	case OPT_SERVER:
		/* istioctl: an empty --server is no --server */
		o->server = *arg != '\0' ? arg : NULL;
		o->server_given = o->server != NULL;
		o->seen |= F_SERVER;
		break;
	case OPT_SERVICE_ACCOUNT:
		o->service_account = arg;
		o->seen |= F_SERVICE_ACCOUNT;
		break;
	case OPT_TLS_SERVER_NAME:
		o->tls_server_name = *arg != '\0' ? arg : NULL;
		o->seen |= F_TLS_SERVER_NAME;
		break;
	case OPT_TOKEN_TTL: {
		long ms;

		if (mesh_kube_parse_timeout("--token-ttl", arg, &ms) == -1)
			return -1;
		/* the TokenRequest API's own bounds */
		if (ms < 600000 || ms / 1000 > 4294967296L) {
			mesh_err(NULL, "invalid value for '--token-ttl': '%s' "
			    "(the TokenRequest API takes at least 10m, at most "
			    "2^32 seconds)", arg);
			return -1;
		}
		o->token_ttl_s = ms / 1000;
		o->seen |= F_TOKEN_TTL;
		break;
	}
	case OPT_TYPE:
		if (strcmp(arg, "remote") != 0 && strcmp(arg, "config") != 0) {
			mesh_err(NULL, "invalid value for '--type': '%s' (use "
			    "remote or config)", arg);
			return -1;
		}
		o->type = arg;
		o->seen |= F_TYPE;
		break;
	case OPT_VERIFY:
		o->verify = true;
		o->seen |= F_VERIFY;
		break;
	}
	return 0;
}

/* Options the subcommand does not take, and what each one needs. */
static int
check_cmd(struct opts *o)
{
	unsigned extra = o->seen & ~cmd_flags[o->cmd];
	size_t i;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (extra & flag_names[i].bit) {
			mesh_err(NULL, "%s does not take %s",
			    cmd_names[o->cmd], flag_names[i].name);
			return -1;
		}
	switch (o->cmd) {
	case CMD_REMOTE:
		if (o->name != NULL && !is_cluster_id(o->name)) {
			mesh_err(NULL, "invalid value for '--name': '%s' is "
			    "not a valid DNS 1123 label (letters, digits and "
			    "'-', at most 63)", o->name);
			return -1;
		}
		if (o->type == NULL)
			o->type = "remote";
		if (o->auth_type == NULL)
			o->auth_type = "bearer-token";
		if (strcmp(o->auth_type, "plugin") == 0 &&
		    o->auth_plugin_name == NULL) {
			mesh_err(NULL, "--auth-type plugin needs "
			    "--auth-plugin-name");
			return -1;
		}
		if (strcmp(o->auth_type, "plugin") != 0 &&
		    (o->seen & (F_AUTH_PLUGIN_NAME | F_AUTH_PLUGIN_CONFIG))) {
			mesh_err(NULL, "--auth-plugin-name and "
			    "--auth-plugin-config go with --auth-type plugin");
			return -1;
		}
		if (o->from_kubeconfig != NULL) {
			if (o->name == NULL) {
				mesh_err(NULL, "--from-kubeconfig needs --name "
				    "(without it the cluster is named after "
				    "its kube-system namespace, which takes "
				    "an API call)");
				return -1;
			}
			if (o->seen & (F_KUBECONFIG | F_SERVICE_ACCOUNT |
			    F_SECRET_NAME | F_TOKEN_TTL | F_ROTATE |
			    F_READ_ONLY | F_CREATE_SA | F_AUTH_TYPE |
			    F_REQUEST_TIMEOUT)) {
				mesh_err(NULL, "--from-kubeconfig makes no API "
				    "call: it takes none of --kubeconfig, "
				    "--service-account, --secret-name, "
				    "--token-ttl, --rotate, --read-only, "
				    "--create-service-account, --auth-type, "
				    "--request-timeout");
				return -1;
			}
		}
		if (o->rotate && o->secret_name != NULL) {
			mesh_err(NULL, "--rotate makes a new token Secret, "
			    "--secret-name picks one: choose one");
			return -1;
		}
		if (o->read_only && o->rotate) {
			mesh_err(NULL, "--rotate creates a token Secret, "
			    "--read-only creates nothing: choose one");
			return -1;
		}
		if (o->token_ttl_s > 0 && (o->rotate || o->secret_name ||
		    strcmp(o->auth_type, "plugin") == 0)) {
			mesh_err(NULL, "--token-ttl asks for a new token: it "
			    "takes neither --rotate, --secret-name nor "
			    "--auth-type plugin");
			return -1;
		}
		break;
	case CMD_CACERTS:
		if (o->verify) {
			size_t nstdin = o->nfiles == 0;

			if ((o->seen & ~(F_VERIFY | F_FILENAME)) ||
			    o->output_given) {
				mesh_err(NULL, "cacerts --verify takes only "
				    "-f");
				return -1;
			}
			for (i = 0; i < o->nfiles; i++)
				nstdin += strcmp(o->files[i], "-") == 0;
			if (nstdin > 1) {
				mesh_err(NULL, "standard input can be read "
				    "only once");
				return -1;
			}
			break;
		}
		if (o->seen & F_FILENAME) {
			mesh_err(NULL, "cacerts reads files only with "
			    "--verify");
			return -1;
		}
		if (o->nclusters == 0) {
			mesh_err(NULL, "cacerts needs --cluster NAME (once "
			    "for each cluster)");
			return -1;
		}
		for (i = 0; i < o->nclusters; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(o->clusters[i], o->clusters[j]) ==
				    0) {
					mesh_err(NULL, "--cluster %s is given "
					    "twice", o->clusters[i]);
					return -1;
				}
		break;
	case CMD_TLS:
		if (o->host == NULL) {
			mesh_err(NULL, "tls needs --host NAME (the external "
			    "istiod's address)");
			return -1;
		}
		if (o->name != NULL && !mesh_is_dns_label(o->name)) {
			mesh_err(NULL, "invalid value for '--name': '%s' (a "
			    "Secret name here is a DNS-1123 label)", o->name);
			return -1;
		}
		break;
	case CMD_NONE:
		break;
	}
	if ((o->seen & F_KEY_SIZE) && o->key_type == MESH_KEY_ECDSA &&
	    o->key_size != 256 && o->key_size != 384) {
		mesh_err(NULL, "invalid value for '--key-size': '%d' (ECDSA "
		    "keys are 256 or 384 bits)", o->key_size);
		return -1;
	}
	if ((o->seen & F_KEY_SIZE) && o->key_type == MESH_KEY_RSA &&
	    (o->key_size < 2048 || o->key_size % 8 != 0)) {
		mesh_err(NULL, "invalid value for '--key-size': '%d' (RSA "
		    "keys are 2048 to 8192 bits, a multiple of 8)",
		    o->key_size);
		return -1;
	}
	return 0;
}

/* ---- documents --------------------------------------------------------- */

static struct mesh_node *
put_str(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    const char *value)
{
	struct mesh_node *n = mesh_str_new(doc, value);

	mesh_map_set(doc, map, key, n);
	return n;
}

static struct mesh_node *
put_map(struct mesh_doc *doc, struct mesh_node *map, const char *key)
{
	struct mesh_node *n = mesh_map_new(doc);

	mesh_map_set(doc, map, key, n);
	return n;
}

/* A document of ours, an empty mapping, to be written from its tree. */
static struct mesh_doc *
new_doc(const char *src)
{
	struct mesh_doc *doc = mesh_doc_new(src);

	doc->root = mesh_map_new(doc);
	doc->changed = true;
	return doc;
}

/* A v1 object with kind, metadata.name and metadata.namespace. */
static struct mesh_doc *
new_object(const char *kind, const char *name, const char *ns,
    struct mesh_node **meta)
{
	struct mesh_doc *doc = new_doc("<mesh-secret>");

	put_str(doc, doc->root, "apiVersion", "v1");
	put_str(doc, doc->root, "kind", kind);
	*meta = put_map(doc, doc->root, "metadata");
	if (name != NULL)
		put_str(doc, *meta, "name", name);
	if (ns != NULL)
		put_str(doc, *meta, "namespace", ns);
	return doc;
}

static void
doc_free_secret(struct mesh_doc *doc)
{
	mesh_doc_free_wipe(doc, mesh_wipe);
}

/* A data entry: the base64 of n bytes at p. */
static void
put_b64(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    const void *p, size_t n)
{
	struct mesh_buf b = MESH_BUF_SECRET;
	struct mesh_node *v;

	mesh_buf_grow(&b, (n + 2) / 3 * 4 + 1);
	mesh_base64_encode(&b, p, n);
	v = mesh_scalar_new(doc, b.data, b.len, MESH_T_STR);
	mesh_map_set(doc, map, key, v);
	mesh_wipe_buf(&b);
}

/*
 * The bytes of key in a Secret, from stringData (text) or data (base64),
 * appended to b: 0, 1 when it has none (or an empty one), -1 when the
 * data is not base64 (b may then hold part of it).  Reports nothing.
 */
static int
secret_bytes(const struct mesh_node *secret, const char *key,
    struct mesh_buf *b)
{
	struct mesh_node *v = mesh_map_get(mesh_map_get(secret, "stringData"),
	    key);

	if (v != NULL && mesh_is_scalar(v) && v->u.s.len > 0) {
		mesh_buf_add(b, v->u.s.text, v->u.s.len);
		return 0;
	}
	v = mesh_map_get(mesh_map_get(secret, "data"), key);
	if (v == NULL || !mesh_is_scalar(v) || v->u.s.len == 0)
		return 1;
	return mesh_base64_decode(b, v->u.s.text, v->u.s.len) == -1 ? -1 : 0;
}

/* Write the documents, all or nothing. */
static int
write_docs(struct mesh_writer *w, struct mesh_doc **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mesh_writer_put(w, docs[i]) == -1)
			return -1;
	return mesh_writer_finish(w);
}

/* ---- remote -------------------------------------------------------- */

struct remote {
	struct opts *o;
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
static int
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
static int
from_cluster(struct remote *r)
{
	struct mesh_kube_opts ko;
	struct mesh_doc *sa = NULL;
	char *name = NULL;
	int rv = -1;

	memset(&ko, 0, sizeof(ko));
	ko.timeout_ms = r->o->timeout_ms;
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
static int
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
static void
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

static int
put_remote_secret(struct remote *r, struct mesh_writer *w)
{
	struct mesh_buf text = MESH_BUF_SECRET, out = MESH_BUF_SECRET;
	struct mesh_doc *kc = inner_kubeconfig(r), *doc;
	struct mesh_node *meta, *m, *v;
	bool config = strcmp(r->o->type, "config") == 0;
	char *name;
	int rv = -1;

	plain_strings(kc->root);
	if (mesh_emit_yaml(&text, kc->root, false) == -1) {
		doc_free_secret(kc);
		mesh_wipe_buf(&text);
		return -1;
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
	if (r->o->fmt == MESH_FMT_JSON) {
		rv = write_docs(w, &doc, 1);
	} else {
		/* istioctl's stream, byte for byte */
		mesh_buf_adds(&out, "# This file is autogenerated, do not "
		    "edit.\n");
		plain_strings(doc->root);
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

static int
run_remote(struct opts *o, struct mesh_writer *w)
{
	struct mesh_kubeconfig_opts ko;
	struct remote r;
	int rv = -1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.src_ns = o->namespace ? o->namespace : o->istio_namespace ?
	    o->istio_namespace : ISTIO_SYSTEM;
	r.secret_ns = o->istio_namespace ? o->istio_namespace :
	    o->namespace ? o->namespace : ISTIO_SYSTEM;
	r.sa = o->service_account ? o->service_account :
	    strcmp(o->type, "config") == 0 ? "istiod" : READER_SA;
	memset(&ko, 0, sizeof(ko));
	ko.kubeconfig = o->from_kubeconfig ? o->from_kubeconfig :
	    o->kubeconfig;
	ko.context = o->context;
	if (mesh_kubeconfig_load(&r.kc, &ko) == -1 || check_server(&r) == -1)
		goto out;
	if ((o->from_kubeconfig ? from_kubeconfig(&r) : from_cluster(&r)) ==
	    -1)
		goto out;
	warn_refused(&r);
	rv = put_remote_secret(&r, w);
out:
	mesh_kube_free(r.k);
	mesh_kubeconfig_release(&r.kc);
	mesh_wipe_buf(&r.ca);
	mesh_kubeconfig_secret_free(r.token, r.token_len);
	free(r.expiry);
	free(r.cluster);
	return rv;
}

/* ---- cacerts ------------------------------------------------------- */

#define CACERTS_DAYS	3650	/* Istio's ROOTCA_DAYS, INTERMEDIATE_DAYS */
#define TLS_DAYS	365
#define TLS_SECRET	"external-istiod-tls"

/*
 * The intermediates' keys, made on every CPU while the root is read or
 * made: RSA key generation is nearly all of cacerts' time.
 */
struct keygen {
	enum mesh_key_type type;
	int bits;
	struct mesh_key **keys;		/* n of them, NULL until made */
	size_t n, next;
	bool stop;			/* a key failed, or the root did */
	pthread_mutex_t mu;
	/* for the progress line: keys made of total, the root's among them */
	size_t made, total;
	bool finished;			/* every key is made, or none will be */
	pthread_cond_t cv;
};

#define KEYGEN_THREADS	16

static void *
keygen_run(void *arg)
{
	struct keygen *g = arg;
	struct mesh_key *k;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&g->mu);
		i = g->stop ? g->n : g->next++;
		pthread_mutex_unlock(&g->mu);
		if (i >= g->n)
			return NULL;
		k = mesh_key_new(g->type, g->bits);
		pthread_mutex_lock(&g->mu);
		g->keys[i] = k;
		g->made++;
		if (k == NULL)
			g->stop = true;
		pthread_mutex_unlock(&g->mu);
	}
}

#define PROGRESS_AFTER_MS	1000	/* quiet for work quicker than this */
#define PROGRESS_EVERY_MS	250

static void
add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/*
 * The progress line on a terminal, while keys are made: after a second,
 * "mesh-secret: making keys: 3 of 11" rewritten in place, erased at the
 * end.  It says how far, never what.
 */
static void *
progress_run(void *arg)
{
	struct keygen *g = arg;
	struct timespec t;
	bool shown = false;

	clock_gettime(CLOCK_REALTIME, &t);
	add_ms(&t, PROGRESS_AFTER_MS);
	pthread_mutex_lock(&g->mu);
	while (!g->finished) {
		if (pthread_cond_timedwait(&g->cv, &g->mu, &t) != ETIMEDOUT)
			continue;
		fprintf(stderr, "\r%s: making keys: %zu of %zu\033[K",
		    mesh_cmdname(), g->made, g->total);
		shown = true;
		add_ms(&t, PROGRESS_EVERY_MS);
	}
	pthread_mutex_unlock(&g->mu);
	if (shown)
		fputs("\r\033[K", stderr);
	return NULL;
}

static void
keygen_finish(struct keygen *g)
{
	pthread_mutex_lock(&g->mu);
	g->finished = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* A cacerts Secret for one cluster, from its key and the root. */
static struct mesh_doc *
cacerts_secret(const struct opts *o, const struct mesh_ca *root,
    const char *cluster, const char *ns, const struct mesh_key *k)
{
	struct mesh_buf cert = MESH_BUF_INIT, key = MESH_BUF_SECRET;
	struct mesh_buf chain = MESH_BUF_INIT;
	struct mesh_cert_spec spec;
	struct mesh_cert *c = NULL;
	struct mesh_doc *doc = NULL;
	struct mesh_node *meta, *m;
	char *san = xasprintf("istiod.%s.svc", ns);
	const char *sans[] = { san, NULL };

	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_INTERMEDIATE;
	spec.org = o->org ? o->org : "Istio";
	spec.cn = "Intermediate CA";
	spec.locality = cluster;
	spec.san = sans;
	spec.days = o->days ? o->days : CACERTS_DAYS;
	if ((c = mesh_cert_issue(&spec, k, root->cert, root->key)) == NULL ||
	    mesh_cert_pem(c, &cert) == -1 || mesh_key_pem(k, &key) == -1)
		goto out;
	/* Istio's cert-chain.pem: ca-cert.pem, then root-cert.pem */
	mesh_buf_add(&chain, cert.data, cert.len);
	mesh_buf_add(&chain, root->cert_pem, root->cert_len);
	doc = new_doc("<mesh-secret>");
	put_str(doc, doc->root, "apiVersion", "v1");
	m = put_map(doc, doc->root, "data");
	put_b64(doc, m, "ca-cert.pem", cert.data, cert.len);
	put_b64(doc, m, "ca-key.pem", key.data, key.len);
	put_b64(doc, m, "cert-chain.pem", chain.data, chain.len);
	put_b64(doc, m, "root-cert.pem", root->cert_pem, root->cert_len);
	put_str(doc, doc->root, "kind", "Secret");
	meta = put_map(doc, doc->root, "metadata");
	m = put_map(doc, meta, "annotations");
	put_str(doc, m, MESH_CLUSTER_ANN, cluster);
	put_str(doc, meta, "name", "cacerts");
	put_str(doc, meta, "namespace", ns);
out:
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_buf_release(&chain);
	mesh_cert_free(c);
	free(san);
	return doc;
}

/* Say where a new CA's key now is: it must be kept. */
static void
note_new_ca(const char *dir, const char *what, const char *key_file)
{
	fprintf(stderr, "%s: new %s in %s (keep %s/%s safe: it signs "
	    "everything made from it)\n", mesh_cmdname(), what, dir, dir,
	    key_file);
}

static int
run_cacerts(struct opts *o, struct mesh_writer *w)
{
	struct mesh_cert_spec spec;
	struct mesh_ca_opts co;
	struct mesh_ca ca;
	struct mesh_doc **docs;
	struct keygen g;
	pthread_t th[KEYGEN_THREADS], progress;
	bool show = isatty(STDERR_FILENO);
	char *root_key;
	const char *ns = o->istio_namespace ? o->istio_namespace :
	    ISTIO_SYSTEM;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, n = 0, nth;
	int rv = -1, ca_rv;

	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_ROOT;
	spec.org = o->org ? o->org : "Istio";
	spec.cn = "Root CA";
	spec.days = o->days ? o->days : CACERTS_DAYS;
	memset(&co, 0, sizeof(co));
	co.dir = o->root_dir ? o->root_dir : "mesh-ca";
	co.key_file = "root-key.pem";
	co.cert_file = "root-cert.pem";
	co.spec = &spec;
	co.type = o->key_type;
	co.bits = o->key_size;
	co.force = o->force;
	memset(&ca, 0, sizeof(ca));

	/* the workers make keys while this thread opens the root */
	memset(&g, 0, sizeof(g));
	g.type = o->key_type;
	g.bits = o->key_size;
	g.n = g.total = o->nclusters;
	g.keys = xcalloc(g.n, sizeof(*g.keys));
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	mesh_pki_init();
	/* a root to be made is a key more to wait for */
	root_key = xasprintf("%s/%s", co.dir, co.key_file);
	if (access(root_key, F_OK) == -1 && errno == ENOENT)
		g.total++;
	free(root_key);
	if (show && pthread_create(&progress, NULL, progress_run, &g) != 0)
		show = false;
	for (nth = 0; nth < KEYGEN_THREADS && nth < g.n &&
	    (long)nth < (ncpu > 1 ? ncpu : 1); nth++)
		if (pthread_create(&th[nth], NULL, keygen_run, &g) != 0)
			break;
	ca_rv = mesh_ca_open(&ca, &co);
	pthread_mutex_lock(&g.mu);
	if (ca_rv == -1)
		g.stop = true;
	else if (ca.created)
		g.made++;
	pthread_mutex_unlock(&g.mu);
	keygen_run(&g);		/* and then helps */
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	keygen_finish(&g);
	if (show)
		pthread_join(progress, NULL);
	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
	docs = xcalloc(o->nclusters, sizeof(*docs));
	if (ca_rv == -1 || g.stop)
		goto out;
	if (ca.created)
		note_new_ca(co.dir, "root CA", co.key_file);
	/* a day's grace: a new root and its intermediates end together */
	if (time(NULL) + (spec.days - 1) * 86400L >
	    mesh_cert_not_after(ca.cert)) {
		char day[32];
		time_t t = mesh_cert_not_after(ca.cert);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		mesh_warn(NULL, "the root in %s ends on %s, before the "
		    "intermediates do: workloads stop trusting them then",
		    co.dir, day);
	}
	for (n = 0; n < o->nclusters; n++)
		if ((docs[n] = cacerts_secret(o, &ca, o->clusters[n], ns,
		    g.keys[n])) == NULL)
			goto out;
	rv = write_docs(w, docs, n);
out:
	for (i = 0; i < n; i++)
		doc_free_secret(docs[i]);
	free(docs);
	for (i = 0; i < g.n; i++)
		mesh_key_free(g.keys[i]);
	free(g.keys);
	mesh_ca_release(&ca);
	return rv;
}

/* ---- cacerts --verify -------------------------------------------------- */

/* One Secret's certificates and key, and how to name it in messages. */
struct cacerts {
	const struct mesh_node *obj;	/* the Secret */
	const char *src;
	unsigned long line;
	char name[320];			/* "cluster1" or "ns/name" */
	struct mesh_cert **ca, **root, **chain;
	size_t nca, nroot, nchain;
	struct mesh_key *key;
};

static void
cacerts_release(struct cacerts *c)
{
	mesh_certs_free(c->ca, c->nca);
	mesh_certs_free(c->root, c->nroot);
	mesh_certs_free(c->chain, c->nchain);
	mesh_key_free(c->key);
}

/* A problem with one Secret, on one line. */
static void
bad_secret(const struct cacerts *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bad_secret(const struct cacerts *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mesh_errat(c->src, c->line, 0, "Secret %s: %s", c->name,
	    msg);
}

/* Read the four entries (or tls.crt, tls.key, ca.crt).  0 or -1. */
static int
cacerts_load(struct cacerts *c)
{
	static const char *const istio[] = { "ca-cert.pem", "ca-key.pem",
	    "root-cert.pem", "cert-chain.pem" };
	static const char *const tls[] = { "tls.crt", "tls.key", "ca.crt",
	    NULL };
	const char *const *keys = istio;
	struct mesh_buf b[4];
	char src[1024];
	size_t i;
	int rv = -1, got;

	for (i = 0; i < 4; i++) {
		mesh_buf_init(&b[i]);
		b[i].secret = true;
	}
	/* istiod takes the kubernetes.io/tls layout when tls.crt is there */
	if (mesh_map_get(mesh_map_get(c->obj, "data"), "tls.crt") ||
	    mesh_map_get(mesh_map_get(c->obj, "stringData"), "tls.crt"))
		keys = tls;
	for (i = 0; i < 4 && keys[i] != NULL; i++) {
		if ((got = secret_bytes(c->obj, keys[i], &b[i])) == -1) {
			bad_secret(c, "data.%s is not base64", keys[i]);
			goto out;
		}
		if (got == 1) {
			bad_secret(c, "%s is missing (a cacerts Secret holds "
			    "%s, %s, %s%s%s)", keys[i], keys[0], keys[1],
			    keys[2], keys[3] ? " and " : "",
			    keys[3] ? keys[3] : "");
			goto out;
		}
	}
#define SRC(k) (snprintf(src, sizeof(src), "%s:%lu: Secret %s: %s", \
	c->src, c->line, c->name, (k)), src)
	if (mesh_cert_read(SRC(keys[0]), b[0].data, b[0].len, &c->ca,
	    &c->nca) == -1 ||
	    (c->key = mesh_key_read(SRC(keys[1]), b[1].data, b[1].len)) ==
	    NULL ||
	    mesh_cert_read(SRC(keys[2]), b[2].data, b[2].len, &c->root,
	    &c->nroot) == -1)
		goto out;
	if (keys[3] != NULL) {
		if (mesh_cert_read(SRC(keys[3]), b[3].data, b[3].len,
		    &c->chain, &c->nchain) == -1)
			goto out;
	} else {
		/* istiod's chain for this layout: tls.crt, then ca.crt */
		mesh_buf_add(&b[3], b[0].data, b[0].len);
		mesh_buf_add(&b[3], b[2].data, b[2].len);
		if (mesh_cert_read(SRC(keys[0]), b[3].data, b[3].len,
		    &c->chain, &c->nchain) == -1)
			goto out;
	}
#undef SRC
	rv = 0;
out:
	for (i = 0; i < 4; i++)
		mesh_wipe_buf(&b[i]);
	return rv;
}

/* The checks of one Secret; the number of problems reported. */
static int
cacerts_check(struct cacerts *c, const struct cacerts *first)
{
	const char *why = "no root";
	int bad = 0;
	size_t i;

	if (c->nca != 1) {
		bad_secret(c, "ca-cert.pem holds %zu certificates: it is the "
		    "one CA istiod signs with (the rest go in "
		    "cert-chain.pem)", c->nca);
		return 1;
	}
	if (!mesh_cert_is_ca(c->ca[0])) {
		bad_secret(c, "ca-cert.pem is not a CA certificate "
		    "(basicConstraints CA:TRUE with keyCertSign): istiod "
		    "cannot sign with it");
		bad++;
	}
	if (!mesh_key_matches(c->key, c->ca[0])) {
		bad_secret(c, "ca-key.pem is not the key of ca-cert.pem");
		bad++;
	}
	for (i = 0; i < c->nroot; i++)
		if ((why = mesh_cert_verify(c->ca[0], c->chain + 1,
		    c->nchain > 0 ? c->nchain - 1 : 0, c->root[i])) == NULL)
			break;
	if (why != NULL) {
		bad_secret(c, "ca-cert.pem does not chain to root-cert.pem: "
		    "%s", why);
		bad++;
	}
	if (!mesh_cert_equal(c->chain[0], c->ca[0])) {
		bad_secret(c, "cert-chain.pem does not start with "
		    "ca-cert.pem (it is ca-cert.pem, then its issuers up to "
		    "the root)");
		bad++;
	} else {
		for (i = 0; i < c->nroot; i++)
			if (mesh_cert_equal(c->chain[c->nchain - 1],
			    c->root[i]))
				break;
		if (i == c->nroot) {
			bad_secret(c, "cert-chain.pem does not end with the "
			    "root of root-cert.pem");
			bad++;
		}
	}
	if (first != NULL && !mesh_cert_equal(c->root[0], first->root[0])) {
		/* the subjects are Istio's in both: tell them apart */
		char *a = mesh_cert_fingerprint(c->root[0]);
		char *b = mesh_cert_fingerprint(first->root[0]);

		bad_secret(c, "its root (SHA-256 %.11s...) is not the root of "
		    "Secret %s (SHA-256 %.11s...): the clusters will not "
		    "trust each other's workloads", a, first->name, b);
		free(a);
		free(b);
		bad++;
	}
	return bad;
}

/* The items of a v1 List, or NULL. */
static struct mesh_node *
list_items(const struct mesh_doc *doc)
{
	struct mesh_node *items;

	return doc->root != NULL && mesh_is_list(doc->root, &items) ? items :
	    NULL;
}

/*
 * The first key that appears twice in a mapping under n, or NULL: two
 * Secrets run together without "---" read as one mapping.
 */
static const struct mesh_node *
dup_key(const struct mesh_node *n)
{
	const struct mesh_node *d;
	size_t i, j;

	if (n == NULL || n->type == MESH_SCALAR)
		return NULL;
	if (n->type == MESH_SEQ) {
		for (i = 0; i < n->u.c.n; i++)
			if ((d = dup_key(n->u.c.v[i])) != NULL)
				return d;
		return NULL;
	}
	for (i = 0; i < mesh_map_len(n); i++) {
		const struct mesh_node *k = mesh_map_key(n, i);

		for (j = 0; j < i; j++)
			if (mesh_node_equal(mesh_map_key(n, j), k))
				return k;
		if ((d = dup_key(mesh_map_value(n, i))) != NULL)
			return d;
	}
	return NULL;
}

/* Name the Secret, load it, check it, and say OK into out.  0 or -1. */
static int
verify_one(struct cacerts *c, const struct cacerts **first,
    struct mesh_buf *out)
{
	struct mesh_node *ann = mesh_map_get(mesh_map_get(c->obj, "metadata"),
	    "annotations");
	struct mesh_node *cl = mesh_map_get(ann, MESH_CLUSTER_ANN);
	const char *ns = mesh_map_getstr(c->obj, "metadata.namespace");
	const char *nm = mesh_map_getstr(c->obj, "metadata.name");
	const struct mesh_node *dup;
	char *subj, day[32];
	struct tm tm;
	time_t t;

	if (cl != NULL && mesh_is_scalar(cl))
		snprintf(c->name, sizeof(c->name), "%.63s (cluster %.200s)",
		    nm ? nm : "", cl->u.s.text);
	else
		snprintf(c->name, sizeof(c->name), "%.63s/%.200s",
		    ns ? ns : "-", nm ? nm : "");
	if ((dup = dup_key(c->obj)) != NULL) {
		mesh_errat(c->src, dup->line, dup->col, "Secret %s: '%s' "
		    "appears twice in one mapping (two Secrets without '---' "
		    "between them?)", c->name, mesh_is_scalar(dup) ?
		    dup->u.s.text : "?");
		return -1;
	}
	if (cacerts_load(c) == -1 || cacerts_check(c, *first) > 0)
		return -1;
	if (*first == NULL)
		*first = c;
	subj = mesh_cert_subject(c->ca[0]);
	t = mesh_cert_not_after(c->ca[0]);
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	mesh_buf_addf(out, "%s: OK: %s, valid until %s\n", c->name, subj,
	    day);
	free(subj);
	return 0;
}

static int
run_verify(struct opts *o)
{
	struct mesh_limits lim;
	struct mesh_doc **docs = NULL;
	struct cacerts *cs = NULL;
	struct mesh_buf out = MESH_BUF_INIT;
	const char *const dash[] = { "-" };
	const char *const *files = o->nfiles ? o->files : dash;
	size_t nfiles = o->nfiles ? o->nfiles : 1, ndocs = 0, nc = 0, i, j;
	const struct cacerts *first = NULL;
	int bad = 0;
	char what[256];

	mesh_limits_init(&lim);
	lim.secret = true;
	for (i = 0; i < nfiles; i++) {
		struct mesh_doc **d;
		size_t n;

		if (mesh_read_all(files[i], &lim, &d, &n) == -1) {
			bad++;
			goto out;
		}
		if (n > 0) {
			docs = xreallocarray(docs, ndocs + n, sizeof(*docs));
			memcpy(docs + ndocs, d, n * sizeof(*d));
			ndocs += n;
		}
		free(d);
	}
	/* the Secrets: documents, or the items of a List (-o json) */
	for (i = 0, j = 1; i < ndocs; i++)
		j += list_items(docs[i]) ? list_items(docs[i])->u.c.n : 1;
	cs = xcalloc(j, sizeof(*cs));
	for (i = 0; i < ndocs; i++) {
		struct mesh_node *items = list_items(docs[i]);
		const char *kind;
		size_t k, n = items ? items->u.c.n : 1;

		if (docs[i]->root == NULL)
			continue;
		for (k = 0; k < n; k++) {
			struct cacerts *c = &cs[nc];
			const struct mesh_node *obj = items ? items->u.c.v[k] :
			    docs[i]->root;

			memset(c, 0, sizeof(*c));
			c->obj = obj;
			c->src = docs[i]->src;
			c->line = items && obj->line ? obj->line :
			    docs[i]->line;
			kind = mesh_map_getstr(obj, "kind");
			if (kind == NULL || strcmp(kind, "Secret") != 0) {
				mesh_errat(c->src, c->line, 0, "%s is not a "
				    "Secret", mesh_describe(obj, what,
				    sizeof(what)));
				bad++;
				continue;
			}
			nc++;
			if (verify_one(c, &first, &out) == -1)
				bad++;
		}
	}
	if (nc == 0 && bad == 0) {
		mesh_err(nfiles == 1 ? files[0] : NULL, "no Secret to verify");
		bad++;
	}
	if (bad == 0 && mesh_write_all(STDOUT_FILENO, out.data, out.len) ==
	    -1) {
		mesh_err("<stdout>", "write error:");
		bad++;
	}
out:
	for (j = 0; j < nc; j++)
		cacerts_release(&cs[j]);
	free(cs);
	for (i = 0; i < ndocs; i++)
		doc_free_secret(docs[i]);
	free(docs);
	mesh_buf_release(&out);
	return bad ? -1 : 0;
}

/* ---- tls --------------------------------------------------------------- */

static int
run_tls(struct opts *o, struct mesh_writer *w)
{
	struct mesh_cert_spec spec, leaf;
	struct mesh_ca_opts co;
	struct mesh_ca ca;
	struct mesh_buf cert = MESH_BUF_INIT, key = MESH_BUF_SECRET;
	struct mesh_key *k = NULL;
	struct mesh_cert *c = NULL;
	struct mesh_doc *docs[2] = { NULL, NULL };
	struct mesh_node *meta, *m;
	const char *ns = o->namespace ? o->namespace : ISTIO_SYSTEM;
	const char *sans[] = { o->host, NULL };
	int bits = o->key_size, rv = -1;
	size_t n = 0;

	/* a serving key: RSA 2048 unless asked for more */
	if (bits == 0 && o->key_type == MESH_KEY_RSA)
		bits = 2048;
	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_ROOT;
	spec.org = "meshline";
	spec.cn = "external istiod CA";
	spec.days = CACERTS_DAYS;
	memset(&co, 0, sizeof(co));
	co.dir = o->ca_dir ? o->ca_dir : "mesh-tls-ca";
	co.key_file = "ca-key.pem";
	co.cert_file = "ca-cert.pem";
	co.spec = &spec;
	co.type = o->key_type;
	co.bits = bits;
	co.force = o->force;
	memset(&ca, 0, sizeof(ca));
	if (mesh_ca_open(&ca, &co) == -1)
		goto out;
	if (ca.created)
		note_new_ca(co.dir, "TLS CA", co.key_file);
	memset(&leaf, 0, sizeof(leaf));
	leaf.profile = MESH_CERT_SERVER;
	/* a commonName holds 64 characters; the SAN is what counts */
	leaf.org = "meshline";
	leaf.cn = strlen(o->host) <= 64 ? o->host : NULL;
	leaf.san = sans;
	leaf.days = o->days ? o->days : TLS_DAYS;
	if ((k = mesh_key_new(o->key_type, bits)) == NULL ||
	    (c = mesh_cert_issue(&leaf, k, ca.cert, ca.key)) == NULL ||
	    mesh_cert_pem(c, &cert) == -1 || mesh_key_pem(k, &key) == -1)
		goto out;
	docs[n] = new_object("Secret", o->name ? o->name : TLS_SECRET, ns,
	    &meta);
	m = put_map(docs[n], docs[n]->root, "data");
	put_b64(docs[n], m, "tls.crt", cert.data, cert.len);
	put_b64(docs[n], m, "tls.key", key.data, key.len);
	put_str(docs[n], docs[n]->root, "type", "kubernetes.io/tls");
	n++;
	if (o->ca_configmap != NULL) {
		docs[n] = new_object("ConfigMap", o->ca_configmap, ns, &meta);
		m = put_map(docs[n], docs[n]->root, "data");
		mesh_map_set(docs[n], m, "ca.crt", mesh_scalar_new(docs[n],
		    ca.cert_pem, ca.cert_len, MESH_T_STR));
		n++;
	}
	rv = write_docs(w, docs, n);
out:
	while (n > 0)
		doc_free_secret(docs[--n]);
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_cert_free(c);
	mesh_key_free(k);
	mesh_ca_release(&ca);
	return rv;
}

/* ---- main -------------------------------------------------------------- */

/* The subcommand and the operands after it; -1 after a report. */
static int
take_operands(struct opts *o, int argc, char *argv[])
{
	if (argc == 0) {
		mesh_err(NULL, "name a subcommand: remote, cacerts or tls");
		return -1;
	}
	if ((o->cmd = find_cmd(argv[0])) == CMD_NONE) {
		mesh_err(NULL, "unknown subcommand '%s'", argv[0]);
		return -1;
	}
	if (argc > 1) {
		mesh_err(NULL, "%s: unexpected argument '%s'",
		    cmd_names[o->cmd], argv[1]);
		return -1;
	}
	return 0;
}

static void
opts_release(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nplugin_config; i++) {
		free(o->plugin_config[i].key);
		/* an auth provider's config may hold a secret */
		mesh_kubeconfig_secret_free(o->plugin_config[i].value, 0);
	}
	free(o->plugin_config);
	free(o->clusters);
	free(o->files);
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "allow-loopback", no_argument, NULL, OPT_ALLOW_LOOPBACK },
		{ "auth-plugin-config", required_argument, NULL,
		    OPT_AUTH_PLUGIN_CONFIG },
		{ "auth-plugin-name", required_argument, NULL,
		    OPT_AUTH_PLUGIN_NAME },
		{ "auth-type", required_argument, NULL, OPT_AUTH_TYPE },
		{ "ca-configmap", required_argument, NULL, OPT_CA_CONFIGMAP },
		{ "ca-dir", required_argument, NULL, OPT_CA_DIR },
		{ "cluster", required_argument, NULL, OPT_CLUSTER },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "create-service-account", optional_argument, NULL,
		    OPT_CREATE_SA },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "filename", required_argument, NULL, 'f' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "from-kubeconfig", required_argument, NULL,
		    OPT_FROM_KUBECONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "istio-namespace", required_argument, NULL, OPT_ISTIO_NS },
		{ "key-size", required_argument, NULL, OPT_KEY_SIZE },
		{ "key-type", required_argument, NULL, OPT_KEY_TYPE },
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "namespace", required_argument, NULL, 'n' },
		{ "org", required_argument, NULL, OPT_ORG },
		{ "output", required_argument, NULL, 'o' },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "request-timeout", required_argument, NULL,
		    OPT_REQUEST_TIMEOUT },
		{ "root-dir", required_argument, NULL, OPT_ROOT_DIR },
		{ "rotate", no_argument, NULL, OPT_ROTATE },
		{ "secret-name", required_argument, NULL, OPT_SECRET_NAME },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "service-account", required_argument, NULL,
		    OPT_SERVICE_ACCOUNT },
		{ "tls-server-name", required_argument, NULL,
		    OPT_TLS_SERVER_NAME },
		{ "token-ttl", required_argument, NULL, OPT_TOKEN_TTL },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct mesh_writer *w;
	enum cmd guessed;
	int ch, rv = MESH_EXIT_FAIL;

	mesh_setprogname(argv[0]);
	guessed = (enum cmd)mesh_guess_sub(argc, argv, cmd_names,
	    sizeof(cmd_names) / sizeof(cmd_names[0]));
	memset(&o, 0, sizeof(o));
	o.fmt = MESH_FMT_YAML;
	o.create_sa = true;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:hn:o:V", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			if (guessed == CMD_NONE)
				usage(MESH_EXIT_OK);
			printf("usage: %s%s", cmd_usage[guessed],
			    cmd_help[guessed]);
			opts_release(&o);
			exit(mesh_close_stdout() == 0 ? MESH_EXIT_OK :
			    MESH_EXIT_FAIL);
		case 'o':
			if (mesh_format_option(optarg, &o.fmt) == -1)
				goto usage;
			o.output_given = true;
			break;
		case 'V':
			mesh_version();
		default:
			if (ch == 'f' || ch == 'n' || (ch >= OPT_ALLOW_LOOPBACK &&
			    ch <= OPT_VERIFY)) {
				if (take(&o, ch, optarg) == -1)
					goto usage;
				break;
			}
			mesh_bad_option(argv, ch);
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (take_operands(&o, argc, argv) == -1 || check_cmd(&o) == -1)
		goto usage;
	w = mesh_writer_new(STDOUT_FILENO, o.fmt, false);
	mesh_writer_secret(w);
	switch (o.cmd) {
	case CMD_REMOTE:
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rv = run_remote(&o, w);
		curl_global_cleanup();
		break;
	case CMD_CACERTS:
		rv = o.verify ? run_verify(&o) : run_cacerts(&o, w);
		break;
	case CMD_TLS:
		rv = run_tls(&o, w);
		break;
	case CMD_NONE:
		break;
	}
	rv = rv == 0 ? MESH_EXIT_OK : MESH_EXIT_FAIL;
	mesh_writer_free(w);
	if (mesh_close_stdout() == -1)
		rv = MESH_EXIT_FAIL;
	opts_release(&o);
	return rv;
usage:
	opts_release(&o);
	mesh_try_help(guessed != CMD_NONE ? cmd_names[guessed] : NULL);
	return MESH_EXIT_USAGE;
}
