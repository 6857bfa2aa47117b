#!/usr/bin/env bash
# A whole mesh of simulated clusters installed by one `make -j` of
# examples/mesh.mk: wall time, the CPU time of every program it runs
# (meshline's own, kubectl, the istioctl stand-in, the simulated API
# servers), the API requests each cluster served, and where the time goes
# step by step; beside it, the remote secrets of a multi-primary mesh
# made the guide's way, one create-remote-secret-style call piped into
# one kubectl apply per ordered pair, in a shell loop.
#
#     bench/mesh100.sh                      # 3, 10, 30 and 100 clusters
#     SIZES=100 MESHES=external bench/mesh100.sh
#     CAFLAGS="--key-type ecdsa" bench/mesh100.sh
#
# MESHES (default "multi-primary external"): multi-primary is a
# multi-primary multi-network mesh of N clusters c1..cN, cluster i on
# network ((i-1) % NETWORKS) + 1 (NETWORKS defaults to N: each cluster its
# own network); external is an external control plane, the cluster "ext"
# and N-1 remotes r1..r(N-1), r1 the config cluster, networks as above.
# SIZES (default "3 10 30 100") are the cluster counts, every mesh at each.
# For each (mesh, N): N fresh simulated clusters (tests/simcluster, on
# 127.0.0.1, each started with --dir DIR --name NAME, KUBECONFIG listing
# all their kubeconfigs), then, in a fresh directory holding only
# mesh.yaml,
#
#     make -f examples/mesh.mk -j$JOBS MESH=mesh.yaml OUT=out \
#         MESHBIN=BIN/ ISTIOCTL=BIN/istioctl KUBECTL=BIN/kubectl \
#         SECRETFLAGS=--allow-loopback TLS=self-signed install
#
# where BIN/mesh-* exec build/mesh-*, BIN/istioctl
# tests/simcluster/istioctl and BIN/kubectl kubectl, each through
# bench/measure.c (wait4: the rusage of the program and its children),
# which appends a line per run to a log named after the program and the
# step (taken from the NN-step file or --step in its arguments).  The
# kubectl the istioctl stand-in runs is logged apart, and subtracted from
# the stand-in's own CPU.  The simulated servers' CPU is the growth of
# utime + stime in /proc/PID/stat across the install; their requests are
# the lines of each requests.log.  "make + sh" is make's whole tree less
# every logged program: make itself and the recipes' shells.
#
# GUIDE (default 10): with the multi-primary mesh at its largest size, the
# remote secrets among the first GUIDE clusters are deleted and made again
# the guide's way, GUIDE × (GUIDE-1) pairs, sequentially:
#
#     mesh-secret remote --context cI --name cI --allow-loopback |
#         kubectl apply --context cJ -f -
#
# with KUBECONFIG still listing every cluster; the per-pair figures are
# scaled to N × (N-1) pairs in the report (an extrapolation, said so).
# GUIDE=0 skips it.
#
# CAFLAGS goes to make as it is (mesh-secret cacerts -f: the plug-in
# CA's keys are RSA 4096 by default, as Istio's Makefile makes them).
# Other knobs: JOBS (16), NETWORKS, TIMEOUT (900 s for one make),
# KUBECTL (kubectl), KEEP=1 (keep the scratch directory).  The report
# (Markdown) goes to stdout, progress to stderr.  Needs bash, python3 (and
# PyYAML for the stand-in), openssl, GNU make, a C compiler and a kubectl
# whose client matches the server's 1.32; build/ must be built (make).
# Every cluster it starts is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

MESHES=${MESHES:-"multi-primary external"}
SIZES=${SIZES:-"3 10 30 100"}
JOBS=${JOBS:-16}
GUIDE=${GUIDE:-10}
TIMEOUT=${TIMEOUT:-900}
CAFLAGS=${CAFLAGS:-}
KUBECTL=${KUBECTL:-kubectl}

