#!/usr/bin/env bats
# The external control plane at an IP address: today's page's IP-address
# variant (04b, 09b, 11b, second remote's 01b), as parsed YAML, from the
# single-role forms and from a mesh description; no tls-secret step and
# no credentialName then; guide (and releases before 1.22) refuse an IP
# address as before.

load helpers/common

C="$SHARED/conformance/current/docs"
X="$C/external-controlplane"
R="$C/external-controlplane_second-remote"
# the pages' example address (the files' headers)
IP=192.0.2.20

# ip_eq OUT WANT [SED]: OUT holds WANT's documents as parsed YAML, WANT
# edited by SED when given; the empty document the page's sed edit leaves
# after the last --- is no document.
ip_eq() {
	if [ -n "${3:-}" ]; then
		sed "$3" "$2" > "$TMP/want.yaml"
	else
		cp "$2" "$TMP/want.yaml"
	fi
	"$PYTHON" - "$1" "$TMP/want.yaml" <<'PY'
import sys, yaml, json
a = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
b = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d is not None]
if not a or a != b:
    print("--- got:", json.dumps(a, indent=1)[:4000], file=sys.stderr)
    print("--- want:", json.dumps(b, indent=1)[:4000], file=sys.stderr)
    sys.exit(1)
PY
}

# the newest release, and the first whose page has the IP variant's form
RELEASES="default 1.30 1.23"
DOCS_EQ=ip_eq
load helpers/releases

# mesh_file ADDRESS [VERSION]: the page's external mesh, at ADDRESS.
mesh_file() {
	{
		printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh1\nspec:\n'
		[ -z "${2:-}" ] || printf '  istioVersion: %s\n' "$2"
		printf '  model: external\n  external:\n    context: external\n    address: %s\n' "$1"
		printf '  clusters:\n  - name: cluster1\n    network: network1\n  - name: cluster2\n    network: network2\n'
	} > "$TMP/m.yaml"
}

@test "external-ip: the single-role forms equal the page's IP-address variant" {
	check "$X/04b-remote-config-cluster.ip-variant.iop.yaml" "" -- mesh-render external-config --cluster cluster1 --network network1 --address "$IP"
	check "$X/09b-external-istiod.ip-variant.iop.yaml" "" -- mesh-render external-istiod --cluster cluster1 --network network1 --address "$IP"
	check "$X/11b-external-istiod-gw.ip-variant.yaml" "" -- mesh-gw external-istiod --host "$IP"
	check "$R/01b-second-remote-cluster.ip-variant.iop.yaml" "" -- mesh-render external-remote --cluster cluster2 --network network2 --address "$IP"
}

@test "external-ip: other values: address, cluster, network, mesh, namespace" {
	local s='s/192.0.2.20/198.51.100.7/; s/cluster1/r1/; s/network1/n9/'
	check "$X/04b-remote-config-cluster.ip-variant.iop.yaml" "$s" -- mesh-render external-config --cluster r1 --network n9 --address 198.51.100.7
	check "$X/09b-external-istiod.ip-variant.iop.yaml" "s/192.0.2.20/198.51.100.7/g; s/cluster1/r1/g; s/network1/n9/; s/mesh1/m2/" -- mesh-render external-istiod --cluster r1 --network n9 --address 198.51.100.7 --mesh m2
	check "$R/01b-second-remote-cluster.ip-variant.iop.yaml" 's/192.0.2.20/198.51.100.7/; s/cluster2/r3/g; s/network2/n3/' -- mesh-render external-remote --cluster r3 --network n3 --address 198.51.100.7
	# another namespace: the remote's webhooks are named after it
	check "$X/09b-external-istiod.ip-variant.iop.yaml" "s/external-istiod/cp/g" -- mesh-render external-istiod --cluster cluster1 --network network1 --address "$IP" -n cp
	check "$X/11b-external-istiod-gw.ip-variant.yaml" "s/external-istiod\.svc/cp.svc/; s/namespace: external-istiod/namespace: cp/" -- mesh-gw external-istiod --host "$IP" -n cp
	# an IPv6 address is bracketed before a port, bare as remotePilotAddress
	check "$X/09b-external-istiod.ip-variant.iop.yaml" "s/192.0.2.20:15012/'[2001:db8::20]:15012'/" -- mesh-render external-istiod --cluster cluster1 --network network1 --address 2001:db8::20
	check "$X/04b-remote-config-cluster.ip-variant.iop.yaml" "s/192.0.2.20/'2001:db8::20'/" -- mesh-render external-config --cluster cluster1 --network network1 --address 2001:db8::20
}

