#!/usr/bin/env bash
# Prints swarmtop's speed figures next to the docker CLI's, measured in the
# same run on the same swarm (these machines are noisy: compare ratios, not
# absolute numbers). Figures only, nothing is asserted. Needs `make swarm`.
#   scripts/bench.sh            all figures
#   RUNS=50 scripts/bench.sh    more samples for the status timing
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
STACK=bench$$
LOGSTACK=benchlogs$$
bin=bin/swarmtop
[ -x "$bin" ] || make -s build

cleanup() {
  docker stack rm "$STACK" "$LOGSTACK" >/dev/null 2>&1 || true
  rm -rf "${cli_dir:-}" "${nojob_dir:-}"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# median_pair_ms "A…" "B…" runs the two commands by turns, RUNS times each,
# so a busy minute slows both alike, and prints their median wall times in
# ms. The clock is bash's own (EPOCHREALTIME): no process started to read it.
median_pair_ms() {
  local a=() b=() t
  for _ in $(seq "$RUNS"); do
    t=${EPOCHREALTIME/./}; $1 >/dev/null 2>&1; a+=($((${EPOCHREALTIME/./} - t)))
    t=${EPOCHREALTIME/./}; $2 >/dev/null 2>&1; b+=($((${EPOCHREALTIME/./} - t)))
  done
  echo "$(median_ms "${a[@]}") $(median_ms "${b[@]}")"
}

# median_ms US… prints the median of durations in microseconds, in ms.
median_ms() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

wait_gone() {
  for _ in $(seq 120); do
    [ -z "$(docker network ls -q --filter label=com.docker.stack.namespace="$1")" ] &&
      [ -z "$(docker service ls -q --filter label=com.docker.stack.namespace="$1")" ] && return 0
    sleep 0.5
  done
}

# The docker CLI's loader rejects compose-spec keys such as top-level name:,
# so it gets the merged file without that line.
cli_dir=$(mktemp -d)
cp -r examples/django/. "$cli_dir/"
sed -i '/^name:/d' "$cli_dir/stack.yml"
# The docker CLI merges lists by appending, so demo.yml's healthcheck test
# would be glued after stack.yml's curl one and web would never be healthy:
# its copy of stack.yml goes without the curl test.
sed -i '/test: \["CMD", "curl"/d' "$cli_dir/stack.yml"
# A port of its own, so a deployed demo stack (on 18080) can stay up.
export NGINX_PORT=${NGINX_PORT:-$((18000 + RANDOM % 2000))}

echo "== deploy of the example stack (12 services) to convergence"
t0=$(now_ms)
"$bin" deploy -c examples/django/stack.yml -c examples/django/demo.yml -s "$STACK" >/dev/null
t1=$(now_ms)
swarmtop_deploy=$((t1 - t0))
docker stack rm "$STACK" >/dev/null
wait_gone "$STACK"
# `docker stack deploy --detach=false` never returns on a stack with a job
# service (docker/cli#5299), so the CLI's time to convergence is taken by
# polling `docker stack services` until every service shows its full count.
t0=$(now_ms)
docker stack deploy -c "$cli_dir/stack.yml" -c "$cli_dir/demo.yml" "$STACK" >/dev/null 2>&1
for _ in $(seq 1200); do
  docker stack services "$STACK" --format '{{.Replicas}}' 2>/dev/null |
    awk '{ n++; c = $1; if ($0 ~ /completed/) { c = $2; sub(/^\(/, "", c) }
           split(c, r, "/"); if (r[1] != r[2] || r[2] == 0) bad++ }
         END { exit !(n == 12 && bad == 0) }' && break
  sleep 0.2
done
t1=$(now_ms)
docker_deploy=$((t1 - t0))
echo "swarmtop deploy: ${swarmtop_deploy} ms   docker stack deploy + polling to convergence: ${docker_deploy} ms   ratio $(ratio "$swarmtop_deploy" "$docker_deploy") (goal <= 0.3)"

# Like for like: the same stack without its job service, which
# --detach=false can wait for, each tool waiting through the monitor windows.
nojob_dir=$(mktemp -d)
for f in stack.yml demo.yml; do
  awk '/^  migrate:/ { skip = 1; next } skip && /^  [a-z]/ { skip = 0 } !skip' "$cli_dir/$f" >"$nojob_dir/$f"
done
cp -r "$cli_dir/secrets" "$cli_dir/nginx" "$nojob_dir/"
docker stack rm "$STACK" >/dev/null
wait_gone "$STACK"
t0=$(now_ms)
"$bin" deploy -c "$nojob_dir/stack.yml" -c "$nojob_dir/demo.yml" -s "$STACK" >/dev/null
t1=$(now_ms)
swarmtop_nojob=$((t1 - t0))
docker stack rm "$STACK" >/dev/null
wait_gone "$STACK"
t0=$(now_ms)
timeout 600 docker stack deploy --detach=false -c "$nojob_dir/stack.yml" -c "$nojob_dir/demo.yml" "$STACK" >/dev/null 2>&1 || true
t1=$(now_ms)
docker_nojob=$((t1 - t0))
rm -rf "$nojob_dir"
echo "without the job (11 services): swarmtop deploy: ${swarmtop_nojob} ms   docker stack deploy --detach=false: ${docker_nojob} ms   ratio $(ratio "$swarmtop_nojob" "$docker_nojob") (goal <= 0.3)"

echo "== status of that stack, median of $RUNS runs each, taken by turns"
read -r s d < <(median_pair_ms "$bin status -s $STACK" "docker stack services $STACK")
echo "swarmtop status: ${s} ms   docker stack services: ${d} ms   ratio $(ratio "$s" "$d") (goal <= 1)"

echo "== log throughput: one service writing 50,000 lines/s, 10 s into /dev/null-like counting"
docker service create -d --name "${LOGSTACK}_loud" --label com.docker.stack.namespace="$LOGSTACK" \
  -e STANDIN_LOG_RATE=50000 swarmtop/standin:1 web >/dev/null
sleep 3
ours=$(timeout 10 "$bin" logs -s "$LOGSTACK" loud -f --tail 0 2>/dev/null | wc -l || true)
theirs=$(timeout 10 docker service logs -f --tail 0 "${LOGSTACK}_loud" 2>/dev/null | wc -l || true)
echo "swarmtop logs -f: $((ours / 10)) lines/s   docker service logs -f: $((theirs / 10)) lines/s   ratio $(ratio "$ours" "$theirs")"

echo "== decode + model of 1,000 services / 10,000 tasks (goal <= 20 ms, <= 150 MB)"
go test ./swarm/ -run '^$' -bench 'BuildSnapshot' -benchmem -count 5 | grep -E '^Benchmark'
echo "== log demux + merge throughput"
go test ./swarm/ -run '^$' -bench 'LogDemuxMerge' -benchmem -count 1 | grep -E '^Benchmark' || true
