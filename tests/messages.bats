#!/usr/bin/env bats
# What reaches stderr: every message is one line, whatever the input or
# the API server put in it.  Control characters, C1 controls and bytes
# that are not UTF-8 are written as \xNN, so a name with a newline cannot
# forge a second message and an escape sequence never reaches the
# terminal.

load helpers/common

# one_line: $stderr is exactly one line, a message of $1, with no raw
# control character (ESC, BEL, CR, C1) and no byte that is not UTF-8.
one_line() {
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "$1: "* ]]
	! printf '%s' "$stderr" | LC_ALL=C grep -q -P '[\x00-\x1f\x7f]'
	printf '%s' "$stderr" | iconv -f UTF-8 -t UTF-8 >/dev/null
	! printf '%s' "$stderr" | grep -q -P '\x{9b}'
}

# A name that would forge a message, paint the terminal and turn the
# rest of the line around (U+202E, a bidirectional override).
EVIL='a\nmesh-x: forged\e[31m\u202e'
SHOWN='a\x0amesh-x: forged\x1b[31m\xe2\x80\xae'

@test "messages: mesh-overlay: a name with a newline and an escape is one line, escaped" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "%s"\ndata:\n  k: v\n' \
	    "$EVIL" >"$TMP/cm.yaml"
	run --separate-stderr -1 mesh-overlay -s data.k.x=1 "$TMP/cm.yaml"
	assert_output ''
	one_line mesh-overlay
	[[ "$stderr" == *"ConfigMap/$SHOWN"* ]]
}

# mesh DESCRIPTION whose remote names a primary that is not there
evil_mesh() {
	cat <<EOF
apiVersion: meshline.io/v1alpha1
kind: Mesh
metadata:
  name: mesh1
spec:
  model: primary-remote
  clusters:
  - name: cluster1
    network: network1
    role: primary
  - name: cluster2
    network: network1
    role: remote
    primary: "$EVIL"
EOF
}

@test "messages: mesh-render, mesh-gw: a description's name with control characters is one line, escaped" {
	evil_mesh >"$TMP/mesh.yaml"
	for prog in mesh-render mesh-gw; do
		run --separate-stderr -1 "$prog" -f "$TMP/mesh.yaml"
		assert_output ''
		one_line "$prog"
		[[ "$stderr" == *"spec.clusters[1].primary: "*"'$SHOWN'"* ]]
	done
}

@test "messages: a file name with a newline is escaped where it is named" {
	f="$TMP/$(printf 'no\nsuch')"
	run --separate-stderr -1 mesh-overlay "$f"
	one_line mesh-overlay
	[[ "$stderr" == *"'$TMP/no\\x0asuch'"* ]]
}

# An API server that answers as a hostile one could: every request with
# a 403 whose Status message holds control characters and a C1 control
# (mode status), or with 200 and a Warning header holding an escape
# sequence and a byte that is not UTF-8 (mode warn).  Plain http on 127.0.0.1; it writes its
# port to PORTFILE once it serves.
stub_start() {
	"$PYTHON" - "$1" "$TMP/port" <<'PY' 2>"$TMP/stub.err" 3>&- &
import http.server, json, os, sys
mode, portfile = sys.argv[1], sys.argv[2]
MSG = "denied\nmesh-wait: forged\x1b[31m \u009b2J"
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        if mode == "status":
            body = json.dumps({"kind": "Status", "apiVersion": "v1",
                "status": "Failure", "message": MSG, "reason": "Forbidden",
                "code": 403}).encode()
            self.send_response(403)
        else:
            body = json.dumps({"kind": "APIVersions", "versions": ["v1"]}
                if self.path == "/api" else {"kind": "APIGroupList",
                "apiVersion": "v1", "groups": []}).encode()
            self.send_response(200)
            # sent as Latin-1: \xff is a byte that is not UTF-8
            self.send_header("Warning", '299 - "look\x1b]0;owned\x07 \xff"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_port))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
	STUB=$!
	for ((i = 0; i < 100; i++)); do
		[ -f "$TMP/port" ] && break
		sleep 0.05
	done
	cat >"$TMP/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: t
contexts:
- name: t
  context: {cluster: c}
clusters:
- name: c
  cluster:
    server: http://127.0.0.1:$(cat "$TMP/port")
EOF
}

teardown() {
	[ -z "${STUB:-}" ] || { kill "$STUB" 2>/dev/null; wait "$STUB" 2>/dev/null; } || true
}

@test "messages: mesh-wait: a server's Status message is one line, escaped" {
	stub_start status
	run --separate-stderr -1 timeout 60 mesh-wait --kubeconfig "$TMP/kubeconfig" --timeout 5s configmap/x
	assert_output ''
	one_line mesh-wait
	[[ "$stderr" == *'denied\x0amesh-wait: forged\x1b[31m \xc2\x9b2J (403 Forbidden)' ]]
}

@test "messages: mesh-wait: a server's Warning header is one line each, escaped" {
	stub_start warn
	run --separate-stderr -2 timeout 60 mesh-wait --kubeconfig "$TMP/kubeconfig" --timeout 5s configmap/x
	assert_output ''
	# each warning its own line, and the last line the error
	while IFS= read -r line; do
		stderr="$line" one_line mesh-wait
	done <<<"$stderr"
	assert_equal "$(grep -c '^mesh-wait: warning: look\\x1b\]0;owned\\x07 \\xff$' <<<"$stderr")" \
	    "$(($(wc -l <<<"$stderr") - 1))"
	[[ "$stderr" == *"mesh-wait: the server of context t has no resource type 'configmap'" ]]
}

@test "messages: the name a program is run by is escaped too, in the usage hint as well" {
	ln -s "$MESH_BUILD/mesh-overlay" "$TMP/$(printf 'evil\nmesh-x')"
	run --separate-stderr -2 "$TMP/$(printf 'evil\nmesh-x')" --bogus
	assert_output ''
	[ "$stderr" = "evil\\x0amesh-x: unknown option '--bogus'
Try 'evil\\x0amesh-x --help' for more information." ]
}
