/*
 * Keys, certificates and certificate authorities kept on disk, over
 * OpenSSL 3's EVP and X509 interfaces.  A struct mesh_key holds an
 * EVP_PKEY and a struct mesh_cert an X509; no OpenSSL type leaves this
 * file.  Extensions are built as ASN.1 values, not parsed from config
 * strings, so a name given by the user is never read as syntax.
 */
/* realpath(3) and S_ISVTX, which POSIX puts in its XSI part */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "diag.h"
#include "pki.h"
#include "xalloc.h"

#define KEY_MAX		(64u << 10)	/* bytes in a CA's key file */
#define CERT_MAX	(1u << 20)	/* bytes in a CA's certificate file */
#define SERIAL_LEN	20		/* bytes of random serial number */

struct mesh_key {
	EVP_PKEY *pkey;
};

struct mesh_cert {
	X509 *x509;
};

void
mesh_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void
mesh_wipe_buf(struct mesh_buf *b)
{
	if (b->data != NULL)
		mesh_wipe(b->data, b->cap);
	mesh_buf_release(b);
}

/*
 * OpenSSL's reason for the first error in its queue, into buf; the queue
 * is emptied so that a later failure does not report this one.
 */
static const char *
reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r;

	if (e == 0)
		snprintf(buf, len, "unknown error");
	else if ((r = ERR_reason_error_string(e)) != NULL)
		snprintf(buf, len, "%s", r);
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/*
 * OpenSSL calls that fail only when memory runs out: fatal, as xmalloc.
 * need() takes a pointer, need_ok() a count or a 1 for success.
 */
static void *
need(void *p)
{
	if (p == NULL)
		mesh_die("out of memory");
	return p;
}

static void
need_ok(int r)
{
	if (r <= 0)
		mesh_die("out of memory");
}

/* Append n bytes of a secret without leaving a copy in freed memory. */
static void
add_secret(struct mesh_buf *b, const void *p, size_t n)
{
	struct mesh_buf nb = MESH_BUF_INIT;

	/* mesh_buf_grow's realloc would free the old bytes unwiped */
	if (b->data == NULL || n >= b->cap - b->len) {
		mesh_buf_grow(&nb, b->len + n);
		mesh_buf_add(&nb, b->data != NULL ? b->data : "", b->len);
		mesh_wipe_buf(b);
		*b = nb;
	}
	mesh_buf_add(b, p, n);
}

/* Append what a memory BIO holds; a secret is wiped from the BIO too. */
static void
add_bio(struct mesh_buf *out, BIO *bio, bool secret)
{
	BUF_MEM *bm = NULL;

	BIO_get_mem_ptr(bio, &bm);
	if (bm == NULL || bm->length == 0)
		return;
	if (secret) {
		add_secret(out, bm->data, bm->length);
		OPENSSL_cleanse(bm->data, bm->max);
	} else {
		mesh_buf_add(out, bm->data, bm->length);
	}
}

/* A read-only BIO over len bytes of text, len at most INT_MAX. */
static BIO *
text_bio(const void *p, size_t len)
{
	return need(BIO_new_mem_buf(len > 0 ? p : "", (int)len));
}

/* The first occurrence of s in the n bytes at p, or NULL. */
static const char *
find(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (; n >= k; p++, n--)
		if (memcmp(p, s, k) == 0)
			return p;
	return NULL;
}

/*
 * The PEM password callback: never ask (OpenSSL's default would prompt
 * on the terminal), only note that a password was wanted.
 */
static int
no_password(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)asked = true;
	return -1;
}

static struct mesh_key *
key_wrap(EVP_PKEY *pkey)
{
	struct mesh_key *k = xmalloc(sizeof(*k));

	k->pkey = pkey;
	return k;
}

void
mesh_pki_init(void)
{
	static const char *const algs[] = { "RSA", "EC" };
	EVP_KEYMGMT *km;
	size_t i;

	/* fetching sets up the default library context and its cache */
	OPENSSL_init_crypto(OPENSSL_INIT_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_ADD_ALL_DIGESTS, NULL);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if ((km = EVP_KEYMGMT_fetch(NULL, algs[i], NULL)) != NULL)
			EVP_KEYMGMT_free(km);
	ERR_clear_error();
}

struct mesh_key *
mesh_key_new(enum mesh_key_type type, int bits)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	const char *alg, *group = NULL;
	char what[32], why[128];
	int r;

	switch (type) {
	case MESH_KEY_RSA:
		if (bits == 0)
			bits = 4096;
		if (bits < 2048 || bits > 8192 || bits % 8 != 0) {
			mesh_err(NULL, "RSA keys are 2048 to 8192 bits, a "
			    "multiple of 8, not %d", bits);
			return NULL;
		}
		alg = "RSA";
		snprintf(what, sizeof(what), "RSA %d", bits);
		break;
	case MESH_KEY_ECDSA:
		if (bits == 0)
			bits = 256;
		if (bits == 256) {
			group = "P-256";
		} else if (bits == 384) {
			group = "P-384";
		} else {
			mesh_err(NULL, "ECDSA keys are 256 (P-256) or 384 "
			    "(P-384) bits, not %d", bits);
			return NULL;
		}
		alg = "EC";
		snprintf(what, sizeof(what), "ECDSA %s", group);
		break;
	default:
		mesh_err(NULL, "unknown key type %d", (int)type);
		return NULL;
	}
	/* RSA keys get OpenSSL's default public exponent, 65537 */
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0)
		r = 0;
	else if (group != NULL)
		r = EVP_PKEY_CTX_set_group_name(ctx, group);
	else
		r = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits);
	if (r <= 0 || EVP_PKEY_generate(ctx, &pkey) <= 0) {
		mesh_err(NULL, "cannot make an %s key: %s", what,
		    reason(why, sizeof(why)));
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key_wrap(pkey);
}

