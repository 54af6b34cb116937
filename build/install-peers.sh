#!/usr/bin/env bash
# Installs the real peers the tests run against, and nothing else:
#   redis-server, haproxy, docker-compose and kubectl from apt (system-wide, when missing),
#   nats-server 2.9.10, 2.10.27 and 2.15.1 unpacked under tools/nats-server/<version>/.
# Idempotent: whatever is already present is skipped. Exits non-zero with one clear line when it
# cannot install. Newer nats-server builds come from Debian's newer suites; their apt entry is
# derived from this machine's own debian.sources (same mirrors and keyring) and pinned at
# priority 1 so that no installed package is ever upgraded from them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/tools/nats-server"
versions=("2.9.10=2.9.10-1+b3" "2.10.27=2.10.27-1+b2" "2.15.1=2.15.1-1")
sources_file=/etc/apt/sources.list.d/debian.sources
extra_sources=/etc/apt/sources.list.d/natsroutes-newer.sources
extra_pin=/etc/apt/preferences.d/natsroutes-newer.pref

say() { printf 'install-peers: %s\n' "$*"; }
fail() { printf 'install-peers: error: %s\n' "$*" >&2; exit 1; }

missing_nats=()
for v in "${versions[@]}"; do
  [ -x "$tools/${v%%=*}/nats-server" ] || missing_nats+=("$v")
done
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need_apt+=(haproxy)
# The deployment checks: docker-compose (config only) and kubectl (kustomize), Debian's, where missing.
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || need_apt+=(kubectl)

if [ ${#missing_nats[@]} -eq 0 ] && [ ${#need_apt[@]} -eq 0 ]; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install redis-server, haproxy, docker-compose, kubectl and nats-server ${versions[*]%%=*} by hand (see DEVELOPERS.md)"
[ "$(id -u)" -eq 0 ] || fail "must run as root to install packages (missing: ${need_apt[*]:-} ${missing_nats[*]:-}); rerun as root or install them by hand"

apt_updated=0
apt_update() {
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null || fail "apt-get update failed"
    apt_updated=1
  fi
}

if [ ${#need_apt[@]} -gt 0 ]; then
  apt_update
  say "installing ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null \
    || fail "apt-get install ${need_apt[*]} failed"
  # The packages start system services on install; the tests start their own servers.
  for svc in redis-server haproxy; do
    [[ " ${need_apt[*]} " == *" $svc "* ]] || continue
    if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
    pkill -x "$svc" >/dev/null 2>&1 || true
  done
fi

if [ ${#missing_nats[@]} -gt 0 ]; then
  if [ ! -f "$extra_sources" ]; then
    [ -f "$sources_file" ] || fail "$sources_file not found; cannot derive an apt entry for Debian's newer suites"
    # First stanza of the machine's own entry, with the suites replaced.
    awk 'BEGIN{RS="";ORS="\n\n"} NR==1 {print}' "$sources_file" \
      | sed -E 's/^Suites:.*/Suites: trixie forky/' | grep -v '^#' > "$extra_sources"
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 1\n\nPackage: *\nPin: release n=forky\nPin-Priority: 1\n' > "$extra_pin"
    apt_updated=0
  fi
  apt_update
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  for v in "${missing_nats[@]}"; do
    ver="${v%%=*}"; pkg="${v#*=}"
    say "fetching nats-server $ver"
    (cd "$work" && apt-get download -qq "nats-server=$pkg" >/dev/null 2>&1) \
      || fail "apt-get download nats-server=$pkg failed"
    deb="$(ls "$work"/nats-server_*"${ver}"*.deb | head -n1)"
    mkdir -p "$tools/$ver"
    dpkg-deb -x "$deb" "$tools/$ver"
    # The binary sits in usr/sbin or usr/bin depending on the build; one stable link for the tests.
    bin="$(find "$tools/$ver/usr" -type f -name nats-server | head -n1)"
    [ -n "$bin" ] || fail "no nats-server binary inside $(basename "$deb")"
    ln -sf "${bin#"$tools/$ver/"}" "$tools/$ver/nats-server"
    "$tools/$ver/nats-server" --version >/dev/null 2>&1 || fail "nats-server $ver did not run after unpacking"
  done
fi
say "peers ready: redis-server, haproxy, nats-server ${versions[*]%%=*}"
