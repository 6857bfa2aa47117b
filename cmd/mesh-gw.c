/*
 * mesh-gw: the gateway documents of Istio's multicluster and external
 * control plane guides: what gen-eastwest-gateway.sh prints, the
 * expose-services and expose-istiod samples with their placeholders
 * filled, the external control plane's ingress gateway and its routes to
 * istiod, and the remote cluster's ingress and egress gateways; or every
 * gateway document each cluster of a mesh description needs.  It reads
 * nothing but its flags (or -f mesh.yaml) and writes a YAML or JSON
 * stream on stdout, all or nothing.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "helmrel.h"
#include "istiover.h"
#include "meshdesc.h"
#include "node.h"
#include "parse.h"
#include "path.h"
#include "route.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

#define ISTIO_SYSTEM "istio-system"
#define EXTERNAL_NS "external-istiod"
/* where the IstioOperator gateways keep their Service */
#define IOP_SERVICE "spec.components.ingressGateways[0].k8s.service"

enum cmd { CMD_NONE, CMD_EASTWEST, CMD_EXPOSE_SERVICES, CMD_EXPOSE_ISTIOD,
	CMD_CONTROLPLANE, CMD_EXTERNAL_ISTIOD, CMD_INGRESS, CMD_EGRESS };

static const char *const cmd_names[] = { "-f", "eastwest", "expose-services",
	"expose-istiod", "controlplane", "external-istiod", "ingress",
	"egress" };

/* The flags that only some subcommands take, as bits. */
enum {
	F_AMBIENT = 1 << 0,
	F_CLUSTER = 1 << 1,
	F_CREDENTIAL = 1 << 2,
	F_EXTERNAL_IP = 1 << 3,
	F_HOST = 1 << 4,
	F_INJECTION = 1 << 5,
	F_ISTIO_NS = 1 << 6,
	F_ISTIO_VERSION = 1 << 7,
	F_LB_IP = 1 << 8,
	F_MESH = 1 << 9,
	F_NAMESPACE = 1 << 10,
	F_NETWORK = 1 << 11,
	F_REVISION = 1 << 12,
	F_SERVICE_TYPE = 1 << 13,
	F_SINGLE = 1 << 14,
	F_TLS = 1 << 15,
	F_FOR = 1 << 16,
	F_DIR = 1 << 17,
	F_STEP = 1 << 18,
	F_INSTALLER = 1 << 19,
	F_RELEASE = 1 << 20,
	F_HELM_OUT = 1 << 21	/* -o values or -o helm-install */
};

#define F_LB (F_EXTERNAL_IP | F_LB_IP | F_SERVICE_TYPE)

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ F_AMBIENT, "--ambient" },
	{ F_CLUSTER, "--cluster" },
	{ F_CREDENTIAL, "--credential-name" },
	{ F_DIR, "--dir" },
	{ F_EXTERNAL_IP, "--external-ip" },
	{ F_FOR, "--for" },
	{ F_HOST, "--host" },
	{ F_HELM_OUT, "-o values or -o helm-install" },
	{ F_INJECTION, "--injection-template" },
	{ F_INSTALLER, "--installer" },
	{ F_ISTIO_NS, "--istio-namespace" },
	{ F_ISTIO_VERSION, "--istio-version" },
	{ F_LB_IP, "--load-balancer-ip" },
	{ F_MESH, "--mesh" },
	{ F_NAMESPACE, "--namespace" },
	{ F_NETWORK, "--network" },
	{ F_RELEASE, "--release" },
	{ F_REVISION, "--revision" },
	{ F_SERVICE_TYPE, "--service-type" },
	{ F_SINGLE, "--single-cluster" },
	{ F_STEP, "--step" },
	{ F_TLS, "--tls" },
};

/* What each subcommand takes, in the order of enum cmd. */
static const unsigned cmd_flags[] = {
	F_CLUSTER | F_DIR | F_FOR | F_ISTIO_VERSION | F_LB | F_STEP |
	    F_INSTALLER | F_RELEASE | F_HELM_OUT,
	F_AMBIENT | F_CLUSTER | F_ISTIO_NS | F_ISTIO_VERSION | F_LB | F_MESH |
	    F_NETWORK | F_REVISION | F_SINGLE,
	F_ISTIO_NS | F_ISTIO_VERSION,
	F_CREDENTIAL | F_HOST | F_ISTIO_NS | F_ISTIO_VERSION | F_REVISION |
	    F_TLS,
	F_ISTIO_VERSION | F_LB | F_INSTALLER | F_RELEASE | F_HELM_OUT,
	F_CREDENTIAL | F_HOST | F_ISTIO_VERSION | F_NAMESPACE,
	F_INJECTION | F_ISTIO_VERSION | F_LB | F_NAMESPACE | F_INSTALLER |
	    F_HELM_OUT,
	F_INJECTION | F_ISTIO_VERSION | F_NAMESPACE | F_INSTALLER |
	    F_HELM_OUT,
};

/* How a gateway's LoadBalancer Service is changed. */
struct lb {
	const char *type;		/* LoadBalancer or NodePort, or NULL */
	const char *ip;			/* loadBalancerIP, or NULL */
	const char **external_ips;
	size_t nexternal_ips;
};

struct opts {
	enum cmd cmd;
	unsigned seen;			/* F_* given */
	const char *mesh_file, *cluster, *network, *revision;
	const char *istio_namespace, *namespace, *host, *credential_name;
	const char *tls, *injection_template;
	const char *consumer, *dir;	/* -f: --for, --dir */
	const char *step;		/* -f: --step */
	bool ambient, single_cluster;
	int minor;			/* --istio-version (istiover.h) */
	int installer;		/* --installer: -1 not given, 0 istioctl, 1 helm */
	bool helm;			/* -f: Helm releases */
	enum mesh_helm_out hout;	/* -o values|helm-install, or objects */
	const char *release;		/* -o values: --release */
	struct mesh_helm_set *hset;	/* -o values|helm-install: collected */
	struct lb lb;
	enum mesh_format fmt;
};

/*
 * Where documents go: the writer, or with -f the router, the cluster they
 * are for and the guide's step they belong to.
 */
struct sink {
	struct mesh_writer *w;
	struct mesh_router *rt;
	const char *cluster, *context;	/* -f: the annotations */
	const char *step;
	int minor;			/* the Istio release (istiover.h) */
	unsigned docs;			/* documents written */
	unsigned lb_gateways;		/* LoadBalancer gateways written */
	/* Helm: IstioOperators become Helm releases (d NULL: not) */
	const struct mesh_desc *d;
	const struct opts *o;		/* its -o, --step and the collection */
};

