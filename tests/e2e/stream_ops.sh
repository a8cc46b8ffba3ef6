#!/usr/bin/env bash
# Operating the service: health, readiness, metrics and reloads (leads.md: /metrics,
# /healthz, /readyz "consumer assigned and caught up"; product.md: "hot reload with no
# lost events"; service.h: SIGHUP reloads rules, models and statutes between batches).
#
# A service on its embedded broker, rules from a copy of rules/. The stream comes in
# three parts:
#   1. with the shipped rules. /healthz is 200 from the start, /readyz 503 until the
#      consumer is assigned and 200 once it has caught up; /metrics (Prometheus text)
#      has events by outcome, invalid events by reason, leads by rule and level,
#      consumer lag per partition, the batch latency histogram and RocksDB sizes.
#   2. after SIGHUP with a broken rules directory (a rule file with a syntax error):
#      the service keeps serving with the old rules, logs the file:line:col why, and
#      counts the failed reload.
#   3. after SIGHUP with a valid change (food.yaml: lapsed_activity_red 3 → 2, which
#      raises the level of more FOOD-LICENCE-LAPSED-TRADING leads), plus no-op
#      SIGHUPs sent while part 3 is streaming in.
# The reference is replay over the same three parts with one state directory (parts 1
# and 2 with the old rules, part 3 with the new ones): the lead set and the outcome
# totals (applied, duplicate, late) must be equal — a lost event would lower "applied",
# one applied twice would raise "duplicate" or change the leads — and they must differ
# from an all-old-rules replay, so the change did take effect. SIGINT stops it.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

N=${RW_OPS_EVENTS:-12000}
P=$((N / 3))
cp -r "$RW_SOURCE_DIR/rules" "$T/rules"
cp -r "$RW_SOURCE_DIR/rules" "$T/rules_v2"
sed -i 's/^\(  lapsed_activity_red: \)3\b/\12/' "$T/rules_v2/food.yaml"
check "the valid change applies to the copy of food.yaml" grep -q '^  lapsed_activity_red: 2\b' "$T/rules_v2/food.yaml"
RULES=$T/rules

"$RW_GEN" --events "$N" --seed 51 >"$T/events.jsonl"
"$RW_GEN" --events "$N" --seed 51 --format kcat >"$T/events.kcat"
for i in 1 2 3; do
  sed -n "$(((i - 1) * P + 1)),$((i * P))p" "$T/events.jsonl" >"$T/part$i.jsonl"
  sed -n "$(((i - 1) * P + 1)),$((i * P))p" "$T/events.kcat" >"$T/part$i.kcat"
done
sum_a=0 sum_d=0 sum_l=0
for i in 1 2 3; do
  rules=$T/rules
  [ "$i" = 3 ] && rules=$T/rules_v2
  "$RW_BIN" replay "$T/part$i.jsonl" --rules "$rules" --models "$MODELS" --state "$T/replay.state" \
    --out "$T/replay$i.leads" 2>"$T/replay$i.err"
  read -r a d l _ _ < <(replay_counts "$T/replay$i.err")
  sum_a=$((sum_a + a)) sum_d=$((sum_d + d)) sum_l=$((sum_l + l))
  [ "$i" = 1 ] && part1_counts="$a $d $l 0 0"
done
expected_leads "$T/replay1.leads" "$T/replay2.leads" "$T/replay3.leads" >"$T/expected"
"$RW_BIN" replay "$T/events.jsonl" --rules "$T/rules" --models "$MODELS" --out "$T/replay_old.leads" 2>/dev/null
expected_leads "$T/replay_old.leads" >"$T/expected_old"
check "the reference differs from an all-old-rules replay (the change matters)" \
  bash -c '! cmp -s "$1" "$2"' _ "$T/expected" "$T/expected_old"

