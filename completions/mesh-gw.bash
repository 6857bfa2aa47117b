# bash completion for mesh-gw(1)

_mesh_gw()
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
	--service-type)
		COMPREPLY=($(compgen -W 'LoadBalancer NodePort' -- "$cur"))
		return ;;
	--tls)
		COMPREPLY=($(compgen -W 'simple' -- "$cur"))
		return ;;
	--injection-template)
		COMPREPLY=($(compgen -W 'gateway' -- "$cur"))
		return ;;
	--cluster|--credential-name|--external-ip|--host|--istio-namespace|--load-balancer-ip|--mesh|--namespace|--network|--revision)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--ambient --cluster --credential-name
		    --external-ip --filename --help --host --injection-template
		    --istio-namespace --load-balancer-ip --mesh --namespace
		    --network --output --revision --service-type
		    --single-cluster --tls --version
		    -f -h -o -V' -- "$cur"))
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		eastwest|expose-services|expose-istiod|controlplane|external-istiod|ingress|egress)
			sub=${COMP_WORDS[i]} ;;
		esac
	done
	[ -n "$sub" ] && return
	COMPREPLY=($(compgen -W 'eastwest expose-services expose-istiod controlplane external-istiod ingress egress' -- "$cur"))
}
complete -F _mesh_gw mesh-gw kubectl-mesh_gw