/*
 * Set a dotted path under the document's root; the path is ours, so it
 * always applies.  The document is then written from its tree.
 */
static void
set(struct mesh_doc *doc, const char *path, struct mesh_node *value)
{
	mesh_path_put(doc, doc->root, path, value);
	doc->changed = true;
}

static void
set_str(struct mesh_doc *doc, const char *path, const char *s)
{
	set(doc, path, mesh_str_new(doc, s));
}

/* Fill a template, keeping its text (comments too) where it can. */
static int
render(const char *name, struct mesh_vars *v, struct mesh_doc ***docs,
    size_t *n)
{
	return mesh_template_render(name, mesh_vars_lookup, v, true, docs, n);
}

/* metadata.namespace, after metadata.name. */
static void
set_namespace(struct mesh_doc *doc, const char *ns)
{
	if (ns != NULL)
		set_str(doc, "metadata.namespace", ns);
}

/* Write doc, or in -f mode annotate and route it; takes it. */
static int
put_one(struct sink *s, struct mesh_doc *doc)
{
	int rv;

	s->docs++;
	if (s->rt == NULL) {
		rv = mesh_writer_put(s->w, doc);
		mesh_doc_free(doc);
		return rv;
	}
	mesh_desc_annotate(doc, s->cluster, s->context);
	return mesh_router_add(s->rt, doc, s->step);
}

/* put_one for mesh_helm_deliver. */
static int
put_helm(void *s, struct mesh_doc *doc, const char *step)
{
	(void)step;		/* the sink's */
	return put_one(s, doc);
}

/*
 * With Helm, doc (taken): an IstioOperator as the Helm releases that
 * install the same, written, routed, or collected for -o values and -o
 * helm-install; anything else as it is, or dropped when only Helm
 * releases are printed.
 */
static int
helm_put(struct sink *s, struct mesh_doc *doc)
{
	struct mesh_helm_release r[8];
	const struct opts *o = s->o;
	size_t n;
	int rv;

	if (!mesh_is_iop(doc->root)) {
		if (o->hout == MESH_HELM_OUT_OBJECTS)
			return put_one(s, doc);
		mesh_doc_free(doc);
		return 0;
	}
	rv = mesh_helm_from_iop(s->d, s->cluster, s->context, doc, s->step, r,
	    8, &n);
	mesh_doc_free(doc);
	return rv == -1 ? -1 : mesh_helm_deliver(o->hset, s->d, o->hout,
	    o->step, s->cluster, s->step, r, n, put_helm, s);
}

/*
 * Write every document, or in -f mode annotate and route it; takes them
 * all.
 */
static int
put_all(struct sink *s, struct mesh_doc **docs, size_t n)
{
	size_t i;
	int rv = 0;

	for (i = 0; i < n && rv == 0; i++) {
		if (s->d != NULL) {
			rv = helm_put(s, docs[i]);
			continue;
		}
		s->docs++;
		if (s->rt == NULL) {
			rv = mesh_writer_put(s->w, docs[i]);
			mesh_doc_free(docs[i]);
			continue;
		}
		mesh_desc_annotate(docs[i], s->cluster, s->context);
		rv = mesh_router_add(s->rt, docs[i], s->step);
	}
	while (i < n)
		mesh_doc_free(docs[i++]);
	free(docs);
	return rv;
}

/* The Service of an IstioOperator gateway, at path. */
static void
lb_iop(struct sink *s, struct mesh_doc *doc, const char *path,
    const struct lb *lb)
{
	char buf[128];
	size_t i;

	s->lb_gateways++;
	if (lb->type != NULL) {
		snprintf(buf, sizeof(buf), "%s.type", path);
		set_str(doc, buf, lb->type);
	}
	if (lb->nexternal_ips > 0) {
		struct mesh_node *ips = mesh_seq_new(doc);

		for (i = 0; i < lb->nexternal_ips; i++)
			mesh_seq_append(doc, ips,
			    mesh_str_new(doc, lb->external_ips[i]));
		snprintf(buf, sizeof(buf), "%s.externalIPs", path);
		set(doc, buf, ips);
	}
	if (lb->ip != NULL) {
		snprintf(buf, sizeof(buf), "%s.loadBalancerIP", path);
		set_str(doc, buf, lb->ip);
	}
}

/*
 * The ambient east-west Gateway: Istio makes its Service, of the type
 * the annotation names, at the one IP address the Gateway asks for.
 */
static void
lb_gateway_api(struct sink *s, struct mesh_doc *doc, const struct lb *lb)
{
	struct mesh_node *addrs, *a;

	s->lb_gateways++;
	if (lb->type != NULL)
		set_str(doc, "metadata.annotations.networking\\.istio\\.io/"
		    "service-type", lb->type);
	if (lb->ip != NULL) {
		addrs = mesh_seq_new(doc);
		a = mesh_map_new(doc);
		mesh_map_set(doc, a, "type", mesh_str_new(doc, "IPAddress"));
		mesh_map_set(doc, a, "value", mesh_str_new(doc, lb->ip));
		mesh_seq_append(doc, addrs, a);
		set(doc, "spec.addresses", addrs);
	}
}

/*
 * gen-eastwest-gateway.sh: an IstioOperator, or with ambient a Gateway
 * API Gateway.  network is NULL for --single-cluster; istio_ns is NULL
 * to leave values.global.istioNamespace to istioctl.
 */
static int
eastwest(struct sink *s, const char *network, bool ambient,
    const char *revision, const char *istio_ns, const struct lb *lb)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	const char *name;
	size_t n;

	mesh_vars_add(&v, "REVISION", revision);
	mesh_vars_add(&v, "NETWORK", network != NULL ? network : "");
	mesh_vars_add(&v, "ISTIO_NAMESPACE",
	    istio_ns != NULL ? istio_ns : ISTIO_SYSTEM);
	if (ambient)
		name = "gw/eastwest-ambient";
	else if (network == NULL)
		name = "gw/eastwest-single-cluster";
	else
		name = "gw/eastwest";
	if (render(name, &v, &docs, &n) == -1)
		return -1;
	if (ambient) {
		lb_gateway_api(s, docs[0], lb);
	} else {
		if (istio_ns != NULL)
			set_str(docs[0], "spec.values.global.istioNamespace",
			    istio_ns);
		lb_iop(s, docs[0], IOP_SERVICE, lb);
	}
	return put_all(s, docs, n);
}

