#include "config/describe.h"

#include <cstdio>

namespace slayer::config {
namespace {

// A URL for display: the password of its user info and every query value become "***" (webhook
// URLs often carry a token in the query).
std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme = out.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = out.find_first_of("/?#", start);
  size_t at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at >= start) {
    size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  size_t q = out.find('?');
  if (q == std::string::npos) return out;
  std::string redacted = out.substr(0, q + 1);
  std::string_view query = std::string_view(out).substr(q + 1);
  bool first = true;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (!first) redacted += '&';
    first = false;
    size_t eq = pair.find('=');
    redacted +=
        eq == std::string_view::npos ? std::string(pair) : std::string(pair.substr(0, eq)) + "=***";
  }
  return redacted;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::string Patterns(const std::vector<Glob>& globs) {
  std::vector<std::string> p;
  for (const Glob& g : globs) p.push_back(g.pattern());
  return Join(p, " or ");
}

std::string DescribeSelector(const Selector& s) {
  if (s.MatchesEveryDag()) return "every DAG";
  std::vector<std::string> parts;
  if (!s.dag_id.empty()) parts.push_back("dag_id " + Patterns(s.dag_id));
  if (!s.tags.empty()) parts.push_back("tag " + Join(s.tags, " or "));
  if (!s.owner.empty()) parts.push_back("owner " + s.owner);
  return "DAGs matching " + Join(parts, " AND ");
}

std::string FormatDate(const std::chrono::year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string DescribeRule(const Rule& r) {
  std::string out = "rule " + r.name + ": ";
  switch (r.kind()) {
    case RuleKind::kDeadline: {
      const Deadline& d = *r.deadline;
      out += "deadline per ";
      out += r.tasks.empty() ? "DAG run" : "task instance of tasks " + Patterns(r.tasks);
      out += " = ";
      if (d.reference == Reference::kFixed) {
        out += "fixed " + FormatRfc3339(d.fixed);
      } else {
        out += ReferenceName(d.reference);
      }
      if (d.interval > Duration::zero()) {
        out += " + " + FormatDuration(d.interval);
      } else if (d.interval < Duration::zero()) {
        out += " - " + FormatDuration(-d.interval);
      }
      break;
    }
    case RuleKind::kWallClock: {
      const WallClock& at = *r.at;
      out += "wall clock: at each \"" + at.cron + "\" in " + at.timezone;
      if (!at.skip_dates.empty()) {
        std::vector<std::string> dates;
        for (const auto& d : at.skip_dates) dates.push_back(FormatDate(d));
        out += " except " + Join(dates, ", ");
      }
      out += ", a successful run must have ended since ";
      if (at.window_start) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(at.window_start->count() / 60),
                      static_cast<int>(at.window_start->count() % 60));
        out += std::string(buf) + " local time";
      } else {
        out += "the previous tick";
      }
      break;
    }
    case RuleKind::kFreshness:
      out += "freshness: the last successful run ended less than " + FormatDuration(*r.freshness) +
             " ago";
      break;
  }
  out += " for " + DescribeSelector(r.match);
  out += "; severity " + std::string(SeverityName(r.severity));
  out += "; notify " + (r.notify.empty() ? std::string("nobody") : Join(r.notify, ", "));
  if (!r.labels.empty()) {
    std::vector<std::string> labels;
    for (const auto& [k, v] : r.labels) labels.push_back(k + "=" + v);
    out += "; labels " + Join(labels, ", ");
  }
  if (r.deadline && r.deadline->CountsExpectedRuns()) out += "; runs never created count as missed";
  if (r.on_failure == OnFailure::kIgnore) out += "; failures ignored";
  if (r.alert_when_paused) out += "; alerts for paused DAGs too";
  if (r.at_risk) out += "; notifies when at risk";
  if (r.canary) out += "; canary: exported as slayer_canary_*";
  return out;
}

