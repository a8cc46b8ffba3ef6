#!/usr/bin/env bash
# A broker outage longer than message.timeout.ms (leads.md: a lead is published "each
# time it is created or changes"). The service runs against a separate `regwatch broker`
# with message.timeout.ms 3000. With the broker stopped (SIGSTOP), a regulator accepts a
# lead: the API answers at once (the record is in the outbox), the delivery times out and
# is logged. Once the broker runs again, the same service process sends the record again
# by itself: the accepted revision reaches the leads topic without a restart.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
# shellcheck source=fixtures/api_lib.bash
source "$FIXTURES/api_lib.bash"
T0=$SECONDS

"$RW_GEN" --events 2000 --seed 7 --format kcat >"$T/events.kcat"
"$RW_BIN" users add wang --role regulator --state "$T/state" >"$T/token" 2>/dev/null
TOKEN_wang=$(cat "$T/token")
start_broker 2
start_run svc "$T/state" REGWATCH_KAFKA_MESSAGE_TIMEOUT_MS=3000
API=$HTTP_svc
produce "$T/events.kcat"
poll 30 consumed_at_least "$HTTP_svc" 2000 || bad "the service consumed the stream" "$(consumed "$HTTP_svc")"
poll 30 http_ok "$HTTP_svc" /readyz
consume regwatch.leads "$T/before.env"
lead=$(jq -r '.payload | fromjson | select(.mode == "live" and .status == "new") | .id' "$T/before.env" | head -n 1)
[ -n "$lead" ] || bad "the stream raised a live lead" "none on the topic"
note "lead $lead; broker stopped"

kill -STOP "$BROKER_PID"
api POST "/api/leads/$lead/actions" wang '{"action":"accept","note":"已签收"}'
expect "accept answers while the broker is stopped" 200
rev=$(jq_body '.lead.revision')
poll 15 log_has_at_least svc '无法投递到 regwatch.leads' 1 &&
  ok "the timed-out delivery is logged" || bad "the timed-out delivery is logged" "$(tail -n 3 "$T/svc.log")"
kill -CONT "$BROKER_PID"
note "broker running again"
accepted() {
  consume regwatch.leads "$T/after.env"
  jq -e --arg id "$lead" --argjson rev "$rev" \
    'select(.payload | fromjson | .id == $id and .revision == $rev and .status == "accepted")' \
    "$T/after.env" >/dev/null
}
if poll 40 accepted; then ok "revision $rev (accepted) reaches the leads topic without a restart"
else bad "the accepted revision reaches the leads topic without a restart" "$(tail -n 5 "$T/svc.log")"; fi
check "the same process, still running" alive "$PID_svc"
check "and it said it sent the record again" grep -q '重发 [0-9]* 条' "$T/svc.log"
stop_pid INT "$PID_svc"
finish
