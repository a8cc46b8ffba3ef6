/* lifecycle.h — the handling state machine of leads.md (处置流程): which action
 * leads from which status to which, who may take it, what it needs, and what it
 * changes in the lead record. Pure functions over JSON records; the store side is
 * handling.h. */
#ifndef RW_LIFECYCLE_H
#define RW_LIFECYCLE_H

#include "calendar.h"
#include "users.h"

#include <jansson.h>

typedef enum {
    RW_ST_NEW,
    RW_ST_ACCEPTED,
    RW_ST_VERIFYING,
    RW_ST_CONFIRMED,
    RW_ST_DISMISSED,
    RW_ST_CLOSED,
    RW_ST_RETURNED,
    RW_ST__COUNT
} rw_status_t;

typedef enum {
    RW_ACT_ACCEPT,
    RW_ACT_VERIFY,
    RW_ACT_CONFIRM,
    RW_ACT_DISMISS,
    RW_ACT_RETURN,
    RW_ACT_REASSIGN,
    RW_ACT_CLOSE,
    RW_ACT_SEND_BACK,
    RW_ACT_REOPEN,
    RW_ACT_URGE,
    RW_ACT__COUNT
} rw_action_t;

int rw_status_parse(const char *s); /* -1 when unknown */
const char *rw_status_name(rw_status_t s);
const char *rw_status_label(rw_status_t s); /* 下发 … */
int rw_action_parse(const char *s);         /* -1 when unknown */
const char *rw_action_name(rw_action_t a);
const char *rw_action_label(rw_action_t a); /* 签收 … */

/* 1 when the role may take the action at all (regardless of status). */
int rw_action_permitted(rw_action_t a, rw_role_t role);
/* 1 when the action applies to a lead in this status. */
int rw_action_applies(rw_action_t a, rw_status_t from);
/* The actions the role may take now on a lead in this status, as a JSON array of names. */
json_t *rw_actions_allowed(rw_status_t from, rw_role_t role);

/* Checks an action request {"action", "note", …} for unknown or missing fields and
 * values outside the lists of leads.md. Returns the action, or -1 with a code
 * (bad_request, unknown_field, missing_field, bad_value) and a Chinese message. */
int rw_action_request_check(const json_t *req, const char **code, char *msg, size_t msglen);

/* 0 for a reassign to the department and region the lead already has (leads.md: to
 * another department or region); 1 otherwise. */
int rw_action_changes_something(const json_t *record, rw_action_t a, const json_t *req);
/* Applies a checked action to the record (which it changes): status, assignee,
 * disposition, deadlines, region/department, revision (except urge). `changes`
 * receives {field: [old, new]}. `now` is epoch seconds, tz the catalogue offset. */
void rw_action_apply(json_t *record, rw_action_t a, const json_t *req, const char *actor,
                     double now, const rw_calendar_t *cal, int tz, json_t *changes);

/* 1 when the lead is past a deadline now: not accepted by accept_by (new, returned)
 * or not closed by close_by. Shadow leads are never overdue. */
int rw_lead_overdue(const json_t *record, double now);
/* The instant after which the record, as it stands, is overdue (rw_lead_overdue is
 * now > this); INFINITY when it never will be (shadow, closed, no deadline). Reads
 * mode, status and due. */
double rw_lead_overdue_after(const json_t *record);
/* The same from those fields: mode and status as in the record (NULL when absent), the
 * deadlines as epoch seconds (INFINITY when absent). */
double rw_lead_overdue_after_fields(const char *mode, const char *status, double accept_by,
                                    double close_by);

#endif
