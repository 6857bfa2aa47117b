#!/usr/bin/env bats
# The Kubernetes client in common/ (kubeconfig.c, kube.c) against the
# simulated cluster, through the test tool build/unit/kube_driver: every
# auth method, the kubeconfig rules, retries and the faults simcluster can
# inject.  Each test starts its own clusters on 127.0.0.1.

load helpers/common
load helpers/simcluster

KFIX="$FIXTURES/kube"

# kd ARGS...: the driver, through $MESH_TEST_WRAPPER, bounded in time.
kd() {
	# shellcheck disable=SC2086
	timeout 60 ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/unit/kube_driver" "$@"
}

# no_secrets: nothing secret of $SIM (token, key) is in $stderr or $output.
no_secrets() {
	local tok key
	tok="$(cat "$SIM/token")"
	key="$(sed -n 2p "$SIM/client.key")"
	[[ "$stderr" != *"$tok"* && "$output" != *"$tok"* ]]
	[[ "$stderr" != *"$key"* ]]
}

# kubeconfig FILE CLUSTER-YAML USER-YAML: one context "t" over one
# cluster and one user, each given as the indented body of its stanza.
kubeconfig() {
	local cluster user
	mkdir -p "$(dirname "$1")"
	# the stanzas' lines may start with the tabs of the test's source
	cluster="$(printf '%s' "$2" | sed 's/^\t*//')"
	user="$(printf '%s' "$3" | sed 's/^\t*//')"
	cat >"$1" <<-EOF
	apiVersion: v1
	kind: Config
	current-context: t
	contexts:
	- name: t
	  context: {cluster: c, user: u}
	clusters:
	- name: c
	  cluster:
	$cluster
	users:
	- name: u
	  user:
	$user
	EOF
}

port() { cat "$SIM/port"; }

# wait_for FILE PATTERN: until a line of FILE matches (at most 10 s).
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "'$2' never showed up in $1" >&2
	return 1
}

# events FILE: "TYPE name" for each watch event the driver printed.
events() {
	sed -E 's/^- \{type: ([A-Z]+), kind: [^,]*, name: ([^,]*),.*/\1 \2/' "$1"
}

cm() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s%s}\ndata: {k: "%s"}\n' \
	    "$1" "${3:+, labels: {app: $3\}}" "$2"
}

@test "kube: bearer token: get, list with selectors, create, apply, delete, Status errors" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	K=(--kubeconfig "$SIM/kubeconfig")
	run --separate-stderr -0 kd "${K[@]}" get v1 namespaces kube-system -o name
	assert_output kube-system
	run --separate-stderr -0 kd "${K[@]}" get v1 namespaces kube-system
	assert_line "kind: Namespace"
	assert_line --regexp "^  uid: \"?$(cat "$SIM/kube-system-uid")\"?\$"
	cm a 0 web >"$TMP/a.yaml"
	cm b 0 db >"$TMP/b.yaml"
	run --separate-stderr -0 kd "${K[@]}" create "$TMP/a.yaml" -o name
	assert_output a
	run --separate-stderr -0 kd "${K[@]}" create "$TMP/b.yaml" -o json
	assert_line '    "kind": "ConfigMap",'
	run --separate-stderr -1 kd "${K[@]}" create "$TMP/a.yaml"
	assert_output ''
	[ "$stderr" = 'kube_driver: configmaps "a" already exists (409 AlreadyExists)' ]
	cm a 7 web >"$TMP/a.yaml"
	run --separate-stderr -0 kd "${K[@]}" apply --force "$TMP/a.yaml"
	assert_line '  k: "7"'
	run --separate-stderr -0 kd "${K[@]}" list v1 configmaps -o name
	assert_output "$(printf 'a\nb\nkube-root-ca.crt')"
	run --separate-stderr -0 kd "${K[@]}" list v1 configmaps -l 'app in (web,x)' -o name
	assert_output a
	run --separate-stderr -0 kd "${K[@]}" list v1 configmaps --field-selector metadata.name=b -o name
	assert_output b
	run --separate-stderr -0 kd "${K[@]}" delete v1 configmaps a -o name
	run --separate-stderr -1 kd "${K[@]}" get v1 configmaps a
	[ "$stderr" = 'kube_driver: configmaps "a" not found (404 NotFound)' ]
	run --separate-stderr -1 kd "${K[@]}" get apps/v1 deployments x
	[ "$stderr" = 'kube_driver: deployments.apps "x" not found (404 NotFound)' ]
	run --separate-stderr -1 kd "${K[@]}" -n nowhere create "$TMP/b.yaml"
	[ "$stderr" = 'kube_driver: namespaces "nowhere" not found (404 NotFound)' ]
	no_secrets
	grep -q ' POST /api/v1/namespaces/default/configmaps?fieldManager=kube_driver 201$' "$SIM/requests.log"
	grep -q ' PATCH /api/v1/namespaces/default/configmaps/a?fieldManager=kube_driver&force=true 200$' "$SIM/requests.log"
	grep -q ' GET /api/v1/namespaces/default/configmaps?labelSelector=app%20in%20%28web%2Cx%29 200$' "$SIM/requests.log"
}

