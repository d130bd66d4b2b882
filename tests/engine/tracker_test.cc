#include "engine/tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "rules/evaluate.h"
#include "rules/item.h"
#include "fakes/timestamps.h"

namespace slayer::engine {
namespace {

using rules::Item;
using rules::ItemKey;
using rules::ItemState;
using rules::Observation;
using rules::Progress;
using std::chrono::hours;
using std::chrono::minutes;

using test::T;

std::optional<Timestamp> Time(std::string_view text) { return T(text); }

ItemKey Key(std::string run_id, std::string rule = "in-2h", std::string task_id = "") {
  return {"prod", std::move(rule), "etl", std::move(run_id), std::move(task_id), ""};
}

const ItemKey kRun = Key("scheduled__2026-03-01T10:00:00+00:00");

Observation Open(const ItemKey& key, std::string_view need_by) {
  Observation o;
  o.item.key = key;
  o.item.need_by = T(need_by);
  o.item.logical_date = T("2026-03-01T10:00:00Z");
  o.item.reference = "dagrun.logical_date";
  o.item.reference_time = T("2026-03-01T10:00:00Z");
  o.progress = Progress::kOpen;
  return o;
}

Observation Done(const ItemKey& key, std::string_view need_by, std::optional<Timestamp> at) {
  Observation o = Open(key, need_by);
  o.progress = Progress::kDone;
  o.progress_at = at;
  return o;
}

Observation Failed(const ItemKey& key, std::string_view need_by, std::optional<Timestamp> at) {
  Observation o = Open(key, need_by);
  o.progress = Progress::kFailed;
  o.progress_at = at;
  return o;
}

ApplyResult Apply(Tracker& tracker, const Observation& o, std::string_view now) {
  std::vector<Observation> obs{o};
  return tracker.Apply(obs, T(now));
}

std::vector<ItemState> States(const ApplyResult& r) {
  std::vector<ItemState> out;
  for (const Transition& t : r.transitions) out.push_back(t.item.state);
  return out;
}

TEST(TrackerTest, NewOpenItemBeforeNeedByIsPending) {
  Tracker tracker;
  ApplyResult r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_FALSE(r.transitions[0].from.has_value());
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.key, kRun);
  EXPECT_EQ(r.transitions[0].item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_TRUE(r.removed.empty());

  ASSERT_NE(tracker.Find(kRun), nullptr);
  EXPECT_EQ(tracker.Find(kRun)->state, ItemState::kPending);
  EXPECT_EQ(tracker.open().size(), 1u);
  EXPECT_FALSE(tracker.IsFinal(kRun));
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T12:00:00Z"));
  EXPECT_EQ(tracker.NextNeedByAfter(T("2026-03-01T11:00:00Z")), Time("2026-03-01T12:00:00Z"));
  EXPECT_EQ(tracker.NextNeedByAfter(T("2026-03-01T12:00:00Z")), std::nullopt);
  EXPECT_TRUE(tracker.Due(T("2026-03-01T11:59:59Z")).empty());
  EXPECT_EQ(tracker.Due(T("2026-03-01T12:00:00Z")), std::vector<ItemKey>{kRun});

  // The same observation again changes nothing.
  r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:30:00Z");
  EXPECT_TRUE(r.transitions.empty());
}

TEST(TrackerTest, OpenAtNeedByIsMissedThenDoneIsMetLate) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T12:00:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMissed);
  EXPECT_EQ(r.transitions[0].item.missed_at, Time("2026-03-01T12:00:00Z"));
  EXPECT_EQ(tracker.Find(kRun)->state, ItemState::kMissed);
  EXPECT_TRUE(tracker.Due(T("2026-03-01T13:00:00Z")).empty());  // no longer pending
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);
  EXPECT_EQ(tracker.Find(kRun)->overdue(T("2026-03-01T12:10:00Z")), minutes(10));

  // Still open later: stays missed, no new transition.
  r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T12:10:00Z");
  EXPECT_TRUE(r.transitions.empty());
  EXPECT_EQ(tracker.Find(kRun)->missed_at, Time("2026-03-01T12:00:00Z"));

  r = Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T12:20:00Z")),
            "2026-03-01T12:21:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  const Transition& t = r.transitions[0];
  EXPECT_EQ(t.from, ItemState::kMissed);
  EXPECT_EQ(t.item.state, ItemState::kMetLate);
  EXPECT_EQ(t.item.done_at, Time("2026-03-01T12:20:00Z"));
  EXPECT_EQ(t.item.missed_at, Time("2026-03-01T12:00:00Z"));
  EXPECT_EQ(t.item.lateness(), minutes(20));
  EXPECT_TRUE(tracker.IsFinal(kRun));
  EXPECT_EQ(tracker.Find(kRun), nullptr);
  EXPECT_TRUE(tracker.open().empty());
  EXPECT_EQ(tracker.final_count(), 1u);

  // A final key is ignored on re-observation, whatever it says.
  r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T13:00:00Z");
  EXPECT_TRUE(r.transitions.empty());
  r = Apply(tracker, Failed(kRun, "2026-03-01T12:00:00Z", std::nullopt), "2026-03-01T13:00:00Z");
  EXPECT_TRUE(r.transitions.empty());
  EXPECT_TRUE(tracker.open().empty());
}

