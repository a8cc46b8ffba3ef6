#!/usr/bin/env bash
# Two instances in one consumer group (product.md: "partitions, and with them
# entities, move between instances; an instance that takes over a partition restores
# that partition's state … a replay").
#
# Instances A and B (separate state directories and HTTP ports) share a 6-partition
# events topic on a separate `regwatch broker`. Half the stream goes in; while the
# second half is being fed, A is stopped with SIGTERM. B takes A's partitions over;
# those it never owned it replays from the beginning. Against `regwatch replay`:
#   - A stops cleanly (status 0) and both instances had partitions before;
#   - B is assigned every partition, starting the ones it never had from the earliest
#     offset, the ones it had from the offset stored with its state;
#   - the leads topic, both instances' dispatches together, latest revision per id,
#     is exactly replay's live lead set (B re-dispatches A's leads with the same ids
#     and identical content);
#   - B alone ends with the full state: every entity's record, and every lead (shadow
#     ones too) in its lead store, as replay has them.
# RW_REBALANCE=eager runs the same with the eager protocol.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

N=${RW_REBAL_EVENTS:-12000}
PARTS=6
"$RW_GEN" --events "$N" --seed 31 >"$T/events.jsonl"
"$RW_GEN" --events "$N" --seed 31 --format kcat >"$T/events.kcat"
"$RW_BIN" replay "$T/events.jsonl" --rules "$RULES" --models "$MODELS" --state "$T/replay.state" \
  --out "$T/replay.leads" 2>"$T/replay.err"
expected_leads "$T/replay.leads" >"$T/expected"
note "replay: $(wc -l <"$T/expected") live leads"
build_state_dump
head -n $((N / 2)) "$T/events.kcat" >"$T/first.kcat"
mkdir "$T/chunks"
tail -n +$((N / 2 + 1)) "$T/events.kcat" | split -l 300 -d -a 4 - "$T/chunks/c"

start_broker "$PARTS"
group=(REGWATCH_KAFKA_SESSION_TIMEOUT_MS=6000 REGWATCH_KAFKA_HEARTBEAT_INTERVAL_MS=500
  REGWATCH_REBALANCE="${RW_REBALANCE:-cooperative}")
start_run A "$T/stateA" "${group[@]}"
start_run B "$T/stateB" "${group[@]}"

# owned NAME: the partitions the instance holds now, from its assign/revoke log lines.
owned() {
  awk '/^---- start/ { delete o } match($0, /(分配|撤销)分区 regwatch\.events\[[0-9]+\]/) {
         s = substr($0, RSTART, RLENGTH); p = s; gsub(/[^0-9]/, "", p)
         if (s ~ /分配/) o[p] = 1; else delete o[p] }
       END { for (p in o) print p }' "$T/$1.log" | sort -n | paste -sd,
}
all_parts=$(seq 0 $((PARTS - 1)) | paste -sd,)
both_own() { [ -n "$(owned A)" ] && [ -n "$(owned B)" ] &&
  [ "$(printf '%s,%s' "$(owned A)" "$(owned B)" | tr , '\n' | sort -n | paste -sd,)" = "$all_parts" ]; }
if poll 40 both_own; then
  ok "the group splits the partitions: A has $(owned A), B has $(owned B)"
else
  bad "the group splits the partitions" "A has '$(owned A)', B has '$(owned B)'"
fi
b_before=$(grep -o '分配分区 regwatch\.events\[[0-9]*\]' "$T/B.log" | grep -o '[0-9]*\]' | tr -d ']' | sort -un | paste -sd,)
a_parts=$(owned A)

produce "$T/first.kcat"
half_done() { [ $(($(consumed "$HTTP_A") + $(consumed "$HTTP_B"))) -ge $((N / 2)) ]; }
check "A and B take the first half between them" poll 60 half_done
note "A took $(consumed "$HTTP_A"), B took $(consumed "$HTTP_B")"

(
  for f in "$T"/chunks/c*; do
    produce "$f"
    sleep 0.1
  done
) &
feeder=$!
track "$feeder"
sleep 0.8
stop_pid TERM "$PID_A"
same "A stops on SIGTERM mid-stream with status 0" "$STOP_RC" 0
check "A logs its graceful stop" grep -q '正在停止' "$T/A.log"
b_has_all() { [ "$(owned B)" = "$all_parts" ]; }
check "B is assigned every partition" poll 40 b_has_all

# How B started each of A's former partitions: from the earliest offset when it never
# owned it (no state for it), else from the offset stored with its state.
for p in ${a_parts//,/ }; do
  how=$(grep -o "分配分区 regwatch\.events\[$p\]，从位点 [^ ]*" "$T/B.log" | tail -1 | sed 's/.*从位点 //')
  if [[ ",$b_before," == *",$p,"* ]]; then want='状态中保存的'; else want='最早（状态中没有它的位点）'; fi
  same "B starts partition $p (A's) from: $want" "$how" "$want"
done

wait "$feeder" || true
if poll 60 http_ok "$HTTP_B" /readyz; then
  ok "B reports ready (/readyz 200) once caught up"
else
  bad "B reports ready (/readyz 200) once caught up" "$(metrics "$HTTP_B" | grep '^regwatch_consumer_lag' | paste -sd' ')"
fi
if poll 60 leads_match "$T/expected"; then
  ok "the leads topic (A's and B's dispatches, latest revision per id) is replay's lead set ($(wc -l <"$T/expected") leads)"
else
  bad "the leads topic (A's and B's dispatches, latest revision per id) is replay's lead set"
  explain_leads "$T/expected" "$T/leads.actual"
fi
same "a lead dispatched by both is identical (per id and revision)" "$(revision_conflicts "$T/leads.env")" 0
consume regwatch.dlq "$T/dlq.env"
same "nothing went to the dead-letter topic" "$(wc -l <"$T/dlq.env")" 0

stop_pid TERM "$PID_B"
same "B stops with status 0" "$STOP_RC" 0
compare_state "B alone holds every entity's state as replay has it" "$T/replay.state" "$T/stateB"
"$STATE_DUMP" "$T/stateB" leads raw | cut -f2- | jq -c 'del(.created_at, .due)' | jq -cs 'sort_by(.id) | .[]' >"$T/store.B"
jq -cs 'group_by(.id) | map(max_by(.revision) | del(.created_at, .due)) | sort_by(.id) | .[]' \
  "$T/replay.leads" >"$T/store.expected"
if cmp -s "$T/store.expected" "$T/store.B"; then
  ok "B's lead store holds every lead, shadow ones too, as replay's latest ($(wc -l <"$T/store.B"))"
else
  bad "B's lead store holds every lead, shadow ones too, as replay's latest"
  explain_leads "$T/store.expected" "$T/store.B"
fi

finish
