#!/usr/bin/env bats
# --istio-version: today's pages (conformance/current) for the newest
# release, as parsed YAML, for all six topologies, with the pages' values
# and others; each change of the release table at its release and not at
# the one before; guide is the old guides' text to the byte.

load helpers/common

C="$SHARED/conformance/current/docs"
G="$SHARED/conformance/guides"

# the newest release, by default and named, with a patch release too
RELEASES="default 1.30 1.30.3"
DOCS_EQ=docs_eq
load helpers/releases

@test "istio-version: multi-primary, as today's page, at the default and at 1.30" {
	local d="$C/multi-primary"
	check "$d/01-cluster1.iop.yaml" "" -- mesh-render primary --cluster cluster1 --network network1 --peer cluster2=network1
	check "$d/02-cluster2.iop.yaml" "" -- mesh-render primary --cluster cluster2 --network network1 --peer cluster1=network1
	check "$d/02-cluster2.iop.yaml" 's/mesh1/prod/; s/cluster2/east/; s/network1/lan/' -- mesh-render primary --cluster east --network lan --mesh prod --peer west=lan
}

@test "istio-version: multi-primary, multi-network, as today's page, at the default and at 1.30" {
	local d="$C/multi-primary_multi-network"
	check "$d/02-cluster1.iop.yaml" "" -- mesh-render primary --cluster cluster1 --network network1 --peer cluster2=network2
	check "$d/03-cluster1-eastwest-gateway.iop.yaml" "" -- mesh-gw eastwest --network network1
	check "$d/05-cluster1-expose-services.yaml" "" -- mesh-gw expose-services
	check "$d/07-cluster2.iop.yaml" "" -- mesh-render primary --cluster cluster2 --network network2 --peer cluster1=network1
	check "$d/08-cluster2-eastwest-gateway.iop.yaml" "" -- mesh-gw eastwest --network network2
	check "$d/10-cluster2-expose-services.yaml" "" -- mesh-gw expose-services
	check "$d/08-cluster2-eastwest-gateway.iop.yaml" 's/network2/net-b/' -- mesh-gw eastwest --network net-b
	check "$d/07-cluster2.iop.yaml" 's/mesh1/m2/; s/cluster2/b/; s/network2/net-b/' -- mesh-render primary --cluster b --network net-b --mesh m2 --peer a=net-a
}

@test "istio-version: primary-remote, as today's page, at the default and at 1.30" {
	local d="$C/primary-remote"
	check "$d/01-cluster1.iop.yaml" "" -- mesh-render primary --cluster cluster1 --network network1 --has-remotes
	check "$d/02-cluster1-eastwest-gateway.iop.yaml" "" -- mesh-gw eastwest --network network1
	check "$d/02b-cluster1-eastwest-gateway.revision-rev.iop.yaml" "" -- mesh-gw eastwest --network network1 --revision rev
	check "$d/04-cluster1-expose-istiod.yaml" "" -- mesh-gw expose-istiod
	check "$d/04b-cluster1-expose-istiod.revision-rev.yaml" "" -- mesh-gw expose-istiod --revision rev
	check "$d/07-cluster2.iop.yaml" "" -- mesh-render remote --cluster cluster2 --network network1 --pilot-address 192.0.2.10
	check "$d/07-cluster2.iop.yaml" 's/cluster2/edge-7/; s/network1/lan/; s/192.0.2.10/198.51.100.7/' -- mesh-render remote --cluster edge-7 --network lan --pilot-address 198.51.100.7
}

@test "istio-version: primary-remote, multi-network, as today's page, at the default and at 1.30" {
	local d="$C/primary-remote_multi-network"
	check "$d/02-cluster1.iop.yaml" "" -- mesh-render primary --cluster cluster1 --network network1 --has-remotes
	check "$d/03-cluster1-eastwest-gateway.iop.yaml" "" -- mesh-gw eastwest --network network1
	check "$d/03b-cluster1-eastwest-gateway.revision-rev.iop.yaml" "" -- mesh-gw eastwest --network network1 --revision rev
	check "$d/05-cluster1-expose-istiod.yaml" "" -- mesh-gw expose-istiod
	check "$d/05b-cluster1-expose-istiod.revision-rev.yaml" "" -- mesh-gw expose-istiod --revision rev
	check "$d/09-cluster2.iop.yaml" "" -- mesh-render remote --cluster cluster2 --network network2 --pilot-address 192.0.2.10
	check "$d/11-cluster2-eastwest-gateway.iop.yaml" "" -- mesh-gw eastwest --network network2
	check "$d/13-cluster1-expose-services.yaml" "" -- mesh-gw expose-services
	check "$d/02-cluster1.iop.yaml" 's/mesh1/m/; s/cluster1/hub/; s/network1/n-1/' -- mesh-render primary --cluster hub --network n-1 --mesh m --has-remotes --peer spoke=n-2
}

