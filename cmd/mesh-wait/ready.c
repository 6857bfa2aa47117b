/*
 * What "ready" means, kind by kind, and the other --for conditions.
 *
 * --for ready follows sigs.k8s.io/cli-utils' kstatus (Current is ready,
 * InProgress is waiting, Failed is failing) and kubectl rollout status,
 * and departs from kstatus where an operator means more (man page,
 * "READINESS"): a Job must be Complete, a LoadBalancer Service must have
 * an address, a webhook configuration must carry its caBundle, a
 * Namespace must be Active, an APIService Available, any other object
 * with a Ready (else Available) condition must have it True; a pod whose
 * container keeps failing to pull its image or start fails the wait
 * after --fail-after instead of only when crash-looping.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "jsonpath.h"
#include "kube.h"
#include "node.h"
#include "xalloc.h"

#include "wait.h"

#define PROXY_CONTAINER	"istio-proxy"

static const struct {
	const char *group, *kind;
	enum kind k;
} kinds[] = {
	{ "apps", "Deployment", K_DEPLOYMENT },
	{ "apps", "StatefulSet", K_STATEFULSET },
	{ "apps", "DaemonSet", K_DAEMONSET },
	{ "apps", "ReplicaSet", K_REPLICASET },
	{ "batch", "Job", K_JOB },
	{ "", "Pod", K_POD },
	{ "", "PersistentVolumeClaim", K_PVC },
	{ "", "Service", K_SERVICE },
	{ "", "Namespace", K_NAMESPACE },
	{ "", "Secret", K_SECRETLIKE },
	{ "", "ConfigMap", K_SECRETLIKE },
	{ "apiextensions.k8s.io", "CustomResourceDefinition", K_CRD },
	{ "apiregistration.k8s.io", "APIService", K_APISERVICE },
	{ "admissionregistration.k8s.io", "MutatingWebhookConfiguration",
	    K_WEBHOOKS },
	{ "admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
	    K_WEBHOOKS },
};

enum kind
kind_of(const char *group, const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].group, group) == 0 &&
		    strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].k;
	return K_OTHER;
}

bool
kind_has_pods(enum kind k)
{
	return k == K_DEPLOYMENT || k == K_STATEFULSET || k == K_DAEMONSET ||
	    k == K_REPLICASET || k == K_JOB;
}

void
verdict_clear(struct verdict *v)
{
	free(v->value);
	memset(v, 0, sizeof(*v));
}

/* ---- --for's value --------------------------------------------------- */

