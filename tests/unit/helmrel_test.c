/*
 * Unit tests of common/helmrel.c's IstioOperator to Helm release
 * translation: the values every chart takes, the forms of --set each
 * value needs, and what Flux's kustomize patches cannot say (refused).
 * What a whole mesh gives is checked by tests/helm-external.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helmrel.h"
#include "meshdesc.h"
#include "stream.h"
#include "unit.h"
#include "xalloc.h"

static struct mesh_desc *d;

static struct mesh_doc *
iop(const char *text)
{
	struct mesh_limits lim;

	mesh_limits_init(&lim);
	return mesh_parse_string("iop", text, &lim, false);
}

/*
 * The releases of the IstioOperator text into r (at most 4); their
 * number, or -1 when it is refused.
 */
static int
releases(const char *text, struct mesh_helm_release *r)
{
	struct mesh_doc *doc = iop(text);
	size_t n;
	int rv;

	if (doc == NULL)
		return -1;
	rv = mesh_helm_from_iop(d, "c1", "ctx1", doc, "control-plane", r, 4,
	    &n);
	mesh_doc_free(doc);
	return rv == -1 ? -1 : (int)n;
}

static void
free_all(struct mesh_helm_release *r, int n)
{
	while (n > 0)
		mesh_helm_release_free(&r[--n]);
}

/* The release's helm install line, as a string to free. */
static char *
line(const struct mesh_helm_release *r, const char *k8s)
{
	struct mesh_buf b = MESH_BUF_INIT;
	size_t len;

	mesh_helm_install_line(&b, d, r, k8s);
	return mesh_buf_detach(&b, &len);
}

#define HEAD "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"

static void
test_values(void)
{
	struct mesh_helm_release r[4];
	char *l;
	int n = releases(HEAD "metadata:\n  namespace: ns1\nspec:\n"
	    "  profile: remote\n  revision: canary\n"
	    "  meshConfig:\n    a.b: 1\n"
	    "  values:\n    global:\n      x: 1.5\n      y: null\n"
	    "      z: ['p,q', '12']\n      w: '{a,b}'\n", r);

	CHECK(n == 2);
	if (n != 2)
		return;
	CHECK_STR(r[0].name, "istio-base");
	CHECK_STR(r[0].chart, "base");
	CHECK_STR(r[0].ns, "ns1");
	CHECK(r[0].depends == NULL && r[0].k8s == NULL);
	CHECK_STR(r[1].name, "istiod-canary");
	CHECK_STR(r[1].depends, "istio-base");
	CHECK(r[1].nv == 8);
	l = line(&r[1], NULL);
	CHECK_STR(l, "helm install istiod-canary istio/istiod -n ns1 "
	    "--kube-context ctx1 --set profile=remote --set-json "
	    "global.x=1.5 --set-json global.y=null --set "
	    "'global.z[0]=p\\,q' --set-string 'global.z[1]=12' --set "
	    "'global.w=\\{a\\,b}' --set 'meshConfig.a\\.b=1' --set "
	    "revision=canary\n");
	free(l);
	l = line(&r[0], "\"$k8s\"/f.yaml");
	CHECK(strstr(l, " --post-renderer mesh-overlay --post-renderer-args "
	    "--k8s-overlays --post-renderer-args \"$k8s\"/f.yaml\n") != NULL);
	free(l);
	free_all(r, n);

	/* the default profile's gateway after the revision's istiod */
	n = releases(HEAD "spec:\n  revision: r1\n", r);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(r[2].name, "istio-ingressgateway");
		CHECK_STR(r[2].depends, "istiod-r1");
		CHECK(r[2].depends_ns == NULL);
	}
	free_all(r, n);
	/* a gateway of another namespace depends on istiod in its own */
	n = releases(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    pilot: {enabled: true}\n"
	    "    egressGateways: [{name: eg, namespace: gw}]\n", r);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(r[1].ns, "gw");
		CHECK_STR(r[1].depends, "istiod");
		CHECK_STR(r[1].depends_ns, "istio-system");
		CHECK_STR(mesh_map_getstr(r[1].values->root, "service.type"),
		    "ClusterIP");
	}
	free_all(r, n);

	/* istiod alone, and none for the default istio-system namespace */
	n = releases(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    pilot:\n      enabled: true\n", r);
	CHECK(n == 1);
	if (n == 1) {
		CHECK_STR(r[0].chart, "istiod");
		CHECK_STR(r[0].ns, "istio-system");
		CHECK(r[0].depends == NULL && r[0].nv == 0);
	}
	free_all(r, n);
}

