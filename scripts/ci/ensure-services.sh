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
