// The bad-input matrix (docs/BAD_INPUT.md): one test per row. Each rejection test checks the exception
// type, that the message names the offending values, and, where the call could have changed something,
// that nothing changed. The behaviour rows (NaN, Inf, empty inputs) check the documented outcome.
// BadInputMatrix.EveryRowHasATestAndEveryTestARow keeps the table and this file in step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "framework/number_format.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Runs fn, which must throw E, and checks that its message contains every one of `parts`.
template <typename E = ValueError, typename Fn>
void expect_rejects(Fn&& fn, const std::vector<std::string>& parts) {
  const std::string msg = error_message<E>(std::forward<Fn>(fn));
  for (const std::string& part : parts) EXPECT_TRUE(contains(msg, part));
}

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector<double>()) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// The values of every parameter and buffer of a module, by name.
std::vector<std::pair<std::string, std::vector<double>>> snapshot(const nn::Module& m) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& [name, t] : m.state_dict()) out.emplace_back(name, t.to_vector<double>());
  return out;
}

// The values of an optimizer's state dict, by key.
std::vector<std::pair<std::string, std::vector<double>>> snapshot(const optim::Optimizer& opt) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& [name, t] : opt.state_dict()) out.emplace_back(name, t.to_vector<double>());
  return out;
}

// Two float64 parameters, each given one gradient and one AdamW step (so every state slot exists).
struct SteppedAdamW {
  SteppedAdamW() {
    params = {nn::Parameter(tensor(std::vector<double>{1, 2, 3}, {3})), nn::Parameter(ones({2}, float64))};
    opt = std::make_unique<optim::AdamW>(params, optim::AdamWOptions{.lr = 0.1});
    for (const nn::Parameter& p : params) p.set_grad(ones_like(p));
    opt->step();
  }
  std::vector<nn::Parameter> params;
  std::unique_ptr<optim::AdamW> opt;
};

// ---- shapes and factories ----

TEST(BadInput, ShapeNegativeDimension) {
  expect_rejects([] { (void)Shape{2, -3}; }, {"shape (2, -3)", "negative dimension (-3)"});
}

TEST(BadInput, ShapeElementCountOverflowsInt64) {
  expect_rejects([] { (void)Shape{std::int64_t{1} << 32, std::int64_t{1} << 32}; },
                 {"(4294967296, 4294967296)", "more elements than int64 can count"});
}

TEST(BadInput, ShapeDimOutOfRange) {
  const Shape shape{2, 3};
  expect_rejects([&] { (void)shape[2]; }, {"dimension 2", "(2, 3)", "[-2, 2)"});
  expect_rejects([] { (void)ones({2, 3}).size(-3); }, {"dimension -3", "(2, 3)"});
}

TEST(BadInput, BroadcastShapesMismatch) {
  expect_rejects([] { broadcast_shapes({2, 3}, {4}); }, {"(2, 3)", "(4,)", "do not broadcast"});
}

TEST(BadInput, TensorValueCountMismatch) {
  expect_rejects([] { tensor(std::vector<float>(5, 1.0f), {2, 3}); }, {"5 values", "(2, 3)", "6 elements"});
  expect_rejects([] { tensor({1.0, 2.0}, {3}); }, {"2 values", "(3,)"});
}

TEST(BadInput, FactoryShapeBeyondAddressableBytes) {
  // 2⁶² float64 elements: 2⁶⁵ bytes, which would wrap size_t to 0 and allocate one byte.
  const Shape huge{std::int64_t{1} << 62};
  for (DType dtype : {float32, float64}) {
    expect_rejects([&] { zeros(huge, dtype); }, {"(4611686018427387904,)", "needs more bytes than memory can address"});
    expect_rejects([&] { randn(huge, dtype); }, {"(4611686018427387904,)"});
  }
  expect_rejects([] { full({std::int64_t{1} << 61}, 1.0, float64); }, {"(2305843009213693952,)", "float64"});
}

TEST(BadInput, FactoryAllocationFails) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer aborts on an impossible allocation instead of throwing std::bad_alloc";
#else
  // 2⁴⁷ float64 elements = 1 PiB: addressable in principle, more than any allocator can give.
  EXPECT_THROW(zeros({std::int64_t{1} << 47}, float64), std::bad_alloc);
  EXPECT_THROW(arange(0.0, 1e18, 1.0, float64), std::bad_alloc);
#endif
}

TEST(BadInput, ArangeStepAwayFromEnd) {
  expect_rejects([] { arange(5.0, 0.0, 1.0); }, {"end (0) lies on the other side of start (5) from where step (1) goes"});
  expect_rejects([] { arange(0.0, 3.0, -0.5); }, {"step (-0.5)"});
  EXPECT_EQ(arange(2.0, 2.0, 1.0).numel(), 0);  // an empty range is fine, as in PyTorch
  EXPECT_EQ(arange(3.0, 0.0, -1.0).to_vector<float>(), (std::vector<float>{3, 2, 1}));
}

TEST(BadInput, ArangeZeroStep) {
  expect_rejects([] { arange(0.0, 5.0, 0.0); }, {"step (0)", "step non-zero"});
  // Values as passed, to the last digit (lucid::format_number), not to 6 significant digits.
  expect_rejects([] { arange(0.1, 0.30000000000000004, 0.0); }, {"end (0.30000000000000004)"});
}

TEST(BadInput, ArangeNonFiniteBound) {
  expect_rejects([] { arange(0.0, kInf); }, {"end (inf)", "must be finite"});
  expect_rejects([] { arange(kNaN, 1.0); }, {"start (nan)"});
  expect_rejects([] { arange(0.0, 1.0, kNaN); }, {"step (nan)"});
}

TEST(BadInput, ArangeCountOverflowsInt64) {
  expect_rejects([] { arange(0.0, 1e30); }, {"end (1e+30)", "give 1e+30 elements", "more than int64 can count"});
  expect_rejects([] { arange(-1e308, 1e308, 1.0); }, {"give inf elements"});  // end − start overflows to inf
}

TEST(BadInput, DeviceNotCpu) {
  expect_rejects([] { (void)Device("cuda"); }, {"device 'cuda' is not available", "CPU only"});
  expect_rejects([] { (void)nn::GroupNorm(2, 4, 1e-5, true, "cuda:0"); }, {"'cuda:0'"});
}

TEST(BadInput, TensorNestedRowsOfDifferentLengths) {
  expect_rejects([] { tensor({{1.0, 2.0}, {3.0}}); }, {"tensor: row 1 has 1 values, row 0 has 2"});
}

TEST(BadInput, FromBlobNullPointer) {
  expect_rejects([] { from_blob(nullptr, {2}, float64); }, {"from_blob: a null pointer for shape (2,) (2 elements)"});
}

TEST(BadInput, EyeNegativeSize) {
  expect_rejects([] { eye(-1); }, {"eye: n (-1) and m (-1) must be non-negative"});
  expect_rejects([] { eye(2, -3); }, {"m (-3)"});
}

TEST(BadInput, LinspaceInvalidArguments) {
  expect_rejects([] { linspace(0, 1, -1); }, {"linspace", "steps (-1) non-negative"});
  expect_rejects([] { linspace(0, INFINITY, 3); }, {"end (inf)", "must be finite"});
  expect_rejects([] { linspace(NAN, 1, 3); }, {"start (nan)"});
}

TEST(BadInput, RandintEmptyRange) {
  expect_rejects([] { randint(5, 5, {1}); }, {"randint: low (5) must be less than high (5)"});
  expect_rejects([] { randint(0, {3}); }, {"low (0) must be less than high (0)"});
}

TEST(BadInput, RandpermNegativeCount) {
  expect_rejects([] { randperm(-2); }, {"randperm: n (-2) must be non-negative"});
}

// ---- tensor methods ----

TEST(BadInput, UndefinedTensor) {
  const Tensor undefined;
  expect_rejects([&] { (void)undefined.shape(); }, {"undefined Tensor"});
  expect_rejects([&] { undefined.backward(); }, {"undefined Tensor"});
  // Where an op's entry point meets it first, the message names the op and the argument.
  expect_rejects([&] { (void)(undefined + ones({2})); }, {"add: argument 1 of 2 is an undefined Tensor"});
  expect_rejects([&] { (void)relu(undefined); }, {"relu: argument 1 of 1 is an undefined Tensor"});
  expect_rejects([&] { (void)matmul(ones({2, 2}), undefined); }, {"matmul: argument 2 of 2 is an undefined Tensor"});
  expect_rejects([&] { (void)nn::functional::linear(undefined, ones({3, 2})); }, {"linear: argument 1 of 2"});
  nn::Linear layer(2, 3);
  expect_rejects([&] { (void)layer(undefined); }, {"Linear: forward on an undefined Tensor"});
}

TEST(BadInput, DataWrongDtype) {
  expect_rejects([] { ones({2}).data<double>(); }, {"data<float64>()", "float32 tensor"});
  expect_rejects([] { ones({2}, float64).data<float>(); }, {"data<float32>()", "float64 tensor"});
}

TEST(BadInput, ItemOfManyElements) {
  expect_rejects([] { (void)ones({2, 3}).item(); }, {"one element", "(2, 3)"});
  expect_rejects([] { (void)zeros({0}).item(); }, {"(0,)"});
}

TEST(BadInput, RequiresGradOnNonLeaf) {
  const Tensor x = ones({2}, float64, true);
  Tensor y = x * 2.0;
  expect_rejects<RuntimeError>([&] { y.requires_grad_(false); }, {"leaf tensors", "detach()"});
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
}

TEST(BadInput, SetGradShapeMismatch) {
  const Tensor x = ones({2}, float64, true);
  expect_rejects([&] { x.set_grad(zeros({3}, float64)); }, {"gradient of shape (3,)", "tensor of shape (2,)"});
  EXPECT_FALSE(x.grad().defined());
}

TEST(BadInput, SetGradDtypeMismatch) {
  const Tensor x = ones({2}, float64, true);
  x.set_grad(full({2}, 5.0, float64));
  expect_rejects([&] { x.set_grad(zeros({2}, float32)); }, {"dtype float32", "dtype float64"});
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{5, 5}));
}

TEST(BadInput, CopyShapeMismatch) {
  Tensor dst = full({2, 3}, 7.0);
  expect_rejects([&] { dst.copy_(zeros({3, 2})); }, {"source shape (3, 2)", "destination shape (2, 3)"});
  EXPECT_EQ(dst.to_vector<double>(), std::vector<double>(6, 7.0));
}

TEST(BadInput, InplaceOperandShapeMismatch) {
  Tensor h = full({2, 3}, 2.0, float64);
  for (const char* op : {"add_", "sub_", "mul_", "div_"}) {
    const std::string name(op);
    expect_rejects([&] {
      const Tensor other = ones({3, 3}, float64);
      if (name == "add_") h.add_(other);
      if (name == "sub_") h.sub_(other);
      if (name == "mul_") h.mul_(other);
      if (name == "div_") h.div_(other);
    }, {name + ": the operand of shape (3, 3) does not broadcast to this tensor's shape (2, 3)"});
  }
  EXPECT_EQ(h.to_vector<double>(), std::vector<double>(6, 2.0));
  EXPECT_EQ(h._version(), 0u);
}

TEST(BadInput, InplaceOnLeafRequiringGrad) {
  Tensor w = tensor(std::vector<double>{1, 2}, {2}, true);
  expect_rejects<RuntimeError>([&] { w.copy_(zeros({2}, float64)); },
                               {"a leaf Variable that requires grad is being used in an in-place operation."});
  expect_rejects<RuntimeError>([&] { w.relu_(); }, {"a leaf Variable that requires grad"});
  Tensor view = w.reshape({2, 1});
  expect_rejects<RuntimeError>([&] { view.fill_(0.0); },
                               {"a view of a leaf Variable that requires grad is being used in an in-place operation."});
  EXPECT_EQ(w.to_vector<double>(), (std::vector<double>{1, 2}));
  EXPECT_EQ(w._version(), 0u);
}

TEST(BadInput, BackwardAfterSavedTensorWritten) {
  Tensor x = tensor(std::vector<double>{1, 2, 3}, {3});
  const Tensor w = tensor(std::vector<double>{4, 5, 6}, {3}, true);
  const Tensor y = (x * w).sum();
  {
    autograd::no_grad guard;
    x.copy_(x * 2.0);
  }
  expect_rejects<RuntimeError>([&] { y.backward(); },
                               {"modified by an inplace operation",
                                "[MulBackward, shape (3,)] is at version 1; expected version 0 instead", "clone"});
  EXPECT_FALSE(w.grad().defined());
}

TEST(BadInput, CopyConvertsDtype) {
  Tensor dst = zeros({2}, float32);
  dst.copy_(tensor(std::vector<double>{0.1, -2.5}, {2}));
  EXPECT_EQ(dst.dtype(), float32);
  EXPECT_EQ(dst.to_vector<float>(), (std::vector<float>{0.1f, -2.5f}));
}

TEST(BadInput, ElementwiseMixedDtypesPromote) {
  const Tensor a = ones({2, 2}, float32, true);
  const Tensor b = ones({2, 2}, float64, true);
  using Binary = Tensor (*)(const Tensor&, const Tensor&);
  for (Binary op : {Binary{add}, Binary{sub}, Binary{mul}, Binary{div}, Binary{maximum}, Binary{minimum}}) {
    EXPECT_EQ(op(a, b).dtype(), float64);
    EXPECT_EQ(op(b, a).dtype(), float64);
    EXPECT_EQ(op(a, scalar_tensor(2.0, float64)).dtype(), float32);  // a 0-d tensor does not promote
  }
  (a * b).sum().backward();
  EXPECT_EQ(a.grad().dtype(), float32);  // each input's gradient in its own dtype
  EXPECT_EQ(b.grad().dtype(), float64);
}

TEST(BadInput, ElementwiseShapesDoNotBroadcast) {
  const Tensor a = ones({2, 3}, float64, true);
  expect_rejects([&] { (void)(a * ones({4}, float64)); }, {"(2, 3)", "(4,)", "do not broadcast"});
  expect_rejects([&] { (void)(a + ones({3, 2}, float64)); }, {"(2, 3)", "(3, 2)"});
  (a * 2.0).sum().backward();  // the failed calls left the graph machinery working
  EXPECT_EQ(a.grad().to_vector<double>(), std::vector<double>(6, 2.0));
}

TEST(BadInput, WhereAndComparisonsMixedDtypesPromote) {
  const Tensor f32 = ones({2});
  const Tensor f64 = ones({2}, float64);
  EXPECT_EQ(where(f64, f32, f32).dtype(), float32);  // the condition does not take part
  EXPECT_EQ(where(f32, f32, f64).dtype(), float64);
  EXPECT_EQ(greater(f32, f64).dtype(), float64);     // a mask in the promoted dtype
}

