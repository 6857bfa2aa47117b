#!/usr/bin/env bats
# mesh-secret remote against simulated clusters: the Secret istioctl
# create-remote-secret prints (byte for byte against the conformance
# examples), what it creates on the source cluster, the kubeconfig inside
# working for real, every option beyond istioctl and every failure.

load helpers/common
load helpers/simcluster

RS="$SHARED/conformance/remote-secret"

# sec ARGS...: mesh-secret bounded in time.
sec() {
	timeout 60 ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/mesh-secret" "$@"
}

# kd ARGS...: our own client, for clusters without kubectl.
kd() {
	timeout 60 "$MESH_BUILD/unit/kube_driver" "$@"
}

# kc KUBECONFIG ARGS...: kubectl (or, where there is none, the
# driver for the few verbs used here) against one cluster.
kc() {
	local k="$1"
	shift
	if command -v kubectl >/dev/null; then
		timeout 60 kubectl --kubeconfig "$k" "$@"
		return
	fi
	case "$1" in
	apply) kd --kubeconfig "$k" apply "$3" ;;
	get) kd --kubeconfig "$k" ${4:+-n "$4"} get v1 "$2" "$3" -o yaml ;;
	*) skip "kubectl is not installed" ;;
	esac
}

# writes_since N: the writes the source cluster saw after line N of its log.
writes_since() {
	tail -n +"$(($1 + 1))" "$SIM/requests.log" | grep -E ' (POST|PATCH|PUT|DELETE) ' || true
}