int
cond_parse(struct cond *c, const char *arg)
{
	char err[256];
	const char *eq;

	memset(c, 0, sizeof(*c));
	c->text = arg;
	if (strcmp(arg, "ready") == 0) {
		c->kind = FOR_READY;
	} else if (strcmp(arg, "exists") == 0 || strcmp(arg, "create") == 0) {
		c->kind = FOR_EXISTS;
	} else if (strcmp(arg, "delete") == 0) {
		c->kind = FOR_DELETE;
	} else if (strcmp(arg, "address") == 0) {
		c->kind = FOR_ADDRESS;
	} else if (strcmp(arg, "injected") == 0) {
		c->kind = FOR_INJECTED;
	} else if (strncasecmp(arg, "condition=", 10) == 0) {
		c->kind = FOR_CONDITION;
		arg += 10;
		eq = strchr(arg, '=');
		c->name = eq ? xstrndup(arg, (size_t)(eq - arg)) :
		    xstrdup(arg);
		c->value = xstrdup(eq ? eq + 1 : "True");
		if (*c->name == '\0' || *c->value == '\0') {
			mesh_err(NULL, "invalid value for '--for': '%s': "
			    "condition=NAME[=VALUE] needs a name%s",
			    c->text, *c->name ? " and a value" : "");
			return -1;
		}
	} else if (strncasecmp(arg, "jsonpath=", 9) == 0) {
		const char *expr = arg + 9, *sep = NULL, *p;
		char *text;
		int depth = 0;

		c->kind = FOR_JSONPATH;
		/* the first '=' outside {...} and not part of '==' */
		for (p = expr; *p != '\0'; p++) {
			if (*p == '{' || *p == '[' || *p == '(')
				depth++;
			else if ((*p == '}' || *p == ']' || *p == ')') &&
			    depth > 0)
				depth--;
			else if (*p == '=' && depth == 0) {
				if (p[1] == '=') {
					p++;
					continue;
				}
				sep = p;
				break;
			}
		}
		text = sep ? xstrndup(expr, (size_t)(sep - expr)) :
		    xstrdup(expr);
		if (sep != NULL && sep[1] == '\0') {
			mesh_err(NULL, "invalid value for '--for': '%s': "
			    "jsonpath=EXPR= needs a value after '='", c->text);
			free(text);
			return -1;
		}
		if (*text == '\0') {
			mesh_err(NULL, "invalid value for '--for': '%s': "
			    "jsonpath= needs an expression", c->text);
			free(text);
			return -1;
		}
		c->value = sep ? xstrdup(sep + 1) : NULL;
		c->jp = mesh_jsonpath_parse(text, err, sizeof(err));
		c->name = text;
		if (c->jp == NULL) {
			mesh_err(NULL, "invalid value for '--for': '%s': %s",
			    c->text, err);
			return -1;
		}
		/* one path, as kubectl wants it */
		{
			struct mesh_doc *d = mesh_doc_new("x");
			const struct mesh_node **res = NULL;
			size_t n = 0;

			d->root = mesh_map_new(d);
			if (mesh_jsonpath_find(c->jp, d->root, &res, &n, err,
			    sizeof(err)) == -1) {
				mesh_err(NULL, "invalid value for '--for': "
				    "'%s': %s", c->text, err);
				mesh_doc_free(d);
				return -1;
			}
			free(res);
			mesh_doc_free(d);
		}
	} else {
		mesh_err(NULL, "invalid value for '--for': '%s': use ready, "
		    "exists, delete, address, injected, condition=NAME[=VALUE]"
		    " or jsonpath=EXPR[=VALUE]", arg);
		return -1;
	}
	return 0;
}

void
cond_release(struct cond *c)
{
	free(c->name);
	free(c->value);
	mesh_jsonpath_free(c->jp);
	memset(c, 0, sizeof(*c));
}

/* ---- helpers over objects -------------------------------------------- */

static long
num(const struct mesh_node *obj, const char *dotted, long def)
{
	const char *s = mesh_map_getstr(obj, dotted);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtol(s, &end, 10);
	return *end == '\0' ? v : def;
}

static const char *
str(const struct mesh_node *obj, const char *dotted)
{
	const char *s = mesh_map_getstr(obj, dotted);

	return s != NULL ? s : "";
}

/* The status.conditions entry of type t, or NULL. */
static const struct mesh_node *
condition(const struct mesh_node *obj, const char *t, bool fold)
{
	const struct mesh_node *cs = mesh_map_get(mesh_map_get(obj,
	    "status"), "conditions");
	size_t i;

	for (i = 0; mesh_is_seq(cs) && i < cs->u.c.n; i++) {
		const char *ct = mesh_map_getstr(cs->u.c.v[i], "type");

		if (ct != NULL && (fold ? strcasecmp(ct, t) : strcmp(ct, t)) ==
		    0)
			return cs->u.c.v[i];
	}
	return NULL;
}

static bool
cond_true(const struct mesh_node *obj, const char *t)
{
	const struct mesh_node *c = condition(obj, t, false);

	return c != NULL && strcmp(str(c, "status"), "True") == 0;
}

static void
say(struct verdict *v, enum state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct verdict *v, enum state st, const char *fmt, ...)
{
	char raw[sizeof(v->why)];
	va_list ap;

	v->st = st;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	mesh_visible(raw, v->why, sizeof(v->why));
}

static void
ready(struct verdict *v)
{
	v->st = ST_READY;
	v->why[0] = '\0';
}

/* A condition's reason and message, for messages: "reason: message". */
static const char *
cond_words(const struct mesh_node *c, char *buf, size_t len)
{
	const char *reason = str(c, "reason"), *msg = str(c, "message");

	snprintf(buf, len, "%s%s%s", reason, *reason && *msg ? ": " : "",
	    msg);
	return buf;
}

