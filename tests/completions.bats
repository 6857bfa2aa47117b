#!/usr/bin/env bats
# Completion past the option names (tests/common.bats checks those): values
# given as --flag=value, the kubeconfig's contexts for --context, a mesh
# description's clusters for --cluster after -f, and each subcommand's own
# options; in bash, through kubectl, in zsh and in fish.

load helpers/common

setup() {
	TMP="$BATS_TEST_TMPDIR"
	export HOME="$TMP/home" KUBECACHEDIR="$TMP/kubecache"
	mkdir -p "$HOME"
	# contexts alpha and beta-ctx in a file --kubeconfig names, and gamma
	# in the one kubectl reads when none is named
	kubeconfig "$TMP/kc.yaml" alpha beta-ctx
	kubeconfig "$TMP/default.yaml" gamma
	export KUBECONFIG="$TMP/default.yaml"
	# Under a sanitizer build, LeakSanitizer's tracer cannot stop a
	# program that an interactive shell in a pseudo-terminal started (it
	# spins for ever): no leak check here; the other suites make one.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	MESH="$ROOT/examples/mesh"
}

# kubeconfig FILE CONTEXT...: a kubeconfig holding those contexts.
kubeconfig() {
	local f=$1 c
	shift
	{
		printf '%s\n' 'apiVersion: v1' 'kind: Config' 'clusters:' \
		    '- name: c' '  cluster: {server: "https://127.0.0.1:1"}' \
		    'users:' '- name: u' '  user: {token: t}' 'contexts:'
		for c; do
			printf '%s\n' "- name: $c" '  context: {cluster: c, user: u}'
		done
		echo "current-context: $1"
	} >"$f"
}

# bash_words PROG WORD...: what PROG's bash completion puts in COMPREPLY, a
# line each, for COMP_WORDS=(PROG WORD...) and the cursor on the last word.
# NOBREAK=1: '=' is not in COMP_WORDBREAKS.
bash_words() {
	bash -c '
		source "$1/completions/$2.bash"
		[ -z "$NOBREAK" ] || COMP_WORDBREAKS=${COMP_WORDBREAKS//=}
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		"_${1//-/_}"
		printf "%s\n" "${COMPREPLY[@]}"' - "$ROOT" "$@"
}

# line_words LINE: the words bash makes of LINE, a line each, the cursor at
# its end: split at blanks, and at '=' unless NOBREAK says COMP_WORDBREAKS
# has none.
line_words() {
	local x
	for x in $1; do
		while [ -z "$NOBREAK" ] && [[ $x == *=* ]]; do
			[ -z "${x%%=*}" ] || echo "${x%%=*}"
			echo "="
			x=${x#*=}
		done
		[ -z "$x" ] || echo "$x"
	done
	[[ $1 != *" " ]] || echo
}

# bash_line LINE: bash_words with the words bash makes of LINE.
bash_line() {
	local -a w
	mapfile -t w < <(line_words "$1")
	bash_words "${w[@]}"
}

# kc PROG WORD...: what kubectl_complete-PROG prints for those words.
kc() {
	local p=$1
	shift
	"$ROOT/completions/kubectl_complete-${p//-/_}" "$@"
}

# lines WORD...: the words, one a line, to compare with what was offered.
lines() {
	printf '%s\n' "$@"
}

# The forms of a program: before a subcommand (''), after each, after
# -f FILE, after mesh-secret's cacerts --verify.
forms() {
	case $1 in
	mesh-render) lines '' '-f x' primary remote external-istiod \
	    external-config external-remote ;;
	mesh-gw) lines '' '-f x' eastwest expose-services expose-istiod \
	    controlplane external-istiod ingress egress ;;
	mesh-secret) lines '' remote cacerts 'cacerts --verify' tls ;;
	*) lines '' ;;
	esac
}

