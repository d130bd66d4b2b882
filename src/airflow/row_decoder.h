// Internal to airflow/: turns the result sets of the queries in queries.h into value types.
// Columns are found by the aliases queries.h documents, so column order never matters. NULLs
// become empty optionals; an unreadable value is kDataLoss naming the table and column.
// Thread-compatible functions.
#pragma once

#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/dag_run_key.h"
#include "airflow/deadline.h"
#include "airflow/job.h"
#include "airflow/pool.h"
#include "airflow/schema.h"
#include "airflow/serialized_dag.h"
#include "airflow/sla_miss.h"
#include "airflow/task_instance.h"
#include "airflow/task_instance_count.h"
#include "airflow/task_instance_timing.h"
#include "common/result.h"
#include "db/result_set.h"

namespace slayer::airflow::detail {

// Appends to `out` so that batched statements accumulate into one vector.
Status DecodeDagRuns(const db::ResultSet& rs, std::vector<DagRun>& out);
Status DecodeTaskInstances(const db::ResultSet& rs, std::vector<TaskInstance>& out);
Status DecodeTaskInstanceCounts(const db::ResultSet& rs, std::vector<TaskInstanceCount>& out);
Status DecodeTaskInstanceTimings(const db::ResultSet& rs, std::vector<TaskInstanceTiming>& out);
Status DecodeDagRunKeys(const db::ResultSet& rs, std::vector<DagRunKey>& out);
Status DecodeSlaMisses(const db::ResultSet& rs, std::vector<SlaMiss>& out);
Status DecodeDeadlines(const db::ResultSet& rs, std::vector<Deadline>& out);
Status DecodeJobs(const db::ResultSet& rs, std::vector<Job>& out);
Status DecodePools(const db::ResultSet& rs, std::vector<Pool>& out);
Status DecodeSerializedDags(const db::ResultSet& rs, std::vector<SerializedDag>& out);

// `dags` from queries::Dags(schema), `tags` from kDagTags (nullptr when there is no dag_tag).
Status DecodeDags(const db::ResultSet& dags, const db::ResultSet* tags, const SchemaInfo& schema,
                  std::vector<Dag>& out);

// The dag.schedule column as text: 2.x `schedule_interval` JSON ("\"@daily\"", "null",
// {"type": "timedelta", "attrs": {...}}) or 3.x `timetable_summary`. std::nullopt: no schedule.
std::optional<std::string> ScheduleText(std::optional<std::string> raw, bool timetable_summary);

}  // namespace slayer::airflow::detail
