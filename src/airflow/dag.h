// Dag: one row of Airflow's `dag` table plus its tags, the same for Airflow 2.x and 3.x.
// A value type; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace slayer::airflow {

struct Dag {
  std::string dag_id;
  bool is_paused = false;  // NULL reads as false
  // The DAG file still defines it. 2.x `is_active`; 3.x NOT `is_stale`. NULL reads as true.
  bool is_active = true;
  std::vector<std::string> owners;  // `owners` split on ',' and trimmed ("a, b" -> {a, b})
  std::vector<std::string> tags;    // from dag_tag, sorted
  // The schedule as text: a cron expression or preset ("*/2 * * * *", "@daily"), a duration
  // ("1h" for a timedelta schedule), or a timetable summary. 2.x `schedule_interval` is JSON
  // text and is unquoted here; 3.x `timetable_summary` is taken as is. std::nullopt when the
  // DAG has no schedule (NULL, JSON null, 3.x "None").
  std::optional<std::string> schedule;
  std::optional<std::string> timetable_description;  // 2.3+
  std::optional<Timestamp> next_dagrun;
  std::optional<Timestamp> next_dagrun_data_interval_start;
  std::optional<Timestamp> next_dagrun_data_interval_end;
  std::optional<Timestamp> next_dagrun_create_after;
  std::optional<std::string> fileloc;
  std::optional<bool> has_import_errors;  // 2.3+; std::nullopt when the column is absent
};

// The owners as Airflow's dag.owners text ("airflow,data-eng"), the form config::Selector
// matches.
inline std::string OwnersText(const Dag& dag) {
  std::string text;
  for (const std::string& owner : dag.owners) {
    if (!text.empty()) text += ",";
    text += owner;
  }
  return text;
}

}  // namespace slayer::airflow
