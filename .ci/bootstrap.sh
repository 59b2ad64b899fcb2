#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: Debian packages
# (apt-packages.txt), then a virtualenv with the pinned Python dependencies.
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# QM_APT_LISTS names the package lists to install (make test adds apt-packages-test.txt)
missing=()
for list in ${QM_APT_LISTS:-apt-packages.txt}; do
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done < "$list"
done
if (( ${#missing[@]} )); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=.venv/.installed
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
# QM_EXTRAS=test,bench also installs the benchmarks' baselines (make bench)
extras=${QM_EXTRAS:-test}
pins() { (cat pyproject.toml requirements.lock; echo "$1") | sha256sum | cut -c1-16; }
want=$(pins "$extras")
have=$(cat $stamp 2>/dev/null || true)
# a venv with the bench extra also serves the tests
if [[ "$have" != "$want" && ! ( "$extras" == test && "$have" == "$(pins test,bench)" ) ]]; then
  echo "installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c requirements.lock -e ".[$extras]"
  echo "$want" > $stamp
fi
