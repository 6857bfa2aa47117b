#!/usr/bin/env bats
# The simulated cluster (tests/simcluster/simcluster) against real clients:
# kubectl where it is installed, and a few raw requests made with python3.

load helpers/common
load helpers/simcluster

need_kubectl() {
	command -v kubectl >/dev/null ||
	    skip "kubectl is not installed: nothing to check faithfulness against"
}

# kc ARGS...: kubectl against the cluster in $SIM, bounded in time.
kc() {
	timeout 30 kubectl --kubeconfig "$SIM/kubeconfig" "$@"
}

# raw DIR METHOD PATH [AUTH [CONTENT-TYPE FILE]]: one HTTPS request with
# python3, trusting the cluster's CA.  AUTH is "token" (the admin token, the
# default), "cert" (the client certificate), "none", or a literal bearer
# token; FILE is the request body.  Prints the status code on the first line
# and the body after it, then "<dropped>" if the connection broke early.
raw() {
	python3 - "$@" <<'PY'
import http.client, os, ssl, sys
d, method, path = sys.argv[1:4]
auth = sys.argv[4] if len(sys.argv) > 4 else "token"
ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
headers = {}
if auth == "cert":
    ctx.load_cert_chain(os.path.join(d, "client.crt"), os.path.join(d, "client.key"))
elif auth == "token":
    headers["Authorization"] = "Bearer " + open(os.path.join(d, "token")).read().strip()
elif auth != "none":
    headers["Authorization"] = "Bearer " + auth
body = None
if len(sys.argv) > 6:
    headers["Content-Type"] = sys.argv[5]
    body = open(sys.argv[6], "rb").read()
port = int(open(os.path.join(d, "port")).read())
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
conn.request(method, path, body=body, headers=headers)
resp = conn.getresponse()
print(resp.status)
try:
    sys.stdout.write(resp.read().decode())
except http.client.IncompleteRead as e:
    sys.stdout.write(e.partial.decode())
    print("<dropped>")
PY
}

# The resourceVersion of the configmap list in the default namespace.
list_rv() {
	kc get --raw /api/v1/namespaces/default/configmaps |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])'
}

@test "simcluster: writes its kubeconfig once serving and exits 0 on SIGTERM" {
	SIM="$TMP/c1"
	sim_start "$SIM" --name east
	run grep -c 'name: "east"' "$SIM/kubeconfig"
	assert_output 3 # cluster, context and the token user
	grep -q 'name: "east-cert"' "$SIM/kubeconfig"
	grep -q 'current-context: "east"' "$SIM/kubeconfig"
	grep -q "server: \"https://127.0.0.1:$(cat "$SIM/port")\"" "$SIM/kubeconfig"
	run raw "$SIM" GET /version none
	assert_line -n 0 200
	assert_line -n 1 --partial '"minor":"32"'
	kill -TERM "${SIM_PIDS[0]}"
	rc=0
	wait "${SIM_PIDS[0]}" || rc=$?
	assert_equal "$rc" 0
	SIM_PIDS=()
}

@test "simcluster: bad options exit 2" {
	run -2 "$SIMCLUSTER" --dir "$TMP/x" --no-such-option
	assert_output --partial "unrecognized arguments"
	run -2 "$SIMCLUSTER" --dir "$TMP/x" --fail 200
	assert_output --partial "--fail must be an HTTP error code"
}

@test "simcluster: requests without credentials get 401, client certificates work" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	run raw "$SIM" GET /api/v1/namespaces none
	assert_line -n 0 401
	assert_line -n 1 '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}'
	run raw "$SIM" GET /api/v1/namespaces/kube-system bogus-token
	assert_line -n 0 401
	run raw "$SIM" GET /api/v1/namespaces/kube-system cert
	assert_line -n 0 200
	assert_line -n 1 --partial "\"uid\":\"$(cat "$SIM/kube-system-uid")\""
}

@test "simcluster: kubectl get sees version 1.32, namespaces and nodes" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --name alpha
	run --separate-stderr kc version -o json
	assert_success
	[[ "$output" == *'"minor": "32"'* ]]
	run --separate-stderr kc get namespaces
	assert_success
	assert_line --regexp '^kube-system +Active +'
	assert_line --regexp '^default +Active +'
	run --separate-stderr kc get nodes -o name
	assert_output node/alpha-node-1
	run --separate-stderr kc --context alpha-cert get ns kube-system -o jsonpath='{.metadata.uid}'
	assert_output "$(cat "$SIM/kube-system-uid")"
	run --separate-stderr kc --token=wrong get pods
	assert_failure 1
	[ "$stderr" = "error: You must be logged in to the server (Unauthorized)" ]
}

