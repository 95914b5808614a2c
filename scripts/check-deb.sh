#!/usr/bin/env bash
# The Debian package route, by hand (root or sudo; it installs into /usr and removes it again):
# cpack -G DEB in a built lucid tree makes lucid-dev_<version>_amd64.deb; apt-get installs it (pulling
# the packages of its Depends); examples/consumer/ is then built against /usr with find_package and
# with pkg-config, and run; finally the package is removed (--keep leaves it installed).
#
#   bash scripts/check-deb.sh [build-dir] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
build=$(realpath "${1:-build}")
keep=false
[ "${2:-}" = "--keep" ] && keep=true
work=$build/deb-check
rm -rf "$work"
mkdir -p "$work"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log")
deb=$(ls "$work"/lucid-dev_*_amd64.deb)
echo "check-deb: $deb"
dpkg-deb -I "$deb"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$deb"
dpkg-query -W -f='check-deb: installed ${Package} ${Version}\n' lucid-dev

cmake -S examples/consumer -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLUCID_CONSUMER_USE=package \
  | grep 'consumer: lucid'
cmake --build "$work/consumer"
"$work/consumer/consumer"
echo "check-deb: pkg-config --cflags --libs lucid: $(pkg-config --cflags --libs lucid)"
# shellcheck disable=SC2046
g++ -std=c++20 -O2 "$source_dir/examples/consumer/main.cc" -o "$work/consumer-pkg-config" $(pkg-config --cflags --libs lucid)
"$work/consumer-pkg-config"

if ! $keep; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -q lucid-dev
fi
echo "check-deb: the consumer built and ran against /usr"
