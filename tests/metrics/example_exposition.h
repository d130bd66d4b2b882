// A representative exposition for tests: every metric of SPEC.md section 4 with plausible labels
// and values, including escaped label values. Used by the promtool integration test.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "metrics/snapshot.h"

namespace slayer::metrics {

// The names of the metric families of SPEC.md section 4.
const std::vector<std::string_view>& SpecMetricNames();

// A snapshot holding each SpecMetricNames() family. Returns the builder's error if one breaks
// a rule.
Result<Snapshot> BuildExampleSnapshot();

}  // namespace slayer::metrics
