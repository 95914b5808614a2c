// x.index({...}), index_put_ and in-place writes through strided views against PyTorch 1.13
// (tests/golden/indexing.json from make_indexing_golden.py): outputs, gradients, the views' strides
// and storage offsets; gradcheck and gradgradcheck of every case; storage sharing, version counts
// and the bad-input errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"

namespace {

using lucid::Tensor;
using lucid::indexing::Ellipsis;
using lucid::indexing::None;
using lucid::indexing::Slice;
using lucid::indexing::TensorIndex;
namespace golden = lucid::test::golden;

const std::vector<golden::Case>& indexing_cases() {
  static const std::vector<golden::Case> all = golden::load("indexing.json");
  return all;
}

std::string case_kind(const golden::Case& c) { return c.attrs.at("kind").get<std::string>(); }

std::optional<std::int64_t> slice_bound(const nlohmann::json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::int64_t>(v.get<std::int64_t>());
}

// The case's index list: its JSON entries as TensorIndex (masks in `dtype`, positions as int64).
std::vector<TensorIndex> index_list(const golden::Case& c, lucid::DType dtype) {
  std::vector<TensorIndex> list;
  for (const nlohmann::json& e : c.attrs.at("index")) {
    if (e.contains("int")) list.emplace_back(e.at("int").get<std::int64_t>());
    if (e.contains("slice")) list.emplace_back(Slice(slice_bound(e.at("slice")[0]), slice_bound(e.at("slice")[1]), slice_bound(e.at("slice")[2])));
    if (e.contains("none")) list.emplace_back(None);
    if (e.contains("ellipsis")) list.emplace_back(Ellipsis);
    if (e.contains("tensor")) list.emplace_back(c.tensor(e.at("tensor").get<std::string>(), lucid::int64));
    if (e.contains("mask")) list.emplace_back(c.tensor(e.at("mask").get<std::string>(), dtype));
  }
  return list;
}

// The in-place scenarios, written as make_indexing_golden.py writes them.
Tensor run_scenario(const golden::Case& c, const std::vector<Tensor>& in) {
  if (c.name == "view_mul_") {
    Tensor h = in[0] * 2.0;
    h.narrow(1, 1, 2).mul_(in[1]);
    return h;
  }
  if (c.name == "copy_into_buffer") {
    Tensor buf = lucid::zeros({3, 4}, in[0].dtype());
    buf.narrow(0, 0, 2).copy_(in[0]);
    return buf * buf;
  }
  if (c.name == "view_of_view_add_") {
    Tensor h = in[0] * 1.0;
    h.select(0, 1).narrow(0, 1, 3).add_(in[1]);
    return h;
  }
  if (c.name == "stale_view") {
    Tensor h = in[0] * 1.0;
    const Tensor v = h.index({Slice(), Slice(1, None, 2)});
    h.mul_(3.0);
    return v * v;
  }
  Tensor h = in[0] * 1.0;  // two_views
  Tensor a = h.index({0});
  Tensor b = h.index({Slice(1, 3)});
  a.add_(in[1]);
  b.mul_(in[2]);
  return h * h;
}

// The case's computation on its inputs (in0, and in1 for index_put_'s values or the scenario's).
Tensor run_indexing_case(const golden::Case& c, const std::vector<Tensor>& in) {
  const std::string k = case_kind(c);
  if (k == "index") return in[0].index(index_list(c, in[0].dtype()));
  if (k == "scenario") return run_scenario(c, in);
  Tensor h = in[0] * 1.0;
  if (c.attrs.contains("scalar")) {
    h.index_put_(index_list(c, h.dtype()), c.attrs.at("scalar").get<double>());
  } else {
    h.index_put_(index_list(c, h.dtype()), in[1]);
  }
  return h;
}

std::vector<Tensor> indexing_inputs(const golden::Case& c, lucid::DType dtype) {
  std::vector<Tensor> in;
  for (int i = 0; c.tensors.count("in" + std::to_string(i)) != 0; ++i) {
    in.push_back(c.tensor("in" + std::to_string(i), dtype).detach().requires_grad_(true));
  }
  return in;
}

class IndexingParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(IndexingParity, OutputsGradientsAndStridesMatchPyTorch) {
  const golden::Case& c = indexing_cases()[std::get<0>(GetParam())];
  const golden::Precision p = std::get<1>(GetParam());
  const std::vector<Tensor> in = indexing_inputs(c, p.dtype);
  const Tensor out = run_indexing_case(c, in);
  EXPECT_TRUE(golden::all_close(out, c.tensor("out", p.dtype), p.output_rtol, 0.0));
  if (c.attrs.contains("strides")) {  // a basic index: a view of in0's storage, laid out as PyTorch's
    const auto strides = c.attrs.at("strides").get<std::vector<std::int64_t>>();
    const lucid::Shape::Dims got = out.strides();
    EXPECT_EQ(std::vector<std::int64_t>(got.begin(), got.end()), strides);
    EXPECT_EQ(out.storage_offset(), c.attrs.at("storage_offset").get<std::int64_t>());
    EXPECT_EQ(out.impl()->storage, in[0].impl()->storage);
  }
  (out * c.tensor("gy", p.dtype)).sum().backward();
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_TRUE(golden::all_close(in[i].grad(), c.tensor("d" + std::to_string(i), p.dtype), p.grad_rtol, 1e-12))
        << "gradient of input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, IndexingParity, golden::parity_params(indexing_cases()),
                         golden::ParityName{indexing_cases()});

TEST(IndexingGradients, GradcheckAndGradgradcheckEveryCase) {
  for (const golden::Case& c : indexing_cases()) {
    SCOPED_TRACE(c.name);
    const auto fn = [&c](const std::vector<Tensor>& in) {
      const Tensor out = run_indexing_case(c, in);
      return (out.tanh() * out).sum();
    };
    EXPECT_GRADCHECK(fn, indexing_inputs(c, lucid::float64));
    EXPECT_GRADGRADCHECK(fn, indexing_inputs(c, lucid::float64));
  }
}

TEST(StridedViews, ShareStorageAndVersionWithTheirBase) {
  Tensor x = lucid::arange(0.0, 24.0).reshape({4, 6});
  Tensor column = x.select(1, 2);
  EXPECT_FALSE(column.is_contiguous());
  EXPECT_EQ(column.to_vector<float>(), (std::vector<float>{2, 8, 14, 20}));
  const std::uint64_t before = x._version();
  column.fill_(-1.0);
  EXPECT_EQ(x._version(), before + 1);
  EXPECT_EQ(column._version(), x._version());
  EXPECT_EQ(x.index({Slice(), 2}).sum().item(), -4.0);
  x.index_put_({Slice(None, None, 2), Slice(4, None)}, 0.5);  // rows 0 and 2, columns 4 and 5
  EXPECT_EQ(x.index({2, Slice(3, None)}).to_vector<float>(), (std::vector<float>{15, 0.5, 0.5}));
  EXPECT_EQ(x._version(), before + 2);
  // Ops read views through their strides; a view of a view stays a view of the same storage.
  EXPECT_EQ((column * 2.0).to_vector<float>(), (std::vector<float>{-2, -2, -2, -2}));
  EXPECT_EQ(x.index({Slice(1, 3)}).index({Slice(), Slice(None, None, 3)}).impl()->storage, x.impl()->storage);
  EXPECT_EQ(x.t().index({0}).contiguous().to_vector<float>(), (std::vector<float>{0, 6, 12, 18}));
}

// In-place ops whose backward reads a saved strided view (relu_ saves its output). The views share
// one version counter, so a write through one after relu_ invalidates relu_'s saved output, as in
// PyTorch (which raises for the same sequence).
TEST(StridedViews, InPlaceActivationsThroughAColumnViewMatchTheirOutOfPlaceForms) {
  const Tensor x = lucid::randn({3, 4}, lucid::float64).requires_grad_();
  Tensor h = x * 1.0;
  h.select(1, 0).sigmoid_();
  h.narrow(1, 1, 2).relu_();
  (h * h).sum().backward();
  const Tensor expected_h = lucid::cat({x.narrow(1, 0, 1).sigmoid(), x.narrow(1, 1, 2).relu(), x.narrow(1, 3, 1)}, 1);
  const Tensor x2 = x.detach().requires_grad_();
  const Tensor h2 = lucid::cat({x2.narrow(1, 0, 1).sigmoid(), x2.narrow(1, 1, 2).relu(), x2.narrow(1, 3, 1)}, 1);
  (h2 * h2).sum().backward();
  EXPECT_EQ(h.to_vector<double>(), expected_h.to_vector<double>());
  EXPECT_EQ(x.grad().to_vector<double>(), x2.grad().to_vector<double>());
  Tensor late = x * 1.0;
  late.narrow(1, 1, 2).relu_();
  late.select(1, 0).sigmoid_();
  EXPECT_THROW((late * late).sum().backward(), lucid::RuntimeError);
}

TEST(StridedViews, ASavedTensorWrittenThroughIndexPutRaisesInBackward) {
  const Tensor x = lucid::randn({3, 4}, lucid::float64).requires_grad_();
  Tensor h = x * 1.0;
  const Tensor y = (h * h).sum();
  h.index_put_({h > 0.0}, 0.0);
  EXPECT_THROW(y.backward(), lucid::RuntimeError);
}

TEST(StridedViews, WritingIntoAViewOfALeafThatRequiresGradRaises) {
  Tensor w = lucid::randn({3, 4}).requires_grad_();
  EXPECT_THROW(w.index_put_({0}, 1.0), lucid::RuntimeError);
  lucid::autograd::no_grad guard;  // allowed under no_grad, as in PyTorch
  w.index_put_({0}, 1.0);
  EXPECT_EQ(w.index({0}).sum().item(), 4.0);
}

TEST(StridedViews, BadIndicesRaiseValueErrorsNamingTheValues) {
  const Tensor x = lucid::zeros({2, 3});
  const auto message = [&](auto&& call) {
    try {
      call();
    } catch (const lucid::ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { x.index({0, 1, 2}); }).find("too many indices for a tensor of shape (2, 3)"), std::string::npos);
  EXPECT_NE(message([&] { x.index({Slice(), 3}); }).find("index 3 is out of bounds for dimension 1 with size 3"),
            std::string::npos);
  EXPECT_NE(message([&] { x.index({lucid::tensor(std::vector<std::int64_t>{0, -3})}); })
                .find("index -3 is out of bounds for dimension 0 with size 2"),
            std::string::npos);
  EXPECT_NE(message([&] { x.index({Ellipsis, Ellipsis}); }).find("single Ellipsis"), std::string::npos);
  EXPECT_NE(message([&] { x.index({Slice(None, None, 0)}); }).find("Slice step (0) must be positive"), std::string::npos);
  EXPECT_NE(message([&] { x.index({lucid::ones({3})}); }).find("the mask of shape (3,) does not match the indexed shape (2,)"),
            std::string::npos);
  EXPECT_NE(message([&] { x.index({lucid::full({2}, 2.0)}); }).find("element 0 is 2"), std::string::npos);
  Tensor y = lucid::zeros({2, 3});
  EXPECT_NE(message([&] { y.index_put_({lucid::tensor(std::vector<std::int64_t>{0})}, lucid::ones({2})); })
                .find("values of shape (2,) do not broadcast to the indexed shape (1, 3)"),
            std::string::npos);
  EXPECT_EQ(y.sum().item(), 0.0);  // a failed index_put_ writes nothing
  EXPECT_EQ(y._version(), 0u);
}

}  // namespace
