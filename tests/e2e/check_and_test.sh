#!/usr/bin/env bash
# End-to-end test of `regwatch check` and `regwatch test` ($RW_BIN) for rule authors
# (rules.md "Checks and tests"): the shipped rules check clean and their tests pass;
# copies of the rules folder broken in one way each fail `check` with exit 1 and a
# `file:line:col: error:` line naming the right file and line; a rule test with a wrong
# expectation prints FAIL with a diff and exits 1.
#
# The broken copies add a ruleset of our own (zz_e2e.yaml, loaded last) instead of
# editing shipped files, so the expected lines stay right when the shipped rules change;
# its unbroken form must check clean first.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

show() { sed 's/^/    | /' "$1" | head -n "${2:-8}"; }

# ---- check: the shipped rules ----------------------------------------------------------
rc=0
"$bin" check --rules "$src/rules" --models "$src/models" >"$tmp/ok.out" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then ok "check on the shipped rules exits 0"; else bad "check on the shipped rules exits 0" "exit $rc"; show "$tmp/ok.out"; fi
if grep -qE ':[0-9]+:[0-9]+: error:' "$tmp/ok.out"; then
  bad "check on the shipped rules reports no error" "$(grep -m1 ': error:' "$tmp/ok.out")"
else ok "check on the shipped rules reports no error"; fi

# ---- check: broken copies --------------------------------------------------------------
# The ruleset we add. Line numbers matter: the cases below break lines of it.
write_ruleset() { # write_ruleset FILE IF_EXPR [CLAUSE]
  cat >"$1" <<EOF
# e2e: a ruleset added by tests/e2e/check_and_test.sh
ruleset: zz_e2e
reviewed: 2026-11-01
streams:
  e2e_food_complaint: 'type == "complaint" and attrs.category == "food"'
params:
  e2e_min: 3
rules:
  - id: E2E-FOOD-COMPLAINTS
    title: 端到端测试规则
    on: e2e_food_complaint
    if: '$2'
    level: yellow
    clauses: ["${3:-food-safety-law#114}"]
    item: "SC-FOOD-003"
    suppress: 7d
    message: '近7天食品投诉 {count(e2e_food_complaint, 7d)} 件'
EOF
}
good_if='count(e2e_food_complaint, 7d) >= params.e2e_min'
# copy NAME: a fresh copy of the rules folder with our valid ruleset added
copy() {
  local d=$tmp/$1
  cp -r "$src/rules" "$d"
  write_ruleset "$d/zz_e2e.yaml" "$good_if"
  echo "$d"
}
# broken NAME FILE LINE PATTERN DIR: check on DIR exits 1 with an error at FILE:LINE:<col>
# whose text matches PATTERN.
broken() {
  local name=$1 file=$2 line=$3 pattern=$4 dir=$5 rc=0
  "$bin" check --rules "$dir" --models "$src/models" >"$tmp/$name.out" 2>&1 || rc=$?
  if [ $rc -ne 1 ]; then
    bad "check: $name exits 1" "exit $rc"
    show "$tmp/$name.out"
  elif ! grep -qE "^$dir/$file:$line:[0-9]+: error: .*($pattern)" "$tmp/$name.out"; then
    bad "check: $name reported at $file:$line" "output was:"
    show "$tmp/$name.out"
  else
    ok "check: $name → $(grep -m1 -oE "^$dir/$file:$line:[0-9]+: error:" "$tmp/$name.out" | sed "s|^$dir/||")"
  fi
}
# at NAME FILE:LINE:COL DIR: the error is at exactly that column too
at() {
  if grep -q "^$3/$2: error:" "$tmp/$1.out"; then ok "check: $1 at column ${2##*:}"
  else bad "check: $1 at $2" "$(grep -m1 ': error:' "$tmp/$1.out")"; fi
}

d=$(copy control)
rc=0
"$bin" check --rules "$d" --models "$src/models" >"$tmp/control.out" 2>&1 || rc=$?
if [ $rc -eq 0 ] && ! grep -q ': error:' "$tmp/control.out"; then ok "check: the added ruleset is valid as written"
else bad "check: the added ruleset is valid as written" "exit $rc"; show "$tmp/control.out"; fi

