#!/usr/bin/env bash
# Installs the system packages Minke's test suite needs and starts the services it talks to.
# Safe to run again: it installs only what is missing and starts only what is down.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(openssh-server openssh-client sudo procps chromium postgresql redis-server mosquitto)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# sshd refuses to start without its privilege separation directory.
$SUDO mkdir -p /run/sshd

wait_for() { # name, command; bounded: 30 tries, 1 s apart
  for _ in $(seq 1 30); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$1 did not come up" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 1883; then
  echo "starting Mosquitto"
  $SUDO mosquitto -d -c /etc/mosquitto/mosquitto.conf
fi
wait_for Mosquitto "port_open 1883"
# A user with a password and sudo rights, for the tests of sudo's password prompt and of password
# logins (sudo never asks root for a password). Its password is random and kept in a root-only file.
if [ "$(id -u)" = 0 ]; then
  id minke-sudo >/dev/null 2>&1 || useradd -m -s /bin/sh minke-sudo
  install -d -m 700 /etc/minke-test
  if [ ! -s /etc/minke-test/sudo-password ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 > /etc/minke-test/sudo-password)
  fi
  echo "minke-sudo:$(cat /etc/minke-test/sudo-password)" | chpasswd
  echo 'minke-sudo ALL=(ALL) ALL' > /etc/sudoers.d/minke-sudo
  chmod 440 /etc/sudoers.d/minke-sudo
fi
echo "test machine ready"
