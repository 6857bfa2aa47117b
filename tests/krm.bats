#!/usr/bin/env bats
# mesh-overlay --resource-list: a KRM function as kpt and kustomize run
# one.  Edits come from the flags and from the ResourceList's
# functionConfig; every message is also a result in the output.

load helpers/common

# py EXPR: evaluate a Python expression over the YAML stream on stdin
# (as the list d) and print it as JSON.
py() {
	"$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(sys.stdin)); print(json.dumps($1, sort_keys=True, default=str))"
}

# rl [FUNCTIONCONFIG]: a ResourceList as kpt sends it, two files, three
# items, with the given functionConfig (YAML, indented two spaces).
rl() {
	cat <<'EOF2'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: install.istio.io/v1alpha1
  kind: IstioOperator
  metadata:
    name: cluster1
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'cluster1.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'cluster1.yaml'
  spec:
    values:
      global:
        meshID: mesh1
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
    namespace: istio-system
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'objects.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'objects.yaml'
  data:
    region: ${REGION}
- apiVersion: v1
  kind: Service
  metadata:
    name: istiod
    namespace: istio-system
    annotations:
      config.kubernetes.io/index: '1'
      config.kubernetes.io/path: 'objects.yaml'
      internal.config.kubernetes.io/index: '1'
      internal.config.kubernetes.io/path: 'objects.yaml'
  spec:
    ports:
    - port: 15012
EOF2
	if [ $# -gt 0 ]; then
		printf 'functionConfig:\n%s\n' "$1"
	fi
}

@test "krm: a ConfigMap's data gives the edits, one per line, in order" {
	rl '  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data:
    select: kind=IstioOperator
    set: |
      values.global.network=network1
      values.global.multiCluster.clusterName=cluster1
    delete: values.global.meshID' > "$TMP/in.yaml"
	run --separate-stderr -0 mesh-overlay --resource-list < "$TMP/in.yaml"
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | py '[d[0]["kind"], d[0]["items"][0]["spec"]["values"], "results" in d[0], d[0]["functionConfig"]["metadata"]["name"]]')" = '["ResourceList", {"global": {"multiCluster": {"clusterName": "cluster1"}, "network": "network1"}}, false, "function-input"]' ]
	# the items not selected are as they came, annotations and all
	[ "$(printf '%s\n' "$output" | py 'd[0]["items"][1:]')" = "$(py 'd[0]["items"][1:]' < "$TMP/in.yaml")" ]
}

@test "krm: the flags' edits come first, then functionConfig's" {
	rl '  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data:
    set-string: metadata.labels.tier=config' > "$TMP/in.yaml"
	run --separate-stderr -0 mesh-overlay --resource-list --select kind=Service -s metadata.labels.tier=flag < "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | py '[i["metadata"].get("labels") for i in d[0]["items"]]')" = '[null, null, {"tier": "config"}]' ]
}

@test "krm: a MeshOverlay config gives ordered edits, a select and env" {
	rl '  apiVersion: meshline.io/v1alpha1
  kind: MeshOverlay
  metadata:
    name: network
  spec:
    select: kind=ConfigMap
    edits:
    - setJSON: data={"region":"${REGION}","zone":"a"}
    - delete: data.zone
    - setString: data.port=15012
    - env: true
    - setString: data.later=${REGION}' > "$TMP/in.yaml"
	REGION=eu-west run --separate-stderr -0 mesh-overlay --resource-list < "$TMP/in.yaml"
	[ -z "$stderr" ]
	# env substitutes what the edits before it wrote, not what comes after
	[ "$(printf '%s\n' "$output" | py 'd[0]["items"][1]["data"]')" = '{"later": "${REGION}", "port": "15012", "region": "eu-west"}' ]
}

@test "krm: a failure gives the input back with results naming item and file, exit 1" {
	rl > "$TMP/in.yaml"
	# REGION unset: --env refuses the ConfigMap, the second item of objects.yaml
	run --separate-stderr -1 env -u REGION mesh-overlay --resource-list --env < "$TMP/in.yaml"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	case $stderr in "mesh-overlay: <stdin>:"*REGION*) ;; *) false ;; esac
	[ "$(printf '%s\n' "$output" | py 'd[0]["items"]')" = "$(py 'd[0]["items"]' < "$TMP/in.yaml")" ]
	[ "$(printf '%s\n' "$output" | py '[(r["severity"], r["resourceRef"], r["file"], "REGION" in r["message"]) for r in d[0]["results"]]')" = '[["error", {"apiVersion": "v1", "kind": "ConfigMap", "name": "settings", "namespace": "istio-system"}, {"index": 0, "path": "objects.yaml"}, true]]' ]
	# an error in the third item names its index in that file
	run --separate-stderr -1 mesh-overlay --resource-list --select kind=Service -s spec.ports.port=1 < "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | py '[(r["resourceRef"]["kind"], r["file"]) for r in d[0]["results"]]')" = '[["Service", {"index": 1, "path": "objects.yaml"}]]' ]
}

@test "krm: an error in a file functionConfig names is placed in that file" {
	printf 'spec:\n  values: [unclosed\n' > "$TMP/overlay.yaml"
	rl "  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data:
    filename: $TMP/overlay.yaml" > "$TMP/in.yaml"
	run --separate-stderr -1 mesh-overlay --resource-list < "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | py '[(r["severity"], r["file"]["path"], r["message"].startswith(r["file"]["path"] + ":3:1: "), "resourceRef" in r) for r in d[0]["results"]]')" = "[[\"error\", \"$TMP/overlay.yaml\", true, false]]" ]
}

