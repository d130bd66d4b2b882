#include "metrics/example_exposition.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace slayer::metrics {
namespace {

// The promtool integration test checks the example exposition; this keeps the example complete.
TEST(ExampleExpositionTest, HoldsEverySpecMetricWithSamples) {
  auto snapshot = BuildExampleSnapshot();
  ASSERT_TRUE(snapshot) << snapshot.error().ToString();
  std::set<std::string> names;
  for (const Family& family : snapshot->families()) {
    names.insert(family.name());
    EXPECT_FALSE(family.empty()) << family.name();
  }
  for (std::string_view name : SpecMetricNames()) {
    EXPECT_TRUE(names.count(std::string(name))) << name;
  }
  EXPECT_EQ(names.size(), SpecMetricNames().size());
}

}  // namespace
}  // namespace slayer::metrics
