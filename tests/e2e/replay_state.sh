#!/usr/bin/env bash
# End-to-end test of `regwatch replay` ($RW_BIN) state and options on a generated
# workload ($RW_GEN): (a) replaying a file in two parts into one --state equals replaying
# it at once; (b) replaying a file again into the same state raises nothing (events.md:
# idempotent on (entity, id)); (c) --set changes results, over region overrides;
# (d) --now rejects events dated more than a day ahead with code `future`, after dedup
# and never for an undeclared type; (e) a missing
# events file, a bad --set, a bad option or value fail with a clear message and write
# nothing.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
gen=${RW_GEN:?RW_GEN must name the rw-gen-events binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

same() {
  if cmp -s "$2" "$3"; then
    ok "$1"
  else
    bad "$1" "first lines of the diff:"
    diff "$2" "$3" | head -n 10 | cut -c1-300 || true
  fi
}
rules=(--rules "$src/rules" --models "$src/models")
# counter LABEL ERRFILE: a count from the replay summary on stderr, by its label (-1 when
# the summary has no such count)
counter() {
  local v
  v=$(grep '^回放：' "$2" | grep -oE "$1 [0-9]+" | grep -oE '[0-9]+$' || true)
  echo "${v:--1}"
}
# rp ERRFILE ARGS…: regwatch replay ARGS with stderr to ERRFILE; a failure ends the test
# with that stderr shown
rp() {
  local err=$1 rc=0
  shift
  "$bin" replay "$@" 2>"$err" || rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL regwatch replay $* exited $rc:"
    head -n 20 "$err"
    exit 1
  fi
}
# Leads compared without the wall-clock fields (product.md: created_at and what is
# computed from it).
strip() { jq -c 'del(.created_at, .due)' "$1"; }

N=50000
"$gen" --events $N --seed 42 >"$tmp/all.jsonl"
half=$((N / 2))
head -n $half "$tmp/all.jsonl" >"$tmp/p1.jsonl"
tail -n +$((half + 1)) "$tmp/all.jsonl" >"$tmp/p2.jsonl"

# ---- (a) two parts into one state == all at once ------------------------------------
# (the whole file runs alongside the two parts: 2 cores, and sanitizer builds are slow)
rp "$tmp/all.err" "$tmp/all.jsonl" "${rules[@]}" --state "$tmp/s_all" --out "$tmp/all.leads" &
all_pid=$!
rp "$tmp/p1.err" "$tmp/p1.jsonl" "${rules[@]}" --state "$tmp/s_split" --out "$tmp/p1.leads"
rp "$tmp/p2.err" "$tmp/p2.jsonl" "${rules[@]}" --state "$tmp/s_split" --out "$tmp/p2.leads"
wait $all_pid
ge "the workload raises leads" "$(wc -l <"$tmp/all.leads")" 100
ge "the first part raises leads" "$(wc -l <"$tmp/p1.leads")" 1
ge "the second part raises leads on restored state" "$(wc -l <"$tmp/p2.leads")" 1
strip "$tmp/all.leads" >"$tmp/all.s"
cat "$tmp/p1.leads" "$tmp/p2.leads" | jq -c 'del(.created_at, .due)' >"$tmp/split.s"
same "part 1 then part 2 into one --state gives the leads of one replay" "$tmp/all.s" "$tmp/split.s"
for f in 应用 重复 迟到 新线索 抑制; do
  eq "counter $f adds up over the parts" "$(counter $f "$tmp/all.err")" \
    "$(($(counter $f "$tmp/p1.err") + $(counter $f "$tmp/p2.err")))"
done
# a revision in part 2 of a lead created in part 1 continues its numbering
cross=$(jq -r 'select(.revision > 1) | .id' "$tmp/p2.leads" | sort -u |
  comm -12 - <(jq -r 'select(.revision == 1) | .id' "$tmp/p1.leads" | sort -u) | wc -l)
ge "part 2 updates leads created in part 1 (restored suppression state)" "$cross" 1

# ---- (b) the same file again into the same state: nothing new ------------------------
rp "$tmp/again.err" "$tmp/all.jsonl" "${rules[@]}" --state "$tmp/s_all" --out "$tmp/again.leads" \
  --rejects "$tmp/again.rejects"
eq "replaying again writes no lead revision" 0 "$(wc -l <"$tmp/again.leads")"
eq "replaying again applies no event" 0 "$(counter 应用 "$tmp/again.err")"
eq "replaying again creates no lead" 0 "$(counter 新线索 "$tmp/again.err")"
eq "replaying again suppresses nothing" 0 "$(counter 抑制 "$tmp/again.err")"
eq "replaying again rejects nothing" 0 "$(wc -l <"$tmp/again.rejects")"
# Every line is turned away (as duplicate, or as late: the dedup record only keeps ids
# within the 400-day retention, and older events are late before anything else).
eq "replaying again turns every line away" "$N" \
  "$(($(counter 重复 "$tmp/again.err") + $(counter 迟到 "$tmp/again.err")))"
ge "replaying again counts duplicates" "$(counter 重复 "$tmp/again.err")" $((N / 2))
# …and the part-wise state too
rp "$tmp/p1again.err" "$tmp/p1.jsonl" "${rules[@]}" --state "$tmp/s_split" --out "$tmp/p1again.leads"
eq "replaying part 1 into the full state writes no lead revision" 0 "$(wc -l <"$tmp/p1again.leads")"

# ---- (c) --set -----------------------------------------------------------------------
rule=FOOD-COMPLAINT-SURGE # if: count(food_complaint, 7d) >= params.complaint_surge_7d
# final hits per lead summed = triggers that passed the legal-basis test
triggers() { jq -s --arg r "$1" '[group_by(.id)[] | select(.[0].rule == $r) | max_by(.revision).hits] | add // 0' "$2"; }
leads_of() { jq -r --arg r "$1" 'select(.rule == $r and .revision == 1) | .id' "$2" | wc -l; }
rp "$tmp/low.err" "$tmp/all.jsonl" "${rules[@]}" --set complaint_surge_7d=2 --out "$tmp/low.leads" &
low_pid=$!
rp "$tmp/high.err" "$tmp/all.jsonl" "${rules[@]}" --set complaint_surge_7d=9 --out "$tmp/high.leads"
wait $low_pid
base_t=$(triggers $rule "$tmp/all.leads")
base_l=$(leads_of $rule "$tmp/all.leads")
low_t=$(triggers $rule "$tmp/low.leads")
low_l=$(leads_of $rule "$tmp/low.leads")
high_t=$(triggers $rule "$tmp/high.leads")
ge "a lower threshold gives at least as many leads" "$low_l" "$base_l"
ge "a lower threshold gives more triggers" "$low_t" $((base_t + 1))
ge "a higher threshold gives no more triggers" "$base_t" "$high_t"
# Overrides by longest region prefix (food.yaml: 3201 → 8, 320115 → 6, else 5) show as
# the evidence threshold; --set replaces the param last, over every override.
wrong=$(jq -r --arg r $rule 'select(.rule == $r and .revision == 1)
  | (if (.region | startswith("320115")) then 6 elif (.region | startswith("3201")) then 8 else 5 end) as $t
  | select(.evidence[0].threshold != $t) | .id' "$tmp/all.leads" | wc -l)
eq "without --set the threshold is the override of the longest region prefix" 0 "$wrong"
wrong=$(jq -r --arg r $rule 'select(.rule == $r and .revision == 1 and .evidence[0].threshold != 2) | .id' \
  "$tmp/low.leads" | wc -l)
eq "with --set every lead's threshold is the set value, overrides included" 0 "$wrong"
ge "with --set leads fire in a region with an override (3201…)" \
  "$(jq -r --arg r $rule 'select(.rule == $r and (.region | startswith("3201"))) | .id' "$tmp/low.leads" | wc -l)" 1
jq -c --arg r $rule 'select(.rule != $r) | del(.created_at, .due)' "$tmp/all.leads" >"$tmp/others.base"
jq -c --arg r $rule 'select(.rule != $r) | del(.created_at, .due)' "$tmp/low.leads" >"$tmp/others.low"
same "--set of one rule's param leaves the other rules' leads alone" "$tmp/others.base" "$tmp/others.low"

# ---- (d) --now -----------------------------------------------------------------------
cat >"$tmp/future.jsonl" <<'EOF'
{"id":"n1","type":"complaint","entity":"91320102MA1GW00099","time":"2026-03-02T10:00:00+08:00","attrs":{"category":"food"}}
{"id":"n2","type":"complaint","entity":"91320102MA1GW00099","time":"2026-03-02T10:00:01+08:00","attrs":{"category":"food"}}
{"id":"n3","type":"complaint","entity":"91320102MA1GW00099","time":"2030-01-01T00:00:00Z","attrs":{"category":"food"}}
{"id":"n4","type":"complaint","entity":"91320102MA1GW00099","time":"2026-03-01T02:00:00Z","attrs":{"category":"food"}}
{"id":"n1","type":"complaint","entity":"91320102MA1GW00099","time":"2030-01-01T00:00:00Z","attrs":{"category":"food"}}
{"id":"n5","type":"weather_report","entity":"91320102MA1GW00099","time":"2030-01-01T00:00:00Z"}
EOF
now=2026-03-01T10:00:00+08:00
rp "$tmp/fut.err" "$tmp/future.jsonl" "${rules[@]}" --now $now --rejects "$tmp/fut.rejects" --out /dev/null
ok "--now: replay succeeds"
eq "--now: events over a day ahead are rejected as future (lines 2, 3)" "2 future,3 future" \
  "$(jq -r '"\(.line) \(.code)"' "$tmp/fut.rejects" | paste -sd, -)"
eq "--now: the reject names the field time" "time,time" "$(jq -r .field "$tmp/fut.rejects" | paste -sd, -)"
eq "--now: exactly one day ahead is still valid; the rest applied" 2 "$(counter 应用 "$tmp/fut.err")"
# events.md tests the date in step 3, after dedup; an undeclared type is applied to nothing
eq "--now: a future-dated copy of an applied event is a duplicate, an undeclared type unknown" \
  "1 1 2" "$(counter 重复 "$tmp/fut.err") $(counter 未知类型 "$tmp/fut.err") $(counter 无效 "$tmp/fut.err")"
REGWATCH_LOG_LEVEL=debug rp "$tmp/nofut.err" "$tmp/future.jsonl" "${rules[@]}" --rejects "$tmp/nofut.rejects" --out /dev/null
eq "without --now nothing is future" 0 "$(wc -l <"$tmp/nofut.rejects")"
# (n1's 2030 copy is applied too: the 2026 n1 aged out of the dedup record with the retention)
eq "without --now the 2030 events are applied and n4 is late" "4 1" \
  "$(counter 应用 "$tmp/nofut.err") $(counter 迟到 "$tmp/nofut.err")"
eq "the debug log names the late event (events.md: counted, reported, not applied)" 1 \
  "$(grep -c '"level":"debug".*"msg":"迟到事件 n4（主体 91320102MA1GW00099' "$tmp/nofut.err")"

# ---- (e) failures: non-zero, a clear message, nothing written -------------------------
# fails NAME PATTERN ARGS…: non-zero exit, stderr matching PATTERN, no --out/--rejects
# file and no --state directory left behind.
fails() {
  local name=$1 pattern=$2 d=$tmp/fail.$pass.$fail
  shift 2
  mkdir -p "$d"
  local rc=0
  "$bin" replay "$@" --out "$d/out" --rejects "$d/rej" --state "$d/state" >"$d/stdout" 2>"$d/stderr" || rc=$?
  if [ $rc -eq 0 ]; then
    bad "$name" "exit status 0"
  elif ! grep -qE -- "$pattern" "$d/stderr"; then
    bad "$name" "stderr does not match /$pattern/: $(head -c 300 "$d/stderr")"
  elif [ -e "$d/out" ] || [ -e "$d/rej" ] || [ -e "$d/state" ] || [ -s "$d/stdout" ]; then
    bad "$name" "wrote something: $(cd "$d" && ls -d out rej state 2>/dev/null | paste -sd' ' -)"
  else
    ok "$name (exit $rc, nothing written)"
  fi
}
ev=$tmp/p1.jsonl
fails "a missing events file" "无法打开事件文件 .*no-such.jsonl" "$tmp/no-such.jsonl" "${rules[@]}"
fails "--set without '='" "--set" "$ev" "${rules[@]}" --set complaint_surge_7d
fails "--set of a param no ruleset declares" "nosuch_param" "$ev" "${rules[@]}" --set nosuch_param=3
fails "--set for an unknown rule" "NO-SUCH-RULE" "$ev" "${rules[@]}" --set NO-SUCH-RULE:complaint_surge_7d=3
fails "an unknown option" "bogus" "$ev" "${rules[@]}" --bogus
fails "a bad --now" "--now" "$ev" "${rules[@]}" --now yesterday
fails "a bad --batch" "--batch" "$ev" "${rules[@]}" --batch 0
fails "--threads 0" "--threads 需要 1 到 16" "$ev" "${rules[@]}" --threads 0
fails "--threads over 16" "--threads 需要 1 到 16" "$ev" "${rules[@]}" --threads 17
fails "--threads not a number" "--threads" "$ev" "${rules[@]}" --threads many
fails "no events file at all" "事件文件" "${rules[@]}"
fails "a rules folder that does not exist" "catalog.yaml" "$ev" --rules "$tmp/no-rules" --models "$src/models"

finish
