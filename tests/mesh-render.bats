#!/usr/bin/env bats
# mesh-render: every heredoc of both guides, for the guides' values and
# others, each role's flags and errors, and whole meshes from a
# description.

load helpers/common
load helpers/simcluster

G="$SHARED/conformance/guides"
F="$FIXTURES/mesh-render"

# same FILE: stdout of the last run, as parsed YAML, equals FILE.
same() {
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$1"
}

py() {
	"$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(sys.stdin)); print(json.dumps($1, sort_keys=True))"
}

# --- the guides' own documents -------------------------------------------

@test "mesh-render: multi-primary, one network: both clusters as in the guide" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK1
	same "$G/multicluster/multi-primary/cluster1.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER2 --network NETWORK1 --mesh MESH1 --peer CLUSTER1=NETWORK1
	same "$G/multicluster/multi-primary/cluster2.yaml"
	[ -z "$stderr" ]
}

@test "mesh-render: multi-primary, two networks: both clusters as in the guide" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK2
	same "$G/multicluster/multi-primary-multi-network/cluster1.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER2 --network NETWORK2 --mesh MESH1 --peer CLUSTER1=NETWORK1
	same "$G/multicluster/multi-primary-multi-network/cluster2.yaml"
}

@test "mesh-render: primary-remote, one network: primary and remote as in the guide" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK1
	same "$G/multicluster/primary-remote/cluster1.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster CLUSTER2 --network NETWORK1 --mesh MESH1 --pilot-address 203.0.113.10
	same "$G/multicluster/primary-remote/cluster2.yaml"
}

@test "mesh-render: primary-remote, two networks: primary and remote as in the guide" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK2
	same "$G/multicluster/primary-remote-multi-network/cluster1.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster CLUSTER2 --network NETWORK2 --mesh MESH1 --pilot-address 203.0.113.10
	same "$G/multicluster/primary-remote-multi-network/cluster2.yaml"
}

@test "mesh-render: the external control plane's three documents as in the guide" {
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster remote1 --address istiod.mesh.example.com
	same "$G/external/external-istiod.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide external-config --cluster remote1 --address istiod.mesh.example.com --network network1
	same "$G/external/remote-config-cluster.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide external-remote --cluster remote2 --address istiod.mesh.example.com --network network2
	same "$G/external/second-config-cluster.yaml"
}

@test "mesh-render: the external istiod keeps the guide's overlays, which mesh-overlay applies" {
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster remote1 --address istiod.mesh.example.com
	printf '%s\n' "$output" > "$TMP/iop.yaml"
	[[ "$output" == *'            value: |-
              name: config-volume'* ]]
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/iop.yaml" --select kind=Deployment "$FIXTURES/mesh-overlay/istiod.yaml"
	[ "$(printf '%s\n' "$output" | py '[v["name"] for v in d[1]["spec"]["template"]["spec"]["volumes"]]')" = '["local-certs", "config-volume", "inject-volume"]' ]
}

# --- other values ------------------------------------------------------------

@test "mesh-render: other values land where the guide's do" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster east --network net-a --mesh prod \
	    --peer west=net-b --peer north=net-a --gateway-service gw.mesh.svc.cluster.local --gateway-port 16443
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]')" = '{"meshID": "prod", "meshNetworks": {"net-a": {"endpoints": [{"fromRegistry": "east"}, {"fromRegistry": "north"}], "gateways": [{"port": 16443, "registryServiceName": "gw.mesh.svc.cluster.local"}]}, "net-b": {"endpoints": [{"fromRegistry": "west"}], "gateways": [{"port": 16443, "registryServiceName": "gw.mesh.svc.cluster.local"}]}}, "multiCluster": {"clusterName": "east"}, "network": "net-a"}' ]
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster edge --address cp.example.org --namespace cp --mesh m2
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"], d[0]["spec"]["meshConfig"]["rootNamespace"], d[0]["spec"]["meshConfig"]["defaultConfig"]["discoveryAddress"], d[0]["spec"]["values"]["global"], d[0]["spec"]["components"]["pilot"]["k8s"]["env"][3]]')" = '[{"namespace": "cp"}, "cp", "cp.example.org:15012", {"caAddress": "cp.example.org:15012", "istioNamespace": "cp", "meshID": "m2", "operatorManageWebhooks": true}, {"name": "CLUSTER_ID", "value": "edge"}]' ]
	run --separate-stderr -0 mesh-render --istio-version guide external-remote --cluster r9 --address cp.example.org --network n9 --namespace cp
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]')" = '{"global": {"istioNamespace": "cp"}, "istiodRemote": {"injectionURL": "https://cp.example.org:15017/inject/:ENV:cluster=r9:ENV:net=n9"}}' ]
}

