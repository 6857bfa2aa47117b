#!/usr/bin/env bash
# mesh-render on large mesh descriptions: how long one render of every
# cluster takes, for each model, and the same per cluster with --cluster.
#     bench/render.sh [CLUSTERS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=${1:-100}
runs=${2:-20}
make -s -C "$root" >/dev/null
bin=$root/build/mesh-render
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

describe() {	# model: write a description of $n clusters
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: big\nspec:\n  model: %s\n' "$1"
	if [ "$1" = external ]; then
		printf '  external: {context: ext, address: istiod.mesh.example.com}\n'
	fi
	printf '  clusters:\n'
	for i in $(seq 1 "$n"); do
		printf '  - name: cluster%d\n    network: network%d\n' "$i" $((i % 4))
		if [ "$1" = primary-remote ] && [ "$i" -gt 1 ]; then
			printf '    role: remote\n    discoveryAddress: 203.0.113.10\n'
		fi
	done
}

# best wall time of $runs runs, in milliseconds
best() {
	local b=999999 i s e t
	for i in $(seq 1 "$runs"); do
		s=$(date +%s%N)
		"$@" > "$tmp/out"
		e=$(date +%s%N)
		t=$(( (e - s) / 1000 ))
		[ "$t" -lt "$b" ] && b=$t
	done
	printf '%d.%03d' $((b / 1000)) $((b % 1000))
}

printf '%s clusters, best of %s runs, wall milliseconds\n\n' "$n" "$runs"
printf '| model | documents | bytes | mesh-render -f | one cluster (--cluster) |\n'
printf '|---|---:|---:|---:|---:|\n'
for model in multi-primary primary-remote external; do
	describe "$model" > "$tmp/$model.yaml"
	all=$(best "$bin" -f "$tmp/$model.yaml")
	one=$(best "$bin" -f "$tmp/$model.yaml" --cluster cluster50)
	"$bin" -f "$tmp/$model.yaml" > "$tmp/out"
	printf '| %s | %s | %s | %s | %s |\n' "$model" \
	    "$(grep -c '^kind:' "$tmp/out")" "$(wc -c < "$tmp/out")" "$all" "$one"
done
