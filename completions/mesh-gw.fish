# fish completion for mesh-gw(1)
for c in mesh-gw kubectl-mesh_gw
	complete -c $c -f
	complete -c $c -n __fish_use_subcommand -a 'eastwest expose-services expose-istiod controlplane external-istiod ingress egress'
	complete -c $c -l ambient -d 'a Gateway API Gateway for ambient mode'
	complete -c $c -l cluster -x -d 'with -f: only this cluster'
	complete -c $c -l credential-name -x -d 'the TLS secret for the host'
	complete -c $c -l external-ip -x -d 'an external IP of the gateway Service'
	complete -c $c -s f -l filename -r -F -d 'every gateway of a mesh description'
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -l host -x -d 'the host name istiod is reached at'
	complete -c $c -l injection-template -x -a gateway -d 'the gateway injection template'
	complete -c $c -l istio-namespace -x -d 'where Istio runs'
	complete -c $c -l load-balancer-ip -x -d 'the load balancer IP'
	complete -c $c -l mesh -x -d 'ignored, as by the script'
	complete -c $c -l namespace -x -d 'the gateway or external istiod namespace'
	complete -c $c -l network -x -d 'the network'
	complete -c $c -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -l revision -x -d 'an Istio revision'
	complete -c $c -l service-type -x -a 'LoadBalancer NodePort' -d 'the gateway Service type'
	complete -c $c -l single-cluster -d 'a gateway for one cluster, no network'
	complete -c $c -l tls -x -a simple -d 'end TLS at the gateway'
	complete -c $c -s V -l version -d 'show the version'
end
