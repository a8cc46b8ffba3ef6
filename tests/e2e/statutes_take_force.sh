#!/usr/bin/env bash
# A version already in the library takes force while the service is down: on its first
# day back the open lead citing the older text is republished with `changed`
# (statutes.md: changed is against the version in force at processing time), once.
set -euo pipefail
BIN=${RW_BIN:?}; SRC=${RW_SOURCE_DIR:?}
work=$(mktemp -d /tmp/rw-takeforce-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=fixtures/counts.bash
source "$SRC/tests/e2e/fixtures/counts.bash"

cp -r "$SRC/rules" "$work/rules"
rm -f "$work/rules/tests/"*.yaml
cp "$SRC/tests/e2e/fixtures/metro_article31.yaml" "$work/rules/zz-metro31.yaml"
port=$((20000 + RANDOM % 20000))
latest() { "$BIN" leads --state "$work/state" 2>/dev/null | jq -s -c '[.[] | select(.rule == "TEST-METRO-ARTICLE-31")] | max_by(.revision)'; }
consumed() { curl -s "http://127.0.0.1:$port/metrics" | grep -q 'regwatch_events_total{outcome="'"$1"'"} 1'; }
# day N NOW OUTCOME: the service runs on day NOW until the event is counted as OUTCOME.
# Its embedded broker lives and dies with it: each run gets the event again (a duplicate
# after the first) and the leads topic starts empty, so leads are read from the state.
day() {
  REGWATCH_NOW=$2 REGWATCH_RULES="$work/rules" REGWATCH_MODELS="$SRC/models" \
    REGWATCH_STATE_DIR="$work/state" REGWATCH_HTTP_LISTEN=127.0.0.1:$port "$BIN" run >"$work/out" 2>"$work/log.$1" &
  pid=$!
  addr=
  for _ in $(seq 100); do addr=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/out" 2>/dev/null | head -1 || true); [ -n "$addr" ] && break; sleep 0.1; done
  echo 'M1|{"id":"m1","type":"metrology_check","entity":"M1","time":"2021-06-01T10:00:00+08:00","attrs":{"instrument":"scale","result":"fail","deviation":5}}' \
    | kcat -P -b "$addr" -t regwatch.events -K '|'
  for _ in $(seq 100); do consumed "$3" && break; sleep 0.2; done
  kill -TERM "$pid"; wait "$pid" || true; pid=
}
# what a lead shows of its clause: [revision, cited version, changed.date]
shows() { latest | jq -c '[.revision, .clauses[0].version, .clauses[0].changed.date]'; }

day 1 2022-04-30T12:00:00+08:00 applied
eq "the day before the 2022 amendment: the lead cites the 2018 text, nothing changed" \
  '[1,"2018-03-19",null]' "$(shows)"
eq "its changed is null" null "$(latest | jq -c '.clauses[0].changed')"

day 2 2022-05-02T09:00:00+08:00 duplicate
eq "back after the amendment took force: republished with changed" '[2,"2018-03-19","2022-05-01"]' "$(shows)"
check "the log says so" grep -q "已标注 changed" "$work/log.2"

day 3 2022-05-03T09:00:00+08:00 duplicate
eq "nothing took force since: not republished again" '[2,"2018-03-19","2022-05-01"]' "$(shows)"

# The same through replay: a run on a later day compares the state's open leads first,
# so their next revision (here before the event's duplicate is counted) carries changed.
rm -rf "$work/state"
echo '{"id":"m1","type":"metrology_check","entity":"M1","time":"2021-06-01T10:00:00+08:00","attrs":{"instrument":"scale","result":"fail","deviation":5}}' >"$work/ev.jsonl"
replay_on() {
  REGWATCH_NOW=$1 "$BIN" replay "$work/ev.jsonl" --rules "$work/rules" --models "$SRC/models" \
    --state "$work/state" --out "$work/$2" --quiet 2>"$work/$2.log"
  jq -c 'select(.rule == "TEST-METRO-ARTICLE-31") | [.revision, .clauses[0].version, .clauses[0].changed.date]' "$work/$2"
}
eq "replay before the amendment: revision 1, nothing changed" '[1,"2018-03-19",null]' "$(replay_on 2022-04-30T12:00:00+08:00 r1.jsonl)"
eq "replay after it: the lead republished with changed" '[2,"2018-03-19","2022-05-01"]' "$(replay_on 2022-05-02T09:00:00+08:00 r2.jsonl)"
eq "replay the day after: nothing new" "" "$(replay_on 2022-05-03T09:00:00+08:00 r3.jsonl)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
