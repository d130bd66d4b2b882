#include "sim/timetable.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <utility>

namespace slayer::sim {

Result<Timetable> Timetable::Make(const DagSpec& dag, AirflowVersion version) {
  SLAYER_RETURN_IF_ERROR(cron::CheckTimeZone(dag.timezone));
  Timetable t;
  t.timezone_ = dag.timezone;
  t.schedule_text_ = dag.schedule_text;
  switch (dag.schedule_kind) {
    case ScheduleKind::kNone:
      t.kind_ = Kind::kNull;
      break;
    case ScheduleKind::kCron: {
      auto expression = cron::CronExpression::Parse(dag.cron);
      if (!expression) return expression.error();
      auto schedule = cron::ZonedSchedule::Make(std::move(*expression), dag.timezone);
      if (!schedule) return schedule.error();
      t.cron_ = std::move(*schedule);
      t.expression_ = ExpandCronPreset(dag.cron);
      bool intervals = !IsAirflow3(version) || dag.cron_data_intervals.value_or(false);
      t.kind_ = intervals ? Kind::kCronDataInterval : Kind::kCronTrigger;
      break;
    }
    case ScheduleKind::kDelta:
      if (dag.delta <= Duration::zero()) {
        return InvalidArgumentError("schedule interval must be positive");
      }
      t.kind_ = Kind::kDeltaDataInterval;
      t.delta_ = dag.delta;
      break;
  }
  return t;
}

Timestamp Timetable::GetNext(Timestamp t) const {
  if (kind_ == Kind::kDeltaDataInterval) return t + delta_;
  return cron_->Next(t).value_or(Timestamp::max());
}

Timestamp Timetable::GetPrev(Timestamp t) const {
  if (kind_ == Kind::kDeltaDataInterval) return t - delta_;
  return cron_->Prev(t).value_or(Timestamp::min());
}

Timestamp Timetable::AlignToNext(Timestamp t) const {
  if (kind_ == Kind::kDeltaDataInterval) return t;
  Timestamp next = GetNext(t);
  return GetPrev(next) != t ? next : t;
}

Timestamp Timetable::AlignToPrev(Timestamp t) const {
  if (kind_ == Kind::kDeltaDataInterval) return t;
  Timestamp prev = GetPrev(t);
  return GetNext(prev) != t ? prev : t;
}

Timestamp Timetable::SkipToLatest(std::optional<Timestamp> earliest, Timestamp now) const {
  Timestamp new_start;
  if (kind_ == Kind::kDeltaDataInterval) {
    // DeltaMixin._skip_to_latest rounds `now` down to a multiple of the delta since the epoch.
    Duration since = now.time_since_epoch();
    Timestamp rounded(since - since % delta_);
    new_start = GetPrev(rounded);
  } else {
    Timestamp last_start = GetPrev(now);
    Timestamp next_start = GetNext(last_start);
    new_start = next_start == now ? last_start : GetPrev(last_start);
  }
  if (earliest && *earliest > new_start) return *earliest;
  return new_start;
}

std::optional<DagRunInfo> Timetable::NextDagRunInfo(const std::optional<DataInterval>& last,
                                                    std::optional<Timestamp> earliest, bool catchup,
                                                    Timestamp now) const {
  if (kind_ == Kind::kNull) return std::nullopt;
  if (kind_ == Kind::kCronTrigger) {
    Timestamp next;
    if (catchup) {
      if (last) {
        next = GetNext(last->end);
      } else if (earliest) {
        next = AlignToNext(*earliest);
      } else {
        next = AlignToNext(now);
      }
    } else {
      next = AlignToPrev(now);
      if (last) {
        next = std::max(next, GetNext(last->end));
      } else if (!earliest) {
        next = std::max(next, AlignToNext(now));
      }
      if (earliest) next = std::max(next, AlignToNext(*earliest));
    }
    if (next == Timestamp::max()) return std::nullopt;
    return DagRunInfo{next, {next, next}, next};
  }
  // _DataIntervalTimetable.next_dagrun_info (cron or delta).
  std::optional<Timestamp> bound = earliest;
  if (!catchup) {
    bound = SkipToLatest(earliest, now);
  } else if (earliest) {
    bound = AlignToNext(*earliest);
  }
  Timestamp start;
  if (!last) {
    if (!bound) return std::nullopt;
    start = *bound;
  } else {
    Timestamp aligned_end = AlignToPrev(last->end);
    start = bound ? std::max(aligned_end, *bound) : aligned_end;
  }
  Timestamp end = GetNext(start);
  if (end == Timestamp::max()) return std::nullopt;
  return DagRunInfo{start, {start, end}, end};
}

std::optional<DagRunInfo> Timetable::NextUnrestricted(const DataInterval& last) const {
  if (kind_ == Kind::kNull) return std::nullopt;
  if (kind_ == Kind::kCronTrigger) {
    Timestamp next = GetNext(last.end);
    if (next == Timestamp::max()) return std::nullopt;
    return DagRunInfo{next, {next, next}, next};
  }
  Timestamp start = AlignToPrev(last.end);
  Timestamp end = GetNext(start);
  if (end == Timestamp::max()) return std::nullopt;
  return DagRunInfo{start, {start, end}, end};
}

DataInterval Timetable::InferManualDataInterval(Timestamp run_after) const {
  switch (kind_) {
    case Kind::kNull:
    case Kind::kCronTrigger:
      return {run_after, run_after};
    case Kind::kDeltaDataInterval:
      return {GetPrev(run_after), run_after};
    case Kind::kCronDataInterval: {
      Timestamp end = AlignToPrev(run_after);
      return {GetPrev(end), end};
    }
  }
  return {run_after, run_after};
}

std::string Timetable::ScheduleIntervalJson() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kCronDataInterval:
    case Kind::kCronTrigger:
      return "\"" + schedule_text_ + "\"";
    case Kind::kDeltaDataInterval: {
      // airflow.utils.sqlalchemy.Interval stores a timedelta as its attributes.
      auto us = delta_.count();
      int64_t days = us / 86'400'000'000LL;
      int64_t rest = us % 86'400'000'000LL;
      return "{\"type\": \"timedelta\", \"attrs\": {\"days\": " + std::to_string(days) +
             ", \"seconds\": " + std::to_string(rest / 1'000'000) +
             ", \"microseconds\": " + std::to_string(rest % 1'000'000) + "}}";
    }
  }
  return "null";
}

