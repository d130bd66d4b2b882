#include "rules/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/deadline.h"
#include "airflow/serialized_dag.h"
#include "airflow/task_instance.h"
#include "airflow/timetable.h"
#include "common/glob.h"
#include "common/time.h"
#include "config/config.h"
#include "rules/item.h"
#include "rules/rule_set.h"
#include "fakes/timestamps.h"

namespace slayer::rules {
namespace {

using airflow::DagRunState;
using airflow::TaskInstanceState;
using config::Reference;
using std::chrono::hours;
using std::chrono::minutes;

constexpr std::string_view kDag = "etl";

using test::T;

std::optional<Timestamp> Time(std::string_view text) { return T(text); }

std::vector<Glob> Globs(std::initializer_list<std::string_view> patterns) {
  std::vector<Glob> out;
  for (std::string_view p : patterns) {
    Result<Glob> g = Glob::Compile(p);
    EXPECT_TRUE(g.has_value()) << p;
    if (g) out.push_back(std::move(*g));
  }
  return out;
}

config::Rule DeadlineRule(std::string name, Reference reference, Duration interval) {
  config::Rule rule;
  rule.name = std::move(name);
  rule.match.dag_id = Globs({"etl*"});
  config::Deadline d;
  d.reference = reference;
  d.interval = interval;
  rule.deadline = d;
  rule.severity = config::Severity::kCritical;
  return rule;
}

config::Rule WallClockRule(std::string cron, std::optional<minutes> window_start) {
  config::Rule rule;
  rule.name = "by-9";
  config::WallClock at;
  at.cron = std::move(cron);
  at.timezone = "UTC";
  at.window_start = window_start;
  rule.at = at;
  return rule;
}

config::Rule FreshnessRule(Duration limit) {
  config::Rule rule;
  rule.name = "fresh";
  rule.freshness = limit;
  return rule;
}

RuleSet Rules(std::vector<config::Rule> rules) {
  Result<RuleSet> set = RuleSet::Make(rules);
  EXPECT_TRUE(set.has_value()) << set.status().ToString();
  return set ? std::move(*set) : RuleSet();
}

airflow::Dag MakeDag() {
  airflow::Dag dag;
  dag.dag_id = std::string(kDag);
  dag.owners = {"airflow", "data-eng"};
  dag.tags = {"critical", "finance"};
  return dag;
}

// An hourly run whose logical date is `logical` (RFC 3339), data interval one hour.
airflow::DagRun MakeRun(std::string_view logical, DagRunState state) {
  airflow::DagRun run;
  run.id = 7;
  run.dag_id = std::string(kDag);
  run.logical_date = T(logical);
  run.run_id = ScheduledRunId(*run.logical_date);
  run.data_interval_start = run.logical_date;
  run.data_interval_end = *run.logical_date + hours(1);
  run.run_after = *run.data_interval_end;
  run.queued_at = run.run_after + std::chrono::seconds(5);
  run.start_date = run.run_after + std::chrono::seconds(10);
  run.state = state;
  return run;
}

airflow::TaskInstance Ti(const airflow::DagRun& run, std::string task_id, TaskInstanceState state,
                         int64_t map_index = -1) {
  airflow::TaskInstance ti;
  ti.dag_id = run.dag_id;
  ti.run_id = run.run_id;
  ti.task_id = std::move(task_id);
  ti.map_index = map_index;
  ti.state = state;
  return ti;
}

airflow::SerializedDag Serialized(std::initializer_list<std::string_view> task_ids) {
  airflow::SerializedDag s;
  s.dag_id = std::string(kDag);
  s.timetable.kind = airflow::Timetable::Kind::kCron;
  s.timetable.cron = "0 * * * *";
  s.timetable.time_zone = "UTC";
  s.timetable.data_interval = true;
  for (std::string_view id : task_ids) {
    airflow::SerializedTask task;
    task.task_id = std::string(id);
    s.tasks.push_back(std::move(task));
  }
  return s;
}

EvaluateOptions Options() {
  EvaluateOptions options;
  options.instance = "prod";
  return options;
}

ItemKey Key(std::string rule, std::string run_id, std::string task_id = "", std::string slot = "") {
  return {"prod",         std::move(rule), std::string(kDag), std::move(run_id), std::move(task_id),
          std::move(slot)};
}

const Observation* FindTask(const std::vector<Observation>& observations,
                            std::string_view task_id) {
  for (const Observation& o : observations) {
    if (o.item.key.task_id == task_id) return &o;
  }
  return nullptr;
}

// --- deadline rules, DAG level ---

class DagDeadlineTest : public ::testing::Test {
 protected:
  DagDeadlineTest() : rules_(Rules({DeadlineRule("in-2h", Reference::kLogicalDate, hours(2))})) {
    facts_.dag = MakeDag();
  }

  std::vector<Observation> Evaluate(Timestamp now) {
    return rules::Evaluate(rules_, facts_, now, Options(), &oddities_);
  }

