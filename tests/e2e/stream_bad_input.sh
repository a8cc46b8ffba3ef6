#!/usr/bin/env bash
# Bad input on Kafka (events.md: "Invalid events … are never dropped silently and
# never stop the service. Each goes to the dead-letter topic … as a JSON object holding
# the original bytes (base64), the reason in words, the field at fault, and the source
# topic, partition and offset; metrics count them by reason").
#
# kcat produces, onto a separate `regwatch broker`, half of a generated stream, then a
# corpus of malformed messages keyed by entities of that stream (so they sit in the
# same partitions as valid events): binary, truncated JSON, an empty value, a JSON
# array, wrong types (region as a number, id as a number, type off its pattern, attrs
# as a string), a missing time, an unparsable time, a duplicate key, key ≠ entity, an
# oversized value (> 1 MiB) and an event dated in 2099; then two valid oddities (an
# undeclared event type, an event with no message key) and the other half. Checked:
#   - every malformed message lands in regwatch.dlq exactly once, with the expected
#     code and field, a reason in words, its key, and topic/partition/offset that
#     point at the very message, whose bytes equal value_base64;
#   - nothing else lands there (the undeclared type and the keyless event are valid);
#   - the valid events around them are processed: outcome totals and the lead set
#     equal replay's over the valid events, and the service keeps running;
#   - regwatch_events_invalid_total{reason} counts the corpus by code.
# shellcheck disable=SC2154 # PID_<name>, HTTP_<name>: set by start_run (printf -v)
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
T0=$SECONDS

N=${RW_BAD_EVENTS:-6000}
"$RW_GEN" --events "$N" --seed 41 --format kcat >"$T/events.kcat"
head -n $((N / 2)) "$T/events.kcat" >"$T/first.kcat"
tail -n +$((N / 2 + 1)) "$T/events.kcat" >"$T/second.kcat"
E1=$(head -1 "$T/events.kcat" | cut -d'|' -f1)
E2=$(awk -F'|' -v e="$E1" '$1 != e { print $1; exit }' "$T/events.kcat")

# ---- the corpus: NAME KEY CODE FIELD (FIELD - when the record's field is null)
C=$T/corpus
mkdir "$C"
base=$(jq -cn --arg e "$E1" '{id: "BAD-0001", type: "sampling", entity: $e,
  time: "2025-06-01T10:00:00+08:00", region: "320102", source: "test",
  attrs: {domain: "food", result: "fail", hazard: "microbe", product: "凉拌菜"}}')
mk() { jq -c "$1" <<<"$base" | tr -d '\n' >"$C/$2.bin"; }
printf '\xff\xfe{"id":"BAD-bin"}\x80\x00\n\x01' >"$C/binary.bin"
printf '%s' "${base:0:60}" >"$C/truncated.bin"
printf '[1,2,3]' >"$C/array.bin"
mk '.region = 320102' region_number
mk '.id = 12345' id_number
mk '.type = "Sampling!"' type_pattern
mk '.attrs = "food"' attrs_string
mk 'del(.time)' missing_time
mk '.time = "2025-06-01 10:00:00"' bad_time
printf '%s' "$base" | sed 's/"id":"BAD-0001"/"id":"BAD-0001","id":"BAD-0002"/' >"$C/duplicate_key.bin"
mk '.id = "BAD-0003"' key_mismatch
mk '.time = "2099-01-01T00:00:00+08:00"' future
{
  printf '%s' "${base%\}}"
  printf ',"note":"'
  head -c $((1024 * 1024 + 100000)) /dev/zero | tr '\0' 'x'
  printf '"}'
} >"$C/oversized.bin"
cat >"$T/corpus.tsv" <<EOF
binary	$E1	not_utf8	-
truncated	$E1	not_json	-
empty	$E1	not_json	-
array	$E1	not_object	-
region_number	$E1	bad_field	region
id_number	$E1	bad_field	id
type_pattern	$E1	bad_field	type
attrs_string	$E1	bad_field	attrs
missing_time	$E1	missing_field	time
bad_time	$E1	bad_time	time
duplicate_key	$E1	duplicate_key	*
key_mismatch	$E2	key_mismatch	entity
oversized	$E1	too_large	-
future	$E1	future	time
EOF
: >"$C/empty.bin"
n_bad=$(wc -l <"$T/corpus.tsv")
# valid oddities: an undeclared type, and an event with no key (allowed: "the key,
# when present, must equal entity")
jq -c '.id = "ODD-0001" | .type = "weather_report"' <<<"$base" >"$T/unknown.json"
jq -c --arg e 91990000TESTNOKEY0 '.id = "ODD-0002" | .entity = $e | .type = "complaint"
  | .attrs = {category: "food", channel: "hotline"}' <<<"$base" >"$T/nokey.json"

# The reference: replay over the valid events only, in the order they are produced.
{ cut -d'|' -f2- "$T/first.kcat"; cat "$T/unknown.json" "$T/nokey.json"; cut -d'|' -f2- "$T/second.kcat"; } >"$T/valid.jsonl"
"$RW_BIN" replay "$T/valid.jsonl" --rules "$RULES" --models "$MODELS" --out "$T/replay.leads" 2>"$T/replay.err"
expected_leads "$T/replay.leads" >"$T/expected"
read -r r_applied r_dup r_late _ r_unknown < <(replay_counts "$T/replay.err")

start_broker 4
start_run svc "$T/state"
produce "$T/first.kcat"
(cd "$C" && kcat -P -b "$BROKER" -t regwatch.events -k "$E1" binary.bin truncated.bin array.bin \
  region_number.bin id_number.bin type_pattern.bin attrs_string.bin missing_time.bin bad_time.bin \
  duplicate_key.bin future.bin)
