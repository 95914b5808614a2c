#!/usr/bin/env bash
# Fused expression (x − m)·r·g + b vs a same-size stream and vs unfused tensor ops: builds and runs
# bench/fused_expression on one thread and prints time, GB/s and both ratios per size.
#
#   bash bench/fused_expression.sh [--build-dir DIR] [--reps N]
set -euo pipefail
reps=5
bench_options=("--reps reps N")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build fused_expression

bench_scratch_dir
OMP_NUM_THREADS=1 "$build_dir/bench/fused_expression" --benchmark_repetitions="$reps" \
  --benchmark_display_aggregates_only=true --benchmark_out="$out/result.json" --benchmark_out_format=json >/dev/null

python3 - "$out/result.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
median = {}
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    name, n = b["run_name"].split("/")
    median[(name, int(n))] = b
print(f"SIMD target: {data['context'].get('simd_target', '?')}")
print(f"{'elements':>10} {'fused us':>10} {'GB/s':>7} {'stream us':>10} {'GB/s':>7} {'unfused us':>11} "
      f"{'fused/stream':>13} {'unfused/fused':>14}")
for n in sorted({n for _, n in median}):
    f, s, u = (median[(k, n)] for k in ("BM_FusedExpression", "BM_StreamBaseline", "BM_UnfusedTensorOps"))
    gbs = lambda b: b["bytes_per_second"] / 1e9
    print(f"{n:>10} {f['real_time']:>10.2f} {gbs(f):>7.1f} {s['real_time']:>10.2f} {gbs(s):>7.1f} "
          f"{u['real_time']:>11.2f} {f['real_time'] / s['real_time']:>13.2f} {u['real_time'] / f['real_time']:>14.2f}")
PY