  RuleSet rules_;
  DagFacts facts_;
  Oddities oddities_;
};

TEST_F(DagDeadlineTest, OpenRun) {
  facts_.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning)};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("in-2h", "scheduled__2026-03-01T10:00:00+00:00"));
  EXPECT_EQ(o.item.severity, "critical");
  EXPECT_EQ(o.item.logical_date, Time("2026-03-01T10:00:00Z"));
  EXPECT_EQ(o.item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(o.item.reference, "dagrun.logical_date");
  EXPECT_EQ(o.item.reference_time, Time("2026-03-01T10:00:00Z"));
  EXPECT_FALSE(o.item.expected);
  EXPECT_FALSE(o.item.paused);
  EXPECT_TRUE(o.armed);
  EXPECT_TRUE(o.schedule_slot);
  EXPECT_EQ(o.progress, Progress::kOpen);
  EXPECT_FALSE(o.progress_at.has_value());
  EXPECT_EQ(o.why, "run is running");
  EXPECT_EQ(oddities_.null_dates + oddities_.unknown_states + oddities_.end_before_start, 0);
}

TEST_F(DagDeadlineTest, SuccessIsDoneAtEndDate) {
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kSuccess);
  run.end_date = T("2026-03-01T11:40:00Z");
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:45:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:40:00Z"));
  EXPECT_EQ(obs[0].item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(obs[0].why, "run succeeded");
}

TEST_F(DagDeadlineTest, FailedRunIsFailed) {
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kFailed);
  run.end_date = T("2026-03-01T11:20:00Z");
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:45:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kFailed);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:20:00Z"));
  EXPECT_EQ(obs[0].why, "run failed");
}

TEST_F(DagDeadlineTest, PausedDagIsObservedAndMarked) {
  facts_.dag.is_paused = true;
  facts_.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kQueued)};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_TRUE(obs[0].item.paused);
  EXPECT_EQ(obs[0].why, "run is queued");
}

TEST_F(DagDeadlineTest, NullLogicalDateUsesRunAfterForNeedByAndLogicalDate) {
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning);
  run.run_id = "manual__2026-03-01T11:00:00+00:00";
  run.logical_date.reset();
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_TRUE(obs[0].armed);
  EXPECT_EQ(obs[0].item.need_by, T("2026-03-01T13:00:00Z"));
  EXPECT_EQ(obs[0].item.logical_date, Time("2026-03-01T11:00:00Z"));
  EXPECT_EQ(obs[0].item.reference, "dagrun.run_after (logical_date is NULL)");
}

TEST_F(DagDeadlineTest, StartDateRuleOnAQueuedRunIsNotArmedAndNotAScheduleSlot) {
  rules_ = Rules({DeadlineRule("started-1h", Reference::kStartDate, hours(1))});
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kQueued);
  run.start_date.reset();
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_FALSE(obs[0].armed);
  EXPECT_FALSE(obs[0].schedule_slot);
  EXPECT_EQ(obs[0].item.reference, "dagrun.start_date (run not started yet)");
}

TEST_F(DagDeadlineTest, RuleForOtherDagsIsNotApplied) {
  facts_.dag.dag_id = "reporting";
  facts_.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning)};
  facts_.runs[0].dag_id = "reporting";
  EXPECT_TRUE(Evaluate(T("2026-03-01T11:30:00Z")).empty());
}

TEST_F(DagDeadlineTest, OddityUnknownRunState) {
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kUnknown);
  run.state_text = "zombie";
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kOpen);
  EXPECT_EQ(obs[0].why, "run state 'zombie' is unknown: treated as not done");
  EXPECT_EQ(oddities_.unknown_states, 1);
  EXPECT_EQ(oddities_.null_dates, 0);
}

TEST_F(DagDeadlineTest, OdditySuccessWithoutEndDate) {
  facts_.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kSuccess)};  // end_date NULL
  std::vector<Observation> obs = Evaluate(T("2026-03-01T11:30:00Z"));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_FALSE(obs[0].progress_at.has_value());  // the tracker counts it done at `now`
  EXPECT_EQ(oddities_.null_dates, 1);
  EXPECT_EQ(oddities_.unknown_states, 0);
}

TEST_F(DagDeadlineTest, OdditiesArgumentIsOptional) {
  facts_.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kUnknown)};
  EXPECT_EQ(rules::Evaluate(rules_, facts_, T("2026-03-01T11:30:00Z"), Options()).size(), 1u);
}

// --- selectors ---

