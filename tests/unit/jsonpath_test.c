/*
 * Unit tests of common/jsonpath.c: kubectl's JSONPath templates, with
 * the examples of kubectl's own reference page and the ways mesh-wait
 * uses them (--for jsonpath=, -o jsonpath=).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonpath.h"
#include "node.h"
#include "stream.h"
#include "unit.h"

static struct mesh_limits lim;
static struct mesh_doc *doc;

/* The kubectl reference page's example, as JSON. */
static const char input[] =
    "{\"kind\": \"List\", \"items\": ["
    "{\"kind\": \"None\", \"metadata\": {\"name\": \"127.0.0.1\", "
    "\"labels\": {\"kubernetes.io/hostname\": \"127.0.0.1\"}}, "
    "\"status\": {\"capacity\": {\"cpu\": \"4\"}, \"ready\": true, "
    "\"addresses\": [{\"type\": \"LegacyHostIP\", \"address\": "
    "\"127.0.0.1\"}]}},"
    "{\"kind\": \"None\", \"metadata\": {\"name\": \"127.0.0.2\"}, "
    "\"status\": {\"capacity\": {\"cpu\": \"8\"}, \"ready\": false, "
    "\"replicas\": 3, \"ratio\": 1.5, \"addresses\": ["
    "{\"type\": \"LegacyHostIP\", \"address\": \"127.0.0.2\"}, "
    "{\"type\": \"another\", \"address\": \"127.0.0.3\"}]}}],"
    "\"users\": [{\"name\": \"myself\", \"user\": {}}, "
    "{\"name\": \"e2e\", \"user\": {\"username\": \"admin\", "
    "\"password\": \"secret\"}}]}";

/* The template applied to the input: its text, or "ERR why". */
static const char *
run(const char *tmpl, bool allow_missing)
{
	static char out[2048];
	struct mesh_jsonpath *jp;
	struct mesh_buf b = MESH_BUF_INIT;
	char err[256];

	if ((jp = mesh_jsonpath_parse(tmpl, err, sizeof(err))) == NULL) {
		snprintf(out, sizeof(out), "ERR %s", err);
		return out;
	}
	if (mesh_jsonpath_exec(jp, doc->root, allow_missing, &b, err,
	    sizeof(err)) == -1)
		snprintf(out, sizeof(out), "ERR %s", err);
	else
		snprintf(out, sizeof(out), "%s", b.data);
	mesh_buf_release(&b);
	mesh_jsonpath_free(jp);
	return out;
}

static size_t
found(const char *tmpl)
{
	struct mesh_jsonpath *jp = mesh_jsonpath_parse(tmpl, NULL, 0);
	const struct mesh_node **res = NULL;
	size_t n = 0;
	char err[256];

	if (jp == NULL || mesh_jsonpath_find(jp, doc->root, &res, &n, err,
	    sizeof(err)) == -1)
		n = (size_t)-1;
	free(res);
	mesh_jsonpath_free(jp);
	return n;
}

int
main(void)
{
	mesh_limits_init(&lim);
	doc = mesh_parse_string("input", input, &lim, false);
	CHECK(doc != NULL);

	/* the reference page's table */
	CHECK_STR(run("{.kind}", false), "List");
	CHECK_STR(run("{['kind']}", false), "List");
	CHECK_STR(run("{$.kind}", false), "List");
	CHECK_STR(run("{.items[*].metadata.name}", false),
	    "127.0.0.1 127.0.0.2");
	CHECK_STR(run("{..name}", false), "127.0.0.1 127.0.0.2 myself e2e");
	CHECK_STR(run("{.users[0].name}", false), "myself");
	CHECK_STR(run("{.users[-1].name}", false), "e2e");
	CHECK_STR(run("{.users[0:1].name}", false), "myself");
	CHECK_STR(run("{.users[*]['name','user']}", false),
	    "myself {} e2e {\"password\":\"secret\",\"username\":\"admin\"}");
	CHECK_STR(run("{.users[?(@.name==\"e2e\")].user.password}", false),
	    "secret");
	CHECK_STR(run("{.items[0].metadata.labels.kubernetes\\.io/hostname}",
	    false), "127.0.0.1");
	CHECK_STR(run("{range .items[*]}[{.metadata.name}, "
	    "{.status.capacity}] {end}", false),
	    "[127.0.0.1, {\"cpu\":\"4\"}] [127.0.0.2, {\"cpu\":\"8\"}] ");
	CHECK_STR(run("{range .users[*]}{.name}{\"\\n\"}{end}", false),
	    "myself\ne2e\n");
	CHECK_STR(run("name: {.items[1].metadata.name}!", false),
	    "name: 127.0.0.2!");

	/* scalars as Go prints them */
	CHECK_STR(run("{.items[0].status.ready}", false), "true");
	CHECK_STR(run("{.items[1].status.replicas}", false), "3");
	CHECK_STR(run("{.items[1].status.ratio}", false), "1.5");
	CHECK_STR(run("{.items[1].status.addresses[1]}", false),
	    "{\"address\":\"127.0.0.3\",\"type\":\"another\"}");

	/* filters: comparisons, existence, numbers */
	CHECK_STR(run("{.items[*].status.addresses[?(@.type=='another')]"
	    ".address}", false), "127.0.0.3");
	CHECK_STR(run("{.items[?(@.status.replicas > 2)].metadata.name}",
	    false), "127.0.0.2");
	CHECK_STR(run("{.items[?(@.status.replicas)].metadata.name}", false),
	    "127.0.0.2");
	CHECK_STR(run("{.items[?(@.status.ready != true)].metadata.name}",
	    false), "127.0.0.2");
	CHECK_STR(run("{.items[?(@.metadata.name == $.items[0].metadata"
	    ".name)].status.capacity.cpu}", false), "4");

	/* relaxed forms, as --for jsonpath= takes them */
	CHECK_STR(run("kind", false), "List");
	CHECK_STR(run(".items[0].metadata.name", false), "127.0.0.1");

	/* slices and unions of indexes */
	CHECK_STR(run("{.items[1].status.addresses[::-1].type}", false),
	    "another LegacyHostIP");
	CHECK_STR(run("{.users[1,0].name}", false), "e2e myself");
	CHECK_STR(run("{.users[5:].name}", false), "");

	/* missing fields and bad indexes */
	CHECK_STR(run("{.status}", false), "ERR status is not found");
	CHECK_STR(run("{.status}", true), "");
	CHECK_STR(run("{.users[7].name}", false),
	    "ERR array index out of bounds: index 7, length 2");
	CHECK_STR(run("{.users[7].name}", true), "");

	/* templates that cannot be parsed */
	CHECK_STR(run("{.kind", false), "ERR unclosed action");
	CHECK_STR(run("{range .items[*]}{.kind}", false),
	    "ERR range without end");
	CHECK_STR(run("{end}", false), "ERR end without range");
	CHECK_STR(run("{.users[?(@.name==\"e2e\"]}", false),
	    "ERR unclosed filter");
	CHECK_STR(run("{.users['name}", false),
	    "ERR unterminated quoted string");

	/* find: the nodes of one path */
	CHECK(found("{.items[*].metadata.name}") == 2);
	CHECK(found("{.nothing.here}") == 0);
	CHECK(found("{.kind}{.kind}") == (size_t)-1);
	CHECK(found("status.replicas") == 0);

	mesh_doc_free(doc);
	return UNIT_DONE();
}
