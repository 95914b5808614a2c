#include "framework/random.h"

#include <cmath>
#include <numbers>

namespace lucid {

void Generator::seed(std::uint64_t seed) {
  const std::lock_guard lock(mutex_);
  engine_.seed(seed);
  has_spare_normal_ = false;
}

double Generator::Draws::uniform() { return static_cast<double>(generator_.engine_() >> 11) * 0x1.0p-53; }

// z0 = sqrt(-2 ln u1) cos(2π u2), z1 = sqrt(-2 ln u1) sin(2π u2), u1 in (0, 1].
double Generator::Draws::normal() {
  Generator& g = generator_;
  if (g.has_spare_normal_) {
    g.has_spare_normal_ = false;
    return g.spare_normal_;
  }
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  g.spare_normal_ = radius * std::sin(angle);
  g.has_spare_normal_ = true;
  return radius * std::cos(angle);
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

}  // namespace lucid
