#!/usr/bin/env bash
# The simulated API server's speed (tests/simcluster/simcluster), one
# version beside another: what a client waits for, and what 100 of them
# cost to start.
#
#     bench/simcluster.sh                  # about 2 minutes
#     VERSIONS="HEAD~3 tree" bench/simcluster.sh
#
# VERSIONS (default: "51da3b5^ d049acb tree") names the simclusters to
# compare, in order: a git revision of this tree (its
# tests/simcluster/simcluster, taken with git show), "tree" for the file as
# it is now, or a path to another copy.  51da3b5^ is the server before it
# set TCP_NODELAY; d049acb the one before its answers went out in one write.
# For each, on a fresh cluster (127.0.0.1 only):
#
#  1. get: one small GET (/api/v1/namespaces/default) with curl, GETS (20)
#     times: time_appconnect (TLS done) and time_starttransfer (first byte)
#     on a new connection, and time_starttransfer of a second GET on the
#     same kept-alive connection (curl given the URL twice), medians;
#  2. kubectl get namespaces, KRUNS (10) times after one run that fills
#     kubectl's discovery cache: wall time, median;
#  3. kubectl apply -f of 99 Secrets, RUNS (3) times, each into a new
#     namespace (created by the same apply): wall time, median and range,
#     and the requests it made (the cluster's request log);
#  4. CLUSTERS (100) clusters started at once: wall time from the first
#     start to the last kubeconfig written, CPU time (user + system) of
#     all of them once serving, and their summed and largest RSS.
#
# The report (Markdown) goes to stdout, progress to stderr.  Environment:
# VERSIONS, GETS, KRUNS, RUNS, CLUSTERS, KUBECTL (kubectl), CURL (curl),
# KEEP=1 (keep the scratch directory).  Needs bash, python3, openssl (for
# simcluster), curl and a kubectl whose client matches the server's 1.32;
# every cluster it starts is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

VERSIONS=${VERSIONS:-"51da3b5^ d049acb tree"}
GETS=${GETS:-20}
KRUNS=${KRUNS:-10}
RUNS=${RUNS:-3}
CLUSTERS=${CLUSTERS:-100}
KUBECTL=${KUBECTL:-kubectl}
CURL=${CURL:-curl}

note() { printf 'simcluster.sh: %s\n' "$*" >&2; }
die() { note "$*"; exit 1; }

for t in python3 openssl "$CURL" "$KUBECTL"; do
	command -v "$t" >/dev/null || die "$t is not installed"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/simbench.XXXXXX")