@test "kube: server-side apply conflicts are reported; --force takes the fields over" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	K=(--kubeconfig "$SIM/kubeconfig")
	cm a 1 >"$TMP/a.yaml"
	run --separate-stderr -0 kd "${K[@]}" --field-manager other apply "$TMP/a.yaml" -o name
	cm a 2 >"$TMP/a.yaml"
	run --separate-stderr -1 kd "${K[@]}" apply "$TMP/a.yaml"
	[[ "$stderr" == 'kube_driver: Apply failed with 1 conflict: conflict with "other"'*'.data.k (409 Conflict)' ]]
	run --separate-stderr -0 kd "${K[@]}" apply --force "$TMP/a.yaml"
	assert_line '  k: "2"'
}

@test "kube: client certificates, from -data and from files relative to the kubeconfig" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" --context sim-cert list v1 namespaces -o name
	assert_line kube-system
	mkdir -p "$TMP/kc/pki"
	cp "$SIM/ca.crt" "$SIM/client.crt" "$SIM/client.key" "$TMP/kc/pki/"
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: pki/ca.crt" \
	    "    client-certificate: pki/client.crt
	    client-key: ./pki/client.key"
	cd /
	run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" list v1 namespaces -o name
	assert_line default
	no_secrets
	# without the key: refused before any request
	sed -i '/client-key/d' "$TMP/kc/config"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:15:5: users[0].user: client-key-data or client-key must be specified for u to use the clientCert authentication method" ]
}

@test "kube: tokenFile is read relative to the kubeconfig and wins over token" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	mkdir -p "$TMP/kc/secret"
	{ cat "$SIM/token"; echo; } >"$TMP/kc/secret/tok"
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" \
	    "    token: not-the-token
	    tokenFile: secret/tok"
	cd "$TMP"
	run --separate-stderr -0 kd --kubeconfig kc/config list v1 namespaces -o name
	assert_line kube-system
	no_secrets
	rm "$TMP/kc/secret/tok"
	run --separate-stderr -1 kd --kubeconfig kc/config list v1 namespaces
	[ "$stderr" = "kube_driver: kc/config:16:16: users[0].user.tokenFile: cannot open '$TMP/kc/secret/tok': No such file or directory" ]
}

@test "kube: exec plugin v1: token, args, env, KUBERNETES_EXEC_INFO, cached for the run" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	mkdir -p "$TMP/kc/bin"
	cp "$KFIX/cred-plugin" "$TMP/kc/bin/cred"
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" \
	    "    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      command: ./bin/cred
	      args: [get, --fast]
	      env: [{name: CRED_ENV, value: hello}]
	      interactiveMode: Never
	      provideClusterInfo: true"
	export CRED_LOG="$TMP/cred.log" CRED_TOKEN="$(cat "$SIM/token")"
	run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" --repeat 3 list v1 namespaces -o name
	assert_line kube-system
	no_secrets
	run cat "$CRED_LOG"
	assert_equal "${#lines[@]}" 1	# one run for three requests
	assert_line -n 0 --partial 'run args=[get --fast] env=[hello] info={"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"cluster":{"server":"https://127.0.0.1:'"$(port)"'","certificate-authority-data":"'"$(base64 -w0 <"$SIM/ca.crt")"'"},"interactive":false}}'
	# expiring credentials: the plugin runs again once they expire
	rm "$CRED_LOG"
	CRED_EXPIRY=1 run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" --repeat 2 --pause 1500ms list v1 namespaces -o name
	run cat "$CRED_LOG"
	assert_equal "${#lines[@]}" 2
	rm "$CRED_LOG"
	CRED_EXPIRY=3600 run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" --repeat 2 list v1 namespaces -o name
	run cat "$CRED_LOG"
	assert_equal "${#lines[@]}" 1
	# a token the server refuses
	CRED_TOKEN=bogus run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: the server has asked for the client to provide credentials (401 Unauthorized)" ]
}

