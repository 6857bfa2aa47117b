#!/usr/bin/env bats
# The demo that make demo runs works, and says what it shows.

load helpers/common

@test "examples: the demo runs every step and ends on the expected error" {
	run --separate-stderr -0 "$ROOT/examples/demo.sh" "$MESH_BUILD"
	# the overlays appended both volumes, --env kept "on" a string
	[[ "$output" == *"name: inject-volume"* ]]
	[[ "$output" == *'topology.istio.io/network: "on"'* ]]
	[[ "$output" == *'"fromRegistry": "cluster1"'* ]]
	[[ "$output" == *"injectionURL: https://istiod.mesh.example.com:15017/inject/:ENV:cluster=remote1:ENV:net=network1"* ]]
	[[ "$output" == *"registryServiceName: istio-eastwestgateway.istio-system.svc.cluster.local"* ]]
	[[ "$output" == *"# traffic through this gateway should be routed inside the network"* ]]
	[[ "$output" == *"name: istiod-gateway"* ]]
	[[ "$stderr" == *"Service/istiod: --set 'spec.ports[name:http].port=80': element [name:http] not found"* ]]
	[[ "$stderr" == *"(exit status 1)"* ]]
}