// int64 tensors hold indices: no arithmetic, no gradients, no unrepresentable conversions.
TEST(BadInput, Int64Misuse) {
  const Tensor i = tensor(std::vector<std::int64_t>{1, 2}, {2});
  expect_rejects([&] { i * i; }, {"mul:", "got int64", ".to(lucid::float32)"});
  expect_rejects([&] { i.mean(); }, {"floating-point tensor", "got int64"});
  expect_rejects<RuntimeError>([&] { tensor(std::vector<std::int64_t>{1}, {1}).requires_grad_(); },
                               {"floating-point dtype can require gradients", "int64"});
  expect_rejects([] { tensor({1.0, kNaN}, {2}).to(int64); }, {"conversion to int64", "nan"});
  expect_rejects([] { tensor(std::vector<double>{1e19}, {1}).to(int64); }, {"conversion to int64", "1e+19"});
  // A float32 value as the shortest float that reads back as it (max_digits10 gave "2.99999993e+19").
  expect_rejects([] { tensor(std::vector<double>{3e19}, {1}).to(float32).to(int64); }, {"int64: 3e+19 is"});
  expect_rejects([] { rand({2}, int64); }, {"rand", "float32 or float64", "int64"});
}

TEST(BadInput, IndexOutOfRange) {
  const Tensor x = ones({2, 3});
  const auto ids = [](std::vector<std::int64_t> v, Shape shape) { return tensor(v, shape); };
  expect_rejects([&] { x.index_select(1, ids({0, 3}, {2})); },
                 {"index_select", "index 3", "element 1", "dimension 1 of size 3"});
  expect_rejects([&] { x.index_select(0, tensor({0.0}, {1})); }, {"index_select", "int64", "float32"});
  expect_rejects([&] { x.gather(0, ids({-1, 0, 0}, {1, 3})); }, {"gather", "index -1"});
  expect_rejects([&] { x.gather(0, ids({0, 0, 0, 0}, {1, 4})); }, {"gather", "(1, 4)", "do not fit", "(2, 3)"});
  expect_rejects([&] { x.argmax(2); }, {"dimension 2", "(2, 3)"});
  expect_rejects([] { zeros({0}).argmin(0); }, {"argmin", "empty"});
}

TEST(BadInput, SlicingOutOfRange) {
  const Tensor x = ones({2, 3});
  expect_rejects([&] { x.narrow(1, 2, 2); }, {"narrow: start (2) and length (2) exceed dimension 1 of size 3 in shape (2, 3)"});
  expect_rejects([&] { x.select(0, 2); }, {"select: index 2 is out of range for dimension 0 of size 2"});
  expect_rejects([&] { x.slice(1, 0, 3, 0); }, {"slice: step (0) must be positive"});
  expect_rejects([&] { x.split(0); }, {"split: split_size (0) must be positive"});
  expect_rejects([&] { x.chunk(0); }, {"chunk: chunks (0) must be positive"});
  expect_rejects([&] { x.unsqueeze(3); }, {"unsqueeze: dimension 3 is out of range [-3, 2] for shape (2, 3)"});
  expect_rejects([&] { x.flatten(1, 0); }, {"flatten: start_dim (1) comes after end_dim (0)"});
  expect_rejects([] { ones({2, 2, 2}).t(); }, {"t: expects a tensor of at most 2 dimensions, got shape (2, 2, 2)"});
}

TEST(BadInput, JoiningMismatchedTensors) {
  expect_rejects([] { cat({}, 0); }, {"cat: expected a non-empty list of tensors"});
  expect_rejects([] { cat({ones({2, 3}), ones({3, 3})}, 1); },
                 {"cat: tensor 1 of shape (3, 3) does not match tensor 0 of shape (2, 3) outside dimension 1"});
  expect_rejects([] { cat({scalar_tensor(1.0)}, 0); }, {"cat: zero-dimensional tensor 0"});
  expect_rejects([] { stack({ones({2}), ones({3})}, 0); }, {"stack: tensor 1 has shape (3,), tensor 0 has (2,)"});
}

TEST(BadInput, MatmulOperandRank) {
  expect_rejects([] { matmul(scalar_tensor(2.0), ones({3, 2})); }, {"matmul", "at least one dimension", "()", "(3, 2)"});
  expect_rejects([] { mm(ones({3}), ones({3, 2}), true, false); }, {"mm", "2-D", "(3,)", "(3, 2)"});
  expect_rejects([] { bmm(ones({2, 3}), ones({2, 3, 4})); }, {"bmm", "3-D", "(2, 3)", "(2, 3, 4)"});
  expect_rejects([] { outer(ones({2, 1}), ones({3})); }, {"outer", "1-D", "(2, 1)", "(3,)"});
}

TEST(BadInput, MatmulInnerDimensionMismatch) {
  expect_rejects([] { matmul(ones({2, 3}), ones({4, 5})); }, {"inner dimensions differ", "(2, 3)", "(4, 5)"});
  expect_rejects([] { matmul(ones({2, 7, 3}), ones({4})); }, {"inner dimensions differ", "(2, 7, 3) @ (4,) (3 != 4)"});
  expect_rejects([] { mm(ones({2, 3}), ones({3, 5}), true); }, {"inner dimensions differ", "(2, 3).T @ (3, 5) (2 != 3)"});
  expect_rejects([] { bmm(ones({2, 3, 4}), ones({2, 3, 4})); }, {"bmm", "(2, 3, 4) @ (2, 3, 4) (4 != 3)"});
}

TEST(BadInput, MatmulBatchMismatch) {
  expect_rejects([] { matmul(ones({2, 3, 4}), ones({3, 4, 5})); },
                 {"matmul: the batch dimensions of (2, 3, 4) and (3, 4, 5) do not broadcast"});
  expect_rejects([] { bmm(ones({2, 3, 4}), ones({3, 4, 5})); }, {"bmm: batch sizes differ", "(2, 3, 4)", "(3, 4, 5)"});
  expect_rejects([] { baddbmm(ones({3, 3}), ones({2, 3, 4}), ones({2, 4, 5})); },
                 {"baddbmm: input of shape (3, 3) does not broadcast to the product's shape (2, 3, 5)"});
}

TEST(BadInput, MatmulDtypeMismatch) {
  expect_rejects([] { matmul(ones({2, 3}), ones({3, 2}, float64)); }, {"matmul", "float32", "float64"});
  expect_rejects([] { mm(ones({2, 3}), ones({2, 3}, float64), false, true); }, {"mm", "float32", "float64"});
  expect_rejects([] { bmm(ones({1, 2, 3}), ones({1, 3, 2}, float64)); }, {"bmm", "float32", "float64"});
}

TEST(BadInput, ReduceDimOutOfRange) {
  const Tensor x = ones({2, 3});
  expect_rejects([&] { x.sum({2}); }, {"dimension 2", "(2, 3)"});
  expect_rejects([&] { x.mean({-3}); }, {"dimension -3", "(2, 3)"});
}

TEST(BadInput, ReduceDimRepeated) {
  expect_rejects([] { ones({2, 3}).sum({0, -2}); }, {"dimension -2 appears twice"});
}

TEST(BadInput, ReshapeElementCountMismatch) {
  expect_rejects([] { ones({2, 3}).reshape({4, 2}); }, {"(2, 3)", "6 elements", "[4, 2]", "8 elements"});
  expect_rejects([] { ones({2, 3}).reshape({4, -1}); }, {"[4, -1]"});
}

TEST(BadInput, ReshapeTwoInferredDims) {
  expect_rejects([] { ones({2, 3}).reshape({-1, -1}); }, {"only one dimension can be -1", "[-1, -1]"});
}

TEST(BadInput, ReshapeNegativeSize) {
  expect_rejects([] { ones({6}).reshape({-2, -3}); }, {"invalid size -2", "[-2, -3]"});
}

TEST(BadInput, ReshapeElementCountOverflowsInt64) {
  const std::int64_t big = std::int64_t{1} << 32;
  expect_rejects([&] { ones({4}).reshape({big, big, 4}); },
                 {"[4294967296, 4294967296, 4]", "more elements than int64 can count"});
  expect_rejects([&] { ones({4}).reshape({-1, big, big}); }, {"more elements than int64 can count"});
}

TEST(BadInput, PermuteWrongDimCount) {
  expect_rejects([] { ones({2, 3}).permute({0}); }, {"dims [0]", "2 dimensions", "(2, 3)"});
}

TEST(BadInput, PermuteRepeatedDim) {
  expect_rejects([] { ones({2, 3}).permute({1, -1}); }, {"dimension -1 repeats", "[1, -1]"});
}

TEST(BadInput, TransposeDimOutOfRange) {
  expect_rejects([] { ones({2, 3}).transpose(0, 2); }, {"dimension 2", "(2, 3)"});
}

TEST(BadInput, ExpandNotABroadcast) {
  expect_rejects([] { expand(ones({2, 3}), {3, 3}); }, {"expand", "(2, 3)", "(3, 3)"});
  expect_rejects([] { sum_to(ones({2, 3}), {4}); }, {"(2, 3)", "(4,)"});
}

TEST(BadInput, NaNAndInfThroughElementwise) {
  const Tensor x = tensor({kNaN, kInf, -kInf, -1.0, 0.0}, {5});
  const std::vector<double> relu_x = relu(x).to_vector<double>();
  EXPECT_TRUE(std::isnan(relu_x[0]));  // relu(NaN) = NaN, as PyTorch
  EXPECT_EQ(relu_x[1], kInf);
  EXPECT_EQ(relu_x[2], 0.0);
  EXPECT_TRUE(std::isnan((x + 1.0).to_vector<double>()[0]));
  EXPECT_EQ(exp(x).to_vector<double>()[1], kInf);
  EXPECT_EQ(exp(x).to_vector<double>()[2], 0.0);
  const std::vector<double> log_x = log(x).to_vector<double>();
  EXPECT_TRUE(std::isnan(log_x[3]));  // log(−1)
  EXPECT_EQ(log_x[4], -kInf);         // log(0)
  EXPECT_TRUE(std::isnan(sqrt(x).to_vector<double>()[3]));
  // NaN in either operand of maximum/minimum propagates, as PyTorch.
  for (const auto& [a, b] : {std::pair{x, zeros({5})}, std::pair{zeros({5}), x}}) {
    EXPECT_TRUE(std::isnan(maximum(a, b).to_vector<double>()[0]));
    EXPECT_TRUE(std::isnan(minimum(a, b).to_vector<double>()[0]));
  }
}

TEST(BadInput, ReductionsOfNaNInfAndEmpty) {
  EXPECT_TRUE(std::isnan(tensor({1.0, kNaN}, {2}).sum().item()));
  EXPECT_TRUE(std::isnan(tensor({kInf, -kInf}, {2}).sum().item()));
  EXPECT_EQ(tensor({kInf, 1.0}, {2}).mean().item(), kInf);
  EXPECT_EQ(zeros({0, 3}).sum().item(), 0.0);
  EXPECT_TRUE(std::isnan(zeros({0, 3}).mean().item()));  // 0 / 0, as PyTorch
  EXPECT_EQ(zeros({0, 3}).sum({0}).shape(), Shape{3});
}

// amax/amin, max/min over all elements or along a dim: there is no extreme of nothing.
TEST(BadInput, ExtremeOfEmpty) {
  expect_rejects([] { amax(zeros({2, 0}), {1}); }, {"amax", "dimension 1", "(2, 0)", "empty"});
  expect_rejects([] { zeros({0, 3}).min(); }, {"min", "dimension 0", "(0, 3)", "empty"});
  expect_rejects([] { (void)zeros({0, 3}).max(0); }, {"max", "dimension 0", "(0, 3)", "empty"});
}

TEST(BadInput, ReductionDimOutOfRange) {
  const Tensor x = ones({2, 3});
  expect_rejects([&] { x.softmax(2); }, {"dimension 2", "(2, 3)", "[-2, 2)"});
  expect_rejects([&] { log_softmax(x, -3); }, {"dimension -3", "(2, 3)"});
  expect_rejects([&] { x.cumsum(2); }, {"dimension 2", "(2, 3)"});
  expect_rejects([&] { x.logsumexp({2}); }, {"dimension 2", "(2, 3)"});
  expect_rejects([&] { x.var({5}); }, {"dimension 5", "(2, 3)"});
  expect_rejects([&] { (void)x.max(-3); }, {"dimension -3", "(2, 3)"});
  expect_rejects([&] { x.prod({0, 0}); }, {"dimension 0 appears twice"});
  expect_rejects([&] { x.amin({1, -1}); }, {"dimension -1 appears twice"});
}

TEST(BadInput, MaskedFillMaskMismatch) {
  expect_rejects([] { ones({2, 3}).masked_fill(ones({2}), 0.0); }, {"(2,)", "(2, 3)", "do not broadcast"});
  expect_rejects([] { where(ones({2}), ones({3}), 0.0); }, {"(2,)", "(3,)", "do not broadcast"});
  expect_rejects([] { tensor(std::vector<std::int64_t>{1, 2}, {2}).masked_fill(ones({2}), 0.0); },
                 {"masked_fill", "got int64"});
  expect_rejects([] { ones({2}).masked_fill(Tensor(), 0.0); }, {"masked_fill", "argument 1 of 2", "undefined"});
}

TEST(BadInput, NormOrderNaN) {
  expect_rejects([] { ones({3}).norm(kNaN); }, {"norm: p (nan)"});
  expect_rejects([] { norm(ones({2, 3}), kNaN, {1}); }, {"norm: p (nan)"});
}

TEST(BadInput, NonFiniteThroughSoftmaxAndStatistics) {
  // Rows: all −inf, one +inf, one NaN.
  const Tensor rows = tensor({-kInf, -kInf, 1.0, kInf, kNaN, 1.0}, {3, 2});
  for (double v : rows.softmax(1).to_vector<double>()) EXPECT_TRUE(std::isnan(v));
  const std::vector<double> lse = rows.logsumexp({1}).to_vector<double>();
  EXPECT_EQ(lse[0], -kInf);
  EXPECT_EQ(lse[1], kInf);
  EXPECT_TRUE(std::isnan(lse[2]));
  EXPECT_TRUE(std::isnan(ones({1}).var().item()));        // N − correction = 0: 0/0, as PyTorch
  EXPECT_EQ(tensor({1.0, 3.0}, {2}).var({}, /*correction=*/3.0).item(), kInf);  // Σ/max(0, N − correction) = 2/0
  EXPECT_EQ(zeros({2, 0}).prod({1}).to_vector<double>(), (std::vector<double>{1.0, 1.0}));
  EXPECT_EQ(zeros({0}).cumsum(0).shape(), Shape{0});
  const Tensor z = zeros({3}, float64, true);
  z.norm().backward();  // ‖0‖ = 0: gradient 0, not NaN (PyTorch's)
  EXPECT_EQ(z.grad().to_vector<double>(), (std::vector<double>{0.0, 0.0, 0.0}));
}

