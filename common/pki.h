/*
 * OpenSSL helpers: the one place outside the TLS setup in kube.c that
 * includes OpenSSL.  For now, wiping secrets; keys, certificates and PEM
 * come with mesh-secret.
 */
#ifndef MESH_PKI_H
#define MESH_PKI_H

#include <stddef.h>

struct mesh_buf;

/* Overwrite n bytes at p so the compiler cannot skip it; NULL is fine. */
void mesh_wipe(void *p, size_t n);
/* Overwrite all a buffer ever held, then release it. */
void mesh_wipe_buf(struct mesh_buf *b);

#endif
