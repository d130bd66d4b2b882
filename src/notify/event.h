// Event: one notification about one tracked item (SPEC section 5): a deadline was missed, the
// late work finished (recovered), the work was abandoned, or it is predicted to miss (at_risk).
// Every channel renders the same Event; the outbox stores it as JSON (EventToJson) so that a
// restart delivers exactly what was decided. Value types; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace slayer::notify {

enum class EventKind { kMissed, kRecovered, kAbandoned, kAtRisk };

// "missed", "recovered", "abandoned", "at_risk".
std::string_view EventKindName(EventKind kind);
// The inverse of EventKindName; std::nullopt for anything else.
std::optional<EventKind> ParseEventKind(std::string_view name);

struct Event {
  // The idempotency key: the same for every delivery attempt of this event, and different for
  // every other event ("<item key>#<kind>", see rules::ItemKey::ToString). A receiver that has
  // seen a key has seen the event.
  std::string key;
  EventKind kind = EventKind::kMissed;
  // The item (rules::ItemKey::ToString()): the same for the missed and the recovered event of
  // one item (PagerDuty dedup_key, the Alertmanager alert's identity).
  std::string item_key;
  std::string instance;  // airflow_instance
  std::string rule;
  std::string severity;  // critical | warning | info
  std::string dag_id;
  std::string run_id;   // empty for wall-clock and freshness items
  std::string task_id;  // empty for a DAG-level item
  // The run's logical date (else run_after); unset for items without a run.
  std::optional<Timestamp> logical_date;
  Timestamp need_by{};
  // When it happened: the miss was declared (missed, at_risk), the work finished (recovered),
  // it failed or was removed (abandoned).
  Timestamp event_time{};
  // missed, at_risk, abandoned: event_time - need_by, never negative. recovered: 0.
  double overdue_seconds = 0;
  // recovered: done - need_by, never negative. Otherwise 0.
  double lateness_seconds = 0;
  // abandoned: the item had been missed before (an alert is open and should be closed).
  bool was_missed = false;
  // The rule's `labels`.
  std::map<std::string, std::string> labels;
  // A link to the run (or task) in the Airflow UI; empty when the instance has no airflow_url.
  std::string url;
};

// The event as one JSON object with every field above (the outbox payload). Stable: a payload
// written by one version of SLAyer is read by the next.
std::string EventToJson(const Event& event);
// The inverse of EventToJson. kDataLoss for text that is not such an object.
Result<Event> EventFromJson(std::string_view json);

}  // namespace slayer::notify
