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

@test "simcluster: Jobs run pods to completion; kubectl wait --for=condition=complete" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/job.yaml" <<-'EOF'
	apiVersion: batch/v1
	kind: Job
	metadata: {name: migrate}
	spec:
	  completions: 2
	  template:
	    spec:
	      restartPolicy: Never
	      containers:
	      - {name: main, image: busybox}
	EOF
	run --separate-stderr kc apply -f "$TMP/job.yaml"
	assert_output "job.batch/migrate created"
	uid="$(kc get job migrate -o jsonpath='{.metadata.uid}')"
	run --separate-stderr kc get job migrate -o jsonpath='{.spec.parallelism} {.spec.backoffLimit} {.spec.selector.matchLabels} {.spec.template.metadata.labels.job-name} {.metadata.labels.controller-uid}'
	assert_output "1 6 {\"batch.kubernetes.io/controller-uid\":\"$uid\"} migrate $uid"
	run --separate-stderr kc wait --for=condition=complete job/migrate --timeout=15s
	assert_output "job.batch/migrate condition met"
	run --separate-stderr kc get job migrate -o jsonpath='{.status.succeeded} {.status.ready} {.status.conditions[*].type} {.status.conditions[1].reason}: {.status.conditions[1].message}'
	assert_output "2 0 SuccessCriteriaMet Complete CompletionsReached: Reached expected number of succeeded pods"
	run --separate-stderr kc get job migrate -o jsonpath='{.status.startTime} {.status.completionTime}'
	assert_output --regexp '^[0-9TZ:-]{20} [0-9TZ:-]{20}$'
	run --separate-stderr kc get job migrate --no-headers
	assert_output --regexp '^migrate +Complete +2/2 +[0-9]+s +[0-9]+s$'
	run --separate-stderr kc get pods -l job-name=migrate --no-headers
	assert_equal "${#lines[@]}" 2
	assert_line -n 0 --regexp '^migrate-[a-z0-9]{5} +0/1 +Completed +0 +'
	assert_line -n 1 --regexp '^migrate-[a-z0-9]{5} +0/1 +Completed +0 +'
	run --separate-stderr kc get pods -l job-name=migrate -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].apiVersion} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].controller} {.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode} {.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}'
	assert_output "$(printf 'batch/v1 Job true Succeeded Completed 0 PodCompleted\nbatch/v1 Job true Succeeded Completed 0 PodCompleted')"
	# The server refuses pods that would restart for ever.
	printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: forever}\nspec:\n  template:\n    spec:\n      containers: [{name: main, image: busybox}]\n' >"$TMP/forever.yaml"
	run --separate-stderr kc apply -f "$TMP/forever.yaml"
	assert_failure 1
	[ "$stderr" = 'The Job "forever" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"' ]
}

@test "simcluster: a failing Job is retried up to backoffLimit, then Failed" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/jobs.yaml" <<-'EOF'
	apiVersion: batch/v1
	kind: Job
	metadata: {name: broken}
	spec:
	  backoffLimit: 1
	  template:
	    metadata:
	      annotations: {simcluster.meshline.io/exit-code: "3"}
	    spec:
	      restartPolicy: Never
	      containers:
	      - {name: main, image: busybox}
	---
	apiVersion: batch/v1
	kind: Job
	metadata: {name: restarts}
	spec:
	  backoffLimit: 2
	  template:
	    metadata:
	      annotations: {simcluster.meshline.io/exit-code: "2"}
	    spec:
	      restartPolicy: OnFailure
	      containers:
	      - {name: main, image: busybox}
	EOF
	kc apply -f "$TMP/jobs.yaml"
	run --separate-stderr kc wait --for=condition=failed job/broken job/restarts --timeout=15s
	assert_success
	assert_line "job.batch/broken condition met"
	assert_line "job.batch/restarts condition met"
	run --separate-stderr kc get job broken -o jsonpath='{.status.failed} {.status.conditions[*].type} {.status.conditions[1].reason}: {.status.conditions[1].message}'
	assert_output "2 FailureTarget Failed BackoffLimitExceeded: Job has reached the specified backoff limit"
	run --separate-stderr kc get job broken --no-headers
	assert_output --regexp '^broken +Failed +0/1 +'
	# Each failed pod was replaced until failures passed the limit.
	run --separate-stderr kc get pods -l job-name=broken -o jsonpath='{range .items[*]}{.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode} {.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}'
	assert_output "$(printf 'Failed Error 3 PodFailed\nFailed Error 3 PodFailed')"
	run --separate-stderr kc get pods -l job-name=broken --no-headers
	assert_line -n 0 --regexp '^broken-[a-z0-9]{5} +0/1 +Error +0 +'
	# With OnFailure the container restarts in place until the restarts
	# reach the limit; then the pod is deleted and counted as failed.
	run --separate-stderr kc get job restarts -o jsonpath='{.status.failed} {.status.ready} {.status.conditions[1].reason}'
	assert_output "1 0 BackoffLimitExceeded"
	run --separate-stderr kc get pods -l job-name=restarts -o name
	assert_output ""
}