@test "external-ip: a description at an IP address renders the page's IP-address variant" {
	mesh_file "$IP"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$X/09b-external-istiod.ip-variant.iop.yaml" <(echo ---) "$X/04b-remote-config-cluster.ip-variant.iop.yaml" <(echo ---) "$R/01b-second-remote-cluster.ip-variant.iop.yaml" > "$TMP/page.yaml"
	ip_eq "$TMP/out.yaml" "$TMP/page.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster external
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$X/01-controlplane-gateway.iop.yaml" <(echo ---) "$X/11b-external-istiod-gw.ip-variant.yaml" > "$TMP/page.yaml"
	ip_eq "$TMP/out.yaml" "$TMP/page.yaml"
	# no document of the whole mesh names a TLS secret or a DestinationRule
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml"
	[[ "$output" == *PASSTHROUGH* && "$output" != *credentialName* && "$output" != *DestinationRule* ]]
	# --istio-version beats the file's, both ways
	mesh_file "$IP" guide
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --istio-version 1.30
	printf '%s\n' "$output" > "$TMP/out.yaml"
	strip "$TMP/out.yaml"
	cat "$X/09b-external-istiod.ip-variant.iop.yaml" <(echo ---) "$X/04b-remote-config-cluster.ip-variant.iop.yaml" <(echo ---) "$R/01b-second-remote-cluster.ip-variant.iop.yaml" > "$TMP/page.yaml"
	ip_eq "$TMP/out.yaml" "$TMP/page.yaml"
}

@test "external-ip: no tls-secret step at an IP address, one with a host name" {
	mesh_file "$IP"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --steps
	[[ "$output" == *$'external-istiod-gw\texternal'* ]]
	[[ "$output" != *tls-secret* ]]
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --steps --cluster external
	[[ "$output" == *controlplane-gateway* && "$output" != *tls-secret* ]]
	mesh_file istiod.external.example.com
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --steps
	[[ "$output" == *$'04\ttls-secret\texternal\texternal\tmesh-secret\tplan\t-'* ]]
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster external
	[[ "$output" == *'credentialName: istiod-tls'* && "$output" == *DestinationRule* ]]
}

