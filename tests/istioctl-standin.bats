#!/usr/bin/env bats
# tests/simcluster/istioctl, the stand-in for istioctl on simulated
# clusters: what it makes of each role's IstioOperator, that mesh-wait
# then finds everything it waits for, and istioctl's errors.  Installing
# goes through kubectl; those tests skip without it.

load helpers/common
load helpers/simcluster

ISTIOCTL="$TESTS/simcluster/istioctl"

# The timeout of the waits that are meant to time out (make
# check-valgrind makes it longer).
T="${MESH_WAIT_TIMEOUT:-1s}"

istioctl() {
	timeout 60 "$ISTIOCTL" "$@"
}

need_kubectl() {
	command -v kubectl >/dev/null ||
	    skip "kubectl is not installed: the stand-in installs through it"
}

# objects FILE: "Kind namespace/name" of every document, one a line.
objects() {
	"$PYTHON" -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d:
        md = d.get("metadata") or {}
        print("%s %s/%s" % (d["kind"], md.get("namespace", ""), md["name"]))
' "$1"
}

# waited FILE: "Kind namespace/name" of every object mesh-wait -o yaml
# printed to FILE, one a line, a List counting as its items.
waited() {
	"$PYTHON" -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    for o in (d.get("items") or []) if d and d["kind"] == "List" else [d] if d else []:
        md = o["metadata"]
        print("%s %s/%s" % (o["kind"], md.get("namespace", ""), md["name"]))
' "$1"
}

# iop FILE NAMESPACE [SPEC-LINES [VALUES-LINES]]: an IstioOperator whose
# Istio namespace (values.global.istioNamespace) is NAMESPACE, with
# SPEC-LINES under spec and VALUES-LINES under spec.values.
iop() {
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n%s\n  values:\n    global: {istioNamespace: %s}\n%s\n' "${3:-}" "$2" "${4:-}" >"$1"
}

# render ROLE: mesh-render's IstioOperator for one role into $TMP/ROLE.yaml,
# as the old guides write it unless the ROLE names a release.
render() {
	local addr=istiod.mesh1.example.com
	case "$1" in
	primary) mesh-render primary --cluster c1 --network n1 --istio-version guide ;;
	remote) mesh-render remote --cluster c2 --network n2 --pilot-address 172.18.255.200 --istio-version guide ;;
	external-istiod) mesh-render external-istiod --cluster ext --address "$addr" --istio-version guide ;;
	external-config) mesh-render external-config --cluster c1 --network n1 --address "$addr" --istio-version guide ;;
	external-config-1.30) mesh-render external-config --cluster c1 --network n1 --address "$addr" --istio-version 1.30 ;;
	external-remote) mesh-render external-remote --cluster c3 --network n1 --address "$addr" --istio-version 1.30 ;;
	esac >"$TMP/$1.yaml"
}

# install_and_wait ROLE: install the role's IstioOperator into a fresh
# simulated cluster, then mesh-wait on the same file must succeed.
install_and_wait() {
	need_kubectl
	render "$1"
	sim_start "$TMP/sim" --name sim
	run --separate-stderr -0 istioctl install -f "$TMP/$1.yaml" \
	    --kubeconfig "$TMP/sim/kubeconfig" --context sim -y
	assert_line --index 0 --regexp 'installed$'
	assert_line '✔ Installation complete'
	[ "$stderr" = "" ]
	KUBECONFIG="$TMP/sim/kubeconfig" run --separate-stderr -0 \
	    mesh-wait -f "$TMP/$1.yaml" --timeout 30s
}

@test "istioctl stand-in: manifest generate of a primary: CRDs, istiod, the injector and the default profile's ingress gateway" {
	render primary
	run --separate-stderr -0 istioctl manifest generate -f "$TMP/primary.yaml"
	[ "$stderr" = "" ]
	printf '%s\n' "$output" >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_line 'CustomResourceDefinition /gateways.networking.istio.io'
	assert_line 'CustomResourceDefinition /virtualservices.networking.istio.io'
	assert_line 'ServiceAccount istio-system/istiod'
	assert_line 'Service istio-system/istiod'
	assert_line 'Deployment istio-system/istiod'
	assert_line 'MutatingWebhookConfiguration /istio-sidecar-injector'
	assert_line 'Deployment istio-system/istio-ingressgateway'
	assert_line 'Service istio-system/istio-ingressgateway'
	refute_line --partial 'Namespace '
	run -0 py_yaml "$TMP/out.yaml" '[x["spec"]["type"] for x in d if x["kind"] == "Service" and x["metadata"]["name"] == "istio-ingressgateway"]'
	assert_output '["LoadBalancer"]'
	run -0 py_yaml "$TMP/out.yaml" '[x["webhooks"][0]["clientConfig"] for x in d if x["kind"] == "MutatingWebhookConfiguration"]'
	assert_output '[{"service": {"name": "istiod", "namespace": "istio-system", "path": "/inject", "port": 443}}]'
}

