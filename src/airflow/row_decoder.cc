#include "airflow/row_decoder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace slayer::airflow::detail {
namespace {

// Reads the cells of one row by column alias. The first error sticks and later reads return
// empty values, so a decoder reads every field and checks once.
class FieldReader {
 public:
  FieldReader(const db::ResultSet& rs, std::string_view table) : rs_(rs), table_(table) {
    for (size_t i = 0; i < rs.num_columns(); ++i) {
      std::string name = rs.columns()[i];
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      index_.emplace(std::move(name), i);
    }
  }

  void SetRow(size_t row) { row_ = row; }

  template <typename T>
  std::optional<T> Opt(std::string_view column) {
    if (!status_.ok()) return std::nullopt;
    auto it = index_.find(column);
    if (it == index_.end()) {
      Fail(InternalError("result has no column '" + std::string(column) + "'"));
      return std::nullopt;
    }
    auto v = rs_.row(row_).Get<T>(it->second);
    if (!v) {
      Fail(v.error());
      return std::nullopt;
    }
    return std::move(*v);
  }

  // NULL is an error for a NOT NULL column.
  template <typename T>
  T Req(std::string_view column) {
    auto v = Opt<T>(column);
    if (!v && status_.ok()) Fail(DataLossError("column '" + std::string(column) + "' is NULL"));
    return v ? std::move(*v) : T{};
  }

  std::optional<std::string_view> Raw(std::string_view column) {
    if (!status_.ok()) return std::nullopt;
    auto it = index_.find(column);
    if (it == index_.end()) {
      Fail(InternalError("result has no column '" + std::string(column) + "'"));
      return std::nullopt;
    }
    return rs_.row(row_).Raw(it->second);
  }

  const Status& status() const { return status_; }
  size_t rows() const { return rs_.num_rows(); }

 private:
  void Fail(const Status& s) {
    status_ = s.WithContext("read " + std::string(table_) + " row " + std::to_string(row_ + 1));
  }

  const db::ResultSet& rs_;
  std::string_view table_;
  std::map<std::string, size_t, std::less<>> index_;
  size_t row_ = 0;
  Status status_;
};

std::vector<std::string> SplitOwners(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) {
      part.remove_prefix(1);
    }
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) {
      part.remove_suffix(1);
    }
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::optional<std::string> ScheduleText(std::optional<std::string> raw, bool timetable_summary) {
  if (!raw) return std::nullopt;
  if (timetable_summary) {
    if (*raw == "None" || raw->empty()) return std::nullopt;
    return raw;
  }
  // 2.x writes schedule_interval through json.dumps: a quoted string, null, or an encoded
  // timedelta / relativedelta. Anything else is shown as stored.
  using Json = nlohmann::json;
  Json v = Json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return raw;
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    auto type = v.find("type");
    auto attrs = v.find("attrs");
    if (type != v.end() && *type == "timedelta" && attrs != v.end() && attrs->is_object()) {
      double seconds = 0;
      static constexpr std::pair<const char*, double> kParts[] = {
          {"days", 86400}, {"seconds", 1}, {"microseconds", 1e-6}};
      for (const auto& [key, scale] : kParts) {
        auto it = attrs->find(key);
        if (it != attrs->end() && it->is_number()) seconds += it->get<double>() * scale;
      }
      if (std::isfinite(seconds) && std::fabs(seconds) < 1e12) {
        return FormatDuration(
            std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
      }
    }
  }
  return raw;
}

Status DecodeDagRuns(const db::ResultSet& rs, std::vector<DagRun>& out) {
  FieldReader f(rs, "dag_run");
  out.reserve(out.size() + rs.num_rows());
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    DagRun r;
    r.id = f.Req<int64_t>("id");
    r.dag_id = f.Req<std::string>("dag_id");
    r.run_id = f.Req<std::string>("run_id");
    r.logical_date = f.Opt<Timestamp>("logical_date");
    r.data_interval_start = f.Opt<Timestamp>("data_interval_start");
    r.data_interval_end = f.Opt<Timestamp>("data_interval_end");
    r.queued_at = f.Opt<Timestamp>("queued_at");
    r.start_date = f.Opt<Timestamp>("start_date");
    r.end_date = f.Opt<Timestamp>("end_date");
    r.state_text = f.Opt<std::string>("state");
    r.state = ParseDagRunState(r.state_text);
    r.run_type = f.Opt<std::string>("run_type").value_or("");
    r.external_trigger = f.Opt<bool>("external_trigger");
    r.triggered_by = f.Opt<std::string>("triggered_by");
    r.updated_at = f.Opt<Timestamp>("updated_at");
    // 2.x has no run_after: derive it as Airflow 3's migration does.
    std::optional<Timestamp> run_after = f.Opt<Timestamp>("run_after");
    if (!run_after) run_after = r.data_interval_end ? r.data_interval_end : r.logical_date;
    if (!run_after) run_after = r.queued_at;
    r.run_after = run_after.value_or(Timestamp{});
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(r));
  }
  return Status::Ok();
}

