// End-to-end scenarios of the deadline engine (SPEC section 3, "Rule kinds" and "Evaluation"):
// the simulator writes an Airflow database (SQLite, PostgreSQL, MariaDB; Airflow 2.10 and 3.1
// schema), simulated time is stepped one minute at a time, and at each step the engine polls a
// read-only source on that database and checks what is due, with the same simulated time. The
// outcomes are read back from the SQLite store and the engine snapshot and compared exactly with
// the run and task end dates the simulator wrote. Integration test (CTest fixture test_servers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "airflow/sql_source.h"
#include "db/connect.h"
#include "engine/backfill.h"
#include "engine/instance_engine.h"
#include "fakes/rules_yaml.h"
#include "fakes/sim_world.h"
#include "fakes/timestamps.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace slayer::engine {
namespace {

using namespace std::chrono_literals;
using rules::Item;
using rules::ItemState;
using sim::AirflowVersion;

constexpr char kInstance[] = "prod";
constexpr char kDag[] = "hourly";
const Duration kStep = 1min;

using test::T;

// One hourly DAG: fast_task (5m) then slow_task (20m), no failures, no lateness draw: every run
// takes 25 minutes plus the simulated scheduler/executor latencies. slow_task has an Airflow 2
// sla of 20m (need-by = data interval end + 20m); on 3.1 the DAG has a deadline alert of
// queued_at + 15m. Both are missed by every run.
constexpr char kDagYaml[] = R"(
dags:
  - dag_id: hourly
    schedule: "@hourly"
    catchup: false
    start_date: 2025-03-01T00:00:00Z
    deadline:
      - reference: dagrun.queued_at
        interval: 15m
    tasks:
      - task_id: fast_task
        duration: 5m
      - task_id: slow_task
        upstream: [fast_task]
        duration: 20m
        sla: 20m
)";

// Wall clock, freshness and manual runs: "hourly" as above (fixed 5m + 20m, so each run ends
// ~25m after it is created) and "adhoc", unscheduled, triggered by hand about three times an
// hour (a seeded Poisson process), also 25m per run. On 3.x manual runs have no logical date.
constexpr char kAdhocDag[] = "adhoc";
constexpr char kWallFreshYaml[] = R"(
dags:
  - dag_id: hourly
    schedule: "@hourly"
    catchup: false
    start_date: 2025-03-01T00:00:00Z
    tasks:
      - task_id: fast_task
        duration: 5m
      - task_id: slow_task
        upstream: [fast_task]
        duration: 20m
  - dag_id: adhoc
    schedule: none
    start_date: 2025-03-01T00:00:00Z
    manual_triggers: {per_hour: 3}
    tasks:
      - task_id: fast_task
        duration: 5m
      - task_id: slow_task
        upstream: [fast_task]
        duration: 20m
)";

std::string Minutes(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(d).count()) + "m";
}

class ScenarioTest : public ::testing::TestWithParam<test::SimWorldParam> {
 protected:
  bool v2() const { return GetParam().version == AirflowVersion::kV2; }
  // The logical date of a scheduled run is this long before the run is created: one interval
  // on 2.x (CronDataIntervalTimetable), none on 3.x (CronTriggerTimetable).
  Duration offset() const { return v2() ? Duration(1h) : Duration(0s); }