@test "istioctl stand-in: each role gets what istioctl installs for its profile" {
	local role
	for role in remote external-istiod external-config external-config-1.30 external-remote; do
		render "$role"
		istioctl manifest generate -f "$TMP/$role.yaml" >"$TMP/$role.out"
		objects "$TMP/$role.out" | grep -v '^CustomResourceDefinition' |
		    sed "s/^/$role: /" >>"$TMP/got"
		printf '%s: CRDs %s\n' "$role" \
		    "$(grep -c '^kind: CustomResourceDefinition' "$TMP/$role.out")" >>"$TMP/got"
	done
	cat >"$TMP/want" <<'EOF'
remote: ServiceAccount istio-system/istio-reader-service-account
remote: MutatingWebhookConfiguration /istio-sidecar-injector
remote: ServiceAccount istio-system/istio-ingressgateway-service-account
remote: Deployment istio-system/istio-ingressgateway
remote: Service istio-system/istio-ingressgateway
remote: CRDs 15
external-istiod: ServiceAccount external-istiod/istiod
external-istiod: Service external-istiod/istiod
external-istiod: Deployment external-istiod/istiod
external-istiod: ServiceAccount external-istiod/istio-reader-service-account
external-istiod: CRDs 0
external-config: ServiceAccount external-istiod/istio-reader-service-account
external-config: ServiceAccount external-istiod/istiod
external-config: MutatingWebhookConfiguration /istio-sidecar-injector-external-istiod
external-config: CRDs 15
external-config-1.30: ServiceAccount external-istiod/istio-reader-service-account
external-config-1.30: ServiceAccount external-istiod/istiod
external-config-1.30: MutatingWebhookConfiguration /istio-sidecar-injector-external-istiod
external-config-1.30: CRDs 15
external-remote: ServiceAccount external-istiod/istio-reader-service-account
external-remote: MutatingWebhookConfiguration /istio-sidecar-injector-external-istiod
external-remote: CRDs 15
EOF
	run diff -u "$TMP/want" "$TMP/got"
	assert_success
	# Remote secrets read the reader's account everywhere, and istiod's
	# in the config cluster alone.
	# The remote clusters' injectors call the external istiod by URL,
	# in the path form of 1.30's page.
	run -0 py_yaml "$TMP/external-remote.out" '[x["webhooks"][0]["clientConfig"] for x in d if x["kind"] == "MutatingWebhookConfiguration"]'
	assert_output '[{"url": "https://istiod.mesh1.example.com:15017/inject/cluster/c3/net/n1"}]'
}

@test "istioctl stand-in: an east-west gateway gets its labels, its environment and a LoadBalancer Service with its ports" {
	mesh-gw eastwest --cluster c1 --network n1 >"$TMP/ew.yaml"
	istioctl manifest generate -f "$TMP/ew.yaml" >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_output 'ServiceAccount istio-system/istio-eastwestgateway-service-account
Deployment istio-system/istio-eastwestgateway
Service istio-system/istio-eastwestgateway'
	run -0 py_yaml "$TMP/out.yaml" '[(x["spec"]["type"], [p["port"] for p in x["spec"]["ports"]], x["spec"]["selector"]) for x in d if x["kind"] == "Service"]'
	assert_output '[["LoadBalancer", [15021, 15443, 15012, 15017], {"app": "istio-eastwestgateway", "istio": "eastwestgateway", "topology.istio.io/network": "n1"}]]'
	run -0 py_yaml "$TMP/out.yaml" '[c["env"] for x in d if x["kind"] == "Deployment" for c in x["spec"]["template"]["spec"]["containers"]]'
	assert_output --partial '{"name": "ISTIO_META_REQUESTED_NETWORK_VIEW", "value": "n1"}'
}

