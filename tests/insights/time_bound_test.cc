#include "insights/time_bound.h"

#include <gtest/gtest.h>

#include "fakes/timestamps.h"

namespace slayer::insights {
namespace {

using namespace std::chrono;
using test::T;

const Timestamp kNow = T("2026-11-23T12:00:00Z");

TEST(TimeBoundTest, DurationsCountBackFromNow) {
  EXPECT_EQ(*ParseTimeBound("30d", kNow), kNow - days(30));
  EXPECT_EQ(*ParseTimeBound("1h30m", kNow), kNow - minutes(90));
  EXPECT_EQ(*ParseTimeBound("0s", kNow), kNow);
  EXPECT_EQ(*ParseTimeBound("2w", kNow), kNow - days(14));
}

TEST(TimeBoundTest, InstantsAreTakenAsGiven) {
  EXPECT_EQ(*ParseTimeBound("2026-11-01T00:00:00Z", kNow), T("2026-11-01T00:00:00Z"));
  EXPECT_EQ(*ParseTimeBound("2026-11-01T01:00:00+01:00", kNow), T("2026-11-01T00:00:00Z"));
  EXPECT_EQ(*ParseTimeBound("2026-11-01T00:00:00.5Z", kNow), T("2026-11-01T00:00:00.5Z"));
  EXPECT_EQ(*ParseTimeBound("2026-11-01", kNow), T("2026-11-01T00:00:00Z"));
}

TEST(TimeBoundTest, ErrorsQuoteTheTextAndShowBothForms) {
  for (const char* bad :
       {"", "30", "30x", "yesterday", "-5d", "2026-13-45T99:00:00Z", "2026-11-01Tnoon"}) {
    Result<Timestamp> t = ParseTimeBound(bad, kNow);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.error().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << t.error().message();
    EXPECT_NE(t.error().message().find("30d"), std::string::npos);
    EXPECT_NE(t.error().message().find("2026-11-01T00:00:00Z"), std::string::npos);
  }
}

}  // namespace
}  // namespace slayer::insights