# usage_options PROG FORM: the long options of PROG's usage lines that
# begin "PROG FORM" (FORM may be one of "a|b"), short ones named long.
usage_options() {
	"$MESH_BUILD/$1" --help | sed -n '/^usage:/,/^$/p' |
	    sed 's/^usage: *//; s/^ *//' | tr '\n' ' ' |
	    sed "s/ $1 /\n$1 /g" | grep -E -- "^$1 ([a-z-]+\|)*$2[ |]" |
	    grep -oE -- '(^|[ [])-[-a-zA-Z]+' | sed 's/^[ []//' |
	    sed 's/^-hV$/--help\n--version/; s/^-o$/--output/;
		s/^-n$/--namespace/; s/^-f$/--filename/' | grep -- '^--' |
	    sort -u
}

# offers PROG FORM: the long options PROG's bash completion offers in FORM.
offers() {
	# shellcheck disable=SC2086
	bash_words "$1" $2 -- | sort -u
}

@test "completions: bash completes --flag=value with '=' in COMP_WORDBREAKS" {
	# bash makes three words of "--type=re": the value alone is replaced
	run -0 bash_words mesh-secret remote --type =
	assert_output "$(lines remote config)"
	run -0 bash_words mesh-secret remote --type = c
	assert_output config
	run -0 bash_line 'mesh-secret remote --output='
	assert_output "$(lines yaml json)"
	run -0 bash_line 'mesh-secret cacerts --key-type=ec'
	assert_output ecdsa
	run -0 bash_line 'mesh-secret remote --create-service-account='
	assert_output "$(lines true false)"
	run -0 bash_line 'mesh-gw ingress --service-type=N'
	assert_output NodePort
	run -0 bash_line 'mesh-render primary --istio-version=1.2'
	assert_line 1.22
	assert_line 1.29
	run -0 bash_line 'mesh-overlay --select=na'
	assert_output "$(lines name= namespace=)"
	run -0 bash_line 'mesh-wait --for=con'
	assert_output condition=
	run -0 bash_line 'mesh-wait -o json --output='
	assert_output "$(lines yaml json name value jsonpath=)"
	# a value after "--type=" is the next word's start, not more value
	run -0 bash_line 'mesh-secret remote --type=config '
	assert_output ''
	run -0 bash_line 'mesh-secret remote --type=config --o'
	assert_output --output
}

@test "completions: bash completes --flag=value without '=' in COMP_WORDBREAKS" {
	# "--type=re" is one word: the whole word is replaced
	export NOBREAK=1
	run -0 bash_words mesh-secret remote --type=
	assert_output "$(lines --type=remote --type=config)"
	run -0 bash_words mesh-secret remote --type=c
	assert_output --type=config
	run -0 bash_line 'mesh-render -f x.yaml --output=j'
	assert_output --output=json
	run -0 bash_line 'mesh-wait --for=con'
	assert_output --for=condition=
	run -0 bash_line "mesh-render --filename=$MESH/ext"
	assert_output "--filename=$MESH/external.yaml"
}

@test "completions: bash completes -f with mesh descriptions, and directories for the CA" {
	run -0 bash_line "mesh-render -f $MESH/multi-p"
	assert_equal "$(sort <<<"$output")" "$(lines "$MESH/multi-primary.yaml" \
	    "$MESH/multi-primary-multi-network.yaml" | sort)"
	run -0 bash_line "mesh-gw --filename=$MESH/ext"
	assert_output "$MESH/external.yaml"
	mkdir "$TMP/ca" && touch "$TMP/cafile"
	run -0 bash_line "mesh-secret cacerts --root-dir $TMP/ca"
	assert_output "$TMP/ca"
}

