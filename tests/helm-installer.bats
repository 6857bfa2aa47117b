#!/usr/bin/env bats
# --installer helm (spec.installer: helm): mesh-render and mesh-gw -f
# print the Helm releases of today's Helm tabs as Flux HelmReleases, one
# release's values (-o values) or the helm install lines (-o
# helm-install), equal to ../shared/conformance/current/helm/ and
# HELM.tsv for the guides' values, and right for others.

load helpers/common

CUR="$SHARED/conformance/current"
TOPOLOGIES="multi-primary multi-primary_multi-network primary-remote primary-remote_multi-network"

# desc TOPOLOGY FILE: the mesh description of a page, with the guides'
# values (VALUES.md: contexts are the cluster names).
desc() {
	local model=multi-primary role2=primary net2=network1 extra=""
	case "$1" in
	primary-remote*) model=primary-remote role2=remote
		extra="    discoveryAddress: 192.0.2.10" ;;
	esac
	case "$1" in
	*multi-network) net2=network2 ;;
	esac
	cat > "$2" <<EOF
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: $model
  clusters:
  - name: cluster1
    network: network1
    role: primary
  - name: cluster2
    network: $net2
    role: $role2
$extra
EOF
}

# prog RELEASE: the program that renders it
prog() {
	[ "$1" = istio-eastwestgateway ] && echo mesh-gw || echo mesh-render
}

# norm: helm install lines as words without quotes, --kube-context after
# -n NS, one space between words
norm() {
	"$PYTHON" -c '
import sys, shlex
for line in sys.stdin:
    if not line.startswith("helm install"):
        continue
    w = shlex.split(line)
    i = w.index("--kube-context") if "--kube-context" in w else -1
    if i < 0:
        k = [x for x in w if x.startswith("--kube-context=")][0]
        j = w.index(k)
        ctx = k.split("=", 1)[1]
        del w[j]
    else:
        ctx = w[i + 1]
        del w[i:i + 2]
    n = w.index("-n")
    w[n + 2:n + 2] = ["--kube-context", ctx]
    print(" ".join(w))
' | LC_ALL=C sort
}

# script TOPOLOGY: both programs' helm install lines for the page
script() {
	desc "$1" "$TMP/$1.yaml"
	{
		mesh-render -f "$TMP/$1.yaml" -o helm-install
		mesh-gw -f "$TMP/$1.yaml" -o helm-install 2>/dev/null || true
	}
}

@test "helm-installer: -o values equals every values file of the Helm tabs (parsed YAML)" {
	local t f base cluster release n=0
	for t in $TOPOLOGIES; do
		desc "$t" "$TMP/$t.yaml"
		for f in "$CUR/helm/$t"/*.values.yaml; do
			base="${f##*/}"
			base="${base%.values.yaml}"
			cluster="${base%%-*}"
			release="${base#*-}"
			run --separate-stderr -0 mesh "$(prog "$release")" -f \
			    "$TMP/$t.yaml" -o values --cluster "$cluster" \
			    --release "$release"
			printf '%s\n' "$output" > "$TMP/out.yaml"
			yaml_eq "$TMP/out.yaml" "$f" || {
				echo "$t: $base differs"
				return 1
			}
			n=$((n + 1))
		done
	done
	[ "$n" -eq 21 ]
}

@test "helm-installer: the releases are those of the Helm tabs, no more" {
	local t
	for t in $TOPOLOGIES; do
		script "$t" | norm | "$PYTHON" -c '
import sys, shlex
for l in sys.stdin:
    w = l.split()
    print(w[w.index("--kube-context") + 1] + "-" + w[2])' |
		    LC_ALL=C sort > "$TMP/got"
		(cd "$CUR/helm/$t" && ls *.values.yaml | sed 's/\.values\.yaml$//') |
		    LC_ALL=C sort > "$TMP/want"
		diff -u "$TMP/want" "$TMP/got"
	done
}

