// The health report (src/insights/health_report.cc) and its JSON, CSV and table
// (health_report_format.cc), over hand-made intervals and a real SQLite store.
#include "insights/health_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes/timestamps.h"
#include "insights/health_report_format.h"
#include "insights/temp_store.h"

namespace slayer::insights {
namespace {

using namespace std::chrono_literals;
using slayer::test::T;

const Timestamp kUntil = T("2026-11-30T12:00:00Z");

// prod: up for the last 8 days but for a 5-minute outage 2 days ago; staging: one sample
// 40 days ago (in the 90d window only), down.
std::vector<store::HealthInterval> Intervals() {
  const Timestamp outage = kUntil - std::chrono::days(2);
  return {
      {"prod", true, kUntil - std::chrono::days(8), outage, false},
      {"prod", false, outage, outage + 5min, false},
      {"prod", true, outage + 5min, kUntil - 10s, true},
      {"staging", false, kUntil - std::chrono::days(40), kUntil - std::chrono::days(40), false},
  };
}

TEST(HealthReportTest, DefaultWindowsAreSevenThirtyAndNinetyDays) {
  std::vector<UptimeWindow> w = DefaultUptimeWindows(kUntil);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].name, "7d");
  EXPECT_EQ(w[0].since, T("2026-11-23T12:00:00Z"));
  EXPECT_EQ(w[1].name, "30d");
  EXPECT_EQ(w[2].name, "90d");
  EXPECT_EQ(w[2].since, T("2026-09-01T12:00:00Z"));
  for (const auto& x : w) EXPECT_EQ(x.until, kUntil);
}

TEST(HealthReportTest, OneRowPerInstanceWithEachWindow) {
  HealthReport r = BuildHealthReport(Intervals(), DefaultUptimeWindows(kUntil));
  ASSERT_EQ(r.instances.size(), 2u);
  const InstanceUptime& prod = r.instances[0];
  EXPECT_EQ(prod.instance, "prod");
  ASSERT_EQ(prod.windows.size(), 3u);
  EXPECT_EQ(prod.windows[0].down, 5min);
  EXPECT_EQ(prod.windows[0].outages, 1);
  EXPECT_EQ(prod.windows[0].unknown, 10s);
  EXPECT_EQ(prod.windows[0].up, std::chrono::days(7) - 5min - 10s);
  // 30d: 22 days before the history began are unknown, not down.
  EXPECT_EQ(prod.windows[1].unknown, std::chrono::days(22) + 10s);
  EXPECT_EQ(prod.windows[1].down, 5min);
  const InstanceUptime& staging = r.instances[1];
  EXPECT_EQ(staging.windows[0].outages, 0);
  EXPECT_EQ(staging.windows[2].outages, 1);
  EXPECT_EQ(staging.windows[2].uptime(), std::nullopt);
}

TEST(HealthReportTest, JsonIsTheDocumentedShape) {
  std::vector<store::HealthInterval> v = {
      {"prod", true, T("2026-11-30T10:00:00Z"), T("2026-11-30T10:50:00Z"), false},
      {"prod", false, T("2026-11-30T10:50:00Z"), T("2026-11-30T11:00:00Z"), true}};
  HealthReport r = BuildHealthReport(
      v, {{"2h", T("2026-11-30T10:00:00Z"), kUntil}, {"1d", kUntil - 24h, kUntil}});
  EXPECT_EQ(
      HealthReportJson(r),
      R"({"windows":[{"window":"2h","since":"2026-11-30T10:00:00Z","until":"2026-11-30T12:00:00Z"},)"
      R"({"window":"1d","since":"2026-11-29T12:00:00Z","until":"2026-11-30T12:00:00Z"}],)"
      R"("instances":[{"airflow_instance":"prod","windows":[)"
      R"({"window":"2h","uptime":0.8333333333333334,"up_seconds":3000.0,"down_seconds":600.0,)"
      R"("unknown_seconds":3600.0,"outages":1,"longest_outage_seconds":600.0},)"
      R"({"window":"1d","uptime":0.8333333333333334,"up_seconds":3000.0,"down_seconds":600.0,)"
      R"("unknown_seconds":82800.0,"outages":1,"longest_outage_seconds":600.0}]}]})");
  HealthReport empty = BuildHealthReport({}, {{"7d", kUntil - std::chrono::days(7), kUntil}});
  EXPECT_EQ(HealthReportJson(empty), R"({"windows":[{"window":"7d","since":"2026-11-23T12:00:00Z",)"
                                     R"("until":"2026-11-30T12:00:00Z"}],"instances":[]})");
  // Nothing known: uptime null.
  const std::vector<store::HealthInterval> old = {
      {"prod", true, kUntil - 48h, kUntil - 47h, false}};
  HealthReport unknown = BuildHealthReport(old, {{"2d", kUntil - 48h, kUntil}});
  unknown.windows = {{"1d", kUntil - 24h, kUntil}};
  unknown.instances[0].windows = {ComputeUptime(old, kUntil - 24h, kUntil)};
  nlohmann::json doc = nlohmann::json::parse(HealthReportJson(unknown));
  EXPECT_TRUE(doc["instances"][0]["windows"][0]["uptime"].is_null());
  EXPECT_EQ(doc["instances"][0]["windows"][0]["unknown_seconds"], 86400.0);
}