TEST(TrackerTest, NewOpenItemPastNeedByIsCreatedAndMissed) {
  Tracker tracker;
  ApplyResult r = Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T12:30:00Z");
  ASSERT_EQ(r.transitions.size(), 2u);
  EXPECT_FALSE(r.transitions[0].from.has_value());
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kPending);
  EXPECT_EQ(r.transitions[1].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[1].item.state, ItemState::kMissed);
  EXPECT_EQ(r.transitions[1].item.missed_at, Time("2026-03-01T12:30:00Z"));
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);
}

TEST(TrackerTest, DoneBeforeNeedByIsMet) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T11:50:00Z")),
                        "2026-03-01T11:51:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMet);
  EXPECT_EQ(r.transitions[0].item.done_at, Time("2026-03-01T11:50:00Z"));
  EXPECT_EQ(r.transitions[0].item.lateness(), Duration::zero());
  EXPECT_TRUE(tracker.IsFinal(kRun));
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);
  EXPECT_TRUE(tracker.Due(T("2026-03-01T13:00:00Z")).empty());
}

TEST(TrackerTest, DoneExactlyAtNeedByIsMet) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T12:00:00Z")),
                        "2026-03-01T12:00:01Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMet);
}

TEST(TrackerTest, PendingItemDoneAfterNeedByIsMetLate) {
  // The miss was never declared (no observation between need-by and the end), but the work
  // ended late.
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T12:05:00Z")),
                        "2026-03-01T12:06:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMetLate);
  EXPECT_EQ(r.transitions[0].item.lateness(), minutes(5));
  EXPECT_FALSE(r.transitions[0].item.missed_at.has_value());
}

TEST(TrackerTest, DoneWithoutTimeCountsAsDoneNow) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r =
      Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", std::nullopt), "2026-03-01T12:30:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMetLate);
  EXPECT_EQ(r.transitions[0].item.done_at, Time("2026-03-01T12:30:00Z"));
  EXPECT_EQ(r.transitions[0].item.lateness(), minutes(30));
}

TEST(TrackerTest, FailedIsAbandoned) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, Failed(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T11:40:00Z")),
                        "2026-03-01T11:41:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kAbandoned);
  EXPECT_EQ(r.transitions[0].item.done_at, Time("2026-03-01T11:40:00Z"));
  EXPECT_TRUE(tracker.IsFinal(kRun));
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);
}

TEST(TrackerTest, MissedThenFailedIsAbandoned) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T12:00:00Z");
  ApplyResult r =
      Apply(tracker, Failed(kRun, "2026-03-01T12:00:00Z", std::nullopt), "2026-03-01T12:30:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kMissed);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kAbandoned);
  EXPECT_FALSE(r.transitions[0].item.done_at.has_value());
}