# jwt_claims TOKEN: the claims of a JWT, as JSON text.
jwt_claims() {
	local p
	p="$(cut -d. -f2 <<<"$1" | tr '_-' '/+')"
	while (( ${#p} % 4 )); do p+="="; done
	base64 -d <<<"$p"
}

# inner FILE KEY: the kubeconfig held in the Secret in FILE, under KEY.
inner() {
	"$PYTHON" -c 'import sys, yaml
d = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x][0]
sys.stdout.write(d["stringData"][sys.argv[2]])' "$1" "$2"
}

# seed NS SA TOKEN-SECRET EXAMPLE: the service account and a token Secret
# already holding the example's CA and token, so the output can be
# compared byte for byte with what istioctl printed for them.
seed() {
	local ca tok
	ca="$("$PYTHON" -c 'import sys, yaml
d = list(yaml.safe_load_all(open(sys.argv[1])))[0]
k = yaml.safe_load(list(d["stringData"].values())[0])
print(k["clusters"][0]["cluster"]["certificate-authority-data"])
u = k["users"][0]["user"]
import base64
print(base64.b64encode(u.get("token", "x").encode()).decode())' "$4")"
	tok="$(sed -n 2p <<<"$ca")"
	ca="$(sed -n 1p <<<"$ca")"
	cat >"$TMP/seed.yaml" <<-EOF2
	apiVersion: v1
	kind: Namespace
	metadata: {name: $1}
	---
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: $2, namespace: $1}
	---
	apiVersion: v1
	kind: Secret
	metadata:
	  name: $3
	  namespace: $1
	  annotations: {kubernetes.io/service-account.name: $2}
	type: kubernetes.io/service-account-token
	data: {ca.crt: $ca, token: $tok}
	EOF2
	kc "$SIM/kubeconfig" apply -f "$TMP/seed.yaml" >/dev/null
}

@test "remote: byte for byte what istioctl prints (remote, plugin, server override)" {
	SIM="$TMP/east"
	sim_start "$SIM" --name east
	seed istio-system istio-reader-service-account \
	    istio-reader-service-account-istio-remote-secret-token "$RS/example-remote.yaml"
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -0 sec remote --name cluster2 --server https://198.51.100.20:6443
	[ -z "$stderr" ]
	diff -u "$RS/example-remote.yaml" <(printf '%s\n' "$output")
	run --separate-stderr -0 sec remote --context east --name=cluster2 \
	    --server https://198.51.100.20:6443 --auth-type=plugin --auth-plugin-name=gcp
	[[ "$stderr" == *"istiod refuses auth provider 'gcp' unless PILOT_INSECURE_MULTICLUSTER_KUBECONFIG_OPTIONS includes gcp"* ]]
	diff -u "$RS/example-remote-plugin.yaml" <(printf '%s\n' "$output")
	run --separate-stderr -0 sec remote --name=cluster2 \
	    --server=https://203.0.113.10:6443 --tls-server-name=kubernetes.default.svc
	diff -u "$RS/example-remote-server-override.yaml" <(printf '%s\n' "$output")
}

@test "remote: --type config names the cluster after kube-system's UID, as the external guide runs it" {
	SIM="$TMP/remote1"
	sim_start "$SIM" --name remote1
	seed external-istiod istiod istiod-istio-remote-secret-token "$RS/example-config.yaml"
	uid="$(cat "$SIM/kube-system-uid")"
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --context=remote1 \
	    --type=config --namespace=external-istiod --server https://198.51.100.30:6443
	sed "s/9d3f1c2a-7b64-4e0f-8a15-2c6b8e4d1f73/$uid/g" "$RS/example-config.yaml" >"$TMP/want"
	diff -u "$TMP/want" <(printf '%s\n' "$output")
}

@test "remote: made on one cluster, applied to another, its kubeconfig reads the first" {
	SIM="$TMP/east"
	sim_start "$SIM" --name east
	sim_start "$TMP/west" --name west
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name east --allow-loopback
	printf '%s\n' "$output" >"$TMP/secret.yaml"
	[ -z "$stderr" ]
	# what istioctl creates on the source: the reader, its RBAC, a token Secret
	grep -q 'PATCH /api/v1/namespaces/istio-system/serviceaccounts/istio-reader-service-account?fieldManager=mesh-secret&force=true 201' "$SIM/requests.log"
	grep -q 'PATCH /apis/rbac.authorization.k8s.io/v1/clusterroles/istio-reader-clusterrole-istio-system?' "$SIM/requests.log"
	grep -q 'PATCH /apis/rbac.authorization.k8s.io/v1/clusterrolebindings/istio-reader-clusterrole-istio-system?' "$SIM/requests.log"
	grep -q 'POST /api/v1/namespaces/istio-system/secrets?fieldManager=mesh-secret 201' "$SIM/requests.log"
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n' >"$TMP/ns.yaml"
	kc "$TMP/west/kubeconfig" apply -f "$TMP/ns.yaml"
	kc "$TMP/west/kubeconfig" apply -f "$TMP/secret.yaml"
	kc "$TMP/west/kubeconfig" get secret istio-remote-secret-east -n istio-system -o yaml >"$TMP/got.yaml"
	"$PYTHON" - "$TMP/got.yaml" "$TMP/inner.kc" <<-'PY'
	import base64, sys, yaml
	s = yaml.safe_load(open(sys.argv[1]))
	assert s["metadata"]["labels"]["istio/multiCluster"] == "true"
	assert s["metadata"]["annotations"]["networking.istio.io/cluster"] == "east"
	open(sys.argv[2], "w").write(base64.b64decode(s["data"]["east"]).decode())
	PY
	# the reader may read the first cluster, as istiod will
	n="$(wc -l <"$SIM/requests.log")"
	run -0 kc "$TMP/inner.kc" get namespace kube-system -o name
	[[ "$output" == *kube-system* ]]
	# the server logs a request as it ends, maybe just after kubectl has
	# its answer: look for a few seconds at most
	for ((i = 0; i < 100; i++)); do
		tail -n +"$((n + 1))" "$SIM/requests.log" | grep -q 'system:serviceaccount:istio-system:istio-reader-service-account GET /api/v1/namespaces/kube-system' && break
		sleep 0.05
	done
	((i < 100))
	# a second run finds that token Secret again and creates nothing
	n="$(wc -l <"$SIM/requests.log")"
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name east --allow-loopback
	[ "$output" = "$(cat "$TMP/secret.yaml")" ]
	[ -z "$(writes_since "$n")" ]
}

@test "remote: an upper-case cluster ID stays in the key and annotation, the name is lower-cased" {
	SIM="$TMP/east"
	sim_start "$SIM"
	sim_start "$TMP/west" --name west
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name=CLUSTER1 --allow-loopback
	printf '%s\n' "$output" >"$TMP/s.yaml"
	[ "$stderr" = "mesh-secret: warning: the Secret is named istio-remote-secret-cluster1: an object name cannot hold upper case; the cluster ID stays CLUSTER1 in its key and annotation" ]
	run py_yaml "$TMP/s.yaml" '[d[0]["metadata"]["name"], d[0]["metadata"]["annotations"]["networking.istio.io/cluster"], list(d[0]["stringData"])]'
	[ "$output" = '["istio-remote-secret-cluster1", "CLUSTER1", ["CLUSTER1"]]' ]
	inner "$TMP/s.yaml" CLUSTER1 | grep -q '^current-context: CLUSTER1$'
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n' >"$TMP/ns.yaml"
	kc "$TMP/west/kubeconfig" apply -f "$TMP/ns.yaml"
	kc "$TMP/west/kubeconfig" apply -f "$TMP/s.yaml"
}

@test "remote: bad names and flags are usage errors, before any API call" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	n="$(wc -l <"$SIM/requests.log")"
	for bad in bad_name -lead trail- "$(printf 'a%.0s' {1..64})" 'x.y'; do
		run --separate-stderr -2 sec remote --name="$bad" --allow-loopback
		[ -z "$output" ]
		[[ "$stderr" == "mesh-secret: invalid value for '--name': '$bad' is not a valid DNS 1123 label"* ]]
	done
	run --separate-stderr -2 sec remote --type foo
	[[ "$stderr" == *"invalid value for '--type': 'foo' (use remote or config)"* ]]
	run --separate-stderr -2 sec remote --auth-type foo
	run --separate-stderr -2 sec remote --auth-type plugin
	[[ "$stderr" == *"--auth-type plugin needs --auth-plugin-name"* ]]
	run --separate-stderr -2 sec remote --auth-plugin-config a=b
	run --separate-stderr -2 sec remote --auth-type plugin --auth-plugin-name x --auth-plugin-config novalue
	run --separate-stderr -2 sec remote --token-ttl 5m
	[[ "$stderr" == *"at least 10m"* ]]
	run --separate-stderr -2 sec remote --read-only --rotate
	run --separate-stderr -2 sec remote --rotate --secret-name x
	[[ "$stderr" == *"--secret-name picks one"* ]]
	run --separate-stderr -2 sec remote --create-service-account=maybe
	run --separate-stderr -2 sec remote --from-kubeconfig "$KUBECONFIG"
	[[ "$stderr" == *"--from-kubeconfig needs --name"* ]]
	run --separate-stderr -2 sec remote --cluster x
	[[ "$stderr" == *"remote --cluster needs -f mesh.yaml"* ]]
	run --separate-stderr -2 sec remote --days 3
	[[ "$stderr" == *"remote does not take --days"* ]]
	run --separate-stderr -2 sec remote extra
	[ -z "$(writes_since "$n")" ]
	[ "$(wc -l <"$SIM/requests.log")" -eq "$n" ]
}