// ---- autograd ----

TEST(BadInput, BackwardWithoutRequiresGrad) {
  expect_rejects<RuntimeError>([] { ones({2}).sum().backward(); }, {"does not require grad", "shape ()"});
  const Tensor x = ones({2}, float64, true);
  Tensor y;
  {
    autograd::no_grad guard;
    y = (x * 2.0).sum();
  }
  expect_rejects<RuntimeError>([&] { y.backward(); }, {"no_grad"});
  EXPECT_FALSE(x.grad().defined());
}

TEST(BadInput, BackwardNonScalarWithoutGrad) {
  const Tensor x = ones({2, 3}, float64, true);
  const Tensor y = x * 2.0;
  expect_rejects([&] { y.backward(); }, {"one-element tensor", "shape (2, 3)", ".sum()"});
  EXPECT_FALSE(x.grad().defined());
  y.sum().backward();  // the graph survived the failed call
  EXPECT_EQ(x.grad().to_vector<double>(), std::vector<double>(6, 2.0));
}

TEST(BadInput, BackwardGradShapeMismatch) {
  const Tensor x = ones({2, 3}, float64, true);
  const Tensor y = x * 2.0;
  expect_rejects([&] { y.backward(ones({3, 2}, float64)); }, {"gradient of shape (3, 2)", "shape (2, 3)"});
  EXPECT_FALSE(x.grad().defined());
}

TEST(BadInput, BackwardGradDtypeMismatch) {
  const Tensor x = ones({2}, float64, true);
  expect_rejects([&] { (x * 2.0).backward(ones({2}, float32)); }, {"dtype float32", "dtype float64"});
  EXPECT_FALSE(x.grad().defined());
}

TEST(BadInput, BackwardTwiceThroughFreedGraph) {
  const Tensor x = tensor(std::vector<double>{1, 2}, {2}, true);
  const Tensor loss = (x * x).sum();
  loss.backward();
  const std::vector<double> grad = x.grad().to_vector<double>();
  expect_rejects<RuntimeError>([&] { loss.backward(); }, {"backward through the graph a second time", "retain_graph"});
  EXPECT_EQ(x.grad().to_vector<double>(), grad);  // no gradient reached the leaf on the failed pass
}

TEST(BadInput, UseOfTensorAfterGraphFreed) {
  const Tensor x = tensor(std::vector<double>{1, 2}, {2}, true);
  const Tensor hidden = x * x;
  hidden.sum().backward();  // frees the graph behind `hidden`
  const std::vector<double> grad = x.grad().to_vector<double>();
  const Tensor again = (hidden * 3.0).sum();  // recording on top of a freed graph is allowed...
  expect_rejects<RuntimeError>([&] { again.backward(); }, {"a second time"});  // ...differentiating through it not
  expect_rejects<RuntimeError>([&] { autograd::grad(again, {x}, scalar_tensor(1.0, float64)); }, {"a second time"});
  EXPECT_EQ(x.grad().to_vector<double>(), grad);
  EXPECT_EQ(hidden.to_vector<double>(), (std::vector<double>{1, 4}));  // its values stay readable
}

TEST(BadInput, GradInputNotALeafOrNoGrad) {
  const Tensor x = ones({2}, float64, true);
  const Tensor hidden = x * 2.0;
  const Tensor root = hidden.sum();
  expect_rejects([&] { autograd::grad(root, {hidden}, scalar_tensor(1.0, float64)); },
                 {"input 0", "leaf tensor that requires grad"});
  expect_rejects([&] { autograd::grad(root, {x, ones({2}, float64)}, scalar_tensor(1.0, float64)); }, {"input 1"});
  root.backward();  // nothing was freed by the rejected calls
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 2}));
}

TEST(BadInput, GradRootShapeMismatch) {
  const Tensor x = ones({2}, float64, true);
  expect_rejects([&] { autograd::grad(x * 2.0, {x}, ones({3}, float64)); }, {"grad_root of shape (3,)", "(2,)"});
}

TEST(BadInput, DoubleBackwardThroughConv2d) {
  const Tensor x = randn({1, 1, 3, 3}, float64, true);
  const Tensor w = randn({1, 1, 2, 2}, float64, true);
  const Tensor y = nn::functional::conv2d(x, w).sum();
  expect_rejects<RuntimeError>([&] { autograd::grad(y, {x}, scalar_tensor(1.0, float64), false, true); },
                               {"conv2d: double backward", "create_graph"});
}

TEST(BadInput, DoubleBackwardThroughPooling) {
  const Tensor x = randn({1, 1, 4, 4}, float64, true);
  const nn::functional::Pool2dParams p{{2, 2}, {2, 2}};
  const Tensor one = scalar_tensor(1.0, float64);
  expect_rejects<RuntimeError>([&] { autograd::grad(nn::functional::max_pool2d(x, p).sum(), {x}, one, false, true); },
                               {"max_pool2d: double backward"});
  expect_rejects<RuntimeError>([&] { autograd::grad(nn::functional::avg_pool2d(x, p).sum(), {x}, one, false, true); },
                               {"avg_pool2d: double backward"});
}

TEST(BadInput, GradcheckNoInputRequiresGrad) {
  expect_rejects([] { autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {ones({2})}); },
                 {"no input requires grad", "requires_grad_()"});
}

TEST(BadInput, GradcheckFnReturnsFloat32) {
  expect_rejects([] {
    autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0].to(float32); }, {ones({2}, float64, true)});
  }, {"returned a float32 tensor", "float64 tensor"});
}

TEST(BadInput, GradcheckInvalidOptions) {
  const auto fn = [](const std::vector<Tensor>& in) { return in[0] * 2.0; };
  const Tensor x = ones({2}, float64, true);
  expect_rejects([&] { autograd::gradcheck(fn, {x}, {.eps = 0.0}); }, {"eps > 0", "got eps 0"});
  expect_rejects([&] { autograd::gradcheck(fn, {x}, {.eps = kNaN}); }, {"got eps nan"});
  expect_rejects([&] { autograd::gradgradcheck(fn, {x}, {.atol = -1.0}); }, {"atol -1"});
  expect_rejects([&] { autograd::gradcheck(fn, {x}, {.rtol = kNaN}); }, {"rtol nan"});
  expect_rejects([&] { autograd::gradcheck(fn, {x}, {.atol = -0.1234567891}); }, {"atol -0.1234567891"});
}

TEST(BadInput, RegisterHookWithoutRequiresGrad) {
  const Tensor x = ones({3}, float64);
  expect_rejects<RuntimeError>([&] { x.register_hook([](const Tensor&) -> std::optional<Tensor> { return std::nullopt; }); },
                               {"cannot register a hook on a tensor that doesn't require gradient", "shape (3,)"});
  EXPECT_FALSE(x.impl()->hooks);
}

TEST(BadInput, TensorHookReturnsAnotherShape) {
  const Tensor x = ones({3}, float64, true);
  const Tensor h = x * 2.0;
  h.register_hook([](const Tensor&) -> std::optional<Tensor> { return ones({2}, float64); });
  expect_rejects<RuntimeError>([&] { h.sum().backward(); },
                               {"on the output of MulScalarBackward returned shape (2,) and dtype float64", "gradient has shape (3,)"});
  EXPECT_FALSE(x.grad().defined());
  const Tensor w = ones({3}, float64, true);
  w.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g.to(float32); });
  expect_rejects<RuntimeError>([&] { (w * 2.0).sum().backward(); }, {"on a leaf tensor returned shape (3,) and dtype float32",
                                                                      "dtype float64"});
  EXPECT_FALSE(w.grad().defined());
}

TEST(BadInput, DetectAnomalyNonFiniteGradient) {
  const Tensor x = tensor(std::vector<double>{1, 0, 2}, {3}, true);
  autograd::detect_anomaly guard;
  const Tensor loss = x.log().sum();
  expect_rejects<RuntimeError>([&] { loss.backward(); }, {"Function 'LogBackward' returned inf values in its 0th output",
                                                          "forward op 'Log' created from inputs of shape (3,)"});
  EXPECT_FALSE(x.grad().defined());
}

// A Function whose forward takes (x, a double) and whose backward returns what Returned::make gives.
template <class Returned>
struct BackwardReturning : autograd::Function<BackwardReturning<Returned>> {
  static Tensor forward(autograd::Context&, const Tensor& x, double) { return x * 2.0; }
  static autograd::TensorList backward(autograd::Context&, const autograd::TensorList& g) { return Returned::make(g[0]); }
};
struct OneGradientForTwoArguments {
  static autograd::TensorList make(const Tensor& g) { return {g}; }
};
struct AGradientForTheDouble {
  static autograd::TensorList make(const Tensor& g) { return {g, g}; }
};
struct AGradientOfAnotherShape {
  static autograd::TensorList make(const Tensor&) { return {zeros({3}), Tensor()}; }
};
struct AGradientOfAnotherDtype {
  static autograd::TensorList make(const Tensor&) { return {zeros({2}, float64), Tensor()}; }
};

TEST(BadInput, CustomFunctionBackwardResult) {
  const auto backward_of = [](auto returning) {
    return [] {
      Tensor x = tensor({1.0, 2.0}, {2}, /*requires_grad=*/true);
      BackwardReturning<decltype(returning)>::apply(x, 1.0).sum().backward();
    };
  };
  expect_rejects<ValueError>(backward_of(OneGradientForTwoArguments{}),
                             {"BackwardReturning", "backward returned 1 gradients, but forward took 2 arguments"});
  expect_rejects<ValueError>(backward_of(AGradientForTheDouble{}), {"a gradient for argument 1, which is not a tensor"});
  expect_rejects<ValueError>(backward_of(AGradientOfAnotherShape{}),
                             {"a gradient of shape (3,) and dtype float32 for argument 0, which has shape (2,)"});
  expect_rejects<ValueError>(backward_of(AGradientOfAnotherDtype{}),
                             {"dtype float64 for argument 0, which has shape (2,) and dtype float32"});
}

struct UndefinedForward : autograd::Function<UndefinedForward> {
  static Tensor forward(autograd::Context&, const Tensor&) { return {}; }
  static autograd::TensorList backward(autograd::Context&, const autograd::TensorList&) { return {Tensor()}; }
};

TEST(BadInput, CustomFunctionUndefinedOutput) {
  expect_rejects<ValueError>([] { UndefinedForward::apply(ones({1})); },
                             {"UndefinedForwardBackward: forward returned an undefined tensor"});
}

// ---- Module registry and state dicts ----

class Empty : public nn::Module {};

TEST(BadInput, RegisterInvalidName) {
  Empty m;
  expect_rejects([&] { m.register_parameter("", ones({1})); }, {"name ''", "non-empty"});
  expect_rejects([&] { m.register_buffer("a.b", ones({1})); }, {"'a.b'", "contain no '.'"});
  EXPECT_TRUE(m.state_dict().empty());
}

TEST(BadInput, RegisterDuplicateName) {
  Empty m;
  m.register_parameter("w", ones({1}));
  expect_rejects([&] { m.register_buffer("w", zeros({2})); }, {"Empty", "already has an attribute named 'w'"});
  expect_rejects([&] { m.register_module("w", std::make_shared<Empty>()); }, {"'w'"});
  EXPECT_EQ(m.state_dict().size(), 1u);
  EXPECT_TRUE(m.children().empty());
}

TEST(BadInput, RegisterModuleNull) {
  Empty m;
  expect_rejects([&] { m.register_module("child", std::shared_ptr<Empty>()); }, {"register_module('child')", "null"});
  EXPECT_TRUE(m.children().empty());
}

TEST(BadInput, RegisterModuleCycle) {
  auto outer = std::make_shared<nn::Sequential>();
  expect_rejects([&] { outer->push_back(outer); }, {"register_module('0')", "its own descendant"});
  auto inner = std::make_shared<nn::Sequential>(nn::Linear(2, 2));
  outer->push_back(inner);
  expect_rejects([&] { inner->push_back(outer); }, {"register_module('1')", "Sequential contains Sequential"});
  EXPECT_EQ(outer->size(), 1u);
  EXPECT_EQ(inner->size(), 1u);
  EXPECT_EQ(outer->parameters().size(), 2u);  // the tree is still finite
}

TEST(BadInput, ForwardNotDefined) {
  Empty m;
  expect_rejects<RuntimeError>([&] { m(ones({1})); }, {"Module Empty does not define forward(const Tensor&)"});
  nn::Sequential net(nn::Linear(2, 2), nn::CrossEntropyLoss());  // a loss takes two tensors
  expect_rejects<RuntimeError>([&] { net(ones({1, 2})); }, {"CrossEntropyLoss"});
}

TEST(BadInput, LoadStateDictMissingKey) {
  nn::Linear layer(3, 2);
  const auto before = snapshot(layer);
  nn::StateDict dict;
  dict.insert_or_assign("weight", zeros({2, 3}));
  expect_rejects([&] { layer.load_state_dict(dict); }, {"Linear", "module is unchanged", "Missing keys: bias"});
  EXPECT_EQ(snapshot(layer), before);
}

TEST(BadInput, LoadStateDictUnexpectedKey) {
  nn::Linear layer(3, 2);
  const auto before = snapshot(layer);
  nn::StateDict dict = nn::Linear(3, 2).state_dict();
  dict.insert_or_assign("scale", zeros({1}));
  expect_rejects([&] { layer.load_state_dict(dict); }, {"Unexpected keys: scale"});
  EXPECT_EQ(snapshot(layer), before);
}

TEST(BadInput, LoadStateDictShapeMismatch) {
  nn::Linear layer(3, 2);
  const auto before = snapshot(layer);
  nn::StateDict dict = nn::Linear(3, 2).state_dict();
  dict.insert_or_assign("weight", zeros({3, 2}));
  for (bool strict : {true, false}) {
    expect_rejects([&] { layer.load_state_dict(dict, strict); }, {"weight: expected shape (2, 3), got (3, 2)"});
  }
  EXPECT_EQ(snapshot(layer), before);  // bias, which matched, was not loaded either
}

