#!/usr/bin/env bats
# mesh-secret with -f mesh.yaml: every cacerts Secret and every remote
# secret a mesh description needs, each addressed (meshline.io/cluster,
# meshline.io/context) to the cluster it is applied to; the intermediates
# kept on disk beside the root, so that a re-run prints the same bytes;
# the remote secrets read from simulated clusters at once, applied to
# their targets with kubectl, and each one's kubeconfig reaching its
# source.

load helpers/common
load helpers/simcluster

sec() {
	timeout 120 ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/mesh-secret" "$@"
}

# mesh MODEL NAME[:ROLE]...: a mesh description on stdout.
describe() {
	local model="$1" c
	shift
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: %s\n' "$model"
	if [ "$model" = external ]; then
		printf '  external: {context: ext, address: istiod.mesh.example.com}\n'
	fi
	printf '  clusters:\n'
	for c in "$@"; do
		printf '  - {name: %s, network: n1%s}\n' "${c%%:*}" \
		    "$( [[ "$c" == *:* ]] && printf ', role: %s' "${c#*:}")"
	done
}

# addressed FILE: "cluster context kind name namespace" for each document.
addressed() {
	"$PYTHON" - "$1" <<-'PY'
	import sys, yaml
	for d in yaml.safe_load_all(open(sys.argv[1])):
	    if not d:
	        continue
	    m = d["metadata"]
	    a = m.get("annotations") or {}
	    print(a.get("meshline.io/cluster"), a.get("meshline.io/context"),
	          d["kind"], m["name"], m.get("namespace"))
	PY
}

# pick FILE CLUSTER OUT: the documents of FILE addressed to CLUSTER.
pick() {
	"$PYTHON" - "$1" "$2" "$3" <<-'PY'
	import sys, yaml
	docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and
	        d["metadata"]["annotations"]["meshline.io/cluster"] == sys.argv[2]]
	yaml.safe_dump_all(docs, open(sys.argv[3], "w"))
	PY
}

# data FILE CLUSTER KEY: one data entry, decoded, of CLUSTER's Secret.
data() {
	"$PYTHON" - "$@" <<-'PY'
	import base64, sys, yaml
	for d in yaml.safe_load_all(open(sys.argv[1])):
	    if d and d["metadata"]["annotations"]["meshline.io/cluster"] == sys.argv[2]:
	        sys.stdout.buffer.write(base64.b64decode(d["data"][sys.argv[3]]))
	PY
}

