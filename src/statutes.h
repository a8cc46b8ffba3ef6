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
    char *title; /* "# …" line */
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

/* One entry of a version's `renumbered: {old: new}` map in laws.yaml: article
 * old_number[-old_sub] of the previous version is article new_number[-new_sub] of this one
 * (a full revision, 修订, renumbers articles). new_number is 0 for `old: null`: this version
 * deleted the article, so references to it stop resolving here. */
typedef struct {
    int old_number, old_sub;
    int new_number, new_sub;
} rw_renumber_t;

typedef struct {
    int64_t effective; /* day number */
    char *source;      /* file name relative to the statutes folder */
    rw_law_text_t *text;
    /* Relative to the previous version; articles not listed keep their numbers. The
     * loader checks that every old number exists in the previous version, every new one
     * in this version, no two go to the same article, and that no unlisted article keeps
     * a number another one moved to. Empty when the numbering did not change. */
    rw_renumber_t *renumbered;
    size_t n_renumbered;
} rw_law_version_t;

typedef struct {
    char *id, *title, *level;
    char **aliases;
    size_t n_aliases;
    int64_t verified;           /* day number, RW_DAY_NONE when absent */
    int64_t repealed;           /* day number, RW_DAY_NONE when in force */
    rw_law_version_t *versions; /* sorted by effective */
    size_t n_versions;
    int line; /* of its entry in laws.yaml */
} rw_law_t;

typedef struct rw_statutes {
    char *dir;
    rw_law_t *laws;
    size_t n_laws;
    /* A digest of the library, made by the loader: two libraries with the same one give
     * every clause the same `changed`. */
    uint64_t fingerprint;
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
    int64_t pin;                  /* @DATE day number, or RW_DAY_NONE */
    int article, sub, para, item; /* para/item 0 when not given */
} rw_clause_ref_t;

/* Parses LAW[@DATE]#ARTICLE[.PARAGRAPH[.ITEM]] (ARTICLE may be 10-1). Returns 0, or -1
 * with a message in err. Does not check that the clause exists. */
int rw_clause_ref_parse(const rw_statutes_t *s, const char *ref, rw_clause_ref_t *out, char *err,
                        size_t errlen);
/* The version in force at day D (greatest effective <= D, none on/after repeal). */
const rw_law_version_t *rw_law_version_at(const rw_law_t *law, int64_t day);
/* 1 when some law's version or repeal takes force on a day in (after, upto]: what is in
 * force changed between the two days. */
int rw_statutes_change_between(const rw_statutes_t *s, int64_t after, int64_t upto);
/* ---- Renumbering ------------------------------------------------------------------
 * A reference names an article by its number in one numbering: an unpinned reference
 * (law#30) the numbering of the law's first version in the library — what rules were
 * written against before any revision renumbered it — and a pinned one (law@DATE#30) that
 * of its pinned version. In every other version it means the article the `renumbered`
 * maps carry it to: a rule citing law#30 cites article 31 of a version with renumbered
 * {30: 31}, and 30 again in the versions before it. Articles no map lists keep their
 * numbers, so for a law without maps all of this is the identity and every function below
 * behaves as if numbers never moved. */

/* Article number-sub of versions[from] in the numbering of versions[to]: each version
 * after `from` up to `to` applies its map (backwards, when to < from, the maps are
 * inverted: an article that a map moved into a number came from the old one, a number a
 * map moved away from and nothing moved into is new). Returns 0 with *out_number and
 * *out_sub set, or -1 when a version in between deleted the article (`N: null`) or,
 * backwards, added it. Whether the result exists in versions[to] is not checked. */
int rw_law_article_in(const rw_law_t *law, size_t from, size_t to, int number, int sub,
                      int *out_number, int *out_sub);
/* The reference as it reads in version v: *out is *r with article and sub carried into v's
 * numbering by rw_law_article_in. Returns -1 when it has no counterpart there (deleted by a
 * map, or a pin before the law's first version). rw_clause_text, rw_clause_ref_exists and
 * rw_clause_json resolve through it. */
int rw_clause_ref_in(const rw_clause_ref_t *r, const rw_law_version_t *v, rw_clause_ref_t *out);

/* 1 when some version of the law has the clause (check: "resolves to nothing" otherwise),
 * following renumbering. */
int rw_clause_ref_exists(const rw_clause_ref_t *r);
/* The clause's text in version v: an article's 款 and 项 joined by "\n" without its 第X条
 * heading, a 款 with its 项, or a 项 as written. The reference is carried into v's numbering
 * first (rw_clause_ref_in). Malloc'ed; NULL when v lacks the clause. */
char *rw_clause_text(const rw_clause_ref_t *r, const rw_law_version_t *v);

/* A lead's `changed` for a clause it cites with cited_text, against the law in force at
 * now_day: {"date", "repealed": true} when repealed by then, {"date", "text"} of the version
 * then in force when its text differs (compared as rw_stat_text_equal compares; "text" null
 * and "removed": true when that version lacks the clause), else JSON null. New reference. */
json_t *rw_clause_changed(const rw_clause_ref_t *r, const char *cited_text, int64_t now_day);
/* Recomputes `changed` of every clause object of a lead's `clauses` array against now_day
 * (rw_clause_changed on its ref and cited text). Returns 1 when any of them changed. */
int rw_clauses_compare(const rw_statutes_t *s, json_t *clauses, int64_t now_day);

/* The lead's clause object for a reference at the event's day D, with `changed`
 * computed against the version in force at day `now_day`:
 * {"ref","law","version","label","text","changed"}. NULL when not in force at D. The label
 * and texts are those of the article the reference is carried to in each version
 * (rw_clause_ref_in); `changed` has "removed": true when the version now in force lacks it. */
