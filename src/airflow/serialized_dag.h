// SerializedDag: what SLAyer needs from a DAG's serialized JSON (`serialized_dag.data`, or
// zlib-compressed `data_compressed`): timetable, catchup, owners, tags, tasks with their
// Airflow 2.x `sla`, and Airflow 3.1 deadline alerts. Parsing is lenient: unknown shapes read as
// absent or "other", never as an error; only undecodable bytes or JSON fail. Thread-safe
// functions over value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airflow/deadline_alert.h"
#include "airflow/timetable.h"
#include "common/result.h"
#include "common/time.h"

namespace slayer::airflow {

struct SerializedTask {
  std::string task_id;
  std::optional<Duration> sla;                 // 2.x `sla` (float seconds); never set on 3.x
  std::vector<std::string> upstream_task_ids;  // derived from the downstream lists
  std::vector<std::string> downstream_task_ids;
  std::string pool = "default_pool";
  std::string queue = "default";
  std::optional<std::string> owner;
  std::string task_type;  // "BashOperator"; "" when absent
};

struct SerializedDag {
  std::string dag_id;
  int format_version = 0;  // "__version": 1 on 2.x, 2 on 3.0, 3 on 3.1
  Timetable timetable;
  std::optional<bool> catchup;      // std::nullopt when not serialized (the default applies)
  std::vector<std::string> owners;  // distinct task owners in task order, else default_args'
  std::vector<std::string> tags;
  std::vector<SerializedTask> tasks;           // in serialized order
  std::vector<DeadlineAlert> deadline_alerts;  // 3.1+ "deadline"
  // From the serialized_dag row, when read from the database.
  std::optional<Timestamp> last_updated;
  std::optional<std::string> dag_hash;
  std::optional<int64_t> version_number;  // 3.x dag_version.version_number

  // The task with this id, or nullptr.
  const SerializedTask* FindTask(std::string_view task_id) const;
};

// Parses the JSON text of serialized_dag.data. `dag_id` names the DAG in errors and is used
// when the JSON lacks "_dag_id". Errors: kDataLoss "serialized DAG 'x': ..." when the text is
// not JSON or has no "dag" object.
Result<SerializedDag> ParseSerializedDag(std::string_view json, std::string_view dag_id);

// Inflates zlib-compressed bytes (serialized_dag.data_compressed). At most 256 MiB out.
// Errors: kDataLoss naming `dag_id`.
Result<std::string> InflateSerializedDag(std::string_view compressed, std::string_view dag_id);

// `data` when present, else the inflated `data_compressed`, parsed. kDataLoss when both are
// NULL or either step fails.
Result<SerializedDag> DecodeSerializedDag(std::optional<std::string_view> data,
                                          std::optional<std::string_view> data_compressed,
                                          std::string_view dag_id);

}  // namespace slayer::airflow