/* The samples' apiVersion in the release's tag. */
static const char *
sample_api(const struct sink *s)
{
	return mesh_istio_has(s->minor, MESH_IC_SAMPLES_V1) ?
	    "networking.istio.io/v1" : "networking.istio.io/v1alpha3";
}

/* expose-services.yaml; ns is NULL to leave the namespace to kubectl. */
static int
expose_services(struct sink *s, const char *ns)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	size_t i, n;

	mesh_vars_add(&v, "SAMPLE_API_VERSION", sample_api(s));
	if (render("gw/expose-services", &v, &docs, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		set_namespace(docs[i], ns);
	return put_all(s, docs, n);
}

/*
 * expose-istiod.yaml, expose-istiod-rev.yaml.tmpl or, with a host,
 * expose-istiod-https.yaml.  istiod lives in istio_ns; ns (or NULL) goes
 * into the documents' metadata.
 */
static int
expose_istiod(struct sink *s, const char *revision, const char *istio_ns,
    const char *ns, const char *host, const char *credential)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	bool rev = *revision != '\0' && strcmp(revision, "default") != 0;
	char *istiod = NULL, *suffix = NULL;
	const char *name;
	size_t i, n;
	int rv;

	mesh_vars_add(&v, "ISTIO_NAMESPACE", istio_ns);
	mesh_vars_add(&v, "REVISION", revision);
	mesh_vars_add(&v, "SAMPLE_API_VERSION", sample_api(s));
	if (host != NULL) {
		istiod = rev ? xasprintf("istiod-%s", revision) :
		    xstrdup("istiod");
		suffix = rev ? xasprintf("-%s", revision) : xstrdup("");
		mesh_vars_add(&v, "HOST", host);
		mesh_vars_add(&v, "CREDENTIAL_NAME", credential);
		mesh_vars_add(&v, "ISTIOD", istiod);
		mesh_vars_add(&v, "SUFFIX", suffix);
		name = "gw/expose-istiod-https";
	} else {
		name = rev ? "gw/expose-istiod-rev" : "gw/expose-istiod";
	}
	rv = render(name, &v, &docs, &n);
	free(istiod);
	free(suffix);
	if (rv == -1)
		return -1;
	for (i = 0; i < n; i++)
		set_namespace(docs[i], ns);
	return put_all(s, docs, n);
}

/* The external cluster's ingress gateway (controlplane-gateway.yaml). */
static int
controlplane(struct sink *s, const struct lb *lb)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	size_t n;

	if (render("gw/controlplane", &v, &docs, &n) == -1)
		return -1;
	lb_iop(s, docs[0], IOP_SERVICE, lb);
	return put_all(s, docs, n);
}

/* Is s an IP address? */
static bool
is_ip(const char *s)
{
	char why[256];

	return s != NULL && mesh_desc_check_address(s, MESH_ADDR_IP, why,
	    sizeof(why)) == MESH_ADDR_IP;
}

/*
 * The Gateway, VirtualService and DestinationRule to the external istiod;
 * at an IP address (the page's IP-address variant), a Gateway and
 * VirtualService that pass TLS through to istiod, which serves its own
 * certificate: no credential, no DestinationRule.
 */
static int
external_istiod(struct sink *s, const char *host, const char *credential,
    const char *ns, bool ip)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	bool v1;
	size_t n;

	mesh_vars_add(&v, "HOST", host);
	mesh_vars_add(&v, "CREDENTIAL_NAME", credential);
	mesh_vars_add(&v, "NAMESPACE", ns);
	/* the guide's own versions until the page wrote v1 for all three */
	v1 = mesh_istio_has(s->minor, MESH_IC_NETWORKING_V1);
	mesh_vars_add(&v, "GW_API_VERSION", v1 ? "networking.istio.io/v1" :
	    "networking.istio.io/v1beta1");
	mesh_vars_add(&v, "DR_API_VERSION", v1 ? "networking.istio.io/v1" :
	    "networking.istio.io/v1alpha3");
	if (render(ip ? "gw/external-istiod-ip" : "gw/external-istiod", &v,
	    &docs, &n) == -1)
		return -1;
	return put_all(s, docs, n);
}

/*
 * The remote cluster's ingress or egress gateway.  The old guide wrote
 * their IstioOperator as operator.istio.io/v1alpha1, which istioctl
 * takes; for an Istio release, as that release's guides write it.
 */
static int
app_gateway(struct sink *s, bool ingress, const char *ns,
    const char *injection_template, const struct lb *lb)
{
	struct mesh_doc **docs;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	long kind;
	size_t n;

	mesh_vars_add(&v, "API_VERSION", mesh_istio_has(s->minor,
	    MESH_IC_INSTALL_API) ? "install.istio.io/v1alpha1" :
	    "operator.istio.io/v1alpha1");
	mesh_vars_add(&v, "NAMESPACE", ns);
	mesh_vars_add(&v, "INJECTION_TEMPLATE", injection_template);
	if (render(ingress ? "gw/ingress" : "gw/egress", &v, &docs, &n) == -1)
		return -1;
	if (mesh_istio_has(s->minor, MESH_IC_GATEWAY_NAMES)) {
		kind = mesh_map_find(docs[0]->root, "kind");
		mesh_map_insert(docs[0], docs[0]->root, (size_t)kind + 1,
		    mesh_str_new(docs[0], "metadata"), mesh_map_new(docs[0]));
		set_str(docs[0], "metadata.name", ingress ? "ingress-install" :
		    "egress-install");
	}
	if (ingress)
		lb_iop(s, docs[0], IOP_SERVICE, lb);
	return put_all(s, docs, n);
}

static int
run_role(const struct opts *o, struct sink *s)
{
	const char *rev = o->revision != NULL ? o->revision : "";
	const char *ns;

	switch (o->cmd) {
	case CMD_EASTWEST:
		return eastwest(s, o->single_cluster && !o->ambient ? NULL :
		    o->network, o->ambient, rev, o->istio_namespace, &o->lb);
	case CMD_EXPOSE_SERVICES:
		return expose_services(s, o->istio_namespace);
	case CMD_EXPOSE_ISTIOD:
		return expose_istiod(s, rev, o->istio_namespace != NULL ?
		    o->istio_namespace : ISTIO_SYSTEM, o->istio_namespace,
		    o->host, o->credential_name);
	case CMD_CONTROLPLANE:
		return controlplane(s, &o->lb);
	case CMD_EXTERNAL_ISTIOD:
		ns = o->namespace != NULL ? o->namespace : EXTERNAL_NS;
		return external_istiod(s, o->host, o->credential_name, ns,
		    is_ip(o->host));
	case CMD_INGRESS:
	case CMD_EGRESS:
		ns = o->namespace != NULL ? o->namespace : EXTERNAL_NS;
		return app_gateway(s, o->cmd == CMD_INGRESS, ns,
		    o->injection_template != NULL ? o->injection_template :
		    "gateway", &o->lb);
	default:
		return -1;
	}
}