  // A fresh Airflow database written by the simulator from `start`, a read-only source on it
  // and an empty store.
  void SetUpWorld(const std::string& test, Timestamp start, const char* dag_yaml = kDagYaml) {
    const std::string name = "scn_" + test + "_" + std::string(db::BackendName(GetParam().backend)) +
                             (v2() ? "_v2" : "_v31");
    ASSERT_NO_FATAL_FAILURE(
        test::StartSimWorld(GetParam(), name, dag_yaml, "scenario.yml", start, &world_));
    now_ = start;

    db::ConnectOptions ro;  // read_only = true: the engine only reads
    auto reader = db::Connect(world_.dsn, ro);
    ASSERT_TRUE(reader) << reader.status().ToString();
    auto source = airflow::SqlAirflowSource::Open(std::move(*reader));
    ASSERT_TRUE(source) << source.status().ToString();
    source_ = std::move(*source);

    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("slayer-scenario-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::path file = dir / (name + "_store.db");
    std::filesystem::remove(file);
    auto store_dsn = db::Dsn::Parse("sqlite:///" + file.string());
    ASSERT_TRUE(store_dsn) << store_dsn.status().ToString();
    auto store = store::OpenStore(*store_dsn);
    ASSERT_TRUE(store) << store.status().ToString();
    store_ = std::move(*store);
  }

  // Rules from YAML (the `rules:` list).
  void SetRules(const std::string& rules_yaml) {
    rules::RuleSet set;
    ASSERT_NO_FATAL_FAILURE(test::RulesFromYaml(rules_yaml, &set));
    rules_ = std::make_shared<const rules::RuleSet>(std::move(set));
  }

  void StartEngine() {
    EngineOptions o;
    o.instance = kInstance;
    o.airflow_native = true;
    engine_ = std::make_unique<InstanceEngine>(o, rules_, store_.get());
    Status st = engine_->Restore(now_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Advances the simulator to `t`; with an engine, polls and checks what is due at `t`, and
  // records the states every open item went through.
  void Step(Timestamp t) {
    Status st = world_.sim->AdvanceTo(t);
    ASSERT_TRUE(st.ok()) << st.ToString();
    now_ = t;
    if (!engine_) return;
    auto active = source_->ActiveDagRuns();
    ASSERT_TRUE(active) << active.status().ToString();
    st = engine_->Poll(*source_, *active, t);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = engine_->CheckDue(*source_, t);
    ASSERT_TRUE(st.ok()) << st.ToString();
    for (const Item& item : engine_->Snapshot().open) {
      auto& seen = states_[item.key.ToString()];
      if (seen.empty() || seen.back() != item.state) seen.push_back(item.state);
      if (item.state == ItemState::kMissed && !first_missed_seen_.contains(item.key.ToString())) {
        first_missed_seen_[item.key.ToString()] = t;
      }
    }
  }

  // Rule dag_late (logical date + `late`) on the hourly DAG, the engine started, the world run
  // to `stop_at` and the scheduler stopped there.
  void StartOutage(Duration late, Timestamp stop_at) {
    ASSERT_NO_FATAL_FAILURE(SetRules(
        "  - {name: dag_late, match: {dag_id: hourly}, reference: dagrun.logical_date, "
        "interval: " + Minutes(late) + "}\n"));
    ASSERT_NO_FATAL_FAILURE(StartEngine());
    ASSERT_NO_FATAL_FAILURE(RunUntil(stop_at));
    world_.sim->SetSchedulerRunning(false);
  }

  void RunUntil(Timestamp end) {
    while (now_ < end) {
      Step(now_ + kStep);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  std::vector<Item> Items(const std::string& rule) {
    store::ItemFilter f;
    f.instance = kInstance;
    f.rule = rule;
    auto items = store_->Items(f);
    EXPECT_TRUE(items) << items.status().ToString();
    return items ? *items : std::vector<Item>{};
  }

  airflow::DagRun Run(const std::string& run_id, const std::string& dag_id = kDag) {
    airflow::DagRunKey key{dag_id, run_id};
    auto runs = source_->DagRunsByKey(std::span<const airflow::DagRunKey>(&key, 1));
    EXPECT_TRUE(runs) << runs.status().ToString();
    EXPECT_EQ(runs ? runs->size() : 0u, 1u) << run_id;
    return runs && !runs->empty() ? (*runs)[0] : airflow::DagRun{};
  }

  airflow::TaskInstance Task(const std::string& run_id, const std::string& task_id) {
    airflow::DagRunKey key{kDag, run_id};
    auto tis = source_->TaskInstancesOfRuns(std::span<const airflow::DagRunKey>(&key, 1));
    EXPECT_TRUE(tis) << tis.status().ToString();
    if (tis) {
      for (const auto& ti : *tis) {
        if (ti.task_id == task_id) return ti;
      }
    }
    ADD_FAILURE() << "no task instance " << run_id << "/" << task_id;
    return {};
  }

  uint64_t Misses(const std::string& rule) const {
    uint64_t n = 0;
    for (const auto& [k, v] : engine_->Snapshot().counters.misses) {
      if (std::get<0>(k) == rule) n += v;
    }
    return n;
  }

  std::vector<ItemState> States(const Item& item) { return states_[item.key.ToString()]; }

  test::SimWorld world_;
  std::unique_ptr<airflow::SqlAirflowSource> source_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const rules::RuleSet> rules_;
  std::unique_ptr<InstanceEngine> engine_;
  Timestamp now_{};
  std::map<std::string, std::vector<ItemState>> states_;
  std::map<std::string, Timestamp> first_missed_seen_;
};

const Timestamp kStart = T("2025-03-03T00:00:00Z");

// 1, 2 and 5: DAG-level deadlines (late and in time), a task max runtime, and Airflow's own
// sla (2.x) / deadline (3.1), over three simulated hours.
TEST_P(ScenarioTest, DeadlinesMaxRuntimeAndNative) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("deadlines", kStart));
  const Duration late = offset() + 15min, ok = offset() + 45min;
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: dag_late, match: {dag_id: hourly}, reference: dagrun.logical_date, interval: " +
      Minutes(late) + "}\n" +
      "  - {name: dag_ok, match: {dag_id: hourly}, reference: dagrun.logical_date, interval: " +
      Minutes(ok) + "}\n" +
      "  - {name: slow_runtime, match: {dag_id: hourly}, tasks: [\"slow_task\"], "
      "reference: task.start_date, interval: 10m}\n"));
  ASSERT_NO_FATAL_FAILURE(StartEngine());
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 3h));

  // 1. Every run finishes ~25m after creation: dag_late (15m) missed -> met_late.
  int late_final = 0;
  for (const Item& item : Items("dag_late")) {
    SCOPED_TRACE(item.key.ToString());
    if (item.logical_date == kStart + 3h - offset()) {
      // The run due at 03:00, the last step: the scheduler loop has not created it yet, so
      // the item is the expected run's.
      EXPECT_EQ(item.state, ItemState::kPending);
      continue;
    }
    const airflow::DagRun run = Run(item.key.run_id);
    ASSERT_TRUE(run.logical_date.has_value());
    EXPECT_EQ(item.need_by, *run.logical_date + late);
    EXPECT_EQ(item.logical_date, run.logical_date);
    EXPECT_FALSE(item.expected);
    if (item.state == ItemState::kMissed) {  // the run still going at the end
      EXPECT_FALSE(run.end_date.has_value());
      continue;
    }
    ++late_final;
    EXPECT_EQ(item.state, ItemState::kMetLate);
    ASSERT_TRUE(run.end_date.has_value());
    ASSERT_TRUE(item.done_at.has_value());
    EXPECT_EQ(*item.done_at, *run.end_date);
    EXPECT_EQ(item.lateness(), *run.end_date - item.need_by);
    EXPECT_GE(item.lateness(), 10min);
    // The miss was declared at the first step at or after need-by.
    if (item.need_by > kStart) {
      ASSERT_TRUE(first_missed_seen_.contains(item.key.ToString()));
      EXPECT_GE(first_missed_seen_[item.key.ToString()], item.need_by);
      EXPECT_LT(first_missed_seen_[item.key.ToString()], item.need_by + kStep);
      if (item.missed_at) {
        EXPECT_GE(*item.missed_at, item.need_by);
        EXPECT_LT(*item.missed_at, item.need_by + kStep);
      }
      EXPECT_THAT(States(item), ::testing::ElementsAre(ItemState::kPending, ItemState::kMissed))
          << "open states seen";
    }
  }
  EXPECT_GE(late_final, 2);

  // dag_ok (45m): met, done at the run's end.
  int ok_final = 0;
  for (const Item& item : Items("dag_ok")) {
    SCOPED_TRACE(item.key.ToString());
    if (item.logical_date == kStart + 3h - offset()) {
      EXPECT_EQ(item.state, ItemState::kPending);  // the run due at 03:00, not created yet
      continue;
    }
    const airflow::DagRun run = Run(item.key.run_id);
    ASSERT_TRUE(run.logical_date.has_value());
    EXPECT_EQ(item.need_by, *run.logical_date + ok);
    if (!run.end_date) {
      EXPECT_EQ(item.state, ItemState::kPending);
      continue;
    }
    ++ok_final;
    EXPECT_EQ(item.state, ItemState::kMet);
    EXPECT_EQ(item.done_at, run.end_date);
    EXPECT_EQ(item.lateness(), Duration(0));
    EXPECT_FALSE(item.missed_at.has_value());
  }
  EXPECT_GE(ok_final, 2);
  EXPECT_EQ(Misses("dag_ok"), 0u);

  // 2. slow_task runs 20m against a 10m max runtime: missed, then met_late by 10m.
  int runtime_final = 0;
  for (const Item& item : Items("slow_runtime")) {
    SCOPED_TRACE(item.key.ToString());
    EXPECT_EQ(item.key.task_id, "slow_task");
    const airflow::TaskInstance ti = Task(item.key.run_id, "slow_task");
    ASSERT_TRUE(ti.start_date.has_value());
    EXPECT_EQ(item.need_by, *ti.start_date + 10min);
    EXPECT_EQ(item.reference_time, ti.start_date);
    if (!ti.end_date) {
      EXPECT_EQ(item.state, ItemState::kMissed);
      continue;
    }
    ++runtime_final;
    EXPECT_EQ(item.state, ItemState::kMetLate);
    EXPECT_EQ(item.done_at, ti.end_date);
    EXPECT_EQ(item.lateness(), *ti.end_date - item.need_by);
    EXPECT_EQ(item.lateness(), 10min);  // fixed 20m duration
    ASSERT_TRUE(first_missed_seen_.contains(item.key.ToString()));
    EXPECT_GE(first_missed_seen_[item.key.ToString()], item.need_by);
    EXPECT_LT(first_missed_seen_[item.key.ToString()], item.need_by + kStep);
  }
  EXPECT_GE(runtime_final, 2);
  // Task items exist only for slow_task.
  EXPECT_EQ(Misses("slow_runtime"), static_cast<uint64_t>(Items("slow_runtime").size()));

  // 5. Airflow native.
  const std::string native(v2() ? rules::kAirflowSlaRule : rules::kAirflowDeadlineRule);
  SCOPED_TRACE(native);
  const std::vector<Item> natives = Items(native);
  ASSERT_FALSE(natives.empty()) << "no " << native << " items";
  int native_final = 0;
  for (const Item& item : natives) {
    SCOPED_TRACE(item.key.ToString());
    if (item.logical_date == kStart + 3h - offset()) continue;  // expected run, not created yet
    const airflow::DagRun run = Run(item.key.run_id);
    if (v2()) {
      EXPECT_EQ(item.key.task_id, "slow_task");
      ASSERT_TRUE(run.data_interval_end.has_value());
      EXPECT_EQ(item.need_by, *run.data_interval_end + 20min);
    } else {
      EXPECT_EQ(item.key.task_id, "");
      ASSERT_TRUE(run.queued_at.has_value());
      EXPECT_EQ(item.need_by, *run.queued_at + 15min);
    }
    if (item.state == ItemState::kMissed) continue;
    ++native_final;
    EXPECT_EQ(item.state, ItemState::kMetLate);
    ASSERT_TRUE(item.done_at.has_value());
    const Timestamp end =
        v2() ? *Task(item.key.run_id, "slow_task").end_date : *run.end_date;
    EXPECT_EQ(*item.done_at, end);
    EXPECT_EQ(item.lateness(), end - item.need_by);
    if (first_missed_seen_.contains(item.key.ToString())) {
      EXPECT_LT(first_missed_seen_[item.key.ToString()], item.need_by + kStep);
    }
  }
  EXPECT_GE(native_final, 1);
}

