/*
 * OpenSSL helpers.
 */
#include <openssl/crypto.h>

#include "buf.h"
#include "pki.h"

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