std::string Timetable::Summary() const {
  switch (kind_) {
    case Kind::kNull:
      return "None";
    case Kind::kCronDataInterval:
    case Kind::kCronTrigger:
      return expression_;
    case Kind::kDeltaDataInterval:
      return PythonTimedeltaString(delta_);
  }
  return "None";
}

std::string Timetable::Description() const {
  switch (kind_) {
    case Kind::kNull:
      return "Never, external triggers only";
    case Kind::kCronDataInterval:
    case Kind::kCronTrigger:
      return expression_;
    case Kind::kDeltaDataInterval:
      return "";
  }
  return "";
}

std::string ExpandCronPreset(std::string_view schedule) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kPresets = {{
      {"@hourly", "0 * * * *"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"},
      {"@quarterly", "0 0 1 */3 *"},
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
  }};
  std::string lower(schedule);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [preset, expression] : kPresets) {
    if (lower == preset) return std::string(expression);
  }
  return std::string(schedule);
}

std::string PythonTimedeltaString(Duration d) {
  auto us = d.count();
  int64_t days = us / 86'400'000'000LL;
  int64_t rest = us % 86'400'000'000LL;
  if (rest < 0) {
    rest += 86'400'000'000LL;
    --days;
  }
  int64_t secs = rest / 1'000'000, micros = rest % 1'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf, n);
  if (micros != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
    out.append(buf, n);
  }
  if (days != 0) {
    out = std::to_string(days) + (days == 1 || days == -1 ? " day, " : " days, ") + out;
  }
  return out;
}

}  // namespace slayer::sim
