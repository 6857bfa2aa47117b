# bash completion for mesh-wait(1)

_mesh_wait()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W 'yaml json name value jsonpath=' -- "$cur"))
		return ;;
	--for)
		COMPREPLY=($(compgen -W 'ready exists delete address injected
		    condition= jsonpath=' -- "$cur"))
		return ;;
	-f|--filename)
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--kubeconfig)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--context)
		COMPREPLY=($(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur"))
		return ;;
	-l|--selector|-n|--namespace|--fail-after|--request-timeout|--timeout)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--all --all-namespaces --context
		    --fail-after --filename --for --help --kubeconfig
		    --namespace --output --quiet --request-timeout --selector
		    --timeout --version -A -f -h -l -n -o -q -V' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W 'deployment/ statefulset/ daemonset/
	    replicaset/ job/ pod/ service/ persistentvolumeclaim/ namespace/
	    customresourcedefinition/ apiservice/
	    mutatingwebhookconfiguration/ validatingwebhookconfiguration/
	    secret/ configmap/' -- "$cur"))
	compopt -o nospace 2>/dev/null
}
complete -F _mesh_wait mesh-wait kubectl-mesh_wait
