# bash completion for mesh-render, mesh-gw, mesh-overlay, mesh-secret and
# mesh-wait, and for them as kubectl-mesh_render and so on.  Installed under
# each program's name.  What to offer is the answer of the program's
# kubectl_complete-mesh_<name>, as kubectl gets it; this turns bash's words
# into its arguments and its answer into COMPREPLY.

# _meshline_break WORD: WORD is a run of '=' and ':' that bash made a word
# of its own because COMP_WORDBREAKS holds them.
_meshline_break()
{
	[[ $1 =~ ^[=:]+$ ]] &&
	    [[ $1 != *=* || ${COMP_WORDBREAKS-} == *=* ]] &&
	    [[ $1 != *:* || ${COMP_WORDBREAKS-} == *:* ]]
}

# _meshline NAME: complete the command line of mesh-NAME (render, gw...).
_meshline()
{
	local engine=kubectl_complete-mesh_$1 here=${BASH_SOURCE[0]%/*}
	local i w c glue=0 cur pre keep='' breaks='' dir=4 files=1
	local -a args=() out=() reply=()

	# the engine: beside this file in the source tree, in the bin/ of the
	# prefix this file is installed in, or on PATH
	if [[ -x $here/$engine ]]; then
		engine=$here/$engine
	elif [[ -x $here/../../../bin/$engine ]]; then
		engine=$here/../../../bin/$engine
	fi

	# the words up to the cursor, with "--type", "=", "re" joined again
	for ((i = 1; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#args[@]} > 0)) && _meshline_break "$w"; then
			args[${#args[@]}-1]+=$w
			glue=1
		elif ((glue)); then
			args[${#args[@]}-1]+=$w
			glue=0
		else
			args+=("$w")
		fi
	done
	cur=${args[${#args[@]}-1]}

	mapfile -t out < <("$engine" "${args[@]}" 2>/dev/null)
	if ((${#out[@]} > 0)) && [[ ${out[${#out[@]}-1]} == :* ]]; then
		dir=${out[${#out[@]}-1]#:}
		unset "out[${#out[@]}-1]"
	fi

	# a "--flag=..." word is answered with the flag's values alone
	pre=
	[[ $cur == --*=* ]] && pre=${cur%%=*}=
	if ((dir & 8)); then
		for c in "${out[@]}"; do
			mapfile -t -O ${#reply[@]} reply < <(compgen -f \
			    -X '!*.'"$c" -- "${cur#"$pre"}")
		done
		mapfile -t -O ${#reply[@]} reply < <(compgen -d -- "${cur#"$pre"}")
	elif ((dir & 16)); then
		mapfile -t reply < <(compgen -d -- "${cur#"$pre"}")
	elif ((dir & 4)); then
		reply=("${out[@]}")
		files=0
	else
		reply=("${out[@]}")
		mapfile -t -O ${#reply[@]} reply < <(compgen -f -- "${cur#"$pre"}")
	fi
	((files)) && compopt -o filenames 2>/dev/null

	# bash replaces only what follows the last '=' or ':' it breaks at
	[[ ${COMP_WORDBREAKS-} == *=* ]] && breaks+='='
	[[ ${COMP_WORDBREAKS-} == *:* ]] && breaks+=':'
	[[ -n $breaks && $cur == *["$breaks"]* ]] &&
	    keep=${cur%"${cur##*["$breaks"]}"}
	COMPREPLY=()
	for c in "${reply[@]}"; do
		c=$pre$c
		[[ $c == "$keep"* ]] && COMPREPLY+=("${c#"$keep"}")
	done
	if ((dir & 2)) || [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=/] ]]
	then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

_mesh_render() { _meshline render; }
_mesh_gw() { _meshline gw; }
_mesh_overlay() { _meshline overlay; }
_mesh_secret() { _meshline secret; }
_mesh_wait() { _meshline wait; }
complete -F _mesh_render mesh-render kubectl-mesh_render
complete -F _mesh_gw mesh-gw kubectl-mesh_gw
complete -F _mesh_overlay mesh-overlay kubectl-mesh_overlay
complete -F _mesh_secret mesh-secret kubectl-mesh_secret
complete -F _mesh_wait mesh-wait kubectl-mesh_wait
