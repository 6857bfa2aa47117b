#!/usr/bin/env bats
# The external control plane with Helm: the config cluster's ingress
# and egress gateways of the page's Helm tab (HELM.tsv rows of
# external-controlplane), and every IstioOperator of the external model
# as the Helm releases that install the same, the external istiod's k8s
# settings applied after the chart by mesh-overlay (helm install) or by
# Flux's kustomize patches (HelmRelease).  The steps with real Helm run
# when MESH_HELM3 / MESH_HELM4 name the binaries (tools/get-helm).

load helpers/common
load helpers/helm

CUR="$SHARED/conformance/current"

# words: a helm install line as its words, one per line, without
# --kube-context and its value (the single roles print none)
words() {
	"$PYTHON" -c '
import sys, shlex
w = shlex.split(sys.stdin.read())
out, skip = [], False
for x in w:
    if skip:
        skip = False
    elif x == "--kube-context":
        skip = True
    elif not x.startswith("--kube-context="):
        out.append(x)
print("\n".join(out))'
}

# mesh-desc FILE [ADDRESS]: an external mesh with two remotes at 1.30
mesh_desc() {
	cat > "$1" <<EOF
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: external
  installer: helm
  istioVersion: "1.30"
  external:
    context: ctx-ext
    address: ${2:-istiod.external.example.com}
  clusters:
  - name: cluster1
    context: ctx1
    network: network1
  - name: cluster2
    context: ctx2
    network: network2
EOF
}

@test "helm-external: mesh-gw ingress and egress -o values equal the page's Helm tab (parsed YAML)" {
	local g
	for g in ingress egress; do
		run --separate-stderr -0 mesh-gw "$g" -o values
		printf '%s\n' "$output" > "$TMP/$g.yaml"
		yaml_eq "$TMP/$g.yaml" "$CUR/helm/external-controlplane/cluster1-istio-${g}gateway.values.yaml"
	done
}

@test "helm-external: mesh-gw ingress and egress -o helm-install are HELM.tsv's lines" {
	local g want
	for g in ingress egress; do
		run --separate-stderr -0 mesh-gw "$g" -o helm-install
		[[ "${lines[0]}" == "#!/bin/sh" ]]
		printf '%s\n' "$output" | grep '^helm install' | words > "$TMP/got"
		want=$(awk -F'\t' -v r="istio-${g}gateway" '$1 == "external-controlplane" && $3 == r { print $8 }' "$CUR/HELM.tsv")
		[ -n "$want" ]
		printf '%s\n' "$want" | words > "$TMP/want"
		diff -u "$TMP/want" "$TMP/got"
		# and the script runs them, with sh
		sh -n <(printf '%s\n' "$output")
	done
}

@test "helm-external: mesh-gw ingress --installer helm is a Flux HelmRelease of istio/gateway" {
	run --separate-stderr -0 mesh-gw egress --installer helm -n gw-ns --istio-version 1.26
	printf '%s\n' "$output" > "$TMP/hr.yaml"
	[ "$(py_yaml "$TMP/hr.yaml" '[(o["kind"], o["metadata"], o["spec"]["chart"]["spec"]["chart"], o["spec"]["chart"]["spec"]["version"], o["spec"]["releaseName"], o["spec"]["targetNamespace"], o["spec"]["values"]) for o in d]')" = \
	    '[["HelmRelease", {"name": "istio-egressgateway", "namespace": "gw-ns"}, "gateway", "1.26.x", "istio-egressgateway", "gw-ns", {"service": {"type": "ClusterIP"}}]]' ]
	# the ingress gateway's Service as --service-type and the addresses say
	run --separate-stderr -0 mesh-gw ingress -o values --service-type NodePort --external-ip 192.0.2.9
	printf '%s\n' "$output" > "$TMP/v.yaml"
	[ "$(py_yaml "$TMP/v.yaml" 'd')" = '[{"service": {"type": "NodePort", "externalIPs": ["192.0.2.9"]}}]' ]
}

@test "helm-external: what istio/gateway cannot do is refused in one line, nothing on stdout" {
	run --separate-stderr -1 mesh-gw ingress --installer helm --injection-template custom
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"ingressGateways istio-ingressgateway: 'injectionTemplate' has no value of istio/gateway"*"install it with istioctl"* ]]
	# several releases: -o values needs --release, and names them
	run --separate-stderr -2 mesh-gw controlplane -o values
	[ -z "$output" ]
	[[ "$stderr" == *"give --release istio-base, istiod or istio-ingressgateway"* ]]
	run --separate-stderr -1 mesh-gw controlplane -o values --release nope
	[ -z "$output" ]
	[[ "$stderr" == *"no Helm release 'nope'"* ]]
	# usage errors
	run --separate-stderr -2 mesh-gw controlplane --release x
	[ -z "$output" ]
	[[ "$stderr" == *"--release names the release whose values -o values prints"* ]]
	run --separate-stderr -2 mesh-gw ingress -o values --release x
	[ -z "$output" ]
	[[ "$stderr" == *"ingress does not take --release"* ]]
	run --separate-stderr -2 mesh-gw egress -o helm-install --installer istioctl
	[ -z "$output" ]
	run --separate-stderr -2 mesh-gw expose-services --installer helm
	[ -z "$output" ]
}

