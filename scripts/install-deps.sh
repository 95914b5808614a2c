#!/usr/bin/env bash
# Installs the Debian packages lucid needs to build, test and benchmark. Idempotent: it asks apt
# only for what is missing, and does nothing when everything is there.
#
#   bash scripts/install-deps.sh               # library, tests, benchmarks, examples
#   bash scripts/install-deps.sh --with-torch  # also LibTorch and PyTorch 1.13 (comparison only)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libboost1.81-dev      # Boost.Hana (expression templates), small_vector, demangle
  libhwy-dev            # Highway SIMD
  libopenblas-openmp-dev # cblas_dgemm, OpenMP build (one thread pool with lucid's)
  libdnnl-dev           # oneDNN: dnnl_sgemm (AVX-512 JIT), OpenMP build
  ocl-icd-opencl-dev    # OpenCL, which Debian's oneDNN CMake config requires (its GPU runtime)
  libgtest-dev libgmock-dev
  libbenchmark-dev
  nlohmann-json3-dev    # safetensors headers
  libcli11-dev          # example command lines
  zlib1g-dev            # gzip IDX data files
  libpng-dev            # the examples' image grids (examples/common/image_grid)
  gnuplot-nox           # training curves as PNG
  dataset-fashion-mnist # the example's data set (gzip IDX files)
  libopenmpi-dev openmpi-bin # lucid::distributed (optional: built when CMake finds MPI) and mpirun
  iproute2              # `ip netns`: scripts/two-host-mpi.sh (ctest distributed.two_hosts, as root)
  ccache                # CI: scripts/check-consumer.sh compiles lucid once for add_subdirectory and FetchContent
  doxygen               # the `docs` target (API reference; optional, skipped without it)
)

for arg in "$@"; do
  case "$arg" in
    --with-torch) packages+=(libtorch-dev python3-torch python3-numpy) ;;
    *) echo "usage: $0 [--with-torch]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
