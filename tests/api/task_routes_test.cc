// GET /api/v1/tasks (src/api/task_routes.cc) over the fake Airflow source.
#include "api/task_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/get_request.h"
#include "fakes/fake_airflow_source.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"

namespace slayer::api {
namespace {

using namespace std::chrono_literals;
using test::T;

class TaskRoutesTest : public ::testing::Test {
 protected:
  TaskRoutesTest() : data_(std::make_shared<slayer::testing::FakeAirflowData>()) {
    config::AirflowInstance prod;
    prod.name = "prod";
    prod.database = *db::Dsn::Parse("postgresql://u:pw@db/airflow");
    instances_ = {prod};
    for (const char* id : {"etl", "report"}) {
      airflow::Dag d;
      d.dag_id = id;
      data_->dags.push_back(d);
      airflow::DagRun run;
      run.dag_id = id;
      run.run_id = "scheduled__1";
      run.logical_date = T("2026-11-29T00:00:00Z");
      data_->runs.push_back(run);
      airflow::TaskInstance ti;
      ti.dag_id = id;
      ti.run_id = "scheduled__1";
      ti.task_id = "t";
      ti.state = airflow::TaskInstanceState::kSuccess;
      ti.try_number = 2;
      ti.queued_dttm = T("2026-11-29T01:00:00Z");
      ti.start_date = T("2026-11-29T01:00:02Z");
      ti.end_date = T("2026-11-29T01:01:02Z");
      data_->task_instances.push_back(ti);
    }
  }

  TaskAccess Access() {
    return {.instances = [this] { return instances_; },
            .factory = [this](const config::AirflowInstance&)
                -> Result<std::unique_ptr<airflow::AirflowSource>> {
              if (!connect_error_.ok()) return connect_error_;
              return std::unique_ptr<airflow::AirflowSource>(
                  new slayer::testing::FakeAirflowSource(data_));
            }};
  }
  HttpResponse Tasks(std::multimap<std::string, std::string, std::less<>> query) {
    return TasksHandler(Access(), clock_)(GetRequest("/api/v1/tasks", std::move(query)));
  }

  testing::FakeClock clock_{T("2026-11-30T12:00:00.5Z")};
  std::shared_ptr<slayer::testing::FakeAirflowData> data_;
  std::vector<config::AirflowInstance> instances_;
  Status connect_error_ = Status::Ok();
};

TEST_F(TaskRoutesTest, DefaultsToTheLastSevenDaysOfEveryDag) {
  HttpResponse r = Tasks({});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  nlohmann::json doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["since"], "2026-11-23T12:00:00Z");
  EXPECT_EQ(doc["until"], "2026-11-30T12:00:00Z");
  EXPECT_EQ(doc["dag_runs"], 2);
  ASSERT_EQ(doc["tasks"].size(), 2u);
  const nlohmann::json& etl = doc["tasks"][0];
  EXPECT_EQ(etl["airflow_instance"], "prod");
  EXPECT_EQ(etl["dag_id"], "etl");
  EXPECT_EQ(etl["task_id"], "t");
  EXPECT_EQ(etl["success_rate"], 1.0);
  EXPECT_EQ(etl["retry_rate"], 1.0);
  EXPECT_EQ(etl["duration_seconds"]["mean"], 60.0);
  EXPECT_EQ(etl["queue_seconds"]["mean"], 2.0);
}

TEST_F(TaskRoutesTest, FiltersByDagGlobWindowAndInstance) {
  nlohmann::json doc = nlohmann::json::parse(Tasks({{"dag_id", "rep*"}}).body);
  ASSERT_EQ(doc["tasks"].size(), 1u);
  EXPECT_EQ(doc["tasks"][0]["dag_id"], "report");
  doc = nlohmann::json::parse(Tasks({{"since", "12h"}}).body);
  EXPECT_EQ(doc["dag_runs"], 0);
  EXPECT_TRUE(doc["tasks"].empty());
  doc = nlohmann::json::parse(Tasks({{"since", "2026-11-28T00:00:00Z"},
                                     {"until", "2026-11-29T00:00:01Z"},
                                     {"instance", "prod"}})
                                  .body);
  EXPECT_EQ(doc["dag_runs"], 2);
}

TEST_F(TaskRoutesTest, RefusalsAre400NamingTheParameter) {
  for (const auto& [query, parameter, says] :
       std::vector<std::tuple<std::multimap<std::string, std::string, std::less<>>, std::string,
                              std::string>>{
           {{{"since", "31d"}}, "since", "is longer than 30d"},
           {{{"since", "1d"}, {"until", "2d"}}, "since", "is not before"},
           {{{"since", "soon"}}, "since", "is neither a duration"},
           {{{"until", "x"}}, "until", "is neither a duration"},
           {{{"dag_id", "etl_[ab"}}, "dag_id", "unclosed '['"},
           {{{"instance", "qa"}}, "instance", "no airflow instance named 'qa'"},
           {{{"dag", "etl"}}, "dag", "did you mean dag_id?"},
       }) {
    HttpResponse r = Tasks(query);
    EXPECT_EQ(r.status, 400) << parameter << ": " << r.body;
    nlohmann::json doc = nlohmann::json::parse(r.body);
    EXPECT_EQ(doc["parameter"], parameter) << r.body;
    EXPECT_NE(doc["error"].get<std::string>().find(says), std::string::npos) << r.body;
  }
  for (int i = 0; i < 600; ++i) {
    airflow::Dag d;
    d.dag_id = "many_" + std::to_string(i);
    data_->dags.push_back(d);
  }
  HttpResponse r = Tasks({});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["parameter"], "dag_id") << r.body;
  EXPECT_EQ(Tasks({{"dag_id", "etl"}}).status, 200);
}

TEST_F(TaskRoutesTest, AirflowUnreachableIs503AndNoInstancesIs503) {
  connect_error_ = UnavailableError("cannot connect to postgresql://u:***@db/airflow");
  HttpResponse r = Tasks({});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"],
            "instance prod: cannot connect to postgresql://u:***@db/airflow");
  connect_error_ = DeadlineExceededError("statement timeout");
  EXPECT_EQ(Tasks({}).status, 504);
  connect_error_ = DataLossError("read task_instance row 1: bad");
  EXPECT_EQ(Tasks({}).status, 500);
  r = TasksHandler(TaskAccess{}, clock_)(GetRequest("/api/v1/tasks", {}));
  EXPECT_EQ(r.status, 503);
}

}  // namespace
}  // namespace slayer::api