TEST(BadInput, LoadStateDictUndefinedTensor) {
  nn::Linear layer(3, 2);
  const auto before = snapshot(layer);
  nn::StateDict dict = nn::Linear(3, 2).state_dict();
  dict.insert_or_assign("bias", Tensor());
  expect_rejects([&] { layer.load_state_dict(dict); }, {"bias: expected shape (2,), got an undefined tensor"});
  EXPECT_EQ(snapshot(layer), before);
}

TEST(BadInput, LoadStateDictNonStrictReportsKeys) {
  nn::Linear layer(3, 2);
  nn::StateDict dict;
  dict.insert_or_assign("weight", full({2, 3}, 0.5));
  dict.insert_or_assign("extra", zeros({1}));
  const nn::LoadStateDictResult result = layer.load_state_dict(dict, /*strict=*/false);
  EXPECT_EQ(result.missing_keys, std::vector<std::string>{"bias"});
  EXPECT_EQ(result.unexpected_keys, std::vector<std::string>{"extra"});
  EXPECT_EQ(layer.weight.to_vector<double>(), std::vector<double>(6, 0.5));
}

TEST(BadInput, LoadStateDictConvertsDtype) {
  nn::Linear layer(1, 1);
  nn::StateDict dict;
  dict.insert_or_assign("weight", tensor(std::vector<double>{0.25}, {1, 1}));
  dict.insert_or_assign("bias", tensor(std::vector<double>{-1.5}, {1}));
  layer.load_state_dict(dict);
  EXPECT_EQ(layer.weight.dtype(), float32);
  EXPECT_EQ(layer.weight.to_vector<float>(), std::vector<float>{0.25f});
  EXPECT_EQ(layer.bias.to_vector<float>(), std::vector<float>{-1.5f});
}

TEST(BadInput, StateDictAtMissingKey) {
  const nn::StateDict dict = nn::Linear(2, 2).state_dict();
  expect_rejects([&] { (void)dict.at("weights"); }, {"no entry 'weights'"});
}

TEST(BadInput, HardtanhBoundsReversed) {
  expect_rejects([] { nn::Hardtanh({.min_val = 1.0, .max_val = -1.0}); }, {"Hardtanh", "max_val (-1.0)", "min_val (1.0)"});
  expect_rejects([] { nn::Hardtanh({.min_val = 0.5, .max_val = 0.5}); }, {"max_val (0.5)", "greater than min_val (0.5)"});
}

TEST(BadInput, SequentialIndexOutOfRange) {
  const nn::Sequential net{nn::ReLU(), nn::Tanh()};
  expect_rejects([&] { (void)net[2]; }, {"index 2", "2 modules"});
}

TEST(BadInput, SequentialPushNull) {
  nn::Sequential net{nn::ReLU()};
  expect_rejects([&] { net.push_back(std::shared_ptr<nn::Module>()); }, {"register_module('1')", "null"});
  EXPECT_EQ(net.size(), 1u);
  EXPECT_EQ(net.children().size(), 1u);
}

TEST(BadInput, ModuleToNonFloatingDtype) {
  nn::Linear fc(2, 3);
  expect_rejects([&] { fc.to(int64); }, {"Linear.to(int64): a module converts only to a floating dtype"});
  EXPECT_EQ(fc.weight.dtype(), float32);
}

TEST(BadInput, ModuleListIndexOutOfRange) {
  const nn::ModuleList list{nn::ReLU(), nn::Tanh()};
  expect_rejects([&] { (void)list[2]; }, {"ModuleList index 2 is out of range for 2 modules"});
}

TEST(BadInput, ModuleDictMissingOrDuplicateKey) {
  nn::ModuleDict dict({{"enc", std::make_shared<nn::ReLU>()}});
  expect_rejects([&] { (void)dict["dec"]; }, {"ModuleDict has no key 'dec'"});
  expect_rejects([&] { dict.insert("enc", nn::Tanh()); }, {"already has an attribute named 'enc'"});
  expect_rejects([&] { dict.insert("a.b", nn::Tanh()); }, {"'a.b' must be non-empty and contain no '.'"});
  expect_rejects([&] { dict.insert("c", std::shared_ptr<nn::Module>()); }, {"register_module('c')", "null"});
  EXPECT_EQ(dict.keys(), std::vector<std::string>{"enc"});
}

// ---- training utilities ----

TEST(BadInput, ClipGradNormInvalidArguments) {
  const nn::Parameter p(zeros({2}, float64));
  p.set_grad(full({2}, 3.0, float64));
  expect_rejects([&] { (void)nn::utils::clip_grad_norm_({p}, -1.0); }, {"clip_grad_norm_: max_norm (-1) must be >= 0"});
  expect_rejects([&] { (void)nn::utils::clip_grad_norm_({p}, kNaN); }, {"max_norm (nan)"});
  expect_rejects([&] { (void)nn::utils::clip_grad_norm_({p}, 1.0, 0.0); }, {"norm_type (0) must be > 0 or inf"});
  expect_rejects([&] { (void)nn::utils::clip_grad_norm_({p}, 1.0, -kInf); }, {"norm_type (-inf)"});
  EXPECT_EQ(p.grad().to_vector<double>(), (std::vector<double>{3, 3}));
}

TEST(BadInput, ClipGradNormNonFiniteTotal) {
  const nn::Parameter p(zeros({2}, float64));
  p.set_grad(tensor(std::vector<double>{kNaN, 3.0}, {2}));
  expect_rejects<RuntimeError>([&] { (void)nn::utils::clip_grad_norm_({p}, 1.0, kInf, true); },
                               {"The total norm of order inf for gradients from", "is non-finite",
                                "error_if_nonfinite=False"});
  EXPECT_EQ(p.grad().to_vector<double>()[1], 3.0);
}

TEST(BadInput, ClipGradValueNegative) {
  const nn::Parameter p(zeros({2}, float64));
  p.set_grad(full({2}, 3.0, float64));
  expect_rejects([&] { nn::utils::clip_grad_value_({p}, -0.5); }, {"clip_grad_value_: clip_value (-0.5) must be >= 0"});
  expect_rejects([&] { nn::utils::clip_grad_value_({p}, kNaN); }, {"clip_value (nan)"});
  EXPECT_EQ(p.grad().to_vector<double>(), (std::vector<double>{3, 3}));
}

TEST(BadInput, ParametersToVectorEmptyOrUndefined) {
  expect_rejects([] { (void)nn::utils::parameters_to_vector({}); },
                 {"parameters_to_vector: got an empty parameter list"});
  expect_rejects([] { (void)nn::utils::parameters_to_vector({nn::Parameter(ones({2})), nn::Parameter()}); },
                 {"parameter 1 is undefined"});
}

TEST(BadInput, VectorToParametersWrongSize) {
  const std::vector<nn::Parameter> params{nn::Parameter(ones({2, 2})), nn::Parameter(ones({3}))};
  expect_rejects([&] { nn::utils::vector_to_parameters(zeros({6}), params); },
                 {"expected a 1-D tensor of 7 elements (the parameters' total), got shape (6,)"});
  expect_rejects([&] { nn::utils::vector_to_parameters(zeros({7, 1}), params); }, {"got shape (7, 1)"});
  expect_rejects([&] { nn::utils::vector_to_parameters(Tensor(), params); }, {"got an undefined tensor"});
  EXPECT_EQ(params[0].to_vector<double>(), std::vector<double>(4, 1.0));
  EXPECT_EQ(params[1].to_vector<double>(), std::vector<double>(3, 1.0));
}

TEST(BadInput, FullBackwardHookReturnsWrongGradInput) {
  nn::Linear fc(3, 2, {.dtype = float64});
  const Tensor x = ones({2, 3}, float64, true);
  auto handle = fc.register_full_backward_hook([](nn::Module&, const autograd::TensorList& gi,
                                                  const autograd::TensorList&) -> std::optional<autograd::TensorList> {
    return autograd::TensorList{gi[0], gi[0]};
  });
  expect_rejects<RuntimeError>([&] { fc(x).sum().backward(); },
                               {"a full backward hook of Linear returned 2 tensors for grad_input", "the module has 1 input"});
  EXPECT_FALSE(x.grad().defined());
  handle.remove();
  fc.register_full_backward_hook([](nn::Module&, const autograd::TensorList&,
                                    const autograd::TensorList&) -> std::optional<autograd::TensorList> {
    return autograd::TensorList{ones({3}, float64)};
  });
  expect_rejects<RuntimeError>([&] { fc(x).sum().backward(); },
                               {"returned grad_input[0] of shape (3,) and dtype float64", "gradient has shape (2, 3)"});
  EXPECT_FALSE(x.grad().defined());
}

TEST(BadInput, FullBackwardHookReturnsGradientForInputWithoutGrad) {
  nn::Linear fc(3, 2, {.dtype = float64});
  fc.register_full_backward_hook([](nn::Module&, const autograd::TensorList&,
                                    const autograd::TensorList&) -> std::optional<autograd::TensorList> {
    return autograd::TensorList{ones({2, 3}, float64)};
  });
  expect_rejects<RuntimeError>([&] { fc(ones({2, 3}, float64)).sum().backward(); },
                               {"returned a gradient, but the module's input does not require grad"});
  EXPECT_FALSE(fc.weight.grad().defined());
}

// ---- GroupNorm ----

TEST(BadInput, GroupNormZeroGroups) {
  expect_rejects([] { (void)nn::GroupNorm(0, 32); }, {"num_groups (0) must be positive"});
}

TEST(BadInput, GroupNormNegativeGroups) {
  expect_rejects([] { (void)nn::GroupNorm(-4, 32); }, {"num_groups (-4)"});
}

TEST(BadInput, GroupNormZeroChannels) {
  expect_rejects([] { (void)nn::GroupNorm(1, 0); }, {"GroupNorm: num_channels (0) must be positive"});
  expect_rejects([] { nn::functional::group_norm(ones({2, 0, 3}), 1); }, {"group_norm: num_channels (0) must be positive"});
}

TEST(BadInput, GroupNormChannelsNotDivisible) {
  expect_rejects([] { (void)nn::GroupNorm(8, 30); }, {"num_channels (30) must be divisible by num_groups (8)"});
}

TEST(BadInput, GroupNormNegativeEps) {
  expect_rejects([] { (void)nn::GroupNorm(2, 4, -1e-5); }, {"GroupNorm: eps (-1e-05) must be non-negative"});
  expect_rejects([] { nn::functional::group_norm(ones({1, 4}), 2, {}, {}, -1e-5); },
                 {"group_norm: eps (-1e-05) must be non-negative"});
}

TEST(BadInput, GroupNormNaNEps) {
  expect_rejects([] { (void)nn::GroupNorm(2, 4, {.eps = kNaN}); }, {"eps (nan)"});
  expect_rejects([] { nn::functional::group_norm(ones({1, 4}), 2, {}, {}, kNaN); }, {"eps (nan)"});
}

TEST(BadInput, GroupNormWrongChannels) {
  nn::GroupNorm gn(8, 32);
  expect_rejects([&] { gn(ones({2, 16, 4})); }, {"expected input with 32 channels", "(2, 16, 4)"});
}

TEST(BadInput, GroupNormInputBelow2D) {
  nn::GroupNorm gn(8, 32);
  expect_rejects([&] { gn(ones({32})); }, {"at least 2 dimensions", "shape (32,)"});
}

TEST(BadInput, GroupNormDtypeMismatch) {
  nn::GroupNorm gn(2, 4);  // float32 weight and bias
  expect_rejects([&] { gn(ones({1, 4, 3}, float64)); }, {"weight has dtype float32", "input has dtype float64"});
}

TEST(BadInput, GroupNormAffineShapeMismatch) {
  expect_rejects([] { nn::functional::group_norm(ones({1, 8, 2}), 2, ones({4}), zeros({8})); },
                 {"weight of shape (4,)", "num_channels (8)"});
  expect_rejects([] { nn::functional::group_norm(ones({1, 8, 2}), 2, ones({8}), zeros({8, 1})); },
                 {"bias of shape (8, 1)"});
}

TEST(BadInput, GroupNormFunctionalBadGroups) {
  expect_rejects([] { nn::functional::group_norm(ones({1, 6, 2}), 0); }, {"num_groups (0)"});
  expect_rejects([] { nn::functional::group_norm(ones({1, 6, 2}), 4); },
                 {"num_channels (6) must be divisible by num_groups (4)"});
}

TEST(BadInput, GroupNormNaNStaysInItsGroup) {
  manual_seed(3);
  Tensor x = randn({2, 6, 5}, float64);
  x.data<double>()[7] = kNaN;  // sample 0, channel 1: group 0 of 3
  x.requires_grad_();
  nn::GroupNorm gn(3, 6, 1e-5, true, {}, float64);
  const Tensor y = gn(x);
  const std::vector<double> out = y.to_vector<double>();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool in_nan_group = i < 10;  // sample 0, channels 0–1
    EXPECT_EQ(std::isnan(out[i]), in_nan_group) << "element " << i;
    if (!in_nan_group) {
      EXPECT_TRUE(std::isfinite(out[i])) << "element " << i;
    }
  }
  y.sum().backward();
  const std::vector<double> dx = x.grad().to_vector<double>();
  for (std::size_t i = 10; i < dx.size(); ++i) EXPECT_TRUE(std::isfinite(dx[i])) << "dx element " << i;
}

TEST(BadInput, GroupNormInfInOneGroup) {
  manual_seed(4);
  const Tensor x = randn({1, 4, 3});
  x.data<float>()[0] = static_cast<float>(kInf);  // group 0 of 2
  const std::vector<double> out = nn::functional::group_norm(x, 2).to_vector<double>();
  for (std::size_t i = 0; i < 6; ++i) EXPECT_TRUE(std::isnan(out[i])) << i;  // inf − inf in its statistics
  EXPECT_TRUE(all_finite(tensor(std::vector<double>(out.begin() + 6, out.end()), {6})));
}

TEST(BadInput, GroupNormConstantGroup) {
  const Tensor x = full({1, 2, 3}, 4.0, float64);
  const Tensor bias = tensor(std::vector<double>{0.5, -0.5}, {2});
  // Zero variance: (x − μ) = 0 exactly, so y = bias with eps > 0 ...
  expect_values_near(nn::functional::group_norm(x, 1, ones({2}, float64), bias, 1e-5), {1, 2, 3},
                     {0.5, 0.5, 0.5, -0.5, -0.5, -0.5}, 0.0);
  // ... and 0 · ∞ = NaN with eps = 0, as in PyTorch.
  for (double v : nn::functional::group_norm(x, 1, {}, {}, 0.0).to_vector<double>()) EXPECT_TRUE(std::isnan(v));
}

