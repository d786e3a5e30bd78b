#!/usr/bin/env bash
# Brings up the local servers the tests use, where Docker is absent: PostgreSQL, Redis, NATS
# (preinstalled on the CI machine) and memcached and kcat (installed from Debian's packages), plus
# the tools some specs use: iproute2 (`ip netns`, the demo's no-server spec) and chromium (browser tests).
# Idempotent: a server that already answers is left alone.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 50); do up "$port" && { echo "services: $name is up on $port"; return 0; }; sleep 0.2; done
  echo "services: $name did not come up on $port" >&2
  return 1
}

missing=()
command -v memcached >/dev/null || missing+=(memcached)
command -v kcat >/dev/null || missing+=(kcat)
command -v ip >/dev/null || missing+=(iproute2)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "services: installing ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
    || echo "services: could not install ${missing[*]}" >&2
fi

status=0
if ! up 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
wait_for postgresql 5432 || status=1

if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
wait_for redis 6379 || status=1

if ! up 4222 && [ -x /usr/sbin/nats-server ]; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -m 8222 -js
fi
wait_for nats 4222 || status=1

if ! up 11211 && command -v memcached >/dev/null; then
  memcached -d -u root -l 127.0.0.1 -p 11211
fi
wait_for memcached 11211 || status=1

exit $status
