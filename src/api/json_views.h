// JSON views of SLAyer's state for the API (/api/v1/...) and `slayer scan --format json`:
// snake_case keys, RFC 3339 UTC times, durations in seconds (SPEC section 6). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "app/instance_state.h"
#include "common/time.h"

namespace slayer::api {

// Which open items ViolationsJson lists: the open misses (`slayer scan`), or also the items
// predicted to miss (/api/v1/violations, SPEC section 6).
enum class ViolationScope { kMissed, kMissedAndAtRisk };

// {"instances":[{"name","airflow_version","alembic_revision","db_up"}],
//  "violations":[{"airflow_instance","rule","dag_id","run_id","task_id","need_by",
//                 "overdue_seconds","state"}]}  -- the `slayer scan` document (SPEC section
// 2); overdue at `now`. kMissedAndAtRisk (/api/v1/violations) adds each entry's "severity", and
// the at_risk items follow each instance's misses, with state "at_risk" and overdue_seconds
// negative (the time left until the need-by).
std::string ViolationsJson(const std::vector<app::InstanceState>& states, Timestamp now,
                           ViolationScope scope = ViolationScope::kMissed);

// /api/v1/status: version, start time, and per instance the detected Airflow version, whether
// its database is up, the last successful poll, poll duration, errors and the last error.
std::string StatusJson(const std::vector<app::InstanceState>& states, std::string_view version,
                       Timestamp started_at, Timestamp now);

}  // namespace slayer::api
