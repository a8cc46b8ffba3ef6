#!/usr/bin/env bash
# HTTPS (the handling issue: "TLS when a certificate is configured"): with
# http.tls_cert and http.tls_key the same API answers over TLS, plain HTTP does not,
# and a half configuration (a certificate without its key) refuses to start with a
# clear message.
# shellcheck source-path=SCRIPTDIR source=fixtures/stream_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/stream_lib.bash"
# shellcheck source=fixtures/api_lib.bash
source "$FIXTURES/api_lib.bash"
T0=$SECONDS

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
mkdir -p "$T/state"
user au auditor

port=$(pick_port)
REGWATCH_STATE_DIR=$T/state REGWATCH_HTTP_LISTEN=127.0.0.1:$port REGWATCH_RULES=$RULES REGWATCH_MODELS=$MODELS \
  REGWATCH_TLS_CERT=$T/cert.pem REGWATCH_TLS_KEY=$T/key.pem "$RW_BIN" run >"$T/tls.out" 2>"$T/tls.log" &
pid=$!
track "$pid"
tls_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" "https://127.0.0.1:$port/healthz")" = 200 ]; }
check "HTTPS answers with the configured certificate" poll 15 tls_up
API=127.0.0.1:$port API_SCHEME=https API_CURL_ARGS="--cacert $T/cert.pem"
api GET /api/me au
same "the API over HTTPS" "$CODE $(jq_body .role)" "200 auditor"
same "plain HTTP is refused on the TLS port" "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)" 000
stop_pid TERM "$pid"

out=$(REGWATCH_STATE_DIR=$T/state REGWATCH_HTTP_LISTEN=127.0.0.1:$port REGWATCH_RULES=$RULES REGWATCH_MODELS=$MODELS \
  REGWATCH_TLS_CERT=$T/cert.pem timeout 20 "$RW_BIN" run 2>&1 || true)
check "a certificate without a key refuses to start" grep -q 'http.tls_key' <<<"$out"
finish
