#!/usr/bin/env bats
# mesh-overlay: every flag, every error, and the conformance cases of
# istioctl's --set and k8s.overlays engines.

load helpers/common

F="$FIXTURES/mesh-overlay"

# py EXPR: evaluate a Python expression over the YAML stream on stdin
# (as the list d) and print it as JSON.
py() {
	"$PYTHON" -c "import sys, yaml, json; d = list(yaml.safe_load_all(sys.stdin)); print(json.dumps($1, sort_keys=True, default=str))"
}

cm() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n'
}

iop() {
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: x\nspec:\n  profile: demo\n'
}

# --- streams --------------------------------------------------------------

@test "mesh-overlay: a stream with no edits is copied byte for byte" {
	run --separate-stderr -0 mesh-overlay "$F/mixed.yaml"
	[ "$output" = "$(cat "$F/mixed.yaml")" ]
	[ -z "$stderr" ]
}

@test "mesh-overlay: every conformance document passes through unchanged" {
	local f n=0
	for f in $(find "$SHARED/conformance" -name '*.yaml' | sort); do
		# a missing final newline is the only thing we add
		mesh-overlay "$f" > "$TMP/out"
		if [ -n "$(tail -c1 "$f")" ]; then
			printf '\n' | cat "$f" - | cmp - "$TMP/out"
		else
			cmp "$f" "$TMP/out"
		fi
		n=$((n + 1))
	done
	[ "$n" -gt 40 ]
}

@test "mesh-overlay: stdin, '-' and several files make one stream in order" {
	cm > "$TMP/a.yaml"
	printf 'kind: B\n' > "$TMP/b.yaml"
	run --separate-stderr -0 mesh-overlay "$TMP/a.yaml" - "$TMP/b.yaml" < "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[x["kind"] for x in d]')" = '["ConfigMap", "IstioOperator", "B"]' ]
	run --separate-stderr -0 mesh-overlay < "$TMP/b.yaml"
	[ "$output" = "kind: B" ]
}

@test "mesh-overlay: only the edited documents are written anew" {
	run --separate-stderr -0 mesh-overlay --select name=second -s metadata.labels.x=y "$F/mixed.yaml"
	# the first, third and fourth keep their comments and their bytes
	[[ "$output" == *"apiVersion: v1   # trailing comment"* ]]
	[[ "$output" == *'--- {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "third"}, "stringData": {"k": "v"}}'* ]]
	[[ "$output" == *"spec: &spec"* ]]
	# the edited one keeps the comment lines at its head (Helm's "# Source:")
	[[ "$output" == *$'---\n# between documents\napiVersion: v1\nkind: Service'* ]]
	[ "$(printf '%s\n' "$output" | py '[x["metadata"].get("labels") for x in d]')" = '[null, {"x": "y"}, null, null]' ]
	[ "$(printf '%s\n' "$output" | grep -c '^---')" -eq 3 ]
}

@test "mesh-overlay: a changed document keeps key order and scalar styles" {
	run --separate-stderr -0 mesh-overlay --select name=first -s metadata.labels.x=y "$F/mixed.yaml"
	expected='# A stream with everything a byte-for-byte copy must keep.
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
  annotations: {a: "1", b: '"'"'two'"'"'}
  labels:
    x: "y"
data:
  script: |
    #!/bin/sh
    echo "hello"   # kept
  folded: >-
    one two
  quoted: "on"
  plain: on
  octal: 0777'
	[ "$(printf '%s\n' "$output" | sed -n '1,/^---/p' | sed '$d')" = "$expected" ]
}

@test "mesh-overlay: a JSON document that changes is written as block YAML" {
	run --separate-stderr -0 mesh-overlay --select name=third -s metadata.labels.x=y "$F/mixed.yaml"
	[[ "$output" == *'apiVersion: v1
kind: Secret
metadata:
  name: third
  labels:
    x: "y"
stringData:
  k: v'* ]]
}

@test "mesh-overlay: new strings a YAML 1.1 reader would misread are quoted" {
	local v
	for v in on off yes no y n true false 0777 1e3 0x1F 1_000 1:20 .inf '~' null Null 2001-12-14 '<<' 12; do
		run --separate-stderr -0 mesh-overlay --set-string "data.v=$v" <(cm)
		[[ "$output" == *"v: \"$v\""* ]]
		[ "$(printf '%s\n' "$output" | py 'd[0]["data"]["v"]')" = "\"$v\"" ]
	done
	run --separate-stderr -0 mesh-overlay --set-string "data.v=" <(cm)
	[[ "$output" == *'v: ""'* ]]
	run --separate-stderr -0 mesh-overlay --set-string "data.v=plain-text" <(cm)
	[[ "$output" == *'v: plain-text'* ]]
}

@test "mesh-overlay: an empty stream gives an empty stream" {
	run --separate-stderr -0 mesh-overlay -s a=b < /dev/null
	[ -z "$output" ]
	printf '# only a comment\n' > "$TMP/c.yaml"
	run --separate-stderr -0 mesh-overlay -s a=b "$TMP/c.yaml"
	[ -z "$output" ]
}

@test "mesh-overlay: empty documents pass through and are not edited" {
	printf -- '---\n---\nkind: A\n---\n' > "$TMP/e.yaml"
	run --separate-stderr -0 mesh-overlay -s x=1 "$TMP/e.yaml"
	[ "$(printf '%s\n' "$output" | py '[x for x in d]')" = '[null, {"kind": "A", "x": 1}, null]' ]
}

@test "mesh-overlay: a bare scalar document passes through, and cannot take --set" {
	printf 'just text\n---\nkind: A\n' > "$TMP/s.yaml"
	run --separate-stderr -0 mesh-overlay "$TMP/s.yaml"
	[ "$output" = "$(cat "$TMP/s.yaml")" ]
	run --separate-stderr -1 mesh-overlay -s x=1 "$TMP/s.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/s.yaml:1:1: document: --set 'x=1': the document is a scalar, not a mapping" ]
}

# --- errors in the input ---------------------------------------------------

@test "mesh-overlay: a syntax error names file, line and column, and writes nothing" {
	printf 'kind: A\n---\na: b: c\n' > "$TMP/bad.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/bad.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/bad.yaml:3:5: mapping values are not allowed in this context" ]
}

@test "mesh-overlay: an error on stdin is reported as <stdin>" {
	run --separate-stderr -1 mesh-overlay <<< $'a:\n  - b\n  c: d'
	[ -z "$output" ]
	[[ "$stderr" == "mesh-overlay: <stdin>:3:3: "* ]]
}

@test "mesh-overlay: a NUL byte is an error with its place" {
	printf 'a: 1\nb: x\0y\n' > "$TMP/nul.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/nul.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/nul.yaml:2:5: NUL byte in input: YAML and JSON are text" ]
}

@test "mesh-overlay: invalid UTF-8 is an error with its place" {
	printf 'a: 1\nb: caf\xe9\n' > "$TMP/latin1.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/latin1.yaml"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-overlay: $TMP/latin1.yaml:2:7: invalid UTF-8 (byte 0xe9): "* ]]
}

