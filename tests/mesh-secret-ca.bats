#!/usr/bin/env bats
# mesh-secret cacerts, cacerts --verify and tls: certificates checked with
# the openssl command against what Istio's plug-in CA Makefile makes
# (conformance/cacerts), the root kept safe on disk, and every mistake
# the verify mode is there to catch.

load helpers/common
load helpers/simcluster

CA="$SHARED/conformance/cacerts"

sec() {
	timeout 120 ${MESH_TEST_WRAPPER:-} "$MESH_BUILD/mesh-secret" "$@"
}

# to_full ARGS: mesh-secret writing to a full device.
to_full() {
	sec "$@" >/dev/full
}

# split FILE DIR: each Secret's data entries into DIR/<cluster>/<key>.
split() {
	"$PYTHON" - "$1" "$2" <<-'PY'
	import base64, os, sys, yaml
	for i, d in enumerate(x for x in yaml.safe_load_all(open(sys.argv[1])) if x):
	    ann = (d["metadata"].get("annotations") or {})
	    name = ann.get("meshline.io/cluster") or d["metadata"]["name"]
	    os.makedirs(os.path.join(sys.argv[2], name), exist_ok=True)
	    for k, v in (d.get("data") or {}).items():
	        open(os.path.join(sys.argv[2], name, k), "wb").write(base64.b64decode(v))
	PY
}

# exts CERT: the extension lines of `openssl x509 -text`, key ids blanked.
exts() {
	sed -n '/X509v3 extensions/,/Signature Algorithm/p' "$1" |
	    sed -E 's/^ *//; s/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/KEYID/'
}

# pubkey FILE: the public key of a certificate or a private key.
pubkey() {
	if grep -q CERTIFICATE "$1"; then
		openssl x509 -noout -pubkey -in "$1"
	else
		openssl pkey -pubout -in "$1"
	fi
}

@test "cacerts: RSA 4096 root and intermediate with the Makefile's subjects, extensions and validity" {
	cd "$TMP"
	run --separate-stderr -0 sec cacerts --cluster cluster1
	[ "$stderr" = "mesh-secret: new root CA in mesh-ca (keep mesh-ca/root-key.pem safe: it signs everything made from it)" ]
	printf '%s\n' "$output" >s.yaml
	split s.yaml out
	c=out/cluster1
	openssl x509 -noout -text -in mesh-ca/root-cert.pem >root.txt
	openssl x509 -noout -text -in "$c/ca-cert.pem" >ca.txt
	# the same extensions, criticality and order as the Makefile's
	diff <(exts "$CA/root-cert.txt") <(exts root.txt)
	diff <(exts "$CA/cluster1-ca-cert.txt") <(exts ca.txt)
	for f in "$CA/root-cert.txt" "$CA/cluster1-ca-cert.txt"; do
		for want in "Version: 3 (0x2)" "Signature Algorithm: sha256WithRSAEncryption" \
		    "Public-Key: (4096 bit)" "Exponent: 65537 (0x10001)"; do
			grep -qF "$want" "$f" && grep -qF "$want" root.txt && grep -qF "$want" ca.txt
		done
	done
	grep -qF "Subject: O = Istio, CN = Root CA" root.txt
	grep -qF "Issuer: O = Istio, CN = Root CA" root.txt
	grep -qF "Subject: O = Istio, CN = Intermediate CA, L = cluster1" ca.txt
	grep -qF "Issuer: O = Istio, CN = Root CA" ca.txt
	# 20 random bytes of serial, 3650 days
	serial="$(openssl x509 -noout -serial -in "$c/ca-cert.pem" | cut -d= -f2)"
	[ "${#serial}" -ge 32 ] && [ "${#serial}" -le 40 ]
	for f in mesh-ca/root-cert.pem "$c/ca-cert.pem"; do
		start="$(date -d "$(openssl x509 -noout -startdate -in "$f" | cut -d= -f2)" +%s)"
		end="$(date -d "$(openssl x509 -noout -enddate -in "$f" | cut -d= -f2)" +%s)"
		[ $((end - start)) -eq $((3650 * 86400)) ]
	done
	run -0 openssl verify -CAfile mesh-ca/root-cert.pem "$c/ca-cert.pem"
	grep -q '^-----BEGIN PRIVATE KEY-----$' "$c/ca-key.pem"
	grep -q '^-----BEGIN PRIVATE KEY-----$' mesh-ca/root-key.pem
	[ "$(pubkey "$c/ca-key.pem")" = "$(pubkey "$c/ca-cert.pem")" ]
	[ "$(pubkey mesh-ca/root-key.pem)" = "$(pubkey mesh-ca/root-cert.pem)" ]
	cmp "$c/root-cert.pem" mesh-ca/root-cert.pem
	cmp "$c/cert-chain.pem" <(cat "$c/ca-cert.pem" mesh-ca/root-cert.pem)
}

