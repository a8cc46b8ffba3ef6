/* handling.h — acting on leads (处置): each action is checked against the caller's
 * role and scope and the lifecycle, then the new revision of the record, its audit
 * entry, the lead's timeline index and handling data and the outgoing message are
 * written in one atomic batch, and the message is published. One recursive lock
 * serialises every writer of lead records: actions on server threads and, in the
 * service, the engine's batches (rw_handling_lock around them), so two users acting
 * on one lead at once never both succeed on the same revision.
 *
 * Keys in the handling column family besides audit.h's: "h/<lead>" handling data
 * {"urges", "accepted_at", "closed_at"} (epoch seconds) and "l/<lead>/<16 hex seq>"
 * pointing at the lead's audit entries. */
#ifndef RW_HANDLING_H
#define RW_HANDLING_H

#include "audit.h"
#include "calendar.h"
#include "outbox.h"
#include "store.h"
#include "users.h"

#include <jansson.h>

typedef struct {
    rw_store_t *store;
    rw_outbox_t *outbox;     /* where republished revisions go */
    const char *topic_leads; /* copied */
    rw_outbox_fn publish;    /* called for each outbox record once written; NULL leaves them stored
                              * for the next service start to send */
    void *publish_ud;
    /* told the id of every lead record written here, under the lock: the service's
     * engines drop their copy of it (rw_engine_forget_lead); may be NULL */
    void (*wrote)(void *ud, const char *lead_id);
    void *wrote_ud;
    const rw_calendar_t *calendar; /* deadlines on reassign/reopen; borrowed, see set_calendar */
    int tz_offset_min;
} rw_handling_opts_t;

typedef struct {
    int status; /* HTTP status: 400, 403, 404, 409, 500 */
    const char
        *code; /* bad_request, forbidden, not_found, illegal_transition, conflict, internal … */
    char message[512];
    json_t *allowed; /* 409: the actions the caller may take now (owned; rw_handling_error_clear) */
} rw_handling_error_t;

void rw_handling_error_clear(rw_handling_error_t *e);

typedef struct rw_handling rw_handling_t;

rw_handling_t *rw_handling_new(const rw_handling_opts_t *o);
void rw_handling_free(rw_handling_t *h);
void rw_handling_lock(rw_handling_t *h);
void rw_handling_unlock(rw_handling_t *h);
/* Whether another thread is waiting for the lock: the service keeps it from one batch to
 * the next's commit and lets a waiting API request in first. */
int rw_handling_contended(rw_handling_t *h);
/* After a reload (call with the lock held): the calendar is borrowed until the next call. */
void rw_handling_set_calendar(rw_handling_t *h, const rw_calendar_t *cal, int tz_offset_min);
rw_store_t *rw_handling_store(rw_handling_t *h);

/* The stored record of lead id plus its computed "overdue" (as of now) and "urges";
 * NULL when there is none. New reference. Thread-safe (reads only). */
json_t *rw_handling_get(rw_handling_t *h, const char *id, double now);
/* 1 when lead id exists and lies in u's scope. Thread-safe (reads only). */
int rw_handling_visible(rw_handling_t *h, const rw_user_t *u, const char *id);
/* The lead's handling data {"urges", "accepted_at", "closed_at"} ({} when there is
 * none yet). New reference. */
json_t *rw_handling_meta(rw_handling_t *h, const char *id);
/* Adds "overdue" (as of now) and "urges" (from meta, rw_handling_meta's) to a record. */
void rw_handling_decorate(json_t *record, const json_t *meta, double now);
/* {"lead", "timeline", "allowed"} as the user sees it, or NULL with err (404 when
 * missing or out of the user's scope). New reference. */
json_t *rw_handling_view(rw_handling_t *h, const rw_user_t *u, const char *id, double now,
                         rw_handling_error_t *err);
/* Takes the action of req ({"action", "note", …}, checked here) on lead id for user
 * u; via names the channel in the audit entry ("api", "cli"). Returns the view after
 * the action, or NULL with err and nothing written. */
json_t *rw_handling_act(rw_handling_t *h, const rw_user_t *u, const char *id, const json_t *req,
                        const char *via, double now, rw_handling_error_t *err);
/* Writes an audit entry for something other than a lead action (user management):
 * {"action", "actor", "role", "via", "time", …details}. Returns 0, or -1 with err. */
int rw_handling_audit(rw_handling_t *h, const rw_user_t *actor, const char *action, const char *via,
                      json_t *details, double now, char *err, size_t errlen);
/* Republishes, as a new revision, every live lead whose stored `overdue` differs from
 * what it is now. Returns how many, or -1 when the write failed. */
long rw_handling_sweep_overdue(rw_handling_t *h, double now, char *err, size_t errlen);

#endif
