#!/usr/bin/env bash
# mesh-secret cacerts beside Istio's plug-in CA Makefile (openssl CLI):
# a root CA and 10 cluster intermediates, RSA 4096 and ECDSA P-256; CPU
# time (user + system of the command and all its children), wall time
# and peak RSS per run, median and range over RUNS runs, the commands
# taking turns, each run in a fresh empty directory.
#
#     ISTIO_GIT=path/to/istio bench/secret.sh [RUNS]
#
# ISTIO_GIT is a clone (or bare mirror) of istio/istio;
# tools/certs/Makefile.selfsigned.mk and tools/certs/common.mk are taken
# from its ISTIO_REV (HEAD) into a scratch directory for the run and
# removed afterwards: they are never copied into this tree.  ISTIO_CERTS
# names a directory holding copies of the two files instead.  The
# Makefile only makes RSA 4096 keys (a fixed `openssl genrsa -out $@
# 4096`); for ECDSA the scratch copy has those lines changed by sed to
# `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $@`
# and nothing else.  RUNS is the runs per command (7).  A third command,
# the Makefile's 11 key generations alone, shows how much of its time
# they are.
#
# Before timing, one untimed run of each tool (under strace -f, when
# there is one, to count the processes) must give 10 intermediates that
# `openssl verify -CAfile root-cert.pem` accepts.  The whole script runs
# in a new, empty network namespace (unshare -n, or -rn) when it can;
# each timed run is killed after TIMEOUT seconds (600).  Needs a C
# compiler (CC, or cc) for the small runner that times each run (wait4
# gives the rusage of its whole process tree) and python3 for the medians.
# The report (Markdown) goes to stdout, progress to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# Nothing here needs a network: take it away when we can.
if [ -z "${SECRET_SH_NETNS:-}" ]; then
	for u in "unshare -n" "unshare -rn"; do
		if $u true 2>/dev/null; then
			SECRET_SH_NETNS="$u" exec $u "$BASH" "$0" "$@"
		fi
	done
	export SECRET_SH_NETNS=none
fi

runs=${1:-7}
limit=${TIMEOUT:-600}
nclusters=10
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

mkdir "$tmp/rsa" "$tmp/ecdsa"
if [ -n "${ISTIO_CERTS:-}" ]; then
	cp "$ISTIO_CERTS/Makefile.selfsigned.mk" "$ISTIO_CERTS/common.mk" "$tmp/rsa/"
	src="$ISTIO_CERTS"
elif [ -n "${ISTIO_GIT:-}" ]; then
	rev=$(git -C "$ISTIO_GIT" rev-parse "${ISTIO_REV:-HEAD}")
	for f in Makefile.selfsigned.mk common.mk; do
		git -C "$ISTIO_GIT" show "$rev:tools/certs/$f" > "$tmp/rsa/$f"
	done
	src="istio/istio $rev (blobs Makefile.selfsigned.mk $(git -C "$ISTIO_GIT" rev-parse "$rev:tools/certs/Makefile.selfsigned.mk"), common.mk $(git -C "$ISTIO_GIT" rev-parse "$rev:tools/certs/common.mk"))"
else
	echo "secret.sh: set ISTIO_GIT to an istio/istio clone, or ISTIO_CERTS to a directory with Makefile.selfsigned.mk and common.mk" >&2
	exit 1
fi
genrsa='openssl genrsa -out $@ 4096'
genec='openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $@'
cp "$tmp/rsa/common.mk" "$tmp/ecdsa/"
sed "s/openssl genrsa -out \\\$@ 4096/$genec/" "$tmp/rsa/Makefile.selfsigned.mk" > "$tmp/ecdsa/Makefile.selfsigned.mk"
nkeys=$(grep -cF "$genrsa" "$tmp/rsa/Makefile.selfsigned.mk" || true)
if [ "$nkeys" -eq 0 ] || grep -q genrsa "$tmp/ecdsa/Makefile.selfsigned.mk" ||
    [ "$(diff "$tmp/rsa/Makefile.selfsigned.mk" "$tmp/ecdsa/Makefile.selfsigned.mk" | grep -c '^>' || true)" -ne "$nkeys" ]; then
	echo "secret.sh: the Makefile's key lines are not '$genrsa'" >&2
	exit 1