@test "mesh-render: values that look like YAML stay single strings" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster on --network 0777 --mesh 'a: b' --peer 'yes=1e3'
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]')" = '{"meshID": "a: b", "meshNetworks": {"0777": {"endpoints": [{"fromRegistry": "on"}], "gateways": [{"port": 15443, "registryServiceName": "istio-eastwestgateway.istio-system.svc.cluster.local"}]}, "1e3": {"endpoints": [{"fromRegistry": "yes"}], "gateways": [{"port": 15443, "registryServiceName": "istio-eastwestgateway.istio-system.svc.cluster.local"}]}}, "multiCluster": {"clusterName": "on"}, "network": "0777"}' ]
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster c2 --network $'x\ny: z' --pilot-address on
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["values"]["global"][k] for k in ("network", "remotePilotAddress")]')" = '["x\ny: z", "on"]' ]
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster 'null' --address a.example --mesh '~'
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["components"]["pilot"]["k8s"]["env"][3]["value"], d[0]["spec"]["values"]["global"]["meshID"]]')" = '["null", "~"]' ]
}

@test "mesh-render: a value that would break the injection URL is refused" {
	run --separate-stderr -2 mesh-render external-config --cluster 'a/b' --address x.example --network n
	[ -z "$output" ]
	[[ "$stderr" == "mesh-render: --cluster: 'a/b' is not an Istio cluster ID (letters, digits and '-', at most 63)"* ]]
	run --separate-stderr -2 mesh-render external-remote --cluster a --address x.example --network 'n:1'
	[ -z "$output" ]
	[[ "$stderr" == "mesh-render: --network: 'n:1' cannot go into the injection URL: it must not hold ':', '/', '?', '#', '%', '@', brackets or spaces"* ]]
	# from a description, whichever cluster is rendered
	sed 's/network: network2/network: "n:2"/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --cluster external
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/m.yaml:17:14: spec.clusters[1].network: 'n:2' cannot go into the injection URL: it must not hold ':', '/', '?', '#', '%', '@', brackets or spaces" ]
}

@test "mesh-render: --revision on every role" {
	local role args
	for role in "primary --network n" "remote --network n --pilot-address 1.2.3.4" \
	    "external-istiod --address a.example" "external-config --address a.example --network n" \
	    "external-remote --address a.example --network n"; do
		# shellcheck disable=SC2086
		run --separate-stderr -0 mesh-render --istio-version guide $role --cluster c1 --revision canary
		[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["revision"]')" = '"canary"' ]
	done
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster c --network n --revision default
	[ "$(printf '%s\n' "$output" | py '"revision" in d[0]["spec"]')" = 'false' ]
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster c --network n --revision Canary_1
	[[ "$stderr" == "mesh-render: invalid value for '--revision': 'Canary_1' (a revision is a DNS-1123 label)"* ]]
}

@test "mesh-render: --istio-version gives what that release needs" {
	# 1.22 removed the external profile; the config cluster must make the
	# istiod ServiceAccount its remote secret is made from
	run --separate-stderr -0 mesh-render external-config --cluster remote1 --address istiod.mesh.example.com --network network1 --istio-version 1.24
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["profile"], d[0]["spec"]["values"]["global"]]')" = '["remote", {"configCluster": true, "istioNamespace": "external-istiod"}]' ]
	run --separate-stderr -0 mesh-render external-remote --cluster remote2 --address istiod.mesh.example.com --network network2 --istio-version 1.22.3
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["profile"], d[0]["spec"]["values"]["global"]]')" = '["remote", {"istioNamespace": "external-istiod"}]' ]
	# before 1.16 the proper remote profile did not exist yet
	run --separate-stderr -0 mesh-render external-config --cluster remote1 --address istiod.mesh.example.com --network network1 --istio-version 1.15
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["profile"], d[0]["spec"]["values"]["global"]["configCluster"]]')" = '["external", true]' ]
	# the primaries keep meshNetworks before 1.22
	run --separate-stderr -0 mesh-render primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK2 --istio-version 1.21
	same "$G/multicluster/multi-primary-multi-network/cluster1.yaml"
	local bad
	for bad in 2.0 1.10 1 1.x 1.24.x 1.31 Guide ''; do
		run --separate-stderr -2 mesh-render primary --cluster c --network n --istio-version "$bad"
		[[ "$stderr" == "mesh-render: invalid value for '--istio-version': '$bad' (give 1.11 to 1.30, or guide)"* ]]
	done
}

