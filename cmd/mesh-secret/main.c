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
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "parse.h"
#include "pki.h"
#include "route.h"
#include "stream.h"
#include "xalloc.h"

#include "secret.h"

static const char *const cmd_names[] = { "", "remote", "cacerts", "tls" };

/* The option that sets each bit, for messages. */
static const struct {
	unsigned long long bit;
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
	{ F_DIR, "--dir" },
	{ F_FILENAME, "--filename" },
	{ F_FOR, "--for" },
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
	{ F_STEP, "--step" },
	{ F_TIMEOUT, "--timeout" },
	{ F_TLS_SERVER_NAME, "--tls-server-name" },
	{ F_TOKEN_TTL, "--token-ttl" },
	{ F_TYPE, "--type" },
	{ F_VERIFY, "--verify" },
};

/* What each subcommand takes, in the order of enum cmd. */
static const unsigned long long cmd_flags[] = {
	0,
	F_ALLOW_LOOPBACK | F_AUTH_PLUGIN_CONFIG | F_AUTH_PLUGIN_NAME |
	    F_AUTH_TYPE | F_CLUSTER | F_CONTEXT | F_CREATE_SA | F_FILENAME |
	    F_FROM_KUBECONFIG | F_ISTIO_NS | F_KUBECONFIG | F_NAME |
	    F_NAMESPACE | F_READ_ONLY | F_REQUEST_TIMEOUT | F_ROTATE |
	    F_SECRET_NAME | F_SERVER | F_SERVICE_ACCOUNT | F_TIMEOUT |
	    F_TLS_SERVER_NAME | F_TOKEN_TTL | F_TYPE | F_ROUTE,
	F_CLUSTER | F_DAYS | F_FILENAME | F_FORCE | F_ISTIO_NS | F_KEY_SIZE |
	    F_KEY_TYPE | F_ORG | F_ROOT_DIR | F_ROTATE | F_VERIFY | F_ROUTE,
	F_CA_CONFIGMAP | F_CA_DIR | F_DAYS | F_FILENAME | F_FORCE | F_HOST |
	    F_KEY_SIZE | F_KEY_TYPE | F_NAME | F_NAMESPACE | F_ROUTE,
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
	"           [--request-timeout duration] [--timeout duration]\n"
	"       mesh-secret remote -f mesh.yaml [-o yaml|json] "
	"[--cluster name]\n"
	"           [--kubeconfig file] [--read-only] [--allow-loopback]\n"
	"           [--request-timeout duration] [--timeout duration] "
	"[--dir dir]\n"
	"           [--for consumer] [--step config-secret|remote-secret]\n",
	[CMD_CACERTS] =
	"mesh-secret cacerts --cluster name [-o yaml|json] "
	"[--root-dir dir]\n"
	"           [--key-type rsa|ecdsa] [--key-size bits] [--days n] "
	"[--org org]\n"
	"           [--istio-namespace ns] [--force]\n"
	"       mesh-secret cacerts -f mesh.yaml [-o yaml|json] "
	"[--cluster name]\n"
	"           [--rotate cluster] [--root-dir dir] "
	"[--key-type rsa|ecdsa]\n"
	"           [--key-size bits] [--days n] [--org org] [--force] "
	"[--dir dir]\n"
	"           [--for consumer] [--step cacerts]\n"
	"       mesh-secret cacerts --verify [-f file]\n",
	[CMD_TLS] =
	"mesh-secret tls --host name [-o yaml|json] [--name secret] "
	"[-n ns]\n"
	"           [--ca-dir dir] [--ca-configmap name] [--days n]\n"
	"           [--key-type rsa|ecdsa] [--key-size bits] [--force]\n"
	"       mesh-secret tls -f mesh.yaml [-o yaml|json] [--ca-dir dir] "
	"[--days n]\n"
	"           [--key-type rsa|ecdsa] [--key-size bits] [--force] "
	"[--dir dir]\n"
	"           [--for consumer] [--step tls-secret]\n",
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
		    "  -f, --filename file     remote, cacerts, tls: every "
		    "Secret of a mesh\n"
		    "                          description;\n"
		    "                          cacerts --verify: read the "
		    "Secrets from file (stdin)\n"
		    "      --for consumer      with -f: only the Secrets for "
		    "kubectl (all of them)\n"
		    "      --dir dir           with -f: write "
		    "dir/CLUSTER/NN-STEP.kubectl.yaml\n"
		    "      --step step         with -f: only that step's "
		    "Secrets\n"
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
	"      --timeout dur             give up on the whole run after dur "
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
	"Every remote secret of a mesh:\n"
	"  -f, --filename mesh.yaml      the mesh description: each "
	"Secret its model\n"
	"                                needs, annotated with the cluster "
	"it goes to\n"
	"      --cluster name            only those that go to this "
	"cluster\n"
	"      --step config-secret|remote-secret\n"
	"                                only the external istiod's "
	"config-secret or\n"
	"                                the remote-secrets, reading "
	"only their sources\n"
	"      --for consumer            only the Secrets for kubectl "
	"(all of them)\n"
	"      --dir dir                 write dir/CLUSTER/"
	"NN-STEP.kubectl.yaml instead\n"
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
	"(repeatable);\n"
	"                                with -f, the one to print it for\n"
	"  -f, --filename mesh.yaml      a Secret for each cluster of a mesh "
	"description,\n"
	"                                its intermediate kept in "
	"root-dir/cluster\n"
	"      --rotate cluster          -f: make that cluster's "
	"intermediate again\n"
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
	"      --step cacerts            -f: the cacerts step (the only "
	"one it makes)\n"
	"      --for consumer            -f: only the Secrets for kubectl "
	"(all of them)\n"
	"      --dir dir                 -f: write "
	"dir/CLUSTER/02-cacerts.kubectl.yaml\n"
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
	"The external control plane's Secret:\n"
	"  -f, --filename mesh.yaml      spec.external.tlsSecret for "
	"spec.external.address,\n"
	"                                in istio-system, annotated for "
	"the external cluster\n"
	"      --step tls-secret         the tls-secret step (the only one "
	"it makes)\n"
	"      --for consumer            only the Secrets for kubectl "
	"(all of them)\n"
	"      --dir dir                 write "
	"dir/EXTERNAL/NN-tls-secret.kubectl.yaml\n"
	"\n"
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
	OPT_DIR,
	OPT_FOR,
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
	OPT_STEP,
	OPT_TIMEOUT,
	OPT_TLS_SERVER_NAME,
	OPT_TOKEN_TTL,
	OPT_TYPE,
	OPT_VERIFY
};

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
	long ms;

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
	case OPT_DIR:
		o->dir = arg;
		o->seen |= F_DIR;
		break;
	case OPT_FOR:
		o->consumer = arg;
		o->seen |= F_FOR;
		break;
	case OPT_STEP:
		if (mesh_route_check_step(arg) == -1)
			return -1;
		o->step = arg;
		o->seen |= F_STEP;
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
		/* remote --rotate takes nothing; cacerts --rotate a cluster */
		if (arg != NULL && !is_cluster_id(arg)) {
			mesh_err(NULL, "invalid value for '--rotate': '%s' "
			    "(letters, digits and '-', at most 63)", arg);
			return -1;
		}
		if (arg != NULL)
			add_str(&o->rotate_clusters, &o->nrotate, arg);
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
	case OPT_TIMEOUT:
		if (mesh_kube_parse_timeout("--timeout", arg, &ms) == -1)
			return -1;
		/* one deadline for the run, from when it starts */
		o->deadline = ms > 0 ? mesh_now_ms() + ms : 0;
		o->seen |= F_TIMEOUT;
		break;
	case OPT_TLS_SERVER_NAME:
		o->tls_server_name = *arg != '\0' ? arg : NULL;
		o->seen |= F_TLS_SERVER_NAME;
		break;
	case OPT_TOKEN_TTL:
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

