/*
 * Unit tests of common/meshdesc.c and common/typed.c: defaults filled in,
 * and every inconsistency refused (the messages themselves are checked by
 * the programs' suites).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meshdesc.h"
#include "parse.h"
#include "unit.h"

static char dir[] = "/tmp/mesh-unit-XXXXXX";

static struct mesh_desc *
load(const char *text)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mesh.yaml", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return mesh_desc_load(path);
}

#define HEAD "apiVersion: meshline.io/v1alpha1\nkind: Mesh\n" \
	"metadata:\n  name: mesh1\nspec:\n"

static void
test_defaults(void)
{
	struct mesh_desc *d = load(HEAD "  model: primary-remote\n"
	    "  clusters:\n  - {name: c1, network: n1, role: primary}\n"
	    "  - {name: c2, network: n2, context: ctx2}\n"
	    "  - {name: c3, network: n1, primary: c1}\n");

	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_STR(d->spec.mesh_id, "mesh1");
	CHECK_STR(d->spec.istio_namespace, "istio-system");
	CHECK_STR(d->spec.revision, "");
	CHECK(d->spec.istio_version == NULL);
	CHECK(d->spec.clusters_count == 3);
	CHECK_STR(d->spec.clusters[0].context, "c1");
	CHECK_STR(d->spec.clusters[1].context, "ctx2");
	/* without a role, the first cluster is the primary */
	CHECK(d->spec.clusters[0].role == MESH_ROLE_PRIMARY);
	CHECK(d->spec.clusters[1].role == MESH_ROLE_REMOTE);
	CHECK(mesh_desc_primary_of(d, &d->spec.clusters[1]) ==
	    &d->spec.clusters[0]);
	CHECK(d->spec.clusters[2].role == MESH_ROLE_REMOTE);
	CHECK(mesh_desc_primary_of(d, &d->spec.clusters[2]) ==
	    &d->spec.clusters[0]);
	CHECK(mesh_desc_multi_network(d));
	CHECK(mesh_desc_cluster(d, "c9") == NULL);
	mesh_desc_free(d);

	d = load(HEAD "  model: external\n  meshID: other\n"
	    "  external: {context: ext, address: istiod.example.com}\n"
	    "  clusters:\n  - {name: r1, network: n1}\n"
	    "  - {name: r2, network: n1}\n");
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_STR(d->spec.mesh_id, "other");
	CHECK_STR(d->spec.istio_namespace, "external-istiod");
	CHECK_STR(d->spec.external->tls_secret, "istiod-tls");
	CHECK(d->spec.clusters[0].role == MESH_ROLE_CONFIG);
	CHECK(d->spec.clusters[1].role == MESH_ROLE_REMOTE);
	CHECK(!mesh_desc_multi_network(d));
	mesh_desc_free(d);

	d = load(HEAD "  model: primary-remote\n  clusters:\n"
	    "  - {name: a, network: n, role: primary}\n"
	    "  - {name: b, network: n}\n  - {name: c, network: n, "
	    "role: remote}\n");
	CHECK(d != NULL && d->spec.clusters[1].role == MESH_ROLE_REMOTE);
	CHECK(d != NULL && d->spec.clusters[2].primary != NULL &&
	    strcmp(d->spec.clusters[2].primary, "a") == 0);
	mesh_desc_free(d);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		HEAD "  model: multi-primary\n  clusters: []\n",
		HEAD "  model: multi\n  clusters: [{name: a, network: n}]\n",
		HEAD "  model: multi-primary\n  clusters: [{name: A, network: n}]\n",
		HEAD "  model: multi-primary\n  clusters: [{name: a, network: n},"
		    " {name: a, network: m}]\n",
		HEAD "  model: multi-primary\n  clusters: [{name: a}]\n",
		HEAD "  model: multi-primary\n  clusters: [{name: a, network: n,"
		    " role: remote}]\n",
		HEAD "  model: primary-remote\n  clusters: [{name: a, network: n,"
		    " role: remote}]\n",
		HEAD "  model: primary-remote\n  clusters: [{name: a, network: n,"
		    " role: primary}, {name: b, network: n, role: primary}, "
		    "{name: c, network: n, role: remote}]\n",
		HEAD "  model: primary-remote\n  clusters: [{name: a, network: n,"
		    " role: primary}, {name: c, network: n, primary: zz}]\n",
		HEAD "  model: external\n  clusters: [{name: a, network: n}]\n",
		HEAD "  model: multi-primary\n  external: {address: x}\n"
		    "  clusters: [{name: a, network: n}]\n",
		HEAD "  model: multi-primary\n  bogus: 1\n"
		    "  clusters: [{name: a, network: n}]\n",
		"apiVersion: v1\nkind: Mesh\nmetadata: {name: m}\nspec:\n"
		    "  model: multi-primary\n  clusters: [{name: a, network: n}]\n",
		"a: [\n",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mesh_desc *d = load(bad[i]);

		CHECK(d == NULL);
		if (d != NULL)
			fprintf(stderr, "accepted case %zu\n", i);
		mesh_desc_free(d);
	}
	CHECK(mesh_is_dns_label("a-1"));
	CHECK(!mesh_is_dns_label("-a"));
	CHECK(!mesh_is_dns_label("a_b"));
	CHECK(!mesh_is_dns_label(""));
}

int
main(void)
{
	char path[64];
	int rv;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_defaults();
	test_refused();
	rv = UNIT_DONE();
	snprintf(path, sizeof(path), "%s/mesh.yaml", dir);
	unlink(path);
	rmdir(dir);
	return rv;
}