@test "simcluster: PersistentVolumeClaims bind after --pvc-delay, unless never-bind" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --pvc-delay 2
	cat >"$TMP/pvc.yaml" <<-'EOF'
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: data}
	spec:
	  accessModes: [ReadWriteOnce, ReadOnlyMany]
	  resources: {requests: {storage: 1Gi}}
	---
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata:
	  name: unbound
	  annotations: {simcluster.meshline.io/never-bind: "true"}
	spec:
	  accessModes: [ReadWriteOnce]
	  resources: {requests: {storage: 5Gi}}
	EOF
	kc apply -f "$TMP/pvc.yaml"
	run --separate-stderr kc get pvc data -o jsonpath='{.status.phase} {.spec.volumeMode} {.metadata.finalizers}'
	assert_output 'Pending Filesystem ["kubernetes.io/pvc-protection"]'
	run --separate-stderr kc wait --for=jsonpath='{.status.phase}'=Bound pvc/data --timeout=10s
	assert_output "persistentvolumeclaim/data condition met"
	uid="$(kc get pvc data -o jsonpath='{.metadata.uid}')"
	run --separate-stderr kc get pvc data -o jsonpath='{.spec.volumeName} {.status.capacity.storage} {.status.accessModes[*]}'
	assert_output "pvc-$uid 1Gi ReadWriteOnce ReadOnlyMany"
	run --separate-stderr kc get pvc --no-headers
	assert_line -n 0 --regexp "^data +Bound +pvc-$uid +1Gi +RWO,ROX +<unset> +<unset> +[0-9]+s$"
	assert_line -n 1 --regexp '^unbound +Pending +<unset> +<unset> +[0-9]+s$'
	kc annotate pvc unbound simcluster.meshline.io/never-bind-
	run --separate-stderr kc wait --for=jsonpath='{.status.phase}'=Bound pvc/unbound --timeout=10s
	assert_output "persistentvolumeclaim/unbound condition met"
	run --separate-stderr kc delete pvc data unbound
	assert_output "$(printf 'persistentvolumeclaim "data" deleted\npersistentvolumeclaim "unbound" deleted')"
	printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec: {resources: {requests: {}}}\n' >"$TMP/bad.yaml"
	run --separate-stderr kc apply -f "$TMP/bad.yaml"
	assert_failure 1
	[ "$stderr" = "$(printf '%s\n' 'The PersistentVolumeClaim "bad" is invalid: ' \
	    '* spec.accessModes: Required value: at least 1 access mode is required' \
	    '* spec.resources[storage]: Required value')" ]
}

