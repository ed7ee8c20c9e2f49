#!/usr/bin/env bash
# Makes this machine ready to run swarmtop's engine tests and demo:
# Debian's docker.io and tmux installed, an engine running, a single-node
# swarm, and the stand-in images loaded. Safe to run again: it never
# re-initialises or leaves a swarm that already exists.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'swarm: %s\n' "$*"; }

need_packages=()
command -v dockerd >/dev/null 2>&1 || need_packages+=(docker.io)
command -v tmux >/dev/null 2>&1 || need_packages+=(tmux)
# The remote-engine tests run a local sshd on a loopback port.
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
if ((${#need_packages[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${need_packages[*]}: run this as root (or install them) first" >&2
    exit 1
  fi
  log "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ! engine_answers; then
  if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
    log "no engine answers at DOCKER_HOST=$DOCKER_HOST; start it there" >&2
    exit 1
  fi
  log "starting dockerd in the background (log: /var/log/swarmtop-dockerd.log)"
  # Tasks run the local image instead of asking a registry first: no
  # registry is reachable from the project's machines.
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nohup dockerd >/var/log/swarmtop-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    engine_answers && break
    sleep 1
  done
  if ! engine_answers; then
    log "dockerd did not answer within 60 s; last log lines:" >&2
    tail -n 20 /var/log/swarmtop-dockerd.log >&2 || true
    exit 1
  fi
elif ! tr '\0' '\n' </proc/"$(pgrep -xo dockerd || echo self)"/environ 2>/dev/null |
  grep -q '^DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1$'; then
  log "note: the running dockerd was not started with DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1; tasks may try a registry first"
fi

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case "$state" in
  active)
    log "engine is already in a swarm; leaving it as it is" ;;
  inactive)
    log "initialising a single-node swarm"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null ;;
  *)
    log "swarm state is '$state'; not touching it" >&2
    exit 1 ;;
esac
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != "true" ]; then
  log "this engine is a swarm worker; swarmtop's tests need a manager" >&2
  exit 1
fi

scripts/images.sh
log "ready: $(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'), swarm manager"
