/*
 * Unit tests of common/pki.c: keys, the three certificate profiles, PEM
 * in and out, chains, and certificate authorities kept in a directory,
 * with the exact message of each failure.  Files live in a temporary
 * directory; keys are ECDSA but for one RSA 2048, to stay fast under
 * valgrind.  The extensions themselves are checked with openssl(1) by
 * the bats tests, not here.  The checks of a CA directory owned by
 * someone else need root, to chown(2) to nobody (uid 65534); as anyone
 * else they are left out.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "pki.h"
#include "unit.h"
#include "xalloc.h"

/* PEM text of a test key, the markers split so no scanner takes it. */
#define PEM(label, body)						\
	"-----BEGIN " label "-----\n" body "-----END " label "-----\n"

static const char sec1_key[] = PEM("EC PRIVATE KEY",
	"MHcCAQEEIAQebT/rskzCP92Do5IoCaGy9qZl0N2i0juRY8m4bXTfoAoGCCqGSM49\n"
	"AwEHoUQDQgAEzUmM3jgDrUei38l/zuF2XKfioedHt2PNJuYa6pD2Y+FrIZyuqo+1\n"
	"oQorCjlACRKmYbqaxXf0mZbK8gM+mvEGSQ==\n");

static const char pkcs1_key[] = PEM("RSA PRIVATE KEY",
	"MIIEowIBAAKCAQEA12zS/7cJJqUYgMUNseMeL/SjM9IFMaKDHJ+f+ZighLWH2jL6\n"
	"JMskWY+5YxIXJXxci5wBgC9Qy/zTX6xjXJ4QlfHsH3aDEZrd1y6R4bBNaN9wMFk9\n"
	"h+yRYgHUi5cBGF2k1Bgni93VUwJM+nfaDoZojXSp70qf7vp7sUvLZuMniSUB2C/9\n"
	"twgKLbxb0hz/7qB+Bong0SkIU7flYLivxGPW+STQQFb/GHbXlM+NY8epmU5eJv+s\n"
	"5IaMYszUazbKxwFZlc83UzGWnB7mZ6ZfOjAPKVn1ynjpDM4xrQCy+Xx2AxAo7yF/\n"
	"vUdfSQa8pkLCk2qQ0nsHm4XoBtnvla7AfrXN3wIDAQABAoIBACTQSIiBf3NWsEbF\n"
	"Je95x/1a+Y7P+6o9Qtmf36c4MWosWXBs2Llz65zQhlZLT6BMzcXf3ZPJwi1x4a9O\n"
	"VtaLfnsZUggYaRKXnAR7RVvDlJ7w3AuvHGg/gaK1fFx0bC/9RL8n944b1Sov0PbW\n"
	"h3GG/5P41Vd6sbUVohCsyrAk7mstkv732Q0kwher5MMAZ6Icn1aEbdu7SXKT13d6\n"
	"OnuwYvxFF4PyzlnuqvJqMZ61fIg6dadEfdE72FGwvvLBtPrXifqp9e3al3WHxhxJ\n"
	"qhmCouPB85vnqntK2maX4F/85vJJogYSxvYgyInBU3m96iZeftql4UmdGti+UE82\n"
	"CWo9oB0CgYEA87/k4Ss3Hr7ZxgkSkgjATYf82gjE3odrbu7p4YqACCg8VqqQudTm\n"
	"TjD3E01S4+YQ2X9mIggEaKeBHmOx4/IuTV/d0Xld+5WkkJocQ3ZZrV+UZngKiAn3\n"
	"ANHqGDxC9CtLO5vZS9qKYhmw4YJYJta0T+hpsdBnVesvGoiDIhXT4dMCgYEA4kCB\n"
	"JdOm+DN3MvAFgv7jXixV3HUMDWlLGgKh+F32iUFMyA5jwacQ1LSuJ3sEqK1DWYcO\n"
	"0HWV9NZYzjxxlMT4ymW9oieraexVkIkYik2WNcEcsr52yCvCrsKCamuLzE921iGJ\n"
	"Ki9AFpRWV5n4TYhrqYtWkANo/IQr0dPv4zTYUEUCgYBIYH6R7cccNgdsKl19R2Py\n"
	"oaKPC3OJsCRSeFayRfHmeiwQf+0hgPox1ZBIBvnJ+hKewpmNGVxVxwcsAuZbjRn6\n"
	"l7DB9ovVnIWU+m3SCl5ugKcMFjDqXCsf7zTXpW0sG37nYEuRnn7gykgfbhjGz5IS\n"
	"+CwKRJuqg38lHcvyXxDfSQKBgDWFSse29KV8DzN2gedGAmURmdIHwi0d/k0N2GDX\n"
	"YW2Ai/g7Jy/1JE8c2qGuQSDhs6/m+gMn/awoVGOc+sVVfwDp5l0Ig00QQgFp3OtC\n"
	"hUj8AJzr309kwq3yh0VDYZOYLKVk03yuJrvwpSgd3RYCMm2t73ErzVcGsRL2zqVx\n"
	"p8X9AoGBAIhyixwMzDWYbR4pQeFAKKFsDtiPctQSnthSqzdDc+DyLOeR0MH1hwUv\n"
	"T/qoHc4UD+H3FI1ruqDP6sTvL8Qmf6wtEqm9h1Izk0BHVPst0t4MrPxueLW+aJML\n"
	"2VBMQjFAOcfmD04eAraf94mh9fkPVGfCNtMUpnjlflh5ztyRuRSW\n");