@test "simcluster: APIServices: Local at once, a service's after --crd-delay, or FailedDiscoveryCheck" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --crd-delay 3
	run --separate-stderr kc get apiservice v1. v1.batch -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[0].status} {.status.conditions[0].reason}: {.status.conditions[0].message}{"\n"}{end}'
	assert_output "$(printf 'v1. True Local: Local APIServices are always available\nv1.batch True Local: Local APIServices are always available')"
	cat >"$TMP/api.yaml" <<-'EOF'
	apiVersion: v1
	kind: Service
	metadata: {name: metrics-server, namespace: kube-system}
	spec:
	  ports: [{name: https, port: 443, targetPort: 10250}]
	---
	apiVersion: apiregistration.k8s.io/v1
	kind: APIService
	metadata: {name: v1beta1.metrics.k8s.io}
	spec:
	  group: metrics.k8s.io
	  version: v1beta1
	  groupPriorityMinimum: 100
	  versionPriority: 100
	  insecureSkipTLSVerify: true
	  service: {name: metrics-server, namespace: kube-system}
	---
	apiVersion: apiregistration.k8s.io/v1
	kind: APIService
	metadata:
	  name: v1beta1.custom.metrics.k8s.io
	  annotations: {simcluster.meshline.io/never-available: "true"}
	spec:
	  group: custom.metrics.k8s.io
	  version: v1beta1
	  groupPriorityMinimum: 100
	  versionPriority: 100
	  insecureSkipTLSVerify: true
	  service: {name: metrics-server, namespace: kube-system}
	EOF
	kc apply -f "$TMP/api.yaml"
	run --separate-stderr kc get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.spec.service.port} {.status.conditions[0].status} {.status.conditions[0].reason}: {.status.conditions[0].message}'
	assert_output '443 False MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"'
	run --separate-stderr kc wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=10s
	assert_output "apiservice.apiregistration.k8s.io/v1beta1.metrics.k8s.io condition met"
	run --separate-stderr kc get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[0].reason}: {.status.conditions[0].message}'
	assert_output "Passed: all checks passed"
	run --separate-stderr kc wait --for=jsonpath='{.status.conditions[0].reason}'=FailedDiscoveryCheck apiservice/v1beta1.custom.metrics.k8s.io --timeout=10s
	assert_success
	ip="$(kc get svc -n kube-system metrics-server -o jsonpath='{.spec.clusterIP}')"
	url="https://$ip:443/apis/custom.metrics.k8s.io/v1beta1"
	run --separate-stderr kc get apiservice v1beta1.custom.metrics.k8s.io -o jsonpath='{.status.conditions[0].status} {.status.conditions[0].message}'
	assert_output "False failing or missing response from $url: Get \"$url\": dial tcp $ip:443: connect: connection refused"
	run --separate-stderr kc wait --for=condition=Available apiservice/v1beta1.custom.metrics.k8s.io --timeout=1s
	assert_failure 1
	[ "$stderr" = "error: timed out waiting for the condition on apiservices/v1beta1.custom.metrics.k8s.io" ]
	run --separate-stderr kc get apiservices --no-headers
	assert_line --regexp '^v1beta1\.custom\.metrics\.k8s\.io +kube-system/metrics-server +False \(FailedDiscoveryCheck\) +[0-9]+s$'
	assert_line --regexp '^v1beta1\.metrics\.k8s\.io +kube-system/metrics-server +True +[0-9]+s$'
	assert_line --regexp '^v1\.apps +Local +True +[0-9]+s$'
	kc annotate apiservice v1beta1.custom.metrics.k8s.io simcluster.meshline.io/never-available-
	run --separate-stderr kc wait --for=condition=Available apiservice/v1beta1.custom.metrics.k8s.io --timeout=10s
	assert_success
	printf 'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: wrong}\nspec: {group: a.example.com, version: v1, groupPriorityMinimum: 100, versionPriority: 10}\n' >"$TMP/bad.yaml"
	run --separate-stderr kc apply -f "$TMP/bad.yaml"
	assert_failure 1
	[ "$stderr" = 'The APIService "wrong" is invalid: metadata.name: Invalid value: "wrong": must be `spec.version+"."+spec.group`: "v1.a.example.com"' ]
}

