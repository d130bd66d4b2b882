// LatenessStats: the summary of a set of lateness values (done_at - need_by of met_late items)
// that the history report shows: count, mean, nearest-rank p50 and p95, max. Pure; value type.
#pragma once

#include <cstdint>
#include <vector>

#include "common/time.h"

namespace slayer::insights {

struct LatenessStats {
  int64_t count = 0;
  // Meaningful when count > 0 (the report prints null otherwise).
  Duration mean{};  // rounded to the nearest microsecond
  Duration p50{};
  Duration p95{};
  Duration max{};
};

// Summarises `values` (any order; sorted in place). Percentiles use the nearest-rank method:
// the p-th percentile is the smallest value with at least p% of the values at or below it,
// i.e. the value at 1-based rank ceil(p/100 * n) of the sorted values. So every percentile is
// a lateness that actually happened, and p50 of {1s, 2s, 3s, 4s} is 2s.
LatenessStats SummarizeLateness(std::vector<Duration> values);

// The nearest-rank percentile `p` (1 to 100) of sorted, non-empty `sorted`.
Duration NearestRank(const std::vector<Duration>& sorted, int p);

}  // namespace slayer::insights
