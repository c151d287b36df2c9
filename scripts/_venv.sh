# shellcheck shell=bash
# Sourced by scripts/up and scripts/test: make sure .venv exists and holds the project.
#
#   ensure_venv runtime   # the app and its dependencies
#   ensure_venv dev       # plus the checkers and test tools ([dev] extra)
#
# Installing is skipped when .venv/.complaintdesk-installed records the same hash of
# pyproject.toml and an extra that covers the one asked for, so a second run takes no time.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
STAMP="$VENV/.complaintdesk-installed"

_find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "ComplaintDesk needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local want="${1:-runtime}" python hash have_hash have_extra
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(_find_python)"
    echo "==> Creating $VENV with $python"
    if ! "$python" -m venv "$VENV"; then
      echo "python -m venv failed: on Debian/Ubuntu install python3-venv (apt-get install -y python3-venv)." >&2
      return 1
    fi
  fi
  hash="$(cd "$ROOT" && "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')"
  have_hash="" have_extra=""
  if [ -f "$STAMP" ]; then
    read -r have_hash have_extra <"$STAMP" || true
  fi
  if [ "$have_hash" = "$hash" ] && { [ "$have_extra" = "dev" ] || [ "$have_extra" = "$want" ]; }; then
    return 0
  fi
  [ "$have_extra" = "dev" ] && want="dev"  # keep the dev tools once they are there
  local spec="."
  [ "$want" = "dev" ] && spec=".[dev]"
  echo "==> Installing ComplaintDesk ($want) into $VENV"
  # (grep drops pip's notes about local package mirrors this machine may not have)
  (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" 2>&1 \
    | { grep -v "^WARNING: Location '" || true; }; exit "${PIPESTATUS[0]}")
  echo "$hash $want" >"$STAMP"
}