@test "completions: kubectl's completer answers --flag= with the values alone, as kubectl does its own" {
	# kubectl passes the word "--type=" whole; its shell scripts put the
	# "--type=" back before the values (see the next test)
	run -0 kc mesh-secret remote --type=
	assert_output "$(lines remote config :4)"
	run -0 kc mesh-secret remote --type=c
	assert_output "$(lines config :4)"
	run -0 kc mesh-secret remote --type ''
	assert_output "$(lines remote config :4)"
	run -0 kc mesh-secret tls --key-size=4
	assert_output "$(lines 4096 :4)"
	run -0 kc mesh-render primary --output=
	assert_output "$(lines yaml json :4)"
	run -0 kc mesh-gw eastwest --service-type=L
	assert_output "$(lines LoadBalancer :4)"
	# the Helm forms of the gateways that have one
	run -0 kc mesh-gw eastwest --output=
	assert_output "$(lines yaml json :4)"
	run -0 kc mesh-gw egress --output=
	assert_output "$(lines yaml json values helm-install :4)"
	run -0 kc mesh-gw controlplane --release ''
	assert_output "$(lines istio-base istiod istio-ingressgateway :4)"
	run -0 kc mesh-overlay --select=
	assert_output "$(lines kind= name= namespace= apiVersion= :6)"
	run -0 kc mesh-wait --for=
	assert_output "$(lines ready exists delete address injected condition= \
	    jsonpath= :4)"
	# files: the extensions of the ones wanted (cobra's directive 8), or
	# any file, or directories
	run -0 kc mesh-render --filename=
	assert_output "$(lines yaml yml json :8)"
	run -0 kc mesh-secret remote --kubeconfig=
	assert_output :0
	run -0 kc mesh-secret cacerts --root-dir=
	assert_output :16
	# an option without a value has none to complete
	run -0 kc mesh-secret remote --rotate=
	assert_output :4
	# --step: the steps the program (mesh-secret: the subcommand) makes;
	# --dir: directories
	run -0 kc mesh-render -f x.yaml --step=
	assert_output "$(lines namespace control-plane external-istiod :4)"
	run -0 kc mesh-gw -f x.yaml --step ex
	assert_output "$(lines expose-istiod expose-services \
	    external-istiod-gw :4)"
	run -0 kc mesh-secret remote -f x.yaml --step=
	assert_output "$(lines config-secret remote-secret :4)"
	run -0 kc mesh-secret tls -f x.yaml --step ''
	assert_output "$(lines tls-secret :4)"
	run -0 kc mesh-secret cacerts -f x.yaml --for=k
	assert_output "$(lines kubectl :4)"
	for p in mesh-render mesh-gw 'mesh-secret cacerts'; do
		# shellcheck disable=SC2086
		run -0 kc $p -f x.yaml --dir=
		assert_output :16
	done
	# --defer and --steps take no value: a word after them is not one
	run -0 kc mesh-render -f x.yaml --defer --st
	assert_output "$(lines --step --steps :4)"
}

@test "completions: through kubectl's own bash completion, --type= ends as --type=remote" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	[ -f /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr \
	    BUILD="$MESH_BUILD"
	kubectl completion bash >"$TMP/kubectl.bash"
	# what kubectl's script leaves in COMPREPLY for a command line
	kubectl_line() {
		local -a w
		mapfile -t w < <(line_words "$1")
		timeout 20 bash -c '
			source /usr/share/bash-completion/bash_completion
			source "$1"
			COMP_LINE=$2 COMP_POINT=${#2}
			shift 2
			COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
			__start_kubectl 2>/dev/null
			printf "%s\n" "${COMPREPLY[@]}"' - "$TMP/kubectl.bash" "$1" \
		    "${w[@]}"
	}
	export PATH="$TMP/dest/usr/bin:$PATH"
	run -0 kubectl_line 'kubectl mesh-secret remote --type=r'
	assert_output remote
	run -0 kubectl_line 'kubectl mesh-secret remote --type='
	assert_output "$(lines remote config)"
	run -0 kubectl_line \
	    "kubectl mesh-secret remote --kubeconfig $TMP/kc.yaml --context=b"
	assert_output beta-ctx
}

@test "completions: --context completes the kubeconfig's contexts, and --kubeconfig's" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	local p
	for p in mesh-secret mesh-wait; do
		[ "$p" = mesh-secret ] && set -- remote || set --
		# kubectl's kubeconfig ($KUBECONFIG here)
		run -0 kc "$p" "$@" --context ''
		assert_output "$(lines gamma :4)"
		run -0 bash_line "$p $* --context "
		assert_output gamma
		# the file --kubeconfig names, given before, in either form
		run -0 kc "$p" "$@" --kubeconfig "$TMP/kc.yaml" --context ''
		assert_output "$(lines alpha beta-ctx :4)"
		run -0 kc "$p" --kubeconfig="$TMP/kc.yaml" "$@" --context=b
		assert_output "$(lines beta-ctx :4)"
		run -0 bash_line "$p $* --kubeconfig $TMP/kc.yaml --context "
		assert_output "$(lines alpha beta-ctx)"
		run -0 bash_line "$p $* --kubeconfig=$TMP/kc.yaml --context=al"
		assert_output alpha
		NOBREAK=1 run -0 bash_line \
		    "$p $* --kubeconfig=$TMP/kc.yaml --context=al"
		assert_output --context=alpha
		# a kubeconfig named from $HOME
		cp "$TMP/kc.yaml" "$HOME/my.yaml"
		run -0 kc "$p" "$@" --kubeconfig '~/my.yaml' --context ''
		assert_output "$(lines alpha beta-ctx :4)"
	done
	# mesh-secret remote --from-kubeconfig takes its context from that file
	run -0 kc mesh-secret remote --from-kubeconfig "$TMP/kc.yaml" \
	    --name c1 --context ''
	assert_output "$(lines alpha beta-ctx :4)"
	# and no kubectl: no contexts, no error
	run -0 env PATH=/nonexistent "$ROOT/completions/kubectl_complete-mesh_wait" \
	    --context ''
	assert_output :4
}

