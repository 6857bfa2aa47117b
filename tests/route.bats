#!/usr/bin/env bats
# Routing a mesh's documents (mesh(7), ROUTING): --for keeps one
# consumer's, --dir writes one file per cluster, step and consumer
# in the guide's order; and the Namespaces each cluster's steps need.

load helpers/common
load helpers/simcluster

EX="$ROOT/examples/mesh"
F="$FIXTURES/mesh-render"

# plan MESH DIR [FLAG...]: mesh-render and mesh-gw -f MESH into DIR, as a
# whole mesh is planned; both print nothing.
plan() {
	local m="$1" d="$2"
	shift 2
	run --separate-stderr -0 mesh-render -f "$m" --dir "$d" "$@"
	[ -z "$output" ] && [ -z "$stderr" ]
	# a mesh on one network with no remotes has no gateway
	run --separate-stderr mesh-gw -f "$m" --dir "$d" "$@"
	[ -z "$output" ]
	[ "$status" -eq 0 ] || [[ "$stderr" == *"needs no gateway"* ]]
}

# files DIR: every file under DIR, one a line, as ls orders them.
files() {
	(cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

# q EXPR FILE...: a Python expression over the documents of the files as d.
q() {
	local e="$1"
	shift
	"$PYTHON" -c "import sys, yaml, json
d = [x for f in sys.argv[1:] for x in yaml.safe_load_all(open(f)) if x is not None]
print(json.dumps($e, sort_keys=True))" "$@"
}

@test "route: --dir names each model's files in the guide's order" {
	plan "$EX/multi-primary.yaml" "$TMP/mp"
	[ "$(files "$TMP/mp")" = "cluster1/01-namespace.kubectl.yaml
cluster1/03-control-plane.istioctl.yaml
cluster2/01-namespace.kubectl.yaml
cluster2/03-control-plane.istioctl.yaml" ]
	plan "$EX/multi-primary-multi-network.yaml" "$TMP/mpmn"
	[ "$(files "$TMP/mpmn")" = "cluster1/01-namespace.kubectl.yaml
cluster1/03-control-plane.istioctl.yaml
cluster1/04-eastwest-gateway.istioctl.yaml
cluster1/05-expose-services.kubectl.yaml
cluster2/01-namespace.kubectl.yaml
cluster2/03-control-plane.istioctl.yaml
cluster2/04-eastwest-gateway.istioctl.yaml
cluster2/05-expose-services.kubectl.yaml" ]
	# the remote's install after its primary's gateway and istiod
	plan "$EX/primary-remote.yaml" "$TMP/pr"
	[ "$(files "$TMP/pr")" = "cluster1/01-namespace.kubectl.yaml
cluster1/03-control-plane.istioctl.yaml
cluster1/04-eastwest-gateway.istioctl.yaml
cluster1/05-expose-istiod.kubectl.yaml
cluster2/01-namespace.kubectl.yaml
cluster2/06-control-plane.istioctl.yaml" ]
	plan "$EX/primary-remote-multi-network.yaml" "$TMP/prmn"
	[ "$(files "$TMP/prmn")" = "cluster1/01-namespace.kubectl.yaml
cluster1/03-control-plane.istioctl.yaml
cluster1/04-eastwest-gateway.istioctl.yaml
cluster1/05-expose-istiod.kubectl.yaml
cluster1/09-expose-services.kubectl.yaml
cluster2/01-namespace.kubectl.yaml
cluster2/06-control-plane.istioctl.yaml
cluster2/08-eastwest-gateway.istioctl.yaml
cluster2/09-expose-services.kubectl.yaml" ]
	# the config cluster before the external istiod, the other remotes after
	plan "$EX/external.yaml" "$TMP/ext"
	[ "$(files "$TMP/ext")" = "external/01-namespace.kubectl.yaml
external/03-controlplane-gateway.istioctl.yaml
external/07-external-istiod.istioctl.yaml
external/08-external-istiod-gw.kubectl.yaml
remote1/01-namespace.kubectl.yaml
remote1/05-control-plane.istioctl.yaml
remote1/11-eastwest-gateway.istioctl.yaml
remote1/12-expose-services.kubectl.yaml
remote2/01-namespace.kubectl.yaml
remote2/09-control-plane.istioctl.yaml
remote2/11-eastwest-gateway.istioctl.yaml" ]
}

@test "route: the files hold the plain stream's documents, each with its cluster and consumer" {
	local m c f p
	for m in "$EX"/*.yaml; do
		rm -rf "$TMP/r" "$TMP/g"
		run --separate-stderr -0 mesh-render -f "$m" --dir "$TMP/r"
		mesh-render -f "$m" > "$TMP/r.yaml"
		mesh-gw -f "$m" > "$TMP/g.yaml" 2>/dev/null || : > "$TMP/g.yaml"
		[ ! -s "$TMP/g.yaml" ] || mesh-gw -f "$m" --dir "$TMP/g"
		# cluster by cluster, the files in ls order are the plain
		# stream's documents for that cluster, in its order; mesh-render
		# adds the Namespace
		for c in "$TMP"/r/*/; do
			c=$(basename "$c")
			p="[x for x in d if x['metadata']['annotations']['meshline.io/cluster'] == '$c']"
			[ "$(q "$p" "$TMP/r.yaml")" = "$(q "d[1:]" "$TMP/r/$c"/*)" ]
			[ "$(q "d[0]['kind']" "$TMP/r/$c"/*)" = '"Namespace"' ]
			[ ! -d "$TMP/g/$c" ] || [ "$(q "$p" "$TMP/g.yaml")" = "$(q d "$TMP/g/$c"/*)" ]
		done
		# every document is in its cluster's directory and its
		# consumer's file
		for f in "$TMP"/[rg]/*/*; do
			c=$(basename "$(dirname "$f")")
			[ "$(q "sorted(set(x['metadata']['annotations']['meshline.io/cluster'] for x in d))" "$f")" = "[\"$c\"]" ]
			case $f in
			*.istioctl.yaml) [ "$(q "sorted(set(x['kind'] for x in d))" "$f")" = '["IstioOperator"]' ] ;;
			*.kubectl.yaml) [ "$(q "'IstioOperator' in [x['kind'] for x in d]" "$f")" = false ] ;;
			*) false ;;
			esac
		done
	done
}

@test "route: --for keeps one consumer's documents; together they are the routed whole" {
	local m c
	m="$EX/primary-remote-multi-network.yaml"
	run --separate-stderr -0 mesh-gw -f "$m" --for istioctl
	printf '%s\n' "$output" > "$TMP/i.yaml"
	[ "$(q "[(x['kind'], x['metadata']['annotations']['meshline.io/cluster']) for x in d]" "$TMP/i.yaml")" = '[["IstioOperator", "cluster1"], ["IstioOperator", "cluster2"]]' ]
	run --separate-stderr -0 mesh-gw -f "$m" --for kubectl
	printf '%s\n' "$output" > "$TMP/k.yaml"
	[ "$(q "[(x['kind'], x['metadata']['name'], x['metadata']['annotations']['meshline.io/cluster']) for x in d]" "$TMP/k.yaml")" = '[["Gateway", "istiod-gateway", "cluster1"], ["VirtualService", "istiod-vs", "cluster1"], ["Gateway", "cross-network-gateway", "cluster1"], ["Gateway", "cross-network-gateway", "cluster2"]]' ]
	# mesh-render: the IstioOperators are its plain stream; kubectl's
	# are the Namespaces, one a cluster, before anything else
	run --separate-stderr -0 mesh-render -f "$m" --for istioctl
	printf '%s\n' "$output" > "$TMP/ri.yaml"
	mesh-render -f "$m" > "$TMP/plain.yaml"
	[ "$(q d "$TMP/ri.yaml")" = "$(q d "$TMP/plain.yaml")" ]
	run --separate-stderr -0 mesh-render -f "$m" --for kubectl --cluster cluster2
	printf '%s\n' "$output" > "$TMP/rk.yaml"
	[ "$(q "[(x['kind'], x['metadata']['name']) for x in d]" "$TMP/rk.yaml")" = '[["Namespace", "istio-system"]]' ]
	# --for with --dir writes that consumer's files alone
	run --separate-stderr -0 mesh-gw -f "$m" --for kubectl --cluster cluster1 --dir "$TMP/d"
	[ -z "$output" ]
	[ "$(files "$TMP/d")" = "cluster1/05-expose-istiod.kubectl.yaml
cluster1/09-expose-services.kubectl.yaml" ]
}

@test "route: the plain stream is unchanged: no Namespace without --for or --dir" {
	local m
	for m in "$EX"/*.yaml; do
		run --separate-stderr -0 mesh-render -f "$m"
		printf '%s\n' "$output" > "$TMP/o.yaml"
		[ "$(q "sorted(set(x['kind'] for x in d))" "$TMP/o.yaml")" = '["IstioOperator"]' ]
	done
}

@test "route: Namespaces carry the network label in a multi-network mesh, and none on one network" {
	local m cp
	for m in multi-primary-multi-network primary-remote-multi-network; do
		# a remote's namespace also names its primary (Istio 1.15 on)
		cp=
		[ "$m" = primary-remote-multi-network ] && cp=', "topology.istio.io/controlPlaneClusters": "cluster1"'
		run --separate-stderr -0 mesh-render -f "$EX/$m.yaml" --for kubectl
		printf '%s\n' "$output" > "$TMP/ns.yaml"
		[ "$(q "[x['metadata'] for x in d]" "$TMP/ns.yaml")" = '[{"annotations": {"meshline.io/cluster": "cluster1", "meshline.io/context": "kind-cluster1"}, "labels": {"topology.istio.io/network": "network1"}, "name": "istio-system"}, {"annotations": {"meshline.io/cluster": "cluster2", "meshline.io/context": "kind-cluster2"'"$cp"'}, "labels": {"topology.istio.io/network": "network2"}, "name": "istio-system"}]' ]
		[ "$(q "[(x['apiVersion'], x['kind'], sorted(x)) for x in d]" "$TMP/ns.yaml")" = '[["v1", "Namespace", ["apiVersion", "kind", "metadata"]], ["v1", "Namespace", ["apiVersion", "kind", "metadata"]]]' ]
	done
	for m in multi-primary primary-remote; do
		run --separate-stderr -0 mesh-render -f "$EX/$m.yaml" --for kubectl
		printf '%s\n' "$output" > "$TMP/ns.yaml"
		[ "$(q "[(x['metadata']['name'], sorted(x['metadata'])) for x in d]" "$TMP/ns.yaml")" = '[["istio-system", ["annotations", "name"]], ["istio-system", ["annotations", "name"]]]' ]
	done
	# Istio in another namespace: that one
	run --separate-stderr -0 mesh-render -f "$F/mesh-sys.yaml" --for kubectl --cluster cluster2
	printf '%s\n' "$output" > "$TMP/ns.yaml"
	[ "$(q "[(x['metadata']['name'], x['metadata']['labels']) for x in d]" "$TMP/ns.yaml")" = '[["mesh-sys", {"topology.istio.io/network": "network2"}]]' ]
}

@test "route: an external mesh's further remotes name the config cluster as their control plane's, from Istio 1.15" {
	# examples/mesh/external.yaml is for Istio 1.24
	run --separate-stderr -0 mesh-render -f "$EX/external.yaml" --for kubectl
	printf '%s\n' "$output" > "$TMP/ns.yaml"
	[ "$(q "[x['metadata'] for x in d]" "$TMP/ns.yaml")" = '[{"annotations": {"meshline.io/cluster": "external", "meshline.io/context": "kind-external"}, "name": "external-istiod"}, {"annotations": {"meshline.io/cluster": "remote1", "meshline.io/context": "kind-remote1"}, "name": "external-istiod"}, {"annotations": {"meshline.io/cluster": "remote2", "meshline.io/context": "kind-remote2", "topology.istio.io/controlPlaneClusters": "remote1"}, "name": "external-istiod"}]' ]
	# the old guide's release did not read it: not written
	run --separate-stderr -0 mesh-render -f "$F/external.yaml" --for kubectl --istio-version guide
	printf '%s\n' "$output" > "$TMP/ns.yaml"
	[ "$(q "[sorted(x['metadata']['annotations']) for x in d]" "$TMP/ns.yaml")" = '[["meshline.io/cluster", "meshline.io/context"], ["meshline.io/cluster", "meshline.io/context"], ["meshline.io/cluster", "meshline.io/context"]]' ]
	sed 's/^  model: external/  model: external\n  istioVersion: "1.14"/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --for kubectl --cluster remote2
	printf '%s\n' "$output" > "$TMP/ns.yaml"
	[ "$(q "sorted(d[0]['metadata']['annotations'])" "$TMP/ns.yaml")" = '["meshline.io/cluster", "meshline.io/context"]' ]
	sed 's/^  model: external/  model: external\n  istioVersion: "1.15"/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --for kubectl --cluster remote2
	printf '%s\n' "$output" > "$TMP/ns.yaml"
	[ "$(q "d[0]['metadata']['annotations']['topology.istio.io/controlPlaneClusters']" "$TMP/ns.yaml")" = '"remote1"' ]
}

@test "route: files are 0644 and whole, nothing else is left, and a second run writes the same" {
	local f
	plan "$EX/external.yaml" "$TMP/d"
	for f in "$TMP"/d/*/*; do
		[ "$(stat -c %a "$f")" = 644 ]
	done
	[ -z "$(find "$TMP/d" -name '.*' -type f)" ]
	(cd "$TMP/d" && find . -type f -exec md5sum {} + | sort) > "$TMP/sum1"
	plan "$EX/external.yaml" "$TMP/d"
	(cd "$TMP/d" && find . -type f -exec md5sum {} + | sort) > "$TMP/sum2"
	diff "$TMP/sum1" "$TMP/sum2"
	# and a file of the directory is replaced, not written into
	ln "$TMP/d/remote1/05-control-plane.istioctl.yaml" "$TMP/old"
	run --separate-stderr -0 mesh-render -f "$EX/external.yaml" --dir "$TMP/d" --cluster remote1
	[ "$(stat -c %i "$TMP/old")" != "$(stat -c %i "$TMP/d/remote1/05-control-plane.istioctl.yaml")" ]
	cmp "$TMP/old" "$TMP/d/remote1/05-control-plane.istioctl.yaml"
}

@test "route: a plan rendered again holds only what the description now says" {
	# the same two clusters, first primary-remote on two networks, then
	# multi-primary: expose-istiod and the remote's later steps must go
	sed 's/kind-//' "$EX/primary-remote-multi-network.yaml" > "$TMP/pr.yaml"
	sed 's/kind-//' "$EX/multi-primary-multi-network.yaml" > "$TMP/mp.yaml"
	plan "$TMP/pr.yaml" "$TMP/d"
	[ -f "$TMP/d/cluster1/05-expose-istiod.kubectl.yaml" ]
	[ -f "$TMP/d/cluster2/08-eastwest-gateway.istioctl.yaml" ]
	printf 'not ours\n' > "$TMP/d/cluster1/notes.txt"
	plan "$TMP/mp.yaml" "$TMP/d"
	plan "$TMP/mp.yaml" "$TMP/fresh"
	# the same files as a plan into an empty directory, and the user's own
	assert_equal "$(files "$TMP/d")" "$(printf '%s\ncluster1/notes.txt\n' "$(files "$TMP/fresh")" | LC_ALL=C sort)"
	# one program's run leaves the other's steps alone, and --for keeps
	# the other consumer's files
	run --separate-stderr -0 mesh-gw -f "$TMP/mp.yaml" --dir "$TMP/d" --for istioctl --cluster cluster1
	[ -f "$TMP/d/cluster1/03-control-plane.istioctl.yaml" ]
	[ -f "$TMP/d/cluster1/05-expose-services.kubectl.yaml" ]
	[ -f "$TMP/d/cluster2/05-expose-services.kubectl.yaml" ]
}

@test "route: a file that cannot be written replaces none, and leaves nothing half-written" {
	mkdir -p "$TMP/d/cluster1"
	echo 'kept: true' > "$TMP/d/cluster1/03-control-plane.istioctl.yaml"
	# cluster2's directory cannot be made: cluster1's files are written
	# first, then all dropped
	echo x > "$TMP/d/cluster2"
	run --separate-stderr -1 mesh-render -f "$EX/multi-primary.yaml" --dir "$TMP/d"
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: cannot create directory '$TMP/d/cluster2': Not a directory" ]
	[ "$(files "$TMP/d")" = "cluster1/03-control-plane.istioctl.yaml
cluster2" ]
	[ "$(cat "$TMP/d/cluster1/03-control-plane.istioctl.yaml")" = 'kept: true' ]
	# the directory itself
	run --separate-stderr -1 mesh-gw -f "$EX/external.yaml" --dir "$TMP/d/cluster2"
	[ "$stderr" = "mesh-gw: cannot create directory '$TMP/d/cluster2': Not a directory" ]
	run --separate-stderr -1 mesh-gw -f "$EX/external.yaml" --dir "$TMP/no/such"
	[ "$stderr" = "mesh-gw: cannot create directory '$TMP/no/such': No such file or directory" ]
	[ ! -e "$TMP/no" ]
	# an error in the description: no directory at all
	run --separate-stderr -1 mesh-render -f "$FIXTURES/mesh-gw/primary-remote.yaml" --cluster nope --dir "$TMP/e"
	[ ! -e "$TMP/e" ]
}

@test "route: -o json writes .json files, one object or a v1 List each" {
	run --separate-stderr -0 mesh-gw -f "$EX/external.yaml" --cluster external -o json --dir "$TMP/d"
	[ "$(files "$TMP/d")" = "external/03-controlplane-gateway.istioctl.json
external/08-external-istiod-gw.kubectl.json" ]
	[ "$(jq -r .kind "$TMP/d/external/03-controlplane-gateway.istioctl.json")" = IstioOperator ]
	[ "$(jq -c '[.kind, [.items[].kind]]' "$TMP/d/external/08-external-istiod-gw.kubectl.json")" = '["List",["Gateway","VirtualService","DestinationRule"]]' ]
}

@test "route: what --for and --dir take, and who takes them" {
	run --separate-stderr -2 mesh-render -f "$EX/external.yaml" --for kubect1
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: invalid value for '--for': 'kubect1' (use istioctl, kubectl or helm)
Try 'mesh-render --help' for more information." ]
	run --separate-stderr -2 mesh-gw -f "$EX/external.yaml" --dir ''
	[[ "$stderr" == "mesh-gw: invalid value for '--dir': '' (name a directory)"* ]]
	# routing is for a whole mesh's documents
	run --separate-stderr -2 mesh-render primary --cluster c --network n --for kubectl
	[[ "$stderr" == "mesh-render: primary does not take --for"* ]]
	run --separate-stderr -2 mesh-render remote --cluster c --network n --pilot-address 192.0.2.1 --dir d
	[[ "$stderr" == "mesh-render: remote does not take --dir"* ]]
	run --separate-stderr -2 mesh-gw eastwest --network n --for istioctl
	[[ "$stderr" == "mesh-gw: eastwest does not take --for"* ]]
	run --separate-stderr -2 mesh-gw expose-services --dir d
	[[ "$stderr" == "mesh-gw: expose-services does not take --dir"* ]]
	[ ! -e d ]
}

@test "route: nothing for the consumer asked for is an error that says what there is" {
	run --separate-stderr -1 mesh-render -f "$EX/external.yaml" --for helm
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $EX/external.yaml: no document for helm: Helm releases come from mesh-render and mesh-gw with --installer helm (or spec.installer: helm); mesh-render's documents are for istioctl and kubectl" ]
	run --separate-stderr -1 mesh-gw -f "$EX/primary-remote.yaml" --cluster cluster1 --for helm --dir "$TMP/d"
	[ "$stderr" = "mesh-gw: $EX/primary-remote.yaml: no document for helm for cluster 'cluster1': Helm releases come from mesh-render and mesh-gw with --installer helm (or spec.installer: helm); mesh-gw's documents are for istioctl and kubectl" ]
	[ ! -e "$TMP/d" ]
	# a cluster with no gateway says why, routed or not
	run --separate-stderr -1 mesh-gw -f "$EX/primary-remote.yaml" --cluster cluster2 --for kubectl
	[ "$stderr" = "mesh-gw: cluster 'cluster2' needs no gateway: mesh 'mesh1' has one network, and a remote reaches its primary's istiod through the gateway of 'cluster1'" ]
}

@test "route: an external control plane's name must be able to name a directory" {
	sed 's/^    context: ext$/    context: ext\n    name: ..\/up/' "$F/external.yaml" > "$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --dir "$TMP/d"
	[ -z "$output" ]
	[ "$stderr" = "mesh-render: $TMP/m.yaml:9:11: spec.external.name: '../up' is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)" ]
	[ ! -e "$TMP/d" ] && [ ! -e "$TMP/up" ]
}

@test "route: each cluster's kubectl files apply in ls order to a simulated cluster, its istioctl files are valid objects" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	local m c f k
	k=(timeout 60 kubectl --kubeconfig "$TMP/sim/kubeconfig")
	sim_start "$TMP/sim" --istio-crds
	for m in "$EX"/*.yaml; do
		rm -rf "$TMP/d"
		plan "$m" "$TMP/d"
		for c in "$TMP"/d/*/; do
			# the namespace first, then what goes into it
			for f in "$c"*.kubectl.yaml; do
				run --separate-stderr -0 "${k[@]}" apply -f "$f"
			done
			for f in "$c"*.istioctl.yaml; do
				run --separate-stderr -0 "${k[@]}" apply --dry-run=client -f "$f"
				[[ "$output" == "istiooperator.install.istio.io/"*" created (dry run)" ]]
			done
			# and the whole directory, as one kubectl call takes it
			run --separate-stderr -0 "${k[@]}" apply --dry-run=client -f "$c"
			[ "$(grep -c ' (dry run)$' <<< "$output")" -eq "$(cat "$c"* | grep -c '^kind: ')" ]
		done
	done
	# the last mesh applied, external: its namespace as the remotes have it
	run --separate-stderr -0 "${k[@]}" get namespace external-istiod -o jsonpath='{.metadata.annotations.topology\.istio\.io/controlPlaneClusters}'
	[ "$output" = remote1 ]
	run --separate-stderr -0 "${k[@]}" get gateway -n external-istiod -o name
	[[ "$output" == *"gateway.networking.istio.io/cross-network-gateway"* ]]
	[[ "$output" == *"gateway.networking.istio.io/external-istiod-gw"* ]]
}

@test "route: mesh-render --steps lists each model's steps in install order, with who makes them and when" {
	run --separate-stderr -0 mesh-render -f "$EX/primary-remote-multi-network.yaml" --steps
	[ -z "$stderr" ]
	assert_output "$(printf '%s\n' \
	    '01	namespace	cluster1	kind-cluster1	mesh-render	plan	-' \
	    '01	namespace	cluster2	kind-cluster2	mesh-render	plan	-' \
	    '02	cacerts	cluster1	kind-cluster1	mesh-secret	plan	-' \
	    '02	cacerts	cluster2	kind-cluster2	mesh-secret	plan	-' \
	    '03	control-plane	cluster1	kind-cluster1	mesh-render	plan	-' \
	    '04	eastwest-gateway	cluster1	kind-cluster1	mesh-gw	plan	-' \
	    '05	expose-istiod	cluster1	kind-cluster1	mesh-gw	plan	-' \
	    '06	control-plane	cluster2	kind-cluster2	mesh-render	plan	-' \
	    '07	remote-secret	cluster1	kind-cluster1	mesh-secret	install	-' \
	    '08	eastwest-gateway	cluster2	kind-cluster2	mesh-gw	plan	-' \
	    '09	expose-services	cluster1	kind-cluster1	mesh-gw	plan	-' \
	    '09	expose-services	cluster2	kind-cluster2	mesh-gw	plan	-')"
	# without the address, the remote's control plane waits for its primary
	sed '/discoveryAddress/d' "$EX/primary-remote-multi-network.yaml" >"$TMP/m.yaml"
	run -0 mesh-render -f "$TMP/m.yaml" --steps --cluster cluster2
	assert_line "$(printf '06\tcontrol-plane\tcluster2\tkind-cluster2\tmesh-render\tinstall\tcluster1')"
	[ "${#lines[@]}" -eq 5 ]
	# one network and no remotes: no gateway step at all
	run -0 mesh-render -f "$EX/multi-primary.yaml" --steps
	refute_output --partial gateway
	refute_output --partial expose
	assert_line "$(printf '06\tremote-secret\tcluster2\tkind-cluster2\tmesh-secret\tinstall\t-')"
}

@test "route: --steps is a listing: it takes no routing and no output format" {
	for f in "--dir $TMP/d" "--for kubectl" "--step namespace" "--defer" "-o json" "-o yaml"; do
		# shellcheck disable=SC2086
		run --separate-stderr -2 mesh-render -f "$EX/external.yaml" --steps $f
		[ -z "$output" ]
		assert_equal "${stderr_lines[0]}" "mesh-render: --steps lists the steps of the mesh: it takes none of --dir, --for, --step, --defer, -o"
	done
	[ ! -e "$TMP/d" ]
	run --separate-stderr -2 mesh-render primary --cluster c --network n --steps
	[[ "${stderr_lines[0]}" == *"--steps"* ]]
}

@test "route: --step keeps one step's documents, and --dir then takes back only that step's files" {
	plan "$EX/primary-remote-multi-network.yaml" "$TMP/p"
	run --separate-stderr -0 mesh-gw -f "$EX/primary-remote-multi-network.yaml" --step expose-istiod
	[ "$(q '[x["kind"] for x in d]' <(printf '%s\n' "$output"))" = '["Gateway", "VirtualService"]' ]
	# a file of another step, not written by this run, stays
	run --separate-stderr -0 mesh-gw -f "$EX/primary-remote-multi-network.yaml" --step expose-istiod --dir "$TMP/p"
	[ -e "$TMP/p/cluster1/04-eastwest-gateway.istioctl.yaml" ]
	[ -e "$TMP/p/cluster2/09-expose-services.kubectl.yaml" ]
	run --separate-stderr -1 mesh-render -f "$EX/primary-remote-multi-network.yaml" --step eastwest-gateway
	[ -z "$output" ]
	assert_equal "$stderr" "mesh-render: $EX/primary-remote-multi-network.yaml: no document of step 'eastwest-gateway'"
	run --separate-stderr -2 mesh-render -f "$EX/external.yaml" --step control
	[[ "$stderr" == "mesh-render: invalid value for '--step': 'control' (use namespace, cacerts, control-plane,"* ]]
}

@test "route: mesh-render --defer leaves out a remote's control plane without its address, and says so" {
	sed '/discoveryAddress/d' "$EX/primary-remote-multi-network.yaml" >"$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --dir "$TMP/p"
	[[ "$stderr" == *"discoveryAddress: remote 'cluster2' needs the address"* ]]
	[ ! -e "$TMP/p" ]
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --dir "$TMP/p" --defer
	assert_equal "$stderr" "mesh-render: $TMP/m.yaml: warning: the control plane of remote 'cluster2' is left for later: it needs the address of the east-west gateway of 'cluster1'"
	[ "$(files "$TMP/p")" = "cluster1/01-namespace.kubectl.yaml
cluster1/03-control-plane.istioctl.yaml
cluster2/01-namespace.kubectl.yaml" ]
	# with the address, the same run renders it
	run --separate-stderr -0 mesh-render -f "$EX/primary-remote-multi-network.yaml" --dir "$TMP/p" --defer
	[ -z "$stderr" ]
	[ -e "$TMP/p/cluster2/06-control-plane.istioctl.yaml" ]
	# left for later is not taken out: the file an install wrote stays
	sum=$(sha256sum <"$TMP/p/cluster2/06-control-plane.istioctl.yaml")
	run --separate-stderr -0 mesh-render -f "$TMP/m.yaml" --dir "$TMP/p" --defer
	[ "$(sha256sum <"$TMP/p/cluster2/06-control-plane.istioctl.yaml")" = "$sum" ]
}

@test "route: mesh-secret cacerts and tls -f write their Secrets into the plan, 0600, for the cluster they go to" {
	run --separate-stderr -0 mesh-secret cacerts -f "$EX/external.yaml" --root-dir "$TMP/ca" --key-type ecdsa --dir "$TMP/p"
	[ -z "$output" ]
	run --separate-stderr -0 mesh-secret tls -f "$EX/external.yaml" --ca-dir "$TMP/tlsca" --key-type ecdsa --dir "$TMP/p"
	[ "$(files "$TMP/p")" = "external/02-cacerts.kubectl.yaml
external/04-tls-secret.kubectl.yaml
remote1/02-cacerts.kubectl.yaml
remote2/02-cacerts.kubectl.yaml" ]
	for f in "$TMP"/p/*/*.yaml; do
		[ "$(stat -c %a "$f")" = 600 ]
	done
	[ "$(q '[[x["metadata"]["name"], x["metadata"]["namespace"], x["metadata"]["annotations"]] for x in d][0]' "$TMP/p/external/04-tls-secret.kubectl.yaml")" = \
	    '["istiod-tls", "istio-system", {"meshline.io/cluster": "external", "meshline.io/context": "kind-external"}]' ]
	# the certificate is for the description's address
	"$PYTHON" -c 'import sys, yaml, base64; sys.stdout.write(base64.b64decode(yaml.safe_load(open(sys.argv[1]))["data"]["tls.crt"]).decode())' \
	    "$TMP/p/external/04-tls-secret.kubectl.yaml" | openssl x509 -noout -ext subjectAltName | grep -q 'DNS:istiod.mesh.example.com'
	# a re-run of cacerts writes the same bytes, and leaves the tls Secret
	sum=$(cat "$TMP"/p/*/02-cacerts.kubectl.yaml | sha256sum)
	run --separate-stderr -0 mesh-secret cacerts -f "$EX/external.yaml" --root-dir "$TMP/ca" --key-type ecdsa --dir "$TMP/p"
	[ "$(cat "$TMP"/p/*/02-cacerts.kubectl.yaml | sha256sum)" = "$sum" ]
	[ -e "$TMP/p/external/04-tls-secret.kubectl.yaml" ]
	# --for istioctl: mesh-secret makes nothing for istioctl
	run --separate-stderr -1 mesh-secret cacerts -f "$EX/external.yaml" --root-dir "$TMP/ca" --for istioctl
	[ -z "$output" ]
	[[ "$stderr" == *"no document for istioctl: mesh-secret's documents there are all for kubectl" ]]
}

@test "route: mesh-secret's routing goes with -f, and each subcommand's own steps" {
	run --separate-stderr -2 mesh-secret tls --host a.example.com --dir "$TMP/p"
	assert_equal "${stderr_lines[0]}" "mesh-secret: --dir goes with -f mesh.yaml: it routes the Secrets of a mesh description"
	run --separate-stderr -2 mesh-secret remote --context c --for kubectl
	assert_equal "${stderr_lines[0]}" "mesh-secret: --for goes with -f mesh.yaml: it routes the Secrets of a mesh description"
	run --separate-stderr -2 mesh-secret cacerts --verify -f "$EX/external.yaml" --dir "$TMP/p"
	assert_equal "${stderr_lines[0]}" "mesh-secret: cacerts --verify takes only -f"
	run --separate-stderr -2 mesh-secret cacerts -f "$EX/external.yaml" --step remote-secret
	assert_equal "${stderr_lines[0]}" "mesh-secret: cacerts makes no 'remote-secret' step: its step is cacerts"
	run --separate-stderr -2 mesh-secret remote -f "$EX/external.yaml" --step cacerts
	assert_equal "${stderr_lines[0]}" "mesh-secret: remote makes no 'cacerts' step: its steps are config-secret and remote-secret"
	run --separate-stderr -1 mesh-secret tls -f "$EX/multi-primary.yaml"
	assert_equal "$stderr" "mesh-secret: $EX/multi-primary.yaml: tls -f makes the Secret of an external control plane, and the mesh has none"
	[ ! -e "$TMP/p" ]
}

# account CONTEXT NAME: a ServiceAccount in external-istiod there.
account() {
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: external-istiod}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: external-istiod}\n' "$2" |
	    kubectl --context "$1" apply -f -
}

@test "route: mesh-secret remote -f --step reads only the clusters that step needs, and writes into the plan" {
	sim_start "$TMP/r1" --name r1
	sim_start "$TMP/r2" --name r2
	export KUBECONFIG="$TMP/r1/kubeconfig:$TMP/r2/kubeconfig"
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: external\n  external: {context: ext, address: istiod.example.com}\n  clusters:\n  - {name: r1, context: r1, network: n1}\n  - {name: r2, context: r2, network: n1}\n' >"$TMP/m.yaml"
	# the config cluster's Secret needs istiod's account there
	account r1 istiod
	run --separate-stderr -0 timeout 60 "$MESH_BUILD/mesh-secret" remote -f "$TMP/m.yaml" --step config-secret --dir "$TMP/p" --allow-loopback
	[ -z "$output" ]
	[ "$(files "$TMP/p")" = "external/06-config-secret.kubectl.yaml" ]
	[ "$(stat -c %a "$TMP/p/external/06-config-secret.kubectl.yaml")" = 600 ]
	# r2 was not asked
	run grep -c 'serviceaccounts' "$TMP/r2/requests.log"
	assert_output 0
	# the remote secret step needs r2's reader account; taking it back
	# leaves the config secret
	account r2 istio-reader-service-account
	run --separate-stderr -0 timeout 60 "$MESH_BUILD/mesh-secret" remote -f "$TMP/m.yaml" --step remote-secret --dir "$TMP/p" --allow-loopback
	[ "$(files "$TMP/p")" = "external/06-config-secret.kubectl.yaml
external/10-remote-secret.kubectl.yaml" ]
	[ "$(q '[x["metadata"]["name"] for x in d]' "$TMP/p/external/10-remote-secret.kubectl.yaml")" = '["istio-remote-secret-r2"]' ]
}

@test "route: a context holding a control character is refused where it is written, so that --steps stays one line a step" {
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: multi-primary\n  clusters:\n  - {name: a, context: "x\\ty", network: n}\n' >"$TMP/m.yaml"
	run --separate-stderr -1 mesh-render -f "$TMP/m.yaml" --steps
	[ -z "$output" ]
	assert_equal "$stderr" "mesh-render: $TMP/m.yaml:7:24: spec.clusters[0].context: a context name holds no control character"
}
