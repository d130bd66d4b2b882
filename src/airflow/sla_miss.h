// SlaMiss: one row of Airflow 2.x's `sla_miss` (README section 5): the task `task_id` of the
// run whose logical date is `execution_date` missed its `sla`, detected at `timestamp`.
// A value type; thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"

namespace slayer::airflow {

struct SlaMiss {
  std::string task_id;
  std::string dag_id;
  // A timetable logical date; need-by = execution_date + the task's sla. The dag_run for it
  // may not exist yet.
  Timestamp execution_date{};
  std::optional<Timestamp> timestamp;  // when Airflow detected the miss
  bool email_sent = false;             // NULL reads as false
  bool notification_sent = false;      // NULL reads as false
  // The run that has this logical date: set only by the open-miss reader, which joins dag_run.
  std::optional<std::string> run_id;
};

}  // namespace slayer::airflow
