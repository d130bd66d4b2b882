#include "airflow/sql_source.h"

#include <algorithm>
#include <limits>
#include <map>

#include "airflow/queries.h"
#include "airflow/row_decoder.h"

namespace slayer::airflow {
namespace {

constexpr std::string_view kMonitoredJobTypes[] = {"SchedulerJob", "TriggererJob",
                                                   "DagProcessorJob"};

bool HasDeadlineRows(const SchemaInfo& s) {
  return s.deadline == DeadlineFlavor::kV31 || s.deadline == DeadlineFlavor::kV32;
}

bool ReadsSlaMiss(const SchemaInfo& s) {
  // A database upgraded to 3.x keeps the table, but nothing writes it any more.
  return s.sla_miss_table && !s.dag_run_logical_date;
}

// Runs `build(n)` with the params of each batch of at most `batch` keys; `bind` appends the
// params of one key, then `trailing` follows in every batch. Decodes every result set into
// `out`, and stops before the next batch once `out` holds `max_rows` rows.
template <typename Key, typename Out, typename Build, typename Bind, typename Decode>
Status Batched(db::Connection& c, std::span<const Key> keys, size_t batch, Build build, Bind bind,
               Decode decode, std::vector<Out>& out, std::string_view what,
               const std::vector<db::Param>& trailing = {},
               size_t max_rows = std::numeric_limits<size_t>::max()) {
  for (size_t start = 0; start < keys.size() && out.size() < max_rows; start += batch) {
    size_t n = std::min(batch, keys.size() - start);
    std::vector<db::Param> params;
    for (size_t i = start; i < start + n; ++i) bind(keys[i], params);
    params.insert(params.end(), trailing.begin(), trailing.end());
    auto rs = c.Query(build(n), params);
    if (!rs) return rs.error().WithContext(what);
    SLAYER_RETURN_IF_ERROR(decode(*rs, out));
  }
  return Status::Ok();
}

void BindString(const std::string& s, std::vector<db::Param>& p) { p.emplace_back(s); }
void BindInt(const int64_t& v, std::vector<db::Param>& p) { p.emplace_back(v); }
void BindKey(const DagRunKey& k, std::vector<db::Param>& p) {
  p.emplace_back(k.dag_id);
  p.emplace_back(k.run_id);
}

template <typename Out, typename Decode>
Result<std::vector<Out>> QueryAll(db::Connection& c, std::string_view sql,
                                  const std::vector<db::Param>& params, Decode decode,
                                  std::string_view what) {
  auto rs = c.Query(sql, params);
  if (!rs) return rs.error().WithContext(what);
  std::vector<Out> out;
  SLAYER_RETURN_IF_ERROR(decode(*rs, out));
  return out;
}

}  // namespace

Result<std::unique_ptr<SqlAirflowSource>> SqlAirflowSource::Open(
    std::unique_ptr<db::Connection> connection) {
  auto schema = DetectSchema(*connection);
  if (!schema) return schema.error();
  return std::make_unique<SqlAirflowSource>(std::move(connection), std::move(*schema));
}

SqlAirflowSource::SqlAirflowSource(std::unique_ptr<db::Connection> connection, SchemaInfo schema)
    : connection_(std::move(connection)), schema_(std::move(schema)) {}

Result<std::vector<Dag>> SqlAirflowSource::Dags() {
  auto dags = connection_->Query(queries::Dags(schema_));
  if (!dags) return dags.error().WithContext("read dag");
  std::optional<db::ResultSet> tags;
  if (schema_.dag_tag_table) {
    auto t = connection_->Query(queries::kDagTags);
    if (!t) return t.error().WithContext("read dag_tag");
    tags = std::move(*t);
  }
  std::vector<Dag> out;
  SLAYER_RETURN_IF_ERROR(detail::DecodeDags(*dags, tags ? &*tags : nullptr, schema_, out));
  return out;
}

Result<std::vector<SerializedDag>> SqlAirflowSource::SerializedDags(
    std::span<const std::string> dag_ids) {
  std::vector<SerializedDag> out;
  if (!schema_.serialized_dag_table) return out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, dag_ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::SerializedDags(schema_, n); }, BindString,
      detail::DecodeSerializedDags, out, "read serialized_dag"));
  return out;
}