// 3. A scheduler outage: the run that should have been created is expected, missed at its
// need-by, and met_late under the same key once the scheduler resumes and the run finishes.
TEST_P(ScenarioTest, ExpectedRunDuringSchedulerOutage) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("expected", kStart));
  const Duration late = offset() + 15min;
  ASSERT_NO_FATAL_FAILURE(StartOutage(late, kStart + 1h + 50min));  // no run at 02:00
  // The run created at 02:00 (logical date 02:00 - offset) is not created until 02:30.
  const Timestamp logical = kStart + 2h - offset();
  const Timestamp need_by = logical + late;  // 02:15
  rules::ItemKey key{kInstance, "dag_late", kDag, "", "", ""};
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 30min));
  {
    const rules::Item* item = nullptr;
    for (const auto& [k, v] : engine_->tracker().open()) {
      if (k.rule == "dag_late" && v.logical_date == logical) item = &v;
    }
    ASSERT_NE(item, nullptr) << "no expected item for " << FormatRfc3339(logical);
    key = item->key;
    EXPECT_TRUE(item->expected);
    EXPECT_THAT(key.run_id, ::testing::StartsWith("scheduled__"));
    EXPECT_EQ(item->state, ItemState::kMissed);
    EXPECT_EQ(item->need_by, need_by);
    ASSERT_TRUE(first_missed_seen_.contains(key.ToString()));
    EXPECT_EQ(first_missed_seen_[key.ToString()], need_by);
    auto stored = store_->Find(key);
    ASSERT_TRUE(stored) << stored.status().ToString();
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->state, ItemState::kMissed);
    EXPECT_TRUE((*stored)->expected);
  }
  world_.sim->SetSchedulerRunning(true);
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 3h + 15min));
  auto stored = store_->Find(key);
  ASSERT_TRUE(stored) << stored.status().ToString();
  ASSERT_TRUE(stored->has_value()) << "the item moved away from " << key.ToString();
  const Item& item = **stored;
  const airflow::DagRun run = Run(key.run_id);
  ASSERT_TRUE(run.end_date.has_value());
  EXPECT_EQ(run.logical_date, logical);
  EXPECT_GE(*run.queued_at, kStart + 2h + 30min);
  EXPECT_EQ(item.state, ItemState::kMetLate);
  EXPECT_FALSE(item.expected);
  EXPECT_EQ(item.done_at, run.end_date);
  EXPECT_EQ(item.lateness(), *run.end_date - need_by);
  EXPECT_EQ(item.need_by, need_by);
  // One row for this logical date.
  int rows = 0;
  for (const Item& i : Items("dag_late")) rows += i.logical_date == logical;
  EXPECT_EQ(rows, 1);
}