@test "remote: a loopback or plain-http server is refused, or warned about with --server" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	port="$(cat "$SIM/port")"
	run --separate-stderr -1 sec remote --name c1
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: the server in the kubeconfig, https://127.0.0.1:$port, is a loopback address: from another cluster istiod would reach itself, not this API server; pass --server with an https address the other cluster can reach (for kind, the control plane container's IP), or --allow-loopback for a mesh on this machine" ]
	run --separate-stderr -0 sec remote --name c1 --server "https://localhost:$port"
	[[ "$stderr" == "mesh-secret: warning: --server https://localhost:$port is a loopback address"* ]]
	grep -q "server: https://localhost:$port" <<<"$output"
	run --separate-stderr -0 sec remote --name c1 --server "http://192.0.2.10:8080"
	[[ "$stderr" == *"--server http://192.0.2.10:8080 is not https"* ]]
	for s in "https://[::1]:$port" "https://127.1.2.3" "https://api.localhost:1" "https://[::ffff:127.0.0.1]:1"; do
		run --separate-stderr -0 sec remote --name c1 --server "$s"
		[[ "$stderr" == *"is a loopback address"* ]]
	done
	run --separate-stderr -0 sec remote --name c1 --server "https://198.51.100.7:6443"
	[ -z "$stderr" ]
}