// A template on one line: "\"{{summary}}\\n{{url}}\"".
std::string QuoteTemplate(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DescribeChannel(const Channel& c) {
  std::string out = c.name + ": " + std::string(ChannelTypeName(c.type));
  switch (c.type) {
    case ChannelType::kAlertmanager:
      out += " at " + RedactUrl(c.url);
      break;
    case ChannelType::kSlack:
      out += " incoming webhook (URL from " + c.webhook_url.origin + ")";
      break;
    case ChannelType::kPagerduty:
      out += " Events API v2 at " + RedactUrl(c.url) + " (routing key from " +
             c.routing_key.origin + ")";
      break;
    case ChannelType::kWebhook: {
      out += " POST to " + RedactUrl(c.url);
      out += c.secret.empty() ? ", unsigned" : ", signed (secret from " + c.secret.origin + ")";
      if (!c.headers.empty()) {
        std::vector<std::string> names;
        for (const auto& [name, value] : c.headers) names.push_back(name);
        out += ", headers " + Join(names, ", ");
      }
      break;
    }
    case ChannelType::kEmail:
      out += " via " + RedactUrl(c.url) + " from " + c.from + " to " + Join(c.to, ", ");
      if (!c.username.empty()) {
        out += ", login " + c.username;
        if (!c.password.empty()) out += " (password from " + c.password.origin + ")";
      }
      break;
  }
  if (!c.title.empty()) out += "; title " + QuoteTemplate(c.title);
  if (!c.text.empty()) out += "; text " + QuoteTemplate(c.text);
  if (!c.ca_file.empty()) out += "; trusts the CAs in " + c.ca_file;
  out += "; ";
  out += c.send_resolved ? "sends" : "does not send";
  out += " recoveries; timeout " + FormatDuration(c.timeout);
  if (c.backoff) {
    out += "; retries after " + FormatDuration(c.backoff->initial) + ", doubling up to " +
           FormatDuration(c.backoff->max);
  }
  if (c.max_retries) out += ", at most " + std::to_string(*c.max_retries) + " times";
  return out;
}

}  // namespace

std::string DescribeConfig(const ValidatedConfig& validated) {
  const Config& c = *validated;
  std::string out;
  auto line = [&](const std::string& text) { out += text + "\n"; };

  line("airflow instances (" + std::to_string(c.airflow.size()) + "):");
  for (const AirflowInstance& a : c.airflow) {
    std::string s = "  " + a.name + ": " + a.database.ToString() + "; poll every " +
                    FormatDuration(a.poll_interval) + "; track runs of the last " +
                    FormatDuration(a.horizon) + "; Airflow's own SLAs and deadlines " +
                    (a.airflow_native ? "on" : "off") + "; timeouts: connect " +
                    FormatDuration(a.connect_timeout) + ", statement " +
                    FormatDuration(a.statement_timeout) + ", scheduler heartbeat " +
                    FormatDuration(a.health.heartbeat_timeout);
    if (!a.airflow_url.empty()) s += "; links to " + RedactUrl(a.airflow_url);
    line(s);
  }
  line("storage: " + c.storage.url.ToString() + "; keep history for " +
       FormatDuration(c.storage.retention));
  line("display time zone: " + c.display_timezone);
  line("rules (" + std::to_string(c.rules.size()) + "):");
  for (const Rule& r : c.rules) line("  " + DescribeRule(r));
  line("channels (" + std::to_string(c.channels.size()) + "):");
  for (const Channel& ch : c.channels) line("  " + DescribeChannel(ch));
  line("silences (" + std::to_string(c.silences.size()) + "):");
  for (size_t i = 0; i < c.silences.size(); ++i) {
    const Silence& s = c.silences[i];
    line("  silence #" + std::to_string(i + 1) + ": no notifications for " +
         DescribeSelector(s.match) + " during " + FormatDuration(s.duration) + " from each \"" +
         s.cron + "\" in " + s.timezone);
  }
  line("notifications: retry after " + FormatDuration(c.notifications.retry_initial) +
       ", doubling up to " + FormatDuration(c.notifications.retry_max) + "; give up after " +
       FormatDuration(c.notifications.give_up_after));
  return out;
}

}  // namespace slayer::config
