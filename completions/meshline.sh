#!/bin/sh
# Completion for mesh-render, mesh-gw, mesh-overlay, mesh-secret and
# mesh-wait.  Installed as kubectl_complete-mesh_<name>, one copy a program
# (the name says which), it is what "kubectl __complete mesh-<name> ..." runs;
# the bash completions run it too.
#
# It is given the words typed after the program's name, the last one being
# the word to complete ('' to start a new one), and prints one candidate a
# line, then cobra's ":directive" line: 0 file names too, 4 no file names,
# +2 no space after, 8 file names with the extensions printed, 16 directories.
# A "--flag=" or "--flag=val" word completes the flag's values and prints
# them without "--flag=", as kubectl prints its own flags' values: the
# completion scripts kubectl generates put the "--flag=" back.
#
# Each subcommand (mesh-render's role, mesh-gw's mode) offers only its own
# options.  Before one is named: the subcommands, -h -V --help --version,
# and -f where a mesh description stands for a subcommand; an option only a
# subcommand takes still completes there when nothing else begins so, as
# the programs take options before their subcommand too.

prog=${0##*/}
prog=${prog#kubectl_complete-}

say() { printf '%s\n' "$@"; }

# form FORM: the options of FORM, a subcommand, "-f" (a mesh description
# instead of a subcommand), "--verify" (mesh-secret cacerts --verify), or ""
# (no subcommand yet).  -h, -V, --help and --version go with every form.
form() {
	case $prog:$1 in
	mesh_render:) say -f --filename ;;
	mesh_render:-f) say -o --output --cluster --defer --dir --for \
	    --installer --istio-version --release --step --steps ;;
	mesh_render:primary) say -o --output --cluster --network --mesh -n \
	    --namespace --peer --gateway-service --gateway-port --revision \
	    --istio-version --has-remotes ;;
	mesh_render:remote) say -o --output --cluster --network \
	    --pilot-address --mesh -n --namespace --revision --istio-version ;;
	mesh_render:external-istiod) say -o --output --cluster --address \
	    --network -n --namespace --mesh --revision --istio-version ;;
	mesh_render:external-config|mesh_render:external-remote) say -o \
	    --output --cluster --address --network -n --namespace --revision \
	    --istio-version ;;
	mesh_gw:) say -f --filename ;;
	mesh_gw:-f) say -o --output --cluster --dir --external-ip --for \
	    --installer --istio-version --load-balancer-ip --release \
	    --service-type --step ;;
	mesh_gw:eastwest) say -o --output --ambient --cluster --external-ip \
	    --istio-namespace --istio-version --load-balancer-ip --mesh \
	    --network --revision --service-type --single-cluster ;;
	mesh_gw:expose-services) say -o --output --istio-namespace \
	    --istio-version ;;
	mesh_gw:expose-istiod) say -o --output --istio-namespace --revision \
	    --tls --host --credential-name --istio-version ;;
	mesh_gw:controlplane) say -o --output --external-ip --installer \
	    --load-balancer-ip --release --service-type --istio-version ;;
	mesh_gw:external-istiod) say -o --output --host --credential-name \
	    -n --namespace --istio-version ;;
	mesh_gw:ingress) say -o --output --external-ip --injection-template \
	    --installer --istio-version --load-balancer-ip -n --namespace \
	    --service-type ;;
	mesh_gw:egress) say -o --output --injection-template --installer \
	    --istio-version -n --namespace ;;
	mesh_overlay:) say -e --env -f --filename -o --output -s --set \
	    --delete --k8s-overlays --max-depth --max-document-size \
	    --max-input-size --resource-list --select --set-json \
	    --set-string --stream ;;
	mesh_secret:remote) say -o --output --context --kubeconfig -n \
	    --namespace --istio-namespace --name --type --service-account \
	    --create-service-account --secret-name --token-ttl --rotate \
	    --read-only --server --tls-server-name --allow-loopback \
	    --auth-type --auth-plugin-name --auth-plugin-config \
	    --from-kubeconfig --request-timeout --timeout --cluster --dir \
	    --for --step ;;
	mesh_secret:cacerts) say --cluster -o --output --root-dir --key-type \
	    --key-size --days --org --istio-namespace --force --verify \
	    --rotate --dir --for --step ;;
	mesh_secret:--verify) say -f --filename ;;
	mesh_secret:tls) say --host -o --output --name -n --namespace \
	    --ca-dir --ca-configmap --days --key-type --key-size --force \
	    --dir --for --step ;;
	mesh_wait:) say -A --all-namespaces --all --context --fail-after -f \
	    --filename --for --kubeconfig -l --selector -n --namespace -o \
	    --output -q --quiet --request-timeout --timeout ;;
	esac
	# mesh-secret's subcommands take a mesh description: -f until given
	case $prog:$1 in
	mesh_secret:remote|mesh_secret:cacerts|mesh_secret:tls)
		[ -n "$file" ] || say -f --filename ;;
	esac
}

