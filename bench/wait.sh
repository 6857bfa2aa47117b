#!/usr/bin/env bash
# mesh-wait beside kubectl wait and kubectl rollout status, on simulated
# clusters (tests/simcluster/simcluster), every run on fresh ones:
#
#  1. pods: one cluster, 1,000 pods in 4 namespaces (250 each), all
#     created before the tool starts, becoming Ready one after the other
#     over SPAN (2) seconds from FIRST (8) seconds after the first was
#     created;
#  2. istiod: CLUSTERS (20) clusters, one merged kubeconfig (contexts c1
#     ... c20), a Deployment istiod in each, available one after the other
#     over DEP_SPAN (2) seconds from DEP_FIRST (6) seconds after the first
#     was created.
#
#     bench/wait.sh            # about 32 minutes: kubectl's 1,000-pod runs
#                              # take 1-3.5 minutes each
#     RUNS=1 SLOW_RUNS=1 bench/wait.sh     # one of each, about 11 minutes
#
# Per run: the requests the tool made (each cluster's requests.log, less
# the bench's own, which use a token of their own), the time from the last
# object becoming ready (the event's time in simcluster --event-log) to
# the tool's exit, CPU time (user + system of the tool's whole process
# tree), wall time and peak RSS (the largest single process), from a small
# C runner (wait4, CLOCK_REALTIME).  Medians and ranges over RUNS runs
# (SLOW_RUNS for kubectl on 1,000 pods), the commands taking turns.  The
# report (Markdown) goes to stdout, progress to stderr.
#
# Environment (all optional): RUNS (5), SLOW_RUNS (3), PODS_TOOLS (of
# mw-all mw-sel mw-stream k-all k-ns k-ns-par, all by default) and
# ISTIOD_TOOLS (of mw k-seq k-par; see cmd_pods and cmd_istiod), FIRST,
# SPAN, DEP_FIRST, DEP_SPAN, CLUSTERS, LIMIT (seconds a run may take,
# 900), KUBECTL (kubectl), PYTHON (python3), CC (cc), KEEP=1 (keep the
# scratch directory), TRACE=0 (no runs under strace), SIMCLUSTER (another
# simcluster to run, e.g. a changed copy; the report shows how it differs
# from the tree's).
#
# Everything talks to 127.0.0.1 only.  kubectl and mesh-wait run with a
# scratch HOME and KUBECACHEDIR, new for each run; every simcluster this
# script starts is stopped on exit.  Needs python3, a C compiler, openssl
# (for simcluster) and a kubectl whose client matches the server's 1.32.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

RUNS=${RUNS:-5}
SLOW_RUNS=${SLOW_RUNS:-3}
FIRST=${FIRST:-8}
SPAN=${SPAN:-2}
DEP_FIRST=${DEP_FIRST:-6}
DEP_SPAN=${DEP_SPAN:-2}
CLUSTERS=${CLUSTERS:-20}
LIMIT=${LIMIT:-900}
KUBECTL=${KUBECTL:-kubectl}
PYTHON=${PYTHON:-python3}
NS=4 PER_NS=250
NPODS=$((NS * PER_NS))
PODS_TOOLS=${PODS_TOOLS:-mw-all mw-sel mw-stream k-all k-ns k-ns-par}
ISTIOD_TOOLS=${ISTIOD_TOOLS:-mw k-seq k-par}
SIM=${SIMCLUSTER:-$root/tests/simcluster/simcluster}
WAITSIM=$here/waitsim.py