/* PKCS#8 under AES-256, passphrase "test" */
static const char pkcs8_encrypted_key[] = PEM("ENCRYPTED PRIVATE KEY",
	"MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAh15ieVsQa47wICCAAw\n"
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEMXYkLTA/JcHnMJlVxfWL9cEgZBD\n"
	"Fzl2FUPjf/jL+AH8C2AIPBXIM8WGOvyjiIdrlzYUhyJI6ab9gxuJa+mS942IHCmw\n"
	"7f+2f1hL0J+64SFqBMsGn/IRorUvZZJWSQEgvIRCMmcdEuyswsx3u+PVwb1ZLTvq\n"
	"AF/lGlBaJS2Y698+HBkMRDWzjFvy1ti623qUSKrdgf1Iuj/SFo+ULtbBfP1zMaE=\n");

/* SEC1 with the old PEM encryption headers, passphrase "x" */
static const char sec1_encrypted_key[] = PEM("EC PRIVATE KEY",
	"Proc-Type: 4,ENCRYPTED\n"
	"DEK-Info: AES-128-CBC,21D86470DF75737ECC318B1D6C655316\n"
	"\n"
	"kSsB0AunoooMNg5GOE/aD/SAKTY3KkdvSNFjCcXvvu89+fHkcv63uyObQnAAb6ZZ\n"
	"0DGMg6Awz8Y2GC62SYtOAEl1zJDeLdKgZI+RDfIBEPhkst4i/JC7i1okRWvv9NmI\n"
	"ALDEa6n6I1zxCoS/VLhb7XJuL/AO+BgKhiF6phretX0=\n");

static const char ed25519_key[] = PEM("PRIVATE KEY",
	"MC4CAQAwBQYDK2VwBCIEIA55uQ744jEClJOnX6gD9uTGE9vbVUEr6UQDOgjb87wW\n");

/*
 * A certificate made by openssl(1), and what `openssl x509 -noout
 * -fingerprint -sha256` prints for it after the '='.
 */
static const char kat_cert[] = PEM("CERTIFICATE",
	"MIIBsDCCAVegAwIBAgIUPkuLkYLlqffhKgchTEv4CnLYUqkwCgYIKoZIzj0EAwIw\n"
	"LjERMA8GA1UECgwIbWVzaGxpbmUxGTAXBgNVBAMMEGZpbmdlcnByaW50IHRlc3Qw\n"
	"HhcNMjYxMTIxMDgzNjA1WhcNMjYxMTIyMDgzNjA1WjAuMREwDwYDVQQKDAhtZXNo\n"
	"bGluZTEZMBcGA1UEAwwQZmluZ2VycHJpbnQgdGVzdDBZMBMGByqGSM49AgEGCCqG\n"
	"SM49AwEHA0IABM/6VwtBhbXjZXR4YdkuwRSVCSKwKB7nZx9cCjDfWM4Bz6kvxHLj\n"
	"sEtqZSxboCjInC+09mh+df3iI2X6K52FOhajUzBRMB0GA1UdDgQWBBQ4XKR2+fDl\n"
	"lcN+1xyOCDmUzAfRRDAfBgNVHSMEGDAWgBQ4XKR2+fDllcN+1xyOCDmUzAfRRDAP\n"
	"BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIFm7NRdEyPx8O2SFs5B6\n"
	"+WMO12jv5+tKmHaCcdwgrAZmAiBt0vcMkI/BwLk/tBlJt3e57JAQfn5XRow4u3qQ\n"
	"53/LpA==\n");
static const char kat_fingerprint[] = "5E:77:56:A3:51:52:ED:E7:1D:A8:5E:"
	"39:7B:7A:91:DF:0E:D4:3C:4C:4D:AE:B8:6A:EA:59:5B:68:5B:6D:50:44";

static const char *const istiod_san[] = { "istiod.istio-system.svc", NULL };
static const char *const server_san[] = { "gw.example.com", "10.1.2.3",
	"2001:db8::1", NULL };

static const struct mesh_cert_spec root_spec = {
	MESH_CERT_ROOT, "Istio", "Root CA", NULL, NULL, 3650
};
static const struct mesh_cert_spec inter_spec = {
	MESH_CERT_INTERMEDIATE, "Istio", "Intermediate CA", "cluster1",
	istiod_san, 3650
};
static const struct mesh_cert_spec server_spec = {
	MESH_CERT_SERVER, NULL, "gw.example.com", NULL, server_san, 1
};

static char dir[256];
static char errtext[4096];
static int saved_stderr = -1, err_fd = -1;

/* Catch what is written to stderr from now until heard(). */
static void
listen(void)
{
	char *path = xasprintf("%s/stderr", dir);

	fflush(stderr);
	saved_stderr = dup(2);
	err_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(err_fd, 2);
	unlink(path);
	free(path);
}

/*
 * What was caught, its last newline dropped and the temporary
 * directory written as DIR.
 */
