#!/usr/bin/env bash
# The normalisation layers (float32, one thread) against LibTorch: builds bench/norms, runs it and
# prints, per layer and shape, forward and forward+backward times, lucid's time over its memory floor
# (floor x: the same-traffic copy / add streams of bench/norms.cc), LibTorch/lucid ratios and their
# geometric means.
#
#   bash bench/norms.sh [--build-dir DIR] [--reps N] [--min-time SECONDS]
#
# Times are medians and minima over the repetitions (wall clock), which run in random interleaved
# order so that lucid and LibTorch share the host's slow and fast spells.
set -euo pipefail
reps=10
min_time=0.2
bench_options=("--reps reps N" "--min-time min_time SECONDS")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build norms

bench_scratch_dir
"$build_dir/bench/norms" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_enable_random_interleaving=true --benchmark_out="$out/result.json" \
  --benchmark_out_format=json >/dev/null

python3 - "$out/result.json" <<'PY'
import json, math, sys
from collections import defaultdict
data = json.load(open(sys.argv[1]))
cases = [("LayerNorm", "(64*197, 384)"), ("LayerNorm", "(4096, 768)"), ("RMSNorm", "(4096, 768)"),
         ("BatchNorm2d", "(32, 64, 56, 56)"), ("BatchNorm2d", "(128, 256, 14, 14)"),
         ("InstanceNorm2d", "(8, 64, 64, 64)")]  # bench/norms_shapes.h
times = defaultdict(list)
for b in data["benchmarks"]:
    if b.get("run_type") != "iteration":
        continue
    name, case = b["run_name"].split("/")[:2]
    times[(name, int(case.split(":")[1]))].append(b["real_time"])
have_torch = any(k[0].startswith("torch_") for k in times)
geo = lambda v: math.exp(sum(map(math.log, v)) / len(v))
print(f"times in us over {len(next(iter(times.values())))} repetitions: median (min); ratio = LibTorch/lucid of the medians (of the minima)")
for layer in dict.fromkeys(layer for layer, _ in cases):
    for kind in ("forward", "forward_backward"):
        med_ratios, min_ratios = [], []
        for k, (case_layer, shape) in enumerate(cases):
            if case_layer != layer:
                continue
            mine = times[(f"lucid_{kind}", k)]
            floor = times[(f"stream_{kind}", k)]
            row = (f"{layer:<15}{kind:<17}{shape:<19} lucid {sorted(mine)[len(mine) // 2]:>9.1f} ({min(mine):>8.1f})"
                   f"  floor x{sorted(mine)[len(mine) // 2] / sorted(floor)[len(floor) // 2]:.2f} ({min(mine) / min(floor):.2f})")
            if have_torch:
                theirs = times[(f"torch_{kind}", k)]
                med = sorted(theirs)[len(theirs) // 2] / sorted(mine)[len(mine) // 2]
                low = min(theirs) / min(mine)
                med_ratios.append(med)
                min_ratios.append(low)
                row += f"  torch {sorted(theirs)[len(theirs) // 2]:>9.1f} ({min(theirs):>8.1f})  ratio {med:.2f} ({low:.2f})"
            print(row)
        if have_torch:
            print(f"{layer} {kind}: geometric mean LibTorch/lucid {geo(med_ratios):.2f}x (minima {geo(min_ratios):.2f}x)")
PY
