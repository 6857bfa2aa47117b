#!/usr/bin/env bats
# mesh-overlay --k8s-overlays: an IstioOperator's structured k8s settings
# (env, resources, hpaSpec, service, ...) patch the component's objects
# as istioctl's post-processing does, before its k8s.overlays.

load helpers/common

F="$FIXTURES/k8s-settings"

py() {
	"$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(sys.stdin)); print(json.dumps($1, sort_keys=True, default=str))"
}

# obj KIND: the object of that kind in the stream on stdin, as JSON
obj() {
	py "[o for o in d if o and o['kind'] == '$1'][0]"
}

setup() {
	TMP="$BATS_TEST_TMPDIR"
	export HOME="$TMP/home" KUBECACHEDIR="$TMP/kubecache"
	mkdir -p "$HOME"
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$F/settings.yaml" "$F/istiod.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	printf '%s' "$stderr" > "$TMP/err"
}

@test "k8s settings: env merges into the container by name, in Kubernetes' order" {
	[ ! -s "$TMP/err" ]
	# POD_NAME patched where it stood, the new ones right after it
	[ "$(obj Deployment < "$TMP/out.yaml" | jq -c '.spec.template.spec.containers[0].env | map(.name)')" = '["REVISION","POD_NAME","GODEBUG","NEW_VAR","POD_NAMESPACE"]' ]
	[ "$(obj Deployment < "$TMP/out.yaml" | jq -c '.spec.template.spec.containers[0].env[1].valueFrom.fieldRef.fieldPath')" = '"new.path"' ]
	# a patch of new names only puts them first, as a strategic merge does
	cat > "$TMP/o.yaml" <<'EOF2'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    pilot:
      k8s:
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
EOF2
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$F/istiod.yaml"
	[ "$(printf '%s\n' "$output" | obj Deployment | jq -c '.spec.template.spec.containers[0].env | map(.name)')" = '["A","B","REVISION","POD_NAME","POD_NAMESPACE"]' ]
}

@test "k8s settings: the container's resources, probe and pull policy merge" {
	[ "$(obj Deployment < "$TMP/out.yaml" | jq -c '.spec.template.spec.containers[0] | [.resources, .readinessProbe, .imagePullPolicy, .image]')" = '[{"requests":{"cpu":"500m","memory":"999Mi"}},{"httpGet":{"path":"/ready","port":8080},"initialDelaySeconds":555,"periodSeconds":3},"Always","docker.io/istio/pilot:1.30.0"]' ]
}

@test "k8s settings: pod template and Deployment fields: maps merge, lists are replaced, null deletes" {
	[ "$(obj Deployment < "$TMP/out.yaml" | jq -c '.spec | [.replicas, .strategy, .template.metadata.annotations, .template.spec.nodeSelector, .template.spec.tolerations, .template.spec.priorityClassName, .template.spec.securityContext, .template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions]')" = '[3,{"rollingUpdate":{"maxUnavailable":0}},{"prometheus.io/port":"15014","sidecar.istio.io/inject":"false"},{"kubernetes.io/os":"linux","master":"true"},[{"key":"dedicated","operator":"Equal","value":"istio"}],"system-cluster-critical",{"runAsNonRoot":true},[{"key":"zone","operator":"In","values":["a"]}]]' ]
}

@test "k8s settings: hpaSpec, podDisruptionBudget, service and serviceAnnotations" {
	# metrics is a list without a merge key: replaced
	[ "$(obj HorizontalPodAutoscaler < "$TMP/out.yaml" | jq -c '.spec | [.maxReplicas, .minReplicas, (.metrics | map(.resource.name)), .scaleTargetRef.name]')" = '[333,1,["memory"],"istiod"]' ]
	# both set is refused by the API: minAvailable is left null, as istioctl does
	[ "$(obj PodDisruptionBudget < "$TMP/out.yaml" | jq -c '.spec')" = '{"maxUnavailable":1,"minAvailable":null,"selector":{"matchLabels":{"app":"istiod"}}}' ]
	# ports merge by port: 15012 patched in place, 15017 new before the rest
	[ "$(obj Service < "$TMP/out.yaml" | jq -c '[.metadata.annotations, (.spec.ports | map([.port, .name]))]')" = '[{"cloud.example.com/lb":"internal"},[[15010,"grpc-xds"],[15012,"tls-xds"],[15017,"webhook"],[443,"https-webhook"]]]' ]
}

