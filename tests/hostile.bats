#!/usr/bin/env bats
# Hostile input: every stream program reads within bounds of memory and
# time, refuses keys Kubernetes would read otherwise, and reads every
# input through one reader.  The large inputs are made here, not kept.

load helpers/common

# gen PYTHON-CODE FILE: write what the code prints (as w(...)) to FILE.
gen() {
	"$PYTHON" -c "import sys
w = sys.stdout.write
$1" > "$2"
}

# --- resource bounds ------------------------------------------------------

@test "hostile: a large scalar aliased 30,000 times is refused by bytes, not expanded" {
	gen "s = 'x' * 65536
w('a: &a \"%s\"\n' % s)
w('b: [' + ','.join(['*a'] * 30000) + ']\n')" "$TMP/big.yaml"
	for o in yaml json; do
		run --separate-stderr -1 mesh-overlay -o "$o" "$TMP/big.yaml"
		assert_output ''
		[ "$stderr" = "mesh-overlay: $TMP/big.yaml:2:770: aliases expand to more than 16 MiB in all" ]
	done
}

@test "hostile: 80,000 anchors and 80,000 aliases are read, each alias to its own anchor" {
	gen "n = 80000
w('a:\n')
for i in range(n): w('- &a%d v%d\n' % (i, i))
w('b:\n')
for i in range(n - 1, -1, -1): w('- *a%d\n' % i)" "$TMP/anchors.yaml"
	run --separate-stderr -0 mesh-overlay -o json "$TMP/anchors.yaml"
	[ -z "$stderr" ]
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["b"] == list(reversed(d["a"])), "aliases resolved wrongly"
assert d["a"][0] == "v0" and len(d["a"]) == 80000'
}

@test "hostile: an anchor given again refers to the newest node from there on" {
	run --separate-stderr -0 mesh-overlay -o json <<'YAML'
a: &x 1
b: *x
c: &x 2
d: *x
YAML
	[ "$(printf '%s' "$output" | jq -c .)" = '{"a":1,"b":1,"c":2,"d":2}' ]
}

@test "hostile: more than 100,000 anchors in one document is an error" {
	gen "w('a:\n')
for i in range(100001): w('- &a%d 1\n' % i)" "$TMP/many.yaml"
	run --separate-stderr -1 mesh-overlay "$TMP/many.yaml"
	assert_output ''
	[ "$stderr" = "mesh-overlay: $TMP/many.yaml:100002:3: more than 100000 anchors in one document" ]
}

@test "hostile: more than 250,000 documents in all input is an error, 250,000 pass" {
	gen "w('---\n'.join('a: %d\n' % i for i in range(249999)))" "$TMP/docs.yaml"
	run --separate-stderr -0 mesh-overlay -f "$TMP/docs.yaml" - <<<'b: 1'
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | "$PYTHON" -c 'import sys, yaml; print(yaml.safe_load(sys.stdin)["a"])')" = 249998 ]
	printf -- '---\na: 1\n' >> "$TMP/docs.yaml"
	run --separate-stderr -1 mesh-overlay -f "$TMP/docs.yaml" - <<<'b: 1'
	assert_output ''
	[ "$stderr" = "mesh-overlay: <stdin>:1: more than 250000 documents in all input" ]
}

@test "hostile: -f merges mappings of 200,000 keys key by key" {
	gen "for i in range(200000): w('k%d: %d\n' % (i, i))" "$TMP/base.yaml"
	gen "for i in range(0, 400000, 2): w('k%d: x\n' % i)" "$TMP/over.yaml"
	run --separate-stderr -0 mesh-overlay -o json -f "$TMP/over.yaml" "$TMP/base.yaml"
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 300000, len(d)
assert d["k0"] == "x" and d["k1"] == 1 and d["k399998"] == "x"
assert list(d)[:3] == ["k0", "k1", "k2"] and list(d)[200000] == "k200000"'
}

@test "hostile: -f with 100,000 one-key overlays adds each key once" {
	gen "for i in range(100000): w('spec:\n  k%d: %d\n---\n' % (i % 50000, i))" "$TMP/over.yaml"
	run --separate-stderr -0 mesh-overlay -o json -f "$TMP/over.yaml" - <<<'spec: {k0: old}'
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)["spec"]
assert len(d) == 50000, len(d)
assert d["k0"] == 50000 and d["k49999"] == 99999'
}