fi

make -s -C "$root" >/dev/null
# Measure a copy: others may rebuild build/ while this runs.
ms=$tmp/mesh-secret
cp "$root/build/mesh-secret" "$ms"
ms_rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "this tree")
ms_src=$(git -C "$root" hash-object cmd/mesh-secret.c 2>/dev/null || echo "?")
command -v python3 >/dev/null || { echo "secret.sh: needs python3" >&2; exit 1; }
# The Makefile reads these from the environment (?=); measure its defaults.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES ROOTCA_DAYS ROOTCA_KEYSZ \
    ROOTCA_ORG ROOTCA_CN INTERMEDIATE_DAYS INTERMEDIATE_KEYSZ \
    INTERMEDIATE_ORG INTERMEDIATE_CN INTERMEDIATE_SAN_DNS

clusters=() targets=() keys=0
for ((i = 1; i <= nclusters; i++)); do
	clusters+=(--cluster "c$i")
	targets+=("c$i-cacerts")
	keys+=" $i"
done
keysh_rsa="for i in $keys; do openssl genrsa -out k\$i.pem 4096 || exit 1; done"
keysh_ec="for i in $keys; do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k\$i.pem || exit 1; done"

# measure OUT LIMIT CMD...: run CMD in its own process group, append
# "start_ms end_ms wall user sys maxrss_kib status" of its whole tree to
# OUT (bench/measure.c).
${CC:-cc} -O2 -o "$tmp/measure" "$here/measure.c"

# cmd KT TOOL: the command line for key type KT (rsa|ecdsa) and TOOL
# (ms: mesh-secret, mk: the Makefile, keys: the Makefile's keys alone).
cmd() {
	case $1-$2 in
	rsa-ms) c=("$ms" cacerts "${clusters[@]}" --root-dir ca) ;;
	ecdsa-ms) c=("$ms" cacerts "${clusters[@]}" --root-dir ca --key-type ecdsa) ;;
	*-mk) c=(make -f "$tmp/$1/Makefile.selfsigned.mk" root-ca "${targets[@]}") ;;
	rsa-keys) c=(sh -c "$keysh_rsa") ;;
	ecdsa-keys) c=(sh -c "$keysh_ec") ;;
	esac
}

