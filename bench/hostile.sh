#!/bin/sh
# bench/hostile.sh: make the hostile inputs of the reader's limits, run
# mesh-overlay on each, and print a Markdown table of exit status, time,
# peak memory, peak memory per input byte and output bytes on stdout.
#
# usage: bench/hostile.sh [BUILD]   (BUILD: the build directory, build)
#
# Environment: BENCH_DIR (where the inputs go; default a temporary
# directory, removed unless KEEP=1), PYTHON (python3).  Needs GNU time
# (/usr/bin/time) for the peak resident set size.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
mesh=$build/mesh-overlay
PYTHON=${PYTHON:-python3}
[ -x "$mesh" ] || { echo "hostile.sh: no $mesh: run make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "hostile.sh: needs GNU time" >&2; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/meshhostile.XXXXXX")
	[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fi

# gen NAME CODE: write what CODE prints (as w(...)) to $work/NAME.
gen() {
	"$PYTHON" -c "import sys
w = sys.stdout.write
$2" > "$work/$1"
}

gen alias.yaml "w('a: &a \"%s\"\n' % ('x' * 65536))
w('b: [' + ','.join(['*a'] * 30000) + ']\n')"
gen anchors.yaml "w('a:\n')
for i in range(80000): w('- &a%d v%d\n' % (i, i))
w('b:\n')
for i in range(80000): w('- *a%d\n' % i)"
gen tiny.yaml "w('---\n'.join('a%d: 1\n' % i for i in range(249999)))"
gen keys.yaml "for i in range(200000): w('k%d: %d\n' % (i, i))"
gen keys2.yaml "for i in range(0, 400000, 2): w('k%d: x\n' % i)"
gen deep.yaml "for i in range(2000): w('- ' + '[' * 500 + ']' * 500 + '\n')"
gen dup.yaml "w('m:\n')
for i in range(200000): w('  k%d: 1\n' % i)
w('  k0: 2\n')"
"$PYTHON" "$here/gen.py" "$work/k8s.yaml"
printf 'a: 1\n' > "$work/one.yaml"

echo "| input | command | bytes in | exit | seconds | peak KiB | peak bytes per input byte | bytes out | stderr |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
# row LABEL INPUT-BYTES ARGS...: run mesh-overlay ARGS in $work.
row() {
	label=$1 bytes=$2
	shift 2
	set +e
	(cd "$work" && /usr/bin/time -f '%e %M' -o time.out "$mesh" "$@" \
	    > out.txt 2> err.txt)
	rc=$?
	set -e
	# GNU time puts "Command exited with non-zero status" first
	secs=$(tail -n 1 "$work/time.out" | cut -d' ' -f1)
	kib=$(tail -n 1 "$work/time.out" | cut -d' ' -f2)
	msg=$(grep -v '^Command exited' "$work/err.txt" | head -1 |
	    sed 's/^mesh-overlay: //; s/|/\\|/g')
	per=$(awk -v k="$kib" -v b="$bytes" 'BEGIN { printf "%.1f", k * 1024 / b }')
	out=$(wc -c < "$work/out.txt" | tr -d ' ')
	echo "| $label | \`mesh-overlay $*\` | $bytes | $rc | $secs | $kib | $per | $out | $msg |"
}
size() { wc -c < "$work/$1" | tr -d ' '; }

row "64 KB scalar aliased 30,000 times" "$(size alias.yaml)" alias.yaml
row "same, -o json" "$(size alias.yaml)" -o json alias.yaml
row "80,000 anchors, 80,000 aliases" "$(size anchors.yaml)" anchors.yaml
row "249,999 tiny documents as -f" "$(size tiny.yaml)" -f tiny.yaml one.yaml
row "200,000 keys merged with 200,000" "$(( $(size keys.yaml) + $(size keys2.yaml) ))" -f keys2.yaml keys.yaml
row "200,000 keys, one given twice" "$(size dup.yaml)" dup.yaml
row "2,000 lists nested 500 deep, -o json" "$(size deep.yaml)" -o json deep.yaml
row "80,000 Kubernetes documents (gen.py)" "$(size k8s.yaml)" --set metadata.labels.mesh=on k8s.yaml
row "same, --stream" "$(size k8s.yaml)" --stream --set metadata.labels.mesh=on k8s.yaml
row "same, -o json" "$(size k8s.yaml)" -o json k8s.yaml
