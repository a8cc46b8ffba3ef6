#!/usr/bin/env bash
# End-to-end test of `regwatch backtest` ($RW_BIN) comparing current and candidate
# rules: (a) on a generated history ($RW_GEN) every rule's lead counts and its added
# and removed lead ids equal those of two separate `regwatch replay` runs; precision,
# removed-and-confirmed and added-on-confirmed-entities agree with a computation from
# the replays and a dispositions file; a ruleset given with --ruleset equals the same
# change in a candidate folder; --region keeps only leads of those regions; (b) on a
# small hand-written history the precision figures are exact; (c) bad input fails
# with a clear message.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
gen=${RW_GEN:?RW_GEN must name the rw-gen-events binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

same() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    bad "$1" "first lines of the diff:"
    diff "$2" "$3" | head -n 10 | cut -c1-300 || true
  fi
}
models=(--models "$src/models")
rules=(--against "$src/rules" "${models[@]}")
# bt ERRFILE ARGS…: regwatch backtest; a failure ends the test with its stderr
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

# ---- (a) a generated history -------------------------------------------------------------
"$gen" --events 40000 --seed 11 >"$tmp/ev.jsonl"
# The candidate: a lower complaint threshold, a stricter contaminant level, one rule
# switched off and one new rule.
cp -r "$src/rules" "$tmp/cand"
sed -i 's/complaint_surge_7d: 5 /complaint_surge_7d: 3 /; s/contaminant_red_fails: 2 /contaminant_red_fails: 1 /' \
  "$tmp/cand/food.yaml"
grep -q 'complaint_surge_7d: 3 ' "$tmp/cand/food.yaml" || { echo "FAIL the fixture edit of food.yaml"; exit 1; }
cat >>"$tmp/cand/food.yaml" <<'EOF'

  - id: FOOD-COMPLAINT-ANY
    title: 食品投诉（试行）
    on: food_complaint
    if: 'count(food_complaint, 30d) >= 2'
    level: blue
    clauses: ["food-safety-law#110.1.1"]
    item: "SC-FOOD-003"
    mode: shadow
EOF
first_rule=$(grep -m1 -oE 'id: [A-Z0-9-]+' "$tmp/cand/pricing.yaml" | cut -d' ' -f2)
awk -v id="$first_rule" '{ print } $0 ~ "id: " id "$" { print "    enabled: false" }' "$tmp/cand/pricing.yaml" \
  >"$tmp/p.yaml" && mv "$tmp/p.yaml" "$tmp/cand/pricing.yaml"

"$bin" replay "$tmp/ev.jsonl" --rules "$src/rules" "${models[@]}" --out "$tmp/cur.leads" --quiet &
cur_pid=$!
"$bin" replay "$tmp/ev.jsonl" --rules "$tmp/cand" "${models[@]}" --out "$tmp/cand.leads" --quiet
wait $cur_pid
# latest revision per id, as `regwatch leads` would list them
jq -s -c 'group_by(.id)[] | max_by(.revision)' "$tmp/cur.leads" >"$tmp/cur.latest"
jq -r '"\(.rule) \(.id)"' "$tmp/cur.latest" | sort >"$tmp/cur.ids"
jq -s -c 'group_by(.id)[] | max_by(.revision)' "$tmp/cand.leads" | jq -r '"\(.rule) \(.id)"' | sort >"$tmp/cand.ids"

# Dispositions on the current leads, chosen by the id's last hex digit: 0-7 confirmed
# (closed, keeping its disposition), 8-b dismissed, c-f not concluded.
jq -c '(.id[-1:] | tonumber? // ({"a":10,"b":11,"c":12,"d":13,"e":14,"f":15}[.])) as $d
  | if $d < 8 then .status = "closed" | .disposition = {result: "confirmed", measure: "责令改正", note: "核实", by: "u1", at: "2026-01-02T10:00:00+08:00"}
    elif $d < 12 then .status = "dismissed" | .disposition = {result: "dismissed", reason: "规则误报", note: "不属实", by: "u1", at: "2026-01-02T10:00:00+08:00"}
    else .status = "accepted" end' "$tmp/cur.latest" >"$tmp/disp.jsonl"

bt "$tmp/bt.err" --events "$tmp/ev.jsonl" --against "$src/rules" --rules "$tmp/cand" "${models[@]}" \
  --dispositions "$tmp/disp.jsonl" --json "$tmp/bt.json" --quiet
R=$tmp/bt.json
eq "the report is a backtest" backtest "$(jq -r .kind "$R")"
eq "every line of the history is read" 40000 "$(jq .events.lines "$R")"

