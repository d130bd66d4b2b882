#include "insights/health_report.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "store/store.h"

namespace slayer::insights {

std::vector<UptimeWindow> DefaultUptimeWindows(Timestamp until) {
  using std::chrono::days;
  return {{"7d", until - days(7), until},
          {"30d", until - days(30), until},
          {"90d", until - days(90), until}};
}

HealthReport BuildHealthReport(std::span<const store::HealthInterval> intervals,
                               std::vector<UptimeWindow> windows) {
  std::map<std::string, std::vector<store::HealthInterval>> by_instance;
  for (const store::HealthInterval& h : intervals) by_instance[h.instance].push_back(h);
  HealthReport report;
  report.windows = std::move(windows);
  for (const auto& [instance, list] : by_instance) {
    InstanceUptime& row = report.instances.emplace_back();
    row.instance = instance;
    for (const UptimeWindow& w : report.windows) {
      row.windows.push_back(ComputeUptime(list, w.since, w.until));
    }
  }
  return report;
}

Result<HealthReport> ReadHealthReport(store::Store& store, std::vector<UptimeWindow> windows,
                                      std::string_view instance) {
  assert(!windows.empty());
  Timestamp from = windows.front().since;
  Timestamp to = windows.front().until;
  for (const UptimeWindow& w : windows) {
    from = std::min(from, w.since);
    to = std::max(to, w.until);
  }
  auto intervals = store.HealthIntervals(instance, from, to);
  if (!intervals) return intervals.error().WithContext("read the health history");
  return BuildHealthReport(*intervals, std::move(windows));
}

}  // namespace slayer::insights