@test "external-ip: guide and releases before 1.22 refuse an IP address, as before" {
	local v
	for v in guide 1.21; do
		run --separate-stderr -2 mesh-render --istio-version "$v" external-config --cluster c --network n --address "$IP"
		[ -z "$output" ]
		[ "$stderr" = "mesh-render: --address: '$IP' is an IP address, not a host name
Try 'mesh-render external-config --help' for more information." ]
		run --separate-stderr -2 mesh-render --istio-version "$v" external-remote --cluster c --network n --address "$IP"
		[ "$stderr" = "mesh-render: --address: '$IP' is an IP address, not a host name
Try 'mesh-render external-remote --help' for more information." ]
		run --separate-stderr -2 mesh-gw --istio-version "$v" external-istiod --host "$IP" --credential-name istiod-tls
		[ -z "$output" ]
		[ "$stderr" = "mesh-gw: --host: '$IP' is an IP address, not a host name
Try 'mesh-gw external-istiod --help' for more information." ]
	done
	# 1.22 is the first release with the variant
	run --separate-stderr -0 mesh-render --istio-version 1.22 external-remote --cluster c --network n --address "$IP"
	[[ "$output" == *'remotePilotAddress: "192.0.2.20"'* && "$output" == *injectionPath* && "$output" != *injectionURL* ]]
	run --separate-stderr -2 mesh-render --istio-version guide external-istiod --cluster c --address "$IP"
	[ "$stderr" = "mesh-render: --address: '$IP' is an IP address, not a host name
Try 'mesh-render external-istiod --help' for more information." ]
	# a description: the file's release, or --istio-version's
	mesh_file "$IP" guide
	for p in "mesh-render -f $TMP/m.yaml" "mesh-render -f $TMP/m.yaml --steps" "mesh-gw -f $TMP/m.yaml"; do
		# shellcheck disable=SC2086
		run --separate-stderr -1 mesh $p
		[ -z "$output" ]
		[ "$stderr" = "${p%% *}: $TMP/m.yaml:10:14: spec.external.address: '$IP' is an IP address, not a host name" ]
	done
	mesh_file "$IP"
	for p in "mesh-render -f $TMP/m.yaml" "mesh-gw -f $TMP/m.yaml"; do
		# shellcheck disable=SC2086
		run --separate-stderr -1 mesh $p --istio-version guide
		[ -z "$output" ]
		[ "$stderr" = "${p%% *}: $TMP/m.yaml:9:14: spec.external.address: '$IP' is an IP address, not a host name" ]
	done
	# a host name at guide: the old guide's documents, untouched
	run --separate-stderr -0 mesh-render --istio-version guide external-istiod --cluster remote1 --address istiod.mesh.example.com
	[[ "$output" == *'XDS_ROOT_CA: /etc/ssl/certs/ca-certificates.crt'* && "$output" == *'value: ""'* ]]
	run --separate-stderr -0 mesh-gw --istio-version guide external-istiod --host istiod.mesh.example.com --credential-name istiod-tls
	[[ "$output" == *'credentialName: istiod-tls'* && "$output" == *DestinationRule* && "$output" != *PASSTHROUGH* ]]
}

@test "external-ip: mesh-gw external-istiod at an IP address takes no --credential-name; other gateways no IP --host" {
	run --separate-stderr -2 mesh-gw external-istiod --host "$IP" --credential-name istiod-tls
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: external-istiod --host $IP: at an IP address the gateway passes TLS through to istiod, which serves its own certificate: --credential-name has nothing to name
Try 'mesh-gw external-istiod --help' for more information." ]
	# a host name still needs one
	run --separate-stderr -2 mesh-gw external-istiod --host istiod.example.com
	[ -z "$output" ]
	[[ "$stderr" == *--credential-name* ]]
	run --separate-stderr -2 mesh-gw expose-istiod --tls simple --host "$IP" --credential-name c
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: --host: '$IP' is an IP address, not a host name"* ]]
}

@test "external-ip: at an IP address a tlsSecret in the description is refused at its place, and mesh-secret tls -f makes none" {
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: external\n  external: {context: ext, address: 192.0.2.7, tlsSecret: x}\n  clusters:\n  - {name: r1, network: n1}\n' >"$TMP/ip.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/ip.yaml"
	[ -z "$output" ]
	assert_equal "$stderr" "mesh-render: $TMP/ip.yaml:6:59: spec.external.tlsSecret: the external control plane is at an IP address, where its gateway passes TLS through to istiod: it takes no TLS Secret"
	sed 's/, tlsSecret: x//' "$TMP/ip.yaml" >"$TMP/ip2.yaml"
	run --separate-stderr -1 mesh-secret tls -f "$TMP/ip2.yaml" --ca-dir "$TMP/ca"
	[ -z "$output" ]
	assert_equal "$stderr" "mesh-secret: $TMP/ip2.yaml: the external control plane is at an IP address, where its gateway passes TLS through to istiod: it takes no TLS Secret"
	[ ! -e "$TMP/ca" ]
}