Status DecodeTaskInstances(const db::ResultSet& rs, std::vector<TaskInstance>& out) {
  FieldReader f(rs, "task_instance");
  out.reserve(out.size() + rs.num_rows());
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    TaskInstance t;
    t.dag_id = f.Req<std::string>("dag_id");
    t.task_id = f.Req<std::string>("task_id");
    t.run_id = f.Req<std::string>("run_id");
    t.map_index = f.Opt<int64_t>("map_index").value_or(-1);
    t.id = f.Opt<std::string>("id");
    t.state_text = f.Opt<std::string>("state");
    t.state = ParseTaskInstanceState(t.state_text);
    t.try_number = f.Opt<int64_t>("try_number");
    t.max_tries = f.Opt<int64_t>("max_tries");
    t.pool = f.Opt<std::string>("pool").value_or("");
    t.queue = f.Opt<std::string>("queue");
    t.priority_weight = f.Opt<int64_t>("priority_weight");
    t.operator_name = f.Opt<std::string>("operator_name");
    t.queued_dttm = f.Opt<Timestamp>("queued_dttm");
    t.start_date = f.Opt<Timestamp>("start_date");
    t.end_date = f.Opt<Timestamp>("end_date");
    t.duration = f.Opt<double>("duration");
    t.hostname = f.Opt<std::string>("hostname");
    t.updated_at = f.Opt<Timestamp>("updated_at");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(t));
  }
  return Status::Ok();
}

Status DecodeTaskInstanceTimings(const db::ResultSet& rs, std::vector<TaskInstanceTiming>& out) {
  FieldReader f(rs, "task_instance");
  out.reserve(out.size() + rs.num_rows());
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    TaskInstanceTiming t;
    t.dag_id = f.Req<std::string>("dag_id");
    t.task_id = f.Req<std::string>("task_id");
    t.run_id = f.Req<std::string>("run_id");
    t.map_index = f.Opt<int64_t>("map_index").value_or(-1);
    t.state = ParseTaskInstanceState(f.Opt<std::string>("state"));
    t.try_number = f.Opt<int64_t>("try_number");
    t.queued_dttm = f.Opt<Timestamp>("queued_dttm");
    t.start_date = f.Opt<Timestamp>("start_date");
    t.end_date = f.Opt<Timestamp>("end_date");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(t));
  }
  return Status::Ok();
}

Status DecodeDagRunKeys(const db::ResultSet& rs, std::vector<DagRunKey>& out) {
  FieldReader f(rs, "dag_run");
  out.reserve(out.size() + rs.num_rows());
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    DagRunKey k;
    k.dag_id = f.Req<std::string>("dag_id");
    k.run_id = f.Req<std::string>("run_id");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(k));
  }
  return Status::Ok();
}

Status DecodeTaskInstanceCounts(const db::ResultSet& rs, std::vector<TaskInstanceCount>& out) {
  FieldReader f(rs, "task_instance counts");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    TaskInstanceCount c;
    c.state_text = f.Opt<std::string>("state");
    c.state = ParseTaskInstanceState(c.state_text);
    c.pool = f.Opt<std::string>("pool").value_or("");
    c.queue = f.Opt<std::string>("queue");
    c.count = f.Req<int64_t>("n");
    c.pool_slots = f.Opt<int64_t>("pool_slots").value_or(0);
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(c));
  }
  return Status::Ok();
}

Status DecodeSlaMisses(const db::ResultSet& rs, std::vector<SlaMiss>& out) {
  FieldReader f(rs, "sla_miss");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    SlaMiss m;
    m.task_id = f.Req<std::string>("task_id");
    m.dag_id = f.Req<std::string>("dag_id");
    m.execution_date = f.Req<Timestamp>("execution_date");
    m.timestamp = f.Opt<Timestamp>("timestamp");
    m.email_sent = f.Opt<bool>("email_sent").value_or(false);
    m.notification_sent = f.Opt<bool>("notification_sent").value_or(false);
    m.run_id = f.Opt<std::string>("run_id");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(m));
  }
  return Status::Ok();
}

