/*
 * Routing a mesh's documents (mesh(7), ROUTING): every document a program
 * renders from a mesh description carries the meshline.io/cluster
 * annotation of the cluster it goes to and belongs to one step of the
 * guide for the mesh's model.  Each goes to one consumer: an
 * IstioOperator to istioctl install, any other Kubernetes object to
 * kubectl apply, a Flux HelmRelease to helm (--installer helm).  The
 * documents can be kept for one consumer (--for), and written to one
 * file per cluster, step and consumer (--dir):
 *
 *	DIR/<cluster>/<NN>-<step>.<consumer>.yaml	(.json with -o json)
 *
 * where NN is the step's place in the guide's order for the model, the
 * same in every cluster, so that ls order is install order within a
 * cluster and across the mesh.  The steps, by model:
 *
 *	multi-primary	01 namespace, 02 cacerts, 03 control-plane,
 *			04 eastwest-gateway, 05 expose-services,
 *			06 remote-secret
 *	primary-remote	01 namespace, 02 cacerts, 03 control-plane
 *			(primaries), 04 eastwest-gateway (primaries),
 *			05 expose-istiod, 06 control-plane (remotes),
 *			07 remote-secret, 08 eastwest-gateway (remotes),
 *			09 expose-services
 *	external	01 namespace, 02 cacerts, 03 controlplane-gateway,
 *			04 tls-secret, 05 control-plane (the config
 *			cluster), 06 config-secret, 07 external-istiod,
 *			08 external-istiod-gw, 09 control-plane (the other
 *			remotes), 10 remote-secret, 11 eastwest-gateway,
 *			12 expose-services
 *
 * A Secret goes into the cluster it is applied to: a remote secret into
 * the directory of the cluster whose istiod reads it.
 */
#ifndef MESH_ROUTE_H
#define MESH_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "meshdesc.h"
#include "node.h"
#include "stream.h"

enum mesh_consumer {
	MESH_CONSUMER_ANY,	/* no --for: every document */
	MESH_CONSUMER_ISTIOCTL,	/* IstioOperators: istioctl install -f */
	MESH_CONSUMER_KUBECTL,	/* any other object: kubectl apply -f */
	MESH_CONSUMER_HELM	/* Flux HelmReleases (--installer helm) */
};

/* Where a program's documents go: its --for, --dir and -o. */
struct mesh_route {
	enum mesh_consumer consumer;
	const char *dir;	/* NULL: stdout */
	const char *cluster;	/* --cluster, in messages; NULL: all */
	enum mesh_format fmt;
	/*
	 * NULL, or the documents hold secrets: how to wipe them and the
	 * writers' buffers (mesh-secret: its cleanse); their files are
	 * then mode 0600, not 0644.
	 */
	void (*wipe)(void *p, size_t n);
	/*
	 * The steps the program writes (NULL-ended), or NULL: with --dir,
	 * a file of one of these steps, for a consumer written, that the
	 * run did not write is taken away from the directory of each
	 * cluster the run is for, so that a plan rendered again holds no
	 * step the description no longer has.
	 */
	const char *const *steps;
	/* --step: only the documents of this step; NULL: all */
	const char *step;
};

/*
 * Fill r from a program's options: consumer, --for's value ("istioctl",
 * "kubectl" or "helm"; NULL: every document), dir, --dir's (NULL:
 * stdout), cluster, --cluster's (NULL: all), and -o's format; the
 * strings are borrowed.  0, or -1 after "invalid value for '--for': ..."
 * or for an empty '--dir' (a usage error).
 */
int mesh_route_init(struct mesh_route *r, const char *consumer,
    const char *dir, const char *cluster, enum mesh_format fmt);
/* The consumer's name, as in file names ("istioctl"...); "" for ANY. */
const char *mesh_route_consumer_name(enum mesh_consumer c);
/*
 * The consumer of doc: istioctl for an IstioOperator, helm for a Flux
 * HelmRelease (helm.toolkit.fluxcd.io), else kubectl.
 */
enum mesh_consumer mesh_route_consumer_of(const struct mesh_doc *doc);
/* Does r ask for every document on stdout, as without --for and --dir? */
bool mesh_route_is_plain(const struct mesh_route *r);

/*
 * The place (NN, from 1) of step for cluster in d's model, or -1 after
 * "no step 'step' for ..." (the caller named a step the model does not
 * have there: a bug).
 */
int mesh_route_step(const struct mesh_desc *d, const char *cluster,
    const char *step);

/* Is step the name of a step of some model?  0, or -1 after a report. */
int mesh_route_check_step(const char *step);

/*
 * Does cluster of d (or its external control plane) take step?  Where
 * the step is there for the cluster's role: the gateways where traffic
 * crosses networks or remotes reach their primary, a remote secret where
 * some istiod reads another cluster.
 */
bool mesh_route_has_step(const struct mesh_desc *d, const char *cluster,
    const char *step);

/*
 * Print the steps of d's mesh (of cluster's alone, unless NULL), one
 * line each in install order, fields separated by tabs:
 *
 *	NN  step  cluster  context  program  when  after
 *
 * program is the one that makes the step's documents; when is "plan"
 * for a step whose documents the description alone makes, "install" for
 * one that needs the clusters (a remote secret reads its source; a
 * remote's control plane without a discoveryAddress needs the address of
 * its primary's east-west gateway, and after names that primary; "-"
 * otherwise).  0, or -1 after a report.
 */
int mesh_route_list(const struct mesh_desc *d, const char *cluster);

struct mesh_router;

/*
 * A router for the documents of d (borrowed, as is r, until the router
 * is freed).  Nothing is written before mesh_router_finish.
 */
struct mesh_router *mesh_router_new(const struct mesh_route *r,
    const struct mesh_desc *d);
/*
 * Add doc, of step, for the cluster its meshline.io/cluster annotation
 * names (mesh_desc_annotate).  Takes ownership of doc, even on failure.
 * 0, or -1 after a report (no annotation; a step the model lacks).
 */
int mesh_router_add(struct mesh_router *rt, struct mesh_doc *doc,
    const char *step);
/*
 * Write what was added for the consumer wanted: to stdout, in the order
 * added, or into the directory, one file per cluster, step and consumer,
 * each written to a temporary file beside it (mode 0644, synced) and
 * renamed into place only once every file is written: an error while
 * writing replaces no file and leaves no temporary file.  Nothing wanted
 * is an error that says what there is instead.  0, or -1 after a report.
 */
int mesh_router_finish(struct mesh_router *rt);
/*
 * Leave cluster's file of step in --dir as it is (both borrowed): the
 * step was left for later (mesh-render --defer), not taken out of the
 * mesh, so a plan rendered again keeps what an install wrote there.
 */
void mesh_router_keep(struct mesh_router *rt, const char *cluster,
    const char *step);
/* Free the router and every document still in it; NULL is fine. */
void mesh_router_free(struct mesh_router *rt);

/*
 * The one call for a program that has its documents at hand (mesh-secret
 * remote -f, cacerts -f): route the n documents of docs, each annotated
 * for its cluster (mesh_desc_annotate), docs[i] of step steps[i]
 * ("remote-secret", "config-secret", "cacerts"...), as r says: the same
 * as mesh_router_new, mesh_router_add for each, mesh_router_finish.
 * Takes ownership of the documents (not of the arrays).  0, or -1 after
 * a report.
 */
int mesh_route_write(const struct mesh_route *r, const struct mesh_desc *d,
    struct mesh_doc **docs, const char *const *steps, size_t n);

#endif
