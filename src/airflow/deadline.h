// Deadline: one row of Airflow 3.1+'s `deadline` table (README section 6), a need-by time
// Airflow computed for a DAG run from a DeadlineAlert. Airflow deletes the row when the run
// succeeds in time, so a row that disappears before its time means "met". A value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace slayer::airflow {

struct Deadline {
  // UUID text as the backend returns it (32 hex digits on MySQL/SQLite, dashed on
  // PostgreSQL); pass it back unchanged to look the row up again.
  std::string id;
  // False only in the results of a lookup by id, for an id whose row is gone (met, or its run
  // was deleted); then only `id` is set.
  bool exists = true;
  std::optional<int64_t> dagrun_id;
  std::optional<std::string> dag_id;  // through dag_run; std::nullopt when the run is gone
  std::optional<std::string> run_id;
  Timestamp deadline_time{};  // UTC need-by
  // 3.1: NULL while pending, then queued, running, success, failed once Airflow handled the
  // miss. Always std::nullopt on 3.2, where it moved to the `callback` table.
  std::optional<std::string> callback_state;
  std::optional<bool> missed;  // 3.2 only

  // Airflow has not acted on it yet: 3.1 callback_state NULL, 3.2 missed false.
  bool IsPending() const { return missed.has_value() ? !*missed : !callback_state.has_value(); }
};

}  // namespace slayer::airflow
