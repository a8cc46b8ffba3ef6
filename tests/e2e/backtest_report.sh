#!/usr/bin/env bash
# End-to-end test of the HTML reports of `regwatch backtest` ($RW_BIN): a backtest and a
# sweep report are self-contained (no external URL, no script), hold the chart as inline
# <svg> and the tables, and open in headless Chromium (Debian `chromium`), whose
# screenshots are kept in $RW_BUILD_DIR/test-output/ and must be real pictures.
set -euo pipefail
bin=${RW_BIN:?RW_BIN must name the regwatch binary}
gen=${RW_GEN:?RW_GEN must name the rw-gen-events binary}
src=${RW_SOURCE_DIR:?RW_SOURCE_DIR must name the source tree}
out=${RW_BUILD_DIR:?RW_BUILD_DIR must name the build directory}/test-output/backtest_report
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"
mkdir -p "$out"

has() { # NAME FILE PATTERN: grep -E
  if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1" "no /$3/ in $(basename "$2")"; fi
}
rules=(--against "$src/rules" --models "$src/models")

"$gen" --events 20000 --seed 3 >"$tmp/ev.jsonl"
"$bin" replay "$tmp/ev.jsonl" --rules "$src/rules" --models "$src/models" --quiet |
  jq -c 'select(.revision == 1) | .status = "closed" | .disposition = {result: (if (.id[-1:] < "8") then "confirmed" else "dismissed" end), note: "核查", by: "u", at: "2026-01-01T00:00:00+08:00"}' \
    >"$tmp/disp.jsonl"
"$bin" backtest --events "$tmp/ev.jsonl" "${rules[@]}" --set complaint_surge_7d=3 --dispositions "$tmp/disp.jsonl" \
  --report "$out/backtest.html" --quiet
"$bin" backtest --events "$tmp/ev.jsonl" "${rules[@]}" --sweep FOOD-COMPLAINT-SURGE:complaint_surge_7d=2..8 \
  --dispositions "$tmp/disp.jsonl" --report "$out/sweep.html" --quiet

for page in backtest sweep; do
  f=$out/$page.html
  has "$page: an HTML5 page in Chinese, UTF-8" "$f" '^<!DOCTYPE html>$'
  has "$page: lang zh-CN" "$f" '<html lang="zh-CN">'
  has "$page: the chart is inline SVG" "$f" '<svg xmlns="http://www.w3.org/2000/svg"'
  has "$page: the chart draws data" "$f" '<(rect|circle) '
  has "$page: tables" "$f" '<table'
  has "$page: precision shown as a percentage" "$f" '[0-9]\.[0-9]%</td>'
  if grep -qiE '(src|href)="?(https?:)?//|<script|@import|url\(' "$f"; then
    bad "$page: self-contained (no external resource, no script)" "$(grep -oiE '(src|href)="?(https?:)?//[^"]*|<script|@import|url\(' "$f" | head -3)"
  else ok "$page: self-contained (no external resource, no script)"; fi
done
has "backtest: the per-rule table" "$out/backtest.html" '<th>规则</th><th>标题</th>'
has "backtest: leads by month" "$out/backtest.html" '<th>月份</th><th>现行</th><th>候选</th>'
has "backtest: added leads listed" "$out/backtest.html" '<h4>新增的线索'
has "sweep: the table of values" "$out/sweep.html" '<th>取值</th><th>线索数</th>'
has "sweep: the region overrides named, no row marked current" "$out/sweep.html" '区划覆盖中另有取值：3201 为 8、320115 为 6'
if grep -q '（现行）' "$out/sweep.html"; then bad "sweep: no row marked current while overrides differ" "（现行） found"
else ok "sweep: no row marked current while overrides differ"; fi
ge "sweep: one row per value" "$(grep -c '^<tr[^>]*><td>[0-9]' "$out/sweep.html")" 7

if ! command -v chromium >/dev/null; then
  bad "chromium is installed (scripts/setup with RW_WITH_BROWSER=1)"
else
  for page in backtest sweep; do
    shot=$out/$page.png
    rm -f "$shot"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 \
      --user-data-dir="$tmp/chromium" --screenshot="$shot" "file://$out/$page.html" >"$tmp/chromium.log" 2>&1 || true
    if [ ! -s "$shot" ]; then
      bad "$page: chromium takes a screenshot" "$(tail -n 5 "$tmp/chromium.log")"
      continue
    fi
    ok "$page: chromium takes a screenshot ($shot)"
    # a page that failed to render is one flat colour and compresses to almost nothing
    ge "$page: the screenshot is a real picture (bytes)" "$(stat -c %s "$shot")" 30000
  done
fi

finish
