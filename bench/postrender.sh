#!/usr/bin/env bash
# The external istiod's post-render, side by side: mesh-overlay
# --k8s-overlays as Helm runs it (-o helm-install), and kustomize with
# the strategic merge patches of the Flux HelmRelease (kubectl kustomize,
# the kustomize Flux runs), on the same chart output; and helm template
# with and without the post-renderer.
#
#     MESH_HELM3=path/to/helm3 bench/postrender.sh [RUNS] [DOCS]
#
# The chart is the tests' stand-in for istio/istiod; the large input adds
# DOCS ConfigMaps (2000) to its output, about the size of istio/base with
# its CRDs.  Each figure is the median of RUNS runs (15) through
# bench/measure.c: wall time, user + system CPU and peak RSS of the whole
# process tree.  Both post-renders must give the same Deployment (items
# of merge-keyed lists compared in key order) before anything is timed.
# The report (Markdown) goes to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-15}
docs=${2:-2000}
helm=${MESH_HELM3:?set MESH_HELM3 to a Helm 3 binary (tools/get-helm fetches one)}
command -v kubectl >/dev/null || { echo "postrender.sh: needs kubectl" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$root" >/dev/null
"${CC:-cc}" -O2 -o "$tmp/measure" "$here/measure.c"
export PATH="$root/build:$PATH"
chart="$root/tests/fixtures/helm/istiod"
flux="$root/tests/helpers/flux.py"	# kustomize's input; Deployments compared

cat > "$tmp/mesh.yaml" <<'EOF'
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: external
  external:
    context: ctx-ext
    address: istiod.external.example.com
  clusters:
  - name: cluster1
    network: network1
EOF
mesh-render -f "$tmp/mesh.yaml" --cluster external --installer istioctl > "$tmp/iop.yaml"
mesh-render -f "$tmp/mesh.yaml" --cluster external --installer helm > "$tmp/hr.yaml"

# the inputs: the chart's output, and it with $docs ConfigMaps more
"$helm" template istiod "$chart" -n external-istiod > "$tmp/small.yaml"
cp "$tmp/small.yaml" "$tmp/large.yaml"
awk -v n="$docs" 'BEGIN { for (i = 0; i < n; i++) {
	printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
	printf "  name: cm-%d\n  namespace: external-istiod\ndata:\n", i
	for (j = 0; j < 8; j++) printf "  key%d: value-%d-%d\n", j, i, j } }' >> "$tmp/large.yaml"
for size in small large; do
	mkdir -p "$tmp/kz-$size"
	cp "$tmp/$size.yaml" "$tmp/kz-$size/all.yaml"
	python3 "$flux" kustomization "$tmp/hr.yaml" "$tmp/kz-$size/kustomization.yaml"
done

# same: both post-renders give the same Deployment
norm() {
	python3 "$flux" deployments
}
for size in small large; do
	a=$(mesh-overlay --k8s-overlays "$tmp/iop.yaml" < "$tmp/$size.yaml" | norm)
	b=$(kubectl kustomize "$tmp/kz-$size" | norm)
	[ "$a" = "$b" ] || { echo "postrender.sh: the two post-renders differ ($size)" >&2; exit 1; }
done

# run NAME CMD...: $runs runs, through measure, input on stdin
run() {
	local name=$1 in=$2 i
	shift 2
	: > "$tmp/$name.log"
	for ((i = 0; i < runs; i++)); do
		"$tmp/measure" "$tmp/$name.log" 60 "$@" < "$in" > /dev/null
	done
}
# median COLUMN NAME: of the runs' lines (measure's columns: 3 wall s,
# 4 user s, 5 sys s, 6 maxrss KiB); column 0 is user + sys
median() {
	awk -v c="$1" '{ print c == 0 ? $4 + $5 : $c }' "$tmp/$2.log" |
	    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for size in small large; do
	run "mo-$size" "$tmp/$size.yaml" mesh-overlay --k8s-overlays "$tmp/iop.yaml"
	run "kz-$size" /dev/null kubectl kustomize "$tmp/kz-$size"
done
run "helm-plain" /dev/null "$helm" template istiod "$chart" -n external-istiod
run "helm-post" /dev/null "$helm" template istiod "$chart" -n external-istiod \
    --post-renderer mesh-overlay --post-renderer-args --k8s-overlays \
    --post-renderer-args "$tmp/iop.yaml"

echo "Post-render of the external istiod: $runs runs each, medians; $(nproc) CPUs."
echo "meshline $(git -C "$root" rev-parse --short HEAD); $("$helm" version --short);"
echo "$(kubectl version --client 2>/dev/null | head -1)."
echo
echo "| input | command | wall ms | CPU ms | peak RSS MiB |"
echo "|---|---|---:|---:|---:|"
row() {
	awk -v i="$1" -v c="$2" -v w="$(median 3 "$3")" -v u="$(median 0 "$3")" \
	    -v r="$(median 6 "$3")" 'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f |\n",
	    i, c, w * 1000, u * 1000, r / 1024 }'
}
n_small=$(grep -c '^kind:' "$tmp/small.yaml")
n_large=$(grep -c '^kind:' "$tmp/large.yaml")
for size in small large; do
	n=n_$size
	row "$size (${!n} documents, $(wc -c < "$tmp/$size.yaml") bytes)" \
	    "mesh-overlay --k8s-overlays (Helm's post-renderer)" "mo-$size"
	row "$size (${!n} documents)" "kubectl kustomize, the HelmRelease's patches (Flux's)" "kz-$size"
done
row "the chart" "helm template" helm-plain
row "the chart" "helm template --post-renderer mesh-overlay" helm-post