@test "remote: --read-only writes nothing, and says what is missing" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --read-only
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: service account istio-system/istio-reader-service-account not found, and --read-only creates nothing: install Istio on the cluster first, or leave out --read-only" ]
	[ -z "$(writes_since 0)" ]
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: istio-reader-service-account, namespace: istio-system}\n' >"$TMP/sa.yaml"
	kc "$KUBECONFIG" apply -f "$TMP/sa.yaml"
	n="$(wc -l <"$SIM/requests.log")"
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --read-only
	[[ "$stderr" == *"no token Secret of service account istio-system/istio-reader-service-account, and --read-only creates none"* ]]
	run --separate-stderr -0 sec remote --name c1 --allow-loopback
	n="$(wc -l <"$SIM/requests.log")"
	run --separate-stderr -0 sec remote --name c1 --allow-loopback --read-only
	grep -q 'token: ' <<<"$output"
	[ -z "$(writes_since "$n")" ]
}

@test "remote: --create-service-account=false and another account give istioctl's errors" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --create-service-account=false
	[ "$stderr" = "mesh-secret: failed retrieving service account istio-reader-service-account.istio-system required for creating the remote secret (hint: try installing a minimal Istio profile on the cluster first, or run with '--create-service-account=true'): not found" ]
	run --separate-stderr -1 sec remote --type config -n external-istiod --allow-loopback
	[[ "$stderr" == "mesh-secret: service account external-istiod/istiod not found: only istio-reader-service-account can be created here"* ]]
	[ -z "$output" ]
	[ -z "$(writes_since 0)" ]
}

@test "remote: --secret-name picks a token Secret, and refuses one of another account" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	cat >"$TMP/objs.yaml" <<-EOF2
	apiVersion: v1
	kind: Namespace
	metadata: {name: istio-system}
	---
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: istio-reader-service-account, namespace: istio-system}
	---
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: other, namespace: istio-system}
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: mine, namespace: istio-system, annotations: {kubernetes.io/service-account.name: istio-reader-service-account}}
	type: kubernetes.io/service-account-token
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: theirs, namespace: istio-system, annotations: {kubernetes.io/service-account.name: other}}
	type: kubernetes.io/service-account-token
	EOF2
	kc "$KUBECONFIG" apply -f "$TMP/objs.yaml"
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --secret-name theirs
	[ "$stderr" = "mesh-secret: secret istio-system/theirs does not reference ServiceAccount istio-reader-service-account" ]
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --secret-name nope
	[[ "$stderr" == *'secrets "nope" not found (404 NotFound)'* ]]
	run --separate-stderr -0 sec remote --name c1 --allow-loopback --secret-name mine
	tok="$(inner <(printf '%s\n' "$output") c1 | sed -n 's/^    token: //p')"
	[[ "$(jwt_claims "$tok")" == *'"kubernetes.io/serviceaccount/secret.name":"mine"'* ]]
	run -1 grep -q 'POST /api/v1/namespaces/istio-system/secrets?fieldManager=mesh-secret' "$SIM/requests.log"
}

@test "remote: a token the controller never fills in fails after istioctl's 5 seconds" {
	SIM="$TMP/east"
	sim_start "$SIM" --token-delay 100
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -1 sec remote --name c1 --allow-loopback
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: token Secret istio-system/istio-reader-service-account-istio-remote-secret-token has no \"ca.crt\" data after 5s: is the cluster's token controller (kube-controller-manager) running?" ]
	gets="$(grep -c 'GET /api/v1/namespaces/istio-system/secrets/istio-reader-service-account-istio-remote-secret-token ' "$SIM/requests.log")"
	[ "$gets" -ge 6 ] && [ "$gets" -le 40 ]
	# --auth-type plugin needs only ca.crt, but that is missing too
	run --separate-stderr -1 sec remote --name c1 --allow-loopback --auth-type plugin --auth-plugin-name oidc
}

