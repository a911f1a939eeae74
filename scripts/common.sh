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

# Configures the instrumented build that `make sanitize` and `make fuzz` share, in folder $1, for
# interpreter $2: ASan + UBSan on project code, CPU only. With clang++ the same build also carries
# libFuzzer's coverage instrumentation and the harnesses of tests/fuzz, so that one build serves
# both; without clang (g++) it serves `make sanitize` only.
configure_instrumented_build() {
  local build_dir="$1" py="$2" compiler=() generator=()
  if command -v clang++ >/dev/null; then
    compiler=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DENGRAM_FUZZ=ON)
  fi
  if [ -f "$build_dir/CMakeCache.txt" ]; then
    local had
    had=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
    case "$had" in
      *clang*) [ ${#compiler[@]} -gt 0 ] || die "$build_dir was configured with clang++, which is gone; remove $build_dir" ;;
      *) [ ${#compiler[@]} -eq 0 ] || die "$build_dir was configured with $had; remove $build_dir to rebuild it with clang++" ;;
    esac
  elif command -v ninja >/dev/null; then
    generator=(-G Ninja)
  fi
  cmake -S "$(dirname "${BASH_SOURCE[0]}")/.." -B "$build_dir" "${generator[@]}" "${compiler[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DENGRAM_PYTHON="$py" -DENGRAM_CUDA=OFF \
    -DENGRAM_SANITIZE=address,undefined -DENGRAM_BUILD_BENCHMARKS=OFF \
    -DENGRAM_BUILD_EXAMPLES=OFF >"$build_dir.configure.log" 2>&1 || {
    tail -n 40 "$build_dir.configure.log" >&2
    die "cmake failed for $build_dir; log in $build_dir.configure.log"
  }
}
