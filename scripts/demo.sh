#!/usr/bin/env bash
# The demo: a local single-node swarm with the example Django stack, played
# by the stand-in images, and swarmtop on it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/swarm.sh
bin/swarmtop validate -c examples/django/stack.yml -c examples/django/demo.yml --stack shop