@test "kube: exec plugin v1beta1 returns a client certificate and key" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" \
	    "    exec:
	      apiVersion: client.authentication.k8s.io/v1beta1
	      command: cred-plugin"
	export PATH="$KFIX:$PATH" CRED_LOG="$TMP/cred.log"
	CRED_CERT="$SIM/client.crt" CRED_KEY="$SIM/client.key" run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" list v1 namespaces -o name
	assert_line kube-system
	no_secrets
	assert_equal "$(grep -c '"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}' "$CRED_LOG")" 1
	# only half a pair
	CRED_CERT="$SIM/client.crt" CRED_KEY=/dev/null run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin returned only certificate or key, not both" ]
}

@test "kube: exec plugin failures: missing (installHint), exit code, wrong apiVersion, no status" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	exec_user() {
		kubeconfig "$TMP/kc/config" \
		    "    server: https://127.0.0.1:$(port)
		    certificate-authority: $SIM/ca.crt" \
		    "    exec:
		      apiVersion: client.authentication.k8s.io/v1
		      interactiveMode: IfAvailable
		      command: $1
		      installHint: |
		        install it with:
		          apt-get install no-such-cred-plugin"
	}
	exec_user no-such-cred-plugin
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin 'no-such-cred-plugin' not found: install it with: apt-get install no-such-cred-plugin" ]
	exec_user "$KFIX/cred-plugin"
	CRED_EXIT=3 run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin '$KFIX/cred-plugin' failed with exit code 3" ]
	CRED_TOKEN=x CRED_VERSION=client.authentication.k8s.io/v1beta1 run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1" ]
	CRED_NOSTATUS=1 run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin didn't return a status field" ]
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin didn't return a token or cert/key pair" ]
	exec_user "$TMP/kc/missing"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: cannot run exec plugin '$TMP/kc/missing': No such file or directory" ]
	# nothing reached the server
	run grep -c ' /api/v1/namespaces ' "$SIM/requests.log"
	assert_output 0
}

@test "kube: basic auth is sent as a header, redacted in -vv, refused by the cluster" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" \
	    "    username: admin
	    password: s3cret-pw"
	run --separate-stderr -1 kd -vv --kubeconfig "$TMP/kc/config" list v1 namespaces
	assert_output ''
	[[ "$stderr" == *"kube_driver: > Authorization: <redacted>"* ]]
	[[ "$stderr" == *"kube_driver: the server has asked for the client to provide credentials (401 Unauthorized)" ]]
	[[ "$stderr" != *s3cret-pw* && "$stderr" != *"$(printf admin:s3cret-pw | base64)"* ]]
	# with -vv and a token, the token is not shown either
	run --separate-stderr -0 kd -vv --kubeconfig "$SIM/kubeconfig" list v1 namespaces -o name
	[[ "$stderr" == *"kube_driver: > Authorization: <redacted>"* ]]
	[[ "$stderr" == *"kube_driver: > Accept-Encoding: "* ]]
	no_secrets
	# impersonation headers; disable-compression asks for no gzip
	kubeconfig "$TMP/kc/config" \
	    "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt
	    disable-compression: true" \
	    "    token: $(cat "$SIM/token")
	    as: jane
	    as-groups: [devs, ops]"
	run --separate-stderr -0 kd -vv --kubeconfig "$TMP/kc/config" list v1 namespaces -o name
	[[ "$stderr" == *"kube_driver: > Impersonate-User: jane"$'\n'"kube_driver: > Impersonate-Group: devs"$'\n'"kube_driver: > Impersonate-Group: ops"* ]]
	[[ "$stderr" != *"Accept-Encoding"* ]]
	[[ "$stderr" == *"kube_driver: > User-Agent: kube_driver/"* ]]
	no_secrets
	# -v: the request lines only
	run --separate-stderr -0 kd -v --kubeconfig "$SIM/kubeconfig" list v1 namespaces -o name
	[ "$stderr" = "kube_driver: GET /api/v1/namespaces HTTP/1.1" ]
}

