# Shared setup for every bats suite: assertions, fixtures, a scratch
# directory, and an optional wrapper (valgrind) around our programs.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

TESTS="$(cd "$(dirname "${BATS_TEST_FILENAME}")" && pwd)"
FIXTURES="$TESTS/fixtures"
ROOT="$(cd "$TESTS/.." && pwd)"
SHARED="$ROOT/../shared"
: "${MESH_BUILD:=$ROOT/build}"
export PATH="$MESH_BUILD:$PATH"

# A python3 with PyYAML, to compare documents as parsed data.
for PYTHON in python3 /usr/bin/python3; do
	"$PYTHON" -c 'import yaml' 2>/dev/null && break
done
export PYTHON

setup() {
	TMP="$BATS_TEST_TMPDIR"
	export HOME="$TMP/home" KUBECACHEDIR="$TMP/kubecache"
	mkdir -p "$HOME"
}

# mesh NAME ARGS...: run one of our programs, through $MESH_TEST_WRAPPER.
mesh() {
	local prog="$1"
	shift
	# shellcheck disable=SC2086
	${MESH_TEST_WRAPPER:-} "$MESH_BUILD/$prog" "$@"
}
mesh-overlay() { mesh mesh-overlay "$@"; }
mesh-render() { mesh mesh-render "$@"; }
mesh-gw() { mesh mesh-gw "$@"; }
mesh-secret() { mesh mesh-secret "$@"; }
mesh-wait() { mesh mesh-wait "$@"; }

# yaml_eq A B: the two files hold the same YAML stream, as parsed data.
yaml_eq() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, yaml
a = list(yaml.safe_load_all(open(sys.argv[1])))
b = list(yaml.safe_load_all(open(sys.argv[2])))
if a != b:
    import json
    print("--- first:", json.dumps(a, indent=1, default=str)[:4000], file=sys.stderr)
    print("--- second:", json.dumps(b, indent=1, default=str)[:4000], file=sys.stderr)
    sys.exit(1)
PY
}

# yq_get FILE EXPR: a Python expression over the stream as `d` (a list).
py_yaml() {
	"$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(open(sys.argv[1]))); print(json.dumps($2))" "$1"
}
