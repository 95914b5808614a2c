// 2-D size options (nn::Size2): one integer means both dimensions in every module that takes one,
// so {.padding = 1} can never half-initialise a pair; `same` padding; grouped convolutions.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;

struct SizeCase {
  std::string name;
  std::function<std::shared_ptr<nn::Module>()> make;
  Shape input, expected_output;
};

// Each module built with one-number size options gives the output shape of the (n, n) pair.
std::vector<SizeCase> size_cases() {
  return {
      {"Conv2dPadding", [] { return std::make_shared<nn::Conv2d>(1, 8, nn::Size2{3, 3}, nn::Conv2dOptions{.padding = 1}); },
       {1, 1, 28, 28}, {1, 8, 28, 28}},
      {"Conv2dKernelAndPadding", [] { return std::make_shared<nn::Conv2d>(1, 8, 5, nn::Conv2dOptions{.padding = 2}); },
       {1, 1, 28, 28}, {1, 8, 28, 28}},
      {"Conv2dStride", [] { return std::make_shared<nn::Conv2d>(1, 2, 3, nn::Conv2dOptions{.stride = 2}); },
       {1, 1, 9, 9}, {1, 2, 4, 4}},
      {"Conv2dDilation", [] { return std::make_shared<nn::Conv2d>(1, 2, 3, nn::Conv2dOptions{.dilation = 2}); },
       {1, 1, 9, 9}, {1, 2, 5, 5}},
      {"Conv2dSame", [] { return std::make_shared<nn::Conv2d>(2, 4, 3, nn::Conv2dOptions{.padding = nn::same, .dilation = 2}); },
       {1, 2, 7, 6}, {1, 4, 7, 6}},
      {"MaxPool2dStrideAndPadding", [] { return std::make_shared<nn::MaxPool2d>(3, nn::MaxPool2dOptions{.stride = 2, .padding = 1}); },
       {1, 1, 8, 8}, {1, 1, 4, 4}},
      {"AvgPool2dStride", [] { return std::make_shared<nn::AvgPool2d>(2, nn::AvgPool2dOptions{.stride = 1}); },
       {1, 1, 5, 5}, {1, 1, 4, 4}},
      {"AdaptiveAvgPool2d", [] { return std::make_shared<nn::AdaptiveAvgPool2d>(3); }, {1, 1, 9, 7}, {1, 1, 3, 3}},
  };
}

class SizeOptions : public ::testing::TestWithParam<SizeCase> {};

TEST_P(SizeOptions, OneNumberMeansBothDimensions) {
  const SizeCase& c = GetParam();
  EXPECT_EQ(c.make()->operator()(zeros(c.input)).shape(), c.expected_output);
}

INSTANTIATE_TEST_SUITE_P(Modules, SizeOptions, ::testing::ValuesIn(size_cases()), ParamName());

TEST(Size2, IsBothDimensionsFromOneNumberAndPrintsAsGiven) {
  const nn::Conv2dOptions options{.padding = 1};
  EXPECT_EQ(options.padding.values(), (std::array<std::int64_t, 2>{1, 1}));
  EXPECT_EQ(nn::Size2(2), nn::Size2(2, 2));
  EXPECT_EQ(nn::Size2(2).str(), "2");
  EXPECT_EQ(nn::Size2(2, 3).str(), "(2, 3)");
  EXPECT_FALSE(nn::Conv2dPadding(1).is_same());
  EXPECT_TRUE(nn::Conv2dPadding(nn::same).is_same());
}

