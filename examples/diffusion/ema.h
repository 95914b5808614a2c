// An exponential moving average of a model's parameters (the weights the diffusion example samples from).
#pragma once

#include <cstdint>

#include "lucid.h"

namespace diffusion {

class Ema {
 public:
  // `average` must have the same parameters (names, shapes) as the model it will follow; update()
  // checks. ValueError unless 0 ≤ decay < 1.
  Ema(lucid::nn::Module& average, double decay);

  // After an optimizer step of `model`: with d = min(decay, (1 + n)/(10 + n)), n = updates so far
  // (a warm-up, so early averages are not dominated by the random initialisation),
  //   avg ← d · avg + (1 − d) · param   for every parameter.
  // ValueError naming the parameter when the two modules' parameters differ.
  void update(const lucid::nn::Module& model);
  // d for the next update.
  double next_decay() const;
  std::int64_t updates() const { return updates_; }
  void set_updates(std::int64_t n) { updates_ = n; }  // resuming
  // Copies `model`'s parameters into the average (its start).
  void copy_from(const lucid::nn::Module& model);

 private:
  lucid::nn::Module& average_;
  double decay_;
  std::int64_t updates_ = 0;
};

}  // namespace diffusion
