#!/usr/bin/env bash
# Many users acting on the same leads at once, while the service consumes events
# (leads.md: "nothing partial is ever written"; the handling issue: "no lost update
# when two users act on one lead at once (one wins, the other gets 409)").
#
# 20 leads; for each, 8 regulators accept it at once — all 160 requests in flight
# together, with a stream of events being consumed: exactly one request per lead may
# win (200, and it is the assignee), every other one must get 409. Then on each lead 3
# regulators verify and 3 return it at once (each excludes the other): again one
# winner, whose action decides the final status. The audit log holds exactly the
# winners and verifies; the leads topic never carries two different records under one
# (id, revision).
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
# shellcheck source=fixtures/api_lib.bash
source "$FIXTURES/api_lib.bash"
T0=$SECONDS

api_state 6000 31
jq -r '[.[] | select(.status == "new")] | .[0:20] | .[].id' "$T/leads.json" >"$T/picked"
same "20 leads picked" "$(wc -l <"$T/picked")" 20
for i in 0 1 2 3 4 5 6 7; do user "r$i" regulator; done
user au auditor
"$RW_GEN" --events 8000 --seed 32 --format kcat >"$T/stream.kcat"

start_run api "$T/state"
API=$HTTP_api
BROKER=$(grep -o '127.0.0.1:[0-9]*' "$T/api.out" | head -1)
produce "$T/stream.kcat" &
track $!

# one request: prints "LEAD ACTION USER CODE"
request() {
  local lead=$1 action=$2 who=$3 tokvar="TOKEN_$3" body
  case $action in
    return) body='{"action":"return","reason":"并发测试"}' ;;
    *) body="{\"action\":\"$action\"}" ;;
  esac
  echo "$lead $action $who $(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer ${!tokvar}" \
    --data-binary "$body" "http://$API/api/leads/$lead/actions")"
}
export -f request
export API
for i in 0 1 2 3 4 5 6 7; do export "TOKEN_r$i"; done

# winners FILE: how many leads had exactly one 200
winners() { awk '$4 == 200 { n[$1]++ } END { for (l in n) if (n[l] == 1) c++; print c + 0 }' "$1"; }
# agree FILE FIELD: leads whose FIELD (status or assignee) is what the winner made it
agree() {
  local n=0 lead winner who got want
  while read -r lead winner who; do
    got=$(curl -s -H "Authorization: Bearer $TOKEN_au" "http://$API/api/leads/$lead" | jq -r ".lead.$2")
    case $2 in
      assignee) want=$who ;;
      *) want=$([ "$winner" = return ] && echo returned || { [ "$winner" = verify ] && echo verifying || echo accepted; }) ;;
    esac
    [ "$got" = "$want" ] && n=$((n + 1))
  done < <(awk '$4 == 200 { print $1, $2, $3 }' "$1")
  echo "$n"
}

# round 1: accept ×8 per lead, all at once
while read -r lead; do
  for i in 0 1 2 3 4 5 6 7; do echo "$lead accept r$i"; done
done <"$T/picked" | xargs -P 40 -L 1 bash -c 'request "$@"' _ >"$T/round1"
same "round 1: every request answered" "$(wc -l <"$T/round1")" 160
same "round 1: only 200 and 409" "$(awk '$4 != 200 && $4 != 409' "$T/round1" | wc -l)" 0
same "round 1: exactly one winner per lead" "$(winners "$T/round1")" 20
same "round 1: the winner is the assignee" "$(agree "$T/round1" assignee)" 20

# round 2: verify ×3 against return ×3 per lead
while read -r lead; do
  for i in 0 1 2; do echo "$lead verify r$i"; done
  for i in 3 4 5; do echo "$lead return r$i"; done
done <"$T/picked" | xargs -P 40 -L 1 bash -c 'request "$@"' _ >"$T/round2"
same "round 2: exactly one winner per lead" "$(winners "$T/round2")" 20
same "round 2: the others got 409" "$(awk '$4 == 409' "$T/round2" | wc -l)" 100
same "round 2: each lead's status is its winner's" "$(agree "$T/round2" status)" 20

api GET "/api/audit?limit=500" au
same "the audit log has one entry per winning request" "$(jq_body .total)" 40
same "… and names the winners" "$(jq_body '[.entries[] | "\(.lead) \(.action) \(.actor)"] | sort | join(";")')" \
  "$(cat "$T/round1" "$T/round2" | awk '$4 == 200 { print $1, $2, $3 }' | sort | paste -sd ';')"
api GET /api/audit/verify au
same "the audit log verifies" "$(jq_body .ok)" true

poll 60 consumed_at_least "$API" 8000 || true
consume regwatch.leads "$T/topic.env"
same "no two different records under one (id, revision) on the leads topic" "$(revision_conflicts "$T/topic.env")" 0
same "every winning action was published" \
  "$(jq -r '.payload | fromjson | "\(.id) \(.status)"' "$T/topic.env" | sort -u | grep -cE ' (accepted|returned|verifying)$')" \
  40
stop_pid TERM "$PID_api"
same "the service stops cleanly" "$STOP_RC" 0
finish
