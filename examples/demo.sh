#!/usr/bin/env bash
# meshline's demo: each step of the guides that meshline does so far, run
# on the shipped examples.  Usage: examples/demo.sh [BUILD-DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PATH="$(cd "${1:-$here/../build}" && pwd):$PATH"
cd "$here/overlay"

step() { printf '\n== %s\n$ %s\n' "$1" "$2" >&2; }

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

# the CAs mesh-secret makes live in a scratch directory, removed at exit
ca=$(mktemp -d)
trap 'rm -rf "$ca"' EXIT

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

step "A mistake is one clear line, exit status 1 and nothing on stdout" \
    "mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' istiod-manifest.yaml"
status=0
mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' \
    istiod-manifest.yaml || status=$?
echo "(exit status $status)" >&2
[ "$status" -eq 1 ]
