#include "rules/reference.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string_view>

#include "airflow/dag_run.h"
#include "airflow/task_instance.h"
#include "common/time.h"
#include "config/config.h"
#include "fakes/timestamps.h"

namespace slayer::rules {
namespace {

using config::Reference;
using std::chrono::hours;

using test::T;

config::Deadline On(Reference reference) {
  config::Deadline d;
  d.reference = reference;
  d.interval = hours(2);
  return d;
}

// A run with every date set, each a different instant.
airflow::DagRun FullRun() {
  airflow::DagRun run;
  run.dag_id = "etl";
  run.run_id = "scheduled__2026-03-01T10:00:00+00:00";
  run.logical_date = T("2026-03-01T10:00:00Z");
  run.data_interval_start = T("2026-03-01T10:00:01Z");
  run.data_interval_end = T("2026-03-01T11:00:00Z");
  run.run_after = T("2026-03-01T11:00:02Z");
  run.queued_at = T("2026-03-01T11:00:03Z");
  run.start_date = T("2026-03-01T11:00:04Z");
  run.state = airflow::DagRunState::kRunning;
  return run;
}

airflow::TaskInstance StartedTask() {
  airflow::TaskInstance ti;
  ti.dag_id = "etl";
  ti.task_id = "extract";
  ti.run_id = "scheduled__2026-03-01T10:00:00+00:00";
  ti.state = airflow::TaskInstanceState::kRunning;
  ti.queued_dttm = T("2026-03-01T11:05:00Z");
  ti.start_date = T("2026-03-01T11:06:00Z");
  return ti;
}

std::optional<Timestamp> Time(std::string_view text) { return T(text); }

TEST(ResolveReferenceTest, EveryRunReferenceOnARunWithAllDates) {
  const airflow::DagRun run = FullRun();
  struct Case {
    Reference reference;
    std::string_view note;
    std::string_view time;
  };
  const Case cases[] = {
      {Reference::kLogicalDate, "dagrun.logical_date", "2026-03-01T10:00:00Z"},
      {Reference::kDataIntervalStart, "dagrun.data_interval_start", "2026-03-01T10:00:01Z"},
      {Reference::kDataIntervalEnd, "dagrun.data_interval_end", "2026-03-01T11:00:00Z"},
      {Reference::kRunAfter, "dagrun.run_after", "2026-03-01T11:00:02Z"},
      {Reference::kQueuedAt, "dagrun.queued_at", "2026-03-01T11:00:03Z"},
      {Reference::kStartDate, "dagrun.start_date", "2026-03-01T11:00:04Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.note);
    ResolvedReference ref = ResolveReference(On(c.reference), run, nullptr);
    EXPECT_EQ(ref.time, Time(c.time));
    EXPECT_EQ(ref.note, c.note);
  }
}

TEST(ResolveReferenceTest, RunReferencesIgnoreTheTaskInstance) {
  const airflow::DagRun run = FullRun();
  const airflow::TaskInstance ti = StartedTask();
  ResolvedReference ref = ResolveReference(On(Reference::kLogicalDate), run, &ti);
  EXPECT_EQ(ref.time, Time("2026-03-01T10:00:00Z"));
  EXPECT_EQ(ref.note, "dagrun.logical_date");
}

TEST(ResolveReferenceTest, TaskReferencesOnAStartedTask) {
  const airflow::DagRun run = FullRun();
  const airflow::TaskInstance ti = StartedTask();
  ResolvedReference queued = ResolveReference(On(Reference::kTaskQueuedAt), run, &ti);
  EXPECT_EQ(queued.time, Time("2026-03-01T11:05:00Z"));
  EXPECT_EQ(queued.note, "task.queued_at");
  ResolvedReference started = ResolveReference(On(Reference::kTaskStartDate), run, &ti);
  EXPECT_EQ(started.time, Time("2026-03-01T11:06:00Z"));
  EXPECT_EQ(started.note, "task.start_date");
}

TEST(ResolveReferenceTest, NullLogicalDateFallsBackToRunAfter) {
  airflow::DagRun run = FullRun();
  run.logical_date.reset();
  ResolvedReference ref = ResolveReference(On(Reference::kLogicalDate), run, nullptr);
  EXPECT_EQ(ref.time, Time("2026-03-01T11:00:02Z"));
  EXPECT_EQ(ref.note, "dagrun.run_after (logical_date is NULL)");
}

TEST(ResolveReferenceTest, NullDataIntervalFallsBackToRunAfter) {
  airflow::DagRun run = FullRun();
  run.data_interval_start.reset();
  run.data_interval_end.reset();
  ResolvedReference start = ResolveReference(On(Reference::kDataIntervalStart), run, nullptr);
  EXPECT_EQ(start.time, Time("2026-03-01T11:00:02Z"));
  EXPECT_EQ(start.note, "dagrun.run_after (data_interval_start is NULL)");
  ResolvedReference end = ResolveReference(On(Reference::kDataIntervalEnd), run, nullptr);
  EXPECT_EQ(end.time, Time("2026-03-01T11:00:02Z"));
  EXPECT_EQ(end.note, "dagrun.run_after (data_interval_end is NULL)");
}

TEST(ResolveReferenceTest, NullQueuedAtFallsBackToRunAfter) {
  airflow::DagRun run = FullRun();
  run.queued_at.reset();
  ResolvedReference ref = ResolveReference(On(Reference::kQueuedAt), run, nullptr);
  EXPECT_EQ(ref.time, Time("2026-03-01T11:00:02Z"));
  EXPECT_EQ(ref.note, "dagrun.run_after (queued_at is NULL)");
}

TEST(ResolveReferenceTest, WithoutRunAfterTheLastResortIsQueuedAt) {
  airflow::DagRun run = FullRun();
  run.logical_date.reset();
  run.run_after = Timestamp{};
  ResolvedReference ref = ResolveReference(On(Reference::kLogicalDate), run, nullptr);
  EXPECT_EQ(ref.time, Time("2026-03-01T11:00:03Z"));
  EXPECT_EQ(ref.note, "dagrun.queued_at (logical_date is NULL)");

  run.queued_at.reset();
  ResolvedReference none = ResolveReference(On(Reference::kLogicalDate), run, nullptr);
  EXPECT_FALSE(none.time.has_value());
  EXPECT_EQ(none.note, "dagrun.logical_date is NULL and the run has no run_after or queued_at");
}

TEST(ResolveReferenceTest, UnreadRunAfterIsNullNotTheEpoch) {
  // row_decoder.cc leaves run_after at Timestamp{} when no column could give it.
  airflow::DagRun run = FullRun();
  run.run_after = Timestamp{};
  ResolvedReference ref = ResolveReference(On(Reference::kRunAfter), run, nullptr);
  EXPECT_EQ(ref.time, Time("2026-03-01T11:00:03Z"));
  EXPECT_EQ(ref.note, "dagrun.queued_at (run_after is NULL)");

  run.queued_at.reset();
  ref = ResolveReference(On(Reference::kRunAfter), run, nullptr);
  EXPECT_FALSE(ref.time.has_value());
}

TEST(ResolveReferenceTest, RunNotStartedIsNotArmed) {
  airflow::DagRun run = FullRun();
  run.start_date.reset();
  run.state = airflow::DagRunState::kQueued;
  ResolvedReference ref = ResolveReference(On(Reference::kStartDate), run, nullptr);
  EXPECT_FALSE(ref.time.has_value());  // no fallback to run_after
  EXPECT_EQ(ref.note, "dagrun.start_date (run not started yet)");
}

TEST(ResolveReferenceTest, TaskReferenceWithoutTaskInstanceIsNotArmed) {
  const airflow::DagRun run = FullRun();
  ResolvedReference started = ResolveReference(On(Reference::kTaskStartDate), run, nullptr);
  EXPECT_FALSE(started.time.has_value());
  EXPECT_EQ(started.note, "task.start_date (no task instance yet)");
  ResolvedReference queued = ResolveReference(On(Reference::kTaskQueuedAt), run, nullptr);
  EXPECT_FALSE(queued.time.has_value());
  EXPECT_EQ(queued.note, "task.queued_at (no task instance yet)");
}

TEST(ResolveReferenceTest, UnstartedTaskIsNotArmed) {
  const airflow::DagRun run = FullRun();
  airflow::TaskInstance ti = StartedTask();
  ti.state = airflow::TaskInstanceState::kNone;
  ti.queued_dttm.reset();
  ti.start_date.reset();
  ResolvedReference started = ResolveReference(On(Reference::kTaskStartDate), run, &ti);
  EXPECT_FALSE(started.time.has_value());
  EXPECT_EQ(started.note, "task.start_date (not started yet)");
  ResolvedReference queued = ResolveReference(On(Reference::kTaskQueuedAt), run, &ti);
  EXPECT_FALSE(queued.time.has_value());
  EXPECT_EQ(queued.note, "task.queued_at (not queued yet)");

  // Queued but not started: task.queued_at is armed, task.start_date is not.
  ti.state = airflow::TaskInstanceState::kQueued;
  ti.queued_dttm = T("2026-03-01T11:05:00Z");
  EXPECT_EQ(ResolveReference(On(Reference::kTaskQueuedAt), run, &ti).time,
            Time("2026-03-01T11:05:00Z"));
  EXPECT_FALSE(ResolveReference(On(Reference::kTaskStartDate), run, &ti).time.has_value());
}

TEST(ResolveReferenceTest, FixedIgnoresTheRun) {
  config::Deadline d = On(Reference::kFixed);
  d.fixed = T("2026-12-24T18:00:00Z");
  d.interval = Duration::zero();
  airflow::DagRun run = FullRun();
  run.logical_date.reset();
  run.start_date.reset();
  ResolvedReference ref = ResolveReference(d, run, nullptr);
  EXPECT_EQ(ref.time, Time("2026-12-24T18:00:00Z"));
  EXPECT_EQ(ref.note, "fixed");
}

}  // namespace
}  // namespace slayer::rules