Result<std::vector<DagRun>> SqlAirflowSource::ActiveDagRuns() {
  if (schema_.dag_run_state_indexes) {
    return QueryAll<DagRun>(*connection_, queries::ActiveDagRuns(schema_), {},
                            detail::DecodeDagRuns, "read active dag_run");
  }
  // No index leads with state: look the runs up per DAG through dag_id_state, so the cost
  // follows the number of DAGs and active runs rather than the size of dag_run.
  auto rs = connection_->Query(queries::kDagIds);
  if (!rs) return rs.error().WithContext("read dag ids");
  std::vector<std::string> dag_ids;
  dag_ids.reserve(rs->num_rows());
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto id = rs->row(i).Require<std::string>(0);
    if (!id) return id.error().WithContext("read dag ids");
    dag_ids.push_back(std::move(*id));
  }
  std::vector<DagRun> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, std::span<const std::string>(dag_ids), queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::ActiveDagRunsOfDags(schema_, n); }, BindString,
      detail::DecodeDagRuns, out, "read active dag_run"));
  return out;
}

Result<std::vector<DagRun>> SqlAirflowSource::DagRunsById(std::span<const int64_t> ids) {
  std::vector<DagRun> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::DagRunsById(schema_, n); }, BindInt, detail::DecodeDagRuns,
      out, "read dag_run by id"));
  return out;
}

Result<std::vector<DagRun>> SqlAirflowSource::DagRunsByKey(std::span<const DagRunKey> keys) {
  std::vector<DagRun> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, keys, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::DagRunsByKey(schema_, n); }, BindKey, detail::DecodeDagRuns,
      out, "read dag_run by key"));
  return out;
}

Result<std::vector<DagRun>> SqlAirflowSource::DagRunsInWindow(std::span<const std::string> dag_ids,
                                                              Timestamp from, Timestamp to) {
  std::vector<DagRun> out;
  SLAYER_RETURN_IF_ERROR(Batched(*connection_, dag_ids, queries::kMaxKeysPerStatement,
                                 [&](size_t n) { return queries::DagRunsInWindow(schema_, n); },
                                 BindString, detail::DecodeDagRuns, out, "read dag_run in window",
                                 {from, to}));
  return out;
}

Result<std::vector<DagRunKey>> SqlAirflowSource::DagRunKeysInWindow(
    std::span<const std::string> dag_ids, Timestamp from, Timestamp to, size_t limit) {
  std::vector<DagRunKey> out;
  // Each batch asks only for what the limit leaves.
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, dag_ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::DagRunKeysInWindow(schema_, n, limit - out.size()); },
      BindString, detail::DecodeDagRunKeys, out, "read dag_run keys in window", {from, to}, limit));
  return out;
}

Result<std::vector<DagRun>> SqlAirflowSource::LatestSuccessfulDagRuns(
    std::span<const std::string> dag_ids) {
  // Two steps, each with a plan that cannot degrade into a scan of dag_run: the run ids by a
  // per-DAG LIMIT 1 sub-select, then the runs by primary key.
  std::vector<int64_t> ids;
  auto collect = [&ids](const db::ResultSet& rs, std::vector<int64_t>&) -> Status {
    for (size_t i = 0; i < rs.num_rows(); ++i) {
      auto id = rs.row(i).Get<int64_t>(1);
      if (!id) return id.error();
      if (id->has_value()) ids.push_back(**id);
    }
    return Status::Ok();
  };
  std::vector<int64_t> unused;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, dag_ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::LatestSuccessfulDagRunIds(schema_, n); }, BindString, collect,
      unused, "read latest successful dag_run"));
  return DagRunsById(ids);
}

Result<std::vector<TaskInstance>> SqlAirflowSource::TaskInstancesOfRuns(
    std::span<const DagRunKey> runs) {
  std::vector<TaskInstance> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, runs, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::TaskInstancesOfRuns(schema_, n); }, BindKey,
      detail::DecodeTaskInstances, out, "read task_instance of runs"));
  return out;
}

Result<std::vector<TaskInstance>> SqlAirflowSource::UnfinishedTaskInstances(
    std::span<const std::string> dag_ids) {
  std::vector<TaskInstance> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, dag_ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::UnfinishedTaskInstances(schema_, n); }, BindString,
      detail::DecodeTaskInstances, out, "read unfinished task_instance"));
  return out;
}

Result<std::vector<TaskInstanceTiming>> SqlAirflowSource::FinishedTaskInstanceTimings(
    std::span<const DagRunKey> runs) {
  std::vector<TaskInstanceTiming> out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, runs, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::FinishedTaskInstanceTimings(schema_, n); }, BindKey,
      detail::DecodeTaskInstanceTimings, out, "read finished task_instance of runs"));
  return out;
}

