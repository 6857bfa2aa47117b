/*
 * Unit tests of common/kubeconfig.c: which files are read, how several
 * merge, which context, cluster, user and namespace are selected, paths
 * relative to each file, the in-cluster fallback, and the exact message
 * for each bad file.  Every file lives in a temporary directory.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "kubeconfig.h"
#include "unit.h"
#include "xalloc.h"

static char dir[256];
static char *made[64];
static size_t nmade;
static char errtext[4096];

/* Write a file under the temporary directory; returns its path. */
static const char *
put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name), *slash;
	FILE *f;

	/* mkdir -p of its directories */
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')) !=
	    NULL; slash++) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	if (nmade < sizeof(made) / sizeof(made[0]))
		made[nmade++] = path;
	return path;
}

/* Load with stderr caught in errtext (its last newline dropped). */
static int
load(struct mesh_kubeconfig *kc, const char *kubeconfig, const char *context,
    const char *ns)
{
	struct mesh_kubeconfig_opts o = { kubeconfig, context, ns };
	char *errpath = xasprintf("%s/stderr", dir);
	int saved, fd, rv;
	ssize_t n;

	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	rv = mesh_kubeconfig_load(kc, &o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, errtext, sizeof(errtext) - 1);
	errtext[n > 0 ? n : 0] = '\0';
	if (n > 0 && errtext[n - 1] == '\n')
		errtext[n - 1] = '\0';
	close(fd);
	unlink(errpath);
	free(errpath);
	return rv;
}

/* The error of loading text as the only kubeconfig, "" when it loads. */
static const char *
load_error(const char *text)
{
	static char out[4096];
	struct mesh_kubeconfig kc;
	const char *p = put("bad.yaml", text);
	size_t n = strlen(dir);

	load(&kc, p, NULL, NULL);
	mesh_kubeconfig_release(&kc);
	/* "t: DIR/bad.yaml:..." -> "bad.yaml:..." */
	if (strncmp(errtext, "t: ", 3) == 0 &&
	    strncmp(errtext + 3, dir, n) == 0)
		snprintf(out, sizeof(out), "%s", errtext + 3 + n + 1);
	else
		snprintf(out, sizeof(out), "%s", errtext);
	return out;
}