@test "kube: no credentials over plain http" {
	kubeconfig "$TMP/kc/config" "    server: http://127.0.0.1:1" \
	    "    token: do-not-send"
	run --separate-stderr -1 kd -vv --kubeconfig "$TMP/kc/config" --request-timeout 1s list v1 namespaces
	[[ "$stderr" == "kube_driver: warning: not sending credentials to 'http://127.0.0.1:1' over plain http"$'\n'* ]]
	[[ "$stderr" != *do-not-send* && "$stderr" != *Authorization* ]]
}

@test "kube: KUBECONFIG merges files: first file wins, missing ones skipped, --context picks" {
	SIM="$TMP/east"
	sim_start "$TMP/east" --name east
	sim_start "$TMP/west" --name west
	export KUBECONFIG="$TMP/none:$TMP/east/kubeconfig:$TMP/west/kubeconfig"
	run --separate-stderr -0 kd config
	assert_line "context: east"
	assert_line "server: https://127.0.0.1:$(cat "$TMP/east/port")"
	run --separate-stderr -0 kd --context west list v1 nodes -o name
	assert_output west-node-1
	run --separate-stderr -0 kd --context west-cert list v1 nodes -o name
	assert_output west-node-1
	# a user "west" in an earlier file wins over west's own
	printf 'users:\n- name: west\n  user: {token: bogus}\n' >"$TMP/over.yaml"
	KUBECONFIG="$TMP/over.yaml:$KUBECONFIG" run --separate-stderr -1 kd --context west list v1 nodes
	[ "$stderr" = "kube_driver: the server has asked for the client to provide credentials (401 Unauthorized)" ]
	KUBECONFIG="$KUBECONFIG:$TMP/over.yaml" run --separate-stderr -0 kd --context west list v1 nodes -o name
	assert_output west-node-1
	# current-context from the first file that sets one
	printf 'current-context: west\n' >"$TMP/cur.yaml"
	KUBECONFIG="$TMP/cur.yaml:$KUBECONFIG" run --separate-stderr -0 kd list v1 nodes -o name
	assert_output west-node-1
	# --kubeconfig: that file alone, KUBECONFIG ignored
	run --separate-stderr -1 kd --kubeconfig "$TMP/west/kubeconfig" --context east config
	[ "$stderr" = "kube_driver: context 'east' not found" ]
	run --separate-stderr -1 kd --kubeconfig "$TMP/nope" config
	[ "$stderr" = "kube_driver: cannot open '$TMP/nope': No such file or directory" ]
	run --separate-stderr -1 kd --context nope config
	[ "$stderr" = "kube_driver: context 'nope' not found" ]
}

@test "kube: namespace from -n, else the context's, else default" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	sed 's/^    user: "sim"$/    user: "sim"\n    namespace: kube-system/' "$SIM/kubeconfig" >"$TMP/ns.yaml"
	run --separate-stderr -0 kd --kubeconfig "$TMP/ns.yaml" list v1 configmaps -o name
	run --separate-stderr -0 kd --kubeconfig "$TMP/ns.yaml" -n default list v1 configmaps -o name
	assert_equal "$(grep -c ' GET /api/v1/namespaces/default/configmaps 200$' "$SIM/requests.log")" 1
	run --separate-stderr -0 kd --kubeconfig "$TMP/ns.yaml" --context sim-cert config
	assert_line "namespace: default"
	run --separate-stderr -1 kd --kubeconfig "$TMP/ns.yaml" -n Bad_NS config
	[ "$stderr" = "kube_driver: invalid namespace 'Bad_NS'" ]
	grep -q ' GET /api/v1/namespaces/kube-system/configmaps 200$' "$SIM/requests.log"
}