note() { printf 'wait.sh: %s\n' "$*" >&2; }
die() { note "$*"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/meshwait.XXXXXX")
# The tests' helper: SIM_PIDS holds the clusters started, teardown stops
# them (TERM, then waits for each).  It names its own SIMCLUSTER; SIM,
# read above, is what this script starts.
TESTS=$root/tests
# shellcheck source=../tests/helpers/simcluster.bash
. "$TESTS/helpers/simcluster.bash"
sims_stop() {
	teardown
	SIM_PIDS=()
}
cleanup() {
	sims_stop
	if [ "${KEEP:-0}" = 1 ]; then note "files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v "$PYTHON" >/dev/null || die "needs python3"
command -v "$KUBECTL" >/dev/null || die "needs kubectl ($KUBECTL)"
command -v openssl >/dev/null || die "simcluster needs openssl"

make -s -C "$root" >/dev/null || die "make failed"
# Measure a copy: others may rebuild build/ while this runs.
mw=$tmp/mesh-wait
cp "$root/build/mesh-wait" "$mw"
mw_rev="this tree"
if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
	mw_rev="HEAD $(git -C "$root" rev-parse --short HEAD) (cmd/mesh-wait tree $(git -C "$root" rev-parse --short HEAD:cmd/mesh-wait), $(git -C "$root" status --porcelain -- cmd common | wc -l) files under cmd/ and common/ changed since)"
fi
mw_sum=$(sha256sum "$mw" | cut -c 1-16)

# The runner (bench/measure.c): CMD in its own process group; appends
# "start_ms end_ms wall_s user_s sys_s maxrss_kib status" to OUT.
${CC:-cc} -O2 -o "$tmp/measure" "$here/measure.c" || die "cannot build the runner"

# The bench's own token: its requests are logged as user "bench".
BENCH_TOKEN=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')
export BENCH_TOKEN

# sims_start DIR N: clusters c1 ... cN serving from DIR/cI, five started
# at a time; wait (30 s at most) for each one's kubeconfig.
sims_start() {
	local d=$1 n=$2 i j
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$d/c$i"
		echo "c$i" >"$d/c$i/name"
		"$SIM" --dir "$d/c$i" --name "c$i" --event-log "$d/c$i/events.log" \
		    --user-token "$BENCH_TOKEN=bench:system:masters" \
		    --restart-downtime 0.3 >"$d/c$i/stdout" 2>"$d/c$i/stderr" &
		SIM_PIDS+=("$!")
		if ((i % 5 == 0 || i == n)); then
			for ((j = i - (i - 1) % 5; j <= i; j++)); do
				wait_file "$d/c$j/kubeconfig" ||
				    die "simcluster c$j did not start: $(cat "$d/c$j/stderr")"
			done
		fi
	done
}
wait_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -f "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
dirs() {	# DIR N: DIR/c1 ... DIR/cN
	local i
	for ((i = 1; i <= $2; i++)); do printf '%s\n' "$1/c$i"; done
}

# The commands.  cmd_pods TOOL DIR and cmd_istiod TOOL DIR set c (the
# command line), input (its standard input) and expect (the lines of its
# output that say an object is ready, as an extended regexp).
cat >"$tmp/k-ns.sh" <<EOF
#!/bin/sh
# kubectl wait, one namespace after the other, as a runbook's loop
for ns in $(seq -s ' ' -f 'bench-%g' 1 "$NS"); do
	$KUBECTL wait --for=condition=Ready pods --all -n "\$ns" --timeout=${LIMIT}s || exit 1
done
EOF
cat >"$tmp/k-ns-par.sh" <<EOF
#!/bin/sh
# kubectl wait, every namespace at once
pids=
for ns in $(seq -s ' ' -f 'bench-%g' 1 "$NS"); do
	$KUBECTL wait --for=condition=Ready pods --all -n "\$ns" --timeout=${LIMIT}s &
	pids="\$pids \$!"
done
rc=0
for p in \$pids; do wait "\$p" || rc=1; done
exit \$rc
EOF
cat >"$tmp/k-seq.sh" <<EOF
#!/bin/sh
# kubectl rollout status, one cluster after the other, as a runbook's loop
for i in $(seq -s ' ' 1 "$CLUSTERS"); do
	$KUBECTL rollout status deployment/istiod -n istio-system --context "c\$i" --timeout=${LIMIT}s || exit 1
done
EOF
cat >"$tmp/k-par.sh" <<EOF
#!/bin/sh
# kubectl rollout status, every cluster at once
pids=
for i in $(seq -s ' ' 1 "$CLUSTERS"); do
	$KUBECTL rollout status deployment/istiod -n istio-system --context "c\$i" --timeout=${LIMIT}s &
	pids="\$pids \$!"
done
rc=0
for p in \$pids; do wait "\$p" || rc=1; done
exit \$rc
EOF
chmod +x "$tmp"/k-*.sh

declare -A label
label[mw-all]="mesh-wait pods --all -A"
label[mw-sel]="mesh-wait pods -l app=bench -A"
label[mw-stream]="mesh-wait < pods.json (a v1 List of the 1,000 pods)"
label[k-all]="kubectl wait --for=condition=Ready pods --all -A"
label[k-ns]="kubectl wait ... --all -n NS, the 4 namespaces in turn"
label[k-ns-par]="kubectl wait ... --all -n NS, the 4 namespaces at once"
label[mw]="mesh-wait < istiod.yaml (20 Deployments, meshline.io/context: cN)"
label[k-seq]="kubectl rollout status deployment/istiod --context cN, in turn"
label[k-par]="kubectl rollout status deployment/istiod --context cN, at once"

cmd_pods() {
	input=/dev/null
	expect='^pod/app-[0-9]+ condition met$'
	case $1 in
	mw-all) c=("$mw" pods --all -A) ;;
	mw-sel) c=("$mw" pods -l app=bench -A) ;;
	mw-stream) c=("$mw"); input=$2/pods.json ;;
	k-all) c=("$KUBECTL" wait --for=condition=Ready pods --all -A "--timeout=${LIMIT}s") ;;
	k-ns | k-ns-par) c=("$tmp/$1.sh") ;;
	*) die "unknown command $1" ;;
	esac
}
cmd_istiod() {
	input=/dev/null
	case $1 in
	mw) c=("$mw"); input=$2/istiod.yaml
	    expect='^deployment\.apps/istiod condition met \(c[0-9]+\)$' ;;
	k-seq | k-par) c=("$tmp/$1.sh")
	    expect='^deployment "istiod" successfully rolled out$' ;;
	*) die "unknown command $1" ;;
	esac
}

