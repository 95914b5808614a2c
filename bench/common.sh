# Shared by the bench/*.sh scripts (sourced, not run): the repository root, option parsing, building
# targets and a scratch directory.
#
# A script sets its defaults, lists its options besides --build-dir, then parses:
#
#   reps=5
#   bench_options=("--reps reps N" "--min-time min_time SECONDS")   # "<option> <variable> <metavar>"
#   source "$(dirname "$0")/common.sh"
#   bench_parse_args "$@"
#
# --build-dir DIR (default: the repository's build/) sets build_dir; any other argument prints
# "usage: <script> [--build-dir DIR] [<option> <metavar>]..." and exits with status 2.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$repo/build"

bench_usage() {
  local usage="usage: $0 [--build-dir DIR]" spec option variable metavar
  for spec in "${bench_options[@]}"; do
    read -r option variable metavar <<<"$spec"
    usage+=" [$option $metavar]"
  done
  echo "$usage" >&2
  exit 2
}

bench_parse_args() {
  local spec option variable metavar matched
  while [ $# -gt 0 ]; do
    if [ "$1" = --build-dir ] && [ $# -ge 2 ]; then
      build_dir="$(realpath -m "$2")"
      shift 2
      continue
    fi
    matched=0
    for spec in "${bench_options[@]}"; do
      read -r option variable metavar <<<"$spec"
      if [ "$1" = "$option" ] && [ $# -ge 2 ]; then
        printf -v "$variable" '%s' "$2"
        matched=1
        break
      fi
    done
    [ "$matched" -eq 1 ] || bench_usage
    shift 2
  done
}

# Configures build_dir when it is new, then builds the given targets (what is missing or stale).
bench_build() {
  [ -f "$build_dir/CMakeCache.txt" ] || cmake -S "$repo" -B "$build_dir" -G Ninja
  cmake --build "$build_dir" --target "$@"
}

# Sets out to a fresh temporary directory, removed when the script exits.
bench_scratch_dir() {
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
}