@test "kube: in-cluster configuration when no kubeconfig exists" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	mkdir -p "$TMP/sa"
	cp "$SIM/token" "$TMP/sa/token"
	cp "$SIM/ca.crt" "$TMP/sa/ca.crt"
	echo kube-system >"$TMP/sa/namespace"
	unset KUBECONFIG
	export MESH_SERVICEACCOUNT_DIR="$TMP/sa" KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$(port)"
	run --separate-stderr -0 kd config
	assert_line "namespace: kube-system"
	assert_line "source: in-cluster configuration"
	run --separate-stderr -0 kd list v1 configmaps -o name
	assert_output kube-root-ca.crt
	grep -q 'sim-admin GET /api/v1/namespaces/kube-system/configmaps 200$' "$SIM/requests.log"
	POD_NAMESPACE=default run --separate-stderr -0 kd list v1 configmaps -o name
	grep -q 'sim-admin GET /api/v1/namespaces/default/configmaps 200$' "$SIM/requests.log"
	no_secrets
	unset KUBERNETES_SERVICE_HOST
	run --separate-stderr -1 kd config
	[ "$stderr" = "kube_driver: no kubeconfig found: use --kubeconfig or set KUBECONFIG" ]
}

@test "kube: TLS: only the kubeconfig's CA, tls-server-name, insecure-skip-tls-verify" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	sim_start "$TMP/c2"
	tls() {
		kubeconfig "$TMP/kc/config" "    server: https://127.0.0.1:$(port)
		$1" "    token: $(cat "$SIM/token")"
		run --separate-stderr kd --kubeconfig "$TMP/kc/config" list v1 namespaces -o name
	}
	tls "    certificate-authority: $SIM/ca.crt"
	assert_success
	tls "    insecure-skip-tls-verify: true"
	assert_success
	tls "    certificate-authority: $TMP/c2/ca.crt"
	assert_failure 1
	[ "$stderr" = "kube_driver: cannot GET 'https://127.0.0.1:$(port)/api/v1/namespaces': SSL certificate problem: self-signed certificate in certificate chain" ]
	tls "    tls-server-name: kubernetes.default.svc
	    certificate-authority: $SIM/ca.crt"
	assert_success
	tls "    tls-server-name: wrong.example
	    certificate-authority: $SIM/ca.crt"
	assert_failure 1
	[[ "$stderr" == "kube_driver: cannot GET 'https://wrong.example:$(port)/api/v1/namespaces': SSL: no alternative certificate subject name matches target host name 'wrong.example'" ]]
	no_secrets
}

@test "kube: proxy-url: requests go through the proxy" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	mkdir -p "$TMP/proxy"
	"$KFIX/connect-proxy" "$TMP/proxy" 3>&- &
	SIM_PIDS+=("$!")
	wait_for "$TMP/proxy/port" .
	kubeconfig "$TMP/kc/config" "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt
	    proxy-url: http://127.0.0.1:$(cat "$TMP/proxy/port")" "    token: $(cat "$SIM/token")"
	run --separate-stderr -0 kd --kubeconfig "$TMP/kc/config" list v1 namespaces -o name
	assert_line default
	run cat "$TMP/proxy/log"
	assert_output "CONNECT 127.0.0.1:$(port)"
}

@test "kube: 503 is retried with back-off, then reported once; a create is not retried" {
	SIM="$TMP/c1"
	sim_start "$SIM" --fail 503 --match '^(GET|POST) /api/v1/namespaces/default/configmaps'
	start=$SECONDS
	run --separate-stderr -1 kd --kubeconfig "$SIM/kubeconfig" list v1 configmaps
	[ "$stderr" = "kube_driver: the server is currently unable to handle the request (503 ServiceUnavailable)" ]
	# 5 requests, 0.2 + 0.4 + 0.8 + 1.6 s apart
	assert_equal "$(grep -c ' GET /api/v1/namespaces/default/configmaps 503$' "$SIM/requests.log")" 5
	[ $((SECONDS - start)) -ge 2 ]
	cm a 1 >"$TMP/a.yaml"
	run --separate-stderr -1 kd --kubeconfig "$SIM/kubeconfig" create "$TMP/a.yaml"
	assert_equal "$(grep -c ' POST /api/v1/namespaces/default/configmaps?fieldManager=kube_driver 503$' "$SIM/requests.log")" 1

	SIM="$TMP/c2"
	sim_start "$SIM" --fail 500 --fail-count 2 --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" list v1 configmaps -o name
	assert_output kube-root-ca.crt
	assert_equal "$(grep -c ' GET /api/v1/namespaces/default/configmaps 500$' "$SIM/requests.log")" 2
	assert_equal "$(grep -c ' GET /api/v1/namespaces/default/configmaps 200$' "$SIM/requests.log")" 1
}