@test "mesh-overlay: a truncated stream is an error" {
	printf 'kind: A\n---\nkind: B\ndata: {a: "unterminated\n' > "$TMP/t.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/t.yaml"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-overlay: $TMP/t.yaml:5:1: found unexpected end of stream while scanning a quoted scalar (from line 4)" ]]
}

@test "mesh-overlay: a file that cannot be opened is named" {
	run --separate-stderr -1 mesh-overlay "$TMP/none.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: cannot open '$TMP/none.yaml': No such file or directory" ]
}

@test "mesh-overlay: output is all or nothing" {
	{ cm; echo ---; cm; echo ---; printf 'a: [\n'; } > "$TMP/late.yaml"
	run --separate-stderr -1 mesh-overlay -s metadata.labels.x=y "$TMP/late.yaml"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-overlay: $TMP/late.yaml:"* ]]
}

@test "mesh-overlay: --stream writes whole documents up to the error" {
	{ cm; echo ---; cm; echo ---; printf 'kind: B\na: [\n'; } > "$TMP/late.yaml"
	run --separate-stderr -1 mesh-overlay --stream -s metadata.labels.x=y "$TMP/late.yaml"
	[ "$(printf '%s\n' "$output" | py '[x["metadata"]["labels"] for x in d]')" = '[{"x": "y"}, {"x": "y"}]' ]
	[[ "$output" != *"kind: B"* ]]
	[[ "$stderr" == "mesh-overlay: $TMP/late.yaml:"* ]]
}

@test "mesh-overlay: --stream writes the same stream as the default" {
	mesh-overlay -s metadata.labels.x=y --select kind=Service "$F/mixed.yaml" > "$TMP/a"
	mesh-overlay --stream -s metadata.labels.x=y --select kind=Service "$F/mixed.yaml" > "$TMP/b"
	cmp "$TMP/a" "$TMP/b"
}

# --- limits ------------------------------------------------------------------

@test "mesh-overlay: nesting deeper than --max-depth is an error" {
	"$PYTHON" -c 'print("a: " + "[" * 600 + "]" * 600)' > "$TMP/deep.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/deep.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/deep.yaml:1:515: nesting is deeper than 512 levels (see --max-depth)" ]
	run --separate-stderr -0 mesh-overlay --max-depth 1000 "$TMP/deep.yaml"
	run --separate-stderr -1 mesh-overlay --max-depth 3 <<< 'a: {b: {c: {d: 1}}}'
	[ "$stderr" = "mesh-overlay: <stdin>:1:12: nesting is deeper than 3 levels (see --max-depth)" ]
}

@test "mesh-overlay: a billion laughs fails on the alias limit" {
	run --separate-stderr -1 mesh-overlay "$F/lol.yaml"
	[ -z "$output" ]
	[[ "$stderr" == "mesh-overlay: $F/lol.yaml:"*": aliases expand to more than 100000 nodes in one document" ]]
}

@test "mesh-overlay: aliases are expanded in documents that change" {
	printf 'a: &x {k: v}\nb: *x\n' > "$TMP/al.yaml"
	run --separate-stderr -0 mesh-overlay -s c=1 "$TMP/al.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]')" = '{"a": {"k": "v"}, "b": {"k": "v"}, "c": 1}' ]
	[[ "$output" != *"&"* ]]
}

@test "mesh-overlay: an unknown alias and a recursive one are errors" {
	run --separate-stderr -1 mesh-overlay <<< $'a: 1\nb: *nope'
	[ "$stderr" = "mesh-overlay: <stdin>:2:4: unknown anchor 'nope'" ]
	run --separate-stderr -1 mesh-overlay <<< 'a: &x [1, *x]'
	[ "$stderr" = "mesh-overlay: <stdin>:1:11: alias '*x' is inside the node it refers to" ]
}

@test "mesh-overlay: a document larger than --max-document-size is an error" {
	{ cm; echo ---; echo "data:"; for i in $(seq 1 200); do echo "  k$i: 0123456789012345678901234567890123456789"; done; } > "$TMP/big.yaml"
	run --separate-stderr -1 mesh-overlay --max-document-size 4K "$TMP/big.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/big.yaml:5: document is larger than 4 KiB (see --max-document-size)" ]
	run --separate-stderr -0 mesh-overlay --max-document-size 16K "$TMP/big.yaml"
}

@test "mesh-overlay: a huge single scalar stops at the document limit" {
	"$PYTHON" -c 'import sys; sys.stdout.write("a: " + "x" * (3 << 20) + "\n")' > "$TMP/huge.yaml"
	run --separate-stderr -1 mesh-overlay --max-document-size 1M "$TMP/huge.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/huge.yaml:1: document is larger than 1 MiB (see --max-document-size)" ]
}

@test "mesh-overlay: input larger than --max-input-size is an error" {
	for i in $(seq 1 50); do cm; echo ---; done > "$TMP/many.yaml"
	run --separate-stderr -1 mesh-overlay --max-input-size 1K "$TMP/many.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/many.yaml: input is larger than 1 KiB in all (see --max-input-size)" ]
	run --separate-stderr -0 mesh-overlay --max-input-size 0 "$TMP/many.yaml"
}

@test "mesh-overlay: bad limit values are usage errors" {
	run --separate-stderr -2 mesh-overlay --max-depth 0 < /dev/null
	[[ "$stderr" == "mesh-overlay: invalid value for '--max-depth': '0'"* ]]
	run --separate-stderr -2 mesh-overlay --max-document-size 12Q < /dev/null
	[[ "$stderr" == "mesh-overlay: invalid value for '--max-document-size': '12Q'"* ]]
}

# --- --set: istioctl's value typing (PATHS.md 2.3 and 7) ---------------------

@test "mesh-overlay: --set types values as istioctl does" {
	run --separate-stderr -0 mesh-overlay \
	    -s a.int=1 -s a.zero-lead=01 -s a.plus=+5 -s a.neg=-3 \
	    -s a.float=1.0 -s a.exp=1e3 -s a.half=0.5 -s a.hex=0x10 \
	    -s a.True=True -s a.t=t -s a.F=F -s a.yes=yes -s a.on=on \
	    -s a.null=null -s a.tilde=~ -s a.empty= -s a.noeq \
	    -s 'a.list=[a,b]' -s 'a.map={a: b}' -s 'a.comma=a\,b' \
	    -s a.eq=b=c -s 'a.spaces = x y ' <<< 'kind: X'
	[ "$(printf '%s\n' "$output" | py 'd[0]["a"]')" = '{"F": false, "True": true, "comma": "a,b", "empty": "", "eq": "b=c", "exp": 1000, "float": 1, "half": 0.5, "hex": "0x10", "int": 1, "list": "[a,b]", "map": "{a: b}", "neg": -3, "noeq": "", "null": "null", "on": "on", "plus": 5, "spaces": "x y", "t": true, "tilde": "~", "yes": "yes", "zero-lead": 1}' ]
	[[ "$output" == *'  "null": "null"'* ]]
	[[ "$output" == *'  "on": "on"'* ]]
}

@test "mesh-overlay: --set does not split commas" {
	run --separate-stderr -0 mesh-overlay -s values.global.proxy.includeIPRanges=172.30.0.0/16,172.21.0.0/16 <(iop)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["proxy"]')" = '{"includeIPRanges": "172.30.0.0/16,172.21.0.0/16"}' ]
}