/*
 * One role's documents; with --installer helm or -o values|helm-install
 * (controlplane, ingress, egress) its IstioOperator as the Helm
 * releases that install the same.
 */
static int
run_cmd(const struct opts *o, struct mesh_writer *w)
{
	struct sink s = { w, NULL, NULL, NULL, NULL, o->minor, 0, 0, NULL, o };
	struct mesh_desc *d;
	bool helm;
	int rv = -1;

	if (o->installer != 1 && o->hout == MESH_HELM_OUT_OBJECTS)
		return run_role(o, &s);
	/* a description of the role alone: its name, and the release */
	d = mesh_desc_new(MESH_MODEL_MULTI_PRIMARY, ISTIO_SYSTEM, NULL);
	d->src = xstrdup(cmd_names[o->cmd]);
	d->istio_minor = mesh_istio_or_default(o->minor);
	if (mesh_helm_wanted(d, o->installer, o->hout, &helm) == 0) {
		s.d = d;
		rv = run_role(o, &s);
		if (rv == 0 && o->hout != MESH_HELM_OUT_OBJECTS)
			rv = mesh_helm_print(d, o->hset, o->hout, NULL,
			    o->release);
	}
	mesh_desc_free(d);
	return rv;
}

/* --- a whole mesh ------------------------------------------------------- */

/*
 * The east-west gateway as the Helm tabs install it: istio/gateway with
 * networkGateway, its Service changed as --service-type,
 * --load-balancer-ip and --external-ip say; a HelmRelease routed, or
 * collected for -o values and -o helm-install.
 */
static int
helm_eastwest(const struct opts *o, const struct mesh_desc *d,
    const struct mesh_cluster *c, struct sink *s)
{
	struct mesh_helm_release r[4];
	char path[64];
	size_t i, j, n = mesh_helm_releases(d, c, s->step, r, 4);

	for (i = 0; i < n; i++) {
		s->lb_gateways++;
		if (o->lb.type != NULL)
			mesh_helm_release_put(&r[i], "service.type",
			    o->lb.type, MESH_T_STR);
		if (o->lb.ip != NULL)
			mesh_helm_release_put(&r[i], "service.loadBalancerIP",
			    o->lb.ip, MESH_T_STR);
		for (j = 0; j < o->lb.nexternal_ips; j++) {
			snprintf(path, sizeof(path), "service.externalIPs[%zu]",
			    j);
			mesh_helm_release_put(&r[i], path,
			    o->lb.external_ips[j], MESH_T_STR);
		}
	}
	return mesh_helm_deliver(o->hset, d, o->hout, o->step, c->name,
	    s->step, r, n, put_helm, s);
}

/*
 * One cluster's gateways, in the order the guides apply them: the
 * east-west gateway where traffic crosses networks or remotes reach
 * their primary's istiod; istiod exposed on a primary with remotes; the
 * services exposed where there is more than one network.
 */
static int
mesh_cluster(const struct opts *o, const struct mesh_desc *d,
    const struct mesh_cluster *c, struct sink *s)
{
	const char *ns = d->spec.istio_namespace;
	const char *rev = strcmp(d->spec.revision, "default") == 0 ? "" :
	    d->spec.revision;

	s->cluster = c->name;
	s->context = c->context;
	s->step = "eastwest-gateway";
	if (o->helm) {
		if (helm_eastwest(o, d, c, s) == -1)
			return -1;
		/* the other steps' documents are no Helm release */
		if (o->hout != MESH_HELM_OUT_OBJECTS)
			return 0;
	} else if (mesh_route_has_step(d, c->name, s->step) &&
	    eastwest(s, c->network, false, rev,
	    strcmp(ns, ISTIO_SYSTEM) != 0 ? ns : NULL, &o->lb) == -1)
		return -1;
	s->step = "expose-istiod";
	if (mesh_route_has_step(d, c->name, s->step) && expose_istiod(s, rev, ns, ns, NULL, NULL) == -1)
		return -1;
	s->step = "expose-services";
	if (mesh_route_has_step(d, c->name, s->step) && expose_services(s, ns) == -1)
		return -1;
	return 0;
}

/*
 * Why cluster c (NULL: the whole mesh) needs no gateway, for a mesh on
 * one network, where only a primary with remotes has one.
 */
static void
no_gateway(const struct mesh_desc *d, const struct mesh_cluster *c)
{
	const struct mesh_cluster *p;

	if (c == NULL)
		mesh_err(NULL, "mesh '%s' needs no gateway: its clusters "
		    "share one network and no primary has remotes",
		    d->metadata.name);
	else if (d->spec.model == MESH_MODEL_MULTI_PRIMARY)
		mesh_err(NULL, "cluster '%s' needs no gateway: mesh '%s' is "
		    "multi-primary on one network", c->name, d->metadata.name);
	else if (c->role == MESH_ROLE_PRIMARY)
		mesh_err(NULL, "cluster '%s' needs no gateway: mesh '%s' has "
		    "one network and no remote uses '%s' as its primary",
		    c->name, d->metadata.name, c->name);
	else if ((p = mesh_desc_primary_of(d, c)) != NULL)
		mesh_err(NULL, "cluster '%s' needs no gateway: mesh '%s' has "
		    "one network, and a remote reaches its primary's istiod "
		    "through the gateway of '%s'", c->name, d->metadata.name,
		    p->name);
	else
		mesh_err(NULL, "cluster '%s' needs no gateway: mesh '%s' has "
		    "one network, and its clusters reach the external "
		    "control plane through the gateway of '%s'", c->name,
		    d->metadata.name, d->spec.external->name);
}