@test "remote: no such context, a refused request, a server that is down" {
	SIM="$TMP/east"
	sim_start "$SIM" --fail 403 --match '^GET /api/v1/namespaces/istio-system/serviceaccounts'
	run --separate-stderr -1 sec remote --kubeconfig "$SIM/kubeconfig" --context nope --name c1
	[ "$stderr" = "mesh-secret: context 'nope' not found" ] || [[ "$stderr" == *"context"*"nope"* ]]
	[ -z "$output" ]
	run --separate-stderr -1 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback
	[[ "$stderr" == *"(403 Forbidden)"* ]]
	[ -z "$output" ]
	tok="$(cat "$SIM/token")"
	[[ "$stderr" != *"$tok"* ]]
	port="$(cat "$SIM/port")"
	kill -TERM "${SIM_PIDS[0]}"
	wait "${SIM_PIDS[0]}" || true
	run --separate-stderr -1 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback --request-timeout 2s
	[ -z "$output" ]
	[[ "$stderr" == *"127.0.0.1:$port"* ]]
}

@test "remote: without --name the cluster is the kube-system UID" {
	SIM="$TMP/east"
	sim_start "$SIM"
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --allow-loopback
	uid="$(cat "$SIM/kube-system-uid")"
	printf '%s\n' "$output" >"$TMP/s.yaml"
	run py_yaml "$TMP/s.yaml" '[d[0]["metadata"]["name"], d[0]["metadata"]["annotations"]["networking.istio.io/cluster"], list(d[0]["stringData"])]'
	[ "$output" = "[\"istio-remote-secret-$uid\", \"$uid\", [\"$uid\"]]" ]
}

@test "remote: --token-ttl asks the TokenRequest API for a bound token and creates no Secret" {
	SIM="$TMP/east"
	sim_start "$SIM"
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback --token-ttl 2h
	printf '%s\n' "$output" >"$TMP/s.yaml"
	grep -q 'POST /api/v1/namespaces/istio-system/serviceaccounts/istio-reader-service-account/token' "$SIM/requests.log"
	run -1 grep -q 'POST /api/v1/namespaces/istio-system/secrets' "$SIM/requests.log"
	grep -q "meshline.io/token-expires: \"20" "$TMP/s.yaml"
	# annotations in key order, as the rest of the Secret
	run py_yaml "$TMP/s.yaml" 'list(d[0]["metadata"]["annotations"])'
	[ "$output" = '["meshline.io/token-expires", "networking.istio.io/cluster"]' ]
	run py_yaml "$TMP/s.yaml" 'str(d[0]["metadata"]["annotations"]["meshline.io/token-expires"])'
	exp="${output//\"/}"
	now="$(date -u +%s)"
	[ $(( $(date -u -d "$exp" +%s) - now )) -gt 7000 ]
	[ $(( $(date -u -d "$exp" +%s) - now )) -le 7300 ]
	inner "$TMP/s.yaml" c1 >"$TMP/inner.kc"
	# the CA comes from kube-root-ca.crt and the token works
	run -0 kc "$TMP/inner.kc" get namespace kube-system -o name
}

@test "remote: --rotate makes a new token Secret beside the old one, and later runs use the newest" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -0 sec remote --name c1 --allow-loopback
	first="$output"
	sleep 1.1	# creationTimestamp has seconds
	run --separate-stderr -0 sec remote --name c1 --allow-loopback --rotate
	second="$output"
	[ "$first" != "$second" ]
	[ "$(grep -c 'POST /api/v1/namespaces/istio-system/secrets' "$SIM/requests.log")" -eq 2 ]
	run -0 kd --kubeconfig "$KUBECONFIG" -n istio-system list v1 secrets -o name
	[ "$(grep -c 'istio-reader-service-account-istio-remote-secret-token' <<<"$output")" -eq 2 ]
	run --separate-stderr -0 sec remote --name c1 --allow-loopback
	[ "$output" = "$second" ]
	# both tokens still work: old and new overlap
	inner <(printf '%s\n' "$first") c1 >"$TMP/old.kc"
	inner <(printf '%s\n' "$second") c1 >"$TMP/new.kc"
	kc "$TMP/old.kc" get namespace kube-system -o name
	kc "$TMP/new.kc" get namespace kube-system -o name
}

