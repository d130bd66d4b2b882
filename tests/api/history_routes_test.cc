#include "api/history_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/get_request.h"
#include "fakes/fake_clock.h"
#include "insights/report.h"
#include "insights/report_json.h"
#include "insights/temp_store.h"
#include "insights/test_items.h"

namespace slayer::api {
namespace {

using insights::test::Item;
using rules::ItemState;
using test::T;

class HistoryRoutesTest : public insights::test::TempStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TempStoreTest::SetUp());
    ASSERT_TRUE(store_->Upsert(items_).ok());
  }

  HistoryAccess Access() {
    return {.store = [this] { return store_.get(); },
            .display_timezone = [] { return std::string("Europe/Berlin"); }};
  }
  HttpResponse Report(std::multimap<std::string, std::string, std::less<>> query) {
    return ReportHandler(Access(), clock_)(GetRequest("/api/v1/report", std::move(query)));
  }
  HttpResponse Incidents(std::multimap<std::string, std::string, std::less<>> query) {
    return IncidentsHandler(Access(), clock_)(GetRequest("/api/v1/incidents", std::move(query)));
  }

  // "Now" is 2026-11-30T12:00:00.5Z: windows from durations come out in whole seconds.
  testing::FakeClock clock_{T("2026-11-30T12:00:00.5Z")};
  std::vector<rules::Item> items_ = {
      Item("finance_etl", "by-9", "", "2026-11-23T08:00:00Z", ItemState::kMet),
      Item("finance_etl", "by-9", "", "2026-11-24T08:00:00Z", ItemState::kMetLate),
      Item("finance_report", "by-9", "", "2026-11-25T08:00:00Z", ItemState::kMissed),
      Item("sales", "runtime", "load", "2026-11-26T08:00:00Z", ItemState::kAbandoned),
      Item("sales", "runtime", "load", "2026-10-01T08:00:00Z", ItemState::kMissed),  // > 30d ago
  };
};

TEST_F(HistoryRoutesTest, ReportIsTheReportJsonOfTheWindow) {
  HttpResponse r = Report(
      {{"since", "2026-11-01T00:00:00Z"}, {"until", "2026-12-01T00:00:00Z"}, {"group_by", "rule"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  insights::ReportOptions o;
  o.since = T("2026-11-01T00:00:00Z");
  o.until = T("2026-12-01T00:00:00Z");
  o.group_by = insights::GroupBy::kRule;
  o.zone = *insights::DisplayZone::Make("Europe/Berlin");
  EXPECT_EQ(r.body, insights::ReportJson(insights::BuildReport(items_, o)));
}

TEST_F(HistoryRoutesTest, ReportDefaultsToTheLast30DaysByDag) {
  HttpResponse r = Report({});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["since"], "2026-10-31T12:00:00Z");
  EXPECT_EQ(doc["until"], "2026-11-30T12:00:00Z");
  EXPECT_EQ(doc["group_by"], "dag");
  ASSERT_EQ(doc["groups"].size(), 3u);
  EXPECT_EQ(doc["groups"][2]["key"]["dag_id"], "sales");
  EXPECT_EQ(doc["groups"][2]["abandoned"], 1);
  EXPECT_EQ(doc["groups"][2]["missed"], 0);  // the October miss is outside the window
  // Berlin: 08:00Z is 09:00 CET.
  EXPECT_EQ(doc["groups"][0]["by_hour"][9], 1);
}

TEST_F(HistoryRoutesTest, ReportFiltersByDagGlobAndRule) {
  nlohmann::json doc = nlohmann::json::parse(Report({{"dag_id", "finance_*"}}).body);
  ASSERT_EQ(doc["groups"].size(), 2u);
  EXPECT_EQ(doc["groups"][1]["key"]["dag_id"], "finance_report");
  doc = nlohmann::json::parse(Report({{"rule", "runtime"}, {"group_by", "task"}}).body);
  ASSERT_EQ(doc["groups"].size(), 1u);
  EXPECT_EQ(doc["groups"][0]["key"], nlohmann::json({{"dag_id", "sales"}, {"task_id", "load"}}));
}

TEST_F(HistoryRoutesTest, BadParametersAre400NamingTheParameter) {
  struct Case {
    std::multimap<std::string, std::string, std::less<>> query;
    std::string parameter;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{{"since", "last week"}}, "since", "'last week' is neither a duration"},
           {{{"until", "2026-13-01"}}, "until", "RFC 3339"},
           {{{"since", "1d"}, {"until", "2d"}}, "since", "must be before until"},
           {{{"group_by", "owner"}}, "group_by", "must be dag, rule or task, not 'owner'"},
           {{{"dag_id", "etl_[ab"}}, "dag_id", "unclosed '['"},
           {{{"group", "rule"}}, "group", "unknown parameter (did you mean group_by?)"},
           {{{"dag", "etl"}}, "dag", "known: since, until, dag_id, rule, group_by"},
       }) {
    HttpResponse r = Report(c.query);
    EXPECT_EQ(r.status, 400) << c.parameter;
    nlohmann::json doc = nlohmann::json::parse(r.body);
    EXPECT_EQ(doc["parameter"], c.parameter) << r.body;
    EXPECT_NE(doc["error"].get<std::string>().find(c.says), std::string::npos) << r.body;
    EXPECT_EQ(doc["error"].get<std::string>().rfind(c.parameter + ": ", 0), 0u) << r.body;
  }
}

