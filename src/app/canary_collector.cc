#include <string>

#include "app/collectors.h"
#include "metrics/family_builder.h"
#include "rules/item.h"

namespace slayer::app {

Status CollectCanaries(const std::vector<InstanceState>& states,
                       std::vector<metrics::Family>* out) {
  using metrics::FamilyBuilder;
  using metrics::MetricType;
  // Families of their own rather than a kind="canary" label on slayer_deadline_*: a new label
  // on an existing family would change the label set of all its series.
  FamilyBuilder delay("slayer_canary_schedule_delay_seconds",
                      "Start of the latest started run of a canary DAG minus when it was due "
                      "(run_after).",
                      MetricType::kGauge, {"airflow_instance", "rule", "dag_id"});
  FamilyBuilder end_to_end("slayer_canary_end_to_end_seconds",
                           "End of the latest successful run of a canary DAG minus when it was "
                           "due (run_after).",
                           MetricType::kGauge, {"airflow_instance", "rule", "dag_id"});
  FamilyBuilder missed("slayer_canary_missed",
                       "Whether a canary rule has an open miss for the DAG (1) or not (0).",
                       MetricType::kGauge, {"airflow_instance", "rule", "dag_id"});
  for (const InstanceState& s : states) {
    if (!s.health.read) continue;
    for (const CanaryState& c : s.health.canaries) {
      if (c.schedule_delay_seconds)
        delay.Add({s.name, c.rule, c.dag_id}, *c.schedule_delay_seconds);
      if (c.end_to_end_seconds) end_to_end.Add({s.name, c.rule, c.dag_id}, *c.end_to_end_seconds);
      bool open_miss = false;
      for (const rules::Item& item : s.items) {
        open_miss = open_miss || (item.state == rules::ItemState::kMissed &&
                                  item.key.rule == c.rule && item.key.dag_id == c.dag_id);
      }
      missed.Add({s.name, c.rule, c.dag_id}, open_miss ? 1 : 0);
    }
  }
  for (auto* b : {&delay, &end_to_end, &missed}) {
    SLAYER_RETURN_IF_ERROR(std::move(*b).AppendTo(out));
  }
  return Status::Ok();
}

}  // namespace slayer::app
