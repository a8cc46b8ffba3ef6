#!/usr/bin/env bash
# Events deleted by the topic's retention before the service read them (events.md: bad
# input is "never dropped silently"; the same holds for input that never arrives). The
# service is stopped; meanwhile more events are produced to its one partition than the
# embedded broker keeps (about 5 MiB a partition: product.md). On restart librdkafka
# resets the partition to the earliest message left; the service must say how many
# events it lost, where, and count them in /metrics.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

"$RW_GEN" --events 40000 --seed 5 --format kcat >"$T/events.kcat"
head -n 1000 "$T/events.kcat" >"$T/first.kcat"
tail -n +1001 "$T/events.kcat" >"$T/rest.kcat"
start_broker 1
start_run svc "$T/state"
produce "$T/first.kcat"
poll 30 consumed_at_least "$HTTP_svc" 1000 || bad "the service consumed the first part" "$(consumed "$HTTP_svc")"
stop_pid INT "$PID_svc"
produce "$T/rest.kcat"
start_run svc "$T/state"
low() { kcat -Q -b "$BROKER" -t regwatch.events:0:-2 2>/dev/null | awk '{print $NF}'; }
poll 60 log_has_at_least svc '已被主题的保留策略删除' 1 &&
  ok "the restart says events were deleted before it read them" ||
  bad "the restart says events were deleted before it read them" "$(grep -v kafka "$T/svc.log" | tail -n 3)"
line=$(grep '已被主题的保留策略删除' "$T/svc.log" | head -n 1)
check "naming the partition and the stored offset 1000 ($line)" grep -q 'regwatch.events\[0\] 从保存的位点 1000 继续' <<<"$line"
lost=$(grep -o '之前的 [0-9]* 条' <<<"$line" | grep -o '[0-9]*')
note "lost $lost events; the partition now starts at $(low)"
[ "${lost:-0}" -gt 0 ] && ok "a positive number of them ($lost)" || bad "a positive number of them" "$line"
skipped() { metric "$HTTP_svc" 'regwatch_events_skipped_total'; }
poll 10 eval '[ "$(skipped)" = "$lost" ]'
same "and /metrics counts them" "$(skipped)" "$lost"
stop_pid INT "$PID_svc"
finish
