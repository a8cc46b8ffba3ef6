/* jarena.h — bump allocation for JSON parsed in bulk and dropped together.
 *
 * Replay parses events a chunk at a time and holds each chunk until every engine
 * thread is done with it. Freeing thousands of small jansson nodes long after they
 * were made cost more than parsing them (measured: twice the parse time), so a
 * chunk's values live in one arena and go at once with rw_jarena_reset.
 *
 * While a thread has entered an arena, every jansson allocation it makes comes from
 * there; other threads and other times use malloc as before. Values from an arena
 * must not outlive its reset: whoever keeps a part of one copies it (json_deep_copy),
 * never json_incref. */
#ifndef RW_JARENA_H
#define RW_JARENA_H

typedef struct rw_jarena rw_jarena_t;

/* Owned by the caller; free with rw_jarena_free. */
rw_jarena_t *rw_jarena_new(void);
void rw_jarena_free(rw_jarena_t *a);

/* Every value allocated in the arena is gone; its memory is kept for reuse. */
void rw_jarena_reset(rw_jarena_t *a);

/* Routes this thread's jansson allocations to a (NULL: back to malloc). Returns the
 * arena in use before, to restore. Not for an arena another thread has entered. */
rw_jarena_t *rw_jarena_enter(rw_jarena_t *a);

#endif