TEST(BadInput, GroupNormEmptyBatch) {
  nn::GroupNorm gn(2, 4);
  const Tensor x = zeros({0, 4, 5}, float32, true);
  const Tensor y = gn(x);
  EXPECT_EQ(y.shape(), (Shape{0, 4, 5}));
  y.sum().backward();
  EXPECT_EQ(gn.weight.grad().to_vector<double>(), std::vector<double>(4, 0.0));
}

// ---- LayerNorm ----

TEST(BadInput, LayerNormWrongNormalizedShape) {
  nn::LayerNorm ln({768});
  expect_rejects([&] { ln(ones({2, 5})); },
                 {"normalized_shape (768,) expects an input of shape (*, 768)", "got shape (2, 5)"});
  expect_rejects([] { nn::functional::layer_norm(ones({3, 4, 5}), {5, 4}); },
                 {"layer_norm: normalized_shape (5, 4) expects an input of shape (*, 5, 4), got shape (3, 4, 5)"});
  expect_rejects([] { nn::functional::layer_norm(ones({4}), {2, 4}); }, {"(*, 2, 4)", "got shape (4,)"});
}

TEST(BadInput, LayerNormEmptyOrNonPositiveNormalizedShape) {
  expect_rejects([] { (void)nn::LayerNorm({}); }, {"LayerNorm: normalized_shape must have at least one dimension, got ()"});
  expect_rejects([] { (void)nn::LayerNorm({768, 0}); }, {"normalized_shape (768, 0) must have positive sizes"});
  expect_rejects([] { nn::functional::layer_norm(ones({2, 3}), {-3}); },
                 {"layer_norm: normalized_shape (-3,) must have positive sizes"});
}

TEST(BadInput, LayerNormBadEps) {
  expect_rejects([] { (void)nn::LayerNorm({4}, {.eps = -1e-5}); }, {"LayerNorm: eps (-1e-05) must be non-negative"});
  expect_rejects([] { nn::functional::layer_norm(ones({1, 4}), {4}, {}, {}, kNaN); }, {"layer_norm: eps (nan)"});
}

TEST(BadInput, LayerNormAffineShapeOrDtypeMismatch) {
  expect_rejects([] { nn::functional::layer_norm(ones({2, 8}), {8}, ones({4}), zeros({8})); },
                 {"weight of shape (4,) does not match normalized_shape (8,)"});
  expect_rejects([] { nn::functional::layer_norm(ones({2, 2, 4}), {2, 4}, ones({2, 4}), zeros({8})); },
                 {"bias of shape (8,) does not match normalized_shape (2, 4)"});
  nn::LayerNorm ln({4});  // float32 weight and bias
  expect_rejects([&] { ln(ones({3, 4}, float64)); }, {"weight has dtype float32", "input has dtype float64"});
}

TEST(BadInput, LayerNormNaNStaysInItsRow) {
  manual_seed(4);
  Tensor x = randn({3, 5}, float64);
  x.data<double>()[6] = kNaN;  // row 1
  x.requires_grad_();
  nn::LayerNorm ln({5}, {.dtype = float64});
  const Tensor y = ln(x);
  const std::vector<double> out = y.to_vector<double>();
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(std::isnan(out[i]), i / 5 == 1) << "element " << i;
  (y * ones({3, 5}, float64)).sum().backward();
  const std::vector<double> dx = x.grad().to_vector<double>();
  for (std::size_t i = 0; i < dx.size(); ++i) EXPECT_EQ(std::isfinite(dx[i]), i / 5 != 1) << "dx element " << i;
}

TEST(BadInput, LayerNormConstantRowAndEmptyBatch) {
  const Tensor bias = tensor(std::vector<double>{0.5, -1.0, 2.0}, {3});
  EXPECT_EQ(nn::functional::layer_norm(full({2, 3}, 7.0, float64), {3}, ones({3}, float64), bias).to_vector<double>(),
            (std::vector<double>{0.5, -1.0, 2.0, 0.5, -1.0, 2.0}));
  nn::LayerNorm ln({4});
  const Tensor x = zeros({0, 4}).requires_grad_();
  const Tensor y = ln(x);
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
  y.sum().backward();
  EXPECT_EQ(ln.weight.grad().to_vector<float>(), std::vector<float>(4, 0.0f));
}

// ---- RMSNorm ----

TEST(BadInput, RMSNormWrongNormalizedShapeOrBadConfig) {
  nn::RMSNorm rms({8});
  expect_rejects([&] { rms(ones({2, 5})); }, {"rms_norm: normalized_shape (8,) expects an input of shape (*, 8), got shape (2, 5)"});
  expect_rejects([] { (void)nn::RMSNorm({8}, {.eps = -1.0}); }, {"RMSNorm: eps (-1.0) must be non-negative"});
  expect_rejects([] { (void)nn::RMSNorm({}); }, {"RMSNorm: normalized_shape must have at least one dimension, got ()"});
  expect_rejects([] { nn::functional::rms_norm(ones({2, 4}), {4}, ones({3})); },
                 {"rms_norm: weight of shape (3,) does not match normalized_shape (4,)"});
}

// ---- BatchNorm and InstanceNorm ----

TEST(BadInput, BatchNormWrongChannelCount) {
  nn::BatchNorm2d bn(4);
  const auto before = snapshot(bn);
  expect_rejects([&] { bn(ones({2, 3, 5, 5})); },
                 {"BatchNorm2d: expected input with 4 channels (dimension 1), got shape (2, 3, 5, 5)"});
  EXPECT_EQ(snapshot(bn), before);
  expect_rejects([] { nn::InstanceNorm2d(3, {.affine = true})(ones({2, 4, 5, 5})); },
                 {"InstanceNorm2d: expected input with 3 channels (dimension 1), got shape (2, 4, 5, 5)"});
  expect_rejects([] { nn::functional::batch_norm(ones({2, 3}), ones({4}), ones({3})); },
                 {"batch_norm: running_mean of shape (4,) does not match the input's 3 channels"});
}

TEST(BadInput, BatchNormOneValuePerChannelInTraining) {
  nn::BatchNorm1d bn(4);
  const auto before = snapshot(bn);
  expect_rejects([&] { bn(ones({1, 4})); },
                 {"batch_norm: expected more than 1 value per channel when training, got input of shape (1, 4)"});
  expect_rejects([] { nn::BatchNorm2d(2)(ones({1, 2, 1, 1})); }, {"more than 1 value per channel", "(1, 2, 1, 1)"});
  EXPECT_EQ(snapshot(bn), before);
  bn.eval();
  EXPECT_EQ(bn(ones({1, 4})).shape(), Shape({1, 4}));
}

TEST(BadInput, InstanceNormOneSpatialElementInTraining) {
  nn::InstanceNorm1d in(3, {.track_running_stats = true});
  const auto before = snapshot(in);
  expect_rejects([&] { in(ones({2, 3, 1})); },
                 {"instance_norm: expected more than 1 spatial element when training, got input of shape (2, 3, 1)"});
  EXPECT_EQ(snapshot(in), before);
}

TEST(BadInput, BatchNormWrongInputRankOrBadConfig) {
  expect_rejects([] { nn::BatchNorm2d(3)(ones({2, 3, 4})); }, {"BatchNorm2d: expected 4D input (got 3D input)"});
  expect_rejects([] { nn::BatchNorm1d(3)(ones({2, 3, 4, 5})); }, {"BatchNorm1d: expected 2D or 3D input (got 4D input)"});
  expect_rejects([] { nn::InstanceNorm3d(3)(ones({2, 3})); }, {"InstanceNorm3d: expected 4D or 5D input (got 2D input)"});
  expect_rejects([] { (void)nn::BatchNorm2d(0); }, {"BatchNorm2d: num_features (0) must be positive"});
  expect_rejects([] { (void)nn::InstanceNorm2d(3, {.eps = -1.0}); }, {"InstanceNorm2d: eps (-1.0) must be non-negative"});
  expect_rejects([] { nn::functional::batch_norm(ones({2, 3}), {}, {}); },
                 {"batch_norm: running_mean and running_var are required when not training"});
  expect_rejects([] { nn::functional::instance_norm(ones({2, 3, 4}), {}, {}, {}, {}, false); },
                 {"instance_norm: running_mean and running_var are required without input statistics"});
}

// ---- Linear ----

TEST(BadInput, LinearNegativeFeatures) {
  expect_rejects([] { (void)nn::Linear(-1, 4); }, {"in_features (-1)", "out_features (4)", "non-negative"});
}

TEST(BadInput, LinearInputFeaturesMismatch) {
  nn::Linear layer(3, 2);
  expect_rejects([&] { layer(ones({4, 5})); }, {"input of shape (4, 5)", "in_features (3)", "(2, 3)"});
}

TEST(BadInput, LinearScalarInput) {
  nn::Linear layer(1, 2);
  expect_rejects([&] { layer(scalar_tensor(1.0)); }, {"input of shape ()"});
}

TEST(BadInput, LinearDtypeMismatch) {
  nn::Linear layer(2, 3);
  expect_rejects([&] { layer(ones({1, 2}, float64)); }, {"linear: operands have different dtypes (float64 and float32)"});
  expect_rejects([] { nn::functional::linear(ones({1, 2}), ones({3, 2}), ones({3}, float64)); },
                 {"linear: operands have different dtypes (float32 and float64)"});
}

TEST(BadInput, LinearFunctionalWeightNot2D) {
  expect_rejects([] { nn::functional::linear(ones({2, 3}), ones({3})); }, {"weight must be 2-D", "(3,)"});
}

TEST(BadInput, LinearFunctionalBiasShape) {
  expect_rejects([] { nn::functional::linear(ones({2, 3}), ones({4, 3}), ones({3})); },
                 {"bias of shape (3,)", "out_features (4)"});
}

// ---- Conv2d ----

TEST(BadInput, ConvTranspose2dOutputPaddingTooLarge) {
  expect_rejects([] { nn::functional::conv_transpose2d(ones({1, 2, 3, 3}), ones({2, 2, 3, 3}), {}, {.stride = 2, .output_padding = 2}); },
                 {"output_padding (2, 2)", "stride (2, 2)", "must be smaller than either stride or dilation"});
}

TEST(BadInput, ConvTranspose2dChannelMismatch) {
  nn::ConvTranspose2d up(2, 4, 4, {.stride = 2, .padding = 1});
  expect_rejects([&] { up(ones({1, 3, 5, 5})); }, {"input has 3 channels", "(2, 4, 4, 4)", "expects 2"});
}

TEST(BadInput, ConvTranspose2dOutputSizeBeyondInt64) {
  expect_rejects([] { nn::functional::conv_transpose2d(ones({1, 1, 3, 3}), ones({1, 1, 2, 2}), {}, {.stride = std::int64_t{1} << 62}); },
                 {"(1, 1, 3, 3)", "stride (4611686018427387904, 4611686018427387904)", "output size beyond int64"});
}

TEST(BadInput, ConvTranspose2dEmptyOutput) {
  expect_rejects([] { nn::functional::conv_transpose2d(ones({1, 1, 2, 2}), ones({1, 1, 2, 2}), {}, {.padding = 2}); },
                 {"padding (2, 2)", "gives an empty output (size -1)"});
}

TEST(BadInput, InterpolateSizeAndScaleFactor) {
  expect_rejects([] { nn::functional::interpolate(ones({1, 1, 2, 2}), {.size = {4}, .scale_factor = 2.0}); },
                 {"give exactly one of size and scale_factor, got both"});
  expect_rejects([] { (void)nn::Upsample({}); }, {"Upsample: give exactly one of size and scale_factor, got neither"});
}

TEST(BadInput, InterpolateBadSizes) {
  expect_rejects([] { nn::functional::interpolate(ones({3, 4}), {.scale_factor = 2.0}); },
                 {"(N, C, L), (N, C, H, W) or (N, C, D, H, W)", "got (3, 4)"});
  expect_rejects([] { nn::functional::interpolate(ones({1, 1, 2, 2}), {.size = {4, 4, 4}}); },
                 {"size [4, 4, 4]", "one per spatial dimension (2)"});
  expect_rejects([] { nn::functional::interpolate(ones({1, 1, 2, 2}), {.scale_factor = 0.25}); },
                 {"(1, 1, 2, 2) would become empty", "[0, 0]"});
  expect_rejects([] { nn::functional::interpolate(ones({1, 1, 2, 2}), {.scale_factor = -1.0}); },
                 {"scale_factor must be positive and finite"});
}

TEST(BadInput, EmbeddingBadIndices) {
  nn::Embedding table(10, 3);
  expect_rejects([&] { table(ones({2})); }, {"embedding: indices must be int64, got float32"});
  expect_rejects([&] { table(tensor(std::vector<std::int64_t>{3, 10})); }, {"index 10 (element 1 of the indices) is out of range for dimension 0 of size 10"});
  expect_rejects([] { (void)nn::Embedding(-1, 3); }, {"num_embeddings (-1)", "non-negative"});
}

TEST(BadInput, Conv2dNonPositiveSizes) {
  expect_rejects([] { (void)nn::Conv2d(0, 4, 3); }, {"in_channels (0)", "must be positive"});
  expect_rejects([] { (void)nn::Conv2d(1, 4, {3, 0}); }, {"kernel_size (3, 0)"});
}

TEST(BadInput, Conv2dBadStrideOrPadding) {
  nn::Conv2d zero_stride(1, 1, 3, {.stride = {0, 1}});
  expect_rejects([&] { zero_stride(ones({1, 1, 5, 5})); }, {"stride (0, 1)"});
  nn::Conv2d negative_padding(1, 1, 3, {.padding = {-1, 0}});
  expect_rejects([&] { negative_padding(ones({1, 1, 5, 5})); }, {"padding (-1, 0)"});
  expect_rejects([] { nn::functional::conv2d(ones({1, 1, 5, 5}), ones({1, 1, 3, 3}), {}, {.dilation = {1, 0}}); },
                 {"dilation (1, 0)"});
}

TEST(BadInput, Conv2dInputNot4D) {
  nn::Conv2d conv(1, 2, 3);
  expect_rejects([&] { conv(ones({1, 5, 5})); }, {"(N, C, H, W)", "(1, 5, 5)"});
}

TEST(BadInput, Conv2dChannelMismatch) {
  nn::Conv2d conv(3, 2, 3);
  expect_rejects([&] { conv(ones({1, 1, 5, 5})); }, {"input has 1 channels", "(2, 3, 3, 3)", "expects 3"});
}