/* ---- pods ------------------------------------------------------------ */

static bool
backoff_reason(const char *r)
{
	return strcmp(r, "ImagePullBackOff") == 0 ||
	    strcmp(r, "ErrImagePull") == 0 ||
	    strcmp(r, "CrashLoopBackOff") == 0 ||
	    strcmp(r, "CreateContainerConfigError") == 0 ||
	    strcmp(r, "InvalidImageName") == 0 ||
	    strcmp(r, "CreateContainerError") == 0;
}

static bool
backoff_in(const struct mesh_node *list, char *why, size_t len)
{
	size_t i;

	for (i = 0; mesh_is_seq(list) && i < list->u.c.n; i++) {
		const struct mesh_node *cs = list->u.c.v[i];
		const char *reason = str(cs, "state.waiting.reason");

		if (backoff_reason(reason)) {
			const char *msg = str(cs, "state.waiting.message");

			snprintf(why, len, "container %s: %s%s%s",
			    str(cs, "name"), reason, *msg ? ": " : "", msg);
			return true;
		}
	}
	return false;
}

bool
pod_backing_off(const struct mesh_node *pod, char *why, size_t len)
{
	const struct mesh_node *st = mesh_map_get(pod, "status");

	return backoff_in(mesh_map_get(st, "initContainerStatuses"), why,
	    len) || backoff_in(mesh_map_get(st, "containerStatuses"), why,
	    len);
}

/* Does the pod carry Istio's sidecar (a native sidecar counts)? */
static bool
has_proxy(const struct mesh_node *pod)
{
	static const char *const lists[] = { "containers", "initContainers" };
	const struct mesh_node *spec = mesh_map_get(pod, "spec");
	size_t i, j;

	for (j = 0; j < 2; j++) {
		const struct mesh_node *cs = mesh_map_get(spec, lists[j]);

		for (i = 0; mesh_is_seq(cs) && i < cs->u.c.n; i++)
			if (strcmp(str(cs->u.c.v[i], "name"),
			    PROXY_CONTAINER) == 0 && (j == 0 ||
			    strcmp(str(cs->u.c.v[i], "restartPolicy"),
			    "Always") == 0))
				return true;
	}
	return false;
}

static void
judge_pod(const struct run *r, const struct obj *o, bool injected,
    long now, long *wake, struct verdict *v)
{
	const struct mesh_node *pod = o->doc->root;
	const char *phase = str(pod, "status.phase");
	const struct mesh_node *c;
	char why[400], words[400];
	long grace = r->o->fail_after_ms;

	if (injected && !has_proxy(pod)) {
		say(v, ST_FAIL, "the pod has no %s container: label its "
		    "namespace istio-injection=enabled (or istio.io/rev) "
		    "while istiod runs, then restart it", PROXY_CONTAINER);
		return;
	}
	if (strcmp(phase, "Succeeded") == 0 && !injected) {
		ready(v);
		return;
	}
	if (strcmp(phase, "Failed") == 0) {
		say(v, ST_FAIL, "the pod failed%s%s", *str(pod,
		    "status.reason") ? ": " : "", str(pod, "status.reason"));
		return;
	}
	if (cond_true(pod, "Ready")) {
		ready(v);
		return;
	}
	if (o->bad_since > 0 && pod_backing_off(pod, why, sizeof(why))) {
		if (grace >= 0 && now - o->bad_since >= grace) {
			say(v, ST_FAIL, "%s", why);
			return;
		}
		if (grace >= 0 && (*wake == 0 || o->bad_since + grace < *wake))
			*wake = o->bad_since + grace;
		say(v, ST_WAIT, "%s", why);
		return;
	}
	if ((c = condition(pod, "PodScheduled", false)) != NULL &&
	    strcmp(str(c, "status"), "False") == 0) {
		say(v, ST_WAIT, "not scheduled: %s", cond_words(c, words,
		    sizeof(words)));
		return;
	}
	if ((c = condition(pod, "Ready", false)) != NULL &&
	    *str(c, "message") != '\0') {
		say(v, ST_WAIT, "not ready: %s", str(c, "message"));
		return;
	}
	say(v, ST_WAIT, "%s, not ready", *phase ? phase : "no phase yet");
}

