#!/usr/bin/env bash
# Amendments as a rule author and a regulator meet them (statutes.md, issue 立改废释):
# a replay across an amendment date cites the old text before it and the new one after;
# `regwatch check` warns (never blocks) for a clause amended after the ruleset's
# `reviewed` date, for rules whose clauses are all repealed, for clauses outside the
# item's basis; unknown item codes and references that resolve to nothing are errors.
set -euo pipefail
BIN=${RW_BIN:?}; SRC=${RW_SOURCE_DIR:?}
work=$(mktemp -d /tmp/rw-amend-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=fixtures/counts.bash
source "$SRC/tests/e2e/fixtures/counts.bash"

cp -r "$SRC/rules" "$work/rules"
rm -f "$work/rules/tests/"*.yaml
cat > "$work/rules/zz-amend.yaml" <<'YAML'
ruleset: amend-test
reviewed: 2021-01-01
rules:
  - id: TEST-METRO-31
    title: 计量检定不合格（引用实施细则第三十一条）
    on: metrology_check
    if: 'attrs.result == "fail"'
    level: yellow
    clauses: ["metrology-rules#31"]
    suppress: 0d
YAML
cat > "$work/events.jsonl" <<'JSON'
{"id":"a1","type":"metrology_check","entity":"M1","time":"2022-04-30T23:30:00+08:00","attrs":{"instrument":"scale","result":"fail","deviation":4}}
{"id":"a2","type":"metrology_check","entity":"M1","time":"2022-05-01T00:30:00+08:00","attrs":{"instrument":"scale","result":"fail","deviation":4}}
{"id":"a3","type":"metrology_check","entity":"M2","time":"2022-04-30T16:30:00Z","attrs":{"instrument":"scale","result":"fail","deviation":4}}
JSON
REGWATCH_NOW=2026-11-21T10:00:00+08:00 "$BIN" replay "$work/events.jsonl" --rules "$work/rules" --models "$SRC/models" \
  --out "$work/leads.jsonl" --quiet
lead() { jq -c --arg t "$1" 'select(.rule == "TEST-METRO-31" and .trigger_event == $t)' "$work/leads.jsonl"; }
# lead_is EVENT FILTER: the jq FILTER is true of the lead EVENT triggered; lead_isnt: not so
lead_is() { lead "$1" | jq -e "$2" >/dev/null; }
lead_isnt() { ! lead_is "$@"; }
# said RC PATTERN: the last `regwatch check` exited RC and its output matches PATTERN;
# unsaid PATTERN: its output does not
said() { [ "$rc" = "$1" ] && grep -q "$2" <<<"$out"; }
unsaid() { ! grep -q "$1" <<<"$out"; }
quietly() { "$@" >/dev/null; }
eq "the day before: the 2018 version is cited" 2018-03-19 "$(lead a1 | jq -r '.clauses[0].version' || true)"
check "the day before: changed shows the 2022 text" \
  lead_is a1 '.clauses[0].changed.date == "2022-05-01" and (.clauses[0].changed.text | test("告知承诺"))'
eq "the day of: the 2022 version is cited" 2022-05-01 "$(lead a2 | jq -r '.clauses[0].version' || true)"
eq "the day of: nothing newer, changed is null" null "$(lead a2 | jq -c '.clauses[0].changed' || true)"
check "the new text is cited from the day it takes force" lead_is a2 '.clauses[0].text | test("告知承诺")'
check "the old text does not have it" lead_isnt a1 '.clauses[0].text | test("告知承诺")'
eq "the date is the local (+08:00) date: 16:30Z on 04-30 is 05-01 in Beijing" 2022-05-01 \
  "$(lead a3 | jq -r '.clauses[0].version' || true)"

out=$("$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "amended after reviewed is a warning, not an error" \
  said 0 "zz-amend.yaml:[0-9]*:[0-9]*: warning: .*metrology-rules#31.*2022-05-01"

# no reviewed date: amendments cannot be told, and check says so at the ruleset
sed -i '/^reviewed: 2021-01-01/d' "$work/rules/zz-amend.yaml"
out=$("$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "a ruleset without reviewed: a warning at its name" said 0 "zz-amend.yaml:1:10: warning: 规则集没有 reviewed 日期"
sed -i 's/^ruleset: amend-test/&\nreviewed: 2021-01-01/' "$work/rules/zz-amend.yaml"

# reviewed before the law's first version took force: its amendments are still news
sed -i 's/^reviewed: 2021-01-01/reviewed: 2018-01-01/' "$work/rules/zz-amend.yaml"
out=$(REGWATCH_NOW=2026-11-21T10:00:00+08:00 "$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "reviewed before the first version: amended after it still warns" \
  said 0 "zz-amend.yaml:[0-9]*:[0-9]*: warning: .*metrology-rules#31.*2022-05-01"
sed -i 's/^reviewed: 2018-01-01/reviewed: 2021-01-01/' "$work/rules/zz-amend.yaml"

# a repealed law: every clause of the rule repealed
sed -i '/^  - id: metrology-rules/,/repealed:/ s/    repealed: null/    repealed: 2026-01-01/' "$work/rules/statutes/laws.yaml"
out=$("$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "all clauses repealed: a warning, loading goes on" said 0 "warning: 规则 TEST-METRO-31 引用的条款全部已废止"
check "at the rule's clauses, not at column 1 of its line" said 0 "zz-amend.yaml:9:15: warning: 规则 TEST-METRO-31 引用的条款全部已废止"
REGWATCH_NOW=2026-11-21T10:00:00+08:00 "$BIN" replay "$work/events.jsonl" --rules "$work/rules" --models "$SRC/models" \
  --out "$work/leads2.jsonl" --quiet
eq "history before the repeal still replays and cites the law" 3 \
  "$(jq -s '[.[] | select(.rule == "TEST-METRO-31")] | length' "$work/leads2.jsonl" || true)"
check "a lead cited before the repeal shows it as repealed now" \
  quietly jq -s -e '[.[] | select(.rule == "TEST-METRO-31")][0].clauses[0].changed.repealed == true' "$work/leads2.jsonl"

# a repeal date still ahead: said as such, and the rule is not called dead
sed -i 's/    repealed: 2026-01-01/    repealed: 2030-01-01/' "$work/rules/statutes/laws.yaml"
out=$(REGWATCH_NOW=2026-11-21T10:00:00+08:00 "$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "a repeal still ahead: a warning with its date" \
  said 0 "warning: 规则 TEST-METRO-31 引用的条款 metrology-rules#31 所在法律将于 2030-01-01 废止"
check "a repeal still ahead: the rule is not reported as never firing again" unsaid "全部已废止"
sed -i 's/    repealed: 2030-01-01/    repealed: 2026-01-01/' "$work/rules/statutes/laws.yaml"

# errors: an unknown item, a reference that resolves to nothing
printf '    item: "SC-NOPE-999"\n' >> "$work/rules/zz-amend.yaml"
out=$("$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "an unknown item code is an error" said 1 "zz-amend.yaml:11:11: error: 未知的监管事项编码 SC-NOPE-999"
sed -i '$d' "$work/rules/zz-amend.yaml"
sed -i 's/metrology-rules#31/metrology-rules#99/' "$work/rules/zz-amend.yaml"
out=$("$BIN" check --rules "$work/rules" --models "$SRC/models" 2>&1) && rc=0 || rc=$?
check "a reference that resolves to nothing is an error" said 1 "zz-amend.yaml:9:15: error: 条款 metrology-rules#99"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
