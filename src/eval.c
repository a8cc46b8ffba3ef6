/* eval.c — the stack machine, scalar functions and operator semantics. */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rw_eval_env_reset(rw_eval_env_t *env)
{
    for (size_t i = 0; i < env->n_scratch; i++)
        free(env->scratch[i]);
    env->n_scratch = 0;
}

static const char *keep(rw_eval_env_t *env, char *s)
{
    if (env->n_scratch == env->cap_scratch) {
        env->cap_scratch = env->cap_scratch ? env->cap_scratch * 2 : 8;
        env->scratch = rw_xrealloc(env->scratch, env->cap_scratch * sizeof *env->scratch);
    }
    env->scratch[env->n_scratch++] = s;
    return s;
}

static rw_value_t finite_or_null(double d)
{
    return isfinite(d) ? rw_num(d) : rw_null();
}

static int cmp_bytes(rw_value_t a, rw_value_t b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.s, b.s, n);
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

rw_value_t rw_binop_apply(rw_binop_t op, rw_value_t a, rw_value_t b)
{
    switch (op) {
    case RW_OP_EQ:
        return rw_bool(rw_value_equal(a, b));
    case RW_OP_NE:
        return rw_bool(!rw_value_equal(a, b));
    case RW_OP_LT:
    case RW_OP_LE:
    case RW_OP_GT:
    case RW_OP_GE: {
        int c;
        if (a.kind == RW_V_NUM && b.kind == RW_V_NUM) {
            if (isnan(a.num) || isnan(b.num)) return rw_bool(0);
            c = a.num < b.num ? -1 : a.num > b.num;
        } else if (a.kind == RW_V_STR && b.kind == RW_V_STR) {
            c = cmp_bytes(a, b);
        } else {
            return rw_bool(0);
        }
        return rw_bool(op == RW_OP_LT   ? c < 0
                       : op == RW_OP_LE ? c <= 0
                       : op == RW_OP_GT ? c > 0
                                        : c >= 0);
    }
    default:
        break;
    }
    if (a.kind != RW_V_NUM || b.kind != RW_V_NUM) return rw_null();
    switch (op) {
    case RW_OP_ADD:
        return finite_or_null(a.num + b.num);
    case RW_OP_SUB:
        return finite_or_null(a.num - b.num);
    case RW_OP_MUL:
        return finite_or_null(a.num * b.num);
    case RW_OP_DIV:
        return b.num == 0 ? rw_null() : finite_or_null(a.num / b.num);
    case RW_OP_MOD:
        return b.num == 0 ? rw_null() : finite_or_null(fmod(a.num, b.num));
    default:
        return rw_null();
    }
}

static int starts_with(rw_value_t s, rw_value_t p)
{
    return s.len >= p.len && memcmp(s.s, p.s, p.len) == 0;
}

static int contains(rw_value_t s, rw_value_t sub)
{
    if (sub.len == 0) return 1;
    for (size_t i = 0; i + sub.len <= s.len; i++)
        if (memcmp(s.s + i, sub.s, sub.len) == 0) return 1;
    return 0;
}

rw_value_t rw_fn_apply(rw_fn_t fn, const rw_value_t *args, rw_eval_env_t *env)
{
    const rw_fn_info_t *info = rw_fn_info(fn);
    for (int i = 0; i < info->arity; i++) {
        rw_vkind_t want = info->arg_kinds == RW_K_NUM ? RW_V_NUM : RW_V_STR;
        if (args[i].kind != want) return rw_null();
    }
    double x = args[0].num;
    switch (fn) {
    case RW_FN_ABS:
        return rw_num(fabs(x));
    case RW_FN_LOG:
        return x > 0 ? finite_or_null(log(x)) : rw_null();
    case RW_FN_LOG1P:
        return x > -1 ? finite_or_null(log1p(x)) : rw_null();
    case RW_FN_EXP:
        return finite_or_null(exp(x));
    case RW_FN_SQRT:
        return x >= 0 ? finite_or_null(sqrt(x)) : rw_null();
    case RW_FN_FLOOR:
        return finite_or_null(floor(x));
    case RW_FN_CEIL:
        return finite_or_null(ceil(x));
    case RW_FN_ROUND:
        return finite_or_null(round(x)); /* C round: half away from zero */
    case RW_FN_LEAST:
        return rw_num(x < args[1].num ? x : args[1].num);
    case RW_FN_GREATEST:
        return rw_num(x > args[1].num ? x : args[1].num);
    case RW_FN_LEN:
        return rw_num((double)rw_utf8_count(args[0].s, args[0].len));
    case RW_FN_LOWER: {
        char *s = rw_xstrndup(args[0].s, args[0].len);
        for (size_t i = 0; i < args[0].len; i++)
            if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] - 'A' + 'a');
        return rw_str(keep(env, s), args[0].len);
    }
    case RW_FN_CONTAINS:
        return rw_bool(contains(args[0], args[1]));
    case RW_FN_STARTSWITH:
        return rw_bool(starts_with(args[0], args[1]));
    case RW_FN__COUNT:
        break;
    }
    return rw_null();
}

rw_value_t rw_eval(const rw_prog_t *p, rw_eval_env_t *env)
{
    rw_value_t local[32];
    rw_value_t *st = p->max_stack <= 32 ? local : rw_xmalloc((size_t)p->max_stack * sizeof *st);
    int sp = 0;
    for (size_t pc = 0; pc < p->n_code; pc++) {
        const rw_insn_t *in = &p->code[pc];
        switch ((rw_iop_t)in->op) {
        case RW_I_CONST:
            st[sp++] = p->consts[in->arg];
            break;
        case RW_I_EVENT:
            st[sp++] = rw_evpath_read(&p->paths[in->arg], env->ev);
            break;
        case RW_I_PROFILE:
            st[sp++] = env->profile
                           ? rw_value_from_json(json_object_get(env->profile, p->keys[in->arg]))
                           : rw_null();
            break;
        case RW_I_PARAM:
            st[sp++] = env->params[in->arg];
            break;
        case RW_I_CALL:
            st[sp++] = env->call(env, in->arg);
            break;
        case RW_I_FN:
            sp -= in->n;
            st[sp] = rw_fn_apply((rw_fn_t)in->arg, &st[sp], env);
            sp++;
            break;
        case RW_I_NEG:
            st[sp - 1] = st[sp - 1].kind == RW_V_NUM ? rw_num(-st[sp - 1].num) : rw_null();
            break;
        case RW_I_NOT:
            st[sp - 1] = rw_bool(!rw_is_true(st[sp - 1]));
            break;
        case RW_I_TOBOOL:
            st[sp - 1] = rw_bool(rw_is_true(st[sp - 1]));
            break;
        case RW_I_BIN:
            sp--;
            st[sp - 1] = rw_binop_apply((rw_binop_t)in->arg, st[sp - 1], st[sp]);
            break;
        case RW_I_IN: {
            sp -= in->n;
            int found = 0;
            for (int i = 0; i < in->n && !found; i++)
                found = rw_value_equal(st[sp - 1], st[sp + i]);
            st[sp - 1] = rw_bool(in->sub ? !found : found);
            break;
        }
        case RW_I_AND:
            if (!rw_is_true(st[sp - 1])) {
                st[sp - 1] = rw_bool(0);
                pc = (size_t)in->arg - 1;
            } else
                sp--;
            break;
        case RW_I_OR:
            if (rw_is_true(st[sp - 1])) {
                pc = (size_t)in->arg - 1;
            } else
                sp--;
            break;
        }
    }
    rw_value_t r = sp > 0 ? st[sp - 1] : rw_null();
    if (st != local) free(st);
    return r;
}
