/* statutes.h — the clause library (statutes.md): laws and their dated versions from
 * rules/statutes/laws.yaml, law texts parsed from the LawRefBook Markdown layout,
 * clause references, resolution at a date, citation labels and clause texts.
 * A library owns everything it loaded; pointers into it live until rw_statutes_free. */
#ifndef RW_STATUTES_H
#define RW_STATUTES_H

#include "diag.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Law texts ---------------------------------------------------------------- */

typedef struct {
    char *text; /* the 项 paragraph as written, "（六）…" */
} rw_stat_item_t;

typedef struct {
    char *text;            /* the 款's own paragraph (article heading removed for 款 1) */
    rw_stat_item_t *items; /* its 项 */
    size_t n_items;
} rw_stat_para_t;

typedef struct {
    int number;            /* 34 for 第三十四条 */
    int sub;               /* 1 for 第十条之一, else 0 */
    int line;              /* where it starts in the source file */
    rw_stat_para_t *paras; /* its 款 */
    size_t n_paras;
} rw_stat_article_t;

typedef struct {
    char *title;                /* "# …" line */
    rw_stat_article_t *articles;
    size_t n_articles;
} rw_law_text_t;

/* Parses a law file's Markdown. On a file that does not follow the layout returns -1
 * with file:line:col errors. *out is owned by the caller (rw_law_text_free). */
int rw_law_text_parse(const char *path, const char *text, size_t len, rw_law_text_t **out,
                      rw_diags_t *d);
void rw_law_text_free(rw_law_text_t *t);
const rw_stat_article_t *rw_law_text_article(const rw_law_text_t *t, int number, int sub);

/* ---- The library ---------------------------------------------------------------- */

typedef struct {
    int64_t effective; /* day number */
    char *source;      /* file name relative to the statutes folder */
    rw_law_text_t *text;
} rw_law_version_t;

typedef struct {
    char *id, *title, *level;
    char **aliases;
    size_t n_aliases;
    int64_t verified; /* day number, -1 when absent */
    int64_t repealed; /* day number, -1 when in force */
    rw_law_version_t *versions; /* sorted by effective */
    size_t n_versions;
    int line; /* of its entry in laws.yaml */
} rw_law_t;

typedef struct rw_statutes {
    char *dir;
    rw_law_t *laws;
    size_t n_laws;
} rw_statutes_t;

/* Loads dir/laws.yaml and every version's text. Returns 0, or -1 with errors in d
 * (warnings, e.g. a `verified` date over a year before `today`, are added too). */
int rw_statutes_load(rw_statutes_t **out, const char *dir, int64_t today, rw_diags_t *d);
void rw_statutes_free(rw_statutes_t *s);
/* By id or alias. */
const rw_law_t *rw_statutes_find(const rw_statutes_t *s, const char *name);

/* ---- Clause references ------------------------------------------------------- */

typedef struct {
    const rw_law_t *law;
    int64_t pin; /* @DATE day number, or -1 */
    int article, sub, para, item; /* para/item 0 when not given */
} rw_clause_ref_t;

/* Parses LAW[@DATE]#ARTICLE[.PARAGRAPH[.ITEM]] (ARTICLE may be 10-1). Returns 0, or -1
 * with a message in err. Does not check that the clause exists. */
int rw_clause_ref_parse(const rw_statutes_t *s, const char *ref, rw_clause_ref_t *out,
                        char *err, size_t errlen);
/* The version in force at day D (greatest effective <= D, none on/after repeal). */
const rw_law_version_t *rw_law_version_at(const rw_law_t *law, int64_t day);
/* 1 when some version of the law has the clause (check: "resolves to nothing" otherwise). */
int rw_clause_ref_exists(const rw_clause_ref_t *r);
/* The clause's text in version v: an article's 款 and 项 joined by "\n" without its 第X条
 * heading, a 款 with its 项, or a 项 as written. Malloc'ed; NULL when v lacks the clause. */
char *rw_clause_text(const rw_clause_ref_t *r, const rw_law_version_t *v);

/* The lead's clause object for a reference at the event's day D, with `changed`
 * computed against the version in force at day `now_day`:
 * {"ref","law","version","label","text","changed"}. NULL when not in force at D. */
json_t *rw_clause_json(const rw_clause_ref_t *r, const char *ref_text, int64_t day,
                       int64_t now_day);

/* The citation label: 第三十四条第六项, 第一百二十四条第一款第一项 (款 left out when the
 * article has one paragraph), 第十条之一. Malloc'ed. */
char *rw_clause_label(const rw_clause_ref_t *r, const rw_stat_article_t *a);

/* Chinese numerals: 34 -> 三十四, 124 -> 一百二十四; parse the reverse (-1 on error). */
void rw_cn_number(int n, char *out, size_t outlen);
int rw_cn_parse(const char *s, size_t len);

/* Texts compared as statutes.md says: full-/half-width punctuation folded, whitespace removed. */
int rw_stat_text_equal(const char *a, const char *b);

#endif
