// DagRunKey: what identifies a DAG run in every Airflow version, (dag_id, run_id), the key
// task_instance joins dag_run on. A value type; thread-compatible.
#pragma once

#include <compare>
#include <string>

namespace slayer::airflow {

struct DagRunKey {
  std::string dag_id;
  std::string run_id;

  friend auto operator<=>(const DagRunKey&, const DagRunKey&) = default;
};

}  // namespace slayer::airflow