// 4. The engine is destroyed while an item is missed; a new engine on the same store continues
// it without declaring the miss again, and records a run that finished late while it was down
// with its true end date.
TEST_P(ScenarioTest, RestartContinuesOpenMiss) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("restart", kStart));
  const Duration late = offset() + 15min;
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: dag_late, match: {dag_id: hourly}, reference: dagrun.logical_date, interval: " +
      Minutes(late) + "}\n"));
  ASSERT_NO_FATAL_FAILURE(StartEngine());
  // Run A: created at 01:00, need-by 01:15, done ~01:25.
  const Timestamp logical_a = kStart + 1h - offset();
  const Timestamp need_by_a = logical_a + late;
  ASSERT_NO_FATAL_FAILURE(RunUntil(need_by_a + 2 * kStep));
  rules::ItemKey key_a;
  for (const auto& [k, v] : engine_->tracker().open()) {
    if (v.logical_date == logical_a) key_a = k;
  }
  ASSERT_FALSE(key_a.run_id.empty());
  ASSERT_EQ(engine_->tracker().Find(key_a)->state, ItemState::kMissed);
  const uint64_t misses_before = Misses("dag_late");
  EXPECT_GE(misses_before, 1u);

  // Down from 01:17 to 02:40: run A finishes (late), run B (created 02:00, need-by 02:15)
  // is missed and finishes late, all unseen.
  engine_.reset();
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 40min));
  const Timestamp logical_b = kStart + 2h - offset();
  const airflow::DagRun run_a = Run(key_a.run_id);
  ASSERT_TRUE(run_a.end_date.has_value()) << "run A should have finished while down";

  ASSERT_NO_FATAL_FAILURE(StartEngine());
  ASSERT_EQ(engine_->tracker().Find(key_a) ? engine_->tracker().Find(key_a)->state
                                           : ItemState::kPending,
            ItemState::kMissed)
      << "Restore lost the open miss";
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 45min));

  // No second miss: the new engine declared none (the next run's need-by, 03:15, is ahead).
  EXPECT_EQ(Misses("dag_late"), 0u);
  std::vector<Item> items = Items("dag_late");
  int rows_a = 0, rows_b = 0;
  for (const Item& item : items) {
    SCOPED_TRACE(item.key.ToString());
    if (item.logical_date == logical_a) {
      ++rows_a;
      EXPECT_EQ(item.key, key_a);
      EXPECT_EQ(item.state, ItemState::kMetLate);
      EXPECT_EQ(item.done_at, run_a.end_date);
      EXPECT_EQ(item.lateness(), *run_a.end_date - need_by_a);
      ASSERT_TRUE(item.missed_at.has_value());
      EXPECT_GE(*item.missed_at, need_by_a);
      EXPECT_LT(*item.missed_at, need_by_a + kStep);
    } else if (item.logical_date == logical_b) {
      ++rows_b;
      const airflow::DagRun run_b = Run(item.key.run_id);
      ASSERT_TRUE(run_b.end_date.has_value());
      EXPECT_EQ(item.state, ItemState::kMetLate);
      EXPECT_EQ(item.done_at, run_b.end_date);
      EXPECT_EQ(item.need_by, logical_b + late);
      EXPECT_EQ(item.lateness(), *run_b.end_date - (logical_b + late));
    }
  }
  EXPECT_EQ(rows_a, 1);
  EXPECT_EQ(rows_b, 1);
}

// 3 + 4: the engine restarts while an expected run's item is missed (the scheduler is still
// down). The restored item must stay missed and end met_late once the run exists and finishes.
// Regression: the store once did not persist Item::expected, so the restored item looked like a
// real run; the first Poll read its run by key, did not find it, and Tracker::AbandonRun
// (which spares only expected items) abandoned it.
TEST_P(ScenarioTest, RestartDuringOutageKeepsExpectedItem) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("restart_outage", kStart));
  const Duration late = offset() + 15min;
  ASSERT_NO_FATAL_FAILURE(StartOutage(late, kStart + 1h + 50min));  // no run at 02:00
  const Timestamp logical = kStart + 2h - offset();
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 20min));
  rules::ItemKey key;
  for (const auto& [k, v] : engine_->tracker().open()) {
    if (v.logical_date == logical) key = k;
  }
  ASSERT_FALSE(key.run_id.empty());
  ASSERT_EQ(engine_->tracker().Find(key)->state, ItemState::kMissed);
  engine_.reset();
  ASSERT_NO_FATAL_FAILURE(StartEngine());
  ASSERT_NO_FATAL_FAILURE(Step(now_ + kStep));
  auto stored = store_->Find(key);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->state, ItemState::kMissed) << "the expected run's miss was dropped";
  world_.sim->SetSchedulerRunning(true);
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 3h + 15min));
  stored = store_->Find(key);
  ASSERT_TRUE(stored && stored->has_value());
  const airflow::DagRun run = Run(key.run_id);
  ASSERT_TRUE(run.end_date.has_value());
  EXPECT_EQ((*stored)->state, ItemState::kMetLate);
  EXPECT_EQ((*stored)->done_at, run.end_date);
  EXPECT_EQ(Misses("dag_late"), 1u);  // only the next hour's run, not this one again
}

