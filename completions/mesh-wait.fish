# fish completion for mesh-wait(1)

# mesh-wait's options, as argparse reads them ("=": takes a value)
set -g __mesh_wait_opts h/help V/version A/all-namespaces q/quiet all \
	f/filename= l/selector= n/namespace= o/output= context= fail-after= for= \
	kubeconfig= request-timeout= timeout=

# the kubeconfig's contexts: those of the file given with --kubeconfig, else
# kubectl's
function __mesh_wait_contexts
	set --local t (commandline -opc)[2..-1]
	# the last word may be an option still waiting for its value
	argparse -i $__mesh_wait_opts -- $t 2>/dev/null
	or argparse -i $__mesh_wait_opts -- $t[1..-2] 2>/dev/null
	if set -q _flag_kubeconfig[1]
		kubectl config get-contexts -o name --kubeconfig (string replace -r '^~/' "$HOME/" -- $_flag_kubeconfig[-1]) 2>/dev/null
	else
		kubectl config get-contexts -o name 2>/dev/null
	end
end

for c in mesh-wait kubectl-mesh_wait
	complete -c $c -f
	complete -c $c -a 'deployment/ statefulset/ daemonset/ replicaset/ job/ pod/ service/ persistentvolumeclaim/ namespace/ customresourcedefinition/ apiservice/ mutatingwebhookconfiguration/ validatingwebhookconfiguration/ secret/ configmap/ istiooperator/ gateway/ virtualservice/ destinationrule/'
	complete -c $c -s A -l all-namespaces -d 'select in every namespace'
	complete -c $c -l all -d 'every object of the type'
	complete -c $c -l context -x -a '(__mesh_wait_contexts)' -d 'the context of objects not annotated'
	complete -c $c -l fail-after -x -d 'give up on a container backing off after'
	complete -c $c -s f -l filename -r -F -d 'read objects from a file'
	complete -c $c -l for -x -a 'ready exists delete address injected condition= jsonpath=' -d 'what to wait for'
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -l kubeconfig -r -F -d 'the kubeconfig file'
	complete -c $c -s l -l selector -x -d 'a label selector'
	complete -c $c -s n -l namespace -x -d 'the namespace of objects that name none'
	complete -c $c -s o -l output -x -a 'yaml json name value jsonpath=' -d 'output format'
	complete -c $c -s q -l quiet -d 'no status line'
	complete -c $c -l request-timeout -x -d 'the limit of each request'
	complete -c $c -l timeout -x -d 'the limit of the whole wait'
	complete -c $c -s V -l version -d 'show the version'
end
