#include "engine/duration_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fakes/timestamps.h"

namespace slayer::engine {
namespace {

using airflow::DagRun;
using airflow::DagRunState;
using airflow::TaskInstance;
using airflow::TaskInstanceState;
using std::chrono::minutes;
using test::T;

const Timestamp kT0 = T("2026-03-01T00:00:00Z");

DagRun MakeRun(int n, Duration took, DagRunState state = DagRunState::kSuccess) {
  DagRun run;
  run.dag_id = "etl";
  run.run_id = "r" + std::to_string(n);
  run.start_date = kT0 + std::chrono::hours(n);
  run.end_date = *run.start_date + took;
  run.state = state;
  return run;
}

TaskInstance Ti(const DagRun& run, Duration wait, Duration took) {
  TaskInstance ti;
  ti.dag_id = run.dag_id;
  ti.run_id = run.run_id;
  ti.task_id = "load";
  ti.state = TaskInstanceState::kSuccess;
  ti.start_date = *run.start_date + wait;
  ti.end_date = *ti.start_date + took;
  return ti;
}

// Eight fast runs (10m) and two slow ones (40m); predictions at the median.
DurationModel TenRuns() {
  DurationModel model(DurationModelOptions{.confidence = 0.5});
  for (int i = 0; i < 10; ++i) model.ObserveRun(MakeRun(i, minutes(i < 8 ? 10 : 40)));
  return model;
}

TEST(DurationModelTest, NoPredictionWithTooFewSamples) {
  DurationModel model;  // default: 10 samples
  for (int i = 0; i < 9; ++i) model.ObserveRun(MakeRun(i, minutes(10)));
  DagRun running = MakeRun(100, minutes(0), DagRunState::kRunning);
  running.end_date.reset();
  EXPECT_FALSE(model.PredictRun("etl", &running, *running.start_date));
  model.ObserveRun(MakeRun(9, minutes(10)));
  EXPECT_EQ(model.PredictRun("etl", &running, *running.start_date),
            *running.start_date + minutes(10));
}

TEST(DurationModelTest, SamplesOnlySuccessesOncePerRun) {
  DurationModel model;
  model.ObserveRun(MakeRun(1, minutes(10)));
  model.ObserveRun(MakeRun(1, minutes(10)));  // read again on the next poll
  model.ObserveRun(MakeRun(2, minutes(10), DagRunState::kFailed));
  DagRun running = MakeRun(3, minutes(10), DagRunState::kRunning);
  running.end_date.reset();
  model.ObserveRun(running);
  EXPECT_EQ(model.samples("etl"), 1u);
}

TEST(DurationModelTest, ConditionsOnTheTimeAlreadyElapsed) {
  DurationModel model = TenRuns();
  DagRun running = MakeRun(100, minutes(0), DagRunState::kRunning);
  running.end_date.reset();
  const Timestamp start = *running.start_date;
  // Just started: the median of all ten runs, a fast one.
  EXPECT_EQ(model.PredictRun("etl", &running, start + minutes(1)), start + minutes(10));
  // Past every fast run: it is one of the slow ones.
  EXPECT_EQ(model.PredictRun("etl", &running, start + minutes(12)), start + minutes(40));
  // Longer than any run before: no estimate.
  EXPECT_FALSE(model.PredictRun("etl", &running, start + minutes(41)));
  // Not started yet (queued, or not created): from now.
  const Timestamp now = start + minutes(5);
  EXPECT_EQ(model.PredictRun("etl", nullptr, now), now + minutes(10));
  EXPECT_FALSE(model.PredictRun("other_dag", nullptr, now));
}

TEST(DurationModelTest, ConfidenceIsConfigurable) {
  DurationModelOptions options;
  options.confidence = 0.1;  // the 90th percentile
  DurationModel model(options);
  for (int i = 0; i < 10; ++i) model.ObserveRun(MakeRun(i, minutes(i < 8 ? 10 : 40)));
  EXPECT_EQ(model.PredictRun("etl", nullptr, kT0), kT0 + minutes(40));
}

TEST(DurationModelTest, KeepsOnlyTheMostRecentSamples) {
  DurationModelOptions options;
  options.max_samples = 5;
  options.min_samples = 5;
  DurationModel model(options);
  for (int i = 0; i < 5; ++i) model.ObserveRun(MakeRun(i, minutes(60)));
  for (int i = 5; i < 10; ++i) model.ObserveRun(MakeRun(i, minutes(10)));
  EXPECT_EQ(model.samples("etl"), 5u);
  EXPECT_EQ(model.PredictRun("etl", nullptr, kT0), kT0 + minutes(10));
}

TEST(DurationModelTest, TaskFromItsStartOrFromTheRunsStart) {
  DurationModel model;
  for (int i = 0; i < 10; ++i) {
    DagRun run = MakeRun(i, minutes(30));
    model.ObserveTask(Ti(run, minutes(20), minutes(5)), run);  // ends 25m after the run started
  }
  DagRun run = MakeRun(100, minutes(0), DagRunState::kRunning);
  run.end_date.reset();
  const Timestamp start = *run.start_date;
  // Not started: when the task usually ends, counted from the run's start (upstream included).
  EXPECT_EQ(model.PredictTask("etl", "load", &run, nullptr, start + minutes(3)),
            start + minutes(25));
  // Running: its own usual duration from its start.
  TaskInstance ti = Ti(run, minutes(22), minutes(0));
  ti.state = TaskInstanceState::kRunning;
  ti.end_date.reset();
  EXPECT_EQ(model.PredictTask("etl", "load", &run, &ti, start + minutes(23)),
            start + minutes(27));
}

}  // namespace
}  // namespace slayer::engine
