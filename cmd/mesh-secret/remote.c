/*
 * mesh-secret remote: the Secret that lets istiod in another cluster
 * read the source cluster, from the cluster's own credentials or from a
 * kubeconfig's.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "pki.h"
#include "xalloc.h"

#include "secret.h"

int
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
