# fish completion for mesh-overlay(1)
for c in mesh-overlay kubectl-mesh_overlay
	complete -c $c -l delete -x -d 'delete a key or list item'
	complete -c $c -s e -l env -d 'substitute ${VAR} from the environment'
	complete -c $c -s f -l filename -r -F -d 'deep-merge an overlay file'
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -l k8s-overlays -r -F -d 'apply the k8s.overlays of an IstioOperator'
	complete -c $c -l max-depth -x -d 'nesting limit'
	complete -c $c -l max-document-size -x -d 'bytes in one document'
	complete -c $c -l max-input-size -x -d 'bytes in all input'
	complete -c $c -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -l resource-list -d 'read and write a KRM ResourceList'
	complete -c $c -l select -x -a 'kind= name= namespace= apiVersion=' -d 'edit only matching documents'
	complete -c $c -s s -l set -x -d 'set a value, typed as istioctl types it'
	complete -c $c -l set-json -x -d 'set a JSON value'
	complete -c $c -l set-string -x -d 'set a string'
	complete -c $c -l stream -d 'write each document as it is done'
	complete -c $c -s V -l version -d 'show the version'
end
