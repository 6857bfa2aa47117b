#!/usr/bin/env bats
# mesh-overlay as Helm's post-renderer, with real Helm binaries: Helm 3
# runs it as a program, Helm 4 as the plugin in helm/mesh-overlay.
# tools/get-helm fetches both; CI sets MESH_HELM3 and MESH_HELM4.

load helpers/common
load helpers/helm

helm3() { "$MESH_HELM3" "$@"; }
helm4() { "$MESH_HELM4" "$@"; }

py() {
	"$PYTHON" -c "import sys, yaml, json; d = [o for o in yaml.safe_load_all(sys.stdin) if o]; print(json.dumps($1, sort_keys=True, default=str))"
}

external() {
	cat > "$TMP/external.yaml" <<'EOF2'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    pilot:
      k8s:
        env:
        - name: EXTERNAL_ISTIOD
          value: "true"
        - name: CLUSTER_ID
          value: remote1
        overlays:
        - kind: Deployment
          name: istiod
          patches:
          - path: spec.template.spec.volumes[100]
            value: |-
              name: config-volume
              configMap:
                name: istio
EOF2
}

@test "helm 3: --post-renderer mesh-overlay edits what the chart renders" {
	need3
	external
	run --separate-stderr -0 helm3 template istiod "$CHART" -n external-istiod \
	    --post-renderer mesh-overlay --post-renderer-args --k8s-overlays \
	    --post-renderer-args "$TMP/external.yaml"
	[ "$(printf '%s\n' "$output" | py '[o for o in d if o["kind"] == "Deployment"][0]["spec"]["template"]["spec"]' | jq -c '[(.containers[0].env | map(.name)), (.volumes | map(.name))]')" = '[["EXTERNAL_ISTIOD","CLUSTER_ID","REVISION"],["local-certs","config-volume"]]' ]
}

@test "helm 3: --show-only still finds a document the post-renderer changed" {
	need3
	external
	run --separate-stderr -0 helm3 template istiod "$CHART" --show-only templates/deployment.yaml \
	    --post-renderer mesh-overlay --post-renderer-args --k8s-overlays \
	    --post-renderer-args "$TMP/external.yaml"
	[ "$(printf '%s\n' "$output" | py '[(o["kind"], len(o["spec"]["template"]["spec"]["containers"][0]["env"])) for o in d]')" = '[["Deployment", 3]]' ]
	[[ $output == *"# Source: istiod/templates/deployment.yaml"* ]]
}

@test "helm 3: a post-renderer error stops helm with mesh-overlay's message" {
	need3
	run --separate-stderr helm3 template istiod "$CHART" --post-renderer mesh-overlay \
	    --post-renderer-args --select --post-renderer-args kind=Service
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[[ $stderr == *"mesh-overlay: --select 'kind=Service' matched no document"* ]]
}

@test "helm 4: the plugin installs, and --post-renderer mesh-overlay runs it" {
	need4
	run --separate-stderr -0 helm4 plugin install "$ROOT/helm/mesh-overlay"
	run --separate-stderr -0 helm4 plugin list
	[[ $output == *"mesh-overlay"*"postrenderer/v1"* ]]
	# the plugin's version is meshline's
	[ "$(awk '$1 == "version:" { print $2 }' "$ROOT/helm/mesh-overlay/plugin.yaml")" = "$(mesh-overlay --version | awk '{ print $NF }')" ]
	external
	run --separate-stderr -0 helm4 template istiod "$CHART" --set revision=canary \
	    --post-renderer mesh-overlay --post-renderer-args -s \
	    --post-renderer-args metadata.labels.mesh=mesh1
	[ "$(printf '%s\n' "$output" | py '[(o["kind"], o["metadata"]["name"], o["metadata"]["labels"]) for o in d]')" = '[["ConfigMap", "istio", {"mesh": "mesh1"}], ["Deployment", "istiod-canary", {"mesh": "mesh1"}]]' ]
	run --separate-stderr -0 helm4 template istiod "$CHART" --show-only templates/deployment.yaml \
	    --post-renderer mesh-overlay --post-renderer-args --k8s-overlays \
	    --post-renderer-args "$TMP/external.yaml"
	[ "$(printf '%s\n' "$output" | py '[(o["kind"], len(o["spec"]["template"]["spec"]["containers"][0]["env"])) for o in d]')" = '[["Deployment", 3]]' ]
}

@test "install: make install puts the Helm plugin where its comment says" {
	run -0 make -C "$ROOT" --no-print-directory BUILD="$MESH_BUILD" DESTDIR="$TMP/root" PREFIX=/usr/local install
	cmp "$ROOT/helm/mesh-overlay/plugin.yaml" "$TMP/root/usr/local/share/meshline/helm/mesh-overlay/plugin.yaml"
	grep -q "helm plugin install /usr/local/share/meshline/helm/mesh-overlay" "$ROOT/helm/mesh-overlay/plugin.yaml"
}
