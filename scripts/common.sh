# shellcheck shell=bash
# Shared by the scripts in this folder; sourced, not run.
ENGRAM_CACHE="${ENGRAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/engram}"
ENGRAM_VENV="${ENGRAM_VENV:-$ENGRAM_CACHE/venv}"
ENGRAM_TORCH_VERSION="${ENGRAM_TORCH_VERSION:-2.11.0}"
ENGRAM_TORCH_MIN="2.11"

die() {
  echo "engram: $*" >&2
  exit 1
}

# Prints the version of torch importable by interpreter $1, or nothing.
torch_version_of() {
  "$1" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null
}

# True when version $1 >= version $2.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Prints the interpreter whose torch engram builds against: a system python3 with torch >= 2.11,
# else the engram virtual environment's. Prints nothing when neither has it.
engram_python() {
  local py v
  for py in "${ENGRAM_PYTHON:-}" "$(command -v python3 2>/dev/null)" "$ENGRAM_VENV/bin/python"; do
    [ -n "$py" ] && [ -x "$py" ] || continue
    v=$(torch_version_of "$py") || continue
    if [ -n "$v" ] && version_at_least "$v" "$ENGRAM_TORCH_MIN"; then
      echo "$py"
      return 0
    fi
  done
  return 1
}
