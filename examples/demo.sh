#!/usr/bin/env bash
# meshline's demo: each step of the guides that meshline does so far, run
# on the shipped examples.  Usage: examples/demo.sh [BUILD-DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$(cd "${1:-$here/../build}" && pwd)"
PATH="$bin:$PATH"
cd "$here/overlay"

step() { printf '\n== %s\n$ %s\n' "$1" "$2" >&2; }

# Scratch: the CAs mesh-secret makes, the simulated clusters and the
# plans, all removed at exit.
ca=$(mktemp -d)
simpids=()
cleanup() {
	local p
	for p in "${simpids[@]}"; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	rm -rf "$ca"
}
trap cleanup EXIT

# sim NAME: a simulated cluster (the tests' API server on 127.0.0.1,
# context NAME), its kubeconfig added to KUBECONFIG.
sim() {
	"$here/../tests/simcluster/simcluster" --dir "$ca/sim-$1" --name "$1" \
	    --pod-delay 0.1 --lb-delay 0.2 --token-delay 0.1 \
	    --webhook-delay 0.1 >/dev/null 2>&1 &
	simpids+=("$!")
	for _ in $(seq 100); do [ -f "$ca/sim-$1/kubeconfig" ] && break; sleep 0.1; done
	KUBECONFIG="${KUBECONFIG:+$KUBECONFIG:}$ca/sim-$1/kubeconfig"
	export KUBECONFIG
}

# mk MESH OUT TARGET [VAR=value...]: examples/mesh.mk on the simulated
# clusters, with the tests' istioctl stand-in (real users leave ISTIOCTL
# to be istioctl); loopback servers are allowed into remote secrets.
mk() {
	local m="$1" out="$2"
	shift 2
	make --no-print-directory -C "$ca" -f "$here/mesh.mk" -j3 \
	    MESH="$m" OUT="$out" MESHBIN="$bin/" \
	    ISTIOCTL="$here/../tests/simcluster/istioctl" \
	    SECRETFLAGS=--allow-loopback WAITFLAGS="--timeout 60s" "$@"
}

# Two whole meshes first, each from its description in mesh/, installed
# by mesh.mk in the order of its guide on simulated clusters named as the
# descriptions' contexts.
for c in kind-external kind-remote1 kind-remote2; do sim "$c"; done
step "An external control plane and two remotes, from mesh/external.yaml: every step of the guide" \
    "make -f mesh.mk MESH=mesh/external.yaml TLS=self-signed install verify"
mk "$here/mesh/external.yaml" external TLS=self-signed install verify

for c in kind-cluster1 kind-cluster2; do sim "$c"; done
# no discoveryAddress: install reads the primary's east-west address back
sed '/discoveryAddress/d' "$here/mesh/primary-remote-multi-network.yaml" \
    >"$ca/primary-remote.yaml"
step "Primary-remote on two networks, the remote's address read back from the primary's east-west gateway" \
    "make -f mesh.mk MESH=primary-remote.yaml install verify"
mk primary-remote.yaml primary-remote install verify
step "A second install changes nothing: the same plan, the same secrets, the same CAs" \
    "make -f mesh.mk MESH=primary-remote.yaml install"