@test "helm-external: the external control plane cluster's gateway is base, istiod and istio/gateway with the page's ports" {
	run --separate-stderr -0 mesh-gw controlplane -o values --release istio-ingressgateway --load-balancer-ip 192.0.2.4
	printf '%s\n' "$output" > "$TMP/v.yaml"
	# the same Service as the IstioOperator's k8s.service
	run --separate-stderr -0 mesh-gw controlplane --load-balancer-ip 192.0.2.4
	printf '%s\n' "$output" > "$TMP/iop.yaml"
	[ "$(py_yaml "$TMP/v.yaml" 'd[0]["service"]')" = "$(py_yaml "$TMP/iop.yaml" 'd[0]["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]')" ]
	run --separate-stderr -0 mesh-gw controlplane --installer helm
	printf '%s\n' "$output" > "$TMP/hr.yaml"
	[ "$(py_yaml "$TMP/hr.yaml" '[(o["spec"]["chart"]["spec"]["chart"], o["metadata"]["name"], o["metadata"]["namespace"], o["spec"].get("dependsOn"), o["spec"]["values"]) for o in d[:2]]')" = \
	    '[["base", "istio-base", "istio-system", null, {}], ["istiod", "istiod", "istio-system", [{"name": "istio-base"}], {}]]' ]
}

@test "helm-external: every release takes its IstioOperator's values, meshConfig and profile" {
	local addr c rel
	for addr in istiod.external.example.com 192.0.2.50; do
		mesh_desc "$TMP/m.yaml" "$addr"
		run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --installer istioctl
		printf '%s\n' "$output" > "$TMP/iop.yaml"
		run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
		printf '%s\n' "$output" > "$TMP/hr.yaml"
		"$PYTHON" - "$TMP/iop.yaml" "$TMP/hr.yaml" <<'PY'
import sys, yaml
iops = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
hrs = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
want = []
for i in iops:
    c = i["metadata"]["annotations"]["meshline.io/cluster"]
    s = i["spec"]
    v = dict(s.get("values", {}))
    if "meshConfig" in s:
        v["meshConfig"] = s["meshConfig"]
    if s["profile"] == "remote":
        v = dict(profile="remote", **v)
        want.append((c, "istio-base", "base", None, v))
        want.append((c, "istiod", "istiod", "istio-base", v))
    else:
        assert s["profile"] == "empty" and s["components"]["pilot"]["enabled"], s
        want.append((c, "istiod", "istiod", None, v))
got = [(h["metadata"]["annotations"]["meshline.io/cluster"], h["metadata"]["name"],
        h["spec"]["chart"]["spec"]["chart"],
        (h["spec"].get("dependsOn") or [{"name": None}])[0]["name"], h["spec"]["values"])
       for h in hrs]
assert [h["metadata"]["namespace"] for h in hrs] == ["external-istiod"] * len(hrs)
assert got == want, (got, want)
assert len(got) == 5
PY
	done
}

@test "helm-external: the external istiod's release says its k8s settings are post-rendered" {
	mesh_desc "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o values --cluster external --release istiod
	[[ "${lines[0]}" == "# The values of Helm release 'istiod' (istio/istiod) of cluster 'external'."* ]]
	[[ "$output" == *"--post-renderer mesh-overlay"*"--post-renderer-args --k8s-overlays"* ]]
	[[ "$output" == *"mesh-render -f MESH --cluster external --step external-istiod --installer istioctl >k8s.yaml"* ]]
	printf '%s\n' "$output" > "$TMP/v.yaml"
	[ "$(py_yaml "$TMP/v.yaml" 'd[0]["global"]["multiCluster"]')" = '{"clusterName": "cluster1"}' ]
	# a remote's release has nothing to post-render, and says nothing
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o values --cluster cluster1 --release istiod
	[[ "$output" != *"#"* ]]
	# the Flux release carries kustomize patches, the others none
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml"
	printf '%s\n' "$output" > "$TMP/hr.yaml"
	[ "$(py_yaml "$TMP/hr.yaml" '[(o["metadata"]["annotations"]["meshline.io/cluster"], o["metadata"]["name"], [p["target"] for p in o["spec"]["postRenderers"][0]["kustomize"]["patches"]] if "postRenderers" in o["spec"] else None) for o in d]')" = \
	    '[["external", "istiod", [{"kind": "Deployment", "name": "istiod"}]], ["cluster1", "istio-base", null], ["cluster1", "istiod", null], ["cluster2", "istio-base", null], ["cluster2", "istiod", null]]' ]
}

