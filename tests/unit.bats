#!/usr/bin/env bats
# The C unit tests of common/, built by make into build/unit/.

load helpers/common

unit() {
	[ -x "$MESH_BUILD/unit/$1" ] || { echo "build/unit/$1 is missing: run make units"; false; }
	run --separate-stderr ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/unit/$1"
	printf '%s\n' "$stderr" | grep -v '^meshline: ' >&2 || true
	[ "$status" -eq 0 ]
	[[ "$output" == *" checks, 0 failed" ]]
}

@test "unit: buf: base64 both ways, secret buffers" {
	unit buf_test
}

@test "unit: node: YAML 1.1 meaning of plain scalars, quoting, floats, trees" {
	unit node_test
}

@test "unit: jsonpath: kubectl's templates, filters, ranges, missing fields" {
	unit jsonpath_test
}

@test "unit: path: grammar, the --set engine, the overlay engine, merge" {
	unit path_test
}

@test "unit: stream: document bytes, YAML and JSON writing, substitution" {
	unit stream_test
}

@test "unit: meshdesc: the mesh description's defaults and every inconsistency" {
	unit meshdesc_test
}

@test "unit: tmpl: templates filled safely, their text kept when it reads back the same" {
	unit tmpl_test
}

@test "unit: kubeconfig: merging, paths, defaults, in-cluster, and every bad file" {
	unit kubeconfig_test
}

@test "unit: pki: keys, certificate profiles, PEM, chains, and CAs on disk" {
	unit pki_test
}

@test "unit: typed: one reader for typed documents: UTF-16, NULs, surrogate pairs, keys twice" {
	unit typed_test
}

@test "unit: helmrel: an IstioOperator as Helm releases, their --set forms, what Flux cannot patch" {
	unit helmrel_test
}