@test "completions: --cluster after -f completes the mesh description's clusters" {
	local p
	for p in mesh-render mesh-gw; do
		run -0 kc "$p" -f "$MESH/external.yaml" --cluster ''
		assert_output "$(lines external remote1 remote2 :4)"
		run -0 kc "$p" --filename="$MESH/multi-primary.yaml" --cluster=c
		assert_output "$(lines cluster1 cluster2 :4)"
		run -0 kc "$p" --cluster ''
		assert_output :4
		run -0 bash_line "$p -f $MESH/external.yaml --cluster "
		assert_output "$(lines external remote1 remote2)"
		run -0 bash_line "$p -o json -f $MESH/external.yaml --cluster=rem"
		assert_output "$(lines remote1 remote2)"
		NOBREAK=1 run -0 bash_line \
		    "$p -f$MESH/external.yaml --cluster=ext"
		assert_output --cluster=external
		# a description that does not render, or none: nothing
		echo 'kind: Mesh' >"$TMP/bad.yaml"
		run -0 kc "$p" -f "$TMP/bad.yaml" --cluster ''
		assert_output :4
		run -0 kc "$p" -f "$TMP/none.yaml" --cluster ''
		assert_output :4
		run -0 kc "$p" -f - --cluster ''
		assert_output :4
		# a remote without its discoveryAddress yet is a cluster too
		grep -v discoveryAddress "$MESH/primary-remote.yaml" >"$TMP/pr.yaml"
		run -0 kc "$p" -f "$TMP/pr.yaml" --cluster ''
		assert_output "$(lines cluster1 cluster2 :4)"
	done
	# a role's --cluster names a new cluster: nothing to offer
	run -0 kc mesh-render primary --cluster ''
	assert_output :4
	run -0 bash_line 'mesh-gw eastwest --cluster '
	assert_output ''
	# mesh-render is found as the kubectl plugin too
	mkdir "$TMP/bin"
	ln -s "$MESH_BUILD/mesh-render" "$TMP/bin/kubectl-mesh_render"
	run -0 env PATH="$TMP/bin:/usr/bin:/bin" \
	    "$ROOT/completions/kubectl_complete-mesh_gw" \
	    -f "$MESH/external.yaml" --cluster r
	assert_output "$(lines remote1 remote2 :4)"
}

