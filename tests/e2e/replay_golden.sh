#!/usr/bin/env bash
# End-to-end golden test of `regwatch replay` ($RW_BIN): the hand-written stream
# tests/golden/events.jsonl, replayed with the shipped rules and the wall clock pinned
# (tests/golden/now.txt), must give tests/golden/leads.jsonl (every revision),
# rejects.jsonl and summary.txt byte for byte. Then: the same bytes whatever the commit
# batch size, input path or number of engine threads; only wall-clock fields differ without REGWATCH_NOW; and
# invariants of leads.md/rules.md that hold whatever the rules say (lead ids, revisions,
# escalations, base64 of rejects), so a careless golden refresh cannot hide them.
# Refresh the golden files with scripts/update-golden after a deliberate change.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
golden=$src/tests/golden
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

# same NAME EXPECTED ACTUAL: byte-identical files, else a short diff
same() {
  if cmp -s "$2" "$3"; then
    ok "$1"
  else
    bad "$1" "differs from $(basename "$2") (expected) — first lines of the diff:"
    diff -u "$2" "$3" | head -n 40 || true
  fi
}
# empty NAME FILE: FILE has no line (each line printed is a violation)
empty() {
  if [ ! -s "$2" ]; then ok "$1"; else bad "$1" "$(head -n 5 "$2")"; fi
}

# Keep in sync with scripts/update-golden.
now=$(cat "$golden/now.txt")
replay() { # replay OUT_PREFIX [extra args…]: leads, rejects and stderr of one run
  local p=$1 rc=0
  shift
  "$bin" replay "$golden/events.jsonl" --rules "$src/rules" --models "$src/models" \
    --out "$p.leads" --rejects "$p.rejects" "$@" 2>"$p.err" || rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL regwatch replay tests/golden/events.jsonl $* exited $rc:"
    head -n 20 "$p.err"
    exit 1
  fi
}
summary() { # the stderr summary line without its timing figures
  grep '^回放：' "$1" | sed -E 's/[0-9.]+ 秒，[0-9]+ 事件\/秒；//'
}

REGWATCH_NOW=$now replay "$tmp/a"
summary "$tmp/a.err" >"$tmp/a.summary"
same "leads equal tests/golden/leads.jsonl" "$golden/leads.jsonl" "$tmp/a.leads"
same "rejects equal tests/golden/rejects.jsonl" "$golden/rejects.jsonl" "$tmp/a.rejects"
same "summary equals tests/golden/summary.txt" "$golden/summary.txt" "$tmp/a.summary"

# Commit boundaries must not matter: with --batch 1 every suppressed trigger reads the
# lead it updates back from RocksDB; reading stdin is the same as reading the file.
REGWATCH_NOW=$now replay "$tmp/b" --batch 1
same "--batch 1 gives the same leads" "$tmp/a.leads" "$tmp/b.leads"
same "--batch 1 gives the same rejects" "$tmp/a.rejects" "$tmp/b.rejects"
REGWATCH_NOW=$now "$bin" replay - --rules "$src/rules" --models "$src/models" --batch 7 \
  --rejects "$tmp/c.rejects" <"$golden/events.jsonl" >"$tmp/c.leads" 2>"$tmp/c.err" ||
  bad "replay of stdin (-) succeeds" "$(head -c 300 "$tmp/c.err")"
same "stdin (-) and --batch 7 give the same leads on stdout" "$tmp/a.leads" "$tmp/c.leads"
same "stdin (-) gives the same rejects" "$tmp/a.rejects" "$tmp/c.rejects"
# a byte-order mark before the first line (UTF-8 as saved on Windows) is not part of the event
{ printf '\xEF\xBB\xBF'; cat "$golden/events.jsonl"; } |
  REGWATCH_NOW=$now "$bin" replay - --rules "$src/rules" --models "$src/models" \
    --rejects "$tmp/bom.rejects" >"$tmp/bom.leads" 2>"$tmp/bom.err" ||
  bad "replay of a file starting with a BOM succeeds" "$(head -c 300 "$tmp/bom.err")"