@test "simcluster: kubectl apply creates and updates; a sidecar pod reads 2/2" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/web.yaml" <<-'EOF'
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: web
	spec:
	  replicas: 2
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: web}
	    spec:
	      containers:
	      - name: app
	        image: example/app:1
	      - name: istio-proxy
	        image: istio/proxyv2:1.24
	EOF
	run --separate-stderr kc apply -f "$TMP/web.yaml"
	assert_output "deployment.apps/web created"
	run --separate-stderr kc apply -f "$TMP/web.yaml"
	assert_output "deployment.apps/web unchanged"
	run --separate-stderr kc rollout status deployment/web --timeout=10s
	assert_success
	assert_line 'deployment "web" successfully rolled out'
	run --separate-stderr kc get pods -l app=web --no-headers
	assert_equal "${#lines[@]}" 2
	assert_line --regexp '^web-[a-z0-9]+-[a-z0-9]{5} +2/2 +Running +0 +'
	sed -i 's/replicas: 2/replicas: 1/' "$TMP/web.yaml"
	run --separate-stderr kc apply -f "$TMP/web.yaml"
	assert_output "deployment.apps/web configured"
	run --separate-stderr kc get deployment web -o jsonpath='{.spec.replicas} {.metadata.generation}'
	assert_output "1 2"
}

@test "simcluster: kubectl apply --server-side creates, updates and reports conflicts" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/cm.yaml" <<-'EOF'
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: settings
	  labels: {tier: one}
	data:
	  mode: fast
	EOF
	run --separate-stderr kc apply --server-side -f "$TMP/cm.yaml"
	assert_output "configmap/settings serverside-applied"
	sed -i 's/fast/slow/' "$TMP/cm.yaml"
	run --separate-stderr kc apply --server-side -f "$TMP/cm.yaml"
	assert_output "configmap/settings serverside-applied"
	run --separate-stderr kc get cm settings -o jsonpath='{.data.mode}'
	assert_output slow
	# A second manager setting data.mode differently conflicts, until
	# it forces; then the first manager conflicts with it.
	sed -i 's/slow/fast/' "$TMP/cm.yaml"
	run --separate-stderr kc apply --server-side --field-manager=other -f "$TMP/cm.yaml"
	assert_failure 1
	[[ "$stderr" == 'error: Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.mode'* ]]
	run --separate-stderr kc apply --server-side --field-manager=other --force-conflicts -f "$TMP/cm.yaml"
	assert_output "configmap/settings serverside-applied"
	run --separate-stderr kc get cm settings -o jsonpath='{.data.mode}'
	assert_output fast
	sed -i 's/fast/medium/' "$TMP/cm.yaml"
	run --separate-stderr kc apply --server-side -f "$TMP/cm.yaml"
	assert_failure 1
	[[ "$stderr" == 'error: Apply failed with 1 conflict: conflict with "other" using v1: .data.mode'* ]]
	run --separate-stderr kc apply --server-side --force-conflicts -f "$TMP/cm.yaml"
	assert_output "configmap/settings serverside-applied"
	run --separate-stderr kc get cm settings -o jsonpath='{.data.mode} {.metadata.labels.tier}'
	assert_output "medium one"
	# Client-side apply, then server-side apply of the same object.
	cat >"$TMP/svc.yaml" <<-'EOF'
	apiVersion: v1
	kind: Service
	metadata:
	  name: front
	spec:
	  type: LoadBalancer
	  selector: {app: front}
	  ports:
	  - {name: http, port: 80}
	EOF
	run --separate-stderr kc apply -f "$TMP/svc.yaml"
	assert_output "service/front created"
	run --separate-stderr kc apply --server-side -f "$TMP/svc.yaml"
	assert_output "service/front serverside-applied"
}