@test "completions: before a subcommand, the subcommands, -h -V --help --version, and -f where it stands for one" {
	run -0 kc mesh-render ''
	assert_output "$(lines primary remote external-istiod external-config \
	    external-remote :4)"
	run -0 kc mesh-render -
	assert_output "$(lines --filename --help --version -V -f -h :4)"
	run -0 kc mesh-gw ''
	assert_output "$(lines eastwest expose-services expose-istiod \
	    controlplane external-istiod ingress egress :4)"
	run -0 kc mesh-gw --
	assert_output "$(lines --filename --help --version :4)"
	run -0 kc mesh-secret ''
	assert_output "$(lines remote cacerts tls :4)"
	run -0 kc mesh-secret -
	assert_output "$(lines --help --version -V -h :4)"
	run -0 bash_line 'mesh-secret '
	assert_output "$(lines remote cacerts tls)"
	run -0 bash_line 'mesh-render -'
	assert_output "$(lines --filename --help --version -V -f -h)"
	# a value is not a subcommand
	run -0 kc mesh-render --cluster remote ''
	assert_output "$(lines primary remote external-istiod external-config \
	    external-remote :4)"
	# after one, or after -f, no other
	run -0 kc mesh-secret remote ''
	assert_output :4
	run -0 kc mesh-render -f x.yaml ''
	assert_output :4
	run -0 kc mesh-gw --filename x.yaml ''
	assert_output :4
	# an option only a subcommand takes may still be typed before it
	run -0 kc mesh-secret --cont
	assert_output "$(lines --context :4)"
	run -0 bash_line 'mesh-gw --amb'
	assert_output --ambient
	# after --, words are operands
	run -0 kc mesh-secret -- ''
	assert_output "$(lines remote cacerts tls :4)"
}

@test "completions: each subcommand offers only its own options, as its usage says" {
	local p f want
	for p in mesh-gw mesh-secret; do
		while read -r f; do
			case $f in ''|egress|cacerts*) continue ;; esac
			# (-f is not offered again once given)
			want=$({ usage_options "$p" "${f% x}"; lines --help --version; } |
			    if [ "$f" = '-f x' ]; then grep -v -e --filename; else cat; fi |
			    sort -u)
			run -0 offers "$p" "$f"
			[ "$output" = "$want" ] || {
				echo "$p $f offers:"; echo "$output"
				echo "its usage:"; echo "$want"; false
			}
		done < <(forms "$p")
	done
	# egress's Service is a ClusterIP: ingress's options but those
	run -0 offers mesh-gw egress
	assert_output "$({ usage_options mesh-gw egress; lines --help --version; } |
	    grep -v -e --external-ip -e --load-balancer-ip -e --service-type |
	    sort -u)"
	refute_line --service-type
	# cacerts, then with --verify: -f only
	run -0 offers mesh-secret cacerts
	assert_output "$({ usage_options mesh-secret cacerts; lines --help \
	    --version; } | sort -u)"
	# a subcommand's -f is not offered again once given
	run -0 offers mesh-secret 'tls -f x'
	refute_line --filename
	assert_line --step
	run -0 offers mesh-secret 'cacerts --verify'
	assert_output "$(lines --filename --help --version)"
	run -0 bash_line 'mesh-secret cacerts --verify -'
	assert_output "$(lines --filename --help --version -V -f -h)"
	# mesh-render's -f, and its roles, as check_role takes them
	run -0 offers mesh-render '-f x'
	assert_output "$({ usage_options mesh-render -f; lines --help \
	    --version; } | grep -v -e --filename | sort -u)"
	run -0 offers mesh-render primary
	assert_output "$(lines --cluster --gateway-port --gateway-service \
	    --has-remotes --help --istio-version --mesh --namespace --network --output --peer \
	    --revision --version)"
	run -0 offers mesh-render remote
	assert_output "$(lines --cluster --help --istio-version --mesh \
	    --namespace --network --output --pilot-address --revision \
	    --version)"
	run -0 offers mesh-render external-istiod
	assert_output "$(lines --address --cluster --help --istio-version \
	    --mesh --namespace --network --output --revision --version)"
	for f in external-config external-remote; do
		run -0 offers mesh-render "$f"
		assert_output "$(lines --address --cluster --help \
		    --istio-version --namespace --network --output --revision \
		    --version)"
	done
	# and at least the options --help's list of roles names for each
	for f in primary remote external-istiod external-config external-remote
	do
		"$MESH_BUILD/mesh-render" --help | awk '
		    /^Roles/ { on = 1; next }
		    on && /^$/ { exit }
		    on && /^  [a-z]/ { r = $1 }
		    on { print r, $0 }' | grep "^$f " |
		    grep -oE -- '--[a-z-]+' | sort -u >"$TMP/role"
		[ -s "$TMP/role" ]
		offers mesh-render "$f" | comm -23 "$TMP/role" - >"$TMP/missing"
		[ ! -s "$TMP/missing" ] || { echo "$f: $(cat "$TMP/missing")"; false; }
	done
	# options typed before the subcommand count
	run -0 kc mesh-render --network n remote --pi
	assert_output "$(lines --pilot-address :4)"
}

