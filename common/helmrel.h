/*
 * Helm releases (mesh-render and mesh-gw with --installer helm, or
 * spec.installer: helm): what the Helm tabs of today's multicluster
 * pages install in each cluster instead of an IstioOperator, from the
 * charts of the istio repository (https://istio-release.storage.
 * googleapis.com/charts): istio/base and istio/istiod in the
 * control-plane step, istio/gateway with networkGateway in the
 * eastwest-gateway step.  Which releases a cluster takes and the values
 * of each are one table in helmrel.c.  A release is printed in one of
 * three forms: a Flux HelmRelease (helm.toolkit.fluxcd.io/v2, for kubectl
 * apply; routed to the consumer helm), its bare values (-o values, for
 * helm install -f), or its helm install line (-o helm-install).
 */
#ifndef MESH_HELMREL_H
#define MESH_HELMREL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "meshdesc.h"
#include "node.h"

/* What -o asks of the releases: objects, values or install lines. */
enum mesh_helm_out {
	MESH_HELM_OUT_OBJECTS,	/* -o yaml|json: HelmRelease objects */
	MESH_HELM_OUT_VALUES,	/* -o values: one release's values */
	MESH_HELM_OUT_INSTALL	/* -o helm-install: helm install lines */
};

/* One Helm release for one cluster. */
struct mesh_helm_release {
	char *name;		/* release name: istiod-REV with a revision */
	const char *chart;	/* base, istiod or gateway (of repo istio) */
	char *ns;		/* the release's namespace */
	const char *step;	/* its step of mesh(7) ROUTING */
	char *depends;		/* the release it needs first, or NULL */
	char *depends_ns;	/* its namespace, when not the release's */
	const char *cluster, *context;
	struct mesh_doc *values;	/* root: a mapping, maybe empty */
	/*
	 * What Helm values cannot say: an IstioOperator holding only the
	 * components' k8s settings, which mesh-overlay --k8s-overlays
	 * applies as Helm's post-renderer; NULL when there is none.
	 */
	struct mesh_doc *k8s;
	/* the values in the order they are set, for the --set flags */
	struct mesh_helm_value {
		char *path;	/* dotted, [i] for a list item */
		char *text;
		enum mesh_type type;
	} *v;
	size_t nv;
};

/*
 * Parse -o's value "values" or "helm-install" into *out; -1 (nothing
 * reported) for anything else, which is then yaml or json.
 */
int mesh_helm_output_parse(const char *arg, enum mesh_helm_out *out);

/*
 * Parse --installer's value: 0 (istioctl) or 1 (helm) into *helm; -1
 * after "invalid value for '--installer': ..." (a usage error).
 */
int mesh_helm_installer_option(const char *arg, int *helm);

/*
 * Can d's mesh be installed with Helm?  0, or -1 after a one-line
 * report of why not (the old guides' text; an Istio release whose
 * charts lack the remote profile that remotes need).  flag is
 * "--installer helm" when the flag asked for Helm, NULL when
 * spec.installer did.
 */
int mesh_helm_check(const struct mesh_desc *d, const char *flag);

/*
 * Does a program render Helm releases for d: --installer's value
 * (installer: -1 not given, 0 istioctl, 1 helm), -o's Helm form (hout),
 * else spec.installer?  Sets *helm, and when it does, checks d as
 * mesh_helm_check does, naming what asked for Helm.  0, or -1 after the
 * report.
 */
int mesh_helm_wanted(const struct mesh_desc *d, int installer,
    enum mesh_helm_out hout, bool *helm);

/*
 * The releases of step for cluster c of d, in install order, into
 * out[0..max); their number (0: none there).  A remote's control plane
 * needs c->discovery_address (the caller checks it is known).  Free
 * each with mesh_helm_release_free.
 */
size_t mesh_helm_releases(const struct mesh_desc *d,
    const struct mesh_cluster *c, const char *step,
    struct mesh_helm_release *out, size_t max);
void mesh_helm_release_free(struct mesh_helm_release *r);