@test "helm-installer: -o helm-install lines equal HELM.tsv's command_with_example_values" {
	local t
	for t in $TOPOLOGIES; do
		script "$t" | norm > "$TMP/got"
		awk -F '\t' -v t="$t" '$1 == t { print $8 }' "$CUR/HELM.tsv" |
		    norm > "$TMP/want"
		[ -s "$TMP/want" ]
		diff -u "$TMP/want" "$TMP/got"
	done
}

@test "helm-installer: -o helm-install is a sh script in install order" {
	desc primary-remote_multi-network "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o helm-install
	printf '%s\n' "$output" > "$TMP/s.sh"
	[ "${lines[0]}" = "#!/bin/sh" ]
	sh -n "$TMP/s.sh"
	# the primary's base and istiod, then the remote's (step 03, then 06)
	run -0 awk '/^helm install/ { print $3 }' "$TMP/s.sh"
	[ "${lines[*]}" = "istio-base istiod istio-base istiod" ]
	[ "$(grep -c '^helm install' "$TMP/s.sh")" -eq 4 ]
	run -0 sh -c "grep '^helm install' '$TMP/s.sh' | sed -n 's/.*--kube-context \([^ ]*\).*/\1/p' | tr '\n' ' '"
	[ "$output" = "cluster1 cluster1 cluster2 cluster2 " ]
	# run it with a helm that records its arguments, one a line
	mkdir -p "$TMP/bin"
	cat > "$TMP/bin/helm" <<EOF
#!/bin/sh
for a; do printf '%s\n' "\$a"; done >> "$TMP/args"
echo >> "$TMP/args"
EOF
	chmod +x "$TMP/bin/helm"
	PATH="$TMP/bin:$PATH" sh "$TMP/s.sh"
	grep -qx 'global.remotePilotAddress=192.0.2.10' "$TMP/args"
	grep -qx 'istiodRemote.injectionPath=/inject/cluster/cluster2/net/network2' "$TMP/args"
}

@test "helm-installer: HelmRelease objects name, place and order each release, with the values files' values" {
	local t=primary-remote_multi-network
	desc "$t" "$TMP/m.yaml"
	{
		mesh-render -f "$TMP/m.yaml" --installer helm
		echo ---
		mesh-gw -f "$TMP/m.yaml" --installer helm --for helm
	} > "$TMP/hr.yaml"
	"$PYTHON" - "$TMP/hr.yaml" "$CUR/helm/$t" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert len(docs) == 6, len(docs)
deps = {"base": None, "istiod": "istio-base", "gateway": "istiod"}
for d in docs:
    assert d["apiVersion"] == "helm.toolkit.fluxcd.io/v2", d
    assert d["kind"] == "HelmRelease"
    m, s = d["metadata"], d["spec"]
    assert m["namespace"] == "istio-system" == s["targetNamespace"]
    assert m["name"] == s["releaseName"]
    c = s["chart"]["spec"]
    assert c["sourceRef"] == {"kind": "HelmRepository", "name": "istio"}
    assert s["interval"]
    dep = deps[c["chart"]]
    assert (s.get("dependsOn") or None) == (dep and [{"name": dep}]), d
    cl = m["annotations"]["meshline.io/cluster"]
    assert m["annotations"]["meshline.io/context"] == cl
    want = yaml.safe_load(open("%s/%s-%s.values.yaml" % (sys.argv[2], cl, m["name"])))
    assert s["values"] == want, (s["values"], want)
PY
}

@test "helm-installer: spec.installer: helm is --installer helm; --installer istioctl overrides it" {
	desc multi-primary "$TMP/m.yaml"
	run -0 mesh-render -f "$TMP/m.yaml" --installer helm
	local want="$output"
	sed 's/^  model:/  installer: helm\n  model:/' "$TMP/m.yaml" > "$TMP/h.yaml"
	run -0 mesh-render -f "$TMP/h.yaml"
	[ "$output" = "$want" ]
	run -0 mesh-render -f "$TMP/h.yaml" --installer istioctl
	[[ "$output" == *"kind: IstioOperator"* ]]
	[[ "$output" != *HelmRelease* ]]
	sed 's/^  model:/  installer: flux\n  model:/' "$TMP/m.yaml" > "$TMP/bad.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/bad.yaml"
	[ -z "$output" ]
	[[ "$stderr" == *installer* ]]
}