@test "simcluster: kubectl wait --for=condition=Ready pod/x, and its timeout" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --pod-delay 1
	cat >"$TMP/pods.yaml" <<-'EOF'
	apiVersion: v1
	kind: Pod
	metadata:
	  name: x
	spec:
	  containers:
	  - {name: main, image: busybox}
	---
	apiVersion: v1
	kind: Pod
	metadata:
	  name: stuck
	  annotations:
	    simcluster.meshline.io/never-ready: "true"
	spec:
	  containers:
	  - {name: main, image: busybox}
	EOF
	run --separate-stderr kc apply -f "$TMP/pods.yaml"
	assert_success
	run --separate-stderr kc get pod x -o jsonpath='{.status.phase}'
	assert_output Pending
	run --separate-stderr kc wait --for=condition=Ready pod/x --timeout=10s
	assert_success
	assert_output "pod/x condition met"
	run --separate-stderr kc wait --for=condition=Ready pod/stuck --timeout=1s
	assert_failure 1
	[ "$stderr" = "error: timed out waiting for the condition on pods/stuck" ]
	run --separate-stderr kc get pod stuck --no-headers
	assert_output --regexp '^stuck +0/1 +Running +0 +'
}

@test "simcluster: kubectl create secret --dry-run=client | kubectl apply -f -" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	run --separate-stderr bash -c "timeout 30 kubectl create secret generic cacerts \
	    --from-literal=root-cert.pem=one --dry-run=client -o yaml |
	    timeout 30 kubectl --kubeconfig '$SIM/kubeconfig' apply -f -"
	assert_output "secret/cacerts created"
	run --separate-stderr bash -c "timeout 30 kubectl create secret generic cacerts \
	    --from-literal=root-cert.pem=two --dry-run=client -o yaml |
	    timeout 30 kubectl --kubeconfig '$SIM/kubeconfig' apply -f -"
	assert_output "secret/cacerts configured"
	run --separate-stderr kc get secret cacerts -o jsonpath='{.data.root-cert\.pem}'
	assert_output "$(printf two | base64)"
}

@test "simcluster: watch streams events with kind and apiVersion, bookmarks and a field selector" {
	need_kubectl
	SIM="$TMP/c1"
	# Watches end after half a second, so each kubectl get --raw returns.
	sim_start "$SIM" --bookmark-interval 0.2 --max-watch-seconds 0.5
	rv="$(list_rv)"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: "1"}\n' >"$TMP/a.yaml"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' >"$TMP/b.yaml"
	kc apply -f "$TMP/a.yaml" -f "$TMP/b.yaml"
	kc patch cm a --type=merge -p '{"data":{"k":"2"}}'
	kc delete cm b
	run --separate-stderr kc get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv"
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_line -n 0 --regexp '^\{"type":"ADDED","object":\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"a",'
	assert_line -n 1 --regexp '^\{"type":"ADDED","object":\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"b",'
	assert_line -n 2 --regexp '^\{"type":"MODIFIED","object":\{"kind":"ConfigMap","apiVersion":"v1",.*"data":\{"k":"2"\}'
	assert_line -n 3 --regexp '^\{"type":"DELETED","object":\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"b",'
	run --separate-stderr kc get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv&fieldSelector=metadata.name%3Da&allowWatchBookmarks=true&timeoutSeconds=300"
	assert_success
	assert_line -n 0 --regexp '^\{"type":"ADDED",.*"name":"a"'
	assert_line -n 1 --regexp '^\{"type":"MODIFIED",.*"name":"a"'
	assert_line -n 2 --regexp '^\{"type":"BOOKMARK","object":\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"resourceVersion":"[0-9]+"\}\}\}$'
	refute_output --partial '"name":"b"'
	run --separate-stderr kc get --raw "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
	assert_failure 1
	[[ "$stderr" == *"sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"* ]]
}

@test "simcluster: forgotten history gives 410 Gone, and kubectl wait relists" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --history 0
	rv="$(list_rv)"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' | kc apply -f -
	run --separate-stderr kc get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv"
	assert_success
	assert_output --regexp '^\{"type":"ERROR","object":\{"kind":"Status","apiVersion":"v1","metadata":\{\},"status":"Failure","message":"too old resource version: [0-9]+ \([0-9]+\)","reason":"Expired","code":410\}\}$'

	# kubectl waits on cm/a, so it never sees cm/b; once SIGUSR1 has
	# forgotten history, its next watch (after one second) is too old.
	SIM="$TMP/c2"
	sim_start "$SIM" --max-watch-seconds 1
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' | kc apply -f -
	kc wait --for=jsonpath='{.data.k}'=done cm/a --timeout=15s >"$TMP/wait.out" 2>&1 3>&- &
	waiter=$!
	sleep 0.5
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' | kc apply -f -
	kill -USR1 "${SIM_PIDS[1]}"
	sleep 1.5
	kc patch cm a --type=merge -p '{"data":{"k":"done"}}'
	wait "$waiter"
	run cat "$TMP/wait.out"
	assert_output "configmap/a condition met"
	# The first list, then the relist after 410.
	run grep -c 'configmaps?fieldSelector=metadata.name%3Da&' "$SIM/requests.log"
	assert_output 2
}