Result<std::vector<TaskInstanceCount>> SqlAirflowSource::UnfinishedTaskInstanceCounts() {
  return QueryAll<TaskInstanceCount>(*connection_, queries::UnfinishedTaskInstanceCounts(), {},
                                     detail::DecodeTaskInstanceCounts,
                                     "count unfinished task_instance");
}

Result<std::vector<SlaMiss>> SqlAirflowSource::SlaMisses(std::span<const std::string> dag_ids,
                                                         Timestamp since) {
  std::vector<SlaMiss> out;
  if (!ReadsSlaMiss(schema_)) return out;
  SLAYER_RETURN_IF_ERROR(Batched(*connection_, dag_ids, queries::kMaxKeysPerStatement,
                                 queries::SlaMisses, BindString, detail::DecodeSlaMisses, out,
                                 "read sla_miss", {since}));
  return out;
}

Result<std::vector<SlaMiss>> SqlAirflowSource::OpenSlaMisses(std::span<const std::string> dag_ids) {
  std::vector<SlaMiss> out;
  if (!ReadsSlaMiss(schema_)) return out;
  SLAYER_RETURN_IF_ERROR(Batched(*connection_, dag_ids, queries::kMaxKeysPerStatement,
                                 queries::OpenSlaMisses, BindString, detail::DecodeSlaMisses, out,
                                 "read open sla_miss"));
  return out;
}

Result<std::vector<Deadline>> SqlAirflowSource::PendingDeadlines(Timestamp from, Timestamp to) {
  if (!HasDeadlineRows(schema_)) return std::vector<Deadline>();
  std::vector<db::Param> params;
  if (schema_.deadline == DeadlineFlavor::kV32) params.emplace_back(false);
  params.emplace_back(from);
  params.emplace_back(to);
  return QueryAll<Deadline>(*connection_, queries::PendingDeadlines(schema_), params,
                            detail::DecodeDeadlines, "read pending deadline");
}

Result<std::vector<Deadline>> SqlAirflowSource::DeadlinesOfRuns(
    std::span<const int64_t> dagrun_ids) {
  std::vector<Deadline> out;
  if (!HasDeadlineRows(schema_)) return out;
  SLAYER_RETURN_IF_ERROR(Batched(
      *connection_, dagrun_ids, queries::kMaxKeysPerStatement,
      [&](size_t n) { return queries::DeadlinesOfRuns(schema_, n); }, BindInt,
      detail::DecodeDeadlines, out, "read deadline of runs"));
  return out;
}

Result<std::vector<Deadline>> SqlAirflowSource::DeadlinesById(std::span<const std::string> ids) {
  std::vector<Deadline> found;
  if (HasDeadlineRows(schema_)) {
    SLAYER_RETURN_IF_ERROR(Batched(
        *connection_, ids, queries::kMaxKeysPerStatement,
        [&](size_t n) { return queries::DeadlinesById(schema_, n); }, BindString,
        detail::DecodeDeadlines, found, "read deadline by id"));
  }
  // PostgreSQL returns a uuid with dashes even when asked without; match on the hex digits.
  auto normal = [](std::string_view id) {
    std::string out;
    for (char c : id) {
      if (c != '-') out += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    return out;
  };
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < found.size(); ++i) index.emplace(normal(found[i].id), i);
  std::vector<Deadline> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    auto it = index.find(normal(id));
    if (it != index.end()) {
      out.push_back(found[it->second]);
    } else {
      Deadline gone;
      gone.id = id;
      gone.exists = false;
      out.push_back(std::move(gone));
    }
  }
  return out;
}

Result<std::vector<Job>> SqlAirflowSource::RunningJobs() {
  if (!schema_.job_table) return std::vector<Job>();
  return QueryAll<Job>(*connection_, queries::kRunningJobs, {}, detail::DecodeJobs,
                       "read running job");
}

Result<std::vector<Job>> SqlAirflowSource::RecentJobs(Timestamp since) {
  if (!schema_.job_table) return std::vector<Job>();
  std::vector<db::Param> params(std::begin(kMonitoredJobTypes), std::end(kMonitoredJobTypes));
  params.emplace_back(since);
  return QueryAll<Job>(*connection_, queries::RecentJobs(std::size(kMonitoredJobTypes)), params,
                       detail::DecodeJobs, "read recent job");
}

Result<std::vector<Pool>> SqlAirflowSource::Pools() {
  return QueryAll<Pool>(*connection_, queries::Pools(schema_), {}, detail::DecodePools,
                        "read slot_pool");
}

}  // namespace slayer::airflow
