#!/usr/bin/env bash
# Per-op overhead of lucid against LibTorch: builds bench/op_overhead (and bench/op_overhead_torch
# when CMake found LibTorch), runs both with the same settings on one thread, and prints per-op
# times for a chain of 1,000 tiny ops (1- and 64-element float32 tensors) side by side with the
# ratio lucid / LibTorch, then lucid's module-call rows (time per layer call, with and without hooks).
#
#   bash bench/op_overhead.sh [--build-dir DIR] [--reps N] [--min-time SECONDS]
#
# Defaults: --build-dir build (the README's), --reps 5, --min-time 0.5. Times are the median over
# the repetitions of CPU time / 1,000. Needs python3 to read the JSON results.
set -euo pipefail
reps=5
min_time=0.5
bench_options=("--reps reps N" "--min-time min_time SECONDS")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
command -v python3 >/dev/null || { echo "op_overhead.sh: python3 is needed to read the results" >&2; exit 1; }

bench_build op_overhead
have_torch=0
if cmake --build "$build_dir" --target help | grep -q 'op_overhead_torch'; then
  bench_build op_overhead_torch
  have_torch=1
else
  echo "op_overhead.sh: no LibTorch target (install LibTorch with scripts/install-deps.sh --with-torch" \
       "and reconfigure); printing lucid alone" >&2
fi

bench_scratch_dir
# The same settings for both programs: one thread, same repetitions and minimum time.
run() {
  OMP_NUM_THREADS=1 "$build_dir/bench/$1" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
    --benchmark_display_aggregates_only=true --benchmark_out="$out/$1.json" --benchmark_out_format=json
}
run op_overhead
[ "$have_torch" -eq 1 ] && run op_overhead_torch

python3 - "$out/op_overhead.json" "$out/op_overhead_torch.json" "$reps" <<'EOF'
import json, os, sys

def medians(path):
    """{(mode, numel): counters of the median aggregate} from a Google Benchmark JSON file."""
    if not os.path.exists(path):
        return {}
    result = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if "/numel:" not in b["run_name"]:  # the module-call rows (lucid only), printed below
            continue
        name, numel = b["run_name"].split("/numel:")       # e.g. lucid_forward_backward/numel:1
        mode = name.split("_", 1)[1]                       # forward_nograd | forward | forward_backward
        # With one repetition there is no aggregate: the single run is the median.
        if b.get("run_type") == "aggregate" or (mode, int(numel)) not in result:
            result[(mode, int(numel))] = b
    return result

lucid, torch = medians(sys.argv[1]), medians(sys.argv[2])
modes = [("forward_nograd", "forward, no_grad"), ("forward", "forward (graph recorded)"),
         ("forward_backward", "forward+backward")]
print()
print(f"Per-op time, chain of 1,000 ops (5 mul, 4 add, 1 tanh per 10), float32, 1 thread, "
      f"median of {sys.argv[3]} repetitions (CPU time / 1,000)")
print(f"{'mode':<25} {'numel':>5} {'lucid ns/op':>12} {'libtorch ns/op':>15} {'lucid/libtorch':>15}")
for mode, label in modes:
    for numel in (1, 64):
        l = lucid.get((mode, numel))
        t = torch.get((mode, numel))
        if l is None:
            continue
        ln = l["per_op"] * 1e9
        tn = f"{t['per_op'] * 1e9:15.1f}" if t else f"{'n/a':>15}"
        ratio = f"{ln / (t['per_op'] * 1e9):15.3f}" if t else f"{'n/a':>15}"
        print(f"{label:<25} {numel:>5} {ln:>12.1f} {tn} {ratio}")

# Module calls (lucid only): time per layer of a Sequential of 8 layers, called three ways (call:0 each
# layer's forward() directly, call:1 Module::operator() without hooks, call:2 with a no-op forward hook
# per layer), and each way's ratio to the direct call: what the hook machinery costs a hook-free module.
module_rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if "/call:" in b["run_name"] and (b.get("run_type") != "aggregate" or b.get("aggregate_name") == "median"):
        module_rows[b["run_name"].replace("_median", "")] = b["per_module"] * 1e9
if module_rows:
    print()
    print(f"{'module call (Sequential of 8)':<35} {'lucid ns/layer':>15} {'/ direct call':>15}")
    for name, ns in module_rows.items():
        direct = module_rows.get(name.rsplit("/call:", 1)[0] + "/call:0")
        print(f"{name:<35} {ns:>15.1f} {ns / direct if direct else float('nan'):>15.3f}")

if torch:
    # Both programs must compute the same numbers, or the comparison is meaningless.
    agree = True
    for key, b in lucid.items():
        for counter in ("y0", "dx0"):
            if counter in b and key in torch and abs(b[counter] - torch[key][counter]) > 1e-5 * abs(torch[key][counter]):
                agree = False
                print(f"MISMATCH {key}: lucid {counter}={b[counter]} vs libtorch {torch[key][counter]}")
    if agree:
        print("values agree: y and d sum(y)/dx match between lucid and LibTorch")
    worst = max(lucid[(m, 1)]["per_op"] / torch[(m, 1)]["per_op"] for m in ("forward", "forward_backward"))
    verdict = "met" if worst <= 1 / 3 else "NOT met"
    print(f"target (1-element tensors, lucid <= 1/3 of LibTorch per op, forward and forward+backward): "
          f"{verdict} (worst ratio {worst:.3f})")
EOF