@test "simcluster: webhook configurations get their caBundle after --webhook-delay, unless ca-bundle: never" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --webhook-delay 3
	rv="$(kc get --raw /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')"
	cat >"$TMP/webhooks.yaml" <<-'EOF'
	apiVersion: admissionregistration.k8s.io/v1
	kind: MutatingWebhookConfiguration
	metadata: {name: istio-sidecar-injector}
	webhooks:
	- name: rev.namespace.sidecar-injector.istio.io
	  admissionReviewVersions: [v1]
	  sideEffects: None
	  clientConfig:
	    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
	- name: rev.object.sidecar-injector.istio.io
	  admissionReviewVersions: [v1]
	  sideEffects: None
	  clientConfig:
	    caBundle: Y2E=
	    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
	---
	apiVersion: admissionregistration.k8s.io/v1
	kind: ValidatingWebhookConfiguration
	metadata: {name: istio-validator-istio-system}
	webhooks:
	- name: rev.validation.istio.io
	  admissionReviewVersions: [v1]
	  sideEffects: None
	  clientConfig:
	    service: {name: istiod, namespace: istio-system, path: /validate, port: 443}
	---
	apiVersion: admissionregistration.k8s.io/v1
	kind: ValidatingWebhookConfiguration
	metadata:
	  name: unmanaged
	  annotations: {simcluster.meshline.io/ca-bundle: never}
	webhooks:
	- name: check.example.com
	  admissionReviewVersions: [v1]
	  sideEffects: None
	  clientConfig:
	    service: {name: checker, namespace: default}
	EOF
	kc apply -f "$TMP/webhooks.yaml"
	run --separate-stderr kc get mutatingwebhookconfiguration istio-sidecar-injector -o jsonpath='{.metadata.generation} [{.webhooks[0].clientConfig.caBundle}]'
	assert_output "1 []"
	run --separate-stderr kc wait --for=jsonpath='{.webhooks[0].clientConfig.caBundle}' mutatingwebhookconfiguration/istio-sidecar-injector validatingwebhookconfiguration/istio-validator-istio-system --timeout=10s
	assert_success
	ca="$(base64 -w0 <"$SIM/ca.crt")"
	run --separate-stderr kc get mutatingwebhookconfiguration istio-sidecar-injector -o jsonpath='{.metadata.generation} {.webhooks[0].clientConfig.caBundle} {.webhooks[1].clientConfig.caBundle}'
	assert_output "2 $ca Y2E="
	run --separate-stderr kc get validatingwebhookconfiguration istio-validator-istio-system -o jsonpath='{.webhooks[0].clientConfig.caBundle}'
	assert_output "$ca"
	run --separate-stderr kc get validatingwebhookconfiguration unmanaged -o jsonpath='{.metadata.generation} [{.webhooks[0].clientConfig.caBundle}]'
	assert_output "1 []"
	# Watchers see the fill as a MODIFIED event.
	run --separate-stderr kc get --raw "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?watch=1&resourceVersion=$rv&timeoutSeconds=1"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line -n 0 --regexp '^\{"type":"ADDED","object":\{"kind":"MutatingWebhookConfiguration",.*"name":"istio-sidecar-injector",'
	assert_line -n 1 --regexp "^\\{\"type\":\"MODIFIED\",.*\"caBundle\":\"$ca\""
}

@test "simcluster: pods in injection namespaces get istio-proxy once the injector webhook has its caBundle" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM" --webhook-delay 3
	cat >"$TMP/setup.yaml" <<-'EOF'
	apiVersion: v1
	kind: Namespace
	metadata:
	  name: shop
	  labels: {istio-injection: enabled}
	---
	apiVersion: v1
	kind: Namespace
	metadata:
	  name: canary
	  labels: {istio.io/rev: 1-30}
	---
	apiVersion: v1
	kind: Namespace
	metadata: {name: plain}
	---
	apiVersion: admissionregistration.k8s.io/v1
	kind: MutatingWebhookConfiguration
	metadata: {name: istio-sidecar-injector}
	webhooks:
	- name: rev.namespace.sidecar-injector.istio.io
	  admissionReviewVersions: [v1]
	  sideEffects: None
	  clientConfig:
	    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
	EOF
	kc apply -f "$TMP/setup.yaml"
	pod() { # NAME NAMESPACE [LABELS]
		printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s, labels: {%s}}\nspec:\n  containers: [{name: app, image: example/app:1}]\n---\n' "$@"
	}
	# Until istiod has patched its webhook, nothing is injected.
	pod early shop | kc apply -f -
	run --separate-stderr kc get pod early -n shop -o jsonpath='{.spec.containers[*].name}'
	assert_output app
	kc wait --for=jsonpath='{.webhooks[0].clientConfig.caBundle}' mutatingwebhookconfiguration/istio-sidecar-injector --timeout=10s
	{
		pod late shop
		pod optout shop 'sidecar.istio.io/inject: "false"'
		pod rev canary
		pod plain plain
	} >"$TMP/pods.yaml"
	cat >>"$TMP/pods.yaml" <<-'EOF'
	apiVersion: apps/v1
	kind: Deployment
	metadata: {name: web, namespace: shop}
	spec:
	  replicas: 2
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: web}
	    spec:
	      containers:
	      - {name: app, image: example/app:1}
	EOF
	kc apply -f "$TMP/pods.yaml"
	run --separate-stderr kc rollout status -n shop deployment/web --timeout=10s
	assert_success
	run --separate-stderr kc get pods -n shop -l app=web --no-headers
	assert_equal "${#lines[@]}" 2
	assert_line -n 0 --regexp '^web-[a-z0-9]+-[a-z0-9]{5} +2/2 +Running +0 +'
	assert_line -n 1 --regexp '^web-[a-z0-9]+-[a-z0-9]{5} +2/2 +Running +0 +'
	run --separate-stderr kc get pod late -n shop -o jsonpath='{.spec.initContainers[*].name} {.spec.containers[*].name} {.spec.containers[1].image} {.spec.containers[1].args} {.metadata.labels.security\.istio\.io/tlsMode}'
	assert_output 'istio-init app istio-proxy docker.io/istio/proxyv2:1.30.3 ["proxy","sidecar"] istio'
	run --separate-stderr kc get pod late -n shop -o jsonpath='{.metadata.annotations.sidecar\.istio\.io/status}'
	assert_output '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}'
	run --separate-stderr kc get pod rev -n canary -o jsonpath='{.spec.containers[*].name} {.metadata.annotations.istio\.io/rev}'
	assert_output "app istio-proxy 1-30"
	run --separate-stderr kc get pod optout -n shop -o jsonpath='{.spec.containers[*].name}'
	assert_output app
	run --separate-stderr kc get pod plain -n plain -o jsonpath='{.spec.containers[*].name}'
	assert_output app
	# As on a real mesh, a Job's pod whose sidecar keeps running never
	# completes.
	printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: shop}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: main, image: busybox}]\n' |
	    kc apply -f -
	kc wait -n shop --for=jsonpath='{.status.active}'=1 job/once --timeout=10s
	run --separate-stderr kc wait -n shop --for=jsonpath='{.status.containerStatuses[0].state.terminated.reason}'=Completed pod -l job-name=once --timeout=10s
	assert_success
	run --separate-stderr kc get pods -n shop -l job-name=once --no-headers
	assert_output --regexp '^once-[a-z0-9]{5} +1/2 +NotReady +0 +'
	run --separate-stderr kc get job -n shop once -o jsonpath='{.status.active} {.status.conditions}'
	assert_output "1 "
}

