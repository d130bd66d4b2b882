#include "insights/uptime.h"

#include <algorithm>
#include <vector>

namespace slayer::insights {

std::optional<double> UptimeStats::uptime() const {
  const Duration known = up + down;
  if (known <= Duration::zero()) return std::nullopt;
  return static_cast<double>(up.count()) / static_cast<double>(known.count());
}

UptimeStats ComputeUptime(std::span<const store::HealthInterval> intervals, Timestamp since,
                          Timestamp until) {
  UptimeStats stats;
  if (until <= since) return stats;
  std::vector<const store::HealthInterval*> sorted;
  sorted.reserve(intervals.size());
  for (const store::HealthInterval& h : intervals) sorted.push_back(&h);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->start < b->start; });
  bool in_outage = false;
  Duration outage{0};
  for (const store::HealthInterval* h : sorted) {
    // A single sample (start == end) inside the window is an observation too: a down one is
    // an outage of unknown, so zero, length.
    if (h->end < since || h->start >= until) continue;
    const Duration inside =
        std::max(Duration::zero(), std::min(h->end, until) - std::max(h->start, since));
    if (h->up) {
      stats.up += inside;
      in_outage = false;
      continue;
    }
    stats.down += inside;
    if (!in_outage) {
      ++stats.outages;
      in_outage = true;
      outage = Duration::zero();
    }
    outage += inside;
    stats.longest_outage = std::max(stats.longest_outage, outage);
  }
  // Intervals never overlap as the store writes them; clamp anyway so that a hand-edited store
  // cannot make unknown time negative.
  stats.unknown = std::max(Duration::zero(), (until - since) - stats.up - stats.down);
  return stats;
}

}  // namespace slayer::insights
