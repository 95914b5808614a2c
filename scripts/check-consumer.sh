#!/usr/bin/env bash
# Builds and runs examples/consumer/ (a user's project outside lucid's build) each of the ways lucid
# can be used, against an already built lucid build tree:
#   1. install:      cmake --install <build> --prefix <work>/prefix, then find_package(lucid) with
#                    CMAKE_PREFIX_PATH=<work>/prefix; the consumer's compile line must carry no
#                    warning, -Werror or sanitizer flag; its compile time and peak memory are printed
#   2. pkg-config:   g++ -std=c++20 main.cc $(pkg-config --cflags --libs lucid) from the same prefix;
#                    also examples/swish/ (a user's fused op) copied out of the tree, built the same way
#   3. subdirectory: add_subdirectory(<lucid source>) (lucid's libraries built again, no tests)
#   4. fetchcontent: FetchContent with SOURCE_DIR = <lucid source>, no download
# 3 and 4 build in the same directory with ccache as the compiler launcher, so 4 compiles lucid
# from the cache 3 filled, and at -O1 (cheaper than Release's -O3; these two ways test
# the CMake wiring, not speed).
#
#   bash scripts/check-consumer.sh [build-dir] [work-dir]   # defaults: build, <build-dir>/consumer-check
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
build=$(realpath "${1:-build}")
work=$(realpath -m "${2:-$build/consumer-check}")
consumer=$source_dir/examples/consumer
rm -rf "$work"
mkdir -p "$work"

lap_start=$SECONDS
lap() {
  echo "check-consumer: $1 took $((SECONDS - lap_start)) s"
  lap_start=$SECONDS
}

# The compile command ninja runs for main.cc (build directory), with ccache left out.
compile_line() {
  ninja -C "$1" -t commands consumer | grep -- ' -c .*main\.cc' | sed 's|^[^ ]*ccache ||'
}
# Fails when a compile line passes a flag of lucid's own build on to the consumer.
check_no_leaked_flags() {  # label compile-line
  echo "check-consumer: $1 compile line: $2"
  if grep -Eo -- ' (-W[^l][^ ]*|-Werror[^ ]*|-fsanitize[^ ]*|-fno-sanitize[^ ]*)' <<<" $2"; then
    echo "check-consumer: FAILED: $1: lucid leaks the flags above into the consumer" >&2
    return 1
  fi
}

# 1. install + find_package
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
echo "check-consumer: installed $(find "$work/prefix" -type f | wc -l) files into $work/prefix"
cmake -S "$consumer" -B "$work/package" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLUCID_CONSUMER_USE=package -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/package.configure.log"
grep 'consumer: lucid' "$work/package.configure.log"
cmake --build "$work/package"
line=$(compile_line "$work/package")
check_no_leaked_flags "find_package" "$line"
# Compile time and peak memory of the consumer's main.cc alone.
(cd "$work/package" && eval "/usr/bin/time -v $line" 2>"$work/compile-time.log")
echo "check-consumer: compiling main.cc: $(grep -E 'Elapsed \(wall' "$work/compile-time.log" | sed 's/.*: //') wall," \
     "$(grep -E 'User time' "$work/compile-time.log" | sed 's/.*: //') s user," \
     "peak $(($(grep -E 'Maximum resident' "$work/compile-time.log" | sed 's/.*: //') / 1024)) MiB"
"$work/package/consumer"
lap "install + find_package"

# 2. pkg-config
pc_flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs lucid)
echo "check-consumer: pkg-config --cflags --libs lucid: $pc_flags"
check_no_leaked_flags "pkg-config" "$pc_flags"
# shellcheck disable=SC2086  # the flags are words
g++ -std=c++20 -O2 "$consumer/main.cc" -o "$work/consumer-pkg-config" $pc_flags
"$work/consumer-pkg-config"
# A user's own fused op (examples/swish/: the expression headers, the Highway evaluator, the kernel
# macros) against the installed headers only: the example's files copied out of the tree.
mkdir -p "$work/swish/examples/swish"
cp examples/swish/*.h examples/swish/*.cc "$work/swish/examples/swish/"
# shellcheck disable=SC2086
g++ -std=c++20 -O2 -I"$work/swish" "$work/swish/examples/swish/main.cc" "$work/swish/examples/swish/swish_kernels.cc" \
  -o "$work/swish/swish" $pc_flags
"$work/swish/swish" | tail -n 1
lap "pkg-config (consumer, and examples/swish/ out of the tree)"

# 3. add_subdirectory, 4. FetchContent: one build directory, ccache shared.
export CCACHE_DIR="$work/ccache" CCACHE_NOHASHDIR=1
ccache --zero-stats >/dev/null
for use in subdirectory fetchcontent; do
  rm -rf "$work/subproject"
  cmake -S "$consumer" -B "$work/subproject" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DLUCID_CONSUMER_USE=$use \
    -DLUCID_SOURCE_DIR="$source_dir" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >"$work/$use.configure.log"
  cmake --build "$work/subproject"
  if [ -e "$work/subproject/lucid/tests" ] || [ -e "$work/subproject/lucid/bench" ]; then
    echo "check-consumer: FAILED: $use: lucid's tests or benchmarks are part of the consumer's build" >&2
    exit 1
  fi
  check_no_leaked_flags "$use" "$(compile_line "$work/subproject")"
  "$work/subproject/consumer"
  echo "check-consumer: $use: ccache $(ccache --print-stats | grep -E '^(direct_cache_hit|preprocessed_cache_hit|cache_miss)' | tr '\t\n' '= ')"
  lap "$use"
done
echo "check-consumer: all four ways built and passed"
