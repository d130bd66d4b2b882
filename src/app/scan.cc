#include "app/scan.h"

namespace slayer::app {

ScanResult ScanOnce(const config::ValidatedConfig& config, const Clock& clock,
                    const SourceFactory& factory) {
  ScanResult result;
  for (const auto& instance : config->airflow) {
    InstancePoller poller(instance, clock, factory);
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
