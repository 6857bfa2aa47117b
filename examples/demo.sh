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

step "A mistake is one clear line, exit status 1 and nothing on stdout" \
    "mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' istiod-manifest.yaml"
status=0
mesh-overlay --select kind=Service -s 'spec.ports[name:http].port=80' \
    istiod-manifest.yaml || status=$?
echo "(exit status $status)" >&2
[ "$status" -eq 1 ]