case $prog in
mesh_render) subs='primary remote external-istiod external-config
	external-remote' ;;
mesh_gw) subs='eastwest expose-services expose-istiod controlplane
	external-istiod ingress egress' ;;
mesh_secret) subs='remote cacerts tls' ;;
*) subs= ;;
esac

# valued OPT: OPT takes a value (in the next word, or after "=").  A long
# option takes one unless it is named here.
valued() {
	case $1 in
	--rotate) [ "$sub" = cacerts ]; return ;;	# cacerts --rotate CLUSTER
	--help|--version|--ambient|--single-cluster|--env|--resource-list|\
	--stream|--allow-loopback|--create-service-account|--force|--read-only|\
	--verify|--all|--all-namespaces|--quiet|--defer|--steps) return 1 ;;
	--*) return 0 ;;
	-[fonsl]) return 0 ;;
	esac
	return 1
}

# Read the words before the last one: the subcommand, whether -f and
# --verify are given, and the values of -f, --kubeconfig, --context and -n.
sub='' file='' kubeconfig='' context='' namespace='' verify='' want='' ended=''
take() {	# take OPT VALUE
	case $1 in
	-f|--filename) file=$2 ;;
	--kubeconfig|--from-kubeconfig) kubeconfig=$2 ;;
	--context) context=$2 ;;
	-n|--namespace) namespace=$2 ;;
	esac
}
cur=''
for cur; do :; done
i=1
for w; do
	[ "$i" -lt $# ] || break
	i=$((i + 1))
	if [ -n "$want" ]; then
		take "$want" "$w"
		want=
		continue
	fi
	case $ended$w in
	--) ended=1 ;;
	--*=*) take "${w%%=*}" "${w#*=}" ;;
	--verify) verify=1 ;;
	--*) ! valued "$w" || want=$w ;;
	-?*)
		o=${w%"${w#??}"}
		if valued "$o"; then
			if [ -n "${w#??}" ]; then take "$o" "${w#??}"; else want=$o; fi
		fi ;;
	*)
		if [ -z "$sub" ]; then
			for s in $subs; do
				[ "$w" != "$s" ] || sub=$s
			done
		fi ;;
	esac
done
here=$sub
case $prog:$sub in
mesh_render:|mesh_gw:) [ -z "$file" ] || here=-f ;;
mesh_secret:cacerts) [ -z "$verify" ] || here=--verify ;;
esac

# offer PREFIX: the lines of stdin that begin with PREFIX.
offer() {
	while IFS= read -r c; do
		case $c in "$1"*) printf '%s\n' "$c" ;; esac
	done
}