unset BROKER
# linger.ms is a producer property: librdkafka's consumer warns about it (CONFWARN), a
# line that must come out as JSON like every other
start_run svc "$T/state" REGWATCH_PARTITIONS=4 REGWATCH_KAFKA_LINGER_MS=5
BROKER=$(grep -o '127\.0\.0\.1:[0-9]\+' "$T/svc.out" | head -1 || true)
check "/healthz answers 200 as soon as the service is up" http_ok "$HTTP_svc" /healthz
if ! grep -q '分配分区' "$T/svc.log"; then
  code=$(http_code "$HTTP_svc" /readyz)
  body=$(curl -s -m 5 "http://$HTTP_svc/readyz" || true)
  same "/readyz answers 503 with an error body before the consumer is assigned" \
    "$code $(jq -r '.error.code' <<<"$body" 2>/dev/null)" "503 not_ready"
else
  note "(the consumer was assigned before /readyz could be asked: not-ready check skipped)"
fi

# ---- part 1 and the metrics
produce "$T/part1.kcat"
check "the service takes part 1" poll 60 consumed_at_least "$HTTP_svc" "$P"
check "/readyz answers 200 once it has caught up" poll 30 http_ok "$HTTP_svc" /readyz
m=$(metrics "$HTTP_svc")
printf '%s\n' "$m" >"$T/metrics.txt"
same "every sample line is Prometheus text (name{labels} value)" "$(grep -v '^#' "$T/metrics.txt" |
  grep -cvE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.e+]+$|^$' || true)" 0
same "every metric has a TYPE line" "$(grep -v '^#' "$T/metrics.txt" | sed 's/[{ ].*//; s/_bucket$\|_sum$\|_count$//' |
  sort -u | while read -r name; do grep -q "^# TYPE $name " "$T/metrics.txt" || echo "$name"; done | paste -sd' ')" ""
same "events by outcome equal replay's for part 1 (applied duplicate late invalid unknown)" \
  "$(service_counts "$HTTP_svc")" "$part1_counts"
same "invalid events by reason: a sample for each reason events.md names" "$(for r in not_utf8 not_json not_object \
  missing_field bad_field bad_time key_mismatch too_large duplicate_key future; do
  grep -q "^regwatch_events_invalid_total{reason=\"$r\"} 0$" "$T/metrics.txt" || echo "$r"; done | paste -sd' ')" ""
same "leads by rule and level add up to replay's new leads in part 1" \
  "$(metric "$HTTP_svc" 'regwatch_leads_total\{rule="[^"]+",level="(red|orange|yellow|blue)"\}')" \
  "$(jq -r 'select(.revision == 1) | .id' "$T/replay1.leads" | wc -l)"
same "consumer lag: one sample per partition, all 0 once caught up" \
  "$(grep '^regwatch_consumer_lag{' "$T/metrics.txt" | sed 's/.*partition="\([0-9]*\)"} \([0-9]*\)$/\1:\2/' | sort -n | paste -sd,)" \
  "0:0,1:0,2:0,3:0"
same "batch latency histogram: cumulative buckets, +Inf = count > 0, a positive sum" "$(awk '
  /^regwatch_batch_seconds_bucket/ { if ($2 < last) bad = 1; last = $2; if ($1 ~ /"\+Inf"/) inf = $2; n++ }
  /^regwatch_batch_seconds_count / { count = $2 }
  /^regwatch_batch_seconds_sum / { sum = $2 }
  END { print (n >= 2 && !bad && inf == count && count > 0 && sum > 0) ? "ok" : "bad " n " " inf " " count " " sum }' "$T/metrics.txt")" ok
same "RocksDB sizes by column family: entity state and lead store non-empty" "$(awk '
  /^regwatch_rocksdb_bytes\{cf="aggregates"\} [1-9]/ { a = 1 } /^regwatch_rocksdb_bytes\{cf="leads"\} [1-9]/ { l = 1 }
  END { print (a ? "aggregates>0" : "aggregates=0"), (l ? "leads>0" : "leads=0") }' "$T/metrics.txt")" "aggregates>0 leads>0"