TEST(TrackerTest, DoneObservationOfANewItemIsCreatedThenMet) {
  Tracker tracker;
  ApplyResult r = Apply(tracker, Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T11:30:00Z")),
                        "2026-03-01T11:35:00Z");
  ASSERT_EQ(r.transitions.size(), 2u);
  EXPECT_FALSE(r.transitions[0].from.has_value());
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kPending);
  EXPECT_FALSE(r.transitions[0].item.done_at.has_value());
  EXPECT_EQ(r.transitions[1].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[1].item.state, ItemState::kMet);
  EXPECT_EQ(r.transitions[1].item.done_at, Time("2026-03-01T11:30:00Z"));
  EXPECT_TRUE(tracker.IsFinal(kRun));
  EXPECT_TRUE(tracker.open().empty());
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);
}

TEST(TrackerTest, UnarmedObservationsAreIgnored) {
  Tracker tracker;
  Observation o = Open(kRun, "2026-03-01T12:00:00Z");
  o.armed = false;
  EXPECT_TRUE(Apply(tracker, o, "2026-03-01T13:00:00Z").transitions.empty());
  o.progress = Progress::kDone;
  EXPECT_TRUE(Apply(tracker, o, "2026-03-01T13:00:00Z").transitions.empty());
  EXPECT_TRUE(tracker.open().empty());
  EXPECT_FALSE(tracker.IsFinal(kRun));

  // Nor do they touch a tracked item.
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  o.progress = Progress::kFailed;
  EXPECT_TRUE(Apply(tracker, o, "2026-03-01T11:10:00Z").transitions.empty());
  EXPECT_EQ(tracker.Find(kRun)->state, ItemState::kPending);
}

TEST(TrackerTest, PendingNeedByFollowsTheObservation) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  Observation later = Open(kRun, "2026-03-01T12:30:00Z");
  later.item.reference = "dagrun.run_after (logical_date is NULL)";
  later.item.severity = "critical";
  later.item.paused = true;
  ApplyResult r = Apply(tracker, later, "2026-03-01T11:10:00Z");
  EXPECT_TRUE(r.transitions.empty());
  const Item* item = tracker.Find(kRun);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->need_by, T("2026-03-01T12:30:00Z"));
  EXPECT_EQ(item->reference, "dagrun.run_after (logical_date is NULL)");
  EXPECT_EQ(item->severity, "critical");
  EXPECT_TRUE(item->paused);
  // The timer queue moved with it.
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T12:30:00Z"));
  EXPECT_TRUE(tracker.Due(T("2026-03-01T12:10:00Z")).empty());
  EXPECT_EQ(tracker.Due(T("2026-03-01T12:30:00Z")), std::vector<ItemKey>{kRun});

  // Earlier again.
  (void)Apply(tracker, Open(kRun, "2026-03-01T11:50:00Z"), "2026-03-01T11:20:00Z");
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T11:50:00Z"));
  EXPECT_EQ(tracker.Due(T("2026-03-01T13:00:00Z")), std::vector<ItemKey>{kRun});
}

