/*
 * Keys, certificates and certificate authorities kept on disk: the one
 * place outside the TLS setup in kube.c that includes OpenSSL.
 *
 * Certificates follow Istio's plug-in CA Makefile (tools/certs) as run
 * with OpenSSL 3: X.509 v3, 20 random bytes of serial, SHA-256
 * signatures (SHA-384 by a P-384 key), a Subject Key Identifier, and an
 * Authority Key Identifier on all but a self-signed certificate.  Every
 * function reports its own failure ("prog: what: why", OpenSSL's reason
 * included) and returns NULL or -1.  Private keys are cleansed when
 * freed and never printed; PEM text of a key goes only into buffers the
 * caller releases with mesh_wipe_buf.
 */
#ifndef MESH_PKI_H
#define MESH_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mesh_buf;

/* Overwrite n bytes at p so the compiler cannot skip it; NULL is fine. */
void mesh_wipe(void *p, size_t n);
/* Overwrite all a buffer ever held, then release it. */
void mesh_wipe_buf(struct mesh_buf *b);

enum mesh_key_type {
	MESH_KEY_RSA,		/* bits: 2048 to 8192, a multiple of 8 */
	MESH_KEY_ECDSA		/* bits: 256 (P-256) or 384 (P-384) */
};

struct mesh_key;		/* a private key */
struct mesh_cert;		/* one X.509 certificate */

/*
 * Set OpenSSL's shared state up once, before keys are made on several
 * threads (mesh_key_new is then safe to call from each).
 */
void mesh_pki_init(void);
/* A new key.  bits 0 means the default: RSA 4096, ECDSA P-256. */
struct mesh_key *mesh_key_new(enum mesh_key_type type, int bits);
/*
 * The first private key in PEM text (PKCS#8, PKCS#1 or SEC1,
 * unencrypted); src names the text in messages.
 */
struct mesh_key *mesh_key_read(const char *src, const void *pem,
    size_t len);
/* Append the key as PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
int mesh_key_pem(const struct mesh_key *k, struct mesh_buf *out);
/* "RSA 4096", "ECDSA P-256": into buf, which is returned. */
const char *mesh_key_describe(const struct mesh_key *k, char *buf,
    size_t len);
void mesh_key_free(struct mesh_key *k);

enum mesh_cert_profile {
	/*
	 * Istio's root: CA:TRUE (critical, no path length), key usage
	 * (critical) digitalSignature, nonRepudiation, keyEncipherment,
	 * keyCertSign; no extended key usage, no SAN.
	 */
	MESH_CERT_ROOT,
	/*
	 * Istio's intermediate: the same with pathlen:0, the SANs, and an
	 * Authority Key Identifier (the issuer's key identifier).
	 */
	MESH_CERT_INTERMEDIATE,
	/*
	 * A TLS server: CA:FALSE (critical), key usage (critical)
	 * digitalSignature, keyEncipherment; extended key usage
	 * serverAuth; the SANs; an Authority Key Identifier.
	 */
	MESH_CERT_SERVER
};

struct mesh_cert_spec {
	enum mesh_cert_profile profile;
	/* Subject, in this order: O, CN, L (Istio's order); NULL: left out. */
	const char *org, *cn, *locality;
	/*
	 * Subject alternative names, NULL-terminated (or NULL): each one an
	 * IP address (v4 or v6) if it reads as one, else a DNS name.
	 */
	const char *const *san;
	long days;		/* valid from now for this many days, > 0 */
};

/*
 * Issue a certificate for key's public half, signed by issuer_key as
 * issuer (whose subject becomes the issuer name); issuer and issuer_key
 * NULL: self-signed by key.
 */
struct mesh_cert *mesh_cert_issue(const struct mesh_cert_spec *spec,
    const struct mesh_key *key, const struct mesh_cert *issuer,
    const struct mesh_key *issuer_key);
/* Append the certificate as PEM ("BEGIN CERTIFICATE"). */
int mesh_cert_pem(const struct mesh_cert *c, struct mesh_buf *out);
/*
 * Every certificate in PEM text, in order, into a malloc'd array *out of
 * *n.  No certificate at all, or text that is not PEM certificates
 * (other PEM blocks or stray text between them), is an error naming src.
 */
int mesh_cert_read(const char *src, const void *pem, size_t len,
    struct mesh_cert ***out, size_t *n);
void mesh_cert_free(struct mesh_cert *c);
/* Free n certificates and the array; NULL is fine. */
void mesh_certs_free(struct mesh_cert **v, size_t n);

/* The subject as OpenSSL prints it on one line: "O = Istio, CN = Root CA". */
char *mesh_cert_subject(const struct mesh_cert *c);
/* Basic constraints say CA:TRUE (and key usage, if any, keyCertSign). */
bool mesh_cert_is_ca(const struct mesh_cert *c);
/* The same DER bytes. */
bool mesh_cert_equal(const struct mesh_cert *a, const struct mesh_cert *b);
/*
 * The SHA-256 of the DER bytes as `openssl x509 -noout -fingerprint
 * -sha256` prints it after the '=': 32 bytes in upper-case hex, a colon
 * between bytes ("40:1A:...:A1", 95 characters).  Malloc'd; the caller
 * frees it.
 */
char *mesh_cert_fingerprint(const struct mesh_cert *c);
/* Is k the private half of c's public key? */
bool mesh_key_matches(const struct mesh_key *k, const struct mesh_cert *c);
/* notAfter as seconds since the epoch. */
time_t mesh_cert_not_after(const struct mesh_cert *c);