@test "mesh-overlay: an infinite --set value is refused" {
	run --separate-stderr -2 mesh-overlay -s a=inf < /dev/null
	[[ "$stderr" == "mesh-overlay: --set 'a=inf': 'inf' is not a finite number; use --set-string for the text"* ]]
}

@test "mesh-overlay: istioctl's always-string paths stay strings on an IstioOperator" {
	run --separate-stderr -0 mesh-overlay -s tag=1.20 -s values.global.tag=1 \
	    -s meshConfig.defaultConfig.proxyMetadata.FOO=true -s hub=1 \
	    -s compatibilityVersion=1.24 <(iop)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]')" = '{"compatibilityVersion": "1.24", "hub": 1, "meshConfig": {"defaultConfig": {"proxyMetadata": {"FOO": "true"}}}, "profile": "demo", "tag": "1.20", "values": {"global": {"tag": "1"}}}' ]
	# the same paths on another kind are typed as usual
	run --separate-stderr -0 mesh-overlay -s spec.tag=1.20 <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]')" = '{"tag": 1.2}' ]
}

# --- --set: paths ------------------------------------------------------------

@test "mesh-overlay: --set is relative to spec on an IstioOperator, else to the root" {
	run --separate-stderr -0 mesh-overlay -s values.global.network=network1 <(iop) <(cm)
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["values"], d[1]["values"]]')" = '[{"global": {"network": "network1"}}, {"global": {"network": "network1"}}]' ]
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n' > "$TMP/nospec.yaml"
	run --separate-stderr -0 mesh-overlay -s profile=minimal "$TMP/nospec.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]')" = '{"profile": "minimal"}' ]
}

@test "mesh-overlay: an operator.istio.io IstioOperator is an IstioOperator, as istioctl reads it" {
	# what mesh-gw ingress and egress print, and the external guide's gateways
	printf 'apiVersion: operator.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: empty\n' > "$TMP/gw.yaml"
	run --separate-stderr -0 mesh-overlay -s values.global.network=n1 -s tag=1.20 "$TMP/gw.yaml"
	[ "$(printf '%s\n' "$output" | py '[list(d[0]), d[0]["spec"]]')" = '[["apiVersion", "kind", "spec"], {"profile": "empty", "tag": "1.20", "values": {"global": {"network": "n1"}}}]' ]
	run --separate-stderr -0 mesh-overlay -f "$F/nullspec.yaml" "$TMP/gw.yaml"
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"], d[0]["spec"]]')" = '[{"name": "renamed"}, {"profile": "empty"}]' ]
}

@test "mesh-overlay: escaped dots make one key" {
	run --separate-stderr -0 mesh-overlay -s 'values.pilot.podAnnotations.sidecar\.istio\.io/inject=false' <(iop)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]')" = '{"pilot": {"podAnnotations": {"sidecar.istio.io/inject": false}}}' ]
}

@test "mesh-overlay: leading, trailing and doubled dots and slashes are cleaned" {
	run --separate-stderr -0 mesh-overlay -s .metadata.labels.x.=1 -s 'metadata..labels.y=2' -s 'data.a//b=3' -s 'data.c/./d=4' <(cm)
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"]["labels"], d[0]["data"]]')" = '[{"x": 1, "y": 2}, {"a/b": 3, "c/d": 4}]' ]
	run --separate-stderr -2 mesh-overlay -s 'values.a/../b=1' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set 'values.a/../b=1': '..' is not allowed in a path"* ]]
}

@test "mesh-overlay: [N] on a missing list creates it, with or without a dot" {
	run --separate-stderr -0 mesh-overlay -s 'components.ingressGateways[0].enabled=false' <(iop)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["components"]')" = '{"ingressGateways": [{"enabled": false}]}' ]
	run --separate-stderr -0 mesh-overlay -s 'components.ingressGateways.[0].enabled=false' <(iop)
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["components"]')" = '{"ingressGateways": [{"enabled": false}]}' ]
}

@test "mesh-overlay: [N] inside the list merges, past the end appends" {
	run --separate-stderr -0 mesh-overlay -s 'components.ingressGateways[0].enabled=false' \
	    -s 'components.ingressGateways[5].name=b' -s 'values.list[1]=y' "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[[g.get("name") for g in d[0]["spec"]["components"]["ingressGateways"]], d[0]["spec"]["components"]["ingressGateways"][0], d[0]["spec"]["values"]["list"]]')" = '[["istio-ingressgateway", "user-ingressgateway", "b"], {"enabled": false, "name": "istio-ingressgateway"}, ["y"]]' ]
}

@test "mesh-overlay: [key:value] selects by string, as the golden gateways test does" {
	run --separate-stderr -0 mesh-overlay \
	    -s 'components.ingressGateways.[0].k8s.resources.requests.memory=999Mi' \
	    -s 'components.ingressGateways.[name:user-ingressgateway].k8s.resources.requests.cpu=555m' \
	    "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[g.get("k8s") for g in d[0]["spec"]["components"]["ingressGateways"]]')" = '[{"resources": {"requests": {"memory": "999Mi"}}}, {"resources": {"requests": {"cpu": "555m"}}, "service": {"ports": [{"name": "http", "port": 80}]}}]' ]
}

@test "mesh-overlay: [key:value] that matches nothing is an error" {
	run --separate-stderr -1 mesh-overlay -s 'components.ingressGateways[name:nope].enabled=true' "$F/iop.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $F/iop.yaml:9:5: IstioOperator/base: --set 'components.ingressGateways[name:nope].enabled=true': element [name:nope] not found" ]
	# numbers never match a --set selector, as in istioctl
	run --separate-stderr -1 mesh-overlay -s 'components.ingressGateways[1].k8s.service.ports[port:80].name=web' "$F/iop.yaml"
	[[ "$stderr" == *"element [port:80] not found" ]]
	run --separate-stderr -1 mesh-overlay -s 'components.ingressGateways[name:istio-ingressgateway].enabled=true' <(iop)
	[[ "$stderr" == *"element [name:istio-ingressgateway] not found" ]]
}

@test "mesh-overlay: where istioctl crashes, --set says what is wrong" {
	run --separate-stderr -1 mesh-overlay -s profile.x=1 "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: $F/iop.yaml:6:12: IstioOperator/base: --set 'profile.x=1': 'profile' is a scalar, not a mapping, so it has no key 'x'" ]
	run --separate-stderr -1 mesh-overlay -s 'values.global[0]=x' "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: $F/iop.yaml:20:7: IstioOperator/base: --set 'values.global[0]=x': 'global' is a mapping, not a list, so '[0]' cannot select in it" ]
	run --separate-stderr -1 mesh-overlay -s 'components.ingressGateways[0]=y' "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: $F/iop.yaml:9:7: IstioOperator/base: --set 'components.ingressGateways[0]=y': cannot replace list item '[0]' with --set: set its fields, or --delete it first" ]
	run --separate-stderr -1 mesh-overlay -s 'values.l[0]=x' -s 'values.l[0].a=y' "$F/iop.yaml"
	[[ "$stderr" == *"--set 'values.l[0].a=y': list item '[0]' is a scalar, not a mapping" ]]
}