@test "istio-version: external control plane, as today's page, at the default and at 1.30" {
	local d="$C/external-controlplane" a=istiod.external.example.com
	check "$d/01-controlplane-gateway.iop.yaml" "" -- mesh-gw controlplane
	check "$d/04-remote-config-cluster.iop.yaml" "" -- mesh-render external-config --cluster cluster1 --network network1 --address "$a"
	check "$d/09-external-istiod.iop.yaml" "" -- mesh-render external-istiod --cluster cluster1 --network network1 --address "$a"
	check "$d/11-external-istiod-gw.yaml" "" -- mesh-gw external-istiod --host "$a" --credential-name istiod-tls
	check "$d/13-istio-ingressgateway.iop.yaml" "" -- mesh-gw ingress
	check "$d/14-istio-egressgateway.iop.yaml" "" -- mesh-gw egress
	# other values
	check "$d/04-remote-config-cluster.iop.yaml" 's/istiod.external.example.com/cp.example.org/g; s/cluster1/r1/; s/network1/n9/' -- mesh-render external-config --cluster r1 --network n9 --address cp.example.org
	check "$d/09-external-istiod.iop.yaml" 's/istiod.external.example.com/cp.example.org/g; s/cluster1/r1/g; s/network1/n9/; s/mesh1/m2/' -- mesh-render external-istiod --cluster r1 --network n9 --address cp.example.org --mesh m2
	check "$d/11-external-istiod-gw.yaml" 's/istiod.external.example.com/cp.example.org/g; s/istiod-tls/cp-tls/g' -- mesh-gw external-istiod --host cp.example.org --credential-name cp-tls
}

@test "istio-version: external control plane's second remote, as today's page, at the default and at 1.30" {
	local d="$C/external-controlplane_second-remote"
	check "$d/01-second-remote-cluster.iop.yaml" "" -- mesh-render external-remote --cluster cluster2 --network network2 --address istiod.external.example.com
	check "$d/06-eastwest-gateway-1.iop.yaml" "" -- mesh-gw eastwest --network network1
	check "$d/07-eastwest-gateway-2.iop.yaml" "" -- mesh-gw eastwest --network network2
	check "$d/09-cluster1-expose-services.yaml" "" -- mesh-gw expose-services
	check "$d/01-second-remote-cluster.iop.yaml" 's/istiod.external.example.com/cp.example.org/; s/cluster2/r3/; s/network2/n3/' -- mesh-render external-remote --cluster r3 --network n3 --address cp.example.org
}

@test "istio-version: a description renders today's pages by default, and spec.istioVersion: guide the old ones" {
	cat > "$TMP/m.yaml" <<'EOF2'
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: primary-remote
  clusters:
  - name: cluster1
    role: primary
    network: network1
  - name: cluster2
    role: remote
    network: network2
    discoveryAddress: 192.0.2.10
EOF2
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$C/primary-remote_multi-network/02-cluster1.iop.yaml" <(echo ---) "$C/primary-remote_multi-network/09-cluster2.iop.yaml" > "$TMP/want.yaml"
	yaml_eq "$TMP/out.yaml" "$TMP/want.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster cluster1
	[ "$(printf '%s\n' "$output" | py_yaml /dev/stdin '[x["apiVersion"] for x in d]')" = '["install.istio.io/v1alpha1", "networking.istio.io/v1", "networking.istio.io/v1", "networking.istio.io/v1"]' ]
	# the remote's namespace names its primary
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --for kubectl --cluster cluster2
	[ "$(printf '%s\n' "$output" | py_yaml /dev/stdin 'd[0]["metadata"]["annotations"]["topology.istio.io/controlPlaneClusters"]')" = '"cluster1"' ]
	# guide: what mesh-render printed before it knew releases
	sed 's/^  model: primary-remote/  model: primary-remote\n  istioVersion: guide/' "$TMP/m.yaml" > "$TMP/g.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/g.yaml"
	printf '%s\n' "$output" > "$TMP/g.out"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --istio-version guide
	[ "$output" = "$(cat "$TMP/g.out")" ]
	[ "$(py_yaml "$TMP/g.out" '[sorted(x["spec"]["values"]["global"]) for x in d]')" = '[["meshID", "meshNetworks", "multiCluster", "network"], ["meshID", "multiCluster", "network", "remotePilotAddress"]]' ]
	# the flag beats the file
	run --separate-stderr -0 mesh-render -f "$TMP/g.yaml" --istio-version 1.30
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$TMP/want.yaml"
}

