#include "sim/dag_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cron/cron_expression.h"
#include "cron/zoned_schedule.h"
#include "sim/timetable.h"

namespace slayer::sim {
namespace {

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Status Error(const YAML::Mark& mark, const std::string& message) const {
    if (mark.is_null()) return InvalidArgumentError(file_ + ": " + message);
    return InvalidArgumentError(file_ + ":" + std::to_string(mark.line + 1) + ":" +
                                std::to_string(mark.column + 1) + ": " + message);
  }
  Status Error(const YAML::Node& node, const std::string& message) const {
    return Error(node.Mark(), message);
  }

  // Every key of `map` must be in `allowed`.
  Status CheckKeys(const YAML::Node& map, std::string_view what,
                   std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) return Error(map, std::string(what) + " must be a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Error(kv.first, "unknown key '" + key + "' in " + std::string(what) +
                                   " (known: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) return Error(n, std::string(what) + " must be a string");
    return n.Scalar();
  }

  Result<bool> Bool(const YAML::Node& n, std::string_view what) const {
    bool v;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      return Error(n, std::string(what) + " must be true or false");
    }
    return v;
  }

  Result<int> Int(const YAML::Node& n, std::string_view what, int lo, int hi) const {
    int v;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, v) || v < lo || v > hi) {
      return Error(n, std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
    }
    return v;
  }

  Result<double> Double(const YAML::Node& n, std::string_view what, double lo, double hi) const {
    double v;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !(v >= lo && v <= hi)) {
      return Error(n, std::string(what) + " must be a number in [" + FormatNumber(lo) + ", " +
                          FormatNumber(hi) + "]");
    }
    return v;
  }

  // "5m", "1h30m", "-10m" or a number of seconds.
  Result<Duration> DurationValue(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) return Error(n, std::string(what) + " must be a duration such as 5m");
    double secs;
    if (YAML::convert<double>::decode(n, secs)) {
      return Duration(static_cast<int64_t>(secs * 1e6));
    }
    auto d = ParseDuration(n.Scalar());
    if (!d) return Error(n, std::string(what) + ": " + d.error().message());
    return *d;
  }

  Result<Timestamp> Time(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) return Error(n, std::string(what) + " must be a time");
    auto t = ParseTimestamp(n.Scalar());
    if (!t) {
      return Error(n, std::string(what) + ": cannot parse '" + n.Scalar() +
                          "' (use RFC 3339, e.g. 2024-01-01T00:00:00Z)");
    }
    return *t;
  }

  Result<std::vector<std::string>> StringList(const YAML::Node& n, std::string_view what) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
      return out;
    }
    if (!n.IsSequence()) return Error(n, std::string(what) + " must be a list of strings");
    for (const auto& item : n) {
      auto s = String(item, what);
      if (!s) return s.error();
      out.push_back(*s);
    }
    return out;
  }

  Status DurationDist(const YAML::Node& n, DurationSpec& out) const;
  Status Task(const YAML::Node& n, TaskSpec& t, bool is_default) const;
  Status Deadline(const YAML::Node& n, DeadlineSpec& d) const;
  Status Dag(const YAML::Node& n, DagSpec& d, TaskSpec task_base, bool is_default) const;
  Status Order(const YAML::Node& tasks_node, DagSpec& d) const;

  const std::string& file() const { return file_; }

 private:
  static std::string FormatNumber(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  }
  std::string file_;
};

Status Parser::DurationDist(const YAML::Node& n, DurationSpec& out) const {
  if (n.IsScalar()) {
    auto d = DurationValue(n, "duration");
    if (!d) return d.error();
    out = DurationSpec{DurationSpec::Kind::kFixed, *d, {}, {}, {}};
    return Status::Ok();
  }
  SLAYER_RETURN_IF_ERROR(CheckKeys(n, "duration", {"mean", "stddev", "min", "max"}));
  if (n["min"] || n["max"]) {
    if (!n["min"] || !n["max"] || n["mean"] || n["stddev"]) {
      return Error(n, "duration takes either {mean, stddev} or {min, max}");
    }
    auto lo = DurationValue(n["min"], "duration min");
    if (!lo) return lo.error();
    auto hi = DurationValue(n["max"], "duration max");
    if (!hi) return hi.error();
    if (*lo < slayer::Duration::zero() || *hi < *lo) {
      return Error(n, "duration needs 0 <= min <= max");
    }
    out = DurationSpec{DurationSpec::Kind::kUniform, *lo, {}, *lo, *hi};
    return Status::Ok();
  }
  if (!n["mean"]) return Error(n, "duration needs mean (and stddev) or min and max");
  auto mean = DurationValue(n["mean"], "duration mean");
  if (!mean) return mean.error();
  slayer::Duration stddev{0};
  if (n["stddev"]) {
    auto s = DurationValue(n["stddev"], "duration stddev");
    if (!s) return s.error();
    stddev = *s;
  }
  if (*mean < slayer::Duration::zero() || stddev < slayer::Duration::zero()) {
    return Error(n, "duration mean and stddev must not be negative");
  }
  out = DurationSpec{stddev.count() == 0 ? DurationSpec::Kind::kFixed : DurationSpec::Kind::kNormal,
                     *mean,
                     stddev,
                     {},
                     {}};
  return Status::Ok();
}

