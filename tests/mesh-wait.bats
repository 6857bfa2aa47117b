#!/usr/bin/env bats
# mesh-wait against simulated clusters: every --for, every kind's idea of
# ready, objects that come later, several clusters at once, the faults the
# simulated cluster injects, fail-fast, the timeout report and outputs.
# Objects are made with our own test client (build/unit/kube_driver), so
# no kubectl is needed; the tests that use kubectl say so and skip
# without it.

load helpers/common
load helpers/simcluster

# The timeout of the waits that are meant to time out: long enough for
# discovery (make check-valgrind makes it longer), short for the suite.
T="${MESH_WAIT_TIMEOUT:-1s}"

# mesh-wait, through $MESH_TEST_WRAPPER, bounded in time.
mesh-wait() {
	# shellcheck disable=SC2086
	timeout 120 ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/mesh-wait" "$@"
}

# kd ARGS...: make, change and delete objects.
kd() {
	timeout 60 "$MESH_BUILD/unit/kube_driver" "$@" >/dev/null
}

# later SECONDS ARGS...: kd ARGS after SECONDS, in the background;
# settle waits for it (a bare wait would wait for the clusters too).
LATER=()
later() {
	local s="$1"
	shift
	(sleep "$s"; kd "$@") 3>&- &
	LATER+=("$!")
}
settle() {
	local pid
	for pid in "${LATER[@]}"; do
		wait "$pid" || true
	done
	LATER=()
}

# one cluster, the current one
one_cluster() {
	SIM="$TMP/c1"
	sim_start "$SIM" --name c1 "$@"
	export KUBECONFIG="$SIM/kubeconfig"
}

# deployment NAME [REPLICAS] [NAMESPACE] [POD-ANNOTATIONS] [SPEC-LINES]
deployment() {
	cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
  namespace: ${3:-default}
  labels: {tier: web}
spec:
  replicas: ${2:-1}
${5:-}
  selector: {matchLabels: {app: $1}}
  template:
    metadata:
      labels: {app: $1}
      annotations: {${4:-}}
    spec:
      containers: [{name: main, image: "example.com/$1:1"}]
EOF
}

# lines FILE PATTERN: how many request log lines match
lines() {
	grep -c -- "$2" "$1" || true
}

# logged FILE PATTERN: wait (5 s at most) for a request log line; a watch
# is logged when the server notices its client has gone
logged() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.05
	done
	return 1
}

@test "mesh-wait: kubectl's -o name lines on stdin, waited for until rolled out" {
	one_cluster --pod-delay 0.5
	deployment web 2 > "$TMP/web.yaml"
	kd apply "$TMP/web.yaml"
	run --separate-stderr -0 mesh-wait <<< 'deployment.apps/web'
	[ "$output" = "deployment.apps/web condition met" ]
	[ -z "$stderr" ]
	run --separate-stderr -0 mesh-wait deploy/web -o jsonpath='{.status.availableReplicas}/{.spec.replicas}'
	[ "$output" = "2/2" ]
}

@test "mesh-wait: an object made after it starts is waited for, with one list and one watch" {
	one_cluster --bookmark-interval 0.2
	deployment web 1 > "$TMP/web.yaml"
	: > "$SIM/requests.log"
	log="$SIM/requests.log"
	mesh-wait deployment/web -o name > "$TMP/out" 2> "$TMP/err" 3>&- &
	mw=$!
	# made once it has listed, so that only the watch can see it
	logged "$log" 'GET /apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dweb 200'
	kd apply "$TMP/web.yaml"
	wait "$mw"
	[ "$(cat "$TMP/out")" = "deployment.apps/web" ]
	[ ! -s "$TMP/err" ]
	logged "$log" 'deployments?allowWatchBookmarks=true'
	# the one object is listed by name, watched from the list's version
	[ "$(lines "$log" 'GET /apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dweb ')" = 1 ]
	[ "$(lines "$log" 'GET /apis/apps/v1/namespaces/default/deployments?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dweb&resourceVersion=[0-9]*&timeoutSeconds=[0-9]*&watch=true ')" = 1 ]
	# never a GET of the object itself, never a poll
	[ "$(lines "$log" 'GET /apis/apps/v1/namespaces/default/deployments/web')" = 0 ]
}