@test "kube: 429 waits for Retry-After, POST included" {
	SIM="$TMP/c1"
	sim_start "$SIM" --fail 429 --fail-count 2 --retry-after 1 --match '^POST /api/v1/namespaces/default/configmaps'
	cm a 1 >"$TMP/a.yaml"
	start=$(date +%s%N)
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" create "$TMP/a.yaml" -o name
	assert_output a
	# two waits of a second each
	[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 2000 ]
	assert_equal "$(grep -c ' POST /api/v1/namespaces/default/configmaps?fieldManager=kube_driver 429$' "$SIM/requests.log")" 2
}

@test "kube: --request-timeout bounds a stalled request" {
	SIM="$TMP/c1"
	sim_start "$SIM" --stall 3 --match '^GET /api/v1/namespaces/default/configmaps'
	start=$(date +%s%N)
	run --separate-stderr -1 kd --kubeconfig "$SIM/kubeconfig" --request-timeout 500ms list v1 configmaps
	[ "$stderr" = "kube_driver: cannot GET 'https://127.0.0.1:$(port)/api/v1/namespaces/default/configmaps': no answer within 500ms" ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 2500 ]
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" --request-timeout 1m list v1 namespaces -o name
	assert_line default
	grep -q ' GET /api/v1/namespaces?timeout=1m 200$' "$SIM/requests.log" ||
	    grep -q ' GET /api/v1/namespaces?timeout=60s 200$' "$SIM/requests.log"
	run --separate-stderr -2 kd --kubeconfig "$SIM/kubeconfig" --request-timeout 5x config
	[ "$stderr" = "kube_driver: invalid value for '--request-timeout': '5x'" ]
}

@test "kube: watch lists, then streams events one by one" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	kd --kubeconfig "$SIM/kubeconfig" watch v1 configmaps --count 4 >"$TMP/w.out" 2>"$TMP/w.err" 3>&- &
	watcher=$!
	wait_for "$TMP/w.out" kube-root-ca.crt
	cm a 1 >"$TMP/a.yaml"
	kd --kubeconfig "$SIM/kubeconfig" apply "$TMP/a.yaml" -o name
	cm a 2 >"$TMP/a.yaml"
	kd --kubeconfig "$SIM/kubeconfig" apply "$TMP/a.yaml" -o name
	kd --kubeconfig "$SIM/kubeconfig" delete v1 configmaps a -o name
	wait "$watcher"
	run events "$TMP/w.out"
	assert_output "$(printf '%s\n' 'ADDED kube-root-ca.crt' 'ADDED a' \
	    'MODIFIED a' 'DELETED a')"
	grep -qE '^- \{type: ADDED, kind: ConfigMap, name: a, resourceVersion: "[0-9]+"\}$' "$TMP/w.out"
	run cat "$TMP/w.err"
	assert_output ''
}

@test "kube: a dropped watch resumes from the last resourceVersion, without a relist" {
	SIM="$TMP/c1"
	sim_start "$SIM" --drop-watch-after 1
	kd --kubeconfig "$SIM/kubeconfig" watch v1 configmaps --count 4 >"$TMP/w.out" 2>"$TMP/w.err" 3>&- &
	watcher=$!
	wait_for "$TMP/w.out" kube-root-ca.crt
	for k in 1 2 3; do
		cm a "$k" >"$TMP/a.yaml"
		kd --kubeconfig "$SIM/kubeconfig" apply "$TMP/a.yaml" -o name
		sleep 0.3
	done
	wait "$watcher"
	run events "$TMP/w.out"
	assert_output "$(printf '%s\n' 'ADDED kube-root-ca.crt' 'ADDED a' \
	    'MODIFIED a' 'MODIFIED a')"
	# one list, then one watch per event, each from the version before
	assert_equal "$(grep -c 'GET /api/v1/namespaces/default/configmaps 200$' "$SIM/requests.log")" 1
	[ "$(grep -c 'watch=true' "$SIM/requests.log")" -ge 3 ]
}

