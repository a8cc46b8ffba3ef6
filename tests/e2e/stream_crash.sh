#!/usr/bin/env bash
# Crash safety of `regwatch run` (events.md: "after a crash at any point, a restart
# neither loses the event's effect nor applies it twice"; performance.md: "kill -9
# under load, restart: no lost or duplicated lead").
#
# A generated stream is fed onto a separate `regwatch broker` (so the topics outlive
# the service) in small chunks while one service instance is killed with SIGKILL at
# random moments — in steady work, and while catching up a backlog — and restarted on
# the same state directory, several times; small batches (config batch.max_events)
# put many commit boundaries in the way. A last instance then drains the topic. What
# a user would check afterwards, against `regwatch replay` of the same events (the
# reference):
#   - the leads topic, latest revision per id, is exactly replay's live lead set: no
#     lead missing, none extra, every field equal (hits and evidence would show an
#     event applied twice or lost); a revision repeated by a redelivery is identical;
#   - every entity's state (processing counter, dedup record, aggregates, profile,
#     suppression) equals replay's byte for byte (the dedup set sorted, see
#     fixtures/state_dump.c): the per-entity event counts behind every rule match;
#   - the per-entity applied-event counters (in the entity state) add up to replay's
#     "applied" total;
#   - re-feeding the whole stream over the service's state applies nothing and raises
#     no lead: every event is found in the dedup record, or is older than its
#     400-day retention (then it counts as late);
#   - the offsets stored with the state are the end of every partition, and the
#     outbox is empty after a graceful stop.
# Set RW_CRASH_SEED to repeat the kill moments of a run.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

