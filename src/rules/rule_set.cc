#include "rules/rule_set.h"

#include <string>

namespace slayer::rules {

bool CompiledRule::MatchesTask(std::string_view task_id) const {
  for (const Glob& glob : rule.tasks) {
    if (glob.Matches(task_id)) return true;
  }
  return false;
}

Result<RuleSet> RuleSet::Make(const std::vector<config::Rule>& rules) {
  RuleSet set;
  for (const config::Rule& rule : rules) {
    auto compiled = std::make_shared<CompiledRule>();
    compiled->rule = rule;
    if (rule.at) {
      auto schedule = WallClockSchedule::Make(*rule.at);
      if (!schedule) {
        return Status(StatusCode::kInvalidArgument,
                      "rule '" + rule.name + "': " + schedule.error().message());
      }
      compiled->wall_clock = std::move(*schedule);
    }
    set.rules_.push_back(std::move(compiled));
  }
  return set;
}

std::vector<const CompiledRule*> RuleSet::Matching(const airflow::Dag& dag) const {
  const std::string owners = airflow::OwnersText(dag);
  std::vector<const CompiledRule*> out;
  for (const auto& rule : rules_) {
    if (rule->rule.match.Matches(dag.dag_id, dag.tags, owners)) out.push_back(rule.get());
  }
  return out;
}

}  // namespace slayer::rules
