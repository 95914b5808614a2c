#include "autodiff/gradcheck.h"

#include <cmath>
#include <sstream>
#include <string>

#include "autodiff/engine.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "framework/factories.h"
#include "framework/number_format.h"
#include "framework/random.h"

namespace lucid::autograd {
namespace {

// eps must be a positive finite step, atol and rtol non-negative (NaN in any would make every check fail).
void check_options(const GradcheckOptions& options) {
  if (!(options.eps > 0.0 && std::isfinite(options.eps)) || !(options.atol >= 0.0) || !(options.rtol >= 0.0)) {
    throw ValueError("gradcheck: need eps > 0 (finite), atol >= 0 and rtol >= 0, got eps " +
                     format_number(options.eps) + ", atol " + format_number(options.atol) + ", rtol " +
                     format_number(options.rtol));
  }
}

std::vector<Tensor> float64_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> leaves;
  bool any = false;
  for (const Tensor& t : inputs) {
    Tensor leaf = t.detach().to(float64).clone();
    leaf.requires_grad_(t.requires_grad());
    any = any || t.requires_grad();
    leaves.push_back(std::move(leaf));
  }
  if (!any) throw ValueError("gradcheck: no input requires grad; call requires_grad_() on the inputs to check");
  return leaves;
}

std::vector<double> evaluate(const DifferentiableFn& fn, const std::vector<Tensor>& inputs) {
  no_grad guard;
  return fn(inputs).to_vector<double>();
}

}  // namespace

GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  check_options(options);
  const std::vector<Tensor> leaves = float64_leaves(inputs);
  std::vector<Tensor> checked;  // the leaves that require grad
  std::vector<std::size_t> checked_index;
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    if (leaves[k].requires_grad()) {
      checked.push_back(leaves[k]);
      checked_index.push_back(k);
    }
  }

  // Analytic Jacobian, one row per output element: grad() with a one-hot output gradient.
  const Tensor out = fn(leaves);
  if (out.dtype() != float64) {
    throw ValueError("gradcheck: fn returned a " + std::string(dtype_name(out.dtype())) +
                     " tensor for float64 inputs; it must return a float64 tensor (inputs are checked in float64)");
  }
  const std::int64_t n_out = out.numel();
  std::vector<std::vector<std::vector<double>>> analytic(checked.size(), std::vector<std::vector<double>>(n_out));
  for (std::int64_t j = 0; j < n_out; ++j) {
    Tensor one_hot = zeros(out.shape(), float64);
    one_hot.data<double>()[j] = 1.0;
    const std::vector<Tensor> grads = grad(out, checked, one_hot, /*retain_graph=*/true);
    for (std::size_t k = 0; k < checked.size(); ++k) analytic[k][j] = grads[k].to_vector<double>();
  }

  // Numeric Jacobian, one column per input element: (f(x + eps) − f(x − eps)) / 2eps.
  GradcheckResult result;
  double worst_excess = 0.0;
  for (std::size_t k = 0; k < checked.size(); ++k) {
    double* x = checked[k].data<double>();
    for (std::int64_t i = 0; i < checked[k].numel(); ++i) {
      const double original = x[i];
      x[i] = original + options.eps;
      const std::vector<double> plus = evaluate(fn, leaves);
      x[i] = original - options.eps;
      const std::vector<double> minus = evaluate(fn, leaves);
      x[i] = original;
      for (std::int64_t j = 0; j < n_out; ++j) {
        const double numeric = (plus[j] - minus[j]) / (2.0 * options.eps);
        const double a = analytic[k][j][i];
        const double excess = std::abs(a - numeric) - (options.atol + options.rtol * std::abs(numeric));
        const bool bad = excess > 0.0 || std::isnan(a) != std::isnan(numeric);
        if (bad && (result.ok || excess > worst_excess)) {
          result = {false, checked_index[k], i, j, a, numeric, ""};
          worst_excess = excess;
        }
      }
    }
  }
  std::ostringstream msg;
  if (result.ok) {
    msg << "gradcheck passed for " << checked.size() << " input(s)";
  } else {
    msg << "gradcheck failed: d output[" << result.output_element << "] / d input " << result.input << "["
        << result.input_element << "]: analytic " << format_number(result.analytic) << " vs numeric "
        << format_number(result.numeric) << " (eps " << format_number(options.eps) << ", atol "
        << format_number(options.atol) << ", rtol " << format_number(options.rtol) << ")";
  }
  result.message = msg.str();
  return result;
}

GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options) {
  check_options(options);
  const std::vector<Tensor> leaves = float64_leaves(inputs);
  Generator rng(0x5eed);
  auto random_like = [&rng](const Tensor& t) { return randn(t.shape(), float64, false, &rng); };
  Tensor v;
  {
    no_grad guard;
    v = random_like(fn(leaves));
  }
  std::vector<Tensor> w;
  for (const Tensor& leaf : leaves) w.push_back(random_like(leaf));

  auto projected_gradient = [&](const std::vector<Tensor>& xs) {
    std::vector<Tensor> wrt;
    std::vector<Tensor> weights;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      if (xs[k].requires_grad()) {
        wrt.push_back(xs[k]);
        weights.push_back(w[k]);
      }
    }
    Tensor total = scalar_tensor(0.0, float64);
    if (!is_grad_enabled()) {  // numeric evaluation: first-order gradients still need a graph
      enable_grad on;
      std::vector<Tensor> fresh;
      for (const Tensor& x : wrt) fresh.push_back(x.detach().requires_grad_());
      std::vector<Tensor> all = xs;
      for (std::size_t k = 0, m = 0; k < xs.size(); ++k) {
        if (xs[k].requires_grad()) all[k] = fresh[m++];
      }
      const std::vector<Tensor> g = grad(fn(all), fresh, v);
      for (std::size_t m = 0; m < g.size(); ++m) total = total + sum(mul(g[m], weights[m]));
      return total.detach();
    }
    const std::vector<Tensor> g = grad(fn(xs), wrt, v, /*retain_graph=*/true, /*create_graph=*/true);
    for (std::size_t m = 0; m < g.size(); ++m) total = total + sum(mul(g[m], weights[m]));
    return total;
  };
  GradcheckResult result = gradcheck(projected_gradient, leaves, options);
  result.message = result.ok ? "gradgradcheck passed for " + std::to_string(leaves.size()) + " input(s)"
                             : "gradgradcheck (second derivatives): " + result.message;
  return result;
}

}  // namespace lucid::autograd