@test "mesh-render: -o json" {
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster c2 --network n --pilot-address 203.0.113.10 -o json
	[ "$(printf '%s\n' "$output" | jq -c .spec.values.global)" = '{"meshID":"mesh1","multiCluster":{"clusterName":"c2"},"network":"n","remotePilotAddress":"203.0.113.10"}' ]
}

# --- usage ---------------------------------------------------------------------

@test "mesh-render: each role's missing and foreign flags are usage errors" {
	run --separate-stderr -2 mesh-render primary --network n
	[[ "$stderr" == "mesh-render: primary needs --cluster"* ]]
	run --separate-stderr -2 mesh-render remote --cluster c --network n
	[[ "$stderr" == "mesh-render: remote needs --pilot-address"* ]]
	run --separate-stderr -2 mesh-render external-config --cluster c --address a
	[[ "$stderr" == "mesh-render: external-config needs --network"* ]]
	run --separate-stderr -2 mesh-render external-istiod --cluster c
	[[ "$stderr" == "mesh-render: external-istiod needs --address"* ]]
	run --separate-stderr -2 mesh-render remote --cluster c --network n --pilot-address p --peer x=y
	[[ "$stderr" == "mesh-render: remote does not take --peer"* ]]
	run --separate-stderr -2 mesh-render primary --cluster c --network n --address a
	[[ "$stderr" == "mesh-render: primary does not take --address"* ]]
	run --separate-stderr -2 mesh-render primary --cluster c --network n --peer nonet
	[[ "$stderr" == "mesh-render: invalid value for '--peer': 'nonet' (use CLUSTER=NETWORK)"* ]]
	run --separate-stderr -2 mesh-render primary --cluster c --network n --gateway-port 70000
	[[ "$stderr" == "mesh-render: invalid value for '--gateway-port': '70000'"* ]]
	run --separate-stderr -2 mesh-render leader --cluster c
	[[ "$stderr" == "mesh-render: unknown role 'leader'"* ]]
	run --separate-stderr -2 mesh-render
	[[ "$stderr" == "mesh-render: name a role (primary, remote, external-istiod, external-config, external-remote) or give -f mesh.yaml"* ]]
	run --separate-stderr -2 mesh-render -f "$F/external.yaml" primary
	[[ "$stderr" == "mesh-render: -f renders a whole mesh: 'primary' is not wanted"* ]]
	run --separate-stderr -2 mesh-render -f "$F/external.yaml" --network n
	[[ "$stderr" == "mesh-render: -f does not take --network"* ]]
	[ -z "$output" ]
}

# --- a whole mesh --------------------------------------------------------

@test "mesh-render: a multi-primary description gives the guide's documents, annotated" {
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/multi-primary.yaml"
	printf '%s\n' "$output" > "$TMP/all.yaml"
	[ "$(py '[x["metadata"] for x in d]' < "$TMP/all.yaml")" = '[{"annotations": {"meshline.io/cluster": "cluster1", "meshline.io/context": "cluster1"}, "name": "cluster1"}, {"annotations": {"meshline.io/cluster": "cluster2", "meshline.io/context": "cluster2"}, "name": "cluster2"}]' ]
	# without the annotations and with the guide's names, the first is
	# the guide's cluster1.yaml
	"$PYTHON" - "$TMP/all.yaml" "$G/multicluster/multi-primary/cluster1.yaml" <<'PY'
import sys, yaml
got = list(yaml.safe_load_all(open(sys.argv[1])))[0]
del got["metadata"]
want = yaml.safe_load(open(sys.argv[2]))
want["spec"]["values"]["global"]["multiCluster"]["clusterName"] = "cluster1"
want["spec"]["values"]["global"]["meshNetworks"]["NETWORK1"]["endpoints"] = [{"fromRegistry": "cluster1"}, {"fromRegistry": "cluster2"}]
assert got == want, (got, want)
PY
}

@test "mesh-render: meshNetworks are the same in every cluster's document" {
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/multi-primary.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["meshNetworks"] == d[1]["spec"]["values"]["global"]["meshNetworks"]')" = true ]
}

@test "mesh-render: a primary-remote description, two networks" {
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/primary-remote.yaml"
	printf '%s\n' "$output" > "$TMP/all.yaml"
	[ "$(py '[x["spec"]["values"]["global"].get("remotePilotAddress") for x in d]' < "$TMP/all.yaml")" = '[null, "203.0.113.10"]' ]
	[ "$(py 'sorted(d[0]["spec"]["values"]["global"]["meshNetworks"])' < "$TMP/all.yaml")" = '["network1", "network2"]' ]
	[ "$(py '[x["metadata"]["annotations"]["meshline.io/context"] for x in d]' < "$TMP/all.yaml")" = '["ctx1", "ctx2"]' ]
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/primary-remote.yaml" --cluster cluster2
	[ "$(printf '%s\n' "$output" | py '[x["spec"]["values"]["global"]["multiCluster"]["clusterName"] for x in d]')" = '["cluster2"]' ]
}

