#include <map>
#include <tuple>

#include "app/collectors.h"
#include "metrics/family_builder.h"

namespace slayer::app {
Status CollectDeadlines(const std::vector<InstanceState>& states, Timestamp now,
                        std::vector<metrics::Family>* out) {
  using metrics::FamilyBuilder;
  using metrics::MetricType;
  const std::vector<std::string> item_labels = {"airflow_instance", "rule",   "dag_id",
                                                "task_id",          "run_id", "severity"};
  FamilyBuilder overdue("slayer_deadline_overdue_seconds",
                        "Seconds past the need-by of each open miss (as of the last poll or "
                        "deadline check).",
                        MetricType::kGauge, item_labels);
  FamilyBuilder at_risk("slayer_deadline_at_risk",
                        "1 per pending item predicted to finish after its need-by.",
                        MetricType::kGauge, item_labels);
  FamilyBuilder misses("slayer_deadline_misses_total", "Misses declared since start.",
                       MetricType::kCounter,
                       {"airflow_instance", "rule", "dag_id", "task_id", "severity"});
  FamilyBuilder outcomes("slayer_deadline_outcomes_total",
                         "Items that reached an outcome since start (met, met_late, missed, "
                         "abandoned).",
                         MetricType::kCounter, {"airflow_instance", "rule", "dag_id", "outcome"});
  std::vector<double> bounds = engine::kLatenessBuckets;
  bounds.push_back(std::numeric_limits<double>::infinity());
  FamilyBuilder lateness("slayer_deadline_lateness_seconds",
                         "Lateness (done - need-by) of items that were met late.",
                         MetricType::kHistogram, {"airflow_instance", "rule", "dag_id"}, bounds);
  FamilyBuilder open("slayer_deadline_open", "Open misses now.", MetricType::kGauge,
                     {"airflow_instance", "rule", "severity"});
  FamilyBuilder tracked("slayer_deadline_items", "Open items tracked now, by state.",
                        MetricType::kGauge, {"airflow_instance", "state"});
  FamilyBuilder oddities("slayer_airflow_data_oddities_total",
                         "Rows with odd data met while evaluating (NULL dates where a value was "
                         "expected, end before start, unknown states); see slayer explain.",
                         MetricType::kCounter, {"airflow_instance", "kind"});

  for (const InstanceState& s : states) {
    // Several open misses can share labels (two wall-clock ticks of one rule): report the
    // oldest, once.
    std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, double>
        overdue_series;
    std::map<std::pair<std::string, std::string>, double> open_series;
    std::map<std::string, double> by_state = {{"pending", 0}, {"at_risk", 0}, {"missed", 0}};
    for (const rules::Item& item : s.items) {
      by_state[std::string(rules::ItemStateName(item.state))] += 1;
      const auto& k = item.key;
      if (item.state == rules::ItemState::kAtRisk) {
        at_risk.Add({s.name, k.rule, k.dag_id, k.task_id, k.run_id, item.severity}, 1);
      }
      if (item.state != rules::ItemState::kMissed) continue;
      double seconds = std::chrono::duration<double>(item.overdue(now)).count();
      auto& v = overdue_series[{k.rule, k.dag_id, k.task_id, k.run_id, item.severity}];
      v = std::max(v, seconds);
      open_series[{k.rule, item.severity}] += 1;
    }
    for (const auto& [key, value] : overdue_series) {
      const auto& [rule, dag, task, run, severity] = key;
      overdue.Add({s.name, rule, dag, task, run, severity}, value);
    }
    for (const auto& [key, value] : open_series) open.Add({s.name, key.first, key.second}, value);
    for (const auto& [state, value] : by_state) tracked.Add({s.name, state}, value);
    for (const auto& [key, value] : s.counters.misses) {
      const auto& [rule, dag, task, severity] = key;
      misses.Add({s.name, rule, dag, task, severity}, static_cast<double>(value));
    }
    for (const auto& [key, value] : s.counters.outcomes) {
      const auto& [rule, dag, outcome] = key;
      outcomes.Add({s.name, rule, dag, outcome}, static_cast<double>(value));
    }
    for (const auto& [key, h] : s.counters.lateness) {
      std::vector<uint64_t> counts = h.buckets;
      counts.push_back(h.count);
      lateness.AddHistogram({s.name, key.first, key.second}, counts, h.sum);
    }
    const auto& odd = s.counters.oddities;
    oddities.Add({s.name, "null_date"}, static_cast<double>(odd.null_dates));
    oddities.Add({s.name, "end_before_start"}, static_cast<double>(odd.end_before_start));
    oddities.Add({s.name, "unknown_state"}, static_cast<double>(odd.unknown_states));
  }
  SLAYER_RETURN_IF_ERROR(std::move(overdue).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(at_risk).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(misses).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(outcomes).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(lateness).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(open).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(tracked).AppendTo(out));
  SLAYER_RETURN_IF_ERROR(std::move(oddities).AppendTo(out));
  return Status::Ok();
}

}  // namespace slayer::app
