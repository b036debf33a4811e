#!/bin/sh
# cargo, retried once when it fails for a network reason. A persistent network failure exits 75 with a
# "crossbake: network error" line, so the report can tell it from a compile error.
set -u
log="$(mktemp)"
attempt=1
while :; do
  { cargo "$@"; echo "$?" > "$log.rc"; } 2>&1 | tee "$log"
  rc="$(cat "$log.rc")"
  [ "$rc" = 0 ] && exit 0
  if grep -Eq 'spurious network error|failed to download|Could(n.t| not) resolve host|failed to query replaced source|network failure|Connection (timed out|refused|reset)|SSL connect error' "$log"; then
    if [ "$attempt" = 1 ]; then
      attempt=2
      echo "crossbake: network error while fetching crates; retrying once" >&2
      continue
    fi
    cause="$(grep -Em1 'failed to download|Could(n.t| not) resolve host|spurious network error|failed to query' "$log")"
    echo "crossbake: network error: $cause" >&2
    exit 75
  fi
  exit "$rc"
done
