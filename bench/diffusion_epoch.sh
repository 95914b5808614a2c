#!/usr/bin/env bash
# One training epoch of the diffusion example with lucid and with PyTorch (when python3-torch is
# installed): same UNet, loss, AdamW schedule, EMA, batch 128 and thread count; prints both epoch
# times (the training pass alone; sampling excluded) and mean losses.
#
#   bash bench/diffusion_epoch.sh [--build-dir DIR] [--threads N] [--epochs E] [--limit N]
set -euo pipefail
threads=2
epochs=1
limit=0
bench_options=("--threads threads N" "--epochs epochs E" "--limit limit N")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build diffusion

bench_scratch_dir
echo "threads $threads, batch 128, AdamW lr 2e-3, epochs $epochs, limit $limit (0: all 60,000)"
"$build_dir/examples/diffusion" --threads "$threads" --epochs "$epochs" --limit "$limit" --sample-steps 1 \
  --grid-columns 1 --out "$out" >/dev/null
python3 - "$out/metrics.csv" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    print(f"lucid epoch {row['epoch']}: {float(row['seconds']):.1f} s, loss {float(row['loss']):.4f}")
PY
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 "$repo/bench/diffusion_torch.py" --threads "$threads" --epochs "$epochs" --limit "$limit"
else
  echo "diffusion_epoch.sh: python3-torch not installed (scripts/install-deps.sh --with-torch); lucid only" >&2
fi