@test "mesh-render: a primary-remote description, one network" {
	sed 's/network: network2/network: network1/' "$F/primary-remote.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide -f "$TMP/m.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["meshNetworks"]["network1"]["endpoints"]')" = '[{"fromRegistry": "cluster1"}, {"fromRegistry": "cluster2"}]' ]
}

@test "mesh-render: a multi-primary description, two networks, many clusters" {
	{
		printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: big\nspec:\n  model: multi-primary\n  clusters:\n'
		for i in $(seq 1 100); do printf '  - name: c%d\n    network: n%d\n' "$i" $((i % 2)); done
	} > "$TMP/big.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide -f "$TMP/big.yaml"
	[ "$(printf '%s\n' "$output" | py '[len(d), len(d[0]["spec"]["values"]["global"]["meshNetworks"]["n1"]["endpoints"]), all(x["spec"]["values"]["global"]["meshNetworks"] == d[0]["spec"]["values"]["global"]["meshNetworks"] for x in d)]')" = '[100, 50, true]' ]
}

@test "mesh-render: an external description: the control plane, the config cluster, the remotes" {
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/external.yaml"
	printf '%s\n' "$output" > "$TMP/all.yaml"
	[ "$(py '[(x["metadata"]["annotations"]["meshline.io/cluster"], x["metadata"]["annotations"]["meshline.io/context"]) for x in d]' < "$TMP/all.yaml")" = '[["external", "ext"], ["remote1", "ctx-remote1"], ["remote2", "ctx-remote2"]]' ]
	"$PYTHON" - "$TMP/all.yaml" "$G/external" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
for doc, name in zip(docs, ["external-istiod", "remote-config-cluster", "second-config-cluster"]):
    del doc["metadata"]["annotations"]
    del doc["metadata"]["name"]
    want = yaml.safe_load(open(sys.argv[2] + "/" + name + ".yaml"))
    assert doc == want, (name, doc, want)
PY
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/external.yaml" --cluster external
	[ "$(printf '%s\n' "$output" | py '[x["spec"]["profile"] for x in d]')" = '["empty"]' ]
}

@test "mesh-render: spec.istioVersion and spec.revision apply to the whole mesh" {
	sed 's/^  model: external/  model: external\n  istioVersion: "1.24"\n  revision: canary/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
	[ "$(printf '%s\n' "$output" | py '[(x["spec"]["profile"], x["spec"]["revision"], x["spec"]["values"]["global"].get("configCluster")) for x in d]')" = '[["empty", "canary", null], ["remote", "canary", true], ["remote", "canary", null]]' ]
	sed 's/^  model: external/  model: external\n  istioVersion: "2.1"/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml"
	[ "$stderr" = "mesh-render: $TMP/m.yaml:7:17: spec.istioVersion: '2.1' is not a version meshline knows: give 1.11 to 1.30, or guide" ]
}

@test "mesh-render: a remote whose primary's address is not known yet says how to get it" {
	sed '/discoveryAddress/d' "$F/primary-remote.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/m.yaml:12:5: spec.clusters[1].discoveryAddress: remote 'cluster2' needs the address of the east-west gateway of its primary 'cluster1': once it has one (mesh-wait --context ctx1 --for address -n istio-system service/istio-eastwestgateway), set it here, or render the remote with mesh-render remote --pilot-address" ]
	# the primary alone renders
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --cluster cluster1
}