N=${RW_CRASH_EVENTS:-16000}
KILLS=${RW_CRASH_KILLS:-4}
seed=${RW_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
echo "kill-moment seed $seed (RW_CRASH_SEED=$seed repeats them)"

"$RW_GEN" --events "$N" --seed 11 >"$T/events.jsonl"
"$RW_GEN" --events "$N" --seed 11 --format kcat >"$T/events.kcat"
"$RW_BIN" replay "$T/events.jsonl" --rules "$RULES" --models "$MODELS" --state "$T/replay.state" \
  --out "$T/replay.leads" 2>"$T/replay.err"
expected_leads "$T/replay.leads" >"$T/expected"
read -r r_applied r_dup r_late _ _ < <(replay_counts "$T/replay.err")
note "replay: applied $r_applied, duplicate $r_dup, late $r_late; $(wc -l <"$T/expected") live leads"
build_state_dump

start_broker 4
cat >"$T/run.json" <<'EOF'
{"batch": {"max_events": 200, "max_ms": 20}}
EOF
RUN_ARGS="-c $T/run.json"
# a killed member leaves the group only when its session times out
fast_group=(REGWATCH_KAFKA_SESSION_TIMEOUT_MS=3000 REGWATCH_KAFKA_HEARTBEAT_INTERVAL_MS=300)

# The stream in KILLS+1 portions: portion k is fed while instance k runs, in chunks
# of 200 events every 0.1 s. For odd k the feeding starts once the instance has its
# partitions and the kill comes 0.2–1.7 s into its steady work; for even k the portion
# piles up while the instance joins the group and the kill comes 0–0.3 s into
# catching up that backlog. Whatever the killed instance left reaches the next one.
mkdir "$T/chunks"
per=$(((N + KILLS) / (KILLS + 1)))
split -l "$per" -d -a 2 "$T/events.kcat" "$T/chunks/p"
feed() { # feed PORTION_FILE: in the background; sets $feeder
  (
    split -l 200 -d -a 3 "$1" "$1.c"
    for f in "$1".c*; do
      produce "$f"
      sleep 0.1
    done
  ) &
  feeder=$!
  track "$feeder"
}
portions=("$T"/chunks/p*)

# since_start NAME PATTERN: the pattern occurs in the log after the last start marker.
since_start() { awk -v p="$2" '/^---- start/ { n = 0 } $0 ~ p { n++ } END { exit n ? 0 : 1 }' "$T/$1.log"; }

kills_mid_stream=0
for k in $(seq "$KILLS"); do
  [ $((k % 2)) -eq 0 ] && feed "${portions[k - 1]}"
  start_run svc "$T/state" "${fast_group[@]}"
  poll 30 since_start svc '分配分区' || { bad "kill $k: instance got no partition"; break; }
  [ $((k % 2)) -eq 1 ] && feed "${portions[k - 1]}"
  POLL_SLEEP=0.02 poll 20 consumed_at_least "$HTTP_svc" 1 || true
  if [ $((k % 2)) -eq 1 ]; then delay=$((200 + RANDOM % 1500)); else delay=$((RANDOM % 300)); fi
  sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
  got=$(consumed "$HTTP_svc")
  lag=$(metric "$HTTP_svc" 'regwatch_consumer_lag\{')
  stop_pid KILL "$PID_svc"
  [ "$got" -gt 0 ] && kills_mid_stream=$((kills_mid_stream + 1))
  note "kill -9 #$k, ${delay} ms after its first batch: it had taken $got events, lag $lag at its last batch"
  wait "$feeder" || true
done
check "the instance was killed $KILLS times, each time after taking events" [ "$kills_mid_stream" -eq "$KILLS" ]

feed "${portions[KILLS]}"
start_run svc "$T/state" "${fast_group[@]}"
if poll 60 http_ok "$HTTP_svc" /readyz && poll 60 leads_match "$T/expected"; then
  ok "after $KILLS kills the leads topic holds replay's exact lead set ($(wc -l <"$T/expected") leads)"
else
  bad "after $KILLS kills the leads topic holds replay's exact lead set"
  explain_leads "$T/expected" "$T/leads.actual"
fi
resent=$(grep -o '重发发件箱中未确认投递的 [0-9]* 条记录' "$T/svc.log" | grep -o '[0-9]\+' | paste -sd+ | bc || true)
note "outbox records re-sent after kills: ${resent:-0}; revisions on the topic: $(wc -l <"$T/leads.env"), replay wrote $(jq -r 'select(.mode != "shadow") | .id' "$T/replay.leads" | wc -l)"
same "a revision repeated after a kill is repeated identically" "$(revision_conflicts "$T/leads.env")" 0
same "every leads message is keyed by its lead id" "$(keys_not_ids "$T/leads.env")" 0
consume regwatch.dlq "$T/dlq.env"
same "nothing went to the dead-letter topic" "$(wc -l <"$T/dlq.env")" 0

stop_pid TERM "$PID_svc"
same "SIGTERM stops the service with status 0" "$STOP_RC" 0

"$STATE_DUMP" "$T/state" meta raw >"$T/meta"
same "the state's offsets are the end of every partition" \
  "$(awk -F'\t' '$1 ~ /^p\/regwatch.events\// { sub(/^p\/regwatch.events\//, "", $1); print $1, $2 }' "$T/meta" | sort -n | paste -sd,)" \
  "$(end_offsets regwatch.events | paste -sd,)"
same "the outbox is empty after a graceful stop" "$(grep -c '^o/' "$T/meta" || true)" 0

compare_state "every entity's state (event record, aggregates, profile, suppression) is replay's" \
  "$T/replay.state" "$T/state"
applied_per_entity "$T/state" >"$T/applied"
same "the per-entity applied-event counters add up to replay's applied total" \
  "$(awk '{ s += $2 } END { print s }' "$T/applied")" "$r_applied"

# Re-feeding the stream over (a copy of) the service's state: nothing new may happen.
cp -r "$T/state" "$T/refeed.state"
"$RW_BIN" replay "$T/events.jsonl" --rules "$RULES" --models "$MODELS" --state "$T/refeed.state" \
  --out "$T/refeed.leads" 2>"$T/refeed.err"
read -r f_applied f_dup f_late _ _ < <(replay_counts "$T/refeed.err")
same "re-feeding the stream over the service's state applies no event" "$f_applied" 0
same "... every event is found already applied, or beyond the dedup retention (duplicate + late = all $N)" \
  "$((f_dup + f_late))" "$N"
same "... and raises no lead revision" "$(wc -l <"$T/refeed.leads")" 0

finish