/*
 * Does c chain up to root, the only trust anchor, through untrusted
 * certificates (n of them, or none), at the current time?  NULL when it
 * does, else OpenSSL's static reason ("certificate has expired", "unable
 * to get local issuer certificate").  Reports nothing.
 */
const char *mesh_cert_verify(const struct mesh_cert *c,
    struct mesh_cert *const *untrusted, size_t n,
    const struct mesh_cert *root);

/*
 * A certificate authority kept in a directory: its key in DIR/KEYFILE
 * (mode 0600) and its certificate in DIR/CERTFILE (0644); for a CA
 * issued by another (an intermediate), also its chain and the issuer's
 * certificate, as Istio's plug-in CA Makefile keeps them.
 */
struct mesh_ca {
	struct mesh_key *key;
	struct mesh_cert *cert;
	char *cert_pem;		/* the certificate file's bytes */
	size_t cert_len;
	char *chain_pem;	/* an issued CA's chain file's bytes, or NULL */
	size_t chain_len;
	bool created;		/* made by this mesh_ca_open */
};

/*
 * What the calls of one run made on disk, to be kept or taken back as a
 * whole: files and directories made, and for a CA renewed, its new files
 * written beside the old ones under temporary names, to be renamed into
 * place only when the run is kept.
 */
struct mesh_ca_journal {
	struct mesh_ca_made *v;	/* in the order they were made */
	size_t n;
};


struct mesh_ca_opts {
	const char *dir;
	const char *key_file, *cert_file;	/* names inside dir */
	const struct mesh_cert_spec *spec;	/* for a new CA's cert */
	enum mesh_key_type type;		/* for a new CA's key */
	int bits;
	/*
	 * Accept a directory that is not ours or that group or others may
	 * write into, or one below such a directory, and a certificate
	 * file likewise.
	 */
	bool force;
};

/* What makes a CA an issued one, and how a new one is made. */
struct mesh_ca_issue {
	/* Who signs a new CA's certificate; NULL: it signs itself. */
	const struct mesh_ca *issuer;
	/*
	 * With issuer: the chain (the certificate, then the issuer's) and
	 * the issuer's certificate, names inside the directory.
	 */
	const char *chain_file, *root_file;
	/* A new CA's key, made beforehand (borrowed); NULL: made here. */
	const struct mesh_key *key;
	/* Make a new CA even where there is one, replacing its files. */
	bool renew;
	/*
	 * Record what is made in it (a renewed CA's old files then stay as
	 * they are until mesh_ca_journal_keep); NULL: keep it at once.
	 */
	struct mesh_ca_journal *journal;
};

/*
 * Open the CA in o->dir, or make one there, as mesh_ca_open_issue with
 * nothing in x.
 */
int mesh_ca_open(struct mesh_ca *ca, const struct mesh_ca_opts *o);

/*
 * Open the CA in o->dir, or make one there.  All its files present: read
 * them, and fail unless the key matches the certificate and it is a CA;
 * an issued CA's root file must hold x->issuer's certificate byte for
 * byte, its certificate chain to it, and its chain file be the two.
 * None present (or x->renew): create dir (0700 whatever the umask,
 * parents too) if missing, make a key (or take x->key) and a certificate
 * from o->spec, signed by x->issuer or self-signed, and write the key
 * (0600) and then the others, each through a temporary file and
 * link(2), so an existing file is never overwritten (x->renew: rename(2)
 * over it, or with x->journal written beside it, to be renamed by
 * mesh_ca_journal_keep) and no half-written file is ever seen under its
 * name; on failure nothing made is left behind, files or directories,
 * and with x->journal what is made is recorded there.  Only some
 * present: an error naming a missing one (for a key alone: that it may
 * be removed).
 *
 * Whoever owns the directory or may write into it could swap the files,
 * so, unless o->force, it must be owned by the effective uid and not
 * writable by group or others; a symbolic link to such a directory is
 * fine, and the rules apply to its target.  Every directory above it
 * (above its target), and above a directory to be made, must be owned
 * by the effective uid or root and writable by no one else unless it is
 * sticky, unless o->force.  The directory is opened once
 * and the files are looked up and made through that descriptor.  The
 * files must be regular files (a symbolic link, even a dangling one, is
 * refused, never followed; a FIFO is never waited on), checked on the
 * descriptor they are read from.  The key must be the effective uid's
 * and private to it ("chmod 600 FILE"), always; the certificates, trust
 * anchors, must be the effective uid's and not writable by group or
 * others, unless o->force.
 * Release ca in both cases.
 */
int mesh_ca_open_issue(struct mesh_ca *ca, const struct mesh_ca_opts *o,
    const struct mesh_ca_issue *x);
void mesh_ca_release(struct mesh_ca *ca);

void mesh_ca_journal_init(struct mesh_ca_journal *j);
/*
 * Keep what the run made: rename each renewed CA's new files over the
 * old ones, in the order they were made, and forget it all.  0, or -1
 * reported naming a file that could not be renamed (the new files
 * before it are in place, those after it are removed).  With no CA
 * renewed it cannot fail.
 */
int mesh_ca_journal_keep(struct mesh_ca_journal *j);
/*
 * Take back whatever the run made and did not keep, newest first: its
 * files removed, its directories too (innermost first, each only if
 * empty), a renewed CA's new files removed and its old ones left as they
 * were.  Nothing that was there before is touched.  What cannot be
 * removed is a warning.
 */
void mesh_ca_journal_release(struct mesh_ca_journal *j);

#endif
