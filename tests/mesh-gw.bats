#!/usr/bin/env bats
# mesh-gw: every row of the east-west script's conformance cases (its
# errors too), every sample and guide document it replaces, each
# subcommand's flags and errors, Service options, values that look like
# YAML, and every gateway of a mesh description in each model.

load helpers/common

EW="$SHARED/conformance/eastwest"
CASES="$EW/CASES.tsv"
SAMPLES="$SHARED/conformance/samples/multicluster"
G="$SHARED/conformance/guides"
F="$FIXTURES/mesh-gw"
SCRIPT=samples/multicluster/gen-eastwest-gateway.sh

setup() {
	TMP="$BATS_TEST_TMPDIR"
	export HOME="$TMP/home"
	mkdir -p "$HOME"
	# the script reads NETWORK from the environment, and so do we
	unset NETWORK CLUSTER
}

# run_row FILE STATUS: run the command line of CASES.tsv's row FILE, with
# mesh-gw in place of the script, and pin the exit status.
run_row() {
	local args env rest
	args=$(awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$CASES")
	[ -n "$args" ] || { echo "no row $1 in CASES.tsv"; false; }
	env=${args%%"$SCRIPT"*}
	rest=${args#*"$SCRIPT"}
	# the script never ends on some command lines: we must
	eval "$env run --separate-stderr -$2 timeout 10 \${MESH_TEST_WRAPPER:-} \"\$MESH_BUILD/mesh-gw\" eastwest $rest"
}

# The row's recorded exit code.
row_code() {
	awk -F'\t' -v f="$1" '$1 == f { print $3 }' "$CASES"
}

# The comment lines of a file, in order.
comments() {
	grep -E '^[[:space:]]*#' "$1" || true
}

# ok_row FILE: the row succeeds, and its output is the script's document
# as parsed YAML, byte for byte, comments and all.
ok_row() {
	[ "$(row_code "$1")" = 0 ]
	run_row "$1" 0
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$EW/$1"
	[ "$(comments "$TMP/out.yaml")" = "$(comments "$EW/$1")" ]
	cmp "$TMP/out.yaml" "$EW/$1"
}

# bad_row CASE STATUS MESSAGE: the script fails on the row, and so do we,
# with nothing on stdout and MESSAGE then the hint on stderr.
bad_row() {
	local code
	code=$(row_code "errors.txt#$1")
	[ "$code" != 0 ]
	grep -q "^== case: $1\$" "$EW/errors.txt"
	run_row "errors.txt#$1" "$2"
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: $3
Try 'mesh-gw eastwest --help' for more information." ]
}

# same FILE: the last run's stdout, as parsed YAML, equals FILE.
same() {
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$TMP/out.yaml" "$1"
}

# py EXPR: a Python expression over the last run's documents, as `d`.
py() {
	printf '%s\n' "$output" | "$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(sys.stdin)); print(json.dumps($1, sort_keys=True))"
}

# --- every row of CASES.tsv that succeeds --------------------------------

@test "mesh-gw: CASES.tsv row network1.yaml" { ok_row network1.yaml; }
@test "mesh-gw: CASES.tsv row network2.yaml" { ok_row network2.yaml; }
@test "mesh-gw: CASES.tsv row network1-rev-canary.yaml" { ok_row network1-rev-canary.yaml; }
@test "mesh-gw: CASES.tsv row network2-rev-canary.yaml" { ok_row network2-rev-canary.yaml; }
@test "mesh-gw: CASES.tsv row network2-rev-canary-reordered.yaml" { ok_row network2-rev-canary-reordered.yaml; }
@test "mesh-gw: CASES.tsv row single-cluster.yaml" { ok_row single-cluster.yaml; }
@test "mesh-gw: CASES.tsv row single-cluster-rev-canary.yaml" { ok_row single-cluster-rev-canary.yaml; }
@test "mesh-gw: CASES.tsv row ambient-network1.yaml" { ok_row ambient-network1.yaml; }
@test "mesh-gw: CASES.tsv row ambient-network2-rev-canary.yaml" { ok_row ambient-network2-rev-canary.yaml; }
@test "mesh-gw: CASES.tsv row legacy-mesh1-c1-network1.yaml (--mesh and --cluster ignored)" { ok_row legacy-mesh1-c1-network1.yaml; }
@test "mesh-gw: CASES.tsv row external-eastwest-gateway-1.yaml" { ok_row external-eastwest-gateway-1.yaml; }
@test "mesh-gw: CASES.tsv row external-eastwest-gateway-2.yaml" { ok_row external-eastwest-gateway-2.yaml; }
@test "mesh-gw: CASES.tsv row env-CLUSTER1-NETWORK1.yaml (NETWORK from the environment)" { ok_row env-CLUSTER1-NETWORK1.yaml; }
@test "mesh-gw: CASES.tsv row env-CLUSTER2-NETWORK2.yaml (NETWORK from the environment)" { ok_row env-CLUSTER2-NETWORK2.yaml; }
@test "mesh-gw: CASES.tsv row ambient-single-cluster-network1.yaml" { ok_row ambient-single-cluster-network1.yaml; }

@test "mesh-gw: CASES.tsv row single-cluster-network1.yaml: --single-cluster wins, and we say so" {
	[ "$(row_code single-cluster-network1.yaml)" = 0 ]
	run_row single-cluster-network1.yaml 0
	[ "$stderr" = "mesh-gw: warning: --single-cluster: the network 'network1' is not used, as by gen-eastwest-gateway.sh" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	cmp "$TMP/out.yaml" "$EW/single-cluster-network1.yaml"
	# from the environment, nothing to say
	NETWORK=network1 run --separate-stderr -0 mesh-gw eastwest --single-cluster
	[ -z "$stderr" ]
	same "$EW/single-cluster.yaml"
}

@test "mesh-gw: CASES.tsv row network-numeric-1234.yaml: the network stays a string, comments kept" {
	[ "$(row_code network-numeric-1234.yaml)" = 0 ]
	run_row network-numeric-1234.yaml 0
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	# the script writes 1234 unquoted, an integer where Istio and
	# Kubernetes need a string; otherwise the same document
	"$PYTHON" - "$TMP/out.yaml" "$EW/network-numeric-1234.yaml" <<'PY'
import sys, yaml
got = yaml.safe_load(open(sys.argv[1]))
want = yaml.safe_load(open(sys.argv[2]))
gw = want["spec"]["components"]["ingressGateways"][0]
assert gw["label"]["topology.istio.io/network"] == 1234
gw["label"]["topology.istio.io/network"] = "1234"
gw["k8s"]["env"][0]["value"] = "1234"
want["spec"]["values"]["global"]["network"] = "1234"
assert got == want, (got, want)
PY
	[ "$(comments "$TMP/out.yaml")" = "$(comments "$EW/network-numeric-1234.yaml")" ]
	diff <(sed 's/"1234"/1234/' "$TMP/out.yaml") "$EW/network-numeric-1234.yaml"
}

# --- every error row -------------------------------------------------------

@test "mesh-gw: errors.txt no-flags: a network is needed" {
	bad_row no-flags 2 "eastwest needs --network net (or NETWORK in the environment), or --single-cluster"
}

@test "mesh-gw: errors.txt unsupported-flag" {
	bad_row unsupported-flag 2 "unknown option '--foo'"
}

@test "mesh-gw: errors.txt network-missing-value" {
	bad_row network-missing-value 2 "option '--network' needs a value"
}

@test "mesh-gw: errors.txt network-empty" {
	bad_row network-empty 2 "eastwest needs --network net (or NETWORK in the environment), or --single-cluster: --network is empty"
	# an empty --network wins over the environment, as in the script
	NETWORK=n1 run --separate-stderr -2 mesh-gw eastwest --network ''
	[ -z "$output" ]
}

@test "mesh-gw: errors.txt revision-missing-value" {
	bad_row revision-missing-value 2 "option '--revision' needs a value"
}

@test "mesh-gw: errors.txt cluster-missing-value (and --mesh)" {
	bad_row cluster-missing-value 2 "option '--cluster' needs a value"
	run --separate-stderr -2 mesh-gw eastwest --network network1 --mesh
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: option '--mesh' needs a value"* ]]
}

@test "mesh-gw: errors.txt ambient-without-network" {
	bad_row ambient-without-network 2 "eastwest --ambient needs --network net (or NETWORK in the environment)"
}

@test "mesh-gw: errors.txt ambient-single-cluster" {
	bad_row ambient-single-cluster 2 "eastwest --ambient needs --network net (or NETWORK in the environment)"
	# with NETWORK in the environment the script goes on, and so do we
	NETWORK=network1 run --separate-stderr -0 mesh-gw eastwest --ambient --single-cluster
	same "$EW/ambient-network1.yaml"
}

@test "mesh-gw: errors.txt env-CLUSTER-only" {
	bad_row env-CLUSTER-only 2 "eastwest needs --network net (or NETWORK in the environment), or --single-cluster"
}

@test "mesh-gw: errors.txt ambient-single-cluster-empty-network" {
	bad_row ambient-single-cluster-empty-network 2 "eastwest --ambient needs --network net (or NETWORK in the environment): --network is empty"
}

@test "mesh-gw: errors.txt positional-argument-hangs: refused at once, with the flag meant" {
	[ "$(row_code errors.txt#positional-argument-hangs)" = 124 ]
	bad_row positional-argument-hangs 2 "eastwest: unexpected argument 'network1' (did you mean --network network1?)"
}

@test "mesh-gw: every row of CASES.tsv has a test here" {
	local f
	while IFS=$'\t' read -r f _; do
		[ "$f" = file ] && continue
		f=${f#errors.txt#}
		grep -q -- "row $f\|bad_row $f " "$BATS_TEST_FILENAME" || { echo "no test for $f"; false; }
	done < "$CASES"
}

# --- the samples -------------------------------------------------------------

@test "mesh-gw: expose-services is the sample, byte for byte" {
	run --separate-stderr -0 mesh-gw expose-services
	[ -z "$stderr" ]
	same "$SAMPLES/expose-services.yaml"
	printf '%s\n' "$output" | cmp - "$SAMPLES/expose-services.yaml"
}

@test "mesh-gw: expose-istiod is the sample" {
	run --separate-stderr -0 mesh-gw expose-istiod
	same "$SAMPLES/expose-istiod.yaml"
	# the sample's text, without its trailing spaces and last empty line
	diff <(printf '%s\n' "$output") <(sed 's/ *$//' "$SAMPLES/expose-istiod.yaml" | sed '${/^$/d}')
	run --separate-stderr -0 mesh-gw expose-istiod --revision default
	same "$SAMPLES/expose-istiod.yaml"
}

@test "mesh-gw: expose-istiod --revision is the rendered revision template" {
	run --separate-stderr -0 mesh-gw expose-istiod --revision canary
	same "$SAMPLES/expose-istiod-rev-canary.yaml"
	run --separate-stderr -0 mesh-gw expose-istiod --revision 1-24-0
	sed 's/{{.Revision}}/1-24-0/g' "$SAMPLES/expose-istiod-rev.yaml.tmpl" > "$TMP/want.yaml"
	same "$TMP/want.yaml"
}

@test "mesh-gw: expose-istiod --tls simple is the https sample with its placeholders filled" {
	run --separate-stderr -0 mesh-gw expose-istiod --tls simple --host 'ISTIOD-HOST.DOMAIN' --credential-name '$CREDENTIAL_NAME'
	same "$SAMPLES/expose-istiod-https.yaml"
	run --separate-stderr -0 mesh-gw expose-istiod --tls simple --host istiod.example.com --credential-name istiod-cert
	sed -e 's/ISTIOD-HOST.DOMAIN/istiod.example.com/' -e 's/\$CREDENTIAL_NAME/istiod-cert/' "$SAMPLES/expose-istiod-https.yaml" > "$TMP/want.yaml"
	same "$TMP/want.yaml"
}

@test "mesh-gw: expose-istiod --tls simple --revision routes to the revision's istiod" {
	run --separate-stderr -0 mesh-gw expose-istiod --tls simple --host h.example.com --credential-name c --revision canary
	[ "$(py '[x["metadata"]["name"] for x in d]')" = '["istiod-gateway", "istiod-vs-canary", "istiod-dr-canary"]' ]
	[ "$(py '[d[1]["spec"]["http"][0]["route"][0]["destination"]["host"], d[2]["spec"]["host"]]')" = '["istiod-canary.istio-system.svc.cluster.local", "istiod-canary.istio-system.svc.cluster.local"]' ]
}

@test "mesh-gw: --istio-namespace puts the expose documents and istiod there" {
	run --separate-stderr -0 mesh-gw expose-services --istio-namespace external-istiod
	[ "$(py '[x["metadata"] for x in d]')" = '[{"name": "cross-network-gateway", "namespace": "external-istiod"}]' ]
	run --separate-stderr -0 mesh-gw expose-istiod --istio-namespace istio-canary --revision canary
	[ "$(py '[x["metadata"]["namespace"] for x in d] + d[1]["spec"]["tls"][0]["match"][0]["sniHosts"] + [d[1]["spec"]["tls"][1]["route"][0]["destination"]["host"]]')" = '["istio-canary", "istio-canary", "istiod-canary.istio-canary.svc", "istiod-canary.istio-canary.svc.cluster.local", "istiod-canary.istio-canary.svc.cluster.local"]' ]
}

# --- the external control plane guide ------------------------------------

@test "mesh-gw: controlplane is the guide's controlplane-gateway.yaml, byte for byte" {
	run --separate-stderr -0 mesh-gw controlplane
	same "$G/external/controlplane-gateway.yaml"
	printf '%s\n' "$output" | cmp - "$G/external/controlplane-gateway.yaml"
}

@test "mesh-gw: external-istiod is the guide's external-istiod-gw.yaml, byte for byte" {
	run --separate-stderr -0 mesh-gw --istio-version guide external-istiod --host istiod.mesh.example.com --credential-name istiod-tls
	[ -z "$stderr" ]
	same "$G/external/external-istiod-gw.yaml"
	printf '%s\n' "$output" | cmp - "$G/external/external-istiod-gw.yaml"
}

@test "mesh-gw: external-istiod --namespace moves all three documents and the route" {
	run --separate-stderr -0 mesh-gw external-istiod --host cp.example.org --credential-name cp-tls --namespace cp
	[ "$(py '[x["metadata"]["namespace"] for x in d] + [d[0]["spec"]["servers"][1]["tls"]["credentialName"], d[1]["spec"]["hosts"], d[1]["spec"]["http"][1]["route"][0]["destination"]["host"], d[2]["spec"]["host"]]')" = '["cp", "cp", "cp", "cp-tls", ["cp.example.org"], "istiod.cp.svc.cluster.local", "istiod.cp.svc.cluster.local"]' ]
}

@test "mesh-gw: ingress and egress are the guide's remote gateways" {
	run --separate-stderr -0 mesh-gw --istio-version guide ingress
	same "$G/external/istio-ingressgateway.yaml"
	printf '%s\n' "$output" | cmp - "$G/external/istio-ingressgateway.yaml"
	run --separate-stderr -0 mesh-gw --istio-version guide egress
	same "$G/external/istio-egressgateway.yaml"
	printf '%s\n' "$output" | cmp - "$G/external/istio-egressgateway.yaml"
}

@test "mesh-gw: ingress and egress take --namespace and --injection-template" {
	run --separate-stderr -0 mesh-gw ingress --namespace apps --injection-template custom
	[ "$(py '[d[0]["spec"]["components"]["ingressGateways"][0]["namespace"], d[0]["spec"]["values"]["gateways"]["istio-ingressgateway"]["injectionTemplate"]]')" = '["apps", "custom"]' ]
	run --separate-stderr -0 mesh-gw egress --namespace apps --injection-template '~'
	[ "$(py '[d[0]["spec"]["components"]["egressGateways"][0]["namespace"], d[0]["spec"]["values"]["gateways"]["istio-egressgateway"]["injectionTemplate"]]')" = '["apps", "~"]' ]
}

# --- east-west options beyond the script --------------------------------

@test "mesh-gw: eastwest --istio-namespace is the external guide's --set values.global.istioNamespace" {
	run --separate-stderr -0 mesh-gw eastwest --mesh mesh1 --cluster remote1 --network network1 --istio-namespace external-istiod
	"$PYTHON" - <(printf '%s\n' "$output") "$EW/external-eastwest-gateway-1.yaml" <<'PY'
import sys, yaml
got = yaml.safe_load(open(sys.argv[1]))
want = yaml.safe_load(open(sys.argv[2]))
want["spec"]["values"]["global"]["istioNamespace"] = "external-istiod"
assert got == want, (got, want)
PY
	run --separate-stderr -0 mesh-gw eastwest --single-cluster --istio-namespace external-istiod
	[ "$(py 'd[0]["spec"]["values"]')" = '{"gateways": {"istio-ingressgateway": {"injectionTemplate": "gateway"}}, "global": {"istioNamespace": "external-istiod"}}' ]
	run --separate-stderr -0 mesh-gw eastwest --ambient --network network1 --istio-namespace external-istiod
	[ "$(py 'd[0]["metadata"]["namespace"]')" = '"external-istiod"' ]
}

@test "mesh-gw: --service-type, --external-ip and --load-balancer-ip go into the gateway's Service" {
	run --separate-stderr -0 mesh-gw eastwest --network network1 --service-type LoadBalancer \
	    --external-ip 192.0.2.1 --external-ip 2001:db8::1 --load-balancer-ip 203.0.113.10
	[ -z "$stderr" ]
	[ "$(py '{k: v for k, v in d[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"].items() if k != "ports"}')" = '{"externalIPs": ["192.0.2.1", "2001:db8::1"], "loadBalancerIP": "203.0.113.10", "type": "LoadBalancer"}' ]
	[ "$(py 'len(d[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]["ports"])')" = 4 ]
	run --separate-stderr -0 mesh-gw controlplane --service-type NodePort --external-ip 192.0.2.7
	[ "$(py '{k: v for k, v in d[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"].items() if k != "ports"}')" = '{"externalIPs": ["192.0.2.7"], "type": "NodePort"}' ]
	run --separate-stderr -0 mesh-gw ingress --load-balancer-ip 198.51.100.4
	[ "$(py 'd[0]["spec"]["components"]["ingressGateways"][0]["k8s"]')" = '{"service": {"loadBalancerIP": "198.51.100.4"}}' ]
	run --separate-stderr -0 mesh-gw eastwest --single-cluster --service-type NodePort
	[ "$(py 'd[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]["type"]')" = '"NodePort"' ]
}

@test "mesh-gw: the ambient Gateway takes the Service type as an annotation and the IP as its address" {
	run --separate-stderr -0 mesh-gw eastwest --ambient --network network1 --service-type NodePort
	[ "$(py 'd[0]["metadata"]["annotations"]')" = '{"networking.istio.io/service-type": "NodePort"}' ]
	run --separate-stderr -0 mesh-gw eastwest --ambient --network network1 --load-balancer-ip 203.0.113.10
	[ "$(py 'd[0]["spec"]["addresses"]')" = '[{"type": "IPAddress", "value": "203.0.113.10"}]' ]
	run --separate-stderr -2 mesh-gw eastwest --ambient --network network1 --external-ip 203.0.113.10
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: eastwest --ambient does not take --external-ip: "* ]]
}

@test "mesh-gw: a DNS name where Istio needs an IP is kept, with a warning" {
	run --separate-stderr -0 mesh-gw eastwest --network network1 --load-balancer-ip gw.example.com
	[ "$stderr" = "mesh-gw: warning: --load-balancer-ip 'gw.example.com' is a DNS name, but Kubernetes and Istio need an IP address there: resolve it first (getent hosts gw.example.com)" ]
	[ "$(py 'd[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]["loadBalancerIP"]')" = '"gw.example.com"' ]
	run --separate-stderr -0 mesh-gw controlplane --external-ip a1b2.elb.amazonaws.com
	[ "$stderr" = "mesh-gw: warning: --external-ip 'a1b2.elb.amazonaws.com' is a DNS name, but Kubernetes and Istio need an IP address there: resolve it first (getent hosts a1b2.elb.amazonaws.com)" ]
	run --separate-stderr -2 mesh-gw controlplane --external-ip 'a: b'
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: invalid value for '--external-ip': 'a: b' (give an IP address)"* ]]
	run --separate-stderr -2 mesh-gw controlplane --load-balancer-ip 300.1.2.3
	[[ "$stderr" == "mesh-gw: invalid value for '--load-balancer-ip': '300.1.2.3' (give an IP address)"* ]]
}

# --- values that look like YAML ---------------------------------------------

@test "mesh-gw: a network that reads as another type stays one string, comments kept" {
	local net
	for net in on 0777 'a: b' 1e3 true '~' 'null' '- x' '#x' 'x"y\z' $'two\nlines'; do
		run --separate-stderr -0 mesh-gw eastwest --network "$net"
		[ "$(py '[d[0]["spec"]["components"]["ingressGateways"][0]["label"]["topology.istio.io/network"], d[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["env"][0]["value"], d[0]["spec"]["values"]["global"]["network"]]')" = "$(NET="$net" "$PYTHON" -c 'import json, os; print(json.dumps([os.environ["NET"]] * 3))')" ]
		[ "$(printf '%s\n' "$output" | grep -c '# traffic through this gateway should be routed inside the network')" = 1 ]
		run --separate-stderr -0 mesh-gw eastwest --ambient --network "$net"
		[ "$(py 'd[0]["metadata"]["labels"]["topology.istio.io/network"]')" = "$(NET="$net" "$PYTHON" -c 'import json, os; print(json.dumps(os.environ["NET"]))')" ]
	done
	NETWORK=off run --separate-stderr -0 mesh-gw eastwest
	[ "$(py 'd[0]["spec"]["values"]["global"]["network"]')" = '"off"' ]
}

@test "mesh-gw: other values that look like YAML stay strings" {
	run --separate-stderr -0 mesh-gw eastwest --network n --revision on --istio-namespace 0777
	[ "$(py '[d[0]["spec"]["revision"], d[0]["spec"]["values"]["global"]["istioNamespace"]]')" = '["on", "0777"]' ]
	run --separate-stderr -0 mesh-gw expose-istiod --revision yes --istio-namespace 'null'
	[ "$(py '[d[1]["metadata"]["name"], d[1]["metadata"]["namespace"], d[1]["spec"]["tls"][0]["route"][0]["destination"]["host"]]')" = '["istiod-vs-yes", "null", "istiod-yes.null.svc.cluster.local"]' ]
	run --separate-stderr -0 mesh-gw external-istiod --host 'on' --credential-name 'a: b' --namespace on
	[ "$(py '[d[0]["spec"]["servers"][0]["hosts"], d[0]["spec"]["servers"][0]["tls"]["credentialName"], d[1]["metadata"]["namespace"]]')" = '[["on"], "a: b", "on"]' ]
	run --separate-stderr -0 mesh-gw expose-istiod --tls simple --host 'true' --credential-name '0x1F'
	[ "$(py '[d[0]["spec"]["servers"][1]["hosts"], d[0]["spec"]["servers"][1]["tls"]["credentialName"], d[1]["spec"]["hosts"]]')" = '[["true"], "0x1F", ["true"]]' ]
}

# --- output -------------------------------------------------------------------

@test "mesh-gw: -o json writes one object, or a v1 List" {
	run --separate-stderr -0 mesh-gw eastwest --network network1 -o json
	[ "$(printf '%s\n' "$output" | jq -c '[.kind, .spec.revision, .spec.values.global]')" = '["IstioOperator","",{"network":"network1"}]' ]
	run --separate-stderr -0 mesh-gw external-istiod --host h.example --credential-name s -o json
	[ "$(printf '%s\n' "$output" | jq -c '[.kind, [.items[].kind]]')" = '["List",["Gateway","VirtualService","DestinationRule"]]' ]
}

# --- usage ----------------------------------------------------------------------

@test "mesh-gw: subcommands and their flags are checked" {
	run --separate-stderr -2 mesh-gw
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: name a subcommand (eastwest, expose-services, expose-istiod, controlplane, external-istiod, ingress, egress) or give -f mesh.yaml"* ]]
	run --separate-stderr -2 mesh-gw westeast
	[[ "$stderr" == "mesh-gw: unknown subcommand 'westeast'"* ]]
	run --separate-stderr -2 mesh-gw expose-services extra
	[[ "$stderr" == "mesh-gw: expose-services: unexpected argument 'extra'"* ]]
	run --separate-stderr -2 mesh-gw expose-services --network n
	[[ "$stderr" == "mesh-gw: expose-services does not take --network"* ]]
	run --separate-stderr -2 mesh-gw controlplane --revision canary
	[[ "$stderr" == "mesh-gw: controlplane does not take --revision"* ]]
	run --separate-stderr -2 mesh-gw egress --service-type NodePort
	[[ "$stderr" == "mesh-gw: egress does not take --service-type: the egress gateway's Service is a ClusterIP"* ]]
	run --separate-stderr -2 mesh-gw expose-istiod --host h
	[[ "$stderr" == "mesh-gw: expose-istiod: --host needs --tls simple"* ]]
	run --separate-stderr -2 mesh-gw expose-istiod --tls simple --host h
	[[ "$stderr" == "mesh-gw: expose-istiod needs --credential-name"* ]]
	run --separate-stderr -2 mesh-gw expose-istiod --tls mutual
	[[ "$stderr" == "mesh-gw: invalid value for '--tls': 'mutual' (use simple; "* ]]
	run --separate-stderr -2 mesh-gw external-istiod --credential-name s
	[[ "$stderr" == "mesh-gw: external-istiod needs --host"* ]]
	run --separate-stderr -2 mesh-gw external-istiod --host h
	[[ "$stderr" == "mesh-gw: external-istiod needs --credential-name"* ]]
	run --separate-stderr -2 mesh-gw eastwest --network n --service-type ClusterIP
	[[ "$stderr" == "mesh-gw: invalid value for '--service-type': 'ClusterIP' (use LoadBalancer or NodePort)"* ]]
	run --separate-stderr -2 mesh-gw eastwest --network n --service-type NodePort --load-balancer-ip 192.0.2.1
	[[ "$stderr" == "mesh-gw: --load-balancer-ip needs --service-type LoadBalancer, not 'NodePort'"* ]]
	run --separate-stderr -2 mesh-gw eastwest --network n --revision Canary_1
	[[ "$stderr" == "mesh-gw: invalid value for '--revision': 'Canary_1' (a revision is a DNS-1123 label)"* ]]
	run --separate-stderr -2 mesh-gw ingress --namespace 'a: b'
	[[ "$stderr" == "mesh-gw: invalid value for '--namespace': 'a: b' (a namespace is a DNS-1123 label)"* ]]
	run --separate-stderr -2 mesh-gw eastwest --network n -o xml
	[[ "$stderr" == "mesh-gw: invalid value for '-o': 'xml' (use yaml, json, values or helm-install)"* ]]
	[ -z "$output" ]
}

# --- a whole mesh ---------------------------------------------------------------

# strip FILE: the documents of FILE without our annotations and namespaces,
# as JSON lines "cluster kind name".
kinds() {
	py '[[x["metadata"]["annotations"]["meshline.io/cluster"], x["metadata"]["annotations"]["meshline.io/context"], x["kind"], x["metadata"].get("name")] for x in d]'
}

# mesh_eq INDEX FILE [NAMESPACE]: document INDEX of the last run, less our
# annotations (and the namespace NAMESPACE that we add), equals FILE's
# only document, or FILE's document INDEX2 given as FILE#INDEX2.
mesh_eq() {
	printf '%s\n' "$output" > "$TMP/all.yaml"
	"$PYTHON" - "$TMP/all.yaml" "$1" "$2" "${3:-}" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
got = docs[int(sys.argv[2])]
path, _, idx = sys.argv[3].partition("#")
want = list(yaml.safe_load_all(open(path)))[int(idx or 0)]
del got["metadata"]["annotations"]
# a document the mesh description names after its cluster
if "name" not in want.get("metadata", {}):
    got["metadata"].pop("name", None)
if sys.argv[4]:
    assert got["metadata"].pop("namespace") == sys.argv[4]
if got["metadata"] == {}:
    del got["metadata"]
assert got == want, (got, want)
PY
}

@test "mesh-gw: -f multi-primary, one network: no gateway is needed, an error that says so" {
	run --separate-stderr -1 mesh-gw -f "$F/multi-primary.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: mesh 'mesh1' needs no gateway: its clusters share one network and no primary has remotes" ]
	run --separate-stderr -1 mesh-gw -f "$ROOT/examples/mesh/multi-primary.yaml" --cluster cluster1
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: cluster 'cluster1' needs no gateway: mesh 'mesh1' is multi-primary on one network" ]
}

@test "mesh-gw: -f multi-primary, two networks: east-west gateway and exposed services on each cluster" {
	run --separate-stderr -0 mesh-gw -f "$F/multi-primary-multi-network.yaml"
	[ -z "$stderr" ]
	[ "$(kinds)" = '[["cluster1", "ctx1", "IstioOperator", "eastwest"], ["cluster1", "ctx1", "Gateway", "cross-network-gateway"], ["cluster2", "ctx2", "IstioOperator", "eastwest"], ["cluster2", "ctx2", "Gateway", "cross-network-gateway"]]' ]
	mesh_eq 0 "$EW/env-CLUSTER1-NETWORK1.yaml"
	mesh_eq 1 "$SAMPLES/expose-services.yaml" istio-system
	mesh_eq 2 "$EW/env-CLUSTER2-NETWORK2.yaml"
	mesh_eq 3 "$SAMPLES/expose-services.yaml" istio-system
}

@test "mesh-gw: -f primary-remote, one network: the primary's gateway exposes istiod" {
	run --separate-stderr -0 mesh-gw -f "$F/primary-remote.yaml"
	[ -z "$stderr" ]
	[ "$(kinds)" = '[["cluster1", "ctx1", "IstioOperator", "eastwest"], ["cluster1", "ctx1", "Gateway", "istiod-gateway"], ["cluster1", "ctx1", "VirtualService", "istiod-vs"]]' ]
	mesh_eq 0 "$EW/env-CLUSTER1-NETWORK1.yaml"
	mesh_eq 1 "$SAMPLES/expose-istiod.yaml#0" istio-system
	mesh_eq 2 "$SAMPLES/expose-istiod.yaml#1" istio-system
	run --separate-stderr -1 mesh-gw -f "$F/primary-remote.yaml" --cluster cluster2
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: cluster 'cluster2' needs no gateway: mesh 'mesh1' has one network, and a remote reaches its primary's istiod through the gateway of 'cluster1'" ]
}

@test "mesh-gw: -f primary-remote, two networks: istiod and services exposed on the primary, services on the remote" {
	run --separate-stderr -0 mesh-gw -f "$F/primary-remote-multi-network.yaml"
	[ -z "$stderr" ]
	[ "$(kinds)" = '[["cluster1", "ctx1", "IstioOperator", "eastwest"], ["cluster1", "ctx1", "Gateway", "istiod-gateway"], ["cluster1", "ctx1", "VirtualService", "istiod-vs"], ["cluster1", "ctx1", "Gateway", "cross-network-gateway"], ["cluster2", "ctx2", "IstioOperator", "eastwest"], ["cluster2", "ctx2", "Gateway", "cross-network-gateway"]]' ]
	mesh_eq 0 "$EW/env-CLUSTER1-NETWORK1.yaml"
	mesh_eq 1 "$SAMPLES/expose-istiod.yaml#0" istio-system
	mesh_eq 2 "$SAMPLES/expose-istiod.yaml#1" istio-system
	mesh_eq 3 "$SAMPLES/expose-services.yaml" istio-system
	mesh_eq 4 "$EW/env-CLUSTER2-NETWORK2.yaml"
	mesh_eq 5 "$SAMPLES/expose-services.yaml" istio-system
	# the remote's gateway needs no discovery address yet
	sed '/discoveryAddress/d' "$F/primary-remote-multi-network.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster cluster2
	[ "$(kinds)" = '[["cluster2", "ctx2", "IstioOperator", "eastwest"], ["cluster2", "ctx2", "Gateway", "cross-network-gateway"]]' ]
}

@test "mesh-gw: -f external: the control plane's gateway and routes, each remote's east-west gateway, the services exposed in the config cluster" {
	run --separate-stderr -0 mesh-gw --istio-version guide -f "$F/external.yaml"
	[ -z "$stderr" ]
	[ "$(kinds)" = '[["external", "ext", "IstioOperator", "external"], ["external", "ext", "Gateway", "external-istiod-gw"], ["external", "ext", "VirtualService", "external-istiod-vs"], ["external", "ext", "DestinationRule", "external-istiod-dr"], ["remote1", "ctx-remote1", "IstioOperator", "eastwest"], ["remote1", "ctx-remote1", "Gateway", "cross-network-gateway"], ["remote2", "ctx-remote2", "IstioOperator", "eastwest"]]' ]
	mesh_eq 0 "$G/external/controlplane-gateway.yaml"
	mesh_eq 1 "$G/external/external-istiod-gw.yaml#0"
	mesh_eq 2 "$G/external/external-istiod-gw.yaml#1"
	mesh_eq 3 "$G/external/external-istiod-gw.yaml#2"
	mesh_eq 5 "$SAMPLES/expose-services.yaml" external-istiod
	# the guide's eastwest-gateway-N.yaml with its --set istioNamespace
	"$PYTHON" - "$TMP/all.yaml" "$EW" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
for i, n in ((4, 1), (6, 2)):
    got = docs[i]
    del got["metadata"]["annotations"]
    want = yaml.safe_load(open("%s/external-eastwest-gateway-%d.yaml" % (sys.argv[2], n)))
    want["spec"]["values"]["global"]["istioNamespace"] = "external-istiod"
    assert got == want, (got, want)
PY
	run --separate-stderr -0 mesh-gw --istio-version guide -f "$F/external.yaml" --cluster external
	[ "$(kinds)" = '[["external", "ext", "IstioOperator", "external"], ["external", "ext", "Gateway", "external-istiod-gw"], ["external", "ext", "VirtualService", "external-istiod-vs"], ["external", "ext", "DestinationRule", "external-istiod-dr"]]' ]
}

@test "mesh-gw: -f external on one network: no east-west gateways" {
	sed 's/network: network2/network: network1/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml"
	[ "$(py '[x["kind"] for x in d]')" = '["IstioOperator", "Gateway", "VirtualService", "DestinationRule"]' ]
}

@test "mesh-gw: -f with a revision: revisioned east-west gateways and istiod exposure" {
	sed 's/^  model: primary-remote/  model: primary-remote\n  revision: canary/' "$F/primary-remote.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" -o json
	[ "$(printf '%s\n' "$output" | jq -c '[.items[0].spec.revision, .items[2].metadata.name, .items[2].spec.tls[0].route[0].destination.host]')" = '["canary","istiod-vs-canary","istiod-canary.istio-system.svc.cluster.local"]' ]
}

@test "mesh-gw: -f with Service options: every gateway's type, one cluster's addresses" {
	run --separate-stderr -0 mesh-gw -f "$F/external.yaml" --service-type NodePort
	[ "$(py '[x["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]["type"] for x in d if x["kind"] == "IstioOperator"]')" = '["NodePort", "NodePort", "NodePort"]' ]
	run --separate-stderr -0 mesh-gw -f "$F/external.yaml" --cluster remote2 --load-balancer-ip 203.0.113.20 --external-ip 198.51.100.20
	[ "$(py '{k: v for k, v in d[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"].items() if k != "ports"}')" = '{"externalIPs": ["198.51.100.20"], "loadBalancerIP": "203.0.113.20"}' ]
	run --separate-stderr -2 mesh-gw -f "$F/external.yaml" --load-balancer-ip 203.0.113.20
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: -f: --external-ip and --load-balancer-ip give one gateway its addresses: name its cluster with --cluster"* ]]
	run --separate-stderr -1 mesh-gw -f "$F/primary-remote.yaml" --cluster cluster2 --load-balancer-ip 203.0.113.20
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: --cluster 'cluster2' has no gateway with a LoadBalancer Service in $F/primary-remote.yaml: --external-ip and --load-balancer-ip have nothing to change" ]
}

