// group_norm_reference: the two examples of GroupNorm's reference documentation, in C++. Prints each
// module, the output shape, the first output values, and the mean and variance of every group of the
// first sample (≈ 0 and ≈ 1: weight starts at ones and bias at zeros).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <vector>

#include "lucid.h"

namespace {

// Prints the biased mean and variance of each of the `groups` groups of sample 0 of out (N, C, *):
// mean = Σv / M, var = Σ(v − mean)² / M over the group's M = (C / groups)·spatial values.
void print_first_sample_groups(const lucid::Tensor& out, std::int64_t groups) {
  const std::vector<double> v = out.to_vector<double>();
  const auto m = static_cast<std::size_t>(out.numel() / (out.size(0) * groups));
  for (std::size_t g = 0; g < static_cast<std::size_t>(groups); ++g) {
    double sum = 0, sq = 0;
    for (std::size_t k = 0; k < m; ++k) sum += v[g * m + k];
    const double mean = sum / static_cast<double>(m);
    for (std::size_t k = 0; k < m; ++k) sq += (v[g * m + k] - mean) * (v[g * m + k] - mean);
    std::printf("  sample 0, group %zu: mean %+.2e  var %.6f\n", g, mean, sq / static_cast<double>(m));
  }
}

void print_head(const char* name, const lucid::Tensor& out) {
  const std::vector<float> v = out.to_vector<float>();
  std::printf("%s.shape = ", name);
  std::cout << out.shape() << "\n";
  std::printf("%s first values:", name);
  for (std::size_t i = 0; i < 5; ++i) std::printf(" %+.4f", v[i]);
  std::printf("\n");
}

}  // namespace

int main() {
  lucid::manual_seed(0);

  // 32-channel input split into 8 groups.
  lucid::nn::GroupNorm gn(8, 32);
  const lucid::Tensor x = lucid::randn({4, 32, 64, 64});
  const lucid::Tensor out = gn(x);
  std::cout << gn << "\n";
  print_head("out", out);
  print_first_sample_groups(out, 8);

  // Layer-Norm equivalent (single group) on a 1-D sequence (N, C, L).
  lucid::nn::GroupNorm gn_layer(1, 128);
  const lucid::Tensor x_seq = lucid::randn({16, 128, 200});
  const lucid::Tensor out_seq = gn_layer(x_seq);
  std::cout << "\n" << gn_layer << "\n";
  print_head("out_seq", out_seq);
  print_first_sample_groups(out_seq, 1);
  return 0;
}