struct mesh_key *
mesh_key_read(const char *src, const void *pem, size_t len)
{
	EVP_PKEY *pkey;
	BIO *in;
	bool asked = false;
	char why[128];

	if (len > INT_MAX) {
		mesh_err(src, "too large for a private key");
		return NULL;
	}
	in = text_bio(pem, len);
	pkey = PEM_read_bio_PrivateKey(in, NULL, no_password, &asked);
	BIO_free(in);
	if (pkey == NULL) {
		if (asked)
			mesh_err(src, "private key is encrypted; give it "
			    "without a passphrase");
		else if (len == 0 || find(pem, len, "PRIVATE KEY-----") ==
		    NULL)
			mesh_err(src, "no private key in PEM form");
		else if (ERR_GET_REASON(ERR_peek_error()) ==
		    ERR_R_UNSUPPORTED)
			/* all OpenSSL 3's decoders say about bad bytes */
			mesh_err(src, "bad private key: cannot decode it");
		else
			mesh_err(src, "bad private key: %s",
			    reason(why, sizeof(why)));
		ERR_clear_error();
		return NULL;
	}
	ERR_clear_error();
	if (!EVP_PKEY_is_a(pkey, "RSA") && !EVP_PKEY_is_a(pkey, "EC")) {
		mesh_err(src, "%s private key: only RSA and ECDSA keys are "
		    "supported", EVP_PKEY_get0_type_name(pkey));
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return key_wrap(pkey);
}

int
mesh_key_pem(const struct mesh_key *k, struct mesh_buf *out)
{
	BIO *bio = need(BIO_new(BIO_s_secmem()));
	char why[128];
	int rv = -1;

	/* OpenSSL 3 writes PKCS#8 here, "BEGIN PRIVATE KEY" */
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		mesh_err(NULL, "cannot write the private key: %s",
		    reason(why, sizeof(why)));
		goto out;
	}
	add_bio(out, bio, true);
	rv = 0;
out:
	BIO_free(bio);
	return rv;
}

const char *
mesh_key_describe(const struct mesh_key *k, char *buf, size_t len)
{
	char group[64];
	const char *nist;

	if (EVP_PKEY_is_a(k->pkey, "RSA")) {
		snprintf(buf, len, "RSA %d", EVP_PKEY_get_bits(k->pkey));
	} else if (EVP_PKEY_is_a(k->pkey, "EC") &&
	    EVP_PKEY_get_group_name(k->pkey, group, sizeof(group), NULL) ==
	    1) {
		nist = EC_curve_nid2nist(OBJ_sn2nid(group));
		snprintf(buf, len, "ECDSA %s", nist != NULL ? nist : group);
	} else {
		snprintf(buf, len, "%s %d", EVP_PKEY_get0_type_name(k->pkey),
		    EVP_PKEY_get_bits(k->pkey));
	}
	ERR_clear_error();
	return buf;
}

void
mesh_key_free(struct mesh_key *k)
{
	if (k == NULL)
		return;
	/* OpenSSL clears the key's numbers as it frees them */
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* The digest a key signs with: SHA-384 for P-384, as Go's x509 picks. */
static const EVP_MD *
digest_for(EVP_PKEY *signer)
{
	if (EVP_PKEY_is_a(signer, "EC")) {
		if (EVP_PKEY_get_bits(signer) > 384)
			return EVP_sha512();
		if (EVP_PKEY_get_bits(signer) > 256)
			return EVP_sha384();
	}
	return EVP_sha256();
}

/* Add one subject field as a UTF8String; reports a bad value. */
static int
add_name(X509_NAME *name, int nid, const char *value)
{
	char why[128];

	if (value == NULL)
		return 0;
	if (*value == '\0') {
		mesh_err(NULL, "empty %s in the certificate subject",
		    OBJ_nid2sn(nid));
		return -1;
	}
	if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0) != 1) {
		mesh_err(NULL, "bad %s '%s' in the certificate subject: %s",
		    OBJ_nid2sn(nid), value, reason(why, sizeof(why)));
		return -1;
	}
	return 0;
}

/* A DNS name as a certificate may hold one: letters, digits, "-._*". */
static bool
is_dns_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("-._*", s[i])))
			return false;
	return true;
}

/* The subject alternative names, IP addresses where they read as one. */
static GENERAL_NAMES *
alt_names(const char *const *san)
{
	GENERAL_NAMES *gens = need(sk_GENERAL_NAME_new_null());
	unsigned char ip[16];
	GENERAL_NAME *g;
	ASN1_STRING *v;
	int iplen;

	for (; *san != NULL; san++) {
		if (inet_pton(AF_INET, *san, ip) == 1)
			iplen = 4;
		else if (inet_pton(AF_INET6, *san, ip) == 1)
			iplen = 16;
		else if (is_dns_name(*san))
			iplen = 0;
		else {
			mesh_err(NULL, "subject alternative name '%s' is "
			    "neither an IP address nor a DNS name", *san);
			GENERAL_NAMES_free(gens);
			return NULL;
		}
		g = need(GENERAL_NAME_new());
		if (iplen > 0) {
			v = need(ASN1_OCTET_STRING_new());
			need_ok(ASN1_OCTET_STRING_set(v, ip, iplen));
			GENERAL_NAME_set0_value(g, GEN_IPADD, v);
		} else {
			v = need(ASN1_IA5STRING_new());
			need_ok(ASN1_STRING_set(v, *san, -1));
			GENERAL_NAME_set0_value(g, GEN_DNS, v);
		}
		need_ok(sk_GENERAL_NAME_push(gens, g));
	}
	return gens;
}

/* 20 random bytes, positive and not zero. */
static int
set_serial(X509 *x)
{
	unsigned char b[SERIAL_LEN];
	BIGNUM *bn;
	int rv = -1;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] &= 0x7f;
	if ((bn = BN_bin2bn(b, sizeof(b), NULL)) != NULL &&
	    (!BN_is_zero(bn) || BN_set_word(bn, 1) == 1) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rv = 0;
	BN_free(bn);
	return rv;
}

