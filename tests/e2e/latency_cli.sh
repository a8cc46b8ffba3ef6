#!/usr/bin/env bash
# End-to-end test of rw-latency's command line ($RW_BUILD_DIR/rw-latency), without a
# broker: usage, and options it refuses at once with a reason instead of meeting them
# after it has joined the topics.
set -euo pipefail
lat=${RW_BUILD_DIR:?RW_BUILD_DIR must name the build directory}/rw-latency
# shellcheck source-path=SCRIPTDIR source=fixtures/check_lib.bash
source "$RW_SOURCE_DIR/tests/e2e/fixtures/check_lib.bash"

check "--help lists --linger-ms" bash -c '"$1" --help | grep -q -- "--linger-ms"' _ "$lat"
check "no --brokers: usage, exit 2" bash -c '"$1" --events x >/dev/null 2>&1; [ $? -eq 2 ]' _ "$lat"
for v in abc -5 12x 1000000 ''; do
  # 127.0.0.1:1 refuses connections: a value accepted would wait there for 30 s
  check "--linger-ms '$v' is refused at once" bash -c '
    out=$(timeout 10 "$1" --brokers 127.0.0.1:1 --events /dev/null --linger-ms "$2" 2>&1)
    [ $? -eq 2 ] && grep -q "needs a whole number of ms" <<<"$out"' _ "$lat" "$v"
done
check "--linger-ms 0 is accepted (then the missing file is the error)" bash -c '
  out=$(timeout 10 "$1" --brokers 127.0.0.1:1 --events /nonexistent --linger-ms 0 2>&1)
  [ $? -eq 1 ] && grep -q "/nonexistent" <<<"$out"' _ "$lat"

finish