static const char *
heard(void)
{
	char raw[sizeof(errtext)], *p, *o = errtext;
	size_t n = strlen(dir);
	ssize_t r;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	lseek(err_fd, 0, SEEK_SET);
	r = read(err_fd, raw, sizeof(raw) - 1);
	close(err_fd);
	raw[r > 0 ? r : 0] = '\0';
	if (r > 0 && raw[r - 1] == '\n')
		raw[r - 1] = '\0';
	for (p = raw; *p != '\0';) {
		if (strncmp(p, dir, n) == 0) {
			memcpy(o, "DIR", 3);
			o += 3;
			p += n;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return errtext;
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The error of reading text as a key, "" when it reads. */
static const char *
key_error(const char *src, const char *text, size_t len)
{
	struct mesh_key *k;

	listen();
	k = mesh_key_read(src, text, len);
	heard();
	mesh_key_free(k);
	return errtext;
}

/* The error of reading text as certificates, "" when it reads. */
static const char *
cert_error(const char *src, const char *text)
{
	struct mesh_cert **v = (struct mesh_cert **)&v;
	size_t n = 99;
	int r;

	listen();
	r = mesh_cert_read(src, text, strlen(text), &v, &n);
	heard();
	if (r == -1)
		CHECK(v == NULL && n == 0);
	mesh_certs_free(v, n);
	return errtext;
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || mesh_write_all(fd, text, len) == -1 ||
	    fchmod(fd, mode) == -1 || close(fd) == -1) {
		perror(path);
		exit(1);
	}
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The number of entries in a directory, "." and ".." left out. */
static int
entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_keys(void)
{
	struct mesh_buf b = MESH_BUF_INIT;
	struct mesh_key *k, *back;
	char d[64];

	listen();
	k = mesh_key_new(MESH_KEY_RSA, 1000);
	CHECK_STR(heard(), "t: RSA keys are 2048 to 8192 bits, a multiple "
	    "of 8, not 1000");
	CHECK(k == NULL);
	listen();
	k = mesh_key_new(MESH_KEY_RSA, 2049);
	CHECK_STR(heard(), "t: RSA keys are 2048 to 8192 bits, a multiple "
	    "of 8, not 2049");
	CHECK(k == NULL);
	listen();
	k = mesh_key_new(MESH_KEY_RSA, 8200);
	CHECK_STR(heard(), "t: RSA keys are 2048 to 8192 bits, a multiple "
	    "of 8, not 8200");
	CHECK(k == NULL);
	listen();
	k = mesh_key_new(MESH_KEY_ECDSA, 521);
	CHECK_STR(heard(), "t: ECDSA keys are 256 (P-256) or 384 (P-384) "
	    "bits, not 521");
	CHECK(k == NULL);
	listen();
	k = mesh_key_new(MESH_KEY_ECDSA, -1);
	CHECK_STR(heard(), "t: ECDSA keys are 256 (P-256) or 384 (P-384) "
	    "bits, not -1");
	CHECK(k == NULL);

	k = mesh_key_new(MESH_KEY_ECDSA, 0);
	CHECK_STR(mesh_key_describe(k, d, sizeof(d)), "ECDSA P-256");
	/* PKCS#8 out, and back; appended to what the buffer held */
	mesh_buf_adds(&b, "x");
	CHECK(mesh_key_pem(k, &b) == 0);
	CHECK(starts_with(b.data, "x-----BEGIN PRIVATE KEY-----\n"));
	back = mesh_key_read("k.pem", b.data + 1, b.len - 1);
	CHECK(back != NULL);
	if (back != NULL)
		CHECK_STR(mesh_key_describe(back, d, sizeof(d)),
		    "ECDSA P-256");
	mesh_key_free(back);
	mesh_wipe_buf(&b);
	CHECK(b.data == NULL && b.len == 0);
	mesh_key_free(k);

	k = mesh_key_new(MESH_KEY_ECDSA, 384);
	CHECK_STR(mesh_key_describe(k, d, sizeof(d)), "ECDSA P-384");
	mesh_key_free(k);

	/* the traditional forms read too */
	CHECK_STR(key_error("sec1.pem", sec1_key, strlen(sec1_key)), "");
	k = mesh_key_read("sec1.pem", sec1_key, strlen(sec1_key));
	CHECK_STR(mesh_key_describe(k, d, sizeof(d)), "ECDSA P-256");
	mesh_key_free(k);
	k = mesh_key_read("rsa.pem", pkcs1_key, strlen(pkcs1_key));
	CHECK(k != NULL);
	if (k != NULL)
		CHECK_STR(mesh_key_describe(k, d, sizeof(d)), "RSA 2048");
	mesh_key_free(k);

	CHECK_STR(key_error("enc.pem", pkcs8_encrypted_key,
	    strlen(pkcs8_encrypted_key)), "t: enc.pem: private key is "
	    "encrypted; give it without a passphrase");
	CHECK_STR(key_error("enc.pem", sec1_encrypted_key,
	    strlen(sec1_encrypted_key)), "t: enc.pem: private key is "
	    "encrypted; give it without a passphrase");
	CHECK_STR(key_error("ed.pem", ed25519_key, strlen(ed25519_key)),
	    "t: ed.pem: ED25519 private key: only RSA and ECDSA keys are "
	    "supported");
	CHECK_STR(key_error("empty", "", 0),
	    "t: empty: no private key in PEM form");
	CHECK_STR(key_error("junk", "hello\n", 6),
	    "t: junk: no private key in PEM form");
	CHECK_STR(key_error("pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n", 55),
	    "t: pub: no private key in PEM form");
	CHECK_STR(key_error("bad", PEM("PRIVATE KEY", "@@@@\n"),
	    strlen(PEM("PRIVATE KEY", "@@@@\n"))),
	    "t: bad: bad private key: cannot decode it");
	/* only len bytes are read: a key cut short is no key */
	CHECK_STR(key_error("cut", sec1_key, strlen(sec1_key) - 30),
	    "t: cut: bad private key: cannot decode it");
}

static void
test_certs(void)
{
	struct mesh_buf b = MESH_BUF_INIT;
	struct mesh_key *rk, *ik, *sk, *ok, *rsa, *k;
	struct mesh_cert *root, *inter, *server, *other, *other2, *c;
	struct mesh_cert_spec spec;
	char d[64];
	struct mesh_cert *chain[1];
	const char *const bad_san[] = { "a b", NULL };
	char *s;
	time_t now = time(NULL), t;

	rk = mesh_key_new(MESH_KEY_ECDSA, 384);
	ik = mesh_key_new(MESH_KEY_ECDSA, 256);
	sk = mesh_key_new(MESH_KEY_ECDSA, 256);
	ok = mesh_key_new(MESH_KEY_ECDSA, 256);
	rsa = mesh_key_new(MESH_KEY_RSA, 2048);
	CHECK(rk != NULL && ik != NULL && sk != NULL && ok != NULL &&
	    rsa != NULL);

	root = mesh_cert_issue(&root_spec, rk, NULL, NULL);
	inter = mesh_cert_issue(&inter_spec, ik, root, rk);
	server = mesh_cert_issue(&server_spec, sk, inter, ik);
	CHECK(root != NULL && inter != NULL && server != NULL);

	s = mesh_cert_subject(root);
	CHECK_STR(s, "O = Istio, CN = Root CA");
	free(s);
	s = mesh_cert_subject(inter);
	CHECK_STR(s, "O = Istio, CN = Intermediate CA, L = cluster1");
	free(s);
	s = mesh_cert_subject(server);
	CHECK_STR(s, "CN = gw.example.com");
	free(s);

	CHECK(mesh_cert_is_ca(root));
	CHECK(mesh_cert_is_ca(inter));
	CHECK(!mesh_cert_is_ca(server));
	CHECK(mesh_key_matches(rk, root));
	CHECK(mesh_key_matches(ik, inter));
	CHECK(!mesh_key_matches(ik, root));
	CHECK(!mesh_key_matches(rsa, root));
	CHECK(mesh_cert_equal(root, root));
	CHECK(!mesh_cert_equal(root, inter));

	t = mesh_cert_not_after(inter);
	CHECK(t >= now + 3650L * 86400 - 5 && t <= now + 3650L * 86400 + 60);
	t = mesh_cert_not_after(server);
	CHECK(t >= now + 86400 - 5 && t <= now + 86400 + 60);

	/* chains */
	CHECK(mesh_cert_verify(root, NULL, 0, root) == NULL);
	CHECK(mesh_cert_verify(inter, NULL, 0, root) == NULL);
	chain[0] = inter;
	CHECK(mesh_cert_verify(server, chain, 1, root) == NULL);
	CHECK_STR(mesh_cert_verify(server, NULL, 0, root),
	    "unable to get local issuer certificate");
	/* no partial chain: the intermediate is no anchor */
	CHECK_STR(mesh_cert_verify(server, NULL, 0, inter),
	    "unable to get issuer certificate");
	spec = root_spec;
	spec.org = "Other";
	other = mesh_cert_issue(&spec, ok, NULL, NULL);
	CHECK_STR(mesh_cert_verify(inter, NULL, 0, other),
	    "unable to get local issuer certificate");
	/* the same name, another key (its key identifier tells) */
	other2 = mesh_cert_issue(&root_spec, ok, NULL, NULL);
	CHECK_STR(mesh_cert_verify(inter, NULL, 0, other2),
	    "unable to get local issuer certificate");
	mesh_cert_free(other2);
	mesh_cert_free(other);

	/* RSA keys are PKCS#8 too */
	CHECK(mesh_key_pem(rsa, &b) == 0);
	CHECK(starts_with(b.data, "-----BEGIN PRIVATE KEY-----\n"));
	k = mesh_key_read("rsa.pem", b.data, b.len);
	c = mesh_cert_issue(&root_spec, rsa, NULL, NULL);
	CHECK(k != NULL && c != NULL && mesh_key_matches(k, c));
	if (k != NULL)
		CHECK_STR(mesh_key_describe(k, d, sizeof(d)), "RSA 2048");
	mesh_cert_free(c);
	mesh_key_free(k);
	mesh_wipe_buf(&b);

	/* an RSA root over an ECDSA intermediate */
	other = mesh_cert_issue(&root_spec, rsa, NULL, NULL);
	c = mesh_cert_issue(&inter_spec, ok, other, rsa);
	CHECK(c != NULL && mesh_cert_verify(c, NULL, 0, other) == NULL);
	CHECK(c != NULL && mesh_cert_verify(c, NULL, 0, root) != NULL);
	mesh_cert_free(c);
	mesh_cert_free(other);

	/* issuing errors */
	listen();
	c = mesh_cert_issue(&server_spec, ok, inter, NULL);
	CHECK_STR(heard(), "t: cannot issue a certificate: an issuer needs "
	    "both its certificate and its key");
	CHECK(c == NULL);
	listen();
	c = mesh_cert_issue(&server_spec, ok, server, sk);
	CHECK_STR(heard(), "t: cannot issue a certificate: the issuer is not "
	    "a CA");
	CHECK(c == NULL);
	listen();
	c = mesh_cert_issue(&server_spec, ok, inter, rk);
	CHECK_STR(heard(), "t: cannot issue a certificate: the issuer's key "
	    "does not match its certificate");
	CHECK(c == NULL);
	spec = server_spec;
	spec.days = 0;
	listen();
	c = mesh_cert_issue(&spec, ok, inter, ik);
	CHECK_STR(heard(), "t: cannot issue a certificate valid for 0 days");
	CHECK(c == NULL);
	spec = server_spec;
	spec.san = bad_san;
	listen();
	c = mesh_cert_issue(&spec, ok, inter, ik);
	CHECK_STR(heard(), "t: subject alternative name 'a b' is neither an "
	    "IP address nor a DNS name");
	CHECK(c == NULL);
	spec = server_spec;
	spec.cn = NULL;
	listen();
	c = mesh_cert_issue(&spec, ok, inter, ik);
	CHECK_STR(heard(), "t: cannot issue a certificate with an empty "
	    "subject");
	CHECK(c == NULL);
	spec.org = "";
	listen();
	c = mesh_cert_issue(&spec, ok, inter, ik);
	CHECK_STR(heard(), "t: empty O in the certificate subject");
	CHECK(c == NULL);
	spec.org = "Istio";
	spec.cn = "a-common-name-much-longer-than-the-sixty-four-characters-"
	    "x509-allows";
	listen();
	c = mesh_cert_issue(&spec, ok, inter, ik);
	CHECK(starts_with(heard(), "t: bad CN 'a-common-name-much-longer"));
	CHECK(c == NULL);

	mesh_cert_free(server);
	mesh_cert_free(inter);
	mesh_cert_free(root);
	mesh_key_free(rsa);
	mesh_key_free(ok);
	mesh_key_free(sk);
	mesh_key_free(ik);
	mesh_key_free(rk);
}

static void
test_cert_pem(void)
{
	struct mesh_buf b = MESH_BUF_INIT, t = MESH_BUF_INIT;
	struct mesh_key *rk = mesh_key_new(MESH_KEY_ECDSA, 256);
	struct mesh_key *ik = mesh_key_new(MESH_KEY_ECDSA, 256);
	struct mesh_cert *root = mesh_cert_issue(&root_spec, rk, NULL, NULL);
	struct mesh_cert *inter = mesh_cert_issue(&inter_spec, ik, root, rk);
	struct mesh_cert **v = NULL;
	struct mesh_key *k;
	unsigned long lines = 0;
	size_t n = 0, i;
	char *s;

	/* a bundle, the intermediate first, as cert-chain.pem */
	CHECK(mesh_cert_pem(inter, &b) == 0);
	CHECK(starts_with(b.data, "-----BEGIN CERTIFICATE-----\n"));
	for (i = 0; i < b.len; i++)
		lines += b.data[i] == '\n';
	CHECK(mesh_cert_pem(root, &b) == 0);
	CHECK(mesh_cert_read("chain.pem", b.data, b.len, &v, &n) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(mesh_cert_equal(v[0], inter));
		CHECK(mesh_cert_equal(v[1], root));
		CHECK(mesh_cert_verify(v[0], NULL, 0, v[1]) == NULL);
	}
	mesh_certs_free(v, n);
	CHECK_STR(cert_error("chain.pem", b.data), "");

	/* the first key in a file that holds certificates too */
	mesh_buf_add(&t, b.data, b.len);
	CHECK(mesh_key_pem(ik, &t) == 0);
	k = mesh_key_read("both.pem", t.data, t.len);
	CHECK(k != NULL && mesh_key_matches(k, inter));
	mesh_key_free(k);
	mesh_wipe_buf(&t);

	/* spaces, CRLF and blank lines between blocks are fine */
	mesh_buf_adds(&t, "\r\n\n  ");
	mesh_buf_add(&t, b.data, b.len);
	mesh_buf_adds(&t, "\n\t\n");
	CHECK_STR(cert_error("spaced.pem", t.data), "");
	mesh_buf_release(&t);

	CHECK_STR(cert_error("empty.pem", ""), "t: empty.pem: no PEM "
	    "certificate");
	CHECK_STR(cert_error("blank.pem", " \n\n"), "t: blank.pem: no PEM "
	    "certificate");
	CHECK_STR(cert_error("junk.pem", "\nhello\n"), "t: junk.pem:2: text "
	    "that is not a PEM certificate");

	/* text after the first certificate */
	mesh_cert_pem(inter, &t);
	mesh_buf_adds(&t, "subject=O = Istio\n");
	mesh_cert_pem(root, &t);
	s = xasprintf("t: stray.pem:%lu: text that is not a PEM certificate",
	    lines + 1);
	CHECK_STR(cert_error("stray.pem", t.data), s);
	free(s);
	mesh_buf_release(&t);

	/* another kind of block */
	mesh_cert_pem(inter, &t);
	mesh_buf_adds(&t, sec1_key);
	s = xasprintf("t: mixed.pem:%lu: PEM block 'EC PRIVATE KEY' is not "
	    "a certificate", lines + 1);
	CHECK_STR(cert_error("mixed.pem", t.data), s);
	free(s);
	mesh_buf_release(&t);
	CHECK_STR(cert_error("crl.pem", "-----BEGIN X509 CRL-----\nAAAA\n"
	    "-----END X509 CRL-----\n"), "t: crl.pem:1: PEM block 'X509 CRL' "
	    "is not a certificate");
	CHECK_STR(cert_error("odd.pem", "-----BEGIN \x01-----\n"),
	    "t: odd.pem:1: text that is not a PEM certificate");

	/* a BEGIN line with more on it, a block cut short, bad base64 */
	mesh_buf_adds(&t, "-----BEGIN CERTIFICATE----- x");
	mesh_buf_add(&t, b.data + 27, b.len - 27);
	CHECK_STR(cert_error("begin.pem", t.data), "t: begin.pem:1: bad PEM "
	    "BEGIN line");
	mesh_buf_release(&t);
	mesh_buf_add(&t, b.data, b.len / 4);
	CHECK_STR(cert_error("cut.pem", t.data), "t: cut.pem:1: bad "
	    "certificate: bad end line");
	mesh_buf_release(&t);
	CHECK(starts_with(cert_error("b64.pem", PEM("CERTIFICATE", "@@@@\n")),
	    "t: b64.pem:1: bad certificate: "));

	mesh_buf_release(&b);
	mesh_cert_free(inter);
	mesh_cert_free(root);
	mesh_key_free(ik);
	mesh_key_free(rk);
}

/* Open a CA with o, catching the message. */
static int
ca_open(struct mesh_ca *ca, const struct mesh_ca_opts *o)
{
	int r;

	listen();
	r = mesh_ca_open(ca, o);
	heard();
	return r;
}

static void
test_ca(void)
{
	struct mesh_ca ca, again, zero;
	struct mesh_ca_opts o = {
		NULL, "ca-key.pem", "ca-cert.pem", &root_spec,
		MESH_KEY_ECDSA, 256, false
	};
	struct mesh_buf b = MESH_BUF_INIT;
	struct mesh_key *k;
	struct mesh_cert *c;
	char *top = path_in("ca"), *sub = path_in("ca/sub");
	char *key = path_in("ca/sub/ca-key.pem");
	char *cert = path_in("ca/sub/ca-cert.pem");
	char *ww = path_in("ww"), *file = path_in("file");
	char *saved = path_in("saved.pem");

	/* made, with its parents */
	o.dir = sub;
	CHECK(ca_open(&ca, &o) == 0);
	CHECK_STR(errtext, "");
	CHECK(ca.created);
	CHECK(ca.key != NULL && ca.cert != NULL && ca.cert_pem != NULL);
	CHECK(mode_of(top) == 0700 && mode_of(sub) == 0700);
	CHECK(mode_of(key) == 0600);
	CHECK(mode_of(cert) == 0644);
	CHECK(entries(sub) == 2);
	CHECK(mesh_key_matches(ca.key, ca.cert));
	CHECK(mesh_cert_is_ca(ca.cert));
	CHECK(mesh_slurp(cert, &b, 0) == 0);
	CHECK(b.len == ca.cert_len && memcmp(b.data, ca.cert_pem,
	    b.len) == 0);
	mesh_buf_release(&b);

	/* opened again, as it is */
	CHECK(ca_open(&again, &o) == 0);
	CHECK_STR(errtext, "");
	CHECK(!again.created);
	if (again.cert != NULL)
		CHECK(mesh_cert_equal(again.cert, ca.cert));
	CHECK(again.cert_len == ca.cert_len &&
	    memcmp(again.cert_pem, ca.cert_pem, ca.cert_len) == 0);
	mesh_ca_release(&again);
	CHECK(again.key == NULL && again.cert == NULL &&
	    again.cert_pem == NULL && again.cert_len == 0 && !again.created);

	/* a key others may read */
	chmod(key, 0640);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: DIR/ca/sub/ca-key.pem: private key is readable "
	    "by others (chmod 600 DIR/ca/sub/ca-key.pem)");
	CHECK(again.key == NULL && again.cert == NULL);
	chmod(key, 0600);

	/* only one of the two */
	rename(cert, saved);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: 'DIR/ca/sub/ca-key.pem' exists but "
	    "'DIR/ca/sub/ca-cert.pem' does not; nothing was written now; a "
	    "key that never had its certificate signed nothing, so remove "
	    "'DIR/ca/sub/ca-key.pem' (unless 'DIR/ca/sub/ca-cert.pem' was "
	    "lost: restore that instead)");
	CHECK(!exists(cert) && entries(sub) == 1);
	rename(key, file);
	CHECK(mesh_slurp(saved, &b, 0) == 0);
	put(cert, b.data, b.len, 0644);
	mesh_buf_release(&b);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: 'DIR/ca/sub/ca-cert.pem' exists but "
	    "'DIR/ca/sub/ca-key.pem' does not; nothing was written");
	CHECK(!exists(key) && entries(sub) == 1);

	/* a key that is not the certificate's */
	k = mesh_key_new(MESH_KEY_ECDSA, 256);
	mesh_key_pem(k, &b);
	put(key, b.data, b.len, 0600);
	mesh_wipe_buf(&b);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: 'DIR/ca/sub/ca-key.pem' is not the key of the "
	    "certificate in 'DIR/ca/sub/ca-cert.pem'");

	/* a certificate that is no CA's */
	c = mesh_cert_issue(&server_spec, k, ca.cert, ca.key);
	mesh_cert_pem(c, &b);
	put(cert, b.data, b.len, 0644);
	mesh_buf_release(&b);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: DIR/ca/sub/ca-cert.pem: not a CA certificate");
	mesh_cert_free(c);

	/* two certificates */
	mesh_cert_pem(ca.cert, &b);
	mesh_cert_pem(ca.cert, &b);
	put(cert, b.data, b.len, 0644);
	mesh_buf_release(&b);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: DIR/ca/sub/ca-cert.pem: 2 certificates; a "
	    "CA's file holds one");
	mesh_key_free(k);

	/* a key file that is not a key */
	put(key, "not a key\n", 10, 0600);
	CHECK(ca_open(&again, &o) == -1);
	CHECK_STR(errtext, "t: DIR/ca/sub/ca-key.pem: no private key in PEM "
	    "form");
	mesh_ca_release(&again);
	mesh_ca_release(&ca);

	/* a directory others may write into */
	mkdir(ww, 0700);
	chmod(ww, 0777);
	o.dir = ww;
	CHECK(ca_open(&ca, &o) == -1);
	CHECK_STR(errtext, "t: DIR/ww: directory is writable by others; use "
	    "--force to keep a CA there");
	CHECK(entries(ww) == 0);
	o.force = true;
	CHECK(ca_open(&ca, &o) == 0);
	CHECK(ca.created && entries(ww) == 2);
	mesh_ca_release(&ca);
	o.force = false;

	/* no key of that size: nothing made, not even the directory */
	o.dir = top;
	free(top);
	top = path_in("nodir/ca");
	o.dir = top;
	o.bits = 1000;
	CHECK(ca_open(&ca, &o) == -1);
	CHECK_STR(errtext, "t: ECDSA keys are 256 (P-256) or 384 (P-384) "
	    "bits, not 1000");
	CHECK(!exists(top));
	o.bits = 256;

	/* the directory is a file */
	o.dir = file;
	CHECK(ca_open(&ca, &o) == -1);
	CHECK_STR(errtext, "t: 'DIR/file' is not a directory");

	memset(&zero, 0, sizeof(zero));
	mesh_ca_release(&zero);

	free(saved);
	free(file);
	free(ww);
	free(cert);
	free(key);
	free(sub);
	free(top);
}

