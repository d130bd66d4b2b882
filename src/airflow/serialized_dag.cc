#include "airflow/serialized_dag.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace slayer::airflow {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxInflatedBytes = size_t{256} << 20;

Status Corrupt(std::string_view dag_id, std::string_view what) {
  return DataLossError("serialized DAG '" + std::string(dag_id) + "': " + std::string(what));
}

// Field access that never throws: a missing key or a value of another type reads as absent.
const Json* Field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> StringField(const Json& object, std::string_view key) {
  const Json* v = Field(object, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<double> Number(const Json* v) {
  if (v == nullptr || !v->is_number()) return std::nullopt;
  double d = v->get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<int64_t> IntField(const Json& object, std::string_view key) {
  const Json* v = Field(object, key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

// Airflow's encoded containers wrap a value as {"__type": ..., "__var": value}.
const Json& Unwrap(const Json& v) {
  const Json* inner = Field(v, "__var");
  return inner != nullptr ? *inner : v;
}

std::optional<Duration> Seconds(double s) {
  // Beyond ~30,000 years is not a schedule; it would also overflow microseconds.
  if (std::fabs(s) > 1e12) return std::nullopt;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

// A timedelta: float seconds, or {"__type": "timedelta", "__var": seconds}.
std::optional<Duration> TimeDelta(const Json* v) {
  if (v == nullptr) return std::nullopt;
  auto s = Number(&Unwrap(*v));
  if (!s) return std::nullopt;
  return Seconds(*s);
}

// A relativedelta as encode_relativedelta writes it; only its fixed-length fields convert.
std::optional<Duration> FixedRelativeDelta(const Json& v) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"weeks", 604800}, {"days", 86400}, {"hours", 3600},
      {"minutes", 60},   {"seconds", 1},  {"microseconds", 1e-6},
  };
  if (!v.is_object()) return std::nullopt;
  double total = 0;
  for (const auto& [key, value] : v.items()) {
    if (key == "__type") continue;
    auto n = Number(&value);
    if (!n) return std::nullopt;
    auto unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                             [&](const auto& u) { return u.first == key; });
    if (unit == std::end(kUnits)) return std::nullopt;  // months, years, weekday, ...
    total += *n * unit->second;
  }
  return Seconds(total);
}

std::vector<std::string> StringList(const Json* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  const Json& list = Unwrap(*v);  // sets are {"__type": "set", "__var": [...]}
  if (!list.is_array()) return out;
  for (const Json& item : list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// encode_timezone: an IANA name, or a fixed offset in seconds.
std::optional<std::string> TimeZone(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (!v->is_number_integer()) return std::nullopt;
  int64_t offset = v->get<int64_t>();
  if (offset == 0) return "UTC";
  int64_t a = offset < 0 ? -offset : offset;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', int(a / 3600),
                int(a % 3600 / 60));
  return std::string(buf);
}

std::optional<std::string> ExpandCronPreset(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kPresets[] = {
      {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},       {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"},  {"@quarterly", "0 0 1 */3 *"}, {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
  };
  for (const auto& [preset, cron] : kPresets) {
    if (preset == text) return std::string(cron);
  }
  if (!text.empty() && text[0] == '@') return std::nullopt;  // @once, @continuous
  return std::string(text);
}

std::string ShortName(std::string_view type_name) {
  size_t dot = type_name.rfind('.');
  return std::string(dot == std::string_view::npos ? type_name : type_name.substr(dot + 1));
}

Timetable ParseTimetableObject(const Json& encoded, const std::string& default_tz) {
  Timetable t;
  t.time_zone = default_tz;
  t.type_name = StringField(encoded, "__type").value_or("");
  const Json* var_ptr = Field(encoded, "__var");
  static const Json kEmpty = Json::object();
  const Json& var = var_ptr != nullptr ? *var_ptr : kEmpty;
  if (auto tz = TimeZone(Field(var, "timezone"))) t.time_zone = *tz;
  std::string name = ShortName(t.type_name);
  auto cron = [&](bool data_interval) {
    auto expr = StringField(var, "expression");
    if (!expr) return;
    t.cron = ExpandCronPreset(*expr);
    t.kind = t.cron ? Timetable::Kind::kCron : Timetable::Kind::kOther;
    t.data_interval = data_interval;
  };
  auto delta = [&](bool data_interval) {
    const Json* d = Field(var, "delta");
    if (d == nullptr) return;
    t.delta = d->is_object() ? FixedRelativeDelta(Unwrap(*d)) : TimeDelta(d);
    t.kind = t.delta ? Timetable::Kind::kDelta : Timetable::Kind::kOther;
    t.data_interval = data_interval;
  };
  if (name == "CronDataIntervalTimetable") {
    cron(true);
  } else if (name == "CronTriggerTimetable") {
    cron(false);
  } else if (name == "DeltaDataIntervalTimetable") {
    delta(true);
  } else if (name == "DeltaTriggerTimetable") {
    delta(false);
  } else if (name == "OnceTimetable") {
    t.kind = Timetable::Kind::kOnce;
  } else if (name == "NullTimetable") {
    t.kind = Timetable::Kind::kNone;
  } else if (name == "DatasetTriggeredTimetable" || name == "AssetTriggeredTimetable") {
    t.kind = Timetable::Kind::kAsset;
  } else if (name == "DatasetOrTimeSchedule" || name == "AssetOrTimeSchedule") {
    // Runs on asset events and on a time schedule: keep the time part for expected runs.
    if (const Json* inner = Field(var, "timetable"); inner != nullptr && inner->is_object()) {
      Timetable time_part = ParseTimetableObject(*inner, default_tz);
      t.cron = time_part.cron;
      t.delta = time_part.delta;
      t.time_zone = time_part.time_zone;
      t.data_interval = time_part.data_interval;
    }
    t.kind = Timetable::Kind::kAsset;
  }
  return t;
}

// 2.x before timetables were serialized: "schedule_interval" is a cron string or preset,
// null, or an encoded timedelta / relativedelta.
Timetable ParseScheduleInterval(const Json& v, const std::string& default_tz) {
  Timetable t;
  t.time_zone = default_tz;
  t.data_interval = true;
  if (v.is_null()) {
    t.kind = Timetable::Kind::kNone;
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "@once") {
      t.kind = Timetable::Kind::kOnce;
    } else if ((t.cron = ExpandCronPreset(s))) {
      t.kind = Timetable::Kind::kCron;
    }
  } else if (v.is_object()) {
    std::string type = StringField(v, "__type").value_or("");
    t.delta = type == "relativedelta" ? FixedRelativeDelta(Unwrap(v)) : TimeDelta(&v);
    if (t.delta) t.kind = Timetable::Kind::kDelta;
  }
  return t;
}

DeadlineAlert ParseDeadlineAlert(const Json& encoded) {
  const Json& var = Unwrap(encoded);
  DeadlineAlert a;
  if (const Json* ref = Field(var, "reference"); ref != nullptr && ref->is_object()) {
    const Json& r = Unwrap(*ref);
    a.reference_type = StringField(r, "reference_type").value_or("");
    if (const Json* dt = Field(r, "datetime"); dt != nullptr) {
      if (auto s = Number(&Unwrap(*dt))) {
        if (auto d = Seconds(*s)) a.fixed_datetime = Timestamp(*d);
      } else if (Unwrap(*dt).is_string()) {
        auto parsed = ParseTimestamp(Unwrap(*dt).get<std::string>());
        if (parsed) a.fixed_datetime = *parsed;
      }
    }
    a.max_runs = IntField(r, "max_runs");
    a.min_runs = IntField(r, "min_runs");
  }
  a.interval = TimeDelta(Field(var, "interval"));
  if (const Json* cb = Field(var, "callback"); cb != nullptr) {
    const Json* data = Field(*cb, "__data__");
    if (data == nullptr) data = Field(*cb, "__var");
    a.callback_path = StringField(data != nullptr ? *data : *cb, "path").value_or("");
  }
  return a;
}

SerializedTask ParseTask(const Json& encoded, const Json& task_defaults) {
  const Json& var = Unwrap(encoded);
  // A mapped operator keeps most arguments in "partial_kwargs".
  const Json* partial = Field(var, "partial_kwargs");
  auto lookup = [&](std::string_view key) -> std::optional<std::string> {
    if (auto v = StringField(var, key)) return v;
    if (partial != nullptr) {
      if (auto v = StringField(Unwrap(*partial), key)) return v;
    }
    return StringField(task_defaults, key);
  };
  SerializedTask t;
  t.task_id = StringField(var, "task_id").value_or("");
  t.sla = TimeDelta(Field(var, "sla"));
  if (!t.sla && partial != nullptr) t.sla = TimeDelta(Field(Unwrap(*partial), "sla"));
  t.downstream_task_ids = StringList(Field(var, "downstream_task_ids"));
  t.upstream_task_ids = StringList(Field(var, "upstream_task_ids"));
  if (auto pool = lookup("pool")) t.pool = *pool;
  if (auto queue = lookup("queue")) t.queue = *queue;
  t.owner = lookup("owner");
  t.task_type = StringField(var, "_task_type").value_or(StringField(var, "task_type").value_or(""));
  return t;
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

SerializedDag ParseDagObject(const Json& root, const Json& dag, std::string_view dag_id) {
  SerializedDag out;
  out.format_version = static_cast<int>(IntField(root, "__version").value_or(0));
  out.dag_id = StringField(dag, "_dag_id")
                   .value_or(StringField(dag, "dag_id").value_or(std::string(dag_id)));

  std::string tz = TimeZone(Field(dag, "timezone")).value_or("UTC");
  if (const Json* tt = Field(dag, "timetable"); tt != nullptr) {
    if (tt->is_object()) {
      out.timetable = ParseTimetableObject(*tt, tz);
    } else {
      out.timetable.time_zone = tz;  // a shape no Airflow writes: kOther
    }
  } else if (const Json* si = Field(dag, "schedule_interval"); si != nullptr) {
    out.timetable = ParseScheduleInterval(*si, tz);
  } else {
    // 3.x leaves out what equals the default, and the default schedule is None.
    out.timetable.time_zone = tz;
    out.timetable.kind = out.format_version >= 2 ? Timetable::Kind::kNone : Timetable::Kind::kOther;
  }

  if (const Json* c = Field(dag, "catchup"); c != nullptr && c->is_boolean()) {
    out.catchup = c->get<bool>();
  }
  out.tags = StringList(Field(dag, "tags"));

  // 3.1 moves task fields equal to the client defaults into a top-level "client_defaults".
  static const Json kEmpty = Json::object();
  const Json* defaults = Field(root, "client_defaults");
  const Json* task_defaults = defaults != nullptr ? Field(*defaults, "tasks") : nullptr;
  if (const Json* tasks = Field(dag, "tasks"); tasks != nullptr && tasks->is_array()) {
    for (const Json& encoded : *tasks) {
      SerializedTask t = ParseTask(encoded, task_defaults != nullptr ? *task_defaults : kEmpty);
      if (t.task_id.empty()) continue;
      out.tasks.push_back(std::move(t));
    }
  }
  for (const SerializedTask& t : out.tasks) {
    if (t.owner) AddUnique(out.owners, *t.owner);
  }
  if (out.owners.empty()) {
    if (const Json* args = Field(dag, "default_args"); args != nullptr) {
      if (auto owner = StringField(Unwrap(*args), "owner")) out.owners.push_back(*owner);
    }
  }
  for (SerializedTask& t : out.tasks) {
    for (const std::string& down : t.downstream_task_ids) {
      auto it = std::find_if(out.tasks.begin(), out.tasks.end(),
                             [&](const SerializedTask& d) { return d.task_id == down; });
      if (it != out.tasks.end()) AddUnique(it->upstream_task_ids, t.task_id);
    }
  }

  if (const Json* deadline = Field(dag, "deadline"); deadline != nullptr) {
    const Json& list = deadline->is_array() ? *deadline : Unwrap(*deadline);
    if (list.is_array()) {
      for (const Json& alert : list) {
        if (alert.is_object()) out.deadline_alerts.push_back(ParseDeadlineAlert(alert));
      }
    } else if (list.is_object()) {
      out.deadline_alerts.push_back(ParseDeadlineAlert(*deadline));
    }
  }
  return out;
}

}  // namespace

std::string_view TimetableKindName(Timetable::Kind kind) {
  switch (kind) {
    case Timetable::Kind::kCron:
      return "cron";
    case Timetable::Kind::kDelta:
      return "delta";
    case Timetable::Kind::kOnce:
      return "once";
    case Timetable::Kind::kNone:
      return "none";
    case Timetable::Kind::kAsset:
      return "asset";
    case Timetable::Kind::kOther:
      return "other";
  }
  return "other";
}

const SerializedTask* SerializedDag::FindTask(std::string_view task_id) const {
  for (const SerializedTask& t : tasks) {
    if (t.task_id == task_id) return &t;
  }
  return nullptr;
}

Result<SerializedDag> ParseSerializedDag(std::string_view json, std::string_view dag_id) {
  // Parse without exceptions; the accessors above check types before every get<>().
  Json root = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Corrupt(dag_id, "data is not valid JSON");
  const Json* dag = Field(root, "dag");
  if (dag == nullptr || !dag->is_object()) return Corrupt(dag_id, "no \"dag\" object in data");
  try {
    return ParseDagObject(root, *dag, dag_id);
  } catch (const std::exception& e) {  // a json accessor we did not guard; never crash on data
    return Corrupt(dag_id, std::string("unexpected shape: ") + e.what());
  }
}

Result<std::string> InflateSerializedDag(std::string_view compressed, std::string_view dag_id) {
  z_stream zs{};
  // 15 + 32: a zlib stream (what Airflow writes) or gzip, detected from the header.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Corrupt(dag_id, "cannot initialise zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > kMaxInflatedBytes) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated input
  }
  std::string detail = zs.msg != nullptr ? std::string(": ") + zs.msg : "";
  if (rc == Z_MEM_ERROR && out.size() > kMaxInflatedBytes) detail = ": larger than 256 MiB";
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return Corrupt(dag_id, "data_compressed is not valid zlib data" + detail);
  return out;
}

Result<SerializedDag> DecodeSerializedDag(std::optional<std::string_view> data,
                                          std::optional<std::string_view> data_compressed,
                                          std::string_view dag_id) {
  if (data) return ParseSerializedDag(*data, dag_id);
  if (!data_compressed) return Corrupt(dag_id, "both data and data_compressed are NULL");
  auto json = InflateSerializedDag(*data_compressed, dag_id);
  if (!json) return json.error();
  return ParseSerializedDag(*json, dag_id);
}

}  // namespace slayer::airflow
