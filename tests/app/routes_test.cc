#include "api/routes.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <thread>

#include "api/httplib_server.h"
#include "config/load.h"
#include "fakes/fake_airflow_source.h"

namespace slayer::api {
namespace {

using namespace std::chrono;

struct Reply {
  long status = 0;
  std::string body;
};

Reply Fetch(int port, const std::string& path, bool post = false) {
  CURL* curl = curl_easy_init();
  Reply r;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (post) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char* p, size_t s, size_t n, void* out) {
                     static_cast<std::string*>(out)->append(p, s * n);
                     return s * n;
                   });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = std::make_shared<testing::FakeAirflowData>();
    data_->schema.airflow_version = "2.10.3";
    data_->schema.alembic_revision = "5f2621c13b39";
    data_->schema.sla_miss_table = true;
    airflow::Dag dag;
    dag.dag_id = "etl";
    data_->dags = {dag};
    service_ = std::make_unique<app::Service>(
        [this] { return config::LoadConfigString(yaml_, "slayer.yml"); }, clock_,
        [this](const config::AirflowInstance&) -> Result<std::unique_ptr<airflow::AirflowSource>> {
          if (!connect_.ok()) return connect_;
          return std::unique_ptr<airflow::AirflowSource>(new testing::FakeAirflowSource(data_));
        },
        "9.9.9");
    HttpServerOptions o;
    o.listen_address = "127.0.0.1:0";
    auto server = NewHttplibServer(o);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    RegisterRoutes(*server_, *service_, clock_, {.telemetry_path = "/metrics", .version = "9.9.9"});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_->Stop();
    service_->Stop();
  }

  SystemClock clock_;
  std::shared_ptr<testing::FakeAirflowData> data_;
  std::string yaml_ =
      "airflow:\n  - name: prod\n    database: postgresql://u:hunter2@db/airflow\n"
      "    poll_interval: 1s\n";
  Status connect_ = Status::Ok();
  std::unique_ptr<app::Service> service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(RoutesTest, ReadyOnlyAfterAFirstSuccessfulPoll) {
  connect_ = UnavailableError("connection refused");
  ASSERT_TRUE(service_->Start().ok());
  EXPECT_EQ(Fetch(server_->port(), "/-/healthy").status, 200);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(Fetch(server_->port(), "/-/ready").status, 503);
  Reply metrics = Fetch(server_->port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("slayer_db_up{airflow_instance=\"prod\"} 0"), std::string::npos)
      << metrics.body;
  Reply status = Fetch(server_->port(), "/api/v1/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("\"db_up\":false"), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("connection refused"), std::string::npos) << status.body;
  EXPECT_EQ(status.body.find("hunter2"), std::string::npos);
}

TEST_F(RoutesTest, ServesMetricsStatusViolationsAndReload) {
  airflow::SlaMiss m;
  m.dag_id = "etl";
  m.task_id = "load";
  m.run_id = "scheduled__2026-11-23T08:00:00+00:00";
  m.execution_date = *ParseTimestamp("2026-11-23T08:00:00Z");
  m.timestamp = *ParseTimestamp("2026-11-23T09:00:00Z");
  data_->open_sla_misses = {m};
  ASSERT_TRUE(service_->Start().ok());
  for (int i = 0; i < 500 && Fetch(server_->port(), "/-/ready").status != 200; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(Fetch(server_->port(), "/-/ready").status, 200);
  Reply metrics = Fetch(server_->port(), "/metrics");
  EXPECT_NE(metrics.body.find("airflow_sla_misses{dag_id=\"etl\",task_id=\"load\","
                              "execution_date=\"2026-11-23T08:00:00Z\"} 1"),
            std::string::npos)
      << metrics.body;
  Reply violations = Fetch(server_->port(), "/api/v1/violations");
  EXPECT_NE(violations.body.find("\"need_by\":\"2026-11-23T09:00:00Z\""), std::string::npos)
      << violations.body;
  EXPECT_NE(violations.body.find("\"rule\":\"airflow:sla\""), std::string::npos);
  Reply status = Fetch(server_->port(), "/api/v1/status");
  EXPECT_NE(status.body.find("\"airflow_version\":\"2.10.3\""), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("\"version\":\"9.9.9\""), std::string::npos);

  yaml_ = "airflow: [}";
  Reply bad = Fetch(server_->port(), "/-/reload", /*post=*/true);
  EXPECT_EQ(bad.status, 500);
  EXPECT_NE(bad.body.find("slayer.yml:1:"), std::string::npos) << bad.body;
  EXPECT_EQ(Fetch(server_->port(), "/-/reload").status, 405);
}

}  // namespace
}  // namespace slayer::api
