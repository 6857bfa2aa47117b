/*
 * Unit tests of common/buf.c: base64 both ways (RFC 4648's vectors and
 * what is not base64), and secret buffers keeping their bytes as they
 * grow, shrink and are handed over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unit.h"

static void
b64_round(const char *plain, const char *encoded)
{
	struct mesh_buf b = MESH_BUF_INIT;

	mesh_base64_encode(&b, plain, strlen(plain));
	CHECK_STR(b.data ? b.data : "", encoded);
	mesh_buf_release(&b);
	CHECK(mesh_base64_decode(&b, encoded, strlen(encoded)) == 0);
	CHECK(b.len == strlen(plain));
	CHECK_STR(b.data ? b.data : "", plain);
	mesh_buf_release(&b);
}

static int
b64_bad(const char *s)
{
	struct mesh_buf b = MESH_BUF_INIT;
	int rv = mesh_base64_decode(&b, s, strlen(s));

	mesh_buf_release(&b);
	return rv;
}

int
main(void)
{
	struct mesh_buf b = MESH_BUF_SECRET;
	char *p;
	size_t len, i;

	/* RFC 4648, section 10 */
	b64_round("", "");
	b64_round("f", "Zg==");
	b64_round("fo", "Zm8=");
	b64_round("foo", "Zm9v");
	b64_round("foob", "Zm9vYg==");
	b64_round("fooba", "Zm9vYmE=");
	b64_round("foobar", "Zm9vYmFy");
	/* line breaks are skipped, as in PEM-ish data */
	CHECK(mesh_base64_decode(&b, "Zm9v\nYmFy\r\n", 11) == 0);
	CHECK_STR(b.data, "foobar");
	mesh_buf_release(&b);
	CHECK(b.secret);
	CHECK(b64_bad("Zm9") == -1);		/* not a multiple of 4 */
	CHECK(b64_bad("Zm=v") == -1);		/* padding inside */
	CHECK(b64_bad("Z===") == -1);		/* too much padding */
	CHECK(b64_bad("Zm9v!") == -1);
	CHECK(b64_bad("Zm-_") == -1);		/* base64url is not base64 */

	/* a secret buffer keeps its bytes across moves */
	for (i = 0; i < 5000; i++)
		mesh_buf_addc(&b, (char)('a' + i % 26));
	CHECK(b.len == 5000 && b.cap > 5000);
	CHECK(b.data[0] == 'a' && b.data[4999] == (char)('a' + 4999 % 26));
	CHECK(b.data[5000] == '\0');
	mesh_buf_consume(&b, 4990);
	CHECK(b.len == 10 && b.data[0] == (char)('a' + 4990 % 26));
	CHECK(b.data[10] == '\0' && b.data[11] == '\0');
	p = mesh_buf_detach(&b, &len);
	CHECK(len == 10 && strlen(p) == 10);
	CHECK(b.secret && b.data == NULL);
	free(p);
	return UNIT_DONE();
}
