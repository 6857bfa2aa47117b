# Comparing a program's output with today's pages at several Istio
# releases: a suite sets RELEASES (the releases to render for; "default"
# passes no --istio-version) and DOCS_EQ (the comparison of an output
# file with the page's), then:
#     load helpers/releases
#     check WANT SED -- PROG ARGS...

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
