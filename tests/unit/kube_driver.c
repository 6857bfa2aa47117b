/*
 * kube_driver: a test tool over common/kube.c and common/kubeconfig.c.
 * It loads the kubeconfig as our commands do, runs one verb against the
 * cluster and prints what came back as YAML (or JSON, or names) on
 * stdout; watch events are printed one a line as they arrive.  Used by
 * tests/kube.bats against the simulated cluster; not installed.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "stream.h"
#include "xalloc.h"

struct driver {
	struct mesh_kubeconfig_opts ko;
	struct mesh_kube_opts o;
	struct mesh_kube_list_opts lo;
	const char *output;		/* yaml, json, name */
	const char *audience;
	long expiration;
	long count;			/* watch: stop after this many */
	long seen;
	long repeat;
	long pause_ms;
	bool all_namespaces;
	bool force;
	struct mesh_kubeconfig kc;
	struct mesh_kube *k;
};

static const char *const cluster_scoped[] = {
	"namespaces", "nodes", "customresourcedefinitions", "clusterroles",
	"clusterrolebindings", "mutatingwebhookconfigurations",
	"validatingwebhookconfigurations", "persistentvolumes",
	"storageclasses", "apiservices", NULL
};

static bool
is_cluster_scoped(const char *resource)
{
	size_t i;

	for (i = 0; cluster_scoped[i] != NULL; i++)
		if (strcmp(cluster_scoped[i], resource) == 0)
			return true;
	return false;
}

/* The resource of a kind, without discovery: lower case, plural. */
static char *
plural(const char *kind)
{
	size_t n = strlen(kind), i;
	char *s = xmalloc(n + 3);

	for (i = 0; i < n; i++)
		s[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ?
		    kind[i] - 'A' + 'a' : kind[i]);
	s[n] = '\0';
	if (n > 1 && s[n - 1] == 'y' && strchr("aeiou", s[n - 2]) == NULL) {
		s[n - 1] = '\0';
		strncat(s, "ies", 4);
	} else if (n > 0 && (s[n - 1] == 's' || s[n - 1] == 'x')) {
		if (strcmp(s, "endpoints") != 0)
			strncat(s, "es", 3);
	} else {
		strncat(s, "s", 2);
	}
	return s;
}

static int
print_doc(const struct driver *d, const struct mesh_doc *doc)
{
	struct mesh_writer *w;
	const char *name;
	int rv;

	if (doc == NULL)
		return 0;
	if (strcmp(d->output, "name") == 0) {
		const struct mesh_node *items = mesh_map_get(doc->root,
		    "items");
		size_t i;

		if (mesh_is_seq(items)) {
			for (i = 0; i < items->u.c.n; i++)
				if ((name = mesh_map_getstr(items->u.c.v[i],
				    "metadata.name")) != NULL)
					printf("%s\n", name);
		} else if ((name = mesh_map_getstr(doc->root,
		    "metadata.name")) != NULL) {
			printf("%s\n", name);
		}
		return 0;
	}
	fflush(stdout);
	w = mesh_writer_new(1, strcmp(d->output, "json") == 0 ?
	    MESH_FMT_JSON : MESH_FMT_YAML, true);
	rv = mesh_writer_put(w, doc);
	if (rv == 0)
		rv = mesh_writer_finish(w);
	mesh_writer_free(w);
	return rv;
}

static int
on_event(void *arg, enum mesh_kube_event ev, const struct mesh_doc *doc)
{
	static const char *const names[] = {
		"ADDED", "MODIFIED", "DELETED", "BOOKMARK"
	};
	struct driver *d = arg;
	const char *name = mesh_map_getstr(doc->root, "metadata.name");
	const char *rv = mesh_map_getstr(doc->root,
	    "metadata.resourceVersion");
	const char *kind = mesh_map_getstr(doc->root, "kind");

	printf("- {type: %s, kind: %s, name: %s, resourceVersion: \"%s\"}\n",
	    names[ev], kind ? kind : "~", name ? name : "~", rv ? rv : "");
	fflush(stdout);
	if (ev != MESH_KUBE_BOOKMARK && d->count > 0 && ++d->seen >= d->count)
		return 1;
	return 0;
}

/* APIVERSION RESOURCE [NAME] */
static int
res_args(const struct driver *d, int argc, char *argv[], int need,
    struct mesh_kube_res *r)
{
	if (argc != need) {
		mesh_err(NULL, "expected %s", need == 2 ?
		    "APIVERSION RESOURCE" : "APIVERSION RESOURCE NAME");
		return -1;
	}
	r->api_version = argv[0];
	r->resource = argv[1];
	r->namespace = is_cluster_scoped(argv[1]) || d->all_namespaces ?
	    NULL : d->kc.namespace;
	return 0;
}