jq -r '.rules[] | .rule as $r | .current.leads as $n | "\($r) \($n)"' "$R" | sort >"$tmp/rep.cur.n"
jq -r '.rules[] | .rule as $r | .candidate.leads as $n | "\($r) \($n)"' "$R" | sort >"$tmp/rep.cand.n"
count_per_rule() { # IDS: "rule n" for every rule of the report, 0 when none
  jq -r '.rules[].rule' "$R" | sort | while read -r r; do echo "$r $(grep -c "^$r " "$1" || true)"; done
}
count_per_rule "$tmp/cur.ids" >"$tmp/rp.cur.n"
count_per_rule "$tmp/cand.ids" >"$tmp/rp.cand.n"
same "each rule's current leads equal a replay with the current rules" "$tmp/rp.cur.n" "$tmp/rep.cur.n"
same "each rule's candidate leads equal a replay with the candidate rules" "$tmp/rp.cand.n" "$tmp/rep.cand.n"
comm -13 "$tmp/cur.ids" "$tmp/cand.ids" >"$tmp/added.want"
comm -23 "$tmp/cur.ids" "$tmp/cand.ids" >"$tmp/removed.want"
jq -r '.rules[] | .rule as $r | .added.leads[] | "\($r) \(.id)"' "$R" | sort >"$tmp/added.got"
jq -r '.rules[] | .rule as $r | .removed.leads[] | "\($r) \(.id)"' "$R" | sort >"$tmp/removed.got"
same "added leads are exactly the ids only the candidate replay has" "$tmp/added.want" "$tmp/added.got"
same "removed leads are exactly the ids only the current replay has" "$tmp/removed.want" "$tmp/removed.got"
ge "the change adds leads" "$(wc -l <"$tmp/added.want")" 10
ge "the change removes leads" "$(wc -l <"$tmp/removed.want")" 1
eq "totals add up the rules" "$(jq '[.rules[].added.count] | add' "$R") $(jq '[.rules[].removed.count] | add' "$R")" \
  "$(jq -r '"\(.totals.added) \(.totals.removed)"' "$R")"
eq "the new shadow rule is reported as only in the candidate" "false true" \
  "$(jq -r '.rules[] | select(.rule == "FOOD-COMPLAINT-ANY") | "\(.in_current) \(.in_candidate)"' "$R")"
eq "the switched-off rule keeps its current leads and loses them all" \
  "$(grep -c "^$first_rule " "$tmp/cur.ids" || true) 0" \
  "$(jq -r --arg r "$first_rule" '.rules[] | select(.rule == $r) | "\(.removed.count) \(.candidate.leads)"' "$R")"
eq "a rule whose ruleset's params changed: params_changed, not changed" "true false" \
  "$(jq -r '.rules[] | select(.rule == "FOOD-COMPLAINT-SURGE") | "\(.params_changed) \(.changed)"' "$R")"
# only the params a rule reads count: the food rules reading neither changed param are unchanged
eq "a rule of that ruleset reading neither changed param: neither flag" "false false" \
  "$(jq -r '.rules[] | select(.rule == "FOOD-SAMPLING-ADDITIVE") | "\(.params_changed) \(.changed)"' "$R")"
eq "a rule whose own text changed (enabled: false) is marked changed" "true" \
  "$(jq -r --arg r "$first_rule" '.rules[] | select(.rule == $r) | .changed' "$R")"
eq "rules of unchanged rulesets are unchanged" "0" \
  "$(jq '[.rules[] | select(.ruleset == "drugs") | select(.changed or .params_changed)] | length' "$R")"

# Precision, confirmed removals and added leads on confirmed entities, from the files.
jq -s -r '
  (map(select(.disposition != null)) | map({key: .id, value: .disposition.result}) | from_entries) as $res
  | (map(select(.disposition.result == "confirmed") | {key: .entity, value: true}) | from_entries) as $ents
  | [$res, $ents]' "$tmp/disp.jsonl" >"$tmp/past.json"
