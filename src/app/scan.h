// Scan: one poll of every configured Airflow instance, for `slayer scan`. Runs the pollers on
// the calling thread. Thread-compatible.
#pragma once

#include <vector>

#include "app/instance_poller.h"
#include "app/instance_state.h"
#include "common/clock.h"
#include "config/config.h"

namespace slayer::app {

struct ScanResult {
  std::vector<InstanceState> instances;  // in config order
  std::vector<Status> errors;            // one per instance whose poll failed
};

ScanResult ScanOnce(const config::ValidatedConfig& config, const Clock& clock,
                    const SourceFactory& factory);

// `slayer scan`'s exit code: 2 when any instance could not be read, else 1 when there are
// violations, else 0.
int ScanExitCode(const ScanResult& result);

}  // namespace slayer::app