@test "completions: bash, kubectl, zsh and fish offer exactly the long options, over every form" {
	local p f
	for p in mesh-render mesh-gw mesh-overlay mesh-secret mesh-wait; do
		"$MESH_BUILD/$p" --help | grep -o -- '--[a-z0-9-]*' |
		    grep -v '^--$' | sort -u >"$TMP/want"
		forms "$p" | while read -r f; do
			# shellcheck disable=SC2086
			bash_words "$p" $f --
			# shellcheck disable=SC2086
			kc "$p" $f --
		done | grep -- '^--' | sort -u >"$TMP/got"
		diff "$TMP/want" "$TMP/got" || { echo "bash or kubectl: $p"; false; }
		grep -o -- "--[a-z][a-z0-9-]*" "$ROOT/completions/_$p" |
		    sort -u >"$TMP/got"
		diff "$TMP/want" "$TMP/got" || { echo "zsh: $p"; false; }
		grep -o -- "-l [a-z][a-z0-9-]*" "$ROOT/completions/$p.fish" |
		    sed 's/^-l /--/' | sort -u >"$TMP/got"
		diff "$TMP/want" "$TMP/got" || { echo "fish: $p"; false; }
	done
}

@test "completions: the kubectl completers are POSIX sh, and one script for all five" {
	local p
	for p in render gw overlay secret wait; do
		[ "$(head -n1 "$ROOT/completions/kubectl_complete-mesh_$p")" = \
		    '#!/bin/sh' ]
		cmp "$ROOT/completions/kubectl_complete-mesh_$p" \
		    "$ROOT/completions/meshline.sh"
		cmp "$ROOT/completions/mesh-$p.bash" "$ROOT/completions/meshline.bash"
	done
	command -v dash >/dev/null || skip "dash is not installed"
	run -0 dash -n "$ROOT/completions/meshline.sh"
	run -0 dash "$ROOT/completions/kubectl_complete-mesh_secret" remote \
	    --kubeconfig "$TMP/kc.yaml" --type=
	assert_output "$(lines remote config :4)"
	if command -v shellcheck >/dev/null; then
		run -0 shellcheck -s sh "$ROOT/completions/meshline.sh"
		run -0 shellcheck -s bash "$ROOT/completions/meshline.bash"
	fi
}

@test "completions: after make install, kubectl __complete and the bash completion find each other" {
	make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr \
	    BUILD="$MESH_BUILD"
	local bin="$TMP/dest/usr/bin"
	# the bash completion, away from the source tree, runs the
	# installed completer of its prefix, which finds mesh-render beside it
	run -0 env PATH=/usr/bin:/bin bash -c '
		source "$1/usr/share/bash-completion/completions/mesh-gw"
		COMP_WORDS=(mesh-gw -f "$2" --cluster "")
		COMP_CWORD=4
		_mesh_gw
		printf "%s\n" "${COMPREPLY[@]}"' - "$TMP/dest" "$MESH/external.yaml"
	assert_output "$(lines external remote1 remote2)"
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	export PATH="$bin:$PATH"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-secret \
	    remote --type=
	assert_output "$(lines remote config :4)"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-secret \
	    remote --kubeconfig "$TMP/kc.yaml" --context=
	assert_output "$(lines alpha beta-ctx :4)"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-wait \
	    --context ''
	assert_output "$(lines gamma :4)"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-render \
	    -f "$MESH/external.yaml" --cluster=r
	assert_output "$(lines remote1 remote2 :4)"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-gw ''
	assert_output "$(lines eastwest expose-services expose-istiod \
	    controlplane external-istiod ingress egress :4)"
	run --separate-stderr -0 timeout 20 kubectl __complete mesh-secret \
	    tls --
	assert_output "$(offers mesh-secret tls; echo :4)"
}

