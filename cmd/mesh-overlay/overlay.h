/*
 * mesh-overlay's parts: the edits of the command line (main.c), an
 * IstioOperator's structured k8s settings (settings.c) and the KRM
 * function (krm.c), over these types.
 */
#ifndef MESH_OVERLAY_H
#define MESH_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "node.h"
#include "path.h"
#include "stream.h"

enum op_kind { OP_SET, OP_SET_STRING, OP_SET_JSON, OP_DELETE, OP_MERGE,
	OP_ENV };

struct op {
	enum op_kind kind;
	const char *flag;	/* as the user wrote it, for messages */
	const char *arg;
	struct mesh_path path;
	char *value;		/* OP_SET, OP_SET_STRING */
	enum mesh_type type;	/* OP_SET: the value's type */
	char *typed;		/* OP_SET: the value's text as typed */
	bool iop_string;	/* OP_SET: a string on an IstioOperator */
	struct mesh_doc *json;	/* OP_SET_JSON */
	struct mesh_doc **docs;	/* OP_MERGE */
	size_t ndocs;
};

struct patch {
	struct mesh_path path;
	const struct mesh_node *value;	/* NULL: delete */
	const struct mesh_node *at;	/* the patch, for messages */
};

struct k8s_overlay {
	const char *kind, *name;
	const struct mesh_node *at;
	struct patch *patches;
	size_t npatches;
	size_t matched;
};

/* What an IstioOperator's structured k8s settings patch, and where. */
enum k8s_target { K_WORKLOAD, K_CONTAINER, K_HPA, K_PDB, K_SERVICE };

struct k8s_field {
	const char *name;
	enum k8s_target target;
	const char *path;	/* from the object's root, or the container's */
};

/* One k8s setting of one component: a strategic merge patch. */
struct k8s_setting {
	const struct k8s_field *f;
	const char *kind, *name, *container;
	const struct mesh_node *value, *at;	/* at: its key */
	bool gateway;
	size_t matched;
};

struct select_term {
	char *key, *value;
};

struct opts {
	struct op *ops;
	size_t nops;
	struct select_term *sel;
	size_t nsel;
	const char *select_text;
	size_t selected;
	const char *overlays_file;
	struct mesh_doc **iop_docs;	/* --k8s-overlays: owns the nodes */
	size_t niop_docs;
	struct k8s_overlay *ovl;
	size_t novl;
	struct k8s_setting *set;
	size_t nset;
	enum mesh_format fmt;
	bool stream, resource_list;
	struct mesh_limits lim;
	char **owned;		/* option values taken from functionConfig */
	size_t nowned;
};

/* getopt codes of the long options without a short one */
enum { OPT_DELETE = 256, OPT_K8S_OVERLAYS, OPT_MAX_DEPTH, OPT_MAX_DOC,
	OPT_MAX_INPUT, OPT_RESOURCE_LIST, OPT_SELECT, OPT_SET_JSON,
	OPT_SET_STRING, OPT_STREAM };

/* main.c */
int edit_option(struct opts *o, int ch, char *arg);
void report(const struct mesh_doc *doc, const struct mesh_node *root,
    const struct mesh_node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int load_files(struct opts *o);
int all_found(const struct opts *o);
int edit(struct opts *o, struct mesh_doc *doc, struct mesh_node **rootp,
    bool *changed);

/* settings.c */
const char *settings_kind(const struct k8s_setting *st);
int load_settings(struct opts *o, const char *path,
    const struct mesh_node *spec, const char *cname,
    const struct mesh_node *one);
int apply_setting(struct opts *o, struct mesh_doc *doc,
    struct mesh_node *root, const struct k8s_setting *st);

/* krm.c */
int run_krm(struct opts *o, const char *path);

#endif
