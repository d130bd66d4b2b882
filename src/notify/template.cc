#include "notify/template.h"

#include <charconv>
#include <chrono>
#include <cmath>

namespace slayer::notify {
namespace {

// "10:00:00 UTC" when `t` falls on the UTC day of `now`, else "2026-01-01 10:00:00 UTC": a miss
// is usually noticed on the day of its need-by, where the date would only be noise.
std::string FormatClock(Timestamp t, Timestamp now) {
  using namespace std::chrono;
  // "2026-01-01T10:00:00Z": the date, 'T', the time of day.
  const std::string rfc3339 = FormatRfc3339(floor<seconds>(t));
  const size_t time_of_day = rfc3339.find('T');
  std::string clock = rfc3339.substr(time_of_day + 1, 8) + " UTC";
  if (floor<days>(t) == floor<days>(now)) return clock;
  return rfc3339.substr(0, time_of_day) + " " + clock;
}

// Shortest round-trip form: 725 -> "725", 0.5 -> "0.5".
std::string FormatNumber(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string RuleAnd(const Event& e, const std::string& detail) {
  return e.rule.empty() ? "(" + detail + ")" : "(rule " + e.rule + ", " + detail + ")";
}

}  // namespace

Status CheckTemplate(std::string_view text) { return CheckTemplateSyntax(text); }

Result<MessageTemplate> MessageTemplate::Parse(std::string_view text) {
  SLAYER_ASSIGN_OR_RETURN(std::vector<TemplatePart> parts, ParseTemplate(text));
  return MessageTemplate(std::move(parts));
}

std::string MessageTemplate::Render(const Event& event) const {
  std::string out;
  for (const TemplatePart& part : parts_) {
    out +=
        part.kind == TemplatePart::Kind::kLiteral ? part.text : PlaceholderValue(part.text, event);
  }
  return out;
}

std::string PlaceholderValue(std::string_view name, const Event& e) {
  if (name.starts_with(kTemplateLabelPrefix)) {
    auto it = e.labels.find(std::string(name.substr(kTemplateLabelPrefix.size())));
    return it == e.labels.end() ? std::string() : it->second;
  }
  if (name == "kind") return std::string(EventKindName(e.kind));
  if (name == "summary") return EventSummary(e);
  if (name == "airflow_instance") return e.instance;
  if (name == "rule") return e.rule;
  if (name == "severity") return e.severity;
  if (name == "dag_id") return e.dag_id;
  if (name == "run_id") return e.run_id;
  if (name == "task_id") return e.task_id;
  if (name == "logical_date") return e.logical_date ? FormatRfc3339(*e.logical_date) : "";
  if (name == "need_by") return FormatRfc3339(e.need_by);
  if (name == "event_time") return FormatRfc3339(e.event_time);
  if (name == "overdue") return FormatSeconds(e.overdue_seconds);
  if (name == "overdue_seconds") return FormatNumber(e.overdue_seconds);
  if (name == "lateness") return FormatSeconds(e.lateness_seconds);
  if (name == "lateness_seconds") return FormatNumber(e.lateness_seconds);
  if (name == "url") return e.url;
  return "";
}

std::string ItemDescription(const Event& e) {
  std::string out = e.dag_id;
  if (!e.task_id.empty()) out += " task " + e.task_id;
  if (!e.run_id.empty()) out += " run " + e.run_id;
  return out;
}

std::string FormatSeconds(double seconds) {
  if (!(seconds >= 1)) return "0s";  // also NaN
  return FormatDuration(std::chrono::seconds(static_cast<int64_t>(std::floor(seconds))));
}

std::string EventSummary(const Event& e) {
  std::string need_by = FormatClock(e.need_by, e.event_time);
  switch (e.kind) {
    case EventKind::kMissed:
      return ItemDescription(e) + " missed its deadline " +
             RuleAnd(e, FormatSeconds(e.overdue_seconds) + " past " + need_by);
    case EventKind::kRecovered:
      return ItemDescription(e) + " finished " + FormatSeconds(e.lateness_seconds) + " late " +
             RuleAnd(e, "need-by " + need_by);
    case EventKind::kAbandoned:
      if (e.was_missed) {
        return ItemDescription(e) + " failed or was removed after missing its deadline " +
               RuleAnd(e, FormatSeconds(e.overdue_seconds) + " past " + need_by);
      }
      return ItemDescription(e) + " failed or was removed before its deadline " +
             RuleAnd(e, "need-by " + need_by);
    case EventKind::kAtRisk:
      return ItemDescription(e) + " is at risk of missing its deadline " +
             RuleAnd(e, "need-by " + need_by);
  }
  return ItemDescription(e);
}

std::optional<EventDelay> DelayOf(const Event& e) {
  if (e.kind == EventKind::kRecovered)
    return EventDelay{"Late by", FormatSeconds(e.lateness_seconds)};
  if (e.kind == EventKind::kMissed || e.overdue_seconds >= 1) {
    return EventDelay{"Overdue", FormatSeconds(e.overdue_seconds)};
  }
  return std::nullopt;
}

std::string DefaultEventText(const Event& e) {
  std::string out = "DAG: " + e.dag_id;
  if (!e.run_id.empty()) out += "\nRun: " + e.run_id;
  if (!e.task_id.empty()) out += "\nTask: " + e.task_id;
  out += "\nRule: " + e.rule + " (" + e.severity + ", Airflow " + e.instance + ")";
  out += "\nNeed-by: " + FormatRfc3339(e.need_by);
  if (auto delay = DelayOf(e)) out += "\n" + delay->label + ": " + delay->value;
  if (!e.url.empty()) out += "\nLink: " + e.url;
  return out;
}

Result<ChannelTemplates> ChannelTemplates::FromConfig(const config::Channel& channel) {
  ChannelTemplates t;
  auto parse = [&](const std::string& text, const char* key,
                   std::optional<MessageTemplate>& out) -> Status {
    if (text.empty()) return Status::Ok();
    auto parsed = MessageTemplate::Parse(text);
    if (!parsed) {
      return parsed.error().WithContext(std::string("'") + key + "' in channel '" + channel.name +
                                        "'");
    }
    out = std::move(*parsed);
    return Status::Ok();
  };
  SLAYER_RETURN_IF_ERROR(parse(channel.title, "title", t.title_));
  SLAYER_RETURN_IF_ERROR(parse(channel.text, "text", t.text_));
  return t;
}

std::string ChannelTemplates::Title(const Event& event) const {
  return title_ ? title_->Render(event) : EventSummary(event);
}

std::string ChannelTemplates::Text(const Event& event) const {
  return text_ ? text_->Render(event) : DefaultEventText(event);
}

}  // namespace slayer::notify