@test "mesh-gw: -f errors: an unknown cluster, a bad description, subcommand flags" {
	run --separate-stderr -1 mesh-gw -f "$F/external.yaml" --cluster nowhere
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: --cluster 'nowhere': $F/external.yaml has no such cluster (it has external, remote1, remote2)" ]
	sed '/network: network2/d' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-gw -f "$TMP/m.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: $TMP/m.yaml:18:5: spec.clusters[1]: set 'network' (the network this cluster's pods are on)" ]
	run --separate-stderr -2 mesh-gw -f "$F/external.yaml" eastwest
	[[ "$stderr" == "mesh-gw: -f renders a whole mesh: 'eastwest' is not wanted"* ]]
	run --separate-stderr -2 mesh-gw -f "$F/external.yaml" --network n
	[[ "$stderr" == "mesh-gw: -f does not take --network"* ]]
	run --separate-stderr -1 mesh-gw -f "$TMP/missing.yaml"
	[[ "$stderr" == "mesh-gw: cannot open '$TMP/missing.yaml': No such file or directory" ]]
}

@test "mesh-gw: -f - reads the description from stdin" {
	run --separate-stderr -0 mesh-gw -f - < "$F/multi-primary-multi-network.yaml"
	[ "$(py 'len(d)')" = 4 ]
}

