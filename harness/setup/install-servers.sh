#!/usr/bin/env bash
# Installs the real servers the harness can run beside its emulation, from Debian's packages:
# gunicorn, Flask, uvicorn, FastAPI (for Debian's /usr/bin/python3) and haproxy. Needed only for
# scenarios whose topologies use the real kinds (werkzeug, gunicorn-sync, gunicorn-gthread,
# gunicorn-uvicorn, uvicorn), `npm run calibrate` for those servers, and their tests.
#
#   sudo npm run setup            install what is missing (apt-get; needs root)
#   npm run setup -- --check      only say what is missing; exit 1 if anything is
#
# Safe to run again: it installs nothing when everything is there.
set -euo pipefail

PACKAGES=(gunicorn python3-flask python3-uvicorn python3-fastapi haproxy)
PYTHON="${HARNESS_PYTHON:-/usr/bin/python3}"
HAPROXY="${HARNESS_HAPROXY:-/usr/sbin/haproxy}"

missing() {
  local out=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      out+=("$pkg")
    fi
  done
  echo "${out[@]:-}"
}

check_runtime() {
  "$PYTHON" -c 'import flask, fastapi, uvicorn, gunicorn, werkzeug, anyio' &&
    [ -x "$HAPROXY" ] && [ -x /usr/bin/setpriv ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-servers: this script installs Debian packages; this machine has no dpkg/apt-get." >&2
  echo "install-servers: install ${PACKAGES[*]} (or their equivalents) yourself, and point" >&2
  echo "install-servers: HARNESS_PYTHON and HARNESS_HAPROXY at them." >&2
  exit 1
fi

todo="$(missing)"
if [ "${1:-}" = "--check" ]; then
  if [ -z "$todo" ] && check_runtime; then
    echo "install-servers: everything is installed (${PACKAGES[*]})"
    exit 0
  fi
  echo "install-servers: missing: ${todo:-(packages present, but $PYTHON cannot import them or $HAPROXY is missing)}" >&2
  exit 1
fi

if [ -n "$todo" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-servers: missing $todo; installing them needs root: sudo npm run setup" >&2
    exit 1
  fi
  echo "install-servers: installing $todo"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $todo
  # Debian starts haproxy as a service on install; the harness runs its own instances.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then
    systemctl stop haproxy || true
    systemctl disable haproxy || true
  fi
else
  echo "install-servers: already installed: ${PACKAGES[*]}"
fi

if ! check_runtime; then
  echo "install-servers: installed, but $PYTHON cannot import flask, fastapi, uvicorn and gunicorn, or $HAPROXY is missing" >&2
  exit 1
fi
echo "install-servers: ready ($PYTHON, $HAPROXY)"