/*
 * With -f, a mesh description: the one file, and only the options in
 * allowed (bits) beside it.  0, or -1 after a report.
 */
static int
check_mesh(struct opts *o, unsigned long long allowed)
{
	unsigned long long extra = o->seen & ~allowed;
	size_t i;

	if (o->nfiles != 1) {
		mesh_err(NULL, o->nfiles == 0 ? "%s --%s needs -f mesh.yaml" :
		    "%s takes one mesh description (-f)", cmd_names[o->cmd],
		    o->nfiles == 0 && o->nrotate > 0 ? "rotate" : "cluster");
		return -1;
	}
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (extra & flag_names[i].bit) {
			mesh_err(NULL, "%s -f does not take %s: the mesh "
			    "description says it", cmd_names[o->cmd],
			    flag_names[i].name);
			return -1;
		}
	if (o->nclusters > 1) {
		mesh_err(NULL, "--cluster is given twice: with -f it keeps "
		    "one cluster's Secrets");
		return -1;
	}
	if (o->kubeconfig != NULL && strcmp(o->kubeconfig, "-") == 0) {
		mesh_err(NULL, "remote -f reads the kubeconfig once for each "
		    "cluster: it cannot be the standard input");
		return -1;
	}
	if ((o->seen & F_ROTATE) && o->nrotate == 0) {
		mesh_err(NULL, "--rotate needs a cluster with -f");
		return -1;
	}
	return 0;
}