// 6, 7 and 8: a wall-clock rule ("30 * * * *" in Berlin, window = the previous tick), a
// freshness rule (65m: met by the hourly successes) and a logical-date deadline on manual runs,
// over one timeline with a scheduler outage from 00:50 to 01:35 that delays the run due at 01:00
// to ~01:35 (ending ~02:00).
TEST_P(ScenarioTest, WallClockFreshnessAndManualReference) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("wallfresh", kStart, kWallFreshYaml));
  const Duration limit = 65min;
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: wall, match: {dag_id: hourly}, "
      "at: {cron: \"30 * * * *\", timezone: Europe/Berlin}}\n"
      "  - {name: fresh, match: {dag_id: hourly}, freshness: " + Minutes(limit) + "}\n"
      "  - {name: manual_ref, match: {dag_id: adhoc}, reference: dagrun.logical_date, "
      "interval: 20m}\n"));
  ASSERT_NO_FATAL_FAILURE(StartEngine());
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 50min));
  world_.sim->SetSchedulerRunning(false);
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 1h + 35min));
  world_.sim->SetSchedulerRunning(true);

  // The successes of "hourly", by end date: S0 (created 00:00), S1 (the 01:00 run, created when
  // the scheduler resumed), S2 (created 02:00).
  auto successes = [&]() {
    auto runs = source_->DagRunsInWindow(kDag, kStart - 3h, kStart + 4h);
    EXPECT_TRUE(runs) << runs.status().ToString();
    std::vector<airflow::DagRun> out;
    if (!runs) return out;
    for (const airflow::DagRun& r : *runs) {
      if (r.state == airflow::DagRunState::kSuccess && r.end_date) out.push_back(r);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return *a.end_date < *b.end_date; });
    return out;
  };
  // A freshness item is open at ~02:10, after S1: its slot is S1's end.
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 10min));
  {
    const std::vector<airflow::DagRun> s = successes();
    ASSERT_EQ(s.size(), 2u);
    const Timestamp s1_end = *s[1].end_date;
    const rules::Item* open = nullptr;
    for (const auto& [k, v] : engine_->tracker().open()) {
      if (k.rule == "fresh") {
        EXPECT_EQ(open, nullptr) << "two open freshness items";
        open = &v;
      }
    }
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open->key.slot, FormatRfc3339(s1_end));
    EXPECT_EQ(open->key.run_id, "");
    EXPECT_EQ(open->state, ItemState::kPending);
    EXPECT_EQ(open->need_by, s1_end + limit);
    EXPECT_EQ(open->reference_time, s1_end);
    auto stored = store_->Find(open->key);
    ASSERT_TRUE(stored) << stored.status().ToString();
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->state, ItemState::kPending);
  }
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 2h + 31min));

  const std::vector<airflow::DagRun> s = successes();
  ASSERT_EQ(s.size(), 3u);
  const Timestamp s0 = *s[0].end_date, s1 = *s[1].end_date, s2 = *s[2].end_date;
  ASSERT_TRUE(s[1].queued_at.has_value());
  EXPECT_GE(*s[1].queued_at, kStart + 1h + 35min) << "S1 should have waited for the scheduler";
  EXPECT_GT(s0, kStart + 25min);
  EXPECT_LT(s0, kStart + 30min);
  EXPECT_GT(s1, kStart + 1h + 30min);
  EXPECT_LT(s1, kStart + 2h + 30min);
  EXPECT_GT(s2, kStart + 2h);
  EXPECT_LT(s2, kStart + 2h + 30min);

  // 6. Wall clock: one item per tick, slot = the tick, no run.
  {
    SCOPED_TRACE("wall");
    std::map<Timestamp, Item> by_tick;
    for (const Item& item : Items("wall")) {
      SCOPED_TRACE(item.key.ToString());
      EXPECT_EQ(item.key.run_id, "");
      EXPECT_EQ(item.key.task_id, "");
      auto tick = ParseTimestamp(item.key.slot);
      ASSERT_TRUE(tick) << item.key.slot;
      EXPECT_EQ(item.key.slot, FormatRfc3339(*tick));
      EXPECT_EQ(item.need_by, *tick);
      EXPECT_EQ(item.reference_time, *tick - 1h);  // window = since the previous tick
      EXPECT_TRUE(by_tick.emplace(*tick, item).second);
    }
    const Timestamp t2330 = kStart - 30min, t0030 = kStart + 30min, t0130 = kStart + 1h + 30min,
                    t0230 = kStart + 2h + 30min, t0330 = kStart + 3h + 30min;
    std::vector<Timestamp> ticks;
    for (const auto& [t, item] : by_tick) ticks.push_back(t);
    EXPECT_THAT(ticks, ::testing::ElementsAre(t2330, t0030, t0130, t0230, t0330));
    EXPECT_EQ(FormatRfc3339(t0130), "2025-03-03T01:30:00Z");
    auto check = [&](Timestamp tick, ItemState state, std::optional<Timestamp> done) {
      SCOPED_TRACE(FormatRfc3339(tick));
      auto it = by_tick.find(tick);
      ASSERT_NE(it, by_tick.end());
      const Item& item = it->second;
      EXPECT_EQ(item.state, state);
      EXPECT_EQ(item.done_at, done);
      if (state == ItemState::kMetLate) {
        EXPECT_EQ(item.lateness(), *done - tick);
      }
      if (state == ItemState::kMet) {
        EXPECT_EQ(item.lateness(), Duration(0));
      }
    };
    // 23:30, the latest past tick on first sight (00:01): no success since 22:30, so missed at
    // once; S0 ended after its window start.
    check(t2330, ItemState::kMetLate, s0);
    ASSERT_TRUE(first_missed_seen_.contains(by_tick[t2330].key.ToString()));
    EXPECT_EQ(first_missed_seen_[by_tick[t2330].key.ToString()], kStart + kStep);
    // 00:30: S0 ended in (23:30, 00:30].
    check(t0030, ItemState::kMet, s0);
    EXPECT_FALSE(by_tick[t0030].missed_at.has_value());
    // 01:30: no success in (00:30, 01:30] (outage): missed at the tick, met late by S1.
    check(t0130, ItemState::kMetLate, s1);
    {
      const Item& item = by_tick[t0130];
      ASSERT_TRUE(first_missed_seen_.contains(item.key.ToString()));
      EXPECT_EQ(first_missed_seen_[item.key.ToString()], t0130);
      ASSERT_TRUE(item.missed_at.has_value());
      EXPECT_GE(*item.missed_at, t0130);
      EXPECT_LT(*item.missed_at, t0130 + kStep);
      EXPECT_THAT(States(item), ::testing::ElementsAre(ItemState::kPending, ItemState::kMissed));
    }
    // 02:30: the first success after 01:30 is S1 (not S2), within the window.
    check(t0230, ItemState::kMet, s1);
    // 03:30: the next tick's item exists before it; S2 ended before its window start.
    check(t0330, ItemState::kPending, std::nullopt);
    EXPECT_EQ(Misses("wall"), 2u);  // 23:30 and 01:30
  }

  // 7. Freshness: items by slot.
  {
    SCOPED_TRACE("fresh");
    std::map<std::string, Item> by_slot;
    for (const Item& item : Items("fresh")) {
      EXPECT_EQ(item.key.run_id, "");
      EXPECT_TRUE(by_slot.emplace(item.key.slot, item).second);
    }
    std::vector<std::string> slots;
    for (const auto& [slot, item] : by_slot) slots.push_back(slot);
    EXPECT_THAT(slots, ::testing::ElementsAre("", FormatRfc3339(s0), FormatRfc3339(s1),
                                              FormatRfc3339(s2)));
    // Before any success: counted from first sight (00:01), closed by S0 in time.
    {
      const Item& item = by_slot[""];
      EXPECT_EQ(item.need_by, kStart + kStep + limit);
      EXPECT_EQ(item.state, ItemState::kMet);
      EXPECT_EQ(item.done_at, s0);
    }
    // S0's item: nothing succeeded for 65m (outage): missed at S0 + 65m, met late by S1.
    {
      const Item& item = by_slot[FormatRfc3339(s0)];
      SCOPED_TRACE(item.key.ToString());
      EXPECT_EQ(item.need_by, s0 + limit);
      EXPECT_EQ(item.reference_time, s0);
      EXPECT_EQ(item.state, ItemState::kMetLate);
      EXPECT_EQ(item.done_at, s1);
      EXPECT_EQ(item.lateness(), s1 - (s0 + limit));
      ASSERT_TRUE(first_missed_seen_.contains(item.key.ToString()));
      EXPECT_GE(first_missed_seen_[item.key.ToString()], s0 + limit);
      EXPECT_LT(first_missed_seen_[item.key.ToString()], s0 + limit + kStep);
      ASSERT_TRUE(item.missed_at.has_value());
      EXPECT_GE(*item.missed_at, s0 + limit);
      EXPECT_LT(*item.missed_at, s0 + limit + kStep);
      EXPECT_THAT(States(item), ::testing::ElementsAre(ItemState::kPending, ItemState::kMissed));
    }
    // S1's item: S2 came an hour later, in time.
    {
      const Item& item = by_slot[FormatRfc3339(s1)];
      EXPECT_EQ(item.need_by, s1 + limit);
      EXPECT_EQ(item.state, ItemState::kMet);
      EXPECT_EQ(item.done_at, s2);
    }
    // S2's item: open.
    {
      const Item& item = by_slot[FormatRfc3339(s2)];
      EXPECT_EQ(item.need_by, s2 + limit);
      EXPECT_EQ(item.state, ItemState::kPending);
      EXPECT_FALSE(item.done_at.has_value());
    }
    EXPECT_EQ(Misses("fresh"), 1u);
  }

  // 8. Manual runs and dagrun.logical_date: on 3.x they have none, so the item uses run_after
  // (the trigger time); on 2.x the manual run's logical date is the trigger time.
  {
    SCOPED_TRACE("manual_ref");
    const std::vector<Item> items = Items("manual_ref");
    ASSERT_FALSE(items.empty()) << "no manual run was triggered";
    int finished = 0;
    for (const Item& item : items) {
      SCOPED_TRACE(item.key.ToString());
      EXPECT_THAT(item.key.run_id, ::testing::StartsWith("manual__"));
      EXPECT_FALSE(item.expected);
      const airflow::DagRun run = Run(item.key.run_id, kAdhocDag);
      if (v2()) {
        ASSERT_TRUE(run.logical_date.has_value());
        EXPECT_EQ(item.reference, "dagrun.logical_date");
        EXPECT_EQ(item.reference_time, run.logical_date);
        EXPECT_EQ(item.need_by, *run.logical_date + 20min);
        EXPECT_EQ(item.logical_date, run.logical_date);
      } else {
        EXPECT_FALSE(run.logical_date.has_value()) << "3.x manual runs have no logical date";
        EXPECT_EQ(item.reference, "dagrun.run_after (logical_date is NULL)");
        EXPECT_EQ(item.reference_time, run.run_after);
        EXPECT_EQ(item.need_by, run.run_after + 20min);
        EXPECT_EQ(item.logical_date, run.run_after);
      }
      ASSERT_TRUE(run.queued_at.has_value());
      EXPECT_LE(item.need_by, *run.queued_at + 20min);  // triggered = queued, no later
      if (run.state == airflow::DagRunState::kSuccess) {
        ++finished;
        ASSERT_TRUE(run.end_date.has_value());
        EXPECT_EQ(item.state, ItemState::kMetLate);  // 25m against 20m
        EXPECT_EQ(item.done_at, run.end_date);
        EXPECT_EQ(item.lateness(), *run.end_date - item.need_by);
      } else if (item.need_by <= now_) {
        EXPECT_EQ(item.state, ItemState::kMissed);
      } else {
        EXPECT_EQ(item.state, ItemState::kPending);
      }
    }
    EXPECT_GE(finished, 1);
  }
}