# 1. a syntax error in an expression: line 12 is `    if: '…'`, the expression at col 10
d=$(copy syntax)
write_ruleset "$d/zz_e2e.yaml" 'count(e2e_food_complaint, 7d) >= >= params.e2e_min'
broken "syntax error in an expression" zz_e2e.yaml 12 "语法|syntax" "$d"
at "syntax error in an expression" zz_e2e.yaml:12:43 "$d" # the second >=

# 2. an unknown stream
d=$(copy stream)
write_ruleset "$d/zz_e2e.yaml" 'count(e2e_no_such_stream, 7d) >= params.e2e_min'
broken "unknown stream" zz_e2e.yaml 12 "e2e_no_such_stream" "$d"
at "unknown stream" zz_e2e.yaml:12:16 "$d"

# 3. a YAML error: a mapping value inside a plain scalar on line 10 (title)
d=$(copy yaml)
sed -i '10s/.*/    title: 端到端: 测试规则/' "$d/zz_e2e.yaml"
broken "YAML error" zz_e2e.yaml 10 "YAML" "$d"

# 4. a clause reference that resolves to nothing (no article 999)
d=$(copy clause)
write_ruleset "$d/zz_e2e.yaml" "$good_if" "food-safety-law#999"
broken "unknown clause reference" zz_e2e.yaml 14 "food-safety-law#999" "$d"
# … and a law that does not exist
d=$(copy law)
write_ruleset "$d/zz_e2e.yaml" "$good_if" "no-such-law#1"
broken "unknown law in a clause reference" zz_e2e.yaml 14 "no-such-law" "$d"

# 5. the same rule id in two files: reported in the later file, naming the earlier one
d=$(copy dupid)
write_ruleset "$d/aa_e2e.yaml" "$good_if"
sed -i -e 's/^ruleset: zz_e2e/ruleset: aa_e2e/' -e 's/e2e_food_complaint/e2e_aa_complaint/g' \
  -e 's/e2e_min/e2e_aa_min/g' "$d/aa_e2e.yaml"
broken "duplicate rule id across two files" zz_e2e.yaml 9 "E2E-FOOD-COMPLAINTS.*aa_e2e.yaml:9" "$d"

# 6. an unknown param and a window out of range (1d…400d)
d=$(copy param)
write_ruleset "$d/zz_e2e.yaml" 'count(e2e_food_complaint, 7d) >= params.e2e_no_such_param'
broken "unknown param" zz_e2e.yaml 12 "e2e_no_such_param" "$d"
d=$(copy window)
write_ruleset "$d/zz_e2e.yaml" 'count(e2e_food_complaint, 401d) >= params.e2e_min'
broken "window out of range" zz_e2e.yaml 12 "401d|400" "$d"

# 7. a broken shipped file is reported in that file: a stream of catalog-unknown shape
d=$(copy shipped)
line=$(grep -n "^  food_complaint:" "$d/food.yaml" | cut -d: -f1)
if [ -n "$line" ]; then
  sed -i "${line}s/.*/  food_complaint: 'type == \"complaint\" and (attrs.category == \"food\"'/" "$d/food.yaml"
  broken "syntax error in a shipped stream filter" food.yaml "$line" "语法|syntax|\\)" "$d"
else
  bad "food.yaml declares the stream food_complaint" "not found"
fi

# ---- test: the shipped rule tests --------------------------------------------------------
rc=0
"$bin" test --rules "$src/rules" --models "$src/models" >"$tmp/test.out" 2>&1 || rc=$?
last=$(tail -n 1 "$tmp/test.out")
if [ $rc -eq 0 ] && [[ $last =~ ^([0-9]+)\ passed,\ 0\ failed$ ]] && [ "${BASH_REMATCH[1]}" -ge 1 ]; then
  ok "test on the shipped rules: $last"
else
  bad "test on the shipped rules ends with 'N passed, 0 failed' and exits 0" "exit $rc, last line: $last"
  grep -A4 '^FAIL' "$tmp/test.out" | head -n 20 || true
fi
n_pass=$(grep -c '^PASS ' "$tmp/test.out" || true)
if [[ $last =~ ^([0-9]+)\ passed ]] && [ "$n_pass" -eq "${BASH_REMATCH[1]}" ]; then
  ok "test prints one PASS line per passing case ($n_pass)"
else bad "test prints one PASS line per passing case" "$n_pass PASS lines, last line: $last"; fi

