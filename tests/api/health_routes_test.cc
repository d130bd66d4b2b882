// GET /api/v1/health (HealthHandler in src/api/history_routes.cc) on a SQLite store in a
// temporary directory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/get_request.h"
#include "api/history_routes.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"
#include "insights/health_report.h"
#include "insights/health_report_format.h"
#include "insights/temp_store.h"

namespace slayer::api {
namespace {

using namespace std::chrono_literals;
using test::T;

class HealthRoutesTest : public insights::test::TempStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TempStoreTest::SetUp());
    // prod: up every 10 s from 10:00 to 11:00 today, but down from 10:20 to 10:25; staging:
    // up for a minute three weeks ago.
    const Timestamp start = T("2026-11-30T10:00:00Z");
    for (Timestamp t = start; t <= start + 1h; t += 10s) {
      const bool down = t > start + 20min && t <= start + 25min;
      ASSERT_TRUE(store_->RecordHealthSample("prod", !down, t, 30s).ok());
    }
    const Timestamp old = start - std::chrono::days(21);
    for (Timestamp t = old; t <= old + 1min; t += 10s) {
      ASSERT_TRUE(store_->RecordHealthSample("staging", true, t, 30s).ok());
    }
  }

  HttpResponse Health(std::multimap<std::string, std::string, std::less<>> query) {
    HistoryAccess access{.store = [this] { return store_.get(); }};
    return HealthHandler(access, clock_)(GetRequest("/api/v1/health", std::move(query)));
  }

  // "Now" is 2026-11-30T12:00:00.5Z: windows from durations come out in whole seconds.
  testing::FakeClock clock_{T("2026-11-30T12:00:00.5Z")};
};

TEST_F(HealthRoutesTest, DefaultsToSevenThirtyAndNinetyDays) {
  HttpResponse r = Health({});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  const Timestamp now = T("2026-11-30T12:00:00Z");
  auto expected = insights::ReadHealthReport(*store_, insights::DefaultUptimeWindows(now), "");
  ASSERT_TRUE(expected);
  EXPECT_EQ(r.body, insights::HealthReportJson(*expected));
  nlohmann::json doc = nlohmann::json::parse(r.body);
  ASSERT_EQ(doc["windows"].size(), 3u);
  EXPECT_EQ(doc["windows"][0]["window"], "7d");
  EXPECT_EQ(doc["windows"][0]["since"], "2026-11-23T12:00:00Z");
  ASSERT_EQ(doc["instances"].size(), 2u);
  const nlohmann::json& prod = doc["instances"][0]["windows"][0];
  EXPECT_EQ(prod["outages"], 1);
  EXPECT_EQ(prod["down_seconds"], 300.0);
  EXPECT_EQ(prod["longest_outage_seconds"], 300.0);
  EXPECT_EQ(prod["up_seconds"], 3300.0);
  EXPECT_DOUBLE_EQ(prod["uptime"].get<double>(), 3300.0 / 3600.0);
  // staging has history only in the 30d and 90d windows.
  EXPECT_TRUE(doc["instances"][1]["windows"][0]["uptime"].is_null());
  EXPECT_EQ(doc["instances"][1]["windows"][1]["uptime"], 1.0);
}

TEST_F(HealthRoutesTest, SinceGivesOneWindowNamedByItsTextAndInstanceFilters) {
  nlohmann::json doc = nlohmann::json::parse(
      Health({{"since", "2026-11-30T10:00:00Z"}, {"until", "2026-11-30T10:30:00Z"}}).body);
  ASSERT_EQ(doc["windows"].size(), 1u);
  EXPECT_EQ(doc["windows"][0]["window"], "2026-11-30T10:00:00Z");
  EXPECT_EQ(doc["windows"][0]["until"], "2026-11-30T10:30:00Z");
  ASSERT_EQ(doc["instances"].size(), 1u);  // staging has nothing in it
  EXPECT_EQ(doc["instances"][0]["windows"][0]["up_seconds"], 1500.0);
  EXPECT_EQ(doc["instances"][0]["windows"][0]["down_seconds"], 300.0);

  doc = nlohmann::json::parse(Health({{"instance", "staging"}}).body);
  ASSERT_EQ(doc["instances"].size(), 1u);
  EXPECT_EQ(doc["instances"][0]["airflow_instance"], "staging");
  doc = nlohmann::json::parse(Health({{"since", "1d"}}).body);
  EXPECT_EQ(doc["windows"][0]["window"], "1d");
  EXPECT_EQ(doc["windows"][0]["since"], "2026-11-29T12:00:00Z");
}

TEST_F(HealthRoutesTest, BadParametersAre400AndNoStoreIs503) {
  for (const auto& [name, value, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"since", "yesterday", "is neither a duration"},
           {"until", "2026-13-01", "RFC 3339"},
           {"window", "7d", "unknown parameter; known: since, until, instance"},
           {"instanc", "prod", "did you mean instance?"}}) {
    HttpResponse r = Health({{name, value}});
    EXPECT_EQ(r.status, 400) << name;
    nlohmann::json doc = nlohmann::json::parse(r.body);
    EXPECT_EQ(doc["parameter"], name);
    EXPECT_NE(doc["error"].get<std::string>().find(says), std::string::npos) << r.body;
  }
  HttpResponse r = Health({{"since", "1d"}, {"until", "2d"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("must be before until"), std::string::npos);
  r = HealthHandler(HistoryAccess{}, clock_)(GetRequest("/api/v1/health", {}));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("no history store is open"), std::string::npos);
}

}  // namespace
}  // namespace slayer::api