@test "istioctl stand-in: --set and later -f files change the install as in istioctl" {
	render primary
	istioctl manifest generate -f "$TMP/primary.yaml" --set revision=1-30 \
	    --set values.global.istioNamespace=mesh-system >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_line 'Deployment mesh-system/istiod-1-30'
	assert_line 'MutatingWebhookConfiguration /istio-sidecar-injector-1-30-mesh-system'
	# A later file's gateway list replaces the profile's: no ingress gateway.
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    ingressGateways: []\n' >"$TMP/nogw.yaml"
	istioctl manifest generate -f "$TMP/primary.yaml" -f "$TMP/nogw.yaml" >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_line 'Deployment istio-system/istiod'
	refute_line --partial 'ingressgateway'
	# Typed values: a boolean turns the pilot component off, and with it
	# istiod and its injector; -f takes a comma-separated list too, and
	# the first file's empty gateway list stays when the second has none.
	istioctl manifest generate -f "$TMP/nogw.yaml,$TMP/primary.yaml" \
	    --set components.pilot.enabled=false >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_line 'CustomResourceDefinition /gateways.networking.istio.io'
	refute_line --partial 'istiod'
	refute_line --partial 'MutatingWebhookConfiguration'
	refute_line --partial 'ingressgateway'
	# The older group, operator.istio.io, is read too.
	sed 's|install.istio.io/v1alpha1|operator.istio.io/v1alpha1|' "$TMP/primary.yaml" >"$TMP/op.yaml"
	istioctl manifest generate -f "$TMP/op.yaml" >"$TMP/out.yaml"
	run -0 objects "$TMP/out.yaml"
	assert_line 'Deployment istio-system/istiod'
}

@test "istioctl stand-in: a missing file, bad YAML, an unknown profile or two IstioOperators in a file fail as istioctl does" {
	run --separate-stderr -1 istioctl install -f "$TMP/nope.yaml" -y
	assert_output ''
	[ "$stderr" = "Error: open $TMP/nope.yaml: no such file or directory" ]
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: a: b\n' >"$TMP/bad.yaml"
	run --separate-stderr -1 istioctl manifest generate -f "$TMP/bad.yaml"
	assert_output ''
	[ "$stderr" = "Error: could not parse $TMP/bad.yaml: yaml: line 3: mapping values are not allowed in this context" ]
	run --separate-stderr -1 istioctl manifest generate --set profile=nosuch
	assert_output ''
	[ "$stderr" = 'Error: profile "nosuch" not found: stat profiles/nosuch.yaml: no such file or directory' ]
	render primary
	cat "$TMP/primary.yaml" >"$TMP/two.yaml"
	printf -- '---\n' >>"$TMP/two.yaml"
	cat "$TMP/primary.yaml" >>"$TMP/two.yaml"
	run --separate-stderr -1 istioctl manifest generate -f "$TMP/two.yaml"
	assert_output ''
	[ "$stderr" = "Error: $TMP/two.yaml contains multiple IstioOperator CRs, only one per file is supported" ]
	run --separate-stderr -1 istioctl install --nosuch
	[ "$stderr" = "Error: unknown flag: --nosuch" ]
	run --separate-stderr -1 istioctl upgrade
	[ "$stderr" = 'Error: unknown command "upgrade" for "istioctl"' ]
}

@test "istioctl stand-in: install of a primary, then mesh-wait on the same file succeeds" {
	install_and_wait primary
	run -0 kubectl --kubeconfig "$TMP/sim/kubeconfig" get namespace istio-system \
	    -o 'jsonpath={.metadata.labels.topology\.istio\.io/network}'
	assert_output 'n1'
	run -0 kubectl --kubeconfig "$TMP/sim/kubeconfig" get mutatingwebhookconfiguration \
	    istio-sidecar-injector -o 'jsonpath={.metadata.managedFields[0].manager}'
	assert_output 'istio-operator'
}

@test "istioctl stand-in: install of a primary-remote remote, then mesh-wait succeeds" {
	install_and_wait remote
	run -1 kubectl --kubeconfig "$TMP/sim/kubeconfig" -n istio-system get deployment istiod
}

@test "istioctl stand-in: install of the external istiod, then mesh-wait succeeds" {
	install_and_wait external-istiod
	run -0 kubectl --kubeconfig "$TMP/sim/kubeconfig" -n external-istiod get deployment istiod -o name
	assert_output 'deployment.apps/istiod'
}

@test "istioctl stand-in: install of a config cluster, then mesh-wait succeeds; the old guide's profile external over it" {
	install_and_wait external-config-1.30
	# The old guide's file (istioctl 1.21's profile external) over it:
	# the same objects, no istiod, nothing conflicts.
	render external-config
	run --separate-stderr -0 istioctl install -f "$TMP/external-config.yaml" \
	    --kubeconfig "$TMP/sim/kubeconfig" -y
	run -0 kubectl --kubeconfig "$TMP/sim/kubeconfig" get mutatingwebhookconfigurations -o name
	assert_output 'mutatingwebhookconfiguration.admissionregistration.k8s.io/istio-sidecar-injector-external-istiod'
	run -0 kubectl --kubeconfig "$TMP/sim/kubeconfig" get deployments -A -o name
	assert_output ''
}