# --- never a wrong document ------------------------------------------------------

@test "mesh-gw: -f: a cluster that needs no gateway is an error that says why" {
	{ cat "$F/primary-remote.yaml"; echo '    primary: cluster1'; echo '  - {name: cluster3, network: NETWORK1, role: primary}'; } > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-gw -f "$TMP/m.yaml" --cluster cluster3
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: cluster 'cluster3' needs no gateway: mesh 'mesh1' has one network and no remote uses 'cluster3' as its primary" ]
	sed 's/network: network2/network: network1/' "$F/external.yaml" > "$TMP/x.yaml"
	run --separate-stderr -1 mesh-gw -f "$TMP/x.yaml" --cluster remote2
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: cluster 'remote2' needs no gateway: mesh 'mesh1' has one network, and its clusters reach the external control plane through the gateway of 'external'" ]
	# the clusters that need one still print it
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --cluster cluster1
	[ "$(kinds)" = '[["cluster1", "ctx1", "IstioOperator", "eastwest"], ["cluster1", "ctx1", "Gateway", "istiod-gateway"], ["cluster1", "ctx1", "VirtualService", "istiod-vs"]]' ]
}

@test "mesh-gw: --host is a host name, by the one address check of mesh-render" {
	local h
	for h in https://istiod.example.com istiod.example.com:15012 istiod.example.com/x 'a b' a..b '*.example.com' 192.0.2.1; do
		run --separate-stderr -2 mesh-gw --istio-version guide external-istiod --host "$h" --credential-name c
		[ -z "$output" ]
		[[ "$stderr" == "mesh-gw: --host: '$h' "* ]]
		run --separate-stderr -2 mesh-gw --istio-version guide expose-istiod --tls simple --host "$h" --credential-name c
		[ -z "$output" ]
		[[ "$stderr" == "mesh-gw: --host: '$h' "* ]]
	done
	run --separate-stderr -2 mesh-gw --istio-version guide external-istiod --host https://a.example.com --credential-name c
	[ "$stderr" = "mesh-gw: --host: 'https://a.example.com' is not an address: 'https://' is a URL's scheme; give the host name alone
Try 'mesh-gw external-istiod --help' for more information." ]
	run --separate-stderr -2 mesh-gw --istio-version guide external-istiod --host 192.0.2.1 --credential-name c
	[[ "$stderr" == "mesh-gw: --host: '192.0.2.1' is an IP address, not a host name"* ]]
	# mesh-render says the same of the same value
	run --separate-stderr -2 mesh-render external-istiod --cluster c --network n --address a.example.com:15012
	[[ "$stderr" == "mesh-render: --address: 'a.example.com:15012' is not an address: ':15012' is a port; give the address alone"* ]]
	run --separate-stderr -2 mesh-gw --istio-version guide external-istiod --host a.example.com:15012 --credential-name c
	[[ "$stderr" == "mesh-gw: --host: 'a.example.com:15012' is not an address: ':15012' is a port; give the address alone"* ]]
}

@test "mesh-gw: -f checks the whole description, whichever cluster is wanted" {
	sed 's|address: istiod.mesh.example.com|address: https://istiod.mesh.example.com|' "$F/external.yaml" > "$TMP/a.yaml"
	run --separate-stderr -1 mesh-gw --istio-version guide -f "$TMP/a.yaml" --cluster remote2
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: $TMP/a.yaml:12:14: spec.external.address: 'https://istiod.mesh.example.com' is not an address: 'https://' is a URL's scheme; give the host name alone" ]
	sed 's/^  model: external/  model: external\n  istioVersion: "2.1"/' "$F/external.yaml" > "$TMP/b.yaml"
	run --separate-stderr -1 mesh-gw --istio-version guide -f "$TMP/b.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-gw: $TMP/b.yaml:10:17: spec.istioVersion: '2.1' is not a version meshline knows: give 1.11 to 1.30, or guide" ]
}