TEST_F(HistoryRoutesTest, NoStoreIs503) {
  for (HistoryAccess access : {HistoryAccess{}, HistoryAccess{.store = [] {
                                 return static_cast<store::Store*>(nullptr);
                               }}}) {
    for (HttpHandler h : {ReportHandler(access, clock_), IncidentsHandler(access, clock_)}) {
      HttpResponse r = h(GetRequest("/api/v1/report", {}));
      EXPECT_EQ(r.status, 503);
      EXPECT_NE(r.body.find("no history store is open"), std::string::npos) << r.body;
      EXPECT_NE(r.body.find("storage:"), std::string::npos) << r.body;
    }
  }
}

TEST_F(HistoryRoutesTest, WithoutADisplayZoneTheReportIsInUtc) {
  HistoryAccess access = Access();
  access.display_timezone = nullptr;
  HttpResponse r = ReportHandler(access, clock_)(GetRequest("/api/v1/report", {}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["groups"][0]["by_hour"][8], 1);
}

TEST_F(HistoryRoutesTest, IncidentsNewestFirstWithStateFilter) {
  HttpResponse r = Incidents({});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json doc = nlohmann::json::parse(r.body);
  ASSERT_EQ(doc["incidents"].size(), 3u) << r.body;
  EXPECT_EQ(doc["incidents"][0]["state"], "abandoned");
  EXPECT_EQ(doc["incidents"][1]["state"], "missed");
  // Overdue at the request, from the unrounded clock: 5 days 4 hours and half a second.
  EXPECT_DOUBLE_EQ(doc["incidents"][1]["overdue_seconds"].get<double>(),
                   5 * 86400 + 4 * 3600 + 0.5);
  EXPECT_EQ(doc["incidents"][2]["state"], "met_late");
  EXPECT_EQ(doc["truncated"], false);

  doc = nlohmann::json::parse(Incidents({{"state", "missed,met_late"}}).body);
  ASSERT_EQ(doc["incidents"].size(), 2u);
  doc = nlohmann::json::parse(Incidents({{"state", "missed"}, {"since", "90d"}}).body);
  ASSERT_EQ(doc["incidents"].size(), 2u);  // with the October miss
  doc = nlohmann::json::parse(Incidents({{"dag_id", "finance_etl"}}).body);
  ASSERT_EQ(doc["incidents"].size(), 1u);
  doc = nlohmann::json::parse(Incidents({{"limit", "1"}}).body);
  ASSERT_EQ(doc["incidents"].size(), 1u);
  EXPECT_EQ(doc["truncated"], true);
}

TEST_F(HistoryRoutesTest, IncidentsBadParameters) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"state", "met"},
                                                        {"state", "missed,,"},
                                                        {"state", "pending"},
                                                        {"limit", "0"},
                                                        {"limit", "10001"},
                                                        {"limit", "ten"},
                                                        {"since", "x"},
                                                        {"group_by", "dag"}}) {
    HttpResponse r = Incidents({{name, value}});
    EXPECT_EQ(r.status, 400) << name << "=" << value;
    EXPECT_EQ(nlohmann::json::parse(r.body)["parameter"], name) << r.body;
  }
}

}  // namespace
}  // namespace slayer::api
