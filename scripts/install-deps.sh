#!/usr/bin/env bash
# Installs the Debian 12 packages joulegraph builds with, only those that are missing.
# Needs root (or sudo) when something is missing; nothing is downloaded at build time.
set -euo pipefail
packages=(cmake make g++ libeigen3-dev libtbb-dev libtoml11-dev libfmt-dev libcli11-dev nlohmann-json3-dev
          libbenchmark-dev libgtest-dev libonnx-dev libprotobuf-dev protobuf-compiler)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