json_t *rw_clause_json(const rw_clause_ref_t *r, const char *ref_text, int64_t day,
                       int64_t now_day);

/* Every version's reading of the clause, for a statute browser:
 * {"ref","law","law_id","repealed","versions":[{"effective","label","text","changed"}]} where
 * label/text are null in a version lacking the clause and `changed` says the text differs
 * from the previous version's (false for the first). New reference. */
json_t *rw_clause_history_json(const rw_clause_ref_t *r, const char *ref_text);

/* The citation label: 第三十四条第六项, 第一百二十四条第一款第一项 (款 left out when the
 * article has one paragraph), 第十条之一. Malloc'ed. */
char *rw_clause_label(const rw_clause_ref_t *r, const rw_stat_article_t *a);

/* Chinese numerals: 34 -> 三十四, 124 -> 一百二十四; parse the reverse (-1 on error). */
void rw_cn_number(int n, char *out, size_t outlen);
int rw_cn_parse(const char *s, size_t len);

/* Texts compared as statutes.md says: full-/half-width punctuation folded, whitespace removed. */
int rw_stat_text_equal(const char *a, const char *b);

/* ---- Comparing versions (regwatch statutes diff) ---------------------------------- */

typedef enum {
    RW_DIFF_UNCHANGED,  /* same number, same text */
    RW_DIFF_AMENDED,    /* same number, text changed */
    RW_DIFF_RENUMBERED, /* number changed (text maybe too: `amended`) */
    RW_DIFF_ADDED,
    RW_DIFF_REMOVED,
    RW_DIFF_N_STATUS
} rw_diff_status_t;

/* How an old article (or 款) was paired with a new one. */
typedef enum {
    RW_MATCH_NONE,    /* added or removed */
    RW_MATCH_NUMBER,  /* the same number (an amendment, 修正, keeps numbers) */
    RW_MATCH_MAP,     /* laws.yaml `renumbered` */
    RW_MATCH_TEXT,    /* equal texts under another number */
    RW_MATCH_SIMILAR, /* the most similar text under another number */
} rw_diff_match_t;

typedef struct rw_diff_entry {
    rw_diff_status_t status;
    int amended; /* the texts differ (folded); implied by AMENDED */
    rw_diff_match_t by;
    int old_index, new_index;    /* into the versions' articles (or the article's 款); -1 none */
    struct rw_diff_entry *paras; /* per 款, for paired articles whose text changed */
    size_t n_paras;
} rw_diff_entry_t;

typedef struct {
    const rw_law_t *law;
    const rw_law_version_t *from, *to;
    int mapped; /* some version after `from` up to `to` has a `renumbered` map */
    /* Ordered by the new version's articles, each removed one after its old predecessor. */
    rw_diff_entry_t *articles;
    size_t n_articles;
    size_t count[RW_DIFF_N_STATUS];
} rw_law_diff_t;

/* Compares two versions of a law (from before to) article by article, texts compared as
 * rw_stat_text_equal does. Pairing, in order: when `renumbered` maps lie between the two
 * versions, each old article goes where the maps carry it (as references do); otherwise
 * by an order-keeping alignment that prefers the same number and pairs different numbers
 * only for texts at least RW_DIFF_SIMILAR alike (bigram Dice), then same-numbered leftovers
 * that keep the order (a rewritten article); finally leftovers with equal texts, then the
 * most similar ones above the threshold (articles moved out of order). Inside paired
 * articles whose text changed, 款 are compared the same way. Returns 0, or -1 when `from`
 * is not earlier than `to`. */
#define RW_DIFF_SIMILAR 0.5
int rw_law_diff(const rw_law_t *law, const rw_law_version_t *from, const rw_law_version_t *to,
                rw_law_diff_t *out);
void rw_law_diff_free(rw_law_diff_t *d);
/* "unchanged", "amended", "renumbered", "added", "removed"; and "number", "map", "text",
 * "similarity" (NULL for RW_MATCH_NONE). */
const char *rw_diff_status_name(rw_diff_status_t s);
const char *rw_diff_match_name(rw_diff_match_t m);
/* Article number as references write it: "31", "10-1". out must hold 24 bytes. */
void rw_article_ref(int number, int sub, char *out);
/* {"law","title","from":{"effective","source"},"to":{…},"mapped","summary":{status: count},
 *  "articles":[{"status","amended","by","old":{"article","label","text"}|null,"new":…,
 *  "paragraphs":[{"status","amended","by","old":{"paragraph","text"}|null,"new":…}]}]}. */
json_t *rw_law_diff_json(const rw_law_diff_t *d);

/* ---- Importing a version (regwatch statutes import) -------------------------------- */

typedef struct {
    const char *file;  /* the law text, LawRefBook layout; copied under its own name */
    const char *law;   /* id or alias of the law; a new id adds a law */
    int64_t effective; /* day the version took force (from the law, not the file name) */
    /* For a new law only: title (default: the file's "# " line), level (required), aliases. */
    const char *title, *level;
    const char *const *aliases;
    size_t n_aliases;
    int64_t today; /* for the loader's `verified` warnings */
} rw_import_t;

/* Adds a version to dir (a statutes folder): parses im->file (file:line:col errors, nothing
 * written), copies it byte for byte to dir/<its file name>, and inserts a
 * `- effective: … source: …` item into that law's `versions:` in dir/laws.yaml at its
 * date's place — or appends a new law entry — editing the text so comments and order
 * survive (laws.yaml must use block lists as shipped). Refuses a date or file name a
 * version of the law already has. Then loads the library; on any error laws.yaml and the
 * folder are restored. Returns 0 (loader warnings in d) or -1 with errors in d. */
int rw_statutes_import(const char *dir, const rw_import_t *im, rw_diags_t *d);

#endif
