/* lexer.h — tokens of the rule expression language (rules.md). The lexer works on
 * one expression's text; offsets are byte offsets into it, turned into file:line:col
 * by the caller (yamldoc maps them through quotes and folding). */
#ifndef RW_LEXER_H
#define RW_LEXER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RW_TOK_EOF,
    RW_TOK_NUMBER,
    RW_TOK_STRING,
    RW_TOK_DURATION,
    RW_TOK_IDENT,
    RW_TOK_AND, /* and && */
    RW_TOK_OR,  /* or || */
    RW_TOK_NOT, /* not ! */
    RW_TOK_IN,
    RW_TOK_TRUE,
    RW_TOK_FALSE,
    RW_TOK_NULL,
    RW_TOK_EQ,
    RW_TOK_NE,
    RW_TOK_LT,
    RW_TOK_LE,
    RW_TOK_GT,
    RW_TOK_GE,
    RW_TOK_PLUS,
    RW_TOK_MINUS,
    RW_TOK_STAR,
    RW_TOK_SLASH,
    RW_TOK_PERCENT,
    RW_TOK_LPAREN,
    RW_TOK_RPAREN,
    RW_TOK_LBRACKET,
    RW_TOK_RBRACKET,
    RW_TOK_COMMA,
    RW_TOK_DOT,
    RW_TOK_ERROR
} rw_tok_kind_t;

typedef struct {
    rw_tok_kind_t kind;
    size_t off, len;   /* the token's bytes in the source */
    double num;        /* NUMBER; DURATION: its value in seconds */
    int64_t dur_count; /* DURATION: the integer written */
    char dur_unit;     /* DURATION: 'd' or 'h' */
    char *str;         /* STRING: decoded text (malloc'ed, owned by the token); ERROR: message */
    size_t str_len;
} rw_token_t;

typedef struct {
    const char *src;
    size_t len, pos;
} rw_lexer_t;

void rw_lexer_init(rw_lexer_t *lx, const char *src, size_t len);
/* Reads the next token. The caller frees tok->str (rw_token_clear). */
void rw_lexer_next(rw_lexer_t *lx, rw_token_t *tok);
void rw_token_clear(rw_token_t *tok);
/* A readable name for messages: "数字", "')'" … */
const char *rw_tok_name(rw_tok_kind_t k);

#endif
