#include "insights/display_zone.h"

#include <gtest/gtest.h>

#include "fakes/timestamps.h"

namespace slayer::insights {
namespace {

using Slot = DisplayZone::Slot;
using test::T;

DisplayZone Berlin() {
  auto zone = DisplayZone::Make("Europe/Berlin");
  EXPECT_TRUE(zone) << zone.error().message();
  return zone ? *zone : DisplayZone();
}

TEST(DisplayZoneTest, DefaultIsUtcWithMondayFirst) {
  DisplayZone utc;
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.SlotOf(T("2026-11-23T09:30:00Z")), (Slot{0, 9}));   // Monday
  EXPECT_EQ(utc.SlotOf(T("2026-11-22T23:59:59Z")), (Slot{6, 23}));  // Sunday
  EXPECT_EQ(utc.SlotOf(T("2026-11-28T00:00:00Z")), (Slot{5, 0}));   // Saturday
}

TEST(DisplayZoneTest, NamedUtcMatchesTheDefault) {
  auto utc = DisplayZone::Make("UTC");
  ASSERT_TRUE(utc) << utc.error().message();
  EXPECT_EQ(utc->SlotOf(T("2026-07-01T08:00:00Z")), (Slot{2, 8}));
}

TEST(DisplayZoneTest, BerlinWinterAndSummer) {
  DisplayZone berlin = Berlin();
  EXPECT_EQ(berlin.name(), "Europe/Berlin");
  EXPECT_EQ(berlin.SlotOf(T("2026-11-23T08:00:00Z")), (Slot{0, 9}));   // CET, +1
  EXPECT_EQ(berlin.SlotOf(T("2026-07-01T08:00:00Z")), (Slot{2, 10}));  // CEST, +2
}

TEST(DisplayZoneTest, LocalMidnightMovesTheWeekday) {
  // Sunday 23:30 UTC is Monday 00:30 in Berlin.
  EXPECT_EQ(Berlin().SlotOf(T("2026-11-22T23:30:00Z")), (Slot{0, 0}));
}

TEST(DisplayZoneTest, SpringForwardSkipsTwoOClock) {
  DisplayZone berlin = Berlin();
  EXPECT_EQ(berlin.SlotOf(T("2026-03-29T00:30:00Z")), (Slot{6, 1}));  // 01:30 CET
  EXPECT_EQ(berlin.SlotOf(T("2026-03-29T01:00:00Z")), (Slot{6, 3}));  // 03:00 CEST
  EXPECT_EQ(berlin.SlotOf(T("2026-03-29T01:30:00Z")), (Slot{6, 3}));
}

TEST(DisplayZoneTest, FallBackRepeatsTwoOClock) {
  DisplayZone berlin = Berlin();
  EXPECT_EQ(berlin.SlotOf(T("2026-10-25T00:30:00Z")), (Slot{6, 2}));  // 02:30 CEST
  EXPECT_EQ(berlin.SlotOf(T("2026-10-25T01:30:00Z")), (Slot{6, 2}));  // 02:30 CET
  EXPECT_EQ(berlin.SlotOf(T("2026-10-25T02:30:00Z")), (Slot{6, 3}));
}

TEST(DisplayZoneTest, HalfHourZones) {
  auto kolkata = DisplayZone::Make("Asia/Kolkata");  // +05:30
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata->SlotOf(T("2026-11-23T18:29:59Z")), (Slot{0, 23}));
  EXPECT_EQ(kolkata->SlotOf(T("2026-11-23T18:30:00Z")), (Slot{1, 0}));
}

TEST(DisplayZoneTest, UnknownZoneIsAnError) {
  auto zone = DisplayZone::Make("Europe/Berln");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zone.error().message().find("'Europe/Berln'"), std::string::npos);
}

}  // namespace
}  // namespace slayer::insights