expected() { # IDS-FILE LEADS-FILE: "rule precision" per rule with a judged lead (6 decimals)
  jq -n -r --slurpfile p "$tmp/past.json" --rawfile ids "$1" '
    ($p[0][0]) as $res
    | [$ids | split("\n")[] | select(length > 0) | split(" ") | {rule: .[0], r: $res[.[1]]}]
    | group_by(.rule)[]
    | ([.[] | select(.r == "confirmed")] | length) as $c | ([.[] | select(.r == "dismissed")] | length) as $d
    | select($c + $d > 0) | "\(.[0].rule) \($c * 1000000 / ($c + $d) | round)"' | sort
}
got_precision() { # SIDE
  jq -r --arg s "$1" '.rules[] | select(.[$s].precision != null) | "\(.rule) \(.[$s].precision * 1000000 | round)"' "$R" | sort
}
expected "$tmp/cur.ids" >"$tmp/prec.cur.want"
expected "$tmp/cand.ids" >"$tmp/prec.cand.want"
got_precision current >"$tmp/prec.cur.got"
got_precision candidate >"$tmp/prec.cand.got"
same "current precision per rule = confirmed / (confirmed + dismissed) of its leads" "$tmp/prec.cur.want" "$tmp/prec.cur.got"
same "candidate precision per rule, from the leads it shares with the past" "$tmp/prec.cand.want" "$tmp/prec.cand.got"
ge "precision is computed for several rules" "$(wc -l <"$tmp/prec.cur.got")" 5
want=$(jq -r --slurpfile p "$tmp/past.json" '($p[0][0]) as $res | [.rules[].removed.leads[] | select($res[.id] == "confirmed")] | length' "$R")
eq "removed leads confirmed in the past" "$want" "$(jq '[.rules[].removed.confirmed] | add' "$R")"
want=$(jq -r --slurpfile p "$tmp/past.json" '($p[0][1]) as $e | [.rules[].added.leads[] | select($e[.entity])] | length' "$R")
eq "added leads on entities with confirmed leads" "$want" "$(jq '[.rules[].added.on_confirmed_entities] | add' "$R")"
ge "some added leads hit confirmed entities" "$want" 1

# The same change given as one ruleset file's text replacing the current `food` ruleset
# (a changed pricing.yaml is not part of it: compare the food rules only).
bt "$tmp/rs.err" --events "$tmp/ev.jsonl" --against "$src/rules" --ruleset "$tmp/cand/food.yaml" "${models[@]}" \
  --dispositions "$tmp/disp.jsonl" --json "$tmp/rs.json" --quiet
food='[.rules[] | select(.ruleset == "food")] | map(del(.changed))'
same "--ruleset FILE gives the food rules of the candidate folder" <(jq -S "$food" "$R") <(jq -S "$food" "$tmp/rs.json")
eq "--ruleset leaves the other rulesets unchanged" 0 \
  "$(jq '[.rules[] | select(.ruleset != "food") | .added.count + .removed.count] | add' "$tmp/rs.json")"

# --region: only leads whose region starts with a prefix are reported
bt "$tmp/rg.err" --events "$tmp/ev.jsonl" --rules "$tmp/cand" --against "$src/rules" "${models[@]}" \
  --region 3201 --region 3205 --json "$tmp/rg.json" --quiet
eq "--region: every listed lead is in the regions" 0 \
  "$(jq '[.rules[] | (.added.leads + .removed.leads)[] | select(.region | test("^320[15]") | not)] | length' "$tmp/rg.json")"
want=$(jq -s '[group_by(.id)[] | .[0] | select(.region | test("^320[15]"))] | length' "$tmp/cur.leads")
eq "--region: current leads counted in the regions only" "$want" "$(jq .totals.current.leads "$tmp/rg.json")"

# ---- (b) a small hand-written history: exact figures ---------------------------------------
# Food complaints in 110101 (no override: threshold 5; the candidate says 3). Entity A: 5
# complaints, B: 3, C: 6. Current leads: A at a5, C at c5; candidate leads: A at a3, B at b3,
# C at c3. Past: A's lead confirmed, C's dismissed, and B's lead at b3 (from an earlier trial
# with threshold 3) dismissed.
A=91110101MA00000A1X B=91110101MA00000B2X C=91110101MA00000C3X
for spec in "a $A 5" "b $B 3" "c $C 6"; do
  read -r tag ent n <<<"$spec"
  for i in $(seq 1 "$n"); do
    printf '{"id":"%s%d","type":"complaint","entity":"%s","time":"2026-03-0%dT10:00:00+08:00","region":"110101","attrs":{"category":"food","channel":"12315"}}\n' \
      "$tag" "$i" "$ent" "$i"
  done
done >"$tmp/small.jsonl"
lid() { printf 'L%s' "$(printf '%s\x1f%s\x1f%s' FOOD-COMPLAINT-SURGE "$1" "$2" | sha256sum | cut -c1-20)"; }
cat >"$tmp/small.disp" <<EOF
{"id":"$(lid $A a5)","rule":"FOOD-COMPLAINT-SURGE","entity":"$A","status":"closed","disposition":{"result":"confirmed","measure":"责令改正","note":"属实","by":"u1","at":"2026-03-10T09:00:00+08:00"}}
{"id":"$(lid $C c5)","rule":"FOOD-COMPLAINT-SURGE","entity":"$C","status":"dismissed","disposition":{"result":"dismissed","reason":"规则误报","note":"不属实","by":"u1","at":"2026-03-10T09:00:00+08:00"}}
{"id":"$(lid $B b3)","rule":"FOOD-COMPLAINT-SURGE","entity":"$B","status":"closed","disposition":{"result":"dismissed","reason":"数据错误","note":"不属实","by":"u1","at":"2026-03-10T09:00:00+08:00"}}
{"id":"L00000000000000000000","rule":"FOOD-COMPLAINT-SURGE","entity":"$B","status":"verifying","disposition":null}
EOF
bt "$tmp/s.err" --events "$tmp/small.jsonl" "${rules[@]}" --set FOOD-COMPLAINT-SURGE:complaint_surge_7d=3 \
  --dispositions "$tmp/small.disp" --json "$tmp/s.json" --quiet
