/*
 * mesh-wait: wait until objects in one or more clusters are ready (or
 * exist, are deleted, meet a condition or a JSONPath, have an address,
 * run Istio's sidecar), by listing and watching the API server, the way
 * the install guides' "wait until it is Running" steps mean.  Objects
 * come from the arguments, from -f files, or from stdin: YAML or JSON
 * documents (what mesh-render, mesh-gw and kubectl apply -o yaml print)
 * or kubectl -o name lines.  Nothing is printed on stdout unless every
 * object became ready; exit 3 when the deadline passed first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "jsonpath.h"
#include "kube.h"
#include "xalloc.h"

#include "wait.h"

#define DEFAULT_TIMEOUT_MS	300000L
#define DEFAULT_FAIL_AFTER_MS	30000L

enum {
	OPT_ALL = 256,
	OPT_CONTEXT,
	OPT_FAIL_AFTER,
	OPT_FOR,
	OPT_KUBECONFIG,
	OPT_REQUEST_TIMEOUT,
	OPT_TIMEOUT
};

static void
usage(int status)
{
	FILE *f = status == MESH_EXIT_OK ? stdout : stderr;

	fprintf(f, "usage: %s [-AhqV] [-f file] [-l selector] [-n ns] "
	    "[-o format] [--all]\n"
	    "           [--context ctx] [--fail-after duration] "
	    "[--for condition]\n"
	    "           [--kubeconfig file] [--request-timeout duration]\n"
	    "           [--timeout duration] [type/name ...]\n",
	    mesh_getprogname());
	if (status != MESH_EXIT_OK)
		exit(status);
	fputs("\n"
	    "Wait until objects are ready, by listing and watching the API "
	    "server of each\ncluster.  Objects are named as TYPE/NAME, TYPE "
	    "NAME..., TYPE with -l or --all,\nor read from -f files or stdin "
	    "(YAML, JSON, a v1 List, kubectl -o name lines);\na document "
	    "annotated meshline.io/context is waited for in that context.\n"
	    "\n"
	    "  -A, --all-namespaces        -l or --all select in every "
	    "namespace\n"
	    "      --all                   every object of the TYPE in the "
	    "namespace\n"
	    "      --context ctx           the kubeconfig context of objects "
	    "not annotated\n"
	    "      --fail-after duration   give up on a container that keeps "
	    "failing to pull\n"
	    "                              its image or start (30s; 0: at "
	    "once)\n"
	    "  -f, --filename file         read objects from file (- for "
	    "stdin); repeatable\n"
	    "      --for condition         ready (default), exists, delete, "
	    "address, injected,\n"
	    "                              condition=NAME[=VALUE], "
	    "jsonpath=EXPR[=VALUE]\n"
	    "  -h, --help                  print this help and exit\n"
	    "      --kubeconfig file       the kubeconfig file to use\n"
	    "  -l, --selector selector     a label selector, with a TYPE\n"
	    "  -n, --namespace ns          the namespace of objects that name "
	    "none\n"
	    "  -o, --output format         yaml, json, name, value or "
	    "jsonpath=EXPR, once ready\n"
	    "  -q, --quiet                 no status line on a terminal\n"
	    "      --request-timeout duration\n"
	    "                              the limit of each request (0: "
	    "none)\n"
	    "      --timeout duration      the limit of the whole wait (5m; "
	    "0: look once)\n"
	    "  -V, --version               print the version and exit\n"
	    "\n"
	    "Exit status: 0 ready, 1 failed (or an API error that did not "
	    "clear), 2 usage,\n3 the timeout passed first.\n", f);
	exit(status);
}

/* A duration: whole seconds or Go's "1m30s"; negative means none. */
static int
duration(const char *opt, const char *arg, long *ms)
{
	if (arg[0] == '-' && arg[1] != '\0') {
		if (mesh_kube_parse_timeout(opt, arg + 1, ms) == -1)
			return -1;
		*ms = -1;
		return 0;
	}
	return mesh_kube_parse_timeout(opt, arg, ms);
}

static int
parse_output(struct opts *o, const char *arg)
{
	char err[256];

	if (strcmp(arg, "yaml") == 0)
		o->out = OUT_YAML;
	else if (strcmp(arg, "json") == 0)
		o->out = OUT_JSON;
	else if (strcmp(arg, "name") == 0)
		o->out = OUT_NAME;
	else if (strcmp(arg, "value") == 0)
		o->out = OUT_VALUE;
	else if (strncmp(arg, "jsonpath=", 9) == 0) {
		o->out = OUT_JSONPATH;
		mesh_jsonpath_free(o->out_jp);
		if ((o->out_jp = mesh_jsonpath_parse(arg + 9, err,
		    sizeof(err))) == NULL) {
			mesh_err(NULL, "invalid value for '-o': '%s': %s",
			    arg, err);
			return -1;
		}
	} else {
		mesh_err(NULL, "invalid value for '-o': '%s' (yaml, json, "
		    "name, value or jsonpath=EXPR)", arg);
		return -1;
	}
	return 0;
}

/* What the options say together.  0, or -1 after a report. */
static int
check_opts(const struct opts *o)
{
	enum cond_kind k = o->cond.kind;

	if (o->out == OUT_VALUE && k != FOR_ADDRESS && k != FOR_JSONPATH &&
	    k != FOR_CONDITION) {
		mesh_err(NULL, "-o value prints what --for address, "
		    "jsonpath=EXPR or condition=NAME found: --for %s finds no "
		    "value", o->cond.text);
		return -1;
	}
	if ((o->out == OUT_YAML || o->out == OUT_JSON ||
	    o->out == OUT_VALUE || o->out == OUT_JSONPATH) &&
	    k == FOR_DELETE) {
		mesh_err(NULL, "--for delete leaves no object to print: use "
		    "-o name, or no -o");
		return -1;
	}
	if (o->all && o->selector != NULL) {
		mesh_err(NULL, "--all and -l select differently: give one");
		return -1;
	}
	if (o->all_namespaces && o->namespace != NULL) {
		mesh_err(NULL, "-A and -n ask for different namespaces: give "
		    "one");
		return -1;
	}
	return 0;
}

