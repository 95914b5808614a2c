#!/usr/bin/env bash
# GroupNorm (float32) against same-size memory streams and LibTorch: builds bench/group_norm, runs it
# and prints, per shape and thread count, forward / backward / forward+backward times with the
# ratios lucid/stream and LibTorch/lucid, then lucid against the two-pass floor (a read-only pass
# plus the stream) and the summary figures of the GroupNorm issue; then GroupNorm followed by SiLU:
# fused, lucid's unfused pair, Sequential(GroupNorm, SiLU) and LibTorch's silu(group_norm(x)), with
# the heap each keeps alive for the backward.
#
#   bash bench/group_norm.sh [--build-dir DIR] [--reps N] [--min-time SECONDS]
#
# Times are medians over the repetitions (wall clock; the backward alone is timed inside each
# iteration). The repetitions of all benchmarks run in random interleaved order, so that lucid, the
# baselines and LibTorch share the host's slow and fast spells instead of each meeting its own.
# LibTorch columns appear when CMake found LibTorch (scripts/install-deps.sh --with-torch).
set -euo pipefail
reps=10
min_time=0.15
bench_options=("--reps reps N" "--min-time min_time SECONDS")
source "$(dirname "$0")/common.sh"
bench_parse_args "$@"
bench_build group_norm

bench_scratch_dir
"$build_dir/bench/group_norm" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_display_aggregates_only=true --benchmark_out="$out/result.json" --benchmark_out_format=json >/dev/null

python3 - "$out/result.json" <<'PY'
import json, math, sys
data = json.load(open(sys.argv[1]))
cases = [(8, 64, 56, 56, 32), (32, 32, 32, 32, 8), (1, 512, 16, 16, 32),
         (64, 128, 8, 8, 32), (16, 256, 28, 28, 32), (4, 32, 64, 64, 8)]  # bench/group_norm_shapes.h
t = {}
kept = {}  # (benchmark without _forward_backward, case) -> kept_bytes
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    name, case, threads = b["run_name"].split("/")[:3]
    t[(name, int(case.split(":")[1]), int(threads.split(":")[1]))] = b["real_time"]
    if "kept_bytes" in b:
        kept[(name.replace("_forward_backward", ""), int(case.split(":")[1]))] = b["kept_bytes"]
have_torch = any(k[0].startswith("torch_") for k in t)
print(f"SIMD target: {data['context'].get('simd_target', '?')}; times in us, medians of the repetitions")
head = f"{'(N, C, H, W) / G':<22}{'thr':>4} | {'fwd':>8}{'stream':>8}{'/strm':>6}"
head += f"{'torch':>9}{'spdup':>6}" if have_torch else ""
head += f" | {'bwd':>8}{'stream':>8}{'/strm':>6}" + (f"{'torch':>9}{'spdup':>6}" if have_torch else "")
head += f" | {'fwd+bwd':>8}" + (f"{'torch':>9}{'spdup':>6}" if have_torch else "")
print(head)
speed = {"forward": [], "forward_backward": [], "backward": []}
for threads in (1, 2):
    for k, (n, c, h, w, g) in enumerate(cases):
        row = f"{f'({n}, {c}, {h}, {w}) / {g}':<22}{threads:>4} |"
        for kind, stream in (("forward", "stream_forward"), ("backward", "stream_backward"), ("forward_backward", None)):
            mine = t[(f"lucid_{kind}", k, threads)]
            row += f" {mine:>8.1f}"
            if stream:
                s = t[(stream, k, threads)]
                row += f"{s:>8.1f}{mine / s:>6.2f}"
            if have_torch:
                theirs = t[(f"torch_{kind}", k, threads)]
                row += f"{theirs:>9.1f}{theirs / mine:>6.2f}"
                if threads == 1:
                    speed[kind].append(theirs / mine)
            row += " |"
        print(row.rstrip(" |"))
geo = lambda v: math.exp(sum(map(math.log, v)) / len(v))
if have_torch:
    for kind in ("forward", "backward", "forward_backward"):
        print(f"1 thread, LibTorch/lucid {kind}: geometric mean {geo(speed[kind]):.2f}x, lowest {min(speed[kind]):.2f}x")
# A two-pass GroupNorm reads its input once for the statistics, then re-reads it from cache while it
# writes: if that re-read were free and the passes did not overlap, it would take read + stream.
for threads in (1, 2):
    for kind, stream, read in (("forward", "stream_forward", "read_one"), ("backward", "stream_backward", "read_two")):
        ratios = ", ".join(f"{t[(f'lucid_{kind}', k, threads)] / (t[(read, k, threads)] + t[(stream, k, threads)]):.2f}"
                           for k in range(len(cases)))
        print(f"{threads} thread(s), lucid {kind} / (statistics read + stream), shapes in table order: {ratios}")
by_size = sorted(range(len(cases)), key=lambda k: -math.prod(cases[k][:4]))[:3]
for kind in ("forward", "backward", "forward_backward"):
    gains = ", ".join(f"{cases[k][:4]}: {t[(f'lucid_{kind}', k, 1)] / t[(f'lucid_{kind}', k, 2)]:.2f}x" for k in by_size)
    print(f"2 threads vs 1, lucid {kind}, three largest shapes: {gains}")

# GroupNorm -> SiLU.
print()
print("GroupNorm -> SiLU; times in us; ratios are the other path's time over the fused one's")
for kind in ("forward", "forward_backward"):
    print(f"{kind}:")
    head = f"{'(N, C, H, W) / G':<22}{'thr':>4} | {'fused':>8}{'unfused':>9}{'ratio':>6}{'Seq':>9}{'ratio':>6}"
    head += f"{'torch':>9}{'ratio':>6}" if have_torch else ""
    print(head)
    ratios = {"unfused": [], "sequential": [], "torch": []}
    for threads in (1, 2):
        for k, (n, c, h, w, g) in enumerate(cases):
            fused = t[(f"gn_silu_fused_{kind}", k, threads)]
            row = f"{f'({n}, {c}, {h}, {w}) / {g}':<22}{threads:>4} | {fused:>8.1f}"
            others = [("unfused", f"gn_silu_unfused_{kind}"), ("sequential", f"gn_silu_sequential_{kind}")]
            if have_torch:
                others.append(("torch", f"torch_gn_silu_{kind}"))
            for label, name in others:
                other = t[(name, k, threads)]
                row += f"{other:>9.1f}{other / fused:>6.2f}"
                if threads == 1:
                    ratios[label].append(other / fused)
            print(row)
    for label, values in ratios.items():
        if values:
            print(f"1 thread, {kind}, {label}/fused: geometric mean {geo(values):.2f}x, lowest {min(values):.2f}x")
print("heap kept alive for the backward (bytes, beyond inputs and output), per shape:")
for k, (n, c, h, w, g) in enumerate(cases):
    row = f"  ({n}, {c}, {h}, {w}) / {g}: "
    names = ["gn_silu_fused", "gn_silu_unfused", "gn_silu_sequential"] + (["torch_gn_silu"] if have_torch else [])
    row += ", ".join(f"{name.replace('gn_silu_', '')} {kept[(name, k)]:,.0f}" for name in names)
    print(row)
PY