@test "istio-version: an external description renders today's pages by default" {
	cat > "$TMP/m.yaml" <<'EOF2'
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: external
  external:
    context: external
    address: istiod.external.example.com
  clusters:
  - name: cluster1
    network: network1
  - name: cluster2
    network: network2
EOF2
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$C/external-controlplane/09-external-istiod.iop.yaml" <(echo ---) "$C/external-controlplane/04-remote-config-cluster.iop.yaml" <(echo ---) "$C/external-controlplane_second-remote/01-second-remote-cluster.iop.yaml" > "$TMP/want.yaml"
	yaml_eq "$TMP/out.yaml" "$TMP/want.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster external
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$C/external-controlplane/01-controlplane-gateway.iop.yaml" <(echo ---) "$C/external-controlplane/11-external-istiod-gw.yaml" > "$TMP/want.yaml"
	yaml_eq "$TMP/out.yaml" "$TMP/want.yaml"
}

# --- each change of the table, at its release and not at the one before ---

# at VERSION PROG ARGS...: PROG's output at VERSION, as parsed JSON in $out.
at() {
	local v=$1
	shift
	run --separate-stderr -0 mesh "$@" --istio-version "$v"
	out=$(printf '%s\n' "$output" | "$PYTHON" -c 'import sys, yaml, json; print(json.dumps(list(yaml.safe_load_all(sys.stdin)), sort_keys=True))')
}

@test "istio-version: 1.11: ingress and egress are install.istio.io, the config cluster sets configCluster (not in guide)" {
	at 1.11 mesh-gw ingress; [[ "$out" == *'"apiVersion": "install.istio.io/v1alpha1"'* ]]
	at guide mesh-gw ingress; [[ "$out" == *'"apiVersion": "operator.istio.io/v1alpha1"'* ]]
	at 1.11 mesh-render external-config --cluster c --network n --address a.example.com; [[ "$out" == *'"configCluster": true'* ]]
	at guide mesh-render external-config --cluster c --network n --address a.example.com; [[ "$out" != *configCluster* ]]
}

@test "istio-version: 1.15: a remote's namespace names the cluster that manages it, not in 1.14" {
	sed 's/^  model: primary-remote/  model: primary-remote\n  istioVersion: "1.15"/' "$FIXTURES/mesh-render/primary-remote.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --for kubectl --cluster cluster2
	[[ "$output" == *'topology.istio.io/controlPlaneClusters: cluster1'* ]]
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --for kubectl --cluster cluster2 --istio-version 1.14
	[[ "$output" != *controlPlaneClusters* ]]
}

@test "istio-version: 1.16: the external model's remotes are profile remote, external in 1.15" {
	at 1.16 mesh-render external-remote --cluster c --network n --address a.example.com; [[ "$out" == *'"profile": "remote"'* ]]
	at 1.15 mesh-render external-remote --cluster c --network n --address a.example.com; [[ "$out" == *'"profile": "external"'* ]]
	# never external from 1.22, whatever the role
	local v
	for v in 1.22 1.25 1.30; do
		at "$v" mesh-render external-config --cluster c --network n --address a.example.com; [[ "$out" != *'"external"'* ]]
	done
}

@test "istio-version: 1.22: primaries lose meshNetworks, present in 1.21" {
	at 1.22 mesh-render primary --cluster c1 --network n1 --peer c2=n2; [[ "$out" != *meshNetworks* ]]
	at 1.21 mesh-render primary --cluster c1 --network n1 --peer c2=n2; [[ "$out" == *meshNetworks* ]]
}

@test "istio-version: 1.22: the remote is profile remote with injectionPath, a full install in 1.21" {
	at 1.22 mesh-render remote --cluster c2 --network n2 --pilot-address 192.0.2.1
	[ "$out" = '[{"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": {"profile": "remote", "values": {"global": {"remotePilotAddress": "192.0.2.1"}, "istiodRemote": {"injectionPath": "/inject/cluster/c2/net/n2"}}}}]' ]
	at 1.21 mesh-render remote --cluster c2 --network n2 --pilot-address 192.0.2.1
	[[ "$out" != *profile* && "$out" == *'"clusterName": "c2"'* ]]
}