@test "cacerts -f: one root, one intermediate per cluster kept beside it, each Secret addressed to its cluster" {
	cd "$TMP"
	describe multi-primary c1 c2 c3 >mesh.yaml
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa
	printf '%s\n' "$output" >a.yaml
	[ "$(addressed a.yaml)" = "c1 c1 Secret cacerts istio-system
c2 c2 Secret cacerts istio-system
c3 c3 Secret cacerts istio-system" ]
	[ "${stderr_lines[0]}" = "mesh-secret: new root CA in mesh-ca (keep mesh-ca/root-key.pem safe: it signs everything made from it)" ]
	[ "${stderr_lines[3]}" = "mesh-secret: new intermediate CA in mesh-ca/c3 (keep mesh-ca/c3/ca-key.pem safe: it signs everything made from it)" ]
	for c in c1 c2 c3; do
		# Istio's Makefile layout: the Secret holds what the folder does
		for f in ca-cert.pem ca-key.pem cert-chain.pem root-cert.pem; do
			cmp <(data a.yaml "$c" "$f") "mesh-ca/$c/$f"
		done
		cmp mesh-ca/root-cert.pem "mesh-ca/$c/root-cert.pem"
		cmp <(cat "mesh-ca/$c/ca-cert.pem" mesh-ca/root-cert.pem) "mesh-ca/$c/cert-chain.pem"
		run -0 openssl verify -CAfile mesh-ca/root-cert.pem "mesh-ca/$c/ca-cert.pem"
		run -0 openssl x509 -noout -subject -in "mesh-ca/$c/ca-cert.pem"
		[ "$output" = "subject=O = Istio, CN = Intermediate CA, L = $c" ]
		[ "$(stat -c %a "mesh-ca/$c" "mesh-ca/$c/ca-key.pem" | tr '\n' ' ')" = "700 600 " ]
	done
	# three intermediates, one root: the check of the Secrets agrees
	run --separate-stderr -0 sec cacerts --verify -f a.yaml
	[ "${#lines[@]}" -eq 3 ]
}

@test "cacerts -f: a re-run prints the same bytes; --rotate CLUSTER changes that cluster's intermediate only" {
	cd "$TMP"
	describe primary-remote c1:primary c2:remote c3:remote >mesh.yaml
	sec cacerts -f mesh.yaml --key-type ecdsa >a.yaml 2>/dev/null
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa
	[ -z "$stderr" ]
	cmp a.yaml <(printf '%s\n' "$output")
	# JSON too, from the same files
	run --separate-stderr -0 sec cacerts -f mesh.yaml -o json
	j1="$output"
	run --separate-stderr -0 sec cacerts -f mesh.yaml -o json
	[ "$output" = "$j1" ]
	old=$(cat mesh-ca/c2/ca-cert.pem)
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa --rotate c2
	[ "$stderr" = "mesh-secret: new intermediate CA in mesh-ca/c2 (keep mesh-ca/c2/ca-key.pem safe: it signs everything made from it)" ]
	printf '%s\n' "$output" >b.yaml
	[ "$(cat mesh-ca/c2/ca-cert.pem)" != "$old" ]
	for f in ca-cert.pem ca-key.pem cert-chain.pem; do
		cmp <(data a.yaml c1 "$f") <(data b.yaml c1 "$f")
		cmp <(data a.yaml c3 "$f") <(data b.yaml c3 "$f")
		run -1 cmp -s <(data a.yaml c2 "$f") <(data b.yaml c2 "$f")
	done
	cmp <(data a.yaml c2 root-cert.pem) <(data b.yaml c2 root-cert.pem)
	run -0 openssl verify -CAfile mesh-ca/root-cert.pem mesh-ca/c2/ca-cert.pem
	[ "$(stat -c %a mesh-ca/c2/ca-key.pem)" = 600 ]
	# and the rotated one is kept in turn
	run --separate-stderr -0 sec cacerts -f mesh.yaml
	cmp b.yaml <(printf '%s\n' "$output")
	# --cluster keeps one cluster's Secret, the same bytes
	run --separate-stderr -0 sec cacerts -f mesh.yaml --cluster c3
	[ "$(addressed <(printf '%s\n' "$output"))" = "c3 c3 Secret cacerts istio-system" ]
	cmp <(data b.yaml c3 ca-key.pem) <(data <(printf '%s\n' "$output") c3 ca-key.pem)
}

@test "cacerts -f: the external control plane gets its intermediate first, in the description's namespace" {
	cd "$TMP"
	describe external r1 r2 >mesh.yaml
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa --root-dir ca
	[ "$(addressed <(printf '%s\n' "$output"))" = "external ext Secret cacerts external-istiod
r1 r1 Secret cacerts external-istiod
r2 r2 Secret cacerts external-istiod" ]
	run -0 openssl x509 -noout -ext subjectAltName -in ca/external/ca-cert.pem
	[[ "$output" == *"DNS:istiod.external-istiod.svc"* ]]
}

@test "cacerts -f: an intermediate that is not the root's, or half of one, is refused with nothing printed" {
	cd "$TMP"
	describe multi-primary c1 c2 >mesh.yaml
	sec cacerts -f mesh.yaml --key-type ecdsa >/dev/null 2>&1
	# a root made again: the kept intermediates are another root's
	mv mesh-ca/c1 keep-c1
	rm mesh-ca/root-*.pem
	mv keep-c1 mesh-ca/c1
	run --separate-stderr -1 sec cacerts -f mesh.yaml --key-type ecdsa
	[ -z "$output" ]
	[[ "$stderr" == *"mesh-secret: 'mesh-ca/c1/root-cert.pem' is not the root in use: the CA in 'mesh-ca/c1' was made under another root; make it again (--rotate)" ]]
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa --rotate c1 --rotate c2
	run -0 openssl verify -CAfile mesh-ca/root-cert.pem mesh-ca/c1/ca-cert.pem mesh-ca/c2/ca-cert.pem
	rm mesh-ca/c2/cert-chain.pem
	run --separate-stderr -1 sec cacerts -f mesh.yaml
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: 'mesh-ca/c2/ca-key.pem' exists but 'mesh-ca/c2/cert-chain.pem' does not; nothing was written" ]
	ln -s ../c1/ca-key.pem mesh-ca/c2/cert-chain.pem
	run --separate-stderr -1 sec cacerts -f mesh.yaml
	[ "$stderr" = "mesh-secret: 'mesh-ca/c2/cert-chain.pem' is a symbolic link; a CA's files must be regular files, and links are not followed" ]
}

# listing DIR: every entry below DIR, hidden ones too, with its mode,
# size and, for a file, its SHA-256.
listing() {
	find "$1" -printf '%p %m %s\n' | sort
	find "$1" -type f -exec sha256sum {} + | sort
}

@test "cacerts -f: a cluster that fails takes back the root and the intermediates made before it, and no note names them" {
	cd "$TMP"
	describe multi-primary c1 c2 >mesh.yaml
	# half of c2's CA, left by hand: c2 fails after the root and c1 are made
	mkdir -m 700 mesh-ca mesh-ca/c2
	echo stale >mesh-ca/c2/root-cert.pem
	before=$(listing mesh-ca)
	run --separate-stderr -1 sec cacerts -f mesh.yaml --key-type ecdsa
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: 'mesh-ca/c2/root-cert.pem' exists but 'mesh-ca/c2/ca-key.pem' does not; nothing was written" ]
	[ "$(listing mesh-ca)" = "$before" ]
	# once c2 can be made, the run succeeds and announces all three
	rm mesh-ca/c2/root-cert.pem
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "${stderr_lines[0]}" = "mesh-secret: new root CA in mesh-ca (keep mesh-ca/root-key.pem safe: it signs everything made from it)" ]
	[ "${stderr_lines[1]}" = "mesh-secret: new intermediate CA in mesh-ca/c1 (keep mesh-ca/c1/ca-key.pem safe: it signs everything made from it)" ]
	[ "${stderr_lines[2]}" = "mesh-secret: new intermediate CA in mesh-ca/c2 (keep mesh-ca/c2/ca-key.pem safe: it signs everything made from it)" ]
	run -0 openssl verify -CAfile mesh-ca/root-cert.pem mesh-ca/c1/ca-cert.pem mesh-ca/c2/ca-cert.pem
}

@test "cacerts -f --rotate: a run that fails leaves the old intermediate byte for byte, and one that succeeds replaces it" {
	cd "$TMP"
	describe multi-primary c1 c2 c3 >mesh.yaml
	sec cacerts -f mesh.yaml --key-type ecdsa >a.yaml 2>/dev/null
	# c1 is rotated first, then c3 fails
	rm mesh-ca/c3/cert-chain.pem
	before=$(listing mesh-ca)
	run --separate-stderr -1 sec cacerts -f mesh.yaml --key-type ecdsa --rotate c1
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: 'mesh-ca/c3/ca-key.pem' exists but 'mesh-ca/c3/cert-chain.pem' does not; nothing was written" ]
	[ "$(listing mesh-ca)" = "$before" ]
	# two rotated before the one that fails: both stay as they were
	run --separate-stderr -1 sec cacerts -f mesh.yaml --key-type ecdsa --rotate c1 --rotate c2
	[ -z "$output" ]
	[ "$(listing mesh-ca)" = "$before" ]
	rm -r mesh-ca/c3
	run --separate-stderr -0 sec cacerts -f mesh.yaml --key-type ecdsa --rotate c1
	[ "${stderr_lines[0]}" = "mesh-secret: new intermediate CA in mesh-ca/c1 (keep mesh-ca/c1/ca-key.pem safe: it signs everything made from it)" ]
	[ "${stderr_lines[1]}" = "mesh-secret: new intermediate CA in mesh-ca/c3 (keep mesh-ca/c3/ca-key.pem safe: it signs everything made from it)" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	printf '%s\n' "$output" >b.yaml
	run -1 cmp -s <(data a.yaml c1 ca-key.pem) mesh-ca/c1/ca-key.pem
	cmp <(data b.yaml c1 ca-key.pem) mesh-ca/c1/ca-key.pem
	cmp <(data a.yaml c2 ca-key.pem) mesh-ca/c2/ca-key.pem
	# nothing else is left beside the intermediate's files
	[ "$(ls -A mesh-ca/c1 | tr '\n' ' ')" = "ca-cert.pem ca-key.pem cert-chain.pem root-cert.pem " ]
}

@test "cacerts -f and remote -f: usage errors" {
	cd "$TMP"
	describe multi-primary c1 c2 >mesh.yaml
	run --separate-stderr -2 sec cacerts --rotate c1 --cluster c1
	[ "${stderr_lines[0]}" = "mesh-secret: cacerts --rotate needs -f mesh.yaml" ]
	run --separate-stderr -2 sec cacerts -f mesh.yaml --istio-namespace x
	[ "${stderr_lines[0]}" = "mesh-secret: cacerts -f does not take --istio-namespace: the mesh description says it" ]
	run --separate-stderr -2 sec cacerts -f mesh.yaml -f mesh.yaml
	[ "${stderr_lines[0]}" = "mesh-secret: cacerts takes one mesh description (-f)" ]
	run --separate-stderr -2 sec cacerts -f mesh.yaml --cluster c1 --cluster c2
	[ "${stderr_lines[0]}" = "mesh-secret: --cluster is given twice: with -f it keeps one cluster's Secrets" ]
	run --separate-stderr -2 sec cacerts -f mesh.yaml --rotate 'c_1'
	[ "${stderr_lines[0]}" = "mesh-secret: invalid value for '--rotate': 'c_1' (letters, digits and '-', at most 63)" ]
	run --separate-stderr -1 sec cacerts -f mesh.yaml --rotate c9
	[ "$stderr" = "mesh-secret: mesh.yaml: --rotate c9: no such cluster in the mesh description" ]
	run --separate-stderr -1 sec cacerts -f mesh.yaml --cluster c9
	[ "$stderr" = "mesh-secret: --cluster 'c9': mesh.yaml has no such cluster (it has c1, c2)" ]
	[ ! -e mesh-ca ]
	run --separate-stderr -2 sec remote -f mesh.yaml --context c1
	[ "${stderr_lines[0]}" = "mesh-secret: remote -f does not take --context: the mesh description says it" ]
	run --separate-stderr -2 sec remote -f mesh.yaml --kubeconfig -
	[ "${stderr_lines[0]}" = "mesh-secret: remote -f reads the kubeconfig once for each cluster: it cannot be the standard input" ]
	run --separate-stderr -2 sec remote --cluster c1
	[ "${stderr_lines[0]}" = "mesh-secret: remote --cluster needs -f mesh.yaml" ]
	run --separate-stderr -1 sec remote -f <(describe multi-primary c1)
	[[ "$stderr" == *": no remote secret goes to any cluster: there is no cluster another one's istiod reads" ]]
}

@test "cacerts -f: the API server of each cluster takes its Secret" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	cd "$TMP"
	sim_start "$TMP/c1" --name c1
	sim_start "$TMP/c2" --name c2
	export KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig"
	describe multi-primary c1 c2 >mesh.yaml
	sec cacerts -f mesh.yaml --key-type ecdsa >a.yaml 2>/dev/null
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n' >ns.yaml
	for c in c1 c2; do
		pick a.yaml "$c" "$c.yaml"
		timeout 60 kubectl --context "$c" apply -f ns.yaml
		run -0 timeout 60 kubectl --context "$c" apply -f "$c.yaml"
		[ "$output" = "secret/cacerts created" ]
		run -0 timeout 60 kubectl --context "$c" get secret -n istio-system cacerts -o 'jsonpath={.metadata.annotations.meshline\.io/cluster}'
		[ "$output" = "$c" ]
	done
}

# inner_of FILE TARGET SOURCE: the kubeconfig inside the Secret of
# SOURCE that goes to TARGET.
inner_of() {
	"$PYTHON" - "$@" <<-'PY'
	import sys, yaml
	for d in yaml.safe_load_all(open(sys.argv[1])):
	    if d and d["metadata"]["annotations"]["meshline.io/cluster"] == sys.argv[2]:
	        for k, v in d["stringData"].items():
	            if k in (sys.argv[3], "config"):
	                sys.stdout.write(v)
	PY
}

# check_reaches FILE TARGET SOURCE: the kubeconfig in SOURCE's Secret for
# TARGET reaches SOURCE's API server (its kube-system UID).
check_reaches() {
	inner_of "$1" "$2" "$3" >"$TMP/inner-$2-$3.kc"
	[ -s "$TMP/inner-$2-$3.kc" ]
	run -0 timeout 60 kubectl --kubeconfig "$TMP/inner-$2-$3.kc" get namespace kube-system -o 'jsonpath={.metadata.uid}'
	[ "$output" = "$(cat "$TMP/$3/kube-system-uid")" ]
}

@test "remote -f: multi-primary, every cluster's secret to every other, read at once, applied and working" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	cd "$TMP"
	for c in c1 c2 c3; do sim_start "$TMP/$c" --name "$c"; done
	export KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig:$TMP/c3/kubeconfig"
	describe multi-primary c1 c2 c3 >mesh.yaml
	run --separate-stderr -0 sec remote -f mesh.yaml --allow-loopback
	[ -z "$stderr" ]
	printf '%s\n' "$output" >s.yaml
	[ "$(addressed s.yaml)" = "c1 c1 Secret istio-remote-secret-c2 istio-system
c1 c1 Secret istio-remote-secret-c3 istio-system
c2 c2 Secret istio-remote-secret-c1 istio-system
c2 c2 Secret istio-remote-secret-c3 istio-system
c3 c3 Secret istio-remote-secret-c1 istio-system
c3 c3 Secret istio-remote-secret-c2 istio-system" ]
	for t in c1 c2 c3; do
		pick s.yaml "$t" "$t.yaml"
		run -0 timeout 60 kubectl --context "$t" apply -f "$t.yaml"
		[ "${#lines[@]}" -eq 2 ]
		for s in c1 c2 c3; do
			[ "$s" = "$t" ] || check_reaches s.yaml "$t" "$s"
		done
		run -0 timeout 60 kubectl --context "$t" get secrets -n istio-system -l istio/multiCluster=true -o name
		[ "${#lines[@]}" -eq 2 ]
	done
	# one target: only what goes there, and the other sources' only
	n3=$(wc -l <"$TMP/c3/requests.log")
	run --separate-stderr -0 sec remote -f mesh.yaml --allow-loopback --cluster c3
	[ "$(addressed <(printf '%s\n' "$output"))" = "c3 c3 Secret istio-remote-secret-c1 istio-system
c3 c3 Secret istio-remote-secret-c2 istio-system" ]
	[ "$(wc -l <"$TMP/c3/requests.log")" -eq "$n3" ]
}

@test "remote -f: primary-remote, each remote's secret to its primary" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	cd "$TMP"
	for c in c1 c2 c3; do sim_start "$TMP/$c" --name "$c"; done
	export KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig:$TMP/c3/kubeconfig"
	describe primary-remote c1:primary c2:remote c3:remote >mesh.yaml
	n1=$(wc -l <"$TMP/c1/requests.log")
	run --separate-stderr -0 sec remote -f mesh.yaml --allow-loopback
	printf '%s\n' "$output" >s.yaml
	[ "$(addressed s.yaml)" = "c1 c1 Secret istio-remote-secret-c2 istio-system
c1 c1 Secret istio-remote-secret-c3 istio-system" ]
	# the primary's own credentials are read by no one: not asked for
	[ "$(wc -l <"$TMP/c1/requests.log")" -eq "$n1" ]
	timeout 60 kubectl --context c1 apply -f <(printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n')
	run -0 timeout 60 kubectl --context c1 apply -f s.yaml
	check_reaches s.yaml c1 c2
	check_reaches s.yaml c1 c3
	run --separate-stderr -1 sec remote -f mesh.yaml --allow-loopback --cluster c2
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: mesh.yaml: no remote secret goes to cluster 'c2': no other cluster's istiod reads it" ]
}

# account CONTEXT SA: the account in external-istiod, allowed to read
# namespaces, as Istio's remote profile installs it.
account() {
	cat >"$TMP/$1-sa.yaml" <<-EOF
	apiVersion: v1
	kind: Namespace
	metadata: {name: external-istiod}
	---
	apiVersion: v1
	kind: ServiceAccount
	metadata: {name: $2, namespace: external-istiod}
	---
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRole
	metadata: {name: $2-read}
	rules:
	- {apiGroups: [""], resources: [namespaces], verbs: [get, list, watch]}
	---
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRoleBinding
	metadata: {name: $2-read}
	roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: $2-read}
	subjects:
	- {kind: ServiceAccount, name: $2, namespace: external-istiod}
	EOF
	timeout 60 kubectl --context "$1" apply -f "$TMP/$1-sa.yaml"
}

@test "remote -f: external control plane, the config cluster's istio-kubeconfig and the other remote's secret to the external cluster" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	cd "$TMP"
	for c in ext r1 r2; do sim_start "$TMP/$c" --name "$c"; done
	export KUBECONFIG="$TMP/ext/kubeconfig:$TMP/r1/kubeconfig:$TMP/r2/kubeconfig"
	describe external r1 r2 >mesh.yaml
	# as the guide has it: istiod's accounts and their RBAC come with
	# Istio's remote profile
	account r1 istiod
	account r2 istio-reader-service-account
	run --separate-stderr -0 sec remote -f mesh.yaml --allow-loopback
	printf '%s\n' "$output" >s.yaml
	[ "$(addressed s.yaml)" = "external ext Secret istio-kubeconfig external-istiod
external ext Secret istio-remote-secret-r2 external-istiod" ]
	timeout 60 kubectl --context ext apply -f <(printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: external-istiod}\n')
	run -0 timeout 60 kubectl --context ext apply -f s.yaml
	check_reaches s.yaml external r1
	check_reaches s.yaml external r2
	# nothing created that Istio's profile makes: no account, no RBAC
	[ -z "$(grep 'fieldManager=mesh-secret' "$TMP/r1/requests.log" "$TMP/r2/requests.log" | grep -v '/secrets?')" ]
	# without the accounts it is an error, as in the guide
	timeout 60 kubectl --context r2 delete serviceaccount -n external-istiod istio-reader-service-account
	run --separate-stderr -1 sec remote -f mesh.yaml --allow-loopback
	[ -z "$output" ]
	[[ "$stderr" == *"mesh-secret: mesh.yaml: cluster r2 (context r2): cannot read the credentials of its remote secret" ]]
}

@test "remote -f: one cluster down fails the run, naming it, with nothing printed" {
	cd "$TMP"
	for c in c1 c2; do sim_start "$TMP/$c" --name "$c"; done
	export KUBECONFIG="$TMP/c1/kubeconfig:$TMP/c2/kubeconfig"
	describe multi-primary c1 c2 >mesh.yaml
	kill -TERM "$(cat "$TMP/c2/pid")"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$(cat "$TMP/c2/pid")" 2>/dev/null || break
		sleep 0.05
	done
	run --separate-stderr -1 sec remote -f mesh.yaml --allow-loopback --request-timeout 5s
	[ -z "$output" ]
	[ "${stderr_lines[-1]}" = "mesh-secret: mesh.yaml: cluster c2 (context c2): cannot read the credentials of its remote secret" ]
	[[ "$stderr" != *"cluster c1 (context c1)"* ]]
}
