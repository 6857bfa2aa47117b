/*
 * mesh-overlay --k8s-overlays: the structured k8s settings of an
 * IstioOperator's components (env, resources, hpaSpec, service...), as
 * istioctl's post-processing applies them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"
#include "overlay.h"
#include "smp.h"
#include "xalloc.h"

/*
 * The structured k8s settings of an IstioOperator's components, which
 * istioctl applies after rendering as strategic merge patches on the
 * component's objects, before its k8s.overlays.
 */
static const struct k8s_field k8s_fields[] = {
	{ "affinity", K_WORKLOAD, "spec.template.spec.affinity" },
	{ "env", K_CONTAINER, "env" },
	{ "hpaSpec", K_HPA, "spec" },
	{ "imagePullPolicy", K_CONTAINER, "imagePullPolicy" },
	{ "nodeSelector", K_WORKLOAD, "spec.template.spec.nodeSelector" },
	{ "podAnnotations", K_WORKLOAD, "spec.template.metadata.annotations" },
	{ "podDisruptionBudget", K_PDB, "spec" },
	{ "priorityClassName", K_WORKLOAD,
	    "spec.template.spec.priorityClassName" },
	{ "readinessProbe", K_CONTAINER, "readinessProbe" },
	{ "replicaCount", K_WORKLOAD, "spec.replicas" },
	{ "resources", K_CONTAINER, "resources" },
	{ "securityContext", K_WORKLOAD, "spec.template.spec.securityContext" },
	{ "service", K_SERVICE, "spec" },
	{ "serviceAnnotations", K_SERVICE, "metadata.annotations" },
	{ "strategy", K_WORKLOAD, "spec.strategy" },
	{ "tolerations", K_WORKLOAD, "spec.template.spec.tolerations" },
};

/* The components whose settings istioctl applies: their main object. */
static const struct k8s_comp {
	const char *spec, *kind, *name, *container;
	bool gateway;
} k8s_comps[] = {
	{ "pilot", "Deployment", "istiod", "discovery", false },
	{ "ingressGateways", "Deployment", "istio-ingressgateway",
	    "istio-proxy", true },
	{ "egressGateways", "Deployment", "istio-egressgateway",
	    "istio-proxy", true },
	{ "cni", "DaemonSet", "istio-cni-node", "install-cni", false },
	{ "ztunnel", "DaemonSet", "ztunnel", "istio-proxy", false },
};

