#include "sim/serialized_dag.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace slayer::sim {
namespace {

using nlohmann::json;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
double EpochSeconds(Timestamp t) { return Seconds(t.time_since_epoch()); }

json TimetableJson(const Timetable& tt) {
  switch (tt.kind()) {
    case Timetable::Kind::kNull:
      return {{"__type", "airflow.timetables.simple.NullTimetable"}, {"__var", json::object()}};
    case Timetable::Kind::kCronDataInterval:
      return {{"__type", "airflow.timetables.interval.CronDataIntervalTimetable"},
              {"__var", {{"expression", tt.expression()}, {"timezone", tt.timezone()}}}};
    case Timetable::Kind::kCronTrigger:
      return {{"__type", "airflow.timetables.trigger.CronTriggerTimetable"},
              {"__var",
               {{"expression", tt.expression()},
                {"timezone", tt.timezone()},
                {"interval", 0.0},
                {"run_immediately", false}}}};
    case Timetable::Kind::kDeltaDataInterval:
      return {{"__type", "airflow.timetables.interval.DeltaDataIntervalTimetable"},
              {"__var", {{"delta", Seconds(tt.delta())}}}};
  }
  return nullptr;
}

json DeadlineAlert(const DeadlineSpec& d) {
  json ref;
  switch (d.reference) {
    case DeadlineSpec::Reference::kQueuedAt:
      ref = {{"reference_type", "DagRunQueuedAtDeadline"}};
      break;
    case DeadlineSpec::Reference::kLogicalDate:
      ref = {{"reference_type", "DagRunLogicalDateDeadline"}};
      break;
    case DeadlineSpec::Reference::kFixed:
      ref = {{"reference_type", "FixedDatetimeDeadline"},
             {"datetime", EpochSeconds(d.fixed_datetime)}};
      break;
  }
  return {{"__type", "deadline_alert"},
          {"__var",
           {{"reference", ref},
            {"interval", Seconds(d.interval)},
            {"callback", json::parse(DeadlineCallbackJson(d))}}}};
}

std::vector<std::string> Downstream(const DagSpec& dag, const std::string& task_id) {
  std::vector<std::string> out;
  for (const auto& t : dag.tasks) {
    if (std::find(t.upstream.begin(), t.upstream.end(), task_id) != t.upstream.end()) {
      out.push_back(t.task_id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string OperatorModule(const std::string& op, AirflowVersion version) {
  std::string base;
  if (op == "BashOperator")
    base = "bash";
  else if (op == "PythonOperator")
    base = "python";
  else if (op == "EmptyOperator")
    base = "empty";
  else
    return "custom.operators";
  return (IsAirflow3(version) ? "airflow.providers.standard.operators." : "airflow.operators.") +
         base;
}

std::string DeadlineCallbackJson(const DeadlineSpec& d) {
  json cb = {{"__classname__", "airflow.sdk.definitions.deadline.AsyncCallback"},
             {"__version__", 0},
             {"__data__", {{"path", d.callback}, {"kwargs", json::parse(d.callback_kwargs_json)}}}};
  return cb.dump();
}

std::string DeadlineAlertsJson(const DagSpec& dag) {
  if (dag.deadlines.empty()) return "null";
  json list = json::array();
  for (const auto& d : dag.deadlines) list.push_back(DeadlineAlert(d));
  return list.dump();
}

std::string SerializeDag(const DagSpec& dag, const Timetable& tt, AirflowVersion version,
                         Timestamp start_date) {
  const bool v3 = IsAirflow3(version);
  json tasks = json::array();
  json children = json::object();
  for (const auto& t : dag.tasks) {
    const std::string owner = t.owner.empty() ? dag.owner : t.owner;
    json var = {{"task_id", t.task_id},
                {"downstream_task_ids", Downstream(dag, t.task_id)},
                {"owner", owner},
                {"pool", t.pool},
                {"queue", t.queue},
                {"weight_rule", "downstream"},
                {"_task_type", t.operator_name},
                {"_task_module", OperatorModule(t.operator_name, version)},
                {"ui_color", "#f0ede4"},
                {"ui_fgcolor", "#000"},
                {"template_fields", json::array()},
                {"is_setup", false},
                {"is_teardown", false},
                {"on_failure_fail_dagrun", false},
                {"start_from_trigger", false},
                {"start_trigger_args", nullptr},
                {"_needs_expansion", false},
                {"_is_empty", t.operator_name == "EmptyOperator"},
                {"_log_config_logger_name", "airflow.task.operators"}};
    if (t.pool_slots != 1) var["pool_slots"] = t.pool_slots;
    if (t.retries != 0) {
      var["retries"] = t.retries;
      var["retry_delay"] = Seconds(t.retry_delay);
    }
    if (!v3 && t.sla) var["sla"] = Seconds(*t.sla);
    if (v3) var["task_type"] = t.operator_name;
    tasks.push_back({{"__type", "operator"}, {"__var", var}});
    children[t.task_id] = {"operator", t.task_id};
  }
  json task_group = {{"_group_id", nullptr},
                     {"prefix_group_id", true},
                     {"tooltip", ""},
                     {"ui_color", "CornflowerBlue"},
                     {"ui_fgcolor", "#000"},
                     {"children", children},
                     {"upstream_group_ids", json::array()},
                     {"downstream_group_ids", json::array()},
                     {"upstream_task_ids", json::array()},
                     {"downstream_task_ids", json::array()}};
  json d = {{"fileloc", dag.fileloc},
            {"tags", dag.tags},
            {"start_date", EpochSeconds(start_date)},
            {"timetable", TimetableJson(tt)},
            {"catchup", dag.catchup.value_or(!v3)},
            {"timezone", dag.timezone},
            {"_task_group", task_group},
            {"edge_info", json::object()},
            {"default_args", {{"__var", {{"owner", dag.owner}}}, {"__type", "dict"}}},
            {"tasks", tasks},
            {"dag_dependencies", json::array()},
            {"params", json::array()}};
  if (!dag.description.empty()) d["description"] = dag.description;
  if (dag.max_active_runs != 16) d["max_active_runs"] = dag.max_active_runs;
  json root;
  if (v3) {
    d["dag_id"] = dag.dag_id;
    d["relative_fileloc"] = dag.fileloc.substr(dag.fileloc.find_last_of('/') + 1);
    if (version == AirflowVersion::kV3_1) {
      d["deadline"] = dag.deadlines.empty() ? json(nullptr) : json::parse(DeadlineAlertsJson(dag));
      root = {{"__version", 3}, {"dag", d}, {"client_defaults", {{"tasks", json::object()}}}};
    } else {
      root = {{"__version", 2}, {"dag", d}};
    }
  } else {
    d["_dag_id"] = dag.dag_id;
    d["_processor_dags_folder"] = "/opt/airflow/dags";
    root = {{"__version", 1}, {"dag", d}};
  }
  return root.dump();
}

}  // namespace slayer::sim