// At risk (docs/insights.md#at-risk): the precision and recall of the prediction on four
// simulated days of an hourly DAG whose runs take ~15 minutes, a quarter of them four times as
// long (the simulator's lateness draw). Need-by: queued_at + 30m for the run, + 25m for its
// last task. An item counts as predicted when it was at_risk at some step before its need-by;
// as missed when it ended missed or met_late. Engines with confidence 0.9 (the default), 0.5
// (the median) and 0.1 (the 90th percentile) poll the same world side by side; the figures are
// printed (docs/insights.md#at-risk quotes them) and the default must keep precision >= 0.7
// and recall >= 0.9. The prediction reads nothing of its own, so one
// backend pair (SQLite, both schemas) measures it.
constexpr char kAtRiskYaml[] = R"(
dags:
  - dag_id: hourly
    schedule: "@hourly"
    catchup: false
    start_date: 2025-03-01T00:00:00Z
    lateness: {rate: 0.25, factor: 4}
    tasks:
      - task_id: extract
        duration: {mean: 8m, stddev: 2m}
      - task_id: load
        upstream: [extract]
        duration: {mean: 6m, stddev: 2m}
)";

TEST_P(ScenarioTest, AtRiskPrecisionAndRecall) {
  if (GetParam().backend != db::Backend::kSqlite) {
    GTEST_SKIP() << "the prediction does not depend on the backend: measured on SQLite";
  }
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("atrisk", kStart, kAtRiskYaml));
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: run_by_30m, match: {dag_id: hourly}, reference: dagrun.queued_at, "
      "interval: 30m, at_risk: true}\n"
      "  - {name: load_by_25m, match: {dag_id: hourly}, tasks: [load], "
      "reference: dagrun.queued_at, interval: 25m, at_risk: true}\n"));
  struct Candidate {
    double confidence;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<InstanceEngine> engine;
    // Item key -> how long before its need-by it was first seen at_risk.
    std::map<std::string, Duration> predicted;
  };
  std::vector<Candidate> candidates;
  for (double confidence : {0.9, 0.5, 0.1}) {
    Candidate& c = candidates.emplace_back();
    c.confidence = confidence;
    auto dsn = db::Dsn::Parse("sqlite:///" + (std::filesystem::temp_directory_path() /
                                               ("slayer-atrisk-" + std::to_string(::getpid()) +
                                                "-" + std::to_string(candidates.size()) + ".db"))
                                                  .string());
    ASSERT_TRUE(dsn);
    std::filesystem::remove(dsn->database);
    auto store = store::OpenStore(*dsn);
    ASSERT_TRUE(store) << store.status().ToString();
    c.store = std::move(*store);
    EngineOptions o;
    o.instance = kInstance;
    o.durations.confidence = confidence;
    c.engine = std::make_unique<InstanceEngine>(o, rules_, c.store.get());
  }
  const Timestamp end = kStart + 96h;
  while (now_ < end) {
    ASSERT_NO_FATAL_FAILURE(Step(now_ + kStep));
    auto active = source_->ActiveDagRuns();
    ASSERT_TRUE(active) << active.status().ToString();
    for (Candidate& c : candidates) {
      ASSERT_TRUE(c.engine->Poll(*source_, *active, now_).ok());
      ASSERT_TRUE(c.engine->CheckDue(*source_, now_).ok());
      for (const Item& item : c.engine->Snapshot().open) {
        if (item.state == ItemState::kAtRisk && now_ < item.need_by) {
          c.predicted.try_emplace(item.key.ToString(), item.need_by - now_);
        }
      }
    }
  }
  for (Candidate& c : candidates) {
    for (const char* rule : {"run_by_30m", "load_by_25m"}) {
      store::ItemFilter f;
      f.instance = kInstance;
      f.rule = rule;
      f.need_by_from = kStart + 12h;  // after the first runs, which teach the model
      f.need_by_to = end - 1h;       // settled
      auto items = c.store->Items(f);
      ASSERT_TRUE(items) << items.status().ToString();
      int tp = 0, fp = 0, fn = 0, tn = 0;
      Duration lead{};  // summed over the true positives
      for (const Item& item : *items) {
        const bool missed = item.state == ItemState::kMissed || item.state == ItemState::kMetLate;
        auto p = c.predicted.find(item.key.ToString());
        const bool predicted = p != c.predicted.end();
        (missed ? (predicted ? tp : fn) : (predicted ? fp : tn))++;
        if (missed && predicted) lead += p->second;
      }
      const double precision = tp + fp == 0 ? 0 : double(tp) / (tp + fp);
      const double recall = tp + fn == 0 ? 0 : double(tp) / (tp + fn);
      std::cout << "at_risk " << sim::AirflowVersionName(GetParam().version) << " rule=" << rule
                << " confidence=" << c.confidence << " items=" << items->size() << " missed=" << tp + fn
                << " predicted=" << tp + fp << " precision=" << precision
                << " recall=" << recall << " mean_lead_minutes="
                << (tp == 0 ? 0 : std::chrono::duration<double>(lead).count() / 60 / tp) << "\n";
      EXPECT_GE(tp + fn, 5) << rule << ": too few misses to measure";
      if (c.confidence == DurationModelOptions{}.confidence) {
        EXPECT_GE(precision, 0.7) << rule;
        EXPECT_GE(recall, 0.9) << rule;
      }
    }
  }
}