Status Parser::Task(const YAML::Node& n, TaskSpec& t, bool is_default) const {
  SLAYER_RETURN_IF_ERROR(
      CheckKeys(n, is_default ? "task_defaults" : "task",
                {"task_id", "operator", "upstream", "duration", "failure_rate", "skip_rate",
                 "retries", "retry_delay", "pool", "pool_slots", "queue", "sla", "owner"}));
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "task_id") {
      if (is_default) return Error(kv.first, "task_defaults cannot set task_id");
      auto s = String(v, key);
      if (!s) return s.error();
      if (s->empty() || s->size() > 250) return Error(v, "task_id must have 1 to 250 characters");
      t.task_id = *s;
    } else if (key == "operator") {
      auto s = String(v, key);
      if (!s) return s.error();
      t.operator_name = *s;
    } else if (key == "upstream") {
      auto l = StringList(v, key);
      if (!l) return l.error();
      t.upstream = *l;
    } else if (key == "duration") {
      SLAYER_RETURN_IF_ERROR(DurationDist(v, t.duration));
    } else if (key == "failure_rate" || key == "skip_rate") {
      auto d = Double(v, key, 0, 1);
      if (!d) return d.error();
      (key == "failure_rate" ? t.failure_rate : t.skip_rate) = *d;
    } else if (key == "retries") {
      auto i = Int(v, key, 0, 100);
      if (!i) return i.error();
      t.retries = *i;
    } else if (key == "retry_delay" || key == "sla") {
      auto d = DurationValue(v, key);
      if (!d) return d.error();
      if (*d <= slayer::Duration::zero()) return Error(v, key + " must be positive");
      if (key == "sla") {
        t.sla = *d;
      } else {
        t.retry_delay = *d;
      }
    } else if (key == "pool" || key == "queue" || key == "owner") {
      auto s = String(v, key);
      if (!s) return s.error();
      if (s->empty()) return Error(v, key + " must not be empty");
      (key == "pool" ? t.pool : key == "queue" ? t.queue : t.owner) = *s;
    } else if (key == "pool_slots") {
      auto i = Int(v, key, 1, 1000000);
      if (!i) return i.error();
      t.pool_slots = *i;
    }
  }
  if (!is_default && t.task_id.empty()) return Error(n, "task needs a task_id");
  return Status::Ok();
}