/* Every cluster's gateways, routed as --for and --dir say. */
static int
run_mesh(struct opts *o, const struct mesh_route *r)
{
	struct sink s = { NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL };
	struct mesh_desc *d;
	const struct mesh_external *x;
	const struct mesh_cluster *c = NULL;
	unsigned i;
	int rv = -1;

	/* the whole description is checked, whichever cluster is wanted */
	if ((d = mesh_desc_load(o->mesh_file)) == NULL)
		return -1;
	if (mesh_desc_check_cluster(d, o->cluster) == -1)
		goto out;
	/* --istio-version beats the file's, for the Helm charts too */
	if (mesh_desc_set_istio_minor(d, o->minor) == -1)
		goto out;
	if (mesh_helm_wanted(d, o->installer, o->hout, &o->helm) == -1)
		goto out;
	s.rt = mesh_router_new(r, d);
	s.minor = d->istio_minor;
	s.d = o->helm ? d : NULL;
	s.o = o;
	x = d->spec.external;
	if (d->spec.model == MESH_MODEL_EXTERNAL &&
	    (o->cluster == NULL || strcmp(o->cluster, x->name) == 0)) {
		s.cluster = x->name;
		s.context = x->context;
		s.step = "controlplane-gateway";
		if (controlplane(&s, &o->lb) == -1)
			goto out;
		s.step = "external-istiod-gw";
		if (external_istiod(&s, x->address, x->tls_secret,
		    d->spec.istio_namespace, mesh_desc_external_ip(d)) == -1)
			goto out;
	}
	for (i = 0; i < d->spec.clusters_count; i++) {
		if (o->cluster != NULL &&
		    strcmp(o->cluster, d->spec.clusters[i].name) != 0)
			continue;
		c = &d->spec.clusters[i];
		if (mesh_cluster(o, d, c, &s) == -1)
			goto out;
	}
	if (s.lb_gateways == 0 && (o->lb.ip != NULL ||
	    o->lb.nexternal_ips > 0)) {
		mesh_err(NULL, "--cluster '%s' has no gateway with a "
		    "LoadBalancer Service in %s: --external-ip and "
		    "--load-balancer-ip have nothing to change", o->cluster,
		    d->src);
		goto out;
	}
	/*
	 * an empty stream would reach istioctl as an empty file; with -o
	 * values|helm-install, a step without Helm releases is said below
	 */
	if (s.docs == 0 && o->hset->n == 0 &&
	    (o->hout == MESH_HELM_OUT_OBJECTS ||
	    (o->step == NULL && d->spec.model != MESH_MODEL_EXTERNAL))) {
		no_gateway(d, o->cluster != NULL ? c : NULL);
		goto out;
	}
	o->hset->step = o->step;
	rv = o->hout != MESH_HELM_OUT_OBJECTS ? mesh_helm_print(d, o->hset,
	    o->hout, o->cluster, o->release) : mesh_router_finish(s.rt);
out:
	mesh_router_free(s.rt);
	mesh_desc_free(d);
	return rv;
}

static const char usage_text[] =
	"usage: mesh-gw eastwest [-hV] [-o yaml|json] [--ambient] "
	"[--cluster name]\n"
	"           [--external-ip ip] [--istio-namespace ns] "
	"[--istio-version version]\n"
	"           [--load-balancer-ip ip] [--mesh id] [--network net] "
	"[--revision rev]\n"
	"           [--service-type LoadBalancer|NodePort] "
	"[--single-cluster]\n"
	"       mesh-gw expose-services [-o yaml|json] [--istio-namespace "
	"ns]\n"
	"           [--istio-version version]\n"
	"       mesh-gw expose-istiod [-o yaml|json] [--istio-namespace "
	"ns]\n"
	"           [--istio-version version] [--revision rev]\n"
	"           [--tls simple --host host --credential-name secret]\n"
	"       mesh-gw controlplane [-o yaml|json|values|helm-install]\n"
	"           [--external-ip ip] [--installer istioctl|helm]\n"
	"           [--istio-version version] [--load-balancer-ip ip]\n"
	"           [--release name] [--service-type LoadBalancer|NodePort]\n"
	"       mesh-gw external-istiod --host host [--credential-name "
	"secret]\n"
	"           [-o yaml|json] [--istio-version version] [-n ns]\n"
	"       mesh-gw ingress [-o yaml|json|values|helm-install] "
	"[--external-ip ip]\n"
	"           [--injection-template name] [--installer istioctl|helm]\n"
	"           [--istio-version version] [--load-balancer-ip ip] "
	"[-n ns]\n"
	"           [--service-type LoadBalancer|NodePort]\n"
	"       mesh-gw egress [-o yaml|json|values|helm-install]\n"
	"           [--injection-template name] [--installer istioctl|helm]\n"
	"           [--istio-version version] [-n ns]\n"
	"       mesh-gw -f mesh.yaml [-o yaml|json|values|helm-install] "
	"[--cluster name]\n"
	"           [--dir dir] [--external-ip ip] [--for consumer]\n"
	"           [--installer istioctl|helm] [--istio-version version]\n"
	"           [--load-balancer-ip ip] [--release name]\n"
	"           [--service-type LoadBalancer|NodePort] [--step step]\n";

static const char help_text[] =
	"\n"
	"Print the gateway documents of the Istio multicluster and "
	"external control\n"
	"plane guides, or every gateway document each cluster of a "
	"mesh needs.\n"
	"\n"
	"  eastwest         what gen-eastwest-gateway.sh prints "
	"for the same flags\n"
	"  expose-services  the services behind the east-west "
	"gateway\n"
	"  expose-istiod    istiod behind the east-west gateway "
	"(TLS passing through,\n"
	"                   or ended there with --tls simple)\n"
	"  controlplane     the external control plane cluster's "
	"ingress gateway\n"
	"  external-istiod  the routes from that gateway to the "
	"external istiod\n"
	"  ingress, egress  a remote cluster's ingress or egress "
	"gateway\n"
	"\n"
	"  -f, --filename mesh.yaml       every gateway of a mesh "
	"description\n"
	"      --cluster name             with -f: that cluster's "
	"only (eastwest: none)\n"
	"      --dir dir                  with -f: write the files "
	"dir/CLUSTER/\n"
	"                                 NN-STEP.CONSUMER.yaml, in "
	"install order\n"
	"      --for consumer             with -f: only the documents "
	"for istioctl,\n"
	"                                 kubectl or helm\n"
	"      --step step                with -f: only that step's "
	"documents\n"
	"                                 (eastwest-gateway, "
	"expose-istiod,\n"
	"                                 expose-services, "
	"controlplane-gateway,\n"
	"                                 external-istiod-gw)\n"
	"      --installer istioctl|helm  the gateways as IstioOperators "
	"or as the\n"
	"                                 Helm releases of istio/gateway "
	"(with -f:\n"
	"                                 spec.installer)\n"
	"      --release name             with -o values: the Helm "
	"release\n"
	"      --network net              the network (default: "
	"$NETWORK)\n"
	"      --single-cluster           a gateway for one "
	"cluster, with no network\n"
	"      --ambient                  a Gateway API Gateway "
	"for ambient mode\n"
	"      --revision rev             an Istio revision\n"
	"      --mesh id                  ignored, as by the "
	"script\n"
	"      --istio-namespace ns       where Istio runs "
	"(istio-system)\n"
	"      --istio-version 1.N        as that release's guides "
	"write them (1.30);\n"
	"                                 guide: the old guides' "
	"text\n"
	"      --tls simple               end istiod's TLS at the "
	"east-west gateway\n"
	"      --host host                the host name istiod is "
	"reached at\n"
	"                                 (external-istiod: or its "
	"IP address)\n"
	"      --credential-name secret   the TLS secret for that "
	"host\n"
	"  -n, --namespace ns             the gateway's or the "
	"external istiod's\n"
	"                                 namespace "
	"(external-istiod)\n"
	"      --injection-template name  the gateway's injection "
	"template (gateway)\n"
	"      --service-type type        LoadBalancer (default) "
	"or NodePort\n"
	"      --external-ip ip           an external IP of the "
	"Service (repeatable)\n"
	"      --load-balancer-ip ip      the load balancer's IP\n"
	"  -o, --output yaml|json         output format (yaml); with "
	"Helm\n"
	"                                 also values (one release's) "
	"or\n"
	"                                 helm-install (a script)\n"
	"  -h, --help                     show this help\n"
	"  -V, --version                  show the version\n"
	"\n"
	"'mesh-gw MODE --help' describes a mode's options.\n"
	"See mesh-gw(1).\n";

