# fish completion for mesh-secret(1)

# mesh-secret's options, as argparse reads them ("=": takes a value)
set -g __mesh_secret_opts h/help V/version f/filename= n/namespace= o/output= \
	allow-loopback auth-plugin-config= auth-plugin-name= auth-type= \
	ca-configmap= ca-dir= cluster= context= create-service-account=? days= \
	dir= for= force from-kubeconfig= host= istio-namespace= key-size= key-type= \
	kubeconfig= name= org= read-only request-timeout= root-dir= rotate \
	secret-name= server= service-account= step= timeout= tls-server-name= \
	token-ttl= type= verify

# __mesh_secret_parse: the subcommand on the line before the cursor in
# $__mesh_secret_form (--verify for cacerts --verify); the kubeconfig named
# with --kubeconfig or --from-kubeconfig in $__mesh_secret_kubeconfig
function __mesh_secret_parse
	set -g __mesh_secret_form ''
	set -g __mesh_secret_kubeconfig ''
	set --local t (commandline -opc)[2..-1]
	# the last word may be an option still waiting for its value
	argparse -i $__mesh_secret_opts -- $t 2>/dev/null
	or argparse -i $__mesh_secret_opts -- $t[1..-2] 2>/dev/null
	or return 1
	for a in $argv
		if contains -- $a remote cacerts tls
			set __mesh_secret_form $a
			break
		end
	end
	if test "$__mesh_secret_form" = cacerts; and set -q _flag_verify[1]
		set __mesh_secret_form --verify
	end
	set --local k $_flag_kubeconfig $_flag_from_kubeconfig
	if set -q k[1]
		set __mesh_secret_kubeconfig (string replace -r '^~/' "$HOME/" -- $k[-1])
	end
	return 0
end

# __mesh_secret_in FORM...: the line is in one of the FORMs: a subcommand,
# --verify (cacerts --verify), or '' (none yet)
function __mesh_secret_in
	__mesh_secret_parse
	and contains -- "$__mesh_secret_form" $argv
end

# the kubeconfig's contexts: those of the file given with --kubeconfig or
# --from-kubeconfig, else kubectl's
function __mesh_secret_contexts
	__mesh_secret_parse
	if test -n "$__mesh_secret_kubeconfig"
		kubectl config get-contexts -o name --kubeconfig $__mesh_secret_kubeconfig 2>/dev/null
	else
		kubectl config get-contexts -o name 2>/dev/null
	end
end

