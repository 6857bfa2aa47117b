# bash completion for mesh-overlay(1)

_mesh_overlay()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W 'yaml json' -- "$cur"))
		return ;;
	-f|--filename|--k8s-overlays)
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--select)
		COMPREPLY=($(compgen -W 'kind= name= namespace= apiVersion=' -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	-s|--set|--set-string|--set-json|--delete|--max-depth|--max-document-size|--max-input-size)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--delete --env --filename --help
		    --k8s-overlays --max-depth --max-document-size
		    --max-input-size --output --resource-list --select --set
		    --set-json --set-string --stream --version
		    -e -f -h -o -s -V' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _mesh_overlay mesh-overlay kubectl-mesh_overlay