# The tests' helper: SIM_PIDS holds the clusters started, teardown stops
# them (TERM, then waits for each).
TESTS=$root/tests
# shellcheck source=../tests/helpers/simcluster.bash
. "$TESTS/helpers/simcluster.bash"
stop_all() {
	teardown
	SIM_PIDS=()
}
cleanup() {
	stop_all
	if [ "${KEEP:-}" = 1 ]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start SIM DIR: start simcluster SIM serving from DIR, in the background.
start() {
	mkdir -p "$2"
	"$1" --dir "$2" --name "$(basename "$2")" >"$2.out" 2>&1 &
	SIM_PIDS+=("$!")
}

# ready DIR...: wait (60 s at most) until every DIR has its kubeconfig.
ready() {
	local d i
	for d in "$@"; do
		for ((i = 0; i < 1200; i++)); do
			[ -f "$d/kubeconfig" ] && continue 2
			sleep 0.05
		done
		die "simcluster in $d did not start: $(cat "$d.out")"
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stats: "median (min-max)" of the numbers on stdin, with the format $1.
stats() {
	python3 -c '
import sys, statistics
v = sorted(float(x) for x in sys.stdin.read().split())
f = sys.argv[1]
print((f + " (" + f + "-" + f + ")") % (statistics.median(v), v[0], v[-1]))
' "$1"
}

# sim_for VERSION: the path of that version's simcluster.
sim_for() {
	local v=$1 f
	if [ "$v" = tree ]; then
		echo "$root/tests/simcluster/simcluster"
	elif [ -f "$v" ]; then
		echo "$v"
	else
		f="$tmp/sim-$(echo "$v" | tr -c 'A-Za-z0-9\n' _)"
		git -C "$root" show "$v:tests/simcluster/simcluster" >"$f" ||
		    die "no simcluster at revision $v"
		chmod +x "$f"
		echo "$f"
	fi
}

python3 - >"$tmp/secrets.yaml" <<'PY'
for i in range(99):
    print("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s%02d\n"
        "type: Opaque\ndata:\n  key: dmFsdWU=" % i)
PY

# measure VERSION: rows of the report for one simcluster.
measure() {
	local v=$1 sim d port tok url i t0 t1 ns n
	sim=$(sim_for "$v")
	d="$tmp/$(echo "$v" | tr -c 'A-Za-z0-9\n' _)"
	mkdir -p "$d"
	start "$sim" "$d/c"
	ready "$d/c"
	port=$(cat "$d/c/port")
	tok=$(cat "$d/c/token")
	url="https://127.0.0.1:$port/api/v1/namespaces/default"
	note "$v: GET with curl, $GETS times"
	for ((i = 0; i < GETS; i++)); do
		"$CURL" -s -o /dev/null -o /dev/null --cacert "$d/c/ca.crt" \
		    -H "Authorization: Bearer $tok" \
		    -w '%{time_appconnect} %{time_starttransfer}\n' "$url" "$url"
	done >"$d/curl"
	# Odd lines: the new connection; even lines: the kept-alive one.
	awk 'NR % 2 == 1 {print $1 * 1000}' "$d/curl" | stats %.1f >"$d/tls"
	awk 'NR % 2 == 1 {print $2 * 1000}' "$d/curl" | stats %.1f >"$d/first"
	awk 'NR % 2 == 0 {print $2 * 1000}' "$d/curl" | stats %.1f >"$d/again"

	export HOME="$d/home" KUBECACHEDIR="$d/kubecache" KUBECONFIG="$d/c/kubeconfig"
	mkdir -p "$HOME"
	note "$v: kubectl get namespaces, $KRUNS times"
	"$KUBECTL" get namespaces >/dev/null
	for ((i = 0; i < KRUNS; i++)); do
		t0=$(now_ms)
		"$KUBECTL" get namespaces >/dev/null
		t1=$(now_ms)
		echo $((t1 - t0))
	done | stats %.0f >"$d/kget"

	note "$v: kubectl apply of 99 Secrets, $RUNS times"
	for ((i = 0; i < RUNS; i++)); do
		ns="bench$i"
		printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$ns" \
		    >"$d/apply.yaml"
		sed "s/^  name: s/  namespace: $ns\n  name: s/" "$tmp/secrets.yaml" \
		    >>"$d/apply.yaml"
		n=$(wc -l <"$d/c/requests.log")
		t0=$(now_ms)
		"$KUBECTL" apply -f "$d/apply.yaml" >/dev/null
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$d/apply"
		echo $(($(wc -l <"$d/c/requests.log") - n)) >>"$d/apply-req"
	done
	[ "$("$KUBECTL" get secrets -A --no-headers | grep -c ' s[0-9][0-9] ')" = $((99 * RUNS)) ] ||
	    die "$v: the applies did not make $((99 * RUNS)) Secrets"
	stats %.0f <"$d/apply" >"$d/apply.s"
	stop_all

	note "$v: $CLUSTERS clusters started at once"
	local dirs=() pid cpu=0 rss=0 max=0 r hz
	hz=$(getconf CLK_TCK)
	t0=$(now_ms)
	for ((i = 1; i <= CLUSTERS; i++)); do
		start "$sim" "$d/many/c$i"
		dirs+=("$d/many/c$i")
	done
	ready "${dirs[@]}"
	t1=$(now_ms)
	for pid in "${SIM_PIDS[@]}"; do
		cpu=$((cpu + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
		rss=$((rss + r))
		[ "$r" -le "$max" ] || max=$r
	done
	stop_all
	printf '| %s | %s | %s | %s | %s | %s | %s | %.1f s | %.1f s | %d MB | %.1f MB |\n' \
	    "$v" "$(cat "$d/tls")" "$(cat "$d/first")" "$(cat "$d/again")" \
	    "$(cat "$d/kget")" "$(cat "$d/apply.s")" "$(stats %.0f <"$d/apply-req")" \
	    "$(echo "$t0 $t1" | awk '{print ($2 - $1) / 1000}')" \
	    "$(echo "$cpu $hz" | awk '{print $1 / $2}')" $((rss / 1024)) \
	    "$(echo "$max" | awk '{print $1 / 1024}')" >>"$tmp/rows"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for v in $VERSIONS; do
	measure "$v"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

echo "## simcluster: what clients wait for"
echo
echo "$(nproc) CPUs, $(uname -sr), $(python3 --version), kubectl" \
    "$("$KUBECTL" version --client 2>/dev/null | head -1 | sed 's/.*: //'), $(date -u +%Y-%m-%d)."
echo "Times in ms, median (min-max): TLS = curl's time_appconnect, first byte ="
echo "time_starttransfer on a new connection, kept alive = the same for a second"
echo "GET on that connection; $GETS GETs, $KRUNS kubectl gets, $RUNS applies of 99 Secrets;"
echo "then $CLUSTERS clusters started at once. Load average before: $load0; after: $load1"
echo "(the machine's other work adds to every figure: compare the rows of one run)."
echo
echo "| simcluster | TLS | first byte | kept alive | kubectl get | apply 99 Secrets | its requests | $CLUSTERS started | their CPU | their RSS | largest |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
cat "$tmp/rows"