/* Add an extension from its value; 0, or -1 with OpenSSL's error. */
static int
add_ext(X509 *x, int nid, void *value, int critical)
{
	return X509_add1_ext_i2d(x, nid, value, critical,
	    X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
}

/*
 * The extensions of a profile, in the order Istio's certificates have
 * them: subject key identifier, basic constraints, key usage, extended
 * key usage, subject alternative names, authority key identifier.
 * 0; -1 with OpenSSL's error queued; -2 when a bad name was reported.
 */
static int
add_extensions(X509 *x, const struct mesh_cert_spec *spec, X509 *issuer)
{
	BASIC_CONSTRAINTS *bc = need(BASIC_CONSTRAINTS_new());
	ASN1_BIT_STRING *ku = need(ASN1_BIT_STRING_new());
	ASN1_OCTET_STRING *skid = need(ASN1_OCTET_STRING_new());
	EXTENDED_KEY_USAGE *eku = NULL;
	GENERAL_NAMES *san = NULL;
	AUTHORITY_KEYID *akid = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	bool ca = spec->profile != MESH_CERT_SERVER;
	int rv = -1;

	/* keyid "hash": the SHA-1 of the subjectPublicKey bits (RFC 5280) */
	if (X509_pubkey_digest(x, EVP_sha1(), md, &mdlen) != 1)
		goto out;
	need_ok(ASN1_OCTET_STRING_set(skid, md, (int)mdlen));
	if (add_ext(x, NID_subject_key_identifier, skid, 0) == -1)
		goto out;

	bc->ca = ca ? 0xff : 0;
	if (spec->profile == MESH_CERT_INTERMEDIATE) {
		bc->pathlen = need(ASN1_INTEGER_new());
		need_ok(ASN1_INTEGER_set(bc->pathlen, 0));
	}
	if (add_ext(x, NID_basic_constraints, bc, 1) == -1)
		goto out;

	/*
	 * RFC 5280's KeyUsage bits: 0 digitalSignature, 1 nonRepudiation,
	 * 2 keyEncipherment, 5 keyCertSign.
	 */
	need_ok(ASN1_BIT_STRING_set_bit(ku, 0, 1));
	if (ca)
		need_ok(ASN1_BIT_STRING_set_bit(ku, 1, 1));
	need_ok(ASN1_BIT_STRING_set_bit(ku, 2, 1));
	if (ca)
		need_ok(ASN1_BIT_STRING_set_bit(ku, 5, 1));
	if (add_ext(x, NID_key_usage, ku, 1) == -1)
		goto out;

	if (!ca) {
		eku = need(sk_ASN1_OBJECT_new_null());
		need_ok(sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)));
		if (add_ext(x, NID_ext_key_usage, eku, 0) == -1)
			goto out;
	}

	/* the root has none, as Istio's */
	if (spec->profile != MESH_CERT_ROOT && spec->san != NULL &&
	    spec->san[0] != NULL) {
		if ((san = alt_names(spec->san)) == NULL) {
			rv = -2;
			goto out;
		}
		if (add_ext(x, NID_subject_alt_name, san, 0) == -1)
			goto out;
	}

	/*
	 * The issuer's own key identifier, as "keyid" takes it; none on a
	 * self-signed certificate, nor when the issuer has none.
	 */
	if (issuer != NULL) {
		akid = need(AUTHORITY_KEYID_new());
		akid->keyid = X509_get_ext_d2i(issuer,
		    NID_subject_key_identifier, NULL, NULL);
		if (akid->keyid != NULL &&
		    add_ext(x, NID_authority_key_identifier, akid, 0) == -1)
			goto out;
	}
	rv = 0;
out:
	AUTHORITY_KEYID_free(akid);
	GENERAL_NAMES_free(san);
	sk_ASN1_OBJECT_free(eku);
	ASN1_OCTET_STRING_free(skid);
	ASN1_BIT_STRING_free(ku);
	BASIC_CONSTRAINTS_free(bc);
	return rv;
}

static struct mesh_cert *
cert_wrap(X509 *x)
{
	struct mesh_cert *c = xmalloc(sizeof(*c));

	c->x509 = x;
	return c;
}

struct mesh_cert *
mesh_cert_issue(const struct mesh_cert_spec *spec,
    const struct mesh_key *key, const struct mesh_cert *issuer,
    const struct mesh_key *issuer_key)
{
	X509 *x = need(X509_new());
	X509_NAME *name = need(X509_NAME_new());
	EVP_PKEY *signer = issuer_key != NULL ? issuer_key->pkey : key->pkey;
	const char *step;
	char why[128];
	int r;

	if ((issuer == NULL) != (issuer_key == NULL)) {
		mesh_err(NULL, "cannot issue a certificate: an issuer needs "
		    "both its certificate and its key");
		goto fail;
	}
	if (spec->days <= 0 || spec->days > INT_MAX) {
		mesh_err(NULL, "cannot issue a certificate valid for %ld days",
		    spec->days);
		goto fail;
	}
	if (issuer != NULL && !mesh_cert_is_ca(issuer)) {
		mesh_err(NULL, "cannot issue a certificate: the issuer is not "
		    "a CA");
		goto fail;
	}
	if (issuer != NULL && !mesh_key_matches(issuer_key, issuer)) {
		mesh_err(NULL, "cannot issue a certificate: the issuer's key "
		    "does not match its certificate");
		goto fail;
	}
	if (add_name(name, NID_organizationName, spec->org) == -1 ||
	    add_name(name, NID_commonName, spec->cn) == -1 ||
	    add_name(name, NID_localityName, spec->locality) == -1)
		goto fail;
	if (X509_NAME_entry_count(name) == 0) {
		mesh_err(NULL, "cannot issue a certificate with an empty "
		    "subject");
		goto fail;
	}

	step = "set its fields";
	if (X509_set_version(x, X509_VERSION_3) != 1 || set_serial(x) == -1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer->x509) : name) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)spec->days, 0,
	    NULL) == NULL ||
	    X509_set_pubkey(x, key->pkey) != 1)
		goto err;
	step = "add its extensions";
	if ((r = add_extensions(x, spec, issuer != NULL ? issuer->x509 :
	    NULL)) == -2)
		goto fail;
	if (r == -1)
		goto err;
	step = "sign it";
	if (X509_sign(x, signer, digest_for(signer)) <= 0)
		goto err;
	X509_NAME_free(name);
	ERR_clear_error();
	return cert_wrap(x);
err:
	mesh_err(NULL, "cannot issue a certificate: cannot %s: %s", step,
	    reason(why, sizeof(why)));
fail:
	ERR_clear_error();
	X509_NAME_free(name);
	X509_free(x);
	return NULL;
}

int
mesh_cert_pem(const struct mesh_cert *c, struct mesh_buf *out)
{
	BIO *bio = need(BIO_new(BIO_s_mem()));
	char why[128];
	int rv = -1;

	if (PEM_write_bio_X509(bio, c->x509) != 1) {
		mesh_err(NULL, "cannot write the certificate: %s",
		    reason(why, sizeof(why)));
		goto out;
	}
	add_bio(out, bio, false);
	rv = 0;
out:
	BIO_free(bio);
	return rv;
}

/* Is c one of PEM's spaces between blocks? */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

/*
 * Report the PEM block that starts at p (a BEGIN line) and is not a
 * certificate, quoting its label when that reads as one.
 */
