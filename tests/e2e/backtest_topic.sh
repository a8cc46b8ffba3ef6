#!/usr/bin/env bash
# End-to-end test of `regwatch backtest --topic` ($RW_BIN) against the embedded broker
# (`regwatch broker`), fed with `kcat -P`: a history produced in three parts, a second
# apart, is read back between the message timestamps taken between the parts. The
# middle part read from the topic gives the same report as the same events read from a
# file; a range around everything reads every message; an empty range reads none; an
# unknown topic fails with a clear message.
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

start_broker 4
"$RW_GEN" --events 6000 --seed 9 --format kcat >"$T/all.txt"
split -n l/3 -d "$T/all.txt" "$T/part."
cut -d'|' -f2- "$T/part.01" >"$T/middle.jsonl"
stamp() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
t_start=$(stamp)
sleep 1.1
produce "$T/part.00"
sleep 1.1
t1=$(stamp)
sleep 1.1
produce "$T/part.01"
sleep 1.1
t2=$(stamp)
sleep 1.1
produce "$T/part.02"
sleep 1.1
t_end=$(stamp)
note "parts produced; ranges [$t1, $t2) and [$t_start, $t_end)"

rules=(--against "$RULES" --models "$MODELS" --set complaint_surge_7d=3)
topic=(--topic regwatch.events --bootstrap "$BROKER")
bt() { # OUT ARGS…
  local out=$1 rc=0
  shift
  "$RW_BIN" backtest "$@" "${rules[@]}" --json "$out" --quiet 2>"$out.err" || rc=$?
  [ $rc -eq 0 ] || { bad "regwatch backtest $* exited $rc" "$(head -c 400 "$out.err")"; finish; }
}
bt "$T/topic.json" "${topic[@]}" --from "$t1" --to "$t2"
bt "$T/file.json" --events "$T/middle.jsonl"
same "the range reads exactly the middle part" "$(jq .events.lines "$T/topic.json")" "$(wc -l <"$T/middle.jsonl")"
cmp_part='del(.events.source, .timing)'
if cmp -s <(jq -S "$cmp_part" "$T/topic.json") <(jq -S "$cmp_part" "$T/file.json"); then
  ok "the middle part from the topic gives the report of the same events from a file"
else
  bad "the middle part from the topic gives the report of the same events from a file" \
    "$(diff <(jq -S "$cmp_part" "$T/topic.json") <(jq -S "$cmp_part" "$T/file.json") | head -n 10)"
fi
check "the comparison has leads to compare" test "$(jq .totals.candidate.leads "$T/topic.json")" -gt 0
check "the report names the topic and range" grep -q "regwatch.events@$BROKER \[$t1, $t2)" <(jq -r .events.source "$T/topic.json")

bt "$T/all.json" "${topic[@]}" --from "$t_start" --to "$t_end"
same "a range around every part reads every message" "$(jq .events.lines "$T/all.json")" "$(wc -l <"$T/all.txt")"
bt "$T/none.json" "${topic[@]}" --from "$t_end" --to "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
same "a range after the last message reads none" "$(jq .events.lines "$T/none.json")" 0

rc=0
"$RW_BIN" backtest --topic no.such.topic --bootstrap "$BROKER" --from "$t1" --to "$t2" "${rules[@]}" \
  >/dev/null 2>"$T/unknown.err" || rc=$?
check "an unknown topic fails" test "$rc" -ne 0
check "…saying which topic" grep -q "no.such.topic" "$T/unknown.err"
rc=0
"$RW_BIN" backtest "${topic[@]}" --from yesterday --to "$t2" "${rules[@]}" >/dev/null 2>"$T/bad.err" || rc=$?
same "a bad --from is a usage error" "$rc" 2
finish
