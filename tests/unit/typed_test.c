/*
 * Unit tests of typed.c: a typed document is read by the stream reader
 * from its bytes (encodings, NULs, JSON's surrogate pairs, keys given
 * twice), and libcyaml's refusals are said in our words at the place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cyaml/cyaml.h>

#include "typed.h"
#include "unit.h"

struct rec {
	char *name;
};

static const cyaml_schema_field_t rec_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct rec, name,
	    0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t rec_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct rec, rec_fields),
};

static char errtext[4096];

/* Load len bytes; the name read, or NULL with the message in errtext. */
static char *
load(const char *data, size_t len)
{
	static char name[256];
	struct rec *r = NULL;
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;
	int rv;

	if (f == NULL || saved == -1)
		abort();
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	rv = mesh_typed_load("t.yaml", data, len, &rec_schema, NULL,
	    (void **)&r);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(errtext, 1, sizeof(errtext) - 1, f);
	errtext[n] = '\0';
	fclose(f);
	if (rv == -1)
		return NULL;
	snprintf(name, sizeof(name), "%s", r->name);
	mesh_typed_free(&rec_schema, r);
	return name;
}

#define LOAD(lit) load(lit, sizeof(lit) - 1)

int
main(void)
{
	/* JSON's surrogate pairs, as the stream reader reads them */
	CHECK_STR(LOAD("{\"name\": \"\\ud83d\\ude00\"}"), "\xf0\x9f\x98\x80");
	CHECK_STR(LOAD("{\"name\": \"a\\ud83d\\ude00b\\u00e9\"}"),
	    "a\xf0\x9f\x98\x80" "b\xc3\xa9");
	CHECK(LOAD("{\"name\": \"\\ud83d\"}") == NULL);
	CHECK(strstr(errtext, "t.yaml:1:11: lone UTF-16 surrogate") != NULL);

	/* UTF-16 either way, with its BOM */
	CHECK_STR(LOAD("\xff\xfen\0a\0m\0e\0:\0 \0x\0\n\0"), "x");
	CHECK_STR(LOAD("\xfe\xff\0n\0a\0m\0e\0:\0 \0x\0\n"), "x");

	/* a NUL where it is, not where strlen() stops */
	CHECK(LOAD("name: ab\0c\n") == NULL);
	CHECK(strstr(errtext, "t.yaml:1:9: NUL byte in input") != NULL);

	/* keys: twice, with both places; merge keys; unknown keys */
	CHECK(LOAD("name: a\nname: b\n") == NULL);
	CHECK(strstr(errtext, "t.yaml:2:1: key 'name' is given twice in one "
	    "mapping (first at 1:1)") != NULL);
	CHECK(LOAD("<<: {name: a}\n") == NULL);
	CHECK(strstr(errtext, "t.yaml:1:1: merge keys ('<<') are not "
	    "supported") != NULL);
	CHECK(LOAD("name: a\nnmae: b\n") == NULL);
	CHECK(strstr(errtext, "t.yaml:2:1: unknown key 'nmae'") != NULL);

	/* aliases are expanded as in every stream */
	CHECK_STR(LOAD("name: &x ok\n"), "ok");

	CHECK(LOAD("") == NULL);
	CHECK(strstr(errtext, "t.yaml: the document is empty") != NULL);
	return UNIT_DONE();
}
