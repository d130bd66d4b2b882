// The events of the examples in docs/notifications.md: the hourly run of orders_daily
// (logical date 2026-01-01 08:00 UTC) must be done by 10:00 (rule orders-in-2h). It is declared
// missed at 10:12 and finishes at 10:40. Test helpers.
#pragma once

#include "fakes/timestamps.h"
#include "notify/event.h"

namespace slayer::notify::testing {

inline Event ExampleMissed() {
  Event e;
  e.item_key = "prod/orders-in-2h/orders_daily/scheduled__2026-01-01T08:00:00+00:00//";
  e.key = e.item_key + "#missed";
  e.kind = EventKind::kMissed;
  e.instance = "prod";
  e.rule = "orders-in-2h";
  e.severity = "critical";
  e.dag_id = "orders_daily";
  e.run_id = "scheduled__2026-01-01T08:00:00+00:00";
  e.logical_date = test::T("2026-01-01T08:00:00Z");
  e.need_by = test::T("2026-01-01T10:00:00Z");
  e.event_time = test::T("2026-01-01T10:12:00Z");
  e.overdue_seconds = 720;
  e.labels = {{"team", "data"}};
  e.url =
      "https://airflow.example.com/dags/orders_daily/grid?dag_run_id="
      "scheduled__2026-01-01T08%3A00%3A00%2B00%3A00";
  return e;
}

inline Event ExampleRecovered() {
  Event e = ExampleMissed();
  e.key = e.item_key + "#recovered";
  e.kind = EventKind::kRecovered;
  e.event_time = test::T("2026-01-01T10:40:00Z");
  e.overdue_seconds = 0;
  e.lateness_seconds = 2400;
  return e;
}

// The run failed at 10:30, after it had been missed.
inline Event ExampleAbandoned(bool was_missed) {
  Event e = ExampleMissed();
  e.key = e.item_key + "#abandoned";
  e.kind = EventKind::kAbandoned;
  e.event_time = test::T(was_missed ? "2026-01-01T10:30:00Z" : "2026-01-01T09:30:00Z");
  e.overdue_seconds = was_missed ? 1800 : 0;
  e.was_missed = was_missed;
  return e;
}

// At 09:20 the run is predicted to finish after 10:00.
inline Event ExampleAtRisk() {
  Event e = ExampleMissed();
  e.key = e.item_key + "#at_risk";
  e.kind = EventKind::kAtRisk;
  e.event_time = test::T("2026-01-01T09:20:00Z");
  e.overdue_seconds = 0;
  return e;
}

}  // namespace slayer::notify::testing