@test "krm: a functionConfig that is not understood is an error result" {
	local cfg
	for cfg in '  apiVersion: v1
  kind: ConfigMap
  data:
    sett: a=b' '  apiVersion: v1
  kind: ConfigMap
  data:
    filename: "-"' '  apiVersion: v1
  kind: ConfigMap
  data:
    env: maybe' '  apiVersion: example.com/v1
  kind: Settings' '  apiVersion: meshline.io/v1alpha1
  kind: MeshOverlay
  spec:
    set: a=b' '  apiVersion: meshline.io/v1alpha1
  kind: MeshOverlay
  spec:
    edits:
    - set: a=b
      delete: c' '  apiVersion: v1
  kind: ConfigMap
  data:
    set: "[a=b"'; do
		rl "$cfg" > "$TMP/in.yaml"
		run --separate-stderr -1 mesh-overlay --resource-list < "$TMP/in.yaml"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		# nothing edited, and the one message is the one result
		[ "$(printf '%s\n' "$output" | py 'd[0]["items"]')" = "$(py 'd[0]["items"]' < "$TMP/in.yaml")" ]
		[ "$(printf '%s\n' "$output" | py '[r["severity"] for r in d[0]["results"]]')" = '["error"]' ]
		[ "mesh-overlay: $(printf '%s\n' "$output" | py 'd[0]["results"][0]["message"]' | tr -d '"')" = "$stderr" ]
	done
}

@test "krm: input that is not one ResourceList gives a ResourceList of results" {
	local in
	for in in 'apiVersion: v1
kind: ConfigMap' 'apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
---
apiVersion: v1
kind: ConfigMap' '' 'kind: ResourceList
items: {}' 'apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: [unclosed'; do
		run --separate-stderr -1 mesh-overlay --resource-list <<< "$in"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[ "$(printf '%s\n' "$output" | py '[d[0]["apiVersion"], d[0]["kind"], len(d[0]["results"]), d[0]["results"][0]["severity"]]')" = '["config.kubernetes.io/v1", "ResourceList", 1, "error"]' ]
	done
}

@test "krm: results the input carried are not passed on as ours" {
	{ rl; printf 'results:\n- message: from an earlier function\n  severity: info\n'; } > "$TMP/in.yaml"
	run --separate-stderr -0 mesh-overlay --resource-list -s metadata.labels.a=b < "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | py '"results" in d[0]')" = false ]
}

@test "krm: -o json writes the ResourceList as JSON; one file operand at most" {
	rl > "$TMP/in.yaml"
	run --separate-stderr -0 mesh-overlay --resource-list -o json "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | jq -c '[.kind, (.items | length)]')" = '["ResourceList",3]' ]
	run --separate-stderr -2 mesh-overlay --resource-list "$TMP/in.yaml" "$TMP/in.yaml"
	[ -z "$output" ]
	[ "${stderr%%$'\n'*}" = "mesh-overlay: --resource-list reads one ResourceList: one file or standard input" ]
}

# kpt is not packaged for Debian, so CI has no kpt; these run where it is.
@test "krm: kpt fn eval --exec runs it with key=value args and --fn-config" {
	command -v kpt > /dev/null || skip "kpt is not installed (not packaged for Debian)"
	mkdir -p "$TMP/pkg"
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: c1\nspec:\n  values:\n    global:\n      meshID: mesh1\n' > "$TMP/pkg/iop.yaml"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1"\n' > "$TMP/pkg/cm.yaml"
	cp "$TMP/pkg/cm.yaml" "$TMP/cm.before"
	run kpt fn eval "$TMP/pkg" --exec "$(command -v mesh-overlay) --resource-list" -- select=kind=IstioOperator set=values.global.network=network1
	[ "$status" -eq 0 ]
	[ "$(py '[d[0]["spec"]["values"]["global"], d[0]["metadata"]]' < "$TMP/pkg/iop.yaml")" = '[{"meshID": "mesh1", "network": "network1"}, {"name": "c1"}]' ]
	cmp "$TMP/cm.before" "$TMP/pkg/cm.yaml"
	cat > "$TMP/fn.yaml" <<'EOF2'
apiVersion: meshline.io/v1alpha1
kind: MeshOverlay
metadata:
  name: labels
spec:
  select: kind=ConfigMap
  edits:
  - set: metadata.labels.app=istiod
EOF2
	run kpt fn eval "$TMP/pkg" --exec "$(command -v mesh-overlay) --resource-list" --fn-config "$TMP/fn.yaml"
	[ "$status" -eq 0 ]
	[ "$(py 'd[0]["metadata"]["labels"]' < "$TMP/pkg/cm.yaml")" = '{"app": "istiod"}' ]
	# a failure: kpt shows our result, with the object, and changes nothing
	cp -r "$TMP/pkg" "$TMP/pkg.before"
	run kpt fn eval "$TMP/pkg" --exec "$(command -v mesh-overlay) --resource-list" --results-dir "$TMP/res" -- select=kind=ConfigMap set=metadata.name.x=1
	[ "$status" -ne 0 ]
	[[ $output == *"[error] v1/ConfigMap/a: --set 'metadata.name.x=1'"* ]]
	diff -r "$TMP/pkg.before" "$TMP/pkg"
	[ "$(py '[(r["resourceRef"]["name"], r["file"]["path"]) for r in d[0]["items"][0]["results"]]' < "$TMP/res/results.yaml")" = '[["a", "cm.yaml"]]' ]
}
