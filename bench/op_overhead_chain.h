// The op chain both op-overhead benchmarks run (bench/op_overhead.cc for lucid,
// bench/op_overhead_torch.cc for LibTorch), written once so the two cannot drift apart.
//
// y = x; then kChainOps ops in blocks of ten: (y·w, y+b) four times, then y·w, tanh(y).
// Per block: 5 mul, 4 add, 1 tanh. With x = 0.5, w = 1, b = 0.001 every value and every gradient
// stays a normal float32 (y ends at 0.2271, d sum(y)/dx at 7.96e-4): a chain whose gradient
// underflows to denormals (e.g. w = 0.9) would time the FPU's denormal slow path, not the engine.
#pragma once

namespace op_overhead {

inline constexpr int kChainOps = 1000;
inline constexpr double kX = 0.5;
inline constexpr double kW = 1.0;
inline constexpr double kB = 0.001;

// Runs the chain with the library's own tensor type; mul/add/tanh are callables so that this header
// needs neither library.
template <typename T, typename Mul, typename Add, typename Tanh>
T run_chain(const T& x, const T& w, const T& b, Mul mul, Add add, Tanh tanh) {
  T y = x;
  for (int i = 0; i < kChainOps; ++i) {
    const int k = i % 10;
    if (k == 9) {
      y = tanh(y);
    } else if (k % 2 == 0) {
      y = mul(y, w);
    } else {
      y = add(y, b);
    }
  }
  return y;
}

}  // namespace op_overhead
