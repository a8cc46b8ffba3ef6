/* parser.h — recursive-descent parser for the expression grammar of rules.md.
 * Produces an rw_ast_t the caller owns; on a syntax error returns NULL and sets
 * *err_off and err (the byte offset and a Chinese message). */
#ifndef RW_PARSER_H
#define RW_PARSER_H

#include "ast.h"

rw_ast_t *rw_parse_expr(const char *src, size_t len, size_t *err_off, char *err, size_t errlen);

#endif