@test "helm-installer: --dir writes the releases as the helm consumer's files" {
	desc primary-remote "$TMP/m.yaml"
	run -0 mesh-render -f "$TMP/m.yaml" --installer helm --dir "$TMP/plan"
	run -0 mesh-gw -f "$TMP/m.yaml" --installer helm --dir "$TMP/plan"
	run -0 sh -c "cd '$TMP/plan' && find . -type f | sort"
	[ "$output" = "./cluster1/01-namespace.kubectl.yaml
./cluster1/03-control-plane.helm.yaml
./cluster1/04-eastwest-gateway.helm.yaml
./cluster1/05-expose-istiod.kubectl.yaml
./cluster2/01-namespace.kubectl.yaml
./cluster2/06-control-plane.helm.yaml" ]
	# rendered again with istioctl, the Helm files give way
	run -0 mesh-render -f "$TMP/m.yaml" --dir "$TMP/plan"
	[ -f "$TMP/plan/cluster1/03-control-plane.istioctl.yaml" ]
	[ ! -e "$TMP/plan/cluster1/03-control-plane.helm.yaml" ]
	run -0 mesh-render -f "$TMP/m.yaml" --installer helm --for helm --cluster cluster2
	[[ "$output" == *"name: istio-base"* ]]
	[[ "$output" != *"cluster1"* ]]
}

@test "helm-installer: other names, networks, addresses, a revision and a namespace" {
	cat > "$TMP/m.yaml" <<'EOF'
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: prod
spec:
  meshID: mesh-prod
  model: primary-remote
  istioNamespace: istio-prod
  revision: canary
  clusters:
  - name: east
    context: kind-east
    network: "123"
    role: primary
  - name: west
    context: "kube west"
    network: "true"
    role: remote
    discoveryAddress: istiod.east.example.com
EOF
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o values --cluster west --release istiod-canary
	printf '%s\n' "$output" > "$TMP/v.yaml"
	cat > "$TMP/want.yaml" <<'EOF'
profile: remote
global:
  multiCluster: {clusterName: west}
  network: "true"
  configCluster: true
  remotePilotAddress: istiod.east.example.com
  istioNamespace: istio-prod
istiodRemote: {injectionPath: /inject/cluster/west/net/true}
revision: canary
EOF
	yaml_eq "$TMP/v.yaml" "$TMP/want.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o values --cluster east --release istiod-canary
	printf '%s\n' "$output" > "$TMP/v.yaml"
	cat > "$TMP/want.yaml" <<'EOF'
global:
  meshID: mesh-prod
  externalIstiod: true
  multiCluster: {clusterName: east}
  network: "123"
  istioNamespace: istio-prod
revision: canary
EOF
	yaml_eq "$TMP/v.yaml" "$TMP/want.yaml"
	# --set would type "123" and "true": --set-string keeps them strings
	run -0 mesh-render -f "$TMP/m.yaml" -o helm-install
	[[ "$output" == *"helm install istiod-canary istio/istiod -n istio-prod --kube-context kind-east --set global.meshID=mesh-prod --set global.externalIstiod=true --set global.multiCluster.clusterName=east --set-string global.network=123 --set revision=canary --set global.istioNamespace=istio-prod"* ]]
	[[ "$output" == *"--kube-context 'kube west' --set profile=remote"* ]]
	[[ "$output" == *"--set-string global.network=true"* ]]
	run -0 mesh-gw -f "$TMP/m.yaml" --installer helm --cluster east
	printf '%s\n' "$output" > "$TMP/gw.yaml"
	run -0 py_yaml "$TMP/gw.yaml" '[(x["kind"], x["metadata"]["name"], x["spec"].get("dependsOn"), x["spec"].get("values")) for x in d if x["kind"] == "HelmRelease"]'
	[ "$output" = '[["HelmRelease", "istio-eastwestgateway", [{"name": "istiod-canary"}], {"name": "istio-eastwestgateway", "networkGateway": "123", "revision": "canary"}]]' ]
	run -0 mesh-gw -f "$TMP/m.yaml" -o values --cluster east --release istio-eastwestgateway --service-type NodePort --external-ip 10.0.0.7
	printf '%s\n' "$output" > "$TMP/v.yaml"
	run -0 py_yaml "$TMP/v.yaml" 'd[0]["service"]'
	[ "$output" = '{"type": "NodePort", "externalIPs": ["10.0.0.7"]}' ]
}

@test "helm-installer: an Istio version selects the charts' version" {
	desc multi-primary "$TMP/m.yaml"
	sed 's/^  model:/  istioVersion: "1.26"\n  model:/' "$TMP/m.yaml" > "$TMP/v.yaml"
	run -0 mesh-render -f "$TMP/v.yaml" -o helm-install --cluster cluster1
	[[ "$output" == *"--kube-context cluster1 --version 1.26.x --set"* ]]
	run -0 mesh-render -f "$TMP/v.yaml" --installer helm --cluster cluster1
	[[ "$output" == *"version: \"1.26.x\""* ]]
	desc primary-remote "$TMP/m.yaml"
	sed 's/^  model:/  istioVersion: "1.23"\n  model:/' "$TMP/m.yaml" > "$TMP/v.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/v.yaml" --installer helm
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"--installer helm"*"remote profile"*"1.23"*"1.24"* ]]
	# the newest release, by default or named, is Helm's newest chart
	desc multi-primary "$TMP/m.yaml"
	run -0 mesh-render -f "$TMP/m.yaml" -o helm-install --cluster cluster1
	[[ "$output" != *"--version"* ]]
	run -0 mesh-render -f "$TMP/m.yaml" -o helm-install --cluster cluster1 --istio-version 1.30
	[[ "$output" != *"--version"* ]]
	# the old guides had no Helm tab
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --installer helm --istio-version guide
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"--installer helm: the old guides' text has no Helm tab"* ]]
}