row='.rules[] | select(.rule == "FOOD-COMPLAINT-SURGE")'
eq "small: leads current/candidate" "2 3" "$(jq -r "$row"' | "\(.current.leads) \(.candidate.leads)"' "$tmp/s.json")"
eq "small: current precision 1 / (1 + 1)" 0.5 "$(jq -r "$row | .current.precision" "$tmp/s.json")"
eq "small: candidate precision 0 / (0 + 1)" 0 "$(jq -r "$row | .candidate.precision" "$tmp/s.json")"
eq "small: judged current/candidate" "2 1" "$(jq -r "$row"' | "\(.current.judged) \(.candidate.judged)"' "$tmp/s.json")"
eq "small: removed 2, 1 confirmed, 1 dismissed" "2 1 1" \
  "$(jq -r "$row"' | .removed | "\(.count) \(.confirmed) \(.dismissed)"' "$tmp/s.json")"
eq "small: added 3, 1 on a confirmed entity (A)" "3 1 $A" \
  "$(jq -r "$row"' | .added | "\(.count) \(.on_confirmed_entities) \(.leads[] | select(.entity_confirmed) | .entity)"' "$tmp/s.json")"
eq "small: added leads listed by date (all 2026-03-03), then id" \
  "$(printf '%s\n' "$(lid $A a3)" "$(lid $B b3)" "$(lid $C c3)" | sort | paste -sd' ')" \
  "$(jq -r "[$row | .added.leads[].id] | join(\" \")" "$tmp/s.json")"
eq "small: dispositions summary" "4 1 2 1" \
  "$(jq -r '.dispositions | "\(.leads) \(.confirmed) \(.dismissed) \(.confirmed_entities)"' "$tmp/s.json")"
eq "small: the --set is reported" "FOOD-COMPLAINT-SURGE:complaint_surge_7d=3" "$(jq -r '.sets[0]' "$tmp/s.json")"

# ---- (c) bad input --------------------------------------------------------------------------
# fails NAME PATTERN ARGS…: non-zero exit and stderr matching PATTERN
fails() {
  local name=$1 pattern=$2 rc=0
  shift 2
  "$bin" backtest "$@" >"$tmp/f.out" 2>"$tmp/f.err" || rc=$?
  if [ $rc -eq 0 ]; then bad "$name" "exit status 0"
  elif ! grep -qE -- "$pattern" "$tmp/f.err"; then bad "$name" "stderr: $(head -c 300 "$tmp/f.err")"
  else ok "$name (exit $rc)"; fi
}
fails "no events" "--events" "${rules[@]}"
fails "both --events and --topic" "二选一" --events "$tmp/small.jsonl" --topic t "${rules[@]}"
fails "a missing events file" "无法打开事件文件" --events "$tmp/none.jsonl" "${rules[@]}"
fails "a missing dispositions file" "处置文件" --events "$tmp/small.jsonl" --dispositions "$tmp/none" "${rules[@]}"
echo 'not json' >"$tmp/bad.disp"
fails "a dispositions file that is not lead records" "bad.disp:1" --events "$tmp/small.jsonl" --dispositions "$tmp/bad.disp" "${rules[@]}"
fails "a bad sweep" "--sweep" --events "$tmp/small.jsonl" --sweep "FOOD-COMPLAINT-SURGE:x" "${rules[@]}"
fails "a sweep of an unknown rule" "未知的规则 NO-SUCH" --events "$tmp/small.jsonl" --sweep "NO-SUCH:p=1..2" "${rules[@]}"
fails "a sweep of an unknown param" "没有参数 nosuch" --events "$tmp/small.jsonl" --sweep "FOOD-COMPLAINT-SURGE:nosuch=1..2" "${rules[@]}"
printf 'ruleset: food\nrules:\n  - id: X\n    title: t\n    if: "count(nope, 7d) >= 1"\n' >"$tmp/broken.yaml"
fails "a ruleset text with an error names its file and line" "broken.yaml:5:[0-9]+: error" \
  --events "$tmp/small.jsonl" --ruleset "$tmp/broken.yaml" "${rules[@]}"
fails "a candidate folder that does not exist" "catalog.yaml" --events "$tmp/small.jsonl" --rules "$tmp/none" "${rules[@]}"

finish