@test "mesh-render: an inconsistent description names the field to set" {
	local m="$F/primary-remote.yaml"
	sed 's/    role: primary/    role: remote/' "$m" > "$TMP/a.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/a.yaml"
	[ "$stderr" = "mesh-render: $TMP/a.yaml:8:3: spec.clusters: a primary-remote mesh needs a primary: set role: primary on one cluster" ]
	sed 's/name: cluster2/name: cluster1/' "$m" > "$TMP/b.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/b.yaml"
	[ "$stderr" = "mesh-render: $TMP/b.yaml:12:11: spec.clusters[1].name: cluster 'cluster1' is named twice (also spec.clusters[0])" ]
	sed 's/name: cluster2/name: Cluster2/' "$m" > "$TMP/c.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/c.yaml"
	[ "$stderr" = "mesh-render: $TMP/c.yaml:12:11: spec.clusters[1].name: 'Cluster2' is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)" ]
	sed 's/    role: remote/    role: remote\n    primary: cluster9/' "$m" > "$TMP/d.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/d.yaml"
	[ "$stderr" = "mesh-render: $TMP/d.yaml:16:14: spec.clusters[1].primary: no cluster is called 'cluster9'" ]
	sed 's/    role: remote/    role: leader/' "$m" > "$TMP/e.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/e.yaml"
	[ "$stderr" = "mesh-render: $TMP/e.yaml:15:11: spec.clusters[1].role: 'leader' is not one of primary, remote, config" ]
	sed 's/    context: ctx2/    contxt: ctx2/' "$m" > "$TMP/f.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/f.yaml"
	[ "$stderr" = "mesh-render: $TMP/f.yaml:13:5: spec.clusters[1]: unknown key 'contxt'" ]
	sed '/    network: network2/d' "$m" > "$TMP/g.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/g.yaml"
	[ "$stderr" = "mesh-render: $TMP/g.yaml:12:5: spec.clusters[1]: set 'network' (the network this cluster's pods are on)" ]
	{ cat "$m"; echo '  - {name: cluster3, network: n, role: primary}'; echo '  - {name: cluster4, network: n, role: remote}'; } > "$TMP/h.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/h.yaml"
	# every problem is reported, each on its line
	[ "$stderr" = "mesh-render: $TMP/h.yaml:12:5: spec.clusters[1]: the mesh has 2 primaries: set 'primary' to the one remote 'cluster2' uses
mesh-render: $TMP/h.yaml:18:5: spec.clusters[3]: the mesh has 2 primaries: set 'primary' to the one remote 'cluster4' uses" ]
	[ -z "$output" ]
}

@test "mesh-render: an external description needs its control plane" {
	sed '/^  external:/,/tlsSecret/d' "$F/external.yaml" > "$TMP/x.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/x.yaml"
	[ "$stderr" = "mesh-render: $TMP/x.yaml:6:3: spec: set 'external' (context, address and tlsSecret of the external control plane)" ]
	sed 's/    address: istiod.mesh.example.com//' "$F/external.yaml" > "$TMP/y.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/y.yaml"
	[ "$stderr" = "mesh-render: $TMP/y.yaml:8:5: spec.external: set 'address', the external istiod's host name" ]
	sed 's/name: remote2/name: external/' "$F/external.yaml" > "$TMP/z.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/z.yaml"
	[ "$stderr" = "mesh-render: $TMP/z.yaml:8:5: spec.external.name: 'external' is also the name of a cluster: give the external control plane another name" ]
}

@test "mesh-render: --cluster that names no cluster, and a missing file" {
	run --separate-stderr -1 mesh-render -f "$F/external.yaml" --cluster nope
	[ "$stderr" = "mesh-render: --cluster 'nope': $F/external.yaml has no such cluster (it has external, remote1, remote2)" ]
	run --separate-stderr -1 mesh-render -f "$F/primary-remote.yaml" --cluster cluster3
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --cluster 'cluster3': $F/primary-remote.yaml has no such cluster (it has cluster1, cluster2)" ]
	run --separate-stderr -1 mesh-render -f "$TMP/none.yaml"
	[ "$stderr" = "mesh-render: cannot open '$TMP/none.yaml': No such file or directory" ]
	run --separate-stderr -0 mesh-render -f - < "$F/external.yaml"
	[ "$(printf '%s\n' "$output" | py 'len(d)')" = 3 ]
}

# --- never a wrong document -------------------------------------------------

@test "mesh-render: spec.istioNamespace puts every control plane there, as the gateways" {
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/mesh-sys.yaml"
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | py '[(x["metadata"]["namespace"], x["spec"]["values"]["global"]["istioNamespace"]) for x in d]')" = '[["mesh-sys", "mesh-sys"], ["mesh-sys", "mesh-sys"]]' ]
	[ "$(printf '%s\n' "$output" | py 'sorted(set(g["registryServiceName"] for n in d[0]["spec"]["values"]["global"]["meshNetworks"].values() for g in n["gateways"]))')" = '["istio-eastwestgateway.mesh-sys.svc.cluster.local"]' ]
	# the gateways mesh-gw prints for the same description agree
	run --separate-stderr -0 mesh-gw -f "$F/mesh-sys.yaml"
	[ "$(printf '%s\n' "$output" | py 'sorted(set([x["metadata"].get("namespace") or x["spec"]["values"]["global"]["istioNamespace"] for x in d]))')" = '["mesh-sys"]' ]
	# istio-system, the default, leaves the guide's documents as they are
	run --separate-stderr -0 mesh-render --istio-version guide -f "$F/primary-remote.yaml"
	[ "$(printf '%s\n' "$output" | py '[("namespace" in x["metadata"], "istioNamespace" in x["spec"]["values"]["global"]) for x in d]')" = '[[false, false], [false, false]]' ]
}