static void
test_fingerprint(void)
{
	struct mesh_key *k = mesh_key_new(MESH_KEY_ECDSA, 256);
	struct mesh_cert *a = mesh_cert_issue(&root_spec, k, NULL, NULL);
	struct mesh_cert *b = mesh_cert_issue(&root_spec, k, NULL, NULL);
	struct mesh_buf pem = MESH_BUF_INIT;
	struct mesh_cert **v = NULL;
	char *fa, *fa2, *fb;
	size_t n = 0, i;
	bool shape = true;

	/* what openssl(1) prints */
	CHECK(mesh_cert_read("kat.pem", kat_cert, strlen(kat_cert), &v,
	    &n) == 0 && n == 1);
	if (n == 1) {
		fa = mesh_cert_fingerprint(v[0]);
		CHECK_STR(fa, kat_fingerprint);
		free(fa);
	}
	mesh_certs_free(v, n);

	/* "XX:XX:...", upper case, 32 bytes */
	fa = mesh_cert_fingerprint(a);
	CHECK(strlen(fa) == 95);
	for (i = 0; fa[i] != '\0'; i++)
		if (i % 3 == 2 ? fa[i] != ':' : strchr("0123456789ABCDEF",
		    fa[i]) == NULL)
			shape = false;
	CHECK(shape);

	/* the same certificate, read back: the same; another: not */
	mesh_cert_pem(a, &pem);
	CHECK(mesh_cert_read("a.pem", pem.data, pem.len, &v, &n) == 0 &&
	    n == 1);
	if (n == 1) {
		fa2 = mesh_cert_fingerprint(v[0]);
		CHECK_STR(fa2, fa);
		free(fa2);
	}
	mesh_certs_free(v, n);
	mesh_buf_release(&pem);
	fb = mesh_cert_fingerprint(b);
	CHECK(strlen(fb) == 95 && strcmp(fa, fb) != 0);
	free(fb);
	free(fa);
	mesh_cert_free(b);
	mesh_cert_free(a);
	mesh_key_free(k);
}

