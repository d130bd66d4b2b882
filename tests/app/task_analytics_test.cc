// ReadTaskReport (src/app/task_analytics.cc): instances, DAG glob, the runs of the window and
// their finished task instances, and the bounds it refuses to exceed; over the fake source.
#include "app/task_analytics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_airflow_source.h"
#include "fakes/timestamps.h"

namespace slayer::app {
namespace {

using namespace std::chrono_literals;
using test::T;

airflow::DagRun MakeRun(std::string dag, std::string run_id, Timestamp logical) {
  airflow::DagRun r;
  r.dag_id = std::move(dag);
  r.run_id = std::move(run_id);
  r.logical_date = logical;
  r.run_after = logical;
  r.state = airflow::DagRunState::kSuccess;
  return r;
}

airflow::TaskInstance TI(std::string dag, std::string run_id, std::string task, std::string state,
                         int64_t try_number, Timestamp queued, Duration wait, Duration took) {
  airflow::TaskInstance ti;
  ti.dag_id = std::move(dag);
  ti.run_id = std::move(run_id);
  ti.task_id = std::move(task);
  ti.state = airflow::ParseTaskInstanceState(state);
  ti.try_number = try_number;
  ti.queued_dttm = queued;
  ti.start_date = queued + wait;
  ti.end_date = queued + wait + took;
  return ti;
}

class TaskAnalyticsTest : public ::testing::Test {
 protected:
  TaskAnalyticsTest() {
    for (const char* name : {"prod", "staging"}) {
      config::AirflowInstance i;
      i.name = name;
      i.database = *db::Dsn::Parse(std::string("postgresql://u:pw@db/") + name);
      instances_.push_back(i);
      data_[name] = std::make_shared<testing::FakeAirflowData>();
      for (const char* dag : {"etl_orders", "etl_users", "report"}) {
        airflow::Dag d;
        d.dag_id = dag;
        data_[name]->dags.push_back(d);
      }
    }
    factory_ =
        [this](
            const config::AirflowInstance& i) -> Result<std::unique_ptr<airflow::AirflowSource>> {
      ++opened_[i.name];
      if (!connect_error_.ok()) return connect_error_;
      return std::unique_ptr<airflow::AirflowSource>(
          new testing::FakeAirflowSource(data_.at(i.name)));
    };
    query_.since = T("2026-11-20T00:00:00Z");
    query_.until = T("2026-11-27T00:00:00Z");
  }

  Result<insights::TaskReport> Read(TaskQueryField* field = nullptr) {
    return ReadTaskReport(instances_, factory_, query_, field);
  }

  std::vector<config::AirflowInstance> instances_;
  std::map<std::string, std::shared_ptr<testing::FakeAirflowData>> data_;
  std::map<std::string, int> opened_;
  Status connect_error_ = Status::Ok();
  SourceFactory factory_;
  TaskQuery query_;
};

TEST_F(TaskAnalyticsTest, FoldsTheFinishedTaskInstancesOfTheWindowsRuns) {
  auto& prod = *data_["prod"];
  const Timestamp d1 = T("2026-11-21T00:00:00Z");
  const Timestamp d2 = T("2026-11-22T00:00:00Z");
  const Timestamp old = T("2026-11-01T00:00:00Z");
  prod.runs = {MakeRun("etl_orders", "r1", d1), MakeRun("etl_orders", "r2", d2),
               MakeRun("etl_orders", "r0", old), MakeRun("report", "r1", d1)};
  prod.task_instances = {
      TI("etl_orders", "r1", "extract", "success", 1, d1, 2s, 60s),
      TI("etl_orders", "r2", "extract", "success", 3, d2, 4s, 100s),  // two retries
      TI("etl_orders", "r0", "extract", "failed", 1, old, 1s, 1h),    // outside the window
      TI("etl_orders", "r1", "load", "failed", 2, d1, 10s, 30s),
      TI("etl_orders", "r2", "load", "running", 1, d2, 1s, 1s),  // unfinished: not counted
      TI("report", "r1", "send", "upstream_failed", 0, d1, 0s, 0s),
  };
  prod.task_instances.back().queued_dttm.reset();
  prod.task_instances.back().start_date.reset();
  auto& staging = *data_["staging"];
  staging.runs = {MakeRun("etl_orders", "r1", d1)};
  staging.task_instances = {TI("etl_orders", "r1", "extract", "skipped", 1, d1, 0s, 0s)};

  auto report = Read();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->since, query_.since);
  EXPECT_EQ(report->until, query_.until);
  EXPECT_EQ(report->dag_runs, 4);  // 3 on prod (not r0), 1 on staging
  ASSERT_EQ(report->tasks.size(), 4u);
  const insights::TaskStats& extract = report->tasks[0];
  EXPECT_EQ(extract.airflow_instance, "prod");
  EXPECT_EQ(extract.dag_id, "etl_orders");
  EXPECT_EQ(extract.task_id, "extract");
  EXPECT_EQ(extract.task_instances, 2);
  EXPECT_EQ(extract.success, 2);
  EXPECT_EQ(extract.tries, 4);
  EXPECT_EQ(extract.retried, 1);
  EXPECT_EQ(extract.retry_rate(), 0.5);
  EXPECT_EQ(extract.success_rate(), 1.0);
  EXPECT_EQ(extract.duration.mean, 80s);
  EXPECT_EQ(extract.duration.p95, 100s);
  EXPECT_EQ(extract.queue.mean, 3s);
  const insights::TaskStats& load = report->tasks[1];
  EXPECT_EQ(load.task_id, "load");
  EXPECT_EQ(load.task_instances, 1);
  EXPECT_EQ(load.failed, 1);
  EXPECT_EQ(load.success_rate(), 0.0);
  EXPECT_EQ(load.duration.mean, 30s);  // a failed try's run time counts
  const insights::TaskStats& send = report->tasks[2];
  EXPECT_EQ(send.dag_id, "report");
  EXPECT_EQ(send.upstream_failed, 1);
  EXPECT_EQ(send.tries, 0);
  EXPECT_EQ(send.success_rate(), std::nullopt);
  EXPECT_EQ(send.retry_rate(), std::nullopt);
  EXPECT_EQ(send.duration.count, 0);
  EXPECT_EQ(report->tasks[3].airflow_instance, "staging");
  EXPECT_EQ(report->tasks[3].skipped, 1);
  EXPECT_EQ(prod.calls["DagRunKeysInWindow"], 1);
  EXPECT_EQ(prod.calls["FinishedTaskInstanceTimings"], 1);
}

TEST_F(TaskAnalyticsTest, DagGlobAndInstanceSelectWhatIsRead) {
  const Timestamp d1 = T("2026-11-21T00:00:00Z");
  for (auto& [name, data] : data_) {
    data->runs = {MakeRun("etl_orders", "r1", d1), MakeRun("report", "r1", d1)};
    data->task_instances = {TI("etl_orders", "r1", "t", "success", 1, d1, 1s, 1s),
                            TI("report", "r1", "t", "success", 1, d1, 1s, 1s)};
  }
  query_.dag_id = *Glob::Compile("etl_*");
  query_.instance = "staging";
  auto report = Read();
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->tasks.size(), 1u);
  EXPECT_EQ(report->tasks[0].airflow_instance, "staging");
  EXPECT_EQ(report->tasks[0].dag_id, "etl_orders");
  EXPECT_EQ(opened_["prod"], 0);
  EXPECT_EQ(opened_["staging"], 1);

