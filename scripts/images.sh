#!/usr/bin/env bash
# Builds the stand-in program and loads it into the local engine as
# swarmtop/standin:1 and :2 by importing a root filesystem tar: nothing is
# pulled and no registry is involved. An image whose binary is unchanged is
# left alone, so running this again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for version in 1 2; do
  root="$work/root$version"
  mkdir -p "$root/tmp"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" \
    -o "$root/standin" ./examples/standin
  sum=$(sha256sum "$root/standin" | cut -c1-64)
  image="swarmtop/standin:$version"
  have=$(docker image inspect --format '{{index .Config.Labels "swarmtop.standin.sha256"}}' "$image" 2>/dev/null || true)
  if [ "$have" = "$sum" ]; then
    echo "images: $image is up to date"
    continue
  fi
  tar -C "$root" -c . | docker import \
    -c 'ENTRYPOINT ["/standin"]' \
    -c "LABEL swarmtop.standin.sha256=$sum" \
    -c 'EXPOSE 8000' \
    - "$image" >/dev/null
  echo "images: loaded $image"
done