@test "mesh-render: --namespace on primary and remote, as in a description" {
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster c1 --network n1 --peer c2=n2 --namespace mesh-sys
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"], d[0]["spec"]["values"]["global"]["istioNamespace"], d[0]["spec"]["values"]["global"]["meshNetworks"]["n2"]["gateways"]]')" = '[{"namespace": "mesh-sys"}, "mesh-sys", [{"port": 15443, "registryServiceName": "istio-eastwestgateway.mesh-sys.svc.cluster.local"}]]' ]
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster c2 --network n2 --pilot-address 203.0.113.10 --namespace mesh-sys
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"], d[0]["spec"]["values"]["global"]["istioNamespace"]]')" = '[{"namespace": "mesh-sys"}, "mesh-sys"]' ]
	# the same documents as -f renders, less its annotations
	mesh-render --istio-version guide -f "$F/mesh-sys.yaml" --cluster cluster2 > "$TMP/f.yaml"
	run --separate-stderr -0 mesh-render --istio-version guide remote --cluster cluster2 --network network2 --pilot-address 203.0.113.10 --namespace mesh-sys
	[ "$(py '{k: ({m: w for m, w in v.items() if m == "namespace"} if k == "metadata" else v) for k, v in d[0].items()}' < "$TMP/f.yaml")" = "$(printf '%s\n' "$output" | py 'd[0]')" ]
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster c1 --network n1 --namespace istio-system
	[ "$(printf '%s\n' "$output" | py '"metadata" in d[0]')" = false ]
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster c1 --network n1 --namespace Mesh_Sys
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --namespace: 'Mesh_Sys' is not a DNS-1123 label (a namespace: lower-case letters, digits and '-', at most 63)
Try 'mesh-render primary --help' for more information." ]
	sed 's/istioNamespace: mesh-sys/istioNamespace: Mesh_Sys/' "$F/mesh-sys.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-render --istio-version guide -f "$TMP/m.yaml"
	[ "$stderr" = "mesh-render: $TMP/m.yaml:8:19: spec.istioNamespace: 'Mesh_Sys' is not a DNS-1123 label (a namespace: lower-case letters, digits and '-', at most 63)" ]
}

# bad_address FLAG VALUE REASON: the role refuses VALUE for FLAG.
bad_address() {
	local role
	case $1 in
	--address) role="external-istiod --cluster c --network n" ;;
	--pilot-address) role="remote --cluster c --network n" ;;
	--gateway-service) role="primary --cluster c --network n" ;;
	esac
	# shellcheck disable=SC2086
	run --separate-stderr -2 mesh-render $role "$1" "$2"
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $1: '$2' $3
Try 'mesh-render ${role%% *} --help' for more information." ] || { echo "$stderr"; false; }
}