Status Parser::Deadline(const YAML::Node& n, DeadlineSpec& d) const {
  SLAYER_RETURN_IF_ERROR(
      CheckKeys(n, "deadline", {"reference", "interval", "datetime", "callback", "kwargs"}));
  if (!n["reference"] || !n["interval"]) return Error(n, "deadline needs reference and interval");
  auto ref = String(n["reference"], "reference");
  if (!ref) return ref.error();
  if (*ref == "dagrun.queued_at" || *ref == "DAGRUN_QUEUED_AT") {
    d.reference = DeadlineSpec::Reference::kQueuedAt;
  } else if (*ref == "dagrun.logical_date" || *ref == "DAGRUN_LOGICAL_DATE") {
    d.reference = DeadlineSpec::Reference::kLogicalDate;
  } else if (*ref == "fixed" || *ref == "FIXED_DATETIME") {
    d.reference = DeadlineSpec::Reference::kFixed;
    if (!n["datetime"]) return Error(n, "a fixed deadline needs datetime");
    auto t = Time(n["datetime"], "datetime");
    if (!t) return t.error();
    d.fixed_datetime = *t;
  } else {
    return Error(n["reference"], "unknown deadline reference '" + *ref +
                                     "' (use dagrun.queued_at, dagrun.logical_date or fixed)");
  }
  if (n["datetime"] && d.reference != DeadlineSpec::Reference::kFixed) {
    return Error(n["datetime"], "datetime is only for reference: fixed");
  }
  auto interval = DurationValue(n["interval"], "interval");
  if (!interval) return interval.error();
  d.interval = *interval;
  if (n["callback"]) {
    auto s = String(n["callback"], "callback");
    if (!s) return s.error();
    d.callback = *s;
  }
  if (n["kwargs"]) {
    if (!n["kwargs"].IsMap()) return Error(n["kwargs"], "kwargs must be a mapping");
    std::string json = "{";
    bool first = true;
    for (const auto& kv : n["kwargs"]) {
      if (!kv.second.IsScalar()) return Error(kv.second, "kwargs values must be strings");
      auto quote = [](const std::string& s) {
        std::string out = "\"";
        for (char c : s) {
          if (c == '"' || c == '\\') out.push_back('\\');
          out.push_back(c);
        }
        return out + "\"";
      };
      json += (first ? "" : ", ") + quote(kv.first.Scalar()) + ": " + quote(kv.second.Scalar());
      first = false;
    }
    d.callback_kwargs_json = json + "}";
  }
  return Status::Ok();
}