@test "mesh-wait: types resolve as kubectl resolves them: short names, plurals, kinds, kind.group" {
	one_cluster --istio-crds
	deployment web > "$TMP/web.yaml"
	kd apply "$TMP/web.yaml"
	for t in deploy/web deployment/web deployments/web Deployment/web \
	    deployment.apps/web deployments.v1.apps/web svc/kubernetes \
	    service/kubernetes ns/default crd/gateways.networking.istio.io; do
		run --separate-stderr -0 mesh-wait "$t" -o name
		[ -z "$stderr" ]
		case $t in
		*/web) [ "$output" = "deployment.apps/web" ] ;;
		*/kubernetes) [ "$output" = "service/kubernetes" ] ;;
		ns/*) [ "$output" = "namespace/default" ] ;;
		crd/*) [ "$output" = "customresourcedefinition.apiextensions.k8s.io/gateways.networking.istio.io" ] ;;
		esac
	done
	# TYPE NAME..., as kubectl takes it
	run --separate-stderr -0 mesh-wait deploy web -o name
	[ "$output" = "deployment.apps/web" ]
	# a type of a CRD, by its group and by its short name
	run --separate-stderr -3 mesh-wait gateways.networking.istio.io/x gw/y --timeout "$T"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: gateway/x (default): timed out after $T: not there yet
mesh-wait: gateway/y (default): timed out after $T: not there yet" ]
	run --separate-stderr -2 mesh-wait nosuch/web
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: the server of context c1 has no resource type 'nosuch'" ]
}

@test "mesh-wait: -l and --all wait for every object selected, -A in every namespace" {
	one_cluster
	for ns in a b; do
		printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$ns" > "$TMP/ns.yaml"
		kd apply "$TMP/ns.yaml"
		deployment "web-$ns" 1 "$ns" > "$TMP/web.yaml"
		kd apply "$TMP/web.yaml"
	done
	deployment never 1 b 'simcluster.meshline.io/never-ready: "true"' |
	    sed 's/tier: web/tier: never/' > "$TMP/never.yaml"
	kd apply "$TMP/never.yaml"
	run --separate-stderr -0 mesh-wait deploy -l tier=web -A -o name
	[ "$output" = "deployment.apps/web-a
deployment.apps/web-b" ]
	run --separate-stderr -0 mesh-wait deployments --all -n a -o name
	[ "$output" = "deployment.apps/web-a" ]
	# the selection fails when one of it is not ready
	run --separate-stderr -3 mesh-wait deploy --all -n b --timeout "$T"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: deployment -l '' (b): timed out after $T: 1/2 ready; never: 0/1 replicas available" ]
	# nothing selected yet is waited for
	run --separate-stderr -3 mesh-wait deploy -l tier=nothing -A --timeout "$T"
	[ "$stderr" = "mesh-wait: deployment -l 'tier=nothing' (all namespaces): timed out after $T: nothing matches yet" ]
}

@test "mesh-wait: YAML and JSON streams, a v1 List and -f files name objects in their namespace or -n's" {
	one_cluster
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n' > "$TMP/ns.yaml"
	kd apply "$TMP/ns.yaml"
	deployment one 1 apps > "$TMP/one.yaml"
	deployment two 1 apps > "$TMP/two.yaml"
	kd apply "$TMP/one.yaml"
	kd apply "$TMP/two.yaml"
	# a document without a namespace takes -n's
	sed '/namespace:/d' "$TMP/two.yaml" > "$TMP/two-nons.yaml"
	{ cat "$TMP/one.yaml"; echo ---; cat "$TMP/two-nons.yaml"; } > "$TMP/both.yaml"
	run --separate-stderr -0 mesh-wait -n apps -o name < "$TMP/both.yaml"
	[ "$output" = "deployment.apps/one
deployment.apps/two" ]
	# the same as JSON, as a v1 List (kubectl get -o json), from -f
	"$PYTHON" -c 'import sys, yaml, json
docs = list(yaml.safe_load_all(open(sys.argv[1])))
for d in docs: d["metadata"]["namespace"] = "apps"
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))' "$TMP/both.yaml" > "$TMP/list.json"
	run --separate-stderr -0 mesh-wait -f "$TMP/list.json" -o name
	[ "$output" = "deployment.apps/one
deployment.apps/two" ]
	# a document that names nothing is an error with its place
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n' > "$TMP/gen.yaml"
	run --separate-stderr -1 mesh-wait -f "$TMP/gen.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: $TMP/gen.yaml:1:1: ConfigMap has no metadata.name (the server makes one from generateName: wait for what kubectl create -o name prints)" ]
	run --separate-stderr -1 mesh-wait <<< 'just: a mapping'
	[ "$stderr" = "mesh-wait: <stdin>:1:1: document has no apiVersion: it names no object to wait for" ]
}

@test "mesh-wait: documents annotated meshline.io/context are waited for in their clusters, at once" {
	sim_start "$TMP/c1" --name c1 --pod-delay 1
	sim_start "$TMP/c2" --name c2 --pod-delay 1
	export KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig"
	deployment istiod 1 > "$TMP/d.yaml"
	kd --context c1 apply "$TMP/d.yaml"
	kd --context c2 apply "$TMP/d.yaml"
	deployment other 1 > "$TMP/o.yaml"
	kd --context c2 apply "$TMP/o.yaml"
	annotate() {
		sed "s|^  labels: {tier: web}|  labels: {tier: web}\n  annotations: {meshline.io/context: $1}|" "$2"
	}
	{ annotate c1 "$TMP/d.yaml"; echo ---; annotate c2 "$TMP/d.yaml"; echo ---; cat "$TMP/o.yaml"; } > "$TMP/mesh.yaml"
	run --separate-stderr -0 mesh-wait --context c2 < "$TMP/mesh.yaml"
	[ "$output" = "deployment.apps/istiod condition met (c1)
deployment.apps/istiod condition met (c2)
deployment.apps/other condition met (c2)" ]
	# each cluster had its own list and watch; none saw the other's
	grep -q 'GET /apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Distiod ' "$TMP/c1/requests.log"
	! grep -q 'other' "$TMP/c1/requests.log"
	grep -q 'GET /apis/apps/v1/namespaces/default/deployments ' "$TMP/c2/requests.log"
	# the timeout names the cluster of what is late
	deployment late 1 > "$TMP/late.yaml"
	{ annotate c1 "$TMP/late.yaml"; echo ---; annotate c2 "$TMP/d.yaml"; } > "$TMP/late-mesh.yaml"
	run --separate-stderr -3 mesh-wait -f "$TMP/late-mesh.yaml" --timeout "$T"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: deployment/late (default, c1): timed out after $T: not there yet" ]
	# a cluster that does not answer holds back none of the others
	kill "${SIM_PIDS[1]}"
	wait "${SIM_PIDS[1]}" || true
	{ annotate c1 "$TMP/d.yaml"; echo ---; annotate c2 "$TMP/d.yaml"; } > "$TMP/half.yaml"
	run --separate-stderr -1 mesh-wait -f "$TMP/half.yaml" --timeout "$T"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-wait: deployment/istiod (default, c2): timed out after $T: finding its type: "*"onnect"* ]]
	[ "${#stderr_lines[@]}" = 1 ]
	# a context the kubeconfig lacks is an error before anything waits
	{ annotate nowhere "$TMP/d.yaml"; } > "$TMP/bad.yaml"
	run --separate-stderr -1 mesh-wait -f "$TMP/bad.yaml"
	[ -z "$output" ]
	[[ "$stderr" == *"nowhere"* ]]
}

@test "mesh-wait: workloads are ready when rolled out: Deployment, ReplicaSet, StatefulSet, DaemonSet" {
	one_cluster --nodes 2 --pod-delay 0.4
	deployment web 2 > "$TMP/all.yaml"
	cat >> "$TMP/all.yaml" <<'EOF'
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: main, image: example.com/rs}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: main, image: example.com/db}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cni, namespace: default}
spec:
  selector: {matchLabels: {app: cni}}
  template:
    metadata: {labels: {app: cni}}
    spec: {containers: [{name: main, image: example.com/cni}]}
EOF
	kd apply "$TMP/all.yaml"
	run --separate-stderr -0 mesh-wait -f "$TMP/all.yaml" -o json
	"$PYTHON" - "$output" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["items"]
st = {i["kind"]: i["status"] for i in items}
assert st["Deployment"]["availableReplicas"] == 2, st
assert st["ReplicaSet"]["readyReplicas"] == 2, st
assert st["StatefulSet"]["readyReplicas"] == 3, st
assert st["DaemonSet"]["numberReady"] == 2, st
PY
	# a workload whose pods never become ready is reported by what it lacks
	deployment stuck 2 default 'simcluster.meshline.io/never-ready: "true"' > "$TMP/stuck.yaml"
	kd apply "$TMP/stuck.yaml"
	run --separate-stderr -3 mesh-wait deploy/stuck --timeout "$T"
	[ "$stderr" = "mesh-wait: deployment/stuck (default): timed out after $T: 0/2 replicas available" ]
}

@test "mesh-wait: Pods are Ready or Succeeded; a pod never ready is reported with its reason" {
	one_cluster --pod-delay 0.3
	cat > "$TMP/pods.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: default}
spec: {containers: [{name: main, image: example.com/ok}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: slow
  namespace: default
  annotations: {simcluster.meshline.io/never-ready: "true"}
spec: {containers: [{name: main, image: example.com/slow}]}
EOF
	kd apply "$TMP/pods.yaml"
	run --separate-stderr -0 mesh-wait pod/ok -o name
	[ "$output" = "pod/ok" ]
	run --separate-stderr -3 mesh-wait po/ok po/slow --timeout "$T"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: pod/slow (default): timed out after $T: not ready: containers with unready status: [main]" ]
}

@test "mesh-wait: a Job must complete; a Job that fails fails the wait at once" {
	one_cluster --pod-delay 0.2
	cat > "$TMP/jobs.yaml" <<'EOF'
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: example.com/migrate}]
EOF
	sed -e 's/migrate/broken/g' -e 's/^spec:/spec:\n  backoffLimit: 0/' \
	    -e 's/^    spec:/    metadata: {annotations: {simcluster.meshline.io\/exit-code: "3"}}\n    spec:/' \
	    "$TMP/jobs.yaml" > "$TMP/broken.yaml"
	kd apply "$TMP/jobs.yaml"
	kd apply "$TMP/broken.yaml"
	run --separate-stderr -0 mesh-wait job/migrate -o jsonpath='{.status.succeeded}'
	[ "$output" = 1 ]
	# a failure, not a timeout, ends it
	run --separate-stderr -1 mesh-wait jobs/broken job/migrate
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: job/broken (default): the job failed: BackoffLimitExceeded: Job has reached the specified backoff limit" ]
}

@test "mesh-wait: PVC Bound, LoadBalancer address, CRD Established, Namespace Active, APIService Available, Secret there" {
	one_cluster --pvc-delay 0.3 --lb-delay 0.5 --crd-delay 0.3
	cat > "$TMP/misc.yaml" <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: gw}
  ports: [{name: tls, port: 15443}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: v1
kind: Namespace
metadata: {name: extra}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.example.com}
spec:
  group: metrics.example.com
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics, namespace: default}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
stringData: {k: v}
EOF
	later 0.5 apply "$TMP/misc.yaml"
	run --separate-stderr -0 mesh-wait -f "$TMP/misc.yaml" -o jsonpath='{.kind} '
	[ "$output" = "PersistentVolumeClaim Service CustomResourceDefinition Namespace APIService Secret " ]
	settle
	# what is not there yet, and what never binds
	printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: stuck\n  namespace: default\n  annotations: {simcluster.meshline.io/never-bind: "true"}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n' > "$TMP/stuck.yaml"
	kd apply "$TMP/stuck.yaml"
	run --separate-stderr -3 mesh-wait pvc/stuck --timeout "$T"
	[ "$stderr" = "mesh-wait: persistentvolumeclaim/stuck (default): timed out after $T: not bound (Pending)" ]
}

@test "mesh-wait: a webhook configuration is ready when istiod has put its caBundle in" {
	one_cluster --webhook-delay 1
	cat > "$TMP/wh.yaml" <<'EOF'
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  sideEffects: None
  admissionReviewVersions: [v1]
EOF
	sed -e 's/istio-sidecar-injector}/never}/' -e 's/^metadata: {name: never}/metadata:\n  name: never\n  annotations: {simcluster.meshline.io\/ca-bundle: never}/' "$TMP/wh.yaml" > "$TMP/never.yaml"
	kd apply "$TMP/wh.yaml"
	kd apply "$TMP/never.yaml"
	run --separate-stderr -0 mesh-wait mutatingwebhookconfiguration/istio-sidecar-injector -o jsonpath='{.webhooks[0].clientConfig.caBundle}'
	[ -n "$output" ]
	run --separate-stderr -3 mesh-wait mutatingwebhookconfigurations/never --timeout "$T"
	[ "$stderr" = "mesh-wait: mutatingwebhookconfiguration/never: timed out after $T: 1 of 1 webhooks have no caBundle yet (rev.namespace.sidecar-injector.istio.io): is istiod running?" ]
	# --for exists does not ask for the caBundle
	run --separate-stderr -0 mesh-wait mutatingwebhookconfigurations/never --for exists -o name
	[ "$output" = "mutatingwebhookconfiguration.admissionregistration.k8s.io/never" ]
}

@test "mesh-wait: fails fast on an exceeded progress deadline and on pods that cannot pull or start" {
	one_cluster --pod-delay 0.2
	deployment late 1 default 'simcluster.meshline.io/never-ready: "true"' '  progressDeadlineSeconds: 1' > "$TMP/late.yaml"
	kd apply "$TMP/late.yaml"
	run --separate-stderr -1 mesh-wait deploy/late
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: deployment/late (default): the rollout exceeded its progress deadline: ProgressDeadlineExceeded: ReplicaSet \"$(kd_rs late)\" has timed out progressing." ] || [[ "$stderr" == 'mesh-wait: deployment/late (default): the rollout exceeded its progress deadline: ProgressDeadlineExceeded: ReplicaSet "late-'*'" has timed out progressing.' ]]
	# a pod that cannot pull its image fails its Deployment after --fail-after
	deployment nopull 1 default 'simcluster.meshline.io/container-state: ImagePullBackOff' > "$TMP/nopull.yaml"
	kd apply "$TMP/nopull.yaml"
	run --separate-stderr -1 mesh-wait deploy/nopull --fail-after 0.5s
	[ -z "$output" ]
	[[ "$stderr" == 'mesh-wait: deployment/nopull (default): pod nopull-'*': container main: ImagePullBackOff: Back-off pulling image "example.com/nopull:1"' ]]
	# within the grace, it is what the wait lacks
	run --separate-stderr -3 mesh-wait deploy/nopull --timeout "$T"
	[[ "$stderr" == "mesh-wait: deployment/nopull (default): timed out after $T: 0/1 replicas available; pod nopull-"*": container main: ImagePullBackOff: "* ]]
	# a pod crash-looping fails at once with --fail-after 0
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\n  namespace: default\n  annotations: {simcluster.meshline.io/container-state: CrashLoopBackOff}\nspec: {containers: [{name: main, image: example.com/crash}]}\n' > "$TMP/crash.yaml"
	kd apply "$TMP/crash.yaml"
	run --separate-stderr -1 mesh-wait pod/crash --fail-after 0
	[[ "$stderr" == 'mesh-wait: pod/crash (default): container main: CrashLoopBackOff: back-off 10s restarting failed container=main pod=crash_default('*')' ]]
}

@test "mesh-wait: --for exists and --for delete" {
	one_cluster
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: default}\ndata: {a: b}\n' > "$TMP/cm.yaml"
	later 0.5 apply "$TMP/cm.yaml"
	run --separate-stderr -0 mesh-wait cm/cfg --for exists
	[ "$output" = "configmap/cfg condition met" ]
	settle
	# deleted once it has listed it
	: > "$SIM/requests.log"
	mesh-wait cm/cfg --for delete > "$TMP/out" 3>&- &
	mw=$!
	logged "$SIM/requests.log" 'GET /api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dcfg 200'
	kd delete v1 configmaps cfg
	wait "$mw"
	[ "$(cat "$TMP/out")" = "configmap/cfg condition met" ]
	# gone already: nothing to say
	run --separate-stderr -0 mesh-wait cm/cfg --for delete
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr -0 mesh-wait cm -l none=here --for delete
	[ -z "$output" ]
}

@test "mesh-wait: --for condition= and --for jsonpath= mean what they mean to kubectl wait" {
	one_cluster --lb-delay 0.3
	deployment web 2 > "$TMP/web.yaml"
	kd apply "$TMP/web.yaml"
	run --separate-stderr -0 mesh-wait deploy/web --for condition=available -o value
	[ "$output" = "True" ]
	run --separate-stderr -3 mesh-wait deploy/web --for condition=Available=false --timeout "$T"
	[ "$stderr" = "mesh-wait: deployment/web (default): timed out after $T: condition Available is True, not false" ]
	run --separate-stderr -0 mesh-wait deploy/web --for 'jsonpath={.status.readyReplicas}=2' -o value
	[ "$output" = "2" ]
	run --separate-stderr -0 mesh-wait deploy/web --for 'jsonpath=.spec.template.spec.containers[?(@.name=="main")].image'
	[ "$output" = "deployment.apps/web condition met" ]
	printf 'apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: default}\nspec:\n  type: LoadBalancer\n  selector: {app: x}\n  ports: [{port: 80}]\n' > "$TMP/lb.yaml"
	later 0.3 apply "$TMP/lb.yaml"
	# any value: kubectl's own example for a load balancer
	run --separate-stderr -0 mesh-wait svc/lb --for 'jsonpath={.status.loadBalancer.ingress}' -o value
	[ "$output" = '[{"ip":"172.18.255.200","ipMode":"VIP"}]' ]
	settle
	run --separate-stderr -1 mesh-wait deploy/web --for 'jsonpath={.spec.template}=x'
	[ "$stderr" = "mesh-wait: deployment/web (default): the jsonpath expression leads to a nested object or list, which cannot equal a value" ]
}

@test "mesh-wait: --for address: an IP, a host name with a warning, node ports; a ClusterIP never" {
	one_cluster --lb-delay 0.3
	svc() {
		printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: istio-system\n  annotations: {simcluster.meshline.io/lb: "%s"}\nspec:\n  type: %s\n  selector: {app: x}\n  ports: [{name: status-port, port: 15021}, {name: tls, port: 15443}]\n' "$1" "$2" "$3"
	}
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n' > "$TMP/ns.yaml"
	kd apply "$TMP/ns.yaml"
	{ svc ew ip LoadBalancer; echo ---; svc eks hostname LoadBalancer; echo ---; svc np ip NodePort; echo ---; svc cip ip ClusterIP; } > "$TMP/svcs.yaml"
	later 0.5 apply "$TMP/svcs.yaml"
	# the guide's DISCOVERY_ADDRESS, asked for before the Service exists
	run --separate-stderr -0 mesh-wait svc/ew -n istio-system --for address -o value
	[ "$output" = "172.18.255.200" ]
	[ -z "$stderr" ]
	settle
	run --separate-stderr -0 mesh-wait svc/eks -n istio-system --for address -o value
	[ "$output" = "eks-istio-system.c1.elb.simcluster.test" ]
	[ "$stderr" = "mesh-wait: service/eks (istio-system): warning: the load balancer gave a host name, 'eks-istio-system.c1.elb.simcluster.test', not an IP address: Istio's network gateways and remotePilotAddress need an IP (resolve the name, or ask the cloud for a load balancer with a fixed IP)" ]
	run --separate-stderr -0 mesh-wait svc/np -n istio-system --for address -o value
	[[ "$output" =~ ^3[0-9]{4}\ 3[0-9]{4}$ ]]
	[ "$stderr" = "mesh-wait: service/np (istio-system): warning: np is a NodePort Service: reach it at a node's IP address on these ports" ]
	run --separate-stderr -1 mesh-wait svc/cip -n istio-system --for address
	[ "$stderr" = "mesh-wait: service/cip (istio-system): a ClusterIP Service gets no address: make it a LoadBalancer (or NodePort) Service" ]
	run --separate-stderr -2 mesh-wait ns/istio-system --for address
	[ "$stderr" = "mesh-wait: namespace/istio-system is a Namespace: --for address waits for Services" ]
}

@test "mesh-wait: --for injected wants every pod Ready with Istio's sidecar" {
	one_cluster --webhook-delay 0.1 --pod-delay 0.3
	cat > "$TMP/mesh.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: sample, labels: {istio-injection: enabled}}
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
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  sideEffects: None
  admissionReviewVersions: [v1]
EOF
	kd apply "$TMP/mesh.yaml"
	mesh-wait mutatingwebhookconfiguration/istio-sidecar-injector -q
	deployment helloworld 2 sample > "$TMP/hw.yaml"
	kd apply "$TMP/hw.yaml"
	run --separate-stderr -0 mesh-wait deploy/helloworld -n sample --for injected -o name
	[ "$output" = "deployment.apps/helloworld" ]
	run --separate-stderr -0 mesh-wait pods -l app=helloworld -n sample --for injected -o jsonpath='{.spec.containers[*].name}{"\n"}'
	[ "$output" = "main istio-proxy
main istio-proxy" ]
	# no sidecar is a mistake waiting does not mend
	deployment helloworld 1 plain > "$TMP/plain.yaml"
	kd apply "$TMP/plain.yaml"
	run --separate-stderr -1 mesh-wait deploy/helloworld -n plain --for injected
	[[ "$stderr" == "mesh-wait: deployment/helloworld (plain): pod helloworld-"*": the pod has no istio-proxy container: label its namespace istio-injection=enabled (or istio.io/rev) while istiod runs, then restart it" ]]
	run --separate-stderr -2 mesh-wait cm/x --for injected
	[ "$stderr" = "mesh-wait: configmap/x (default) is a ConfigMap: --for injected waits for pods, or what runs them" ]
}

@test "mesh-wait: -o yaml, json, name, value, jsonpath; nothing on stdout unless all is ready" {
	one_cluster
	deployment a 1 > "$TMP/a.yaml"
	deployment b 1 > "$TMP/b.yaml"
	kd apply "$TMP/a.yaml"
	kd apply "$TMP/b.yaml"
	run --separate-stderr -0 mesh-wait deploy/a -o yaml
	printf '%s\n' "$output" > "$TMP/out.yaml"
	[ "$(py_yaml "$TMP/out.yaml" '[d["kind"], d["metadata"]["name"], d["status"]["availableReplicas"]] for d in d][0]' 2>/dev/null || py_yaml "$TMP/out.yaml" '[d[0]["kind"], d[0]["metadata"]["name"], d[0]["status"]["availableReplicas"]]')" = '["Deployment", "a", 1]' ]
	run --separate-stderr -0 mesh-wait deploy/a deploy/b -o json
	[ "$(printf '%s' "$output" | jq -r '.kind, (.items | map(.metadata.name) | join(","))')" = "List
a,b" ]
	run --separate-stderr -0 mesh-wait deploy a b -o 'jsonpath={.metadata.name}{"\n"}'
	[ "$output" = "a
b" ]
	# one not ready: nothing on stdout, one line for it alone
	run --separate-stderr -3 mesh-wait deploy/a deploy/c -o name --timeout "$T"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: deployment/c (default): timed out after $T: not there yet" ]
	# --timeout 0 looks once
	run --separate-stderr -0 mesh-wait deploy/a --timeout 0 -o name
	[ "$output" = "deployment.apps/a" ]
	run --separate-stderr -3 mesh-wait deploy/c --timeout 0
	[ "$stderr" = "mesh-wait: deployment/c (default): not ready: not there yet" ]
}

@test "mesh-wait: watches survive the faults the simulated cluster injects" {
	local opts log
	local list='GET /apis/apps/v1/namespaces/default/deployments '
	local watch='GET /apis/apps/v1/namespaces/default/deployments?allowWatchBookmarks=true&'
	# dropped watches, 410 Gone (no history kept), 429 with Retry-After,
	# 5xx on lists and watches and on discovery, stalls, a restart
	for opts in "--drop-watch-after 1" "--history 0 --drop-watch-after 1" \
	    "--fail 429 --retry-after 1 --fail-count 2 --match watch=true" \
	    "--fail 503 --fail-count 3 --match deployments" \
	    "--fail 500 --fail-count 2 --match ^GET./apis/apps/v1\$" \
	    "--stall 1 --match watch=true" \
	    "--restart-downtime 0.5"; do
		rm -rf "$TMP/f"
		# shellcheck disable=SC2086
		sim_start "$TMP/f" --name f --pod-delay 0.5 --bookmark-interval 0.2 $opts
		log="$TMP/f/requests.log"
		deployment web 2 > "$TMP/web.yaml"
		deployment api 1 > "$TMP/api.yaml"
		# api is made only once mesh-wait has listed, so it must watch
		# however slowly it starts (under valgrind, seconds)
		kd --kubeconfig "$TMP/f/kubeconfig" apply "$TMP/web.yaml"
		# a restart (SIGHUP) cuts the watch it has made by then
		(logged "$log" "$list" && sleep 1.5
		 case $opts in --restart*) kill -HUP "$(cat "$TMP/f/pid")"; sleep 1 ;; esac
		 kd --kubeconfig "$TMP/f/kubeconfig" apply "$TMP/api.yaml") 3>&- &
		LATER+=("$!")
		run --separate-stderr -0 mesh-wait --kubeconfig "$TMP/f/kubeconfig" deploy/web deploy/api -o name --timeout 30s
		[ "$output" = "deployment.apps/web
deployment.apps/api" ] || { echo "with $opts: $stderr"; false; }
		settle
		# what it took: seen in the cluster's request log
		case $opts in
		"--drop-watch-after 1")
			# resumed from where it was, never listed again
			logged "$log" "$watch.* 200"
			sleep 0.5
			[ "$(lines "$log" "$watch")" -ge 2 ]
			[ "$(lines "$log" "$list")" = 1 ] ;;
		"--history 0"*)
			# the history was gone: listed again
			[ "$(lines "$log" "$list")" -ge 2 ] ;;
		"--fail 429"*)
			[ "$(lines "$log" "watch=true.* 429\$")" = 2 ] ;;
		"--fail 503"*)
			[ "$(lines "$log" "deployments.* 503\$")" = 3 ]
			[ "$(lines "$log" "$list.*200\$")" = 1 ] ;;
		"--fail 500"*)
			[ "$(lines "$log" "GET /apis/apps/v1 500\$")" = 2 ]
			[ "$(lines "$log" "GET /apis/apps/v1 200\$")" = 1 ] ;;
		"--restart"*)
			# the watch the restart cut was made again
			logged "$log" "$watch.* 200"
			sleep 0.5
			[ "$(lines "$log" "$watch")" -ge 2 ] ;;
		esac
		kill "${SIM_PIDS[-1]}"
		wait "${SIM_PIDS[-1]}" || true
	done
}

@test "mesh-wait: API errors that do not clear fail with exit 1, not a timeout" {
	one_cluster --fail 403 --match deployments
	run --separate-stderr -1 mesh-wait deploy/web
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: cannot list deployments.apps in default: injected fault (403 Forbidden)" ]
	kill "${SIM_PIDS[-1]}"
	wait "${SIM_PIDS[-1]}" || true
	run --separate-stderr -1 mesh-wait deploy/web --timeout "$T"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-wait: deploy/web: timed out after $T: finding its type: "*"onnect"* ]]
	# the token never reaches stderr
	[[ "$stderr" != *"$(cat "$SIM/token")"* ]]
}

@test "mesh-wait: --request-timeout bounds each request, --timeout the whole wait" {
	# each list gives up after 1 s, the whole wait after 3 s (a TLS
	# handshake on a busy machine takes part of a second; under valgrind,
	# more than that: 3 s and 8 s)
	local rt=1 total=3
	[ -z "${MESH_TEST_WRAPPER:-}" ] || { rt=3; total=8; }
	one_cluster --stall 10 --match deployments
	run --separate-stderr -1 mesh-wait deploy/web --request-timeout "${rt}s" --timeout "${total}s"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-wait: deployment/web (default): timed out after ${total}s: not listed yet: Operation timed out after ${rt#0.}"*" milliseconds with 0 bytes received" ]]
}

@test "mesh-wait: usage errors exit 2 with nothing on stdout" {
	for args in "--for nothing deploy/x" "--for condition= deploy/x" \
	    "--for jsonpath= deploy/x" "--for jsonpath={.a}= deploy/x" \
	    "-o value deploy/x" "--for delete -o yaml deploy/x" "-o xml deploy/x" \
	    "deploy" "-A deploy/x" "--all -l a=b deploy" "-l a=b" \
	    "deploy/x svc" "--timeout soon deploy/x" "--fail-after x deploy/x"; do
		# shellcheck disable=SC2086
		run --separate-stderr -2 mesh-wait $args
		[ -z "$output" ] || { echo "$args: $output"; false; }
		[[ "$stderr" == "mesh-wait: "*"
Try 'mesh-wait --help' for more information." ]] || { echo "$args: $stderr"; false; }
	done
	run --separate-stderr -2 mesh-wait --for bogus deploy/x
	[ "$stderr" = "mesh-wait: invalid value for '--for': 'bogus': use ready, exists, delete, address, injected, condition=NAME[=VALUE] or jsonpath=EXPR[=VALUE]
Try 'mesh-wait --help' for more information." ]
	# a limit of the reader names no option mesh-wait does not have
	printf 'a: %s%s\n' "$(printf '[%.0s' {1..600})" "$(printf ']%.0s' {1..600})" > "$TMP/deep.yaml"
	run --separate-stderr -1 mesh-wait -f "$TMP/deep.yaml"
	[ "$stderr" = "mesh-wait: $TMP/deep.yaml:1:515: nesting is deeper than 512 levels" ]
	# the standard input is read once: objects or a kubeconfig, not both
	for args in "-f - -f -" "-f - --kubeconfig -" "--kubeconfig -"; do
		# shellcheck disable=SC2086
		run --separate-stderr -2 mesh-wait $args <<< 'deployment.apps/web'
		[ "$stderr" = "mesh-wait: standard input can be read only once (-f -, --kubeconfig -, or documents piped in when nothing is named)
Try 'mesh-wait --help' for more information." ] || { echo "$args: $stderr"; false; }
	done
}

@test "mesh-wait: an IstioOperator stands for istiod, its webhook and its gateways" {
	one_cluster --webhook-delay 0.3 --lb-delay 0.3
	# what istioctl install would make of mesh-render's and mesh-gw's output
	cat > "$TMP/installed.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: v1
kind: Service
metadata: {name: istio-eastwestgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {app: istio-eastwestgateway}
  ports: [{name: tls, port: 15443}]
EOF
	for d in istiod istio-ingressgateway istio-eastwestgateway; do
		echo ---
		deployment "$d" 1 istio-system
	done >> "$TMP/installed.yaml"
	mesh-render primary --cluster cluster1 --network network1 > "$TMP/cluster1.yaml"
	mesh-gw eastwest --network network1 > "$TMP/eastwest.yaml"
	later 0.5 apply "$TMP/installed.yaml"
	run --separate-stderr -0 mesh-wait -f "$TMP/cluster1.yaml" -f "$TMP/eastwest.yaml" -o name
	[ "$output" = "deployment.apps/istiod
mutatingwebhookconfiguration.admissionregistration.k8s.io/istio-sidecar-injector
deployment.apps/istio-ingressgateway
deployment.apps/istio-eastwestgateway
service/istio-eastwestgateway" ]
	settle
	# the guide's east-west address, from the gateway's own document
	run --separate-stderr -0 mesh-wait --for address -o value < "$TMP/eastwest.yaml"
	[ "$output" = "172.18.255.200" ]
	# a remote cluster runs no istiod, and its webhook only has to
	# exist: the istiod elsewhere puts the caBundle in
	mesh-render remote --cluster cluster2 --network network1 --pilot-address 192.0.2.1 --istio-version guide > "$TMP/remote.yaml"
	printf 'metadata:\n  annotations: {simcluster.meshline.io/ca-bundle: never}\n' > "$TMP/never.yaml"
	kd delete admissionregistration.k8s.io/v1 mutatingwebhookconfigurations istio-sidecar-injector
	sed 's/^metadata: {name: istio-sidecar-injector}/metadata:\n  name: istio-sidecar-injector\n  annotations: {simcluster.meshline.io\/ca-bundle: never}/' "$TMP/installed.yaml" > "$TMP/remote-installed.yaml"
	kd apply "$TMP/remote-installed.yaml"
	run --separate-stderr -0 mesh-wait -f "$TMP/remote.yaml" -o name
	[ "$output" = "mutatingwebhookconfiguration.admissionregistration.k8s.io/istio-sidecar-injector
deployment.apps/istio-ingressgateway" ]
	run --separate-stderr -2 mesh-wait -f "$TMP/eastwest.yaml" --for condition=Ready
	[ "$stderr" = "mesh-wait: $TMP/eastwest.yaml:1: an IstioOperator stands for several objects: --for condition=Ready does not apply to it" ]
}

@test "mesh-wait: a status line on a terminal, none when stderr is not one or with --quiet" {
	command -v script >/dev/null || skip "script is not installed"
	one_cluster
	run script -qec "$MESH_BUILD/mesh-wait --kubeconfig $SIM/kubeconfig deploy/none --timeout $T" /dev/null
	[ "$status" -eq 3 ]
	[[ "$output" == *$'\r'"mesh-wait: 0/1 ready; deployment/none (default): not there yet"$'\e[K'* ]]
	run script -qec "$MESH_BUILD/mesh-wait --kubeconfig $SIM/kubeconfig deploy/none --timeout $T -q" /dev/null
	[ "$status" -eq 3 ]
	[[ "$output" != *"0/1 ready"* ]]
	run --separate-stderr -3 mesh-wait deploy/none --timeout "$T"
	[[ "$stderr" != *$'\r'* ]]
}

@test "mesh-wait: names from outside are printed with control characters escaped" {
	one_cluster
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "a\\nmesh-wait: forged\\e[31m", namespace: default}\n' > "$TMP/evil.yaml"
	printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: default}\n' > "$TMP/b.yaml"
	cat "$TMP/evil.yaml" "$TMP/b.yaml" > "$TMP/both.yaml"
	run --separate-stderr -3 mesh-wait -f "$TMP/both.yaml" --timeout "$T" --for exists
	[ "$stderr" = 'mesh-wait: configmap/a\x0amesh-wait: forged\x1b[31m (default): timed out after '"$T"': not there yet
mesh-wait: configmap/b (default): timed out after '"$T"': not there yet' ]
	# the server's answer about it, too
	run --separate-stderr -1 mesh-wait -f "$TMP/evil.yaml"
	[ "$stderr" = "mesh-wait: cannot list configmaps in default: invalid selector: 'metadata.name=a\x0amesh-wait: forged\x1b[31m'; can't understand 'metadata.name=a\x0amesh-wait: forged\x1b[31m' (400 BadRequest)" ]
}

@test "mesh-wait: kubectl apply -o yaml, apply -o name and get -o yaml feed it (kubectl)" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	one_cluster --lb-delay 0.3
	deployment web 1 > "$TMP/web.yaml"
	printf 'apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: default}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n' > "$TMP/lb.yaml"
	run --separate-stderr -0 bash -c "timeout 60 kubectl apply -f '$TMP/web.yaml' -f '$TMP/lb.yaml' -o yaml | '$MESH_BUILD/mesh-wait' -o name"
	[ "$output" = "deployment.apps/web
service/lb" ]
	run --separate-stderr -0 bash -c "timeout 60 kubectl apply -f '$TMP/lb.yaml' -o name | '$MESH_BUILD/mesh-wait' --for address -o value"
	[ "$output" = "172.18.255.200" ]
	run --separate-stderr -0 bash -c "timeout 60 kubectl get deploy,svc -o yaml | '$MESH_BUILD/mesh-wait' -o name"
	[ "$output" = "deployment.apps/web
service/kubernetes
service/lb" ]
}

@test "mesh-wait: the kubectl completer offers types, --for and -o values, and contexts" {
	local c="$ROOT/completions/kubectl_complete-mesh_wait"
	# a type is completed up to its '/', with no space after it
	run "$c" dep
	[ "$output" = "deployment/
:6" ]
	run "$c" --for ''
	[ "$output" = "ready
exists
delete
address
injected
condition=
jsonpath=
:4" ]
	run "$c" -o va
	[ "$output" = "value
:4" ]
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	sim_start "$TMP/c1" --name c1
	sim_start "$TMP/c2" --name c2
	KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig" run "$c" --context ''
	[ "$output" = "c1
c1-cert
c2
c2-cert
:4" ]
	KUBECONFIG="$TMP/c1/kubeconfig" run "$c" -n default svc/kub
	[ "$output" = "svc/kubernetes
:4" ]
	KUBECONFIG="$TMP/c1/kubeconfig" run "$c" -n kube-system svc/kub
	[ "$output" = ":4" ]
}

@test "mesh-wait: any other object is ready when its Ready (else Available) condition is True" {
	one_cluster --crd-delay 0.1
	cat > "$TMP/crd.yaml" <<'EOF2'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
EOF2
	kd apply "$TMP/crd.yaml"
	mesh-wait crd/widgets.example.com -q
	widget() {
		printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: %s, namespace: default}\nstatus:\n  conditions: [{type: %s, status: "%s", reason: R, message: says so}]\n' "$1" "$2" "$3"
	}
	widget w Ready False > "$TMP/w.yaml"
	widget a Available True > "$TMP/a.yaml"
	widget s Stalled True > "$TMP/s.yaml"
	printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: plain, namespace: default}\n' > "$TMP/p.yaml"
	for f in w a s p; do kd apply "$TMP/$f.yaml"; done
	run --separate-stderr -3 mesh-wait widgets/w --timeout "$T"
	[ "$stderr" = "mesh-wait: widget/w (default): timed out after $T: Ready is False: R: says so" ]
	widget w Ready True > "$TMP/w.yaml"
	later 0.3 apply "$TMP/w.yaml"
	run --separate-stderr -0 mesh-wait widget/w widget/a widget/plain -o name
	[ "$output" = "widget.example.com/w
widget.example.com/a
widget.example.com/plain" ]
	settle
	run --separate-stderr -1 mesh-wait widget/s
	[ "$stderr" = "mesh-wait: widget/s (default): stalled: R: says so" ]
}

@test "mesh-wait: a kind ending in List without items is an object, never skipped; an IstioOperator of either group" {
	one_cluster
	printf 'apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: a, namespace: default}\nspec: {}\n' > "$TMP/al.yaml"
	run --separate-stderr -1 mesh-wait -f "$TMP/al.yaml" --timeout 0
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: $TMP/al.yaml:1: AllowList: the cluster of context c1 serves no example.com/v1: is the CRD of AllowList installed?" ]
	# operator.istio.io, as the old guide's gateways are written, stands
	# for what it installs as install.istio.io does
	NETWORK=network1 mesh-gw eastwest | sed 's|install.istio.io/|operator.istio.io/|' > "$TMP/ew.yaml"
	grep -q '^apiVersion: operator.istio.io/' "$TMP/ew.yaml"
	run --separate-stderr -3 mesh-wait -f "$TMP/ew.yaml" --for address --timeout 0
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: service/istio-eastwestgateway (istio-system): not ready: not there yet" ]
}

@test "mesh-wait: --timeout bounds the server's Retry-After too" {
	# the list must be sent in time: under valgrind that takes seconds
	local total=2
	[ -z "${MESH_TEST_WRAPPER:-}" ] || total=10
	one_cluster --fail 429 --retry-after 100 --match deployments
	run --separate-stderr -1 mesh-wait deploy/web --timeout "${total}s"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: deployment/web (default): timed out after ${total}s: not listed yet: Too many requests, please try again later. (429 TooManyRequests)" ]
}

@test "mesh-wait: an exec plugin that hangs is stopped at --timeout, with what it started" {
	one_cluster
	cat >"$TMP/kubeconfig" <<-EOF
	apiVersion: v1
	kind: Config
	current-context: t
	contexts:
	- {name: t, context: {cluster: c, user: u}}
	clusters:
	- {name: c, cluster: {server: "https://127.0.0.1:$(cat "$SIM/port")", certificate-authority: "$SIM/ca.crt"}}
	users:
	- name: u
	  user:
	    exec: {apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, command: "$FIXTURES/kube/hang-plugin"}
	EOF
	export HANG_PIDS="$TMP/pids"
	# the plugin must be started, and write its pids, before the
	# deadline: under valgrind start-up alone takes seconds
	local total=2
	[ -z "${MESH_TEST_WRAPPER:-}" ] || total=10
	run --separate-stderr -1 mesh-wait --kubeconfig "$TMP/kubeconfig" deploy/web --timeout "${total}s"
	[ -z "$output" ]
	[ "$stderr" = "mesh-wait: exec plugin '$FIXTURES/kube/hang-plugin' gave no credentials before the time limit: stopped" ]
	"$FIXTURES/kube/gone" "$HANG_PIDS"
}

@test "mesh-wait: no copy of the bearer token is left in its memory at exit, freed blocks included" {
	[ -z "${MESH_TEST_WRAPPER:-}" ] || skip "the wrapper has its own allocator"
	command -v gdb >/dev/null || skip "gdb is not installed"
	# AddressSanitizer's own allocator keeps freed blocks, and its
	# shadow memory would make a core of many gigabytes
	! grep -q -a __asan_init "$MESH_BUILD/mesh-wait" ||
	    skip "built with AddressSanitizer"
	one_cluster
	# the whole memory at the last system call, freed blocks too
	timeout 120 gdb -q -batch -ex 'catch syscall exit_group' -ex run \
	    -ex "gcore $TMP/core" --args "$MESH_BUILD/mesh-wait" \
	    --kubeconfig "$SIM/kubeconfig" deploy/none --timeout 1s \
	    >"$TMP/gdb.out" 2>&1 || true
	[ -s "$TMP/core" ] || skip "gdb cannot trace here: $(tail -1 "$TMP/gdb.out")"
	# it did talk to the cluster with the token
	grep -q ' GET /apis/apps/v1/namespaces/default/deployments' "$SIM/requests.log"
	n="$(grep -a -c -F -e "$(cat "$SIM/token")" "$TMP/core")" || true
	rm -f "$TMP/core"
	assert_equal "$n" 0
}
