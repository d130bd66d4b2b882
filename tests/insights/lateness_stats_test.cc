#include "insights/lateness_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace slayer::insights {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

std::vector<Duration> Seconds(std::initializer_list<int> values) {
  std::vector<Duration> out;
  for (int v : values) out.push_back(seconds(v));
  return out;
}

std::vector<Duration> OneTo(int n) {
  std::vector<Duration> out;
  for (int i = 1; i <= n; ++i) out.push_back(seconds(i));
  return out;
}

TEST(LatenessStatsTest, EmptyHasNoCount) {
  LatenessStats s = SummarizeLateness({});
  EXPECT_EQ(s.count, 0);
}

TEST(LatenessStatsTest, OneValueIsEveryStatistic) {
  LatenessStats s = SummarizeLateness(Seconds({42}));
  EXPECT_EQ(s.count, 1);
  EXPECT_EQ(s.mean, seconds(42));
  EXPECT_EQ(s.p50, seconds(42));
  EXPECT_EQ(s.p95, seconds(42));
  EXPECT_EQ(s.max, seconds(42));
}

TEST(LatenessStatsTest, NearestRankPicksValuesThatHappened) {
  // No interpolation: p50 of 1..4 is 2 (rank ceil(0.5 * 4) = 2), not 2.5.
  LatenessStats s = SummarizeLateness(Seconds({4, 1, 3, 2}));
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.mean, microseconds(2'500'000));
  EXPECT_EQ(s.p50, seconds(2));
  EXPECT_EQ(s.p95, seconds(4));
  EXPECT_EQ(s.max, seconds(4));
}

TEST(LatenessStatsTest, RanksAreExactAtRoundSizes) {
  LatenessStats twenty = SummarizeLateness(OneTo(20));
  EXPECT_EQ(twenty.p50, seconds(10));  // rank 10
  EXPECT_EQ(twenty.p95, seconds(19));  // rank 19, not 20
  LatenessStats hundred = SummarizeLateness(OneTo(100));
  EXPECT_EQ(hundred.p50, seconds(50));
  EXPECT_EQ(hundred.p95, seconds(95));
  EXPECT_EQ(hundred.max, seconds(100));
  LatenessStats twenty_one = SummarizeLateness(OneTo(21));
  EXPECT_EQ(twenty_one.p50, seconds(11));  // ceil(10.5)
  EXPECT_EQ(twenty_one.p95, seconds(20));  // ceil(19.95)
}

TEST(LatenessStatsTest, OrderOfInputDoesNotMatter) {
  std::vector<Duration> values = OneTo(57);
  std::mt19937 rng(7);
  std::shuffle(values.begin(), values.end(), rng);
  LatenessStats s = SummarizeLateness(values);
  EXPECT_EQ(s.p50, seconds(29));  // ceil(28.5)
  EXPECT_EQ(s.p95, seconds(55));  // ceil(54.15)
  EXPECT_EQ(s.mean, seconds(29));
  EXPECT_EQ(s.max, seconds(57));
}

TEST(LatenessStatsTest, MeanRoundsToTheNearestMicrosecond) {
  EXPECT_EQ(SummarizeLateness({microseconds(1), microseconds(2)}).mean, microseconds(2));
  EXPECT_EQ(SummarizeLateness({microseconds(1), microseconds(1), microseconds(2)}).mean,
            microseconds(1));
}

}  // namespace
}  // namespace slayer::insights
