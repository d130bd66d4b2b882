#include "app/service.h"

#include <gtest/gtest.h>

#include <thread>

#include "config/load.h"
#include "fakes/fake_airflow_source.h"

namespace slayer::app {
namespace {

using namespace std::chrono;

constexpr const char* kConfig = R"(
rules: []
airflow:
  - name: prod
    database: postgresql://u:hunter2@db/airflow
    poll_interval: 1s
)";

// Waits (really: the service runs its own threads) until `done` or 10 s.
template <typename F>
bool WaitFor(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : data_(std::make_shared<testing::FakeAirflowData>()) {
    data_->schema.airflow_version = "2.10.3";
    data_->schema.sla_miss_table = true;
    airflow::Dag dag;
    dag.dag_id = "etl";
    data_->dags = {dag};
    airflow::SlaMiss m;
    m.dag_id = "etl";
    m.task_id = "load";
    m.execution_date = *ParseTimestamp("2026-11-23T08:00:00Z");
    data_->open_sla_misses = {m};
  }

  std::unique_ptr<Service> NewService() {
    return std::make_unique<Service>(
        [this] { return config::LoadConfigString(yaml_, "slayer.yml"); }, clock_,
        [this](const config::AirflowInstance&) -> Result<std::unique_ptr<airflow::AirflowSource>> {
          return std::unique_ptr<airflow::AirflowSource>(new testing::FakeAirflowSource(data_));
        },
        "test");
  }

  SystemClock clock_;
  std::shared_ptr<testing::FakeAirflowData> data_;
  std::string yaml_ = kConfig;
};

TEST_F(ServiceTest, PollsAndPublishesTheExposition) {
  auto service = NewService();
  EXPECT_FALSE(service->Ready());
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service->Ready(); }));
  auto text = service->Exposition();
  EXPECT_NE(text->find("airflow_sla_misses{dag_id=\"etl\",task_id=\"load\","
                       "execution_date=\"2026-11-23T08:00:00Z\"} 1"),
            std::string::npos)
      << *text;
  ASSERT_EQ(service->States().size(), 1u);
  EXPECT_EQ(service->States()[0].name, "prod");

  // A miss that clears disappears at the next full read; the poll loop keeps running. Drive it
  // by clearing the data and waiting for the series to go (poll_interval 1 s; the run is active
  // so the DAG is re-read every poll).
  airflow::DagRun run;
  run.dag_id = "etl";
  run.state = airflow::DagRunState::kRunning;
  data_->runs = {run};
  data_->open_sla_misses = {};
  EXPECT_TRUE(WaitFor([&] {
    return service->Exposition()->find("airflow_sla_misses{") == std::string::npos;
  }));
  service->Stop();
}

TEST_F(ServiceTest, InvalidConfigOnReloadIsRejectedAndTheOldOneKeepsRunning) {
  auto service = NewService();
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service->Ready(); }));
  yaml_ = "airflow:\n  - name: prod\n    databse: x\n";
  Status st = service->Reload();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("slayer.yml:3:5"), std::string::npos) << st.message();
  ASSERT_EQ(service->States().size(), 1u);
  EXPECT_EQ(service->States()[0].name, "prod");

  yaml_ = std::string(kConfig) + "  - name: staging\n    database: sqlite:////tmp/x.db\n";
  ASSERT_TRUE(service->Reload().ok());
  EXPECT_EQ(service->States().size(), 2u);
  service->Stop();
  service->Stop();  // idempotent
}

TEST_F(ServiceTest, StartFailsOnInvalidConfig) {
  yaml_ = "airflow: 3\n";
  auto service = NewService();
  EXPECT_FALSE(service->Start().ok());
  EXPECT_TRUE(service->States().empty());
}

}  // namespace
}  // namespace slayer::app