static const char file_a[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "clusters:\n"
    "- name: c1\n"
    "  cluster:\n"
    "    server: https://a.example:6443/\n"
    "    certificate-authority: certs/ca.pem\n"
    "users:\n"
    "- name: u1\n"
    "  user:\n"
    "    token: token-a\n"
    "contexts:\n"
    "- name: ctx-a\n"
    "  context: {cluster: c1, user: u1, namespace: team-a}\n";

static const char file_b[] =
    "clusters:\n"
    "- name: c1\n"
    "  cluster: {server: https://b.example}\n"
    "- name: c2\n"
    "  cluster: {server: https://c2.example, insecure-skip-tls-verify: true}\n"
    "users:\n"
    "- name: u1\n"
    "  user: {username: bob, password: secret}\n"
    "- name: u2\n"
    "  user:\n"
    "    tokenFile: tok/token\n"
    "contexts:\n"
    "- name: ctx-b\n"
    "  context: {cluster: c1, user: u1}\n"
    "- name: ctx-b2\n"
    "  context: {cluster: c2, user: u2}\n"
    "current-context: ctx-b\n";

static const char file_c[] =
    "current-context: ctx-a\n"
    "preferences: {}\n";

static void
test_merge(void)
{
	struct mesh_kubeconfig kc;
	const char *a, *b, *c;
	char *env;

	put("a/certs/ca.pem", "CA-A\n");
	put("b/tok/token", "  token-from-file\n\n");
	a = put("a/config", file_a);
	b = put("b/config", file_b);
	c = put("c/config", file_c);
	env = xasprintf("%s:%s/missing:%s:%s:%s", a, dir, b, a, c);
	setenv("KUBECONFIG", env, 1);
	free(env);

	/* current-context from b, the first file that sets one */
	CHECK(load(&kc, NULL, NULL, NULL) == 0);
	CHECK_STR(errtext, "");
	CHECK_STR(kc.context, "ctx-b");
	/* cluster c1 and user u1 from a: the first file wins them whole */
	CHECK_STR(kc.server, "https://a.example:6443");
	CHECK_STR(kc.token, "token-a");
	CHECK(kc.username == NULL && kc.password == NULL);
	CHECK(kc.ca != NULL && kc.ca_len == 5 &&
	    memcmp(kc.ca, "CA-A\n", 5) == 0);
	CHECK_STR(kc.namespace, "default");
	mesh_kubeconfig_release(&kc);

	/* a context from b with its own user: relative tokenFile, trimmed */
	CHECK(load(&kc, NULL, "ctx-b2", NULL) == 0);
	CHECK(kc.insecure);
	CHECK_STR(kc.token, "token-from-file");
	CHECK(kc.token_file != NULL && strstr(kc.token_file, "/b/tok/token"));
	mesh_kubeconfig_release(&kc);

	/* --context: the context's namespace; -n beats it */
	CHECK(load(&kc, NULL, "ctx-a", NULL) == 0);
	CHECK_STR(kc.namespace, "team-a");
	CHECK_STR(kc.source, a);
	mesh_kubeconfig_release(&kc);
	CHECK(load(&kc, NULL, "ctx-a", "other") == 0);
	CHECK_STR(kc.namespace, "other");
	mesh_kubeconfig_release(&kc);

	/* the order of KUBECONFIG decides current-context */
	env = xasprintf("%s/a/config:%s/c/config:%s/b/config", dir, dir, dir);
	setenv("KUBECONFIG", env, 1);
	free(env);
	CHECK(load(&kc, NULL, NULL, NULL) == 0);
	CHECK_STR(kc.context, "ctx-a");
	mesh_kubeconfig_release(&kc);

	/* b first: c1 and u1 are b's now */
	env = xasprintf("%s/b/config:%s/a/config", dir, dir);
	setenv("KUBECONFIG", env, 1);
	free(env);
	CHECK(load(&kc, NULL, "ctx-a", NULL) == 0);
	CHECK_STR(kc.server, "https://b.example");
	CHECK(kc.token == NULL);
	CHECK_STR(kc.username, "bob");
	CHECK_STR(kc.password, "secret");
	mesh_kubeconfig_release(&kc);

	/* --kubeconfig: that file alone */
	CHECK(load(&kc, a, "ctx-b", NULL) == -1);
	CHECK_STR(errtext, "t: context 'ctx-b' not found");
	mesh_kubeconfig_release(&kc);
	CHECK(load(&kc, NULL, "nope", NULL) == -1);
	CHECK_STR(errtext, "t: context 'nope' not found");

	/* a missing --kubeconfig is an error; missing KUBECONFIG entries not */
	env = xasprintf("%s/none", dir);
	CHECK(load(&kc, env, NULL, NULL) == -1);
	CHECK(strstr(errtext, "cannot open '") != NULL &&
	    strstr(errtext, "/none': No such file or directory") != NULL);
	setenv("KUBECONFIG", env, 1);
	CHECK(load(&kc, NULL, NULL, NULL) == -1);
	CHECK_STR(errtext, "t: no kubeconfig found: use --kubeconfig or set "
	    "KUBECONFIG");
	free(env);

	/* no KUBECONFIG: $HOME/.kube/config */
	unsetenv("KUBECONFIG");
	env = xasprintf("%s/home", dir);
	setenv("HOME", env, 1);
	free(env);
	put("home/.kube/config", file_a);
	put("home/.kube/certs/ca.pem", "CA-H\n");
	CHECK(load(&kc, NULL, "ctx-a", NULL) == 0);
	CHECK_STR(kc.token, "token-a");
	mesh_kubeconfig_release(&kc);
	CHECK(load(&kc, NULL, NULL, NULL) == -1);
	CHECK_STR(errtext, "t: current-context is not set: use --context");
}

static void
test_fields(void)
{
	struct mesh_kubeconfig kc;
	const char *p;
	char text[4096];

	put("f/client.crt", "CERT\n");
	/* an absolute path stays as it is */
	snprintf(text, sizeof(text), "%s", put("f/keys/client.key", "KEY\n"));
	snprintf(text, sizeof(text),
	    "clusters:\n"
	    "- name: c\n"
	    "  cluster:\n"
	    "    server: 127.0.0.1:6443\n"
	    "    certificate-authority-data: Q0EtREFUQQo=\n"
	    "    tls-server-name: kubernetes\n"
	    "    proxy-url: http://proxy.example:3128\n"
	    "- name: plain\n"
	    "  cluster: {server: '127.0.0.1:8080'}\n"
	    "users:\n"
	    "- name: u\n"
	    "  user:\n"
	    "    client-certificate: client.crt\n"
	    "    client-key: %s\n"
	    "- name: d\n"
	    "  user:\n"
	    "    client-certificate-data: Q0VSVA==\n"
	    "    client-key-data: S0VZ\n"
	    "    as: jane\n"
	    "    as-groups: [g1, g2]\n"
	    "- name: x\n"
	    "  user:\n"
	    "    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: ./bin/cred\n"
	    "      args: [get, --fast]\n"
	    "      env: [{name: A, value: b}]\n"
	    "      interactiveMode: Never\n"
	    "      provideClusterInfo: true\n"
	    "- name: y\n"
	    "  user:\n"
	    "    exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
	    "command: cred}\n"
	    "contexts:\n"
	    "- {name: file, context: {cluster: c, user: u}}\n"
	    "- {name: data, context: {cluster: c, user: d}}\n"
	    "- {name: exec, context: {cluster: c, user: x}}\n"
	    "- {name: beta, context: {cluster: plain, user: y}}\n"
	    "- {name: nouser, context: {cluster: plain}}\n", made[nmade - 1]);
	p = put("f/config", text);

	CHECK(load(&kc, p, "file", NULL) == 0);
	CHECK_STR(errtext, "");
	/* host:port with a TLS option is https; a trailing '/' goes */
	CHECK_STR(kc.server, "https://127.0.0.1:6443");
	CHECK(kc.ca_len == 8 && memcmp(kc.ca, "CA-DATA\n", 8) == 0);
	CHECK_STR(kc.tls_server_name, "kubernetes");
	CHECK_STR(kc.proxy_url, "http://proxy.example:3128");
	CHECK(kc.cert_len == 5 && memcmp(kc.cert, "CERT\n", 5) == 0);
	mesh_kubeconfig_release(&kc);

	CHECK(load(&kc, p, "data", NULL) == 0);
	CHECK(kc.cert_len == 4 && memcmp(kc.cert, "CERT", 4) == 0);
	CHECK(kc.key_len == 3 && memcmp(kc.key, "KEY", 3) == 0);
	CHECK_STR(kc.as, "jane");
	CHECK(kc.as_groups != NULL && kc.as_groups[2] == NULL);
	CHECK_STR(kc.as_groups ? kc.as_groups[1] : NULL, "g2");
	mesh_kubeconfig_release(&kc);

	CHECK(load(&kc, p, "exec", NULL) == 0);
	CHECK(kc.exec != NULL);
	if (kc.exec != NULL) {
		CHECK(strstr(kc.exec->argv[0], "/f/./bin/cred") != NULL &&
		    kc.exec->argv[0][0] == '/');
		CHECK_STR(kc.exec->argv[1], "get");
		CHECK_STR(kc.exec->argv[2], "--fast");
		CHECK(kc.exec->argv[3] == NULL);
		CHECK_STR(kc.exec->env[0], "A=b");
		CHECK(kc.exec->interactive == MESH_KUBECONFIG_NEVER);
		CHECK(kc.exec->provide_cluster_info);
	}
	mesh_kubeconfig_release(&kc);

	/* a bare command stays for PATH; v1beta1 defaults IfAvailable */
	CHECK(load(&kc, p, "beta", NULL) == 0);
	CHECK_STR(kc.server, "http://127.0.0.1:8080");
	CHECK(kc.exec != NULL && strcmp(kc.exec->argv[0], "cred") == 0 &&
	    kc.exec->interactive == MESH_KUBECONFIG_IF_AVAILABLE);
	mesh_kubeconfig_release(&kc);

	CHECK(load(&kc, p, "nouser", NULL) == 0);
	CHECK(kc.user == NULL && kc.token == NULL && kc.exec == NULL);
	mesh_kubeconfig_release(&kc);

	/* an empty file is a kubeconfig with nothing in it */
	p = put("empty", "# nothing\n");
	CHECK(load(&kc, p, NULL, NULL) == -1);
	CHECK_STR(errtext, "t: current-context is not set: use --context");
}

static void
test_errors(void)
{
	const char *ctx = "contexts:\n- name: x\n  context: {cluster: c, "
	    "user: u}\ncurrent-context: x\n";
	const char *e;
	char text[2048];

	CHECK_STR(load_error("clusters: [\n"),
	    "bad.yaml:2:1: did not find expected node content while parsing "
	    "a flow node (from line 2)");
	CHECK_STR(load_error("users:\n- name: u\n  user:\n    tokne: x\n"),
	    "bad.yaml:4:5: users[0].user: unknown key 'tokne'");
	CHECK_STR(load_error("users:\n- name: u\n  user:\n    token: [x]\n"),
	    "bad.yaml:4:12: users[0].user.token: expected a string, not a "
	    "list");
	CHECK_STR(load_error("clusters:\n- cluster: {server: x}\n"),
	    "bad.yaml:2:3: clusters[0]: missing key 'name'");
	CHECK_STR(load_error("kind: Other\n"),
	    "bad.yaml:1:7: kind: expected 'Config', not 'Other'");
	CHECK_STR(load_error("apiVersion: v2\n"),
	    "bad.yaml:1:13: apiVersion: expected 'v1', not 'v2'");
	CHECK_STR(load_error("users:\n- name: u\n- name: v\n- name: u\n"),
	    "bad.yaml:4:9: users[2].name: user 'u' is defined twice");

	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x, certificate-authority-data: "
	    "'%%%%'}\nusers:\n- name: u\n");
	CHECK_STR(load_error(text), "bad.yaml:7:60: "
	    "clusters[0].cluster.certificate-authority-data: not valid "
	    "base64");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x, certificate-authority: nope.pem}\n"
	    "users:\n- name: u\n");
	/* one line: the place, the field, the file and why */
	e = load_error(text);
	CHECK(strncmp(e, "bad.yaml:7:55: clusters[0].cluster.certificate-"
	    "authority: cannot open '", 71) == 0);
	CHECK(strlen(e) > 37 && strcmp(e + strlen(e) - 37,
	    "/nope.pem': No such file or directory") == 0);
	CHECK(strchr(e, '\n') == NULL);
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x}\nusers:\n- name: u\n  user: "
	    "{token: t, username: a, password: b}\n");
	CHECK_STR(load_error(text), "bad.yaml:10:9: users[0].user: more than "
	    "one authentication method found for u; found [token basicAuth], "
	    "only one is allowed");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x}\nusers:\n- name: u\n  user: "
	    "{client-certificate-data: Q0VSVA==}\n");
	CHECK_STR(load_error(text), "bad.yaml:10:9: users[0].user: "
	    "client-key-data or client-key must be specified for u to use the "
	    "clientCert authentication method");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x}\nusers:\n- name: u\n  user:\n"
	    "    exec: {apiVersion: client.authentication.k8s.io/v1, "
	    "command: x}\n");
	CHECK_STR(load_error(text), "bad.yaml:11:11: users[0].user.exec: "
	    "interactiveMode must be specified for u to use exec "
	    "authentication plugin");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x}\nusers:\n- name: u\n  user:\n"
	    "    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, "
	    "command: x}\n");
	CHECK_STR(load_error(text), "bad.yaml:11:11: users[0].user.exec: "
	    "exec plugin: invalid apiVersion "
	    "'client.authentication.k8s.io/v1alpha1'");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {insecure-skip-tls-verify: true}\nusers:\n- name: u\n");
	CHECK_STR(load_error(text), "bad.yaml:6:3: clusters[0]: no server "
	    "found for cluster 'c'");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x, insecure-skip-tls-verify: true, "
	    "certificate-authority-data: Q0E=}\n");
	CHECK_STR(load_error(text), "bad.yaml:7:58: clusters[0].cluster."
	    "insecure-skip-tls-verify: specifying a root certificates file "
	    "with the insecure flag is not allowed");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: d\n"
	    "  cluster: {server: https://x}\n");
	CHECK_STR(load_error(text), "bad.yaml:3:22: contexts[0].context."
	    "cluster: cluster 'c' was not found for context 'x'");
	snprintf(text, sizeof(text), "%s%s", ctx, "clusters:\n- name: c\n"
	    "  cluster: {server: https://x}\n");
	CHECK_STR(load_error(text), "bad.yaml:3:31: contexts[0].context.user: "
	    "user 'u' was not found for context 'x'");
	CHECK_STR(load_error("contexts:\n- name: x\n  context: {cluster: c, "
	    "namespace: Bad_NS}\ncurrent-context: x\nclusters:\n- name: c\n"
	    "  cluster: {server: https://x}\n"), "bad.yaml:3:36: "
	    "contexts[0].context.namespace: namespace 'Bad_NS' for context "
	    "'x' does not conform to the kubernetes DNS_LABEL rules");
}