# fake_helm REAL: a helm on PATH that notes each "helm install NAME
# istio/CHART ARGS" in calls, and runs those of istio/istiod as "REAL
# template NAME <the fixture chart> ARGS" without the cluster's flags,
# so that the script's post-renderer runs for real
fake_helm() {
	mkdir -p "$TMP/bin"
	cat > "$TMP/bin/helm" <<EOF
#!/bin/sh
[ "\$1" = install ] || exit 9
name=\$2 chart=\$3 ctx=
shift 3
set -- "\$@" END
while [ "\$1" != END ]; do
	case "\$1" in
	--kube-context) ctx=\$2; shift 2 ;;
	--version) shift 2 ;;
	*) set -- "\$@" "\$1"; shift ;;
	esac
done
shift
echo "\$ctx \$name \$chart" >> "$TMP/calls"
[ "\$chart" = istio/istiod ] || exit 0
exec "$1" template "\$name" "$CHART" "\$@" >> "$TMP/rendered.yaml"
EOF
	chmod +x "$TMP/bin/helm"
}

# check_rendered: the script installed the releases in the steps'
# order, the external istiod's Deployment with its env and ConfigMap
# volumes, the remotes' as the chart makes them
check_rendered() {
	printf '%s\n' "ctx1 istio-base istio/base" "ctx1 istiod istio/istiod" \
	    "ctx-ext istiod istio/istiod" "ctx2 istio-base istio/base" \
	    "ctx2 istiod istio/istiod" | diff -u - "$TMP/calls"
	"$PYTHON" - "$TMP/rendered.yaml" <<'PY'
import sys, yaml
deps = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "Deployment"]
assert len(deps) == 3, len(deps)
spec = deps[1]["spec"]["template"]["spec"]
env = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
assert env["CLUSTER_ID"] == "cluster1" and env["EXTERNAL_ISTIOD"] == "true", env
assert env["SHARED_MESH_CONFIG"] == "istio" and env["LOCAL_CLUSTER_SECRET_WATCHER"] == "true", env
assert [v["name"] for v in spec["volumes"]] == ["local-certs", "config-volume", "inject-volume"], spec["volumes"]
assert [m["mountPath"] for m in spec["containers"][0]["volumeMounts"]] == \
    ["/var/run/secrets/istio-dns", "/etc/istio/config", "/var/lib/istio/inject"]
for d in (deps[0], deps[2]):
    assert [e["name"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]] == ["REVISION"]
    assert len(d["spec"]["template"]["spec"]["volumes"]) == 1
PY
}

@test "helm-external: helm 3 runs the -o helm-install script, mesh-overlay post-rendering the external istiod" {
	need3
	mesh_desc "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o helm-install
	printf '%s\n' "$output" > "$TMP/install.sh"
	grep -q "^helm install istiod istio/istiod -n external-istiod --kube-context ctx-ext .* --post-renderer mesh-overlay --post-renderer-args --k8s-overlays --post-renderer-args \"\$k8s\"/external-istiod.yaml$" "$TMP/install.sh"
	fake_helm "$MESH_HELM3"
	TMPDIR="$TMP/t" && mkdir -p "$TMPDIR" && export TMPDIR
	PATH="$TMP/bin:$PATH" run --separate-stderr -0 sh "$TMP/install.sh"
	check_rendered
	# the script took back its temporary directory
	[ -z "$(ls -A "$TMP/t")" ]
}

@test "helm-external: helm 4 runs the same script through the mesh-overlay plugin" {
	need4
	run --separate-stderr -0 "$MESH_HELM4" plugin install "$ROOT/helm/mesh-overlay"
	mesh_desc "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" -o helm-install
	printf '%s\n' "$output" > "$TMP/install.sh"
	fake_helm "$MESH_HELM4"
	PATH="$TMP/bin:$PATH" run --separate-stderr -0 sh "$TMP/install.sh"
	check_rendered
}

# norm_lists: the Deployments of a stream, merge-keyed lists in key order
norm_lists() {
	"$PYTHON" "$TESTS/helpers/flux.py" deployments
}