@test "istio-version: 1.22: a primary with remotes sets pilot.env.EXTERNAL_ISTIOD, nothing in 1.21" {
	at 1.22 mesh-render primary --cluster c1 --network n1 --has-remotes
	[[ "$out" == *'"pilot": {"env": {"EXTERNAL_ISTIOD": true}}'* && "$out" != *externalIstiod* ]]
	at 1.21 mesh-render primary --cluster c1 --network n1 --has-remotes
	[[ "$out" != *EXTERNAL_ISTIOD* && "$out" != *externalIstiod* ]]
	# without remotes, never
	at 1.30 mesh-render primary --cluster c1 --network n1
	[[ "$out" != *EXTERNAL_ISTIOD* && "$out" != *externalIstiod* ]]
}

@test "istio-version: 1.23: values.global.externalIstiod instead, on the primary and the external istiod; not in 1.22" {
	at 1.23 mesh-render primary --cluster c1 --network n1 --has-remotes
	[[ "$out" == *'"externalIstiod": true'* && "$out" != *EXTERNAL_ISTIOD* ]]
	at 1.23 mesh-render external-istiod --cluster c1 --network n1 --address a.example.com
	[[ "$out" == *'"externalIstiod": true'* ]]
	at 1.22 mesh-render external-istiod --cluster c1 --network n1 --address a.example.com
	[[ "$out" != *externalIstiod* ]]
}

@test "istio-version: 1.22: the injection URL's path form, :ENV: in 1.21" {
	at 1.22 mesh-render external-remote --cluster c --network n --address a.example.com
	[[ "$out" == *'"injectionURL": "https://a.example.com:15017/inject/cluster/c/net/n"'* ]]
	at 1.21 mesh-render external-remote --cluster c --network n --address a.example.com
	[[ "$out" == *'"injectionURL": "https://a.example.com:15017/inject/:ENV:cluster=c:ENV:net=n"'* ]]
}

@test "istio-version: 1.22: the config cluster sets configMap and validationURL, no base component; 1.21 the reverse" {
	at 1.22 mesh-render external-config --cluster c --network n --address a.example.com
	[[ "$out" == *'"pilot": {"configMap": true}'* && "$out" == *'"validationURL": "https://a.example.com:15017/validate"'* && "$out" != *components* ]]
	at 1.21 mesh-render external-config --cluster c --network n --address a.example.com
	[[ "$out" != *configMap* && "$out" != *validationURL* && "$out" == *'"components": {"base": {"enabled": true}}'* ]]
}

@test "istio-version: 1.22: the external istiod shares the config cluster's mesh config and runs as it; 1.21 does not, nor takes --network" {
	at 1.22 mesh-render external-istiod --cluster c1 --network n1 --address a.example.com
	[ "$(printf '%s' "$out" | jq -c '[.[0].spec.components.pilot.k8s.env[].name, .[0].spec.values.global.configValidation, .[0].spec.values.global.multiCluster, .[0].spec.values.global.network]')" = '["INJECTION_WEBHOOK_CONFIG_NAME","VALIDATION_WEBHOOK_CONFIG_NAME","EXTERNAL_ISTIOD","LOCAL_CLUSTER_SECRET_WATCHER","CLUSTER_ID","SHARED_MESH_CONFIG",false,{"clusterName":"c1"},"n1"]' ]
	at 1.21 mesh-render external-istiod --cluster c1 --address a.example.com
	[[ "$out" != *SHARED_MESH_CONFIG* && "$out" != *LOCAL_CLUSTER_SECRET_WATCHER* && "$out" != *configValidation* && "$out" != *multiCluster* ]]
	run --separate-stderr -2 mesh-render external-istiod --cluster c1 --address a.example.com --istio-version 1.22
	[ "${stderr%%$'\n'*}" = "mesh-render: external-istiod needs --network" ]
	run --separate-stderr -2 mesh-render external-istiod --cluster c1 --address a.example.com --network n --istio-version 1.21
	[ "${stderr%%$'\n'*}" = "mesh-render: external-istiod does not take --network" ]
}

