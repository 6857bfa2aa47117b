#!/usr/bin/env bats
# examples/mesh.mk: a whole mesh from its description.  plan renders the
# files the description makes, touching no cluster; install runs every
# step of the model's guide on simulated clusters, in order, with the
# istioctl stand-in; a second install changes nothing; verify checks what
# the API can tell; a cluster that is down stops the run, named.

load helpers/common
load helpers/simcluster

MK="$ROOT/examples/mesh.mk"
ISTIOCTL_STANDIN="$TESTS/simcluster/istioctl"

# mk TARGET [VAR=value...]: run mesh.mk on $TMP/mesh.yaml into $TMP/out.
mk() {
	timeout 300 make --no-print-directory -C "$TMP" -f "$MK" \
	    MESH=mesh.yaml OUT=out MESHBIN="$MESH_BUILD/" \
	    ISTIOCTL="$ISTIOCTL_STANDIN" SECRETFLAGS=--allow-loopback \
	    WAITFLAGS="--timeout 60s" "$@"
}

# clusters NAME...: start a simulated cluster for each (its context is
# NAME), load balancer addresses apart, and point KUBECONFIG at them all.
clusters() {
	local c i=0 kc=""
	for c in "$@"; do
		i=$((i + 1))
		sim_start "$TMP/sim/$c" --name "$c" --lb-ip "172.18.$i.10" \
		    --pod-delay 0.05 --deployment-delay 0.05 --lb-delay 0.05 \
		    --token-delay 0.05 --webhook-delay 0.05
		kc="$kc${kc:+:}$TMP/sim/$c/kubeconfig"
	done
	export KUBECONFIG="$kc"
}

# describe MODEL NAME[:ROLE[:NETWORK]]...: a mesh description, each
# cluster's context its name.
describe() {
	local model="$1" c name rest role net
	shift
	{
		printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\n'
		printf 'metadata: {name: mesh1}\nspec:\n  model: %s\n' "$model"
		if [ "$model" = external ]; then
			printf '  external: {context: external, address: istiod.mesh.example.com}\n'
		fi
		printf '  clusters:\n'
		for c in "$@"; do
			IFS=: read -r name role net <<<"$c"
			printf '  - name: %s\n    context: %s\n    network: %s\n' \
			    "$name" "$name" "${net:-net-$name}"
			[ -z "$role" ] || printf '    role: %s\n' "$role"
		done
	} >"$TMP/mesh.yaml"
}

# planned: the files of the plan, "cluster/NN-step", sorted.
planned() {
	(cd "$TMP/out" && ls -d */[0-9][0-9]-*.yaml) | sed 's/\.[a-z]*\.yaml$//' | sort
}

# listed WHEN...: the rows of mesh-render --steps made then, as planned.
listed() {
	mesh-render -f "$TMP/mesh.yaml" --steps |
	    awk -F'\t' -v when="$*" 'index(" " when " ", " " $6 " ") {
		print $3 "/" $1 "-" $2 }' | sort
}