TEST(SelectorTest, MatchesByTagAndOwner) {
  DagFacts facts;
  facts.dag = MakeDag();
  facts.runs = {MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning)};
  const Timestamp now = T("2026-03-01T11:30:00Z");

  config::Rule by_tag = DeadlineRule("by-tag", Reference::kLogicalDate, hours(2));
  by_tag.match = {};
  by_tag.match.tags = {"nightly", "critical"};
  config::Rule by_owner = DeadlineRule("by-owner", Reference::kLogicalDate, hours(2));
  by_owner.match = {};
  by_owner.match.owner = "data-eng";
  config::Rule both = DeadlineRule("both", Reference::kLogicalDate, hours(2));
  both.match.tags = {"critical"};
  both.match.owner = "data-eng";
  RuleSet rules = Rules({by_tag, by_owner, both});

  std::vector<Observation> obs = Evaluate(rules, facts, now, Options());
  ASSERT_EQ(obs.size(), 3u);
  EXPECT_EQ(obs[0].item.key.rule, "by-tag");
  EXPECT_EQ(obs[1].item.key.rule, "by-owner");
  EXPECT_EQ(obs[2].item.key.rule, "both");

  facts.dag.tags = {"finance"};
  obs = Evaluate(rules, facts, now, Options());
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key.rule, "by-owner");

  facts.dag.tags = {"critical"};
  facts.dag.owners = {"airflow"};
  obs = Evaluate(rules, facts, now, Options());
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key.rule, "by-tag");

  // Owner matching is exact per owner, not a substring of the list.
  facts.dag.owners = {"data-engineering"};
  facts.dag.tags = {};
  EXPECT_TRUE(Evaluate(rules, facts, now, Options()).empty());
}

// --- deadline rules, task level ---

class TaskDeadlineTest : public ::testing::Test {
 protected:
  TaskDeadlineTest() {
    config::Rule rule = DeadlineRule("extract-2h", Reference::kLogicalDate, hours(2));
    rule.tasks = Globs({"extract_*"});
    rules_ = Rules({rule});
    facts_.dag = MakeDag();
    run_ = MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning);
    facts_.runs = {run_};
  }

  void UseReference(Reference reference, Duration interval) {
    config::Rule rule = DeadlineRule("extract-2h", reference, interval);
    rule.tasks = Globs({"extract_*"});
    rules_ = Rules({rule});
  }

  std::vector<Observation> Evaluate() {
    return rules::Evaluate(rules_, facts_, T("2026-03-01T11:30:00Z"), Options(), &oddities_);
  }

  RuleSet rules_;
  DagFacts facts_;
  airflow::DagRun run_;
  Oddities oddities_;
};

TEST_F(TaskDeadlineTest, OnlyMatchingTasks) {
  airflow::TaskInstance a = Ti(run_, "extract_a", TaskInstanceState::kSuccess);
  a.start_date = T("2026-03-01T11:01:00Z");
  a.end_date = T("2026-03-01T11:10:00Z");
  airflow::TaskInstance b = Ti(run_, "extract_b", TaskInstanceState::kRunning);
  airflow::TaskInstance load = Ti(run_, "load", TaskInstanceState::kNone);
  airflow::TaskInstance other = Ti(run_, "pre_extract_x", TaskInstanceState::kSuccess);
  facts_.task_instances[run_.run_id] = {load, b, a, other};

  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  // Sorted by task id.
  EXPECT_EQ(obs[0].item.key, Key("extract-2h", run_.run_id, "extract_a"));
  EXPECT_EQ(obs[1].item.key, Key("extract-2h", run_.run_id, "extract_b"));
  for (const Observation& o : obs) {
    EXPECT_TRUE(o.armed);
    EXPECT_FALSE(o.schedule_slot);
    EXPECT_FALSE(o.item.expected);
    EXPECT_EQ(o.item.need_by, T("2026-03-01T12:00:00Z"));
    EXPECT_EQ(o.item.logical_date, Time("2026-03-01T10:00:00Z"));
  }
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:10:00Z"));
  EXPECT_EQ(obs[0].why, "task success");
  EXPECT_EQ(obs[1].progress, Progress::kOpen);
  EXPECT_EQ(obs[1].why, "task is running");
}

TEST_F(TaskDeadlineTest, SkippedIsDoneAndFailedIsFailed) {
  airflow::TaskInstance a = Ti(run_, "extract_a", TaskInstanceState::kSkipped);
  a.end_date = T("2026-03-01T11:02:00Z");
  airflow::TaskInstance b = Ti(run_, "extract_b", TaskInstanceState::kUpstreamFailed);
  b.end_date = T("2026-03-01T11:03:00Z");
  facts_.task_instances[run_.run_id] = {a, b};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:02:00Z"));
  EXPECT_EQ(obs[1].progress, Progress::kFailed);
  EXPECT_EQ(obs[1].progress_at, Time("2026-03-01T11:03:00Z"));
}

TEST_F(TaskDeadlineTest, RunWithoutTaskInstancesReadGetsNoTaskItems) {
  facts_.serialized = Serialized({"extract_a"});
  EXPECT_TRUE(Evaluate().empty());
}

