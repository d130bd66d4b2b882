#include "insights/report.h"

#include <map>
#include <utility>

namespace slayer::insights {
namespace {

GroupKey KeyOf(const rules::Item& item, GroupBy group_by) {
  GroupKey key;
  switch (group_by) {
    case GroupBy::kDag:
      key.dag_id = item.key.dag_id;
      break;
    case GroupBy::kRule:
      key.rule = item.key.rule;
      break;
    case GroupBy::kTask:
      key.dag_id = item.key.dag_id;
      key.task_id = item.key.task_id;
      break;
  }
  return key;
}

// A group while items are added; the lateness values are summarised at the end.
struct Accumulator {
  ReportGroup group;
  std::vector<Duration> lateness;

  void Add(const rules::Item& item, const DisplayZone& zone) {
    using rules::ItemState;
    switch (item.state) {
      case ItemState::kPending:
      case ItemState::kAtRisk:
        return;  // not evaluated yet
      case ItemState::kMet:
        ++group.met;
        break;
      case ItemState::kMetLate:
        ++group.met_late;
        lateness.push_back(item.lateness());
        break;
      case ItemState::kMissed:
        ++group.missed;
        break;
      case ItemState::kAbandoned:
        ++group.abandoned;
        break;
    }
    ++group.evaluated;
    if (item.state == ItemState::kMetLate || item.state == ItemState::kMissed) {
      const DisplayZone::Slot slot = zone.SlotOf(item.need_by);
      ++group.by_hour[slot.hour];
      ++group.by_weekday_hour[slot.weekday][slot.hour];
    }
  }

  ReportGroup Finish() && {
    group.lateness = SummarizeLateness(std::move(lateness));
    return std::move(group);
  }
};

}  // namespace

std::string_view GroupByName(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::kDag:
      return "dag";
    case GroupBy::kRule:
      return "rule";
    case GroupBy::kTask:
      return "task";
  }
  return "dag";
}

std::optional<GroupBy> ParseGroupBy(std::string_view name) {
  for (GroupBy g : {GroupBy::kDag, GroupBy::kRule, GroupBy::kTask}) {
    if (GroupByName(g) == name) return g;
  }
  return std::nullopt;
}

std::span<const KeyField> KeyFields(GroupBy group_by) {
  static constexpr KeyField kDagId{"dag_id", "DAG", &GroupKey::dag_id};
  static constexpr KeyField kRuleName{"rule", "RULE", &GroupKey::rule};
  static constexpr KeyField kTaskId{"task_id", "TASK", &GroupKey::task_id};
  static constexpr KeyField kByDag[] = {kDagId};
  static constexpr KeyField kByRule[] = {kRuleName};
  static constexpr KeyField kByTask[] = {kDagId, kTaskId};
  switch (group_by) {
    case GroupBy::kDag:
      return kByDag;
    case GroupBy::kRule:
      return kByRule;
    case GroupBy::kTask:
      return kByTask;
  }
  return kByDag;
}

std::optional<double> ReportGroup::compliance() const {
  if (evaluated == 0) return std::nullopt;
  return static_cast<double>(met) / static_cast<double>(evaluated);
}

Report BuildReport(std::span<const rules::Item> items, const ReportOptions& options) {
  std::map<GroupKey, Accumulator> groups;
  Accumulator total;
  for (const rules::Item& item : items) {
    if (item.need_by < options.since || item.need_by >= options.until) continue;
    Accumulator& group = groups[KeyOf(item, options.group_by)];
    group.Add(item, options.zone);
    total.Add(item, options.zone);
  }
  Report report;
  report.since = options.since;
  report.until = options.until;
  report.group_by = options.group_by;
  report.display_timezone = options.zone.name();
  report.groups.reserve(groups.size());
  for (auto& [key, acc] : groups) {
    acc.group.key = key;
    report.groups.push_back(std::move(acc).Finish());
  }
  report.total = std::move(total).Finish();
  return report;
}

}  // namespace slayer::insights