@test "remote: --from-kubeconfig builds the Secret offline, stdin too" {
	SIM="$TMP/east"
	sim_start "$SIM" --name east
	kill -TERM "${SIM_PIDS[0]}"
	wait "${SIM_PIDS[0]}" || true
	n="$(wc -l <"$SIM/requests.log")"
	run --separate-stderr -0 sec remote --from-kubeconfig "$SIM/kubeconfig" --name east --allow-loopback
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$TMP/a.yaml"
	run --separate-stderr -0 sec remote --from-kubeconfig - --name east --allow-loopback <"$SIM/kubeconfig"
	[ "$output" = "$(cat "$TMP/a.yaml")" ]
	[ "$(wc -l <"$SIM/requests.log")" -eq "$n" ]
	inner "$TMP/a.yaml" east >"$TMP/inner.kc"
	"$PYTHON" - "$TMP/inner.kc" "$SIM" <<-'PY'
	import base64, sys, yaml
	k = yaml.safe_load(open(sys.argv[1]))
	d = sys.argv[2]
	c = k["clusters"][0]["cluster"]
	assert base64.b64decode(c["certificate-authority-data"]) == open(d + "/ca.crt", "rb").read()
	assert k["users"][0]["user"] == {"token": open(d + "/token").read().strip()}
	PY
	# the client-certificate user: certificate and key inlined
	run --separate-stderr -0 sec remote --from-kubeconfig "$SIM/kubeconfig" --context east-cert --name east --allow-loopback
	inner <(printf '%s\n' "$output") east >"$TMP/cert.kc"
	"$PYTHON" - "$TMP/cert.kc" "$SIM" <<-'PY'
	import base64, sys, yaml
	u = yaml.safe_load(open(sys.argv[1]))["users"][0]["user"]
	assert sorted(u) == ["client-certificate-data", "client-key-data"]
	assert base64.b64decode(u["client-key-data"]) == open(sys.argv[2] + "/client.key", "rb").read()
	PY
	# the key never reaches stderr
	[[ "$stderr" != *PRIVATE* ]]
}

@test "remote: --from-kubeconfig carries proxy-url and tls-server-name, drops a CA under insecure-skip-tls-verify, warns of exec" {
	cat >"$TMP/k" <<-'EOF2'
	apiVersion: v1
	kind: Config
	current-context: t
	contexts:
	- name: t
	  context: {cluster: c, user: u}
	clusters:
	- name: c
	  cluster:
	    server: https://203.0.113.5:6443
	    insecure-skip-tls-verify: true
	    proxy-url: http://198.51.100.1:3128
	    tls-server-name: api.example
	users:
	- name: u
	  user:
	    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      command: get-token
	      args: [--cluster, c]
	      env: [{name: A, value: b}]
	      interactiveMode: Never
	EOF2
	run --separate-stderr -0 sec remote --from-kubeconfig "$TMP/k" --name c
	[[ "$stderr" == *"user u runs an exec credential plugin: istiod refuses it unless PILOT_INSECURE_MULTICLUSTER_KUBECONFIG_OPTIONS includes exec"* ]]
	[[ "$stderr" == *"skips TLS verification"* ]]
	inner <(printf '%s\n' "$output") c >"$TMP/inner.kc"
	"$PYTHON" - "$TMP/inner.kc" <<-'PY'
	import sys, yaml
	k = yaml.safe_load(open(sys.argv[1]))
	assert k["clusters"][0]["cluster"] == {"insecure-skip-tls-verify": True,
	    "proxy-url": "http://198.51.100.1:3128", "server": "https://203.0.113.5:6443",
	    "tls-server-name": "api.example"}, k
	assert k["users"][0]["user"] == {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
	    "args": ["--cluster", "c"], "command": "get-token", "env": [{"name": "A", "value": "b"}],
	    "interactiveMode": "Never"}}, k
	PY
	# kubectl takes that kubeconfig as valid
	if command -v kubectl >/dev/null; then
		kubectl --kubeconfig "$TMP/inner.kc" config view -o name >/dev/null
	fi
}

@test "remote: --auth-plugin-config reaches the kubeconfig, in key order; -o json" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	run --separate-stderr -0 sec remote --name c1 --allow-loopback --auth-type plugin \
	    --auth-plugin-name oidc --auth-plugin-config 'z=1,a=x: y' --auth-plugin-config=m=on
	[ -z "$stderr" ]
	inner <(printf '%s\n' "$output") c1 >"$TMP/inner.kc"
	run py_yaml "$TMP/inner.kc" 'd[0]["users"][0]["user"]'
	[ "$output" = '{"auth-provider": {"config": {"a": "x: y", "m": "on", "z": "1"}, "name": "oidc"}}' ]
	run --separate-stderr -0 sec remote --name c1 --allow-loopback -o json
	printf '%s\n' "$output" | jq -e '.kind == "Secret" and .metadata.name == "istio-remote-secret-c1" and .metadata.namespace == "istio-system" and (.stringData.c1 | startswith("apiVersion: v1\n"))'
	run --separate-stderr -0 sec remote --name c1 --allow-loopback --istio-namespace mesh -n istio-system
	run py_yaml <(printf '%s\n' "$output") 'd[0]["metadata"]["namespace"]'
	[ "$output" = '"mesh"' ]
}