@test "kube: a watch from a forgotten resourceVersion gets 410 and relists" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	cm a 1 >"$TMP/a.yaml"
	kd --kubeconfig "$SIM/kubeconfig" create "$TMP/a.yaml" -o name
	kill -USR1 "${SIM_PIDS[0]}"
	sleep 0.2
	kd --kubeconfig "$SIM/kubeconfig" watch v1 configmaps --resource-version 1 --count 2 >"$TMP/w.out"
	run events "$TMP/w.out"
	assert_line 'ADDED kube-root-ca.crt'
	assert_line 'ADDED a'
	grep -q ' GET /api/v1/namespaces/default/configmaps?allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=[0-9]*&watch=true 200$' "$SIM/requests.log"
	grep -q ' GET /api/v1/namespaces/default/configmaps 200$' "$SIM/requests.log"
}

@test "kube: a server restart: requests retry until it is back, watches resume" {
	SIM="$TMP/c1"
	sim_start "$SIM" --restart-after 1.5 --restart-downtime 0.6
	kd --kubeconfig "$SIM/kubeconfig" watch v1 configmaps --count 2 >"$TMP/w.out" 2>"$TMP/w.err" 3>&- &
	watcher=$!
	wait_for "$TMP/w.out" kube-root-ca.crt
	sleep 1.4
	# during the downtime: refused connections are retried
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" list v1 namespaces -o name
	assert_line default
	cm a 1 >"$TMP/a.yaml"
	kd --kubeconfig "$SIM/kubeconfig" create "$TMP/a.yaml" -o name
	wait "$watcher"
	run events "$TMP/w.out"
	assert_output "$(printf '%s\n' 'ADDED kube-root-ca.crt' 'ADDED a')"
	run cat "$TMP/w.err"
	assert_output ''
}

@test "kube: bookmarks move the watch on; the deadline ends it with exit 3" {
	SIM="$TMP/c1"
	sim_start "$SIM" --bookmark-interval 0.2
	run --separate-stderr -3 kd --kubeconfig "$SIM/kubeconfig" watch v1 configmaps --bookmarks --deadline 1s
	assert_line -n 0 --partial '{type: ADDED, kind: ConfigMap, name: kube-root-ca.crt'
	assert_line --regexp '^- \{type: BOOKMARK, kind: ConfigMap, name: ~, resourceVersion: "[0-9]+"\}$'
	[ "$stderr" = "kube_driver: timed out" ]
}

@test "kube: TokenRequest issues a token that authenticates as the service account" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" token default --expiration 600
	assert_line --regexp '^expirationTimestamp: "[0-9-]+T[0-9:]+Z"$'
	token="$(sed -n 's/^token: //p' <<<"$output")"
	[ -n "$token" ]
	[[ "$stderr" != *"$token"* ]]
	kubeconfig "$TMP/kc/config" "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" "    token: $token"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 pods
	[ "$stderr" = 'kube_driver: pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default" (403 Forbidden)' ]
	run --separate-stderr -1 kd --kubeconfig "$SIM/kubeconfig" token default --expiration 60
	[[ "$stderr" == *"may not specify a duration less than 10 minutes"*"(422 Invalid)" ]]
}

@test "kube: control characters in anything sent as a header are refused before any request, the value unprinted" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	S="    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt"
	H='holds a control character, which cannot go into an HTTP header'
	kubeconfig "$TMP/kc/config" "$S" '    token: "tok\r\nX-Injected: secret-value"'
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:15:12: users[0].user.token: $H" ]
	kubeconfig "$TMP/kc/config" "$S" "    token: $(cat "$SIM/token")
	    as: \"admin\\nX-Injected: secret-value\""
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:16:9: users[0].user.as: $H" ]
	kubeconfig "$TMP/kc/config" "$S" "    token: $(cat "$SIM/token")
	    as: admin
	    as-uid: \"1\\r2\""
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:17:13: users[0].user.as-uid: $H" ]
	kubeconfig "$TMP/kc/config" "$S" "    token: $(cat "$SIM/token")
	    as: admin
	    as-groups: [ok, \"a\\u0007b\"]"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:17:16: users[0].user.as-groups: item 2 $H" ]
	printf 'tok\r\nX-Injected: secret-value\n' >"$TMP/tok"
	kubeconfig "$TMP/kc/config" "$S" "    tokenFile: $TMP/tok"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:15:16: users[0].user.tokenFile: '$TMP/tok' $H" ]
	kubeconfig "$TMP/kc/config" "$S" "    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      interactiveMode: Never
	      command: $KFIX/cred-plugin"
	CRED_TOKEN='tok\r\nX-Injected: secret-value' run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config: exec plugin '$KFIX/cred-plugin' returned a token that $H" ]
	# what goes into the URL, likewise
	kubeconfig "$TMP/kc/config" "    server: \"https://127.0.0.1:$(port)/\\r\\nX-Injected: 1\"" "    token: t"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	[ "$stderr" = "kube_driver: $TMP/kc/config:10:13: clusters[0].cluster.server: holds a control character, which cannot go into a URL" ]
	# nothing reached the server
	[ ! -s "$SIM/requests.log" ]
}

