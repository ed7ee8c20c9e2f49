#!/usr/bin/env bash
# Screenshots of swarmtop's main views, taken from the real binary on the demo
# stack: tmux runs bin/swarmtop at COLS×ROWS cells, `tmux capture-pane -e`
# keeps the colours, Debian's `aha` turns the capture into HTML and headless
# Chromium renders that to docs/NAME.png.
#
#   make screenshots            (or scripts/screenshots.sh; OUT=dir to write elsewhere)
#
# Needs a swarm manager (make swarm). As root it installs aha and chromium
# with apt-get when they are missing. The demo stack "shop" is deployed with
# examples/django/demo-incident.yml, so flower fails; a shop stack that was
# not there before is removed at the end, one that was is redeployed from the
# plain demo files (stack.yml + demo.yml).
set -euo pipefail
cd "$(dirname "$0")/.."

COLS=${COLS:-100}
ROWS=${ROWS:-30}
OUT=${OUT:-docs}
STACK=shop
FONT_PX=14 # DejaVu Sans Mono: 0.602 em advance, so 8.43 px a cell
LINE_PX=16 # tight enough that box-drawing lines join
PAD_PX=12
demo=(-c examples/django/stack.yml -c examples/django/demo.yml)
files=("${demo[@]}" -c examples/django/demo-incident.yml)

say() { printf 'screenshots: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- tools -------------------------------------------------------------------
missing=()
command -v aha >/dev/null || missing+=(aha)
command -v chromium >/dev/null || missing+=(chromium)
command -v tmux >/dev/null || missing+=(tmux)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root, or apt-get install ${missing[*]}"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
fi
docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null | grep -qx true ||
  die "no swarm manager answers: run make swarm first"
docker image inspect swarmtop/standin:1 swarmtop/standin:2 >/dev/null 2>&1 ||
  die "the stand-in images are missing: run make images first"

make --no-print-directory build >/dev/null

# --- the demo stack, with its incident ---------------------------------------
work=$(mktemp -d)
sock="swarmtop-shots-$$"
T() { tmux -L "$sock" "$@"; }
existed=no
docker stack ls --format '{{.Name}}' | grep -qx "$STACK" && existed=yes

cleanup() {
  T kill-server 2>/dev/null || true
  if [ "$existed" = yes ]; then
    say "restoring stack $STACK from the plain demo files"
    bin/swarmtop deploy "${demo[@]}" --stack "$STACK" --detach >/dev/null 2>&1 ||
      say "could not restore $STACK: run make demo"
  else
    say "removing stack $STACK"
    docker stack rm "$STACK" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "deploying $STACK with the flower incident (existed before: $existed)"
# --detach: the deploy returns once the changes are stored; flower is meant to fail.
bin/swarmtop deploy "${files[@]}" --stack "$STACK" --detach >"$work/deploy.log" 2>&1 ||
  { cat "$work/deploy.log" >&2; die "deploy failed"; }

# --- driving the UI ----------------------------------------------------------
screen() { T capture-pane -p -t shots; }

# wait_for REGEX [SECONDS]: until the screen matches (extended regexp).
wait_for() {
  local re=$1 deadline=$((SECONDS + ${2:-30}))
  until screen | grep -Eq -- "$re"; do
    if [ $SECONDS -ge $deadline ]; then
      screen >&2
      die "timed out waiting for /$re/"
    fi
    sleep 0.3
  done
}

keys() { T send-keys -t shots "$@"; }
# esc: Escape alone; a key sent right after it would read as alt+key.
esc() {
  keys Escape
  sleep 0.3
}
typed() { T send-keys -t shots -l "$1"; }
command_line() {
  keys :
  typed "$1"
  keys Enter
}

# shot NAME: capture the pane with its colours, then HTML, then PNG.
shot() {
  local name=$1
  sleep 0.4 # let the last frame land
  T capture-pane -e -p -t shots >"$work/$name.ans"
  {
    cat <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>swarmtop $name</title><style>
html,body{margin:0;background:#000;color:#e0e0e0}
pre{margin:0;padding:${PAD_PX}px;font:${FONT_PX}px/${LINE_PX}px "DejaVu Sans Mono",monospace;white-space:pre}
</style></head><body><pre>
EOF
    aha --black --no-header <"$work/$name.ans"
    echo '</pre></body></html>'
  } >"$work/$name.html"
  local w h
  w=$(((COLS * 843 + 99) / 100 + 2 * PAD_PX))
  h=$(($(wc -l <"$work/$name.ans") * LINE_PX + 2 * PAD_PX))
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/chromium" --window-size="$w,$h" \
    --screenshot="$PWD/$OUT/$name.png" "file://$work/$name.html" >"$work/chromium.log" 2>&1 ||
    { cat "$work/chromium.log" >&2; die "chromium failed on $name"; }
  say "$OUT/$name.png"
}

# start [ENV=VALUE...]: swarmtop on the stack in a fresh tmux session.
start() {
  if T has-session -t shots 2>/dev/null; then
    T kill-server
    sleep 1 # a new session right away can reach the dying server
  fi
  T -f /dev/null new-session -d -s shots -x "$COLS" -y "$ROWS" \
    env "$@" bin/swarmtop --stack "$STACK" "${files[@]}"
  T set-option -t shots status off
  wait_for 'services converged' 20
}

mkdir -p "$OUT"
start TERM=xterm-256color

# Stack view: flower selected; wait until Swarm gave up restarting it.
wait_for '^flower +repl +0/1 .*failing' 90
keys j j
wait_for 'flower\.1 failed .*non-zero exit'
shot stack

# Tasks view with history: every failed attempt and its error.
keys Enter
wait_for 'flower tasks'
keys h
wait_for 'incl\. history'
shot tasks
esc
wait_for 'services converged'

# Help over the stack view.
keys '?'
wait_for 'Keys'
shot help
esc

# Confirm dialog: scale web 2 → 3, then cancel.
command_line 'scale web 3'
wait_for 'Confirm scale'
shot confirm
keys n
wait_for 'services converged'

# Nodes, in a window of 10 rows: one node needs no more.
T resize-window -t shots -y 10
command_line nodes
wait_for 'HOSTNAME'
shot nodes
esc
T resize-window -t shots -y "$ROWS"
wait_for 'services converged'

# Logs of the web tier, filtered to the writes.
command_line 'logs nginx web'
wait_for '● following'
sleep 2 # a screenful of lines
keys /
typed 'POST'
keys Enter
wait_for 'filter POST: [0-9]+ match'
shot logs
esc
esc

# Diff: swarmtop read the files with STANDIN_TAG=2, as when release 2 is
# about to go out, so every service's image differs from the cluster's.
start TERM=xterm-256color STANDIN_TAG=2
command_line diff
wait_for 'standin:2'
shot diff

T kill-server
say "done: $(ls "$OUT"/*.png | tr '\n' ' ')"