@test "remote: a server older than 1.24 lists the token Secret in the service account" {
	SIM="$TMP/old"
	sim_start "$SIM" --server-version 1.23.17
	tok="$(cat "$SIM/token")"
	port="$(cat "$SIM/port")"
	post() {
		curl -sS --max-time 10 --cacert "$SIM/ca.crt" -H "Authorization: Bearer $tok" \
		    -H 'Content-Type: application/json' -X POST --data "$2" \
		    "https://127.0.0.1:$port$1" >/dev/null
	}
	post /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"istio-system"}}'
	post /api/v1/namespaces/istio-system/serviceaccounts '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"istio-reader-service-account"},"secrets":[{"name":"r1"},{"name":"r2"}]}'
	run --separate-stderr -1 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback
	[ "$stderr" = "mesh-secret: wrong number of secrets (2) in serviceaccount istio-system/istio-reader-service-account, please use --secret-name to specify one" ]
	post /api/v1/namespaces/istio-system/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"r2","annotations":{"kubernetes.io/service-account.name":"istio-reader-service-account"}},"type":"kubernetes.io/service-account-token"}'
	run --separate-stderr -1 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback --secret-name r3
	[ "$stderr" = "mesh-secret: provided secret does not exist: r3" ]
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback --secret-name r2
	grep -q '    token: ' <<<"$output"
	run -1 grep -q 'GET /api/v1/namespaces/istio-system/secrets?' "$SIM/requests.log"
}

@test "remote: cluster IDs are quoted only where Kubernetes' YAML reader would misread them, as istioctl's serializer does" {
	k="$ROOT/examples/secret/cluster2.kubeconfig"
	run --separate-stderr -0 sec remote --from-kubeconfig "$k" --name 517d27b8-7958-4cbe-8e62-cc8660dba4ac
	grep -qx '    networking.istio.io/cluster: 517d27b8-7958-4cbe-8e62-cc8660dba4ac' <<<"$output"
	grep -qx '  name: istio-remote-secret-517d27b8-7958-4cbe-8e62-cc8660dba4ac' <<<"$output"
	grep -qx '  517d27b8-7958-4cbe-8e62-cc8660dba4ac: |' <<<"$output"
	grep -qx '    current-context: 517d27b8-7958-4cbe-8e62-cc8660dba4ac' <<<"$output"
	for id in 12345 1e3 0x1F true on 0777; do
		run --separate-stderr -0 sec remote --from-kubeconfig "$k" --name "$id"
		grep -qx "    networking.istio.io/cluster: \"$id\"" <<<"$output"
		grep -qx "    current-context: \"$id\"" <<<"$output"
		printf '%s\n' "$output" >"$TMP/s.yaml"
		run py_yaml "$TMP/s.yaml" 'list(d[0]["stringData"])'
		[ "$output" = "[\"$id\"]" ]
	done
}

@test "remote: names that start like a date are quoted only when Go's encoder would take them for one" {
	k="$ROOT/examples/secret/cluster2.kubeconfig"
	run --separate-stderr -0 sec remote --from-kubeconfig "$k" --name 2024-1-2
	grep -qx '    networking.istio.io/cluster: "2024-1-2"' <<<"$output"
	run --separate-stderr -0 sec remote --from-kubeconfig "$k" --name 2024-prod
	grep -qx '    networking.istio.io/cluster: 2024-prod' <<<"$output"
	run --separate-stderr -0 sec remote --from-kubeconfig "$k" --name 2024-01-02t
	grep -qx '    networking.istio.io/cluster: 2024-01-02t' <<<"$output"
}