TEST(BadInput, Conv2dKernelLargerThanInput) {
  nn::Conv2d conv(1, 1, 5);
  expect_rejects([&] { conv(ones({1, 1, 3, 3})); }, {"dilated extent 5", "(1, 1, 3, 3)"});
}

TEST(BadInput, Conv2dDtypeMismatch) {
  nn::Conv2d conv(1, 1, 1);  // float32 weight
  expect_rejects([&] { conv(ones({1, 1, 2, 2}, float64)); },
                 {"conv2d", "must share a dtype", "input float64, weight float32, bias float32"});
}

TEST(BadInput, Conv2dBiasShape) {
  expect_rejects([] { nn::functional::conv2d(ones({1, 1, 3, 3}), ones({2, 1, 1, 1}), ones({3})); },
                 {"bias of shape (3,)", "2 output channels"});
}

TEST(BadInput, Conv2dOutputElementCountOverflowsInt64) {
  const std::int64_t pad = std::int64_t{1} << 31;
  expect_rejects([&] { nn::functional::conv2d(ones({1, 1, 2, 2}), ones({1, 1, 1, 1}), {}, {.padding = {pad, pad}}); },
                 {"(1, 1, 4294967298, 4294967298)", "more elements than int64 can count"});
}

// ---- pooling ----

TEST(BadInput, PoolingNonPositiveKernelOrStride) {
  nn::MaxPool2d zero_kernel(0);
  expect_rejects([&] { zero_kernel(ones({1, 1, 4, 4})); }, {"max_pool2d", "kernel_size (0, 0)"});
  nn::AvgPool2d zero_stride(2, {.stride = 0});
  expect_rejects([&] { zero_stride(ones({1, 1, 4, 4})); }, {"avg_pool2d", "stride (0, 0)"});
}

TEST(BadInput, PoolingKernelAreaOverflowsInt64) {
  // 2³² × 2³² windows fit a 1×1 input with padding 2³¹: their area, avg_pool2d's divisor, does not fit int64.
  const std::int64_t k = std::int64_t{1} << 32;
  nn::AvgPool2d pool(k, {.stride = 1, .padding = k / 2});
  expect_rejects([&] { pool(ones({1, 1, 1, 1})); },
                 {"avg_pool2d: kernel_size (4294967296, 4294967296) covers more elements than int64 can count"});
  expect_rejects([&] { nn::functional::max_pool2d(ones({1, 1, 1, 1}), {.kernel_size = k, .stride = 1, .padding = k / 2}); },
                 {"max_pool2d: kernel_size (4294967296, 4294967296)"});
}

TEST(BadInput, GeluUnknownApproximate) {
  expect_rejects([] { nn::GELU({.approximate = "exact"}); }, {"gelu: approximate ('exact') must be 'none' or 'tanh'"});
  expect_rejects([] { gelu(ones({2}), "Tanh"); }, {"approximate ('Tanh')"});
}

TEST(BadInput, PoolingPaddingOverHalfKernel) {
  nn::MaxPool2d pool(2, {.stride = 2, .padding = 2});
  expect_rejects([&] { pool(ones({1, 1, 4, 4})); }, {"padding (2, 2)", "half the kernel size"});
  nn::AvgPool2d huge(2, {.stride = 2, .padding = kInt64Max});  // rejected without overflowing 2·padding
  expect_rejects([&] { huge(ones({1, 1, 4, 4})); }, {"padding (9223372036854775807, 9223372036854775807)"});
}

TEST(BadInput, PoolingInputNot4D) {
  nn::MaxPool2d max_pool(2);
  expect_rejects([&] { max_pool(ones({4, 4})); }, {"max_pool2d", "(4, 4)"});
  nn::AvgPool2d avg_pool(2);
  expect_rejects([&] { avg_pool(ones({1, 4, 4})); }, {"avg_pool2d", "(1, 4, 4)"});
  nn::AdaptiveAvgPool2d adaptive(1);
  expect_rejects([&] { adaptive(ones({4})); }, {"adaptive_avg_pool2d", "(4,)"});
}

TEST(BadInput, PoolingKernelLargerThanInput) {
  nn::MaxPool2d pool(3);
  expect_rejects([&] { pool(ones({1, 1, 2, 5})); }, {"kernel_size (3, 3)", "(1, 1, 2, 5)"});
}

TEST(BadInput, AdaptiveAvgPool2dNonPositiveOutputSize) {
  nn::AdaptiveAvgPool2d pool({2, 0});
  expect_rejects([&] { pool(ones({1, 1, 4, 4})); }, {"output_size (2, 0)"});
}

TEST(BadInput, AdaptiveAvgPool2dEmptyInput) {
  nn::AdaptiveAvgPool2d pool(2);
  expect_rejects([&] { pool(ones({1, 1, 0, 4})); }, {"(1, 1, 0, 4)", "empty spatial dimension"});
}

TEST(BadInput, MaxPool2dNaNPropagates) {
  const Tensor x = tensor({0.0, 1.0, 2.0, kNaN, 5.0, 6.0, 7.0, 8.0}, {1, 1, 2, 4});
  const std::vector<double> y = nn::functional::max_pool2d(x, {{2, 2}, {2, 2}}).to_vector<double>();
  EXPECT_EQ(y[0], 6.0);
  EXPECT_TRUE(std::isnan(y[1])) << y[1];  // the window holding the NaN, as PyTorch's CPU kernel
}

// ---- losses ----

TEST(BadInput, LossLogitsNot2D) {
  const Tensor targets = zeros({4}, int64);
  expect_rejects([&] { nn::functional::cross_entropy(ones({4}), targets); }, {"cross_entropy", "(N, C)", "(4,)"});
  expect_rejects([&] { nn::functional::nll_loss(ones({4, 2, 1}), targets); }, {"nll_loss", "(4, 2, 1)"});
  expect_rejects([] { nn::functional::log_softmax(ones({3})); }, {"log_softmax", "(3,)"});
}

TEST(BadInput, LossTargetsShapeMismatch) {
  expect_rejects([] { nn::functional::cross_entropy(ones({2, 5}), zeros({3}, int64)); },
                 {"targets of shape (3,)", "batch of 2"});
  expect_rejects([] { nn::functional::nll_loss(ones({2, 5}), zeros({2, 1}, int64)); }, {"targets of shape (2, 1)"});
  expect_rejects([] { nn::functional::cross_entropy(ones({2, 5}), zeros({2, 4})); }, {"targets of shape (2, 4)"});
  expect_rejects([] { nn::functional::cross_entropy(ones({2, 5}), zeros({2, 5}, float64)); },
                 {"cross_entropy", "float32", "float64"});
}

// A float target of shape (N,) is the old convention for class ids: PyTorch rejects it too.
TEST(BadInput, LossFloatClassTargets) {
  expect_rejects([] { nn::functional::cross_entropy(ones({3, 4}), tensor({0.0, 1.0, 2.0}, {3})); },
                 {"cross_entropy", "class-index targets must be int64", "float32", "(3,)", ".to(lucid::int64)",
                  "class probabilities"});
  expect_rejects([] { nn::functional::nll_loss(ones({3, 4}), zeros({3}, float64)); },
                 {"nll_loss", "must be int64", "float64"});
  expect_rejects([] { nn::functional::nll_loss(ones({3, 4}), zeros({3, 4})); }, {"nll_loss", "int64 class ids"});
}

TEST(BadInput, LossTargetNotAClassId) {
  const Tensor logits = ones({3, 10});
  const auto ids = [](std::vector<std::int64_t> v) { return tensor(v, {3}); };
  expect_rejects([&] { nn::functional::cross_entropy(logits, ids({0, 10, 1})); }, {"target 10 at index 1", "[0, 10)"});
  expect_rejects([&] { nn::functional::cross_entropy(logits, ids({-1, 0, 1})); }, {"target -1 at index 0"});
  expect_rejects([&] { nn::functional::nll_loss(logits, ids({0, 0, -100})); }, {"target -100 at index 2"});
}

TEST(BadInput, CrossEntropyLabelSmoothingOutOfRange) {
  const Tensor logits = ones({2, 3}), targets = zeros({2}, int64);
  expect_rejects([&] { nn::functional::cross_entropy(logits, targets, 1.5); }, {"label_smoothing (1.5)", "[0, 1]"});
  expect_rejects([&] { nn::functional::cross_entropy(logits, targets, -0.1); }, {"label_smoothing (-0.1)"});
  // The value as passed: 6 significant digits printed 1.0000001 as "1", which looks valid.
  expect_rejects([&] { nn::functional::cross_entropy(logits, targets, 1.0000001); }, {"label_smoothing (1.0000001)"});
  nn::CrossEntropyLoss loss({.label_smoothing = kNaN});  // checked when called, as in PyTorch
  expect_rejects([&] { loss(logits, targets); }, {"label_smoothing (nan)"});
}

TEST(BadInput, MseLossShapeMismatch) {
  expect_rejects([] { nn::functional::mse_loss(ones({2, 3}), ones({3, 2})); },
                 {"input of shape (2, 3)", "target of shape (3, 2)"});
}

TEST(BadInput, MseLossDtypeMismatch) {
  expect_rejects([] { nn::MSELoss()(ones({2}), ones({2}, float64)); },
                 {"mse_loss: operands have different dtypes (float32 and float64)"});
}

TEST(BadInput, CrossEntropyExtremeLogits) {
  const Tensor logits = tensor({1e30, 0.0, 0.0, kInf, 0.0, 0.0, kNaN, 0.0, 0.0}, {3, 3});
  const std::vector<double> loss =
      nn::functional::cross_entropy(logits, zeros({3}, int64), 0.0, nn::functional::Reduction::kNone).to_vector<double>();
  EXPECT_EQ(loss[0], 0.0);          // huge finite logits stay stable (row maximum subtracted)
  EXPECT_TRUE(std::isnan(loss[1]));  // +inf logit: inf − inf, as PyTorch
  EXPECT_TRUE(std::isnan(loss[2]));  // NaN logit poisons its own row only
}

TEST(BadInput, LossOfEmptyBatch) {
  const Tensor logits = zeros({0, 3}), targets = zeros({0}, int64);
  EXPECT_TRUE(std::isnan(nn::functional::cross_entropy(logits, targets).item()));  // mean over 0 rows, as PyTorch
  EXPECT_EQ(nn::functional::cross_entropy(logits, targets, 0.0, nn::functional::Reduction::kSum).item(), 0.0);
}

// ---- Dropout, Flatten, init ----

TEST(BadInput, DropoutProbabilityOutOfRange) {
  expect_rejects([] { (void)nn::Dropout(-0.1); }, {"p (-0.1) must be in [0, 1]"});
  expect_rejects([] { (void)nn::Dropout(1.5); }, {"p (1.5)"});
  expect_rejects([] { (void)nn::Dropout(kNaN); }, {"p (nan)"});
  expect_rejects([] { (void)nn::Dropout(1.0000001); }, {"p (1.0000001)"});
}

TEST(BadInput, FlattenDimOutOfRange) {
  nn::Flatten flatten({.start_dim = 1, .end_dim = 3});
  expect_rejects([&] { flatten(ones({2, 3, 4})); }, {"dimension 3", "(2, 3, 4)"});
}

TEST(BadInput, FlattenStartAfterEnd) {
  nn::Flatten flatten({.start_dim = 2, .end_dim = 1});
  expect_rejects([&] { flatten(ones({2, 3, 4})); }, {"start_dim (2) comes after end_dim (1)", "(2, 3, 4)"});
}

TEST(BadInput, InitUniformInvalidBounds) {
  Tensor t = full({3}, 9.0);
  expect_rejects([&] { nn::init::uniform_(t, 1.0, 0.0); }, {"low 1", "high 0"});
  expect_rejects([&] { nn::init::uniform_(t, kNaN, 1.0); }, {"low nan"});
  expect_rejects([&] { nn::init::uniform_(t, 0.0, kInf); }, {"high inf"});
  expect_rejects([&] { nn::init::uniform_(t, 3.0000001, 3.0); }, {"low 3.0000001 and high 3"});
  EXPECT_EQ(t.to_vector<double>(), std::vector<double>(3, 9.0));
}

TEST(BadInput, InitFanOfFewerThanTwoDimensions) {
  Tensor t = full({3}, 9.0);
  expect_rejects([&] { (void)nn::init::calculate_fan_in_and_fan_out(t); },
                 {"fewer than 2 dimensions, got shape (3,)"});
  expect_rejects([&] { nn::init::kaiming_uniform_(t); }, {"fewer than 2 dimensions"});
  expect_rejects([&] { nn::init::xavier_normal_(t); }, {"fewer than 2 dimensions"});
  expect_rejects([&] { nn::init::orthogonal_(t); }, {"orthogonal_: only tensors with 2 or more dimensions", "(3,)"});
  EXPECT_EQ(t.to_vector<double>(), std::vector<double>(3, 9.0));
}

TEST(BadInput, InitUnknownModeOrNonlinearity) {
  Tensor t = full({2, 3}, 9.0);
  expect_rejects([&] { nn::init::kaiming_uniform_(t, 0.0, "fan_avg"); },
                 {"kaiming_uniform_: mode 'fan_avg' not supported, please use one of fan_in, fan_out"});
  expect_rejects([&] { nn::init::kaiming_normal_(t, 0.0, "fan_in", "gelu"); }, {"unsupported nonlinearity 'gelu'"});
  expect_rejects([&] { (void)nn::init::calculate_gain("Tanh"); }, {"unsupported nonlinearity 'Tanh'"});
  EXPECT_EQ(t.to_vector<double>(), std::vector<double>(6, 9.0));
}

TEST(BadInput, InitNormalInvalidArguments) {
  Tensor t = full({3}, 9.0);
  expect_rejects([&] { nn::init::normal_(t, 0.0, -1.0); }, {"normal_", "mean 0 and std -1"});
  expect_rejects([&] { nn::init::normal_(t, kNaN, 1.0); }, {"mean nan"});
  expect_rejects([&] { nn::init::normal_(t, 0.0, kInf); }, {"std inf"});
  EXPECT_EQ(t.to_vector<double>(), std::vector<double>(3, 9.0));
}

TEST(BadInput, InitTruncNormalInvalidArguments) {
  Tensor t = full({3}, 9.0);
  expect_rejects([&] { nn::init::trunc_normal_(t, 0.0, 0.0); }, {"trunc_normal_", "std 0"});
  expect_rejects([&] { nn::init::trunc_normal_(t, 0.0, 1.0, 2.0, -2.0); }, {"a 2 and b -2"});
  expect_rejects([&] { nn::init::trunc_normal_(t, kNaN, 1.0); }, {"mean nan"});
  EXPECT_EQ(t.to_vector<double>(), std::vector<double>(3, 9.0));
}