note() { printf 'mesh100.sh: %s\n' "$*" >&2; }
die() { note "$*"; exit 1; }

for t in python3 openssl make "${CC:-cc}" "$KUBECTL"; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
for p in mesh-render mesh-gw mesh-secret mesh-wait mesh-overlay; do
	[ -x "$root/build/$p" ] || die "build/$p is missing: run make"
done
kubectl_path=$(command -v "$KUBECTL")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mesh100.XXXXXX")
SIM_PIDS=()
stop_all() {
	local pid i
	for pid in "${SIM_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${SIM_PIDS[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	SIM_PIDS=()
}
cleanup() {
	stop_all
	if [ "${KEEP:-}" = 1 ]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${CC:-cc}" -O2 -o "$tmp/measure" "$here/measure.c"
export HOME="$tmp/home" KUBECACHEDIR="$tmp/home/.kube/cache"
mkdir -p "$HOME"
unset KUBECONFIG

# The wrappers: each program run goes through measure, its line in
# ACCT/PROGRAM@STEP.log.  ACCT is taken from the environment, set per run.
bin=$tmp/bin
mkdir -p "$bin"
wrap() { # NAME REAL [LOGNAME-EXPR]
	cat >"$bin/$1" <<EOF
#!/bin/sh
t=misc p= d=
for a; do
	case \$p in --step) t=gen-\$a;; esac
	case \$a in
	*/[0-9][0-9]-*.yaml) t=\${a##*/}; t=\${t%%.*};;
	--steps) t=steps;;
	--dir) d=1;;
	esac
	p=\$a
done
[ "\$t\$d" = misc1 ] && t=plan
${3:-}
exec "$tmp/measure" "\$ACCT/$1@\$t.log" $TIMEOUT "$2" "\$@"
EOF
	chmod +x "$bin/$1"
}
for p in mesh-render mesh-gw mesh-secret mesh-wait mesh-overlay; do
	wrap "$p" "$root/build/$p"
done
wrap istioctl "$root/tests/simcluster/istioctl" 'export MESHBENCH_STEP=$t MESHBENCH_IN=istioctl'
# kubectl run by the stand-in: its step is the stand-in's, its log apart.
cat >"$bin/kubectl" <<EOF
#!/bin/sh
if [ "\${MESHBENCH_IN:-}" = istioctl ]; then
	exec "$tmp/measure" "\$ACCT/kubectl-istioctl@\$MESHBENCH_STEP.log" $TIMEOUT "$kubectl_path" "\$@"