@test "simcluster: TokenRequest tokens authenticate; RBAC answers 403 until bound" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	printf 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reader}\n' | kc apply -f -
	printf '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}' >"$TMP/tr.json"
	run --separate-stderr kc create --raw /api/v1/namespaces/default/serviceaccounts/reader/token -f "$TMP/tr.json"
	assert_success
	token="$(printf '%s' "$output" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])')"
	[[ "$output" == *'"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1"'* ]]
	run --separate-stderr kc --token="$token" get pods
	assert_failure 1
	[ "$stderr" = 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:reader" cannot list resource "pods" in API group "" in the namespace "default"' ]
	cat >"$TMP/rbac.yaml" <<-'EOF'
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRole
	metadata: {name: pod-reader}
	rules:
	- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
	---
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRoleBinding
	metadata: {name: reader-pods}
	roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
	subjects:
	- {kind: ServiceAccount, name: reader, namespace: default}
	EOF
	kc apply -f "$TMP/rbac.yaml"
	run --separate-stderr kc --token="$token" get pods
	assert_success
	[ "$stderr" = "No resources found in default namespace." ]
	printf '{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"expirationSeconds":60}}' >"$TMP/short.json"
	run --separate-stderr kc create --raw /api/v1/namespaces/default/serviceaccounts/reader/token -f "$TMP/short.json"
	assert_failure 1
	[[ "$stderr" == *"may not specify a duration less than 10 minutes"* ]]
	# Deleting the account invalidates its tokens.
	kc delete serviceaccount reader
	run --separate-stderr kc --token="$token" get pods
	assert_failure 1
	[ "$stderr" = "error: You must be logged in to the server (Unauthorized)" ]
}

@test "simcluster: service-account-token Secrets get token, ca.crt and namespace" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/sa.yaml" <<-'EOF'
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: istio-reader-service-account, namespace: default}
	---
	apiVersion: v1
	kind: Secret
	metadata:
	  name: istio-reader-token
	  namespace: default
	  annotations:
	    kubernetes.io/service-account.name: istio-reader-service-account
	type: kubernetes.io/service-account-token
	EOF
	kc apply -f "$TMP/sa.yaml"
	run --separate-stderr kc wait --for=jsonpath='{.data.token}' secret/istio-reader-token --timeout=10s
	assert_success
	run --separate-stderr kc get secret istio-reader-token -o jsonpath='{.data.ca\.crt}'
	assert_output "$(base64 -w0 <"$SIM/ca.crt")"
	run --separate-stderr kc get secret istio-reader-token -o jsonpath='{.data.namespace}'
	assert_output "$(printf default | base64)"
	token="$(kc get secret istio-reader-token -o jsonpath='{.data.token}' | base64 -d)"
	run --separate-stderr kc --token="$token" get pods
	assert_failure 1
	[[ "$stderr" == *'User "system:serviceaccount:default:istio-reader-service-account" cannot list resource "pods"'* ]]
}

@test "simcluster: LoadBalancer Services get an IP, a hostname, or nothing" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --name east
	for mode in ip hostname none; do
		cat <<-EOF
		apiVersion: v1
		kind: Service
		metadata:
		  name: gw-$mode
		  annotations: {simcluster.meshline.io/lb: $mode}
		spec:
		  type: LoadBalancer
		  ports: [{port: 15443, name: tls}]
		---
		EOF
	done >"$TMP/svcs.yaml"
	kc apply -f "$TMP/svcs.yaml"
	run --separate-stderr kc wait --for=jsonpath='{.status.loadBalancer.ingress}' svc/gw-ip svc/gw-hostname --timeout=10s
	assert_success
	run --separate-stderr kc get svc gw-ip -o jsonpath='{.status.loadBalancer.ingress[0].ip}'
	assert_output 172.18.255.200
	run --separate-stderr kc get svc gw-hostname -o jsonpath='{.status.loadBalancer.ingress[0].hostname}'
	assert_output gw-hostname-default.east.elb.simcluster.test
	run --separate-stderr kc get svc gw-none --no-headers
	assert_output --regexp '^gw-none +LoadBalancer +10\.96\.[0-9.]+ +<pending> +15443:3[0-9]+/TCP +'
}