static _Noreturn void
usage(int status)
{
	FILE *f = status == MESH_EXIT_OK ? stdout : stderr;

	fputs(usage_text, f);
	if (status == MESH_EXIT_OK)
		fputs(help_text, f);
	if (status == MESH_EXIT_OK)
		mesh_close_stdout();
	exit(status);
}

/* --- argument checks, all usage errors ---------------------------------- */

/* An IP address, or a DNS name (a warning), or neither (an error). */
static int
check_ip(const char *flag, const char *s)
{
	char why[256];

	switch (mesh_desc_check_address(s, MESH_ADDR_IP | MESH_ADDR_HOST, why,
	    sizeof(why))) {
	case MESH_ADDR_IP:
		return 0;
	case MESH_ADDR_HOST:
		mesh_warn(NULL, "%s '%s' is a DNS name, but Kubernetes and "
		    "Istio need an IP address there: resolve it first "
		    "(getent hosts %s)", flag, s, s);
		return 0;
	default:
		mesh_err(NULL, "invalid value for '%s': '%s' (give an IP "
		    "address)", flag, s);
		return -1;
	}
}

/*
 * --host is a host name, unless ip allows an IP address (external-istiod,
 * for a release with the IP-address variant): 0, or -1 after the one
 * address check's report.
 */
static int
not_ip(const char *host, bool ip)
{
	return ip || !is_ip(host) ? 0 :
	    mesh_desc_check_address_flag("--host", host, MESH_ADDR_HOST);
}

static int
check_label(const char *flag, const char *s)
{
	if (!mesh_is_dns_label(s)) {
		mesh_err(NULL, "invalid value for '%s': '%s' (a namespace is "
		    "a DNS-1123 label)", flag, s);
		return -1;
	}
	return 0;
}

static int
need(const struct opts *o, const char *value, const char *flag)
{
	if (value == NULL || *value == '\0') {
		mesh_err(NULL, "%s needs %s", cmd_names[o->cmd], flag);
		return -1;
	}
	return 0;
}

/* The network, from --network or else the environment, as the script. */
static int
check_eastwest(struct opts *o)
{
	bool given = (o->seen & F_NETWORK) != 0;

	if (!given)
		o->network = getenv("NETWORK");
	if (o->ambient) {
		if (o->network == NULL || *o->network == '\0') {
			mesh_err(NULL, "eastwest --ambient needs --network "
			    "net (or NETWORK in the environment)%s",
			    given ? ": --network is empty" : "");
			return -1;
		}
		if (o->lb.nexternal_ips > 0) {
			mesh_err(NULL, "eastwest --ambient does not take "
			    "--external-ip: Istio makes the Gateway's Service "
			    "and gives it no external IPs; use "
			    "--load-balancer-ip");
			return -1;
		}
		return 0;
	}
	if (o->single_cluster) {
		if (given)
			mesh_warn(NULL, "--single-cluster: the network '%s' is "
			    "not used, as by gen-eastwest-gateway.sh",
			    o->network);
		return 0;
	}
	if (o->network == NULL || *o->network == '\0') {
		mesh_err(NULL, "eastwest needs --network net (or NETWORK in "
		    "the environment), or --single-cluster%s",
		    given ? ": --network is empty" : "");
		return -1;
	}
	return 0;
}

/* -f's Helm options: what -o values and -o helm-install take. */
static int
check_helm(const struct opts *o)
{
	const char *form = o->hout == MESH_HELM_OUT_VALUES ? "-o values" :
	    "-o helm-install";

	if (o->hout == MESH_HELM_OUT_OBJECTS || o->release != NULL) {
		if (o->hout != MESH_HELM_OUT_VALUES && o->release != NULL) {
			mesh_err(NULL, "--release names the release whose "
			    "values -o values prints");
			return -1;
		}
		if (o->hout == MESH_HELM_OUT_OBJECTS)
			return 0;
	}
	if (o->installer == 0) {
		mesh_err(NULL, "%s prints Helm releases: not with "
		    "--installer istioctl", form);
		return -1;
	}
	if (o->dir != NULL || o->consumer != NULL) {
		mesh_err(NULL, "%s prints to standard output: it takes none "
		    "of --dir, --for", form);
		return -1;
	}
	if (o->hout == MESH_HELM_OUT_VALUES && o->cmd == CMD_CONTROLPLANE &&
	    o->release == NULL) {
		mesh_err(NULL, "controlplane -o values prints one release's "
		    "values: give --release istio-base, istiod or "
		    "istio-ingressgateway");
		return -1;
	}
	if (o->hout == MESH_HELM_OUT_VALUES && o->cmd == CMD_NONE &&
	    (o->cluster == NULL || o->release == NULL)) {
		mesh_err(NULL, "-o values prints one release's values: give "
		    "--cluster and --release");
		return -1;
	}
	return 0;
}

