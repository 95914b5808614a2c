#!/usr/bin/env bash
# Conv2d (float32, one thread) against LibTorch: builds bench/conv2d, runs it and prints, per case,
# forward and forward+backward times, the achieved GFLOP/s and their share of the core's float32 FMA
# peak (measured in the same run: bench/fma_peak.cc), LibTorch/lucid ratios and their geometric means.
#
#   bash bench/conv2d.sh [--build-dir DIR] [--reps N] [--min-time SECONDS]
#
# GFLOP/s = 2·N·C_out·H_out·W_out·(C_in/groups)·k² per forward (×3 for forward+backward: dx and dW
# are one such product each) over the median time. Times are medians and minima over the repetitions,
# which run in random interleaved order so that lucid and LibTorch share the host's slow and fast spells.
set -euo pipefail
reps=6
min_time=0.2
bench_options=("--reps reps N" "--min-time min_time SECONDS")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build conv2d

bench_scratch_dir
OMP_NUM_THREADS=1 "$build_dir/bench/conv2d" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_enable_random_interleaving=true --benchmark_out="$out/result.json" \
  --benchmark_out_format=json >/dev/null

python3 - "$out/result.json" <<'PY'
import json, math, sys
from collections import defaultdict
data = json.load(open(sys.argv[1]))
times, flops, labels = defaultdict(list), defaultdict(list), {}
for b in data["benchmarks"]:
    if b.get("run_type") != "iteration":
        continue
    parts = b["run_name"].split("/")
    key = (parts[0], int(parts[1].split(":")[1]) if len(parts) > 2 else -1)
    times[key].append(b["real_time"])
    flops[key].append(b["flops"])
    labels[key[1]] = b.get("label", "")
median = lambda v: sorted(v)[len(v) // 2]
geo = lambda v: math.exp(sum(map(math.log, v)) / len(v))
peak = median(flops[("peak_fma", -1)]) / 1e9
print(f"float32 FMA peak of this core, measured: {peak:.0f} GFLOP/s; times in us, median (min) over "
      f"{len(times[('peak_fma', -1)])} repetitions; ratio = LibTorch/lucid of the medians (of the minima)")
have_torch = any(k[0].startswith("torch_") for k in times)
cases = sorted(k for k in labels if k >= 0)
for kind in ("forward", "forward_backward"):
    print(f"\n{kind}")
    ratios, ratios_min = [], []
    for c in cases:
        l = times[(f"lucid_{kind}", c)]
        gf = median(flops[(f"lucid_{kind}", c)]) / 1e9
        line = f"  {labels[c]:<28} lucid {median(l):9.0f} ({min(l):9.0f})  {gf:6.1f} GFLOP/s {gf / peak:5.1%}"
        if have_torch:
            t = times[(f"torch_{kind}", c)]
            tgf = median(flops[(f"torch_{kind}", c)]) / 1e9
            ratios.append(median(t) / median(l))
            ratios_min.append(min(t) / min(l))
            line += f" | torch {median(t):9.0f} ({min(t):9.0f}) {tgf:6.1f} GFLOP/s | ratio {ratios[-1]:.2f} ({ratios_min[-1]:.2f})"
        print(line)
    if have_torch:
        print(f"  geomean ratio {geo(ratios):.2f} ({geo(ratios_min):.2f})")
PY
