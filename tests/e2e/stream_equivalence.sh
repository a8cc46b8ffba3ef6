#!/usr/bin/env bash
# Kafka and replay give the same leads; kcat interoperates (product.md: "Replay mode
# runs the same engine over a JSON Lines file"; the embedded broker is reached by
# clients such as kcat over TCP exactly as a real broker).
#
# `regwatch run` with no bootstrap.servers starts its embedded broker and prints the
# address; kcat produces a generated stream onto regwatch.events (key = entity) and,
# once the service has taken every event, consumes regwatch.leads over TCP. Against
# `regwatch replay` of the same file:
#   - the outcome totals (applied, duplicate, late, invalid, unknown type) are equal;
#   - the leads topic carries exactly replay's live lead revisions, each once, equal
#     field for field apart from the wall-clock `created_at`/`due`; shadow leads are
#     recorded by replay but never dispatched;
#   - so the lead set a consumer keeps (latest revision per id) is replay's;
#   - every lead message is keyed by its id, the revisions of one lead share a
#     partition and arrive in increasing order (so "keep the last" works too);
#   - /metrics counts the created leads by rule and level as replay's records say.
# The service runs three engines side by side (REGWATCH_THREADS=3, whatever the
# machine's cores), so all of the above holds for a sharded poll batch.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

N=${RW_EQ_EVENTS:-20000}
"$RW_GEN" --events "$N" --seed 21 >"$T/events.jsonl"
"$RW_GEN" --events "$N" --seed 21 --format kcat >"$T/events.kcat"
"$RW_BIN" replay "$T/events.jsonl" --rules "$RULES" --models "$MODELS" --out "$T/replay.leads" 2>"$T/replay.err"
expected_leads "$T/replay.leads" >"$T/expected"
want_counts=$(replay_counts "$T/replay.err")
shadow=$(jq -r 'select(.mode == "shadow") | .id' "$T/replay.leads" | wc -l)
note "replay: applied/duplicate/late/invalid/unknown $want_counts; $(wc -l <"$T/expected") live leads, $shadow shadow revisions"

# The embedded broker: no bootstrap.servers, the address comes on stdout.
unset BROKER
start_run svc "$T/state" REGWATCH_PARTITIONS=6 REGWATCH_THREADS=3
BROKER=$(grep -o '127\.0\.0\.1:[0-9]\+' "$T/svc.out" | head -1 || true)
check "regwatch run prints its embedded broker's address ($BROKER)" [ -n "$BROKER" ]
check "kcat sees the three topics with 6 partitions on it" bash -c \
  '[ "$(kcat -L -b "$1" | grep -cE "topic \"regwatch\.(events|leads|dlq)\" with 6 partitions")" = 3 ]' _ "$BROKER"

produce "$T/events.kcat"
if poll 60 consumed_at_least "$HTTP_svc" "$N"; then
  ok "the service took all $N events off the topic ($(elapsed))"
else
  bad "the service took all $N events off the topic" "only $(consumed "$HTTP_svc")"
fi
same "outcome totals equal replay's (applied duplicate late invalid unknown)" "$(service_counts "$HTTP_svc")" "$want_counts"

if poll 30 leads_match "$T/expected"; then
  ok "kcat's lead set (latest revision per id) is replay's ($(wc -l <"$T/expected") leads)"
else
  bad "kcat's lead set (latest revision per id) is replay's"
  explain_leads "$T/expected" "$T/leads.actual"
fi

# Every revision once: the topic's revisions are replay's live revisions, as a multiset.
jq -c 'select(.mode != "shadow") | del(.created_at, .due)' "$T/replay.leads" |
  jq -cs 'sort_by(.id, .revision) | .[]' >"$T/revisions.expected"
jq -c '.payload | fromjson | del(.created_at, .due)' "$T/leads.env" |
  jq -cs 'sort_by(.id, .revision) | .[]' >"$T/revisions.actual"
if cmp -s "$T/revisions.expected" "$T/revisions.actual"; then
  ok "every live revision replay wrote is on the topic exactly once ($(wc -l <"$T/revisions.actual"))"
else
  bad "every live revision replay wrote is on the topic exactly once" \
    "$(wc -l <"$T/revisions.expected") expected, $(wc -l <"$T/revisions.actual") on the topic"
fi
check "replay's run has shadow leads ($shadow) to leave out" [ "$shadow" -gt 0 ]
same "no shadow lead is dispatched" "$(jq -r '.payload | fromjson | select(.mode == "shadow") | .id' "$T/leads.env" | wc -l)" 0
same "every lead message is keyed by its lead id" "$(keys_not_ids "$T/leads.env")" 0
same "the revisions of one lead share one partition" \
  "$(jq -r '[.key, .partition] | @tsv' "$T/leads.env" | sort -u | cut -f1 | uniq -d | wc -l)" 0
same "and come in increasing revision order" "$(jq -n -r '
  reduce (inputs | .payload | fromjson) as $l ({last: {}, bad: 0};
    if (.last[$l.id] // 0) >= $l.revision then .bad += 1 else .last[$l.id] = $l.revision end) | .bad' \
  "$T/leads.env")" 0
consume regwatch.dlq "$T/dlq.env"
same "nothing went to the dead-letter topic" "$(wc -l <"$T/dlq.env")" 0

metrics "$HTTP_svc" | grep '^regwatch_leads_total{' |
  sed 's/^regwatch_leads_total{rule="\([^"]*\)",level="\([^"]*\)"} /\1 \2 /' | sort >"$T/by_rule.actual"
jq -r 'select(.revision == 1) | [.rule, .level] | @tsv' "$T/replay.leads" | sort | uniq -c |
  awk '{ print $2, $3, $1 }' | sort >"$T/by_rule.expected"
if cmp -s "$T/by_rule.expected" "$T/by_rule.actual"; then
  ok "regwatch_leads_total{rule,level} counts replay's new leads, shadow too ($(wc -l <"$T/by_rule.actual") rule/level pairs)"
else
  bad "regwatch_leads_total{rule,level} counts replay's new leads, shadow too"
  diff "$T/by_rule.expected" "$T/by_rule.actual" | head -6 | sed 's/^/       /' || true
fi

stop_pid TERM "$PID_svc"
same "SIGTERM stops the service with status 0" "$STOP_RC" 0

# A restart on the same state starts a new, empty embedded broker: the offsets the state
# holds (thousands per partition) are positions in the old one. Events sent at once to
# the new one, as many as that, must all be taken, none skipped by a seek to the old
# offsets (events.md: a restart loses no event's effect). One partition, so the first
# one's stored offset is certainly below what arrives.
R=4000
head -n "$R" "$T/events.jsonl" | jq -c '.id = "R2-\(input_line_number)"' | jq -r '"\(.entity)|\(tojson)"' >"$T/again.kcat"
unset BROKER
start_run svc "$T/state" REGWATCH_PARTITIONS=1
BROKER=$(grep -o '127\.0\.0\.1:[0-9]\+' "$T/svc.out" | head -1 || true)
produce "$T/again.kcat"
poll 30 consumed_at_least "$HTTP_svc" "$R" || true
same "restarted on a new embedded broker, the service takes all $R events sent to it" "$(consumed "$HTTP_svc")" "$R"
check "its log says the new broker is read from the start" grep -q '内嵌 Kafka 每次启动都是空的' "$T/svc.log"
stop_pid TERM "$PID_svc"

finish
