# fish completion for mesh-render(1)
for c in mesh-render kubectl-mesh_render
	complete -c $c -f
	complete -c $c -n __fish_use_subcommand -a 'primary remote external-istiod external-config external-remote'
	complete -c $c -l address -x -d 'the external istiod host name'
	complete -c $c -l cluster -x -d 'the cluster name'
	complete -c $c -s f -l filename -r -F -d 'render a whole mesh description'
	complete -c $c -l gateway-port -x -d 'east-west gateway port'
	complete -c $c -l gateway-service -x -d 'east-west gateway service'
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -l istio-version -x -a '1.22 1.23 1.24 1.25 1.26 1.27 1.28' -d 'what this Istio release needs'
	complete -c $c -l mesh -x -d 'the mesh ID'
	complete -c $c -l namespace -x -d 'the external istiod namespace'
	complete -c $c -l network -x -d 'the cluster network'
	complete -c $c -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -l peer -x -d 'another cluster and its network'
	complete -c $c -l pilot-address -x -d 'the primary east-west gateway address'
	complete -c $c -l revision -x -d 'an Istio revision'
	complete -c $c -s V -l version -d 'show the version'
end
