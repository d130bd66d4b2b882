// DeadlineAlert: one Airflow 3.1+ DAG-level deadline definition from the serialized DAG
// (README section 6): need-by = reference + interval. A value type.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"

namespace slayer::airflow {

struct DeadlineAlert {
  // DagRunLogicalDateDeadline, DagRunQueuedAtDeadline, FixedDatetimeDeadline,
  // AverageRuntimeDeadline, or whatever a newer Airflow writes ("" when absent).
  std::string reference_type;
  std::optional<Duration> interval;         // may be negative (alert before the reference)
  std::optional<Timestamp> fixed_datetime;  // FixedDatetimeDeadline only
  std::optional<int64_t> max_runs;          // AverageRuntimeDeadline only
  std::optional<int64_t> min_runs;          // AverageRuntimeDeadline only
  std::string callback_path;                // dotted path of the callback, "" when absent
};

}  // namespace slayer::airflow