@test "simcluster: CRDs become Established and serve their kinds; --istio-crds" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --crd-delay 0.3
	cat >"$TMP/crd.yaml" <<-'EOF'
	apiVersion: apiextensions.k8s.io/v1
	kind: CustomResourceDefinition
	metadata: {name: widgets.example.com}
	spec:
	  group: example.com
	  scope: Namespaced
	  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
	  versions:
	  - name: v1
	    served: true
	    storage: true
	    schema:
	      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
	EOF
	kc apply -f "$TMP/crd.yaml"
	run --separate-stderr kc wait --for=condition=Established crd/widgets.example.com --timeout=10s
	assert_output "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met"
	printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n' >"$TMP/w.yaml"
	run --separate-stderr kc apply -f "$TMP/w.yaml"
	assert_output "widget.example.com/w1 created"
	sed -i 's/size: 3/size: 4/' "$TMP/w.yaml"
	run --separate-stderr kc apply -f "$TMP/w.yaml"
	assert_output "widget.example.com/w1 configured"
	run --separate-stderr kc get widgets w1 -o jsonpath='{.spec.size}'
	assert_output 4

	SIM="$TMP/c2"
	sim_start "$SIM" --istio-crds
	cat >"$TMP/istio.yaml" <<-'EOF'
	apiVersion: v1
	kind: Namespace
	metadata: {name: istio-system}
	---
	apiVersion: install.istio.io/v1alpha1
	kind: IstioOperator
	metadata: {name: eastwest, namespace: istio-system}
	spec: {profile: empty, revision: ""}
	---
	apiVersion: networking.istio.io/v1
	kind: Gateway
	metadata: {name: cross-network-gateway, namespace: istio-system}
	spec:
	  selector: {istio: eastwestgateway}
	  servers:
	  - port: {number: 15443, name: tls, protocol: TLS}
	    tls: {mode: AUTO_PASSTHROUGH}
	    hosts: ["*.local"]
	EOF
	run --separate-stderr kc apply --server-side -f "$TMP/istio.yaml"
	assert_success
	assert_line "istiooperator.install.istio.io/eastwest serverside-applied"
	assert_line "gateway.networking.istio.io/cross-network-gateway serverside-applied"
	run --separate-stderr kc get gw -n istio-system -o name
	assert_output gateway.networking.istio.io/cross-network-gateway
}

@test "simcluster: Status errors have the real shape (404, 409, 422)" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	run --separate-stderr kc get pod nope
	assert_failure 1
	[ "$stderr" = 'Error from server (NotFound): pods "nope" not found' ]
	run raw "$SIM" GET /api/v1/namespaces/default/pods/nope
	assert_line -n 0 404
	assert_line -n 1 '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"","kind":"pods"},"code":404}'
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' >"$TMP/a.yaml"
	kc create -f "$TMP/a.yaml"
	run --separate-stderr kc create -f "$TMP/a.yaml"
	assert_failure 1
	[[ "$stderr" == *'Error from server (AlreadyExists): error when creating "'*'": configmaps "a" already exists' ]]
	# A write with a stale resourceVersion is a Conflict.
	kc get cm a -o json >"$TMP/old.json"
	kc patch cm a --type=merge -p '{"data":{"x":"1"}}'
	run --separate-stderr kc replace -f "$TMP/old.json"
	assert_failure 1
	[[ "$stderr" == *'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again' ]]
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec: {containers: []}\n' >"$TMP/bad.yaml"
	run --separate-stderr kc apply -f "$TMP/bad.yaml"
	assert_failure 1
	[[ "$stderr" == *'Pod "empty" is invalid: spec.containers: Required value' ]]
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: missing}\n' >"$TMP/nons.yaml"
	run --separate-stderr kc apply -f "$TMP/nons.yaml"
	assert_failure 1
	[[ "$stderr" == *'namespaces "missing" not found' ]]
}

@test "simcluster: 429 with Retry-After is retried by kubectl, 503 without it is not" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --fail 429 --fail-count 1 --retry-after 1 \
	    --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr kc get configmaps -o name
	assert_success
	assert_output configmap/kube-root-ca.crt
	run grep -c ' GET /api/v1/namespaces/default/configmaps?limit=500 ' "$SIM/requests.log"
	assert_output 2
	run grep -c ' 429$' "$SIM/requests.log"
	assert_output 1

	SIM="$TMP/c2"
	sim_start "$SIM" --fail 503 --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr kc get configmaps
	assert_failure 1
	[ "$stderr" = "Error from server (ServiceUnavailable): the server is currently unable to handle the request" ]
	run grep -c ' 503$' "$SIM/requests.log"
	assert_output 1
}