# ---- part 2 after a broken reload
cat >"$T/rules/zz-broken.yaml" <<'EOF'
ruleset: broken
streams:
  c: 'type == "complaint"'
rules:
  - id: BROKEN-RULE
    title: 坏规则
    on: c
    if: 'count(c, 7d) >= '
    level: red
    clauses: ["food-safety-law#34.1.6"]
EOF
kill -HUP "$PID_svc"
failed_reloads() { [ "$(metric "$HTTP_svc" 'regwatch_reloads_total\{result="failed"\}')" -ge 1 ]; }
check "SIGHUP with a broken rules directory counts a failed reload" poll 20 failed_reloads
check "the log says why, with file:line:col" grep -q 'zz-broken.yaml:8:[0-9]*: error' "$T/svc.log"
check "and that the old rules stay" grep -q '继续使用原有规则' "$T/svc.log"
check "the service keeps running (/healthz 200)" http_ok "$HTTP_svc" /healthz
produce "$T/part2.kcat"
check "and keeps consuming: it takes part 2" poll 60 consumed_at_least "$HTTP_svc" $((2 * P))
same "regwatch_reloads_total{result=\"ok\"} is still 0" "$(metric "$HTTP_svc" 'regwatch_reloads_total\{result="ok"\}')" 0

# ---- part 3 after a valid change, with no-op reloads while it streams in
rm "$T/rules/zz-broken.yaml"
cp "$T/rules_v2/food.yaml" "$T/rules/food.yaml"
kill -HUP "$PID_svc"
ok_reloads() { [ "$(metric "$HTTP_svc" 'regwatch_reloads_total\{result="ok"\}')" -ge "$1" ]; }
check "SIGHUP with a valid change reloads" poll 20 ok_reloads 1
check "and logs it" grep -q '已重新加载规则' "$T/svc.log"
mkdir "$T/chunks"
split -l 250 -d -a 3 "$T/part3.kcat" "$T/chunks/c"
hups=0 i=0
for f in "$T"/chunks/c*; do
  produce "$f"
  i=$((i + 1))
  if [ $((i % 3)) = 1 ]; then
    kill -HUP "$PID_svc"
    hups=$((hups + 1))
  fi
  sleep 0.05
done
check "the service takes part 3 ($hups more SIGHUPs on the way)" poll 60 consumed_at_least "$HTTP_svc" "$N"
# signals that arrive within one batch make one reload: at least one happened mid-stream
check "the SIGHUPs mid-stream reloaded too" poll 20 ok_reloads 2
note "reloads: $(metric "$HTTP_svc" 'regwatch_reloads_total\{result="ok"\}') ok, $(metric "$HTTP_svc" 'regwatch_reloads_total\{result="failed"\}') failed"
same "no event lost or applied twice: outcome totals are replay's (applied duplicate late invalid unknown)" \
  "$(service_counts "$HTTP_svc")" "$sum_a $sum_d $sum_l 0 0"
same "nothing consumed twice ($N messages)" "$(consumed "$HTTP_svc")" "$N"
if poll 30 leads_match "$T/expected"; then
  ok "the lead set is replay's with the rules switched after part 2 ($(wc -l <"$T/expected") leads)"
else
  bad "the lead set is replay's with the rules switched after part 2"
  explain_leads "$T/expected" "$T/leads.actual"
fi
check "/readyz is 200 at the end" poll 30 http_ok "$HTTP_svc" /readyz

stop_pid INT "$PID_svc"
same "SIGINT stops the service gracefully, with status 0" "$STOP_RC $(grep -c '正在停止' "$T/svc.log")" "0 1"

# docs/configuration.md: logs are one JSON object per line on stderr, librdkafka's too
raw=$(grep -v '^---- start' "$T/svc.log" | jq -R 'fromjson? // "RAW"' 2>/dev/null | grep -c '^"RAW"' || true)
same "every log line is a JSON object (librdkafka's included)" "$raw" 0
check "librdkafka's own lines are there, as module kafka" grep -q '"module":"kafka"' "$T/svc.log"
finish
