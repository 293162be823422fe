#!/usr/bin/env bash
# Gatehouse behind the shipped nginx site (deploy/nginx/gatehouse.conf), on loopback only.
# The site file is rendered with free ports, a throwaway certificate and temporary paths (and
# nothing else changed), checked with `nginx -t`, and run by Debian's nginx as the current
# user in front of a real gateway with the demo IdP. Every request of the test goes through
# nginx, as a browser's would:
#   (a) a SAML sign-in with the demo IdP ends with a session and the org's landing page;
#   (b) forward auth at /app/ lets the org's member in, with identity headers nobody can
#       forge, and sends an anonymous visitor and another org's member to the sign-in;
#   (c) a password sign-in refused for a client at 127.0.0.7 is recorded in the audit log
#       with 127.0.0.7, not nginx's 127.0.0.1 (needs `gatehouse serve --trusted-proxy`).
#
# Usage: deployment_test.sh GATEHOUSE_BINARY [NGINX_BINARY]
set -euo pipefail

if (($# < 1)); then
  echo "usage: $0 GATEHOUSE_BINARY [NGINX_BINARY]" >&2
  exit 2
fi
gatehouse=$(realpath "$1")
nginx_bin=${2:-$(command -v nginx || echo /usr/sbin/nginx)}
here=$(cd "$(dirname "$0")" && pwd)
site=$here/../../deploy/nginx/gatehouse.conf
python=/usr/bin/python3
org=acme  # the org the shipped site's forward-auth example names

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-nginx.XXXXXX")
db=$tmp/gatehouse.db
pids=()
show_logs=1

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((show_logs)); then
    for log in gatehouse.log nginx-error.log; do
      [[ -s $tmp/$log ]] && { echo "--- last lines of $log" >&2; tail -n 25 "$tmp/$log" >&2; }
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok - $*"; }

# Four loopback ports nobody listens on right now (held open together, so they differ).
read -r tls_port http_port gw_port app_port < <("$python" -c '
import socket
held = [socket.socket() for _ in range(4)]
for s in held:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))
')
base=https://localhost:$tls_port

# Whether this gatehouse can be told to trust nginx's forwarded headers (part c).
trusts_proxies=0
if grep -q -- --trusted-proxy <<<"$("$gatehouse" serve --help)"; then trusts_proxies=1; fi

make_certificate() {  # NAME SUBJECT [openssl options...]
  local name=$1 subject=$2
  shift 2
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "$subject" "$@" \
    -keyout "$tmp/$name.key" -out "$tmp/$name.crt" 2>/dev/null
}
make_certificate tls /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
make_certificate sp "/CN=Gatehouse nginx test SP"

"$gatehouse" --db "$db" org create "$org" --name "Acme" >/dev/null
"$gatehouse" --db "$db" org create other --name "Other" >/dev/null

# --- nginx ----------------------------------------------------------------------------------
# The shipped site with this test's ports, names and files; the IPv6 listeners go, since the
# test stays on 127.0.0.1.
sed -e "s|^\( *\)listen 80;|\1listen 127.0.0.1:$http_port;|" \
  -e "s|^\( *\)listen 443 ssl|\1listen 127.0.0.1:$tls_port ssl|" \
  -e '/^ *listen \[::\]:/d' \
  -e 's|server_name sso\.example\.com;|server_name localhost;|' \
  -e "s|/etc/ssl/certs/sso\.example\.com\.fullchain\.pem|$tmp/tls.crt|" \
  -e "s|/etc/ssl/private/sso\.example\.com\.key|$tmp/tls.key|" \
  -e "s|server 127\.0\.0\.1:8080;|server 127.0.0.1:$gw_port;|" \
  -e "s|http://127\.0\.0\.1:9000;|http://127.0.0.1:$app_port;|" \
  "$site" >"$tmp/site.conf"
# A site file that changed shape fails here, instead of being tested half rendered.
for shipped in 'listen 80;' 'listen 443' 'listen \[::\]' 'sso\.example\.com' '127\.0\.0\.1:8080' \
  '127\.0\.0\.1:9000' '/etc/ssl/'; do
  if grep -q "^[^#]*$shipped" "$tmp/site.conf"; then
    fail "rendering deploy/nginx/gatehouse.conf left '$shipped' in place; update this test"
  fi
done

mkdir -p "$tmp/nginx"
{
  # Started as root, nginx would run its workers as nobody, who cannot use this folder.
  if ((EUID == 0)); then echo "user root;"; fi
  cat <<CONF
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log notice;
events { worker_connections 64; }
http {
    access_log $tmp/nginx-access.log;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/site.conf;
}
CONF
} >"$tmp/nginx.conf"
nginx=("$nginx_bin" -e "$tmp/nginx-error.log" -p "$tmp/nginx/" -c "$tmp/nginx.conf")

if ! "${nginx[@]}" -t -q 2>"$tmp/nginx-t.log"; then
  cat "$tmp/nginx-t.log" >&2
  fail "nginx -t refused the rendered site"
fi
ok "nginx -t accepts deploy/nginx/gatehouse.conf"

# --- the gateway and the application behind /app/ ------------------------------------------
# --allowed-host localhost: nginx sends Host without a port ($host), which on 443 is the base
# URL's host exactly; this test's nginx cannot listen on 443, so the base URL has a port.
serve=(--db "$db" serve --base-url "$base" --listen "127.0.0.1:$gw_port"
  --allowed-host localhost --sp-key "$tmp/sp.key" --sp-cert "$tmp/sp.crt" --demo-idp)
((trusts_proxies)) && serve+=(--trusted-proxy 127.0.0.1)
"$gatehouse" "${serve[@]}" 2>"$tmp/gatehouse.log" &
pids+=($!)
listening=0
for _ in $(seq 1 100); do
  if grep -q '"event":"server.listening"' "$tmp/gatehouse.log"; then listening=1 && break; fi
  kill -0 "${pids[-1]}" 2>/dev/null || fail "gatehouse serve exited before listening"
  sleep 0.1
done
((listening)) || fail "gatehouse serve did not log server.listening within 10 s"

"$python" "$here/application.py" "$app_port" &
pids+=($!)

# In the foreground of its own (daemon off), so that the pid kept is nginx's master process.
"${nginx[@]}" &
pids+=($!)

# curl as a browser: cookie jar, only the test's certificate trusted, never through a proxy.
web() {  # JAR [curl options...] URL
  local jar=$1
  shift
  curl -sS --noproxy '*' --max-time 10 --cacert "$tmp/tls.crt" \
    --resolve "localhost:$tls_port:127.0.0.1" -b "$jar" -c "$jar" "$@"
}
jar() { : >"$tmp/$1.jar" && echo "$tmp/$1.jar"; }
# "STATUS LOCATION" of a request; LOCATION is absolute, and empty unless it redirects.
answer() { web "$@" -o /dev/null -w '%{http_code} %{redirect_url}\n'; }

ready=0
for _ in $(seq 1 100); do
  if [[ $(answer "$(jar probe)" "$base/healthz" 2>/dev/null) == "200 " ]]; then
    ready=1
    break
  fi
  sleep 0.1
done
((ready)) || fail "GET $base/healthz through nginx never answered 200"
ok "nginx serves the gateway over TLS"

read -r code location < <(curl -sS --noproxy '*' --max-time 10 -o /dev/null -H 'Host: localhost' \
  -w '%{http_code} %{redirect_url}\n' "http://127.0.0.1:$http_port/organizations/$org/?x=1")
[[ $code == 301 && $location == "https://localhost/organizations/$org/?x=1" ]] ||
  fail "plain http answered $code $location, not a redirect to https"
ok "plain http redirects to https"

# --- (a) SAML sign-in -----------------------------------------------------------------------
# The value of form field NAME in the HTML file FILE, with the template's escaping undone.
unescape_html() {
  sed -e 's/&#x2F;/\//g' -e 's/&#x3D;/=/g' -e 's/&#x60;/`/g' -e "s/&#39;/'/g" \
    -e 's/&quot;/"/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}
field() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p;T;q" "$2" | unescape_html; }
form_action() {
  sed -n 's/.*<form method="post" action="\([^"]*\)".*/\1/p;T;q' "$1" | unescape_html
}

# Signs in at the demo IdP as EMAIL, starting from LOGIN_URL, with cookie jar JAR; sets
# $landing to where the ACS sends the browser afterwards.
demo_sign_in() {  # JAR LOGIN_URL EMAIL
  local jar=$1 login_url=$2 email=$3 code location acs
  read -r code location < <(answer "$jar" "$login_url")
  [[ $code == 30[23] && $location == "$base/demo-idp/sso?"* ]] ||
    fail "$login_url answered $code $location, not a redirect to the demo IdP"
  code=$(web "$jar" -o "$tmp/idp-form.html" -w '%{http_code}' "$location")
  [[ $code == 200 ]] || fail "the demo IdP's form answered $code"
  code=$(web "$jar" -o "$tmp/idp-answer.html" -w '%{http_code}' \
    --data-urlencode "org=$(field org "$tmp/idp-form.html")" \
    --data-urlencode "request_id=$(field request_id "$tmp/idp-form.html")" \
    --data-urlencode "relay_state=$(field relay_state "$tmp/idp-form.html")" \
    --data-urlencode "token=$(field token "$tmp/idp-form.html")" \
    --data-urlencode "email=$email" --data-urlencode "first_name=Test" \
    --data-urlencode "last_name=Member" --data-urlencode "role=" "$base/demo-idp/sso")
  [[ $code == 200 ]] || fail "the demo IdP refused to sign in $email ($code)"
  acs=$(form_action "$tmp/idp-answer.html")
  [[ $acs == "$base/saml/acs/"* ]] || fail "the demo IdP posts to '$acs', not to an ACS at $base"
  read -r code landing < <(web "$jar" -o "$tmp/acs.html" -w '%{http_code} %{redirect_url}\n' \
    --data-urlencode "SAMLResponse=$(field SAMLResponse "$tmp/idp-answer.html")" \
    --data-urlencode "RelayState=$(field RelayState "$tmp/idp-answer.html")" "$acs")
  [[ $code == 303 ]] || fail "the ACS answered $code for $email: $(cat "$tmp/acs.html")"
  grep -q $'\tgatehouse_session\t' "$jar" || fail "the ACS set no session cookie for $email"
}

# The demo IdP signs its answers with a key whose metadata is only at the running gateway.
web "$(jar probe)" -o "$tmp/demo-idp.xml" --fail "$base/demo-idp/metadata"
for slug in "$org" other; do
  "$gatehouse" --db "$db" saml configure "$slug" --metadata-file "$tmp/demo-idp.xml" >/dev/null
done

ada=$(jar ada)
demo_sign_in "$ada" "$base/auth/login/$org/?next=%2Forganizations%2F$org%2F" ada@acme.test
[[ $landing == "$base/organizations/$org/" ]] || fail "the ACS sent ada to '$landing'"
code=$(web "$ada" -o "$tmp/landing.html" -w '%{http_code}' "$base/organizations/$org/")
[[ $code == 200 ]] && grep -q 'ada@acme.test' "$tmp/landing.html" ||
  fail "the landing page answered $code without ada's email"
ok "(a) a SAML sign-in with the demo IdP through nginx reaches the org's landing page"

# --- (b) forward auth -----------------------------------------------------------------------
grace=$(jar grace)
read -r code location < <(answer "$grace" "$base/app/reports/q3?year=2026")
[[ $code == 302 && $location == "$base/auth/login/$org/?next=/app/reports/q3" ]] ||
  fail "an anonymous visitor at /app/ got $code $location, not the sign-in"
ok "(b) an anonymous visitor at /app/ is sent to the org's sign-in"

demo_sign_in "$grace" "$location" grace@acme.test
[[ $landing == "$base/app/reports/q3" ]] || fail "after signing in, grace was sent to '$landing'"
# A cookie of the application's own, which must reach it beside the gateway's, which must not.
printf 'localhost\tFALSE\t/\tTRUE\t0\ttheme\tdark\n' >>"$grace"
code=$(web "$grace" -o "$tmp/app.txt" -w '%{http_code}' -H 'X-Gatehouse-Email: mallory@evil.test' \
  -H 'X-Gatehouse-Role: owner' "$base/app/reports/q3")
[[ $code == 200 ]] || fail "the signed-in member got $code at /app/"
expect_app() {  # LINE: a line the application must have seen
  grep -qxF -- "$1" "$tmp/app.txt" ||
    fail "the application did not see '$1':"$'\n'"$(cat "$tmp/app.txt")"
}
expect_app "path: /app/reports/q3"
expect_app "x-gatehouse-org: $org"
expect_app "x-gatehouse-email: grace@acme.test"
expect_app "x-gatehouse-role: member"
expect_app "x-gatehouse-auth-method: saml"
expect_app "x-forwarded-for: 127.0.0.1"
! grep -q 'mallory\|owner' "$tmp/app.txt" ||
  fail "a forged X-Gatehouse-* header reached the application"
! grep -q 'gatehouse_session' "$tmp/app.txt" ||
  fail "the gateway's session cookie reached the application"
grep -q '^cookie: .*theme=dark' "$tmp/app.txt" ||
  fail "the application lost the visitor's own cookies"
ok "(b) the member comes back to the page asked for, and the application sees who it is"

bob=$(jar bob)
demo_sign_in "$bob" "$base/auth/login/other/?next=%2Forganizations%2Fother%2F" bob@other.test
read -r code location < <(answer "$bob" "$base/app/")
[[ $code == 302 && $location == "$base/auth/login/$org/?next=/app/" ]] ||
  fail "a member of another org got $code $location at /app/, not the sign-in"
ok "(b) a member of another org is sent to the sign-in"

read -r code _ < <(answer "$grace" "$base/_gatehouse/check")
[[ $code == 404 ]] || fail "the internal check location answered a client with $code"
for path in /metrics /%6detrics //metrics; do
  read -r code _ < <(answer "$(jar probe)" "$base$path")
  [[ $code == 404 ]] || fail "$path through nginx answered $code, not 404"
done
head -c 1048577 /dev/zero >"$tmp/big-body"
read -r code _ < <(answer "$(jar probe)" --data-binary "@$tmp/big-body" \
  -H 'Content-Type: application/x-www-form-urlencoded' "$base/auth/login/$org/")
[[ $code == 413 ]] || fail "a body over 1 MiB got $code, not 413"
ok "nginx refuses the internal check location, /metrics and bodies over 1 MiB"

# --- (c) the client address -----------------------------------------------------------------
if ((!trusts_proxies)); then
  show_logs=0
  fail "(c) $gatehouse serve has no --trusted-proxy flag, so behind nginx every client has" \
    "nginx's address; the client address check needs a gatehouse with --trusted-proxy"
fi
printf '%s\n' 'correct horse battery staple' | "$gatehouse" --db "$db" member add \
  --org "$org" --email it@acme.test --role owner --password-stdin >/dev/null
# Five wrong passwords reach the per-account limit, whose audit entry names the address. The
# client's own X-Forwarded-For must not count: nginx replaces it.
for _ in 1 2 3 4 5; do
  read -r code _ < <(answer "$(jar mallory)" --interface 127.0.0.7 \
    -H "Origin: $base" -H 'X-Forwarded-For: 203.0.113.66' \
    --data-urlencode email=it@acme.test --data-urlencode password=wrong "$base/auth/login/$org/")
  [[ $code == 401 || $code == 429 ]] || fail "(c) a wrong password got $code"
done
"$gatehouse" --db "$db" audit "$org" --action auth.password_sign_in >"$tmp/audit.jsonl"
addresses=$({ grep -o '"address":"[^"]*"' "$tmp/audit.jsonl" || true; } |
  cut -d'"' -f4 | sort -u | xargs)
[[ $addresses == 127.0.0.7 ]] ||
  fail "(c) the audit log records the client address as '${addresses:-nothing}', not 127.0.0.7"
ok "(c) the audit log records the client's address, not nginx's"

show_logs=0