@test "mesh-gw: ingress and egress for an Istio release are install.istio.io, as today's guide writes them" {
	local cur="$SHARED/conformance/current/docs/external-controlplane" g
	for g in ingress egress; do
		run --separate-stderr -0 mesh-gw "$g" --istio-version 1.24
		[ -z "$stderr" ]
		printf '%s\n' "$output" > "$TMP/out.yaml"
		yaml_eq "$TMP/out.yaml" "$cur/1"*"-istio-${g}gateway.iop.yaml"
		# before 1.22 without the page's metadata.name
		run --separate-stderr -0 mesh-gw "$g" --istio-version 1.21
		printf '%s\n' "$output" > "$TMP/out.yaml"
		"$PYTHON" - "$TMP/out.yaml" "$cur/1"*"-istio-${g}gateway.iop.yaml" <<'PY'
import sys, yaml
got = yaml.safe_load(open(sys.argv[1]))
want = yaml.safe_load(open(sys.argv[2]))
del want["metadata"]
assert got == want, (got, want)
PY
		# the guide's own text, to the byte
		run --separate-stderr -0 mesh-gw "$g" --istio-version guide
		printf '%s\n' "$output" | cmp - "$G/external/istio-${g}gateway.yaml"
	done
	run --separate-stderr -0 mesh-gw ingress --istio-version 1.11.2 --namespace apps
	[ "$(py '[d[0]["apiVersion"], d[0]["spec"]["components"]["ingressGateways"][0]["namespace"]]')" = '["install.istio.io/v1alpha1", "apps"]' ]
	run --separate-stderr -2 mesh-gw egress --istio-version 1.10
	[ -z "$output" ]
	[[ "$stderr" == "mesh-gw: invalid value for '--istio-version': '1.10' (give 1.11 to 1.30, or guide)"* ]]
}
