#!/usr/bin/env bash
# The shipped systemd unit (deploy/systemd/gatehouse.service) and its environment file:
#   (a) `systemd-analyze verify` accepts the unit with ExecStart on the built binary, and
#       prints nothing (an unknown or misspelt setting is only a warning there);
#   (b) `systemd-analyze security` rates its sandbox at an exposure of 2.0 or less ("OK");
#   (c) the settings the unit and gatehouse.env give, with paths moved into a temporary
#       folder, start a gateway that answers /healthz on loopback.
#
# Usage: unit_test.sh GATEHOUSE_BINARY
set -euo pipefail

gatehouse=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
unit=$here/../../deploy/systemd/gatehouse.service
env_file=$here/../../deploy/systemd/gatehouse.env
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-systemd.XXXXXX")
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

sed "s|^ExecStart=/usr/local/bin/gatehouse |ExecStart=$gatehouse |" "$unit" >"$tmp/gatehouse.service"
grep -q "^ExecStart=$gatehouse serve" "$tmp/gatehouse.service"

# (a)
report=$(systemd-analyze verify --man=no "$tmp/gatehouse.service" 2>&1) || {
  echo "systemd-analyze verify failed:" >&2
  echo "$report" >&2
  exit 1
}
if [[ -n "$report" ]]; then
  echo "systemd-analyze verify warned:" >&2
  echo "$report" >&2
  exit 1
fi

# (b)
for setting in DynamicUser=yes StateDirectory=gatehouse NoNewPrivileges=yes \
  ProtectSystem=strict PrivateTmp=yes; do
  grep -qx "$setting" "$tmp/gatehouse.service" || { echo "the unit lacks $setting" >&2; exit 1; }
done
if ! systemd-analyze security --offline=true --threshold=20 "$tmp/gatehouse.service" \
  >"$tmp/security.txt" 2>&1; then
  echo "systemd-analyze security: exposure above 2.0" >&2
  tail -n 3 "$tmp/security.txt" >&2
  exit 1
fi

# (c) The unit's environment, then the file's (which overrides it, as systemd does), with the
# state folder and the credentials moved into $tmp.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/state" "$tmp/credentials"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=systemd test SP" \
  -keyout "$tmp/credentials/sp.key" -out "$tmp/credentials/sp.crt" 2>/dev/null
environment=()
while IFS= read -r line; do
  for assignment in ${line#Environment=}; do environment+=("$assignment"); done
done < <(grep '^Environment=' "$tmp/gatehouse.service")
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  environment+=("$line")
done <"$env_file"
rendered=()
for assignment in "${environment[@]}"; do
  assignment=${assignment//%d/$tmp/credentials}
  assignment=${assignment//\/var\/lib\/gatehouse/$tmp/state}
  assignment=${assignment//127.0.0.1:8080/127.0.0.1:$port}
  rendered+=("$assignment")
done
(cd "$tmp/state" && exec env -i PATH=/usr/bin:/bin "${rendered[@]}" "$gatehouse" serve) \
  2>"$tmp/serve.log" &
server=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    [[ -f "$tmp/state/gatehouse.db" ]] || { echo "the store is not in the state folder" >&2; exit 1; }
    echo "systemd unit: verified, exposure $(grep -o 'exposure level[^:]*: [0-9.]*' "$tmp/security.txt" | grep -o '[0-9.]*$'), gateway answered"
    exit 0
  fi
  sleep 0.1
done
echo "the gateway did not start with the unit's settings:" >&2
cat "$tmp/serve.log" >&2
exit 1