for c in mesh-secret kubectl-mesh_secret
	complete -c $c -f
	complete -c $c -n "__mesh_secret_in ''" -a 'remote cacerts tls'
	complete -c $c -s h -l help -d 'show help'
	complete -c $c -s V -l version -d 'show the version'
	complete -c $c -n "__mesh_secret_in remote cacerts tls" -s o -l output -x -a 'yaml json' -d 'output format'
	complete -c $c -n "__mesh_secret_in remote tls" -s n -l namespace -x -d 'the service account or TLS Secret namespace'
	complete -c $c -n "__mesh_secret_in remote tls" -l name -x -d 'the cluster ID, or the TLS Secret name'
	complete -c $c -n "__mesh_secret_in remote cacerts" -l istio-namespace -x -d 'the Secret namespace'
	complete -c $c -n "__mesh_secret_in remote" -l context -x -a '(__mesh_secret_contexts)' -d 'the kubeconfig context of the source cluster'
	complete -c $c -n "__mesh_secret_in remote" -l kubeconfig -r -F -d 'the kubeconfig file'
	complete -c $c -n "__mesh_secret_in remote" -l type -x -a 'remote config' -d 'the kind of remote Secret'
	complete -c $c -n "__mesh_secret_in remote" -l service-account -x -d 'the service account istiod will use'
	complete -c $c -n "__mesh_secret_in remote" -l create-service-account -a 'true false' -d 'create a missing reader account (=false: do not)'
	complete -c $c -n "__mesh_secret_in remote" -l secret-name -x -d 'the token Secret to read'
	complete -c $c -n "__mesh_secret_in remote" -l token-ttl -x -d 'a time-bound token valid this long'
	complete -c $c -n "__mesh_secret_in remote" -l rotate -d 'create a new token Secret'
	complete -c $c -n "__mesh_secret_in remote" -l read-only -d 'create nothing on the source cluster'
	complete -c $c -n "__mesh_secret_in remote" -l server -x -d 'the API server address for the kubeconfig'
	complete -c $c -n "__mesh_secret_in remote" -l tls-server-name -x -d 'the name to check the API server certificate against'
	complete -c $c -n "__mesh_secret_in remote" -l allow-loopback -d 'accept a loopback API server'
	complete -c $c -n "__mesh_secret_in remote" -l auth-type -x -a 'bearer-token plugin' -d 'what the kubeconfig user holds'
	complete -c $c -n "__mesh_secret_in remote" -l auth-plugin-name -x -d 'the auth provider name'
	complete -c $c -n "__mesh_secret_in remote" -l auth-plugin-config -x -d 'an entry of the auth provider config'
	complete -c $c -n "__mesh_secret_in remote" -l from-kubeconfig -r -F -d 'make the Secret offline from a kubeconfig'
	complete -c $c -n "__mesh_secret_in remote" -l request-timeout -x -d 'give up on a request after this long'
	complete -c $c -n "__mesh_secret_in remote" -l timeout -x -d 'give up on the whole run after this long'
	complete -c $c -n "__mesh_secret_in remote" -s f -l filename -r -F -d 'every remote secret of a mesh description'
	complete -c $c -n "__mesh_secret_in remote" -l cluster -x -d 'only the Secrets that go to this cluster'
	complete -c $c -n "__mesh_secret_in cacerts" -l cluster -x -d 'a cluster to make a cacerts Secret for'
	complete -c $c -n "__mesh_secret_in cacerts" -s f -l filename -r -F -d 'a Secret for each cluster of a mesh description'
	complete -c $c -n "__mesh_secret_in cacerts" -l rotate -x -d 'make this cluster\'s kept intermediate again'
	complete -c $c -n "__mesh_secret_in cacerts" -l root-dir -x -a '(__fish_complete_directories)' -d 'where the root CA is kept'
	complete -c $c -n "__mesh_secret_in cacerts" -l org -x -d 'the organisation of the CAs'
	complete -c $c -n "__mesh_secret_in cacerts" -l verify -d 'check cacerts Secrets'
	complete -c $c -n "__mesh_secret_in cacerts tls" -l days -x -d 'validity in days'
	complete -c $c -n "__mesh_secret_in cacerts tls" -l key-type -x -a 'rsa ecdsa' -d 'the type of new keys'
	complete -c $c -n "__mesh_secret_in cacerts tls" -l key-size -x -a '2048 3072 4096 256 384' -d 'the size of new keys'
	complete -c $c -n "__mesh_secret_in cacerts tls" -l force -d 'keep a CA in a directory others may write into'
	complete -c $c -n "__mesh_secret_in --verify" -s f -l filename -r -F -d 'read the Secrets to check from a file'
	complete -c $c -n "__mesh_secret_in tls" -l host -x -d 'the external istiod address'
	complete -c $c -n "__mesh_secret_in tls" -l ca-dir -x -a '(__fish_complete_directories)' -d 'where the TLS CA is kept'
	complete -c $c -n "__mesh_secret_in tls" -l ca-configmap -x -d 'also a ConfigMap with the CA certificate'
	complete -c $c -n "__mesh_secret_in tls" -s f -l filename -r -F -d 'the external control plane TLS Secret of a mesh description'
	complete -c $c -n "__mesh_secret_in remote cacerts tls" -l for -x -a 'istioctl kubectl helm' -d 'with -f: only the Secrets for this consumer'
	complete -c $c -n "__mesh_secret_in remote cacerts tls" -l dir -x -a '(__fish_complete_directories)' -d 'with -f: write a file per cluster and step'
	complete -c $c -n "__mesh_secret_in remote" -l step -x -a 'config-secret remote-secret' -d "with -f: only this step's Secrets"
	complete -c $c -n "__mesh_secret_in cacerts" -l step -x -a cacerts -d "with -f: only this step's Secrets"
	complete -c $c -n "__mesh_secret_in tls" -l step -x -a tls-secret -d "with -f: only this step's Secrets"
end