@test "mesh.mk plan: every example renders, exactly the steps the description makes, and no cluster is asked" {
	local ex
	for ex in "$ROOT"/examples/mesh/*.yaml; do
		cp "$ex" "$TMP/mesh.yaml"
		rm -rf "$TMP/out"
		KUBECONFIG="$TMP/none" run mk plan CA="$TMP/ca" TLS=self-signed
		assert_success
		assert_output --partial "== plan: mesh.yaml into out"
		diff <(planned) <(listed plan) || {
			echo "plan of $ex differs from --steps"
			return 1
		}
	done
}

@test "mesh.mk plan: without TLS=self-signed the external istiod's certificate is the operator's" {
	cp "$ROOT/examples/mesh/external.yaml" "$TMP/mesh.yaml"
	run mk plan CA="$TMP/ca"
	assert_success
	[ ! -e "$TMP/out/external/04-tls-secret.kubectl.yaml" ]
	[ ! -d "$TMP/mesh-tls-ca" ]
	diff <(planned) <(listed plan | grep -v tls-secret)	# a plan made with TLS=self-signed, then TLS=none: the operator's
	# certificate is not overwritten by the old one
	run mk plan CA="$TMP/ca" TLS=self-signed
	[ -e "$TMP/out/external/04-tls-secret.kubectl.yaml" ]
	run mk plan CA="$TMP/ca"
	assert_success
	[ ! -e "$TMP/out/external/04-tls-secret.kubectl.yaml" ]
}

@test "mesh.mk plan: a remote without its discoveryAddress is left for install, said so" {
	describe primary-remote cluster1:primary cluster2:remote
	run mk plan CA="$TMP/ca"
	assert_success
	assert_output --partial "the control plane of remote 'cluster2' is left for later"
	[ ! -e "$TMP/out/cluster2/06-control-plane.istioctl.yaml" ]
	[ -e "$TMP/out/cluster2/01-namespace.kubectl.yaml" ]
	run listed install
	assert_line cluster2/06-control-plane
}

@test "mesh.mk plan: a mesh of Helm releases is refused before anything is written, and istioctl may be asked" {
	sed 's/^  model:/  installer: helm\n  model:/' "$ROOT/examples/mesh/external.yaml" > "$TMP/mesh.yaml"
	run mk plan
	assert_failure
	assert_output --partial "mesh.mk: mesh.yaml asks for Helm releases (spec.installer: helm, or --installer helm in MESHFLAGS, RENDERFLAGS or GWFLAGS)"
	[ ! -e "$TMP/out" ]
	run mk install
	assert_failure
	[ ! -e "$TMP/out" ]
	run mk plan MESHFLAGS="--installer istioctl"
	assert_success
	[ -e "$TMP/out/external/07-external-istiod.istioctl.yaml" ]
	[ -z "$(find "$TMP/out" -name '*.helm.yaml')" ]
	# asked of one program alone, by its flags
	rm -rf "$TMP/out"
	cp "$ROOT/examples/mesh/external.yaml" "$TMP/mesh.yaml"
	for flags in RENDERFLAGS GWFLAGS; do
		run mk plan "$flags=--installer helm"
		assert_failure
		assert_output --partial "asks for Helm releases"
		[ ! -e "$TMP/out" ]
	done
}

@test "mesh.mk plan: a bad description stops make before anything is written" {
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec: {model: nope}\n' >"$TMP/mesh.yaml"
	run mk plan
	assert_failure
	assert_output --partial "mesh.yaml"
	assert_output --partial "mesh-render --steps failed"
	[ ! -e "$TMP/out" ]
}

@test "mesh.mk install: multi-primary on three networks under make -j, verify, and a second install changes nothing" {
	clusters c1 c2 c3
	describe multi-primary c1 c2 c3
	run mk -j3 install CA="$TMP/ca"
	assert_success
	assert_output --partial "== installed: mesh.yaml (6 steps)"
	# each cluster reads the two others
	for c in c1 c2 c3; do
		run kubectl --context "$c" get secrets -n istio-system \
		    -l istio/multiCluster=true -o name
		assert_success
		[ "${#lines[@]}" -eq 2 ]
		run kubectl --context "$c" get svc -n istio-system \
		    istio-eastwestgateway -o 'jsonpath={.status.loadBalancer.ingress[0].ip}'
		assert_output --regexp '^172\.18\.[0-9]+\.[0-9]+$'
		run kubectl --context "$c" get gateway.networking.istio.io \
		    -n istio-system cross-network-gateway -o name
		assert_success
	done
	run mk verify
	assert_success
	assert_output --partial "== verified: mesh.yaml"
	(cd "$TMP/out" && sha256sum */*.yaml) >"$TMP/sums"
	(cd "$TMP/ca" && find . -type f -exec sha256sum {} +) | sort >"$TMP/ca.sums"
	run mk -j3 install CA="$TMP/ca"
	assert_success
	(cd "$TMP/out" && sha256sum */*.yaml) | diff "$TMP/sums" -
	(cd "$TMP/ca" && find . -type f -exec sha256sum {} +) | sort | diff "$TMP/ca.sums" -
	run kubectl --context c1 get secrets -n istio-system -l istio/multiCluster=true -o name
	[ "${#lines[@]}" -eq 2 ]
}

@test "mesh.mk install: primary-remote reads the primary's east-west address back into the remotes' control planes" {
	clusters p r1 r2
	describe primary-remote p:primary r1:remote r2:remote
	run mk install CA="$TMP/ca"
	assert_success
	addr=$(kubectl --context p get svc -n istio-system istio-eastwestgateway \
	    -o 'jsonpath={.status.loadBalancer.ingress[0].ip}')
	[ -n "$addr" ]
	assert_output --partial "r1: discoveryAddress $addr from the east-west gateway of p"
	run py_yaml "$TMP/out/mesh.yaml" '[c.get("discoveryAddress") for c in d[0]["spec"]["clusters"]]'
	assert_output "[null, \"$addr\", \"$addr\"]"
	# the description given is left as it was
	run grep -c discoveryAddress "$TMP/mesh.yaml"
	assert_output 0
	for r in r1 r2; do
		run py_yaml "$TMP/out/$r/06-control-plane.istioctl.yaml" 'd[0]["spec"]["values"]["global"]["remotePilotAddress"]'
		assert_output "\"$addr\""
	done
	# the primary reads both remotes
	run kubectl --context p get secrets -n istio-system -l istio/multiCluster=true -o name
	assert_line secret/istio-remote-secret-r1
	assert_line secret/istio-remote-secret-r2
	# the steps ran in the guide's order, the secret before the remotes' gateways
	run grep -n -e '^== 06 control-plane: r1' -e '^== 07 remote-secret: p' -e '^== 08 eastwest-gateway: r1' <<<"$(mk install CA="$TMP/ca")"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == *"06 control-plane"* && "${lines[1]}" == *"07 remote-secret"* && "${lines[2]}" == *"08 eastwest-gateway"* ]]
	run mk verify
	assert_success
	# a plan rendered again keeps the remotes' control planes for verify
	run mk plan CA="$TMP/ca"
	assert_success
	[ -e "$TMP/out/r1/06-control-plane.istioctl.yaml" ]
	run mk verify
	assert_success
	assert_output --partial "-f out/r1/06-control-plane.istioctl.yaml"
}

@test "mesh.mk install: an external control plane with two remotes, its config secret first" {
	clusters external r1 r2
	describe external r1 r2
	run mk -j3 install CA="$TMP/ca" TLS=self-signed TLSCA="$TMP/tlsca"
	assert_success
	assert_output --partial "== installed: mesh.yaml (12 steps)"
	run kubectl --context external get secrets -n external-istiod -o name
	assert_line secret/istio-kubeconfig
	assert_line secret/istio-remote-secret-r2
	run kubectl --context external get secret -n istio-system istiod-tls -o name
	assert_success
	run kubectl --context external get deploy -n external-istiod istiod -o name
	assert_success
	run mk verify
	assert_success
	assert_output --partial "04-tls-secret.kubectl.yaml"
}

@test "mesh.mk install: a cluster that is down stops the run at its first step, named" {
	clusters c1 c2 c3
	describe multi-primary c1 c2 c3
	kill -TERM "${SIM_PIDS[1]}"
	wait "${SIM_PIDS[1]}" || true
	run mk install CA="$TMP/ca"
	assert_failure
	assert_output --partial "install/c2/01-namespace"
	refute_output --partial "== 02 cacerts"
	refute_output --partial "== installed"
}

@test "mesh.mk verify: a remote secret taken away is found" {
	clusters c1 c2
	describe multi-primary c1 c2
	run mk install CA="$TMP/ca"
	assert_success
	kubectl --context c1 delete secret -n istio-system istio-remote-secret-c2
	run mk verify
	assert_failure
	assert_output --partial "istio-remote-secret-c2"
}

@test "mesh.mk verify and wait before install: nothing installed, said so" {
	describe multi-primary c1 c2
	run mk verify
	assert_failure
	assert_output --partial "nothing installed in out: run install"
	run mk wait
	assert_failure
	assert_output --partial "nothing installed in out: run install"
}

@test "mesh.mk clean: the plan goes, the CAs stay" {
	cp "$ROOT/examples/mesh/multi-primary.yaml" "$TMP/mesh.yaml"
	run mk plan CA="$TMP/ca"
	assert_success
	[ -d "$TMP/out" ] && [ -f "$TMP/ca/root-key.pem" ]
	run mk clean CA="$TMP/ca"
	assert_success
	[ ! -e "$TMP/out" ] && [ -f "$TMP/ca/root-key.pem" ]
}

@test "mesh.mk clean goes alone" {
	cp "$ROOT/examples/mesh/multi-primary.yaml" "$TMP/mesh.yaml"
	run mk clean plan
	assert_failure
	assert_output --partial "clean goes alone: run it, then plan"
	[ ! -e "$TMP/out" ]
}

@test "mesh.mk steps prints the mesh's steps" {
	cp "$ROOT/examples/mesh/external.yaml" "$TMP/mesh.yaml"
	run mk steps
	assert_success
	assert_line --index 0 "$(printf '01\tnamespace\texternal\tkind-external\tmesh-render\tplan\t-')"
	[ "${#lines[@]}" -eq 17 ]
	# the services are exposed in the config cluster alone
	assert_line "$(printf '12\texpose-services\tremote1\tkind-remote1\tmesh-gw\tplan\t-')"
	refute_line --partial "expose-services	remote2"
}

@test "mesh.mk: make install puts it in share/meshline, and it plans with the installed programs" {
	run -0 make -C "$ROOT" --no-print-directory BUILD="$MESH_BUILD" DESTDIR="$TMP/root" PREFIX=/usr/local install
	cmp "$MK" "$TMP/root/usr/local/share/meshline/mesh.mk"
	cp "$ROOT/examples/mesh/primary-remote.yaml" "$TMP/mesh.yaml"
	PATH="$TMP/root/usr/local/bin:/usr/bin:/bin" run -0 make --no-print-directory -C "$TMP" \
	    -f "$TMP/root/usr/local/share/meshline/mesh.mk" MESH=mesh.yaml OUT=plan plan
	assert_line --regexp "^mesh-render -f 'mesh.yaml' +--defer --dir 'plan'$"
	[ -e "$TMP/plan/cluster2/06-control-plane.istioctl.yaml" ]
	[ -d "$TMP/mesh-ca" ]
}

@test "mesh.mk install and verify: every example in examples/mesh, on clusters named as its contexts" {
	local ex ctxs c kc
	for ex in "$ROOT"/examples/mesh/*.yaml; do
		ctxs=$(mesh-render -f "$ex" --steps | cut -f4 | sort -u)
		kc=""
		for c in $ctxs; do
			sim_start "$TMP/$(basename "$ex" .yaml)/$c" --name "$c" \
			    --pod-delay 0.05 --deployment-delay 0.05 --lb-delay 0.05 \
			    --token-delay 0.05 --webhook-delay 0.05
			kc="$kc${kc:+:}$TMP/$(basename "$ex" .yaml)/$c/kubeconfig"
		done
		cp "$ex" "$TMP/mesh.yaml"
		rm -rf "$TMP/out"
		KUBECONFIG="$kc" run mk -j4 install verify CA="$TMP/ca-$(basename "$ex" .yaml)" TLS=self-signed
		if [ "$status" -ne 0 ]; then
			echo "$ex: $output"
			return 1
		fi
		assert_output --partial "== verified: mesh.yaml"
		teardown
		SIM_PIDS=()
	done
}
