#!/usr/bin/env bash
# End-to-end test of `regwatch statutes` ($RW_BIN): importing the real 2022 version of
# 计量法实施细则 into a copy of the rules folder (byte-for-byte, laws.yaml edited in place),
# refusals that leave the library untouched, the clause-by-clause diff of the real
# amendment, `show` the day before, of and after 2022-05-01, and a renumbering revision
# with and without a `renumbered` map.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the repository root}
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

# exits NAME WANT CMD...: CMD exits with status WANT (stdout in $tmp/out, stderr in $tmp/err)
exits() {
  local name=$1 want=$2 got=0
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  if [ "$got" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $got, want $want: $(head -c 400 "$tmp/err")"; fi
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

rules=$tmp/rules
cp -r "$src/rules" "$rules"
lib=$rules/statutes
new='计量法实施细则(2022-03-29).md'
cp "$lib/$new" "$tmp/$new"
# The library as it was before the 2022 version: its laws.yaml item and its file removed.
awk '/^      - effective: 2022-05-01$/ { skip = 2 } skip { skip--; next } { print }' \
  "$src/rules/statutes/laws.yaml" >"$lib/laws.yaml"
rm "$lib/$new"
cp "$lib/laws.yaml" "$tmp/before.yaml"
s() { "$bin" statutes "$@" --rules "$rules"; }

exits "statutes --help" 0 "$bin" statutes --help
check "statutes --help lists the subcommands" bash -c 'grep -q import "$1" && grep -q diff "$1" && grep -q show "$1"' _ "$tmp/out"
for sub in import diff show; do
  exits "statutes $sub --help" 0 "$bin" statutes $sub --help
  check "statutes $sub --help is a usage" has "$tmp/out" "用法: regwatch statutes $sub"
done
exits "no subcommand is a usage error" 2 "$bin" statutes
exits "an unknown subcommand is a usage error" 2 "$bin" statutes frobnicate
exits "import without --effective is a usage error" 2 s import "$tmp/$new" --law metrology-rules
exits "an impossible date is a usage error" 2 s import "$tmp/$new" --law metrology-rules --effective 2022-02-30
check "the date error names the option" has "$tmp/err" "--effective 需要日期"
exits "diff without a law is a usage error" 2 s diff
exits "show --at with a bad date is a usage error" 2 s show 计量法实施细则#31 --at 2022/05/01

exits "diff of a law with one version fails" 1 s diff metrology-rules
check "…saying there is nothing to compare" has "$tmp/err" "只有一个版本"
exits "before the import, 2022-05-01 still cites 2018" 0 s show 计量法实施细则#31 --at 2022-05-01
check "…the 2018 version" has "$tmp/out" "2022-05-01 适用 2018-03-19 起施行的版本"

# ---- import -------------------------------------------------------------------------
exits "import the 2022 version" 0 s import "$tmp/$new" --law metrology-rules --effective 2022-05-01
check "import reports the new version" has "$tmp/out" "新增 2022-05-01 起施行的版本，现有 2 个版本"
check "import notes the file name's date is not the effective date" has "$tmp/out" "文件名中的 2022-03-29 是公布（通过）日期"
check "laws.yaml is the shipped one again, comments and order intact" cmp -s "$lib/laws.yaml" "$src/rules/statutes/laws.yaml"
check "the text is copied byte for byte under its own name" cmp -s "$lib/$new" "$tmp/$new"

exits "importing the same effective date again fails" 1 s import "$tmp/$new" --law metrology-rules --effective 2022-05-01
check "…pointing at the version that has it" has "$tmp/err" "laws.yaml:163:20: error: 法律「metrology-rules」已有 2022-05-01 起施行的版本"
check "…and laws.yaml is untouched" cmp -s "$lib/laws.yaml" "$src/rules/statutes/laws.yaml"

printf '# 中华人民共和国计量法实施细则\n\n<!-- INFO END -->\n\n第一条 甲。\n\n第二条 乙。\n\n第二条之二 丙。\n' >"$tmp/bad.md"
exits "a file out of the layout is refused" 1 s import "$tmp/bad.md" --law metrology-rules --effective 2030-01-01
check "…with file:line:col" has "$tmp/err" "bad.md:9:1: error: 条的序号不连续：第二条之二应紧跟在第二条之一之后"
check "…nothing copied" test ! -e "$lib/bad.md"
check "…laws.yaml untouched" cmp -s "$lib/laws.yaml" "$src/rules/statutes/laws.yaml"
exits "a new law needs --level" 1 s import "$tmp/$new" --law brand-new --effective 2030-01-01
check "…says so" has "$tmp/err" "新法律需要 --level"

# ---- diff of the real amendment -------------------------------------------------------
exits "diff metrology-rules" 0 s diff metrology-rules
check "diff compares the last two versions" has "$tmp/out" "比较 2018-03-19 起施行的版本（计量法实施细则(2018-03-19).md）与 2022-05-01 起施行的版本"
check "the only changed article is 第三十一条" \
  test "$(grep -E '^第.+条.* (修改|新增|删除|→)' "$tmp/out")" = "第三十一条 修改"
check "…with its old and new text" bash -c 'grep -q "^  原：产品质量检验机构提出计量认证申请后" "$1" && grep -q "^  新：.*产品质量检验机构自愿签署告知承诺书并按要求提交材料的，按照告知承诺相关程序办理。" "$1"' _ "$tmp/out"
check "unchanged articles as ranges" has "$tmp/out" "未变：第一条至第三十条、第三十二条至第六十条"
check "the summary line" has "$tmp/out" "合计：修改 1 条，新增 0 条，删除 0 条，条号变动 0 条，未变 59 条（旧版 60 条，新版 60 条）"
exits "diff --json" 0 s diff 计量法实施细则 --json
check "json summary" test "$(jq -c .summary "$tmp/out")" = '{"unchanged":59,"amended":1,"renumbered":0,"added":0,"removed":0}'
check "json: only article 31 is not unchanged" test "$(jq -c '[.articles[] | select(.status != "unchanged") | .new.article]' "$tmp/out")" = '["31"]'
check "json: bracket-width changes (第四条) are unchanged" test "$(jq -r '.articles[3] | .status + " " + .old.label' "$tmp/out")" = "unchanged 第四条"
check "json: the versions compared" test "$(jq -r '.from.effective + " " + .to.effective' "$tmp/out")" = "2018-03-19 2022-05-01"
exits "diff --from/--to by the days in force" 0 s diff metrology-rules --from 2020-01-01 --to 2023-01-01 --json
check "…picks the same two versions" test "$(jq -c .summary.amended "$tmp/out")" = 1
exits "diff with both dates in one version fails" 1 s diff metrology-rules --from 2022-05-01 --to 2023-01-01
exits "diff of an unknown law fails" 1 s diff 民法典

# ---- show around 2022-05-01 -------------------------------------------------------------
exits "show the day before" 0 s show 计量法实施细则#31 --at 2022-04-30
check "…cites 2018" has "$tmp/out" "2022-04-30 适用 2018-03-19 起施行的版本（计量法实施细则(2018-03-19).md）"
check "…labels the clause" has "$tmp/out" "计量法实施细则#31  第三十一条"
check "…names the law" has "$tmp/out" "中华人民共和国计量法实施细则（metrology-rules）"
check "…says 2022-05-01 amended it, with the new text" bash -c 'grep -q "2022-05-01 起施行的版本（计量法实施细则(2022-03-29).md）修改为：" "$1" && grep -q "^    .*告知承诺相关程序办理" "$1"' _ "$tmp/out"
for d in 2022-05-01 2022-05-02; do
  exits "show on $d" 0 s show 计量法实施细则#31 --at $d
  check "…cites 2022" has "$tmp/out" "$d 适用 2022-05-01 起施行的版本（计量法实施细则(2022-03-29).md）"
  check "…which is the latest" has "$tmp/out" "这是最新版本"
done
exits "show --json the day before" 0 s show metrology-rules#31 --at 2022-04-30 --json
check "…version, label and the later amendment" test "$(jq -r '[.version, .label, .later[0].effective, .later[0].status, (.later | length | tostring)] | join(" ")' "$tmp/out")" = "2018-03-19 第三十一条 2022-05-01 amended 1"
exits "show --json on the day" 0 s show metrology-rules#31 --at 2022-05-01 --json
check "…2022 with nothing later" test "$(jq -r '.version + " " + (.later | length | tostring)' "$tmp/out")" = "2022-05-01 0"
exits "an article only re-typeset is not reported changed" 0 s show metrology-rules#4.1.1 --at 2022-04-30
check "…no later change" has "$tmp/out" "此后的版本没有修改该条款"
check "…its label" has "$tmp/out" "metrology-rules#4.1.1  第四条第一款第一项"
exits "a pinned reference keeps its version" 0 s show 'metrology-rules@2018-03-19#31' --at 2023-01-01
check "…2018" has "$tmp/out" "2023-01-01 适用 2018-03-19 起施行的版本"
exits "before the first version: not in force" 1 s show 计量法实施细则#31 --at 2018-03-18
check "…with the reason" has "$tmp/out" "不在施行：2018-03-18 早于中华人民共和国计量法实施细则最早的版本（2018-03-19 起施行）"
exits "a clause the version lacks: not in force" 1 s show 计量法实施细则#61 --at 2022-05-01 --json
check "…with the reason" test "$(jq -r '.in_force|tostring' "$tmp/out") $(jq -r .reason "$tmp/out")" = "false 2022-05-01 起施行的版本没有第六十一条（该版共 60 条，最后一条是第六十条）"
check "…naming the law as when in force (id, title)" test "$(jq -r '.law + " " + .title' "$tmp/out")" = "metrology-rules 中华人民共和国计量法实施细则"
exits "an unknown law in a reference fails" 1 s show 民法典#1

# ---- a revision that renumbers ------------------------------------------------------------
hdr='# 测试办法\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n'
printf "$hdr"'第一条 为了测试，制定本办法。\n\n第二条 经营者应当明码标价。\n\n第三条 违反第二条规定的，责令改正。\n\n第四条 本办法自2020年1月1日起施行。\n' >"$tmp/r1.md"
printf "$hdr"'第一条 为了测试，制定本办法。\n\n第二条 平台经营者应当核验经营者身份。\n\n第三条 经营者应当明码标价。\n\n第四条 违反第三条规定的，责令改正。\n\n第五条 本办法自2020年1月1日起施行。\n' >"$tmp/r2.md"
exits "import a new law" 0 s import "$tmp/r1.md" --law test-measures --alias 测试办法 --level department-rule --effective 2020-01-01
check "…as a new entry at the end of laws.yaml" test "$(tail -8 "$lib/laws.yaml" | head -3 | tr -d '\n')" = "  - id: test-measures    title: 测试办法    aliases: [测试办法]"
exits "import its revision" 0 s import "$tmp/r2.md" --law 测试办法 --effective 2024-01-01
exits "diff the revision" 0 s diff test-measures
check "articles moved by the insertion are renumbered" has "$tmp/out" "第二条 → 第三条 条号变动（条文未变）（按条文内容对应）"
check "an amended and moved article" has "$tmp/out" "第三条 → 第四条 条号变动并修改（按相似条文对应）"
check "the inserted article" has "$tmp/out" "第二条 新增"
check "a map is suggested" has "$tmp/out" "renumbered: {2: 3, 3: 4, 4: 5}"
check "the summary" has "$tmp/out" "合计：修改 0 条，新增 1 条，删除 0 条，条号变动 3 条，未变 1 条"
exits "without a map a reference keeps its number" 0 s show test-measures#2 --at 2024-06-01
check "…and reads the new 第二条" has "$tmp/out" "平台经营者应当核验经营者身份"
sed -i 's/^        source: r2.md$/&\n        renumbered: {2: 3, 3: 4, 4: 5}/' "$lib/laws.yaml"
exits "with the map a reference follows its article" 0 s show test-measures#2 --at 2024-06-01
check "…to 第三条" has "$tmp/out" "test-measures#2  第三条"
check "…saying why" has "$tmp/out" "renumbered 使它在此版本为第三条"
check "…with its text" has "$tmp/out" "  经营者应当明码标价。"
exits "and before the revision it is 第二条" 0 s show test-measures#2 --at 2023-12-31
check "…which later moved unchanged" has "$tmp/out" "改为第三条，条文未变"
exits "diff follows the map" 0 s diff test-measures --json
check "…pairs by map" test "$(jq -c '[.articles[] | select(.by == "map") | .old.article + ">" + .new.article]' "$tmp/out")" = '["2>3","3>4","4>5"]'
sed -i '$ s/^    repealed: null$/    repealed: 2030-01-01/' "$lib/laws.yaml"
exits "a reference pinned to a day the law is repealed: not in force" 1 s show 'test-measures@2030-06-01#1' --at 2024-06-01
check "…because it was repealed then" has "$tmp/out" "不在施行：引用固定的日期 2030-06-01 时测试办法已废止（2030-01-01 起）"
printf 'laws:\n  - id: x\n    title: 测试办法\n    level: law\n    versions:\n      - effective: 2020-01-01\n        source: r1.md\n        renumbered: {1: 2}\n' >"$lib/laws.yaml"
exits "a map on the first version is refused by the loader" 1 s show x#1 --at 2021-01-01
check "…with its position" has "$tmp/err" "laws.yaml:8:21: error: 第一个版本不能有 renumbered"

finish
