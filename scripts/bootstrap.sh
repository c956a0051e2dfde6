#!/usr/bin/env bash
# Installs whatever TraceIQ needs and is missing, on Debian/Ubuntu. Idempotent, and quick when
# nothing changed: system packages are checked by command, Python packages by a stamp that
# holds the hash of pyproject.toml. Called by `make run` and `make test`.
#
#   scripts/bootstrap.sh            everything (one machine: web + embedded Redis + workers)
#   scripts/bootstrap.sh --web      a web node of a scale-out (REDIS_URL set): no Chromium, ffmpeg or redis-server
#   scripts/bootstrap.sh --worker   a worker machine: Chromium, ffmpeg and fonts, no redis-server
set -euo pipefail
cd "$(dirname "$0")/.."

role="all"
case "${1:-}" in
  "") ;;
  --web) role="web" ;;
  --worker) role="worker" ;;
  *) echo "usage: scripts/bootstrap.sh [--web|--worker]" >&2; exit 2 ;;
esac

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
if [ "$role" != web ]; then
  command -v chromium >/dev/null 2>&1 || [ -n "${TRACEIQ_CHROMIUM_PATH:-}" ] || missing+=(chromium)
  # The headless shell runs the tests (faster to launch, lighter); the full browser stays for
  # headed runs (`traceiq exec --headed`).
  [ -x /usr/lib/chromium/chromium-headless-shell ] || [ -n "${TRACEIQ_CHROMIUM_PATH:-}" ] || missing+=(chromium-headless-shell)
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  # Fonts so screenshots of pages show text; Debian's chromium does not pull them in.
  [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
fi
[ "$role" != all ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ! command -v python3 >/dev/null 2>&1; then
  missing+=(python3 python3-venv python3-dev)
elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "TraceIQ needs Python >= 3.11")'

stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages into .venv (first time: a few minutes)"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Playwright looks for its own ffmpeg build for video; point it at Debian's.
.venv/bin/python -c 'from traceiq_app.engine.browser import ensure_ffmpeg; ensure_ffmpeg()' 2>/dev/null || true
