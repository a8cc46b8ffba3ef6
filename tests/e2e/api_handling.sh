#!/usr/bin/env bash
# Lead handling through the HTTP API (leads.md "Lifecycle", "Roles and scope", "HTTP
# API"; docs/api.md), with curl against `regwatch run`:
#   - every transition of the lifecycle taken, and at each status every other action
#     refused: 409 with the allowed actions, 403 for a role that may never take it;
#     nothing written by a refused request (revision and audit log unchanged);
#   - roles and scopes: out-of-scope leads and entities answer 404 (reads and actions),
#     authors, auditors and admins never act, only auditors read the audit log;
#   - lists: paging, sorting, every filter, overdue by the calendar's deadlines;
#   - malformed JSON, unknown fields, missing and bad values, huge bodies, wrong methods,
#     no or bad token — each answered with the right status and a JSON error;
#   - every change republished on the leads topic as a new revision, in order;
#   - statistics (precision, dismissed by reason, median hours) from the dispositions;
#   - the CLI reads beside the running service; `leads act` refuses while it runs and,
#     once it is stopped, leaves the revision in the outbox, published at the next start.
# The clock is pinned: leads made on Monday 2026-03-02 09:00, the service on Wednesday
# 10:00, so every red lead (1 working day to accept) is overdue and no other is.
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
# shellcheck source=fixtures/api_lib.bash
source "$FIXTURES/api_lib.bash"
T0=$SECONDS
SERVICE_NOW=2026-03-04T10:00:00+08:00

