# bash completion for mesh-render(1)

_mesh_render()
{
	local cur prev i role=
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W 'yaml json' -- "$cur"))
		return ;;
	-f|--filename)
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--istio-version)
		COMPREPLY=($(compgen -W '1.22 1.23 1.24 1.25 1.26 1.27 1.28' -- "$cur"))
		return ;;
	--address|--cluster|--gateway-port|--gateway-service|--mesh|--namespace|--network|--peer|--pilot-address|--revision)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--address --cluster --filename
		    --gateway-port --gateway-service --help --istio-version
		    --mesh --namespace --network --output --peer
		    --pilot-address --revision --version
		    -f -h -o -V' -- "$cur"))
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		primary|remote|external-istiod|external-config|external-remote)
			role=${COMP_WORDS[i]} ;;
		esac
	done
	[ -n "$role" ] && return
	COMPREPLY=($(compgen -W 'primary remote external-istiod external-config external-remote' -- "$cur"))
}
complete -F _mesh_render mesh-render kubectl-mesh_render