static void
not_a_cert(const char *src, unsigned long line, const char *p,
    const char *end)
{
	const char *label = p + strlen("-----BEGIN "), *q;

	for (q = label; q < end && q - label <= 40 && ((*q >= 'A' &&
	    *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == ' '); q++)
		continue;
	if (q > label && end - q >= 5 && memcmp(q, "-----", 5) == 0)
		mesh_errat(src, line, 0, "PEM block '%.*s' is not a "
		    "certificate", (int)(q - label), label);
	else
		mesh_errat(src, line, 0, "text that is not a PEM certificate");
}

int
mesh_cert_read(const char *src, const void *pem, size_t len,
    struct mesh_cert ***out, size_t *n)
{
	static const char begin[] = "-----BEGIN ";
	static const char cert_begin[] = "-----BEGIN CERTIFICATE-----";
	const char *p = len > 0 ? pem : "", *end = p + len, *counted = p, *q;
	struct mesh_cert **v = NULL;
	unsigned long line = 1;
	size_t nv = 0;
	bool asked = false;
	char why[128];
	BIO *bio;
	X509 *x;
	int rv = -1;

	*out = NULL;
	*n = 0;
	if (len > INT_MAX) {
		mesh_err(src, "too large for PEM certificates");
		return -1;
	}
	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		for (; counted < p; counted++)
			if (*counted == '\n')
				line++;
		if ((size_t)(end - p) < sizeof(begin) - 1 ||
		    memcmp(p, begin, sizeof(begin) - 1) != 0) {
			mesh_errat(src, line, 0, "text that is not a PEM "
			    "certificate");
			goto out;
		}
		if ((size_t)(end - p) < sizeof(cert_begin) - 1 ||
		    memcmp(p, cert_begin, sizeof(cert_begin) - 1) != 0) {
			not_a_cert(src, line, p, end);
			goto out;
		}
		/*
		 * Nothing else on the BEGIN line, or OpenSSL would pass over
		 * it to the next one it likes.
		 */
		for (q = p + sizeof(cert_begin) - 1; q < end && (*q == ' ' ||
		    *q == '\t' || *q == '\r'); q++)
			continue;
		if (q < end && *q != '\n') {
			mesh_errat(src, line, 0, "bad PEM BEGIN line");
			goto out;
		}
		bio = text_bio(p, (size_t)(end - p));
		x = PEM_read_bio_X509(bio, NULL, no_password, &asked);
		if (x == NULL) {
			BIO_free(bio);
			mesh_errat(src, line, 0, "bad certificate: %s",
			    reason(why, sizeof(why)));
			goto out;
		}
		/* PEM_read_bio_X509 stops just after the END line */
		p = end - BIO_ctrl_pending(bio);
		BIO_free(bio);
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = cert_wrap(x);
	}
	if (nv == 0) {
		mesh_err(src, "no PEM certificate");
		goto out;
	}
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
	rv = 0;
out:
	ERR_clear_error();
	mesh_certs_free(v, nv);
	return rv;
}

void
mesh_cert_free(struct mesh_cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x509);
	free(c);
}

void
mesh_certs_free(struct mesh_cert **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		mesh_cert_free(v[i]);
	free(v);
}

char *
mesh_cert_subject(const struct mesh_cert *c)
{
	BIO *bio = need(BIO_new(BIO_s_mem()));
	BUF_MEM *bm = NULL;
	char *s;

	/* openssl x509 -subject's "oneline", with UTF-8 printed as is */
	if (X509_NAME_print_ex(bio, X509_get_subject_name(c->x509), 0,
	    (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) |
	    ASN1_STRFLGS_UTF8_CONVERT) < 0)
		mesh_die("out of memory");
	BIO_get_mem_ptr(bio, &bm);
	s = xstrndup(bm != NULL && bm->data != NULL ? bm->data : "",
	    bm != NULL ? bm->length : 0);
	BIO_free(bio);
	return s;
}

bool
mesh_cert_is_ca(const struct mesh_cert *c)
{
	uint32_t flags = X509_get_extension_flags(c->x509);

	if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_CA) == 0)
		return false;
	if ((flags & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(c->x509) & KU_KEY_CERT_SIGN) == 0)
		return false;
	return true;
}

bool
mesh_cert_equal(const struct mesh_cert *a, const struct mesh_cert *b)
{
	return X509_cmp(a->x509, b->x509) == 0;
}

char *
mesh_cert_fingerprint(const struct mesh_cert *c)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char *s;

	/* fails only when memory runs out; SHA-256 gives n = 32 */
	need_ok(X509_digest(c->x509, EVP_sha256(), md, &n));
	/* two digits a byte, a colon between bytes, the NUL after the last */
	s = xmalloc(3 * (size_t)n);
	for (i = 0; i < n; i++) {
		s[3 * i] = hex[md[i] >> 4];
		s[3 * i + 1] = hex[md[i] & 0xf];
		s[3 * i + 2] = i + 1 < n ? ':' : '\0';
	}
	return s;
}

bool
mesh_key_matches(const struct mesh_key *k, const struct mesh_cert *c)
{
	EVP_PKEY *pub = X509_get0_pubkey(c->x509);
	bool eq = pub != NULL && EVP_PKEY_eq(k->pkey, pub) == 1;

	ERR_clear_error();
	return eq;
}

time_t
mesh_cert_not_after(const struct mesh_cert *c)
{
	ASN1_TIME *epoch = need(ASN1_TIME_set(NULL, 0));
	int days, secs;
	time_t t = 0;

	if (ASN1_TIME_diff(&days, &secs, epoch,
	    X509_get0_notAfter(c->x509)) == 1)
		t = (time_t)days * 86400 + secs;
	ASN1_TIME_free(epoch);
	ERR_clear_error();
	return t;
}

const char *
mesh_cert_verify(const struct mesh_cert *c,
    struct mesh_cert *const *untrusted, size_t n,
    const struct mesh_cert *root)
{
	X509_STORE *store = need(X509_STORE_new());
	X509_STORE_CTX *ctx = need(X509_STORE_CTX_new());
	STACK_OF(X509) *chain = need(sk_X509_new_null());
	const char *why = NULL;
	size_t i;
	int err;

	/* no partial chains: the root is the one anchor, and the end */
	for (i = 0; i < n; i++)
		need_ok(sk_X509_push(chain, untrusted[i]->x509));
	if (X509_STORE_add_cert(store, root->x509) != 1 ||
	    X509_STORE_CTX_init(ctx, store, c->x509, chain) != 1) {
		why = X509_verify_cert_error_string(X509_V_ERR_UNSPECIFIED);
	} else if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		why = X509_verify_cert_error_string(err != X509_V_OK ? err :
		    X509_V_ERR_UNSPECIFIED);
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	X509_STORE_free(store);
	ERR_clear_error();
	return why;
}

/* dir/name, without a doubled slash. */
static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/",
	    name);
}

/* The one message for a CA file that is a symbolic link. */
static void
refuse_link(const char *path)
{
	mesh_err(NULL, "'%s' is a symbolic link; a CA's files must be "
	    "regular files, and links are not followed", path);
}