TEST_F(TaskDeadlineTest, MappedTaskIsDoneWhenEveryIndexSucceeded) {
  airflow::TaskInstance m0 = Ti(run_, "extract_m", TaskInstanceState::kSuccess, 0);
  m0.start_date = T("2026-03-01T11:02:00Z");
  m0.end_date = T("2026-03-01T11:20:00Z");
  airflow::TaskInstance m1 = Ti(run_, "extract_m", TaskInstanceState::kRunning, 1);
  m1.start_date = T("2026-03-01T11:01:00Z");
  facts_.task_instances[run_.run_id] = {m0, m1};

  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);  // one item for both map indexes
  EXPECT_EQ(obs[0].item.key, Key("extract-2h", run_.run_id, "extract_m"));
  EXPECT_EQ(obs[0].progress, Progress::kOpen);

  m1.state = TaskInstanceState::kSuccess;
  m1.end_date = T("2026-03-01T11:40:00Z");
  facts_.task_instances[run_.run_id] = {m0, m1};
  obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:40:00Z"));  // the last end
}

TEST_F(TaskDeadlineTest, MappedTaskFailsOnlyWhenAllIndexesFinished) {
  airflow::TaskInstance m0 = Ti(run_, "extract_m", TaskInstanceState::kFailed, 0);
  m0.end_date = T("2026-03-01T11:15:00Z");
  airflow::TaskInstance m1 = Ti(run_, "extract_m", TaskInstanceState::kRunning, 1);
  facts_.task_instances[run_.run_id] = {m0, m1};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kOpen);

  m1.state = TaskInstanceState::kSuccess;
  m1.end_date = T("2026-03-01T11:25:00Z");
  facts_.task_instances[run_.run_id] = {m0, m1};
  obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kFailed);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:25:00Z"));
}

TEST_F(TaskDeadlineTest, MappedTaskStartReferenceIsTheEarliestStart) {
  UseReference(Reference::kTaskStartDate, minutes(45));
  airflow::TaskInstance m0 = Ti(run_, "extract_m", TaskInstanceState::kRunning, 0);
  m0.start_date = T("2026-03-01T11:07:00Z");
  airflow::TaskInstance m1 = Ti(run_, "extract_m", TaskInstanceState::kRunning, 1);
  m1.start_date = T("2026-03-01T11:03:00Z");
  airflow::TaskInstance m2 = Ti(run_, "extract_m", TaskInstanceState::kScheduled, 2);
  facts_.task_instances[run_.run_id] = {m0, m1, m2};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_TRUE(obs[0].armed);
  EXPECT_EQ(obs[0].item.reference_time, Time("2026-03-01T11:03:00Z"));
  EXPECT_EQ(obs[0].item.need_by, T("2026-03-01T11:48:00Z"));
  EXPECT_EQ(obs[0].item.reference, "task.start_date");
}

TEST_F(TaskDeadlineTest, TaskOnlyInSerializedDagIsArmedForRunReferences) {
  facts_.serialized = Serialized({"extract_a", "extract_c", "load"});
  airflow::TaskInstance a = Ti(run_, "extract_a", TaskInstanceState::kRunning);
  a.start_date = T("2026-03-01T11:01:00Z");
  facts_.task_instances[run_.run_id] = {a};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  const Observation* c = FindTask(obs, "extract_c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->armed);
  EXPECT_EQ(c->item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(c->item.reference, "dagrun.logical_date");
  EXPECT_EQ(c->progress, Progress::kOpen);
  EXPECT_EQ(c->why, "no task instance yet");
}

TEST_F(TaskDeadlineTest, TaskOnlyInSerializedDagIsNotArmedForTaskStartDate) {
  UseReference(Reference::kTaskStartDate, minutes(45));
  facts_.serialized = Serialized({"extract_a", "extract_c", "load"});
  airflow::TaskInstance a = Ti(run_, "extract_a", TaskInstanceState::kRunning);
  a.start_date = T("2026-03-01T11:01:00Z");
  facts_.task_instances[run_.run_id] = {a};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  const Observation* started = FindTask(obs, "extract_a");
  ASSERT_NE(started, nullptr);
  EXPECT_TRUE(started->armed);
  EXPECT_EQ(started->item.need_by, T("2026-03-01T11:46:00Z"));
  const Observation* c = FindTask(obs, "extract_c");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->armed);
  EXPECT_EQ(c->item.reference, "task.start_date (no task instance yet)");
}

TEST_F(TaskDeadlineTest, TaskOfAFailedRunThatNeverRanIsFailed) {
  facts_.serialized = Serialized({"extract_a"});
  run_.state = DagRunState::kFailed;
  run_.end_date = T("2026-03-01T11:20:00Z");
  facts_.runs = {run_};
  facts_.task_instances[run_.run_id] = {};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kFailed);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:20:00Z"));
}