@test "cacerts: a run whose Secrets cannot be written takes back the root and the directories it made" {
	[ -w /dev/full ] || skip "no /dev/full"
	cd "$TMP"
	run --separate-stderr -1 to_full cacerts --cluster c1 --cluster c2 --key-type ecdsa --root-dir new/ca
	[ "$stderr" = "mesh-secret: write error on standard output: No space left on device" ]
	[ ! -e new ]
	# an existing directory stays, and only what the run made goes
	mkdir -m 700 ca
	touch ca/other
	run --separate-stderr -1 to_full cacerts --cluster c1 --cluster c2 --key-type ecdsa --root-dir ca
	[ "$(ls -A ca)" = other ]
	run --separate-stderr -0 sec cacerts --cluster c1 --cluster c2 --key-type ecdsa --root-dir ca
	[ "$stderr" = "mesh-secret: new root CA in ca (keep ca/root-key.pem safe: it signs everything made from it)" ]
}

@test "cacerts: one Secret a cluster, laid out as kubectl create secret generic makes it" {
	cd "$TMP"
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster cluster1 --cluster cluster2 --cluster east-3
	printf '%s\n' "$output" >s.yaml
	"$PYTHON" - s.yaml "$CA/cacerts-secret.kubectl-dry-run.yaml" <<-'PY'
	import sys, yaml
	docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
	ref = yaml.safe_load(open(sys.argv[2]))
	assert [d["metadata"]["annotations"] for d in docs] == [
	    {"meshline.io/cluster": c} for c in ("cluster1", "cluster2", "east-3")]
	for d in docs:
	    assert sorted(d) == sorted(k for k in ref if k != "type"), sorted(d)
	    assert list(d["data"]) == list(ref["data"]) == [
	        "ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]
	    assert d["metadata"]["name"] == ref["metadata"]["name"] == "cacerts"
	    assert d["metadata"]["namespace"] == ref["metadata"]["namespace"]
	PY
	split s.yaml out
	for c in cluster1 cluster2 east-3; do
		run -0 openssl verify -CAfile mesh-ca/root-cert.pem out/$c/ca-cert.pem
		openssl x509 -noout -subject -in out/$c/ca-cert.pem | grep -qx "subject=O = Istio, CN = Intermediate CA, L = $c"
		openssl x509 -noout -text -in out/$c/ca-cert.pem | grep -q 'ASN1 OID: prime256v1'
		openssl x509 -noout -text -in out/$c/ca-cert.pem | grep -q 'Signature Algorithm: ecdsa-with-SHA256'
		cmp out/$c/root-cert.pem mesh-ca/root-cert.pem
	done
	# each cluster its own intermediate and key
	run -1 cmp -s out/cluster1/ca-cert.pem out/cluster2/ca-cert.pem
	run -1 cmp -s out/cluster1/ca-key.pem out/cluster2/ca-key.pem
	run --separate-stderr -0 sec cacerts --verify -f s.yaml
	[ "${lines[0]}" = "cacerts (cluster cluster1): OK: O = Istio, CN = Intermediate CA, L = cluster1, valid until $(date -u -d '+3650 days' +%Y-%m-%d)" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "cacerts: the root is reused, never overwritten, and the key stays 0600" {
	cd "$TMP"
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster a --root-dir ca/root
	[ "$(stat -c %a ca/root)" = 700 ]
	[ "$(stat -c %a ca/root/root-key.pem)" = 600 ]
	[ "$(stat -c %a ca/root/root-cert.pem)" = 644 ]
	sum="$(cat ca/root/* | sha256sum)"
	printf '%s\n' "$output" >a.yaml
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster b --root-dir ca/root --days 30 --org Other
	[ -z "$stderr" ]
	printf '%s\n' "$output" >b.yaml
	[ "$(cat ca/root/* | sha256sum)" = "$sum" ]
	[ "$(ls ca/root)" = "$(printf 'root-cert.pem\nroot-key.pem')" ]
	# a and b trust each other: one root
	run -0 sec cacerts --verify -f a.yaml -f b.yaml
	split b.yaml out
	openssl x509 -noout -subject -in out/b/ca-cert.pem | grep -qx 'subject=O = Other, CN = Intermediate CA, L = b'
	run -0 openssl verify -CAfile ca/root/root-cert.pem out/b/ca-cert.pem
	# an RSA intermediate under an ECDSA root is fine
	run --separate-stderr -0 sec cacerts --key-type rsa --key-size 2048 --cluster c --root-dir ca/root
	split <(printf '%s\n' "$output") out
	openssl x509 -noout -text -in out/c/ca-cert.pem | grep -q 'Public-Key: (2048 bit)'
}

@test "cacerts: --istio-namespace, --org and --days reach the Secret and the certificates" {
	cd "$TMP"
	run --separate-stderr -0 sec cacerts --key-type ecdsa --key-size 384 --cluster c1 --istio-namespace mesh-system --org 'Acme, Inc.' --days 30
	printf '%s\n' "$output" >s.yaml
	run py_yaml s.yaml 'd[0]["metadata"]["namespace"]'
	[ "$output" = '"mesh-system"' ]
	split s.yaml out
	openssl x509 -noout -ext subjectAltName -in out/c1/ca-cert.pem | grep -q 'DNS:istiod.mesh-system.svc'
	openssl x509 -noout -subject -in mesh-ca/root-cert.pem | grep -qF 'O = "Acme, Inc.", CN = Root CA'
	openssl x509 -noout -text -in out/c1/ca-cert.pem | grep -q 'ASN1 OID: secp384r1'
	openssl x509 -noout -text -in out/c1/ca-cert.pem | grep -q 'ecdsa-with-SHA384'
	end="$(date -d "$(openssl x509 -noout -enddate -in out/c1/ca-cert.pem | cut -d= -f2)" +%s)"
	[ $((end - $(date +%s))) -le $((30 * 86400)) ] && [ $((end - $(date +%s))) -gt $((29 * 86400)) ]
	run -0 sec cacerts --verify <s.yaml
}

@test "cacerts: a directory others can write to, a half root, a readable key: refused, nothing printed" {
	cd "$TMP"
	mkdir open && chmod 777 open
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir open
	[ -z "$output" ]
	[[ "$stderr" == *"open"*"--force"* ]]
	[ -z "$(ls open)" ]
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster a --root-dir open --force
	[ -f open/root-key.pem ]
	mkdir half && cp open/root-cert.pem half/
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir half
	[ -z "$output" ]
	[[ "$stderr" == *"root-key.pem"* ]]
	[ "$(ls half)" = root-cert.pem ]
	mkdir loose && chmod 700 loose && cp open/root-* loose/ && chmod 644 loose/root-key.pem
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir loose
	[[ "$stderr" == *"chmod 600"* ]]
	[ -z "$output" ]
	# a key that is not the certificate's
	mkdir other && chmod 700 other
	sec cacerts --key-type ecdsa --cluster a --root-dir other >/dev/null 2>&1
	cp open/root-key.pem other/root-key.pem
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir other
	[ -z "$output" ]
	# no private key text ever on stderr
	[[ "$stderr" != *"PRIVATE KEY"* ]]
}

@test "cacerts: usage errors" {
	cd "$TMP"
	run --separate-stderr -2 sec cacerts
	[[ "$stderr" == *"cacerts needs --cluster NAME"* ]]
	run --separate-stderr -2 sec cacerts --cluster a --cluster a
	[[ "$stderr" == *"--cluster a is given twice"* ]]
	run --separate-stderr -2 sec cacerts --cluster 'a b'
	run --separate-stderr -2 sec cacerts --cluster a --key-type dsa
	run --separate-stderr -2 sec cacerts --cluster a --key-size 1024
	run --separate-stderr -2 sec cacerts --cluster a --key-type ecdsa --key-size 521
	run --separate-stderr -2 sec cacerts --cluster a --days 0
	run --separate-stderr -2 sec cacerts --verify --cluster a
	run --separate-stderr -2 sec cacerts --cluster a -f x.yaml -f y.yaml
	run --separate-stderr -2 sec cacerts --cluster a --host x
	[ ! -e mesh-ca ]
	run --separate-stderr -2 sec cacerts --verify -f - -f x.yaml -f - < /dev/null
	[ "$stderr" = "mesh-secret: standard input can be read only once
Try 'mesh-secret cacerts --help' for more information." ]
}

# A good pair of Secrets to break, made once per test.
make_good() {
	sec cacerts --key-type ecdsa --cluster c1 --cluster c2 >good.yaml 2>/dev/null
	sec cacerts --key-type ecdsa --cluster c3 --root-dir other-ca >other.yaml 2>/dev/null
}

# edit IN OUT PYTHON: change the first Secret's data (a dict of bytes, d)
# with the Python statement given.
edit() {
	"$PYTHON" - "$1" "$2" "$3" "$4" <<-'PY'
	import base64, sys, yaml
	docs = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x]
	other = [x for x in yaml.safe_load_all(open(sys.argv[4]))] if sys.argv[4] else []
	dec = lambda s: {k: base64.b64decode(v) for k, v in s["data"].items()}
	d = dec(docs[0])
	o = dec(other[0]) if other else {}
	d2 = dec(docs[1])
	exec(sys.argv[3])
	docs[0]["data"] = {k: base64.b64encode(v).decode() for k, v in d.items()}
	yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
	PY
}

@test "cacerts --verify: each mistake made by hand is named, with nothing on stdout" {
	cd "$TMP"
	make_good
	run --separate-stderr -0 sec cacerts --verify <good.yaml
	[ "${#lines[@]}" -eq 2 ]
	check() {
		edit good.yaml bad.yaml "$1" "${3:-}"
		run --separate-stderr -1 sec cacerts --verify -f bad.yaml
		[ -z "$output" ]
		[[ "$stderr" == *"$2"* ]] || { echo "got: $stderr"; return 1; }
		[[ "$stderr" == "mesh-secret: bad.yaml:"* ]]
		[[ "$stderr" != *"PRIVATE KEY"* ]]
	}
	check 'd["ca-key.pem"] = d2["ca-key.pem"]' "Secret cacerts (cluster c1): ca-key.pem is not the key of ca-cert.pem"
	check 'd["cert-chain.pem"] = d["root-cert.pem"] + d["ca-cert.pem"]' "cert-chain.pem does not start with ca-cert.pem"
	check 'd["cert-chain.pem"] = d["ca-cert.pem"]' "cert-chain.pem does not end with the root"
	check 'del d["ca-key.pem"]' "ca-key.pem is missing"
	check 'd["root-cert.pem"] = o["root-cert.pem"]; d["cert-chain.pem"] = d["ca-cert.pem"] + o["root-cert.pem"]' "ca-cert.pem does not chain to root-cert.pem" other.yaml
	check 'd["ca-cert.pem"] = d["root-cert.pem"] + d["ca-cert.pem"]' "ca-cert.pem holds 2 certificates"
	check 'd["root-cert.pem"] = b"not a certificate\n"' "root-cert.pem"
	# a whole cluster signed by another root: the roots disagree
	cat good.yaml <(echo ---) other.yaml >mixed.yaml
	run --separate-stderr -1 sec cacerts --verify -f mixed.yaml
	[ -z "$output" ]
	fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2 | cut -c1-11; }
	[[ "$stderr" == *"Secret cacerts (cluster c3): its root (SHA-256 $(fp other-ca/root-cert.pem)...) is not the root of Secret cacerts (cluster c1) (SHA-256 $(fp mesh-ca/root-cert.pem)...)"* ]]
	# an intermediate that is not a CA: a TLS serving certificate in its place
	sec tls --host istiod.example.com --key-type ecdsa >tls.yaml 2>/dev/null
	"$PYTHON" - good.yaml tls.yaml bad.yaml <<-'PY'
	import base64, sys, yaml
	g = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x][0]
	t = [x for x in yaml.safe_load_all(open(sys.argv[2])) if x][0]
	g["data"]["ca-cert.pem"] = t["data"]["tls.crt"]
	g["data"]["ca-key.pem"] = t["data"]["tls.key"]
	yaml.safe_dump(g, open(sys.argv[3], "w"))
	PY
	run --separate-stderr -1 sec cacerts --verify -f bad.yaml
	[[ "$stderr" == *"ca-cert.pem is not a CA certificate"* ]]
	# not a Secret; bad base64; no Secret at all
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >cm.yaml
	run --separate-stderr -1 sec cacerts --verify -f cm.yaml
	[ "$stderr" = "mesh-secret: cm.yaml:1: ConfigMap/x is not a Secret" ]
	printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: cacerts}\ndata: {ca-cert.pem: "!!!"}\n' >b64.yaml
	run --separate-stderr -1 sec cacerts --verify -f b64.yaml
	[[ "$stderr" == *"data.ca-cert.pem is not base64"* ]]
	run --separate-stderr -1 sec cacerts --verify </dev/null
	[[ "$stderr" == *"no Secret to verify"* ]]
	run --separate-stderr -1 sec cacerts --verify -f missing.yaml
	[[ "$stderr" == *"missing.yaml"* ]]
}