@test "mesh-overlay: where istioctl writes a key called [0], --set says why not" {
	run --separate-stderr -1 mesh-overlay -s 'components.ingressGateways[0].[1]=x' "$F/iop.yaml"
	[[ "$stderr" == *"'[1]' must follow a key: lists of lists cannot be addressed" ]]
	run --separate-stderr -1 mesh-overlay -s 'values.a[:x]=y' "$F/iop.yaml"
	[[ "$stderr" == *"'[x]' selects list items only in k8s.overlays; use [key:value] or [N]" ]]
}

@test "mesh-overlay: later --set flags win" {
	run --separate-stderr -0 mesh-overlay -s data.a=1 -s data.a=2 <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"a": 2}' ]
	run --separate-stderr -0 mesh-overlay -s values.global=x "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]')" = '{"global": "x"}' ]
}

@test "mesh-overlay: a bad --set path is a usage error" {
	run --separate-stderr -2 mesh-overlay -s '=x' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set '=x': empty path"* ]]
	run --separate-stderr -2 mesh-overlay -s 'a[0]b=x' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set 'a[0]b=x': '[0]b' is not a valid path element"* ]]
}

# --- --set-string, --set-json, --delete -----------------------------------

@test "mesh-overlay: --set-string keeps the text" {
	run --separate-stderr -0 mesh-overlay --set-string data.a=1 --set-string 'data.b=x\,y' --set-string data.c=true <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"a": "1", "b": "x\\,y", "c": "true"}' ]
}

@test "mesh-overlay: --set-string keeps the value exactly as written; --set trims it as istioctl does" {
	run --separate-stderr -0 mesh-overlay --set-string 'data.a= padded ' --set-string 'data.b=' \
	    --set-string ' data.t =	tab ' --set 'data.c= padded ' --set ' data.d = 1 ' <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"a": " padded ", "b": "", "c": "padded", "d": 1, "t": "\ttab "}' ]
}

@test "mesh-overlay: --set-json sets lists, mappings and scalars" {
	run --separate-stderr -0 mesh-overlay --set-json 'data.l=["a", 1, true, null]' \
	    --set-json 'data.m={"k": {"n": 2}}' --set-json 'data.s="on"' --set-json 'data.n=3' <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"l": ["a", 1, true, null], "m": {"k": {"n": 2}}, "n": 3, "s": "on"}' ]
	run --separate-stderr -2 mesh-overlay --set-json 'data.l=[1,' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set-json 'data.l=[1,': the value is not valid JSON"* ]]
	run --separate-stderr -2 mesh-overlay --set-json 'data.l' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set-json 'data.l': expected PATH=JSON"* ]]
}

@test "mesh-overlay: new content under a flow mapping is written in block style" {
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: x, labels: {a: b}}\nspec: {}\n' > "$TMP/iop.yaml"
	run --separate-stderr -0 mesh-overlay -s values.global.network=n1 "$TMP/iop.yaml"
	[ "$output" = 'apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: x, labels: {a: b}}
spec:
  values:
    global:
      network: n1' ]
	# a new scalar alone does not change a flow mapping's style
	printf 'kind: ConfigMap\nmetadata: {name: x, labels: {a: b}}\ndata: {}\n' > "$TMP/cm.yaml"
	run --separate-stderr -0 mesh-overlay -s metadata.labels.c=d --set-json 'data.l=[1, {"m": "on"}]' "$TMP/cm.yaml"
	[ "$output" = 'kind: ConfigMap
metadata: {name: x, labels: {a: b, c: d}}
data:
  l:
  - 1
  - m: "on"' ]
	printf 'spec:\n  components:\n    pilot:\n      enabled: true\n' > "$TMP/o.yaml"
	run --separate-stderr -0 mesh-overlay -f "$TMP/o.yaml" "$TMP/iop.yaml"
	[[ "$output" == *$'\nspec:\n  components:\n    pilot:\n      enabled: true' ]]
}

@test "mesh-overlay: --delete removes keys and list items" {
	run --separate-stderr -0 mesh-overlay --delete values.global.proxy \
	    --delete 'components.ingressGateways[name:user-ingressgateway]' \
	    --delete values.nothere "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[d[0]["spec"]["values"], d[0]["spec"]["components"]]')" = '[{"global": {"meshID": "mesh1"}}, {"ingressGateways": [{"enabled": true, "name": "istio-ingressgateway"}]}]' ]
	run --separate-stderr -0 mesh-overlay --delete 'components.ingressGateways[0]' "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[g["name"] for g in d[0]["spec"]["components"]["ingressGateways"]]')" = '["user-ingressgateway"]' ]
}

@test "mesh-overlay: --delete of a path that does not lead anywhere is an error" {
	run --separate-stderr -1 mesh-overlay --delete values.none.x "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: $F/iop.yaml:19:5: IstioOperator/base: --delete 'values.none.x': 'none' does not exist" ]
	run --separate-stderr -1 mesh-overlay --delete 'components.ingressGateways[7]' "$F/iop.yaml"
	[[ "$stderr" == *"--delete 'components.ingressGateways[7]': index [7] is past the end of a list of 2" ]]
	run --separate-stderr -1 mesh-overlay --delete 'components.ingressGateways[name:x]' "$F/iop.yaml"
	[[ "$stderr" == *"element [name:x] not found" ]]
}

# --- -f: deep merge -----------------------------------------------------------

@test "mesh-overlay: -f merges mappings, replaces lists, keeps an explicit null" {
	run --separate-stderr -0 mesh-overlay -f "$F/merge1.yaml" -f "$F/merge2.yaml" -s values.global.meshID=m3 "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]')" = '{"components": {"ingressGateways": [{"name": "b"}]}, "profile": "demo", "values": {"global": {"meshID": "m3", "network": "n2", "proxy": null}}}' ]
}

@test "mesh-overlay: edits apply in the order given" {
	run --separate-stderr -0 mesh-overlay -s values.global.network=first -f "$F/merge1.yaml" "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["network"]')" = '"n1"' ]
	run --separate-stderr -0 mesh-overlay -f "$F/merge1.yaml" -s values.global.network=last "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["values"]["global"]["network"]')" = '"last"' ]
}

@test "mesh-overlay: an overlay with a null spec leaves an IstioOperator's spec alone" {
	run --separate-stderr -0 mesh-overlay -f "$F/nullspec.yaml" "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[d[0]["metadata"], d[0]["spec"]["profile"]]')" = '[{"name": "renamed"}, "demo"]' ]
}

@test "mesh-overlay: a broken -f file is reported and nothing is written" {
	printf 'a: [\n' > "$TMP/o.yaml"
	run --separate-stderr -1 mesh-overlay -f "$TMP/o.yaml" "$F/iop.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:2:1: did not find expected node content while parsing a flow node (from line 2)" ]
	run --separate-stderr -1 mesh-overlay -f "$TMP/missing.yaml" "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: cannot open '$TMP/missing.yaml': No such file or directory" ]
}

# --- --env ----------------------------------------------------------------