static void
test_refused(void)
{
	struct mesh_helm_release r[4];

	CHECK(releases(HEAD "spec:\n  profile: demo\n", r) == -1);
	/* more releases than the caller has room for */
	CHECK(releases(HEAD "spec:\n  profile: remote\n  components:\n"
	    "    ingressGateways: [{name: a}, {name: b}, {name: c}]\n", r) ==
	    -1);
	CHECK(releases(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    ingressGateways:\n    - name: g\n      k8s:\n"
	    "        resources: {}\n", r) == -1);
	CHECK(releases(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    egressGateways:\n    - name: g\n      label: {a: b}\n", r) ==
	    -1);
	CHECK(releases(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    ingressGateways:\n    - name: g\n  values:\n    gateways:\n"
	    "      g:\n        injectionTemplate: sidecar\n", r) == -1);
}

/* The Flux form of the external istiod's k8s: NULL when refused. */
static struct mesh_doc *
flux(const char *k8s)
{
	struct mesh_helm_release r[4];
	struct mesh_doc *doc = NULL;
	char *text = xasprintf(HEAD "spec:\n  profile: empty\n  components:\n"
	    "    pilot:\n      enabled: true\n      k8s:\n%s", k8s);
	int n = releases(text, r);

	free(text);
	CHECK(n == 1);
	if (n == 1) {
		CHECK(r[0].k8s != NULL);
		doc = mesh_helm_release_doc(d, &r[0]);
	}
	free_all(r, n);
	return doc;
}

/* The one kustomize patch of a HelmRelease, or NULL. */
static const char *
patch_of(const struct mesh_doc *doc)
{
	const struct mesh_node *n = mesh_map_get(mesh_map_get(doc->root,
	    "spec"), "postRenderers");

	if (!mesh_is_seq(n) || n->u.c.n != 1)
		return NULL;
	n = mesh_map_get(mesh_map_get(n->u.c.v[0], "kustomize"), "patches");
	if (!mesh_is_seq(n) || n->u.c.n != 1)
		return NULL;
	return mesh_map_getstr(n->u.c.v[0], "patch");
}

static void
test_flux(void)
{
	struct mesh_doc *doc;
	const char *patch;

	/* a selector by a merge key, and a key set */
	doc = flux("        overlays:\n        - kind: Deployment\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.template.spec.containers.[name:discovery]"
	    ".env[100]\n            value: |-\n              name: A\n"
	    "              value: b\n"
	    "          - path: spec.minReadySeconds\n            value: 5\n");
	CHECK(doc != NULL);
	if (doc != NULL) {
		patch = patch_of(doc);
		CHECK_STR(patch, "apiVersion: apps/v1\nkind: Deployment\n"
		    "metadata:\n  name: istiod\nspec:\n  template:\n"
		    "    spec:\n      containers:\n      - name: discovery\n"
		    "        env:\n        - name: A\n          value: b\n"
		    "  minReadySeconds: 5\n");
	}
	mesh_doc_free(doc);
	/* what a strategic merge patch of a Deployment cannot say */
	CHECK(flux("        resources:\n          limits: {cpu: 1}\n") == NULL);
	CHECK(flux("        overlays:\n        - kind: Service\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.type\n            value: NodePort\n") ==
	    NULL);
	CHECK(flux("        overlays:\n        - kind: Deployment\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.template.spec.volumes[0]\n") == NULL);
	/* an index that may name an item: istioctl replaces it */
	CHECK(flux("        overlays:\n        - kind: Deployment\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.template.spec.volumes[0]\n"
	    "            value: {name: v, emptyDir: {}}\n") == NULL);
	CHECK(flux("        overlays:\n        - kind: Deployment\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.template.spec.tolerations[300]\n"
	    "            value: {key: k}\n") == NULL);
	CHECK(flux("        overlays:\n        - kind: Deployment\n"
	    "          name: istiod\n          patches:\n"
	    "          - path: spec.template.spec.containers[1].env[100]\n"
	    "            value: {name: A}\n") == NULL);
}

int
main(void)
{
	d = mesh_desc_new(MESH_MODEL_EXTERNAL, "external-istiod", NULL);
	d->src = xstrdup("mesh.yaml");
	d->istio_minor = 30;
	test_values();
	test_refused();
	test_flux();
	mesh_desc_free(d);
	return UNIT_DONE();
}