# path FILE: FILE with a leading "~/" made $HOME's.
path() {
	case $1 in
	\~/*) printf '%s\n' "$HOME/${1#\~/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# The names of the kubeconfig's contexts: --kubeconfig's (or mesh-secret's
# --from-kubeconfig's) file, else kubectl's ($KUBECONFIG, ~/.kube/config).
contexts() {
	if [ -n "$kubeconfig" ]; then
		kubectl config get-contexts -o name --kubeconfig \
		    "$(path "$kubeconfig")" 2>/dev/null
	else
		kubectl config get-contexts -o name 2>/dev/null
	fi
}

# The cluster names of the mesh description given with -f, as mesh-render
# --steps lists them (a remote still without its address included).
clusters() {
	f=$(path "$file")
	[ -f "$f" ] && [ -r "$f" ] || return 0
	r=${0%/*}/mesh-render
	[ -x "$r" ] || r=$(command -v mesh-render) ||
	    r=$(command -v kubectl-mesh_render) || return 0
	# a completion must not hang the shell: five seconds at most
	t=; command -v timeout >/dev/null 2>&1 && t="timeout 5"
	$t "$r" -f "$f" --steps </dev/null 2>/dev/null | cut -f3 | sort -u
}

# kube ARGS...: kubectl, in the context and namespace the line names.
kube() {
	kubectl ${kubeconfig:+--kubeconfig "$(path "$kubeconfig")"} \
	    ${context:+--context "$context"} \
	    ${namespace:+--namespace "$namespace"} \
	    --request-timeout 5s "$@" 2>/dev/null
}

# values OPT: the values OPT takes, one a line (for directive 8, the
# extensions of the files it takes).
values() {
	case $prog:$1 in
	mesh_wait:-o|mesh_wait:--output)
		printf '%s\n' yaml json name value jsonpath= ;;
	mesh_render:-o|mesh_render:--output|mesh_gw:-o|mesh_gw:--output)
		case $sub in
		controlplane|ingress|egress) hform=1 ;;
		*) hform=${file:+1} ;;
		esac
		printf '%s\n' yaml json ${hform:+values helm-install} ;;
	*:-o|*:--output) printf '%s\n' yaml json ;;
	mesh_wait:-f|mesh_wait:--filename) ;;
	*:-f|*:--filename|*:--k8s-overlays) printf '%s\n' yaml yml json ;;
	*:--context) contexts ;;
	mesh_render:--cluster|mesh_gw:--cluster|mesh_secret:--cluster|\
	mesh_secret:--rotate) [ -z "$file" ] || clusters ;;
	*:--istio-version) printf '%s\n' 1.22 1.23 1.24 1.25 1.26 1.27 1.28 1.29 1.30 guide ;;
	*:--service-type) printf '%s\n' LoadBalancer NodePort ;;
	*:--installer) printf '%s\n' istioctl helm ;;
	mesh_render:--release) printf '%s\n' istio-base istiod ;;
	mesh_gw:--release)
		if [ "$sub" = controlplane ]; then
			printf '%s\n' istio-base istiod istio-ingressgateway
		else
			echo istio-eastwestgateway
		fi ;;
	*:--tls) echo simple ;;
	*:--injection-template) echo gateway ;;
	*:--type) printf '%s\n' remote config ;;
	*:--auth-type) printf '%s\n' bearer-token plugin ;;
	*:--key-type) printf '%s\n' rsa ecdsa ;;
	*:--key-size) printf '%s\n' 2048 3072 4096 256 384 ;;
	*:--create-service-account) printf '%s\n' true false ;;
	*:--select) printf '%s\n' kind= name= namespace= apiVersion= ;;
	mesh_render:--for|mesh_gw:--for|mesh_secret:--for)
		printf '%s\n' istioctl kubectl helm ;;
	mesh_render:--step) printf '%s\n' namespace control-plane \
	    external-istiod ;;
	mesh_gw:--step) printf '%s\n' eastwest-gateway expose-istiod \
	    expose-services controlplane-gateway external-istiod-gw ;;
	mesh_secret:--step)
		case $sub in
		remote) printf '%s\n' config-secret remote-secret ;;
		cacerts) echo cacerts ;;
		tls) echo tls-secret ;;
		*) printf '%s\n' config-secret remote-secret cacerts \
		    tls-secret ;;
		esac ;;
	*:--for) printf '%s\n' ready exists delete address injected \
	    condition= jsonpath= ;;
	mesh_wait:-n|mesh_wait:--namespace)
		kube get namespaces -o name | sed 's|^namespace/||' ;;
	esac
}

# directive OPT: how the shell completes OPT's value, in dir.
directive() {
	case $prog:$1 in
	mesh_wait:-f|mesh_wait:--filename|*:--kubeconfig|*:--from-kubeconfig)
		dir=0 ;;
	*:-f|*:--filename|*:--k8s-overlays) dir=8 ;;
	*:--root-dir|*:--ca-dir|*:--dir) dir=16 ;;
	*:--select) dir=6 ;;
	*) dir=4 ;;
	esac
}

# The value of an option: in the word after it, or after its "=".
opt=$want
case $opt$ended$cur in
--*=*)
	opt=${cur%%=*}
	cur=${cur#*=} ;;
esac
if [ -n "$opt" ]; then
	directive "$opt"
	v=$(values "$opt")
	if [ "$dir" -ge 8 ]; then
		[ -z "$v" ] || printf '%s\n' "$v"
	else
		[ -z "$v" ] || printf '%s\n' "$v" | offer "$cur"
	fi
	echo ":$dir"
	exit 0
fi

case $ended$cur in
-*)
	all=$(form "$here")
	if [ -n "$subs" ] && [ -z "$here" ]; then
		# an option only a subcommand takes may come before it
		# shellcheck disable=SC2086
		say -h -V --help --version $all | offer "$cur" | grep -q . ||
		    all=$(for s in -f --verify $subs; do form "$s"; done)
	fi
	# shellcheck disable=SC2086
	say -h -V --help --version $all | offer "$cur" | sort -u
	echo :4 ;;
*)
	case $prog in
	mesh_overlay) echo :0 ;;
	mesh_wait)
		case $cur in
		*/*)
			kube get "${cur%%/*}" -o name |
			    sed "s|^[^/]*/|${cur%%/*}/|" | offer "$cur"
			echo :4 ;;
		*)
			for t in deployment statefulset daemonset replicaset \
			    job pod service persistentvolumeclaim namespace \
			    customresourcedefinition apiservice \
			    mutatingwebhookconfiguration \
			    validatingwebhookconfiguration secret configmap \
			    istiooperator gateway virtualservice destinationrule
			do
				echo "$t/"
			done | offer "$cur"
			echo :6 ;;
		esac ;;
	*)
		if [ -z "$here" ]; then
			# shellcheck disable=SC2086
			say $subs | offer "$cur"
		fi
		echo :4 ;;
	esac ;;
esac