@test "mesh-overlay: --env substitutes variables inside scalars only" {
	printf 'kind: ConfigMap\ndata:\n  net: ${NET}\n  ${KEY}: v\n  msg: "hello ${WHO}"\n  d: ${UNSET:-fallback}\n  e: ${EMPTY:-was-empty}\n  lit: $${NET}\n  money: $5\n' > "$TMP/t.yaml"
	NET=on KEY=0777 WHO=$'a: b\nc: d' EMPTY= run --separate-stderr -0 mesh-overlay --env "$TMP/t.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"0777": "v", "d": "fallback", "e": "was-empty", "lit": "${NET}", "money": "$5", "msg": "hello a: b\nc: d", "net": "on"}' ]
	[[ "$output" == *'net: "on"'* ]]
	[[ "$output" == *'"0777": v'* ]]
}

@test "mesh-overlay: --env cannot change the structure, whatever the value" {
	printf 'kind: ConfigMap\ndata:\n  a: ${V}\n  b: x\n' > "$TMP/t.yaml"
	V=$'x\nb: injected\n- [' run --separate-stderr -0 mesh-overlay --env "$TMP/t.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]')" = '{"a": "x\nb: injected\n- [", "b": "x"}' ]
}

@test "mesh-overlay: --env honours !!int, !!bool and !!float tags" {
	printf 'port: !!int ${PORT}\non: !!bool ${ON}\nratio: !!float ${R}\n' > "$TMP/t.yaml"
	PORT=0x1F ON=yes R=1e3 run --separate-stderr -0 mesh-overlay --env "$TMP/t.yaml"
	[ "$output" = $'port: 31\non: true\nratio: 1000' ]
	PORT=eighty ON=yes R=1 run --separate-stderr -1 mesh-overlay --env "$TMP/t.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/t.yaml:1:7: 'eighty' is not an integer, as the tag tag:yaml.org,2002:int asks" ]
}

@test "mesh-overlay: an unset variable is an error that names it" {
	printf 'kind: A\ndata:\n  x: "${NOPE}"\n' > "$TMP/t.yaml"
	run --separate-stderr -1 env -u NOPE "$MESH_BUILD/mesh-overlay" --env "$TMP/t.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/t.yaml:3:6: variable 'NOPE' is not set (give it a value, or write \${NOPE:-default})" ]
	printf 'a: ${1X}\nb: ${X\n' > "$TMP/t2.yaml"
	run --separate-stderr -1 mesh-overlay --env "$TMP/t2.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/t2.yaml:1:4: '1X' is not a valid variable name" ]
}

# --- --select ----------------------------------------------------------------

@test "mesh-overlay: --select edits matching documents only" {
	run --separate-stderr -0 mesh-overlay --select kind=Deployment,namespace=demo -s metadata.labels.x=y "$F/mixed.yaml"
	[ "$(printf '%s\n' "$output" | py '[x["metadata"].get("labels") for x in d]')" = '[null, null, null, {"x": "y"}]' ]
	run --separate-stderr -0 mesh-overlay --select apiVersion=v1 -s metadata.labels.x=y "$F/mixed.yaml"
	[ "$(printf '%s\n' "$output" | py '[x["metadata"].get("labels") for x in d]')" = '[{"x": "y"}, {"x": "y"}, {"x": "y"}, null]' ]
}

@test "mesh-overlay: a --select that matches nothing is an error" {
	run --separate-stderr -1 mesh-overlay --select kind=Nope -s a=b "$F/mixed.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: --select 'kind=Nope' matched no document" ]
}

@test "mesh-overlay: a bad --select is a usage error" {
	run --separate-stderr -2 mesh-overlay --select colour=red < /dev/null
	[[ "$stderr" == "mesh-overlay: --select 'colour=red': unknown key 'colour' (use kind, name, namespace or apiVersion)"* ]]
	run --separate-stderr -2 mesh-overlay --select kind < /dev/null
	[[ "$stderr" == "mesh-overlay: --select 'kind': 'kind' is not KEY=VALUE"* ]]
}

# --- --k8s-overlays ----------------------------------------------------------