static int
check_cmd(struct opts *o)
{
	unsigned extra = o->seen & ~cmd_flags[o->cmd];
	size_t i;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (extra & flag_names[i].bit) {
			mesh_err(NULL, "%s does not take %s%s",
			    cmd_names[o->cmd], flag_names[i].name,
			    o->cmd == CMD_EGRESS && (flag_names[i].bit & F_LB) ?
			    ": the egress gateway's Service is a ClusterIP" :
			    "");
			return -1;
		}
	if (o->lb.ip != NULL && o->lb.type != NULL &&
	    strcmp(o->lb.type, "LoadBalancer") != 0) {
		mesh_err(NULL, "--load-balancer-ip needs --service-type "
		    "LoadBalancer, not '%s'", o->lb.type);
		return -1;
	}
	if ((o->cmd == CMD_NONE ||
	    (o->seen & (F_INSTALLER | F_RELEASE | F_HELM_OUT))) &&
	    check_helm(o) == -1)
		return -1;
	if (o->cmd == CMD_NONE && o->cluster == NULL &&
	    (o->lb.ip != NULL || o->lb.nexternal_ips > 0)) {
		mesh_err(NULL, "-f: --external-ip and --load-balancer-ip give "
		    "one gateway its addresses: name its cluster with "
		    "--cluster");
		return -1;
	}
	switch (o->cmd) {
	case CMD_EASTWEST:
		if (o->ambient &&
		    !mesh_istio_has(o->minor, MESH_IC_AMBIENT_EASTWEST)) {
			mesh_err(NULL, "eastwest --ambient: gen-eastwest-"
			    "gateway.sh has --ambient from Istio 1.%d on",
			    mesh_istio_since(MESH_IC_AMBIENT_EASTWEST));
			return -1;
		}
		return check_eastwest(o);
	case CMD_EXPOSE_ISTIOD:
		if (o->tls == NULL) {
			if (o->host != NULL || o->credential_name != NULL) {
				mesh_err(NULL, "expose-istiod: %s needs --tls "
				    "simple", o->host != NULL ? "--host" :
				    "--credential-name");
				return -1;
			}
			return 0;
		}
		return need(o, o->host, "--host") == -1 ||
		    not_ip(o->host, false) == -1 ||
		    need(o, o->credential_name, "--credential-name") == -1 ?
		    -1 : 0;
	case CMD_EXTERNAL_ISTIOD:
		if (need(o, o->host, "--host") == -1 ||
		    not_ip(o->host, mesh_istio_has(o->minor,
		    MESH_IC_EXTERNAL_IP)) == -1)
			return -1;
		if (is_ip(o->host) && o->credential_name != NULL) {
			mesh_err(NULL, "external-istiod --host %s: at an IP "
			    "address the gateway passes TLS through to "
			    "istiod, which serves its own certificate: "
			    "--credential-name has nothing to name",
			    o->host);
			return -1;
		}
		return is_ip(o->host) ? 0 : need(o, o->credential_name,
		    "--credential-name");
	default:
		return 0;
	}
}

static enum cmd
find_cmd(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (strcmp(s, cmd_names[i]) == 0)
			return (enum cmd)i;
	return CMD_NONE;
}

enum { OPT_AMBIENT = 256, OPT_CLUSTER, OPT_CREDENTIAL, OPT_DIR,
	OPT_EXTERNAL_IP, OPT_FOR, OPT_HOST, OPT_INJECTION, OPT_ISTIO_NS,
	OPT_ISTIO_VERSION, OPT_LB_IP, OPT_MESH, OPT_NAMESPACE, OPT_NETWORK,
	OPT_REVISION, OPT_SERVICE_TYPE, OPT_SINGLE, OPT_STEP, OPT_INSTALLER,
	OPT_RELEASE, OPT_TLS };

/* Take one option's value; -1 after a report. */
static int
take(struct opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_AMBIENT:
		o->ambient = true;
		o->seen |= F_AMBIENT;
		break;
	case OPT_CLUSTER:
		o->cluster = arg;
		o->seen |= F_CLUSTER;
		break;
	case OPT_CREDENTIAL:
		o->credential_name = arg;
		o->seen |= F_CREDENTIAL;
		break;
	case OPT_DIR:
		o->dir = arg;
		o->seen |= F_DIR;
		break;
	case OPT_STEP:
		if (mesh_route_check_step(arg) == -1)
			return -1;
		o->step = arg;
		o->seen |= F_STEP;
		break;
	case OPT_EXTERNAL_IP:
		if (check_ip("--external-ip", arg) == -1)
			return -1;
		o->lb.external_ips = xreallocarray(o->lb.external_ips,
		    o->lb.nexternal_ips + 1, sizeof(*o->lb.external_ips));
		o->lb.external_ips[o->lb.nexternal_ips++] = arg;
		o->seen |= F_EXTERNAL_IP;
		break;
	case OPT_FOR:
		o->consumer = arg;
		o->seen |= F_FOR;
		break;
	case OPT_HOST:
		/* an IP address: external-istiod's IP-address variant */
		if (mesh_desc_check_address_flag("--host", arg,
		    MESH_ADDR_HOST | MESH_ADDR_IP) == -1)
			return -1;
		o->host = arg;
		o->seen |= F_HOST;
		break;
	case OPT_INJECTION:
		o->injection_template = arg;
		o->seen |= F_INJECTION;
		break;
	case OPT_ISTIO_NS:
		if (check_label("--istio-namespace", arg) == -1)
			return -1;
		o->istio_namespace = arg;
		o->seen |= F_ISTIO_NS;
		break;
	case OPT_ISTIO_VERSION:
		if ((o->minor = mesh_desc_istio_version_flag("--istio-version",
		    arg)) < 0)
			return -1;
		o->seen |= F_ISTIO_VERSION;
		break;
	case OPT_LB_IP:
		if (check_ip("--load-balancer-ip", arg) == -1)
			return -1;
		o->lb.ip = arg;
		o->seen |= F_LB_IP;
		break;
	case OPT_MESH:
		/* accepted and ignored, as by gen-eastwest-gateway.sh */
		o->seen |= F_MESH;
		break;
	case OPT_NAMESPACE:
		if (check_label("--namespace", arg) == -1)
			return -1;
		o->namespace = arg;
		o->seen |= F_NAMESPACE;
		break;
	case OPT_NETWORK:
		o->network = arg;
		o->seen |= F_NETWORK;
		break;
	case OPT_REVISION:
		if (*arg != '\0' && !mesh_is_dns_label(arg)) {
			mesh_err(NULL, "invalid value for '--revision': '%s' "
			    "(a revision is a DNS-1123 label)", arg);
			return -1;
		}
		o->revision = arg;
		o->seen |= F_REVISION;
		break;
	case OPT_SERVICE_TYPE:
		if (strcmp(arg, "LoadBalancer") != 0 &&
		    strcmp(arg, "NodePort") != 0) {
			mesh_err(NULL, "invalid value for '--service-type': "
			    "'%s' (use LoadBalancer or NodePort)", arg);
			return -1;
		}
		o->lb.type = arg;
		o->seen |= F_SERVICE_TYPE;
		break;
	case OPT_SINGLE:
		o->single_cluster = true;
		o->seen |= F_SINGLE;
		break;
	case OPT_INSTALLER:
		if (mesh_helm_installer_option(arg, &o->installer) == -1)
			return -1;
		o->seen |= F_INSTALLER;
		break;
	case OPT_RELEASE:
		o->release = arg;
		o->seen |= F_RELEASE;
		break;
	case OPT_TLS:
		if (strcmp(arg, "simple") != 0) {
			mesh_err(NULL, "invalid value for '--tls': '%s' (use "
			    "simple; without --tls istiod's own TLS passes "
			    "through)", arg);
			return -1;
		}
		o->tls = arg;
		o->seen |= F_TLS;
		break;
	}
	return 0;
}