/* Make a CA in path, which may exist; the test goes on either way. */
static void
new_ca(const char *path)
{
	struct mesh_ca_opts o = {
		NULL, "ca-key.pem", "ca-cert.pem", &root_spec,
		MESH_KEY_ECDSA, 256, true
	};
	struct mesh_ca ca;

	o.dir = path;
	CHECK(ca_open(&ca, &o) == 0 && ca.created);
	mesh_ca_release(&ca);
}

/*
 * Open the CA in path, with force or not: 0 or -1, the message in
 * errtext.
 */
static int
open_ca(const char *path, bool force)
{
	struct mesh_ca_opts o = {
		NULL, "ca-key.pem", "ca-cert.pem", &root_spec,
		MESH_KEY_ECDSA, 256, false
	};
	struct mesh_ca ca;
	int r;

	o.dir = path;
	o.force = force;
	r = ca_open(&ca, &o);
	CHECK(r == 0 ? ca.key != NULL && ca.cert != NULL : ca.key == NULL &&
	    ca.cert == NULL && ca.cert_pem == NULL);
	mesh_ca_release(&ca);
	return r;
}

/* Someone else's directory or files: needs root. */
static void
test_ca_owner(void)
{
	char *fd = path_in("foreign"), *fkey = path_in("foreign/ca-key.pem");
	char *fcert = path_in("foreign/ca-cert.pem");
	char *empty = path_in("foreign-empty"), *link = path_in("flink");
	char *mine = path_in("mine"), *key = path_in("mine/ca-key.pem");
	char *cert = path_in("mine/ca-cert.pem");
	char *s;
	unsigned long me = (unsigned long)geteuid();

	/* another user's directory, the files ours */
	new_ca(fd);
	CHECK(chown(fd, 65534, 65534) == 0 && chmod(fd, 0755) == 0);
	CHECK(open_ca(fd, false) == -1);
	s = xasprintf("t: DIR/foreign: directory is owned by uid 65534, not "
	    "by you (uid %lu); use --force to keep a CA there", me);
	CHECK_STR(errtext, s);
	CHECK(open_ca(fd, true) == 0);
	CHECK_STR(errtext, "");
	/* through a symbolic link of ours, the same */
	CHECK(symlink(fd, link) == 0);
	CHECK(open_ca(link, false) == -1);
	free(s);
	s = xasprintf("t: DIR/flink: directory is owned by uid 65534, not "
	    "by you (uid %lu); use --force to keep a CA there", me);
	CHECK_STR(errtext, s);
	free(s);

	/* and its key theirs too: refused even with --force */
	CHECK(chown(fkey, 65534, 65534) == 0 && chown(fcert, 65534,
	    65534) == 0);
	CHECK(open_ca(fd, false) == -1);
	CHECK(starts_with(errtext, "t: DIR/foreign: directory is owned by "
	    "uid 65534"));
	CHECK(open_ca(fd, true) == -1);
	s = xasprintf("t: DIR/foreign/ca-key.pem: private key is owned by "
	    "uid 65534, not by you (uid %lu)", me);
	CHECK_STR(errtext, s);
	free(s);

	/* an empty one: nothing made there, unless --force */
	CHECK(mkdir(empty, 0755) == 0 && chown(empty, 65534, 65534) == 0);
	CHECK(open_ca(empty, false) == -1);
	CHECK(starts_with(errtext, "t: DIR/foreign-empty: directory is "
	    "owned by uid 65534"));
	CHECK(entries(empty) == 0);
	CHECK(open_ca(empty, true) == 0 && entries(empty) == 2);

	/* our directory, their key or certificate */
	new_ca(mine);
	CHECK(chown(key, 65534, 65534) == 0);
	CHECK(open_ca(mine, false) == -1);
	s = xasprintf("t: DIR/mine/ca-key.pem: private key is owned by uid "
	    "65534, not by you (uid %lu)", me);
	CHECK_STR(errtext, s);
	free(s);
	CHECK(chown(key, geteuid(), getegid()) == 0);
	CHECK(chown(cert, 65534, 65534) == 0);
	CHECK(open_ca(mine, false) == -1);
	s = xasprintf("t: DIR/mine/ca-cert.pem: certificate is owned by uid "
	    "65534, not by you (uid %lu); use --force to trust it", me);
	CHECK_STR(errtext, s);
	free(s);
	CHECK(open_ca(mine, true) == 0);

	free(mine);
	free(cert);
	free(key);
	free(link);
	free(empty);
	free(fcert);
	free(fkey);
	free(fd);
}

