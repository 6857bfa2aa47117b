# fish completion for mesh-render(1)

# mesh-render's options, as argparse reads them ("=": takes a value)
set -g __mesh_render_opts h/help V/version f/filename= o/output= address= \
	cluster= defer dir= for= gateway-port= gateway-service= has-remotes \
	installer= istio-version= mesh= n/namespace= network= peer= \
	pilot-address= release= revision= step= steps

# __mesh_render_parse: the role on the line before the cursor, or -f when a
# mesh description is given instead, in $__mesh_render_form; -f's file in
# $__mesh_render_file
function __mesh_render_parse
	set -g __mesh_render_form ''
	set -g __mesh_render_file ''
	set --local t (commandline -opc)[2..-1]
	# the last word may be an option still waiting for its value
	argparse -i $__mesh_render_opts -- $t 2>/dev/null
	or argparse -i $__mesh_render_opts -- $t[1..-2] 2>/dev/null
	or return 1
	for a in $argv
		if contains -- $a primary remote external-istiod external-config external-remote
			set __mesh_render_form $a
			return 0
		end
	end
	if set -q _flag_filename[1]
		set __mesh_render_form -f
		set __mesh_render_file (string replace -r '^~/' "$HOME/" -- $_flag_filename[-1])
	end
	return 0
end

# __mesh_render_in FORM...: the line is in one of the FORMs: a role, -f, or
# '' (neither yet)
function __mesh_render_in
	__mesh_render_parse
	and contains -- "$__mesh_render_form" $argv
end

# the cluster names of the mesh description given with -f, as mesh-render
# --steps lists them
function __mesh_render_clusters
	__mesh_render_parse
	and test -f "$__mesh_render_file" -a -r "$__mesh_render_file"
	or return
	set --local r (command -s mesh-render; or command -s kubectl-mesh_render)
	and timeout 5 $r[1] -f $__mesh_render_file --steps </dev/null 2>/dev/null |
		cut -f3 | sort -u
end

for c in mesh-render kubectl-mesh_render
	set --local roles primary remote external-istiod external-config external-remote
	complete -c $c -f
	complete -c $c -n "__mesh_render_in ''" -a "$roles"
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -s V -l version -d 'show the version'
	complete -c $c -n "__mesh_render_in ''" -s f -l filename -r -F -d 'render a whole mesh description'
	complete -c $c -n "__mesh_render_in -f $roles" -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -n "__mesh_render_in -f $roles" -l cluster -x -a '(__mesh_render_clusters)' -d 'the cluster name'
	complete -c $c -n "__mesh_render_in -f" -l for -x -a 'istioctl kubectl helm' -d 'only the documents for this consumer'
	complete -c $c -n "__mesh_render_in -f" -l installer -x -a 'istioctl helm' -d 'IstioOperators, or Helm releases'
	complete -c $c -n "__mesh_render_in -f" -l release -x -a 'istio-base istiod' -d 'the Helm release whose values -o values prints'
	complete -c $c -n "__mesh_render_in -f" -s o -l output -x -a 'values helm-install' -d 'output format'
	complete -c $c -n "__mesh_render_in -f" -l dir -x -a '(__fish_complete_directories)' -d 'write a file per cluster, step and consumer'
	complete -c $c -n "__mesh_render_in -f" -l step -x -a 'namespace control-plane external-istiod' -d "only this step's documents"
	complete -c $c -n "__mesh_render_in -f" -l defer -d 'leave out a remote control plane until its primary address is known'
	complete -c $c -n "__mesh_render_in -f" -l steps -d 'list the mesh steps in install order'
	complete -c $c -n "__mesh_render_in primary remote external-istiod external-config external-remote" -l network -x -d 'the cluster network'
	complete -c $c -n "__mesh_render_in primary remote external-istiod" -l mesh -x -d 'the mesh ID'
	complete -c $c -n "__mesh_render_in primary" -l peer -x -d 'another cluster and its network'
	complete -c $c -n "__mesh_render_in primary" -l has-remotes -d 'remotes use this primary istiod'
	complete -c $c -n "__mesh_render_in primary" -l gateway-service -x -d 'east-west gateway service'
	complete -c $c -n "__mesh_render_in primary" -l gateway-port -x -d 'east-west gateway port'
	complete -c $c -n "__mesh_render_in remote" -l pilot-address -x -d 'the primary east-west gateway address'
	complete -c $c -n "__mesh_render_in external-istiod external-config external-remote" -l address -x -d 'the external istiod host name'
	complete -c $c -n "__mesh_render_in $roles" -s n -l namespace -x -d 'where Istio runs'
	complete -c $c -n "__mesh_render_in $roles" -l revision -x -d 'an Istio revision'
	complete -c $c -n "__mesh_render_in -f $roles" -l istio-version -x -a '1.22 1.23 1.24 1.25 1.26 1.27 1.28 1.29 1.30 guide' -d 'what this Istio release needs'
end
