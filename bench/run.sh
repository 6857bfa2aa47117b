#!/bin/sh
# bench/run.sh: measure mesh-overlay side by side with the libyaml floor,
# kubectl patch --local and yq -y on one generated stream of Kubernetes
# documents, and print the figures as a Markdown report on stdout.
#
# usage: bench/run.sh [-q]        (-q: skip the callgrind profile)
#
# Environment (all optional):
#   BENCH_DIR    where the input, outputs and profiles go (default: a new
#                temporary directory, removed unless KEEP=1)
#   DOCS         documents in the full input (80000, about 32 MB)
#   SUBSET_DOCS  documents kubectl and yq read (10000, the first eighth of
#                the same stream); DOCS runs them on the whole input
#   RUNS         runs per fast command, best taken (7)
#   SLOW_RUNS    runs per kubectl / yq measurement, best taken (3)
#   STARTS       start-up runs of mesh-overlay and floor (1000)
#   SLOW_STARTS  start-up runs of kubectl and yq (20)
#   PROF_DOCS    documents in the callgrind input (2000)
#   KUBECTL, YQ  the commands to compare with (kubectl, yq)
#   CC, CFLAGS   compiler for bench/floor.c (cc, -O2 -g as the Makefile)
#   MESHLINE_SRC the meshline tree to build and measure (this one), e.g.
#                a `git archive` export of one commit; MESHLINE_REV
#                then names it in the report
#
# Nothing here touches the network: kubectl runs with --local, an empty
# kubeconfig and a scratch HOME.
# Per-command figures live in variables named best_NAME, cpu_NAME and so
# on, set and read through eval.
# shellcheck disable=SC2154
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${MESHLINE_SRC:-$here/..}" && pwd)

DOCS=${DOCS:-80000}
SUBSET_DOCS=${SUBSET_DOCS:-10000}
RUNS=${RUNS:-7}
SLOW_RUNS=${SLOW_RUNS:-3}
STARTS=${STARTS:-1000}
SLOW_STARTS=${SLOW_STARTS:-20}
PROF_DOCS=${PROF_DOCS:-2000}
KUBECTL=${KUBECTL:-kubectl}
YQ=${YQ:-yq}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
PROFILE=1
if [ "${1:-}" = "-q" ]; then PROFILE=0; fi

