#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
# Installs: the package with its test extras (pip), and Debian's chromium for the
# browser tests (apt, only when /usr/bin/chromium is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python -m pip install -q --disable-pip-version-check -e ".[test]"
ruff check kb_compiler tests bench
python -m mypy
python -m pytest -n 2 -q "$@"
