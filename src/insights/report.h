// Report: how the deadlines of a time window went (SPEC section 6, "report"), per DAG, rule or
// task: counts by outcome, compliance, lateness and when misses happen (by local hour of day and
// weekday x hour). Pure computation over store items; value types. The numbers are defined in
// docs/report.md.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "insights/display_zone.h"
#include "insights/lateness_stats.h"
#include "rules/item.h"

namespace slayer::insights {

enum class GroupBy { kDag, kRule, kTask };

// "dag", "rule", "task".
std::string_view GroupByName(GroupBy group_by);
// The inverse of GroupByName; std::nullopt for anything else.
std::optional<GroupBy> ParseGroupBy(std::string_view name);

// What a group is. Only the fields of the report's GroupBy are set:
//   kDag:  dag_id
//   kRule: rule
//   kTask: dag_id and task_id (task ids repeat across DAGs); task_id is empty for DAG-level
//          items (a run's deadline, wall-clock and freshness items), which form one group per DAG.
// Groups merge items of every Airflow instance.
struct GroupKey {
  std::string dag_id;
  std::string rule;
  std::string task_id;
  friend auto operator<=>(const GroupKey&, const GroupKey&) = default;
  friend bool operator==(const GroupKey&, const GroupKey&) = default;
};

// One field of a GroupKey as the report's forms show it: `name` in the JSON key object and the
// CSV header, `column` in the table header.
struct KeyField {
  std::string_view name;    // "dag_id"
  std::string_view column;  // "DAG"
  std::string GroupKey::*value;
};

// The key fields `group_by` sets, in the order every form shows them: kDag dag_id; kRule rule;
// kTask dag_id, task_id.
std::span<const KeyField> KeyFields(GroupBy group_by);

// One group's numbers. An item counts when its need_by is in the report's window:
//   evaluated = met + met_late + missed + abandoned: the items whose outcome is known or that
//               are overdue now. Pending and at_risk items (need-by not yet passed, or the miss
//               not yet declared) are not evaluated and count nowhere.
//   met       = done by the need-by.
//   met_late  = missed, then done (lateness = done_at - need_by).
//   missed    = missed and still not done.
//   abandoned = the run or task failed or was removed first (whether or not it had been missed).
struct ReportGroup {
  GroupKey key;
  int64_t evaluated = 0;
  int64_t met = 0;
  int64_t met_late = 0;
  int64_t missed = 0;
  int64_t abandoned = 0;
  // Over met_late items only: a still-missed item's lateness is not known yet (its overdue time
  // grows until it finishes), and counting it would make a report change by the minute.
  LatenessStats lateness;
  // Misses (met_late + missed) by the local hour of their need-by in the display zone.
  std::array<int64_t, 24> by_hour{};
  // The same by local weekday (0 = Monday ... 6 = Sunday) and hour.
  std::array<std::array<int64_t, 24>, 7> by_weekday_hour{};

  int64_t misses() const { return met_late + missed; }
  // met / evaluated; std::nullopt when nothing was evaluated.
  std::optional<double> compliance() const;
};

struct ReportOptions {
  Timestamp since;  // items with need_by >= since ...
  Timestamp until;  // ... and need_by < until
  GroupBy group_by = GroupBy::kDag;
  DisplayZone zone;  // the histograms' time zone; default UTC
};

struct Report {
  Timestamp since;
  Timestamp until;
  GroupBy group_by = GroupBy::kDag;
  std::string display_timezone;  // the zone of by_hour and by_weekday_hour
  // Every group with an item in the window (also those with nothing evaluated yet), ordered by
  // key.
  std::vector<ReportGroup> groups;
  // All groups together (key empty): the bottom line of the table; not part of the JSON.
  ReportGroup total;
};

// Computes the report of `items`; items whose need_by is outside [since, until) are ignored.
Report BuildReport(std::span<const rules::Item> items, const ReportOptions& options);

}  // namespace slayer::insights