@test "mesh-overlay: the pilot_override_kubernetes golden's overlays apply" {
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$SHARED/conformance/overlays/inputs/manifest-generate/pilot_override_kubernetes.yaml" "$F/istiod.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	c='d[1]["spec"]["template"]["spec"]["containers"][0]'
	[ "$(py "$c[\"args\"]" < "$TMP/out.yaml")" = '["discovery", "--keepaliveMaxServerConnectionAge", "60m"]' ]
	[ "$(py "[p[\"containerPort\"] for p in $c[\"ports\"]]" < "$TMP/out.yaml")" = '[1234, 15010]' ]
	[ "$(py "[e[\"name\"] for e in $c[\"env\"]]" < "$TMP/out.yaml")" = '["POD_NAME", "POD_NAMESPACE"]' ]
	[ "$(py "$c[\"env\"][1][\"valueFrom\"]" < "$TMP/out.yaml")" = '{"fieldRef": {"apiVersion": "v2", "fieldPath": "metadata.myPath"}}' ]
	[ "$(py "\"securityContext\" in $c" < "$TMP/out.yaml")" = 'false' ]
	[ "$(py '[p["port"] for p in d[2]["spec"]["ports"]]' < "$TMP/out.yaml")" = '[15010, 11111]' ]
	[ "$(py '[w["clientConfig"]["service"]["name"] for w in d[3]["webhooks"]]' < "$TMP/out.yaml")" = '["istiod", "foo"]' ]
	[ "$(py 'd[0]["spec"]' < "$TMP/out.yaml")" = '{"automountServiceAccountToken": false}' ]
}

@test "mesh-overlay: the external control plane guide's overlays append in order" {
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$SHARED/conformance/guides/external/external-istiod.yaml" --select kind=Deployment "$F/istiod.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	[ "$(py 'd[1]["spec"]["template"]["spec"]["volumes"]' < "$TMP/out.yaml")" = '[{"emptyDir": {"medium": "Memory"}, "name": "local-certs"}, {"configMap": {"name": "istio"}, "name": "config-volume"}, {"configMap": {"name": "istio-sidecar-injector"}, "name": "inject-volume"}]' ]
	[ "$(py 'd[1]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]' < "$TMP/out.yaml")" = '[{"mountPath": "/var/run/secrets/istio-dns", "name": "local-certs"}, {"mountPath": "/etc/istio/config", "name": "config-volume"}, {"mountPath": "/var/lib/istio/inject", "name": "inject-volume"}]' ]
	# documents the overlays do not name are untouched
	[ "$(printf '%s\n' "$output" | sed -n '1,/^---/p')" = "$(sed -n '1,/^---/p' "$F/istiod.yaml")" ]
}

@test "mesh-overlay: overlay values are read as istioctl reads them" {
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$F/overlays.yaml" "$F/istiod.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	[ "$(py 'd[1]["metadata"]["labels"]' < "$TMP/out.yaml")" = '{"app": "istiod", "e": "", "j": "{\"a\": 1}", "m": {"a": true, "b": true, "c": 511, "d": 1000, "e": null}, "s": {"foo": "bar"}}' ]
	[ "$(py 'd[1]["metadata"]["annotations"]' < "$TMP/out.yaml")" = '{"sidecar.istio.io/inject": "false"}' ]
	[ "$(py 'd[1]["spec"]["template"]["spec"]["containers"][0]["command"]' < "$TMP/out.yaml")" = '"- a\n- b"' ]
	[ "$(py 'd[1]["spec"]["template"]["spec"]["containers"][0]["args"]' < "$TMP/out.yaml")" = '["pilot", "--keepaliveMaxServerConnectionAge", "30m"]' ]
	[ "$(py 'd[1]["spec"]["template"]["spec"]["nodeSelector"]' < "$TMP/out.yaml")" = '{"disk": "ssd"}' ]
}

# one overlay with the given patches, for the cases below
ovl() {
	printf 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n        overlays:\n        - kind: Deployment\n          name: istiod\n          patches:\n'
	local p
	for p in "$@"; do printf '          - %s\n' "$p"; done
}

@test "mesh-overlay: overlay [N], [-1], [:regex] and deletions" {
	ovl '{path: "spec.template.spec.volumes[0]", value: "name: x\nemptyDir: {}"}' \
	    '{path: "spec.template.spec.volumes[-1]", value: "name: y\nemptyDir: {}"}' \
	    '{path: "spec.template.spec.containers[0].args.[:Max]", value: "--other"}' \
	    '{path: "spec.template.spec.containers[0].args[1]"}' \
	    '{path: "spec.template.spec.containers[0].args.[30m]", value: "45m"}' \
	    '{path: "spec.template.spec.containers[0].args[100]", value: "--extra"}' \
	    '{path: "spec.template.spec.containers[0].env.[name:POD_NAME]"}' \
	    '{path: "spec.template.spec.nothere"}' > "$TMP/o.yaml"
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$F/istiod.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	[ "$(py 'd[1]["spec"]["template"]["spec"]["volumes"]' < "$TMP/out.yaml")" = '[{"emptyDir": {}, "name": "x"}, {"emptyDir": {}, "name": true}]' ]
	[ "$(py 'd[1]["spec"]["template"]["spec"]["containers"][0]["args"]' < "$TMP/out.yaml")" = '["discovery", "45m", "--extra"]' ]
	[ "$(py '[e["name"] for e in d[1]["spec"]["template"]["spec"]["containers"][0]["env"]]' < "$TMP/out.yaml")" = '["REVISION", "POD_NAMESPACE"]' ]
}

@test "mesh-overlay: an overlay patch that does not apply is an error, not silence" {
	ovl '{path: "spec.template.spec.containers.[name:nope].image", value: x}' > "$TMP/o.yaml"
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $F/istiod.yaml:27:7: Deployment/istiod: k8s.overlays patch 'spec.template.spec.containers.[name:nope].image' ($TMP/o.yaml:11): element [name:nope] not found" ]
}

@test "mesh-overlay: an overlay that would write a key called [0] is an error" {
	ovl '{path: "spec.template.spec.tolerations[0]", value: "key: a"}' > "$TMP/o.yaml"
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[[ "$stderr" == *"Deployment/istiod: k8s.overlays patch 'spec.template.spec.tolerations[0]' ($TMP/o.yaml:11): 'tolerations' does not exist, so '[0]' has no list to select in" ]]
}

@test "mesh-overlay: overlay errors for scalars, mappings and bad selectors" {
	local p
	for p in 'metadata.name[0]' 'spec.template.spec.containers[0].args.[name:x]' \
	    'spec.template.spec.containers.[:discovery].image' 'metadata.name.x' \
	    'spec.template.spec.containers[0].args[-2]'; do
		ovl "{path: \"$p\", value: v}" > "$TMP/o.yaml"
		run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
		[ -z "$output" ]
		[[ "$stderr" == *"Deployment/istiod: k8s.overlays patch '$p' ($TMP/o.yaml:11): "* ]]
	done
}

@test "mesh-overlay: --k8s-overlays reads an operator.istio.io IstioOperator" {
	ovl '{path: metadata.labels.a, value: b}' | sed 's|install.istio.io|operator.istio.io|' > "$TMP/o.yaml"
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.yaml" --select kind=Deployment "$F/istiod.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[1]["metadata"]["labels"]')" = '{"a": "b", "app": "istiod"}' ]
}

@test "mesh-overlay: an overlay that matches no object is an error" {
	ovl '{path: metadata.labels.a, value: b}' | sed 's/name: istiod/name: other/' > "$TMP/o.yaml"
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$TMP/o.yaml" "$F/istiod.yaml"
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: $TMP/o.yaml:8:11: k8s.overlays: no Deployment 'other' in the input" ]
}

@test "mesh-overlay: --k8s-overlays needs an IstioOperator" {
	run --separate-stderr -1 mesh-overlay --k8s-overlays "$F/istiod.yaml" < /dev/null
	[ "$stderr" = "mesh-overlay: $F/istiod.yaml: no IstioOperator with a spec in it" ]
}

@test "mesh-overlay: gateway overlays in component lists apply" {
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$SHARED/conformance/overlays/inputs/manifest-generate/gateways.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ilb-gateway
spec:
  template:
    spec:
      containers:
      - name: istio-proxy
        env:
        - name: PILOT_CERT_PROVIDER
          value: istiod
EOF
	[ "$(printf '%s\n' "$output" | py 'd[0]["spec"]["template"]["spec"]["containers"][0]["env"]')" = '[{"name": "PILOT_CERT_PROVIDER", "value": "foobar"}]' ]
}

# --- Lists: kubectl get -o yaml, and -o json of several documents ---------

# the objects of a List, as a YAML stream, for yaml_eq
list_items() {
	"$PYTHON" -c 'import sys, json, yaml; yaml.safe_dump_all(json.load(open(sys.argv[1]))["items"], sys.stdout)' "$1"
}

@test "mesh-overlay: a v1 List is edited as its items, never as a wrapper" {
	# what mesh-render -f examples/mesh/multi-primary.yaml -o json prints
	run --separate-stderr -0 mesh-overlay -s values.global.network=X < "$F/multi-primary.json"
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$TMP/out.yaml"
	[ "$(py '[[x["kind"], x["metadata"]["name"], x["spec"]["values"]["global"]["network"], "values" in x] for x in d]' < "$TMP/out.yaml")" = '[["IstioOperator", "cluster1", "X", false], ["IstioOperator", "cluster2", "X", false]]' ]
	# nothing else changed
	list_items "$F/multi-primary.json" | sed 's/network: network1/network: X/' > "$TMP/want.yaml"
	yaml_eq "$TMP/want.yaml" "$TMP/out.yaml"
}

@test "mesh-overlay: a List is written as its items, one document each; -o json makes one again" {
	run --separate-stderr -0 mesh-overlay "$F/multi-primary.json"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	list_items "$F/multi-primary.json" > "$TMP/want.yaml"
	yaml_eq "$TMP/want.yaml" "$TMP/out.yaml"
	[ "$(grep -c '^---$' "$TMP/out.yaml")" = 1 ]
	run --separate-stderr -0 mesh-overlay "$F/istiod-list.yaml"
	printf '%s\n' "$output" > "$TMP/out.yaml"
	yaml_eq "$F/istiod.yaml" "$TMP/out.yaml"
	[ "$(grep -c '^---$' "$TMP/out.yaml")" = 3 ]
	run --separate-stderr -0 mesh-overlay -o json "$F/multi-primary.json"
	[ "$(printf '%s\n' "$output" | jq -S .)" = "$(jq -S . "$F/multi-primary.json")" ]
}

@test "mesh-overlay: every edit applies to each item of a List" {
	printf 'metadata:\n  labels:\n    merged: "yes"\n' > "$TMP/o.yaml"
	run --separate-stderr -0 mesh-overlay --select kind=Service -s metadata.labels.s=1 \
	    --set-string 'metadata.labels.t= x ' --set-json 'metadata.annotations={"a": "b"}' \
	    --delete metadata.labels.app -f "$TMP/o.yaml" "$F/istiod-list.yaml"
	[ "$(printf '%s\n' "$output" | py '[[x["kind"], x["metadata"].get("labels"), x["metadata"].get("annotations")] for x in d]')" = '[["ServiceAccount", null, null], ["Deployment", {"app": "istiod"}, null], ["Service", {"merged": "yes", "s": 1, "t": " x "}, {"a": "b"}], ["MutatingWebhookConfiguration", null, null]]' ]
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$SHARED/conformance/guides/external/external-istiod.yaml" --select kind=Deployment "$F/istiod-list.yaml"
	[ "$(printf '%s\n' "$output" | py '[v["name"] for v in d[1]["spec"]["template"]["spec"]["volumes"]]')" = '["local-certs", "config-volume", "inject-volume"]' ]
	printf '{"apiVersion": "v1", "kind": "List", "items": [{"kind": "ConfigMap", "data": {"a": "${A}"}}]}' > "$TMP/env.json"
	A=on run --separate-stderr -0 mesh-overlay --env "$TMP/env.json"
	[ "$output" = $'kind: ConfigMap\ndata:\n  a: "on"' ]
	run --separate-stderr -1 mesh-overlay --select kind=List "$F/istiod-list.yaml"
	[ "$stderr" = "mesh-overlay: --select 'kind=List' matched no document" ]
}

@test "mesh-overlay: a typed List gives its items its kind, as kubectl does" {
	run --separate-stderr -0 mesh-overlay --select kind=Pod,name=a -s metadata.labels.x=y "$F/podlist.json"
	[ "$(printf '%s\n' "$output" | py '[[x["apiVersion"], x["kind"], x["metadata"]["name"], x["metadata"].get("labels")] for x in d]')" = '[["v1", "Pod", "a", {"x": "y"}], ["v1", "Pod", "b", null]]' ]
}

@test "mesh-overlay: overlay and --k8s-overlays files may be Lists" {
	printf '{"apiVersion": "v1", "kind": "List", "items": [{"spec": {"values": {"a": 1}}}, {"spec": {"values": {"b": 2}}}]}' > "$TMP/o.json"
	run --separate-stderr -0 mesh-overlay -f "$TMP/o.json" "$F/iop.yaml"
	[ "$(printf '%s\n' "$output" | py '[list(d[0]), d[0]["spec"]["values"]]')" = '[["apiVersion", "kind", "metadata", "spec"], {"a": 1, "b": 2, "global": {"meshID": "mesh1", "proxy": {"image": "proxyv2"}}}]' ]
	ovl '{path: metadata.labels.a, value: b}' | sed 's|install.istio.io|operator.istio.io|' > "$TMP/o.yaml"
	mesh-overlay -o json "$F/iop.yaml" "$TMP/o.yaml" > "$TMP/o.json"
	run --separate-stderr -0 mesh-overlay --k8s-overlays "$TMP/o.json" --select kind=Deployment "$F/istiod.yaml"
	[ "$(printf '%s\n' "$output" | py 'd[1]["metadata"]["labels"]')" = '{"a": "b", "app": "istiod"}' ]
}

@test "mesh-overlay: nested Lists are their items; an empty List is no document" {
	printf '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "List", "items": [{"kind": "A"}, {"kind": "B"}]}, {"kind": "C"}]}' > "$TMP/l.json"
	run --separate-stderr -0 mesh-overlay -s x=1 "$TMP/l.json"
	[ "$(printf '%s\n' "$output" | py 'd')" = '[{"kind": "A", "x": 1}, {"kind": "B", "x": 1}, {"kind": "C", "x": 1}]' ]
	printf 'apiVersion: v1\nkind: List\nitems: []\n---\nkind: D\n---\nkind: ConfigMapList\nitems:\n' > "$TMP/e.yaml"
	run --separate-stderr -0 mesh-overlay "$TMP/e.yaml"
	[ "$(printf '%s\n' "$output" | py 'd')" = '[{"kind": "D"}]' ]
	run --separate-stderr -0 mesh-overlay -o json "$TMP/e.yaml"
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"kind":"D"}' ]
}

@test "mesh-overlay: a kind ending in List without items is an object, not a List" {
	printf 'apiVersion: example.com/v1\nkind: AllowList\nspec:\n  cidrs: [10.0.0.0/8]\n' > "$TMP/a.yaml"
	run --separate-stderr -0 mesh-overlay -s spec.enabled=true "$TMP/a.yaml"
	[ "$(printf '%s\n' "$output" | py 'd')" = '[{"apiVersion": "example.com/v1", "kind": "AllowList", "spec": {"cidrs": ["10.0.0.0/8"], "enabled": true}}]' ]
}

# --- JSON escapes and tags ---------------------------------------------------

@test "mesh-overlay: JSON surrogate pairs are one character, as kubectl reads them" {
	# what python's json.dumps and jq -a write
	printf '{"a": "\\ud83d\\ude00", "b\\uD83D\\uDE01": ["x\\ud83d\\ude02y"]}\n' > "$TMP/in.json"
	run --separate-stderr -0 mesh-overlay "$TMP/in.json"
	[ "$(printf '%s\n' "$output" | py 'd' | jq -c .)" = '[{"a":"😀","b😁":["x😂y"]}]' ]
	run --separate-stderr -0 mesh-overlay -o json < "$TMP/in.json"
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"a":"😀","b😁":["x😂y"]}' ]
	run --separate-stderr -0 mesh-overlay --set-json 'data.e="\ud83d\ude00"' --set-json 'data.f={"\ud83d\ude00": ["\ud83d\ude00"]}' <(cm)
	[ "$(printf '%s\n' "$output" | py 'd[0]["data"]' | jq -c .)" = '{"e":"😀","f":{"😀":["😀"]}}' ]
	# a pair that comes in pieces
	run --separate-stderr -0 mesh-overlay -o json < <(printf '{"a": "\\ud83d'; sleep 0.2; printf '\\ude00"}')
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"a":"😀"}' ]
}

@test "mesh-overlay: a lone surrogate is an error with its place" {
	run --separate-stderr -1 mesh-overlay <<< $'{"a": "x",\n "b": "\\ud83d\\ude00 \\ude00"}'
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: <stdin>:2:21: lone UTF-16 surrogate '\\ude00' in a JSON string: the other half of its pair is missing" ]
	run --separate-stderr -1 mesh-overlay <<< '["\ud83d"]'
	[ "$stderr" = "mesh-overlay: <stdin>:1:3: lone UTF-16 surrogate '\\ud83d' in a JSON string: the other half of its pair is missing" ]
	run --separate-stderr -2 mesh-overlay --set-json 'data.e="\udc00"' < /dev/null
	[[ "$stderr" == "mesh-overlay: --set-json 'data.e=\"\\udc00\"': the value is not valid JSON"* ]]
}

@test "mesh-overlay: places after a surrogate pair count the characters as written" {
	run --separate-stderr -1 mesh-overlay <<< '{"a": "\ud83d\ude00\ud83d\ude00", "b": x y: z}'
	[ "$stderr" = "mesh-overlay: <stdin>:1:43: did not find expected ',' or '}' while parsing a flow mapping (from line 1)" ]
}

@test "mesh-overlay: a surrogate pair in YAML is an error that says what to write" {
	# kubectl's YAML reader refuses it too
	run --separate-stderr -1 mesh-overlay <<< 'a: "\ud83d\ude00"'
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: <stdin>:1:5: UTF-16 surrogate pair '\\ud83d\\ude00' in a YAML string: YAML writes U+1F600 as '\\U0001F600' or as the character itself" ]
	# where it is not a double-quoted string, it is only text
	run --separate-stderr -0 mesh-overlay -o json <<< $'a: x"\\ud83d\\ude00"\nb: |\n  "\\ud83d\\ude00"'
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"a":"x\"\\ud83d\\ude00\"","b":"\"\\ud83d\\ude00\"\n"}' ]
}

@test "mesh-overlay: '! 12' is the string \"12\", in JSON and when written anew" {
	printf 'a: ! 12\nb: ! true\nc: !foo 1\nd: ! {e: 1}\n' > "$TMP/in.yaml"
	run --separate-stderr -0 mesh-overlay -o json "$TMP/in.yaml"
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"a":"12","b":"true","c":"1","d":{"e":1}}' ]
	run --separate-stderr -0 mesh-overlay -s z=1 "$TMP/in.yaml"
	[ "$output" = $'a: "12"\nb: "true"\nc: !foo 1\nd: {e: 1}\nz: 1' ]
	run --separate-stderr -0 mesh-overlay "$TMP/in.yaml"
	[ "$output" = "$(cat "$TMP/in.yaml")" ]
}

# --- --resource-list, -o json -------------------------------------------

@test "mesh-overlay: --resource-list edits the items of a KRM ResourceList" {
	cat > "$TMP/rl.yaml" <<'EOF'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
- apiVersion: v1
  kind: Service
  metadata:
    name: b
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: fn
EOF
	run --separate-stderr -0 mesh-overlay --resource-list --select kind=ConfigMap -s metadata.labels.x=y < "$TMP/rl.yaml"
	[ "$(printf '%s\n' "$output" | py '[d[0]["kind"], [i["metadata"].get("labels") for i in d[0]["items"]], d[0]["functionConfig"]["metadata"]]')" = '["ResourceList", [{"x": "y"}, null], {"name": "fn"}]' ]
	run --separate-stderr -1 mesh-overlay --resource-list < "$F/iop.yaml"
	[ "$stderr" = "mesh-overlay: <stdin>:1: --resource-list: the input is not a config.kubernetes.io/v1 ResourceList" ]
}

@test "mesh-overlay: -o json writes one object, or a v1 List for several" {
	run --separate-stderr -0 mesh-overlay -o json <(cm)
	[ "$(printf '%s\n' "$output" | jq -c .)" = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}' ]
	run --separate-stderr -0 mesh-overlay -o json "$F/mixed.yaml"
	[ "$(printf '%s\n' "$output" | jq -c '[.kind, .apiVersion, (.items | map(.metadata.name))]')" = '["List","v1",["first","second","third","fourth"]]' ]
	[ "$(printf '%s\n' "$output" | jq -c '.items[0].data | [.quoted, .plain, .octal]')" = '["on",true,511]' ]
	run --separate-stderr -0 mesh-overlay -o json < /dev/null
	[ "$(printf '%s\n' "$output" | jq -c '[.kind, .items]')" = '["List",[]]' ]
}

@test "mesh-overlay: -o json matches what a YAML 1.1 reader sees, for every conformance file" {
	local f
	for f in $(find "$SHARED/conformance" -name '*.yaml' | sort); do
		mesh-overlay -o json "$f" > "$TMP/out.json"
		"$PYTHON" - "$f" "$TMP/out.json" <<'PY'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
got = json.load(open(sys.argv[2]))
got = got["items"] if len(docs) != 1 else [got]
assert json.loads(json.dumps(docs, default=str)) == got, sys.argv[1]
PY
	done
}

@test "mesh-overlay: --stream -o json writes one JSON value per document" {
	run --separate-stderr -0 mesh-overlay --stream -o json "$F/mixed.yaml"
	[ "$(printf '%s\n' "$output" | jq -c .metadata.name | tr '\n' ' ')" = '"first" "second" "third" "fourth" ' ]
}

@test "mesh-overlay: a value JSON cannot hold is an error" {
	run --separate-stderr -1 mesh-overlay -o json <<< 'a: .inf'
	[ -z "$output" ]
	[ "$stderr" = "mesh-overlay: <stdin>:1:4: '.inf' cannot be written as JSON" ]
}

# --- usage ----------------------------------------------------------------

@test "mesh-overlay: usage errors exit 2" {
	run --separate-stderr -2 mesh-overlay --nope < /dev/null
	[ "$stderr" = "mesh-overlay: unknown option '--nope'
Try 'mesh-overlay --help' for more information." ]
	run --separate-stderr -2 mesh-overlay -x < /dev/null
	[[ "$stderr" == "mesh-overlay: unknown option '-x'"* ]]
	run --separate-stderr -2 mesh-overlay -s < /dev/null
	[[ "$stderr" == "mesh-overlay: option '-s' needs a value"* ]]
	run --separate-stderr -2 mesh-overlay -o xml < /dev/null
	[[ "$stderr" == "mesh-overlay: invalid value for '-o': 'xml' (use yaml or json)"* ]]
	run --separate-stderr -2 mesh-overlay -f - - < /dev/null
	[[ "$stderr" == "mesh-overlay: standard input can be read only once"* ]]
	[ -z "$output" ]
}

@test "mesh-overlay: --version and -V print the version" {
	run --separate-stderr -0 mesh-overlay --version
	[[ "$output" == "mesh-overlay (meshline) "[0-9]* ]]
	run --separate-stderr -0 mesh-overlay -V
	[[ "$output" == "mesh-overlay (meshline) "[0-9]* ]]
}

@test "mesh-overlay: UTF-16 input is read and written as UTF-8" {
	printf 'a: 1\n---\nb: caf\xc3\xa9\n' | iconv -f UTF-8 -t UTF-16 > "$TMP/u16.yaml"
	run --separate-stderr -0 mesh-overlay "$TMP/u16.yaml"
	[ "$output" = $'a: 1\n---\nb: caf\xc3\xa9' ]
}

@test "mesh-overlay: head comments of a document with CR line ends are kept once" {
	printf -- '---\r# Source: a/b.yaml\r# more\rapiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: x\r' > "$TMP/cr.yaml"
	run --separate-stderr -0 mesh-overlay -s data.a=b "$TMP/cr.yaml"
	[ "$(printf '%s\n' "$output" | grep -c 'Source')" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -c 'apiVersion')" -eq 1 ]
	[ "$(printf '%s\n' "$output" | py '[x["data"] for x in d]')" = '[{"a": "b"}]' ]
}