TEST(Conv2dSame, EqualsExplicitPaddingEvenWhenUnevenAndRejectsStrides) {
  manual_seed(4);
  const Tensor x = randn({2, 3, 6, 5}, float64), w = randn({4, 3, 3, 5}, float64);
  const Tensor same = F::conv2d(x, w, {}, {.padding = nn::same});
  EXPECT_EQ(same.shape(), (Shape{2, 4, 6, 5}));
  EXPECT_EQ(same.to_vector<double>(), F::conv2d(x, w, {}, {.padding = {1, 2}}).to_vector<double>());
  EXPECT_TRUE(contains(error_message<ValueError>([&] { F::conv2d(x, w, {}, {.stride = 2, .padding = nn::same}); }),
                       "padding='same' needs stride 1, got stride (2, 2)"));
  // An even kernel needs uneven padding: the extra row / column goes after the input (bottom / right),
  // as PyTorch; the same as padding the input's copy explicitly and convolving without padding.
  const Tensor even_w = randn({4, 3, 2, 4}, float64);
  const Tensor uneven = F::conv2d(x, even_w, {}, {.padding = nn::same});
  EXPECT_EQ(uneven.shape(), (Shape{2, 4, 6, 5}));
  Tensor padded = zeros({2, 3, 7, 8}, float64);  // 1 row after; 1 column before, 2 after
  for (std::int64_t n = 0; n < 2; ++n) {
    for (std::int64_t c = 0; c < 3; ++c) {
      for (std::int64_t i = 0; i < 6; ++i) {
        for (std::int64_t j = 0; j < 5; ++j) {
          padded.data<double>()[((n * 3 + c) * 7 + i) * 8 + j + 1] = x.data<double>()[((n * 3 + c) * 6 + i) * 5 + j];
        }
      }
    }
  }
  EXPECT_EQ(uneven.to_vector<double>(), F::conv2d(padded, even_w, {}, {}).to_vector<double>());
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Conv2d(1, 1, 3, {.stride = 2, .padding = nn::same}); }),
                       "padding='same' needs stride 1"));
  std::ostringstream os;
  os << nn::Conv2d(1, 2, 3, {.padding = nn::same});
  EXPECT_EQ(os.str(), "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding='same')");
}

TEST(Conv2dGroups, GradcheckAndPrinting) {
  manual_seed(8);
  for (std::int64_t groups : {2, 4}) {  // grouped, depthwise
    nn::Conv2d conv(4, 8, {3, 2}, {.padding = 1, .groups = groups, .dtype = float64});
    EXPECT_EQ(conv.weight.shape(), (Shape{8, 4 / groups, 3, 2}));
    const Tensor x = randn({2, 4, 5, 4}, float64, true);
    EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return F::conv2d(in[0], in[1], in[2], {.padding = 1, .groups = groups}); },
                     {x, conv.weight, conv.bias});
  }
  std::ostringstream os;
  os << nn::Conv2d(32, 32, 3, {.padding = 1, .groups = 32, .bias = false});
  EXPECT_EQ(os.str(), "Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=32, bias=False)");
}

TEST(Conv2dGroups, ChannelsMustDivide) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Conv2d(6, 4, 3, {.groups = 4}); }),
                       "groups (4) must be ≥ 1 and divide in_channels (6) and out_channels (4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { F::conv2d(zeros({1, 4, 3, 3}), zeros({4, 2, 1, 1}), {}, {.groups = 3}); }),
                       "groups (3)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { F::conv2d(zeros({1, 4, 3, 3}), zeros({4, 1, 1, 1}), {}, {.groups = 2}); }),
                       "with groups=2 expects 2"));
}

TEST(ModuleOptions, EveryConfigurableModuleKeepsItsOptions) {
  const nn::Linear fc(4, 2, {.bias = false, .dtype = float64});
  EXPECT_FALSE(fc.options.bias);
  EXPECT_EQ(fc.weight.dtype(), float64);
  const nn::Conv2d conv(2, 2, 3, {.stride = {2, 1}, .groups = 2});
  EXPECT_EQ(conv.options.stride, nn::Size2(2, 1));
  EXPECT_EQ(conv.options.groups, 2);
  EXPECT_EQ(conv.options.padding_mode, nn::PaddingMode::zeros);
  const nn::MaxPool2d pool(3, {.padding = 1});
  EXPECT_EQ(pool.kernel_size, nn::Size2(3));
  EXPECT_FALSE(pool.options.stride.has_value());
  EXPECT_TRUE(nn::ReLU({.inplace = true}).options.inplace);
}

}  // namespace
}  // namespace lucid::test
