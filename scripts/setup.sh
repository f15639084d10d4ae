# Sourced by demo.sh and test.sh: make a fresh machine ready (idempotent, quiet when already done).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${FH_ANYWIDGET_VENV:-$root/.venv}"
extras="${1:-}"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium (once)" >&2
  if [ "$(id -u)" = 0 ]; then sudo_=""; else sudo_="sudo"; fi
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

# Node.js runs the browser runtime's unit tests (node --test) and npm fetches front-end packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing Debian's nodejs and npm (once)" >&2
  if [ "$(id -u)" = 0 ]; then sudo_=""; else sudo_="sudo"; fi
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq nodejs npm >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv" >&2
  python3 -m venv "$venv"
fi
stamp="$venv/.fh-anywidget-installed$extras"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  echo "setup: installing Python dependencies" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -e "$root$extras"
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"

# htmx for the demo and the htmx tests, from the npm registry (never a CDN at run time).
htmx="$root/.cache/js/htmx.min.js"
if [ ! -f "$htmx" ]; then
  mkdir -p "$root/.cache/js" && tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent htmx.org@2.0.7 >/dev/null && tar xzf htmx.org-2.0.7.tgz)
  cp "$tmp/package/dist/htmx.min.js" "$htmx" && rm -rf "$tmp"
fi
export FH_ANYWIDGET_HTMX="$htmx"

# htmx's ws extension, for the test that checks pages using it keep working next to ours.
htmx_ws="$root/.cache/js/htmx-ext-ws.js"
if [ ! -f "$htmx_ws" ]; then
  mkdir -p "$root/.cache/js" && tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent htmx-ext-ws@2.0.4 >/dev/null && tar xzf htmx-ext-ws-2.0.4.tgz)
  cp "$tmp/package/dist/ws.js" "$htmx_ws" && rm -rf "$tmp"
fi
export FH_ANYWIDGET_HTMX_WS="$htmx_ws"