@test "hostile: -o json of deeply nested lists stays within some 70 times the input" {
	gen "w('[' * 500 + ']' * 500 + '\n---\n') 
for i in range(200): w('- ' + '[' * 500 + ']' * 500 + '\n')" "$TMP/deep.yaml"
	run --separate-stderr -0 mesh-overlay -o json "$TMP/deep.yaml"
	[ -z "$stderr" ]
	in=$(wc -c < "$TMP/deep.yaml")
	out=${#output}
	[ "$out" -lt $((in * 70)) ] || { echo "$in bytes in, $out out"; false; }
	# the same data, and kubectl's layout down to 32 levels
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
want = []
for i in range(499): want = [want]
assert d["items"][0] == want and d["items"][1] == [want] * 200'
	[ "$(printf '%s\n' "$output" | sed -n 4p)" = "        [" ]
	[ "$(printf '%s\n' "$output" | sed -n 5p)" = "            [" ]
}

# --- keys as Kubernetes reads them ----------------------------------------

@test "hostile: a key given twice is refused with both places, in every stream program" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n' > "$TMP/cm.yaml"
	run --separate-stderr -1 mesh-overlay -s metadata.name=renamed "$TMP/cm.yaml"
	assert_output ''
	[ "$stderr" = "mesh-overlay: $TMP/cm.yaml:5:3: key 'name' is given twice in one mapping (first at 4:3)" ]
	run --separate-stderr -1 mesh-wait -f "$TMP/cm.yaml" --timeout 1s
	assert_output ''
	[ "$stderr" = "mesh-wait: $TMP/cm.yaml:5:3: key 'name' is given twice in one mapping (first at 4:3)" ]
	printf '{"a": 1, "b": {"c": 1, "c": 2}}\n' > "$TMP/j.json"
	run --separate-stderr -1 mesh-overlay "$TMP/j.json"
	[ "$stderr" = "mesh-overlay: $TMP/j.json:1:24: key 'c' is given twice in one mapping (first at 1:16)" ]
}

@test "hostile: the mesh description's duplicate keys get the same message" {
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: m\nspec:\n  model: multi-primary\n  clusters:\n  - name: c1\n    network: n1\n    network: n2\n' > "$TMP/mesh.yaml"
	for p in mesh-render mesh-gw; do
		run --separate-stderr -1 "$p" -f "$TMP/mesh.yaml"
		assert_output ''
		[ "$stderr" = "$p: $TMP/mesh.yaml:10:5: key 'network' is given twice in one mapping (first at 9:5)" ]
	done
}

@test "hostile: keys are the same when they make the same JSON key: yes and \"true\", 1 and 0x1 and \"1\", ~ and null" {
	run --separate-stderr -1 mesh-overlay <<<$'yes: a\n"true": b'
	[ "$stderr" = "mesh-overlay: <stdin>:2:1: key 'true' is given twice in one mapping (first at 1:1)" ]
	run --separate-stderr -1 mesh-overlay <<<$'1: a\n0x1: b'
	[ "$stderr" = "mesh-overlay: <stdin>:2:1: key '0x1' is given twice in one mapping (first at 1:1)" ]
	run --separate-stderr -1 mesh-overlay <<<$'1: a\n"1": b'
	[ "$stderr" = "mesh-overlay: <stdin>:2:1: key '1' is given twice in one mapping (first at 1:1)" ]
	run --separate-stderr -1 mesh-overlay <<<$'~: a\nnull: b'
	[ "$stderr" = "mesh-overlay: <stdin>:2:1: key 'null' is given twice in one mapping (first at 1:1)" ]
	run --separate-stderr -0 mesh-overlay <<<$'1: a\n"01": b\ntrue: c\n"True": d'
	[ "$output" = $'1: a\n"01": b\ntrue: c\n"True": d' ]
}

@test "hostile: two objects run together without --- are named as such" {
	run --separate-stderr -1 mesh-overlay <<<$'apiVersion: v1\nkind: A\napiVersion: v1\nkind: B'
	assert_output ''
	[ "$stderr" = "mesh-overlay: <stdin>:3:1: key 'apiVersion' is given twice in one mapping (first at 1:1): two documents without '---' between them?" ]
}

@test "hostile: --env that makes a key twice is refused" {
	run --separate-stderr -1 env K=a mesh-overlay --env <<<$'a: 1\n${K}: 2'
	assert_output ''
	[ "$stderr" = "mesh-overlay: <stdin>:2:1: key 'a' is given twice in one mapping once variables are replaced (first at 1:1)" ]
	run --separate-stderr -0 env K=b mesh-overlay --env <<<$'a: 1\n${K}: 2'
	[ "$output" = $'a: 1\nb: 2' ]
}

@test "hostile: merge keys are refused where Kubernetes would apply them; a quoted one is a key" {
	run --separate-stderr -1 mesh-overlay --delete data.secret <<<$'base: &b {secret: x}\ndata:\n  <<: *b\n  other: y'
	assert_output ''
	[ "$stderr" = "mesh-overlay: <stdin>:3:3: merge keys ('<<') are not supported: write the merged keys out" ]
	run --separate-stderr -1 mesh-overlay <<<$'a: {!!merge x: {b: 1}}'
	[ "$stderr" = "mesh-overlay: <stdin>:1:5: merge keys ('<<') are not supported: write the merged keys out" ]
	run --separate-stderr -0 mesh-overlay -o json <<<'{"<<": 1, "a": 2}'
	[ "$(printf '%s' "$output" | jq -c .)" = '{"<<":1,"a":2}' ]
}