# ---- test: a wrong expectation -------------------------------------------------------------
mkdir -p "$tmp/tests"
ev() { # ev ID DAY CHANNEL: a food complaint in Wuxi (default threshold 5)
  echo "      - {id: $1, type: complaint, entity: 91320205MA1GW00E2E, time: \"2026-03-0$2T10:00:00+08:00\", region: \"320205\", attrs: {category: food, channel: $3}}"
}
five() { ev c1 1 hotline; ev c2 2 hotline; ev c3 3 hotline; ev c4 4 web; ev c5 5 hotline; }
{
  echo "cases:"
  echo "  - name: 正确的期望（第5件投诉触发黄色）"
  echo "    events:"
  five
  echo "    expect:"
  echo "      - {rule: FOOD-COMPLAINT-SURGE, entity: 91320205MA1GW00E2E, trigger: c5, level: yellow}"
  echo "  - name: 错误的期望（黄色写成红色）"
  echo "    events:"
  five
  echo "    expect:"
  echo "      - {rule: FOOD-COMPLAINT-SURGE, entity: 91320205MA1GW00E2E, trigger: c5, level: red}"
  echo "  - name: 错误的期望（not_fired 的规则其实触发了）"
  echo "    events:"
  five
  echo "    not_fired: [FOOD-COMPLAINT-SURGE]"
} >"$tmp/tests/wrong.yaml"
rc=0
"$bin" test --rules "$src/rules" --models "$src/models" --tests "$tmp/tests" >"$tmp/wrong.out" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then ok "test with a wrong expectation exits non-zero ($rc)"; else bad "test with a wrong expectation exits non-zero"; fi
eq_line=$(tail -n 1 "$tmp/wrong.out")
if [ "$eq_line" = "1 passed, 2 failed" ]; then ok "test ends with '1 passed, 2 failed'"; else bad "test ends with '1 passed, 2 failed'" "$eq_line"; fi
if grep -q '^PASS .*正确的期望' "$tmp/wrong.out"; then ok "the right case passes"; else bad "the right case passes"; show "$tmp/wrong.out" 20; fi
# the FAIL line names the case (file:line) and the diff below it shows both sides
diff_block() { awk -v pat="$1" '$0 ~ "^FAIL " && index($0, pat) { on = 1; print; next } /^(PASS|FAIL) / { on = 0 } on' "$tmp/wrong.out"; }
blk=$(diff_block "黄色写成红色")
if [[ $blk == FAIL*wrong.yaml:* ]] && grep -q 'level=red' <<<"$blk" && grep -q 'level=yellow' <<<"$blk"; then
  ok "FAIL for the wrong level, with a diff of expected red against actual yellow"
else bad "FAIL for the wrong level with a diff" "$(printf '%s' "$blk" | head -n 5)"; show "$tmp/wrong.out" 20; fi
blk=$(diff_block "not_fired")
if [[ $blk == FAIL* ]] && grep -q 'FOOD-COMPLAINT-SURGE.*trigger=c5' <<<"$blk"; then
  ok "FAIL for a rule that must not fire, naming the lead it raised"
else bad "FAIL for a rule that must not fire" "$(printf '%s' "$blk" | head -n 5)"; show "$tmp/wrong.out" 20; fi

# a case's `set` reads its value as replay --set does: a quoted "02" stays a string
d=$(copy quoted_set)
rm -f "$d/tests/"*.yaml
cat >"$d/zz_code.yaml" <<'EOF'
ruleset: zz_code
reviewed: 2026-11-01
params:
  code: "01"
rules:
  - id: E2E-CODE
    title: 端到端测试：字符串参数
    on: complaint
    if: 'attrs.code == params.code'
    level: yellow
    clauses: ["food-safety-law#114"]
EOF
cat >"$d/tests/code.yaml" <<'EOF'
cases:
  - name: 字符串参数经 set 改为 "02"
    set: {code: "02"}
    events:
      - {id: q1, type: complaint, entity: 91320205MA1GW00E2E, time: "2026-03-01T10:00:00+08:00", attrs: {code: "02"}}
    expect:
      - {rule: E2E-CODE, entity: 91320205MA1GW00E2E, trigger: q1, level: yellow}
  - name: not_fired 写错了规则 id
    events:
      - {id: q2, type: complaint, entity: 91320205MA1GW00E2E, time: "2026-03-01T10:00:00+08:00", attrs: {code: "03"}}
    not_fired: [E2E-C0DE]