fi
t=misc
for a; do
	case \$a in */[0-9][0-9]-*.yaml) t=\${a##*/}; t=\${t%%.*};; esac
done
exec "$tmp/measure" "\$ACCT/kubectl@\$t.log" $TIMEOUT "$kubectl_path" "\$@"
EOF
chmod +x "$bin/kubectl"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_clusters DIR NAME...: a simulated cluster per NAME in DIR/NAME,
# all at once; waits (300 s at most) for every kubeconfig.
start_clusters() {
	local d=$1 n i
	shift
	for n in "$@"; do
		mkdir -p "$d/$n"
		"$root/tests/simcluster/simcluster" --dir "$d/$n" --name "$n" \
		    >"$d/$n.out" 2>&1 &
		SIM_PIDS+=("$!")
	done
	for n in "$@"; do
		for ((i = 0; i < 3000; i++)); do
			[ -f "$d/$n/kubeconfig" ] && continue 2
			sleep 0.1
		done
		die "simcluster $n did not start: $(tail -3 "$d/$n.out")"
	done
}

# sim_cpu: the clusters' utime + stime, in clock ticks, summed.
sim_cpu() {
	local pid s=0
	for pid in "${SIM_PIDS[@]}"; do
		s=$((s + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
	done
	echo "$s"
}

# mesh_yaml MODEL N: the description, on stdout.
mesh_yaml() {
	python3 - "$1" "$2" "${NETWORKS:-$2}" <<'PY'
import sys
model, n, nets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print("apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh1\nspec:")
if model == "multi-primary":
    names = ["c%d" % i for i in range(1, n + 1)]
    print("  model: multi-primary")
else:
    names = ["r%d" % i for i in range(1, n)]
    print("  model: external\n  istioVersion: \"1.24\"\n  external:\n"
          "    context: ext\n    address: istiod.mesh.example.com\n"
          "    tlsSecret: istiod-tls")
print("  clusters:")
for i, c in enumerate(names):
    print("  - name: %s\n    context: %s\n    network: network%d"
          % (c, c, i % nets + 1))
PY
}

# run MODEL N: one install; its summary in $tmp/MODEL-N/summary.json.
run() {
	local model=$1 n=$2 d names=() kc=() c t0 t1 cpu0 cpu1 st
	d="$tmp/$model-$n"
	mkdir -p "$d/work" "$d/acct" "$d/sim"
	if [ "$model" = multi-primary ]; then
		for ((i = 1; i <= n; i++)); do names+=("c$i"); done
	else
		names=(ext)
		for ((i = 1; i < n; i++)); do names+=("r$i"); done
	fi
	note "$model, $n clusters: starting them"
	t0=$(now_ms)
	start_clusters "$d/sim" "${names[@]}"
	t1=$(now_ms)
	echo $((t1 - t0)) >"$d/start_ms"
	sim_cpu >"$d/start_cpu"
	for c in "${names[@]}"; do kc+=("$d/sim/$c/kubeconfig"); done
	export KUBECONFIG
	KUBECONFIG=$(IFS=:; echo "${kc[*]}")
	mesh_yaml "$model" "$n" >"$d/work/mesh.yaml"
	note "$model, $n clusters: make -j$JOBS install"
	cpu0=$(sim_cpu)
	export ACCT="$d/acct"
	st=0
	(cd "$d/work" && "$tmp/measure" "$d/make.log" "$TIMEOUT" \
	    make -f "$root/examples/mesh.mk" -j"$JOBS" MESH=mesh.yaml OUT=out \
	    MESHBIN="$bin/" ISTIOCTL="$bin/istioctl" KUBECTL="$bin/kubectl" \
	    SECRETFLAGS=--allow-loopback TLS=self-signed CAFLAGS="$CAFLAGS" install \
	    >"$d/make.out" 2>&1) || st=$?
	cpu1=$(sim_cpu)
	echo $((cpu1 - cpu0)) >"$d/install_cpu"
	if [ "$st" != 0 ] || [ "$(awk '{print $7}' "$d/make.log")" != 0 ]; then
		tail -20 "$d/make.out" >&2
		die "$model, $n clusters: make install failed (above)"
	fi
	grep -q '^== installed' "$d/make.out" || die "$model, $n clusters: no '== installed' line"
	for c in "${names[@]}"; do
		printf '%s %s\n' "$c" "$(wc -l <"$d/sim/$c/requests.log")"
	done >"$d/requests"
	# Every remote secret and cacerts where it belongs, looked at once.
	note "$model, $n clusters: make verify"
	(cd "$d/work" && timeout 600 make -f "$root/examples/mesh.mk" -j"$JOBS" \
	    MESH=mesh.yaml OUT=out MESHBIN="$root/build/" \
	    ISTIOCTL="$root/tests/simcluster/istioctl" KUBECTL="$kubectl_path" \
	    SECRETFLAGS=--allow-loopback TLS=self-signed CAFLAGS="$CAFLAGS" verify \
	    >"$d/verify.out" 2>&1) || { tail -20 "$d/verify.out" >&2; die "$model, $n clusters: verify failed"; }
	if [ "$model" = multi-primary ] && [ "$GUIDE" -gt 0 ] &&
	    [ "$n" = "${SIZES##* }" ] && [ "$GUIDE" -le "$n" ]; then
		guide "$d"
	fi
	stop_all
	python3 - "$d" "$model" "$n" "$(getconf CLK_TCK)" >"$d/summary.json" <<'PY'
import glob, json, os, statistics, sys
d, model, n, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def lines(f):
    out = []
    for l in open(f):
        s0, s1, wall, u, s, rss, st = l.split()
        out.append((float(s0), float(s1), float(wall), float(u) + float(s), int(st)))
    return out
make = lines(d + "/make.log")[0]
progs, steps = {}, {}
for f in glob.glob(d + "/acct/*.log"):
    prog, step = os.path.basename(f)[:-4].split("@", 1)
    for s0, s1, wall, cpu, st in lines(f):
        p = progs.setdefault(prog, {"runs": 0, "cpu": 0.0, "wall": 0.0, "failed": 0})
        p["runs"] += 1; p["cpu"] += cpu; p["wall"] += wall; p["failed"] += st != 0
        k = steps.setdefault(step, {"first": s0, "last": s1, "cpu": {}, "runs": {}})
        k["first"] = min(k["first"], s0); k["last"] = max(k["last"], s1)
        k["cpu"][prog] = k["cpu"].get(prog, 0.0) + cpu
        k["runs"][prog] = k["runs"].get(prog, 0) + 1
req = [(l.split()[0], int(l.split()[1])) for l in open(d + "/requests")]
r = sorted(v for _, v in req)
out = {
    "model": model, "n": n, "start_s": int(open(d + "/start_ms").read()) / 1e3,
    "start_cpu": int(open(d + "/start_cpu").read()) / hz,
    "wall": make[2], "make_tree_cpu": make[3], "t0": make[0],
    "sim_cpu": int(open(d + "/install_cpu").read()) / hz,
    "progs": progs, "steps": steps,
    "req": {"min": r[0], "median": statistics.median(r), "max": r[-1],
            "total": sum(r), "max_cluster": max(req, key=lambda x: x[1])[0],
            "by": dict(req)},
}
g = d + "/guide.json"
if os.path.exists(g):
    out["guide"] = json.load(open(g))
print(json.dumps(out))
PY
	note "$model, $n clusters: $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("install %.1f s, requests per cluster %s-%s" % (j["wall"], j["req"]["min"], j["req"]["max"]))' "$d/summary.json")"
}

# guide DIR: the first GUIDE clusters' remote secrets again, the guide's
# way, pair by pair (the clusters of the run still up).
guide() {
	local d=$1 g=$GUIDE i j n0 t0 t1 got
	note "guide's way: $g clusters, $((g * (g - 1))) pairs"
	for ((j = 1; j <= g; j++)); do
		timeout 60 "$kubectl_path" delete secret -n istio-system --context "c$j" \
		    -l istio/multiCluster=true >/dev/null
	done
	n0=0
	for ((j = 1; j <= g; j++)); do
		n0=$((n0 + $(wc -l <"$d/sim/c$j/requests.log")))
	done
	mkdir -p "$d/gacct"
	t0=$(now_ms)
	for ((i = 1; i <= g; i++)); do
		for ((j = 1; j <= g; j++)); do
			[ "$i" = "$j" ] && continue
			"$tmp/measure" "$d/gacct/mesh-secret.log" 60 "$root/build/mesh-secret" \
			    remote --context "c$i" --name "c$i" --allow-loopback |
			    "$tmp/measure" "$d/gacct/kubectl.log" 60 "$kubectl_path" \
			    apply --context "c$j" -f - >/dev/null
		done
	done
	t1=$(now_ms)
	n1=0
	for ((j = 1; j <= g; j++)); do
		n1=$((n1 + $(wc -l <"$d/sim/c$j/requests.log")))
	done
	got=0
	for ((j = 1; j <= g; j++)); do
		got=$((got + $(timeout 60 "$kubectl_path" get secret -n istio-system \
		    --context "c$j" -l istio/multiCluster=true --no-headers | wc -l)))
	done
	python3 - "$d" "$g" $((t1 - t0)) $((n1 - n0)) "$got" >"$d/guide.json" <<'PY'
import json, sys
d, g, ms, req, got = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def cpu(f):
    v = [l.split() for l in open(f)]
    return sum(float(x[3]) + float(x[4]) for x in v), sum(x[6] != "0" for x in v), len(v)
sc, sf, sn = cpu(d + "/gacct/mesh-secret.log")
kc, kf, kn = cpu(d + "/gacct/kubectl.log")
print(json.dumps({"clusters": g, "pairs": g * (g - 1), "wall": ms / 1e3,
    "secret_cpu": sc, "kubectl_cpu": kc, "failed": sf + kf, "runs": sn + kn,
    "requests": req, "secrets_found": got}))
PY
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
for n in $SIZES; do
	for m in $MESHES; do
		case $m in multi-primary|external) ;; *) die "no mesh $m";; esac
		[ "$n" -ge 2 ] || die "a mesh needs 2 clusters at least"
		run "$m" "$n"
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$tmp" "$SIZES" "$MESHES" "$JOBS" "$load0" "$load1" \
    "$(nproc)" "$(uname -sr)" "$(python3 --version)" \
    "$("$kubectl_path" version --client 2>/dev/null | head -1 | sed 's/.*: //')" \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" \
    "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)" \
    "$rev" "${NETWORKS:-}" "$CAFLAGS" <<'PY'
import json, sys
tmp, sizes, meshes, jobs, load0, load1, ncpu, uname, py, kver, cpu, mem, rev, nets, caflags = sys.argv[1:]
sizes, meshes = [int(s) for s in sizes.split()], meshes.split()
R = {(m, n): json.load(open("%s/%s-%d/summary.json" % (tmp, m, n))) for m in meshes for n in sizes}
MESH = ("mesh-render", "mesh-gw", "mesh-secret", "mesh-wait", "mesh-overlay")
def c(j, p): return j["progs"].get(p, {}).get("cpu", 0.0)
def runs(j, p): return j["progs"].get(p, {}).get("runs", 0)
print("## A 100-cluster mesh through mesh.mk\n")
print("%s CPUs (%s), %s RAM, %s, %s, kubectl %s; meshline %s (the tree at the start). Load average before: %s; after: %s."
      % (ncpu, cpu, mem, uname, py, kver, rev, load0, load1))
print("One `make -f examples/mesh.mk -j%s ... install` per row, on fresh simulated clusters;"
      " networks: %s; CAFLAGS=%s. Seconds; CPU is user + system.\n"
      % (jobs, nets + " in all" if nets else "one per cluster",
         "'%s'" % caflags if caflags else "(none: RSA 4096 keys)"))
print("| mesh | clusters | clusters up | install wall | meshline CPU | kubectl CPU (runs) | istioctl stand-in CPU, own (runs) | its kubectl | simulated servers | make + sh | all CPU / (2 × wall) | requests per cluster min / median / max | total requests | requests / cluster / (N-1) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
for m in meshes:
    for n in sizes:
        j = R[(m, n)]
        mesh = sum(c(j, p) for p in MESH)
        kub, kis, ist = c(j, "kubectl"), c(j, "kubectl-istioctl"), c(j, "istioctl")
        logged = sum(p["cpu"] for k, p in j["progs"].items() if k != "kubectl-istioctl")
        rest = j["make_tree_cpu"] - logged
        allc = j["make_tree_cpu"] + j["sim_cpu"]
        q = j["req"]
        print("| %s | %d | %.1f (%.1f CPU) | %.1f | %.2f | %.1f (%d) | %.1f (%d) | %.1f | %.1f | %.1f | %.0f%% | %d / %g / %d (%s) | %d | %.1f |" % (
            m, n, j["start_s"], j["start_cpu"], j["wall"], mesh, kub, runs(j, "kubectl"),
            ist - kis, runs(j, "istioctl"), kis, j["sim_cpu"], rest,
            100 * allc / (2 * j["wall"]), q["min"], q["median"], q["max"], q["max_cluster"],
            q["total"], q["median"] / (n - 1)))
print("\n### meshline's CPU by program, largest size\n")
print("| mesh | clusters | " + " | ".join(MESH) + " |")
print("|---|---:|" + "---:|" * len(MESH))
for m in meshes:
    j = R[(m, sizes[-1])]
    print("| %s | %d | " % (m, sizes[-1]) + " | ".join("%.2f (%d runs)" % (c(j, p), runs(j, p)) for p in MESH) + " |")
for m in meshes:
    j = R[(m, sizes[-1])]
    print("\n### Where the time goes: %s, %d clusters\n" % (m, sizes[-1]))
    print("Per step (the NN-step of the files a program was given; gen-STEP is the step's"
          " files made from the clusters): first start and last end, in seconds from"
          " make's start, and the CPU of each program in it (runs); istioctl's includes the"
          " kubectl it runs, also shown alone as kubectl-istioctl.\n")
    print("| step | from | to | span | CPU by program |")
    print("|---|---:|---:|---:|---|")
    for k, s in sorted(j["steps"].items(), key=lambda kv: kv[1]["first"]):
        progs = ", ".join("%s %.2f (%d)" % (p, s["cpu"][p], s["runs"][p])
                          for p in sorted(s["cpu"], key=lambda p: -s["cpu"][p]))
        print("| %s | %.1f | %.1f | %.1f | %s |" % (k, (s["first"] - j["t0"]) / 1e3,
              (s["last"] - j["t0"]) / 1e3, (s["last"] - s["first"]) / 1e3, progs))
for m in meshes:
    for n in sizes:
        g = R[(m, n)].get("guide")
        if not g:
            continue
        j = R[(m, n)]
        N = n * (n - 1)
        s = j["steps"].get("06-remote-secret", {"first": 0, "last": 0, "cpu": {}})
        gs = j["steps"].get("gen-remote-secret", {"first": 0, "last": 0, "cpu": {}})
        print("\n### Remote secrets the guide's way, %s, %d clusters\n" % (m, n))
        print("%d ordered pairs among c1..c%d (KUBECONFIG listing all %d clusters), one"
              " `mesh-secret remote --context cI --name cI --allow-loopback | kubectl apply"
              " --context cJ -f -` each, in a shell loop: %.1f s, %.2f s a pair; CPU %.1f s"
              " (mesh-secret %.1f, kubectl %.1f); %d requests to those clusters; %d of %d"
              " secrets found after, %d runs failed. Scaled to %d pairs (extrapolated, not"
              " run): %.0f s wall, %.0f s CPU, %.0f requests.\n" % (
            g["pairs"], g["clusters"], n, g["wall"], g["wall"] / g["pairs"],
            g["secret_cpu"] + g["kubectl_cpu"], g["secret_cpu"], g["kubectl_cpu"], g["requests"],
            g["secrets_found"], g["pairs"], g["failed"], N, g["wall"] / g["pairs"] * N,
            (g["secret_cpu"] + g["kubectl_cpu"]) / g["pairs"] * N, g["requests"] / g["pairs"] * N))
        print("mesh.mk's remote secrets of all %d pairs: `mesh-secret remote -f` %.1f s wall"
              " (%.2f s CPU), then %d `kubectl apply` in parallel, %.1f s wall (kubectl %.1f s CPU)."
              % (N, (gs["last"] - gs["first"]) / 1e3, gs["cpu"].get("mesh-secret", 0),
                 n, (s["last"] - s["first"]) / 1e3, s["cpu"].get("kubectl", 0)))
PY
