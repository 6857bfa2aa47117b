# Comparing a program's output with today's pages at several Istio
# releases: a suite sets RELEASES (the releases to render for; "default"
# passes no --istio-version) and DOCS_EQ (the comparison of an output
# file with the page's), then:
#     load helpers/releases
#     check WANT SED -- PROG ARGS...
# and strip FILE takes meshline's annotations out of -f's output.

# docs_eq OUT WANT [SED]: OUT holds WANT's documents, as parsed YAML;
# SED, when given, is applied to WANT first (other values).
docs_eq() {
	if [ -n "${3:-}" ]; then
		sed "$3" "$2" > "$TMP/want.yaml"
		yaml_eq "$1" "$TMP/want.yaml"
	else
		yaml_eq "$1" "$2"
	fi
}

# check WANT SED -- PROG ARGS...: PROG's output at each of RELEASES
# equals WANT, edited by SED when it is not empty, as DOCS_EQ compares.
check() {
	local want=$1 sed=$2 v
	shift 3
	for v in $RELEASES; do
		if [ "$v" = default ]; then
			run --separate-stderr -0 mesh "$@"
		else
			run --separate-stderr -0 mesh "$@" --istio-version "$v"
		fi
		[ -z "$stderr" ]
		printf '%s\n' "$output" > "$TMP/out.yaml"
		"$DOCS_EQ" "$TMP/out.yaml" "$want" "$sed" ||
		    { echo "$* ($v) differs from $want"; false; }
	done
}

# strip FILE: FILE's documents without meshline's annotations (and the
# metadata they alone made), to compare -f's output with a page.
strip() {
	"$PYTHON" - "$1" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
for d in docs:
    md = d.get("metadata", {})
    for k in ("meshline.io/cluster", "meshline.io/context"):
        md.get("annotations", {}).pop(k, None)
    if md.get("annotations") == {}:
        del md["annotations"]
    if "name" in md and d["kind"] == "IstioOperator" and md["name"] in ("cluster1", "cluster2", "external"):
        del md["name"]
    if md == {}:
        del d["metadata"]
yaml.safe_dump_all(docs, open(sys.argv[1], "w"))
PY
}