EOF
"$bin" test --rules "$d" --models "$src/models" >"$tmp/qs.out" 2>&1 || true
if grep -q '^PASS .*字符串参数' "$tmp/qs.out"; then ok "test: set {code: \"02\"} keeps the param a string"
else bad "test: set {code: \"02\"} keeps the param a string"; show "$tmp/qs.out" 10; fi
if grep -q '^FAIL .*写错了规则' "$tmp/qs.out" && grep -q 'code.yaml:11:17: 没有规则 E2E-C0DE' "$tmp/qs.out"; then
  ok "test: a not_fired naming no rule fails and says so"
else bad "test: a not_fired naming no rule fails and says so"; show "$tmp/qs.out" 10; fi

# a case written so that it would check nothing fails, at file:line:col, and is not run;
# an invalid event fails its case; an undeclared type is shown under PASS; an unparsable
# file counts as failed, so the last line never reads as all passed
mkdir -p "$tmp/shapes"
s1='{id: s1, type: sampling, entity: E1, time: "2026-03-01T10:00:00+08:00", attrs: {domain: food, result: fail, hazard: pesticide}}'
cat >"$tmp/shapes/a.yaml" <<EOF
cases:
  - name: 少了列表的短横
    events: [$s1]
    expect:
      {rule: FOOD-SAMPLING-CONTAMINANT, entity: E1, trigger: s1, level: red}
  - name: 键写错
    events: [$s1]
    expcet:
      - {rule: FOOD-SAMPLING-CONTAMINANT, entity: E1, trigger: s1, level: red}
  - name: 期望中的键写错
    events: [$s1]
    expect:
      - {rule: FOOD-SAMPLING-CONTAMINANT, entity: E1, trigger: s1, levle: red}
  - name: 事件时间写错
    events:
      - {id: s1, type: sampling, entity: E1, time: "2026-03-01 10:00", attrs: {domain: food, result: fail, hazard: pesticide}}
    not_fired: [FOOD-SAMPLING-CONTAMINANT]
  - name: 未声明的类型
    events:
      - {id: s1, type: samplng, entity: E1, time: "2026-03-01T10:00:00+08:00"}
    not_fired: [FOOD-SAMPLING-CONTAMINANT]
EOF
printf 'cases:\n  - name: [未闭合\n' >"$tmp/shapes/b.yaml"
"$bin" test --rules "$src/rules" --models "$src/models" --tests "$tmp/shapes" >"$tmp/sh.out" 2>&1 || true
for want in 'a.yaml:5:7: expect 应该是列表' 'a.yaml:8:5: 未知的键 "expcet"' 'a.yaml:13:68: 未知的键 "levle"' \
  'a.yaml:13:9: 缺少必填的键 "level"' '事件 1 无效' '注意：事件 1 的类型 samplng 不在目录'; do
  if grep -qF "$want" "$tmp/sh.out"; then ok "test on a miswritten case says: $want"
  else bad "test on a miswritten case says: $want"; show "$tmp/sh.out" 30; fi
done
if [ "$(grep -c '^FAIL .*a.yaml' "$tmp/sh.out")" = 4 ] && grep -q '^PASS .*未声明的类型' "$tmp/sh.out"; then
  ok "the four miswritten cases fail; the undeclared type passes with its note"
else bad "the four miswritten cases fail"; show "$tmp/sh.out" 30; fi
if [ "$(tail -n 1 "$tmp/sh.out")" = "1 passed, 5 failed" ]; then ok "an unparsable test file counts as failed: '1 passed, 5 failed'"
else bad "an unparsable test file counts as failed" "$(tail -n 1 "$tmp/sh.out")"; fi

# a tests folder that does not exist is an error, not "0 passed, 0 failed"
if "$bin" test --rules "$src/rules" --models "$src/models" --tests "$tmp/no-such-tests" >"$tmp/nt.out" 2>"$tmp/nt.err"; then
  bad "test --tests on a missing folder exits non-zero" "exit 0"
elif grep -q '无法读取测试目录' "$tmp/nt.err"; then ok "test --tests on a missing folder exits non-zero and says why"
else bad "test --tests on a missing folder says why" "$(cat "$tmp/nt.err")"; fi

finish
