#!/usr/bin/env bash
# The web console end to end, in headless Chromium (console.md): `regwatch run` on its
# embedded broker with a fresh state serves the console from web/; users for each role
# are made with `regwatch users add`; generated events are fed with kcat; then
# tests/console/*.test.mjs (playwright-core driving Debian's chromium) signs in as each
# role and works through the pages. Screenshots go to $RW_BUILD_DIR/console-shots.
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS
CONSOLE=$RW_SOURCE_DIR/tests/console
SHOTS=${RW_BUILD_DIR:-$T}/console-shots
CHROMIUM=${RW_CHROMIUM:-/usr/bin/chromium}

for tool in node npm "$CHROMIUM"; do
  command -v "$tool" >/dev/null || { echo "FAIL $tool is missing (RW_WITH_BROWSER=1 scripts/setup installs it)"; exit 1; }
done
# playwright-core from the lock file; scripts/test runs npm ci before ctest, this covers
# running ctest alone.
if [ ! -d "$CONSOLE/node_modules/playwright-core" ]; then
  (cd "$CONSOLE" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL npm ci in tests/console"; exit 1; }
fi

# Users first: the service reads STATE/users.json (users add needs the folder to exist).
mkdir -p "$T/state"
declare -A TOKEN
add_user() {
  local name=$1
  shift
  # the token is stdout's only line, the rest goes to stderr
  TOKEN[$name]=$("$RW_BIN" users add "$name" --state "$T/state" "$@" 2>"$T/users.err") || {
    bad "regwatch users add $name $*" "$(cat "$T/users.err")"
    return 1
  }
}
add_user wang --role regulator --scope 3301,食品经营监管处
add_user zhou --role regulator --scope 1101
add_user li --role supervisor --scope '*'
add_user zhao --role author --scope '*'
add_user qian --role auditor --scope '*'
add_user root --role admin
tokens=$(jq -nc --arg wang "${TOKEN[wang]}" --arg zhou "${TOKEN[zhou]}" --arg sup "${TOKEN[li]}" \
  --arg author "${TOKEN[zhao]}" --arg auditor "${TOKEN[qian]}" --arg admin "${TOKEN[root]}" \
  '{wang: $wang, zhou: $zhou, supervisor: $sup, author: $author, auditor: $auditor, admin: $admin}')

start_run svc "$T/state" REGWATCH_WEB="$RW_SOURCE_DIR/web" REGWATCH_PARTITIONS=2
BROKER=$(grep -o '127\.0\.0\.1:[0-9]\+' "$T/svc.out" | head -1 || true)
check "the console's page is served at /" bash -c \
  "curl -sf 'http://$HTTP_svc/' | grep -q 'js/app.js'"
same "a script has the JavaScript MIME type" \
  "$(curl -s -o /dev/null -w '%{content_type}' "http://$HTTP_svc/js/app.js")" "text/javascript; charset=utf-8"
same "a path out of the folder is refused" "$(http_code "$HTTP_svc" /../rules/food.yaml)" 404
same "API routes keep their answers" "$(http_code "$HTTP_svc" /healthz)" 200

"$RW_GEN" --events 4000 --seed 42 --format kcat >"$T/events.kcat"
"$RW_GEN" --events 1500 --seed 7 --format kcat >"$T/more.kcat"
produce "$T/events.kcat"
leads_in_scope() {
  [ "$(curl -s -m 5 -H "Authorization: Bearer ${TOKEN[wang]}" "http://$HTTP_svc/api/leads?status=new" |
    jq -r '.total // 0')" -gt 3 ]
}
check "leads for the regulator's scope arrive" poll 90 leads_in_scope

rm -rf "$SHOTS"
if RW_BASE="http://$HTTP_svc" RW_TOKENS="$tokens" RW_SHOTS="$SHOTS" RW_BROKER="$BROKER" \
  RW_MORE_EVENTS="$T/more.kcat" RW_CHROMIUM="$CHROMIUM" \
  node --test --test-concurrency=1 "$CONSOLE"/*.test.mjs >"$T/node.out" 2>&1; then
  ok "the console's browser tests ($(grep -c '^ok ' "$T/node.out" || true) passed)"
else
  bad "the console's browser tests"
  sed 's/^/     /' "$T/node.out" | tail -80
fi
note "screenshots: $SHOTS ($(find "$SHOTS" -name '*.png' 2>/dev/null | wc -l) pages)"
finish