/* ---- the rules of --for ready ---------------------------------------- */

static bool
generation_observed(const struct mesh_node *obj, struct verdict *v)
{
	long gen = num(obj, "metadata.generation", -1);
	long obs = num(obj, "status.observedGeneration", -1);

	if (gen >= 0 && obs >= 0 && obs < gen) {
		say(v, ST_WAIT, "generation %ld is not observed yet (%ld is)",
		    gen, obs);
		return false;
	}
	return true;
}

static void
judge_deployment(const struct mesh_node *d, struct verdict *v)
{
	const struct mesh_node *p = condition(d, "Progressing", false);
	long want = num(d, "spec.replicas", 1);
	long replicas = num(d, "status.replicas", 0);
	long updated = num(d, "status.updatedReplicas", 0);
	long avail = num(d, "status.availableReplicas", 0);
	long rdy = num(d, "status.readyReplicas", 0);
	char words[400];

	if (!generation_observed(d, v))
		return;
	if (num(d, "status.observedGeneration", -1) < 0 &&
	    num(d, "metadata.generation", -1) >= 0) {
		say(v, ST_WAIT, "the rollout is not observed yet");
		return;
	}
	if (p != NULL && strcmp(str(p, "reason"),
	    "ProgressDeadlineExceeded") == 0) {
		say(v, ST_FAIL, "the rollout exceeded its progress deadline: "
		    "%s", cond_words(p, words, sizeof(words)));
		return;
	}
	if (updated < want)
		say(v, ST_WAIT, "%ld/%ld replicas updated", updated, want);
	else if (replicas > updated)
		say(v, ST_WAIT, "%ld old replicas pending termination",
		    replicas - updated);
	else if (avail < updated || avail < want)
		say(v, ST_WAIT, "%ld/%ld replicas available", avail, want);
	else if (rdy < want)
		say(v, ST_WAIT, "%ld/%ld replicas ready", rdy, want);
	else
		ready(v);
}

static void
judge_statefulset(const struct mesh_node *s, struct verdict *v)
{
	long want = num(s, "spec.replicas", 1);
	long replicas = num(s, "status.replicas", 0);
	long rdy = num(s, "status.readyReplicas", 0);
	long updated = num(s, "status.updatedReplicas", 0);
	long partition = num(s, "spec.updateStrategy.rollingUpdate.partition",
	    0);

	if (!generation_observed(s, v))
		return;
	if (num(s, "status.observedGeneration", -1) < 0) {
		say(v, ST_WAIT, "the rollout is not observed yet");
		return;
	}
	if (strcmp(str(s, "spec.updateStrategy.type"), "OnDelete") == 0) {
		if (rdy < want)
			say(v, ST_WAIT, "%ld/%ld replicas ready", rdy, want);
		else
			ready(v);
		return;
	}
	if (replicas < want)
		say(v, ST_WAIT, "%ld/%ld replicas created", replicas, want);
	else if (rdy < want)
		say(v, ST_WAIT, "%ld/%ld replicas ready", rdy, want);
	else if (replicas > want)
		say(v, ST_WAIT, "%ld replicas pending termination",
		    replicas - want);
	else if (updated < want - partition)
		say(v, ST_WAIT, "%ld/%ld replicas updated", updated,
		    want - partition);
	else if (partition == 0 && strcmp(str(s, "status.updateRevision"),
	    str(s, "status.currentRevision")) != 0)
		say(v, ST_WAIT, "revision %s is not rolled out yet (%s is)",
		    str(s, "status.updateRevision"),
		    str(s, "status.currentRevision"));
	else
		ready(v);
}