@test "istio-version: 1.22: external-istiod-gw is networking.istio.io/v1, v1beta1 and v1alpha3 in 1.21" {
	at 1.22 mesh-gw external-istiod --host a.example.com --credential-name s
	[ "$(printf '%s' "$out" | jq -c '[.[].apiVersion]')" = '["networking.istio.io/v1","networking.istio.io/v1","networking.istio.io/v1"]' ]
	at 1.21 mesh-gw external-istiod --host a.example.com --credential-name s
	[ "$(printf '%s' "$out" | jq -c '[.[].apiVersion]')" = '["networking.istio.io/v1beta1","networking.istio.io/v1beta1","networking.istio.io/v1alpha3"]' ]
}

@test "istio-version: 1.24: the expose samples are networking.istio.io/v1, v1alpha3 in 1.23" {
	local g
	for g in expose-services expose-istiod "expose-istiod --revision canary"; do
		# shellcheck disable=SC2086
		at 1.24 mesh-gw $g; [ "$(printf '%s' "$out" | jq -c '[.[].apiVersion] | unique')" = '["networking.istio.io/v1"]' ]
		# shellcheck disable=SC2086
		at 1.23 mesh-gw $g; [ "$(printf '%s' "$out" | jq -c '[.[].apiVersion] | unique')" = '["networking.istio.io/v1alpha3"]' ]
	done
}

@test "istio-version: 1.22: ingress and egress are named ingress-install and egress-install, unnamed in 1.21" {
	at 1.22 mesh-gw ingress; [ "$(printf '%s' "$out" | jq -c '.[0].metadata')" = '{"name":"ingress-install"}' ]
	at 1.22 mesh-gw egress; [ "$(printf '%s' "$out" | jq -c '.[0].metadata')" = '{"name":"egress-install"}' ]
	at 1.21 mesh-gw egress; [ "$(printf '%s' "$out" | jq -c '.[0].metadata')" = 'null' ]
}

@test "istio-version: 1.27: eastwest --ambient, refused for 1.26" {
	at 1.27 mesh-gw eastwest --ambient --network n1; [ "$(printf '%s' "$out" | jq -r '.[0].kind')" = Gateway ]
	run --separate-stderr -2 mesh-gw eastwest --ambient --network n1 --istio-version 1.26
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: eastwest --ambient: gen-eastwest-gateway.sh has --ambient from Istio 1.27 on
Try 'mesh-gw eastwest --help' for more information." ]
}

# --- guide, --version, bad values ---------------------------------------------

@test "istio-version: guide is the old guides' heredocs, byte for byte" {
	run --separate-stderr -0 mesh-render external-istiod --cluster remote1 --address istiod.mesh.example.com --istio-version guide
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$G/external/external-istiod.yaml"
	run --separate-stderr -0 mesh-gw external-istiod --host istiod.mesh.example.com --credential-name istiod-tls --istio-version guide
	printf '%s\n' "$output" | cmp - "$G/external/external-istiod-gw.yaml"
	run --separate-stderr -0 mesh-gw ingress --istio-version guide
	printf '%s\n' "$output" | cmp - "$G/external/istio-ingressgateway.yaml"
	run --separate-stderr -0 mesh-render primary --cluster CLUSTER1 --network NETWORK1 --mesh MESH1 --peer CLUSTER2=NETWORK2 --istio-version guide
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$G/multicluster/multi-primary-multi-network/cluster1.yaml"
	# the default is not the guide
	run --separate-stderr -0 mesh-gw ingress
	! printf '%s\n' "$output" | cmp -s - "$G/external/istio-ingressgateway.yaml"
}

@test "istio-version: --version names the release rendered by default" {
	local p
	for p in mesh-render mesh-gw; do
		run --separate-stderr -0 mesh "$p" --version
		[ "${lines[0]%% *}" = "$p" ]
		[[ "${lines[0]}" == "$p (meshline) "* ]]
		[ "${lines[1]}" = "renders for Istio 1.30 by default (--istio-version: 1.11 to 1.30, or guide)" ]
	done
}

@test "istio-version: a bad release is a usage error of one line" {
	local p bad
	for p in "mesh-render primary --cluster c --network n" "mesh-gw expose-services" "mesh-gw eastwest --network n"; do
		for bad in 2.0 1.x 1.10 1.31 1 '' GUIDE 1.24.x; do
			# shellcheck disable=SC2086
			run --separate-stderr -2 mesh $p --istio-version "$bad"
			[ -z "$output" ]
			[ "${stderr%%$'\n'*}" = "${p%% *}: invalid value for '--istio-version': '$bad' (give 1.11 to 1.30, or guide)" ]
			[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 2 ]
		done
	done
}
