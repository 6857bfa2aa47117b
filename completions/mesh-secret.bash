# bash completion for mesh-secret(1)

_mesh_secret()
{
	local cur prev i sub=
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W 'yaml json' -- "$cur"))
		return ;;
	-f|--filename)
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--kubeconfig|--from-kubeconfig)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--root-dir|--ca-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--type)
		COMPREPLY=($(compgen -W 'remote config' -- "$cur"))
		return ;;
	--auth-type)
		COMPREPLY=($(compgen -W 'bearer-token plugin' -- "$cur"))
		return ;;
	--key-type)
		COMPREPLY=($(compgen -W 'rsa ecdsa' -- "$cur"))
		return ;;
	--key-size)
		COMPREPLY=($(compgen -W '2048 3072 4096 256 384' -- "$cur"))
		return ;;
	--auth-plugin-config|--auth-plugin-name|--ca-configmap|--cluster|--context|--days|--host|--istio-namespace|-n|--namespace|--name|--org|--request-timeout|--secret-name|--server|--service-account|--tls-server-name|--token-ttl)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--allow-loopback --auth-plugin-config
		    --auth-plugin-name --auth-type --ca-configmap --ca-dir
		    --cluster --context --create-service-account --days
		    --filename --force --from-kubeconfig --help --host
		    --istio-namespace --key-size --key-type --kubeconfig --name
		    --namespace --org --output --read-only --request-timeout
		    --root-dir --rotate --secret-name --server --service-account
		    --tls-server-name --token-ttl --type --verify --version
		    -f -h -n -o -V' -- "$cur"))
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		remote|cacerts|tls)
			sub=${COMP_WORDS[i]} ;;
		esac
	done
	[ -n "$sub" ] && return
	COMPREPLY=($(compgen -W 'remote cacerts tls' -- "$cur"))
}
complete -F _mesh_secret mesh-secret kubectl-mesh_secret