static void
judge_daemonset(const struct mesh_node *d, struct verdict *v)
{
	long desired = num(d, "status.desiredNumberScheduled", -1);
	long current = num(d, "status.currentNumberScheduled", 0);
	long updated = num(d, "status.updatedNumberScheduled", 0);
	long avail = num(d, "status.numberAvailable", 0);
	long rdy = num(d, "status.numberReady", 0);

	if (!generation_observed(d, v))
		return;
	if (num(d, "status.observedGeneration", -1) < 0 || desired < 0) {
		say(v, ST_WAIT, "the rollout is not observed yet");
		return;
	}
	if (current < desired)
		say(v, ST_WAIT, "%ld/%ld pods scheduled", current, desired);
	else if (updated < desired)
		say(v, ST_WAIT, "%ld/%ld pods updated", updated, desired);
	else if (avail < desired)
		say(v, ST_WAIT, "%ld/%ld pods available", avail, desired);
	else if (rdy < desired)
		say(v, ST_WAIT, "%ld/%ld pods ready", rdy, desired);
	else
		ready(v);
}

static void
judge_replicaset(const struct mesh_node *s, struct verdict *v)
{
	long want = num(s, "spec.replicas", 1);
	long replicas = num(s, "status.replicas", 0);
	long avail = num(s, "status.availableReplicas", 0);
	long rdy = num(s, "status.readyReplicas", 0);
	const struct mesh_node *f = condition(s, "ReplicaFailure", false);
	char words[400];

	if (!generation_observed(s, v))
		return;
	if (f != NULL && strcmp(str(f, "status"), "True") == 0)
		say(v, ST_WAIT, "a replica failed: %s", cond_words(f, words,
		    sizeof(words)));
	else if (avail < want)
		say(v, ST_WAIT, "%ld/%ld replicas available", avail, want);
	else if (rdy < want)
		say(v, ST_WAIT, "%ld/%ld replicas ready", rdy, want);
	else if (replicas > want)
		say(v, ST_WAIT, "%ld replicas pending termination",
		    replicas - want);
	else
		ready(v);
}

static void
judge_job(const struct mesh_node *j, struct verdict *v)
{
	long completions = num(j, "spec.completions",
	    num(j, "spec.parallelism", 1));
	const struct mesh_node *f = condition(j, "Failed", false);
	char words[400];

	if (cond_true(j, "Complete")) {
		ready(v);
	} else if (f != NULL && strcmp(str(f, "status"), "True") == 0) {
		say(v, ST_FAIL, "the job failed: %s", cond_words(f, words,
		    sizeof(words)));
	} else if (cond_true(j, "Suspended")) {
		say(v, ST_WAIT, "the job is suspended");
	} else {
		say(v, ST_WAIT, "%ld/%ld completions succeeded, %ld active, "
		    "%ld failed", num(j, "status.succeeded", 0), completions,
		    num(j, "status.active", 0), num(j, "status.failed", 0));
	}
}

/* A Service's address into v->value; false when it has none yet. */
static bool
service_address(const struct mesh_node *svc, struct verdict *v)
{
	const struct mesh_node *ing = mesh_map_get(mesh_map_get(mesh_map_get(
	    svc, "status"), "loadBalancer"), "ingress");
	size_t i;

	for (i = 0; mesh_is_seq(ing) && i < ing->u.c.n; i++) {
		const char *ip = str(ing->u.c.v[i], "ip");
		const char *host = str(ing->u.c.v[i], "hostname");

		if (*ip || *host) {
			free(v->value);
			v->value = xstrdup(*ip ? ip : host);
			v->hostname = *ip == '\0';
			return true;
		}
	}
	return false;
}

static void
judge_address(const struct mesh_node *svc, struct verdict *v)
{
	const char *type = str(svc, "spec.type");
	const struct mesh_node *ports = mesh_map_get(mesh_map_get(svc,
	    "spec"), "ports");
	struct mesh_buf b = MESH_BUF_INIT;
	size_t i;

	if (*type == '\0')
		type = "ClusterIP";
	if (strcmp(type, "LoadBalancer") == 0) {
		if (service_address(svc, v))
			ready(v);
		else
			say(v, ST_WAIT, "no load balancer address yet");
		return;
	}
	if (strcmp(type, "NodePort") != 0) {
		say(v, ST_FAIL, "a %s Service gets no address: make it a "
		    "LoadBalancer (or NodePort) Service", type);
		return;
	}
	for (i = 0; mesh_is_seq(ports) && i < ports->u.c.n; i++) {
		const char *np = str(ports->u.c.v[i], "nodePort");

		if (*np == '\0') {
			mesh_buf_release(&b);
			say(v, ST_WAIT, "port %s has no node port yet",
			    str(ports->u.c.v[i], "port"));
			return;
		}
		if (b.len > 0)
			mesh_buf_addc(&b, ' ');
		mesh_buf_adds(&b, np);
	}
	free(v->value);
	v->value = mesh_buf_detach(&b, NULL);
	v->nodeport = true;
	ready(v);
}