@test "simcluster: container-state makes a container wait as the kubelet reports it" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	for state in ImagePullBackOff ErrImagePull CrashLoopBackOff CreateContainerConfigError; do
		cat <<-EOF
		apiVersion: v1
		kind: Pod
		metadata:
		  name: ${state,,}
		  annotations:
		    simcluster.meshline.io/container-state: $state
		    simcluster.meshline.io/container: app
		spec:
		  containers:
		  - {name: helper, image: busybox:1.36}
		  - name: app
		    image: example/app:nosuch
		    envFrom: [{secretRef: {name: app-creds}}]
		---
		EOF
	done >"$TMP/pods.yaml"
	kc apply -f "$TMP/pods.yaml"
	kc wait --for=jsonpath='{.status.podIP}' pod/imagepullbackoff pod/errimagepull pod/crashloopbackoff pod/createcontainerconfigerror --timeout=10s
	waiting='{.status.phase} {.status.containerStatuses[?(@.name=="app")].state.waiting.reason}: {.status.containerStatuses[?(@.name=="app")].state.waiting.message}'
	run --separate-stderr kc get pod imagepullbackoff -o jsonpath="$waiting"
	assert_output 'Pending ImagePullBackOff: Back-off pulling image "example/app:nosuch"'
	run --separate-stderr kc get pod errimagepull -o jsonpath="$waiting"
	assert_output 'Pending ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/example/app:nosuch": failed to resolve reference "docker.io/example/app:nosuch": docker.io/example/app:nosuch: not found'
	run --separate-stderr kc get pod createcontainerconfigerror -o jsonpath="$waiting"
	assert_output 'Pending CreateContainerConfigError: secret "app-creds" not found'
	uid="$(kc get pod crashloopbackoff -o jsonpath='{.metadata.uid}')"
	run --separate-stderr kc get pod crashloopbackoff -o jsonpath="$waiting"
	assert_output "Running CrashLoopBackOff: back-off 10s restarting failed container=app pod=crashloopbackoff_default($uid)"
	run --separate-stderr kc get pod crashloopbackoff -o jsonpath='{.status.containerStatuses[1].lastState.terminated.exitCode} {.status.containerStatuses[1].lastState.terminated.reason} {.status.containerStatuses[1].restartCount}'
	assert_output "1 Error 1"
	# The other container runs; the pod is not ready.
	run --separate-stderr kc get pod errimagepull -o jsonpath='{.status.containerStatuses[0].ready} {.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason}: {.status.conditions[?(@.type=="ContainersReady")].message}'
	assert_output "true False ContainersNotReady: containers with unready status: [app]"
	run --separate-stderr kc get pods --no-headers
	assert_line -n 0 --regexp '^crashloopbackoff +1/2 +CrashLoopBackOff +1 \([0-9]+s ago\) +'
	assert_line -n 1 --regexp '^createcontainerconfigerror +1/2 +CreateContainerConfigError +0 +'
	assert_line -n 2 --regexp '^errimagepull +1/2 +ErrImagePull +0 +'
	assert_line -n 3 --regexp '^imagepullbackoff +1/2 +ImagePullBackOff +0 +'
	run --separate-stderr kc wait --for=condition=Ready pod/imagepullbackoff --timeout=1s
	assert_failure 1
}