@test "cacerts --verify: stringData and istiod's kubernetes.io/tls layout are read too" {
	cd "$TMP"
	make_good
	"$PYTHON" - good.yaml s.yaml <<-'PY'
	import base64, sys, yaml
	docs = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x]
	a, b = docs
	a["stringData"] = {k: base64.b64decode(v).decode() for k, v in a.pop("data").items()}
	d = {k: base64.b64decode(v).decode() for k, v in b.pop("data").items()}
	b["type"] = "kubernetes.io/tls"
	b["stringData"] = {"tls.crt": d["ca-cert.pem"], "tls.key": d["ca-key.pem"], "ca.crt": d["root-cert.pem"]}
	yaml.safe_dump_all([a, b], open(sys.argv[2], "w"))
	PY
	run --separate-stderr -0 sec cacerts --verify -f s.yaml
	[ "${#lines[@]}" -eq 2 ]
}

@test "tls: a serving certificate for the external istiod's host, signed by a CA kept on disk" {
	cd "$TMP"
	run --separate-stderr -0 sec tls --host istiod.example.com --ca-configmap istiod-ca
	[ "$stderr" = "mesh-secret: new TLS CA in mesh-tls-ca (keep mesh-tls-ca/ca-key.pem safe: it signs everything made from it)" ]
	printf '%s\n' "$output" >s.yaml
	"$PYTHON" - s.yaml <<-'PY'
	import base64, sys, yaml
	s, cm = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x]
	assert s["type"] == "kubernetes.io/tls"
	assert s["metadata"] == {"name": "external-istiod-tls", "namespace": "istio-system"}
	assert sorted(s["data"]) == ["tls.crt", "tls.key"]
	open("tls.crt", "wb").write(base64.b64decode(s["data"]["tls.crt"]))
	open("tls.key", "wb").write(base64.b64decode(s["data"]["tls.key"]))
	assert cm["kind"] == "ConfigMap" and cm["metadata"]["name"] == "istiod-ca"
	assert cm["data"]["ca.crt"] == open("mesh-tls-ca/ca-cert.pem").read()
	PY
	[ "$(stat -c %a mesh-tls-ca/ca-key.pem)" = 600 ]
	run -0 openssl verify -CAfile mesh-tls-ca/ca-cert.pem -purpose sslserver -verify_hostname istiod.example.com tls.crt
	run -2 openssl verify -CAfile mesh-tls-ca/ca-cert.pem -verify_hostname other.example.com tls.crt
	openssl x509 -noout -text -in tls.crt >t.txt
	grep -q 'Public-Key: (2048 bit)' t.txt
	grep -q 'TLS Web Server Authentication' t.txt
	grep -A1 'Basic Constraints: critical' t.txt | grep -q 'CA:FALSE'
	[ "$(pubkey tls.key)" = "$(pubkey tls.crt)" ]
	# the CA is reused; an IP address becomes an IP SAN
	sum="$(sha256sum mesh-tls-ca/ca-cert.pem)"
	run --separate-stderr -0 sec tls --host 192.0.2.7 --name ssl -n external-istiod --days 10
	[ -z "$stderr" ]
	[ "$(sha256sum mesh-tls-ca/ca-cert.pem)" = "$sum" ]
	"$PYTHON" -c 'import base64, sys, yaml