/*
 * 0 when st, path's own stat (not a link's target), is a regular file;
 * else -1, reported.
 */
static int
check_regular(const char *path, const struct stat *st)
{
	if (S_ISLNK(st->st_mode)) {
		refuse_link(path);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		mesh_err(NULL, "'%s' is not a regular file", path);
		return -1;
	}
	return 0;
}

/*
 * 1 when name exists in the directory dfd (path names it in messages), 0
 * when it does not, -1 reported: it cannot be looked at, or it is a
 * symbolic link (dangling or not) or anything else but a regular file.
 * A link is never followed, and nothing is opened, so a FIFO or a
 * device found here is not touched.
 */
static int
exists(int dfd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		mesh_err(NULL, "cannot use '%s':", path);
		return -1;
	}
	return check_regular(path, &st) == -1 ? -1 : 1;
}

/*
 * Is a directory that holds dir (path names it) safe to keep a CA below?
 * It must be ours or root's, and writable by no one else unless it is
 * sticky (as /tmp is: others may add their own entries there, but not
 * rename or remove ours).  0, or -1 reported.
 */
static int
check_above_one(const char *path, const char *dir, const struct stat *st)
{
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		mesh_err(path, "directory above '%s' is owned by uid %lu, "
		    "neither you (uid %lu) nor root; use --force to keep a "
		    "CA below it", dir, (unsigned long)st->st_uid,
		    (unsigned long)geteuid());
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st->st_mode & S_ISVTX) == 0) {
		mesh_err(path, "directory above '%s' is writable by %s and "
		    "not sticky, so the CA could be swapped; use --force to "
		    "keep a CA below it", dir, (st->st_mode & S_IWOTH) != 0 ?
		    "others" : "its group");
		return -1;
	}
	return 0;
}

/*
 * Check every directory above dir, which exists, up to "/": those of
 * its real path, so that a symbolic link is judged by where it leads.
 * With self, dir itself too, as a directory above the one to be made.
 */
static int
check_above(const char *dir, const char *shown, bool self)
{
	char *real, *cut;
	struct stat st;
	int rv = -1;

	if ((real = realpath(dir, NULL)) == NULL) {
		mesh_err(NULL, "cannot use '%s':", dir);
		return -1;
	}
	for (;;) {
		if (self) {
			if (stat(real, &st) == -1) {
				mesh_err(NULL, "cannot use '%s':", real);
				goto out;
			}
			if (check_above_one(real, shown, &st) == -1)
				goto out;
		}
		self = true;
		if (strcmp(real, "/") == 0)
			break;
		cut = strrchr(real, '/');
		cut[cut == real] = '\0';
	}
	rv = 0;
out:
	free(real);
	return rv;
}

/*
 * mkdir -p: each directory it makes is 0700 whatever the umask, and is
 * recorded in made (n of them, outermost first) so that a failure can
 * take them back (release_dirs).  Before the first is made, the directory
 * it goes into and all above it are checked, unless force.
 */
static int
make_dirs(const char *dir, bool force, char ***made, size_t *n)
{
	char *p = xstrdup(dir), *s, c;
	struct stat st;
	bool checked = force;
	int rv = -1;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (!checked && stat(p, &st) == -1 && errno == ENOENT) {
			char *up = xstrdup(p), *cut = strrchr(up, '/');

			/* the nearest directory that exists: "." or "/" */
			if (cut == NULL) {
				up[0] = '.';
				up[1] = '\0';
			} else {
				cut[cut == up] = '\0';
			}
			checked = true;
			if (check_above(up, dir, true) == -1) {
				free(up);
				goto out;
			}
			free(up);
		}
		if (mkdir(p, 0700) == 0) {
			*made = xreallocarray(*made, *n + 1, sizeof(**made));
			(*made)[(*n)++] = xstrdup(p);
			/* the umask took bits away; the parent is safe */
			if (chmod(p, 0700) == -1) {
				mesh_err(NULL, "cannot make directory '%s':",
				    p);
				goto out;
			}
		} else if (errno != EEXIST) {
			mesh_err(NULL, "cannot make directory '%s':", p);
			goto out;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) == -1) {
		mesh_err(NULL, "cannot use directory '%s':", dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		mesh_err(NULL, "'%s' is not a directory", dir);
		goto out;
	}
	rv = 0;
out:
	free(p);
	return rv;
}

/*
 * Forget the directories make_dirs made; with remove, remove them too,
 * innermost first (each one only if it is empty).
 */
static void
release_dirs(char **made, size_t n, bool remove)
{
	while (n > 0) {
		n--;
		if (remove)
			(void)rmdir(made[n]);
		free(made[n]);
	}
	free(made);
}

/*
 * Open o->dir into *dfd: 1 when it exists, 0 when it is missing (to be
 * made later), -1 reported.  A symbolic link is followed (a CA kept
 * elsewhere is fine) and the rules apply to what it points to, as seen
 * through the descriptor all later calls use, so nothing can be swapped
 * in between: a directory, owned by us and writable by nobody else, or
 * whoever owns or may write into it could replace the CA's files; and
 * so must every directory above it be, but for root's and sticky ones
 * (check_above).  o->force waives all of these.
 */
