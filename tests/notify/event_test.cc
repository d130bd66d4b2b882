#include "notify/event.h"

#include <gtest/gtest.h>

#include "fakes/timestamps.h"

namespace slayer::notify {
namespace {

using test::T;

TEST(EventTest, KindNamesRoundTrip) {
  for (EventKind k : {EventKind::kMissed, EventKind::kRecovered, EventKind::kAbandoned,
                      EventKind::kAtRisk}) {
    EXPECT_EQ(ParseEventKind(EventKindName(k)), k);
  }
  EXPECT_EQ(ParseEventKind("resolved"), std::nullopt);
}

TEST(EventTest, JsonRoundTripKeepsEveryField) {
  Event e;
  e.key = "prod/r/d/run/t/#missed";
  e.kind = EventKind::kRecovered;
  e.item_key = "prod/r/d/run/t/";
  e.instance = "prod";
  e.rule = "r";
  e.severity = "critical";
  e.dag_id = "d";
  e.run_id = "run";
  e.task_id = "t";
  e.logical_date = T("2026-01-01T00:00:00Z");
  e.need_by = T("2026-01-01T02:00:00Z");
  e.event_time = T("2026-01-01T02:30:00.5Z");
  e.lateness_seconds = 1800.5;
  e.overdue_seconds = 0;
  e.was_missed = true;
  e.labels = {{"team", "events"}};
  e.url = "http://airflow/dags/d";
  auto back = EventFromJson(EventToJson(e));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->key, e.key);
  EXPECT_EQ(back->kind, e.kind);
  EXPECT_EQ(back->item_key, e.item_key);
  EXPECT_EQ(back->instance, e.instance);
  EXPECT_EQ(back->rule, e.rule);
  EXPECT_EQ(back->severity, e.severity);
  EXPECT_EQ(back->dag_id, e.dag_id);
  EXPECT_EQ(back->run_id, e.run_id);
  EXPECT_EQ(back->task_id, e.task_id);
  EXPECT_EQ(back->logical_date, e.logical_date);
  EXPECT_EQ(back->need_by, e.need_by);
  EXPECT_EQ(back->event_time, e.event_time);
  EXPECT_DOUBLE_EQ(back->lateness_seconds, 1800.5);
  EXPECT_TRUE(back->was_missed);
  EXPECT_EQ(back->labels, e.labels);
  EXPECT_EQ(back->url, e.url);
}

TEST(EventTest, MissingLogicalDateStaysUnset) {
  Event e;
  e.key = "k";
  e.need_by = T("2026-01-01T02:00:00Z");
  e.event_time = e.need_by;
  auto back = EventFromJson(EventToJson(e));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_FALSE(back->logical_date.has_value());
}

TEST(EventTest, BadPayloadIsDataLoss) {
  EXPECT_EQ(EventFromJson("not json").error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(EventFromJson("{\"key\":\"k\"}").error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(EventFromJson(R"({"key":"k","kind":"exploded"})").error().code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace slayer::notify