# zsh_complete LINE...: what zsh's completion offers at the end of each
# LINE, a block each headed "@@ LINE", with our functions first in fpath
# (zsh runs in a pseudo-terminal; compadd is wrapped to record matches).
zsh_complete() {
	cat >"$TMP/zcomp.py" <<-'EOF'
	import os, pty, select, sys, time
	tmp, fdir, lines = sys.argv[1], sys.argv[2], sys.argv[3:]
	hits = os.path.join(tmp, "hits")
	open(hits, "w").close()
	with open(os.path.join(tmp, ".zshrc"), "w") as f:
	    f.write(f"""PS1='> '
	fpath=({fdir} $fpath)
	autoload -Uz compinit && compinit -u -D -d {tmp}/zcompdump
	compadd() {{
	    if (( ${{@[(I)-[OAD]*]}} )); then builtin compadd "$@"; return; fi
	    local -a h
	    builtin compadd -O h "$@"
	    (( $#h )) && print -rl -- $h >> {hits}
	    builtin compadd "$@"
	}}
	""")
	pid, fd = pty.fork()
	if pid == 0:
	    os.environ["ZDOTDIR"] = tmp
	    os.execvp("zsh", ["zsh", "-d", "-i"])
	def drain(quiet, most=30):
	    """read what zsh writes until it is quiet that long, or ends"""
	    end = time.time() + most
	    while time.time() < end:
	        if not select.select([fd], [], [], quiet)[0]:
	            return
	        try:
	            if not os.read(fd, 65536):
	                return
	        except OSError:
	            return
	# zsh does not complete while more keys wait: a key at a time
	drain(0.5)
	for l in lines:
	    os.write(fd, f"print -r -- '@@ {l}' >> {hits}\n".encode())
	    end = time.time() + 10
	    while not open(hits).read().endswith(f"@@ {l}\n") and \
	        time.time() < end:
	        drain(0.05, 0.1)
	    size = os.path.getsize(hits)
	    os.write(fd, l.encode() + b"\t")
	    # until something is offered (each line here expects something)
	    end = time.time() + 10
	    while os.path.getsize(hits) == size and time.time() < end:
	        drain(0.05, 0.1)
	    drain(0.2)
	    os.write(fd, b"\x15")
	    drain(0.1)
	os.write(fd, b"exit\n")
	drain(5, 60)
	os.waitpid(pid, 0)
	sys.stdout.write(open(hits).read())
	EOF
	mkdir -p "$TMP/zsh"
	"$PYTHON" "$TMP/zcomp.py" "$TMP/zsh" "$ROOT/completions" "$@"
}

# block LINE: the matches zsh_complete recorded for LINE, sorted.
block() {
	awk -v h="@@ $1" '$0 == h { on = 1; next } /^@@ / { on = 0 } on' \
	    "$TMP/zout" | sort -u
}