TEST_F(TaskDeadlineTest, OddityUnknownTaskState) {
  airflow::TaskInstance a = Ti(run_, "extract_a", TaskInstanceState::kUnknown);
  a.state_text = "weird";
  facts_.task_instances[run_.run_id] = {a};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kOpen);
  EXPECT_EQ(oddities_.unknown_states, 1);
}

// --- expected runs ---

class ExpectedRunsTest : public ::testing::Test {
 protected:
  ExpectedRunsTest() : rules_(Rules({DeadlineRule("in-2h", Reference::kLogicalDate, hours(2))})) {
    facts_.dag = MakeDag();
    facts_.dag.next_dagrun = T("2026-03-01T10:00:00Z");
    facts_.serialized = Serialized({"extract_a", "load"});
    facts_.expected_runs = true;
  }

  std::vector<Observation> Evaluate() {
    return rules::Evaluate(rules_, facts_, now_, Options(), &oddities_);
  }

  RuleSet rules_;
  DagFacts facts_;
  Timestamp now_ = T("2026-03-01T12:30:00Z");
  Oddities oddities_;
};

TEST_F(ExpectedRunsTest, MissingSlotsSinceNextDagrun) {
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.key, Key("in-2h", "scheduled__2026-03-01T10:00:00+00:00"));
  EXPECT_EQ(obs[1].item.key, Key("in-2h", "scheduled__2026-03-01T11:00:00+00:00"));
  EXPECT_EQ(obs[0].item.logical_date, Time("2026-03-01T10:00:00Z"));
  EXPECT_EQ(obs[1].item.logical_date, Time("2026-03-01T11:00:00Z"));
  EXPECT_EQ(obs[0].item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(obs[1].item.need_by, T("2026-03-01T13:00:00Z"));
  EXPECT_EQ(obs[0].why, "run not created yet: the timetable scheduled it for 2026-03-01T11:00:00Z");
  EXPECT_EQ(obs[1].why, "run not created yet: the timetable scheduled it for 2026-03-01T12:00:00Z");
  for (const Observation& o : obs) {
    EXPECT_TRUE(o.item.expected);
    EXPECT_TRUE(o.schedule_slot);
    EXPECT_TRUE(o.armed);
    EXPECT_EQ(o.progress, Progress::kOpen);
    EXPECT_EQ(o.item.severity, "critical");
    EXPECT_EQ(o.item.reference, "dagrun.logical_date (from the timetable)");
    EXPECT_EQ(o.item.reference_time, o.item.logical_date);
  }
}

TEST_F(ExpectedRunsTest, DataIntervalEndReferenceCountsFromTheSlotEnd) {
  rules_ = Rules({DeadlineRule("end-30m", Reference::kDataIntervalEnd, minutes(30))});
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.need_by, T("2026-03-01T11:30:00Z"));
  EXPECT_EQ(obs[1].item.need_by, T("2026-03-01T12:30:00Z"));
  EXPECT_EQ(obs[0].item.reference, "dagrun.data_interval_end (from the timetable)");
}

TEST_F(ExpectedRunsTest, SlotWhoseRunExistsIsNotReported) {
  // Created under another run_id, but with the slot's logical date.
  airflow::DagRun run = MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning);
  run.run_id = "manual__2026-03-01T10:00:00+00:00";
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.key, Key("in-2h", "manual__2026-03-01T10:00:00+00:00"));
  EXPECT_FALSE(obs[0].item.expected);
  EXPECT_EQ(obs[1].item.key, Key("in-2h", "scheduled__2026-03-01T11:00:00+00:00"));
  EXPECT_TRUE(obs[1].item.expected);
}

TEST_F(ExpectedRunsTest, SlotWhoseRunIdExistsIsNotReported) {
  airflow::DagRun run = MakeRun("2026-03-01T11:00:00Z", DagRunState::kQueued);
  facts_.runs = {run};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.key, Key("in-2h", "scheduled__2026-03-01T11:00:00+00:00"));
  EXPECT_FALSE(obs[0].item.expected);
  EXPECT_EQ(obs[1].item.key, Key("in-2h", "scheduled__2026-03-01T10:00:00+00:00"));
  EXPECT_TRUE(obs[1].item.expected);
}

TEST_F(ExpectedRunsTest, RuleWithExpectedRunsOffReportsNone) {
  config::Rule rule = DeadlineRule("in-2h", Reference::kLogicalDate, hours(2));
  rule.deadline->expected_runs = false;
  rules_ = Rules({rule});
  EXPECT_TRUE(Evaluate().empty());
}

TEST_F(ExpectedRunsTest, NonScheduleReferenceReportsNone) {
  rules_ = Rules({DeadlineRule("after-2h", Reference::kRunAfter, hours(2))});
  EXPECT_TRUE(Evaluate().empty());
}

TEST_F(ExpectedRunsTest, UntrustedNextDagrunReportsNone) {
  facts_.expected_runs = false;
  EXPECT_TRUE(Evaluate().empty());
}