@test "simcluster: stalled responses run into kubectl's request timeout" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --stall 3 --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr kc get configmaps --request-timeout=1s
	assert_failure 1
	[[ "$stderr" == *"Client.Timeout exceeded"* || "$stderr" == *"context deadline exceeded"* ]]
	run --separate-stderr kc get namespaces -o name
	assert_success
}

@test "simcluster: dropped watches lose their final chunk; kubectl wait re-watches" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --drop-watch-after 1
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: "0"}\n' | kc apply -f -
	run raw "$SIM" GET "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0"
	assert_line -n 0 200
	assert_equal "${#lines[@]}" 3
	assert_line -n 1 --regexp '^\{"type":"ADDED",'
	assert_line -n 2 "<dropped>"
	kc wait --for=jsonpath='{.data.k}'=3 cm/a --timeout=20s >"$TMP/wait.out" 2>&1 3>&- &
	waiter=$!
	for k in 1 2 3; do
		sleep 0.4
		kc patch cm a --type=merge -p "{\"data\":{\"k\":\"$k\"}}"
	done
	wait "$waiter"
	run cat "$TMP/wait.out"
	assert_output "configmap/a condition met"
	run grep -c 'watch=true' "$SIM/requests.log"
	[ "$output" -ge 2 ]
}

@test "simcluster: a restart drops connections and keeps state and port" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --restart-after 1.5 --restart-downtime 0.5
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept}\n' | kc apply -f -
	port="$(cat "$SIM/port")"
	run raw "$SIM" GET "/api/v1/namespaces/default/configmaps?watch=1"
	assert_line -n 0 200
	assert_line "<dropped>"
	run --separate-stderr kc get configmap kept -o name
	if [ "$status" -ne 0 ]; then
		# Still down: the downtime is half a second.
		sleep 1
		run --separate-stderr kc get configmap kept -o name
	fi
	assert_output configmap/kept
	[ "$(cat "$SIM/port")" = "$port" ]
}

@test "simcluster: two clusters run at once with their own names and kube-system UIDs" {
	need_kubectl
	sim_start "$TMP/east" --name east
	sim_start "$TMP/west" --name west
	SIM="$TMP/east"
	east_uid="$(kc get ns kube-system -o jsonpath='{.metadata.uid}')"
	SIM="$TMP/west"
	west_uid="$(kc get ns kube-system -o jsonpath='{.metadata.uid}')"
	[ -n "$east_uid" ] && [ -n "$west_uid" ] && [ "$east_uid" != "$west_uid" ]
	assert_equal "$east_uid" "$(cat "$TMP/east/kube-system-uid")"
	run --separate-stderr env KUBECONFIG="$TMP/east/kubeconfig:$TMP/west/kubeconfig" \
	    timeout 30 kubectl config get-contexts -o name
	assert_output "$(printf 'east\neast-cert\nwest\nwest-cert')"
	run --separate-stderr env KUBECONFIG="$TMP/east/kubeconfig:$TMP/west/kubeconfig" \
	    timeout 30 kubectl --context west get nodes -o name
	assert_output node/west-node-1
}

@test "simcluster: server-side apply takes plain YAML and requires a field manager" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/apply.yaml" <<-'EOF'
	# Block YAML, as a client without a JSON encoder sends it.
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: mesh
	  labels:
	    topology.istio.io/network: network1
	data:
	  mesh: |
	    defaultConfig:
	      proxyMetadata: {}
	  enabled: "true"
	EOF
	path=/api/v1/namespaces/default/configmaps/mesh
	run raw "$SIM" PATCH "$path?fieldManager=mesh-test" token application/apply-patch+yaml "$TMP/apply.yaml"
	assert_line -n 0 201
	assert_line -n 1 --partial '"labels":{"topology.istio.io/network":"network1"}'
	assert_line -n 1 --partial '"data":{"mesh":"defaultConfig:\n  proxyMetadata: {}\n","enabled":"true"}'
	assert_line -n 1 --partial '"manager":"mesh-test","operation":"Apply"'
	run raw "$SIM" PATCH "$path?fieldManager=mesh-test" token application/apply-patch+yaml "$TMP/apply.yaml"
	assert_line -n 0 200
	run raw "$SIM" PATCH "$path" token application/apply-patch+yaml "$TMP/apply.yaml"
	assert_line -n 0 422
	assert_line -n 1 --partial '"message":"PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch","reason":"Invalid"'
}
