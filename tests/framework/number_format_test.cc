// lucid::format_number (framework/number_format.h): the shortest decimal that reads back as exactly the
// value, for messages that show a number the caller passed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "framework/number_format.h"

namespace lucid {
namespace {

TEST(FormatNumber, ShortestRoundTripForm) {
  EXPECT_EQ(format_number(3.0000001), "3.0000001");  // ostream's 6 significant digits gave "3"
  EXPECT_EQ(format_number(1e-7), "1e-07");           // std::to_string gave "0.000000"
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(3.0), "3");
  EXPECT_EQ(format_number(-2.5), "-2.5");
  EXPECT_EQ(format_number(-0.0), "-0");
  EXPECT_EQ(format_number(1e19), "1e+19");
}

TEST(FormatNumber, NonFinite) {
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::quiet_NaN()), "nan");
}

TEST(FormatNumber, FloatIsShortestAsAFloat) {
  EXPECT_EQ(format_number(1e20f), "1e+20");  // as a double it is 1.0000000200408773e+20
  EXPECT_EQ(format_number(0.1f), "0.1");
}

TEST(FormatNumber, ReadsBackExactly) {
  for (const double v : {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                         -std::numeric_limits<double>::min(), 1.0 / 3.0, 123456789.123456789, 2.0 / 3e-300}) {
    const std::string s = format_number(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

}  // namespace
}  // namespace lucid