@test "kube: a missing certificate-authority file is one line, naming the field" {
	kubeconfig "$TMP/kc/config" "    server: https://127.0.0.1:1
	    certificate-authority: ca.crt" "    token: t"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" list v1 namespaces
	assert_output ''
	[ "$stderr" = "kube_driver: $TMP/kc/config:11:28: clusters[0].cluster.certificate-authority: cannot open '$TMP/kc/ca.crt': No such file or directory" ]
}

@test "kube: --request-timeout bounds the whole call: a Retry-After past it is not waited for" {
	SIM="$TMP/c1"
	sim_start "$SIM" --fail 429 --retry-after 100 --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr -1 kd --kubeconfig "$SIM/kubeconfig" --request-timeout 2s list v1 configmaps
	assert_output ''
	[ "$stderr" = "kube_driver: Too many requests, please try again later. (429 TooManyRequests); no time left to try again" ]
	assert_equal "$(grep -c ' GET /api/v1/namespaces/default/configmaps?timeout=2s 429$' "$SIM/requests.log")" 1
	# a Retry-After within it is waited for
	SIM="$TMP/c2"
	sim_start "$SIM" --fail 429 --fail-count 1 --retry-after 1 --match '^GET /api/v1/namespaces/default/configmaps'
	run --separate-stderr -0 kd --kubeconfig "$SIM/kubeconfig" --request-timeout 30s list v1 configmaps -o name
	assert_output kube-root-ca.crt
}

@test "kube: an exec plugin that hangs is stopped at --request-timeout, with what it started" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	kubeconfig "$TMP/kc/config" "    server: https://127.0.0.1:$(port)
	    certificate-authority: $SIM/ca.crt" "    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      interactiveMode: Never
	      command: $KFIX/hang-plugin"
	export HANG_PIDS="$TMP/pids"
	run --separate-stderr -1 kd --kubeconfig "$TMP/kc/config" --request-timeout 1s list v1 namespaces
	[ "$stderr" = "kube_driver: exec plugin '$KFIX/hang-plugin' gave no credentials before the time limit: stopped" ]
	"$KFIX/gone" "$HANG_PIDS"
	[ ! -s "$SIM/requests.log" ]
}

@test "kube: a kubeconfig in JSON with surrogate pairs reads as kubectl reads it" {
	SIM="$TMP/c1"
	sim_start "$SIM"
	# the simulated cluster's kubeconfig as JSON, with its context renamed
	# to one holding a character outside the BMP, written as \ud83d\ude00
	"$PYTHON" -c 'import sys, yaml, json
c = yaml.safe_load(open(sys.argv[1]))
for x in c["contexts"]:
    if x["name"] == c["current-context"]:
        x["name"] = "sim-\U0001F600"
c["current-context"] = "sim-\U0001F600"
print(json.dumps(c))' "$SIM/kubeconfig" > "$TMP/kc.json"
	grep -q '\\ud83d\\ude00' "$TMP/kc.json"
	run --separate-stderr -0 kd --kubeconfig "$TMP/kc.json" get v1 namespaces kube-system -o name
	assert_output kube-system
	run --separate-stderr -0 kd --kubeconfig "$TMP/kc.json" --context "sim-$(printf '\360\237\230\200')" get v1 namespaces kube-system -o name
	assert_output kube-system
}
