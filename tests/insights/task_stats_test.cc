// Task analytics (src/insights/task_stats.cc) and its JSON, CSV and table
// (task_report_format.cc).
#include "insights/task_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes/timestamps.h"
#include "insights/task_report_format.h"

namespace slayer::insights {
namespace {

using namespace std::chrono_literals;
using airflow::TaskInstanceState;
using airflow::TaskInstanceTiming;
using slayer::test::T;

const Timestamp kQueued = T("2026-11-23T10:00:00Z");

TaskInstanceTiming TI(std::string dag, std::string task, TaskInstanceState state,
                      std::optional<int64_t> tries, Duration wait, Duration took,
                      std::string run = "r1", int64_t map_index = -1) {
  TaskInstanceTiming t;
  t.dag_id = std::move(dag);
  t.task_id = std::move(task);
  t.run_id = std::move(run);
  t.map_index = map_index;
  t.state = state;
  t.try_number = tries;
  t.queued_dttm = kQueued;
  t.start_date = kQueued + wait;
  t.end_date = kQueued + wait + took;
  return t;
}

TaskReport Build(std::vector<TaskInstanceTiming> tis, int64_t runs = 1) {
  TaskReportBuilder b(T("2026-11-20T00:00:00Z"), T("2026-11-27T00:00:00Z"));
  b.AddRuns(runs);
  b.Add("prod", tis);
  return std::move(b).Build();
}

TEST(TaskStatsTest, CountsOutcomesTriesAndRates) {
  TaskReport r = Build({
      TI("etl", "extract", TaskInstanceState::kSuccess, 1, 1s, 10s, "r1"),
      TI("etl", "extract", TaskInstanceState::kSuccess, 2, 1s, 10s, "r2"),
      TI("etl", "extract", TaskInstanceState::kFailed, 3, 1s, 10s, "r3"),
      TI("etl", "extract", TaskInstanceState::kSkipped, 1, 1s, 0s, "r4"),
      TI("etl", "extract", TaskInstanceState::kUpstreamFailed, 0, 0s, 0s, "r5"),
      // Not finished, or removed from the DAG: not counted.
      TI("etl", "extract", TaskInstanceState::kRunning, 1, 1s, 0s, "r6"),
      TI("etl", "extract", TaskInstanceState::kUpForRetry, 1, 1s, 0s, "r7"),
      TI("etl", "extract", TaskInstanceState::kRemoved, 1, 1s, 0s, "r8"),
  });
  ASSERT_EQ(r.tasks.size(), 1u);
  const TaskStats& s = r.tasks[0];
  EXPECT_EQ(s.task_instances, 5);
  EXPECT_EQ(s.success, 2);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.upstream_failed, 1);
  EXPECT_EQ(s.tries, 7);
  EXPECT_EQ(s.ran, 4);
  EXPECT_EQ(s.retried, 2);
  EXPECT_DOUBLE_EQ(*s.success_rate(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*s.retry_rate(), 0.5);
}

TEST(TaskStatsTest, DurationsOfDecidedTriesAndQueueTimesOfThoseThatRan) {
  std::vector<TaskInstanceTiming> tis;
  // Twenty successes of 1 .. 20 minutes, each queued for i seconds.
  for (int i = 1; i <= 20; ++i) {
    tis.push_back(TI("etl", "load", TaskInstanceState::kSuccess, 1, std::chrono::seconds(i),
                     std::chrono::minutes(i), "r" + std::to_string(i)));
  }
  // A skipped one's run time is not the task's; its queue wait is.
  tis.push_back(TI("etl", "load", TaskInstanceState::kSkipped, 1, 21s, 2h, "r21"));
  // A deferred task queued again on resume: started before its queued time, no queue wait.
  TaskInstanceTiming deferred = TI("etl", "load", TaskInstanceState::kFailed, 1, 0s, 30min, "r22");
  deferred.queued_dttm = *deferred.start_date + 1min;
  tis.push_back(deferred);
  // No times at all (cleared, or a very old row): counted, without a duration.
  TaskInstanceTiming bare = TI("etl", "load", TaskInstanceState::kSuccess, 1, 0s, 0s, "r23");
  bare.start_date.reset();
  bare.end_date.reset();
  bare.queued_dttm.reset();
  tis.push_back(bare);
  TaskReport r = Build(tis);
  const TaskStats& s = r.tasks[0];
  EXPECT_EQ(s.task_instances, 23);
  EXPECT_EQ(s.duration.count, 21);   // 20 successes and the failed one
  EXPECT_EQ(s.duration.p95, 20min);  // nearest rank: the 20th of 21
  EXPECT_EQ(s.duration.max, 30min);
  EXPECT_EQ(s.duration.p50, 11min);
  EXPECT_EQ(s.queue.count, 21);  // 1 .. 21 s
  EXPECT_EQ(s.queue.mean, 11s);
  EXPECT_EQ(s.queue.p95, 20s);
}

TEST(TaskStatsTest, GroupsByInstanceDagAndTaskInKeyOrderAndCountsMapIndexes) {
  TaskReportBuilder b(T("2026-11-20T00:00:00Z"), T("2026-11-27T00:00:00Z"));
  b.Add("staging",
        std::vector<TaskInstanceTiming>{TI("a", "t", TaskInstanceState::kSuccess, 1, 1s, 1s)});
  b.Add("prod", std::vector<TaskInstanceTiming>{
                    TI("b", "t", TaskInstanceState::kSuccess, 1, 1s, 1s, "r1", 0),
                    TI("b", "t", TaskInstanceState::kSuccess, 1, 1s, 1s, "r1", 1),
                    TI("a", "u", TaskInstanceState::kSuccess, std::nullopt, 1s, 1s)});
  b.AddRuns(2);
  b.AddRuns(1);
  TaskReport r = std::move(b).Build();
  EXPECT_EQ(r.dag_runs, 3);
  ASSERT_EQ(r.tasks.size(), 3u);
  EXPECT_EQ(r.tasks[0].airflow_instance + "/" + r.tasks[0].dag_id + "/" + r.tasks[0].task_id,
            "prod/a/u");
  EXPECT_EQ(r.tasks[0].tries, 0);  // a NULL try_number: never ran
  EXPECT_EQ(r.tasks[0].retry_rate(), std::nullopt);
  EXPECT_EQ(r.tasks[1].dag_id, "b");
  EXPECT_EQ(r.tasks[1].task_instances, 2);
  EXPECT_EQ(r.tasks[2].airflow_instance, "staging");
}

TEST(TaskStatsTest, JsonIsTheDocumentedShape) {
  TaskReport r = Build({TI("etl", "extract", TaskInstanceState::kSuccess, 2, 1500ms, 90s),
                        TI("etl", "notify", TaskInstanceState::kUpstreamFailed, 0, 0s, 0s)},
                       3);
  r.tasks[1].queue = {};
  EXPECT_EQ(TaskReportJson(r),
            R"({"since":"2026-11-20T00:00:00Z","until":"2026-11-27T00:00:00Z","dag_runs":3,)"
            R"("tasks":[{"airflow_instance":"prod","dag_id":"etl","task_id":"extract",)"
            R"("task_instances":1,"success":1,"failed":0,"skipped":0,"upstream_failed":0,)"
            R"("tries":2,"retried":1,"success_rate":1.0,"retry_rate":1.0,)"
            R"("duration_seconds":{"mean":90.0,"p50":90.0,"p95":90.0,"max":90.0},)"
            R"("queue_seconds":{"mean":1.5,"p50":1.5,"p95":1.5,"max":1.5}},)"
            R"({"airflow_instance":"prod","dag_id":"etl","task_id":"notify","task_instances":1,)"
            R"("success":0,"failed":0,"skipped":0,"upstream_failed":1,"tries":0,"retried":0,)"
            R"("success_rate":null,"retry_rate":null,)"
            R"("duration_seconds":{"mean":null,"p50":null,"p95":null,"max":null},)"
            R"("queue_seconds":{"mean":null,"p50":null,"p95":null,"max":null}}]})");
  EXPECT_EQ(TaskReportJson(Build({}, 0)),
            R"({"since":"2026-11-20T00:00:00Z","until":"2026-11-27T00:00:00Z","dag_runs":0,)"
            R"("tasks":[]})");
}

TEST(TaskStatsTest, CsvQuotesAndLeavesNullsEmpty) {
  TaskReport r =
      Build({TI("sales, \"EU\"", "extract", TaskInstanceState::kSuccess, 1, 2s, 4s),
             TI("sales, \"EU\"", "notify", TaskInstanceState::kUpstreamFailed, 0, 0s, 0s)});
  const std::string csv = TaskReportCsv(r);
  EXPECT_EQ(csv,
            "airflow_instance,dag_id,task_id,task_instances,success,failed,skipped,"
            "upstream_failed,tries,retried,success_rate,retry_rate,duration_mean_seconds,"
            "duration_p50_seconds,duration_p95_seconds,duration_max_seconds,queue_mean_seconds,"
            "queue_p50_seconds,queue_p95_seconds,queue_max_seconds\n"
            "prod,\"sales, \"\"EU\"\"\",extract,1,1,0,0,0,1,0,1,0,4,4,4,4,2,2,2,2\n"
            "prod,\"sales, \"\"EU\"\"\",notify,1,0,0,0,1,0,0,,,,,,,,,,\n");
}

TEST(TaskStatsTest, TableRoundsRatesTowardsTheWorseAndShowsInstancesWhenSeveral) {
  std::vector<TaskInstanceTiming> tis;
  for (int i = 0; i < 999; ++i) {
    tis.push_back(
        TI("etl", "extract", TaskInstanceState::kSuccess, 1, 300ms, 42s, "r" + std::to_string(i)));
  }
  tis.push_back(TI("etl", "extract", TaskInstanceState::kFailed, 2, 300ms, 5min, "r999"));
  TaskReport r = Build(tis, 1000);
  const std::string table = TaskReportTable(r);
  EXPECT_EQ(table,
            "Finished task instances of the DAG runs with a logical date from "
            "2026-11-20T00:00:00Z to 2026-11-27T00:00:00Z (1000 runs)\n\n"
            "DAG  TASK      TIS  SUCCESS  FAILED  SKIPPED  UPSTREAM_FAILED  TRIES  SUCCESS_RATE  "
            "RETRY_RATE  DURATION_MEAN  DURATION_P95  QUEUE_MEAN\n"
            "etl  extract  1000      999       1        0                0   1001         99.9%  "
            "      0.1%          42.3s         42.0s        0.3s\n");
  TaskReportBuilder b(r.since, r.until);
  b.Add("prod",
        std::vector<TaskInstanceTiming>{TI("a", "t", TaskInstanceState::kSuccess, 1, 1s, 2min)});
  b.Add("staging",
        std::vector<TaskInstanceTiming>{TI("a", "t", TaskInstanceState::kFailed, 1, 1s, 2min)});
  const std::string two = TaskReportTable(std::move(b).Build());
  EXPECT_NE(two.find("INSTANCE  DAG  TASK"), std::string::npos) << two;
  EXPECT_NE(two.find("\nstaging   a    t       1        0       1"), std::string::npos) << two;
  EXPECT_NE(two.find("  0.0%        0.0%             2m            2m        1.0s\n"),
            std::string::npos)
      << two;
  EXPECT_NE(TaskReportTable(Build({}, 0)).find("No finished task instances in this window."),
            std::string::npos);
}

}  // namespace
}  // namespace slayer::insights