@test "istioctl stand-in: install of a further remote of an external control plane, then mesh-wait succeeds" {
	install_and_wait external-remote
}

@test "istioctl stand-in: an east-west gateway installed from stdin gets an address mesh-wait sees" {
	need_kubectl
	sim_start "$TMP/sim" --name sim
	mesh-gw eastwest --cluster c1 --network n1 >"$TMP/ew.yaml"
	run --separate-stderr -0 istioctl install -y -f - \
	    --kubeconfig "$TMP/sim/kubeconfig" <"$TMP/ew.yaml"
	assert_output '✔ Ingress gateways installed
✔ Installation complete'
	KUBECONFIG="$TMP/sim/kubeconfig" run --separate-stderr -0 \
	    mesh-wait -f "$TMP/ew.yaml" --for address --timeout 30s
}

@test "istioctl stand-in: every way a file says its istiod runs elsewhere: mesh-wait waits for the injector, not for an istiod" {
	need_kubectl
	local addr=istiod.mesh1.example.com f
	sim_start "$TMP/sim" --name sim
	export KUBECONFIG="$TMP/sim/kubeconfig"
	# istioctl 1.21's profile external, as mesh-render still writes it
	mesh-render external-remote --cluster c3 --network n1 --address "$addr" -n ext1 >"$TMP/ext1.yaml"
	mesh-render external-config --cluster c1 --network n1 --address "$addr" -n ext2 >"$TMP/ext2.yaml"
	# 1.22 on: the remote profile; 1.24 on, what it sets: values.profile
	iop "$TMP/r3.yaml" r3 '  profile: remote'
	iop "$TMP/r4.yaml" r4 '  profile: minimal' '    profile: remote'
	# 1.22 and 1.23's remote profile: istiodRemote on, pilot off; and
	# the Helm profile's values.istiodRemote.enabled
	iop "$TMP/r5.yaml" r5 '  profile: minimal
  components:
    istiodRemote: {enabled: true}
    pilot: {enabled: false}'
	iop "$TMP/r6.yaml" r6 '  profile: minimal' '    istiodRemote: {enabled: true}'
	# no pilot at all: neither istiod nor its injector
	iop "$TMP/r7.yaml" r7 '  profile: minimal
  components:
    pilot: {enabled: false}'
	for f in ext1 ext2 r3 r4 r5 r6 r7; do
		run --separate-stderr -0 istioctl install -y -f "$TMP/$f.yaml"
	done
	run --separate-stderr -0 kubectl get deployments -A -o name
	assert_output ''
	run --separate-stderr -0 mesh-wait --timeout 30s -o yaml -f "$TMP/ext1.yaml" \
	    -f "$TMP/ext2.yaml" -f "$TMP/r3.yaml" -f "$TMP/r4.yaml" \
	    -f "$TMP/r5.yaml" -f "$TMP/r6.yaml" -f "$TMP/r7.yaml"
	printf '%s\n' "$output" >"$TMP/out.yaml"
	run -0 waited "$TMP/out.yaml"
	assert_output 'MutatingWebhookConfiguration /istio-sidecar-injector-ext1
MutatingWebhookConfiguration /istio-sidecar-injector-ext2
MutatingWebhookConfiguration /istio-sidecar-injector-r3
MutatingWebhookConfiguration /istio-sidecar-injector-r4
MutatingWebhookConfiguration /istio-sidecar-injector-r5
MutatingWebhookConfiguration /istio-sidecar-injector-r6'
	# The injector is still waited for where it is not installed.
	sed 's/ext1/ext9/g' "$TMP/ext1.yaml" >"$TMP/ext9.yaml"
	run --separate-stderr -3 mesh-wait -f "$TMP/ext9.yaml" --timeout "$T"
	assert_output ''
	[ "$stderr" = "mesh-wait: mutatingwebhookconfiguration/istio-sidecar-injector-ext9: timed out after $T: not there yet" ]
}

