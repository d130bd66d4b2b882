#include <map>
#include <tuple>

#include "app/collectors.h"
#include "metrics/family_builder.h"

namespace slayer::app {

Status CollectSlaMisses(const std::vector<InstanceState>& states,
                        std::vector<metrics::Family>* out) {
  // Sorted, so the builder need not sort, and duplicates across instances add up.
  std::map<std::tuple<std::string, std::string, std::string>, double> series;
  for (const auto& state : states) {
    for (const auto& v : state.violations) {
      series[{v.dag_id, v.task_id, FormatRfc3339(v.execution_date)}] += 1;
    }
  }
  metrics::FamilyBuilder b("airflow_sla_misses",
                           "Open SLA misses: 1 per task instance or DAG run past its need-by "
                           "time and not done.",
                           metrics::MetricType::kGauge, {"dag_id", "task_id", "execution_date"});
  b.Reserve(series.size());
  for (const auto& [key, value] : series) {
    b.Add({std::get<0>(key), std::get<1>(key), std::get<2>(key)}, value);
  }
  return std::move(b).AppendTo(out);
}

}  // namespace slayer::app