  // No DAG matches: nothing read after the DAG list.
  query_.dag_id = *Glob::Compile("nothing_*");
  query_.instance.clear();
  report = Read();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->tasks.empty());
  EXPECT_EQ(report->dag_runs, 0);
  EXPECT_EQ(data_["prod"]->calls["DagRunKeysInWindow"], 0);
}

TEST_F(TaskAnalyticsTest, RefusesWhatWouldNotBeBounded) {
  TaskQueryField field = TaskQueryField::kNone;

  query_.since = query_.until - std::chrono::days(31);
  auto report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(field, TaskQueryField::kSince);
  EXPECT_EQ(report.error().message(),
            "the window from 2026-10-27T00:00:00Z to 2026-11-27T00:00:00Z is longer than 30d, "
            "the most task analytics read at a time");
  EXPECT_TRUE(opened_.empty());
  query_.since = query_.until;
  EXPECT_FALSE(Read(&field));
  EXPECT_EQ(field, TaskQueryField::kSince);
  query_.since = query_.until - std::chrono::days(30);
  EXPECT_TRUE(Read(&field));
  EXPECT_EQ(field, TaskQueryField::kNone);

  query_.instance = "qa";
  report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(field, TaskQueryField::kInstance);
  EXPECT_EQ(report.error().message(),
            "no airflow instance named 'qa' in the config (known: prod, staging)");
  query_.instance = "prod";

  auto& prod = *data_["prod"];
  prod.dags.clear();
  for (size_t i = 0; i <= kMaxTaskDags; ++i) {
    airflow::Dag d;
    d.dag_id = "dag_" + std::to_string(i);
    prod.dags.push_back(d);
  }
  report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(field, TaskQueryField::kDagId);
  EXPECT_EQ(report.error().message(),
            "instance prod: 501 DAGs match (every DAG); task analytics read at most 500 DAGs at "
            "a time: narrow the DAG glob");
  query_.dag_id = *Glob::Compile("dag_1*");  // 111 of them
  EXPECT_TRUE(Read(&field));

  query_.dag_id = *Glob::Compile("dag_1");
  for (size_t i = 0; i <= kMaxTaskRuns; ++i) {
    prod.runs.push_back(
        MakeRun("dag_1", "r" + std::to_string(i), query_.since + std::chrono::seconds(i)));
  }
  report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(field, TaskQueryField::kSince);
  EXPECT_EQ(report.error().message(),
            "instance prod: the DAGs matching 'dag_1' have more than 50000 runs from "
            "2026-10-28T00:00:00Z to 2026-11-27T00:00:00Z; task analytics read at most 50000 "
            "runs at a time: shorten the window or narrow the DAG glob");
  prod.runs.pop_back();
  report = Read(&field);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->dag_runs, 50000);
  EXPECT_EQ(prod.calls["FinishedTaskInstanceTimings"], 100);  // 500 runs per statement
}

TEST_F(TaskAnalyticsTest, SourceErrorsNameTheInstance) {
  connect_error_ = UnavailableError("cannot connect to postgresql://u:***@db/prod");
  TaskQueryField field = TaskQueryField::kSince;
  auto report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(report.error().message(),
            "instance prod: cannot connect to postgresql://u:***@db/prod");
  EXPECT_EQ(field, TaskQueryField::kNone);

  connect_error_ = Status::Ok();
  data_["staging"]->fail_with = DeadlineExceededError("statement timeout");
  report = Read(&field);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(report.error().message(), "instance staging: statement timeout");
}

}  // namespace
}  // namespace slayer::app
