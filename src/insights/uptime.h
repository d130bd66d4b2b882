// Uptime: how much of a time window an Airflow instance had a live scheduler (airflow_up = 1),
// from the health intervals the store keeps (store::HealthInterval). Time without a sample
// (SLAyer not running, the Airflow database unreachable) is unknown, neither up nor down.
// Pure; value types. The numbers are defined in docs/health.md#uptime.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/time.h"
#include "store/store.h"

namespace slayer::insights {

struct UptimeStats {
  Duration up{0};
  Duration down{0};
  Duration unknown{0};  // the window minus up and down
  // Outages: maximal stretches of down time with no up time between them (unknown time inside
  // one does not end it, and does not count in its length). One that began before the window
  // counts with its part inside the window.
  int64_t outages = 0;
  Duration longest_outage{0};

  // up / (up + down): the share of the known time with a live scheduler; std::nullopt when
  // nothing is known.
  std::optional<double> uptime() const;
};

// The uptime of one instance over [since, until) from its `intervals` (any order; intervals of
// other instances must not be mixed in). Parts of intervals outside the window are ignored.
UptimeStats ComputeUptime(std::span<const store::HealthInterval> intervals, Timestamp since,
                          Timestamp until);

}  // namespace slayer::insights