@test "k8s settings: applied before k8s.overlays, which see what they added" {
	cat > "$TMP/o.yaml" <<'EOF2'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    pilot:
      k8s:
        env:
        - name: CLUSTER_ID
          value: remote1
        overlays:
        - kind: Deployment
          name: istiod
          patches:
          - path: spec.template.spec.containers.[name:discovery].env.[name:CLUSTER_ID].value
            value: remote2
EOF2
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$F/istiod.yaml"
	[ "$(printf '%s\n' "$output" | obj Deployment | jq -c '.spec.template.spec.containers[0].env[0]')" = '{"name":"CLUSTER_ID","value":"remote2"}' ]
}

@test "k8s settings: the external istiod's variables reach a chart's istiod" {
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$SHARED/conformance/guides/external/external-istiod.yaml" --select kind=Deployment "$F/istiod.yaml"
	[ "$(printf '%s\n' "$output" | obj Deployment | jq -c '.spec.template.spec.containers[0].env | map(select(.name | test("CLUSTER_ID|EXTERNAL_ISTIOD|WEBHOOK_CONFIG_NAME"))) | map([.name, .value])')" = '[["INJECTION_WEBHOOK_CONFIG_NAME",""],["VALIDATION_WEBHOOK_CONFIG_NAME",""],["EXTERNAL_ISTIOD","true"],["CLUSTER_ID","remote1"]]' ]
}

@test "k8s settings: a gateway's by its name; its service ports are chart values" {
	cat > "$TMP/o.yaml" <<'EOF2'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    ingressGateways:
    - name: istio-eastwestgateway
      enabled: true
      k8s:
        replicaCount: 2
        service:
          type: LoadBalancer
          ports:
          - port: 15443
            name: tls
EOF2
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" <<'EOF2'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-eastwestgateway
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
spec:
  replicas: 1
---
apiVersion: v1
kind: Service
metadata:
  name: istio-eastwestgateway
spec:
  type: ClusterIP
  ports:
  - port: 15021
    name: status-port
EOF2
	[ "$(printf '%s\n' "$output" | py '[o["spec"].get("replicas") for o in d[:2]] + [d[2]["spec"]]')" = '[2, 1, {"ports": [{"name": "status-port", "port": 15021}], "type": "LoadBalancer"}]' ]
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:10:9: warning: components.ingressGateways.k8s.service.ports of a gateway are the chart's service.ports value, as istioctl passes them, and are not patched here" ]
}

@test "k8s settings: a revision's istiod is istiod-REVISION" {
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  revision: canary\n  components:\n    pilot:\n      k8s:\n        replicaCount: 4\n' > "$TMP/o.yaml"
	sed 's/name: istiod$/name: istiod-canary/' "$F/istiod.yaml" > "$TMP/canary.yaml"
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$TMP/canary.yaml"
	[ "$(printf '%s\n' "$output" | obj Deployment | jq -c '[.metadata.name, .spec.replicas]')" = '["istiod-canary",4]' ]
}

@test "k8s settings: what cannot apply is an error or a warning, never dropped unsaid" {
	iop() {
		printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n%s\n' "$1" > "$TMP/o.yaml"
	}
	# no object to patch: a warning (a partial manifest is common)
	iop '        hpaSpec: {maxReplicas: 2}'
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$F/istiod.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:7:9: warning: k8s.hpaSpec: no HorizontalPodAutoscaler 'istiod' in the input: not applied" ]
	# volumes are applied by istioctl to nothing
	iop '        volumes: [{name: x}]'
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:7:9: warning: components.pilot.k8s.volumes is applied by istioctl to nothing, so not here either: use k8s.overlays" ]
	# errors: exit 1, nothing on stdout
	iop '        replicas: 2'
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:7:9: components.pilot.k8s: unknown field 'replicas'" ]
	iop '        env: [{value: x}]'
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[ -z "$output" ]
	[[ $stderr == *"Deployment/istiod"*"k8s.env ($TMP/o.yaml:7): an item of spec.template.spec.containers.env has no 'name', its merge key" ]]
	iop '        nodeSelector: {$patch: replace, a: b}'
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[[ $stderr == *"the patch directive '\$patch' is not supported" ]]
	# the container istioctl patches must be there
	iop '        resources: {limits: {cpu: "1"}}'
	sed 's/name: discovery/name: pilot/' "$F/istiod.yaml" > "$TMP/renamed.yaml"
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$TMP/renamed.yaml"
	[ -z "$output" ]
	[[ $stderr == *"Deployment/istiod"*"k8s.resources ($TMP/o.yaml:7): no container 'discovery' to patch" ]]
}