api_state 6000 21
# Four non-red leads of one region and one rule (A, D: the rule's precision), and two
# more of that region (B, C).
read -r REGION RULE < <(jq -r '[.[] | select(.level != "red" and .region != null)] | group_by([.region[0:4], .rule])
  | map(select(length >= 4)) | max_by(length) | .[0] | "\(.region[0:4]) \(.rule)"' "$T/leads.json")
mapfile -t PICK < <(jq -r --arg p "$REGION" --arg r "$RULE" '[.[] | select(.level != "red" and (.region // "" | startswith($p)))]
  | (map(select(.rule == $r)) | .[0:2] | map(.id)) as $ad | ($ad + ([.[] | select(.id as $i | $ad | index($i) | not)] | .[0:2] | map(.id))) | .[]' "$T/leads.json")
A=${PICK[0]} D=${PICK[1]} B=${PICK[2]} C=${PICK[3]}
check "four leads picked in region $REGION (rule $RULE)" [ -n "$C" ]
in_scope=$(jq --arg p "$REGION" '[.[] | select(.region // "" | startswith($p))] | length' "$T/leads.json")
red_in_scope=$(jq --arg p "$REGION" '[.[] | select((.region // "" | startswith($p)) and .level == "red")] | length' "$T/leads.json")
rule_in_scope=$(jq --arg p "$REGION" --arg r "$RULE" '[.[] | select((.region // "" | startswith($p)) and .rule == $r)] | length' "$T/leads.json")
all_live=$(jq length "$T/leads.json")

user r1 regulator "$REGION"
user r2 regulator 9999
user rd regulator "$REGION,无此处室"
user s1 supervisor
user a1 author
user au auditor
user au9 auditor 9999
user ad admin
check "users.json keeps no token" bash -c "! grep -q '$TOKEN_r1' '$T/state/users.json'"

start_run api "$T/state" REGWATCH_NOW=$SERVICE_NOW
API=$HTTP_api
BROKER=$(grep -o '127.0.0.1:[0-9]*' "$T/api.out" | head -1)

# ---- sign-in --------------------------------------------------------------------------
api GET /api/me ""
expect "no token: 401" 401 unauthorized
TOKEN_bogus=rw_0000
api GET /api/me bogus
expect "unknown token: 401" 401 unauthorized
same "the scheme is case-insensitive (bearer)" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: bearer $TOKEN_r1" "http://$API/api/me")" 200
api GET /api/me r1
same "GET /api/me names the user, role and scope" "$(jq_body '"\(.name) \(.role) \(.scope.regions[0])"')" "r1 regulator $REGION"

# ---- lists ----------------------------------------------------------------------------
api GET "/api/leads?limit=500" r1
same "a regulator lists exactly the leads of their region" "$(jq_body .total)" "$in_scope"
same "… and no lead outside it" "$(jq_body --arg p "$REGION" '[.leads[] | select(.region | startswith($p) | not)] | length' 2>/dev/null || jq -r --arg p "$REGION" '[.leads[] | select(.region | startswith($p) | not)] | length' "$T/body")" 0
api GET "/api/leads?limit=500" s1
same "a supervisor of everywhere lists every live lead" "$(jq_body .total)" "$all_live"
api GET "/api/leads?limit=500" r2
same "a regulator of another region lists none" "$(jq_body .total)" 0
api GET "/api/leads?limit=3" r1
p1=$(jq_body '[.leads[].id] | join(",")')
api GET "/api/leads?limit=3&offset=3" r1
p2=$(jq_body '[.leads[].id] | join(",")')
same "paging: the second page has the same total" "$(jq_body .total)" "$in_scope"
same "paging: pages do not overlap" "$(comm -12 <(tr , '\n' <<<"$p1" | sort) <(tr , '\n' <<<"$p2" | sort) | wc -l)" 0
same "paging: a page holds limit leads" "$(tr , '\n' <<<"$p2" | wc -l)" 3
api GET "/api/leads?sort=level&limit=500" s1
same "sort=level puts red first" "$(jq_body '[.leads[].level] | .[0]')" red
same "sort=level is ordered" "$(jq_body '[.leads[].level | {"red":0,"orange":1,"yellow":2,"blue":3}[.]] | . == sort')" true
api GET "/api/leads?rule=$RULE&limit=500" r1
same "filter rule" "$(jq_body .total)" "$rule_in_scope"
api GET "/api/leads?level=red&overdue=true&limit=500" r1
same "overdue: every red lead is past its accept deadline (1 working day)" "$(jq_body .total)" "$red_in_scope"
api GET "/api/leads?overdue=true&level=orange,yellow,blue" r1
same "overdue: no other level is" "$(jq_body .total)" 0
ENT=$(jq -r --arg a "$A" '.[] | select(.id == $a) | .entity' "$T/leads.json")
api GET "/api/leads?entity=$ENT&limit=500" r1
same "filter entity" "$(jq_body .total)" "$(jq --arg e "$ENT" '[.[] | select(.entity == $e)] | length' "$T/leads.json")"
api GET "/api/leads?created_from=2026-03-02&created_to=2026-03-02" r1
same "filter created range (the replay's day)" "$(jq_body .total)" "$in_scope"
api GET "/api/leads?created_from=2026-03-03" r1
same "filter created range (a later day)" "$(jq_body .total)" 0
for q in limit=0 limit=501 offset=-1 status=bogus level=purple overdue=maybe sort=name created_from=yesterday mode=x; do
  api GET "/api/leads?$q" r1
  expect "bad filter $q: 400" 400 bad_value
done

# ---- transitions ----------------------------------------------------------------------
ACTIONS=(accept verify confirm dismiss return reassign close send_back reopen urge)
declare -A BODY=(
  [accept]='{"action":"accept"}' [verify]='{"action":"verify","note":"现场核查"}'
  [confirm]='{"action":"confirm","measure":"责令改正","decision_ref":"宁市监责改〔2026〕12号","note":"经核查属实"}'
  [dismiss]='{"action":"dismiss","reason":"规则误报","note":"投诉重复"}' [return]='{"action":"return","reason":"不属本部门"}'
  [reassign]='{"action":"reassign","department":"食品生产监管处"}' [close]='{"action":"close","note":"审核通过"}'
  [send_back]='{"action":"send_back","note":"证据不足"}' [reopen]='{"action":"reopen","note":"复查"}'
  [urge]='{"action":"urge","note":"请尽快处理"}')
declare -A REG_ALLOWED=([new]="accept return" [accepted]="verify" [verifying]="confirm dismiss"
  [confirmed]="" [dismissed]="" [closed]="" [returned]="")
declare -A SUP_ALLOWED=([new]="accept return urge" [accepted]="verify urge" [verifying]="confirm dismiss urge"
  [confirmed]="close send_back urge" [dismissed]="close send_back urge" [closed]="reopen" [returned]="reassign urge")
SUPERVISOR_ONLY=" reassign close send_back reopen urge "
done_actions=0

audit_total() { api GET "/api/audit?limit=1" au; jq_body .total; }
revision() { api GET "/api/leads/$1" s1; jq_body .lead.revision; }

# act WHO LEAD ACTION STATUS_AFTER: takes an allowed action.
act() {
  api POST "/api/leads/$2/actions" "$1" "${BODY[$3]}"
  if [ "$CODE" = 200 ] && [ "$(jq_body .lead.status)" = "$4" ]; then
    ok "$1 $3 → $4"
    done_actions=$((done_actions + 1))
  else
    bad "$1 $3 → $4" "$CODE $(body | head -c 300)"
  fi
}

# refusals LEAD STATUS: every action neither role may take now is refused, with nothing written.
refusals() {
  local lead=$1 st=$2 a rev0 aud0 want
  rev0=$(revision "$lead")
  aud0=$(audit_total)
  for a in "${ACTIONS[@]}"; do
    if [[ $SUPERVISOR_ONLY == *" $a "* ]]; then
      api POST "/api/leads/$lead/actions" r1 "${BODY[$a]}"
      expect "$st: a regulator may not $a (403)" 403 forbidden
    elif [[ " ${REG_ALLOWED[$st]} " != *" $a "* ]]; then
      api POST "/api/leads/$lead/actions" r1 "${BODY[$a]}"
      want=$(jq -cn --arg s "${REG_ALLOWED[$st]}" '$s | split(" ") | map(select(. != ""))')
      same "$st: $a refused for a regulator (409, allowed $want)" "$CODE $(jq_body '.error.code') $(jq -c .error.allowed "$T/body")" "409 illegal_transition $want"
    fi
    if [[ " ${SUP_ALLOWED[$st]} " != *" $a "* ]]; then
      api POST "/api/leads/$lead/actions" s1 "${BODY[$a]}"
      expect "$st: $a refused for a supervisor (409)" 409 illegal_transition
    fi
  done
  same "$st: refused actions wrote no revision" "$(revision "$lead")" "$rev0"
  same "$st: refused actions wrote no audit entry" "$(audit_total)" "$aud0"
}

refusals "$B" new
act r1 "$A" accept accepted
refusals "$A" accepted
act r1 "$A" verify verifying
refusals "$A" verifying
act r1 "$A" confirm confirmed
refusals "$A" confirmed
api GET "/api/leads/$A" r1
same "the disposition holds the measure and decision" "$(jq_body '.lead.disposition | "\(.result) \(.measure) \(.decision_ref) \(.by)"')" "confirmed 责令改正 宁市监责改〔2026〕12号 r1"
same "the assignee is who accepted" "$(jq_body .lead.assignee)" r1
act s1 "$A" close closed
refusals "$A" closed
api GET "/api/leads/$A" r1
same "close keeps the disposition and adds who closed it" "$(jq_body '.lead.disposition | "\(.result) \(.closed_by)"')" "confirmed s1"
same "the timeline lists creation and every action in order" "$(jq_body '[.timeline[].action] | join(",")')" "create,accept,verify,confirm,close"
same "timeline entries carry actor, role and changed fields" "$(jq_body '.timeline[3] | "\(.actor) \(.role) \(.changes.status | join("→"))"')" "r1 regulator verifying→confirmed"

act r1 "$D" accept accepted
act r1 "$D" verify verifying
act r1 "$D" dismiss dismissed
refusals "$D" dismissed
api GET "/api/leads/$D" r1
same "a dismissal records its reason" "$(jq_body '.lead.disposition | "\(.result) \(.reason)"')" "dismissed 规则误报"

act r1 "$B" return returned
refusals "$B" returned
dep0=$(jq -r --arg b "$B" '.[] | select(.id == $b) | .department' "$T/leads.json")
act s1 "$B" reassign new
api GET "/api/leads/$B" s1
same "reassign moves the lead to the new department" "$(jq_body .lead.department)" 食品生产监管处
same "… and records the change" "$(jq_body '.timeline[-1].changes.department | join("→")')" "$dep0→食品生产监管处"
# Wednesday 2026-03-04 plus the level's working days to accept (no holiday that week)
declare -A ACCEPT_BY=([orange]=2026-03-06 [yellow]=2026-03-09 [blue]=2026-03-11)
same "… with new deadlines from now" "$(jq_body '.lead.due.accept_by[0:10]')" "${ACCEPT_BY[$(jq_body .lead.level)]}"
rev_b=$(jq_body .lead.revision)
act s1 "$B" urge new
api GET "/api/leads/$B" s1
same "urge changes no state (same revision)" "$(jq_body .lead.revision)" "$rev_b"
same "urge is on the timeline and counted" "$(jq_body '"\(.timeline[-1].action) \(.lead.urges)"')" "urge 1"
api GET "/api/leads?urged=true" s1
same "urged leads are listed for supervisors" "$(jq_body '[.leads[].id] | join(",")')" "$B"

act r1 "$C" accept accepted
act r1 "$C" verify verifying
act r1 "$C" confirm confirmed
act s1 "$C" send_back verifying
api GET "/api/leads/$C" s1
same "send back clears the disposition" "$(jq_body .lead.disposition)" null
act r1 "$C" dismiss dismissed
act s1 "$C" close closed
act s1 "$C" reopen new
api GET "/api/leads/$C" s1
same "reopen clears assignee and disposition" "$(jq_body '"\(.lead.assignee) \(.lead.disposition)"')" "null null"

# stale revision
rev=$(revision "$C")
api POST "/api/leads/$C/actions" r1 "{\"action\":\"accept\",\"revision\":$((rev - 1))}"
expect "a stale revision is refused (409 conflict)" 409 conflict
api POST "/api/leads/$C/actions" r1 "{\"action\":\"accept\",\"revision\":$rev}"
same "the current revision is taken" "$CODE $(jq_body .lead.status)" "200 accepted"
done_actions=$((done_actions + 1))

# ---- roles and scope ------------------------------------------------------------------
for who in a1 au ad; do
  api POST "/api/leads/$B/actions" "$who" "${BODY[accept]}"
  expect "$who may not act on leads (403)" 403 forbidden
done
api GET "/api/leads/$A" r2
expect "a lead out of scope reads as missing (404)" 404 not_found
api POST "/api/leads/$B/actions" r2 "${BODY[accept]}"
expect "… and cannot be acted on (404)" 404 not_found
api GET "/api/leads/Lnonexistent000000000" s1
expect "an unknown lead: 404" 404 not_found
# error messages quote the request: bytes that are not UTF-8, or a long value cut inside a
# character, still make a JSON error (they stopped the service once)
api GET "/api/leads/%FF" r1
expect "an id that is not UTF-8: 404" 404 not_found
api GET "/api/leads/a$(printf '%%E7%%9B%%91%.0s' $(seq 200))" r1
expect "a 601-byte Chinese id: 404" 404 not_found
api POST "/api/leads/$A/actions" r1 "{\"action\":\"$(printf '监%.0s' $(seq 200))\"}"
expect "a 600-byte unknown action: 400" 400 bad_value
api GET "/api/leads?created_from=%FF" s1
expect "a filter value that is not UTF-8: 400" 400 bad_value
api GET "/healthz" ""
same "the service is still up" "$CODE" 200
api GET "/api/entities/$ENT" r1
same "an entity in scope: profile and its leads" "$CODE $(jq_body --arg a "$A" '[.leads[].id] | index($a) != null' 2>/dev/null || jq -r --arg a "$A" '[.leads[].id] | index($a) != null' "$T/body")" "200 true"
api GET "/api/entities/$ENT" r2
expect "an entity out of scope: 404" 404 not_found
# a rule's suppression names its open lead: shown only to those who may see that lead
api GET "/api/entities/$ENT" r1
same "an entity's suppressions name leads its reader sees" "$(jq_body '(.suppress | length > 0) and ([.suppress[].lead] - [.leads[].id] == [])')" true
same "each suppression's start also in local time (+08:00), the same instant as t0" \
  "$(jq_body '[.suppress[] | (.t0_local | test("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+08:00$")) and ((.t0_local | sub("\\+08:00$"; "Z") | fromdate) - 28800 == (.t0 | floor))] | all')" true
api GET "/api/entities/$ENT" rd
same "a reader of the region but not the leads' department sees no lead of it, suppressed or not" "$CODE $(jq_body '(.leads | length) + (.suppress | length)')" "200 0"
# an entity id may hold '/' (events.md): the path arrives decoded, the record is still found
printf '%s\n' 'X/1|{"id":"slash-1","type":"complaint","entity":"X/1","time":"2026-03-03T10:00:00+08:00","region":"320102","attrs":{"category":"food","channel":"hotline"}}' |
  kcat -P -b "$BROKER" -t regwatch.events -K '|'
for _ in $(seq 50); do
  api GET "/api/entities/X%2F1" s1
  [ "$CODE" = 200 ] && break
  sleep 0.2
done
same "an entity id holding '/' is found (/api/entities/X%2F1)" "$CODE $(jq_body .entity)" "200 X/1"
api GET "/api/leads?limit=1" a1
expect "authors read leads" 200
api GET /api/audit a1
expect "authors do not read the audit log (403)" 403 forbidden
api GET /api/audit r1
expect "regulators do not read the audit log (403)" 403 forbidden
api GET "/api/leads?limit=1" ad
expect "admins manage users and reloads, they do not read leads (403)" 403 forbidden
api GET /api/stats ad
expect "... nor statistics (403)" 403 forbidden

# ---- malformed requests ---------------------------------------------------------------
rev0=$(revision "$B")
aud0=$(audit_total)
api POST "/api/leads/$B/actions" r1 '{bad'
expect "malformed JSON: 400" 400 bad_json
api POST "/api/leads/$B/actions" r1 '[]'
expect "not an object: 400" 400 bad_request
api POST "/api/leads/$B/actions" r1 '{}'
expect "no action: 400" 400 missing_field
api POST "/api/leads/$B/actions" r1 '{"action":"accept","x":1}'
expect "an unknown field: 400" 400 unknown_field
api POST "/api/leads/$B/actions" r1 '{"action":"fly"}'
expect "an unknown action: 400" 400 bad_value
api POST "/api/leads/$B/actions" r1 '{"action":"accept","note":5}'
expect "a note that is not text: 400" 400 bad_value
api POST "/api/leads/$B/actions" r1 '{"action":"accept","action":"return"}'
expect "a duplicate key: 400" 400 bad_json
api POST "/api/leads/$A/actions" s1 '{"action":"reopen"}'
expect "reopen without a note: 400" 400 missing_field
api POST "/api/leads/$B/actions" r1 '{"action":"dismiss","reason":"看心情","note":"x"}'
expect "a dismiss reason outside the list: 400" 400 bad_value
head -c 100000 /dev/zero | tr '\0' a | sed 's/^/{"action":"accept","note":"/; s/$/"}/' >"$T/big.json"
api POST "/api/leads/$B/actions" r1 "@$T/big.json"
expect "a 100 KB body: 413" 413 body_too_large
head -c 3000000 /dev/zero | tr '\0' a >"$T/huge.json"
api POST "/api/leads/$B/actions" r1 "@$T/huge.json"
expect "a 3 MB body: 413" 413 body_too_large
api PUT /api/leads r1 '{}'
expect "PUT /api/leads: 405" 405 method_not_allowed
api POST "/api/leads/$B" r1 "${BODY[accept]}"
expect "POST to a lead itself: 405" 405 method_not_allowed
api GET "/api/leads/$B/actions" r1
expect "GET …/actions: 405" 405 method_not_allowed
api DELETE "/api/leads/$B" r1
expect "DELETE a lead: 405" 405 method_not_allowed
api POST /api/leads r1 '{}'
expect "POST /api/leads (a GET path): 405, not the catch-all's 404" 405 method_not_allowed
api GET /api/backtest r1
expect "GET /api/backtest (a POST path): 405" 405 method_not_allowed
# RFC 9110: a 405 names the methods the path takes
allow_of() {
  curl -s -o /dev/null -D - -X "$1" -H "Authorization: Bearer $TOKEN_r1" "http://$API$2" |
    tr -d '\r' | sed -n 's/^Allow: //Ip'
}
same "PUT /api/leads: Allow: GET, HEAD" "$(allow_of PUT /api/leads)" "GET, HEAD"
same "GET …/actions: Allow: POST" "$(allow_of GET "/api/leads/$B/actions")" "POST"
same "POST to a lead itself: Allow: GET, HEAD" "$(allow_of POST "/api/leads/$B")" "GET, HEAD"
same "GET /api/backtest: Allow: POST" "$(allow_of GET /api/backtest)" "POST"
same "POST /metrics: Allow: GET, HEAD" "$(allow_of POST /metrics)" "GET, HEAD"
api GET /api/nothing r1
expect "an unknown path: 404" 404 not_found
api DELETE /api/nothing r1
expect "an unknown path by another method: 404, not 405" 404 not_found
same "HEAD is served as GET" "$(curl -s -o /dev/null -w '%{http_code}' -I -H "Authorization: Bearer $TOKEN_r1" "http://$API/api/me")" 200
# a query the handler would not read is refused, never half-applied
api GET "/api/leads?staus=new" r1
expect "a misspelt parameter: 400" 400 unknown_param
api GET "/api/leads?status=new&status=accepted" r1
expect "a parameter given twice: 400 (values go comma-separated)" 400 bad_value
api GET "/api/leads?status=%FF" r1
expect "a status that is not UTF-8: 400" 400 bad_value
api GET "/api/leads?region=%FF" r1
expect "a region that is not UTF-8: 400" 400 bad_value
api GET "/api/me?x=1" r1
expect "a parameter to an endpoint that takes none: 400" 400 unknown_param
api GET "/api/leads?status=,&limit=500" r1
same "an empty list is no filter" "$CODE $(jq_body .total)" "200 $in_scope"
same "malformed requests wrote no revision" "$(revision "$B")" "$rev0"
same "malformed requests wrote no audit entry" "$(audit_total)" "$aud0"

# ---- audit, statistics, rules, statutes -----------------------------------------------
api GET "/api/audit?limit=500" au
same "the audit log holds one entry per action taken" "$(jq_body .total)" "$done_actions"
same "audit entries chain by hash" "$(jq_body '[.entries | range(1; length) as $i | .[$i].prev == .[$i - 1].hash] | all')" true
api GET "/api/audit?lead=$A" au
same "audit entries of one lead" "$(jq_body '[.entries[].action] | join(",")')" "accept,verify,confirm,close"
api GET /api/audit au9
same "an auditor sees only entries of leads in scope" "$(jq_body .total)" 0
api GET /api/audit/verify au
same "GET /api/audit/verify: intact" "$(jq_body '"\(.ok) \(.entries)"')" "true $done_actions"

api GET "/api/rules/$RULE/stats" r1
same "rule statistics: leads, confirmed, dismissed by reason" \
  "$(jq_body '"\(.leads) \(.confirmed) \(.dismissed) \(.dismissed_by_reason["规则误报"])"')" "$rule_in_scope 1 1 1"
same "precision = confirmed / (confirmed + dismissed)" "$(jq_body .precision)" 0.5
same "median hours to accept (created Monday 09:00, accepted Wednesday 10:00)" "$(jq_body .median_hours_to_accept)" 49
same "median hours to close" "$(jq_body .median_hours_to_close)" 49
api GET /api/rules/NO-SUCH-RULE/stats r1
expect "statistics of an unknown rule: 404" 404 not_found
api GET "/api/stats?by=region" s1
same "statistics by region cover every live lead" "$(jq_body '[.groups[].leads] | add')" "$all_live"
shadow=$(jq -s '[.[] | select(.mode == "shadow")] | group_by(.id) | length' "$T/replay.leads")
api GET "/api/leads?mode=shadow&limit=1" s1
same "shadow leads are kept in the store, apart from the queue" "$(jq_body .total)" "$shadow"
api GET "/api/stats?by=rule&mode=shadow" s1
same "… with the same statistics, for shadow rules only" "$(jq_body '[.groups[].leads] | add // 0')" "$shadow"
api GET /api/rules s1
jq -r '.rules[] | select(.mode == "shadow") | .id' "$T/body" | sort >"$T/shadow_rules"
same "… and only rules in shadow mode make them" \
  "$(jq -rs '[.[] | select(.mode == "shadow") | .rule] | unique | .[]' "$T/replay.leads" | comm -23 - "$T/shadow_rules" | wc -l)" 0
api GET "/api/stats?by=colour" s1
expect "statistics by an unknown grouping: 400" 400 bad_value
api GET /api/rules a1
same "GET /api/rules lists the loaded rules with their clauses" "$(jq_body --arg r "$RULE" '[.rules[] | select(.id == $r)][0].clauses | length > 0' 2>/dev/null || jq -r --arg r "$RULE" '[.rules[] | select(.id == $r)][0].clauses | length > 0' "$T/body")" true
api GET "/api/statutes/food-safety-law%2334.1.6" r1
same "GET /api/statutes/{ref}: the law and its versions" "$(jq_body '"\(.law) \(.versions | length >= 1) \(.versions[0].label)"')" "中华人民共和国食品安全法 true 第三十四条第六项"
api GET /api/laws r1
same "GET /api/laws lists the library" "$(jq_body '.laws | length >= 16')" true
LAW2=$(jq_body '[.laws[] | select(.versions | length >= 2)][0].id')
api GET "/api/laws/$LAW2/diff" r1
same "GET /api/laws/{id}/diff compares its last two versions" "$CODE $(jq_body '.summary | length > 0')" "200 true"
api GET "/api/laws/$LAW2/diff?from=1900-01-01" r1
expect "a diff from before the first version: 404" 404 not_found
api GET "/api/statutes/no-such-law%231" r1
expect "an unknown statute: 404" 404 not_found

# ---- checks and backtests for authors -------------------------------------------------
api POST /api/check a1 '{"ruleset":"ruleset: food\nrules: [","ruleset_name":"food.yaml"}'
same "POST /api/check reports a broken candidate at file:line:col" \
  "$CODE $(jq_body '"\(.ok) \(.diagnostics[0].file):\(.diagnostics[0].line):\(.diagnostics[0].col) \(.diagnostics[0].severity)"')" "200 false food.yaml:3:1 error"
api POST /api/check r1 '{}'
expect "regulators do not check rules (403)" 403 forbidden
api POST /api/backtest s1 '{}'
expect "supervisors do not run backtests: authors do (403)" 403 forbidden
head -2000 "$T/events.jsonl" | jq -Rs '{events: ., sweep: "FOOD-COMPLAINT-SURGE:complaint_surge_7d=2..4"}' >"$T/bt.json"
api POST /api/backtest a1 "@$T/bt.json"
same "POST /api/backtest sweeps over uploaded events (a body over 64 KiB is fine here)" \
  "$CODE $(jq_body '"\(.report.kind) \(.report.sweep.values | length)"')" "200 sweep 3"
api POST /api/backtest a1 '{"sweep":"FOOD-COMPLAINT-SURGE:complaint_surge_7d=2..4"}'
expect "a backtest without events: 400" 400 bad_events
api POST /api/backtest a1 '{"events":"","sweep":"NO-RULE:x=1..2"}'
expect "a sweep of an unknown rule: 422 with diagnostics" 422 check_failed
api POST /api/backtest a1 '{"events":"not json\n{\"id\":1}\n","sweep":"FOOD-COMPLAINT-SURGE:complaint_surge_7d=2..4"}'
same "events of which none is valid: 400, saying so (not a report of no change)" \
  "$CODE $(jq_body .error.code) $(jq_body '.error.message | test("没有有效事件")')" "400 bad_events true"
api POST /api/backtest a1 '{"from":"2026-12-01","to":"2026-01-01","sweep":"FOOD-COMPLAINT-SURGE:complaint_surge_7d=2..4"}'
same "a reversed range: 400, saying so" "$CODE $(jq_body '.error.message | test("早于起始")')" "400 true"
api POST /api/backtest r1 "@$T/bt.json"
expect "regulators do not run backtests (403)" 403 forbidden

# ---- users through the API ------------------------------------------------------------
api POST /api/users ad '{"name":"r3","role":"regulator","scope":"3201"}'
same "an admin adds a user (201, token once)" "$CODE $(jq_body '.token | startswith("rw_")')" "201 true"
TOKEN_r3=$(jq_body .token)
api GET /api/me r3
same "the new token signs in" "$CODE $(jq_body .name)" "200 r3"
api POST /api/users ad '{"name":"r3","role":"regulator"}'
expect "a taken name: 409" 409 conflict
api POST /api/users ad '{"name":"r4","role":"king"}'
expect "an unknown role: 400" 400 bad_value
api POST /api/users r1 '{"name":"r5","role":"admin"}'
expect "a regulator cannot add users (403)" 403 forbidden
api GET /api/users ad
same "users list without tokens" "$(jq_body '[.users[] | has("token_sha256")] | any')" false

# ---- the leads topic ------------------------------------------------------------------
consume regwatch.leads "$T/topic.env"
same "each change of lead A was published as the next revision" \
  "$(jq -r --arg a "$A" '.payload | fromjson | select(.id == $a) | "\(.revision):\(.status)"' "$T/topic.env" | sort -n | tr '\n' ' ')" \
  "2:accepted 3:verifying 4:confirmed 5:closed "
same "the overdue sweep republished every overdue red lead" \
  "$(jq -r '.payload | fromjson | select(.overdue == true) | .id' "$T/topic.env" | sort -u | wc -l)" \
  "$(jq '[.[] | select(.level == "red")] | length' "$T/leads.json")"

# ---- the CLI beside the service, and after it ------------------------------------------
same "regwatch leads show reads beside the running service" \
  "$("$RW_BIN" leads show "$A" --state "$T/state" | jq -r '[.timeline[].action] | join(",")')" "create,accept,verify,confirm,close"
check "regwatch audit verify reads beside the running service" "$RW_BIN" audit verify --state "$T/state"
out=$("$RW_BIN" leads act "$B" accept --as r1 --state "$T/state" --rules "$RULES" --models "$MODELS" 2>&1 || true)
check "regwatch leads act refuses while the service holds the state, pointing to the API" grep -q 'HTTP API' <<<"$out"
stop_pid TERM "$PID_api"
same "the service stops cleanly" "$STOP_RC" 0
rc=0
out=$("$RW_BIN" leads act "$B" accept --as r1 --revision 1x --state "$T/state" --rules "$RULES" --models "$MODELS" 2>&1) || rc=$?
same "leads act --revision 1x is refused, not read as 1" "$rc $out" '2 regwatch leads: --revision 需要不小于 1 的整数，这里是 "1x"'
out=$(REGWATCH_NOW=$SERVICE_NOW "$RW_BIN" leads act "$B" accept --as r1 --note 已签收 --state "$T/state" --rules "$RULES" --models "$MODELS")
same "regwatch leads act accepts a lead" "$(jq -r .lead.status <<<"$out")" accepted
unset BROKER # the first service's embedded broker went with it
start_run api2 "$T/state" REGWATCH_NOW=$SERVICE_NOW
BROKER=$(grep -o '127.0.0.1:[0-9]*' "$T/api2.out" | head -1)
poll 10 bash -c "kcat -C -b $BROKER -t regwatch.leads -o beginning -e -q | grep -q '\"id\":\"$B\".*\"status\":\"accepted\"'" &&
  ok "the CLI's revision is published when the service starts" || bad "the CLI's revision is published when the service starts"
"$RW_BIN" audit list --state "$T/state" --lead "$B" >"$T/audit_b.jsonl"
same "the CLI's action is in the audit log, marked as such" "$(jq -r 'select(.action == "accept") | "\(.actor) \(.via)"' "$T/audit_b.jsonl")" "r1 cli"
stop_pid TERM "$PID_api2"
finish