same "a leading BOM gives the same leads" "$tmp/a.leads" "$tmp/bom.leads"
same "a leading BOM gives the same rejects" "$tmp/a.rejects" "$tmp/bom.rejects"
# without --rejects (and with --quiet) the rejects are not dropped: their records go to stderr
REGWATCH_NOW=$now "$bin" replay "$golden/events.jsonl" --rules "$src/rules" --models "$src/models" \
  --quiet --out "$tmp/q.leads" 2>"$tmp/q.err" || bad "replay without --rejects succeeds"
same "without --rejects, stderr carries the rejects' records" "$tmp/a.rejects" "$tmp/q.err"

# Entities are split among engine threads: their number must not show in the output,
# on the golden stream and on a generated one with hot entities, duplicates and late
# events (commits at odd positions too).
REGWATCH_NOW=$now replay "$tmp/t1" --threads 1
REGWATCH_NOW=$now replay "$tmp/t5" --threads 5 --batch 3
same "--threads 1 gives the same leads" "$tmp/a.leads" "$tmp/t1.leads"
same "--threads 5 --batch 3 gives the same leads" "$tmp/a.leads" "$tmp/t5.leads"
same "--threads 5 gives the same rejects" "$tmp/a.rejects" "$tmp/t5.rejects"
summary "$tmp/t5.err" >"$tmp/t5.summary"
same "--threads 5 gives the same summary" "$golden/summary.txt" "$tmp/t5.summary"
"${RW_GEN:?RW_GEN must name rw-gen-events}" --events 20000 --seed 5 --out "$tmp/gen.jsonl"
for t in 1 3; do
  REGWATCH_NOW=$now "$bin" replay "$tmp/gen.jsonl" --rules "$src/rules" --models "$src/models" \
    --threads $t --batch 997 --out "$tmp/gen.$t.leads" 2>"$tmp/gen.$t.err"
  summary "$tmp/gen.$t.err" >"$tmp/gen.$t.summary"
done
if [ "$(wc -l <"$tmp/gen.1.leads")" -ge 1000 ]; then ok "the generated stream raises leads ($(wc -l <"$tmp/gen.1.leads") revisions)"; else bad "the generated stream raises leads" "only $(wc -l <"$tmp/gen.1.leads")"; fi
same "generated stream: 3 threads give the leads of 1" "$tmp/gen.1.leads" "$tmp/gen.3.leads"
same "generated stream: 3 threads give the summary of 1" "$tmp/gen.1.summary" "$tmp/gen.3.summary"

# Without the pinned clock only the wall-clock fields may differ (product.md): created_at
# and what is computed from it — the deadlines, and `changed` of a clause (the version in
# force at processing time).
replay "$tmp/d"
strip='del(.created_at, .due) | .clauses |= map(del(.changed))'
jq -c "$strip" "$tmp/a.leads" >"$tmp/a.stripped"
jq -c "$strip" "$tmp/d.leads" >"$tmp/d.stripped"
same "the real clock changes only created_at, due and changed" "$tmp/a.stripped" "$tmp/d.stripped"
same "the real clock changes no reject" "$tmp/a.rejects" "$tmp/d.rejects"

# ---- invariants, whatever the golden content ----------------------------------------
L=$golden/leads.jsonl
if [ "$(wc -l <"$L")" -ge 20 ]; then ok "the golden file holds leads ($(wc -l <"$L"))"; else bad "the golden file holds leads" "only $(wc -l <"$L") lines"; fi

# id = "L" + first 20 hex of SHA-256(rule \x1f entity \x1f trigger_event)   (rules.md)
jq -r '[.id, .rule, .entity, .trigger_event] | @tsv' "$L" | while IFS=$'\t' read -r id rule ent trig; do
  h=$(printf '%s\x1f%s\x1f%s' "$rule" "$ent" "$trig" | sha256sum | cut -c1-20)
  [ "L$h" = "$id" ] || echo "$id: expected L$h"