static void
judge_webhooks(const struct mesh_node *w, struct verdict *v)
{
	const struct mesh_node *hooks = mesh_map_get(w, "webhooks");
	size_t i, n = mesh_is_seq(hooks) ? hooks->u.c.n : 0, lacking = 0;
	const char *first = NULL;

	for (i = 0; i < n; i++) {
		if (*str(hooks->u.c.v[i], "clientConfig.caBundle") == '\0') {
			if (lacking++ == 0)
				first = str(hooks->u.c.v[i], "name");
		}
	}
	if (lacking == 0)
		ready(v);
	else
		say(v, ST_WAIT, "%zu of %zu webhooks have no caBundle yet "
		    "(%s): is istiod running?", lacking, n, first);
}

/* Any other object: kstatus' generic rules, and Ready or Available. */
static void
judge_other(const struct mesh_node *obj, struct verdict *v)
{
	const struct mesh_node *c;
	char words[400];

	if (!generation_observed(obj, v))
		return;
	if ((c = condition(obj, "Stalled", false)) != NULL &&
	    strcmp(str(c, "status"), "True") == 0) {
		say(v, ST_FAIL, "stalled: %s", cond_words(c, words,
		    sizeof(words)));
		return;
	}
	if ((c = condition(obj, "Reconciling", false)) != NULL &&
	    strcmp(str(c, "status"), "True") == 0) {
		say(v, ST_WAIT, "reconciling: %s", cond_words(c, words,
		    sizeof(words)));
		return;
	}
	if ((c = condition(obj, "Ready", false)) == NULL)
		c = condition(obj, "Available", false);
	if (c != NULL && strcmp(str(c, "status"), "True") != 0) {
		say(v, ST_WAIT, "%s is %s%s%s", str(c, "type"),
		    *str(c, "status") ? str(c, "status") : "unknown",
		    *str(c, "reason") || *str(c, "message") ? ": " : "",
		    cond_words(c, words, sizeof(words)));
		return;
	}
	ready(v);
}

static void
judge_ready(const struct run *r, enum kind k, const struct obj *o,
    bool injected, long now, long *wake, struct verdict *v)
{
	const struct mesh_node *obj = o->doc->root;
	const struct mesh_node *c;
	char words[400];

	if (*str(obj, "metadata.deletionTimestamp") != '\0') {
		say(v, ST_WAIT, "being deleted");
		return;
	}
	switch (k) {
	case K_DEPLOYMENT:
		judge_deployment(obj, v);
		break;
	case K_STATEFULSET:
		judge_statefulset(obj, v);
		break;
	case K_DAEMONSET:
		judge_daemonset(obj, v);
		break;
	case K_REPLICASET:
		judge_replicaset(obj, v);
		break;
	case K_JOB:
		judge_job(obj, v);
		break;
	case K_POD:
		judge_pod(r, o, injected, now, wake, v);
		break;
	case K_PVC:
		if (strcmp(str(obj, "status.phase"), "Bound") == 0)
			ready(v);
		else if (strcmp(str(obj, "status.phase"), "Lost") == 0)
			say(v, ST_FAIL, "the claim lost its volume");
		else
			say(v, ST_WAIT, "not bound (%s)", *str(obj,
			    "status.phase") ? str(obj, "status.phase") :
			    "no phase yet");
		break;
	case K_SERVICE:
		if (strcmp(str(obj, "spec.type"), "LoadBalancer") != 0)
			ready(v);
		else if (service_address(obj, v))
			ready(v);
		else
			say(v, ST_WAIT, "no load balancer address yet");
		break;
	case K_NAMESPACE:
		if (strcmp(str(obj, "status.phase"), "Active") == 0)
			ready(v);
		else
			say(v, ST_WAIT, "%s, not Active", *str(obj,
			    "status.phase") ? str(obj, "status.phase") :
			    "no phase yet");
		break;
	case K_CRD:
		if ((c = condition(obj, "NamesAccepted", false)) != NULL &&
		    strcmp(str(c, "status"), "False") == 0) {
			say(v, ST_FAIL, "its names are not accepted: %s",
			    cond_words(c, words, sizeof(words)));
		} else if ((c = condition(obj, "Established", false)) !=
		    NULL && strcmp(str(c, "status"), "True") == 0) {
			ready(v);
		} else if (c != NULL && strcmp(str(c, "status"), "False") ==
		    0 && strcmp(str(c, "reason"), "Installing") != 0) {
			say(v, ST_FAIL, "not established: %s", cond_words(c,
			    words, sizeof(words)));
		} else {
			say(v, ST_WAIT, "not established yet");
		}
		break;
	case K_APISERVICE:
		if (cond_true(obj, "Available"))
			ready(v);
		else if ((c = condition(obj, "Available", false)) != NULL)
			say(v, ST_WAIT, "not available: %s", cond_words(c,
			    words, sizeof(words)));
		else
			say(v, ST_WAIT, "not available yet");
		break;
	case K_WEBHOOKS:
		judge_webhooks(obj, v);
		break;
	case K_SECRETLIKE:
		ready(v);
		break;
	case K_OTHER:
		judge_other(obj, v);
		break;
	}
}

