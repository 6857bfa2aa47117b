#!/usr/bin/env bats
# What every program shares: --help, --version, usage errors, the usage
# text equal to the man page's SYNOPSIS, completions that know every
# option, and make install giving working kubectl plugins.

load helpers/common

programs() {
	local f
	for f in "$ROOT"/cmd/mesh-*; do
		f=${f##*/}
		echo "${f%.c}"
	done
}

# The SYNOPSIS of an mdoc page, rendered to one line of words.
synopsis() {
	"$PYTHON" - "$1" <<'PY'
import sys
words, in_syn, name = [], False, None
def render(args):
    out, glue = [], False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "Ns":
            glue = True; i += 1; continue
        if a == "Fl":
            i += 1
            t = "-" + (args[i] if i < len(args) and args[i] not in ("Ar", "Cm", "Ns") else "")
            if t == "-":
                i -= 1
        elif a in ("Ar", "Cm"):
            if i + 1 < len(args) and args[i + 1] not in ("Fl", "Ar", "Cm", "Ns"):
                i += 1; t = args[i]
            else:
                t = "file ..."
        else:
            t = a
        if glue and out:
            out[-1] += t
        else:
            out.append(t)
        glue = False
        i += 1
    return " ".join(out)
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith(".Sh "):
        in_syn = line == ".Sh SYNOPSIS"
        continue
    if line.startswith(".Nm") and name is None:
        name = line.split()[1] if len(line.split()) > 1 else None
    if not in_syn or not line.startswith("."):
        continue
    parts = line[1:].split()
    if parts[0] == "Nm":
        words.append(name)
    elif parts[0] == "Op":
        words.append("[" + render(parts[1:]) + "]")
    elif parts[0] in ("Fl", "Ar", "Cm"):
        words.append(render(parts))
print(" ".join(words))
PY
}

# Every long option --help lists.
long_options() {
	"$MESH_BUILD/$1" --help | grep -o -- '--[a-z0-9-]*' | grep -v '^--$' | sort -u
}

@test "common: every program has -h and --help on stdout with exit 0" {
	local p
	for p in $(programs); do
		run --separate-stderr -0 mesh "$p" --help
		[[ "$output" == "usage: $p "* ]]
		[ -z "$stderr" ]
		run --separate-stderr -0 mesh "$p" -h
		[[ "$output" == "usage: $p "* ]]
	done
}

@test "common: every program has --version" {
	local p
	for p in $(programs); do
		run --separate-stderr -0 mesh "$p" --version
		[[ "$output" == "$p (meshline) "* ]]
	done
}

@test "common: an unknown option exits 2 with one line and a hint" {
	local p
	for p in $(programs); do
		run --separate-stderr -2 mesh "$p" --no-such-option < /dev/null
		[ -z "$output" ]
		[ "$stderr" = "$p: unknown option '--no-such-option'
Try '$p --help' for more information." ]
	done
}

@test "common: the usage text is the man page's SYNOPSIS, word for word" {
	local p
	for p in $(programs); do
		[ -f "$ROOT/man/$p.1" ]
		usage=$("$MESH_BUILD/$p" --help | sed -n '/^usage:/,/^$/p' | sed 's/^usage: //' | tr -s ' \n' '  ' | sed 's/ *$//')
		man=$(synopsis "$ROOT/man/$p.1")
		[ "$usage" = "$man" ] || { echo "usage: $usage"; echo "man:   $man"; false; }
	done
}

@test "common: the man page describes every long option" {
	local p o
	for p in $(programs); do
		for o in $(long_options "$p"); do
			grep -q -- "^\.It .*Fl -${o#--}\b" "$ROOT/man/$p.1" || { echo "$p.1 lacks $o"; false; }
		done
	done
}

@test "common: the man pages are well-formed mdoc" {
	command -v groff >/dev/null || skip "groff is not installed"
	local m
	for m in "$ROOT"/man/*.[17]; do
		run groff -mdoc -Tutf8 -ww -z "$m"
		[ -z "$output" ] || { echo "$m: $output"; false; }
	done
}

@test "common: the man pages are clean under mandoc -Tlint, and cite only pages that exist" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	local m x
	for m in "$ROOT"/man/*.[17]; do
		# our own pages are not in the system's database; checked below
		run mandoc -Tlint "$m"
		printf '%s\n' "$output" | grep -v -e 'referenced manual not found: Xr mesh' \
		    -e 'referenced manual not found: Xr openssl 1' -e 'mandoc.db lacks' |
		    { ! grep .; } || false
		# a cited page is one of ours, or openssl(1), which OpenSSL ships
		for x in $(awk '$1 == ".Xr" { print $2 "." $3 }' "$m"); do
			[ -f "$ROOT/man/$x" ] || [ "$x" = openssl.1 ] || { echo "$m cites $x"; false; }
		done
	done
}

# The long options a completion offers for "--", over every form: before a
# subcommand, after each (each offers only its own), after -f FILE and
# after mesh-secret cacerts --verify.
forms() {
	case $1 in
	mesh-render) printf '%s\n' '' '-f x' primary remote external-istiod \
	    external-config external-remote ;;
	mesh-gw) printf '%s\n' '' '-f x' eastwest expose-services expose-istiod \
	    controlplane external-istiod ingress egress ;;
	mesh-secret) printf '%s\n' '' remote cacerts 'cacerts --verify' tls ;;
	*) echo ;;
	esac
}
bash_offers() {
	local f
	forms "$1" | while read -r f; do
		bash -c "source '$ROOT/completions/$1.bash'; COMP_WORDS=($1 $f --); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _$(echo "$1" | tr - _); printf '%s\n' \"\${COMPREPLY[@]}\""
	done | grep -- '^--' | sort -u
}
kubectl_offers() {
	local f
	# shellcheck disable=SC2086
	forms "$1" | while read -r f; do
		"$ROOT/completions/kubectl_complete-$(echo "$1" | tr - _)" $f --
	done | grep -- '^--' | sort -u
}
zsh_offers() {
	grep -o -- "--[a-z][a-z0-9-]*" "$ROOT/completions/_$1" | sort -u
}
fish_offers() {
	grep -o -- "-l [a-z][a-z0-9-]*" "$ROOT/completions/$1.fish" | sed 's/^-l /--/' | sort -u
}

@test "common: bash, zsh, fish and kubectl completions offer exactly the long options" {
	local p c
	for p in $(programs); do
		long_options "$p" > "$TMP/want"
		for c in bash kubectl zsh fish; do
			"${c}_offers" "$p" > "$TMP/got"
			diff "$TMP/want" "$TMP/got" || { echo "$c completion of $p differs"; false; }
		done
		"$ROOT/completions/kubectl_complete-$(echo "$p" | tr - _)" --s > "$TMP/c"
		[ "$(tail -n1 "$TMP/c")" = ":4" ]
	done
}

@test "common: the bash completion completes options" {
	local p
	for p in $(programs); do
		run bash -c "source '$ROOT/completions/$p.bash'; COMP_WORDS=($p --out); COMP_CWORD=1; _$(echo "${p}" | tr - _); printf '%s\n' \"\${COMPREPLY[@]}\""
		[ "$status" -eq 0 ]
		[ "$output" = "--output" ]
	done
}

@test "common: make install puts programs, kubectl plugins, man pages and completions under DESTDIR" {
	run make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr BUILD="$MESH_BUILD"
	[ "$status" -eq 0 ]
	local p k
	for p in $(programs); do
		k=$(echo "$p" | tr - _)
		[ -x "$TMP/dest/usr/bin/$p" ]
		[ -L "$TMP/dest/usr/bin/kubectl-$k" ]
		[ "$(readlink "$TMP/dest/usr/bin/kubectl-$k")" = "$p" ]
		[ -x "$TMP/dest/usr/bin/kubectl_complete-$k" ]
		[ -f "$TMP/dest/usr/share/man/man1/$p.1" ]
		[ -f "$TMP/dest/usr/share/bash-completion/completions/$p" ]
		[ -f "$TMP/dest/usr/share/zsh/site-functions/_$p" ]
		[ -f "$TMP/dest/usr/share/fish/vendor_completions.d/$p.fish" ]
	done
	[ -f "$TMP/dest/usr/share/man/man7/mesh.7" ]
	run make -s -C "$ROOT" uninstall DESTDIR="$TMP/dest" PREFIX=/usr BUILD="$MESH_BUILD"
	[ "$status" -eq 0 ]
	[ -z "$(find "$TMP/dest" -type f -o -type l)" ]
}

@test "common: after make install, kubectl runs every program as a plugin and completes it" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr BUILD="$MESH_BUILD"
	local p k
	for p in $(programs); do
		k=$(echo "$p" | tr - _)
		run --separate-stderr -0 env PATH="$TMP/dest/usr/bin:$PATH" KUBECONFIG="$TMP/none" timeout 20 kubectl "${p}" --version
		[[ "$output" == "$p (meshline) "* ]]
		run --separate-stderr -0 env PATH="$TMP/dest/usr/bin:$PATH" KUBECONFIG="$TMP/none" timeout 20 kubectl __complete "$p" --ver
		[[ "$output" == "--version"*":4"* ]]
	done
	# a plugin's messages name the command the user typed
	for p in $(programs); do
		run --separate-stderr -2 env PATH="$TMP/dest/usr/bin:$PATH" KUBECONFIG="$TMP/none" timeout 20 kubectl "$p" --bogus < /dev/null
		[ -z "$output" ]
		[ "$stderr" = "kubectl $p: unknown option '--bogus'
Try 'kubectl $p --help' for more information." ] || { echo "$stderr"; false; }
	done
	run --separate-stderr -2 env PATH="$TMP/dest/usr/bin:$PATH" KUBECONFIG="$TMP/none" timeout 20 kubectl mesh-secret remote --days 3
	[ "$stderr" = "kubectl mesh-secret: remote does not take --days
Try 'kubectl mesh-secret remote --help' for more information." ]
}

# The long options of a program's SYNOPSIS lines that begin "prog sub",
# short ones named long, sorted and unique.
synopsis_options() {
	local prog=$1 sub=$2
	synopsis "$ROOT/man/$prog.1" | sed "s/ $prog /\n$prog /g" | grep "^$prog $sub " |
	    grep -oE -- '(^|[ [])-[-a-zA-Z]+' | sed 's/^[ [[]//' | sed 's/^-hV$/--help\n--version/; s/^-n$/--namespace/; s/^-o$/--output/; s/^-f$/--filename/; s/^-h$/--help/; s/^-V$/--version/' |
	    sort -u
}

@test "common: each subcommand's --help describes its own options, and usage errors point at it" {
	local sub o want got
	for sub in remote cacerts tls; do
		# every subcommand also takes -h and -V
		want=$( (synopsis_options mesh-secret "$sub"; printf -- '--help\n--version\n') | sort -u)
		[ -n "$want" ]
		run --separate-stderr -0 mesh-secret "$sub" --help
		[[ "$output" == "usage: mesh-secret $sub "* ]]
		got=$(printf '%s\n' "$output" | grep -o -- '--[a-z][-a-z]*' | sort -u)
		[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); false; }
		# each option is described on a line of its own
		for o in $want; do
			printf '%s\n' "$output" | grep -q -- "^  .*$o\b.*  " ||
			    printf '%s\n' "$output" | grep -q -- "^      $o" || { echo "$sub: $o undescribed"; false; }
		done
		# the same with -h, and with the subcommand after the flag
		run --separate-stderr -0 mesh-secret -h "$sub"
		[[ "$output" == "usage: mesh-secret $sub "* ]]
	done
	run --separate-stderr -2 mesh-secret cacerts --token-ttl 1h
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: cacerts does not take --token-ttl
Try 'mesh-secret cacerts --help' for more information." ]
	run --separate-stderr -2 mesh-secret tls --bogus
	[ "$stderr" = "mesh-secret: unknown option '--bogus'
Try 'mesh-secret tls --help' for more information." ]
	# no subcommand: the whole program's help, which says where to look
	run --separate-stderr -0 mesh-secret --help
	[[ "$output" == *"'mesh-secret SUBCOMMAND --help' describes a subcommand's options."* ]]
}

# sub_options PROG SUB: the long options PROG SUB --help describes.
sub_options() {
	"$MESH_BUILD/$1" "$2" --help | sed -n '/^$/,$p' | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z-]+' |
	    sed 's/.*--/--/' | sort -u
}

@test "common: each mesh-render role's and mesh-gw mode's --help describes exactly what it takes" {
	local prog sub subs o v all mine out need
	for prog in mesh-render mesh-gw; do
		all=$("$MESH_BUILD/$prog" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z-]+' | sed 's/.*--/--/' | sort -u)
		case $prog in
		mesh-render) subs="primary remote external-istiod external-config external-remote" ;;
		mesh-gw) subs="eastwest expose-services expose-istiod controlplane external-istiod ingress egress" ;;
		esac
		for sub in $subs; do
			run --separate-stderr -0 mesh "$prog" "$sub" --help
			[[ "$output" == "usage: $prog "*"$sub"* ]]
			mine=$(sub_options "$prog" "$sub")
			[[ "$mine" == *--help* && "$mine" == *--output* ]]
			# an option it describes is taken; one it does not is
			# refused (with what the role needs besides)
			case $prog-$sub in
			mesh-render-primary) need="--cluster c --network n" ;;
			mesh-render-remote) need="--cluster c --network n --pilot-address 192.0.2.1" ;;
			mesh-render-external-istiod) need="--cluster c --address a.example.com --network n" ;;
			mesh-render-external-*) need="--cluster c --address a.example.com --network n" ;;
			mesh-gw-external-istiod) need="--host a.example.com --credential-name s" ;;
			*) need= ;;
			esac
			for o in $all; do
				case " --help --version --filename $need " in *" $o "*) continue ;; esac
				# shellcheck disable=SC2086
				v=x
				case $o in
				--gateway-port) v=15443 ;; --peer) v=p=n ;; --istio-version) v=1.24 ;;
				--address|--host|--gateway-service) v=a.example.com ;;
				--pilot-address|--external-ip|--load-balancer-ip) v=192.0.2.1 ;;
				--service-type) v=NodePort ;; --tls) v=simple ;;
				--step) v=namespace ;; --installer) v=helm ;;
				esac
				out=$("$MESH_BUILD/$prog" "$sub" $need "$o=$v" 2>&1 >/dev/null || true)
				# shellcheck disable=SC2086
				[[ "$out" == *"unknown option '$o=$v'"* || "$out" == *"$o"*"argument"* ]] &&
				    out=$("$MESH_BUILD/$prog" "$sub" $need "$o" 2>&1 >/dev/null || true)
				if grep -qx -- "$o" <<< "$mine"; then
					[[ "$out" != *"does not take "*"$o"* ]] || { echo "$prog $sub: $out"; false; }
				else
					[[ "$out" == *"does not take "*"$o"* ]] || { echo "$prog $sub $o: $out"; false; }
					[[ "$out" == *"Try '$prog $sub --help' for more information." ]] || { echo "$out"; false; }
				fi
			done
		done
	done
}

@test "common: make check's summary line counts tests" {
	run awk -f "$ROOT/tests/summary.awk" <<< $'ok 1 a\nok 2 b # skip x\nnot ok 3 c\nok 4 d'
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 1 skipped" ]
	run awk -f "$ROOT/tests/summary.awk" <<< $'1..1\nok 1 a # skip x'
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "0 passed, 0 failed, 1 skipped" ]
	run awk -f "$ROOT/tests/summary.awk" <<< $'ok 1 a'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1 passed, 0 failed, 0 skipped" ]
}

@test "common: make dist packs the programs without libcyaml, with a krew manifest each" {
	local os arch top sum p n
	os=$(uname -s | tr A-Z a-z)
	arch=$(uname -m | sed 's/^x86_64$/amd64/; s/^aarch64$/arm64/')
	top=$("$MESH_BUILD/mesh-wait" --version | awk '{ print $3 }')
	top=meshline-$top-$os-$arch
	make -s -C "$ROOT" dist DIST="$TMP/dist" > /dev/null
	[ -f "$TMP/dist/$top.tar.gz" ]
	sum=$(sha256sum "$TMP/dist/$top.tar.gz" | cut -d' ' -f1)
	mkdir "$TMP/x"
	tar -C "$TMP/x" -xzf "$TMP/dist/$top.tar.gz"
	n=0
	for p in $(programs); do
		n=$((n + 1))
		# libcyaml and libyaml are linked in; the program runs
		! readelf -d "$TMP/x/$top/bin/$p" | grep -E 'NEEDED.*lib(c)?yaml'
		run --separate-stderr -0 "$TMP/x/$top/bin/$p" --version
		[[ "$output" == "$p (meshline) "* ]]
		# the manifest: this platform, this archive's sum, files that exist
		"$PYTHON" - "$TMP/dist/krew/$p.yaml" "$p" "$os" "$arch" "$sum" "$TMP/x" <<-'PY'
		import os, sys, yaml
		m = yaml.safe_load(open(sys.argv[1]))
		_, name, osn, arch, sum_, root = sys.argv[1:]
		assert m["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2", m
		assert m["kind"] == "Plugin" and m["metadata"]["name"] == name, m
		assert m["spec"]["version"].startswith("v"), m
		assert 0 < len(m["spec"]["shortDescription"]) <= 60, m
		(pl,) = m["spec"]["platforms"]
		assert pl["selector"]["matchLabels"] == {"os": osn, "arch": arch}, pl
		assert pl["sha256"] == sum_, pl
		assert pl["uri"].endswith("/" + os.path.basename(pl["files"][0]["from"].split("/")[0]) + ".tar.gz"), pl
		assert pl["bin"] == name, pl
		for f in pl["files"]:
		    assert os.path.isfile(os.path.join(root, f["from"])), f
		assert pl["files"][0]["from"].endswith("/bin/" + name), pl
		PY
	done
	[ "$n" = 5 ]
	# as krew installs one: the files copied, kubectl-mesh_x linked to bin
	if command -v kubectl >/dev/null; then
		mkdir -p "$TMP/krew/bin" "$TMP/krew/store"
		cp "$TMP/x/$top/bin/mesh-wait" "$TMP/krew/store/"
		ln -s ../store/mesh-wait "$TMP/krew/bin/kubectl-mesh_wait"
		run --separate-stderr -2 env PATH="$TMP/krew/bin:$PATH" KUBECONFIG="$TMP/none" timeout 20 kubectl mesh-wait --bogus
		[ "$stderr" = "kubectl mesh-wait: unknown option '--bogus'
Try 'kubectl mesh-wait --help' for more information." ]
	fi
	# the same sources give the same archive
	make -s -C "$ROOT" dist DIST="$TMP/dist2" > /dev/null
	cmp "$TMP/dist/$top.tar.gz" "$TMP/dist2/$top.tar.gz"
}
