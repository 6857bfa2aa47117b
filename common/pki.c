/*
 * OpenSSL helpers.
 */
#include <openssl/crypto.h>

#include "pki.h"

void
mesh_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}