rows=$tmp/rows trows=$tmp/trows
: >"$rows"
: >"$trows"
hz=$(getconf CLK_TCK)

# once SCENARIO TOOL RUN [trace]: one run on fresh clusters; appends a
# row to $rows: scenario tool run, the runner's 7 figures, t0 t1
# (creation), objects ready first_ms last_ms, the 11 request figures,
# lines of output that say ready, the clusters' CPU seconds.  With trace,
# the command runs under strace and the row goes to $trows: scenario
# tool, then what waitsim.py split makes of the trace.
once() {
	local sc=$1 tool=$2 run=$3 trace=${4:-} d=$tmp/run n kind t0 t1 m r q
	local lines simcpu pid
	rm -rf "$d"
	mkdir -p "$d/home" "$d/cache"
	if [ "$sc" = pods ]; then
		n=1 kind=pods
		sims_start "$d" 1
		read -r t0 t1 < <("$PYTHON" "$WAITSIM" pods "$d/c1" "$NS" \
		    "$PER_NS" "$FIRST" "$SPAN" "$d/pods.json") ||
		    die "cannot make the pods"
		export KUBECONFIG=$d/c1/kubeconfig
		cmd_pods "$tool" "$d"
	else
		n=$CLUSTERS kind=deployments
		sims_start "$d" "$n"
		# One kubeconfig merging them, as a user has it.
		KUBECONFIG=$(dirs "$d" "$n" | sed 's|$|/kubeconfig|' | paste -sd:) \
		    HOME=$d/home KUBECACHEDIR=$d/cache timeout 60 \
		    "$KUBECTL" config view --flatten >"$d/kubeconfig" ||
		    die "kubectl config view --flatten failed"
		export KUBECONFIG=$d/kubeconfig
		# shellcheck disable=SC2046  # the directories, one a word
		read -r t0 t1 < <("$PYTHON" "$WAITSIM" deployments "$DEP_FIRST" \
		    "$DEP_SPAN" "$d/istiod.yaml" $(dirs "$d" "$n")) ||
		    die "cannot make the Deployments"
		cmd_istiod "$tool" "$d"
	fi
	if [ -n "$trace" ]; then
		c=(strace -f -ttt -e "trace=recvfrom,write,exit_group" -o "$d/trace"
		    "${c[@]}")
	fi
	# What is in the logs so far is the bench's: count from here.
	while read -r q; do
		wc -l <"$q/requests.log" >"$q/log0"
	done < <(dirs "$d" "$n")
	HOME=$d/home KUBECACHEDIR=$d/cache timeout -k 5 $((LIMIT + 30)) \
	    "$tmp/measure" "$d/m" "$LIMIT" "${c[@]}" <"$input" >"$d/out" \
	    2>"$d/err" || true
	[ -s "$d/m" ] || die "$tool: the runner failed: $(cat "$d/err")"
	m=$(tail -n 1 "$d/m")
	# A watch is logged when it ends: restart each cluster (SIGHUP) to
	# cut the tool's, then read the history; by then they are logged.
	for q in "${SIM_PIDS[@]}"; do kill -HUP "$q"; done
	# shellcheck disable=SC2046
	r=$(timeout 120 "$PYTHON" "$WAITSIM" ready "$kind" $(dirs "$d" "$n")) ||
	    die "cannot read the clusters' history"
	# shellcheck disable=SC2046
	q=$("$PYTHON" "$WAITSIM" requests $(dirs "$d" "$n")) ||
	    die "cannot read the request logs"
	lines=$(grep -cE "$expect" "$d/out" || true)
	# The clusters' own CPU time, their whole life (utime + stime).
	simcpu=0
	for pid in "${SIM_PIDS[@]}"; do
		simcpu=$(awk -v s="$simcpu" -v hz="$hz" '{ printf "%.2f", s + ($14 + $15) / hz }' \
		    "/proc/$pid/stat")
	done
	if [ -n "$trace" ]; then
		# shellcheck disable=SC2086  # four numbers
		set -- $r
		q=$("$PYTHON" "$WAITSIM" split "$d/trace" "$3" "$4") ||
		    die "$tool: cannot read the trace"
		echo "$sc $tool $q" >>"$trows"
		note "$sc $tool under strace: $(tail -n 1 "$trows")"
		sims_stop
		unset KUBECONFIG
		return 0
	fi
	echo "$sc $tool $run $m $t0 $t1 $r $q $lines $simcpu" >>"$rows"
	# shellcheck disable=SC2086  # seven numbers
	set -- $m
	note "$sc $tool run $run: exit $7, $(awk -v w="$3" 'BEGIN { printf "%.2f", w }') s, $lines ready lines; requests: $q"
	if [ "$7" != 0 ]; then
		note "$tool: exit status $7: $(tail -n 3 "$d/err")"
		cp "$d/err" "$tmp/err.$sc.$tool.$run"
	fi
	cp "$d/out" "$tmp/out.$sc.$tool.$run"
	sims_stop
	unset KUBECONFIG
}

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
load0=$(sed 's/ [^ ]*$//' /proc/loadavg)
b0=$(busy)
T0=$(date +%s%N)

