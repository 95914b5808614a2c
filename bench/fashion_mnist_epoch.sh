#!/usr/bin/env bash
# One training epoch of the Fashion-MNIST example with lucid and with PyTorch (when python3-torch is
# installed), same model, optimizer, batch size and thread count; prints both epoch times (the
# training pass alone, evaluation excluded) and test accuracies.
#
#   bash bench/fashion_mnist_epoch.sh [--build-dir DIR] [--threads N] [--epochs E] [--limit N]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$repo/build"
threads=2
epochs=1
limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$(realpath -m "$2")"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--threads N] [--epochs E] [--limit N]" >&2; exit 2 ;;
  esac
done
[ -f "$build_dir/CMakeCache.txt" ] || cmake -S "$repo" -B "$build_dir" -G Ninja
cmake --build "$build_dir" --target fashion_mnist

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "threads $threads, batch 128, AdamW lr 2e-3, epochs $epochs, limit $limit (0: all 60,000)"
"$build_dir/examples/fashion_mnist" --threads "$threads" --epochs "$epochs" --limit "$limit" --out "$out" >/dev/null
python3 - "$out/metrics.csv" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    print(f"lucid epoch {row['epoch']}: {float(row['seconds']):.1f} s, test accuracy {float(row['test_accuracy']):.4f}")
PY
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 "$repo/bench/fashion_mnist_torch.py" --threads "$threads" --epochs "$epochs" --limit "$limit"
else
  echo "fashion_mnist_epoch.sh: python3-torch not installed (scripts/install-deps.sh --with-torch); lucid only" >&2
fi
