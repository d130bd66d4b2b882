// Item: one thing SLAyer tracks against a deadline (SPEC section 3, "Evaluation"): an
// (instance, rule, dag, run, task) with a need-by time and a lifecycle state. Value types;
// thread-compatible.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace slayer::rules {

// The rules SLAyer reads from Airflow itself (airflow_native: true).
inline constexpr std::string_view kAirflowSlaRule = "airflow:sla";
inline constexpr std::string_view kAirflowDeadlineRule = "airflow:deadline";

// pending -> met | at_risk | missed -> met_late | abandoned. met, met_late and abandoned are
// final; pending, at_risk and missed are open.
enum class ItemState { kPending, kAtRisk, kMissed, kMet, kMetLate, kAbandoned };

inline constexpr ItemState kAllItemStates[] = {ItemState::kPending, ItemState::kAtRisk,
                                               ItemState::kMissed,  ItemState::kMet,
                                               ItemState::kMetLate, ItemState::kAbandoned};

// "pending", "at_risk", "missed", "met", "met_late", "abandoned".
std::string_view ItemStateName(ItemState state);
// The inverse of ItemStateName; std::nullopt for anything else.
std::optional<ItemState> ParseItemState(std::string_view name);
bool IsFinal(ItemState state);

// What identifies an item. `slot` tells apart the items of one rule and DAG that have no run:
// the tick of a wall-clock rule, the success a freshness rule counts from (RFC 3339); empty for
// run and task items.
struct ItemKey {
  std::string instance;  // airflow_instance
  std::string rule;      // a configured rule, or kAirflowSlaRule / kAirflowDeadlineRule
  std::string dag_id;
  std::string run_id;   // empty for wall-clock and freshness items
  std::string task_id;  // empty for a DAG-level item
  std::string slot;

  friend auto operator<=>(const ItemKey&, const ItemKey&) = default;
  friend bool operator==(const ItemKey&, const ItemKey&) = default;
  // "prod/rule/dag/run/task/slot", for logs and idempotency keys.
  std::string ToString() const;
};

// The tracked item, as the tracker and the store hold it.
struct Item {
  ItemKey key;
  std::string severity = "warning";  // critical | warning | info
  // The run's logical date, else its run_after; unset for items without a run. The
  // execution_date label of airflow_sla_misses.
  std::optional<Timestamp> logical_date;
  Timestamp need_by{};
  ItemState state = ItemState::kPending;
  // When the work was done (run end_date, task end_date, success end): set for met and
  // met_late; for abandoned, when it failed (if known).
  std::optional<Timestamp> done_at;
  // When SLAyer declared the miss (state became missed); unset otherwise.
  std::optional<Timestamp> missed_at;
  // Which reference the need-by came from and why ("dagrun.run_after (logical_date is NULL)").
  std::string reference;
  std::optional<Timestamp> reference_time;
  bool paused = false;  // the DAG was paused when the item was last observed
  // The run did not exist when last observed: it is expected by the DAG's timetable (its
  // run_id is the one Airflow will give it). Such a run missing from the database is not a
  // deleted run.
  bool expected = false;

  // done_at - need_by for met_late (never negative); zero otherwise.
  Duration lateness() const;
  // now - need_by while missed; zero otherwise (never negative).
  Duration overdue(Timestamp now) const;
  bool open() const { return !IsFinal(state); }
};

}  // namespace slayer::rules