@test "helm-external: Flux's kustomize patches do to the chart what mesh-overlay --k8s-overlays does" {
	need3
	command -v kubectl >/dev/null || skip "no kubectl (its kustomize applies the patches)"
	local addr rev
	for addr in istiod.external.example.com 192.0.2.50 istiod.external.example.com/canary; do
		rev=""
		case "$addr" in */*) rev="${addr#*/}" addr="${addr%/*}" ;; esac
		mesh_desc "$TMP/m.yaml" "$addr"
		[ -z "$rev" ] || sed -i "s/^  model: external/  model: external\n  revision: $rev/" "$TMP/m.yaml"
		mesh-render -f "$TMP/m.yaml" --cluster external > "$TMP/hr.yaml"
		# the file the -o helm-install script post-renders with
		mesh-render -f "$TMP/m.yaml" --cluster external -o helm-install |
		    awk '/<<.MESH_K8S_EOF/ { f = 1; next } /^MESH_K8S_EOF/ { f = 0 } f' > "$TMP/k8s.yaml"
		[ -s "$TMP/k8s.yaml" ]
		"$MESH_HELM3" template istiod "$CHART" -n external-istiod --set "revision=$rev" \
		    --post-renderer mesh-overlay --post-renderer-args --k8s-overlays \
		    --post-renderer-args "$TMP/k8s.yaml" > "$TMP/post.yaml" 2> "$TMP/post.err"
		# everything applied: mesh-overlay warns of a setting that is not
		[ ! -s "$TMP/post.err" ]
		norm_lists < "$TMP/post.yaml" > "$TMP/want"
		grep -q SHARED_MESH_CONFIG "$TMP/want"
		# a revision's Deployment is istiod-REV, and so is what patches it
		[ -z "$rev" ] || grep -q '"name": "istiod-canary"' "$TMP/want"
		rm -rf "$TMP/kz" && mkdir "$TMP/kz"
		"$MESH_HELM3" template istiod "$CHART" -n external-istiod --set "revision=$rev" > "$TMP/kz/all.yaml"
		"$PYTHON" "$TESTS/helpers/flux.py" kustomization "$TMP/hr.yaml" "$TMP/kz/kustomization.yaml"
		kubectl kustomize "$TMP/kz" | norm_lists > "$TMP/got"
		diff "$TMP/want" "$TMP/got"
		# and they changed it
		! "$MESH_HELM3" template istiod "$CHART" -n external-istiod --set "revision=$rev" | norm_lists | cmp -s - "$TMP/got"
	done
}

@test "helm-external: routed, the releases go where the steps do, and a release without the remote profile is refused" {
	mesh_desc "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --dir "$TMP/out"
	run --separate-stderr -0 mesh-gw -f "$TMP/m.yaml" --dir "$TMP/out"
	(cd "$TMP/out" && find . -type f | LC_ALL=C sort) > "$TMP/files"
	cat > "$TMP/want" <<'EOF'
./cluster1/01-namespace.kubectl.yaml
./cluster1/05-control-plane.helm.yaml
./cluster1/11-eastwest-gateway.helm.yaml
./cluster1/12-expose-services.kubectl.yaml
./cluster2/01-namespace.kubectl.yaml
./cluster2/09-control-plane.helm.yaml
./cluster2/11-eastwest-gateway.helm.yaml
./external/01-namespace.kubectl.yaml
./external/03-controlplane-gateway.helm.yaml
./external/07-external-istiod.helm.yaml
./external/08-external-istiod-gw.kubectl.yaml
EOF
	diff -u "$TMP/want" "$TMP/files"
	# the steps' order is the same with either installer
	run -0 mesh-render -f "$TMP/m.yaml" --steps
	local helm_steps="$output"
	run -0 mesh-render -f "$TMP/m.yaml" --steps --installer istioctl
	[ "$output" = "$helm_steps" ]
	# a step of no Helm release says so, and which
	run --separate-stderr -1 mesh-gw -f "$TMP/m.yaml" -o helm-install --step external-istiod-gw
	[ -z "$output" ]
	[[ "$stderr" == *"no Helm release from mesh-gw in step 'external-istiod-gw'"* ]]
	run --separate-stderr -1 mesh-gw -f "$TMP/m.yaml" -o values --cluster cluster1 --release istio-eastwestgateway --step expose-services
	[ -z "$output" ]
	[[ "$stderr" == *"cluster 'cluster1' has no Helm release 'istio-eastwestgateway' from mesh-gw in step 'expose-services': it has none"* ]]
	# the remote profile of the charts begins at 1.24
	for p in mesh-render mesh-gw; do
		run --separate-stderr -1 mesh "$p" -f "$TMP/m.yaml" --istio-version 1.23
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"spec.istioVersion"*"remote profile, which Istio 1.23 lacks"* ]]
	done
}
