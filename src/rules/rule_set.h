// RuleSet: the configured rules compiled for evaluation (wall-clock schedules parsed once) and
// matched against DAGs. Immutable after Make; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airflow/dag.h"
#include "common/glob.h"
#include "common/result.h"
#include "config/config.h"
#include "rules/schedule.h"

namespace slayer::rules {

struct CompiledRule {
  config::Rule rule;
  // Set for wall-clock rules.
  std::optional<WallClockSchedule> wall_clock;

  const std::string& name() const { return rule.name; }
  // The rule is per task instance (`tasks:` given).
  bool task_level() const { return !rule.tasks.empty(); }
  bool MatchesTask(std::string_view task_id) const;
};

class RuleSet {
 public:
  // kInvalidArgument only for what a ValidatedConfig cannot hold (it validated every cron).
  static Result<RuleSet> Make(const std::vector<config::Rule>& rules);
  RuleSet() = default;

  const std::vector<std::shared_ptr<const CompiledRule>>& rules() const { return rules_; }
  // The rules whose `match` covers this DAG, in config order.
  std::vector<const CompiledRule*> Matching(const airflow::Dag& dag) const;
  bool empty() const { return rules_.empty(); }

 private:
  std::vector<std::shared_ptr<const CompiledRule>> rules_;
};

}  // namespace slayer::rules
