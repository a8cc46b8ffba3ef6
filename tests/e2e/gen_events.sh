#!/usr/bin/env bash
# End-to-end test of rw-gen-events ($RW_GEN): determinism, the event format of
# events.md, exact line counts, the noise it promises (duplicates, out-of-order and
# late events), the ground-truth file and the kcat format.
set -euo pipefail
gen=${RW_GEN:?RW_GEN must name the rw-gen-events binary}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

# between NAME VALUE LO HI: LO <= VALUE <= HI (integers)
between() {
  if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1 ($2)"; else bad "$1" "$2 not in [$3, $4]"; fi
}

N=20000
"$gen" --events $N --seed 7 --truth "$tmp/truth.jsonl" >"$tmp/a.jsonl"
"$gen" --events $N --seed 7 >"$tmp/b.jsonl"
"$gen" --events $N --seed 8 >"$tmp/c.jsonl"
"$gen" --events $N --seed 7 --out "$tmp/out.jsonl"
"$gen" --events $N --seed 7 --format kcat >"$tmp/k.txt"
awk '!seen[$0]++' "$tmp/a.jsonl" >"$tmp/distinct.jsonl"

check "--help prints usage" bash -c '"$1" --help | grep -q "^usage: rw-gen-events"' _ "$gen"
check "an unknown option fails" bash -c '! "$1" --bogus >/dev/null 2>&1' _ "$gen"
check "a bad --format fails" bash -c '! "$1" --format xml >/dev/null 2>&1' _ "$gen"
check "same seed, byte-identical output" cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"
check "different seed, different output" bash -c '! cmp -s "$1" "$2"' _ "$tmp/a.jsonl" "$tmp/c.jsonl"
check "--out writes what stdout gets" cmp -s "$tmp/a.jsonl" "$tmp/out.jsonl"

between "--events $N gives $N lines" "$(wc -l <"$tmp/a.jsonl")" $N $N
between "--events 1234 gives 1234 lines" "$("$gen" --events 1234 --seed 3 | wc -l)" 1234 1234
between "--events 0 gives no line" "$("$gen" --events 0 | wc -l)" 0 0
between "--days 1 --entities 5 keeps the count" \
  "$("$gen" --events 500 --days 1 --entities 5 | wc -l)" 500 500

# Every line: a JSON object with the required fields, well-typed, time RFC 3339 at +08:00
# naming a real calendar instant (round trip through strptime), a catalogue type.
bad_lines=$(jq -r '
  def known: ["complaint","inspection","sampling","penalty","license_change",
              "registration_change","abnormal_listing","annual_report","tax_anomaly",
              "tax_return","ad_monitoring","price_monitoring","equipment_check",
              "metrology_check","online_listing"];
  [ (.id | type == "string" and length >= 1 and length <= 128),
    (.type | type == "string" and test("^[a-z][a-z0-9_]{0,63}$")),
    (.type as $t | known | index([$t]) != null),
    (.entity | type == "string" and test("^9[12][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    (.time | type == "string"
       and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\+08:00$")
       and (.[0:19] | strptime("%Y-%m-%dT%H:%M:%S") | mktime | todate[0:19]) == .[0:19]),
    (.region | type == "string" and test("^[0-9]{6}$")),
    (.source | type == "string"),
    (.attrs | type == "object"),
    ((.profile // {}) | type == "object")
  ] | if all then empty else "bad" end' "$tmp/a.jsonl" | wc -l)
between "every line is a valid event" "$bad_lines" 0 0

between "(entity, id) unique across distinct events" \
  "$(jq -r '.entity + " " + .id' "$tmp/distinct.jsonl" | sort | uniq -d | wc -l)" 0 0

between "first event of each entity carries name, industry, region" "$(jq -n -r '
  reduce inputs as $e ({}; if has($e.entity) then .
    else .[$e.entity] = ($e.profile | type == "object" and has("name") and has("industry")
                         and has("region")) end)
  | [.[] | select(. | not)] | length' "$tmp/a.jsonl")" 0 0

dups=$(($(wc -l <"$tmp/a.jsonl") - $(wc -l <"$tmp/distinct.jsonl")))
between "duplicate lines present (about 2%)" "$dups" $((N / 100)) $((N * 4 / 100))

ooo=$(jq -n -r 'reduce inputs.time as $t ({max: "", n: 0};
  if $t < .max then .n += 1 else .max = $t end) | .n' "$tmp/distinct.jsonl")
between "out-of-order events present (about 3%)" "$ooo" $((N / 100)) $((N * 8 / 100))

late=$(jq -n -r 'reduce inputs as $e ({latest: {}, n: 0};
  ($e.time[0:10] + "T00:00:00Z" | fromdate / 86400) as $d
  | .latest[$e.entity] as $m
  | if $m != null and $m - $d >= 400 then .n += 1
    else .latest[$e.entity] = ([$m // $d, $d] | max) end) | .n' "$tmp/distinct.jsonl")
between "late events present (about 0.2%)" "$late" 1 $((N / 100))

complaints=$(jq -r 'select(.type == "complaint") | .id' "$tmp/distinct.jsonl" | wc -l)
between "complaints about 30% of events" "$complaints" $((N * 25 / 100)) $((N * 35 / 100))
fails=$(jq -r 'select(.type == "sampling" and .attrs.result == "fail") | .id' \
  "$tmp/distinct.jsonl" | wc -l)
between "some sampling results fail" "$fails" 1 $((N / 50))

between "truth lists injected entities" "$(wc -l <"$tmp/truth.jsonl")" 1 $((N / 20 / 100))
bad_truth=$(jq -r '
  [ (.pattern as $p | ["complaint_surge","sampling_failures","abnormal_operating",
      "revenue_collapse","price_gouging","elevator_overdue","health_food_ads"]
      | index([$p]) != null),
    (.from | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
    (.to | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
    (.from <= .to) ] | if all then empty else "bad" end' "$tmp/truth.jsonl" | wc -l)
between "truth lines are well-formed" "$bad_truth" 0 0
jq -r .entity "$tmp/distinct.jsonl" | sort -u >"$tmp/entities"
missing=$(jq -r .entity "$tmp/truth.jsonl" | sort -u | comm -23 - "$tmp/entities" | wc -l)
between "every truth entity appears in the events" "$missing" 0 0

bad_keys=$(jq -R -r 'index("|") as $i
  | if $i == null then "bad"
    elif .[0:$i] == (.[$i + 1:] | fromjson | .entity) then empty else "bad" end' \
  "$tmp/k.txt" | wc -l)
between "kcat lines are entity|json with the key equal to entity" "$bad_keys" 0 0
check "kcat values are the jsonl lines" cmp -s <(cut -d'|' -f2- "$tmp/k.txt") "$tmp/a.jsonl"

finish