@test "istioctl stand-in: a file's gateway list replaces the profile's: mesh-wait waits for the gateways it enables only" {
	need_kubectl
	sim_start "$TMP/sim" --name sim
	export KUBECONFIG="$TMP/sim/kubeconfig"
	# the default profile's istio-ingressgateway is not in the list
	iop "$TMP/g1.yaml" g1 '  components:
    ingressGateways:
    - {name: my-ingress, enabled: true}
    - {name: off-ingress, enabled: false}'
	# demo's ingress and egress gateways, each list emptied
	iop "$TMP/g2.yaml" g2 '  profile: demo
  components:
    ingressGateways: []
    egressGateways:'
	for f in g1 g2; do
		run --separate-stderr -0 istioctl install -y -f "$TMP/$f.yaml"
	done
	run --separate-stderr -0 kubectl get deployments -A -o name
	assert_output 'deployment.apps/istiod
deployment.apps/my-ingress
deployment.apps/istiod'
	run --separate-stderr -0 mesh-wait --timeout 30s -o yaml -f "$TMP/g1.yaml" -f "$TMP/g2.yaml"
	printf '%s\n' "$output" >"$TMP/out.yaml"
	run -0 waited "$TMP/out.yaml"
	assert_output 'Deployment g1/istiod
MutatingWebhookConfiguration /istio-sidecar-injector-g1
Deployment g1/my-ingress
Service g1/my-ingress
Deployment g2/istiod
MutatingWebhookConfiguration /istio-sidecar-injector-g2'
	# A gateway of the list is still waited for when it is not there.
	kubectl delete deployment my-ingress -n g1 >/dev/null
	run --separate-stderr -3 mesh-wait -f "$TMP/g1.yaml" --timeout "$T"
	assert_output ''
	[ "$stderr" = "mesh-wait: deployment/my-ingress (g1): timed out after $T: not there yet" ]
}

@test "istioctl stand-in: values.global.istioNamespace beats metadata.namespace, in the install and in mesh-wait" {
	need_kubectl
	sim_start "$TMP/sim" --name sim
	export KUBECONFIG="$TMP/sim/kubeconfig"
	iop "$TMP/ns.yaml" iop-ns '  profile: minimal'
	sed -i 's/^kind: IstioOperator$/&\nmetadata: {namespace: meta-ns}/' "$TMP/ns.yaml"
	run --separate-stderr -0 istioctl install -y -f "$TMP/ns.yaml"
	run --separate-stderr -0 kubectl get deployments -A \
	    -o 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}'
	assert_output 'iop-ns/istiod'
	run --separate-stderr -0 mesh-wait --timeout 30s -o yaml -f "$TMP/ns.yaml"
	printf '%s\n' "$output" >"$TMP/out.yaml"
	run -0 waited "$TMP/out.yaml"
	assert_output 'Deployment iop-ns/istiod
MutatingWebhookConfiguration /istio-sidecar-injector-iop-ns'
	# The other way round: what metadata.namespace names is not enough.
	sed -e 's/meta-ns/iop-ns/' -e 's/istioNamespace: iop-ns/istioNamespace: elsewhere/' \
	    "$TMP/ns.yaml" >"$TMP/other.yaml"
	run --separate-stderr -3 mesh-wait -f "$TMP/other.yaml" --timeout "$T"
	assert_output ''
	[ "$stderr" = "mesh-wait: deployment/istiod (elsewhere): timed out after $T: not there yet
mesh-wait: mutatingwebhookconfiguration/istio-sidecar-injector-elsewhere: timed out after $T: not there yet" ]
}

@test "istioctl stand-in: --set of a list element by [N] or [key:value] as the last piece replaces it" {
	iop "$TMP/env.yaml" istio-system '  profile: minimal
  components:
    pilot:
      k8s:
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        - {name: C, value: "3"}'
	env_of() {
		istioctl manifest generate -f "$TMP/env.yaml" "$@" >"$TMP/out.yaml" &&
		    py_yaml "$TMP/out.yaml" '[e["name"] for x in d if x["kind"] == "Deployment" for e in x["spec"]["template"]["spec"]["containers"][0]["env"]]'
	}
	run -0 env_of
	assert_output '["REVISION", "A", "B", "C"]'
	# an element that is no longer a mapping is no environment variable
	run -0 env_of --set 'components.pilot.k8s.env[0]=x'
	assert_output '["REVISION", "B", "C"]'
	run -0 env_of --set 'components.pilot.k8s.env[name:B]=x'
	assert_output '["REVISION", "A", "C"]'
	# into an element, and past the end, as before
	run -0 env_of --set 'components.pilot.k8s.env[name:B].name=D' \
	    --set 'components.pilot.k8s.env[9].name=E'
	assert_output '["REVISION", "A", "D", "C", "E"]'
	run --separate-stderr -1 istioctl manifest generate -f "$TMP/env.yaml" \
	    --set 'components.pilot.k8s.env[name:Z]=x'
	[ "$stderr" = "Error: element [name:Z] not found" ]
}
