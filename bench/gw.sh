#!/usr/bin/env bash
# mesh-gw beside Istio's samples/multicluster/gen-eastwest-gateway.sh:
# start-up, and one render on the same flags, each a mean over a shell
# loop, best of five rounds, the two programs taking turns.
#
#     ISTIO_GIT=path/to/istio bench/gw.sh [RUNS]
#
# ISTIO_GIT is a clone (or bare mirror) of istio/istio; the script is
# taken from its ISTIO_REV (HEAD) into a scratch directory for the run and
# removed afterwards: it is never copied into this tree.  GEN_EASTWEST
# names a copy of the script instead.  RUNS is the runs per round (200).
# The report (Markdown) goes to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-200}
rounds=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${GEN_EASTWEST:-}" ]; then
	cp "$GEN_EASTWEST" "$tmp/gen.sh"
	src="$GEN_EASTWEST"
elif [ -n "${ISTIO_GIT:-}" ]; then
	rev=$(git -C "$ISTIO_GIT" rev-parse "${ISTIO_REV:-HEAD}")
	git -C "$ISTIO_GIT" show "$rev:samples/multicluster/gen-eastwest-gateway.sh" > "$tmp/gen.sh"
	src="istio/istio $rev"
else
	echo "gw.sh: set ISTIO_GIT to an istio/istio clone, or GEN_EASTWEST to the script" >&2
	exit 1
fi
chmod +x "$tmp/gen.sh"
make -s -C "$root" >/dev/null
gw=$root/build/mesh-gw

# The same command lines for both; the script's first word is replaced.
cases=(
	"--network network1"
	"--network network2 --revision canary"
	"--single-cluster"
	"--ambient --network network1"
)

# Every render must print the same bytes as the script.
for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	"$tmp/gen.sh" $c > "$tmp/want"
	# shellcheck disable=SC2086
	"$gw" eastwest $c > "$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" || { echo "gw.sh: outputs differ for: $c" >&2; exit 1; }
done
NETWORK=network1 "$tmp/gen.sh" > "$tmp/want"
NETWORK=network1 "$gw" eastwest > "$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || { echo "gw.sh: outputs differ for NETWORK=network1" >&2; exit 1; }

# loop NAME CMD...: mean wall ms per run of $runs runs in ms_NAME, and
# the children's user + system CPU ms per run in cpu_NAME, the least of
# the rounds kept for each.
declare -A ms cpu
cpu_ms() {	# the children's user + system time so far, in ms, in $c
	local t
	times > "$tmp/times"	# in this shell: a subshell has no children
	t=$(tail -n 1 "$tmp/times")
	c=$(awk -v t="$t" 'BEGIN { split(t, a, " "); s = 0
	    for (i = 1; i <= 2; i++) { split(a[i], p, "m"); sub("s", "", p[2])
	    s += p[1] * 60000 + p[2] * 1000 } printf "%.0f", s }')
}
keep_least() {	# array, name, value
	local -n arr=$1
	if [ -z "${arr[$2]:-}" ] || awk -v a="$3" -v b="${arr[$2]}" 'BEGIN { exit !(a < b) }'; then
		arr[$2]=$3
	fi
}
loop() {
	local name=$1 i t0 t1 c c0 c1
	shift
	cpu_ms
	c0=$c
	t0=$(date +%s%N)
	for ((i = 0; i < runs; i++)); do
		"$@" > /dev/null 2>&1 || true
	done
	t1=$(date +%s%N)
	cpu_ms
	c1=$c
	keep_least ms "$name" "$(awk -v a="$t0" -v b="$t1" -v n="$runs" 'BEGIN { printf "%.3f", (b - a) / n / 1e6 }')"
	keep_least cpu "$name" "$(awk -v a="$c0" -v b="$c1" -v n="$runs" 'BEGIN { printf "%.3f", (b - a) / n }')"
}

for ((r = 0; r < rounds; r++)); do
	loop true /bin/true
	loop gw-start "$gw" --version
	loop gen-start "$tmp/gen.sh"
	loop gw-1 "$gw" eastwest --network network1
	loop gen-1 "$tmp/gen.sh" --network network1
	loop gw-2 "$gw" eastwest --network network2 --revision canary
	loop gen-2 "$tmp/gen.sh" --network network2 --revision canary
	loop gw-3 "$gw" eastwest --single-cluster
	loop gen-3 "$tmp/gen.sh" --single-cluster
	loop gw-4 "$gw" eastwest --ambient --network network1
	loop gen-4 "$tmp/gen.sh" --ambient --network network1
	loop gw-env env NETWORK=network1 "$gw" eastwest
	loop gen-env env NETWORK=network1 "$tmp/gen.sh"
done

net() { awk -v a="$1" -v b="${ms[true]}" 'BEGIN { printf "%.2f", a - b }'; }
times_x() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", b / a }'; }
row() {	# label, mesh-gw key, script key
	printf '| %s | %.2f | %s | %.2f | %.2f | %s | %.2f | %s |\n' "$1" \
	    "${ms[$2]}" "$(net "${ms[$2]}")" "${cpu[$2]}" \
	    "${ms[$3]}" "$(net "${ms[$3]}")" "${cpu[$3]}" \
	    "$(times_x "$(net "${ms[$2]}")" "$(net "${ms[$3]}")") / $(times_x "${cpu[$2]}" "${cpu[$3]}")"
}

echo "gen-eastwest-gateway.sh from $src, run by $(bash --version | head -n 1 | sed 's/ (.*//')."
echo "mesh-gw $("$gw" --version | sed 's/^mesh-gw (meshline) //') from $(git -C "$root" describe --always --dirty 2>/dev/null || echo "this tree")."
echo "Per run: mean wall ms of a loop of $runs runs, best of $rounds rounds, the"
echo "programs taking turns; \"net\" subtracts the same loop running /bin/true"
echo "(${ms[true]} ms); CPU is the children's user + system ms per run (bash's"
echo "times, 10 ms ticks over the loop). Every render printed the same bytes"
echo "from both."
echo
echo "| command line | mesh-gw ms | net | CPU | script ms | net | CPU | script / mesh-gw (net wall / CPU) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "start-up (mesh-gw --version; the script with no flags)" gw-start gen-start
row "eastwest --network network1" gw-1 gen-1
row "eastwest --network network2 --revision canary" gw-2 gen-2
row "eastwest --single-cluster" gw-3 gen-3
row "eastwest --ambient --network network1" gw-4 gen-4
row "NETWORK=network1 eastwest (via env)" gw-env gen-env