done >"$tmp/ids"
empty "lead ids are L + SHA-256(rule␟entity␟trigger)[:20]" "$tmp/ids"

# Revisions of a lead are 1, 2, 3… in file order; in replay a revision only ever adds a
# suppressed hit, so hits == revision and nothing else of the record changes.
jq -s -r '
  to_entries | group_by(.value.id)[] | sort_by(.key) | map(.value)
  | if map(.revision) != [range(1; length + 1)] then "\(.[0].id): revisions \(map(.revision))"
    else .[] | select(.hits != .revision) | "\(.id) r\(.revision): hits \(.hits)" end' "$L" >"$tmp/revs"
empty "revisions count 1, 2, 3… and hits equal the revision" "$tmp/revs"
jq -s -r 'group_by(.id)[] | select((map(del(.revision, .hits)) | unique | length) > 1) | .[0].id' "$L" \
  >"$tmp/stable"
empty "a suppressed hit changes nothing but revision and hits" "$tmp/stable"

# escalates names an earlier lead of the same rule and entity with a less severe level.
jq -s -r '
  def sev: {"blue": 0, "yellow": 1, "orange": 2, "red": 3}[.];
  (map(select(.revision == 1)) | to_entries) as $first
  | $first[] | .key as $i | .value as $l | select($l.escalates != null)
  | ([$first[] | select(.key < $i and .value.id == $l.escalates) | .value] | first) as $p
  | if $p == null then "\($l.id) escalates \($l.escalates), no earlier lead"
    elif $p.rule != $l.rule or $p.entity != $l.entity then "\($l.id) escalates a lead of another rule/entity"
    elif ($p.level | sev) >= ($l.level | sev) then "\($l.id) (\($l.level)) escalates \($p.id) (\($p.level))"
    else empty end' "$L" >"$tmp/esc"
empty "escalates points to an earlier, less severe lead of the same rule and entity" "$tmp/esc"
n_esc=$(jq -s 'map(select(.escalates != null and .revision == 1)) | length' "$L")
n_hit=$(jq -s 'map(select(.revision > 1)) | length' "$L")
if [ "$n_esc" -ge 1 ] && [ "$n_hit" -ge 1 ]; then
  ok "the stream exercises escalation ($n_esc) and suppression ($n_hit)"
else
  bad "the stream exercises escalation and suppression" "escalations $n_esc, suppressed hits $n_hit"
fi

# Every lead carries the fields of leads.md, at least one clause in force, and its
# events (at most 50) are distinct.
jq -r '
  select(
    ([ "id","revision","rule","rule_title","ruleset","rule_hash","mode","entity","entity_name",
       "region","department","level","hits","escalates","trigger_event","event_time",
       "created_at","evidence","events","models","clauses","item","message","status",
       "assignee","due","overdue","disposition"] - keys | length) > 0
    or (.clauses | length) == 0
    or (.events | length) > 50 or (.events | unique | length) != (.events | length)
    or (.rule_hash | test("^[0-9a-f]{16}$") | not)
    or ([.clauses[] | .ref, .law, .version, .label, .text] | map(type == "string") | all | not)
  ) | .id' "$L" >"$tmp/shape"
empty "every lead has the leads.md fields, a clause, ≤ 50 distinct events" "$tmp/shape"

# Each reject names a line of the stream and holds its bytes in base64.
jq -r '[.line, .code, .value_base64] | @tsv' "$golden/rejects.jsonl" |
  while IFS=$'\t' read -r line code b64; do
    [ "$(printf '%s' "$b64" | base64 -d)" = "$(sed -n "${line}p" "$golden/events.jsonl")" ] ||
      echo "line $line ($code): base64 is not the line"
  done >"$tmp/b64"
empty "each reject's value_base64 is the bytes of its line" "$tmp/b64"
if [ "$(wc -l <"$golden/rejects.jsonl")" -ge 2 ]; then ok "the stream has invalid lines"; else bad "the stream has invalid lines"; fi

finish