TEST_F(ExpectedRunsTest, InactiveDagOrNoTimetableReportsNone) {
  facts_.dag.is_active = false;
  EXPECT_TRUE(Evaluate().empty());
  facts_.dag.is_active = true;
  facts_.serialized->timetable.kind = airflow::Timetable::Kind::kNone;
  EXPECT_TRUE(Evaluate().empty());
  facts_.serialized.reset();
  EXPECT_TRUE(Evaluate().empty());
}

TEST_F(ExpectedRunsTest, PausedDagStillReportsMarkedPaused) {
  facts_.dag.is_paused = true;
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_TRUE(obs[0].item.paused);
}

TEST_F(ExpectedRunsTest, HorizonLimitsHowFarBack) {
  facts_.dag.next_dagrun = T("2026-02-01T00:00:00Z");
  EvaluateOptions options = Options();
  options.horizon = hours(2);  // slots from 10:30 on: only 11:00
  std::vector<Observation> obs = rules::Evaluate(rules_, facts_, now_, options);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key.run_id, "scheduled__2026-03-01T11:00:00+00:00");
}

TEST_F(ExpectedRunsTest, TaskLevelRuleGetsOneItemPerMatchingSerializedTask) {
  config::Rule rule = DeadlineRule("extract-2h", Reference::kLogicalDate, hours(2));
  rule.tasks = Globs({"extract_*"});
  rules_ = Rules({rule});
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.key,
            Key("extract-2h", "scheduled__2026-03-01T10:00:00+00:00", "extract_a"));
  EXPECT_EQ(obs[1].item.key,
            Key("extract-2h", "scheduled__2026-03-01T11:00:00+00:00", "extract_a"));
  for (const Observation& o : obs) {
    EXPECT_TRUE(o.item.expected);
    EXPECT_FALSE(o.schedule_slot);  // only DAG-level items are re-keyed
  }
}

// --- wall clock ---

class WallClockTest : public ::testing::Test {
 protected:
  WallClockTest() {
    facts_.dag = MakeDag();
    facts_.latest_success_read = true;
    facts_.wall_clock_ticks["by-9"] = {T("2026-03-02T09:00:00Z")};
  }

  void Succeeded(std::string_view end) {
    airflow::DagRun run = MakeRun("2026-03-01T00:00:00Z", DagRunState::kSuccess);
    run.end_date = T(end);
    facts_.latest_success = run;
  }

  std::vector<Observation> Evaluate(const config::Rule& rule) {
    return rules::Evaluate(Rules({rule}), facts_, T("2026-03-02T09:00:01Z"), Options());
  }

  DagFacts facts_;
};

TEST_F(WallClockTest, SuccessAfterWindowStartIsDoneAtItsEnd) {
  Succeeded("2026-03-02T08:15:00Z");
  std::vector<Observation> obs = Evaluate(WallClockRule("0 9 * * *", std::nullopt));
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("by-9", "", "", "2026-03-02T09:00:00Z"));
  EXPECT_EQ(o.item.need_by, T("2026-03-02T09:00:00Z"));
  EXPECT_FALSE(o.item.logical_date.has_value());
  EXPECT_EQ(o.item.severity, "warning");
  EXPECT_EQ(o.item.reference, "at 0 9 * * * UTC, window from 2026-03-01T09:00:00Z");
  EXPECT_EQ(o.item.reference_time, Time("2026-03-01T09:00:00Z"));
  EXPECT_FALSE(o.schedule_slot);
  EXPECT_EQ(o.progress, Progress::kDone);
  EXPECT_EQ(o.progress_at, Time("2026-03-02T08:15:00Z"));
}

TEST_F(WallClockTest, NoSuccessInWindowIsOpen) {
  Succeeded("2026-03-01T08:59:00Z");  // before the previous tick
  std::vector<Observation> obs = Evaluate(WallClockRule("0 9 * * *", std::nullopt));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kOpen);
  EXPECT_EQ(obs[0].why, "no successful run ended after 2026-03-01T09:00:00Z");

  facts_.latest_success.reset();
  obs = Evaluate(WallClockRule("0 9 * * *", std::nullopt));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kOpen);
}

TEST_F(WallClockTest, WindowStartOnTheTicksDay) {
  Succeeded("2026-03-02T05:00:00Z");
  std::vector<Observation> obs = Evaluate(WallClockRule("0 9 * * *", minutes(6 * 60)));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.reference_time, Time("2026-03-02T06:00:00Z"));
  EXPECT_EQ(obs[0].progress, Progress::kOpen);

  Succeeded("2026-03-02T07:00:00Z");
  obs = Evaluate(WallClockRule("0 9 * * *", minutes(6 * 60)));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-02T07:00:00Z"));
}