s = yaml.safe_load(sys.stdin)
assert s["metadata"] == {"name": "ssl", "namespace": "external-istiod"}
open("ip.crt", "wb").write(base64.b64decode(s["data"]["tls.crt"]))' <<<"$output"
	openssl x509 -noout -ext subjectAltName -in ip.crt | grep -q 'IP Address:192.0.2.7'
	run -0 openssl verify -CAfile mesh-tls-ca/ca-cert.pem -verify_ip 192.0.2.7 ip.crt
	end="$(date -d "$(openssl x509 -noout -enddate -in ip.crt | cut -d= -f2)" +%s)"
	[ $((end - $(date +%s))) -le $((10 * 86400)) ]
	# -o json
	run --separate-stderr -0 sec tls --host h.example --ca-dir ca2 --key-type ecdsa -o json
	printf '%s\n' "$output" | jq -e '.kind == "Secret" and .type == "kubernetes.io/tls"'
}

@test "tls: usage errors" {
	cd "$TMP"
	run --separate-stderr -2 sec tls
	[[ "$stderr" == *"tls needs --host NAME"* ]]
	run --separate-stderr -2 sec tls --host 'bad host'
	run --separate-stderr -2 sec tls --host '*.example.com'
	run --separate-stderr -2 sec tls --host a.example --name Bad_Name
	run --separate-stderr -2 sec tls --host a.example --cluster x
	run --separate-stderr -2 sec tls --host a.example --ca-configmap 'x y'
	[ ! -e mesh-tls-ca ]
}

