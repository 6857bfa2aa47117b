/*
 * Typed documents with libcyaml: a kubeconfig or a mesh description read
 * into a C struct by a schema, with errors that name the exact line and
 * column of the offending key or value, in our own words.
 */
#ifndef MESH_TYPED_H
#define MESH_TYPED_H

#include <stddef.h>

#include <cyaml/cyaml.h>

struct mesh_doc;

/*
 * Load the one document in data (len bytes, from src) into *out by
 * schema (a pointer value schema).  Syntax errors and schema errors are
 * reported as "src:line:col: path: problem"; returns 0, or -1 after the
 * report with *out NULL.  When the document holds secrets, wipe (such as
 * pki.h's mesh_wipe) overwrites every copy made of it before it is
 * freed; NULL otherwise, so that OpenSSL is not loaded for nothing.
 */
int mesh_typed_load(const char *src, const char *data, size_t len,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out);

/*
 * The same, and on success the tree our reader made of data is given to
 * the caller in *tree (for positions; the caller frees it, wiping it when
 * it holds secrets), so that the bytes are read once, by one reader.
 */
int mesh_typed_load_tree(const char *src, const char *data, size_t len,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out, struct mesh_doc **tree);

/*
 * The same from a tree our reader already made of the document (its root
 * not NULL), which stays the caller's: errors are placed in it.
 */
int mesh_typed_load_doc(const char *src, const struct mesh_doc *doc,
    const cyaml_schema_value_t *schema, void (*wipe)(void *, size_t),
    void **out);

/* Free what mesh_typed_load made; NULL is fine. */
void mesh_typed_free(const cyaml_schema_value_t *schema, void *data);

#endif