// Backfill (docs/insights.md#backfill): six simulated hours watched live by the engine, then
// evaluated afresh from Airflow's history into an empty store. Every outcome the live engine
// recorded (met, met_late, abandoned, missed) is recorded by the backfill with the same state,
// need-by and done time; a second backfill writes nothing; a backfill stopped after its first
// batch (one DAG a batch) resumes where it got to and ends with the same items.
TEST_P(ScenarioTest, BackfillAgreesWithTheLiveEngineAndIsIdempotentAndResumable) {
  ASSERT_NO_FATAL_FAILURE(SetUpWorld("backfill", kStart, kWallFreshYaml));
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: run_by_20m, match: {dag_id: '*'}, reference: dagrun.queued_at, "
      "interval: 20m}\n"
      "  - {name: run_by_40m, match: {dag_id: '*'}, reference: dagrun.queued_at, "
      "interval: 40m}\n"
      "  - {name: slow_15m, match: {dag_id: '*'}, tasks: [slow_task], "
      "reference: task.start_date, interval: 15m}\n"));
  ASSERT_NO_FATAL_FAILURE(StartEngine());
  ASSERT_NO_FATAL_FAILURE(RunUntil(kStart + 6h));

  auto open_store = [&](const std::string& suffix) {
    auto dsn = db::Dsn::Parse(
        "sqlite:///" + (std::filesystem::temp_directory_path() /
                        ("slayer-backfill-" + std::to_string(::getpid()) + "-" +
                         std::string(db::BackendName(GetParam().backend)) + (v2() ? "2" : "3") +
                         suffix + ".db"))
                           .string());
    EXPECT_TRUE(dsn);
    std::filesystem::remove(dsn->database);
    auto store = store::OpenStore(*dsn);
    EXPECT_TRUE(store) << store.status().ToString();
    return std::move(*store);
  };
  BackfillOptions options;
  options.instance = kInstance;
  options.from = kStart - 2h;  // on 2.x the first run's logical date is an hour before it
  auto items_of = [](store::Store& store) {
    store::ItemFilter f;
    f.instance = kInstance;
    auto items = store.Items(f);
    EXPECT_TRUE(items) << items.status().ToString();
    std::map<std::string, Item> out;
    for (Item& item : *items) {
      if (item.state == ItemState::kPending || item.state == ItemState::kAtRisk) continue;
      std::string key = item.key.ToString();
      out.emplace(std::move(key), std::move(item));
    }
    return out;
  };

  std::unique_ptr<store::Store> fresh = open_store("a");
  auto stats = Backfill(*source_, *rules_, *fresh, options, now_);
  ASSERT_TRUE(stats) << stats.status().ToString();
  EXPECT_EQ(stats->dags_total, 2u);
  EXPECT_GE(stats->runs, 5);
  EXPECT_EQ(stats->written, stats->items);
  const auto backfilled = items_of(*fresh);
  const auto live = items_of(*store_);
  int compared = 0;
  for (const auto& [key, item] : live) {
    // 3.x manual runs have no logical date: the backfill reads runs by logical date.
    if (!v2() && item.key.dag_id == kAdhocDag) continue;
    auto it = backfilled.find(key);
    if (it == backfilled.end()) {
      ADD_FAILURE() << "the backfill has no " << key << " ("
                    << rules::ItemStateName(item.state) << ")";
      continue;
    }
    ++compared;
    EXPECT_EQ(it->second.state, item.state) << key;
    EXPECT_EQ(it->second.need_by, item.need_by) << key;
    EXPECT_EQ(it->second.done_at, item.done_at) << key;
  }
  EXPECT_GE(compared, 12);
  for (const auto& [key, item] : backfilled) {
    EXPECT_TRUE(live.contains(key)) << "the live engine has no " << key;
  }

  // Twice: nothing new, nothing changed.
  auto again = Backfill(*source_, *rules_, *fresh, options, now_);
  ASSERT_TRUE(again) << again.status().ToString();
  EXPECT_EQ(again->written, 0);
  EXPECT_EQ(items_of(*fresh).size(), backfilled.size());
  auto restarted = options;
  restarted.restart = true;
  auto re = Backfill(*source_, *rules_, *fresh, restarted, now_);
  ASSERT_TRUE(re) << re.status().ToString();
  EXPECT_EQ(re->written, 0);
  EXPECT_EQ(re->items, stats->items);

  // Stopped after the first DAG, then resumed.
  std::unique_ptr<store::Store> resumed = open_store("b");
  auto stopping = options;
  stopping.dags_per_batch = 1;
  int batches = 0;
  stopping.should_stop = [&batches] { return batches++ >= 1; };
  auto first = Backfill(*source_, *rules_, *resumed, stopping, now_);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.status().code(), StatusCode::kCancelled);
  const size_t partial = items_of(*resumed).size();
  EXPECT_LT(partial, backfilled.size());
  // The first DAG (adhoc) is settled; on 3.x its manual runs have no logical date, no items.
  auto mark = resumed->Watermark(kInstance, BackfillWatermark(kAdhocDag));
  ASSERT_TRUE(mark);
  EXPECT_TRUE(mark->has_value());
  if (v2()) {
    EXPECT_GT(partial, 0u);
  }
  stopping.should_stop = nullptr;
  auto rest = Backfill(*source_, *rules_, *resumed, stopping, now_);
  ASSERT_TRUE(rest) << rest.status().ToString();
  EXPECT_GE(rest->dags_settled + rest->dags_done, 1u);
  EXPECT_EQ(rest->written + static_cast<int64_t>(partial), stats->written);
  const auto final_items = items_of(*resumed);
  ASSERT_EQ(final_items.size(), backfilled.size());
  for (const auto& [key, item] : final_items) {
    EXPECT_EQ(item.state, backfilled.at(key).state) << key;
    EXPECT_EQ(item.done_at, backfilled.at(key).done_at) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ScenarioTest, test::AllSimWorlds(), test::SimWorldParamName);

}  // namespace
}  // namespace slayer::engine
