#include "insights/incidents.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "insights/incidents_json.h"
#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;
using std::chrono::minutes;
using std::chrono::seconds;

IncidentOptions Window(std::string_view since, std::string_view until) {
  IncidentOptions o;
  o.since = T(since);
  o.until = T(until);
  o.now = T("2026-11-30T00:00:00Z");
  return o;
}

std::vector<rules::Item> Mixed() {
  rules::Item abandoned_before_miss =
      Item("etl", "r", "", "2026-11-06T08:00:00Z", ItemState::kAbandoned, -minutes(5));
  return {
      Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMetLate, minutes(30)),
      Item("etl", "r", "", "2026-11-04T08:00:00Z", ItemState::kMissed),
      Item("etl", "r", "", "2026-11-05T08:00:00Z", ItemState::kAbandoned, minutes(20)),
      abandoned_before_miss,
      Item("etl", "r", "", "2026-11-07T08:00:00Z", ItemState::kPending),
  };
}

TEST(IncidentsTest, MissesAreIncidentsAndAbandonedOnlyAfterAMiss) {
  std::vector<rules::Item> items = Mixed();
  EXPECT_FALSE(IsIncident(items[0]));
  EXPECT_TRUE(IsIncident(items[1]));
  EXPECT_TRUE(IsIncident(items[2]));
  EXPECT_TRUE(IsIncident(items[3]));
  EXPECT_FALSE(IsIncident(items[4]));
  EXPECT_FALSE(IsIncident(items[5]));
}

TEST(IncidentsTest, NewestFirst) {
  IncidentList list =
      BuildIncidents(Mixed(), Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_EQ(list.incidents.size(), 3u);
  EXPECT_EQ(list.incidents[0].need_by, T("2026-11-05T08:00:00Z"));
  EXPECT_EQ(list.incidents[1].need_by, T("2026-11-04T08:00:00Z"));
  EXPECT_EQ(list.incidents[2].need_by, T("2026-11-03T08:00:00Z"));
  EXPECT_FALSE(list.truncated);
}

TEST(IncidentsTest, FiltersByStateAndWindow) {
  IncidentOptions o = Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
  o.states = {ItemState::kMissed, ItemState::kMetLate};
  IncidentList list = BuildIncidents(Mixed(), o);
  ASSERT_EQ(list.incidents.size(), 2u);
  EXPECT_EQ(list.incidents[0].state, ItemState::kMissed);
  EXPECT_EQ(list.incidents[1].state, ItemState::kMetLate);

  IncidentList narrow =
      BuildIncidents(Mixed(), Window("2026-11-04T08:00:00Z", "2026-11-05T08:00:00Z"));
  ASSERT_EQ(narrow.incidents.size(), 1u);
  EXPECT_EQ(narrow.incidents[0].state, ItemState::kMissed);
}

TEST(IncidentsTest, LimitKeepsTheNewest) {
  IncidentOptions o = Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
  o.limit = 2;
  IncidentList list = BuildIncidents(Mixed(), o);
  ASSERT_EQ(list.incidents.size(), 2u);
  EXPECT_TRUE(list.truncated);
  EXPECT_EQ(list.incidents[1].need_by, T("2026-11-04T08:00:00Z"));
}

TEST(IncidentsJsonTest, TimesAndDurationsPerState) {
  IncidentList list =
      BuildIncidents(Mixed(), Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  const std::string text = IncidentsJson(list);
  // Keys in the documented order.
  EXPECT_EQ(text.rfind("{\"since\":\"2026-11-01T00:00:00Z\",\"until\":\"2026-12-01T00:00:00Z\","
                       "\"incidents\":[{\"airflow_instance\":\"prod\",\"rule\":\"r\","
                       "\"severity\":\"warning\",\"dag_id\":\"etl\",",
                       0),
            0u)
      << text;
  nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["truncated"], false);
  const auto& abandoned = doc["incidents"][0];
  EXPECT_EQ(abandoned["state"], "abandoned");
  EXPECT_EQ(abandoned["done_at"], "2026-11-05T08:20:00Z");
  EXPECT_EQ(abandoned["missed_at"], "2026-11-05T08:00:01Z");
  EXPECT_TRUE(abandoned["lateness_seconds"].is_null());
  EXPECT_TRUE(abandoned["overdue_seconds"].is_null());
  const auto& missed = doc["incidents"][1];
  EXPECT_EQ(missed["state"], "missed");
  EXPECT_TRUE(missed["done_at"].is_null());
  EXPECT_EQ(missed["need_by"], "2026-11-04T08:00:00Z");
  // From the need-by to `now` (2026-11-30T00:00:00Z).
  EXPECT_DOUBLE_EQ(missed["overdue_seconds"].get<double>(), (25 * 24 * 3600) + 16 * 3600);
  EXPECT_TRUE(missed["lateness_seconds"].is_null());
  const auto& late = doc["incidents"][2];
  EXPECT_EQ(late["state"], "met_late");
  EXPECT_DOUBLE_EQ(late["lateness_seconds"].get<double>(), 1800);
  EXPECT_TRUE(late["overdue_seconds"].is_null());
  EXPECT_EQ(late["run_id"], "scheduled__2026-11-03T08:00:00Z");
  EXPECT_EQ(late["task_id"], "");
  EXPECT_EQ(late["slot"], "");
}

TEST(IncidentsJsonTest, EmptyList) {
  IncidentList list = BuildIncidents({}, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  EXPECT_EQ(IncidentsJson(list),
            "{\"since\":\"2026-11-01T00:00:00Z\",\"until\":\"2026-12-01T00:00:00Z\","
            "\"incidents\":[],\"truncated\":false}");
}

}  // namespace
}  // namespace slayer::insights
