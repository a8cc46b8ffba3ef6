/* jarena.c — bump allocation for JSON parsed in bulk (see jarena.h). */
#include "jarena.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define RW_JARENA_KEEP 0 /* a reset frees every block, so a value kept past it is caught */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RW_JARENA_KEEP 0
#endif
#endif
#ifndef RW_JARENA_KEEP
#define RW_JARENA_KEEP 1
#endif

#define BLOCK (1u << 20)
#define ALIGN alignof(max_align_t)

typedef struct block {
    struct block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block_t;

struct rw_jarena {
    block_t *cur;   /* being filled */
    block_t *full;  /* filled, and large values in blocks of their own */
    block_t *spare; /* emptied by a reset, filled again before new ones are made */
};

static _Thread_local rw_jarena_t *current;
static pthread_once_t hooked = PTHREAD_ONCE_INIT;

static int in_block(const block_t *b, const void *p)
{
    return (const unsigned char *)p >= b->data && (const unsigned char *)p < b->data + b->size;
}

static int owns(const rw_jarena_t *a, const void *p)
{
    if (a->cur && in_block(a->cur, p)) return 1;
    for (const block_t *b = a->full; b; b = b->next)
        if (in_block(b, p)) return 1;
    return 0;
}

static block_t *block_new(size_t size)
{
    block_t *b = rw_xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void push(block_t **list, block_t *b)
{
    b->next = *list;
    *list = b;
}

static void *arena_alloc(rw_jarena_t *a, size_t n)
{
    n = n ? (n + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN;
    block_t *b = a->cur;
    if (!b || b->size - b->used < n) {
        if (n > BLOCK / 4) { /* large: a block of its own, leaving the current one */
            b = block_new(n);
            push(&a->full, b);
        } else {
            if (b) push(&a->full, b);
            if ((b = a->spare))
                a->spare = b->next;
            else
                b = block_new(BLOCK);
            b->used = 0;
            a->cur = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static void *json_alloc(size_t n)
{
    return current ? arena_alloc(current, n) : malloc(n);
}

/* Inside an arena, parsing frees what it grew past (string buffers, hash tables); those
 * bytes stay until the reset. Anything else came from malloc. */
static void json_release(void *p)
{
    if (p && !(current && owns(current, p))) free(p);
}

static void hook(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

rw_jarena_t *rw_jarena_new(void)
{
    pthread_once(&hooked, hook);
    return rw_xcalloc(1, sizeof(rw_jarena_t));
}

static void free_list(block_t *b)
{
    for (block_t *next; b; b = next) {
        next = b->next;
        free(b);
    }
}

void rw_jarena_reset(rw_jarena_t *a)
{
    if (a->cur) push(&a->full, a->cur);
    a->cur = NULL;
    for (block_t *b = a->full, *next; b; b = next) {
        next = b->next;
        if (RW_JARENA_KEEP && b->size == BLOCK)
            push(&a->spare, b);
        else
            free(b);
    }
    a->full = NULL;
}

void rw_jarena_free(rw_jarena_t *a)
{
    if (!a) return;
    rw_jarena_reset(a);
    free_list(a->spare);
    free(a);
}

rw_jarena_t *rw_jarena_enter(rw_jarena_t *a)
{
    rw_jarena_t *prev = current;
    current = a;
    return prev;
}
