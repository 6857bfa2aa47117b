/*
 * mesh-secret tls: the kubernetes.io/tls Secret of the external istiod's
 * address, signed by a CA kept on disk, and optionally a ConfigMap
 * holding that CA.
 */
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "meshdesc.h"
#include "node.h"
#include "pki.h"
#include "stream.h"

#include "secret.h"

int
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
	static const char *const mine[] = { "tls-secret", NULL };
	const char *steps[2] = { mine[0], mine[0] };
	const char *ns = o->namespace ? o->namespace : ISTIO_SYSTEM;
	const char *host = o->host, *name = o->name ? o->name : TLS_SECRET;
	const char *sans[] = { NULL, NULL };
	struct mesh_desc *d = NULL;
	int bits = o->key_size, rv = -1;
	size_t n = 0;

	/*
	 * -f: the Secret the external control plane's gateway serves, in
	 * its namespace (istio-system, where the guide installs it)
	 */
	if (o->nfiles == 1) {
		if ((d = mesh_desc_load(o->files[0])) == NULL)
			return -1;
		if (d->spec.external == NULL) {
			mesh_err(d->src, "tls -f makes the Secret of an "
			    "external control plane, and the mesh has none");
			mesh_desc_free(d);
			return -1;
		}
		if (mesh_desc_check_address(d->spec.external->address,
		    MESH_ADDR_IP, NULL, 0) == MESH_ADDR_IP) {
			mesh_err(d->src, "the external control plane is at an "
			    "IP address, where its gateway passes TLS through "
			    "to istiod: it takes no TLS Secret");
			mesh_desc_free(d);
			return -1;
		}
		host = d->spec.external->address;
		name = d->spec.external->tls_secret;
	}
	sans[0] = host;

	/* a serving key: RSA 2048 unless asked for more */
	if (bits == 0 && o->key_type == MESH_KEY_RSA)
		bits = 2048;
	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_ROOT;
	spec.org = "meshline";
	spec.cn = "external istiod CA";
	spec.days = CACERTS_DAYS;
	ca_opts_init(&co, o, o->ca_dir ? o->ca_dir : "mesh-tls-ca",
	    "ca-key.pem", "ca-cert.pem", &spec);
	co.bits = bits;
	memset(&ca, 0, sizeof(ca));
	if (mesh_ca_open(&ca, &co) == -1)
		goto out;
	if (ca.created)
		note_new_ca(co.dir, "TLS CA", co.key_file);
	memset(&leaf, 0, sizeof(leaf));
	leaf.profile = MESH_CERT_SERVER;
	/* a commonName holds 64 characters; the SAN is what counts */
	leaf.org = "meshline";
	leaf.cn = strlen(host) <= 64 ? host : NULL;
	leaf.san = sans;
	leaf.days = o->days ? o->days : TLS_DAYS;
	if ((k = mesh_key_new(o->key_type, bits)) == NULL ||
	    (c = mesh_cert_issue(&leaf, k, ca.cert, ca.key)) == NULL ||
	    mesh_cert_pem(c, &cert) == -1 || mesh_key_pem(k, &key) == -1)
		goto out;
	docs[n] = new_object("Secret", name, ns, &meta);
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
	if (d != NULL) {
		mesh_desc_annotate(docs[0], d->spec.external->name,
		    d->spec.external->context);
		rv = route_docs(o, d, docs, steps, n, mine);
		n = 0;		/* the router took them */
	} else
		rv = write_docs(w, docs, n);
out:
	while (n > 0)
		doc_free_secret(docs[--n]);
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_cert_free(c);
	mesh_key_free(k);
	mesh_ca_release(&ca);
	mesh_desc_free(d);
	return rv;
}
