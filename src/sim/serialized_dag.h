// The JSON Airflow stores for a DAG: serialized_dag.data (2.x shape {"__version": 1, "dag":
// {...}} as in shared/airflow-schema/samples/serialized_dag-2.10.3.json; 3.x version 2 / 3), the
// 3.1 dag.deadline list and the deadline.callback value. Pure functions.
#pragma once

#include <string>

#include "common/time.h"
#include "sim/airflow_version.h"
#include "sim/dag_spec.h"
#include "sim/timetable.h"

namespace slayer::sim {

// serialized_dag.data for `dag` (tasks with "sla" seconds on 2.x, "deadline" on 3.1).
// `start_date` is the DAG's effective start date.
std::string SerializeDag(const DagSpec& dag, const Timetable& timetable, AirflowVersion version,
                         Timestamp start_date);

// The 3.1 dag.deadline column: a JSON list of serialized DeadlineAlerts, or "null".
std::string DeadlineAlertsJson(const DagSpec& dag);

// deadline.callback: the serde dict of the AsyncCallback.
std::string DeadlineCallbackJson(const DeadlineSpec& deadline);

// The Python module of an operator class ("airflow.operators.bash" on 2.x,
// "airflow.providers.standard.operators.bash" on 3.x).
std::string OperatorModule(const std::string& operator_name, AirflowVersion version);

}  // namespace slayer::sim