/* The lists these patches reach that merge by a key, from Go's types. */
static const struct mesh_smp_key k8s_merge_keys[] = {
	{ "spec.template.spec.containers", "name" },
	{ "spec.template.spec.containers.env", "name" },
	{ "spec.ports", "port" },
	{ NULL, NULL }
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
settings_kind(const struct k8s_setting *st)
{
	switch (st->f->target) {
	case K_HPA:
		return "HorizontalPodAutoscaler";
	case K_PDB:
		return "PodDisruptionBudget";
	case K_SERVICE:
		return "Service";
	default:
		return st->kind;
	}
}

/*
 * Gather the k8s settings of one component (named cname; one of its
 * entries for a gateway list) of the IstioOperator spec in path.
 */
int
load_settings(struct opts *o, const char *path, const struct mesh_node *spec,
    const char *cname, const struct mesh_node *one)
{
	const struct mesh_node *k8s = mesh_map_get(one, "k8s");
	const struct k8s_comp *c = NULL;
	const char *name, *rev;
	size_t i, j;

	if (k8s == NULL || mesh_is_null(k8s))
		return 0;
	if (!mesh_is_map(k8s)) {
		mesh_errat(path, k8s->line, k8s->col, "components.%s.k8s is "
		    "not a mapping", cname);
		return -1;
	}
	for (i = 0; i < NELEM(k8s_comps); i++)
		if (strcmp(k8s_comps[i].spec, cname) == 0)
			c = &k8s_comps[i];
	name = c == NULL ? NULL : c->gateway ? mesh_map_getstr(one, "name") :
	    NULL;
	if (c != NULL && name == NULL)
		name = c->name;
	rev = mesh_map_getstr(spec, "revision");
	if (rev == NULL)
		rev = mesh_map_getstr(spec, "values.revision");
	if (c != NULL && !c->gateway && strcmp(c->spec, "pilot") == 0 &&
	    rev != NULL && *rev != '\0' && strcmp(rev, "default") != 0) {
		char *s = xmalloc(strlen(name) + strlen(rev) + 2);

		sprintf(s, "%s-%s", name, rev);
		o->owned = xreallocarray(o->owned, o->nowned + 1,
		    sizeof(*o->owned));
		o->owned[o->nowned++] = s;
		name = s;
	}
	for (i = 0; i < mesh_map_len(k8s); i++) {
		const struct mesh_node *key = mesh_map_key(k8s, i);
		const struct mesh_node *v = mesh_map_value(k8s, i);
		const struct k8s_field *f = NULL;
		struct k8s_setting *st;

		if (!mesh_is_scalar(key) || mesh_scalar_is(key, "overlays"))
			continue;
		for (j = 0; j < NELEM(k8s_fields); j++)
			if (mesh_scalar_is(key, k8s_fields[j].name))
				f = &k8s_fields[j];
		if (f == NULL && (mesh_scalar_is(key, "volumes") ||
		    mesh_scalar_is(key, "volumeMounts"))) {
			mesh_warnat(path, key->line, key->col, "components.%s."
			    "k8s.%s is applied by istioctl to nothing, so not "
			    "here either: use k8s.overlays", cname,
			    key->u.s.text);
			continue;
		}
		if (f == NULL) {
			mesh_errat(path, key->line, key->col, "components.%s."
			    "k8s: unknown field '%s'", cname, key->u.s.text);
			return -1;
		}
		if (c == NULL) {
			mesh_warnat(path, key->line, key->col, "components.%s."
			    "k8s.%s is applied by istioctl to no object of "
			    "that component, so not here either", cname,
			    key->u.s.text);
			continue;
		}
		if (c->gateway && f->target == K_SERVICE &&
		    mesh_is_map(v) && mesh_map_find(v, "ports") != -1)
			mesh_warnat(path, key->line, key->col, "components.%s."
			    "k8s.service.ports of a gateway are the chart's "
			    "service.ports value, as istioctl passes them, "
			    "and are not patched here", cname);
		o->set = xreallocarray(o->set, o->nset + 1, sizeof(*o->set));
		st = &o->set[o->nset++];
		memset(st, 0, sizeof(*st));
		st->f = f;
		st->kind = c->kind;
		st->name = name;
		st->container = c->container;
		st->value = v;
		st->at = key;
		st->gateway = c->gateway;
	}
	return 0;
}

/* The mapping at the dotted path under n, made where missing, or NULL. */
static struct mesh_node *
settings_parent(struct mesh_doc *doc, struct mesh_node *n, const char *path,
    const char **last)
{
	const char *p = path, *dot;

	while ((dot = strchr(p, '.')) != NULL) {
		char key[64];
		struct mesh_node *next;
		size_t len = (size_t)(dot - p);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		next = mesh_map_get(n, key);
		if (next == NULL || mesh_is_null(next)) {
			next = mesh_map_new(doc);
			mesh_map_set(doc, n, key, next);
		} else if (!mesh_is_map(next)) {
			return NULL;
		}
		n = next;
		p = dot + 1;
	}
	*last = p;
	return n;
}

/* Patch root, an object st's kind and name, with the setting st. */
int
apply_setting(struct opts *o, struct mesh_doc *doc, struct mesh_node *root,
    const struct k8s_setting *st)
{
	const struct k8s_field *f = st->f;
	const struct mesh_node *value = st->value;
	struct mesh_node *base = root, *parent, *cur, *items, *ports = NULL;
	struct mesh_smp_err err;
	const char *last, *prefix = "";
	char full[128];
	size_t i;
	long at;

	if (f->target == K_CONTAINER) {
		items = mesh_map_get(mesh_map_get(mesh_map_get(mesh_map_get(
		    root, "spec"), "template"), "spec"), "containers");
		base = NULL;
		for (i = 0; mesh_is_seq(items) && i < items->u.c.n; i++)
			if (mesh_is_map(items->u.c.v[i]) && mesh_scalar_is(
			    mesh_map_get(items->u.c.v[i], "name"),
			    st->container))
				base = items->u.c.v[i];
		if (base == NULL) {
			report(doc, root, NULL, "k8s.%s (%s:%u): no container "
			    "'%s' to patch", f->name, o->overlays_file,
			    st->at->line, st->container);
			return -1;
		}
		prefix = "spec.template.spec.containers.";
	}
	if ((parent = settings_parent(doc, base, f->path, &last)) == NULL) {
		report(doc, root, NULL, "k8s.%s (%s:%u): %s is not a mapping",
		    f->name, o->overlays_file, st->at->line, f->path);
		return -1;
	}
	at = mesh_map_find(parent, last);
	if (mesh_is_null(value)) {
		if (at >= 0)
			mesh_map_remove(parent, (size_t)at);
		return 0;
	}
	if (st->gateway && f->target == K_SERVICE && mesh_is_map(value) &&
	    mesh_map_find(value, "ports") != -1) {
		/* a gateway's ports are chart values: patch the rest */
		ports = mesh_map_new(doc);
		for (i = 0; i < mesh_map_len(value); i++)
			if (!mesh_scalar_is(mesh_map_key(value, i), "ports"))
				mesh_map_append(doc, ports,
				    mesh_map_key(value, i),
				    mesh_map_value(value, i));
		value = ports;
	}
	snprintf(full, sizeof(full), "%s%s", prefix, f->path);
	cur = at >= 0 ? mesh_map_value(parent, (size_t)at) : NULL;
	if (mesh_smp_apply(doc, &cur, full, value, k8s_merge_keys, &err) ==
	    -1) {
		report(doc, root, NULL, "k8s.%s (%s:%u): %s", f->name,
		    o->overlays_file, err.at != NULL && err.at->line ?
		    err.at->line : st->at->line, err.msg);
		return -1;
	}
	mesh_map_set(doc, parent, last, cur);
	if (f->target == K_PDB && mesh_is_map(cur) &&
	    mesh_map_find(cur, "maxUnavailable") != -1 &&
	    mesh_map_find(cur, "minAvailable") != -1)
		/* both cannot be set: istioctl leaves minAvailable null */
		mesh_map_set(doc, cur, "minAvailable", mesh_scalar_new(doc,
		    "null", 4, MESH_T_NULL));
	return 0;
}