Status DecodeDeadlines(const db::ResultSet& rs, std::vector<Deadline>& out) {
  FieldReader f(rs, "deadline");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    Deadline d;
    d.id = f.Req<std::string>("id");
    d.dagrun_id = f.Opt<int64_t>("dagrun_id");
    d.dag_id = f.Opt<std::string>("dag_id");
    d.run_id = f.Opt<std::string>("run_id");
    d.deadline_time = f.Req<Timestamp>("deadline_time");
    d.callback_state = f.Opt<std::string>("callback_state");
    d.missed = f.Opt<bool>("missed");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(d));
  }
  return Status::Ok();
}

Status DecodeJobs(const db::ResultSet& rs, std::vector<Job>& out) {
  FieldReader f(rs, "job");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    Job j;
    j.id = f.Req<int64_t>("id");
    j.job_type = f.Opt<std::string>("job_type");
    j.state = f.Opt<std::string>("state");
    j.hostname = f.Opt<std::string>("hostname");
    j.latest_heartbeat = f.Opt<Timestamp>("latest_heartbeat");
    j.start_date = f.Opt<Timestamp>("start_date");
    j.end_date = f.Opt<Timestamp>("end_date");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(j));
  }
  return Status::Ok();
}

Status DecodePools(const db::ResultSet& rs, std::vector<Pool>& out) {
  FieldReader f(rs, "slot_pool");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    Pool p;
    p.name = f.Opt<std::string>("name").value_or("");
    p.slots = f.Opt<int64_t>("slots").value_or(0);
    p.include_deferred = f.Opt<bool>("include_deferred").value_or(false);
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(p));
  }
  return Status::Ok();
}

Status DecodeSerializedDags(const db::ResultSet& rs, std::vector<SerializedDag>& out) {
  FieldReader f(rs, "serialized_dag");
  for (size_t i = 0; i < rs.num_rows(); ++i) {
    f.SetRow(i);
    std::string dag_id = f.Req<std::string>("dag_id");
    std::optional<std::string_view> data = f.Raw("data");
    std::optional<std::string_view> compressed = f.Raw("data_compressed");
    std::optional<Timestamp> last_updated = f.Opt<Timestamp>("last_updated");
    std::optional<std::string> dag_hash = f.Opt<std::string>("dag_hash");
    std::optional<int64_t> version_number = f.Opt<int64_t>("version_number");
    if (!f.status().ok()) return f.status();
    auto dag = DecodeSerializedDag(data, compressed, dag_id);
    if (!dag) return dag.error();
    dag->dag_id = dag_id;  // the row's key wins over the JSON's
    dag->last_updated = last_updated;
    dag->dag_hash = std::move(dag_hash);
    dag->version_number = version_number;
    out.push_back(std::move(*dag));
  }
  return Status::Ok();
}

Status DecodeDags(const db::ResultSet& dags, const db::ResultSet* tags, const SchemaInfo& schema,
                  std::vector<Dag>& out) {
  std::map<std::string, std::vector<std::string>, std::less<>> tags_by_dag;
  if (tags != nullptr) {
    FieldReader t(*tags, "dag_tag");
    for (size_t i = 0; i < tags->num_rows(); ++i) {
      t.SetRow(i);
      std::string dag_id = t.Req<std::string>("dag_id");
      std::string name = t.Req<std::string>("name");
      if (!t.status().ok()) return t.status();
      tags_by_dag[dag_id].push_back(std::move(name));
    }
  }
  FieldReader f(dags, "dag");
  for (size_t i = 0; i < dags.num_rows(); ++i) {
    f.SetRow(i);
    Dag d;
    d.dag_id = f.Req<std::string>("dag_id");
    d.is_paused = f.Opt<bool>("is_paused").value_or(false);
    d.is_active = schema.dag_is_stale ? !f.Opt<bool>("is_stale").value_or(false)
                                      : f.Opt<bool>("is_active").value_or(true);
    d.owners = SplitOwners(f.Opt<std::string>("owners").value_or(""));
    d.schedule = ScheduleText(f.Opt<std::string>("schedule"), schema.dag_timetable_summary);
    d.timetable_description = f.Opt<std::string>("timetable_description");
    d.next_dagrun = f.Opt<Timestamp>("next_dagrun");
    d.next_dagrun_data_interval_start = f.Opt<Timestamp>("next_dagrun_data_interval_start");
    d.next_dagrun_data_interval_end = f.Opt<Timestamp>("next_dagrun_data_interval_end");
    d.next_dagrun_create_after = f.Opt<Timestamp>("next_dagrun_create_after");
    d.fileloc = f.Opt<std::string>("fileloc");
    d.has_import_errors = f.Opt<bool>("has_import_errors");
    if (!f.status().ok()) return f.status();
    if (auto it = tags_by_dag.find(d.dag_id); it != tags_by_dag.end()) {
      d.tags = std::move(it->second);
      std::sort(d.tags.begin(), d.tags.end());
    }
    out.push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace slayer::airflow::detail