# Sanity: one untimed run of each; 10 intermediates that verify.
have_strace=
strace -f -qq -o /dev/null true 2>/dev/null && have_strace=1
declare -A procs openssls desc
# describe PEM: "RSA 4096-bit / sha256WithRSAEncryption" and the like
describe() {
	openssl x509 -noout -text -in "$1" | awk '
	    /Signature Algorithm:/ && !s { s = $3 }
	    /Public Key Algorithm:/ { k = $4 }
	    /Public-Key:/ { b = $2 }
	    /NIST CURVE:/ { c = $3 }
	    END { sub(/^\(/, "", b); printf "%s %s-bit%s, signed %s", k, b, (c ? " " c : ""), s }'
}
check() {	# KT TOOL
	local kt=$1 tool=$2 d="$tmp/check-$1-$2" rootpem n=0 f
	mkdir "$d"
	cmd "$kt" "$tool"
	if [ -n "$have_strace" ]; then
		(cd "$d" && strace -f -qq -z -e trace=execve -o "$d.strace" "${c[@]}") >"$d.out" 2>"$d.err" ||
		    { cat "$d.err" >&2; exit 1; }
		procs[$kt-$tool]=$(grep -c ' execve(' "$d.strace")
		openssls[$kt-$tool]=$(grep -c ' execve("[^"]*/openssl"' "$d.strace" || true)
	else
		(cd "$d" && "${c[@]}") >"$d.out" 2>"$d.err" || { cat "$d.err" >&2; exit 1; }
	fi
	if [ "$tool" = ms ]; then
		rootpem=$d/ca/root-cert.pem
		awk -v d="$d" '/^  ca-cert.pem: / { n++; print $2 > (d "/ca" n ".b64") }' "$d.out"
		for f in "$d"/ca*.b64; do
			base64 -d "$f" > "${f%.b64}.pem"
		done
		set -- "$d"/ca*.pem
	else
		rootpem=$d/root-cert.pem
		set -- "$d"/c*/ca-cert.pem
	fi
	for f; do
		[ -f "$f" ] || continue
		openssl verify -CAfile "$rootpem" "$f" >/dev/null 2>&1 ||
		    { echo "secret.sh: $kt $tool: $f does not verify" >&2; exit 1; }
		n=$((n + 1))
	done
	[ "$n" -eq "$nclusters" ] || { echo "secret.sh: $kt $tool: $n intermediates, not $nclusters" >&2; exit 1; }
	desc[$kt-$tool]="root $(describe "$rootpem"); intermediates $(describe "$1")"
	rm -rf "$d" "$d".*
}
for kt in rsa ecdsa; do
	for tool in ms mk; do
		echo "secret.sh: checking $kt $tool" >&2
		check "$kt" "$tool"
	done
done

# The timed runs.  /proc/stat before and after gives the machine's busy
# time; less ours, it is what else ran meanwhile.
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
hz=$(getconf CLK_TCK)
load0=$(uptime | sed 's/.*load average/load average/')
b0=$(busy)
t0=$(date +%s%N)
for ((r = 0; r < runs; r++)); do
	for kt in rsa ecdsa; do
		if ((r % 2 == 0)); then order="ms mk keys"; else order="keys mk ms"; fi
		for tool in $order; do
			echo "secret.sh: run $((r + 1))/$runs $kt $tool" >&2
			d=$tmp/run
			mkdir "$d"
			cmd "$kt" "$tool"
			(cd "$d" && "$tmp/measure" "$tmp/$kt-$tool.txt" "$limit" "${c[@]}") >/dev/null 2>"$tmp/err" ||
			    { cat "$tmp/err" >&2; exit 1; }
			st=$(tail -n 1 "$tmp/$kt-$tool.txt" | awk '{ print $7 }')
			[ "$st" = 0 ] || { cat "$tmp/err" >&2; echo "secret.sh: ${c[0]} failed (status $st)" >&2; exit 1; }
			rm -rf "$d"
		done
	done
done
t1=$(date +%s%N)
b1=$(busy)
load1=$(uptime | sed 's/.*load average/load average/')
ours=$(cat "$tmp"/*-*.txt | awk '{ s += $4 + $5 } END { print s }')
others=$(awk -v b="$((b1 - b0))" -v hz="$hz" -v o="$ours" -v t="$((t1 - t0))" \
    'BEGIN { printf "%.2f", (b / hz - o) / (t / 1e9) }')

# stats FILE: "cpu_med cpu_min cpu_max wall_med wall_min wall_max rss_med rss_min rss_max"
stats() {
	python3 - "$1" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
cpu = [r[3] + r[4] for r in rows]; wall = [r[2] for r in rows]; rss = [r[5] / 1024 for r in rows]
print(" ".join("%.3f %.3f %.3f" % (statistics.median(v), min(v), max(v)) for v in (cpu, wall, rss)))
EOF
}
declare -A st
for kt in rsa ecdsa; do
	for tool in ms mk keys; do
		st[$kt-$tool]=$(stats "$tmp/$kt-$tool.txt")
	done
done
f() {	# KEY FIELD: one figure (1-based) of st[KEY]
	local a
	read -ra a <<< "${st[$1]}"
	echo "${a[$(($2 - 1))]}"
}
row() {	# label, key, digits
	printf '| %s | %d | %.*f (%.*f-%.*f) | %.*f (%.*f-%.*f) | %.1f (%.1f-%.1f) |\n' "$1" \
	    "$(wc -l < "$tmp/$2.txt")" \
	    "$3" "$(f "$2" 1)" "$3" "$(f "$2" 2)" "$3" "$(f "$2" 3)" \
	    "$3" "$(f "$2" 4)" "$3" "$(f "$2" 5)" "$3" "$(f "$2" 6)" \
	    "$(f "$2" 7)" "$(f "$2" 8)" "$(f "$2" 9)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", b / a }'; }

echo "Makefile.selfsigned.mk and common.mk from $src, run with"
echo "$(make --version | head -n 1) and $(openssl version); for ECDSA, copies with"
echo "the $nkeys \`$genrsa\` lines replaced by"
echo "\`$genec\`."
echo "mesh-secret $("$ms" --version | sed 's/^mesh-secret (meshline) //') from $ms_rev"
echo "(cmd/mesh-secret.c blob $ms_src), linked to $(ldd "$ms" | awk '/libcrypto\.so/ { print $1 " " $3 }')."
echo "Machine: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs online; network namespace: $SECRET_SH_NETNS."
echo
echo "Commands, each run in a fresh empty directory, stdout to /dev/null:"
echo
echo '```sh'
echo "mesh-secret cacerts --cluster c1 ... --cluster c$nclusters --root-dir ca [--key-type ecdsa]"
echo "make -f Makefile.selfsigned.mk root-ca c1-cacerts ... c$nclusters-cacerts"
echo "sh -c '$keysh_rsa'"
echo "sh -c '$keysh_ec'"
echo '```'
echo
echo "The last two are the Makefile's key generations alone ($((nclusters + 1)) keys, one"
echo "process each). $runs runs of each, taking turns (RSA then ECDSA each round; the"
echo "order of the three flips every round). CPU is user + system time of the"
echo "command's whole process tree and wall the time from fork to its exit"
echo "(wait4 and CLOCK_MONOTONIC in a small C runner); peak RSS is the largest"
echo "single process of the tree (ru_maxrss), not a sum. Median (range)."
echo
echo "| command | runs | CPU s | wall s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|"
echo "| **RSA 4096** | | | | |"
row "mesh-secret cacerts, $nclusters clusters" rsa-ms 2
row "make root-ca c1-cacerts ... c$nclusters-cacerts" rsa-mk 2
row "$((nclusters + 1)) × openssl genrsa 4096 alone" rsa-keys 2
echo "| **ECDSA P-256** | | | | |"
row "mesh-secret cacerts --key-type ecdsa, $nclusters clusters" ecdsa-ms 3
row "make (key lines changed to genpkey EC P-256)" ecdsa-mk 3
row "$((nclusters + 1)) × openssl genpkey EC P-256 alone" ecdsa-keys 3
echo
echo "Makefile / mesh-secret, by median CPU and median wall: RSA $(ratio "$(f rsa-ms 1)" "$(f rsa-mk 1)")"
echo "and $(ratio "$(f rsa-ms 4)" "$(f rsa-mk 4)"); ECDSA $(ratio "$(f ecdsa-ms 1)" "$(f ecdsa-mk 1)") and $(ratio "$(f ecdsa-ms 4)" "$(f ecdsa-mk 4)")."
echo
echo "CPU s per run, in run order:"
echo
for kt in rsa ecdsa; do
	for tool in ms mk keys; do
		echo "- $kt $tool: $(awk '{ printf "%s%.3f", (NR > 1 ? " " : ""), $4 + $5 }' "$tmp/$kt-$tool.txt")"
	done
done
echo
echo "Checks (one untimed run each, before timing): both tools gave $nclusters"
echo "intermediates that \`openssl verify -CAfile root-cert.pem\` accepts."
for kt in rsa ecdsa; do
	for tool in ms mk; do
		echo "- $kt $tool: ${desc[$kt-$tool]}"
	done
done
if [ -n "$have_strace" ]; then
	echo
	echo "Programs started (successful execve, strace -f, in those runs): mesh-secret"
	echo "${procs[rsa-ms]} (RSA) and ${procs[ecdsa-ms]} (ECDSA); the Makefile ${procs[rsa-mk]} (RSA) and ${procs[ecdsa-mk]} (ECDSA),"
	echo "${openssls[rsa-mk]} and ${openssls[ecdsa-mk]} of them openssl."
fi
echo
echo "Load: before the timed runs $load0; after, $load1. Meanwhile the"
echo "rest of the machine kept $others CPUs busy on average (/proc/stat busy time"
echo "less the runs' own CPU time, over $(awk -v t="$((t1 - t0))" 'BEGIN { printf "%.0f", t / 1e9 }') s)."
