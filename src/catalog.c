/* catalog.c — loads and queries rules/catalog.yaml. */
#include "catalog.h"

#include "rwtime.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void rw_str_list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int rw_ystr_list(const rw_ydoc_t *doc, const rw_ynode_t *n, const char *what, char ***out,
                 size_t *count, rw_diags_t *d)
{
    *out = NULL;
    *count = 0;
    if (!n || n->kind == RW_Y_NULL) return 0;
    if (n->kind == RW_Y_STR) { /* a single string stands for a list of one */
        *out = rw_xmalloc(sizeof **out);
        (*out)[(*count)++] = rw_xstrdup(n->str);
        return 0;
    }
    if (n->kind != RW_Y_SEQ) {
        rw_ydiag(d, doc, n, RW_DIAG_ERROR, "%s 应该是字符串列表", what);
        return -1;
    }
    *out = rw_xmalloc(n->n * sizeof **out);
    for (size_t i = 0; i < n->n; i++) {
        const rw_ynode_t *it = n->items[i];
        if (it->kind == RW_Y_SEQ || it->kind == RW_Y_MAP) {
            rw_ydiag(d, doc, it, RW_DIAG_ERROR, "%s 的每一项都应该是字符串", what);
            rw_str_list_free(*out, *count);
            *out = NULL;
            *count = 0;
            return -1;
        }
        (*out)[(*count)++] = rw_xstrdup(it->str);
    }
    return 0;
}

