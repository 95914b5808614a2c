// Elementwise ops on random shapes against float64 references, forward and backward, float32 and
// float64: add, sub, mul, div with random broadcasting (size-1 and missing leading dimensions on either
// side, zero-size dimensions), and exp, log, sqrt, tanh, sigmoid, relu, silu, gelu, gelu_tanh on
// inputs from each op's domain. Shapes have 0-4 dimensions with sizes that leave SIMD tails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/reliability/property_util.h"

namespace lucid::test::property {
namespace {

// A binary op: lucid's, and per element the value, ∂/∂a, ∂/∂b and the scale of the value's error.
struct BinaryOp {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  double (*f)(double a, double b);
  double (*da)(double a, double b);
  double (*db)(double a, double b);
  double (*scale)(double a, double b);
};

const std::vector<BinaryOp> kBinaryOps{
    {"add", [](const Tensor& a, const Tensor& b) { return a + b; }, [](double a, double b) { return a + b; },
     [](double, double) { return 1.0; }, [](double, double) { return 1.0; },
     [](double a, double b) { return std::abs(a) + std::abs(b); }},
    {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }, [](double a, double b) { return a - b; },
     [](double, double) { return 1.0; }, [](double, double) { return -1.0; },
     [](double a, double b) { return std::abs(a) + std::abs(b); }},
    {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }, [](double a, double b) { return a * b; },
     [](double, double b) { return b; }, [](double a, double) { return a; },
     [](double a, double b) { return std::abs(a * b); }},
    {"div", [](const Tensor& a, const Tensor& b) { return a / b; }, [](double a, double b) { return a / b; },
     [](double, double b) { return 1.0 / b; }, [](double a, double b) { return -a / (b * b); },
     [](double a, double b) { return std::abs(a / b); }},
};

// Operand dimensions for a result of `dims`: a suffix of them (leading dimensions dropped) with some
// sizes replaced by 1.
Dims broadcast_operand(Rng& rng, const Dims& dims) {
  Dims out(dims.begin() + uniform_int(rng, 0, static_cast<std::int64_t>(dims.size())), dims.end());
  if (uniform_int(rng, 0, 2) == 0) out = Dims(dims.begin(), dims.end());  // often the full shape
  for (auto& d : out) {
    if (uniform_int(rng, 0, 2) == 0) d = 1;
  }
  return out;
}

