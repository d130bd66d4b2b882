#include "sim/row_writer.h"

#include <zlib.h>

#include <algorithm>
#include <set>

#include "sim/digest.h"
#include "sim/serialized_dag.h"

namespace slayer::sim {
namespace {

using db::Param;

constexpr char kBundle[] = "dags-folder";
constexpr char kDagsFolder[] = "/opt/airflow/dags";

// pickle.dumps({}, protocol=5): what SQLAlchemy's PickleType stores for an empty conf or
// executor_config.
const std::string& EmptyDictPickle() {
  static const std::string* p = new std::string("\x80\x05}\x94.", 5);
  return *p;
}

std::string Owners(const DagSpec& dag) {
  std::set<std::string> owners;
  for (const auto& t : dag.tasks) owners.insert(t.owner.empty() ? dag.owner : t.owner);
  std::string out;
  for (const auto& o : owners) out += (out.empty() ? "" : ", ") + o;
  return out;
}

Result<std::string> Compress(const std::string& text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  int rc =
      compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(text.data()), text.size(), Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) return InternalError("zlib compress failed");
  out.resize(size);
  return out;
}

std::optional<Timestamp> NextField(const DagState& d, int which) {
  if (!d.next_info) return std::nullopt;
  switch (which) {
    case 0:
      return d.next_info->logical_date;
    case 1:
      return d.next_info->data_interval.start;
    case 2:
      return d.next_info->data_interval.end;
    default:
      // Airflow clears next_dagrun_create_after while max_active_runs holds creation back.
      if (d.create_blocked) return std::nullopt;
      return d.next_info->run_after;
  }
}

}  // namespace

RowWriter::RowWriter(db::Connection& conn, AirflowVersion version, bool compress_serialized)
    : conn_(conn),
      version_(version),
      v3_(IsAirflow3(version)),
      compress_serialized_(compress_serialized),
      conf_blob_(EmptyDictPickle()) {
  if (v3_) {
    run_columns_ = {"id",
                    "dag_id",
                    "queued_at",
                    "logical_date",
                    "start_date",
                    "end_date",
                    "state",
                    "run_id",
                    "creating_job_id",
                    "run_type",
                    "triggered_by",
                    "conf",
                    "data_interval_start",
                    "data_interval_end",
                    "run_after",
                    "last_scheduling_decision",
                    "log_template_id",
                    "updated_at",
                    "clear_number",
                    "span_status",
                    "created_dag_version_id",
                    "context_carrier"};
    if (version == AirflowVersion::kV3_1) run_columns_.push_back("triggering_user_name");
    ti_columns_ = {"id",
                   "task_id",
                   "dag_id",
                   "run_id",
                   "map_index",
                   "start_date",
                   "end_date",
                   "duration",
                   "state",
                   "try_number",
                   "max_tries",
                   "hostname",
                   "unixname",
                   "pool",
                   "pool_slots",
                   "queue",
                   "priority_weight",
                   "operator",
                   "queued_dttm",
                   "scheduled_dttm",
                   "queued_by_job_id",
                   "last_heartbeat_at",
                   "pid",
                   "executor_config",
                   "updated_at",
                   "context_carrier",
                   "span_status",
                   "task_display_name",
                   "dag_version_id"};
  } else {
    run_columns_ = {"id",
                    "dag_id",
                    "queued_at",
                    "execution_date",
                    "start_date",
                    "end_date",
                    "state",
                    "run_id",
                    "creating_job_id",
                    "external_trigger",
                    "run_type",
                    "conf",
                    "data_interval_start",
                    "data_interval_end",
                    "last_scheduling_decision",
                    "dag_hash",
                    "log_template_id",
                    "updated_at",
                    "clear_number"};
    ti_columns_ = {"task_id",
                   "dag_id",
                   "run_id",
                   "map_index",
                   "start_date",
                   "end_date",
                   "duration",
                   "state",
                   "try_number",
                   "max_tries",
                   "hostname",
                   "unixname",
                   "job_id",
                   "pool",
                   "pool_slots",
                   "queue",
                   "priority_weight",
                   "operator",
                   "queued_dttm",
                   "queued_by_job_id",
                   "pid",
                   "executor_config",
                   "updated_at",
                   "task_display_name"};
  }
}