TEST_F(WallClockTest, EarliestSuccessInWindowAmongRunsCounts) {
  Succeeded("2026-03-02T08:30:00Z");
  airflow::DagRun earlier = MakeRun("2026-03-01T06:00:00Z", DagRunState::kSuccess);
  earlier.end_date = T("2026-03-02T07:30:00Z");
  airflow::DagRun failed = MakeRun("2026-03-01T05:00:00Z", DagRunState::kFailed);
  failed.end_date = T("2026-03-02T07:00:00Z");
  facts_.runs = {failed, earlier};
  std::vector<Observation> obs = Evaluate(WallClockRule("0 9 * * *", std::nullopt));
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-02T07:30:00Z"));
}

TEST_F(WallClockTest, NothingWithoutTicksOrLatestSuccessRead) {
  Succeeded("2026-03-02T08:15:00Z");
  facts_.latest_success_read = false;
  EXPECT_TRUE(Evaluate(WallClockRule("0 9 * * *", std::nullopt)).empty());
  facts_.latest_success_read = true;
  facts_.wall_clock_ticks.clear();
  EXPECT_TRUE(Evaluate(WallClockRule("0 9 * * *", std::nullopt)).empty());
}

// --- freshness ---

class FreshnessTest : public ::testing::Test {
 protected:
  FreshnessTest() {
    facts_.dag = MakeDag();
    facts_.latest_success_read = true;
    facts_.first_seen = T("2026-02-20T00:00:00Z");
  }

  void Succeeded(std::string_view end) {
    airflow::DagRun run = MakeRun("2026-03-01T00:00:00Z", DagRunState::kSuccess);
    run.end_date = T(end);
    facts_.latest_success = run;
  }

  std::vector<Observation> Evaluate() {
    return rules::Evaluate(Rules({FreshnessRule(hours(24))}), facts_, T("2026-03-02T12:00:00Z"),
                           Options(), &oddities_);
  }

  DagFacts facts_;
  Oddities oddities_;
};

TEST_F(FreshnessTest, LatestSuccessSetsTheSlotAndNeedBy) {
  Succeeded("2026-03-02T08:00:00Z");
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("fresh", "", "", "2026-03-02T08:00:00Z"));
  EXPECT_EQ(o.item.need_by, T("2026-03-03T08:00:00Z"));
  EXPECT_EQ(o.item.reference, "last success (run scheduled__2026-03-01T00:00:00+00:00)");
  EXPECT_EQ(o.item.reference_time, Time("2026-03-02T08:00:00Z"));
  EXPECT_EQ(o.progress, Progress::kOpen);
  EXPECT_TRUE(o.armed);
}

TEST_F(FreshnessTest, OlderOpenSlotIsClosedAtTheNewSuccess) {
  Succeeded("2026-03-02T08:00:00Z");
  facts_.freshness_open_slots["fresh"] = {"2026-03-01T07:00:00Z", "2026-03-02T08:00:00Z"};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  const Observation& old = obs[0];
  EXPECT_EQ(old.item.key, Key("fresh", "", "", "2026-03-01T07:00:00Z"));
  EXPECT_EQ(old.item.need_by, T("2026-03-02T07:00:00Z"));
  EXPECT_EQ(old.progress, Progress::kDone);
  EXPECT_EQ(old.progress_at, Time("2026-03-02T08:00:00Z"));
  // The slot of the latest success itself stays open.
  EXPECT_EQ(obs[1].item.key, Key("fresh", "", "", "2026-03-02T08:00:00Z"));
  EXPECT_EQ(obs[1].progress, Progress::kOpen);
}

TEST_F(FreshnessTest, NoSuccessCountsFromFirstSeen) {
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key, Key("fresh", "", "", ""));
  EXPECT_EQ(obs[0].item.need_by, T("2026-02-21T00:00:00Z"));
  EXPECT_EQ(obs[0].item.reference, "first seen (no success yet)");
  EXPECT_EQ(obs[0].item.reference_time, Time("2026-02-20T00:00:00Z"));
  EXPECT_EQ(obs[0].progress, Progress::kOpen);
  EXPECT_EQ(obs[0].why, "the DAG has no successful run");
}

TEST_F(FreshnessTest, FirstSuccessClosesTheFirstSeenSlot) {
  Succeeded("2026-03-02T08:00:00Z");
  facts_.freshness_open_slots["fresh"] = {""};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].item.key, Key("fresh", "", "", ""));
  EXPECT_EQ(obs[0].item.need_by, T("2026-02-21T00:00:00Z"));
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-02T08:00:00Z"));
  EXPECT_EQ(obs[1].item.key.slot, "2026-03-02T08:00:00Z");
}

TEST_F(FreshnessTest, SuccessWithoutEndDateIsAnOddity) {
  facts_.latest_success = MakeRun("2026-03-01T00:00:00Z", DagRunState::kSuccess);
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key.slot, "");
  EXPECT_EQ(oddities_.null_dates, 1);
}