TEST(HealthReportTest, CsvHasOneLinePerInstanceAndWindow) {
  HealthReport r = BuildHealthReport(Intervals(), DefaultUptimeWindows(kUntil));
  const std::string csv = HealthReportCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "airflow_instance,window,since,until,uptime,up_seconds,down_seconds,"
            "unknown_seconds,outages,longest_outage_seconds");
  EXPECT_NE(csv.find("\nprod,7d,2026-11-23T12:00:00Z,2026-11-30T12:00:00Z,0.9995039600522495,"
                     "604490,300,10,1,300\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nstaging,7d,2026-11-23T12:00:00Z,2026-11-30T12:00:00Z,,0,0,604800,0,0\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
}

TEST(HealthReportTest, TableRoundsUptimeDownAndShowsOutages) {
  HealthReport r = BuildHealthReport(Intervals(), DefaultUptimeWindows(kUntil));
  const std::string table = HealthReportTable(r);
  EXPECT_EQ(table,
            "Airflow uptime: time with a live scheduler / time known, up to "
            "2026-11-30T12:00:00Z\n\n"
            "INSTANCE  WINDOW  UPTIME           UP  DOWN  UNKNOWN  OUTAGES  LONGEST_OUTAGE\n"
            "prod      7d      99.95%  6d23h54m50s    5m      10s        1              5m\n"
            "prod      30d     99.95%  7d23h54m50s    5m   22d10s        1              5m\n"
            "prod      90d     99.95%  7d23h54m50s    5m   82d10s        1              5m\n"
            "staging   7d           -           0s    0s       7d        0               -\n"
            "staging   30d          -           0s    0s      30d        0               -\n"
            "staging   90d          -           0s    0s      90d        1              0s\n");
  EXPECT_NE(HealthReportTable(BuildHealthReport({}, DefaultUptimeWindows(kUntil)))
                .find("No health history in these windows."),
            std::string::npos);
}

TEST(HealthReportTest, ReadsTheStoreForTheWidestWindowAndOneInstance) {
  slayer::testing::TempDir dir;
  auto store = test::OpenSqliteStore(dir.path() / "slayer.db");
  ASSERT_TRUE(store) << store.error().message();
  for (const char* instance : {"prod", "staging"}) {
    for (int i = 0; i <= 6; ++i) {
      // up every 10 s for a minute, one hour ago
      ASSERT_TRUE(
          (*store)
              ->RecordHealthSample(instance, true, kUntil - 1h + std::chrono::seconds(10 * i), 30s)
              .ok());
    }
  }
  auto report = ReadHealthReport(**store, DefaultUptimeWindows(kUntil), "staging");
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->instances.size(), 1u);
  EXPECT_EQ(report->instances[0].instance, "staging");
  EXPECT_EQ(report->instances[0].windows[2].up, 1min);
  report = ReadHealthReport(**store, DefaultUptimeWindows(kUntil), "");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->instances.size(), 2u);
  report = ReadHealthReport(**store, {{"30m", kUntil - 30min, kUntil}}, "");
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->instances.empty());
}

}  // namespace
}  // namespace slayer::insights
