#!/usr/bin/env bash
# End-to-end test of `regwatch backtest --sweep` ($RW_BIN) on a generated history with
# injected risky entities ($RW_GEN --truth): lead counts fall monotonically as the
# threshold rises, each value's counts equal a `regwatch replay --set` of that value,
# the current value is marked, dispositions taken from the ground truth give the
# precision a computation from the replay gives, a value list equals the same values of
# a range, --png writes a PNG, and the sweep changes nothing but the swept rule. The
# history saved as an event archive gives the same sweep, also on another number of
# threads (each takes a part of the entities); a damaged one is refused.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
gen=${RW_GEN:?RW_GEN must name the rw-gen-events binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

rules=(--rules "$src/rules" --models "$src/models")
bt() {
  local err=$1 rc=0
  shift
  "$bin" backtest "$@" 2>"$err" || rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL regwatch backtest $* exited $rc:"
    head -n 20 "$err"
    exit 1
  fi
}

rule=FOOD-COMPLAINT-SURGE # if: count(food_complaint, 7d) >= params.complaint_surge_7d (5)
"$gen" --events 60000 --seed 5 --truth "$tmp/truth.jsonl" >"$tmp/ev.jsonl"
jq -r 'select(.pattern == "complaint_surge") | .entity' "$tmp/truth.jsonl" | sort -u >"$tmp/risky"
ge "the history holds injected complaint surges" "$(wc -l <"$tmp/risky")" 1

# Dispositions from the ground truth: a current lead of the rule on an injected entity was
# confirmed, any other was dismissed.
"$bin" replay "$tmp/ev.jsonl" "${rules[@]}" --out "$tmp/base.leads" --quiet
jq -c --arg r $rule --rawfile risky "$tmp/risky" 'select(.rule == $r and .revision == 1)
  | .entity as $e | if ($risky | split("\n") | index([$e])) != null
    then .status = "closed" | .disposition = {result: "confirmed", measure: "约谈", note: "属实", by: "u", at: "2026-01-01T00:00:00+08:00"}
    else .status = "dismissed" | .disposition = {result: "dismissed", reason: "规则误报", note: "不属实", by: "u", at: "2026-01-01T00:00:00+08:00"} end' \
  "$tmp/base.leads" >"$tmp/disp.jsonl"

bt "$tmp/sw.err" --events "$tmp/ev.jsonl" --against "$src/rules" --models "$src/models" \
  --sweep "$rule:complaint_surge_7d=2..10" --dispositions "$tmp/disp.jsonl" --json "$tmp/sw.json" \
  --png "$tmp/sw.png" --threads 2
S=$tmp/sw.json
eq "the report is a sweep of the rule and param" "sweep $rule complaint_surge_7d" \
  "$(jq -r '"\(.kind) \(.sweep.rule) \(.sweep.param)"' "$S")"
eq "one result per value, in order" "2 3 4 5 6 7 8 9 10" "$(jq -r '[.sweep.values[].value] | join(" ")' "$S")"
leads=$(jq -r '[.sweep.values[].leads] | join(" ")' "$S")
echo "     leads per value: $leads"
eq "lead counts never rise with the threshold" "" \
  "$(jq -r '.sweep.values as $v | range(1; $v | length) | select($v[.].leads > $v[. - 1].leads) | $v[.].value' "$S")"
ge "the lowest threshold gives far more leads than the highest" "$(jq '.sweep.values[0].leads' "$S")" \
  $(($(jq '.sweep.values[-1].leads' "$S") * 3 + 3))
eq "hits on confirmed (injected) entities never rise either" "" \
  "$(jq -r '.sweep.values as $v | range(1; $v | length) | select($v[.].on_confirmed_entities > $v[. - 1].on_confirmed_entities) | $v[.].value' "$S")"
ge "low thresholds find the injected surges" "$(jq '.sweep.values[0].on_confirmed_entities' "$S")" 1
# the regions 3201 and 320115 override it (8 and 6): each swept value replaces those too, so
# no row is the configuration in force; the report names the overrides and marks none
eq "no row is marked current: region overrides give the param other values" "" \
  "$(jq -r '.sweep.values[] | select(.current) | .value' "$S")"
eq "the overrides are reported" '{"3201":8,"320115":6}' "$(jq -c .sweep.overrides "$S")"
eq "the current value is reported" 5 "$(jq -r .sweep.current_value "$S")"
grep -q '^回测：60000 行' "$tmp/sw.err" && ok "events/s are printed at the end" || bad "events/s are printed at the end" "$(tail -n 2 "$tmp/sw.err")"

# Each value = a replay with --set RULE:param=value (counts by level too).
for v in 3 7; do
  "$bin" replay "$tmp/ev.jsonl" "${rules[@]}" --set "$rule:complaint_surge_7d=$v" --out "$tmp/r$v.leads" --quiet
  want=$(jq -s -c --arg r $rule 'map(select(.rule == $r and .revision == 1))
    | {leads: length, by_level: (group_by(.level) | map({key: .[0].level, value: length}) | from_entries)}' "$tmp/r$v.leads")
  got=$(jq -c --arg v $v '.sweep.values[] | select(.value == $v)
    | {leads, by_level: (.by_level | with_entries(select(.value > 0)))}' "$S")
  eq "value $v equals replay --set $rule:complaint_surge_7d=$v" "$(jq -S -c . <<<"$want")" "$(jq -S -c . <<<"$got")"
done

# Precision at the current value (5): its leads (a replay with --set, which replaces the
# region overrides too) matched by id to the dispositions taken from the truth.
"$bin" replay "$tmp/ev.jsonl" "${rules[@]}" --set "$rule:complaint_surge_7d=5" --out "$tmp/r5.leads" --quiet
jq -r --arg r $rule 'select(.rule == $r and .revision == 1) | .id' "$tmp/r5.leads" | sort >"$tmp/r5.ids"
jq -r '"\(.id) \(.disposition.result)"' "$tmp/disp.jsonl" | sort | join - "$tmp/r5.ids" >"$tmp/r5.judged"
c=$(grep -c ' confirmed$' "$tmp/r5.judged" || true)
n=$(wc -l <"$tmp/r5.judged")
ge "leads at the current value were judged" "$n" 5
eq "judged leads at the current value" "$n" "$(jq -r '.sweep.values[] | select(.value == "5") | .judged' "$S")"
eq "precision at the current value = confirmed / judged" "$(jq -n "$c * 1000000 / $n | round")" \
  "$(jq '.sweep.values[] | select(.value == "5") | .precision * 1000000 | round' "$S")"

# A param without overrides: its value in force is marked. A param the rule never reads is
# an error (every row would be the same).
bt "$tmp/ch.err" --events "$tmp/ev.jsonl" --against "$src/rules" --models "$src/models" \
  --sweep "$rule:complaint_channels_orange=2,3" --json "$tmp/ch.json" --quiet --threads 1
eq "a param no override sets: its value in force (3) is marked" "3" \
  "$(jq -r '.sweep.values[] | select(.current) | .value' "$tmp/ch.json")"
if "$bin" backtest --events "$tmp/ev.jsonl" --against "$src/rules" --models "$src/models" \
  --sweep "$rule:additive_fails=1..3" --json "$tmp/un.json" --quiet 2>"$tmp/un.err"; then
  bad "a sweep of a param the rule never reads is refused" "exit 0"
else
  grep -q '不读取参数 additive_fails' "$tmp/un.err" && ok "a sweep of a param the rule never reads is refused, saying so" ||
    bad "a sweep of a param the rule never reads says why" "$(head -n 3 "$tmp/un.err")"
fi

# A list of values gives the same results as those values of the range.
bt "$tmp/ls.err" --events "$tmp/ev.jsonl" --against "$src/rules" --models "$src/models" \
  --sweep "$rule:complaint_surge_7d=9, 3" --json "$tmp/ls.json" --quiet --threads 1
eq "a list sweep equals the range's values" \
  "$(jq -c '[.sweep.values[] | select(.value == "9" or .value == "3") | {value, leads, by_level}] | reverse' "$S")" \
  "$(jq -c '[.sweep.values[] | {value, leads, by_level}]' "$tmp/ls.json")"
eq "without dispositions there is no precision" "null" "$(jq -c '[.sweep.values[].precision] | unique | .[0]' "$tmp/ls.json")"

# The history saved as an event archive gives the same sweep without parsing JSON again.
bt "$tmp/save.err" --events "$tmp/ev.jsonl" --save-events "$tmp/ev.rwa" --save-only
grep -q "已保存事件归档 $tmp/ev.rwa：60000 个事件" "$tmp/save.err" && ok "--save-events says what it saved" \
  || bad "--save-events says what it saved" "$(cat "$tmp/save.err")"
ge "the JSON Lines are larger than the archive" "$(stat -c %s "$tmp/ev.jsonl")" "$(stat -c %s "$tmp/ev.rwa")"
bt "$tmp/ar.err" --events "$tmp/ev.rwa" --against "$src/rules" --models "$src/models" \
  --sweep "$rule:complaint_surge_7d=2..10" --dispositions "$tmp/disp.jsonl" --json "$tmp/ar.json" --quiet \
  --threads 3
same() { jq -S -c '{sweep, e: (.events | del(.source))}' "$1" | sha256sum | cut -c1-16; }
eq "a sweep from the archive (entities split 3 ways, not 2) equals the sweep from the JSON Lines" \
  "$(same "$S")" "$(same "$tmp/ar.json")"
rc=0
"$bin" backtest --events "$tmp/ev.jsonl" --save-only 2>"$tmp/only.err" || rc=$?
eq "--save-only without --save-events is a usage error" 2 "$rc"
grep -q -- "--save-only 需要 --save-events FILE" "$tmp/only.err" && ok "… saying what is missing" \
  || bad "… saying what is missing" "$(cat "$tmp/only.err")"
rc=0
"$bin" backtest --events "$tmp/ev.jsonl" --save-events "$tmp/no-such-dir/ev.rwa" --save-only 2>"$tmp/nodir.err" || rc=$?
eq "an archive that cannot be written fails the command" 1 "$rc"
grep -q "无法写入事件归档 $tmp/no-such-dir/ev.rwa" "$tmp/nodir.err" && ok "… saying where" \
  || bad "… saying where" "$(cat "$tmp/nodir.err")"
head -c 4000 "$tmp/ev.rwa" >"$tmp/cut.rwa"
rc=0
"$bin" backtest --events "$tmp/cut.rwa" "${rules[@]}" --json "$tmp/cut.json" 2>"$tmp/cut.err" || rc=$?
eq "a cut-short archive is refused" 1 "$rc"
grep -q "事件归档 $tmp/cut.rwa 已损坏" "$tmp/cut.err" && ok "… saying it is damaged" || bad "… saying it is damaged" "$(cat "$tmp/cut.err")"

eq "--png writes a PNG" "89504e470d0a1a0a" "$(head -c 8 "$tmp/sw.png" | od -An -tx1 | tr -d ' \n')"
ge "the PNG is a picture, not a stub" "$(stat -c %s "$tmp/sw.png")" 20000

finish