/* ---- kubectl's condition= and jsonpath= ------------------------------ */

static void
judge_condition(const struct cond *c, const struct mesh_node *obj,
    struct verdict *v)
{
	const struct mesh_node *cs = mesh_map_get(mesh_map_get(obj,
	    "status"), "conditions");
	long gen = num(obj, "metadata.generation", -1), obs;
	size_t i;

	for (i = 0; mesh_is_seq(cs) && i < cs->u.c.n; i++) {
		const struct mesh_node *e = cs->u.c.v[i];
		const char *t = mesh_map_getstr(e, "type");
		const char *s = mesh_map_getstr(e, "status");

		if (t == NULL || strcasecmp(t, c->name) != 0 || s == NULL)
			continue;
		obs = num(e, "observedGeneration",
		    num(obj, "status.observedGeneration", -1));
		if (gen >= 0 && obs >= 0 && obs < gen) {
			say(v, ST_WAIT, "condition %s is of generation %ld, "
			    "not %ld", t, obs, gen);
			return;
		}
		if (strcasecmp(s, c->value) != 0) {
			say(v, ST_WAIT, "condition %s is %s, not %s", t, s,
			    c->value);
			return;
		}
		free(v->value);
		v->value = xstrdup(s);
		ready(v);
		return;
	}
	say(v, ST_WAIT, "no condition %s yet", c->name);
}

static void
judge_jsonpath(const struct cond *c, const struct mesh_node *obj,
    struct verdict *v)
{
	const struct mesh_node **res = NULL;
	struct mesh_buf b = MESH_BUF_INIT;
	char err[256];
	size_t n = 0;
	char *got, *want;
	size_t gl, wl;

	if (mesh_jsonpath_find(c->jp, obj, &res, &n, err, sizeof(err)) ==
	    -1) {
		say(v, ST_FAIL, "%s", err);
		return;
	}
	if (n == 0) {
		free(res);
		say(v, ST_WAIT, "%s is not there yet", c->name);
		return;
	}
	if (n > 1) {
		free(res);
		say(v, ST_FAIL, "the jsonpath expression matches more than one "
		    "value");
		return;
	}
	if (c->value != NULL && !mesh_is_scalar(res[0])) {
		free(res);
		say(v, ST_FAIL, "the jsonpath expression leads to a nested "
		    "object or list, which cannot equal a value");
		return;
	}
	mesh_jsonpath_print(&b, res[0]);
	free(res);
	free(v->value);
	v->value = mesh_buf_detach(&b, NULL);
	if (c->value == NULL) {
		ready(v);
		return;
	}
	/* compared as kubectl does: both trimmed */
	got = v->value;
	want = c->value;
	while (isspace((unsigned char)*got))
		got++;
	while (isspace((unsigned char)*want))
		want++;
	gl = strlen(got);
	wl = strlen(want);
	while (gl > 0 && isspace((unsigned char)got[gl - 1]))
		gl--;
	while (wl > 0 && isspace((unsigned char)want[wl - 1]))
		wl--;
	if (gl == wl && memcmp(got, want, gl) == 0)
		ready(v);
	else
		say(v, ST_WAIT, "%s is '%.*s', not '%.*s'", c->name,
		    (int)(gl > 100 ? 100 : gl), got, (int)wl, want);
}