@test "cacerts --verify: reads the v1 List that -o json prints" {
	cd "$TMP"
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster c1 --cluster c2 -o json
	printf '%s\n' "$output" >l.json
	jq -e '.kind == "List" and (.items | length) == 2' l.json
	run --separate-stderr -0 sec cacerts --verify -f l.json
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "cacerts (cluster c2): OK: "* ]]
	jq '.items[1].data["ca-key.pem"] = .items[0].data["ca-key.pem"]' l.json >bad.json
	run --separate-stderr -1 sec cacerts --verify -f bad.json
	[ -z "$output" ]
	[[ "$stderr" == *"Secret cacerts (cluster c2): ca-key.pem is not the key of ca-cert.pem"* ]]
	# a typed list, as kubectl get secrets -o yaml prints one, too
	jq '.kind = "SecretList"' l.json >typed.json
	run --separate-stderr -0 sec cacerts --verify -f typed.json
	[ "${#lines[@]}" -eq 2 ]
}

@test "cacerts: intermediates that outlive a reused root are warned about; --verify refuses -o and Secrets run together" {
	cd "$TMP"
	sec cacerts --key-type ecdsa --cluster a >a.yaml 2>/dev/null
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster b --days 4000
	[[ "$stderr" == "mesh-secret: warning: the root in mesh-ca ends on $(date -u -d '+3650 days' +%Y-%m-%d), before the intermediates do"* ]]
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster b --days 3650
	[ -z "$stderr" ]
	run --separate-stderr -2 sec cacerts --verify -o json <a.yaml
	# two Secrets concatenated without '---' read as one mapping
	sec cacerts --key-type ecdsa --cluster c --root-dir other >c.yaml 2>/dev/null
	cat a.yaml c.yaml >both.yaml
	run --separate-stderr -1 sec cacerts --verify -f both.yaml
	[ -z "$output" ]
	[[ "$stderr" == "mesh-secret: both.yaml:13:1: "*"'apiVersion'"*" twice in one mapping"*"without '---' between them?"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "tls: a host name longer than a commonName holds goes in the SAN alone" {
	cd "$TMP"
	host=a7d3c0ffee0123456789abcdef012345-1234567890.us-east-1.elb.amazonaws.com
	run --separate-stderr -0 sec tls --host "$host" --key-type ecdsa
	"$PYTHON" -c 'import base64, sys, yaml
s = yaml.safe_load(sys.stdin)
open("t.crt", "wb").write(base64.b64decode(s["data"]["tls.crt"]))' <<<"$output"
	run -0 openssl verify -CAfile mesh-tls-ca/ca-cert.pem -verify_hostname "$host" t.crt
	[[ "$(openssl x509 -noout -subject -in t.crt)" != *CN* ]]
}

@test "cacerts and tls: the API server takes what they print" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	cd "$TMP"
	sim_start "$TMP/c1"
	export KUBECONFIG="$TMP/c1/kubeconfig"
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n' >ns.yaml
	timeout 60 kubectl apply -f ns.yaml
	sec cacerts --key-type ecdsa --cluster cluster1 >c.yaml 2>/dev/null
	sec tls --host istiod.example.com --key-type ecdsa --ca-configmap istiod-ca >t.yaml 2>/dev/null
	run -0 timeout 60 kubectl apply -f c.yaml -f t.yaml
	[[ "$output" == *"secret/cacerts created"* ]]
	[[ "$output" == *"secret/external-istiod-tls created"* ]]
	[[ "$output" == *"configmap/istiod-ca created"* ]]
	run -0 timeout 60 kubectl get secret -n istio-system external-istiod-tls -o jsonpath='{.type}'
	[ "$output" = kubernetes.io/tls ]
}

@test "tls: --key-size and --force" {
	cd "$TMP"
	mkdir open && chmod 777 open
	run --separate-stderr -1 sec tls --host h.example --ca-dir open
	[[ "$stderr" == *"--force"* ]]
	[ -z "$output" ]
	run --separate-stderr -0 sec tls --host h.example --ca-dir open --force --key-size 3072
	"$PYTHON" -c 'import base64, sys, yaml
s = yaml.safe_load(sys.stdin)
open("t.crt", "wb").write(base64.b64decode(s["data"]["tls.crt"]))' <<<"$output"
	openssl x509 -noout -text -in t.crt | grep -q 'Public-Key: (3072 bit)'
	openssl x509 -noout -text -in open/ca-cert.pem | grep -q 'Public-Key: (3072 bit)'
}

@test "cacerts: a progress line while keys are made, on a terminal only, erased at the end" {
	command -v script >/dev/null || skip "script is not installed"
	cd "$TMP"
	local start end
	start=$(date +%s%N)
	run script -qec "$MESH_BUILD/mesh-secret cacerts --cluster a --cluster b --cluster c --cluster d --cluster e > out.yaml" /dev/null
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	[ "$(grep -c '^kind: Secret' out.yaml)" = 5 ]
	# the terminal got no Secret, no key: counts, then the line erased
	[[ "$output" != *PRIVATE* && "$output" != *cacerts* ]]
	# the line appears after a second; this run may have been quicker
	if (( (end - start) / 1000000 > 1500 )); then
		[[ "$output" == *$'\r'"mesh-secret: making keys: "[0-6]" of 6"$'\e[K'* ]]
		[[ "$output" == *$'\r\e[K'"mesh-secret: new root CA in mesh-ca"* ]]
	fi
	# not on a pipe or file
	run --separate-stderr -0 sec cacerts --cluster f --key-type ecdsa
	[[ "$stderr" != *$'\r'* ]]
	run sec cacerts --cluster a --cluster b --cluster c --key-size 2048 2> err.txt
	run -1 grep -q 'making keys' err.txt
}

# as_other CMD...: CMD as the user nobody when we are root, else as
# ourselves (not root either way); skips when neither can be.
as_other() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
		return
	fi
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	id nobody >/dev/null 2>&1 || skip "there is no user nobody"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}

@test "cacerts: the CA directories are 0700 and the files 0600/0644 whatever the umask, for a user other than root" {
	# a directory such a user can write into, below sticky /tmp
	d=$(mktemp -d /tmp/mesh-secret-umask.XXXXXX)
	[ "$(id -u)" != 0 ] || chown nobody "$d"
	printf 'apiVersion: meshline.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec:\n  model: multi-primary\n  clusters:\n  - {name: c1, network: n1}\n' >"$d/mesh.yaml"
	chmod 0644 "$d/mesh.yaml"
	run --separate-stderr as_other sh -c 'umask 0777 && cd "$1" &&
	    "$2" cacerts --key-type ecdsa --cluster a --root-dir ca/sub >a.yaml &&
	    "$2" cacerts -f mesh.yaml --key-type ecdsa --root-dir ca/sub >m.yaml' \
	    sh "$d" "$MESH_BUILD/mesh-secret"
	modes=$(cd "$d" && stat -c '%a %n' ca ca/sub ca/sub/root-key.pem ca/sub/root-cert.pem ca/sub/c1 ca/sub/c1/*)
	rm -rf "$d"
	[ "$status" -eq 0 ]
	[ "$modes" = "700 ca
700 ca/sub
600 ca/sub/root-key.pem
644 ca/sub/root-cert.pem
700 ca/sub/c1
644 ca/sub/c1/ca-cert.pem
600 ca/sub/c1/ca-key.pem
644 ca/sub/c1/cert-chain.pem
644 ca/sub/c1/root-cert.pem" ]
}

@test "cacerts: a run that fails leaves no directory and no file behind" {
	cd "$TMP"
	mkdir keep
	# no file can grow past 0 bytes: writing the root's key fails
	run --separate-stderr -1 bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' \
	    sh "$MESH_BUILD/mesh-secret" cacerts --key-type ecdsa --cluster a --root-dir keep/a/b/c
	[ -z "$output" ]
	[ "$(find keep -mindepth 1)" = "" ]
	run --separate-stderr -1 bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' \
	    sh "$MESH_BUILD/mesh-secret" tls --host h.example --key-type ecdsa --ca-dir keep/t
	[ "$(find keep -mindepth 1)" = "" ]
}

@test "cacerts and tls: a directory above the CA that others may write into is refused, unless sticky" {
	cd "$TMP"
	mkdir -m 0777 open
	chmod 0777 open
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir open/ca
	[ -z "$output" ]
	[ "$stderr" = "mesh-secret: $PWD/open: directory above 'open/ca' is writable by others and not sticky, so the CA could be swapped; use --force to keep a CA below it" ]
	[ "$(find open -mindepth 1)" = "" ]
	run --separate-stderr -1 sec tls --host h.example --key-type ecdsa --ca-dir open/a/b
	[ "$stderr" = "mesh-secret: $PWD/open: directory above 'open/a/b' is writable by others and not sticky, so the CA could be swapped; use --force to keep a CA below it" ]
	[ "$(find open -mindepth 1)" = "" ]
	# sticky, as /tmp is: others cannot rename what is ours
	chmod 1777 open
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster a --root-dir open/ca
	# a CA already there is judged the same once the parent opens up,
	# through a symbolic link too
	chmod 0777 open
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir open/ca
	[ -z "$output" ]
	[[ "$stderr" == *"/open: directory above 'open/ca' is writable by others and not sticky"* ]]
	ln -s open/ca link
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir link
	[[ "$stderr" == *"/open: directory above 'link' is writable by others and not sticky"* ]]
	# a group that may write is refused as well
	mkdir -m 0770 grp
	chmod 0770 grp
	run --separate-stderr -1 sec cacerts --key-type ecdsa --cluster a --root-dir grp/ca
	[[ "$stderr" == *"/grp: directory above 'grp/ca' is writable by its group and not sticky"* ]]
	run --separate-stderr -0 sec cacerts --key-type ecdsa --cluster a --root-dir link --force
	[[ "$output" == *"kind: Secret"* ]]
}
