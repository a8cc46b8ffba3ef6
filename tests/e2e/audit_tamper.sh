#!/usr/bin/env bash
# The audit log is append-only and each entry holds the SHA-256 of the previous one
# (leads.md): `regwatch audit verify` must name the first entry that was edited,
# removed or moved on disk — here by a helper that writes RocksDB directly
# (fixtures/audit_tamper.c), as someone with access to the files could.
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
# shellcheck source=fixtures/api_lib.bash
source "$FIXTURES/api_lib.bash"
T0=$SECONDS
TAMPER=$T/audit-tamper
# shellcheck disable=SC2046
${CC:-cc} -O1 -o "$TAMPER" "$FIXTURES/audit_tamper.c" $(pkg-config --cflags --libs rocksdb)

api_state 3000 41
user wang regulator
user li supervisor
mapfile -t L < <(jq -r '[.[] | select(.status == "new")] | .[0:2] | .[].id' "$T/leads.json")
cli_act() { "$RW_BIN" leads act "$1" "$2" --as "$3" --state "$T/state" --rules "$RULES" --models "$MODELS" "${@:4}" >/dev/null; }
cli_act "${L[0]}" accept wang
cli_act "${L[0]}" verify wang
cli_act "${L[0]}" confirm wang --measure 约谈 --note 已约谈负责人
cli_act "${L[0]}" close li
cli_act "${L[1]}" return wang --reason 不属本部门
cli_act "${L[1]}" reassign li --department 食品生产监管处
"$RW_BIN" audit list --state "$T/state" >"$T/entries"
same "six actions, six audit entries" "$(wc -l <"$T/entries")" 6

verify() { "$RW_BIN" audit verify --state "$1" 2>&1 || true; }
out=$(verify "$T/state")
check "an untouched log verifies ($out)" grep -q '完好：6 条' <<<"$out"

# tampered COPY OPERATION… : a copy of the state with the helper applied
tampered() {
  local dir=$T/$1
  shift
  cp -r "$T/state" "$dir"
  "$TAMPER" "$dir" "$@"
  verify "$dir"
}
out=$(tampered edited edit 3)
check "an edited entry is named: #3 ($out)" grep -q '第 3 条.*被修改' <<<"$out"
out=$(tampered removed delete 2)
check "a removed entry is named: #2 ($out)" grep -q '第 2 条缺失' <<<"$out"
out=$(tampered removed_last delete 6)
check "a removed last entry is named: #6 ($out)" grep -q '第 6 条.*末尾的记录被删除\|末尾的记录被删除' <<<"$out"
out=$(tampered swapped swap 4 5)
check "swapped entries are named: #4 ($out)" grep -q '第 4 条.*被移动' <<<"$out"
"$RW_BIN" audit verify --state "$T/edited" >/dev/null 2>&1 && bad "verify exits non-zero on a tampered log" || ok "verify exits non-zero on a tampered log"
finish
