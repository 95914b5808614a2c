#!/usr/bin/env bash
# Attention's building blocks against LibTorch, one thread, float32: builds bench/attention, runs it
# (repetitions interleaved at random so both libraries meet the same slow and fast spells) and prints
# per shape the median times and LibTorch/lucid (above 1: lucid is faster).
#
#   bash bench/attention.sh [--build-dir DIR] [--reps N] [--min-time SECONDS]
set -euo pipefail
reps=8
min_time=0.1
bench_options=("--reps reps N" "--min-time min_time SECONDS")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build attention

bench_scratch_dir
"$build_dir/bench/attention" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_enable_random_interleaving=true --benchmark_display_aggregates_only=true \
  --benchmark_out="$out/result.json" --benchmark_out_format=json >/dev/null

python3 - "$out/result.json" <<'PY'
import json, math, sys
data = json.load(open(sys.argv[1]))
shapes = [(32, 64, 32), (32, 64, 64), (32, 128, 32), (32, 128, 64), (32, 256, 32), (32, 256, 64)]  # attention_shapes.h
t = {}
for b in data["benchmarks"]:
    if b.get("aggregate_name") == "median":
        name, shape = b["run_name"].split("/")[:2]
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
        t[(name, int(shape.split(":")[1]))] = b["real_time"] * scale
print("times in us (medians); ratio = LibTorch / lucid")
for op in ("bmm", "softmax", "softmax_backward"):
    print(f"{op}:")
    ratios = []
    for k, (bh, tokens, d) in enumerate(shapes):
        mine = t[(f"lucid_{op}", k)]
        row = f"  (B·H, T, d) = ({bh}, {tokens}, {d}): lucid {mine:9.1f}"
        if (f"torch_{op}", k) in t:
            theirs = t[(f"torch_{op}", k)]
            ratios.append(theirs / mine)
            row += f"   torch {theirs:9.1f}   ratio {theirs / mine:5.2f}"
        print(row)
    if ratios:
        geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
        print(f"  geometric mean {geo:.2f}x, lowest {min(ratios):.2f}x")
PY