note() { printf '%s\n' "run.sh: $*" >&2; }
die() { note "$*"; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/meshbench.XXXXXX")
	[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fi

# --- tools -------------------------------------------------------------

GNU_TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' true >/dev/null 2>&1; then
	GNU_TIME=/usr/bin/time
else
	note "GNU time is missing (apt-get install -y time): peak RSS not measured"
fi
have() { command -v "$1" >/dev/null 2>&1; }
have python3 || die "python3 is needed to generate the input"
have "$KUBECTL" || note "'$KUBECTL' not found: kubectl is skipped"
have "$YQ" || note "'$YQ' not found: yq is skipped"
if [ "$PROFILE" = 1 ] && ! have valgrind; then
	note "valgrind not found: no callgrind profile"
	PROFILE=0
fi

# --- build -------------------------------------------------------------

make -s -C "$root" >&2 || die "make failed"
mesh=$root/build/mesh-overlay
[ -x "$mesh" ] || die "no build/mesh-overlay after make"
floor=$work/floor
# shellcheck disable=SC2046,SC2086  # CFLAGS and pkg-config give word lists
$CC -std=c11 -D_POSIX_C_SOURCE=200809L $CFLAGS \
    $(pkg-config --cflags yaml-0.1) -o "$floor" "$here/floor.c" \
    $(pkg-config --libs yaml-0.1) || die "cannot build floor.c"

# --- input -------------------------------------------------------------

in=$work/in.yaml
sub=$work/sub.yaml
prof=$work/prof.yaml
tiny=$work/tiny.yaml
[ -s "$in" ] || python3 "$here/gen.py" -n "$DOCS" "$in"
[ -s "$sub" ] || python3 "$here/gen.py" -n "$SUBSET_DOCS" "$sub"
[ -s "$prof" ] || python3 "$here/gen.py" -n "$PROF_DOCS" "$prof"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tiny\n' >"$tiny"
in_bytes=$(wc -c <"$in")
sub_bytes=$(wc -c <"$sub")

# kubectl needs no cluster for --local, but give it an empty config and a
# HOME of its own so that nothing of the user's is read or written.
khome=$work/home
mkdir -p "$khome"
printf 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n' \
    >"$khome/kubeconfig"

# --- measuring ---------------------------------------------------------

now_ns() { date +%s%N; }

# once NAME INPUT CMD...: run CMD < INPUT > $work/out.NAME and keep, in
# best_NAME, cpu_NAME and rss_NAME, the fastest wall time (s), the least
# user + system time (s) and the largest peak resident set (KiB) so far.
# The commands are run in turn, round after round, so that a burst of
# load from elsewhere on the machine does not fall on one of them only.
once() {
	o_name=$1 o_in=$2
	shift 2
	t0=$(now_ns)
	if [ -n "$GNU_TIME" ]; then
		HOME=$khome KUBECONFIG=$khome/kubeconfig \
		    "$GNU_TIME" -f '%M %U %S' -o "$work/time.$o_name" "$@" \
		    <"$o_in" >"$work/out.$o_name" 2>"$work/err.$o_name" ||
		    die "$o_name failed: $(tail -n 3 "$work/err.$o_name")"
	else
		HOME=$khome KUBECONFIG=$khome/kubeconfig "$@" \
		    <"$o_in" >"$work/out.$o_name" 2>"$work/err.$o_name" ||
		    die "$o_name failed: $(tail -n 3 "$work/err.$o_name")"
	fi
	t1=$(now_ns)
	t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	eval "o_best=\${best_$o_name:-} o_cpu=\${cpu_$o_name:-} o_rss=\${rss_$o_name:-0}"
	if [ -z "$o_best" ] || lt "$t" "$o_best"; then o_best=$t; fi
	if [ -n "$GNU_TIME" ]; then
		# shellcheck disable=SC2046  # three numbers
		set -- $(tail -n 1 "$work/time.$o_name")
		c=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$o_cpu" ] || lt "$c" "$o_cpu"; then o_cpu=$c; fi
		if [ "$1" -gt "$o_rss" ]; then o_rss=$1; fi
	fi
	eval "best_$o_name=\$o_best cpu_$o_name=\$o_cpu rss_$o_name=\$o_rss"
}

# startup NAME N CMD...: mean wall time in ms of N runs of CMD on the
# tiny document, in s_ms; the least over the rounds is kept in
# start_NAME.
startup() {
	s_name=$1 s_n=$2
	shift 2
	i=0
	t0=$(now_ns)
	while [ "$i" -lt "$s_n" ]; do
		i=$((i + 1))
		HOME=$khome KUBECONFIG=$khome/kubeconfig "$@" <"$tiny" \
		    >"$work/start.$s_name" 2>&1 || die "$s_name start-up failed"
	done
	t1=$(now_ns)
	s_ms=$(awk -v a="$t0" -v b="$t1" -v n="$s_n" \
	    'BEGIN { printf "%.3f", (b - a) / n / 1e6 }')
	eval "s_old=\${start_$s_name:-}"
	if [ -z "$s_old" ] || lt "$s_ms" "$s_old"; then
		eval "start_$s_name=\$s_ms"
	fi
}

lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
verdict() { if ge "$1" "$2"; then echo met; else echo "NOT met"; fi; }

# Each edited output must carry the label once per document.
labelled() { grep -c "^ *mesh: [\"']on[\"']\$" "$1" || true; }
check_labels() {
	got=$(labelled "$work/out.$1")
	[ "$got" -eq "$2" ] ||
	    die "$1: $got documents labelled, expected $2"
}

rows=$work/rows
: >"$rows"
row() {	# name, label, input, docs, bytes
	eval "r_t=\$best_$1 r_cpu=\${cpu_$1:-} r_rss=\${rss_$1:-}"
	printf '| %s | %s | %s | %.3f | %s | %s | %s | %s |\n' "$2" "$3" \
	    "$4" "$r_t" "$(mbps "$5" "$r_t")" "${r_cpu:-n/a}" \
	    "$( [ -n "$r_cpu" ] && mbps "$5" "$r_cpu" || echo n/a)" \
	    "$( [ -n "$GNU_TIME" ] && mib "$r_rss" || echo n/a)" >>"$rows"
}

note "input: $DOCS documents, $in_bytes bytes; subset: $SUBSET_DOCS, $sub_bytes bytes"

label=metadata.labels.mesh=on
patch='{"metadata":{"labels":{"mesh":"on"}}}'
yexpr='.metadata.labels.mesh = "on"'

note "floor, mesh-overlay, mesh-overlay --stream: $RUNS rounds"
round=0
while [ "$round" -lt "$RUNS" ]; do
	round=$((round + 1))
	once floor "$in" "$floor"
	once mesh "$in" "$mesh" --set "$label"
	once stream "$in" "$mesh" --stream --set "$label"
	once meshsub "$sub" "$mesh" --set "$label"
done
check_labels mesh "$DOCS"
check_labels stream "$DOCS"
check_labels meshsub "$SUBSET_DOCS"
cmp -s "$work/out.mesh" "$work/out.stream" ||
    die "--stream wrote other bytes than the default"

has_kubectl=0 has_yq=0
have "$KUBECTL" && has_kubectl=1
have "$YQ" && has_yq=1
if [ $has_kubectl = 1 ] || [ $has_yq = 1 ]; then
	note "kubectl patch --local, yq -y: $SLOW_RUNS rounds on $SUBSET_DOCS documents"
fi
round=0
while [ "$round" -lt "$SLOW_RUNS" ]; do
	round=$((round + 1))
	if [ $has_kubectl = 1 ]; then
		once kubectl "$sub" "$KUBECTL" patch --local -f - -p "$patch" \
		    -o yaml
	fi
	if [ $has_yq = 1 ]; then
		once yq "$sub" "$YQ" -y "$yexpr"
	fi
done
[ $has_kubectl = 0 ] || check_labels kubectl "$SUBSET_DOCS"
[ $has_yq = 0 ] || check_labels yq "$SUBSET_DOCS"

row floor "floor (libyaml parse+emit)" full "$DOCS" "$in_bytes"
row mesh "mesh-overlay --set $label" full "$DOCS" "$in_bytes"
row stream "mesh-overlay --stream --set $label" full "$DOCS" "$in_bytes"
row meshsub "mesh-overlay --set $label" subset "$SUBSET_DOCS" "$sub_bytes"
[ $has_kubectl = 0 ] || row kubectl \
    "kubectl patch --local -f - -p '$patch' -o yaml" subset \
    "$SUBSET_DOCS" "$sub_bytes"
[ $has_yq = 0 ] || row yq "yq -y '$yexpr'" subset "$SUBSET_DOCS" \
    "$sub_bytes"

# Start-up: rounds of the fast programs and of /bin/true (the loop's own
# cost), in turn; then kubectl and yq, which take far longer a run.
rounds=5
per=$((STARTS / rounds))
note "start-up: $rounds rounds of $per runs; kubectl and yq $SLOW_STARTS runs"
round=0
while [ "$round" -lt "$rounds" ]; do
	round=$((round + 1))
	startup true "$per" /bin/true
	startup floor "$per" "$floor"
	startup mesh "$per" "$mesh" --set a=b
done
[ $has_kubectl = 0 ] || startup kubectl "$SLOW_STARTS" "$KUBECTL" patch \
    --local -f - -p "$patch" -o yaml
[ $has_yq = 0 ] || startup yq "$SLOW_STARTS" "$YQ" -y "$yexpr"
srows=$work/srows
: >"$srows"
srow() {	# name, label, runs
	eval "v=\$start_$1"
	printf '| %s | %s | %.2f | %.2f |\n' "$2" "$3" "$v" \
	    "$(awk -v a="$v" -v b="$start_true" 'BEGIN { print a - b }')" \
	    >>"$srows"
}
srow true "/bin/true (the loop's own cost)" "$STARTS"
srow floor floor "$STARTS"
srow mesh "mesh-overlay --set a=b" "$STARTS"
[ $has_kubectl = 0 ] || srow kubectl "kubectl patch --local" "$SLOW_STARTS"
[ $has_yq = 0 ] || srow yq "yq -y" "$SLOW_STARTS"
mesh_start=$(awk -v a="$start_mesh" -v b="$start_true" \
    'BEGIN { printf "%.2f", a - b }')
stream_rss=${rss_stream:-0}

# --- report ------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
libyaml=$(pkg-config --modversion yaml-0.1 2>/dev/null || echo unknown)
echo "## Machine"
echo
echo "- CPU: $cpu, $(nproc) CPUs online"
echo "- kernel: $(uname -sr); compiler: $($CC --version | head -n 1); libyaml $libyaml"
src=${MESHLINE_REV:-$(git -C "$root" describe --always --dirty 2>/dev/null ||
    echo "version $(sed -n 's/^VERSION *= *//p' "$root/Makefile") (no git metadata)")}
echo "- meshline measured: $src"
have "$KUBECTL" && echo "- kubectl: $($KUBECTL version --client 2>/dev/null | head -n 1)"
have "$YQ" && echo "- yq: $($YQ --version 2>&1 | head -n 1) (Python), jq $(jq --version 2>/dev/null || echo '?')"
echo
echo "## Throughput"
echo
echo "Input: $DOCS documents, $in_bytes bytes (full); the first $SUBSET_DOCS"
echo "documents, $sub_bytes bytes (subset). MB = 10^6 bytes of input per"
echo "second of wall time, best of $RUNS runs ($SLOW_RUNS for kubectl and yq),"
echo "the commands taking turns. CPU s is the least user + system time of"
echo "the runs; peak RSS the largest (GNU time %M; for yq it covers yq and"
echo "the jq it starts)."
echo
echo "| command | input | docs | best wall s | MB/s | least CPU s | MB/CPU-s | peak RSS MiB |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
cat "$rows"
echo
echo "## Start-up (one 4-line document)"
echo
echo "Mean wall time per run of a shell loop, best of $rounds rounds of $per"
echo "runs ($SLOW_STARTS runs for kubectl and yq); \"net\" subtracts the"
echo "same loop running /bin/true."
echo
echo "| command | runs | ms per run | net ms |"
echo "|---|---:|---:|---:|"
cat "$srows"
echo
echo "## Targets"
echo
echo "Throughput ratios by wall time (the verdict) and by CPU time (less"
echo "sensitive to other load on the machine). kubectl and yq are compared"
echo "on the subset, with mesh-overlay on the same subset and, scaled by"
echo "MB/s, on the full input."
echo
echo "| target | by wall time | by CPU time | verdict |"
echo "|---|---:|---:|---|"
# tput_ratio BYTES_A T_A BYTES_B T_B: (A's MB/s) / (B's MB/s)
tput_ratio() {
	if [ -z "$2" ] || [ -z "$4" ]; then echo n/a; return; fi
	awk -v ab="$1" -v at="$2" -v bb="$3" -v bt="$4" \
	    'BEGIN { printf "%.2f", (ab / at) / (bb / bt) }'
}
target() {	# label, bytes a, name a, bytes b, name b, goal, unit
	eval "w_a=\$best_$3 w_b=\$best_$5 c_a=\${cpu_$3:-} c_b=\${cpu_$5:-}"
	w=$(tput_ratio "$2" "$w_a" "$4" "$w_b")
	c=$(tput_ratio "$2" "$c_a" "$4" "$c_b")
	if [ -n "$6" ]; then v=$(verdict "$w" "$6"); else v=-; fi
	echo "| $1 | $w$7 | $c$7 | $v |"
}
target ">= 0.7 of the floor's throughput" "$in_bytes" mesh "$in_bytes" \
    floor 0.7 ""
target ">= 0.7 of the floor's throughput, --stream" "$in_bytes" stream \
    "$in_bytes" floor 0.7 ""
if [ $has_kubectl = 1 ]; then
	target ">= 20x kubectl (both on the subset)" "$sub_bytes" meshsub \
	    "$sub_bytes" kubectl 20 x
	target ">= 20x kubectl (mesh-overlay on the full input)" \
	    "$in_bytes" mesh "$sub_bytes" kubectl 20 x
	target "(for scale: the floor over kubectl)" "$in_bytes" floor \
	    "$sub_bytes" kubectl "" x
fi
if [ $has_yq = 1 ]; then
	target ">= 50x yq (both on the subset)" "$sub_bytes" meshsub \
	    "$sub_bytes" yq 50 x
	target ">= 50x yq (mesh-overlay on the full input)" "$in_bytes" mesh \
	    "$sub_bytes" yq 50 x
	target "(for scale: the floor over yq)" "$in_bytes" floor \
	    "$sub_bytes" yq "" x
fi
if [ -n "$GNU_TIME" ]; then
	r=$(mib "$stream_rss")
	if awk -v a="$stream_rss" 'BEGIN { exit !(a < 16384) }'; then v=met
	else v="NOT met"; fi
	echo "| --stream peak RSS < 16 MiB | $r MiB | | $v |"
fi
if awk -v a="$mesh_start" 'BEGIN { exit !(a < 3) }'; then v=met
else v="NOT met"; fi
echo "| start-up < 3 ms (net) | $mesh_start ms | | $v |"

# --- profile -----------------------------------------------------------

if [ "$PROFILE" = 1 ]; then
	# Debian's libyaml.so is stripped, but libyaml.a keeps the names of
	# its static functions: link both programs against it for the
	# profile, so that callgrind can name where the time goes.
	note "callgrind on $PROF_DOCS documents"
	yaml_a=$(pkg-config --variable=libdir yaml-0.1)/libyaml.a
	if [ -f "$yaml_a" ]; then
		# shellcheck disable=SC2046,SC2086
		if ! $CC $CFLAGS -o "$work/floor-prof" "$here/floor.c" \
		    $(pkg-config --cflags yaml-0.1) "$yaml_a" ||
		    ! $CC $CFLAGS -o "$work/mesh-prof" \
		    "$root/build/cmd/mesh-overlay.o" "$root/build/libmesh.a" \
		    "$yaml_a" $(pkg-config --libs libcyaml libcurl openssl); then
			die "cannot link the profile builds"
		fi
		pfloor=$work/floor-prof pmesh=$work/mesh-prof
		linked="linked statically against libyaml.a"
	else
		pfloor=$floor pmesh=$mesh
		linked="libyaml.a not found: libyaml's own functions are unnamed"
	fi
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.floor" \
	    "$pfloor" <"$prof" >/dev/null 2>"$work/cg.floor.log"
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.mesh" \
	    "$pmesh" --set "$label" <"$prof" >/dev/null 2>"$work/cg.mesh.log"
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.stream" \
	    "$pmesh" --stream --set "$label" <"$prof" >/dev/null \
	    2>"$work/cg.stream.log"
	prof_bytes=$(wc -c <"$prof")
	ir() { sed -n 's/^summary: *//p' "$1" | head -n 1; }
	fi_=$(ir "$work/cg.floor") mi=$(ir "$work/cg.mesh") si=$(ir "$work/cg.stream")
	echo
	echo "## Instructions (callgrind, $PROF_DOCS documents, $prof_bytes bytes)"
	echo
	echo "Both programs $linked."
	echo
	echo "| command | instructions | per input byte | vs floor |"
	echo "|---|---:|---:|---:|"
	for p in "floor $fi_" "mesh-overlay $mi" "mesh-overlay --stream $si"; do
		n=${p##* } name=${p% *}
		printf '| %s | %s | %s | %s |\n' "$name" "$n" \
		    "$(awk -v a="$n" -v b="$prof_bytes" 'BEGIN { printf "%.0f", a / b }')" \
		    "$(ratio "$n" "$fi_")"
	done
	for c in floor mesh; do
		callgrind_annotate --auto=no --inclusive=no "$work/cg.$c" \
		    >"$work/cg.$c.self.txt" 2>/dev/null || true
		callgrind_annotate --auto=no --inclusive=yes "$work/cg.$c" \
		    >"$work/cg.$c.incl.txt" 2>/dev/null || true
	done
	# The rows of a listing: no object paths, file names without
	# directories.
	top() {
		awk '/^-+$/ { s++; next } s >= 3 && NF && !/PROGRAM TOTALS/ &&
		    !/^Ir/ { print; if (++n == '"$2"') exit }' "$1" |
		    sed -e 's/ \[[^]]*\]$//' -e 's#  [^ ]*/\([^/ ]*:\)#  \1#'
	}
	# own instructions of each function, mesh-overlay less floor
	extra() {
		awk 'FNR == 1 { f++ }
		    /^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
			v = $1; gsub(",", "", v); k = $0
			sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", k)
			sub(/ \[.*\]$/, "", k); sub(/^.*\//, "", k)
			d[k] += f == 1 ? -v : v
		    }
		    END { for (k in d) if (d[k] > 0) printf "%d %s\n", d[k], k }' \
		    "$1" "$2" | sort -rn | head -n "$3" |
		    awk -v t="$4" '{ printf "| %s | %d | %.1f%% |\n", $2, $1,
			100 * $1 / t }'
	}
	echo
	echo "### mesh-overlay: top functions by own instructions"
	echo
	echo '```'
	top "$work/cg.mesh.self.txt" 30
	echo '```'
	echo
	echo "### Where mesh-overlay's extra instructions go"
	echo
	echo "Own instructions per function, mesh-overlay less floor; the share"
	echo "is of the difference, $((mi - fi_)) instructions."
	echo
	echo "| function | extra instructions | share |"
	echo "|---|---:|---:|"
	extra "$work/cg.floor.self.txt" "$work/cg.mesh.self.txt" 20 \
	    "$((mi - fi_))"
	echo
	echo "### floor: top functions by own instructions"
	echo
	echo '```'
	top "$work/cg.floor.self.txt" 20
	echo '```'
	[ -n "${BENCH_DIR:-}" ] || [ "${KEEP:-0}" = 1 ] ||
	    note "set BENCH_DIR or KEEP=1 to keep the callgrind files"
fi
if [ "${KEEP:-0}" = 1 ]; then note "files kept in $work"; fi
exit 0
