#!/usr/bin/env bash
# Sourced by .ci/run: makes sure each local service that the tests use is up on 127.0.0.1, starting it
# when it is installed but down, installing it from Debian's packages when it is missing, so CI passes
# on a bare machine too.
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 100); do port_open "$1" && return 0; sleep 0.2; done
  echo "$2 did not come up on 127.0.0.1:$1" >&2
  return 1
}

ensure_mosquitto() {
  if port_open 1883; then return 0; fi
  if ! command -v mosquitto >/dev/null 2>&1; then
    step "installing mosquitto"
    apt_install mosquitto
  fi
  step "starting mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf 2>/dev/null || mosquitto -d
  wait_port 1883 mosquitto
}

# The Modbus tests' device: Debian's python3-pymodbus, run with /usr/bin/python3 (a pyenv python3 on
# PATH would not see Debian's package). The tests start the server themselves on a free port.
ensure_pymodbus() {
  if /usr/bin/python3 -c 'import pymodbus' 2>/dev/null; then return 0; fi
  step "installing python3-pymodbus"
  apt_install python3-pymodbus
  /usr/bin/python3 -c 'import pymodbus' || {
    echo "python3-pymodbus is not importable by /usr/bin/python3 after installing it" >&2
    return 1
  }
}

# PostgreSQL on 127.0.0.1:5432 with trust auth for local TCP and a database `test` (the postgres
# sink's tests create and drop their own tables in it).
ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    step "installing postgresql"
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  if ! port_open 5432; then
    step "starting postgresql $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_port 5432 postgresql
  fi
  # -w: never prompt for a password (CI has no standard input); a refusal means the cluster asks for
  # one on 127.0.0.1, as a fresh Debian cluster does: trust local TCP, as the tests expect.
  if ! PGCONNECT_TIMEOUT=5 psql -w -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    step "postgresql: trust auth on 127.0.0.1 ($hba)"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    sleep 1
  fi
  if ! psql -w -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
    step "postgresql: creating database test"
    psql -w -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
  fi
}

# Redis on 127.0.0.1:6379 for the BullMQ tests (they also start private redis-servers of their own on
# free ports, so the redis-server binary must be there even when a Redis already listens).
ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    step "installing redis-server"
    apt_install redis-server
  fi
  if port_open 6379; then return 0; fi
  step "starting redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null
  wait_port 6379 redis-server
}

# Debian's chromium for the dashboard test (headless, driven by playwright-core at /usr/bin/chromium;
# playwright's own browser download is not used). No service to start: the test launches it.
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  step "installing chromium"
  apt_install chromium
  [ -x /usr/bin/chromium ] || {
    echo "chromium is not at /usr/bin/chromium after installing Debian's chromium package" >&2
    return 1
  }
}
