#include "rules/item.h"
#include "fakes/timestamps.h"

#include <gtest/gtest.h>

#include <chrono>

namespace slayer::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr auto& kAllStates = rules::kAllItemStates;

using test::T;

TEST(ItemStateTest, NamesAreTheDocumentedOnes) {
  EXPECT_EQ(ItemStateName(ItemState::kPending), "pending");
  EXPECT_EQ(ItemStateName(ItemState::kAtRisk), "at_risk");
  EXPECT_EQ(ItemStateName(ItemState::kMissed), "missed");
  EXPECT_EQ(ItemStateName(ItemState::kMet), "met");
  EXPECT_EQ(ItemStateName(ItemState::kMetLate), "met_late");
  EXPECT_EQ(ItemStateName(ItemState::kAbandoned), "abandoned");
}

TEST(ItemStateTest, ParseIsTheInverseOfName) {
  for (ItemState state : kAllStates) {
    EXPECT_EQ(ParseItemState(ItemStateName(state)), state) << ItemStateName(state);
  }
}

TEST(ItemStateTest, ParseRejectsEverythingElse) {
  for (std::string_view bad : {"", "Pending", "PENDING", "met-late", "metlate", " met", "met ",
                               "unknown", "success", "failed"}) {
    EXPECT_EQ(ParseItemState(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ItemStateTest, MetMetLateAndAbandonedAreFinal) {
  EXPECT_FALSE(IsFinal(ItemState::kPending));
  EXPECT_FALSE(IsFinal(ItemState::kAtRisk));
  EXPECT_FALSE(IsFinal(ItemState::kMissed));
  EXPECT_TRUE(IsFinal(ItemState::kMet));
  EXPECT_TRUE(IsFinal(ItemState::kMetLate));
  EXPECT_TRUE(IsFinal(ItemState::kAbandoned));
  for (ItemState state : kAllStates) {
    Item item;
    item.state = state;
    EXPECT_EQ(item.open(), !IsFinal(state)) << ItemStateName(state);
  }
}

TEST(ItemKeyTest, ToStringJoinsAllSixPartsWithSlashes) {
  ItemKey key{"prod", "by-9", "sales", "scheduled__2026-11-23T00:00:00+00:00", "load", ""};
  EXPECT_EQ(key.ToString(), "prod/by-9/sales/scheduled__2026-11-23T00:00:00+00:00/load/");
  ItemKey wallclock{"prod", "report-by-9", "daily_sales", "", "", "2026-11-23T09:00:00Z"};
  EXPECT_EQ(wallclock.ToString(), "prod/report-by-9/daily_sales///2026-11-23T09:00:00Z");
  EXPECT_EQ(ItemKey{}.ToString(), "/////");
}

TEST(ItemKeyTest, OrdersFieldByField) {
  ItemKey a{"prod", "r", "a", "", "", ""};
  ItemKey b{"prod", "r", "b", "", "", ""};
  ItemKey a_task{"prod", "r", "a", "", "t", ""};
  EXPECT_LT(a, b);
  EXPECT_LT(a, a_task);
  EXPECT_LT(a_task, b);
  EXPECT_EQ(a, (ItemKey{"prod", "r", "a", "", "", ""}));
}

TEST(ItemTest, DefaultsArePendingWarningNotPaused) {
  Item item;
  EXPECT_EQ(item.state, ItemState::kPending);
  EXPECT_EQ(item.severity, "warning");
  EXPECT_FALSE(item.paused);
  EXPECT_FALSE(item.logical_date || item.done_at || item.missed_at || item.reference_time);
  EXPECT_TRUE(item.open());
}

TEST(ItemTest, LatenessIsDoneAtMinusNeedByForMetLateOnly) {
  Item item;
  item.need_by = T("2026-11-23T09:00:00Z");
  item.done_at = T("2026-11-23T09:42:00.5Z");
  item.state = ItemState::kMetLate;
  EXPECT_EQ(item.lateness(), minutes(42) + std::chrono::milliseconds(500));

  for (ItemState state : kAllStates) {
    if (state == ItemState::kMetLate) continue;
    item.state = state;
    EXPECT_EQ(item.lateness(), Duration::zero()) << ItemStateName(state);
  }

  item.state = ItemState::kMetLate;
  item.done_at.reset();
  EXPECT_EQ(item.lateness(), Duration::zero());
}

TEST(ItemTest, OverdueGrowsWhileMissedAndIsNeverNegative) {
  Item item;
  item.need_by = T("2026-11-23T09:00:00Z");
  item.state = ItemState::kMissed;
  EXPECT_EQ(item.overdue(T("2026-11-23T11:30:00Z")), hours(2) + minutes(30));
  EXPECT_EQ(item.overdue(T("2026-11-23T09:00:00Z")), Duration::zero());
  EXPECT_EQ(item.overdue(T("2026-11-23T08:00:00Z")), Duration::zero());

  for (ItemState state : kAllStates) {
    if (state == ItemState::kMissed) continue;
    item.state = state;
    EXPECT_EQ(item.overdue(T("2026-11-23T11:30:00Z")), Duration::zero()) << ItemStateName(state);
  }
}

}  // namespace
}  // namespace slayer::rules