/* Modes, links and files that are not regular files. */
static void
test_ca_files(void)
{
	char *gw = path_in("gw"), *d = path_in("files");
	char *key = path_in("files/ca-key.pem");
	char *cert = path_in("files/ca-cert.pem");
	char *aside = path_in("aside.pem"), *dl = path_in("dangling");
	char *dlkey = path_in("dangling/ca-key.pem");
	char *dlnowhere = path_in("dangling/nowhere"), *link = path_in("dlink");
	char *nolink = path_in("nolink"), *fifo = path_in("fifo");
	char *fifokey = path_in("fifo/ca-key.pem");
	char *fifocert = path_in("fifo/ca-cert.pem");

	/* a directory its group may write into */
	CHECK(mkdir(gw, 0700) == 0 && chmod(gw, 0770) == 0);
	CHECK(open_ca(gw, false) == -1);
	CHECK_STR(errtext, "t: DIR/gw: directory is writable by its group; "
	    "use --force to keep a CA there");
	CHECK(entries(gw) == 0);
	CHECK(open_ca(gw, true) == 0 && entries(gw) == 2);
	CHECK(open_ca(gw, false) == -1);
	CHECK(open_ca(gw, true) == 0);

	/* a symbolic link to a directory of ours is fine */
	new_ca(d);
	CHECK(symlink("files", link) == 0);
	CHECK(open_ca(link, false) == 0);
	CHECK_STR(errtext, "");
	CHECK(symlink("nowhere", nolink) == 0);
	CHECK(open_ca(nolink, true) == -1);
	CHECK_STR(errtext, "t: 'DIR/nolink' is a symbolic link to nothing");

	/* a key others may write, or run; read-only for us is fine */
	CHECK(chmod(key, 0620) == 0);
	CHECK(open_ca(d, true) == -1);
	CHECK_STR(errtext, "t: DIR/files/ca-key.pem: private key is writable "
	    "by others (chmod 600 DIR/files/ca-key.pem)");
	CHECK(chmod(key, 0601) == 0);
	CHECK(open_ca(d, true) == -1);
	CHECK_STR(errtext, "t: DIR/files/ca-key.pem: private key is "
	    "executable by others (chmod 600 DIR/files/ca-key.pem)");
	CHECK(chmod(key, 0400) == 0);
	CHECK(open_ca(d, false) == 0);
	CHECK(chmod(key, 0600) == 0);

	/* a certificate others may write */
	CHECK(chmod(cert, 0664) == 0);
	CHECK(open_ca(d, false) == -1);
	CHECK_STR(errtext, "t: DIR/files/ca-cert.pem: certificate is "
	    "writable by others (chmod 644 DIR/files/ca-cert.pem, or use "
	    "--force to trust it)");
	CHECK(open_ca(d, true) == 0);
	CHECK(chmod(cert, 0644) == 0);

	/* a key, then a certificate, that is a link to the real one */
	CHECK(rename(key, aside) == 0 && symlink(aside, key) == 0);
	CHECK(open_ca(d, true) == -1);
	CHECK_STR(errtext, "t: 'DIR/files/ca-key.pem' is a symbolic link; a "
	    "CA's files must be regular files, and links are not followed");
	CHECK(unlink(key) == 0 && rename(aside, key) == 0);
	CHECK(open_ca(d, false) == 0);
	CHECK(rename(cert, aside) == 0 && symlink(aside, cert) == 0);
	CHECK(open_ca(d, true) == -1);
	CHECK_STR(errtext, "t: 'DIR/files/ca-cert.pem' is a symbolic link; "
	    "a CA's files must be regular files, and links are not followed");
	CHECK(unlink(cert) == 0 && rename(aside, cert) == 0);
	CHECK(open_ca(d, false) == 0);

	/* a dangling link where the key would go: nothing made */
	CHECK(mkdir(dl, 0700) == 0 && symlink("nowhere", dlkey) == 0);
	CHECK(open_ca(dl, false) == -1);
	CHECK_STR(errtext, "t: 'DIR/dangling/ca-key.pem' is a symbolic link; "
	    "a CA's files must be regular files, and links are not followed");
	CHECK(entries(dl) == 1 && !exists(dlnowhere));

	/* a FIFO for a key: refused, not waited on (the alarm would kill) */
	new_ca(fifo);
	CHECK(unlink(fifokey) == 0 && mkfifo(fifokey, 0600) == 0);
	alarm(10);
	CHECK(open_ca(fifo, true) == -1);
	alarm(0);
	CHECK_STR(errtext, "t: 'DIR/fifo/ca-key.pem' is not a regular file");
	CHECK(unlink(fifocert) == 0);
	alarm(10);
	CHECK(open_ca(fifo, true) == -1);
	alarm(0);
	CHECK_STR(errtext, "t: 'DIR/fifo/ca-key.pem' is not a regular file");
	CHECK(entries(fifo) == 1);

	free(fifocert);
	free(fifokey);
	free(fifo);
	free(nolink);
	free(link);
	free(dlnowhere);
	free(dlkey);
	free(dl);
	free(aside);
	free(cert);
	free(key);
	free(d);
	free(gw);
}

/* rm -rf of the temporary directory; links in it are not followed */
static void
remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char *p;

	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (d = opendir(path)) == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		remove_tree(p);
		free(p);
	}
	closedir(d);
	rmdir(path);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	mesh_setprogname("t");
	snprintf(dir, sizeof(dir), "%s/pki_test.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_keys();
	test_certs();
	test_cert_pem();
	test_fingerprint();
	test_ca();
	test_ca_files();
	if (geteuid() == 0)
		test_ca_owner();
	remove_tree(dir);
	return UNIT_DONE();
}
