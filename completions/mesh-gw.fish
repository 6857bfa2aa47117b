# fish completion for mesh-gw(1)

# mesh-gw's options, as argparse reads them ("=": takes a value)
set -g __mesh_gw_opts h/help V/version f/filename= o/output= ambient cluster= \
	credential-name= dir= external-ip= for= installer= host= injection-template= \
	istio-namespace= istio-version= load-balancer-ip= mesh= n/namespace= \
	network= revision= service-type= single-cluster step= tls=

# __mesh_gw_parse: the subcommand on the line before the cursor, or -f when
# a mesh description is given instead, in $__mesh_gw_form; -f's file in
# $__mesh_gw_file
function __mesh_gw_parse
	set -g __mesh_gw_form ''
	set -g __mesh_gw_file ''
	set --local t (commandline -opc)[2..-1]
	# the last word may be an option still waiting for its value
	argparse -i $__mesh_gw_opts -- $t 2>/dev/null
	or argparse -i $__mesh_gw_opts -- $t[1..-2] 2>/dev/null
	or return 1
	for a in $argv
		if contains -- $a eastwest expose-services expose-istiod controlplane external-istiod ingress egress
			set __mesh_gw_form $a
			return 0
		end
	end
	if set -q _flag_filename[1]
		set __mesh_gw_form -f
		set __mesh_gw_file (string replace -r '^~/' "$HOME/" -- $_flag_filename[-1])
	end
	return 0
end

# __mesh_gw_in FORM...: the line is in one of the FORMs: a subcommand, -f,
# or '' (neither yet)
function __mesh_gw_in
	__mesh_gw_parse
	and contains -- "$__mesh_gw_form" $argv
end

# the cluster names of the mesh description given with -f, as mesh-render
# names them
function __mesh_gw_clusters
	__mesh_gw_parse
	and test -f "$__mesh_gw_file" -a -r "$__mesh_gw_file"
	or return
	set --local r (command -s mesh-render; or command -s kubectl-mesh_render)
	and timeout 5 $r[1] -f $__mesh_gw_file </dev/null 2>/dev/null |
		string replace -rf '^ *meshline\.io/cluster: *["\']?([^"\']*)["\']? *$' '$1' |
		sort -u
end

for c in mesh-gw kubectl-mesh_gw
	set --local subs eastwest expose-services expose-istiod controlplane external-istiod ingress egress
	complete -c $c -f
	complete -c $c -n "__mesh_gw_in ''" -a "$subs"
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -s V -l version -d 'show the version'
	complete -c $c -n "__mesh_gw_in ''" -s f -l filename -r -F -d 'every gateway of a mesh description'
	complete -c $c -n "__mesh_gw_in -f $subs" -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -n "__mesh_gw_in -f eastwest" -l cluster -x -a '(__mesh_gw_clusters)' -d 'with -f: only this cluster'
	complete -c $c -n "__mesh_gw_in -f" -l for -x -a 'istioctl kubectl helm' -d 'only the documents for this consumer'
	complete -c $c -n "__mesh_gw_in -f controlplane ingress egress" -l installer -x -a 'istioctl helm' -d 'IstioOperators, or Helm releases'
	complete -c $c -n "__mesh_gw_in -f" -l release -x -a 'istio-eastwestgateway' -d 'the Helm release whose values -o values prints'
	complete -c $c -n "__mesh_gw_in controlplane" -l release -x -a 'istio-base istiod istio-ingressgateway' -d 'the Helm release whose values -o values prints'
	complete -c $c -n "__mesh_gw_in -f controlplane ingress egress" -s o -l output -x -a 'values helm-install' -d 'output format'
	complete -c $c -n "__mesh_gw_in -f" -l dir -x -a '(__fish_complete_directories)' -d 'write a file per cluster, step and consumer'
	complete -c $c -n "__mesh_gw_in -f" -l step -x -a 'eastwest-gateway expose-istiod expose-services controlplane-gateway external-istiod-gw' -d "only this step's documents"
	complete -c $c -n "__mesh_gw_in -f eastwest controlplane ingress" -l external-ip -x -d 'an external IP of the gateway Service'
	complete -c $c -n "__mesh_gw_in -f eastwest controlplane ingress" -l load-balancer-ip -x -d 'the load balancer IP'
	complete -c $c -n "__mesh_gw_in -f eastwest controlplane ingress" -l service-type -x -a 'LoadBalancer NodePort' -d 'the gateway Service type'
	complete -c $c -n "__mesh_gw_in eastwest" -l ambient -d 'a Gateway API Gateway for ambient mode'
	complete -c $c -n "__mesh_gw_in eastwest" -l mesh -x -d 'ignored, as by the script'
	complete -c $c -n "__mesh_gw_in eastwest" -l network -x -d 'the network'
	complete -c $c -n "__mesh_gw_in eastwest" -l single-cluster -d 'a gateway for one cluster, no network'
	complete -c $c -n "__mesh_gw_in eastwest expose-services expose-istiod" -l istio-namespace -x -d 'where Istio runs'
	complete -c $c -n "__mesh_gw_in eastwest expose-istiod" -l revision -x -d 'an Istio revision'
	complete -c $c -n "__mesh_gw_in expose-istiod" -l tls -x -a simple -d 'end TLS at the gateway'
	complete -c $c -n "__mesh_gw_in expose-istiod external-istiod" -l host -x -d 'the host name istiod is reached at'
	complete -c $c -n "__mesh_gw_in expose-istiod external-istiod" -l credential-name -x -d 'the TLS secret for the host'
	complete -c $c -n "__mesh_gw_in external-istiod ingress egress" -s n -l namespace -x -d 'the gateway or external istiod namespace'
	complete -c $c -n "__mesh_gw_in ingress egress" -l injection-template -x -a gateway -d 'the gateway injection template'
	complete -c $c -n "__mesh_gw_in -f $subs" -l istio-version -x -a '1.22 1.23 1.24 1.25 1.26 1.27 1.28 1.29 1.30 guide' -d "as this Istio release's guides write it"
end