// ---- optimizers and schedulers ----

TEST(BadInput, OptimizerEmptyParameterList) {
  expect_rejects([] { (void)optim::SGD({}, {.lr = 0.1}); }, {"SGD: got an empty parameter list"});
}

TEST(BadInput, OptimizerUndefinedParameter) {
  expect_rejects([] { (void)optim::Adam({nn::Parameter(ones({2})), nn::Parameter()}); }, {"Adam: parameter 1 is undefined"});
}

TEST(BadInput, OptimizerDuplicateParameter) {
  const nn::Parameter p(ones({2}));
  expect_rejects([&] { (void)optim::AdamW({p, p}); }, {"AdamW: parameter 1 is the same tensor as parameter 0"});
}

TEST(BadInput, OptimizerInvalidLr) {
  const std::vector<nn::Parameter> p{nn::Parameter(ones({2}))};
  expect_rejects([&] { (void)optim::SGD(p, {.lr = -0.1}); }, {"SGD: lr (-0.1) must be non-negative and finite"});
  expect_rejects([&] { (void)optim::Adam(p, {.lr = kNaN}); }, {"Adam: lr (nan)"});
  expect_rejects([&] { (void)optim::AdamW(p, {.lr = kInf}); }, {"AdamW: lr (inf)"});
}

TEST(BadInput, OptimizerSetLrInvalid) {
  optim::SGD sgd({nn::Parameter(ones({2}))}, {.lr = 0.1});
  expect_rejects([&] { sgd.set_lr(-0.5); }, {"lr (-0.5)"});
  expect_rejects([&] { sgd.set_lr(kInf); }, {"lr (inf)"});
  EXPECT_EQ(sgd.lr(), 0.1);
}

TEST(BadInput, SGDInvalidMomentumOrWeightDecay) {
  const std::vector<nn::Parameter> p{nn::Parameter(ones({2}))};
  expect_rejects([&] { (void)optim::SGD(p, {.momentum = -0.5}); }, {"momentum (-0.5)"});
  expect_rejects([&] { (void)optim::SGD(p, {.momentum = kInf}); }, {"momentum (inf)"});
  expect_rejects([&] { (void)optim::SGD(p, {.weight_decay = kNaN}); }, {"weight_decay (nan)"});
}

TEST(BadInput, SGDNesterovWithoutMomentum) {
  const std::vector<nn::Parameter> p{nn::Parameter(ones({2}))};
  expect_rejects([&] { (void)optim::SGD(p, {.nesterov = true}); }, {"nesterov needs momentum > 0", "momentum 0"});
  expect_rejects([&] { (void)optim::SGD(p, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}); }, {"dampening 0.1"});
}

TEST(BadInput, AdamInvalidBetas) {
  const std::vector<nn::Parameter> p{nn::Parameter(ones({2}))};
  expect_rejects([&] { (void)optim::Adam(p, {.betas = {1.0, 0.999}}); }, {"betas[0] (1) must lie in [0, 1)"});
  expect_rejects([&] { (void)optim::AdamW(p, {.betas = {0.9, -0.1}}); }, {"AdamW: betas[1] (-0.1)"});
  expect_rejects([&] { (void)optim::Adam(p, {.betas = {kNaN, 0.9}}); }, {"betas[0] (nan)"});
}

TEST(BadInput, AdamInvalidEpsOrWeightDecay) {
  const std::vector<nn::Parameter> p{nn::Parameter(ones({2}))};
  expect_rejects([&] { (void)optim::Adam(p, {.eps = -1e-8}); }, {"Adam: eps (-1e-08)"});
  expect_rejects([&] { (void)optim::AdamW(p, {.weight_decay = kInf}); }, {"AdamW: weight_decay (inf)"});
}

TEST(BadInput, OptimizerLoadStateDictMissingKey) {
  SteppedAdamW a;
  const auto before = snapshot(*a.opt);
  nn::StateDict dict;
  for (const auto& [key, value] : a.opt->state_dict()) {
    if (key != "param_groups.0.lr" && key != "state.1.exp_avg_sq") dict.insert_or_assign(key, value);
  }
  expect_rejects([&] { a.opt->load_state_dict(dict); },
                 {"the optimizer is unchanged", "Missing keys: param_groups.0.lr, state.1.exp_avg_sq"});
  EXPECT_EQ(snapshot(*a.opt), before);
}

TEST(BadInput, OptimizerLoadStateDictUnexpectedKey) {
  SteppedAdamW a;
  const auto before = snapshot(*a.opt);
  nn::StateDict dict = a.opt->state_dict();
  dict.insert_or_assign("state.2.exp_avg", zeros({3}, float64));  // only parameters 0 and 1 exist
  dict.insert_or_assign("param_groups.0.momentum", zeros({}, float64));
  expect_rejects([&] { a.opt->load_state_dict(dict); }, {"Unexpected keys:", "state.2.exp_avg", "param_groups.0.momentum"});
  EXPECT_EQ(snapshot(*a.opt), before);
}

TEST(BadInput, OptimizerLoadStateDictShapeMismatch) {
  SteppedAdamW a;
  const auto before = snapshot(*a.opt);
  nn::StateDict dict = a.opt->state_dict();
  dict.insert_or_assign("state.0.exp_avg", zeros({2}, float64));
  expect_rejects([&] { a.opt->load_state_dict(dict); }, {"state.0.exp_avg: expected shape (3,), got (2,)"});
  EXPECT_EQ(snapshot(*a.opt), before);
}

TEST(BadInput, OptimizerLoadStateDictIncompleteState) {
  SteppedAdamW fresh_source;
  optim::AdamW target({nn::Parameter(ones({3}, float64)), nn::Parameter(ones({2}, float64))});
  nn::StateDict dict;
  for (const auto& [key, value] : fresh_source.opt->state_dict()) {
    if (key != "state.0.step") dict.insert_or_assign(key, value);
  }
  expect_rejects([&] { target.load_state_dict(dict); }, {"Missing keys: state.0.step"});
  EXPECT_EQ(target.lr(), 1e-3);
  EXPECT_EQ(target.state_dict().size(), 5u);  // hyperparameters and indices only: still no state
}

TEST(BadInput, OptimizerLoadStateDictInvalidHyperparameter) {
  SteppedAdamW a;
  const auto before = snapshot(*a.opt);
  nn::StateDict dict = a.opt->state_dict();
  dict.insert_or_assign("param_groups.0.betas", tensor(std::vector<double>{1.5, 0.999}, {2}));
  expect_rejects([&] { a.opt->load_state_dict(dict); }, {"Invalid param_groups.* value", "betas[0] (1.5)"});
  dict = a.opt->state_dict();
  dict.insert_or_assign("param_groups.0.lr", scalar_tensor(kInf, float64));
  expect_rejects([&] { a.opt->load_state_dict(dict); }, {"lr (inf)"});
  EXPECT_EQ(snapshot(*a.opt), before);
}

TEST(BadInput, OptimizerLoadStateDictInvalidCounter) {
  SteppedAdamW a;
  const auto before = snapshot(*a.opt);
  for (double step : {-1.0, 2.5, kNaN, kInf}) {
    nn::StateDict dict = a.opt->state_dict();
    dict.insert_or_assign("state.1.step", scalar_tensor(step, float64));
    expect_rejects([&] { a.opt->load_state_dict(dict); },
                   {"state.1.step: expected a whole number >= 0, got " + lucid::format_number(step)});
  }
  EXPECT_EQ(snapshot(*a.opt), before);
  a.opt->step();  // and the optimizer still steps to finite values
  for (const nn::Parameter& p : a.params) EXPECT_TRUE(all_finite(p));
}

TEST(BadInput, OptimizerNaNGradient) {
  SteppedAdamW a;
  a.params[0].set_grad(tensor(std::vector<double>{kNaN, 1, 1}, {3}));
  a.params[1].set_grad(ones({2}, float64));
  a.opt->step();
  const std::vector<double> p0 = a.params[0].to_vector<double>();
  EXPECT_TRUE(std::isnan(p0[0]));  // NaN in, NaN out for that element, as PyTorch
  EXPECT_TRUE(std::isfinite(p0[1]) && std::isfinite(p0[2]));
  EXPECT_TRUE(all_finite(a.params[1]));
}


TEST(BadInput, OptimizerParameterInTwoGroups) {
  const nn::Parameter p(ones({2})), q(ones({3}));
  optim::SGD sgd({p}, {.lr = 0.1});
  expect_rejects([&] { sgd.add_param_group({q, p}, {.lr = 0.01}); },
                 {"SGD: parameter 1 of the new group is already parameter 0 of param group 0",
                  "a parameter may be in one group only"});
  EXPECT_EQ(sgd.param_group_count(), 1u);
}

TEST(BadInput, OptimizerAddParamGroupInvalid) {
  optim::Adam adam({nn::Parameter(ones({2}))});
  expect_rejects([&] { adam.add_param_group({nn::Parameter(ones({2}))}, {.lr = -1.0}); }, {"Adam: lr (-1)"});
  expect_rejects([&] { adam.add_param_group({nn::Parameter(ones({2}))}, {.betas = {0.9, 1.0}}); }, {"betas[1] (1)"});
  expect_rejects([&] { adam.add_param_group({}); }, {"Adam: got an empty parameter list"});
  EXPECT_EQ(adam.param_group_count(), 1u);
}

TEST(BadInput, OptimizerGroupIndexOutOfRange) {
  optim::SGD sgd({nn::Parameter(ones({2}))}, {.lr = 0.1});
  expect_rejects([&] { (void)sgd.group_lr(1); }, {"SGD: param group 1 is out of range for 1 groups"});
  expect_rejects([&] { sgd.set_group_lr(3, 0.5); }, {"param group 3 is out of range"});
  expect_rejects([&] { sgd.set_group_lr(0, -0.5); }, {"lr (-0.5)"});
  EXPECT_EQ(sgd.lr(), 0.1);
}

TEST(BadInput, OptimizerStepWithInvalidWrittenOptions) {
  const nn::Parameter p(ones({2}, float64));
  optim::AdamW adamw({p});
  p.set_grad(ones({2}, float64));
  adamw.param_groups()[0].options.eps = -1.0;
  expect_rejects([&] { adamw.step(); }, {"param group 0: AdamW: eps (-1)"});
  EXPECT_EQ(p.to_vector<double>(), (std::vector<double>{1, 1}));
  EXPECT_EQ(adamw.state_dict().size(), 5u);  // no state: nothing stepped
}

TEST(BadInput, OptimizerLoadStateDictOtherGroups) {
  const nn::Parameter a(ones({2})), b(ones({3}));
  optim::SGD two({a}, {.lr = 0.1});
  two.add_param_group({b});
  optim::SGD one({nn::Parameter(ones({2})), nn::Parameter(ones({3}))}, {.lr = 0.2});
  expect_rejects([&] { one.load_state_dict(two.state_dict()); },
                 {"param_groups.0.params: expected the int64 indices [0, 1] of this optimizer's group 0",
                  "Unexpected keys:", "param_groups.1.lr"});
  expect_rejects([&] { two.load_state_dict(one.state_dict()); }, {"Missing keys: param_groups.1.params"});
  EXPECT_EQ(one.lr(), 0.2);
  EXPECT_EQ(two.group_lr(1), 0.1);
}

TEST(BadInput, StepLRInvalidArguments) {
  optim::SGD sgd({nn::Parameter(ones({2}))}, {.lr = 0.1});
  expect_rejects([&] { (void)optim::StepLR(sgd, 0); }, {"StepLR: step_size (0) must be at least 1"});
  expect_rejects([&] { (void)optim::StepLR(sgd, 2, -0.5); }, {"gamma (-0.5)"});
  expect_rejects([&] { (void)optim::StepLR(sgd, 2, kInf); }, {"gamma (inf)"});
  EXPECT_EQ(sgd.lr(), 0.1);
}

TEST(BadInput, CosineAnnealingLRInvalidArguments) {
  optim::SGD sgd({nn::Parameter(ones({2}))}, {.lr = 0.1});
  expect_rejects([&] { (void)optim::CosineAnnealingLR(sgd, 0); }, {"T_max (0) must be at least 1"});
  expect_rejects([&] { (void)optim::CosineAnnealingLR(sgd, 10, -1e-3); }, {"eta_min (-0.001)"});
  expect_rejects([&] { (void)optim::CosineAnnealingLR(sgd, 10, kInf); }, {"eta_min (inf)"});
  EXPECT_EQ(sgd.lr(), 0.1);
}

// A StepLR stepped 3 times: last_epoch 3, last_lrs {0.1 · 0.5}, base_lrs {0.1}.
struct SteppedStepLR {
  optim::SGD sgd{{nn::Parameter(ones({2}))}, {.lr = 0.1}};
  optim::StepLR schedule{sgd, 2, 0.5};
  SteppedStepLR() {
    for (int i = 0; i < 3; ++i) schedule.step();
  }
  std::vector<double> snapshot() const { return {static_cast<double>(schedule.last_epoch()), schedule.get_last_lr()[0], schedule.base_lrs()[0], sgd.lr()}; }
};

TEST(BadInput, LRSchedulerLoadStateDictMissingOrUnexpectedKey) {
  SteppedStepLR s;
  const auto before = s.snapshot();
  nn::StateDict dict;
  dict.insert_or_assign("last_epoch", full({}, 1.0, float64));
  dict.insert_or_assign("gamma", full({}, 0.5, float64));
  expect_rejects([&] { s.schedule.load_state_dict(dict); },
                 {"the scheduler is unchanged", "Missing keys: last_lrs, base_lrs", "Unexpected keys: gamma"});
  EXPECT_EQ(s.snapshot(), before);
}

TEST(BadInput, LRSchedulerLoadStateDictInvalidValue) {
  SteppedStepLR s;
  const auto before = s.snapshot();
  const auto with = [&](const std::string& key, const Tensor& value) {
    nn::StateDict dict = s.schedule.state_dict();
    dict.insert_or_assign(key, value);
    return dict;
  };
  expect_rejects([&] { s.schedule.load_state_dict(with("last_epoch", full({}, -1.0, float64))); },
                 {"last_epoch: expected a whole number >= 0, got -1"});
  expect_rejects([&] { s.schedule.load_state_dict(with("last_epoch", full({}, 2.5, float64))); },
                 {"last_epoch: expected a whole number >= 0, got 2.5"});
  expect_rejects([&] { s.schedule.load_state_dict(with("last_lrs", full({1}, kNaN, float64))); },
                 {"last_lrs: expected a non-negative finite lr, got nan"});
  expect_rejects([&] { s.schedule.load_state_dict(with("base_lrs", full({1}, -0.1, float64))); },
                 {"base_lrs: expected a non-negative finite lr, got -0.1"});
  expect_rejects([&] { s.schedule.load_state_dict(with("base_lrs", ones({2}, float64))); },
                 {"base_lrs: expected shape (1,), got (2,)"});
  EXPECT_EQ(s.snapshot(), before);
}