TEST_F(FreshnessTest, NothingWhenLatestSuccessWasNotRead) {
  facts_.latest_success_read = false;
  EXPECT_TRUE(Evaluate().empty());
}

// --- Airflow native ---

class NativeTest : public ::testing::Test {
 protected:
  NativeTest() {
    facts_.dag = MakeDag();
    facts_.serialized = Serialized({"extract", "load"});
    facts_.serialized->tasks[1].sla = hours(1);
    run_ = MakeRun("2026-03-01T10:00:00Z", DagRunState::kRunning);
    facts_.runs = {run_};
  }

  std::vector<Observation> Evaluate(bool airflow_native = true) {
    EvaluateOptions options = Options();
    options.airflow_native = airflow_native;
    return rules::Evaluate(RuleSet(), facts_, T("2026-03-01T11:30:00Z"), options);
  }

  DagFacts facts_;
  airflow::DagRun run_;
};

TEST_F(NativeTest, TaskSlaCountsFromDataIntervalEnd) {
  facts_.task_instances[run_.run_id] = {Ti(run_, "extract", TaskInstanceState::kSuccess),
                                        Ti(run_, "load", TaskInstanceState::kRunning)};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("airflow:sla", run_.run_id, "load"));
  EXPECT_EQ(o.item.need_by, T("2026-03-01T12:00:00Z"));  // D = 11:00, + 1h
  EXPECT_EQ(o.item.reference, "dagrun.data_interval_end + task sla 1h");
  EXPECT_EQ(o.item.reference_time, Time("2026-03-01T11:00:00Z"));
  EXPECT_EQ(o.item.severity, "warning");
  EXPECT_EQ(o.item.logical_date, Time("2026-03-01T10:00:00Z"));
  EXPECT_TRUE(o.armed);
  EXPECT_EQ(o.progress, Progress::kOpen);
}

TEST_F(NativeTest, TaskSlaNeedsTheRunsTaskInstances) { EXPECT_TRUE(Evaluate().empty()); }

TEST_F(NativeTest, TaskSlaOfAnExpectedRun) {
  facts_.runs.clear();
  facts_.dag.next_dagrun = T("2026-03-01T10:00:00Z");
  facts_.expected_runs = true;
  std::vector<Observation> obs = Evaluate();  // now 11:30: only the 10:00 slot is due
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("airflow:sla", "scheduled__2026-03-01T10:00:00+00:00", "load"));
  EXPECT_EQ(o.item.need_by, T("2026-03-01T12:00:00Z"));
  EXPECT_EQ(o.item.reference, "dagrun.data_interval_end (from the timetable) + task sla 1h");
  EXPECT_TRUE(o.item.expected);
  EXPECT_FALSE(o.schedule_slot);
  EXPECT_TRUE(o.armed);
}

TEST_F(NativeTest, DeadlineRowByDagrunId) {
  airflow::Deadline row;
  row.id = "0190a0b1c2d3e4f5a6b7c8d9e0f1a2b3";
  row.dagrun_id = run_.id;
  row.deadline_time = T("2026-03-01T11:45:00Z");
  facts_.deadlines = {row};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  const Observation& o = obs[0];
  EXPECT_EQ(o.item.key, Key("airflow:deadline", run_.run_id, "", row.id));
  EXPECT_EQ(o.item.need_by, T("2026-03-01T11:45:00Z"));
  EXPECT_EQ(o.item.reference, "deadline.deadline_time");
  EXPECT_EQ(o.progress, Progress::kOpen);
}

TEST_F(NativeTest, DeadlineRowByRunIdFollowsTheRun) {
  run_.state = DagRunState::kSuccess;
  run_.end_date = T("2026-03-01T11:20:00Z");
  facts_.runs = {run_};
  airflow::Deadline row;
  row.id = "d-1";
  row.run_id = run_.run_id;
  row.deadline_time = T("2026-03-01T11:45:00Z");
  airflow::Deadline other_run;
  other_run.id = "d-2";
  other_run.run_id = "manual__x";
  other_run.deadline_time = T("2026-03-01T11:45:00Z");
  facts_.deadlines = {row, other_run};
  std::vector<Observation> obs = Evaluate();
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].item.key.slot, "d-1");
  EXPECT_EQ(obs[0].progress, Progress::kDone);
  EXPECT_EQ(obs[0].progress_at, Time("2026-03-01T11:20:00Z"));
}

TEST_F(NativeTest, AirflowNativeOffReportsNone) {
  facts_.task_instances[run_.run_id] = {Ti(run_, "load", TaskInstanceState::kRunning)};
  airflow::Deadline row;
  row.id = "d-1";
  row.dagrun_id = run_.id;
  row.deadline_time = T("2026-03-01T11:45:00Z");
  facts_.deadlines = {row};
  EXPECT_EQ(Evaluate(true).size(), 2u);
  EXPECT_TRUE(Evaluate(false).empty());
}

}  // namespace
}  // namespace slayer::rules