@test "helm-installer: usage errors exit 2, unknown releases 1, each in one line with nothing on stdout" {
	desc primary-remote "$TMP/m.yaml"
	local -a bad=(
		"mesh-render -f $TMP/m.yaml --installer kustomize"
		"mesh-render -f $TMP/m.yaml -o values --cluster cluster1"
		"mesh-render -f $TMP/m.yaml -o values --release istiod"
		"mesh-render -f $TMP/m.yaml -o values --cluster cluster1 --release istiod --installer istioctl"
		"mesh-render -f $TMP/m.yaml -o helm-install --dir $TMP/d"
		"mesh-render -f $TMP/m.yaml --release istiod"
		"mesh-render -f $TMP/m.yaml -o toml"
		"mesh-render primary --cluster c1 --network n1 --installer helm"
		"mesh-render primary --cluster c1 --network n1 -o values"
		"mesh-gw eastwest --network n1 -o helm-install"
		"mesh-gw eastwest --network n1 --installer helm"
		"mesh-gw -f $TMP/m.yaml -o values --cluster cluster1"
		"mesh-gw -f $TMP/m.yaml -o helm-install --for helm"
	)
	local c
	for c in "${bad[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr -2 mesh $c
		[ -z "$output" ] || { echo "$c"; return 1; }
		[[ "${stderr_lines[0]}" == *": "* ]]
		[[ "${stderr_lines[1]}" == Try* ]]
		[ "${#stderr_lines[@]}" -eq 2 ]
	done
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" -o values --cluster cluster2 --release istio-eastwestgateway
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/m.yaml: cluster 'cluster2' has no Helm release 'istio-eastwestgateway' from mesh-render: it has istio-base, istiod" ]
	run --separate-stderr -1 mesh-gw -f "$TMP/m.yaml" -o values --cluster cluster2 --release istiod
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	# a remote whose primary has no address yet: as with istioctl
	sed '/discoveryAddress/d' "$TMP/m.yaml" > "$TMP/n.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/n.yaml" -o helm-install
	[ -z "$output" ]
	[[ "$stderr" == *"discoveryAddress"* ]]
	# --for helm without Helm releases says where they come from
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --for helm
	[ -z "$output" ]
	[[ "$stderr" == *"--installer helm"* ]]
}