for ((round = 1; round <= RUNS; round++)); do
	for tool in $PODS_TOOLS; do
		case $tool in k-*) ((round <= SLOW_RUNS)) || continue ;; esac
		note "pods: $tool, run $round"
		once pods "$tool" "$round"
	done
	for tool in $ISTIOD_TOOLS; do
		note "istiod: $tool, run $round"
		once istiod "$tool" "$round"
	done
done

T1=$(date +%s%N)
b1=$(busy)
load1=$(sed 's/ [^ ]*$//' /proc/loadavg)
ours=$(awk '{ s += $7 + $8 } END { printf "%.2f", s }' "$rows")
sims=$(awk '{ s += $NF } END { printf "%.2f", s }' "$rows")

# Where mesh-wait's time from the last ready object to its exit goes:
# one more run of each of its commands, under strace, not timed.
if [ "${TRACE:-1}" = 1 ] && strace -f -qq -o /dev/null true 2>/dev/null; then
	for tool in $PODS_TOOLS; do
		case $tool in mw*) note "pods: $tool under strace"; once pods "$tool" 0 trace ;; esac
	done
	for tool in $ISTIOD_TOOLS; do
		case $tool in mw*) note "istiod: $tool under strace"; once istiod "$tool" 0 trace ;; esac
	done
fi

# --- the report --------------------------------------------------------

kv=$(HOME=$tmp KUBECONFIG=/dev/null "$KUBECTL" version --client 2>/dev/null | sed -n 1p)