TEST(TrackerTest, MissedItemKeepsItsNeedBy) {
  Tracker tracker;
  (void)Apply(tracker, Open(kRun, "2026-03-01T12:00:00Z"), "2026-03-01T12:00:00Z");
  ASSERT_EQ(tracker.Find(kRun)->state, ItemState::kMissed);
  Observation moved = Open(kRun, "2026-03-01T14:00:00Z");
  moved.item.reference = "moved";
  ApplyResult r = Apply(tracker, moved, "2026-03-01T12:30:00Z");
  EXPECT_TRUE(r.transitions.empty());
  EXPECT_EQ(tracker.Find(kRun)->need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(tracker.Find(kRun)->reference, "dagrun.logical_date");
  EXPECT_EQ(tracker.Find(kRun)->state, ItemState::kMissed);
  EXPECT_EQ(tracker.NextNeedBy(), std::nullopt);

  // Lateness counts from the need-by of the miss.
  r = Apply(tracker, Done(kRun, "2026-03-01T14:00:00Z", T("2026-03-01T13:00:00Z")),
            "2026-03-01T13:01:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMetLate);
  EXPECT_EQ(r.transitions[0].item.lateness(), hours(1));
}

// --- expected runs re-keyed to the real run ---

const ItemKey kExpected = Key("scheduled__2026-03-01T10:00:00+00:00");
const ItemKey kReal = Key("manual__2026-03-01T11:00:07+00:00");

Observation ExpectedSlot(std::string_view need_by) {
  Observation o = Open(kExpected, need_by);
  o.item.expected = true;
  o.schedule_slot = true;
  return o;
}

Observation RealRun(const ItemKey& key, std::string_view need_by) {
  Observation o = Open(key, need_by);
  o.schedule_slot = true;
  return o;
}

TEST(TrackerTest, ExpectedRunIsReKeyedToTheRealRun) {
  Tracker tracker;
  (void)Apply(tracker, ExpectedSlot("2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ASSERT_NE(tracker.Find(kExpected), nullptr);
  EXPECT_TRUE(tracker.Find(kExpected)->expected);

  ApplyResult r = Apply(tracker, RealRun(kReal, "2026-03-01T12:00:00Z"), "2026-03-01T11:10:00Z");
  EXPECT_EQ(r.removed, std::vector<ItemKey>{kExpected});
  EXPECT_TRUE(r.transitions.empty());  // same state, same need-by
  EXPECT_EQ(tracker.Find(kExpected), nullptr);
  EXPECT_FALSE(tracker.IsFinal(kExpected));
  const Item* item = tracker.Find(kReal);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->key, kReal);
  EXPECT_EQ(item->state, ItemState::kPending);
  EXPECT_FALSE(item->expected);
  EXPECT_EQ(tracker.open().size(), 1u);
  EXPECT_EQ(tracker.Due(T("2026-03-01T12:00:00Z")), std::vector<ItemKey>{kReal});
}

TEST(TrackerTest, MissedExpectedRunKeepsItsStateUnderTheRealKey) {
  Tracker tracker;
  (void)Apply(tracker, ExpectedSlot("2026-03-01T12:00:00Z"), "2026-03-01T12:00:00Z");
  ASSERT_EQ(tracker.Find(kExpected)->state, ItemState::kMissed);
  ApplyResult r = Apply(tracker, RealRun(kReal, "2026-03-01T12:00:00Z"), "2026-03-01T12:20:00Z");
  EXPECT_EQ(r.removed, std::vector<ItemKey>{kExpected});
  EXPECT_TRUE(r.transitions.empty());
  const Item* item = tracker.Find(kReal);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->state, ItemState::kMissed);
  EXPECT_EQ(item->missed_at, Time("2026-03-01T12:00:00Z"));

  r = Apply(tracker, Done(kReal, "2026-03-01T12:00:00Z", T("2026-03-01T12:45:00Z")),
            "2026-03-01T12:46:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kMissed);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMetLate);
  EXPECT_EQ(r.transitions[0].item.lateness(), minutes(45));
}

TEST(TrackerTest, ReKeyNeedsSameRuleLogicalDateAndDagLevel) {
  Tracker tracker;
  (void)Apply(tracker, ExpectedSlot("2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");

  Observation other_rule = RealRun(Key(kReal.run_id, "other"), "2026-03-01T12:00:00Z");
  EXPECT_TRUE(Apply(tracker, other_rule, "2026-03-01T11:10:00Z").removed.empty());

  Observation other_date = RealRun(Key("manual__b"), "2026-03-01T13:00:00Z");
  other_date.item.logical_date = T("2026-03-01T11:00:00Z");
  EXPECT_TRUE(Apply(tracker, other_date, "2026-03-01T11:10:00Z").removed.empty());

  Observation not_slot = Open(Key("manual__c"), "2026-03-01T12:00:00Z");  // schedule_slot false
  EXPECT_TRUE(Apply(tracker, not_slot, "2026-03-01T11:10:00Z").removed.empty());

  EXPECT_NE(tracker.Find(kExpected), nullptr);
  EXPECT_EQ(tracker.open().size(), 4u);
}

TEST(TrackerTest, RealRunsWithOneLogicalDateKeepTheirOwnItems) {
  // A manual Airflow 3 run with a NULL logical date is keyed by its run_after (evaluate.cc
  // LogicalDateOf), which can equal a scheduled run's logical date. Neither is an expected run,
  // so neither takes the other's item, and re-observing both every poll is stable.
  Tracker tracker;
  const ItemKey scheduled = Key("scheduled__2026-03-01T10:00:00+00:00");
  std::vector<Observation> both{RealRun(scheduled, "2026-03-01T12:00:00Z"),
                                RealRun(kReal, "2026-03-01T12:00:00Z")};
  ApplyResult r = tracker.Apply(both, T("2026-03-01T11:00:00Z"));
  EXPECT_TRUE(r.removed.empty());
  EXPECT_EQ(States(r), (std::vector<ItemState>{ItemState::kPending, ItemState::kPending}));
  for (int poll = 0; poll < 2; ++poll) {
    r = tracker.Apply(both, T("2026-03-01T11:10:00Z"));
    EXPECT_TRUE(r.removed.empty());
    EXPECT_TRUE(r.transitions.empty());
  }
  EXPECT_NE(tracker.Find(scheduled), nullptr);
  EXPECT_NE(tracker.Find(kReal), nullptr);
  EXPECT_EQ(tracker.open().size(), 2u);
}

TEST(TrackerTest, ExpectedSlotDoesNotTakeOverARealRunsItem) {
  Tracker tracker;
  (void)Apply(tracker, RealRun(kReal, "2026-03-01T12:00:00Z"), "2026-03-01T11:00:00Z");
  ApplyResult r = Apply(tracker, ExpectedSlot("2026-03-01T12:00:00Z"), "2026-03-01T11:10:00Z");
  EXPECT_TRUE(r.removed.empty());
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].item.key, kExpected);
  EXPECT_NE(tracker.Find(kReal), nullptr);
  EXPECT_NE(tracker.Find(kExpected), nullptr);
}

// --- AbandonRun, Expire, Restore ---

TEST(TrackerTest, AbandonRunAbandonsTheRunsNonExpectedItemsOnly) {
  Tracker tracker;
  const std::string run_id = "scheduled__2026-03-01T10:00:00+00:00";
  const ItemKey dag_level = Key(run_id, "in-2h");
  const ItemKey task_level = Key(run_id, "extract-2h", "extract_a");
  const ItemKey expected = Key(run_id, "end-1h");
  const ItemKey other_run = Key("scheduled__2026-03-01T11:00:00+00:00", "in-2h");
  Observation e = Open(expected, "2026-03-01T12:00:00Z");
  e.item.expected = true;
  std::vector<Observation> obs{Open(dag_level, "2026-03-01T12:00:00Z"),
                               Open(task_level, "2026-03-01T11:30:00Z"), e,
                               Open(other_run, "2026-03-01T13:00:00Z")};
  (void)tracker.Apply(obs, T("2026-03-01T11:40:00Z"));  // task_level is missed now
  ASSERT_EQ(tracker.Find(task_level)->state, ItemState::kMissed);

  ApplyResult r = tracker.AbandonRun("etl", run_id, T("2026-03-01T11:45:00Z"));
  ASSERT_EQ(r.transitions.size(), 2u);
  std::vector<ItemKey> abandoned;
  for (const Transition& t : r.transitions) {
    EXPECT_EQ(t.item.state, ItemState::kAbandoned);
    EXPECT_EQ(t.item.done_at, Time("2026-03-01T11:45:00Z"));
    abandoned.push_back(t.item.key);
    if (t.item.key == task_level) {
      EXPECT_EQ(t.from, ItemState::kMissed);
    } else {
      EXPECT_EQ(t.from, ItemState::kPending);
    }
  }
  std::sort(abandoned.begin(), abandoned.end());
  std::vector<ItemKey> want{dag_level, task_level};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(abandoned, want);
  EXPECT_TRUE(tracker.IsFinal(dag_level));
  EXPECT_TRUE(tracker.IsFinal(task_level));
  EXPECT_NE(tracker.Find(expected), nullptr);
  EXPECT_NE(tracker.Find(other_run), nullptr);
  EXPECT_TRUE(r.removed.empty());
  // The abandoned pending item left the timer queue.
  EXPECT_EQ(tracker.Due(T("2026-03-01T12:00:00Z")), std::vector<ItemKey>{expected});

  EXPECT_TRUE(
      tracker.AbandonRun("other_dag", run_id, T("2026-03-01T11:50:00Z")).transitions.empty());
}

TEST(TrackerTest, ExpireDropsOldOpenItemsAndForgetsOldFinalKeys) {
  Tracker tracker;
  const ItemKey old_open = Key("old_open");
  const ItemKey old_final = Key("old_final");
  const ItemKey new_open = Key("new_open");
  const ItemKey new_final = Key("new_final");
  std::vector<Observation> obs{
      Open(old_open, "2026-03-01T10:00:00Z"),
      Done(old_final, "2026-03-01T09:00:00Z", T("2026-03-01T08:00:00Z")),
      Open(new_open, "2026-03-01T14:00:00Z"),
      Done(new_final, "2026-03-01T13:00:00Z", T("2026-03-01T08:00:00Z")),
  };
  (void)tracker.Apply(obs, T("2026-03-01T08:30:00Z"));
  ASSERT_EQ(tracker.open().size(), 2u);
  ASSERT_EQ(tracker.final_count(), 2u);

  EXPECT_EQ(tracker.Expire(T("2026-03-01T12:00:00Z")), 1u);
  EXPECT_EQ(tracker.Find(old_open), nullptr);
  EXPECT_NE(tracker.Find(new_open), nullptr);
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T14:00:00Z"));
  EXPECT_FALSE(tracker.IsFinal(old_final));
  EXPECT_TRUE(tracker.IsFinal(new_final));

  // Forgotten keys are new again when observed.
  ApplyResult r = Apply(tracker, Done(old_final, "2026-03-01T09:00:00Z", T("2026-03-01T08:00:00Z")),
                        "2026-03-01T12:05:00Z");
  ASSERT_EQ(r.transitions.size(), 2u);
  EXPECT_FALSE(r.transitions[0].from.has_value());
  EXPECT_EQ(r.transitions[1].item.state, ItemState::kMet);
  r = Apply(tracker, Open(old_open, "2026-03-01T10:00:00Z"), "2026-03-01T12:05:00Z");
  ASSERT_EQ(r.transitions.size(), 2u);
  EXPECT_FALSE(r.transitions[0].from.has_value());
  EXPECT_EQ(r.transitions[1].item.state, ItemState::kMissed);
}

TEST(TrackerTest, RestorePutsPendingItemsInTheTimerQueueAndRemembersFinalKeys) {
  Item pending;
  pending.key = Key("pending");
  pending.need_by = T("2026-03-01T12:00:00Z");
  Item at_risk = pending;
  at_risk.key = Key("at_risk");
  at_risk.state = ItemState::kAtRisk;
  at_risk.need_by = T("2026-03-01T12:30:00Z");
  Item missed = pending;
  missed.key = Key("missed");
  missed.state = ItemState::kMissed;
  missed.need_by = T("2026-03-01T10:00:00Z");
  missed.missed_at = T("2026-03-01T10:00:01Z");
  Item met = pending;
  met.key = Key("met");
  met.state = ItemState::kMet;
  met.done_at = T("2026-03-01T11:00:00Z");

  Tracker tracker;
  std::vector<Item> finals{met};
  tracker.Restore({pending, at_risk, missed}, finals);
  EXPECT_EQ(tracker.open().size(), 3u);
  EXPECT_EQ(tracker.final_count(), 1u);
  EXPECT_TRUE(tracker.IsFinal(met.key));
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T12:00:00Z"));
  EXPECT_EQ(tracker.Due(T("2026-03-01T13:00:00Z")),
            (std::vector<ItemKey>{pending.key, at_risk.key}));

  // Final items are ignored on re-observation.
  ApplyResult r = Apply(tracker, Open(met.key, "2026-03-01T12:00:00Z"), "2026-03-01T13:00:00Z");
  EXPECT_TRUE(r.transitions.empty());
  EXPECT_EQ(tracker.Find(met.key), nullptr);

  // Restored items go on from their state.
  r = Apply(tracker, Done(missed.key, "2026-03-01T10:00:00Z", T("2026-03-01T10:30:00Z")),
            "2026-03-01T11:00:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kMissed);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMetLate);
  EXPECT_EQ(r.transitions[0].item.lateness(), minutes(30));

  r = Apply(tracker, Open(pending.key, "2026-03-01T12:00:00Z"), "2026-03-01T12:00:00Z");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].from, ItemState::kPending);
  EXPECT_EQ(r.transitions[0].item.state, ItemState::kMissed);
  EXPECT_EQ(tracker.NextNeedBy(), Time("2026-03-01T12:30:00Z"));
}

TEST(TrackerTest, HashKeyIsStableAndSeparatesParts) {
  const ItemKey a{"ab", "c", "d", "e", "f", "g"};
  const ItemKey b{"a", "bc", "d", "e", "f", "g"};
  EXPECT_NE(HashKey(a), HashKey(b));
  EXPECT_EQ(HashKey(a), HashKey(ItemKey{"ab", "c", "d", "e", "f", "g"}));
  // Moving a part to the next field changes the hash too.
  EXPECT_NE(HashKey(ItemKey{"p", "r", "d", "run", "", ""}),
            HashKey(ItemKey{"p", "r", "d", "", "run", ""}));
  EXPECT_NE(HashKey(ItemKey{"p", "r", "d", "", "", "x"}),
            HashKey(ItemKey{"p", "r", "d", "", "x", ""}));
}

TEST(TrackerTest, MarkAtRiskMovesPendingItemsBeforeTheirNeedByOnly) {
  Tracker tracker;
  const ItemKey late = Key("late");
  const ItemKey due = Key("due");
  tracker.Apply(std::vector<Observation>{Open(late, "2026-03-01T12:00:00Z"),
                                         Open(due, "2026-03-01T11:00:00Z")},
                T("2026-03-01T10:30:00Z"));
  ApplyResult result;
  const std::vector<ItemKey> keys = {late, due, Key("unknown")};
  tracker.MarkAtRisk(keys, T("2026-03-01T11:00:00Z"), result);
  ASSERT_EQ(result.transitions.size(), 1u);  // `due` is at its need-by: a miss, not a risk
  EXPECT_EQ(result.transitions[0].item.key, late);
  EXPECT_EQ(result.transitions[0].item.state, ItemState::kAtRisk);
  EXPECT_EQ(result.transitions[0].from, ItemState::kPending);
  // Sticky, and still a pending item for the timer queue: at its need-by it is missed.
  ApplyResult again;
  tracker.MarkAtRisk(keys, T("2026-03-01T11:01:00Z"), again);
  EXPECT_TRUE(again.transitions.empty());
  EXPECT_EQ(tracker.Due(T("2026-03-01T12:00:00Z")).size(), 2u);
  ApplyResult missed = tracker.Apply(std::vector<Observation>{Open(late, "2026-03-01T12:00:00Z")},
                                     T("2026-03-01T12:00:00Z"));
  ASSERT_EQ(missed.transitions.size(), 1u);
  EXPECT_EQ(missed.transitions[0].from, ItemState::kAtRisk);
  EXPECT_EQ(missed.transitions[0].item.state, ItemState::kMissed);
}

TEST(TrackerTest, AtRiskItemDoneInTimeIsMet) {
  Tracker tracker;
  tracker.Apply(std::vector<Observation>{Open(kRun, "2026-03-01T12:00:00Z")},
                T("2026-03-01T10:30:00Z"));
  ApplyResult result;
  tracker.MarkAtRisk(std::vector<ItemKey>{kRun}, T("2026-03-01T10:40:00Z"), result);
  ApplyResult done = tracker.Apply(
      std::vector<Observation>{Done(kRun, "2026-03-01T12:00:00Z", T("2026-03-01T11:50:00Z"))},
      T("2026-03-01T11:51:00Z"));
  ASSERT_EQ(done.transitions.size(), 1u);
  EXPECT_EQ(done.transitions[0].from, ItemState::kAtRisk);
  EXPECT_EQ(done.transitions[0].item.state, ItemState::kMet);
}

}  // namespace
}  // namespace slayer::engine