/*
 * The releases that install what the IstioOperator iop installs, for
 * cluster (with context) in step, into out[0..max), their number in *n:
 * istio/base and istio/istiod for the remote profile, istio/istiod (and
 * istio/base when enabled) for the empty one.  Every release takes the
 * IstioOperator's values, as istioctl gives them to every chart, with
 * its meshConfig and revision; the components' k8s settings become the
 * release's post-render (r->k8s).  This is how the external model,
 * which today's pages install with istioctl alone, is installed with
 * Helm.  0, or -1 after a report of what has no Helm form (gateways,
 * another profile).
 */
int mesh_helm_from_iop(const struct mesh_desc *d, const char *cluster,
    const char *context, const struct mesh_doc *iop, const char *step,
    struct mesh_helm_release *out, size_t max, size_t *n);

/*
 * Set one more value of r (path as mesh_path_put takes it; type
 * MESH_T_STR, MESH_T_BOOL or MESH_T_INT), after the table's.
 */
void mesh_helm_release_put(struct mesh_helm_release *r, const char *path,
    const char *text, enum mesh_type type);

/*
 * The release as a Flux HelmRelease of d's mesh, annotated for its
 * cluster (mesh_desc_annotate), its values copied.  Flux runs no
 * program after a chart, so a release's post-render (r->k8s) becomes
 * the strategic merge patches of spec.postRenderers' kustomize, which
 * do what mesh-overlay --k8s-overlays does: each container's env and
 * each k8s.overlays patch that adds an item to a list with a merge key
 * (a volume, a volume mount, a container).  NULL after a report of a
 * setting no such patch can say.
 */
struct mesh_doc *mesh_helm_release_doc(const struct mesh_desc *d,
    const struct mesh_helm_release *r);

/*
 * Append the release's helm install line to b, ending in a newline:
 *
 *	helm install NAME istio/CHART -n NS --kube-context CTX [--version V]
 *	    --set path=value ...
 *
 * every value a --set (--set-string where --set would type a string as
 * a number, a boolean or null, --set-json for a float or null), each
 * word quoted for sh where it needs it.  k8s_file (NULL: none), a sh
 * word, is the file of r->k8s, given to mesh-overlay --k8s-overlays as
 * the post-renderer.
 */
void mesh_helm_install_line(struct mesh_buf *b, const struct mesh_desc *d,
    const struct mesh_helm_release *r, const char *k8s_file);

/* The releases a run collects for -o values or -o helm-install. */
struct mesh_helm_set {
	struct mesh_helm_release *r;
	int *place;		/* each one's step's place (mesh_route_step) */
	size_t n, cap;
	const char *step;	/* --step, when it chose them, for messages */
};

/*
 * Collect n releases, of step for cluster (NULL: a single role's, in
 * the order collected), into s, which now owns them.  0, or -1 after a
 * report (each release is freed then).
 */
int mesh_helm_collect_made(struct mesh_helm_set *s,
    const struct mesh_desc *d, const char *cluster, const char *step,
    struct mesh_helm_release *r, size_t n);

/*
 * Hand on the n releases r of step for cluster as -o asks (out): with
 * values or helm-install, collected into s, unless only_step (--step)
 * names another step; else each as its HelmRelease to put, which takes
 * the document.  The releases are then s's or freed.  0, or -1 after a
 * report.
 */
int mesh_helm_deliver(struct mesh_helm_set *s, const struct mesh_desc *d,
    enum mesh_helm_out out, const char *only_step, const char *cluster,
    const char *step, struct mesh_helm_release *r, size_t n,
    int (*put)(void *arg, struct mesh_doc *doc, const char *step),
    void *arg);

/*
 * Print what s holds as out says: for MESH_HELM_OUT_VALUES the values of
 * release of cluster alone (an error that names the releases there are
 * when it is not there); for MESH_HELM_OUT_INSTALL a sh script of the
 * helm install lines, in install order (the steps' order, then the
 * description's).  Nothing collected is an error.  0, or -1 after a
 * report.
 */
int mesh_helm_print(const struct mesh_desc *d, struct mesh_helm_set *s,
    enum mesh_helm_out out, const char *cluster, const char *release);
void mesh_helm_set_free(struct mesh_helm_set *s);

#endif