echo "mesh-wait $("$mw" --version | sed 's/^mesh-wait (meshline) //') built from $mw_rev;"
echo "the binary measured has sha256 $mw_sum..., linked to $(ldd "$mw" | awk '/libcurl/ { print $1 }') ($(curl --version 2>/dev/null | awk 'NR == 1 { print $2 }'))."
echo "$kv; simcluster on $("$PYTHON" --version 2>&1)."
if ! cmp -s "$SIM" "$root/tests/simcluster/simcluster"; then
	echo "**The simcluster run is not the tree's**: $SIM, which differs from"
	echo "tests/simcluster/simcluster so:"
	echo
	echo '```diff'
	diff -u "$root/tests/simcluster/simcluster" "$SIM" |
	    sed '1,2s/\t.*//' || true
	echo '```'
	echo
fi
echo "Machine: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs online, Linux $(uname -r)."
echo "Load before the timed runs: $load0; after: $load1. Over the $(awk -v t="$((T1 - T0))" 'BEGIN { printf "%.0f", t / 1e9 }') s of"
echo "timed runs the measured commands used $ours CPU s, the simulated clusters $sims"
echo "(their processes' whole lives, setup included), and the rest of the machine"
echo "kept $(awk -v b="$((b1 - b0))" -v hz="$hz" -v o="$ours" -v s="$sims" -v t="$((T1 - T0))" \
    'BEGIN { printf "%.2f", (b / hz - o - s) / (t / 1e9) }') CPUs busy on average (/proc/stat busy time less both, the"
echo "bench's own Python and shell included)."
echo

"$PYTHON" - "$rows" "$RUNS" "$SLOW_RUNS" "$NPODS" "$CLUSTERS" "$FIRST" "$SPAN" \
    "$DEP_FIRST" "$DEP_SPAN" "$PODS_TOOLS" "$ISTIOD_TOOLS" \
    "${label[mw-all]}" "${label[mw-sel]}" "${label[mw-stream]}" \
    "${label[k-all]}" "${label[k-ns]}" "${label[k-ns-par]}" \
    "${label[mw]}" "${label[k-seq]}" "${label[k-par]}" "$trows" <<'EOF'
import statistics, sys
(rows, runs, slow, npods, nclusters, first, span, dfirst, dspan, ptools,
    itools) = sys.argv[1:12]
labels = dict(zip("mw-all mw-sel mw-stream k-all k-ns k-ns-par mw k-seq k-par".split(),
    sys.argv[12:21]))
trows = sys.argv[21]
F = ("start end wall user sys rss status t0 t1 objects ready first last "
    "all version discovery list watch get other errors maxlist maxwatch "
    "keys lines simcpu").split()
data = {}
for line in open(rows):
    f = line.split()
    r = dict(zip(F, map(float, f[3:])))
    r["exit_ms"] = r["end"] - r["last"]
    r["cpu"] = r["user"] + r["sys"]
    r["rss"] /= 1024
    r["win0"] = (r["first"] - r["t0"]) / 1e3
    r["win1"] = (r["last"] - r["t0"]) / 1e3
    r["started_before"] = r["start"] < r["first"]
    data.setdefault((f[0], f[1]), []).append(r)

def mr(rs, k, fmt):
    v = [r[k] for r in rs]
    m, lo, hi = statistics.median(v), min(v), max(v)
    if lo == hi:
        return fmt % m
    return (fmt + " (" + fmt + "-" + fmt + ")") % (m, lo, hi)

def ok(rs, n):
    bad = [r for r in rs if r["status"] != 0 or r["ready"] != n or
        r["lines"] != n or not r["started_before"]]
    return "%d" % len(rs) if not bad else "%d (%d bad)" % (len(rs), len(bad))

def table(sc, tools, n):
    print("| command | runs | requests | /version | discovery | lists | watches | gets | most lists / watches of one (cluster, type, ns) | exit after the last ready, ms | CPU s | wall s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tools.split():
        rs = data.get((sc, t))
        if not rs:
            continue
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s |" % (
            labels[t], ok(rs, n), mr(rs, "all", "%.0f"), mr(rs, "version", "%.0f"),
            mr(rs, "discovery", "%.0f"), mr(rs, "list", "%.0f"),
            mr(rs, "watch", "%.0f"), mr(rs, "get", "%.0f"),
            mr(rs, "maxlist", "%.0f"), mr(rs, "maxwatch", "%.0f"),
            mr(rs, "exit_ms", "%.0f"), mr(rs, "cpu", "%.2f"),
            mr(rs, "wall", "%.2f"), mr(rs, "rss", "%.1f")))

