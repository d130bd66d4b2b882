#include "app/scan.h"

namespace slayer::app {

ScanResult ScanOnce(const config::ValidatedConfig& config, const Clock& clock,
                    const SourceFactory& factory) {
  ScanResult result;
  auto rules = rules::RuleSet::Make(config->rules);
  if (!rules) {
    result.errors.push_back(rules.error());
    return result;
  }
  auto shared = std::make_shared<const rules::RuleSet>(std::move(*rules));
  for (const auto& instance : config->airflow) {
    // No store: a scan records nothing; every rule kind is evaluated on what the poll reads.
    InstancePoller poller(instance, clock, factory, PollerOptions{}, shared, nullptr);
    Status st = poller.PollOnce();
    if (!st.ok()) result.errors.push_back(st.WithContext("airflow instance " + instance.name));
    result.instances.push_back(poller.state());
  }
  return result;
}

int ScanExitCode(const ScanResult& result) {
  if (!result.errors.empty()) return 2;
  for (const auto& s : result.instances) {
    if (!s.violations.empty()) return 1;
  }
  return 0;
}

}  // namespace slayer::app