static void
test_in_cluster(void)
{
	struct mesh_kubeconfig kc;
	char *sa = xasprintf("%s/sa", dir);

	put("sa/token", "sa-token\n");
	put("sa/ca.crt", "SA-CA\n");
	put("sa/namespace", "pods-ns\n");
	unsetenv("KUBECONFIG");
	setenv("HOME", sa, 1);		/* no .kube/config there */
	setenv("MESH_SERVICEACCOUNT_DIR", sa, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	unsetenv("POD_NAMESPACE");
	CHECK(load(&kc, NULL, NULL, NULL) == 0);
	CHECK(kc.in_cluster);
	CHECK_STR(kc.server, "https://10.0.0.1:443");
	CHECK_STR(kc.token, "sa-token");
	CHECK(kc.ca_len == 6 && memcmp(kc.ca, "SA-CA\n", 6) == 0);
	CHECK_STR(kc.namespace, "pods-ns");
	mesh_kubeconfig_release(&kc);

	setenv("POD_NAMESPACE", "from-env", 1);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	CHECK(load(&kc, NULL, NULL, NULL) == 0);
	CHECK_STR(kc.server, "https://[fd00::1]:443");
	CHECK_STR(kc.namespace, "from-env");
	mesh_kubeconfig_release(&kc);
	CHECK(load(&kc, NULL, NULL, "flag") == 0);
	CHECK_STR(kc.namespace, "flag");
	mesh_kubeconfig_release(&kc);

	/* without the token file there is no in-cluster configuration */
	unlink(made[nmade - 3]);
	CHECK(load(&kc, NULL, NULL, NULL) == -1);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("MESH_SERVICEACCOUNT_DIR");
	free(sa);
}

static void
cleanup(void)
{
	size_t i;
	char *p;

	for (i = 0; i < nmade; i++) {
		unlink(made[i]);
		/* and the directories made for it, innermost first */
		while ((p = strrchr(made[i], '/')) != NULL &&
		    (size_t)(p - made[i]) > strlen(dir)) {
			*p = '\0';
			rmdir(made[i]);
		}
		free(made[i]);
	}
	rmdir(dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	mesh_setprogname("t");
	snprintf(dir, sizeof(dir), "%s/kubeconfig_test.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	unsetenv("KUBERNETES_SERVICE_HOST");
	test_merge();
	test_fields();
	test_errors();
	test_in_cluster();
	cleanup();
	return UNIT_DONE();
}
