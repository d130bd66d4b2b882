// DagRun: one row of `dag_run`, with the Airflow 2.x / 3.x differences hidden (execution_date
// vs logical_date, run_after, external_trigger vs triggered_by). A value type;
// thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "airflow/dag_run_key.h"
#include "airflow/dag_run_state.h"
#include "common/time.h"

namespace slayer::airflow {

struct DagRun {
  int64_t id = 0;
  std::string dag_id;
  std::string run_id;
  // 2.x `execution_date` (never NULL there); 3.x `logical_date` (NULL for some manual and
  // asset-triggered runs).
  std::optional<Timestamp> logical_date;
  // The earliest time the run may start. 3.x column (NOT NULL); on 2.x data_interval_end,
  // else execution_date, as Airflow 3's migration fills it.
  Timestamp run_after{};
  std::optional<Timestamp> data_interval_start;
  std::optional<Timestamp> data_interval_end;
  std::optional<Timestamp> queued_at;
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
  DagRunState state = DagRunState::kNone;
  std::optional<std::string> state_text;    // the raw column, kept for kUnknown
  std::string run_type;                     // manual, scheduled, backfill, dataset/asset_triggered
  std::optional<bool> external_trigger;     // 2.x only
  std::optional<std::string> triggered_by;  // 3.x only: cli, ui, rest_api, timetable, ...
  std::optional<Timestamp> updated_at;      // 2.5+

  DagRunKey key() const { return {dag_id, run_id}; }
};

}  // namespace slayer::airflow