Status Parser::Dag(const YAML::Node& n, DagSpec& d, TaskSpec task_base, bool is_default) const {
  SLAYER_RETURN_IF_ERROR(
      CheckKeys(n, is_default ? "dag_defaults" : "dag",
                {"dag_id", "schedule", "timezone", "start_date", "catchup", "cron_data_intervals",
                 "paused", "tags", "owner", "description", "fileloc", "max_active_runs", "lateness",
                 "manual_triggers", "sla_miss_callback", "deadline", "tasks", "task_defaults"}));
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "dag_id") {
      if (is_default) return Error(kv.first, "dag_defaults cannot set dag_id");
      auto s = String(v, key);
      if (!s) return s.error();
      if (s->empty() || s->size() > 250) return Error(v, "dag_id must have 1 to 250 characters");
      d.dag_id = *s;
    } else if (key == "schedule") {
      std::string text = v.IsNull() ? "None" : v.IsScalar() ? v.Scalar() : "";
      if (!v.IsNull() && !v.IsScalar())
        return Error(v, "schedule must be a cron, a duration or none");
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (lower == "none" || lower == "manual" || lower == "null" || lower == "~") {
        d.schedule_kind = ScheduleKind::kNone;
        d.schedule_text = "None";
      } else if (lower == "@once" || lower == "@continuous") {
        return Error(v, "schedule " + text + " is not supported (use a cron, a duration or none)");
      } else if (text[0] == '@' || text.find(' ') != std::string::npos) {
        auto cron = cron::CronExpression::Parse(text);
        if (!cron) return Error(v, "invalid " + cron.error().message());
        d.schedule_kind = ScheduleKind::kCron;
        d.schedule_text = text;
        d.cron = ExpandCronPreset(text);
      } else {
        auto delta = ParseDuration(text);
        if (!delta || *delta <= slayer::Duration::zero()) {
          return Error(v, "schedule '" + text +
                              "' is neither a cron (\"0 * * * *\", @daily), a positive duration "
                              "(30m) nor none");
        }
        d.schedule_kind = ScheduleKind::kDelta;
        d.schedule_text = text;
        d.delta = *delta;
      }
    } else if (key == "timezone") {
      auto s = String(v, key);
      if (!s) return s.error();
      if (Status st = cron::CheckTimeZone(*s); !st.ok()) return Error(v, st.message());
      d.timezone = *s;
    } else if (key == "start_date") {
      auto t = Time(v, key);
      if (!t) return t.error();
      d.start_date = *t;
    } else if (key == "catchup" || key == "cron_data_intervals") {
      auto b = Bool(v, key);
      if (!b) return b.error();
      (key == "catchup" ? d.catchup : d.cron_data_intervals) = *b;
    } else if (key == "paused" || key == "sla_miss_callback") {
      auto b = Bool(v, key);
      if (!b) return b.error();
      (key == "paused" ? d.paused : d.sla_miss_callback) = *b;
    } else if (key == "tags") {
      auto l = StringList(v, key);
      if (!l) return l.error();
      for (const auto& tag : *l) {
        if (tag.empty() || tag.size() > 100) return Error(v, "a tag must have 1 to 100 characters");
      }
      d.tags = *l;
    } else if (key == "owner" || key == "description" || key == "fileloc") {
      auto s = String(v, key);
      if (!s) return s.error();
      (key == "owner" ? d.owner : key == "description" ? d.description : d.fileloc) = *s;
    } else if (key == "max_active_runs") {
      auto i = Int(v, key, 1, 100000);
      if (!i) return i.error();
      d.max_active_runs = *i;
    } else if (key == "lateness") {
      SLAYER_RETURN_IF_ERROR(CheckKeys(v, "lateness", {"rate", "factor", "delay"}));
      if (!v["rate"]) return Error(v, "lateness needs rate (the probability a run is slow)");
      auto rate = Double(v["rate"], "lateness rate", 0, 1);
      if (!rate) return rate.error();
      d.late_rate = *rate;
      d.late_factor = 1;
      d.late_delay = slayer::Duration::zero();
      if (v["factor"]) {
        auto f = Double(v["factor"], "lateness factor", 1, 1000);
        if (!f) return f.error();
        d.late_factor = *f;
      }
      if (v["delay"]) {
        auto dl = DurationValue(v["delay"], "lateness delay");
        if (!dl) return dl.error();
        if (*dl < slayer::Duration::zero()) return Error(v["delay"], "delay must not be negative");
        d.late_delay = *dl;
      }
      if (!v["factor"] && !v["delay"]) return Error(v, "lateness needs factor and/or delay");
    } else if (key == "manual_triggers") {
      SLAYER_RETURN_IF_ERROR(CheckKeys(v, "manual_triggers", {"per_day", "per_hour"}));
      if (v["per_day"]) {
        auto r = Double(v["per_day"], "per_day", 0, 1e6);
        if (!r) return r.error();
        d.manual_per_day = *r;
      } else if (v["per_hour"]) {
        auto r = Double(v["per_hour"], "per_hour", 0, 1e5);
        if (!r) return r.error();
        d.manual_per_day = *r * 24;
      } else {
        return Error(v, "manual_triggers needs per_day or per_hour");
      }
    } else if (key == "deadline") {
      d.deadlines.clear();
      if (v.IsSequence()) {
        for (const auto& item : v) {
          DeadlineSpec ds;
          SLAYER_RETURN_IF_ERROR(Deadline(item, ds));
          d.deadlines.push_back(ds);
        }
      } else if (!v.IsNull()) {
        DeadlineSpec ds;
        SLAYER_RETURN_IF_ERROR(Deadline(v, ds));
        d.deadlines.push_back(ds);
      }
    } else if (key == "task_defaults") {
      SLAYER_RETURN_IF_ERROR(Task(v, task_base, true));
    }
  }
  if (is_default) return Status::Ok();
  if (d.dag_id.empty()) return Error(n, "dag needs a dag_id");
  const YAML::Node tasks = n["tasks"];
  if (!tasks || !tasks.IsSequence() || tasks.size() == 0) {
    return Error(tasks ? tasks : n, "dag '" + d.dag_id + "' needs a non-empty list of tasks");
  }
  d.tasks.clear();
  std::set<std::string> ids;
  for (const auto& tn : tasks) {
    TaskSpec t = task_base;
    SLAYER_RETURN_IF_ERROR(Task(tn, t, false));
    if (!ids.insert(t.task_id).second) {
      return Error(tn, "duplicate task_id '" + t.task_id + "' in dag '" + d.dag_id + "'");
    }
    d.tasks.push_back(t);
  }
  return Order(tasks, d);
}