// The result dimensions of broadcasting a with b (both derived from one shape, so they broadcast).
Dims broadcast_dims(const Dims& a, const Dims& b) {
  Dims out(std::max(a.size(), b.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const std::int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::string binary_case(Rng& rng, const BinaryOp& op, DType dtype) {
  Dims full = random_dims(rng, 0, 4, 4000);
  if (!full.empty() && uniform_int(rng, 0, 29) == 0) full[0] = 0;  // zero-size
  const Dims a_dims = broadcast_operand(rng, full), b_dims = broadcast_operand(rng, full);
  const Dims out_dims = broadcast_dims(a_dims, b_dims);
  const std::string what = std::string(op.name) + " " + name(dtype) + ", a " + str(a_dims) + ", b " + str(b_dims);
  std::vector<double> av = normal_values(rng, numel(a_dims), 0.0, 2.0);
  std::vector<double> bv = normal_values(rng, numel(b_dims), 0.0, 2.0);
  if (std::string(op.name) == "div") {  // divisors away from zero: |b| in [0.5, 2.5)
    for (auto& v : bv) v = std::copysign(0.5 + std::abs(v) / 2.0, v);
  }
  std::vector<double> gv = normal_values(rng, numel(out_dims));
  try {
    const Tensor a = make_tensor(av, a_dims, dtype, true), b = make_tensor(bv, b_dims, dtype, true);
    const Tensor y = op.op(a, b);
    y.backward(make_tensor(gv, out_dims, dtype, false));

    // Reference: y = f(a, b) per result element; each operand's gradient sums g·∂f over the elements it fed.
    const std::vector<std::size_t> ia = broadcast_map(a_dims, out_dims), ib = broadcast_map(b_dims, out_dims);
    std::vector<double> y_ref(gv.size()), y_scale(gv.size());
    std::vector<double> da(av.size()), da_scale(av.size()), db(bv.size()), db_scale(bv.size());
    for (std::size_t k = 0; k < gv.size(); ++k) {
      const double x1 = av[ia[k]], x2 = bv[ib[k]];
      y_ref[k] = op.f(x1, x2);
      y_scale[k] = op.scale(x1, x2);
      da[ia[k]] += gv[k] * op.da(x1, x2);
      da_scale[ia[k]] += std::abs(gv[k] * op.da(x1, x2));
      db[ib[k]] += gv[k] * op.db(x1, x2);
      db_scale[ib[k]] += std::abs(gv[k] * op.db(x1, x2));
    }
    const Tolerance tol = tolerance(dtype);
    const std::string failure = join({compare("y", y, out_dims, y_ref, y_scale, tol.value),
                                      compare("da", a.grad(), a_dims, da, da_scale, tol.gradient),
                                      compare("db", b.grad(), b_dims, db, db_scale, tol.gradient)});
    return failure.empty() ? failure : what + ": " + failure;
  } catch (const std::exception& e) {
    return what + ": threw " + e.what();
  }
}

// σ(x) = 1/(1 + e^(−x)).
double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// PyTorch's default GELU: f = ½x(1 + erf(x/√2)), f' = Φ(x) + x·φ(x) with φ the standard normal density.
constexpr double kSqrtHalf = 0.7071067811865476;  // 1/√2
double normal_pdf(double x) { return 0.3989422804014327 * std::exp(-0.5 * x * x); }

// PyTorch's approximate="tanh" GELU: u = √(2/π)(x + 0.044715x³), f = ½x(1 + tanh u).
constexpr double kGeluK = 0.7978845608028654;  // √(2/π)
double gelu_u(double x) { return kGeluK * (x + 0.044715 * x * x * x); }
double gelu_du(double x) { return kGeluK * (1.0 + 3.0 * 0.044715 * x * x); }

// A unary op: lucid's; per element the value, the derivative, and the scales of their errors (the
// terms they are formed from: e.g. 1 − tanh² loses relative precision as tanh → 1, so its scale is 1);
// and the input domain [lo, hi), with |x| ≥ 0.01 for relu (no kink).
struct UnaryOp {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*f)(double);
  double (*df)(double);
  double (*scale)(double);
  double (*dscale)(double);
  double lo, hi;
};

const std::vector<UnaryOp> kUnaryOps{
    {"exp", [](const Tensor& x) { return lucid::exp(x); }, [](double x) { return std::exp(x); },
     [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); },
     -8.0, 8.0},
    {"log", [](const Tensor& x) { return lucid::log(x); }, [](double x) { return std::log(x); },
     [](double x) { return 1.0 / x; }, [](double x) { return std::max(std::abs(std::log(x)), 1.0); },
     [](double x) { return 1.0 / x; }, 0.01, 20.0},
    {"sqrt", [](const Tensor& x) { return lucid::sqrt(x); }, [](double x) { return std::sqrt(x); },
     [](double x) { return 0.5 / std::sqrt(x); }, [](double x) { return std::sqrt(x); },
     [](double x) { return 0.5 / std::sqrt(x); }, 0.001, 50.0},
    {"tanh", [](const Tensor& x) { return lucid::tanh(x); }, [](double x) { return std::tanh(x); },
     [](double x) { return 1.0 - std::tanh(x) * std::tanh(x); }, [](double x) { return std::abs(std::tanh(x)); },
     [](double) { return 1.0; }, -6.0, 6.0},
    {"sigmoid", [](const Tensor& x) { return lucid::sigmoid(x); }, sigmoid_ref,
     [](double x) { return sigmoid_ref(x) * (1.0 - sigmoid_ref(x)); }, sigmoid_ref, sigmoid_ref, -12.0, 12.0},
    {"relu", [](const Tensor& x) { return lucid::relu(x); }, [](double x) { return std::max(x, 0.0); },
     [](double x) { return x > 0.0 ? 1.0 : 0.0; }, [](double x) { return std::abs(x); }, [](double) { return 1.0; },
     -5.0, 5.0},
    {"silu", [](const Tensor& x) { return lucid::silu(x); }, [](double x) { return x * sigmoid_ref(x); },
     [](double x) { return sigmoid_ref(x) * (1.0 + x * (1.0 - sigmoid_ref(x))); },
     [](double x) { return std::abs(x) * sigmoid_ref(x); },
     [](double x) { return sigmoid_ref(x) * (1.0 + std::abs(x) * (1.0 - sigmoid_ref(x))); }, -12.0, 12.0},
    {"gelu", [](const Tensor& x) { return lucid::gelu(x); },
     [](double x) { return 0.5 * x * (1.0 + std::erf(x * kSqrtHalf)); },
     [](double x) { return 0.5 * (1.0 + std::erf(x * kSqrtHalf)) + x * normal_pdf(x); },
     [](double x) { return 0.5 * std::abs(x) * (1.0 + std::abs(std::erf(x * kSqrtHalf))); },
     [](double x) { return 0.5 * (1.0 + std::abs(std::erf(x * kSqrtHalf))) + std::abs(x) * normal_pdf(x); }, -8.0, 8.0},
    {"gelu_tanh", [](const Tensor& x) { return lucid::gelu_tanh(x); },
     [](double x) { return 0.5 * x * (1.0 + std::tanh(gelu_u(x))); },
     [](double x) {
       const double t = std::tanh(gelu_u(x));
       return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * gelu_du(x);
     },
     [](double x) { return 0.5 * std::abs(x) * (1.0 + std::abs(std::tanh(gelu_u(x)))); },
     [](double x) {
       const double t = std::tanh(gelu_u(x));
       return 0.5 * (1.0 + std::abs(t)) + 0.5 * std::abs(x) * (1.0 + t * t) * gelu_du(x);
     },
     -8.0, 8.0},
};

std::string unary_case(Rng& rng, const UnaryOp& op, DType dtype) {
  Dims dims = random_dims(rng, 0, 4, 4000);
  if (!dims.empty() && uniform_int(rng, 0, 29) == 0) dims.back() = 0;  // zero-size
  const std::string what = std::string(op.name) + " " + name(dtype) + ", x " + str(dims);
  std::vector<double> xv = uniform_values(rng, numel(dims), op.lo, op.hi);
  if (std::string(op.name) == "relu") {
    for (auto& v : xv) v = std::abs(v) < 0.01 ? 0.01 : v;
  }
  std::vector<double> gv = normal_values(rng, numel(dims));
  try {
    const Tensor x = make_tensor(xv, dims, dtype, true);
    const Tensor y = op.op(x);
    y.backward(make_tensor(gv, dims, dtype, false));
    std::vector<double> y_ref(xv.size()), y_scale(xv.size()), dx(xv.size()), dx_scale(xv.size());
    for (std::size_t i = 0; i < xv.size(); ++i) {
      y_ref[i] = op.f(xv[i]);
      y_scale[i] = op.scale(xv[i]);
      dx[i] = gv[i] * op.df(xv[i]);
      dx_scale[i] = std::abs(gv[i]) * op.dscale(xv[i]);
    }
    const Tolerance tol = tolerance(dtype);
    const std::string failure = join({compare("y", y, dims, y_ref, y_scale, tol.value),
                                      compare("dx", x.grad(), dims, dx, dx_scale, tol.gradient)});
    return failure.empty() ? failure : what + ": " + failure;
  } catch (const std::exception& e) {
    return what + ": threw " + e.what();
  }
}

TEST(ElementwiseProperty, BinaryOpsWithBroadcastingMatchFloat64Reference) {
  for (const BinaryOp& op : kBinaryOps) {
    for (const DType dtype : {float32, float64}) {
      run_cases(std::string(op.name) + " " + name(dtype), 150,
                [&](Rng& rng) { return binary_case(rng, op, dtype); });
    }
  }
}

TEST(ElementwiseProperty, UnaryOpsMatchFloat64Reference) {
  for (const UnaryOp& op : kUnaryOps) {
    for (const DType dtype : {float32, float64}) {
      run_cases(std::string(op.name) + " " + name(dtype), 100, [&](Rng& rng) { return unary_case(rng, op, dtype); });
    }
  }
}

}  // namespace
}  // namespace lucid::test::property
