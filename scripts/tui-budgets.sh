#!/usr/bin/env bash
# Prints the terminal UI's budget figures (BENCHMARKS.md, "TUI budgets"),
# measured on the local swarm, next to the docker CLI's where there is one.
# Figures only, nothing is asserted. Needs `make swarm`, tmux and the
# stand-in images (`make images`).
#   scripts/tui-budgets.sh            deploy the demo stack under a new name
#   scripts/tui-budgets.sh shop       use the deployed stack "shop" instead
#   RUNS=10 IDLE=60 scripts/tui-budgets.sh
# Everything it creates (the stack, the logging service, tmux sessions) is
# removed on exit; a reused stack is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
IDLE=${IDLE:-30}
STACK=${1:-}
FLOOD=""
work=$(mktemp -d)
sessions="tuibudget$$"

cleanup() {
  if [ -n "$FLOOD" ]; then docker service rm "$FLOOD" >/dev/null 2>&1 || true; fi
  if [ "${created:-0}" = 1 ]; then docker stack rm "$STACK" >/dev/null 2>&1 || true; fi
  for s in $(tmux ls -F '#{session_name}' 2>/dev/null | grep "^$sessions-" || true); do
    tmux kill-session -t "$s" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
mean() { awk '{ s += $1 } END { printf "%.1f", s / NR }'; }

make -s build
bin=bin/swarmtop
go build -o "$work/tuiprobe" ./scripts/tuiprobe
probe() { "$work/tuiprobe" "$1" -session "$sessions-$RANDOM" "${@:2}"; } # frame, keys: in tmux

if [ -z "$STACK" ]; then
  STACK=tuib$$
  created=1
  echo "== deploying the demo stack as $STACK"
  NGINX_PORT=$((18000 + RANDOM % 2000)) "$bin" deploy -c examples/django/stack.yml -c examples/django/demo.yml \
    -s "$STACK" >/dev/null
fi
mapfile -t names < <(docker stack services --format '{{.Name}}' "$STACK" | sed "s/^${STACK}_//" | LC_ALL=C sort)
n=${#names[@]}
sleep 3 # let the last tasks of the deploy settle
echo "stack $STACK: $n services"

echo
echo "== 1. first full frame after launch, mean of $RUNS runs (budget: <= 200 ms and <= docker stack services)"
# 80x24 shows the summary and the first rows; 120x40 shows every row.
small=(-want "/$n services converged" -want "^${names[0]} " -want "tasks of ${names[0]}" -want "^${names[0]}\.1 ")
large=(-want "/$n services converged" -want "tasks of ${names[0]}")
for name in "${names[@]}"; do large+=(-want "^$name "); done
for size in 80x24 120x40; do
  want=("${small[@]}")
  [ "$size" = 120x40 ] && want=("${large[@]}")
  for _ in $(seq "$RUNS"); do
    probe frame -size "$size" "${want[@]}" -- "$bin" -s "$STACK"
  done >"$work/frame-$size"
  echo "swarmtop -s $STACK at $size: $(mean <"$work/frame-$size") ms (runs: $(tr '\n' ' ' <"$work/frame-$size"))"
done
# docker stack services timed the same way, in a tmux pane until its table
# shows (its last row: at 80 columns the rows wrap and the first scroll
# away), so both figures include tmux and the 5 ms polling.
for _ in $(seq "$RUNS"); do
  probe frame -size 80x24 -want "^\\S+ +${STACK}_${names[-1]} " -- docker stack services "$STACK"
done >"$work/docker"
d=$(mean <"$work/docker")
echo "docker stack services $STACK in the same tmux harness: $d ms (runs: $(tr '\n' ' ' <"$work/docker"))"
echo "ratio swarmtop 80x24 / docker: $(ratio "$(mean <"$work/frame-80x24")" "$d")"
for _ in $(seq "$RUNS"); do
  t0=$(now_ms)
  docker stack services "$STACK" >/dev/null
  echo $(($(now_ms) - t0))
done >"$work/docker-plain"
echo "(docker stack services to /dev/null, outside tmux: $(mean <"$work/docker-plain") ms)"

echo
echo "== 2. watching the stable stack for $IDLE s at 80x24 (budget: <= 50 bytes/s, <= 0.2 % CPU)"
"$work/tuiprobe" idle -size 80x24 -settle 5s -for "${IDLE}s" -- "$bin" -s "$STACK"
# The floor under that CPU figure on this machine: Bubble Tea v2 flushes its
# renderer on a 60/s ticker whatever changes, and the wake-ups alone cost this.
"$work/tuiprobe" ticker -fps 60 -for "${IDLE}s"

echo
echo "== 3. one frame of 1,000 services / 10,000 tasks (budget: <= 16 ms)"
go test ./tui/ -run '^$' -bench '(Render|Update|Key)1000Services' -benchmem -count 1 | grep -E '^Benchmark'

echo
echo "== 4. a key in the logs view of a service writing 10,000 lines/s (budget: <= 50 ms, memory flat)"
FLOOD=${STACK}_flood
docker service create -d --no-resolve-image --name "$FLOOD" --label com.docker.stack.namespace="$STACK" \
  -e STANDIN_LOG_RATE=10000 swarmtop/standin:1 web >/dev/null
for _ in $(seq 60); do
  docker service ps --format '{{.CurrentState}}' "$FLOOD" | grep -q '^Running' && break
  sleep 0.5
done
# T toggles timestamps; the logs header then ends in "· time".
probe keys -size 80x24 -ready "/$((n + 1)) services converged" -open ":logs flood" \
  -opened "logs $STACK › flood" -opened "flood\.1" -settle 3s \
  -key T -on "since all · time *$" -off "since all *$" -samples 20 -every 1s -- "$bin" -s "$STACK"
echo "model alone, per 50 ms batch (500 lines) + key + frame:"
go test ./tui/logs/ -run '^$' -bench 'FirehoseKeyFrame' -benchmem -count 1 | grep -E '^Benchmark'