printf '%s|\n' "$E1" >"$T/empty.kcat" # an empty value: kcat skips empty files, not empty lines
kcat -P -b "$BROKER" -t regwatch.events -K '|' -l "$T/empty.kcat"
kcat -P -b "$BROKER" -t regwatch.events -k "$E2" "$C/key_mismatch.bin"
kcat -P -b "$BROKER" -t regwatch.events -k "$E1" -X message.max.bytes=4000000 "$C/oversized.bin"
kcat -P -b "$BROKER" -t regwatch.events -k "$E1" "$T/unknown.json"
kcat -P -b "$BROKER" -t regwatch.events "$T/nokey.json"
produce "$T/second.kcat"
total=$((N + n_bad + 2))

if poll 60 consumed_at_least "$HTTP_svc" "$total"; then
  ok "the service took all $total messages, the malformed ones too"
else
  bad "the service took all $total messages, the malformed ones too" "only $(consumed "$HTTP_svc")"
fi
check "and is still up (/healthz 200)" http_ok "$HTTP_svc" /healthz
same "outcome totals equal replay's over the valid events (applied duplicate late invalid unknown)" \
  "$(service_counts "$HTTP_svc")" "$r_applied $r_dup $r_late $n_bad $r_unknown"
if poll 30 leads_match "$T/expected"; then
  ok "the valid events around the bad ones give replay's lead set ($(wc -l <"$T/expected") leads)"
else
  bad "the valid events around the bad ones give replay's lead set"
  explain_leads "$T/expected" "$T/leads.actual"
fi

dlq_complete() {
  consume regwatch.dlq "$T/dlq.env"
  [ "$(wc -l <"$T/dlq.env")" -ge "$n_bad" ]
}
poll 30 dlq_complete || true
same "the dead-letter topic holds one record per malformed message" "$(wc -l <"$T/dlq.env")" "$n_bad"
jq -c '.payload | fromjson' "$T/dlq.env" >"$T/dlq.jsonl"
same "every record has code, reason, field, value_base64, topic, partition, offset" "$(jq -r '
  select((.code | type) != "string" or (.reason | type) != "string" or (.reason | length) == 0
    or (has("field") | not) or (.value_base64 | type) != "string" or .topic != "regwatch.events"
    or (.partition | type) != "number" or (.offset | type) != "number") | .offset' "$T/dlq.jsonl" | wc -l)" 0

# one file per record: its decoded bytes, to be matched with the corpus files
mkdir "$T/dlq"
i=0
while IFS= read -r rec; do
  i=$((i + 1))
  printf '%s\n' "$rec" >"$T/dlq/$i.json"
  jq -r .value_base64 "$T/dlq/$i.json" | base64 -d >"$T/dlq/$i.bin"
done <"$T/dlq.jsonl"
# an oversized value keeps its first 64 KiB, with its length and SHA-256: whole, in base64,
# it would be over a broker's default message limit (events.c)
head -c 65536 "$C/oversized.bin" >"$C/oversized.head"
while IFS=$'\t' read -r name key code field; do
  want=$C/$name.bin
  [ "$name" = oversized ] && want=$C/oversized.head
  matches=()
  for f in "$T"/dlq/*.bin; do
    [ -e "$f" ] && cmp -s "$f" "$want" && matches+=("${f%.bin}.json")
  done
  if [ "${#matches[@]}" != 1 ]; then
    bad "$name: exactly one dead-letter record carries its bytes" "${#matches[@]} found"
    continue
  fi
  rec=${matches[0]}
  got_field=$(jq -r '.field // "-"' "$rec")
  [ "$field" = '*' ] && field=$got_field
  p=$(jq -r .partition "$rec")
  o=$(jq -r .offset "$rec")
  kcat -C -b "$BROKER" -t regwatch.events -p "$p" -o "$o" -c 1 -e -q -f '%s' >"$T/orig.bin"
  dkey=$(jq -r --argjson o "$o" --argjson p "$p" \
    'select((.payload | fromjson) as $r | $r.offset == $o and $r.partition == $p) | .key' "$T/dlq.env")
  same "$name → $code, field $field; regwatch.events $p@$o holds its bytes; keyed $key" \
    "$(jq -r '.code' "$rec") $got_field $(cmp -s "$T/orig.bin" "$C/$name.bin" && echo same-bytes) $(jq -r '.key_base64 // "" | @base64d' "$rec") $dkey" \
    "$code $field same-bytes $key $key"
  note "$name: $(jq -r '.reason[0:60]' "$rec")"
  if [ "$name" = oversized ]; then
    same "oversized: its head, marked truncated, with the whole value's bytes and SHA-256" \
      "$(jq -r '"\(.value_truncated) \(.value_bytes) \(.value_sha256)"' "$rec")" \
      "true $(wc -c <"$C/oversized.bin") $(sha256sum "$C/oversized.bin" | cut -d' ' -f1)"
  fi
done <"$T/corpus.tsv"

cut -f3 "$T/corpus.tsv" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/by_reason.expected"
metrics "$HTTP_svc" | sed -n 's/^regwatch_events_invalid_total{reason="\([a-z_0-9]*\)"} \([0-9]*\)$/\1 \2/p' |
  awk '$2 > 0' | sort >"$T/by_reason.actual"
same "regwatch_events_invalid_total{reason} counts the corpus by code" \
  "$(paste -sd' ' "$T/by_reason.actual")" "$(paste -sd' ' "$T/by_reason.expected")"
same "regwatch_produce_errors_total stays 0" "$(metric "$HTTP_svc" 'regwatch_produce_errors_total')" 0

stop_pid TERM "$PID_svc"
same "SIGTERM stops the service with status 0" "$STOP_RC" 0

finish
