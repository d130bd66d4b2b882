// Test helper: a rules::RuleSet from the entries of a config's `rules:` list, as YAML (one
// placeholder Airflow instance "prod" around them). Thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "config/load.h"
#include "rules/rule_set.h"

namespace slayer::test {

// The rules of `rules_yaml` (e.g. "  - {name: late, match: {dag_id: x}, ...}\n") into `*out`.
// Fails the current test when the config or a rule is bad: call under ASSERT_NO_FATAL_FAILURE.
inline void RulesFromYaml(const std::string& rules_yaml, rules::RuleSet* out) {
  auto config = config::LoadConfigString(
      "airflow:\n  - {name: prod, database: \"sqlite:///unused.db\"}\nrules:\n" + rules_yaml,
      "slayer.yml");
  ASSERT_TRUE(config) << config.error().message();
  auto set = rules::RuleSet::Make((*config)->rules);
  ASSERT_TRUE(set) << set.error().message();
  *out = std::move(*set);
}

}  // namespace slayer::test