static int
open_dir(const struct mesh_ca_opts *o, int *dfd)
{
	struct stat st;
	int fd;

	*dfd = -1;
	if (lstat(o->dir, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		mesh_err(NULL, "cannot use '%s':", o->dir);
		return -1;
	}
	if (S_ISLNK(st.st_mode) && stat(o->dir, &st) == -1) {
		if (errno == ENOENT)
			mesh_err(NULL, "'%s' is a symbolic link to nothing",
			    o->dir);
		else
			mesh_err(NULL, "cannot use '%s':", o->dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		mesh_err(NULL, "'%s' is not a directory", o->dir);
		return -1;
	}
	/* O_NONBLOCK: should a FIFO be put there meanwhile */
	if ((fd = open(o->dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		mesh_err(NULL, "cannot open directory '%s':", o->dir);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		mesh_err(NULL, "cannot use directory '%s':", o->dir);
		goto fail;
	}
	if (o->force)
		goto ok;
	if (st.st_uid != geteuid()) {
		mesh_err(o->dir, "directory is owned by uid %lu, not by you "
		    "(uid %lu); use --force to keep a CA there",
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
		goto fail;
	}
	if ((st.st_mode & S_IWOTH) != 0) {
		mesh_err(o->dir, "directory is writable by others; use "
		    "--force to keep a CA there");
		goto fail;
	}
	if ((st.st_mode & S_IWGRP) != 0) {
		mesh_err(o->dir, "directory is writable by its group; use "
		    "--force to keep a CA there");
		goto fail;
	}
	if (check_above(o->dir, o->dir, false) == -1)
		goto fail;
ok:
	*dfd = fd;
	return 1;
fail:
	close(fd);
	return -1;
}

/*
 * Open name in dfd (path in messages) to read it: a regular file, its
 * stat in *st.  With O_NOFOLLOW a link is refused, and with O_NONBLOCK a
 * FIFO put there meanwhile cannot hang us before fstat tells what it is.
 * The descriptor, or -1 reported.
 */
static int
open_file(int dfd, const char *name, const char *path, struct stat *st)
{
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			refuse_link(path);
		else
			mesh_err(NULL, "cannot open '%s':", path);
		return -1;
	}
	if (fstat(fd, st) == -1) {
		mesh_err(NULL, "cannot read '%s':", path);
		close(fd);
		return -1;
	}
	if (check_regular(path, st) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Append what fd holds to b, at most max bytes: more is an error, and no
 * more than max + 1 bytes are ever read, so a buffer with room for that
 * many is never reallocated (which would leave a secret in freed
 * memory).  0, or -1 reported with path; b then holds nothing new.
 */
static int
read_fd(int fd, const char *path, struct mesh_buf *b, size_t max)
{
	size_t start = b->len, want;
	ssize_t n;

	for (;;) {
		want = max + 1 - (b->len - start);
		if (want > 65536)
			want = 65536;
		n = read(fd, mesh_buf_grow(b, want), want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			mesh_err(NULL, "cannot read '%s':", path);
			goto fail;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len - start > max) {
			mesh_err(NULL, "'%s' is larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	b->data[b->len] = '\0';
	return 0;
fail:
	mesh_wipe(b->data + start, b->len - start);
	b->len = start;
	if (b->data != NULL)
		b->data[start] = '\0';
	return -1;
}

/*
 * Write len bytes at p as the new file name in dfd (path names it in
 * messages), mode bits exactly mode: into a temporary file beside it
 * first, then link(2)ed into place, so that the name never stands for a
 * half-written file and an existing file is never replaced; with
 * replace, rename(2)d over what is there.  The temporary file is gone
 * afterwards, in any case, but with staged: then it is left as it is,
 * nothing is put in place, and *staged is its path, for the caller to
 * rename or remove.
 */
static int
write_new(int dfd, const char *dir, const char *name, const char *path,
    const void *p, size_t len, mode_t mode, bool replace, char **staged)
{
	static unsigned seq;
	struct stat st;
	char *tmp = NULL, *tmppath = NULL;
	int fd = -1, tries, rv = -1;
	bool made = false;

	for (tries = 0; tries < 100; tries++) {
		free(tmp);
		tmp = xasprintf(".%s.%ld.%u.tmp", name, (long)getpid(), seq++);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	tmppath = join(dir, tmp);
	if (fd == -1) {
		mesh_err(NULL, "cannot create '%s':", tmppath);
		goto out;
	}
	made = true;
	if (mesh_write_all(fd, p, len) == -1 || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		mesh_err(NULL, "cannot write '%s':", tmppath);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		mesh_err(NULL, "cannot write '%s':", tmppath);
		goto out;
	}
	fd = -1;
	if (staged != NULL) {
		*staged = tmppath;
		tmppath = NULL;
		made = false;
		goto done;
	}
	/* rename(2) replaces the name itself: a link there is not followed */
	if (replace && renameat(dfd, tmp, dfd, name) == -1) {
		mesh_err(NULL, "cannot replace '%s':", path);
		goto out;
	}
	if (!replace && linkat(dfd, tmp, dfd, name, 0) == -1) {
		if (errno != EEXIST)
			mesh_err(NULL, "cannot create '%s':", path);
		else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			refuse_link(path);
		else
			mesh_err(NULL, "'%s' appeared meanwhile; it was not "
			    "overwritten", path);
		goto out;
	}
done:
	/* the new name on disk too, as far as the system allows */
	(void)fsync(dfd);
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	if (made)
		unlinkat(dfd, tmp, 0);
	free(tmppath);
	free(tmp);
	return rv;
}

/*
 * Read a public file of the CA (its certificate, chain or root) into b:
 * a regular file, the effective uid's and writable by no one else,
 * unless o->force: whoever could write it could plant a trust anchor.
 */
static int
read_public(const struct mesh_ca_opts *o, int dfd, const char *name,
    const char *path, struct mesh_buf *b)
{
	struct stat st;
	int fd, rv = -1;

	if ((fd = open_file(dfd, name, path, &st)) == -1)
		return -1;
	if (st.st_uid != geteuid() && !o->force) {
		mesh_err(path, "certificate is owned by uid %lu, not by "
		    "you (uid %lu); use --force to trust it",
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !o->force) {
		mesh_err(path, "certificate is writable by others (chmod "
		    "644 %s, or use --force to trust it)", path);
		goto out;
	}
	rv = read_fd(fd, path, b, CERT_MAX);
out:
	close(fd);
	return rv;
}

/* The CA's files: key, certificate, and an issued CA's chain and root. */
enum { F_KEY, F_CERT, F_CHAIN, F_ROOT, NFILES };

struct ca_files {
	const char *name[NFILES];	/* in the directory; NULL: none */
	char *path[NFILES];		/* for messages */
	size_t n;			/* 2, or 4 for an issued CA */
};

/*
 * Read an existing CA from the directory dfd: a regular file each, the
 * key ours and for our eyes only, the certificate ours unless o->force
 * and writable by nobody else; the key matches, the certificate is a
 * CA's.
 */
static int
read_ca(struct mesh_ca *ca, const struct mesh_ca_opts *o, int dfd,
    const struct ca_files *f)
{
	struct mesh_buf kb = MESH_BUF_INIT, cb = MESH_BUF_INIT;
	struct mesh_cert **v = NULL;
	const char *keypath = f->path[F_KEY], *certpath = f->path[F_CERT];
	struct stat st;
	size_t n = 0;
	int fd = -1, rv = -1;

	if ((fd = open_file(dfd, o->key_file, keypath, &st)) == -1)
		goto out;
	if (st.st_uid != geteuid()) {
		mesh_err(keypath, "private key is owned by uid %lu, not by you "
		    "(uid %lu)", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		mesh_err(keypath, "private key is %s by others (chmod 600 %s)",
		    (st.st_mode & 044) != 0 ? "readable" :
		    (st.st_mode & 022) != 0 ? "writable" : "executable",
		    keypath);
		goto out;
	}
	/* room for all read_fd may read, so that it never reallocs */
	mesh_buf_grow(&kb, KEY_MAX + 1);
	if (read_fd(fd, keypath, &kb, KEY_MAX) == -1)
		goto out;
	close(fd);
	fd = -1;
	ca->key = mesh_key_read(keypath, kb.data, kb.len);
	mesh_wipe_buf(&kb);
	if (ca->key == NULL)
		goto out;

	/* the trust anchor: no one else may have put it there */
	if (read_public(o, dfd, o->cert_file, certpath, &cb) == -1 ||
	    mesh_cert_read(certpath, cb.data, cb.len, &v, &n) == -1)
		goto out;
	if (n != 1) {
		mesh_err(certpath, "%zu certificates; a CA's file holds one",
		    n);
		goto out;
	}
	if (!mesh_cert_is_ca(v[0])) {
		mesh_err(certpath, "not a CA certificate");
		goto out;
	}
	if (!mesh_key_matches(ca->key, v[0])) {
		mesh_err(NULL, "'%s' is not the key of the certificate in '%s'",
		    keypath, certpath);
		goto out;
	}
	ca->cert = v[0];
	v[0] = NULL;
	ca->cert_pem = mesh_buf_detach(&cb, &ca->cert_len);
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	mesh_certs_free(v, n);
	mesh_buf_release(&cb);
	mesh_wipe_buf(&kb);
	return rv;
}

/*
 * The chain and root files of an issued CA read by read_ca: the root is
 * x->issuer's certificate, byte for byte, the certificate chains to it,
 * and the chain is the certificate, then the root.
 */
static int
read_issued(struct mesh_ca *ca, const struct mesh_ca_opts *o,
    const struct mesh_ca_issue *x, int dfd, const struct ca_files *f)
{
	const struct mesh_ca *is = x->issuer;
	struct mesh_buf chain = MESH_BUF_INIT, root = MESH_BUF_INIT;
	const char *why;
	int rv = -1;

	if (read_public(o, dfd, x->chain_file, f->path[F_CHAIN], &chain) ==
	    -1 || read_public(o, dfd, x->root_file, f->path[F_ROOT], &root) ==
	    -1)
		goto out;
	if (root.len != is->cert_len || memcmp(root.data, is->cert_pem,
	    root.len) != 0) {
		mesh_err(NULL, "'%s' is not the root in use: the CA in '%s' "
		    "was made under another root; make it again (--rotate)",
		    f->path[F_ROOT], o->dir);
		goto out;
	}
	if ((why = mesh_cert_verify(ca->cert, NULL, 0, is->cert)) != NULL) {
		mesh_err(NULL, "'%s' does not chain to the root: %s; make it "
		    "again (--rotate)", f->path[F_CERT], why);
		goto out;
	}
	if (chain.len != ca->cert_len + is->cert_len ||
	    memcmp(chain.data, ca->cert_pem, ca->cert_len) != 0 ||
	    memcmp(chain.data + ca->cert_len, is->cert_pem,
	    is->cert_len) != 0) {
		mesh_err(NULL, "'%s' is not '%s' followed by '%s'",
		    f->path[F_CHAIN], f->path[F_CERT], f->path[F_ROOT]);
		goto out;
	}
	ca->chain_pem = mesh_buf_detach(&chain, &ca->chain_len);
	rv = 0;
out:
	mesh_buf_release(&chain);
	mesh_buf_release(&root);
	return rv;
}

/* What a run made, in a journal. */
enum made_kind { MADE_DIR, MADE_FILE, MADE_STAGED };

struct mesh_ca_made {
	enum made_kind kind;
	char *path;	/* the directory, the file, or a new file's temporary */
	char *dest;	/* MADE_STAGED: the name it is renamed to */
};

/* Record path (and dest), which the journal now owns. */
static void
journal_add(struct mesh_ca_journal *j, enum made_kind kind, char *path,
    char *dest)
{
	j->v = xreallocarray(j->v, j->n + 1, sizeof(*j->v));
	j->v[j->n].kind = kind;
	j->v[j->n].path = path;
	j->v[j->n].dest = dest;
	j->n++;
}

/* Forget all the journal holds. */
static void
journal_forget(struct mesh_ca_journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->v[i].path);
		free(j->v[i].dest);
	}
	free(j->v);
	mesh_ca_journal_init(j);
}

void
mesh_ca_journal_init(struct mesh_ca_journal *j)
{
	j->v = NULL;
	j->n = 0;
}

int
mesh_ca_journal_keep(struct mesh_ca_journal *j)
{
	struct mesh_ca_made *m;
	size_t i;
	int rv = 0;

	for (i = 0; i < j->n; i++) {
		m = &j->v[i];
		if (m->kind != MADE_STAGED)
			continue;
		/* rename(2) replaces the name itself: a link is not followed */
		if (rv == 0 && rename(m->path, m->dest) == -1) {
			mesh_err(NULL, "cannot replace '%s':", m->dest);
			rv = -1;
		}
		if (rv == -1)
			(void)unlink(m->path);
	}
	journal_forget(j);
	return rv;
}

void
mesh_ca_journal_release(struct mesh_ca_journal *j)
{
	struct mesh_ca_made *m;
	size_t i;

	for (i = j->n; i > 0; i--) {
		m = &j->v[i - 1];
		if (m->kind == MADE_DIR) {
			/* something else put there meanwhile stays, and it */
			if (rmdir(m->path) == -1 && errno != ENOENT &&
			    errno != ENOTEMPTY && errno != EEXIST)
				mesh_warn(NULL, "cannot remove directory "
				    "'%s':", m->path);
		} else if (unlink(m->path) == -1 && errno != ENOENT) {
			mesh_warn(NULL, "cannot remove '%s':", m->path);
		}
	}
	journal_forget(j);
}

/*
 * Make a new CA (from x->key, or a new key), then its directory if *dfd
 * is -1 (after the key, so that a bad key size leaves nothing behind;
 * *dfd is then open on it), and write its key, then its certificate (and
 * an issued CA's chain and root).  On failure nothing it made is left:
 * neither files nor directories (but for files replaced with x->renew
 * and no journal).  With x->journal, what it made is recorded there
 * instead of kept, and x->renew writes the new files beside the old.
 */
static int
make_ca(struct mesh_ca *ca, const struct mesh_ca_opts *o,
    const struct mesh_ca_issue *x, int *dfd, const struct ca_files *f)
{
	static const mode_t modes[NFILES] = { 0600, 0644, 0644, 0644 };
	struct mesh_buf b[NFILES];
	const struct mesh_ca *is = x->issuer;
	char **made = NULL, *staged[NFILES] = { NULL };
	bool stage = x->renew && x->journal != NULL;
	size_t nmade = 0, i, written = 0;
	int r, rv = -1;

	for (i = 0; i < NFILES; i++)
		mesh_buf_init(&b[i]);
	b[F_KEY].secret = true;
	if (o->spec->profile == MESH_CERT_SERVER) {
		mesh_err(NULL, "a CA's certificate needs a CA profile");
		goto out;
	}
	if (x->key != NULL) {
		EVP_PKEY_up_ref(x->key->pkey);
		ca->key = key_wrap(x->key->pkey);
	} else if ((ca->key = mesh_key_new(o->type, o->bits)) == NULL) {
		goto out;
	}
	if ((ca->cert = mesh_cert_issue(o->spec, ca->key, is ? is->cert :
	    NULL, is ? is->key : NULL)) == NULL ||
	    mesh_key_pem(ca->key, &b[F_KEY]) == -1 ||
	    mesh_cert_pem(ca->cert, &b[F_CERT]) == -1)
		goto out;
	if (f->n == NFILES) {
		/* Istio's cert-chain.pem: ca-cert.pem, then root-cert.pem */
		mesh_buf_add(&b[F_CHAIN], b[F_CERT].data, b[F_CERT].len);
		mesh_buf_add(&b[F_CHAIN], is->cert_pem, is->cert_len);
		mesh_buf_add(&b[F_ROOT], is->cert_pem, is->cert_len);
	}
	/* someone may have made it meanwhile: the same checks again */
	if (*dfd == -1) {
		if (make_dirs(o->dir, o->force, &made, &nmade) == -1 ||
		    (r = open_dir(o, dfd)) == -1)
			goto out;
		if (r == 0) {
			errno = ENOENT;
			mesh_err(NULL, "cannot use directory '%s':", o->dir);
			goto out;
		}
	}
	for (written = 0; written < f->n; written++)
		if (write_new(*dfd, o->dir, f->name[written],
		    f->path[written], b[written].data, b[written].len,
		    modes[written], x->renew, stage ? &staged[written] :
		    NULL) == -1)
			goto out;
	ca->cert_pem = mesh_buf_detach(&b[F_CERT], &ca->cert_len);
	if (f->n == NFILES)
		ca->chain_pem = mesh_buf_detach(&b[F_CHAIN], &ca->chain_len);
	ca->created = true;
	rv = 0;
	if (x->journal != NULL) {
		/* outermost first, then the files in them */
		for (i = 0; i < nmade; i++)
			journal_add(x->journal, MADE_DIR, made[i], NULL);
		nmade = 0;
		for (i = 0; i < f->n; i++)
			if (stage)
				journal_add(x->journal, MADE_STAGED,
				    staged[i], xstrdup(f->path[i]));
			else
				journal_add(x->journal, MADE_FILE,
				    xstrdup(f->path[i]), NULL);
		written = 0;
	}
out:
	/* a key alone would make the next run fail: take it all back */
	if (rv == -1 && stage)
		while (written > 0) {
			(void)unlink(staged[--written]);
			free(staged[written]);
		}
	else if (rv == -1 && !x->renew)
		while (written > 0)
			unlinkat(*dfd, f->name[--written], 0);
	release_dirs(made, nmade, rv == -1);
	for (i = 0; i < NFILES; i++)
		if (i == F_KEY)
			mesh_wipe_buf(&b[i]);
		else
			mesh_buf_release(&b[i]);
	return rv;
}

int
mesh_ca_open(struct mesh_ca *ca, const struct mesh_ca_opts *o)
{
	static const struct mesh_ca_issue none;

	return mesh_ca_open_issue(ca, o, &none);
}

int
mesh_ca_open_issue(struct mesh_ca *ca, const struct mesh_ca_opts *o,
    const struct mesh_ca_issue *x)
{
	struct ca_files f;
	int dfd = -1, has_dir, has[NFILES] = { 0 }, rv = -1;
	size_t i, first_has = NFILES, first_missing = NFILES;

	memset(ca, 0, sizeof(*ca));
	memset(&f, 0, sizeof(f));
	f.name[F_KEY] = o->key_file;
	f.name[F_CERT] = o->cert_file;
	f.n = 2;
	if (x->issuer != NULL) {
		f.name[F_CHAIN] = x->chain_file;
		f.name[F_ROOT] = x->root_file;
		f.n = NFILES;
	}
	for (i = 0; i < f.n; i++)
		f.path[i] = join(o->dir, f.name[i]);
	if (*o->dir == '\0') {
		mesh_err(NULL, "no directory given for the CA");
		goto out;
	}
	if ((has_dir = open_dir(o, &dfd)) == -1)
		goto out;
	for (i = 0; has_dir && i < f.n; i++) {
		if ((has[i] = exists(dfd, f.name[i], f.path[i])) == -1)
			goto out;
		if (has[i] && first_has == NFILES)
			first_has = i;
		if (!has[i] && first_missing == NFILES)
			first_missing = i;
	}
	if (x->renew || first_has == NFILES) {
		rv = make_ca(ca, o, x, &dfd, &f);
		goto out;
	}
	if (has[F_KEY] && !has[F_CERT]) {
		/* the key is written first: a run that died in between */
		mesh_err(NULL, "'%s' exists but '%s' does not; nothing was "
		    "written now; a key that never had its certificate signed "
		    "nothing, so remove '%s' (unless '%s' was lost: restore "
		    "that instead)", f.path[F_KEY], f.path[F_CERT],
		    f.path[F_KEY], f.path[F_CERT]);
		goto out;
	}
	if (first_missing != NFILES) {
		mesh_err(NULL, "'%s' exists but '%s' does not; nothing was "
		    "written", f.path[first_has], f.path[first_missing]);
		goto out;
	}
	rv = read_ca(ca, o, dfd, &f);
	if (rv == 0 && x->issuer != NULL)
		rv = read_issued(ca, o, x, dfd, &f);
out:
	if (rv == -1)
		mesh_ca_release(ca);
	if (dfd != -1)
		close(dfd);
	for (i = 0; i < f.n; i++)
		free(f.path[i]);
	return rv;
}

void
mesh_ca_release(struct mesh_ca *ca)
{
	mesh_key_free(ca->key);
	mesh_cert_free(ca->cert);
	free(ca->cert_pem);
	free(ca->chain_pem);
	memset(ca, 0, sizeof(*ca));
}