TEST(BadInput, LRSchedulerAfterAddParamGroup) {
  optim::SGD sgd({nn::Parameter(ones({2}))}, {.lr = 0.1});
  optim::StepLR schedule(sgd, 1, 0.5);
  sgd.add_param_group({nn::Parameter(ones({2}))}, {.lr = 0.3});
  expect_rejects([&] { schedule.step(); },
                 {"LRScheduler.step: the optimizer has 2 param groups, the scheduler was made for 1"});
  EXPECT_EQ(sgd.group_lr(0), 0.1);
  EXPECT_EQ(schedule.last_epoch(), 0);
}

// ---- data ----

data::Dataset small_dataset(std::int64_t n) { return {zeros({n, 1, 2, 2}), arange(static_cast<double>(n))}; }

TEST(BadInput, DataLoaderNonPositiveBatchSize) {
  expect_rejects([] { (void)data::DataLoader(small_dataset(4), {.batch_size = 0}); }, {"batch_size must be positive, got 0"});
}

TEST(BadInput, DataLoaderUndefinedTensor) {
  expect_rejects([] { (void)data::DataLoader({zeros({4, 2}), Tensor()}); }, {"targets tensor is undefined"});
}

TEST(BadInput, DataLoaderScalarTensor) {
  expect_rejects([] { (void)data::DataLoader({scalar_tensor(1.0), zeros({1})}); }, {"images", "0-dimensional"});
}

TEST(BadInput, DataLoaderSampleCountMismatch) {
  expect_rejects([] { (void)data::DataLoader({zeros({4, 2}), zeros({3})}); },
                 {"images (4, 2)", "targets (3,)", "different numbers of samples"});
}

TEST(BadInput, DataLoaderNegativeEpoch) {
  data::DataLoader loader(small_dataset(4), {.shuffle = true});
  loader.set_epoch(3);
  expect_rejects([&] { loader.set_epoch(-1); }, {"epoch must be >= 0, got -1"});
  expect_rejects([&] { loader.order(-2); }, {"got -2"});
  EXPECT_EQ(loader.epoch(), 3);
}

TEST(BadInput, DataLoaderHugeBatchSize) {
  // batch_size near 2⁶³: one batch with every sample (⌈N / batch_size⌉ computed without overflow).
  data::DataLoader loader(small_dataset(5), {.batch_size = kInt64Max});
  EXPECT_EQ(loader.size(), 1);
  std::int64_t batches = 0;
  for (const data::Batch& batch : loader) {
    EXPECT_EQ(batch.images.shape(), (Shape{5, 1, 2, 2}));
    ++batches;
  }
  EXPECT_EQ(batches, 1);
}

// Writes `bytes` to dir/name and returns the message read_idx throws for it.
std::string idx_error(const TempDir& dir, const std::string& name, const Bytes& bytes) {
  write_bytes(dir / name, bytes);
  return error_message<ValueError>([&] { data::read_idx(dir / name); });
}

TEST(BadInput, IdxMissingFile) {
  TempDir dir;
  expect_rejects([&] { data::read_idx(dir / "absent.gz"); }, {"absent.gz", "cannot open the file"});
}

TEST(BadInput, IdxBadMagic) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "bad.idx", {1, 0, 8, 1, 0, 0, 0, 0}), "bad.idx': bad magic 0x01 0x00 0x08 0x01"));
}

TEST(BadInput, IdxUnsupportedType) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "f.idx", idx_bytes({1}, {0, 0, 0, 0}, 0x0D)), "unsupported element type 0x0d"));
}

TEST(BadInput, IdxZeroDimensions) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "z.idx", {0, 0, 8, 0}), "z.idx': the header declares 0 dimensions"));
}

TEST(BadInput, IdxHeaderClaimsTooManyElements) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "big.idx", idx_bytes({1u << 20, 1u << 20}, {1, 2, 3})),
                       "(1048576, 1048576) claim 1099511627776 elements, more than the limit of 4294967296"));
  EXPECT_TRUE(contains(idx_error(dir, "overflow.idx", idx_bytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {})),
                       "more elements than int64 can count"));
}

TEST(BadInput, IdxTruncatedData) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "short.idx", idx_bytes({2, 3}, {1, 2, 3, 4})),
                       "truncated: the header (2, 3) needs 6 data bytes, the file has 4"));
}

TEST(BadInput, IdxTrailingBytes) {
  TempDir dir;
  EXPECT_TRUE(contains(idx_error(dir, "long.idx", idx_bytes({2}, {1, 2, 3})), "trailing bytes after the 2 data bytes"));
}

TEST(BadInput, IdxCorruptGzip) {
  TempDir dir;
  write_gzip(dir / "good.gz", idx_bytes({64}, Bytes(64, 7)));
  Bytes bytes = read_bytes(dir / "good.gz");
  for (std::size_t i = 12; i < bytes.size() - 8; ++i) bytes[i] ^= 0x5a;  // scramble the deflate stream
  EXPECT_TRUE(contains(idx_error(dir, "corrupt.gz", bytes), "IDX file '" + (dir / "corrupt.gz").string() + "'"));
}

// Writes Fashion-MNIST-named IDX files (train split) holding `images` and `labels`.
void write_fashion_files(const TempDir& dir, const Bytes& images, const Bytes& labels) {
  write_bytes(dir / "train-images-idx3-ubyte", images);
  write_bytes(dir / "train-labels-idx1-ubyte", labels);
}

TEST(BadInput, FashionMnistInvalidArguments) {
  expect_rejects([] { data::load_fashion_mnist(data::kFashionMnistDir, true, -1); }, {"limit must be >= 0, got -1"});
  expect_rejects([] { data::load_fashion_mnist(data::kFashionMnistDir, true, 0, 0.5, 0.0); }, {"stddev 0"});
  expect_rejects([] { data::load_fashion_mnist(data::kFashionMnistDir, true, 0, kNaN, 1.0); }, {"mean nan"});
  // std::to_string printed -1e-07 as "-0.000000".
  expect_rejects([] { data::load_fashion_mnist(data::kFashionMnistDir, true, 0, 0.5, -1e-7); }, {"stddev -1e-07"});
}

TEST(BadInput, FashionMnistMissingFiles) {
  TempDir dir;
  expect_rejects([&] { data::load_fashion_mnist(dir.path()); },
                 {(dir / "train-images-idx3-ubyte.gz").string(), "cannot open the file"});
}

TEST(BadInput, FashionMnistImagesNot3D) {
  TempDir dir;
  write_fashion_files(dir, idx_bytes({2, 4}, Bytes(8, 0)), idx_bytes({2}, {0, 1}));
  expect_rejects([&] { data::load_fashion_mnist(dir.path()); }, {"train-images-idx3-ubyte'", "(N, H, W)", "(2, 4)"});
}

TEST(BadInput, FashionMnistLabelCountMismatch) {
  TempDir dir;
  write_fashion_files(dir, idx_bytes({2, 2, 2}, Bytes(8, 0)), idx_bytes({3}, {0, 1, 2}));
  expect_rejects([&] { data::load_fashion_mnist(dir.path()); }, {"labels of shape (2,)", "got (3,)"});
}

TEST(BadInput, FashionMnistLabelOutOfRange) {
  TempDir dir;
  write_fashion_files(dir, idx_bytes({2, 2, 2}, Bytes(8, 0)), idx_bytes({2}, {3, 10}));
  expect_rejects([&] { data::load_fashion_mnist(dir.path()); }, {"label 10 at index 1", "[0, 10)"});
}

// ---- safetensors ----

// The little-endian u64 header length, the header, then `data_bytes` zero bytes.
Bytes safetensors_bytes(const std::string& header, std::size_t data_bytes) {
  Bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

// Writes the file and returns the message load_state_dict throws for it, after checking it names the path.
std::string safetensors_error(const TempDir& dir, const Bytes& bytes) {
  const auto path = dir / "bad.safetensors";
  write_bytes(path, bytes);
  const std::string msg = error_message<ValueError>([&] { load_state_dict(path); });
  EXPECT_TRUE(contains(msg, path.string()));
  return msg;
}

TEST(BadInput, SafetensorsSaveUndefinedTensor) {
  TempDir dir;
  const auto path = dir / "ckpt.safetensors";
  save(nn::Linear(2, 2), path);
  const Bytes original = read_bytes(path);
  nn::StateDict dict;
  dict.insert_or_assign("w", Tensor());
  expect_rejects([&] { save(dict, path); }, {"ckpt.safetensors", "cannot save tensor 'w': it is undefined"});
  EXPECT_EQ(read_bytes(path), original);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"ckpt.safetensors"});
}

TEST(BadInput, SafetensorsSaveReservedName) {
  TempDir dir;
  nn::StateDict dict;
  dict.insert_or_assign("__metadata__", zeros({1}));
  expect_rejects([&] { save(dict, dir / "a.safetensors"); }, {"\"__metadata__\"", "reserved key"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(BadInput, SafetensorsSaveUnwritablePath) {
  TempDir dir;
  expect_rejects([&] { save(nn::Linear(2, 2), dir / "no_such_dir" / "a.safetensors"); },
                 {"no_such_dir/a.safetensors", "cannot create"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(BadInput, SafetensorsSaveNonUtf8Name) {
  TempDir dir;
  nn::StateDict dict;
  dict.insert_or_assign("w\xff", zeros({1}));
  expect_rejects([&] { save(dict, dir / "a.safetensors"); }, {"names must be UTF-8"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(BadInput, SafetensorsLoadMissingFile) {
  TempDir dir;
  expect_rejects([&] { load_state_dict(dir / "absent.safetensors"); }, {"absent.safetensors", "cannot read the file"});
}

TEST(BadInput, SafetensorsLoadShortFile) {
  TempDir dir;
  EXPECT_TRUE(contains(safetensors_error(dir, {1, 0, 0}), "the file has 3 bytes, fewer than the 8-byte header length"));
}

TEST(BadInput, SafetensorsLoadHeaderLengthBeyondFile) {
  TempDir dir;
  Bytes bytes = safetensors_bytes("{}", 0);
  bytes[0] = 200;
  EXPECT_TRUE(contains(safetensors_error(dir, bytes), "header length 200 exceeds the"));
  bytes[0] = 0;
  bytes[7] = 0x80;  // 2⁶³: rejected before any allocation
  EXPECT_TRUE(contains(safetensors_error(dir, bytes), "header length 9223372036854775808 exceeds the limit"));
}

TEST(BadInput, SafetensorsLoadHeaderNotJson) {
  TempDir dir;
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes("{\"w\": nope}", 0)), "the header is not valid JSON"));
}

TEST(BadInput, SafetensorsLoadUnsupportedDtype) {
  TempDir dir;
  const std::string header = R"({"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(header, 8)), "tensor 'w' has dtype \"I32\""));
}

TEST(BadInput, SafetensorsLoadShapeOverflowsInt64) {
  TempDir dir;
  const std::string header = R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(header, 8)), "more elements than int64 can count"));
}

TEST(BadInput, SafetensorsLoadOffsetsDisagreeWithShape) {
  TempDir dir;
  const std::string header = R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(header, 8)), "(8 bytes), but shape"));
}

TEST(BadInput, SafetensorsLoadOverlappingTensors) {
  TempDir dir;
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(header, 12)),
                       "tensor 'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)"));
}

TEST(BadInput, SafetensorsLoadGapOrTrailingBytes) {
  TempDir dir;
  const std::string gap = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(gap, 12)), "bytes 4..8 of the data section"));
  const std::string one = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(one, 7)), "3 trailing bytes"));
}

TEST(BadInput, SafetensorsLoadMetadataNotString) {
  TempDir dir;
  EXPECT_TRUE(contains(safetensors_error(dir, safetensors_bytes(R"({"__metadata__":{"epoch":3}})", 0)),
                       "\"__metadata__\" entry 'epoch' is 3, not a string"));
}

TEST(BadInput, SafetensorsLoadIntoMismatchedModule) {
  TempDir dir;
  const auto path = dir / "linear.safetensors";
  save(nn::Linear(3, 2), path);
  nn::Linear wider(4, 2);
  const auto before = snapshot(wider);
  expect_rejects([&] { load(wider, path); }, {"linear.safetensors", "weight: expected shape (2, 4), got (2, 3)"});
  EXPECT_EQ(snapshot(wider), before);
}

// ---- threads ----

TEST(BadInput, SetNumThreadsNonPositive) {
  const int threads = get_num_threads();
  expect_rejects([] { set_num_threads(0); }, {"n (0) must be at least 1"});
  expect_rejects([] { set_num_threads(-2); }, {"n (-2)"});
  EXPECT_EQ(get_num_threads(), threads);
}

// ---- the table itself ----

// The test ids in docs/BAD_INPUT.md ("BadInput.<Name>" in back quotes), in order of appearance.
std::vector<std::string> documented_ids() {
  const std::filesystem::path doc = std::filesystem::path(LUCID_GOLDEN_DIR) / ".." / ".." / "docs" / "BAD_INPUT.md";
  std::ifstream in(doc);
  EXPECT_TRUE(in) << "cannot read " << doc;
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  const std::regex id("`BadInput\\.([A-Za-z0-9]+)`");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), id); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

TEST(BadInputMatrix, EveryRowHasATestAndEveryTestARow) {
  const std::vector<std::string> ids = documented_ids();
  const std::set<std::string> documented(ids.begin(), ids.end());
  EXPECT_EQ(documented.size(), ids.size()) << "a test id appears in two rows";
  std::set<std::string> registered;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    if (std::string(suite.name()) != "BadInput") continue;
    for (int j = 0; j < suite.total_test_count(); ++j) registered.insert(suite.GetTestInfo(j)->name());
  }
  for (const std::string& name : documented) EXPECT_TRUE(registered.count(name)) << "row without test: " << name;
  for (const std::string& name : registered) EXPECT_TRUE(documented.count(name)) << "test without row: " << name;
  std::cout << "bad-input matrix: " << ids.size() << " rows, " << registered.size() << " tests\n";
}

}  // namespace
}  // namespace lucid::test