// Checks upstream references and sorts tasks so that every task comes after its upstreams
// (Kahn's algorithm, keeping the file's order among ready tasks); a cycle is an error.
Status Parser::Order(const YAML::Node& tasks_node, DagSpec& d) const {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < d.tasks.size(); ++i) index[d.tasks[i].task_id] = i;
  std::vector<int> pending(d.tasks.size(), 0);
  for (size_t i = 0; i < d.tasks.size(); ++i) {
    for (const auto& up : d.tasks[i].upstream) {
      if (!index.count(up)) {
        return Error(tasks_node[i],
                     "task '" + d.tasks[i].task_id + "' has unknown upstream '" + up + "'");
      }
      if (up == d.tasks[i].task_id) {
        return Error(tasks_node[i], "task '" + up + "' cannot be its own upstream");
      }
      ++pending[i];
    }
  }
  std::vector<TaskSpec> sorted;
  std::vector<bool> done(d.tasks.size(), false);
  while (sorted.size() < d.tasks.size()) {
    bool progressed = false;
    for (size_t i = 0; i < d.tasks.size(); ++i) {
      if (done[i] || pending[i] != 0) continue;
      done[i] = true;
      progressed = true;
      sorted.push_back(d.tasks[i]);
      for (size_t j = 0; j < d.tasks.size(); ++j) {
        for (const auto& up : d.tasks[j].upstream) {
          if (up == d.tasks[i].task_id) --pending[j];
        }
      }
      break;
    }
    if (!progressed) {
      return Error(tasks_node, "the tasks of dag '" + d.dag_id + "' have a dependency cycle");
    }
  }
  d.tasks = std::move(sorted);
  return Status::Ok();
}

Result<DagFile> ParseNode(const YAML::Node& root, const Parser& p) {
  if (!root.IsMap()) return p.Error(root, "the DAG file must be a mapping with a 'dags' list");
  SLAYER_RETURN_IF_ERROR(
      p.CheckKeys(root, "the DAG file", {"pools", "dag_defaults", "task_defaults", "dags"}));
  DagFile file;
  file.pools["default_pool"] = 128;
  if (root["pools"]) {
    const YAML::Node pools = root["pools"];
    if (!pools.IsMap()) return p.Error(pools, "pools must map pool names to slot counts");
    for (const auto& kv : pools) {
      auto slots = p.Int(kv.second, "pool slots", 0, 1000000);
      if (!slots) return slots.error();
      if (kv.first.Scalar().empty() || kv.first.Scalar().size() > 256) {
        return p.Error(kv.first, "a pool name must have 1 to 256 characters");
      }
      file.pools[kv.first.Scalar()] = *slots;
    }
  }
  TaskSpec task_base;
  if (root["task_defaults"]) {
    SLAYER_RETURN_IF_ERROR(p.Task(root["task_defaults"], task_base, true));
  }
  DagSpec dag_base;
  std::string stem = std::filesystem::path(p.file()).stem().string();
  dag_base.fileloc = "/opt/airflow/dags/" + (stem.empty() ? std::string("dags") : stem) + ".py";
  if (root["dag_defaults"]) {
    const YAML::Node dn = root["dag_defaults"];
    if (dn["tasks"]) return p.Error(dn["tasks"], "dag_defaults cannot hold tasks");
    SLAYER_RETURN_IF_ERROR(p.Dag(dn, dag_base, task_base, true));
    if (dn["task_defaults"]) {
      SLAYER_RETURN_IF_ERROR(p.Task(dn["task_defaults"], task_base, true));
    }
  }
  const YAML::Node dags = root["dags"];
  if (!dags || !dags.IsSequence() || dags.size() == 0) {
    return p.Error(dags ? dags : root, "the DAG file needs a non-empty 'dags' list");
  }
  std::set<std::string> ids;
  for (const auto& dn : dags) {
    DagSpec d = dag_base;
    SLAYER_RETURN_IF_ERROR(p.Dag(dn, d, task_base, false));
    if (!ids.insert(d.dag_id).second) {
      return p.Error(dn, "duplicate dag_id '" + d.dag_id + "'");
    }
    for (size_t i = 0; i < d.tasks.size(); ++i) {
      if (!file.pools.count(d.tasks[i].pool)) {
        return p.Error(dn, "task '" + d.tasks[i].task_id + "' of dag '" + d.dag_id +
                               "' uses pool '" + d.tasks[i].pool +
                               "', which is not defined under 'pools'");
      }
    }
    file.dags.push_back(std::move(d));
  }
  return file;
}

}  // namespace

Result<DagFile> ParseDagFile(std::string_view yaml, const std::string& name) {
  Parser p(name);
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return ParseNode(root, p);
  } catch (const YAML::Exception& e) {
    return p.Error(e.mark, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError(name + ": " + e.what());
  }
}

Result<DagFile> LoadDagFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError(path + ": cannot read the DAG file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseDagFile(text.str(), path);
}

}  // namespace slayer::sim