@test "remote: a server that refuses /version is taken as 1.24 or newer, as istioctl takes it" {
	SIM="$TMP/east"
	sim_start "$SIM" --fail 403 --match '^GET /version'
	run --separate-stderr -0 sec remote --kubeconfig "$SIM/kubeconfig" --name c1 --allow-loopback
	[ -z "$stderr" ]
	grep -q 'GET /version 403' "$SIM/requests.log"
	grep -q 'GET /api/v1/namespaces/istio-system/secrets?fieldSelector=' "$SIM/requests.log"
}

@test "remote: a kubeconfig that trusts the system's roots gives one without certificate-authority-data" {
	cat >"$TMP/k" <<-'EOF2'
	apiVersion: v1
	kind: Config
	current-context: t
	contexts:
	- {name: t, context: {cluster: c, user: u}}
	clusters:
	- {name: c, cluster: {server: "https://api.example.com:443"}}
	users:
	- {name: u, user: {token: abc.def.ghi}}
	EOF2
	run --separate-stderr -0 sec remote --from-kubeconfig "$TMP/k" --name c
	[ -z "$stderr" ]
	inner <(printf '%s\n' "$output") c >"$TMP/inner.kc"
	run py_yaml "$TMP/inner.kc" 'd[0]["clusters"][0]["cluster"]'
	[ "$output" = '{"server": "https://api.example.com:443"}' ]
}

@test "remote: --service-account names the account whose token goes in the Secret" {
	SIM="$TMP/east"
	sim_start "$SIM"
	export KUBECONFIG="$SIM/kubeconfig"
	cat >"$TMP/objs.yaml" <<-EOF2
	apiVersion: v1
	kind: Namespace
	metadata: {name: mesh}
	---
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: reader2, namespace: mesh}
	EOF2
	kc "$KUBECONFIG" apply -f "$TMP/objs.yaml"
	run --separate-stderr -0 sec remote --name c1 --allow-loopback -n mesh --service-account reader2
	grep -q 'POST /api/v1/namespaces/mesh/secrets?fieldManager=mesh-secret 201' "$SIM/requests.log"
	[ -z "$(grep 'istio-reader' "$SIM/requests.log")" ]
	tok="$(inner <(printf '%s\n' "$output") c1 | sed -n 's/^    token: //p')"
	[[ "$(jwt_claims "$tok")" == *'"sub":"system:serviceaccount:mesh:reader2"'* ]]
	run py_yaml <(printf '%s\n' "$output") 'd[0]["metadata"]["namespace"]'
	[ "$output" = '"mesh"' ]
}

@test "remote: --timeout ends the whole run, for every cluster with -f, at a server that never answers" {
	# a listener on 127.0.0.1 that takes connections and says nothing
	"$PYTHON" -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    held.append(s.accept()[0])' "$TMP/port" 3>&- &
	SIM_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		[ -f "$TMP/port" ] && break
		sleep 0.05
	done
	port=$(cat "$TMP/port")
	cat >"$TMP/mute.kc" <<-EOF2
	apiVersion: v1
	kind: Config
	clusters:
	- name: mute
	  cluster: {server: "https://127.0.0.1:$port", insecure-skip-tls-verify: true}
	users:
	- name: u
	  user: {token: not-a-real-token}
	contexts:
	- {name: m1, context: {cluster: mute, user: u}}
	- {name: m2, context: {cluster: mute, user: u}}
	current-context: m1
	EOF2
	run --separate-stderr -1 sec remote --kubeconfig "$TMP/mute.kc" --name c1 --allow-loopback --timeout 1s
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: multi-primary\n  clusters:\n  - {name: m1, network: n1}\n  - {name: m2, network: n1}\n' >"$TMP/mesh.yaml"
	run --separate-stderr -1 sec remote -f "$TMP/mesh.yaml" --kubeconfig "$TMP/mute.kc" --allow-loopback --timeout 1s
	[ -z "$output" ]
	[[ "$stderr" == *"cluster m1 (context m1): cannot read the credentials of its remote secret"* ]]
	[[ "$stderr" == *"cluster m2 (context m2): cannot read the credentials of its remote secret"* ]]
	run --separate-stderr -2 sec remote --from-kubeconfig "$TMP/mute.kc" --name c1 --timeout 1s
	[[ "$stderr" == *"--request-timeout, --timeout"* ]]
}
