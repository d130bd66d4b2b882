#include "insights/lateness_stats.h"

#include <algorithm>
#include <cassert>

namespace slayer::insights {

Duration NearestRank(const std::vector<Duration>& sorted, int p) {
  assert(!sorted.empty() && p >= 1 && p <= 100);
  const int64_t n = static_cast<int64_t>(sorted.size());
  // ceil(p * n / 100) in integers, so that p95 of 20 values is exactly the 19th.
  const int64_t rank = std::max<int64_t>(1, (p * n + 99) / 100);
  return sorted[static_cast<size_t>(rank - 1)];
}

LatenessStats SummarizeLateness(std::vector<Duration> values) {
  LatenessStats stats;
  if (values.empty()) return stats;
  std::sort(values.begin(), values.end());
  stats.count = static_cast<int64_t>(values.size());
  // Microsecond sums: 10^6 values of a year each stay far below the int64 range.
  int64_t sum = 0;
  for (Duration v : values) sum += v.count();
  stats.mean = Duration((sum + stats.count / 2) / stats.count);
  stats.p50 = NearestRank(values, 50);
  stats.p95 = NearestRank(values, 95);
  stats.max = values.back();
  return stats;
}

}  // namespace slayer::insights