@test "simcluster: a stuck Deployment exceeds its progress deadline; kubectl rollout status fails" {
	need_kubectl
	SIM="$TMP/c1"
	sim_start "$SIM"
	cat >"$TMP/stuck.yaml" <<-'EOF'
	apiVersion: apps/v1
	kind: Deployment
	metadata: {name: stuck}
	spec:
	  progressDeadlineSeconds: 1
	  selector:
	    matchLabels: {app: stuck}
	  template:
	    metadata:
	      labels: {app: stuck}
	      annotations: {simcluster.meshline.io/container-state: ImagePullBackOff}
	    spec:
	      containers:
	      - {name: app, image: example/app:nosuch}
	EOF
	kc apply -f "$TMP/stuck.yaml"
	run --separate-stderr kc rollout status deployment/stuck --timeout=20s
	assert_failure 1
	[ "$stderr" = 'error: deployment "stuck" exceeded its progress deadline' ]
	rs="$(kc get rs -l app=stuck -o jsonpath='{.items[0].metadata.name}')"
	run --separate-stderr kc get deployment stuck -o jsonpath='{.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason}: {.status.conditions[?(@.type=="Progressing")].message}'
	assert_output "False ProgressDeadlineExceeded: ReplicaSet \"$rs\" has timed out progressing."
	# It stays so ...
	sleep 1
	run --separate-stderr kc get deployment stuck -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}'
	assert_output ProgressDeadlineExceeded
	# ... until a fixed template rolls out.
	kc patch deployment stuck --type=json -p '[{"op":"remove","path":"/spec/template/metadata/annotations"}]'
	run --separate-stderr kc rollout status deployment/stuck --timeout=20s
	assert_success
	assert_line 'deployment "stuck" successfully rolled out'
	run --separate-stderr kc get deployment stuck -o jsonpath='{.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason}'
	assert_output "True NewReplicaSetAvailable"
}

@test "simcluster: --event-log has every stored event, with its time and resourceVersion" {
	SIM="$TMP/c1"
	before="$(date +%s%3N)"
	sim_start "$SIM" --event-log "$TMP/events.log" --pod-delay 0.5
	# The initial objects are there too.
	grep -qE '^[0-9]{13} ADDED core/namespaces /kube-system [0-9]+$' "$TMP/events.log"
	grep -qE '^[0-9]{13} ADDED core/serviceaccounts default/default [0-9]+$' "$TMP/events.log"
	printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"busybox"}]}}\n' >"$TMP/pod.json"
	run raw "$SIM" POST /api/v1/namespaces/default/pods token application/json "$TMP/pod.json"
	assert_line -n 0 201
	rv="$(printf '%s\n' "${lines[1]}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')"
	# Running and Ready after --pod-delay: one MODIFIED.
	for ((i = 0; i < 100; i++)); do
		grep -q ' MODIFIED core/pods default/p ' "$TMP/events.log" && break
		sleep 0.05
	done
	run raw "$SIM" DELETE /api/v1/namespaces/default/pods/p
	assert_line -n 0 200
	after="$(date +%s%3N)"
	run grep ' core/pods default/p ' "$TMP/events.log"
	assert_equal "${#lines[@]}" 3
	read -r t1 type1 _ _ rv1 <<<"${lines[0]}"
	read -r t2 type2 _ _ rv2 <<<"${lines[1]}"
	read -r t3 type3 _ _ rv3 <<<"${lines[2]}"
	assert_equal "$type1 $type2 $type3" "ADDED MODIFIED DELETED"
	assert_equal "$rv1" "$rv"
	((rv1 < rv2 && rv2 < rv3))
	((before <= t1 && t1 <= t2 && t2 <= t3 && t3 <= after))
	((t2 - t1 >= 500 && t2 - t1 < 5000))
	# One line per event: resourceVersions 2, 3, ... with none left out.
	run awk '$5 != NR + 1 { bad++ } END { print bad + 0 }' "$TMP/events.log"
	assert_output 0
}
