#include "modules/init.h"

#include <cmath>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "framework/number_format.h"

namespace lucid::nn::init {

void uniform_(Tensor& t, double low, double high) {
  if (!(low <= high) || !std::isfinite(high - low)) {  // also NaN bounds
    throw ValueError("uniform_: need finite bounds with low <= high, got low " + format_number(low) + " and high " +
                     format_number(high));
  }
  autograd::no_grad guard;  // an initialiser writes parameters outside the graph, as torch.nn.init
  t.copy_(rand(t.shape(), float64) * (high - low) + low);
}

void default_uniform_(Tensor& t, std::int64_t fan_in) {
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(t, -bound, bound);
}

}  // namespace lucid::nn::init
