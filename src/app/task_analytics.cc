#include "app/task_analytics.h"

#include <algorithm>
#include <vector>

#include "airflow/queries.h"

namespace slayer::app {
namespace {

Status Refuse(TaskQueryField which, TaskQueryField* field, std::string message) {
  if (field != nullptr) *field = which;
  return InvalidArgumentError(std::move(message));
}

// " matching 'etl_*'", or "" without a glob.
std::string DagFilterText(const TaskQuery& query) {
  return query.dag_id ? " matching '" + query.dag_id->pattern() + "'" : "";
}

// One instance's share of the report.
Status ReadInstance(const config::AirflowInstance& instance, const SourceFactory& factory,
                    const TaskQuery& query, insights::TaskReportBuilder& builder,
                    TaskQueryField* field) {
  auto source = factory(instance);
  if (!source) return source.error();
  auto dags = (*source)->Dags();
  if (!dags) return dags.error();
  std::vector<std::string> ids;
  for (const airflow::Dag& dag : *dags) {
    if (!query.dag_id || query.dag_id->Matches(dag.dag_id)) ids.push_back(dag.dag_id);
  }
  if (ids.size() > kMaxTaskDags) {
    return Refuse(TaskQueryField::kDagId, field,
                  std::to_string(ids.size()) + " DAGs match" +
                      (query.dag_id ? " '" + query.dag_id->pattern() + "'" : " (every DAG)") +
                      "; task analytics read at most " + std::to_string(kMaxTaskDags) +
                      " DAGs at a time: narrow the DAG glob");
  }
  if (ids.empty()) return Status::Ok();
  std::sort(ids.begin(), ids.end());
  auto runs = (*source)->DagRunKeysInWindow(ids, query.since, query.until, kMaxTaskRuns + 1);
  if (!runs) return runs.error();
  if (runs->size() > kMaxTaskRuns) {
    return Refuse(TaskQueryField::kSince, field,
                  "the DAGs" + DagFilterText(query) + " have more than " +
                      std::to_string(kMaxTaskRuns) + " runs from " + FormatRfc3339(query.since) +
                      " to " + FormatRfc3339(query.until) + "; task analytics read at most " +
                      std::to_string(kMaxTaskRuns) +
                      " runs at a time: shorten the window or narrow the DAG glob");
  }
  std::sort(runs->begin(), runs->end());
  builder.AddRuns(static_cast<int64_t>(runs->size()));
  // Batch by batch, so that only one batch of rows is held at a time.
  const std::span<const airflow::DagRunKey> all(*runs);
  for (size_t start = 0; start < all.size(); start += airflow::queries::kMaxKeysPerStatement) {
    const size_t n = std::min(airflow::queries::kMaxKeysPerStatement, all.size() - start);
    auto tis = (*source)->FinishedTaskInstanceTimings(all.subspan(start, n));
    if (!tis) return tis.error();
    builder.Add(instance.name, *tis);
  }
  return Status::Ok();
}

}  // namespace

Status CheckTaskWindow(Timestamp since, Timestamp until) {
  if (since >= until) {
    return InvalidArgumentError(FormatRfc3339(since) + " is not before " + FormatRfc3339(until));
  }
  if (until - since > kMaxTaskWindow) {
    return InvalidArgumentError("the window from " + FormatRfc3339(since) + " to " +
                                FormatRfc3339(until) + " is longer than " +
                                FormatDuration(kMaxTaskWindow) +
                                ", the most task analytics read at a time");
  }
  return Status::Ok();
}

Result<insights::TaskReport> ReadTaskReport(std::span<const config::AirflowInstance> instances,
                                            const SourceFactory& factory, const TaskQuery& query,
                                            TaskQueryField* field) {
  if (field != nullptr) *field = TaskQueryField::kNone;
  if (Status st = CheckTaskWindow(query.since, query.until); !st.ok()) {
    return Refuse(TaskQueryField::kSince, field, st.message());
  }
  if (!query.instance.empty() &&
      std::none_of(instances.begin(), instances.end(),
                   [&](const config::AirflowInstance& i) { return i.name == query.instance; })) {
    std::string known;
    for (const auto& i : instances) known += (known.empty() ? "" : ", ") + i.name;
    return Refuse(
        TaskQueryField::kInstance, field,
        "no airflow instance named '" + query.instance + "' in the config (known: " + known + ")");
  }
  insights::TaskReportBuilder builder(query.since, query.until);
  for (const config::AirflowInstance& instance : instances) {
    if (!query.instance.empty() && instance.name != query.instance) continue;
    Status st = ReadInstance(instance, factory, query, builder, field);
    if (!st.ok()) return st.WithContext("instance " + instance.name);
  }
  return std::move(builder).Build();
}

}  // namespace slayer::app