static int load_types(rw_catalog_t *cat, const rw_ydoc_t *doc, const rw_ynode_t *types,
                      rw_diags_t *d)
{
    if (!types || types->kind != RW_Y_MAP) {
        rw_ydiag(d, doc, types ? types : doc->root, RW_DIAG_ERROR,
                 "catalog 需要 types 映射（事件类型 → {title, attrs}）");
        return -1;
    }
    int rc = 0;
    cat->types = rw_xcalloc(types->n, sizeof *cat->types);
    for (size_t i = 0; i < types->n; i++) {
        const char *name = types->keys[i]->str;
        const rw_ynode_t *def = types->items[i];
        size_t len = strlen(name);
        int ok = len >= 1 && len <= 64 && name[0] >= 'a' && name[0] <= 'z';
        for (size_t k = 1; ok && k < len; k++)
            ok = (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
                 name[k] == '_';
        if (!ok) {
            rw_ydiag(d, doc, types->keys[i], RW_DIAG_ERROR,
                     "事件类型名 \"%s\" 必须匹配 [a-z][a-z0-9_]{0,63}", name);
            rc = -1;
            continue;
        }
        rw_type_t *t = &cat->types[cat->n_types++];
        t->name = rw_xstrdup(name);
        t->name_len = strlen(name);
        if (def->kind != RW_Y_MAP) {
            rw_ydiag(d, doc, def, RW_DIAG_ERROR, "事件类型 %s 应该是 {title, attrs} 映射", name);
            rc = -1;
            continue;
        }
        static const char *const keys[] = {"title", "attrs", "description", NULL};
        rw_ycheck_keys(doc, def, keys, d);
        const char *title = rw_yget_str(doc, def, "title", 1, d);
        t->title = rw_xstrdup(title ? title : name);
        if (!title) rc = -1;
        const rw_ynode_t *attrs = rw_ymap_get(def, "attrs");
        if (attrs && attrs->kind == RW_Y_MAP) {
            t->attr_names = rw_xmalloc(attrs->n * sizeof(char *));
            t->attr_kinds = rw_xmalloc(attrs->n * sizeof(char *));
            for (size_t k = 0; k < attrs->n; k++) {
                const char *kind = attrs->items[k]->str ? attrs->items[k]->str : "";
                if (strcmp(kind, "string") && strcmp(kind, "number") && strcmp(kind, "boolean")) {
                    rw_ydiag(d, doc, attrs->items[k], RW_DIAG_ERROR,
                             "属性类型必须是 string、number 或 boolean");
                    rc = -1;
                }
                t->attr_names[t->n_attrs] = rw_xstrdup(attrs->keys[k]->str);
                t->attr_kinds[t->n_attrs++] = rw_xstrdup(kind);
            }
        } else if (attrs && attrs->kind != RW_Y_NULL) {
            rw_ydiag(d, doc, attrs, RW_DIAG_ERROR, "attrs 应该是 名称: 类型 的映射");
            rc = -1;
        }
    }
    return rc;
}

static int load_items(rw_catalog_t *cat, const rw_ydoc_t *doc, const rw_ynode_t *items,
                      rw_diags_t *d)
{
    if (!items || items->kind == RW_Y_NULL) return 0;
    if (items->kind != RW_Y_SEQ) {
        rw_ydiag(d, doc, items, RW_DIAG_ERROR, "items 应该是监管事项列表");
        return -1;
    }
    int rc = 0;
    cat->items = rw_xcalloc(items->n, sizeof *cat->items);
    for (size_t i = 0; i < items->n; i++) {
        const rw_ynode_t *n = items->items[i];
        if (n->kind != RW_Y_MAP) {
            rw_ydiag(d, doc, n, RW_DIAG_ERROR,
                     "监管事项应该是映射 {code, name, department, basis}");
            rc = -1;
            continue;
        }
        static const char *const keys[] = {"code",     "name",  "department", "target",
                                           "measures", "basis", NULL};
        rw_ycheck_keys(doc, n, keys, d);
        const char *code = rw_yget_str(doc, n, "code", 1, d);
        const char *name = rw_yget_str(doc, n, "name", 1, d);
        const char *dept = rw_yget_str(doc, n, "department", 1, d);
        const char *target = rw_yget_str(doc, n, "target", 0, d);
        if (!code || !name || !dept) {
            rc = -1;
            continue;
        }
        if (rw_catalog_item(cat, code) >= 0) {
            rw_ydiag(d, doc, n, RW_DIAG_ERROR, "监管事项编码 %s 重复", code);
            rc = -1;
            continue;
        }
        rw_item_t *it = &cat->items[cat->n_items++];
        it->code = rw_xstrdup(code);
        it->name = rw_xstrdup(name);
        it->department = rw_xstrdup(dept);
        it->target = target ? rw_xstrdup(target) : NULL;
        it->line = n->line;
        it->file = rw_xstrdup(doc->path);
        if (rw_ystr_list(doc, rw_ymap_get(n, "measures"), "measures", &it->measures,
                         &it->n_measures, d) ||
            rw_ystr_list(doc, rw_ymap_get(n, "basis"), "basis", &it->basis, &it->n_basis, d))
            rc = -1;
        const rw_ynode_t *basis = rw_ymap_get(n, "basis");
        it->basis_line = rw_xcalloc(it->n_basis + 1, sizeof(int));
        it->basis_col = rw_xcalloc(it->n_basis + 1, sizeof(int));
        for (size_t b = 0; b < it->n_basis; b++) { /* a list's items, or the one string */
            const rw_ynode_t *at = basis->kind == RW_Y_SEQ ? basis->items[b] : basis;
            it->basis_line[b] = at->line;
            it->basis_col[b] = at->col;
        }
    }
    return rc;
}

int rw_catalog_load(rw_catalog_t *cat, const char *path, rw_diags_t *d)
{
    rw_ydoc_t doc;
    cat->tz_offset_min = 480;
    if (rw_ydoc_load(&doc, path, d)) {
        rw_ydoc_free(&doc);
        return -1;
    }
    int rc = 0;
    if (!doc.root || doc.root->kind != RW_Y_MAP) {
        rw_ydiag(d, &doc, doc.root, RW_DIAG_ERROR,
                 "catalog.yaml 应该是包含 timezone、types、items 的映射");
        rw_ydoc_free(&doc);
        return -1;
    }
    static const char *const keys[] = {"timezone", "types", "items", NULL};
    rw_ycheck_keys(&doc, doc.root, keys, d);
    const char *tz = rw_yget_str(&doc, doc.root, "timezone", 0, d);
    if (tz && rw_tz_parse(tz, &cat->tz_offset_min)) {
        rw_ydiag(d, &doc, rw_ymap_get(doc.root, "timezone"), RW_DIAG_ERROR,
                 "timezone 必须是固定偏移，如 \"+08:00\"");
        rc = -1;
    }
    if (load_types(cat, &doc, rw_ymap_get(doc.root, "types"), d)) rc = -1;
    if (load_items(cat, &doc, rw_ymap_get(doc.root, "items"), d)) rc = -1;
    rw_ydoc_free(&doc);
    return rc;
}

void rw_catalog_free(rw_catalog_t *cat)
{
    for (size_t i = 0; i < cat->n_types; i++) {
        rw_type_t *t = &cat->types[i];
        free(t->name);
        free(t->title);
        rw_str_list_free(t->attr_names, t->n_attrs);
        rw_str_list_free(t->attr_kinds, t->n_attrs);
    }
    for (size_t i = 0; i < cat->n_items; i++) {
        rw_item_t *it = &cat->items[i];
        free(it->code);
        free(it->name);
        free(it->department);
        free(it->target);
        free(it->file);
        rw_str_list_free(it->measures, it->n_measures);
        rw_str_list_free(it->basis, it->n_basis);
        free(it->basis_line);
        free(it->basis_col);
    }
    free(cat->types);
    free(cat->items);
    memset(cat, 0, sizeof *cat);
}

int rw_catalog_type(const rw_catalog_t *cat, const char *name, size_t len)
{
    for (size_t i = 0; i < cat->n_types; i++)
        if (cat->types[i].name_len == len && memcmp(cat->types[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

int rw_catalog_item(const rw_catalog_t *cat, const char *code)
{
    for (size_t i = 0; i < cat->n_items; i++)
        if (strcmp(cat->items[i].code, code) == 0) return (int)i;
    return -1;
}