sum() { (cd "$ca/primary-remote" && cat ./*/*.yaml | sha256sum); }
before=$(sum)
mk primary-remote.yaml primary-remote install >/dev/null 2>&1
[ "$(sum)" = "$before" ] && echo "every file of the plan is as it was" >&2
unset KUBECONFIG

step "Render the multicluster guide's cluster1.yaml (two networks)" \
    "mesh-render primary --cluster cluster1 --network network1 --peer cluster2=network2"
mesh-render primary --cluster cluster1 --network network1 --peer cluster2=network2

step "Render the external control plane guide's documents from one description" \
    "mesh-render -f ../mesh/external.yaml --cluster remote1"
mesh-render -f ../mesh/external.yaml --cluster remote1

step "The east-west gateway, as gen-eastwest-gateway.sh prints it" \
    "mesh-gw eastwest --network network1"
mesh-gw eastwest --network network1

step "Every gateway document cluster1 needs in a primary-remote mesh on two networks" \
    "mesh-gw -f ../mesh/primary-remote-multi-network.yaml --cluster cluster1"
mesh-gw -f ../mesh/primary-remote-multi-network.yaml --cluster cluster1

step "Set a cluster's mesh values as 'istioctl install --set' would" \
    "mesh-overlay -s values.global.network=network2 -s values.global.multiCluster.clusterName=cluster2 cluster1.yaml"
mesh-overlay -s values.global.network=network2 \
    -s values.global.multiCluster.clusterName=cluster2 cluster1.yaml

step "Add meshNetworks with --set-json, and write JSON" \
    "mesh-overlay --set-json 'values.global.meshNetworks={\"network1\": {\"endpoints\": [{\"fromRegistry\": \"cluster1\"}]}}' -o json cluster1.yaml"
mesh-overlay --set-json 'values.global.meshNetworks={"network1": {"endpoints": [{"fromRegistry": "cluster1"}]}}' \
    -o json cluster1.yaml

step "Apply the external istiod's k8s.overlays to a rendered manifest" \
    "mesh-overlay --k8s-overlays external-istiod.yaml istiod-manifest.yaml"
mesh-overlay --k8s-overlays external-istiod.yaml istiod-manifest.yaml

step "Label only the Service; the other documents pass through byte for byte" \
    "mesh-overlay --select kind=Service -s 'metadata.labels.topology\\.istio\\.io/network=network1' istiod-manifest.yaml"
mesh-overlay --select kind=Service \
    -s 'metadata.labels.topology\.istio\.io/network=network1' istiod-manifest.yaml

step "Fill a template from the environment, safely" \
    "NETWORK=on mesh-overlay --env gateway-template.yaml"
NETWORK=on mesh-overlay --env gateway-template.yaml

step "The plug-in CA: one root kept on disk, a cacerts Secret per cluster (keys elided here)" \
    "mesh-secret cacerts --key-type ecdsa --root-dir \$ca/root --cluster cluster1 --cluster cluster2"
mesh-secret cacerts --key-type ecdsa --root-dir "$ca/root" \
    --cluster cluster1 --cluster cluster2 |
    sed -E 's/^(  [a-z.-]+\.pem: ).{24}.*/\1.../'

step "...and the check of what it printed: every chain, key and root" \
    "mesh-secret cacerts --key-type ecdsa ... | mesh-secret cacerts --verify"
mesh-secret cacerts --key-type ecdsa --root-dir "$ca/root" \
    --cluster cluster1 --cluster cluster2 2>/dev/null |
    mesh-secret cacerts --verify

step "The remote secret, made offline from a kubeconfig that holds a token" \
    "mesh-secret remote --from-kubeconfig cluster2.kubeconfig --name cluster2"
mesh-secret remote --from-kubeconfig ../secret/cluster2.kubeconfig --name cluster2

# mesh-wait needs an API server to watch: the simulated cluster of the
# tests stands in for one, on 127.0.0.1, in the scratch directory
sim="$ca/sim"
"$here/../tests/simcluster/simcluster" --dir "$sim" --name demo \
    --lb-delay 1 >/dev/null 2>&1 &
simpids+=("$!")
for _ in $(seq 100); do [ -f "$sim/kubeconfig" ] && break; sleep 0.1; done
export KUBECONFIG="$sim/kubeconfig"
printf 'Authorization: Bearer %s\n' "$(cat "$sim/token")" > "$ca/auth"

# post PATH: create the YAML document on stdin at PATH, as kubectl create
# would, without kubectl (mesh-overlay turns it into JSON)
post() {
	mesh-overlay -o json | curl -sS -o /dev/null --fail \
	    --cacert "$sim/ca.crt" -H @"$ca/auth" \
	    -H 'Content-Type: application/json' --data-binary @- \
	    "https://127.0.0.1:$(cat "$sim/port")$1"
}
install_gateway() {
	sleep 1
	post /api/v1/namespaces <<-'EOF'
	{apiVersion: v1, kind: Namespace, metadata: {name: istio-system}}
	EOF
	for name in istio-eastwestgateway broken; do
		post /apis/apps/v1/namespaces/istio-system/deployments <<-EOF
		apiVersion: apps/v1
		kind: Deployment
		metadata: {name: $name}
		spec:
		  selector: {matchLabels: {app: $name}}
		  template:
		    metadata:
		      labels: {app: $name}
		      annotations: {simcluster.meshline.io/container-state: "$([ "$name" = broken ] && echo ImagePullBackOff)"}
		    spec: {containers: [{name: istio-proxy, image: example.com/$name}]}
		EOF
	done
	post /api/v1/namespaces/istio-system/services <<-'EOF'
	apiVersion: v1
	kind: Service
	metadata: {name: istio-eastwestgateway}
	spec:
	  type: LoadBalancer
	  selector: {app: istio-eastwestgateway}
	  ports: [{name: tls, port: 15443}]
	EOF
}

step "Wait for the east-west gateway's address while it is being installed (a simulated cluster stands in)" \
    "mesh-gw eastwest --network network1 | mesh-wait --for address -o value"
install_gateway &
mesh-gw eastwest --network network1 | mesh-wait --for address -o value
wait $!

step "A gateway whose image cannot be pulled fails the wait, naming the pod" \
    "mesh-wait deploy/broken -n istio-system --fail-after 1s"
status=0
mesh-wait deploy/broken -n istio-system --fail-after 1s || status=$?
echo "(exit status $status)" >&2
[ "$status" -eq 1 ]

step "A mistake is one clear line, exit status 1 and nothing on stdout" \
    "mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' istiod-manifest.yaml"
status=0
mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' \
    istiod-manifest.yaml || status=$?
echo "(exit status $status)" >&2
[ "$status" -eq 1 ]