void
judge(const struct run *r, const struct cond *c, enum kind k,
    const struct obj *o, long now, long *wake, struct verdict *v)
{
	const struct mesh_node *obj = o->doc->root;

	free(v->value);
	memset(v, 0, sizeof(*v));
	switch (c->kind) {
	case FOR_EXISTS:
		ready(v);
		break;
	case FOR_DELETE:
		if (*str(obj, "metadata.deletionTimestamp") != '\0')
			say(v, ST_WAIT, "being deleted");
		else
			say(v, ST_WAIT, "still there");
		break;
	case FOR_CONDITION:
		judge_condition(c, obj, v);
		break;
	case FOR_JSONPATH:
		judge_jsonpath(c, obj, v);
		break;
	case FOR_ADDRESS:
		judge_address(obj, v);
		break;
	case FOR_READY:
	case FOR_INJECTED:
		judge_ready(r, k, o, c->kind == FOR_INJECTED, now, wake, v);
		break;
	}
}

/* ---- label selectors ------------------------------------------------- */

static bool
in_values(const struct mesh_node *vals, const char *s)
{
	size_t i;

	for (i = 0; mesh_is_seq(vals) && i < vals->u.c.n; i++)
		if (mesh_is_scalar(vals->u.c.v[i]) &&
		    strcmp(vals->u.c.v[i]->u.s.text, s) == 0)
			return true;
	return false;
}

bool
selects(const struct mesh_node *obj, const struct mesh_node *pod)
{
	const struct mesh_node *sel = mesh_map_get(mesh_map_get(obj, "spec"),
	    "selector");
	const struct mesh_node *ml = mesh_map_get(sel, "matchLabels");
	const struct mesh_node *me = mesh_map_get(sel, "matchExpressions");
	const struct mesh_node *labels = mesh_map_get(mesh_map_get(pod,
	    "metadata"), "labels");
	size_t i;

	if (!mesh_is_map(sel) || (mesh_map_len(ml) == 0 &&
	    (!mesh_is_seq(me) || me->u.c.n == 0)))
		return false;		/* selects nothing, as the API says */
	for (i = 0; i < mesh_map_len(ml); i++) {
		const struct mesh_node *k = mesh_map_key(ml, i);
		const struct mesh_node *want = mesh_map_value(ml, i);
		const struct mesh_node *have;

		if (!mesh_is_scalar(k) || !mesh_is_scalar(want))
			return false;
		have = mesh_map_get(labels, k->u.s.text);
		if (!mesh_is_scalar(have) || strcmp(have->u.s.text,
		    want->u.s.text) != 0)
			return false;
	}
	for (i = 0; mesh_is_seq(me) && i < me->u.c.n; i++) {
		const struct mesh_node *e = me->u.c.v[i];
		const char *key = str(e, "key"), *op = str(e, "operator");
		const struct mesh_node *have = mesh_map_get(labels, key);
		const struct mesh_node *vals = mesh_map_get(e, "values");
		bool present = mesh_is_scalar(have);

		if (strcmp(op, "In") == 0) {
			if (!present || !in_values(vals, have->u.s.text))
				return false;
		} else if (strcmp(op, "NotIn") == 0) {
			if (present && in_values(vals, have->u.s.text))
				return false;
		} else if (strcmp(op, "Exists") == 0) {
			if (!present)
				return false;
		} else if (strcmp(op, "DoesNotExist") == 0) {
			if (present)
				return false;
		} else {
			return false;
		}
	}
	return true;
}