/* How many inputs would read the standard input. */
static int
stdin_uses(const struct opts *o, int argc)
{
	int n = 0;
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		n += strcmp(o->files[i], "-") == 0;
	if (argc == 0 && o->nfiles == 0)
		n++;			/* the stream on stdin */
	if (o->kubeconfig != NULL && strcmp(o->kubeconfig, "-") == 0)
		n++;
	return n;
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "fail-after", required_argument, NULL, OPT_FAIL_AFTER },
		{ "filename", required_argument, NULL, 'f' },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "help", no_argument, NULL, 'h' },
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "namespace", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "request-timeout", required_argument, NULL,
		    OPT_REQUEST_TIMEOUT },
		{ "selector", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct run r;
	bool have_for = false;
	size_t i;
	int ch, rv = MESH_EXIT_USAGE;

	mesh_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.timeout_ms = DEFAULT_TIMEOUT_MS;
	o.fail_after_ms = DEFAULT_FAIL_AFTER_MS;
	o.files = xcalloc((size_t)argc + 1, sizeof(*o.files));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":Af:hl:n:o:qV", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'A':
			o.all_namespaces = true;
			break;
		case 'f':
			o.files[o.nfiles++] = optarg;
			break;
		case 'h':
			usage(MESH_EXIT_OK);
			break;
		case 'l':
			o.selector = optarg;
			break;
		case 'n':
			if (*optarg == '\0') {
				mesh_err(NULL, "invalid value for '-n': ''");
				goto usage;
			}
			o.namespace = optarg;
			break;
		case 'o':
			if (parse_output(&o, optarg) == -1)
				goto usage;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'V':
			mesh_version();
		case OPT_ALL:
			o.all = true;
			break;
		case OPT_CONTEXT:
			o.context = optarg;
			break;
		case OPT_FAIL_AFTER:
			if (duration("--fail-after", optarg,
			    &o.fail_after_ms) == -1)
				goto usage;
			break;
		case OPT_FOR:
			cond_release(&o.cond);
			if (cond_parse(&o.cond, optarg) == -1)
				goto usage;
			have_for = true;
			break;
		case OPT_KUBECONFIG:
			o.kubeconfig = optarg;
			break;
		case OPT_REQUEST_TIMEOUT:
			if (mesh_kube_parse_timeout("--request-timeout",
			    optarg, &o.request_timeout_ms) == -1)
				goto usage;
			break;
		case OPT_TIMEOUT:
			if (duration("--timeout", optarg, &o.timeout_ms) == -1)
				goto usage;
			break;
		default:
			mesh_bad_option(argv, ch);
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (!have_for && cond_parse(&o.cond, "ready") == -1)
		goto usage;
	if (check_opts(&o) == -1)
		goto usage;
	if (argc == 0 && o.nfiles == 0 && isatty(STDIN_FILENO)) {
		mesh_err(NULL, "nothing to wait for: name objects (TYPE/NAME), "
		    "give -f file, or pipe documents in");
		goto usage;
	}
	if (argc == 0 && (o.selector != NULL || o.all)) {
		mesh_err(NULL, "%s selects objects of a TYPE: name the TYPE",
		    o.all ? "--all" : "-l");
		goto usage;
	}
	if (stdin_uses(&o, argc) > 1) {
		mesh_err(NULL, "standard input can be read only once (-f -, "
		    "--kubeconfig -, or documents piped in when nothing is "
		    "named)");
		goto usage;
	}

	if (mesh_kube_global_init() == -1) {
		cond_release(&o.cond);
		mesh_jsonpath_free(o.out_jp);
		free(o.files);
		return MESH_EXIT_FAIL;
	}
	r.o = &o;
	r.wtail = &r.wants;
	r.loop = mesh_kube_loop_new();
	cond_parse(&r.exists, "exists");
	rv = MESH_EXIT_OK;
	if (input_args(&r, argc, argv) == -1) {
		rv = r.fail ? r.fail : MESH_EXIT_USAGE;
		if (rv == MESH_EXIT_USAGE)
			mesh_try_help(NULL);
	}
	for (i = 0; rv == MESH_EXIT_OK && i < o.nfiles; i++)
		if (input_stream(&r, o.files[i]) == -1)
			rv = r.fail ? r.fail : MESH_EXIT_FAIL;
	if (rv == MESH_EXIT_OK && argc == 0 && o.nfiles == 0 &&
	    input_stream(&r, "-") == -1)
		rv = r.fail ? r.fail : MESH_EXIT_FAIL;
	if (rv == MESH_EXIT_OK && r.nwants == 0) {
		mesh_err(NULL, "nothing to wait for: the input names no "
		    "object");
		rv = MESH_EXIT_FAIL;
	}
	if (rv == MESH_EXIT_OK)
		rv = run_wait(&r);
	if (mesh_close_stdout() == -1 && rv == MESH_EXIT_OK)
		rv = MESH_EXIT_FAIL;
	run_release(&r);
	cond_release(&r.exists);
	mesh_kube_global_cleanup();
	cond_release(&o.cond);
	mesh_jsonpath_free(o.out_jp);
	free(o.files);
	return rv;
usage:
	mesh_try_help(NULL);
	cond_release(&o.cond);
	mesh_jsonpath_free(o.out_jp);
	free(o.files);
	return MESH_EXIT_USAGE;
}
