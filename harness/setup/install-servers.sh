#!/usr/bin/env bash
# Installs the real servers the harness can run beside its emulation, from Debian's packages:
# gunicorn, Flask, uvicorn, FastAPI, APScheduler (for Debian's /usr/bin/python3) and haproxy. Needed only for
# scenarios whose topologies use the real kinds (werkzeug, gunicorn-sync, gunicorn-gthread,
# gunicorn-uvicorn, uvicorn), `npm run calibrate` for those servers, and their tests.
#
#   sudo npm run setup            install what is missing (apt-get; needs root)
#   npm run setup -- --check      only say what is missing; exit 103 if anything is
#   npm run setup -- --help       print this usage; installs nothing
#
# Exit codes follow the harness's table (README, "Exit codes"): 0 everything is installed,
# 103 something is missing or could not be installed, 104 an unknown option.
# Safe to run again: it installs nothing when everything is there.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: sudo npm run setup [-- --check]

Installs, when missing, Debian's packages of the real servers the harness can run beside its
emulation: gunicorn, python3-flask, python3-uvicorn, python3-fastapi and haproxy (apt-get,
needs root), and python3-apscheduler, the scheduler the bundled app starts for scenarios with
"jobs". Only the real kinds (werkzeug, gunicorn-sync, gunicorn-gthread, gunicorn-uvicorn,
uvicorn) need them. HARNESS_PYTHON and HARNESS_HAPROXY point at other installations.

Options:
  --check        only say what is missing; install nothing
  -V, --version  print the version
  -h, --help     this help; install nothing

Exit codes: 0 everything is installed, 103 something is missing (with --check) or could not
be installed, 104 an unknown option.
USAGE
}

check_only=false
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    -V | --version)
      sed -n 's/^  "version": "\(.*\)",$/\1/p' "$(dirname "$0")/../../package.json"
      exit 0
      ;;
    *)
      echo "install-servers: unknown option $arg" >&2
      usage >&2
      exit 104
      ;;
  esac
done

PACKAGES=(gunicorn python3-flask python3-uvicorn python3-fastapi haproxy python3-apscheduler)
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
  "$PYTHON" -c 'import flask, fastapi, uvicorn, gunicorn, werkzeug, anyio, apscheduler' &&
    [ -x "$HAPROXY" ] && [ -x /usr/bin/setpriv ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-servers: this script installs Debian packages; this machine has no dpkg/apt-get." >&2
  echo "install-servers: install ${PACKAGES[*]} (or their equivalents) yourself, and point" >&2
  echo "install-servers: HARNESS_PYTHON and HARNESS_HAPROXY at them." >&2
  exit 103
fi

todo="$(missing)"
if [ "$check_only" = true ]; then
  if [ -z "$todo" ] && check_runtime; then
    echo "install-servers: everything is installed (${PACKAGES[*]})"
    exit 0
  fi
  echo "install-servers: missing: ${todo:-(packages present, but $PYTHON cannot import them or $HAPROXY is missing)}" >&2
  exit 103
fi

if [ -n "$todo" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-servers: missing $todo; installing them needs root: sudo npm run setup" >&2
    exit 103
  fi
  echo "install-servers: installing $todo"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! { apt-get update && apt-get install -y --no-install-recommends $todo; }; then
    echo "install-servers: apt-get could not install $todo (see its output above)" >&2
    exit 103
  fi
  # Debian starts haproxy as a service on install; the harness runs its own instances.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then
    systemctl stop haproxy || true
    systemctl disable haproxy || true
  fi
else
  echo "install-servers: already installed: ${PACKAGES[*]}"
fi

if ! check_runtime; then
  echo "install-servers: installed, but $PYTHON cannot import flask, fastapi, uvicorn, gunicorn and apscheduler, or $HAPROXY is missing" >&2
  exit 103
fi
echo "install-servers: ready ($PYTHON, $HAPROXY)"