/* The steps each subcommand makes from a mesh description. */
static const char *const cmd_steps[][3] = {
	[CMD_REMOTE] = { "config-secret", "remote-secret", NULL },
	[CMD_CACERTS] = { "cacerts", NULL, NULL },
	[CMD_TLS] = { "tls-secret", NULL, NULL },
};

/* Options the subcommand does not take, and what each one needs. */
static int
check_cmd(struct opts *o)
{
	unsigned long long extra = o->seen & ~cmd_flags[o->cmd];
	struct mesh_route route;
	size_t i;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (extra & flag_names[i].bit) {
			mesh_err(NULL, "%s does not take %s",
			    cmd_names[o->cmd], flag_names[i].name);
			return -1;
		}
	/* --for and --dir checked as every program routing checks them */
	if ((o->seen & F_ROUTE) && mesh_route_init(&route, o->consumer,
	    o->dir, NULL, o->fmt) == -1)
		return -1;
	/* cacerts --verify says itself what it takes */
	if ((o->seen & F_ROUTE) && o->nfiles == 0 && !o->verify) {
		for (i = 0; !(flag_names[i].bit & o->seen & F_ROUTE); i++)
			;
		mesh_err(NULL, "%s goes with -f mesh.yaml: it routes the "
		    "Secrets of a mesh description", flag_names[i].name);
		return -1;
	}
	if (o->step != NULL) {
		for (i = 0; cmd_steps[o->cmd][i] != NULL; i++)
			if (strcmp(o->step, cmd_steps[o->cmd][i]) == 0)
				break;
		if (cmd_steps[o->cmd][i] == NULL) {
			mesh_err(NULL, "%s makes no '%s' step: its step%s %s%s%s",
			    cmd_names[o->cmd], o->step,
			    cmd_steps[o->cmd][1] != NULL ? "s are" : " is",
			    cmd_steps[o->cmd][0], cmd_steps[o->cmd][1] != NULL ?
			    " and " : "", cmd_steps[o->cmd][1] != NULL ?
			    cmd_steps[o->cmd][1] : "");
			return -1;
		}
	}
	switch (o->cmd) {
	case CMD_REMOTE:
		if (o->nfiles > 0 || o->nclusters > 0)
			return check_mesh(o, F_ALLOW_LOOPBACK | F_CLUSTER |
			    F_FILENAME | F_KUBECONFIG | F_READ_ONLY |
			    F_REQUEST_TIMEOUT | F_TIMEOUT | F_ROUTE);
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
			    F_REQUEST_TIMEOUT | F_TIMEOUT)) {
				mesh_err(NULL, "--from-kubeconfig makes no API "
				    "call: it takes none of --kubeconfig, "
				    "--service-account, --secret-name, "
				    "--token-ttl, --rotate, --read-only, "
				    "--create-service-account, --auth-type, "
				    "--request-timeout, --timeout");
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
		if (o->nfiles > 0 || o->nrotate > 0) {
			if (check_mesh(o, F_CLUSTER | F_DAYS | F_FILENAME |
			    F_FORCE | F_KEY_SIZE | F_KEY_TYPE | F_ORG |
			    F_ROOT_DIR | F_ROTATE | F_ROUTE) == -1)
				return -1;
			break;
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
		if (o->nfiles > 0)
			return check_mesh(o, F_CA_DIR | F_DAYS | F_FILENAME |
			    F_FORCE | F_KEY_SIZE | F_KEY_TYPE | F_ROUTE);
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
	free(o->rotate_clusters);
	free(o->files);
}

int
main(int argc, char *argv[])
{
	/* not const: --rotate takes a cluster after cacerts */
	struct option lopts[] = {
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
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "filename", required_argument, NULL, 'f' },
		{ "for", required_argument, NULL, OPT_FOR },
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
		{ "step", required_argument, NULL, OPT_STEP },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
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
	struct option *lo;
	int ch, rv = MESH_EXIT_FAIL;

	mesh_setprogname(argv[0]);
	guessed = (enum cmd)mesh_guess_sub(argc, argv, cmd_names,
	    sizeof(cmd_names) / sizeof(cmd_names[0]));
	for (lo = lopts; guessed == CMD_CACERTS && lo->name != NULL; lo++)
		if (lo->val == OPT_ROTATE)
			lo->has_arg = required_argument;
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
		/* libcurl's freed memory wiped: it held the token */
		if (mesh_kube_global_init() == -1)
			break;
		rv = run_remote(&o, w);
		mesh_kube_global_cleanup();
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