/* create FILE, apply FILE: every document in FILE. */
static int
write_file(struct driver *d, const char *verb, const char *file)
{
	struct mesh_limits lim;
	struct mesh_doc **docs = NULL, *out;
	size_t n = 0, i;
	int rv = 0;

	mesh_limits_init(&lim);
	if (mesh_read_all(file, &lim, &docs, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct mesh_kube_res r;
		const char *av = mesh_map_getstr(docs[i]->root, "apiVersion");
		const char *kind = mesh_map_getstr(docs[i]->root, "kind");
		const char *ns = mesh_map_getstr(docs[i]->root,
		    "metadata.namespace");
		char *res;

		if (docs[i]->root == NULL)
			continue;
		if (av == NULL || kind == NULL) {
			mesh_err(file, "document %zu has no apiVersion or "
			    "kind", i + 1);
			rv = -1;
			continue;
		}
		res = plural(kind);
		r.api_version = av;
		r.resource = res;
		r.namespace = is_cluster_scoped(res) ? NULL :
		    ns ? ns : d->kc.namespace;
		out = NULL;
		if ((strcmp(verb, "create") == 0 ? mesh_kube_create(d->k, &r,
		    docs[i], &out) : mesh_kube_apply(d->k, &r, docs[i],
		    d->force, &out)) == -1 || print_doc(d, out) == -1)
			rv = -1;
		mesh_doc_free(out);
		free(res);
	}
	for (i = 0; i < n; i++)
		mesh_doc_free(docs[i]);
	free(docs);
	return rv;
}

static int
run_token(struct driver *d, int argc, char *argv[])
{
	const char *aud[2] = { d->audience, NULL };
	char *token = NULL, *expiry = NULL;
	int rv;

	if (argc != 1) {
		mesh_err(NULL, "expected SERVICEACCOUNT");
		return -1;
	}
	rv = mesh_kube_token(d->k, d->kc.namespace, argv[0],
	    d->audience ? aud : NULL, d->expiration, &token, &expiry);
	if (rv == 0)
		printf("token: %s\nexpirationTimestamp: \"%s\"\n", token,
		    expiry);
	mesh_kubeconfig_secret_free(token, 0);
	free(expiry);
	return rv;
}

/* What was selected, never a secret. */
static int
run_config(struct driver *d)
{
	const struct mesh_kubeconfig *kc = &d->kc;

	printf("context: %s\ncluster: %s\nuser: %s\nserver: %s\n"
	    "namespace: %s\nsource: %s\ninsecure: %s\n",
	    kc->context ? kc->context : "~", kc->cluster ? kc->cluster : "~",
	    kc->user ? kc->user : "~", kc->server, kc->namespace, kc->source,
	    kc->insecure ? "true" : "false");
	if (kc->tls_server_name != NULL)
		printf("tls-server-name: %s\n", kc->tls_server_name);
	if (kc->proxy_url != NULL)
		printf("proxy-url: %s\n", kc->proxy_url);
	printf("ca: %s\nauth: [%s%s%s%s]\n", kc->ca ? "set" : "none",
	    kc->token ? "token " : "", kc->username ? "basic " : "",
	    kc->cert ? "client-certificate " : "", kc->exec ? "exec" : "");
	if (kc->exec != NULL)
		printf("exec: %s\n", kc->exec->argv[0]);
	if (kc->token_file != NULL)
		printf("tokenFile: %s\n", kc->token_file);
	return 0;
}

static int
run(struct driver *d, int argc, char *argv[])
{
	struct mesh_kube_res r;
	struct mesh_doc *out = NULL;
	const char *verb = argv[0];
	int rv = -1;

	argc--;
	argv++;
	if (strcmp(verb, "config") == 0)
		return run_config(d);
	if (strcmp(verb, "get") == 0) {
		if (res_args(d, argc, argv, 3, &r) == 0 &&
		    mesh_kube_get(d->k, &r, argv[2], 0, &out) == 0)
			rv = print_doc(d, out);
	} else if (strcmp(verb, "list") == 0) {
		if (res_args(d, argc, argv, 2, &r) == 0 &&
		    mesh_kube_list(d->k, &r, &d->lo, &out) == 0)
			rv = print_doc(d, out);
	} else if (strcmp(verb, "delete") == 0) {
		if (res_args(d, argc, argv, 3, &r) == 0 &&
		    mesh_kube_delete(d->k, &r, argv[2], 0, &out) == 0)
			rv = print_doc(d, out);
	} else if (strcmp(verb, "watch") == 0) {
		if (res_args(d, argc, argv, 2, &r) == 0) {
			rv = mesh_kube_watch(d->k, &r, &d->lo, on_event, d);
			if (rv == 1)
				mesh_err(NULL, "timed out");
		}
	} else if (strcmp(verb, "create") == 0 || strcmp(verb, "apply") == 0) {
		if (argc != 1)
			mesh_err(NULL, "expected FILE");
		else
			rv = write_file(d, verb, argv[0]);
	} else if (strcmp(verb, "token") == 0) {
		rv = run_token(d, argc, argv);
	} else {
		mesh_err(NULL, "unknown command '%s'", verb);
		rv = -2;
	}
	mesh_doc_free(out);
	return rv;
}

static _Noreturn void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: kube_driver [-Av] [--audience A] [--bookmarks] "
	    "[--context C]\n"
	    "           [--count N] [--deadline D] [--expiration S] "
	    "[--field-selector S]\n"
	    "           [--field-manager M] [--force] [--kubeconfig F] "
	    "[-l S] [-n NS]\n"
	    "           [-o yaml|json|name] [--pause D] [--repeat N]\n"
	    "           [--request-timeout D] [--resource-version RV]\n"
	    "           config | get AV RES NAME | list AV RES | watch AV RES "
	    "|\n"
	    "           delete AV RES NAME | create FILE | apply FILE | "
	    "token SA\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	enum {
		O_AUDIENCE = 256, O_BOOKMARKS, O_CONTEXT, O_COUNT, O_DEADLINE,
		O_EXPIRATION, O_FIELD_MANAGER, O_FIELD_SELECTOR, O_FORCE,
		O_KUBECONFIG, O_PAUSE, O_REPEAT, O_REQUEST_TIMEOUT, O_RV
	};
	static const struct option lopts[] = {
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "audience", required_argument, NULL, O_AUDIENCE },
		{ "bookmarks", no_argument, NULL, O_BOOKMARKS },
		{ "context", required_argument, NULL, O_CONTEXT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "deadline", required_argument, NULL, O_DEADLINE },
		{ "expiration", required_argument, NULL, O_EXPIRATION },
		{ "field-manager", required_argument, NULL, O_FIELD_MANAGER },
		{ "field-selector", required_argument, NULL, O_FIELD_SELECTOR },
		{ "force", no_argument, NULL, O_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ "kubeconfig", required_argument, NULL, O_KUBECONFIG },
		{ "namespace", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "pause", required_argument, NULL, O_PAUSE },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "request-timeout", required_argument, NULL,
		    O_REQUEST_TIMEOUT },
		{ "resource-version", required_argument, NULL, O_RV },
		{ "selector", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct driver d;
	long i;
	int ch, rv = MESH_EXIT_OK, r = 0;

	memset(&d, 0, sizeof(d));
	d.output = "yaml";
	d.repeat = 1;
	mesh_setprogname(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":Ahl:n:o:v", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'A':
			d.all_namespaces = true;
			break;
		case 'h':
			usage(MESH_EXIT_OK);
		case 'l':
			d.lo.label_selector = optarg;
			break;
		case 'n':
			d.ko.namespace = optarg;
			break;
		case 'o':
			d.output = optarg;
			break;
		case 'v':
			d.o.verbose++;
			break;
		case O_AUDIENCE:
			d.audience = optarg;
			break;
		case O_BOOKMARKS:
			d.lo.bookmarks = true;
			break;
		case O_CONTEXT:
			d.ko.context = optarg;
			break;
		case O_COUNT:
			d.count = strtol(optarg, NULL, 10);
			break;
		case O_DEADLINE:
			if (mesh_kube_parse_timeout("--deadline", optarg,
			    &d.lo.deadline_ms) == -1)
				usage(MESH_EXIT_USAGE);
			break;
		case O_EXPIRATION:
			d.expiration = strtol(optarg, NULL, 10);
			break;
		case O_FIELD_MANAGER:
			d.o.field_manager = optarg;
			break;
		case O_FIELD_SELECTOR:
			d.lo.field_selector = optarg;
			break;
		case O_FORCE:
			d.force = true;
			break;
		case O_KUBECONFIG:
			d.ko.kubeconfig = optarg;
			break;
		case O_PAUSE:
			if (mesh_kube_parse_timeout("--pause", optarg,
			    &d.pause_ms) == -1)
				usage(MESH_EXIT_USAGE);
			break;
		case O_REPEAT:
			d.repeat = strtol(optarg, NULL, 10);
			break;
		case O_REQUEST_TIMEOUT:
			if (mesh_kube_parse_timeout("--request-timeout",
			    optarg, &d.o.timeout_ms) == -1)
				exit(MESH_EXIT_USAGE);
			break;
		case O_RV:
			d.lo.resource_version = optarg;
			break;
		default:
			mesh_bad_option(argv, ch);
			usage(MESH_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(MESH_EXIT_USAGE);

	if (mesh_kube_global_init() == -1)
		return MESH_EXIT_FAIL;
	if (mesh_kubeconfig_load(&d.kc, &d.ko) == -1) {
		rv = MESH_EXIT_FAIL;
		goto out;
	}
	if ((d.k = mesh_kube_new(&d.kc, &d.o)) == NULL) {
		rv = MESH_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < d.repeat && r == 0; i++) {
		if (i > 0)
			mesh_sleep_ms(d.pause_ms);
		r = run(&d, argc, argv);
	}
	if (r == -2)
		rv = MESH_EXIT_USAGE;
	else if (r == 1)
		rv = MESH_EXIT_TIMEOUT;
	else if (r != 0)
		rv = MESH_EXIT_FAIL;
out:
	mesh_kube_free(d.k);
	mesh_kubeconfig_release(&d.kc);
	mesh_kube_global_cleanup();
	if (mesh_close_stdout() == -1)
		rv = MESH_EXIT_FAIL;
	return rv;
}