# --- one reader -----------------------------------------------------------

mesh_desc() {
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh1\nspec:\n  model: multi-primary\n  clusters:\n  - name: cluster1\n    context: kind-cluster1\n    network: network1\n'
}

@test "hostile: a NUL in a mesh description is reported where it is" {
	mesh_desc | "$PYTHON" -c '
import sys
d = sys.stdin.read().split("\n")
d[8] = d[8][:16] + "\0" + d[8][16:]
sys.stdout.write("\n".join(d))' > "$TMP/nul.yaml"
	for p in mesh-render mesh-gw; do
		run --separate-stderr -1 "$p" -f "$TMP/nul.yaml"
		assert_output ''
		[ "$stderr" = "$p: $TMP/nul.yaml:9:17: NUL byte in input: YAML and JSON are text" ]
	done
	run --separate-stderr -1 mesh-overlay "$TMP/nul.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/nul.yaml:9:17: NUL byte in input: YAML and JSON are text" ]
}

@test "hostile: UTF-32 is refused alike by the description and stream readers" {
	mesh_desc | iconv -f utf-8 -t utf-32 > "$TMP/u32.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/u32.yaml"
	[ "$stderr" = "mesh-render: $TMP/u32.yaml:1:3: NUL byte in input: YAML and JSON are text" ]
	run --separate-stderr -1 mesh-overlay "$TMP/u32.yaml"
	[ "$stderr" = "mesh-overlay: $TMP/u32.yaml:1:3: NUL byte in input: YAML and JSON are text" ]
}

@test "hostile: a mesh description in UTF-16 renders as in UTF-8" {
	mesh_desc > "$TMP/u8.yaml"
	{ printf '\377\376'; iconv -f utf-8 -t utf-16le < "$TMP/u8.yaml"; } > "$TMP/le.yaml"
	{ printf '\376\377'; iconv -f utf-8 -t utf-16be < "$TMP/u8.yaml"; } > "$TMP/be.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/u8.yaml"
	want="$output"
	run --separate-stderr -0 mesh-render -f "$TMP/le.yaml"
	[ "$output" = "$want" ]
	run --separate-stderr -0 mesh-render -f "$TMP/be.yaml"
	[ "$output" = "$want" ]
}

@test "hostile: a kubeconfig in UTF-16 reads as in UTF-8" {
	cat > "$TMP/kc.yaml" <<'EOF2'
apiVersion: v1
kind: Config
current-context: t
contexts:
- name: t
  context: {cluster: c, user: u}
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: abc}
EOF2
	{ printf '\377\376'; iconv -f utf-8 -t utf-16le < "$TMP/kc.yaml"; } > "$TMP/le.yaml"
	# nothing listens on port 1: reading the kubeconfig is what is tested
	run --separate-stderr -1 mesh-wait --kubeconfig "$TMP/kc.yaml" deploy/x --timeout 0 --request-timeout 1s
	want="$stderr"
	run --separate-stderr -1 mesh-wait --kubeconfig "$TMP/le.yaml" deploy/x --timeout 0 --request-timeout 1s
	[ "$stderr" = "$want" ]
	[[ $stderr == *"127.0.0.1 port 1"* ]]
}

@test "hostile: --stream holds no document, so its bounds are per document" {
	# 300,000 tiny documents: more than may be held, but --stream holds none
	"$PYTHON" -c 'import sys; sys.stdout.write("a: 1\n---\n" * 300000)' > "$TMP/many.yaml"
	run --separate-stderr -1 mesh-overlay -s b=1 "$TMP/many.yaml"
	[ -z "$output" ]
	[[ $stderr == *"more than 250000 documents in all input"* ]]
	mesh-overlay --stream -s b=1 "$TMP/many.yaml" > "$TMP/out.yaml"
	[ "$(grep -c '^b: 1$' "$TMP/out.yaml")" -eq 300000 ]
	# two documents whose aliases make 10 MiB each: 20 MiB in all
	"$PYTHON" -c 'import sys
s = "x" * 65536
doc = "a: &a " + s + "\nl: [" + ", ".join(["*a"] * 160) + "]\n"
sys.stdout.write(doc + "---\n" + doc)' > "$TMP/alias.yaml"
	run --separate-stderr -1 mesh-overlay -s b=1 "$TMP/alias.yaml"
	[ -z "$output" ]
	[[ $stderr == *"alias"* ]]
	run --separate-stderr -0 mesh-overlay --stream -s b=1 "$TMP/alias.yaml"
	[ "$(printf '%s\n' "$output" | grep -c '^b: 1$')" -eq 2 ]
}
