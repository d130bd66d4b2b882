// HealthReport: the uptime of each Airflow instance over a few windows that end at the same
// time (`slayer report --health`, GET /api/v1/health), from the health intervals of the store.
// Reads through store::Store (as thread-safe as the store); the rest is pure. Documents:
// docs/health.md#uptime.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "insights/uptime.h"

namespace slayer::store {
class Store;
}  // namespace slayer::store

namespace slayer::insights {

struct UptimeWindow {
  std::string name;  // "7d", "30d", "90d", or the --since / since= text for a custom window
  Timestamp since;
  Timestamp until;
};

struct InstanceUptime {
  std::string instance;
  std::vector<UptimeStats> windows;  // one per HealthReport::windows, in that order
};

struct HealthReport {
  std::vector<UptimeWindow> windows;
  // Every instance with a health interval that overlaps one of the windows (even one whose
  // time there is all unknown), ordered by name.
  std::vector<InstanceUptime> instances;
};

// 7d, 30d and 90d back from `until`.
std::vector<UptimeWindow> DefaultUptimeWindows(Timestamp until);

// Computes the report of `intervals` (of any instances, e.g. as HealthIntervals returns them)
// for `windows`: one row per instance among them.
HealthReport BuildHealthReport(std::span<const store::HealthInterval> intervals,
                               std::vector<UptimeWindow> windows);

// Reads the health intervals that overlap `windows` (of `instance` only, when not empty) and
// builds the report. Errors are the store's, with context "read the health history".
// REQUIRES: windows is not empty.
Result<HealthReport> ReadHealthReport(store::Store& store, std::vector<UptimeWindow> windows,
                                      std::string_view instance);

}  // namespace slayer::insights