/* The subcommand and the operands after it; -1 after a report. */
static int
take_operands(struct opts *o, int argc, char *argv[])
{
	if (o->mesh_file != NULL) {
		if (argc > 0) {
			mesh_err(NULL, "-f renders a whole mesh: '%s' is not "
			    "wanted", argv[0]);
			return -1;
		}
		return 0;
	}
	if (argc == 0) {
		mesh_err(NULL, "name a subcommand (eastwest, expose-services, "
		    "expose-istiod, controlplane, external-istiod, ingress, "
		    "egress) or give -f mesh.yaml");
		return -1;
	}
	if ((o->cmd = find_cmd(argv[0])) == CMD_NONE) {
		mesh_err(NULL, "unknown subcommand '%s'", argv[0]);
		return -1;
	}
	if (argc > 1) {
		/* the script's users pass the network as a word, and the
		 * script then spins forever: say what was meant */
		if (o->cmd == CMD_EASTWEST && argv[1][0] != '-')
			mesh_err(NULL, "eastwest: unexpected argument '%s' "
			    "(did you mean --network %s?)", argv[1], argv[1]);
		else
			mesh_err(NULL, "%s: unexpected argument '%s'",
			    cmd_names[o->cmd], argv[1]);
		return -1;
	}
	return 0;
}

/* The steps whose files --dir takes back when a run no longer writes them. */
static const char *const gw_steps[] = { "eastwest-gateway", "expose-istiod",
	"expose-services", "controlplane-gateway", "external-istiod-gw", NULL };

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "ambient", no_argument, NULL, OPT_AMBIENT },
		{ "cluster", required_argument, NULL, OPT_CLUSTER },
		{ "credential-name", required_argument, NULL, OPT_CREDENTIAL },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "external-ip", required_argument, NULL, OPT_EXTERNAL_IP },
		{ "filename", required_argument, NULL, 'f' },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "injection-template", required_argument, NULL,
		    OPT_INJECTION },
		{ "installer", required_argument, NULL, OPT_INSTALLER },
		{ "istio-namespace", required_argument, NULL, OPT_ISTIO_NS },
		{ "istio-version", required_argument, NULL,
		    OPT_ISTIO_VERSION },
		{ "load-balancer-ip", required_argument, NULL, OPT_LB_IP },
		{ "mesh", required_argument, NULL, OPT_MESH },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "output", required_argument, NULL, 'o' },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "revision", required_argument, NULL, OPT_REVISION },
		{ "service-type", required_argument, NULL, OPT_SERVICE_TYPE },
		{ "single-cluster", no_argument, NULL, OPT_SINGLE },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "tls", required_argument, NULL, OPT_TLS },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct mesh_route r;
	struct mesh_writer *w;
	struct mesh_helm_set hset = { NULL, NULL, 0, 0, NULL };
	enum cmd guessed;
	int ch, rv = MESH_EXIT_FAIL;

	mesh_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	o.minor = MESH_ISTIO_UNSET;
	o.fmt = MESH_FMT_YAML;
	o.installer = -1;
	o.hset = &hset;
	opterr = 0;
	guessed = (enum cmd)mesh_guess_sub(argc, argv, cmd_names,
	    sizeof(cmd_names) / sizeof(cmd_names[0]));
	while ((ch = getopt_long(argc, argv, ":f:hn:o:V", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			o.mesh_file = optarg;
			break;
		case 'h':
			if (guessed == CMD_NONE)
				usage(MESH_EXIT_OK);
			mesh_sub_help(usage_text, help_text,
			    cmd_names[guessed]);
		case 'n':
			if (take(&o, OPT_NAMESPACE, optarg) == -1)
				goto usage;
			break;
		case 'o':
			if (mesh_helm_output_parse(optarg, &o.hout) == 0) {
				o.fmt = MESH_FMT_YAML;
				o.seen |= F_HELM_OUT;
				break;
			}
			o.hout = MESH_HELM_OUT_OBJECTS;
			o.seen &= ~(unsigned)F_HELM_OUT;
			if (mesh_format_parse(optarg) == -1) {
				mesh_err(NULL, "invalid value for '-o': '%s' (use "
				    "yaml, json, values or helm-install)",
				    optarg);
				goto usage;
			}
			(void)mesh_format_option(optarg, &o.fmt);
			break;
		case 'V':
			mesh_istio_version();
		default:
			if (ch >= OPT_AMBIENT && ch <= OPT_TLS) {
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
	if (mesh_route_init(&r, o.consumer, o.dir, o.cluster, o.fmt) == -1)
		goto usage;
	r.steps = gw_steps;
	r.step = o.step;
	if (o.cmd == CMD_NONE) {
		if (run_mesh(&o, &r) == 0)
			rv = MESH_EXIT_OK;
	} else {
		w = mesh_writer_new(STDOUT_FILENO, o.fmt, false);
		if (run_cmd(&o, w) == 0 && mesh_writer_finish(w) == 0)
			rv = MESH_EXIT_OK;
		mesh_writer_free(w);
	}
	if (mesh_close_stdout() == -1)
		rv = MESH_EXIT_FAIL;
	mesh_helm_set_free(&hset);
	free(o.lb.external_ips);
	return rv;
usage:
	free(o.lb.external_ips);
	mesh_try_help(guessed != CMD_NONE ? cmd_names[guessed] : NULL);
	return MESH_EXIT_USAGE;
}
