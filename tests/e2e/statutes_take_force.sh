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
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

cp -r "$SRC/rules" "$work/rules"
rm -f "$work/rules/tests/"*.yaml
cat > "$work/rules/zz-force.yaml" <<'YAML'
ruleset: take-force-test
reviewed: 2021-01-01
rules:
  - id: TEST-METRO-ARTICLE-31
    title: 计量检定不合格（测试：引用实施细则第三十一条）
    on: metrology_check
    if: 'attrs.result == "fail"'
    level: yellow
    clauses: ["metrology-rules#31"]
YAML
port=$((20000 + RANDOM % 20000))
# The service's embedded broker lives and dies with it: each run gets the event again
# (a duplicate the second time) and the leads topic starts empty.
start() {
  REGWATCH_NOW=$1 REGWATCH_RULES="$work/rules" REGWATCH_MODELS="$SRC/models" \
    REGWATCH_STATE_DIR="$work/state" REGWATCH_HTTP_LISTEN=127.0.0.1:$port "$BIN" run >"$work/out" 2>"$work/log.$2" &
  pid=$!
  addr=
  for _ in $(seq 100); do addr=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/out" 2>/dev/null | head -1 || true); [ -n "$addr" ] && break; sleep 0.1; done
  echo 'M1|{"id":"m1","type":"metrology_check","entity":"M1","time":"2021-06-01T10:00:00+08:00","attrs":{"instrument":"scale","result":"fail","deviation":5}}' \
    | kcat -P -b "$addr" -t regwatch.events -K '|'
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }
latest() { "$BIN" leads --state "$work/state" 2>/dev/null | jq -s -c '[.[] | select(.rule == "TEST-METRO-ARTICLE-31")] | max_by(.revision)'; }
consumed() { curl -s "http://127.0.0.1:$port/metrics" | grep -q 'regwatch_events_total{outcome="'"$1"'"} 1'; }

start 2022-04-30T12:00:00+08:00 1
for _ in $(seq 100); do consumed applied && break; sleep 0.2; done
stop
lead=$(latest)
check "the day before the 2022 amendment: the lead cites the 2018 text, nothing changed" \
  '[ "$(jq -c "[.revision, .clauses[0].version, .clauses[0].changed]" <<<"$lead")" = "[1,\"2018-03-19\",null]" ]'

start 2022-05-02T09:00:00+08:00 2
for _ in $(seq 100); do consumed duplicate && break; sleep 0.2; done
stop
lead=$(latest)
check "back after the amendment took force: republished with changed" \
  '[ "$(jq -c "[.revision, .clauses[0].version, .clauses[0].changed.date]" <<<"$lead")" = "[2,\"2018-03-19\",\"2022-05-01\"]" ]'
check "the log says so" 'grep -q "已标注 changed" "$work/log.2"'

start 2022-05-03T09:00:00+08:00 3
for _ in $(seq 100); do consumed duplicate && break; sleep 0.2; done
stop
check "nothing took force since: not republished again" '[ "$(latest | jq .revision)" = 2 ]'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
