/* lexer.c — splits an expression into tokens: numbers, strings with escapes,
 * durations (30d, 24h), identifiers, keywords and operators. */
#include "lexer.h"

#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rw_lexer_init(rw_lexer_t *lx, const char *src, size_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
}

void rw_token_clear(rw_token_t *tok)
{
    free(tok->str);
    tok->str = NULL;
}

static int is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void error(rw_token_t *tok, size_t off, const char *msg)
{
    tok->kind = RW_TOK_ERROR;
    tok->off = off;
    tok->len = 1;
    tok->str = rw_xstrdup(msg);
}

static void utf8_put(rw_buf_t *b, unsigned cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rw_buf_append(b, out, n);
}

static int hex4(const char *s, size_t avail, unsigned *out)
{
    if (avail < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static void lex_string(rw_lexer_t *lx, rw_token_t *tok)
{
    char quote = lx->src[lx->pos];
    size_t start = lx->pos++;
    rw_buf_t b;
    rw_buf_init(&b);
    while (lx->pos < lx->len && lx->src[lx->pos] != quote) {
        char c = lx->src[lx->pos];
        if (c != '\\') {
            rw_buf_putc(&b, c);
            lx->pos++;
            continue;
        }
        size_t esc = lx->pos;
        char e = lx->pos + 1 < lx->len ? lx->src[lx->pos + 1] : 0;
        lx->pos += 2;
        switch (e) {
        case '\\':
            rw_buf_putc(&b, '\\');
            break;
        case '"':
            rw_buf_putc(&b, '"');
            break;
        case '\'':
            rw_buf_putc(&b, '\'');
            break;
        case 'n':
            rw_buf_putc(&b, '\n');
            break;
        case 't':
            rw_buf_putc(&b, '\t');
            break;
        case 'u': {
            unsigned cp;
            if (hex4(lx->src + lx->pos, lx->len - lx->pos, &cp)) {
                rw_buf_free(&b);
                return error(tok, esc, "\\u 后面需要 4 位十六进制数字");
            }
            lx->pos += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (lx->pos + 1 < lx->len && lx->src[lx->pos] == '\\' &&
                    lx->src[lx->pos + 1] == 'u' &&
                    !hex4(lx->src + lx->pos + 2, lx->len - lx->pos - 2, &lo) && lo >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    lx->pos += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    rw_buf_free(&b);
                    return error(tok, esc, "孤立的 UTF-16 代理项");
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                rw_buf_free(&b);
                return error(tok, esc, "孤立的 UTF-16 代理项");
            }
            utf8_put(&b, cp);
            break;
        }
        default:
            rw_buf_free(&b);
            return error(tok, esc, "未知的转义序列（可用 \\\\ \\\" \\' \\n \\t \\uXXXX）");
        }
    }
    if (lx->pos >= lx->len) {
        rw_buf_free(&b);
        return error(tok, start, "字符串没有结束引号");
    }
    lx->pos++;
    tok->kind = RW_TOK_STRING;
    tok->off = start;
    tok->len = lx->pos - start;
    tok->str_len = b.len;
    tok->str = rw_buf_steal(&b);
}

static void lex_number(rw_lexer_t *lx, rw_token_t *tok)
{
    size_t start = lx->pos;
    const char *s = lx->src;
    while (lx->pos < lx->len && is_digit(s[lx->pos]))
        lx->pos++;
    int is_int = 1;
    if (lx->pos + 1 < lx->len && s[lx->pos] == '.' && is_digit(s[lx->pos + 1])) {
        is_int = 0;
        lx->pos++;
        while (lx->pos < lx->len && is_digit(s[lx->pos]))
            lx->pos++;
    }
    if (lx->pos < lx->len && (s[lx->pos] == 'e' || s[lx->pos] == 'E')) {
        size_t p = lx->pos + 1;
        if (p < lx->len && (s[p] == '+' || s[p] == '-')) p++;
        if (p < lx->len && is_digit(s[p])) {
            is_int = 0;
            while (p < lx->len && is_digit(s[p]))
                p++;
            lx->pos = p;
        }
    }
    char text[64];
    size_t n = lx->pos - start;
    if (n >= sizeof text) return error(tok, start, "数字太长");
    memcpy(text, s + start, n);
    text[n] = 0;
    if (is_int && lx->pos < lx->len && (s[lx->pos] == 'd' || s[lx->pos] == 'h') &&
        !(lx->pos + 1 < lx->len && (is_ident_start(s[lx->pos + 1]) || is_digit(s[lx->pos + 1])))) {
        char unit = s[lx->pos++];
        double count = strtod(text, NULL);
        tok->kind = RW_TOK_DURATION;
        tok->dur_count = count < 1e18 ? (int64_t)count : (int64_t)1e18; /* windows stop at 400d */
        tok->dur_unit = unit;
        tok->num = count * (unit == 'd' ? 86400.0 : 3600.0);
        tok->off = start;
        tok->len = lx->pos - start;
        return;
    }
    if (lx->pos < lx->len && (is_ident_start(s[lx->pos]) || s[lx->pos] == '.'))
        return error(tok, lx->pos,
                     "数字后面跟着意外的字符（时长只能写成整数加 d 或 h，如 30d、24h）");
    tok->num = strtod(text, NULL);
    if (!isfinite(tok->num)) return error(tok, start, "数字太大（超出双精度浮点数的范围）");
    tok->kind = RW_TOK_NUMBER;
    tok->off = start;
    tok->len = n;
}

static const struct {
    const char *word;
    rw_tok_kind_t kind;
} keywords[] = {{"and", RW_TOK_AND},  {"or", RW_TOK_OR},     {"not", RW_TOK_NOT},
                {"in", RW_TOK_IN},    {"true", RW_TOK_TRUE}, {"false", RW_TOK_FALSE},
                {"null", RW_TOK_NULL}};

void rw_lexer_next(rw_lexer_t *lx, rw_token_t *tok)
{
    memset(tok, 0, sizeof *tok);
    const char *s = lx->src;
    while (lx->pos < lx->len &&
           (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' || s[lx->pos] == '\r'))
        lx->pos++;
    tok->off = lx->pos;
    if (lx->pos >= lx->len) {
        tok->kind = RW_TOK_EOF;
        return;
    }
    char c = s[lx->pos];
    char n = lx->pos + 1 < lx->len ? s[lx->pos + 1] : 0;
    if (c == '"' || c == '\'') return lex_string(lx, tok);
    if (is_digit(c)) return lex_number(lx, tok);
    if (is_ident_start(c)) {
        size_t start = lx->pos;
        while (lx->pos < lx->len && (is_ident_start(s[lx->pos]) || is_digit(s[lx->pos])))
            lx->pos++;
        tok->len = lx->pos - start;
        tok->kind = RW_TOK_IDENT;
        for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
            if (strlen(keywords[i].word) == tok->len &&
                memcmp(keywords[i].word, s + start, tok->len) == 0)
                tok->kind = keywords[i].kind;
        return;
    }
    tok->len = 1;
    lx->pos++;
    switch (c) {
    case '(':
        tok->kind = RW_TOK_LPAREN;
        return;
    case ')':
        tok->kind = RW_TOK_RPAREN;
        return;
    case '[':
        tok->kind = RW_TOK_LBRACKET;
        return;
    case ']':
        tok->kind = RW_TOK_RBRACKET;
        return;
    case ',':
        tok->kind = RW_TOK_COMMA;
        return;
    case '.':
        tok->kind = RW_TOK_DOT;
        return;
    case '+':
        tok->kind = RW_TOK_PLUS;
        return;
    case '-':
        tok->kind = RW_TOK_MINUS;
        return;
    case '*':
        tok->kind = RW_TOK_STAR;
        return;
    case '/':
        tok->kind = RW_TOK_SLASH;
        return;
    case '%':
        tok->kind = RW_TOK_PERCENT;
        return;
    default:
        break;
    }
    if (c == '=' && n == '=')
        tok->kind = RW_TOK_EQ;
    else if (c == '!' && n == '=')
        tok->kind = RW_TOK_NE;
    else if (c == '<' && n == '=')
        tok->kind = RW_TOK_LE;
    else if (c == '>' && n == '=')
        tok->kind = RW_TOK_GE;
    else if (c == '&' && n == '&')
        tok->kind = RW_TOK_AND;
    else if (c == '|' && n == '|')
        tok->kind = RW_TOK_OR;
    else if (c == '<')
        return (void)(tok->kind = RW_TOK_LT);
    else if (c == '>')
        return (void)(tok->kind = RW_TOK_GT);
    else if (c == '!')
        return (void)(tok->kind = RW_TOK_NOT);
    else {
        lx->pos--;
        char msg[160];
        if ((unsigned char)c >= 0x80)
            snprintf(msg, sizeof msg, "意外的字符（表达式只能用 ASCII 符号，中文请放在引号里）");
        else
            snprintf(msg, sizeof msg, "意外的字符 '%c'", c);
        error(tok, lx->pos, msg);
        lx->pos++;
        return;
    }
    tok->len = 2;
    lx->pos++;
}

const char *rw_tok_name(rw_tok_kind_t k)
{
    switch (k) {
    case RW_TOK_EOF:
        return "表达式结尾";
    case RW_TOK_NUMBER:
        return "数字";
    case RW_TOK_STRING:
        return "字符串";
    case RW_TOK_DURATION:
        return "时长";
    case RW_TOK_IDENT:
        return "名称";
    case RW_TOK_AND:
        return "'and'";
    case RW_TOK_OR:
        return "'or'";
    case RW_TOK_NOT:
        return "'not'";
    case RW_TOK_IN:
        return "'in'";
    case RW_TOK_TRUE:
        return "'true'";
    case RW_TOK_FALSE:
        return "'false'";
    case RW_TOK_NULL:
        return "'null'";
    case RW_TOK_EQ:
        return "'=='";
    case RW_TOK_NE:
        return "'!='";
    case RW_TOK_LT:
        return "'<'";
    case RW_TOK_LE:
        return "'<='";
    case RW_TOK_GT:
        return "'>'";
    case RW_TOK_GE:
        return "'>='";
    case RW_TOK_PLUS:
        return "'+'";
    case RW_TOK_MINUS:
        return "'-'";
    case RW_TOK_STAR:
        return "'*'";
    case RW_TOK_SLASH:
        return "'/'";
    case RW_TOK_PERCENT:
        return "'%'";
    case RW_TOK_LPAREN:
        return "'('";
    case RW_TOK_RPAREN:
        return "')'";
    case RW_TOK_LBRACKET:
        return "'['";
    case RW_TOK_RBRACKET:
        return "']'";
    case RW_TOK_COMMA:
        return "','";
    case RW_TOK_DOT:
        return "'.'";
    case RW_TOK_ERROR:
        return "错误";
    }
    return "?";
}