def detail(sc, tools):
    for t in tools.split():
        rs = data.get((sc, t))
        if not rs:
            continue
        print("- %s: exit after the last ready %s ms; ready window %s s after the first POST; tool started %s s before the first ready; exit status %s" % (
            t, " ".join("%.0f" % r["exit_ms"] for r in rs),
            " ".join("[%.2f, %.2f]" % (r["win0"], r["win1"]) for r in rs),
            " ".join("%.2f" % ((r["first"] - r["start"]) / 1e3) for r in rs),
            " ".join("%.0f" % r["status"] for r in rs)))

print("### 1. %s pods in 4 namespaces, Ready over %s s" % (npods, span))
print()
print("One cluster per run. The pods are created (16 connections at once, under")
print("a second), then the command starts; pod i of %s is Ready %s + %s * i / %d s after the" % (npods, first, span, int(npods) - 1))
print("first POST. Median (range); a run is bad when the command failed, did")
print("not say every pod was ready, or started after the first pod was ready.")
print("Requests are the command's, from the cluster's request log; \"exit after")
print("the last ready\" runs from the time the last object's ready event was")
print("stored (simcluster --event-log) to the command's exit (wait4); CPU is")
print("user + system time of the command's whole process tree; peak RSS is the")
print("largest single process (the parallel forms run 4 or 20 such processes")
print("at once).")
print()
table("pods", ptools, int(npods))
print()
print("### 2. istiod in %s clusters, available over %s s" % (nclusters, dspan))
print()
print("%s clusters per run, one merged kubeconfig. Deployment i of %s is" % (nclusters, nclusters))
print("available about %s + %s * i / %d s after the first POST." % (dfirst, dspan, int(nclusters) - 1))
print()
table("istiod", itools, int(nclusters))
print()
print("### Targets (mesh-wait)")
print()
print("| target | result | verdict |")
print("|---|---|---|")
mws = [(k, rs) for k, rs in data.items() if k[1].startswith("mw")]
ml = max(r["maxlist"] for k, rs in mws for r in rs) if mws else 0
mw_ = max(r["maxwatch"] for k, rs in mws for r in rs) if mws else 0
print("| at most one list and one watch per (cluster, type, namespace) | the most of one (cluster, type, namespace) in any run: %d list(s), %d watch(es) | %s |" % (
    ml, mw_, "met" if ml <= 1 and mw_ <= 1 else "NOT met"))
for k, rs in sorted(mws):
    worst = max(r["exit_ms"] for r in rs)
    print("| exit within 50 ms of the last object ready: %s | median %.0f ms, at most %.0f ms | %s |" % (
        labels[k[1]], statistics.median(r["exit_ms"] for r in rs), worst,
        "met" if worst <= 50 else "NOT met"))
print()
print("### Per run, in run order")
print()
detail("pods", ptools)
detail("istiod", itools)
for sc, tools in (("pods", ptools), ("istiod", itools)):
    rs = [r for t in tools.split() for r in data.get((sc, t), [])]
    if rs:
        print("- %s: the simulated clusters used %s CPU s a run (their whole lives)" % (
            sc, mr(rs, "simcpu", "%.2f")))
tr = [l.split() for l in open(trows)]
if tr:
    print()
    print("### Where mesh-wait's time after the last ready object goes")
    print()
    print("One more run of each mesh-wait command, under `strace -f -ttt -e")
    print("trace=recvfrom,write,exit_group` (not timed: strace slows the")
    print("process). Milliseconds after the last object's event was stored:")
    print("when mesh-wait last read data before writing its output, when it")
    print("wrote it, called exit_group, and was gone; then the gaps of 30 ms or")
    print("more between reads on one connection after the first object became")
    print("ready, when events were due every few ms.")
    print()
    print("| command | last data read | output written | exit_group | exited | read gaps >= 30 ms (longest) |")
    print("|---|---:|---:|---:|---:|---:|")
    for f in tr:
        print("| %s | %s | %s | %s | %s | %s (%s ms) |" % (labels[f[1]], f[2], f[3],
            f[4], f[5], f[6], f[7]))
EOF
echo
echo "Commands run (scripts as written into the scratch directory):"
echo
echo '```sh'
for f in k-ns k-ns-par k-seq k-par; do sed '1d' "$tmp/$f.sh"; echo; done
echo '```'