@test "mesh-render: one address check: no scheme, port, path, space or empty label" {
	local f
	for f in --address --pilot-address --gateway-service; do
		bad_address "$f" https://a.example.com:15012 "is not an address: 'https://' is a URL's scheme; give the host name alone"
		bad_address "$f" a.example.com:15012 "is not an address: ':15012' is a port; give the address alone"
		bad_address "$f" a.example.com:99999 "is not an address: ':99999' is a port; give the address alone"
		bad_address "$f" a.example.com:x "is not an address: ':x' is neither a port nor part of a host name"
		bad_address "$f" a.example.com/inject "is not an address: '/inject' is a path; give the host name alone"
		bad_address "$f" 'not an address' "is not an address: it holds a space or a control character"
		bad_address "$f" a..example.com "is not a host name: it has an empty label"
		bad_address "$f" a.example.com. "is not a host name: it has an empty label"
		bad_address "$f" a_b.example.com "is not a host name: 'a_b' is not a label (letters, digits and '-', not first or last, at most 63)"
		bad_address "$f" '*.example.com' "is not an address: a wildcard matches host names, it names none"
		bad_address "$f" 300.1.2.3 "is neither an IP address nor a host name (its last label is all digits)"
		bad_address "$f" '[2001:db8::1]' "is not an address: brackets belong in URLs; give an IPv6 address without them"
	done
	# the external istiod and the gateway's service are host names (the
	# external istiod's may be an IP address from 1.22: external-ip.bats);
	# a pilot address is the east-west gateway's IP address, or a host name
	run --separate-stderr -2 mesh-render --istio-version guide external-istiod --cluster c --address 192.0.2.1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --address: '192.0.2.1' is an IP address, not a host name
Try 'mesh-render external-istiod --help' for more information." ]
	bad_address --gateway-service 2001:db8::1 "is an IP address, not a host name"
	local a
	for a in 192.0.2.1 2001:db8::1 gw.example.com; do
		run --separate-stderr -0 mesh-render --istio-version guide remote --cluster c --network n --pilot-address "$a"
		[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["remotePilotAddress"]')" = "\"$a\"" ]
	done
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster c --address a.example.com
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["meshConfig"]["defaultConfig"]["discoveryAddress"]')" = '"a.example.com:15012"' ]
}

@test "mesh-render: a description's addresses pass the same check, whichever cluster is rendered" {
	sed 's|address: istiod.mesh.example.com|address: https://istiod.mesh.example.com:15012|' "$F/external.yaml" > "$TMP/x.yaml"
	local c
	for c in "" "--cluster external" "--cluster remote1"; do
		# shellcheck disable=SC2086
		run --separate-stderr -1 mesh-render -f "$TMP/x.yaml" $c
		[ -z "$output" ]
		[ "$stderr" = "mesh-render: $TMP/x.yaml:9:14: spec.external.address: 'https://istiod.mesh.example.com:15012' is not an address: 'https://' is a URL's scheme; give the host name alone" ]
	done
	# (at an IP address a tlsSecret is refused as well: none here)
	sed -e 's|address: istiod.mesh.example.com|address: 192.0.2.1|' -e '/tlsSecret/d' "$F/external.yaml" > "$TMP/y.yaml"
	run --separate-stderr -1 mesh-render --istio-version guide -f "$TMP/y.yaml" --cluster external
	[ "$stderr" = "mesh-render: $TMP/y.yaml:9:14: spec.external.address: '192.0.2.1' is an IP address, not a host name" ]
	sed 's|discoveryAddress: 203.0.113.10|discoveryAddress: "203.0.113.10:15012"|' "$F/primary-remote.yaml" > "$TMP/z.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/z.yaml" --cluster cluster1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/z.yaml:16:23: spec.clusters[1].discoveryAddress: '203.0.113.10:15012' is not an address: ':15012' is a port; give the address alone" ]
}

@test "mesh-render: a role's flags are checked as a description's values are" {
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster c1 --network n1 --peer c1=n2
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --peer 'c1=n2': cluster 'c1' is named twice (also --cluster)
Try 'mesh-render primary --help' for more information." ]
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster c1 --network n1 --peer c2=n2 --peer c2=n3
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --peer 'c2=n3': cluster 'c2' is named twice (also --peer 'c2=n2')
Try 'mesh-render primary --help' for more information." ]
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster "a b" --network n1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --cluster: 'a b' is not an Istio cluster ID (letters, digits and '-', at most 63)
Try 'mesh-render primary --help' for more information." ]
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster c1 --network n1 --peer 'c_2=n2'
	[[ "$stderr" == "mesh-render: --peer 'c_2=n2': 'c_2' is not an Istio cluster ID (letters, digits and '-', at most 63)"* ]]
	run --separate-stderr -2 mesh-render --istio-version guide remote --cluster c2 --network n1 --pilot-address "not an address"
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: --pilot-address: 'not an address' is not an address: it holds a space or a control character
Try 'mesh-render remote --help' for more information." ]
	run --separate-stderr -2 mesh-render --istio-version guide external-istiod --cluster -c1 --address a.example.com
	[[ "$stderr" == "mesh-render: --cluster: '-c1' is not an Istio cluster ID"* ]]
	# every problem, each on its line
	run --separate-stderr -2 mesh-render --istio-version guide primary --cluster "a b" --network n1 --peer x=n --peer x=m
	[ "$stderr" = "mesh-render: --cluster: 'a b' is not an Istio cluster ID (letters, digits and '-', at most 63)
mesh-render: --peer 'x=m': cluster 'x' is named twice (also --peer 'x=n')
Try 'mesh-render primary --help' for more information." ]
	# an Istio cluster ID may hold upper case, as the guide's CLUSTER1
	run --separate-stderr -0 mesh-render --istio-version guide primary --cluster CLUSTER1 --network NETWORK1 --peer CLUSTER2=NETWORK2
}

@test "mesh-render: a per-cluster render checks the whole description first" {
	# a problem in another cluster, or the mesh's version, stops the
	# render of any one cluster, so a loop over them installs nothing
	sed 's/    network: network2/    network: network2\n    primary: cluster9/' "$F/primary-remote.yaml" > "$TMP/a.yaml"
	run --separate-stderr -1 mesh-render --istio-version guide -f "$TMP/a.yaml" --cluster cluster1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/a.yaml:15:14: spec.clusters[1].primary: no cluster is called 'cluster9'" ]
	sed 's/network: network2/network: "n\/2"/' "$F/external.yaml" > "$TMP/c.yaml"
	run --separate-stderr -1 mesh-render --istio-version guide -f "$TMP/c.yaml" --cluster remote1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/c.yaml:17:14: spec.clusters[1].network: 'n/2' cannot go into the injection URL: it must not hold ':', '/', '?', '#', '%', '@', brackets or spaces" ]
	sed 's/^  model: external/  model: external\n  istioVersion: "2.1"/' "$F/external.yaml" > "$TMP/b.yaml"
	run --separate-stderr -1 mesh-render --istio-version guide -f "$TMP/b.yaml" --cluster nope
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/b.yaml:7:17: spec.istioVersion: '2.1' is not a version meshline knows: give 1.11 to 1.30, or guide" ]
}

@test "mesh-render: every shipped example renders" {
	local f n=0
	for f in "$ROOT"/examples/mesh/*.yaml; do
		run --separate-stderr -0 mesh-render -f "$f"
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "mesh-render: completions offer the roles, then the options" {
	run "$ROOT/completions/kubectl_complete-mesh_render" ext
	[ "$output" = $'external-istiod\nexternal-config\nexternal-remote\n:4' ]
	run "$ROOT/completions/kubectl_complete-mesh_render" primary ""
	[ "$output" = ":4" ]
	run bash -c "source '$ROOT/completions/mesh-render.bash'; COMP_WORDS=(mesh-render re); COMP_CWORD=1; _mesh_render; printf '%s\n' \"\${COMPREPLY[@]}\""
	[ "$output" = "remote" ]
}

@test "mesh-render: kubectl takes every rendered stream as valid objects" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	sim_start "$TMP/c1" --istio-crds
	local f
	for f in "$ROOT"/examples/mesh/*.yaml; do
		mesh-render -f "$f" > "$TMP/out.yaml"
		run --separate-stderr -0 timeout 30 kubectl --kubeconfig "$TMP/c1/kubeconfig" \
		    apply --dry-run=client -f "$TMP/out.yaml"
		[[ "$output" == *"istiooperator.install.istio.io/"*"created (dry run)"* ]]
	done
}

@test "mesh-render: a JSON description with surrogate pairs reads as kubectl reads JSON" {
	printf '%s\n' '{"apiVersion": "meshline.io/v1alpha1", "kind": "Mesh", "metadata": {"name": "mesh1"}, "spec": {"model": "multi-primary", "clusters": [{"name": "cluster1", "context": "ctx-\ud83d\ude00", "network": "network1"}]}}' > "$TMP/mesh.json"
	run --separate-stderr -0 mesh-render -f "$TMP/mesh.json"
	[ "$(printf '%s\n' "$output" | py 'd[0]["metadata"]["annotations"]["meshline.io/context"]')" = '"ctx-\ud83d\ude00"' ]
	# a lone half is refused, with its place
	printf '%s\n' '{"apiVersion": "meshline.io/v1alpha1", "kind": "Mesh", "metadata": {"name": "mesh1"}, "spec": {"model": "multi-primary", "clusters": [{"name": "cluster1", "context": "ctx-\ud83d", "network": "network1"}]}}' > "$TMP/mesh.json"
	run --separate-stderr -1 mesh-render -f "$TMP/mesh.json"
	[ -z "$output" ]
	[[ $stderr == "mesh-render: $TMP/mesh.json:1:"*"lone UTF-16 surrogate"* ]]
}

@test "mesh-render: what it prints carries no comment of the templates it is made from" {
	local args
	for args in "primary --cluster c1 --network n1 --istio-version 1.30" \
	    "remote --cluster c2 --network n2 --pilot-address 192.0.2.10 --istio-version 1.30" \
	    "external-istiod --cluster c1 --address istiod.example.com --network n1 --istio-version 1.30" \
	    "external-istiod --cluster c1 --address istiod.example.com --istio-version guide" \
	    "external-config --cluster c1 --address istiod.example.com --network n1 --istio-version 1.30" \
	    "external-remote --cluster c2 --address istiod.example.com --network n2 --istio-version 1.30" \
	    "-f $ROOT/examples/mesh/external.yaml --for kubectl"; do
		# shellcheck disable=SC2086
		run --separate-stderr -0 mesh-render $args
		[ -n "$output" ]
		! printf '%s\n' "$output" | grep -n '^ *#' || false
	done
}
