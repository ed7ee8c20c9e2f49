#!/usr/bin/env bash
# The demo: a local single-node swarm running the example Django stack
# (played by the stand-in images) as stack "shop", and swarmtop on it.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(-c examples/django/stack.yml -c examples/django/demo.yml)
scripts/swarm.sh
# Deploying an unchanged file changes nothing, so this is safe to repeat.
bin/swarmtop deploy "${files[@]}" --stack shop
if [ -t 0 ] && [ -t 1 ]; then
  exec bin/swarmtop "${files[@]}" --stack shop
fi
bin/swarmtop status --stack shop