std::string RowWriter::UuidText(const Uuid& u) const {
  return conn_.backend() == db::Backend::kPostgres ? UuidWithDashes(u) : UuidHex(u);
}

Status RowWriter::Begin() {
  const char* sql = conn_.backend() == db::Backend::kMysql ? "START TRANSACTION" : "BEGIN";
  return conn_.Execute(sql).status();
}

Status RowWriter::Commit() { return conn_.Execute("COMMIT").status(); }

Status RowWriter::WriteDags(const std::vector<DagState>& dags, const std::vector<bool>& exists,
                            const std::map<std::string, int>& pools, Timestamp now) {
  SLAYER_RETURN_IF_ERROR(Begin());
  auto fail = [&](Status st, const std::string& what) {
    (void)conn_.Execute("ROLLBACK");
    return st.WithContext(what);
  };
  // Pools.
  for (const auto& [name, slots] : pools) {
    auto rs = conn_.Query("SELECT id FROM slot_pool WHERE pool = ?", {name});
    if (!rs) return fail(rs.error(), "read slot_pool");
    Status st;
    if (rs->num_rows() > 0) {
      st = conn_.Execute("UPDATE slot_pool SET slots = ? WHERE pool = ?", {slots, name}).status();
    } else {
      auto max = conn_.Query("SELECT COALESCE(MAX(id), 0) FROM slot_pool");
      if (!max) return fail(max.error(), "read slot_pool");
      auto id = max->row(0).Require<int64_t>(0);
      if (!id) return fail(id.error(), "read slot_pool");
      st = conn_
               .Execute(
                   "INSERT INTO slot_pool (id, pool, slots, description, include_deferred) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {*id + 1, name, slots, "", false})
               .status();
    }
    if (!st.ok()) return fail(st, "write pool " + name);
  }
  if (v3_) {
    auto rs = conn_.Query("SELECT name FROM dag_bundle WHERE name = ?", {kBundle});
    if (!rs) return fail(rs.error(), "read dag_bundle");
    if (rs->num_rows() == 0) {
      Status st = conn_
                      .Execute(
                          "INSERT INTO dag_bundle (name, active, last_refreshed) "
                          "VALUES (?, ?, ?)",
                          {kBundle, true, now})
                      .status();
      if (!st.ok()) return fail(st, "insert dag_bundle");
    }
  }
  std::vector<std::vector<Param>> dag_rows, tag_rows, version_rows, serialized_rows;
  std::vector<std::string> dag_cols;
  if (v3_) {
    dag_cols = {"dag_id",
                "is_paused",
                "is_stale",
                "last_parsed_time",
                "fileloc",
                "relative_fileloc",
                "bundle_name",
                "owners",
                "description",
                "timetable_summary",
                "timetable_description",
                "max_active_tasks",
                "max_active_runs",
                "max_consecutive_failed_dag_runs",
                "has_task_concurrency_limits",
                "has_import_errors",
                "next_dagrun",
                "next_dagrun_data_interval_start",
                "next_dagrun_data_interval_end",
                "next_dagrun_create_after"};
    if (version_ == AirflowVersion::kV3_1) {
      dag_cols.push_back("deadline");
      dag_cols.push_back("last_parse_duration");
    }
  } else {
    dag_cols = {"dag_id",
                "is_paused",
                "is_subdag",
                "is_active",
                "last_parsed_time",
                "fileloc",
                "processor_subdir",
                "owners",
                "description",
                "default_view",
                "schedule_interval",
                "timetable_description",
                "max_active_tasks",
                "max_active_runs",
                "max_consecutive_failed_dag_runs",
                "has_task_concurrency_limits",
                "has_import_errors",
                "next_dagrun",
                "next_dagrun_data_interval_start",
                "next_dagrun_data_interval_end",
                "next_dagrun_create_after"};
  }
  for (size_t i = 0; i < dags.size(); ++i) {
    if (exists[i]) continue;
    const DagState& d = dags[i];
    const DagSpec& s = d.spec;
    std::optional<std::string> description;
    if (!s.description.empty()) description = s.description;
    std::vector<Param> row;
    if (v3_) {
      row = {s.dag_id,
             s.paused,
             false,
             now,
             s.fileloc,
             s.fileloc.substr(s.fileloc.find_last_of('/') + 1),
             kBundle,
             Owners(s),
             description,
             d.timetable.Summary(),
             d.timetable.Description(),
             16,
             s.max_active_runs,
             0,
             false,
             false,
             NextField(d, 0),
             NextField(d, 1),
             NextField(d, 2),
             NextField(d, 3)};
      if (version_ == AirflowVersion::kV3_1) {
        std::string deadline = DeadlineAlertsJson(s);
        row.push_back(deadline == "null" ? Param() : Param(deadline));
        row.push_back(0.05);
      }
    } else {
      row = {s.dag_id,
             s.paused,
             false,
             true,
             now,
             s.fileloc,
             kDagsFolder,
             Owners(s),
             description,
             "grid",
             d.timetable.ScheduleIntervalJson(),
             d.timetable.Description(),
             16,
             s.max_active_runs,
             0,
             false,
             false,
             NextField(d, 0),
             NextField(d, 1),
             NextField(d, 2),
             NextField(d, 3)};
    }
    dag_rows.push_back(std::move(row));
    for (const auto& tag : s.tags) tag_rows.push_back({tag, s.dag_id});
    std::string data = SerializeDag(s, d.timetable, version_, d.start_date);
    Param data_param = data, compressed;
    if (compress_serialized_) {
      auto z = Compress(data);
      if (!z) return fail(z.error(), "compress serialized dag");
      data_param = Param();
      compressed = Param::Blob(std::move(*z));
    }
    if (v3_) {
      version_rows.push_back({UuidText(d.version_id), 1, s.dag_id, kBundle, Param(), now, now});
      Rng rng(Hash64(Hash64(0, "serialized_dag"), s.dag_id));
      serialized_rows.push_back({UuidText(MakeUuid7(now, rng)), s.dag_id, data_param, compressed,
                                 now, now, d.dag_hash, UuidText(d.version_id)});
    } else {
      serialized_rows.push_back({s.dag_id, s.fileloc, FilelocHash(s.fileloc), data_param,
                                 compressed, now, d.dag_hash, kDagsFolder});
    }
  }
  Status st = conn_.InsertRows("dag", dag_cols, dag_rows);
  if (!st.ok()) return fail(st, "insert dag rows");
  st = conn_.InsertRows("dag_tag", {"name", "dag_id"}, tag_rows);
  if (!st.ok()) return fail(st, "insert dag_tag rows");
  if (v3_) {
    st = conn_.InsertRows("dag_version",
                          {"id", "version_number", "dag_id", "bundle_name", "bundle_version",
                           "created_at", "last_updated"},
                          version_rows);
    if (!st.ok()) return fail(st, "insert dag_version rows");
    st = conn_.InsertRows("serialized_dag",
                          {"id", "dag_id", "data", "data_compressed", "created_at", "last_updated",
                           "dag_hash", "dag_version_id"},
                          serialized_rows);
  } else {
    st = conn_.InsertRows("serialized_dag",
                          {"dag_id", "fileloc", "fileloc_hash", "data", "data_compressed",
                           "last_updated", "dag_hash", "processor_subdir"},
                          serialized_rows);
  }
  if (!st.ok()) return fail(st, "insert serialized_dag rows");
  return Commit();
}

std::vector<Param> RowWriter::RunRow(const Engine& engine, const SimDagRun& r) const {
  const DagState& d = const_cast<Engine&>(engine).dags()[r.dag];
  std::optional<Timestamp> di_start, di_end;
  if (r.data_interval) {
    di_start = r.data_interval->start;
    di_end = r.data_interval->end;
  }
  const char* run_type = r.manual ? "manual" : "scheduled";
  std::string state(RunStateName(r.state));
  if (v3_) {
    std::vector<Param> row = {r.id,
                              d.spec.dag_id,
                              r.queued_at,
                              r.logical_date,
                              r.start_date,
                              r.end_date,
                              state,
                              r.run_id,
                              r.creating_job_id,
                              run_type,
                              r.manual ? "rest_api" : "timetable",
                              "{}",
                              di_start,
                              di_end,
                              r.run_after,
                              r.last_scheduling_decision,
                              1,
                              r.updated_at,
                              0,
                              "not_started",
                              UuidText(d.version_id),
                              "{}"};
    if (version_ == AirflowVersion::kV3_1) {
      row.push_back(r.manual ? Param("admin") : Param());
    }
    return row;
  }
  return {r.id,
          d.spec.dag_id,
          r.queued_at,
          r.logical_date,
          r.start_date,
          r.end_date,
          state,
          r.run_id,
          r.creating_job_id,
          r.manual,
          run_type,
          Param::Blob(conf_blob_),
          di_start,
          di_end,
          r.last_scheduling_decision,
          d.dag_hash,
          1,
          r.updated_at,
          0};
}

std::vector<Param> RowWriter::TiRow(const Engine& engine, const SimDagRun& r,
                                    const SimTaskInstance& ti) const {
  const DagState& d = const_cast<Engine&>(engine).dags()[r.dag];
  const TaskSpec& t = d.spec.tasks[ti.task];
  Param state = ti.state == TiState::kNone ? Param() : Param(std::string(TiStateName(ti.state)));
  Param hostname = ti.host < 0 ? Param() : Param(engine.hostnames()[ti.host]);
  Param pid = ti.pid == 0 ? Param() : Param(ti.pid);
  if (v3_) {
    return {UuidWithDashes(ti.id),
            t.task_id,
            d.spec.dag_id,
            r.run_id,
            -1,
            ti.start_date,
            ti.end_date,
            ti.duration,
            state,
            ti.try_number,
            t.retries,
            hostname,
            "airflow",
            t.pool,
            t.pool_slots,
            t.queue,
            d.priority_weight[ti.task],
            t.operator_name,
            ti.queued_dttm,
            ti.scheduled_dttm,
            ti.queued_by_job_id,
            ti.last_heartbeat_at,
            pid,
            Param::Blob(conf_blob_),
            ti.updated_at,
            "{}",
            "not_started",
            t.task_id,
            UuidText(d.version_id)};
  }
  return {t.task_id,
          d.spec.dag_id,
          r.run_id,
          -1,
          ti.start_date,
          ti.end_date,
          ti.duration,
          state,
          ti.try_number,
          t.retries,
          hostname,
          "airflow",
          ti.job_id,
          t.pool,
          t.pool_slots,
          t.queue,
          d.priority_weight[ti.task],
          t.operator_name,
          ti.queued_dttm,
          ti.queued_by_job_id,
          pid,
          Param::Blob(conf_blob_),
          ti.updated_at,
          t.task_id};
}

Status RowWriter::FlushJobs(Engine& engine, bool settled_only, std::vector<SimJob*>& done) {
  std::vector<std::vector<Param>> inserts;
  for (auto& [id, job] : engine.jobs()) {
    if (!job.dirty) continue;
    if (settled_only && job.state == "running") continue;
    if (!job.persisted) {
      inserts.push_back({job.id, job.dag_id, job.state, job.job_type, job.start_date, job.end_date,
                         job.latest_heartbeat, job.executor_class, job.hostname, "airflow"});
    } else {
      Status st = conn_
                      .Execute(
                          "UPDATE job SET state = ?, end_date = ?, latest_heartbeat = ? "
                          "WHERE id = ?",
                          {job.state, job.end_date, job.latest_heartbeat, job.id})
                      .status();
      if (!st.ok()) return st.WithContext("update job");
      counts_.updates++;
    }
    done.push_back(&job);
  }
  return conn_.InsertRows("job",
                          {"id", "dag_id", "state", "job_type", "start_date", "end_date",
                           "latest_heartbeat", "executor_class", "hostname", "unixname"},
                          inserts);
}

Status RowWriter::FlushRuns(Engine& engine, bool settled_only, std::vector<SimDagRun*>& done) {
  std::vector<std::vector<Param>> run_rows, ti_rows;
  std::vector<SimDagRun*> updated;
  for (auto& [id, run_ptr] : engine.runs()) {
    SimDagRun& r = *run_ptr;
    if (!r.dirty && !r.ti_dirty) continue;
    const bool finished = r.state == RunState::kSuccess || r.state == RunState::kFailed;
    if (settled_only && !finished) continue;
    if (!r.persisted) {
      run_rows.push_back(RunRow(engine, r));
      for (const auto& ti : r.tis) ti_rows.push_back(TiRow(engine, r, ti));
    } else {
      updated.push_back(&r);
    }
    done.push_back(&r);
  }
  // Batches keep memory bounded; dag_run rows go first for the task_instance foreign key.
  Status st = conn_.InsertRows("dag_run", run_columns_, run_rows);
  if (!st.ok()) return st.WithContext("insert dag_run rows");
  counts_.dag_runs += static_cast<int64_t>(run_rows.size());
  run_rows.clear();
  st = conn_.InsertRows("task_instance", ti_columns_, ti_rows);
  if (!st.ok()) return st.WithContext("insert task_instance rows");
  counts_.task_instances += static_cast<int64_t>(ti_rows.size());
  ti_rows.clear();
  const std::string ti_where = v3_ ? " WHERE id = ?"
                                   : " WHERE dag_id = ? AND task_id = ? AND run_id = ? AND "
                                     "map_index = -1";
  const std::string ti_update =
      v3_ ? "UPDATE task_instance SET state = ?, try_number = ?, start_date = ?, end_date = ?, "
            "duration = ?, queued_dttm = ?, scheduled_dttm = ?, queued_by_job_id = ?, "
            "last_heartbeat_at = ?, hostname = ?, pid = ?, updated_at = ?" +
                ti_where
          : "UPDATE task_instance SET state = ?, try_number = ?, start_date = ?, end_date = ?, "
            "duration = ?, queued_dttm = ?, queued_by_job_id = ?, job_id = ?, hostname = ?, "
            "pid = ?, updated_at = ?" +
                ti_where;
  for (SimDagRun* r : updated) {
    const DagState& d = engine.dags()[r->dag];
    if (r->dirty) {
      st = conn_
               .Execute(
                   "UPDATE dag_run SET state = ?, start_date = ?, end_date = ?, "
                   "last_scheduling_decision = ?, updated_at = ? WHERE id = ?",
                   {std::string(RunStateName(r->state)), r->start_date, r->end_date,
                    r->last_scheduling_decision, r->updated_at, r->id})
               .status();
      if (!st.ok()) return st.WithContext("update dag_run");
      counts_.updates++;
    }
    if (!r->ti_dirty) continue;
    for (const auto& ti : r->tis) {
      if (!ti.dirty) continue;
      const TaskSpec& t = d.spec.tasks[ti.task];
      Param state =
          ti.state == TiState::kNone ? Param() : Param(std::string(TiStateName(ti.state)));
      Param hostname = ti.host < 0 ? Param() : Param(engine.hostnames()[ti.host]);
      Param pid = ti.pid == 0 ? Param() : Param(ti.pid);
      std::vector<Param> p;
      if (v3_) {
        p = {state,
             ti.try_number,
             ti.start_date,
             ti.end_date,
             ti.duration,
             ti.queued_dttm,
             ti.scheduled_dttm,
             ti.queued_by_job_id,
             ti.last_heartbeat_at,
             hostname,
             pid,
             ti.updated_at,
             UuidWithDashes(ti.id)};
      } else {
        p = {state,          ti.try_number,       ti.start_date, ti.end_date, ti.duration,
             ti.queued_dttm, ti.queued_by_job_id, ti.job_id,     hostname,    pid,
             ti.updated_at,  d.spec.dag_id,       t.task_id,     r->run_id};
      }
      st = conn_.Execute(ti_update, p).status();
      if (!st.ok()) return st.WithContext("update task_instance");
      counts_.updates++;
    }
  }
  return Status::Ok();
}

Status RowWriter::FlushDeadlines(Engine& engine, bool settled_only) {
  if (version_ != AirflowVersion::kV3_1) return Status::Ok();
  std::vector<std::vector<Param>> trigger_rows, deadline_rows;
  std::vector<SimDeadline*> inserted_triggers, inserted_deadlines, updated, deleted_triggers;
  for (auto& [key, dl] : engine.deadlines()) {
    auto run = engine.runs().find(dl.dagrun_id);
    const bool run_persisted = run == engine.runs().end() || run->second->persisted;
    const bool settled = dl.pruned || dl.callback_state == "success";
    if (settled_only && !settled) continue;
    if (!dl.dirty && !dl.trigger_dirty) continue;
    if (!run_persisted) continue;  // written after its dag_run
    if (dl.trigger_row_id != 0 && !dl.trigger_persisted && !dl.trigger_deleted) {
      trigger_rows.push_back({dl.trigger_row_id,
                              "airflow.triggers.deadline.DeadlineCallbackTrigger",
                              dl.trigger_kwargs, dl.trigger_created, dl.triggerer_id});
      inserted_triggers.push_back(&dl);
    }
    if (!dl.persisted) {
      if (!dl.pruned) {
        deadline_rows.push_back({UuidText(dl.id), dl.dagrun_id, dl.deadline_time, dl.callback,
                                 dl.callback_state, dl.trigger_id});
      }
      inserted_deadlines.push_back(&dl);
    } else {
      updated.push_back(&dl);
    }
    if (dl.trigger_persisted && dl.trigger_deleted) deleted_triggers.push_back(&dl);
  }
  const char* trigger_table = conn_.backend() == db::Backend::kMysql ? "`trigger`" : "\"trigger\"";
  Status st = conn_.InsertRows(
      trigger_table, {"id", "classpath", "kwargs", "created_date", "triggerer_id"}, trigger_rows);
  if (!st.ok()) return st.WithContext("insert trigger rows");
  st = conn_.InsertRows(
      "deadline", {"id", "dagrun_id", "deadline_time", "callback", "callback_state", "trigger_id"},
      deadline_rows);
  if (!st.ok()) return st.WithContext("insert deadline rows");
  for (SimDeadline* dl : updated) {
    if (dl->trigger_persisted && !dl->trigger_deleted && dl->trigger_dirty) {
      st = conn_
               .Execute(
                   std::string("UPDATE ") + trigger_table + " SET triggerer_id = ? WHERE id = ?",
                   {dl->triggerer_id, dl->trigger_row_id})
               .status();
      if (!st.ok()) return st.WithContext("update trigger");
    }
    if (dl->pruned) {
      st = conn_.Execute("DELETE FROM deadline WHERE id = ?", {UuidText(dl->id)}).status();
    } else {
      st = conn_
               .Execute("UPDATE deadline SET callback_state = ?, trigger_id = ? WHERE id = ?",
                        {dl->callback_state, dl->trigger_id, UuidText(dl->id)})
               .status();
    }
    if (!st.ok()) return st.WithContext("update deadline");
    counts_.updates++;
  }
  for (SimDeadline* dl : deleted_triggers) {
    st = conn_
             .Execute(std::string("DELETE FROM ") + trigger_table + " WHERE id = ?",
                      {dl->trigger_row_id})
             .status();
    if (!st.ok()) return st.WithContext("delete trigger");
  }
  for (SimDeadline* dl : inserted_triggers) dl->trigger_persisted = true;
  for (SimDeadline* dl : deleted_triggers) dl->trigger_persisted = false;
  for (SimDeadline* dl : inserted_deadlines) dl->persisted = !dl->pruned;
  for (auto& [key, dl] : engine.deadlines()) {
    auto run = engine.runs().find(dl.dagrun_id);
    const bool run_persisted = run == engine.runs().end() || run->second->persisted;
    const bool settled = dl.pruned || dl.callback_state == "success";
    if ((settled_only && !settled) || !run_persisted) continue;
    dl.dirty = false;
    dl.trigger_dirty = false;
  }
  return Status::Ok();
}

Status RowWriter::FlushDags(Engine& engine) {
  for (auto& d : engine.dags()) {
    if (!d.dirty) continue;
    Status st = conn_
                    .Execute(
                        "UPDATE dag SET next_dagrun = ?, next_dagrun_data_interval_start = ?, "
                        "next_dagrun_data_interval_end = ?, next_dagrun_create_after = ?, "
                        "last_parsed_time = ? WHERE dag_id = ?",
                        {NextField(d, 0), NextField(d, 1), NextField(d, 2), NextField(d, 3),
                         engine.now(), d.spec.dag_id})
                    .status();
    if (!st.ok()) return st.WithContext("update dag");
    d.dirty = false;
    counts_.updates++;
  }
  return Status::Ok();
}

Status RowWriter::Flush(Engine& engine, bool settled_only) {
  SLAYER_RETURN_IF_ERROR(Begin());
  std::vector<SimJob*> jobs_done;
  std::vector<SimDagRun*> runs_done;
  std::vector<SimSlaMiss> misses = engine.TakeSlaMisses();
  auto body = [&]() -> Status {
    SLAYER_RETURN_IF_ERROR(FlushJobs(engine, settled_only, jobs_done));
    SLAYER_RETURN_IF_ERROR(FlushRuns(engine, settled_only, runs_done));
    // Deadline rows need their dag_run row, persisted just above.
    for (SimDagRun* r : runs_done) r->persisted = true;
    SLAYER_RETURN_IF_ERROR(FlushDeadlines(engine, settled_only));
    std::vector<std::vector<Param>> sla_rows;
    for (const auto& m : misses) {
      sla_rows.push_back(
          {m.task_id, m.dag_id, m.execution_date, false, m.timestamp, m.notification_sent});
    }
    Status st = conn_.InsertRows(
        "sla_miss",
        {"task_id", "dag_id", "execution_date", "email_sent", "timestamp", "notification_sent"},
        sla_rows);
    if (!st.ok()) return st.WithContext("insert sla_miss rows");
    if (!settled_only) SLAYER_RETURN_IF_ERROR(FlushDags(engine));
    return Status::Ok();
  };
  Status st = body();
  if (!st.ok()) {
    (void)conn_.Execute("ROLLBACK");
    return st;
  }
  SLAYER_RETURN_IF_ERROR(Commit());
  for (SimJob* j : jobs_done) {
    j->persisted = true;
    j->dirty = false;
  }
  for (SimDagRun* r : runs_done) {
    r->dirty = false;
    r->ti_dirty = false;
    for (auto& ti : r->tis) {
      ti.persisted = true;
      ti.dirty = false;
    }
  }
  return Status::Ok();
}

}  // namespace slayer::sim
