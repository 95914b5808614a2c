// autograd::Profile: which spans become rows, call counts, self times adding up, one Profile per thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"

namespace {

using lucid::autograd::Profile;
using lucid::autograd::ProfileScope;

const Profile::Row* find_row(const std::vector<Profile::Row>& rows, const std::string& name) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const Profile::Row& r) { return r.name == name; });
  return it == rows.end() ? nullptr : &*it;
}

TEST(Profiler, ModulesFusedPairsAndBackwardNodesBecomeRows) {
  lucid::manual_seed(0);
  lucid::nn::Sequential model(lucid::nn::Linear(6, 8), lucid::nn::Flatten(), lucid::nn::GroupNorm(2, 8),
                              lucid::nn::SiLU());
  const lucid::Tensor x = lucid::randn({4, 6});
  Profile profile;
  for (int step = 0; step < 3; ++step) model(x).sum().backward();
  profile.stop();
  const std::vector<Profile::Row> rows = profile.rows();
  for (const char* name : {"forward Sequential", "forward Linear", "forward Flatten", "forward GroupNorm+SiLU"}) {
    const Profile::Row* row = find_row(rows, name);
    ASSERT_NE(row, nullptr) << name;
    EXPECT_EQ(row->calls, 3) << name;
  }
  EXPECT_EQ(find_row(rows, "forward GroupNorm"), nullptr) << "the fused pair is one row";
  ASSERT_NE(find_row(rows, "backward GroupNormSiLUBackward"), nullptr);
  EXPECT_EQ(find_row(rows, "backward GroupNormSiLUBackward")->calls, 3);
  double attributed = 0.0;
  for (const Profile::Row& row : rows) {
    EXPECT_GE(row.seconds, 0.0) << row.name;
    attributed += row.seconds;
  }
  EXPECT_LE(attributed, profile.wall_seconds());
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(),
                             [](const Profile::Row& a, const Profile::Row& b) { return a.seconds > b.seconds; }));
}

TEST(Profiler, NestedSpansCountSelfTimeOnly) {
  Profile profile;
  {
    const ProfileScope outer("step", "outer");
    for (int i = 0; i < 2; ++i) const ProfileScope inner("step", "inner");
  }
  profile.stop();
  const std::vector<Profile::Row> rows = profile.rows();
  ASSERT_NE(find_row(rows, "step outer"), nullptr);
  ASSERT_NE(find_row(rows, "step inner"), nullptr);
  EXPECT_EQ(find_row(rows, "step outer")->calls, 1);
  EXPECT_EQ(find_row(rows, "step inner")->calls, 2);
  EXPECT_LE(find_row(rows, "step outer")->seconds + find_row(rows, "step inner")->seconds, profile.wall_seconds());
  std::ostringstream table;
  table << profile;
  EXPECT_NE(table.str().find("step inner"), std::string::npos);
  EXPECT_NE(table.str().find("(outside any span)"), std::string::npos);
}

TEST(Profiler, OnlyWhileCollectingAndOnePerThread) {
  EXPECT_FALSE(lucid::autograd::is_profiling());
  { const ProfileScope ignored("step", "before"); }  // no Profile: nothing happens
  Profile profile;
  EXPECT_TRUE(lucid::autograd::is_profiling());
  EXPECT_THROW(Profile second, lucid::RuntimeError);
  profile.stop();
  EXPECT_FALSE(lucid::autograd::is_profiling());
  { const ProfileScope ignored("step", "after"); }
  EXPECT_TRUE(profile.rows().empty());
  Profile again;  // a stopped Profile frees the thread for the next one
  EXPECT_TRUE(lucid::autograd::is_profiling());
}

}  // namespace