@test "completions: zsh completes values after '=', contexts, clusters, and each subcommand's options" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	zsh_complete 'mesh-secret remote --type=' \
	    "mesh-secret remote --kubeconfig $TMP/kc.yaml --context=" \
	    "mesh-secret remote --from-kubeconfig=$TMP/kc.yaml --context b" \
	    'mesh-wait --context ' \
	    "mesh-wait --kubeconfig=$TMP/kc.yaml --context=" \
	    "mesh-render -f $MESH/external.yaml --cluster=" \
	    "mesh-gw --filename $MESH/multi-primary.yaml --cluster " \
	    'mesh-secret ' 'mesh-secret -' 'mesh-secret tls --' \
	    'mesh-secret cacerts --verify -' 'mesh-render -' 'mesh-render remote --' \
	    'mesh-gw egress --' "mesh-render -f $MESH/external.yaml --" \
	    'mesh-overlay --output=' 'mesh-wait --for=con' >"$TMP/zout"
	run block 'mesh-secret remote --type='
	assert_output "$(lines config remote)"
	run block "mesh-secret remote --kubeconfig $TMP/kc.yaml --context="
	assert_output "$(lines alpha beta-ctx)"
	run block "mesh-secret remote --from-kubeconfig=$TMP/kc.yaml --context b"
	assert_output beta-ctx
	run block 'mesh-wait --context '
	assert_output gamma
	run block "mesh-wait --kubeconfig=$TMP/kc.yaml --context="
	assert_output "$(lines alpha beta-ctx)"
	run block "mesh-render -f $MESH/external.yaml --cluster="
	assert_output "$(lines external remote1 remote2)"
	run block "mesh-gw --filename $MESH/multi-primary.yaml --cluster "
	assert_output "$(lines cluster1 cluster2)"
	run block 'mesh-secret '
	assert_output "$(lines cacerts remote tls)"
	run block 'mesh-secret -'
	assert_output "$(lines --help --version -V -h)"
	run block 'mesh-secret tls --'
	assert_output "$(offers mesh-secret tls)"
	run block 'mesh-secret cacerts --verify -'
	assert_output "$(lines --filename --help --version -V -f -h)"
	run block 'mesh-render -'
	assert_output "$(lines --filename --help --version -V -f -h)"
	run block 'mesh-render remote --'
	assert_output "$(offers mesh-render remote)"
	run block 'mesh-gw egress --'
	assert_output "$(offers mesh-gw egress)"
	run block "mesh-render -f $MESH/external.yaml --"
	assert_output "$(offers mesh-render '-f x')"
	run block 'mesh-overlay --output='
	assert_output "$(lines json yaml)"
	run block 'mesh-wait --for=con'
	assert_output condition=
}

# fish_complete LINE: what fish completes at the end of LINE, sorted.
fish_complete() {
	local p=${1%% *}
	fish -c 'source $argv[1]; complete -C $argv[2]' "$ROOT/completions/$p.fish" \
	    "$1" | cut -f1 | sort -u
}

@test "completions: fish completes values after '=', contexts, clusters, and each subcommand's options" {
	command -v fish >/dev/null || skip "fish is not installed"
	run -0 fish_complete 'mesh-secret remote --type=c'
	assert_output --type=config
	run -0 fish_complete 'mesh-render primary --output='
	assert_output "$(lines --output=json --output=yaml)"
	run -0 fish_complete 'mesh-secret remote --create-service-account='
	assert_output "$(lines --create-service-account=false \
	    --create-service-account=true)"
	run -0 fish_complete "mesh-render -f $MESH/external.yaml --cluster "
	assert_output "$(lines external remote1 remote2)"
	run -0 fish_complete "mesh-gw --filename=$MESH/external.yaml --cluster=r"
	assert_output "$(lines --cluster=remote1 --cluster=remote2)"
	run -0 fish_complete 'mesh-secret '
	assert_output "$(lines cacerts remote tls)"
	run -0 fish_complete 'mesh-secret -'
	assert_output "$(lines --help --version -V -h)"
	run -0 fish_complete 'mesh-gw -'
	assert_output "$(lines --filename --help --version -V -f -h)"
	run -0 fish_complete 'mesh-secret tls --'
	assert_output "$(offers mesh-secret tls)"
	run -0 fish_complete 'mesh-secret cacerts --verify --'
	assert_output "$(lines --filename --help --version)"
	run -0 fish_complete 'mesh-gw egress --'
	assert_output "$(offers mesh-gw egress)"
	run -0 fish_complete 'mesh-render external-config --'
	assert_output "$(offers mesh-render external-config)"
	run -0 fish_complete "mesh-render -f $MESH/external.yaml --"
	assert_output "$(offers mesh-render '-f x')"
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	run -0 fish_complete 'mesh-wait --context '
	assert_output gamma
	run -0 fish_complete "mesh-wait --kubeconfig $TMP/kc.yaml --context "
	assert_output "$(lines alpha beta-ctx)"
	run -0 fish_complete "mesh-secret remote --kubeconfig=$TMP/kc.yaml --context=b"
	assert_output --context=beta-ctx
	run -0 fish_complete "mesh-secret remote --from-kubeconfig $TMP/kc.yaml --context "
	assert_output "$(lines alpha beta-ctx)"
}
