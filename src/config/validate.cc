#include "config/validate.h"

#include <cctype>
#include <map>

#include "common/ascii.h"
#include "common/template_syntax.h"
#include "config/validator.h"
#include "cron/cron_expression.h"
#include "cron/zoned_schedule.h"

namespace slayer::config {
namespace {

using detail::Diagnostics;
using detail::Position;
using detail::Quote;
using detail::SourceMap;

// SLAyer's own labels (SPEC.md section 4); a rule label of the same name would clash with them
// on metrics and alerts.
const std::vector<std::string_view> kReservedLabels = {"airflow_instance", "rule",    "dag_id",
                                                       "task_id",          "run_id",  "severity",
                                                       "execution_date",   "outcome", "le"};

bool IsNameChar(char c, bool allow_dot) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || (allow_dot && c == '.');
}

bool IsValidName(std::string_view name, bool allow_dot) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsNameChar(c, allow_dot)) return false;
  }
  return true;
}

bool HasScheme(std::string_view url, std::initializer_list<std::string_view> schemes) {
  for (std::string_view s : schemes) {
    if (url.starts_with(s) && url.size() > s.size()) return true;
  }
  return false;
}

// The headers a webhook channel sets on every request; `headers:` may not override them.
const std::vector<std::string_view> kWebhookOwnHeaders = {"Content-Type", "Content-Length",
                                                          "Idempotency-Key", "X-Slayer-Signature"};

// RFC 7230 token characters, for HTTP header names.
bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

namespace detail {
namespace {

class Checker {
 public:
  Checker(Config& config, const SourceMap* sources, Diagnostics& diagnostics)
      : config_(config), sources_(sources), diagnostics_(diagnostics) {}

  void Run() {
    CheckInstances();
    CheckStorage();
    CheckTimeZone("display_timezone", "'display_timezone'", config_.display_timezone);
    CheckNotifications();
    CheckChannels();
    CheckRules();
    CheckSilences();
  }

 private:
  // `depends_on`: values whose failure to load would explain this error (it is then dropped).
  void Error(const std::string& path, std::string message,
             const std::vector<std::string>& depends_on = {}) {
    Position pos = sources_ ? sources_->Find(path) : Position{};
    diagnostics_.Add(pos, path, std::move(message), depends_on);
  }

  // " (first at line 3)" for a loaded config, " (first at airflow[0])" for one built in code.
  std::string FirstAt(const std::string& path) const {
    Position pos = sources_ ? sources_->Find(path) : Position{};
    if (pos.line > 0) return " (first at line " + std::to_string(pos.line) + ")";
    return " (first at " + path + ")";
  }

  void CheckPositive(const std::string& path, const std::string& what, Duration d) {
    if (d <= Duration::zero()) {
      Error(path, what + " must be positive, got " + FormatDuration(d));
    }
  }

  void CheckTimeZone(const std::string& path, const std::string& what, const std::string& tz) {
    Status status = cron::CheckTimeZone(tz);
    if (!status.ok()) {
      Error(path, what + ": " + status.message() +
                      " (use an IANA name such as UTC, Europe/Berlin or America/New_York)");
    }
  }

  void CheckCron(const std::string& path, const std::string& what, const std::string& text) {
    auto cron = cron::CronExpression::Parse(text);
    if (!cron) {
      Error(path, what + ": " + cron.error().message());
      return;
    }
    // Day 31 of February and the like: valid syntax, but no tick ever.
    if (!cron->Next(cron::LocalMinutes{}).has_value()) {
      Error(path, what + ": cron " + Quote(text) + " never matches any date");
    }
  }

  // Checks a name and its uniqueness among `seen` (name -> path of its first use).
  void CheckName(const std::string& path, const std::string& kind, const std::string& name,
                 bool allow_dot, std::map<std::string, std::string>& seen) {
    std::string chars =
        allow_dot ? "letters, digits, '_', '-' and '.'" : "letters, digits, '_' and '-'";
    if (name.empty()) {
      Error(path, kind + " has an empty name");
      return;
    }
    if (!IsValidName(name, allow_dot)) {
      Error(path, kind + " name " + Quote(name) + " may contain only " + chars);
      return;
    }
    auto [it, inserted] = seen.emplace(name, path);
    if (!inserted) {
      Error(path, kind + " name " + Quote(name) + " is used twice" + FirstAt(it->second) +
                      "; names must be unique");
    }
  }

  void CheckInstances() {
    if (config_.airflow.empty()) {
      Error("airflow", "'airflow' needs at least one Airflow instance");
      return;
    }
    std::map<std::string, std::string> seen;
    for (size_t i = 0; i < config_.airflow.size(); ++i) {
      const AirflowInstance& a = config_.airflow[i];
      std::string path = "airflow[" + std::to_string(i) + "]";
      std::string element =
          "airflow instance " + (a.name.empty() ? "#" + std::to_string(i + 1) : Quote(a.name));
      std::string in = " in " + element;
      CheckName(path + ".name", "airflow instance", a.name, false, seen);
      // On the instance: a database that failed to load was reported already (database_file too).
      if (a.database.database.empty()) Error(path, element + " has no database");
      if (a.poll_interval < std::chrono::seconds(1)) {
        Error(path + ".poll_interval", "'poll_interval'" + in + " must be at least 1s, got " +
                                           FormatDuration(a.poll_interval));
      }
      CheckPositive(path + ".horizon", "'horizon'" + in, a.horizon);
      CheckPositive(path + ".connect_timeout", "'connect_timeout'" + in, a.connect_timeout);
      CheckPositive(path + ".statement_timeout", "'statement_timeout'" + in, a.statement_timeout);
      CheckPositive(path + ".health.heartbeat_timeout", "'heartbeat_timeout'" + in,
                    a.health.heartbeat_timeout);
      if (!a.airflow_url.empty() && !HasScheme(a.airflow_url, {"http://", "https://"})) {
        Error(path + ".airflow_url", "'airflow_url'" + in +
                                         " must be an http:// or https:// URL such as "
                                         "https://airflow.example.com");
      }
    }
  }

  void CheckStorage() {
    if (config_.storage.url.backend == db::Backend::kMysql) {
      Error("storage.url",
            "'storage' must be sqlite:///path or postgresql://...; MySQL is not "
            "supported for SLAyer's own store");
    }
    CheckPositive("storage.retention", "'retention' in 'storage'", config_.storage.retention);
  }

  void CheckNotifications() {
    const Notifications& n = config_.notifications;
    CheckPositive("notifications.retry_initial", "'retry_initial' in 'notifications'",
                  n.retry_initial);
    if (n.retry_max < n.retry_initial) {
      Error("notifications.retry_max", "'retry_max' in 'notifications' (" +
                                           FormatDuration(n.retry_max) +
                                           ") must not be less than 'retry_initial' (" +
                                           FormatDuration(n.retry_initial) + ")");
    }
    CheckPositive("notifications.give_up_after", "'give_up_after' in 'notifications'",
                  n.give_up_after);
  }

  void CheckChannels() {
    std::map<std::string, std::string> seen;
    for (Channel& c : config_.channels) {
      std::string path = "channels." + c.name;
      std::string in = " in channel " + Quote(c.name);
      CheckName(path, "channel", c.name, false, seen);
      std::string type(ChannelTypeName(c.type));
      auto need = [&](bool ok, std::string_view keys) {
        if (!ok) Error(path, type + " channel " + Quote(c.name) + " needs " + std::string(keys));
      };
      auto http_url = [&](const std::string& key, const std::string& url) {
        if (!url.empty() && !HasScheme(url, {"http://", "https://"})) {
          Error(path + "." + key, Quote(key) + in + " must be an http:// or https:// URL");
        }
      };
      switch (c.type) {
        case ChannelType::kAlertmanager:
          need(!c.url.empty(), "'url', e.g. url: http://alertmanager:9093");
          http_url("url", c.url);
          break;
        case ChannelType::kSlack:
          need(!c.webhook_url.empty(), "'webhook_url' or 'webhook_url_file'");
          if (!c.webhook_url.empty() && !HasScheme(c.webhook_url.value, {"http://", "https://"})) {
            // The value is the credential: say what is wrong without showing it.
            Error(path + ".webhook_url",
                  "'webhook_url'" + in + " (" + c.webhook_url.origin +
                      ") must be an https:// URL such as https://hooks.slack.com/services/...; "
                      "the value is not shown because it is a secret");
          }
          break;
        case ChannelType::kPagerduty:
          need(!c.routing_key.empty(), "'routing_key' or 'routing_key_file'");
          http_url("url", c.url);
          break;
        case ChannelType::kWebhook:
          need(!c.url.empty(), "'url', e.g. url: https://example.com/hook");
          http_url("url", c.url);
          for (const auto& [name, value] : c.headers) {
            if (!IsHeaderName(name)) {
              Error(path + ".headers." + name,
                    "header name " + Quote(name) + in + " is not a valid HTTP header name");
            }
            for (std::string_view own : kWebhookOwnHeaders) {
              if (EqualsIgnoreCase(name, own)) {
                Error(path + ".headers." + name,
                      "header " + Quote(name) + in + " is set by SLAyer itself (" +
                          detail::JoinNames(kWebhookOwnHeaders) + ")");
              }
            }
          }
          break;
        case ChannelType::kEmail:
          need(!c.url.empty(), "'url', e.g. url: smtp://mail.example.com:587");
          if (!c.url.empty() && !HasScheme(c.url, {"smtp://", "smtps://"})) {
            Error(path + ".url", "'url'" + in +
                                     " must be smtp://host:port (STARTTLS) or "
                                     "smtps://host:port (TLS)");
          }
          need(!c.from.empty(), "'from', the sender address");
          if (!c.from.empty() && c.from.find('@') == std::string::npos) {
            Error(path + ".from",
                  "'from'" + in + ": " + Quote(c.from) + " is not an email address");
          }
          need(!c.to.empty(), "'to', the recipient addresses");
          for (size_t i = 0; i < c.to.size(); ++i) {
            if (c.to[i].find('@') == std::string::npos) {
              Error(path + ".to[" + std::to_string(i) + "]",
                    "'to'" + in + ": " + Quote(c.to[i]) + " is not an email address");
            }
          }
          if (!c.password.empty() && c.username.empty()) {
            Error(path, "email channel " + Quote(c.name) +
                            " has a password but no 'username' to log in with");
          }
          break;
      }
      for (auto [key, text] : {std::pair<const char*, const std::string*>{"title", &c.title},
                               {"text", &c.text}}) {
        if (text->empty()) continue;
        if (c.type == ChannelType::kWebhook) {
          Error(path + "." + key, Quote(key) + in +
                                      ": a webhook posts a fixed JSON body; templates apply to "
                                      "the other channel types");
          continue;
        }
        Status status = CheckTemplateSyntax(*text);
        if (!status.ok()) Error(path + "." + key, Quote(key) + in + ": " + status.message());
      }
      CheckPositive(path + ".timeout", "'timeout'" + in, c.timeout);
      if (c.max_retries && *c.max_retries < 0) {
        Error(path + ".max_retries", "'max_retries'" + in + " must not be negative");
      }
      if (!c.backoff) {
        c.backoff = Backoff{config_.notifications.retry_initial, config_.notifications.retry_max};
      }
      CheckPositive(path + ".backoff.initial", "'initial' in 'backoff'" + in, c.backoff->initial);
      if (c.backoff->max < c.backoff->initial) {
        Error(path + ".backoff.max",
              "'max' in 'backoff'" + in + " (" + FormatDuration(c.backoff->max) +
                  ") must not be less than 'initial' (" + FormatDuration(c.backoff->initial) + ")");
      }
    }
  }

  void CheckSelector(const std::string& path, const std::string& in, const Selector& s) {
    for (size_t i = 0; i < s.dag_id.size(); ++i) {
      if (s.dag_id[i].pattern().empty()) {
        Error(path + ".dag_id[" + std::to_string(i) + "]",
              "'dag_id' " + in + ": an empty glob matches no DAG id");
      }
    }
    for (size_t i = 0; i < s.tags.size(); ++i) {
      if (s.tags[i].empty()) {
        Error(path + ".tags[" + std::to_string(i) + "]",
              "'tags' " + in + ": an empty tag matches no DAG");
      }
    }
  }

  void CheckRules() {
    std::map<std::string, std::string> seen;
    std::vector<std::string_view> channel_names;
    for (const Channel& c : config_.channels) channel_names.push_back(c.name);
    for (size_t i = 0; i < config_.rules.size(); ++i) {
      const Rule& r = config_.rules[i];
      std::string path = "rules[" + std::to_string(i) + "]";
      std::string element =
          "rule " + (r.name.empty() ? "#" + std::to_string(i + 1) : Quote(r.name));
      std::string in = "in " + element;
      CheckName(path + ".name", "rule", r.name, true, seen);
      CheckSelector(path + ".match", in, r.match);

      int kinds = (r.deadline ? 1 : 0) + (r.at ? 1 : 0) + (r.freshness ? 1 : 0);
      if (kinds == 0) {
        Error(path, element +
                        " has no kind: give 'reference' and 'interval' (a deadline), 'at' "
                        "(a wall clock time) or 'freshness'");
      } else if (kinds > 1) {
        Error(path, element +
                        " has more than one kind; a rule has exactly one of reference + "
                        "interval, at, freshness");
      }
      if (!r.tasks.empty() && !r.deadline) {
        Error(path + ".tasks", "'tasks' " + in +
                                   " applies only to deadline rules (reference + "
                                   "interval)");
      }
      if (r.deadline) {
        const Deadline& d = *r.deadline;
        if (IsTaskReference(d.reference) && r.tasks.empty()) {
          Error(path + ".reference",
                "'reference' " + in + " is " + std::string(ReferenceName(d.reference)) +
                    ", which needs 'tasks' (the tasks whose instances are timed, e.g. tasks: "
                    "[\"extract_*\"])",
                {path + ".tasks"});
        }
        if (d.interval == Duration::zero() && d.reference != Reference::kFixed) {
          Error(path + ".interval", "'interval' " + in +
                                        " must not be 0s (need-by = reference + interval; it "
                                        "may be negative)");
        }
      }
      if (r.canary && kinds == 1 && !r.deadline) {
        Error(path + ".canary", "'canary' " + in +
                                    " applies only to deadline rules (reference + interval), "
                                    "not to a " + std::string(RuleKindName(r.kind())) + " rule");
      } else if (r.canary && r.deadline && !r.deadline->CountsExpectedRuns()) {
        // A stopped scheduler creates no run, so only runs that should exist can be late.
        Error(path + ".canary",
              "'canary' " + in +
                  " needs a schedule reference that counts runs never created "
                  "(dagrun.logical_date, dagrun.data_interval_start or "
                  "dagrun.data_interval_end, with expected_runs on): a stopped scheduler "
                  "creates no run that could be late");
      }
      if (r.freshness) CheckPositive(path + ".freshness", "'freshness' " + in, *r.freshness);
      if (r.at) {
        CheckCron(path + ".at.cron", "'cron' in 'at' " + in, r.at->cron);
        CheckTimeZone(path + ".at.timezone", "'timezone' in 'at' " + in, r.at->timezone);
        for (size_t k = 0; k < r.at->skip_dates.size(); ++k) {
          if (!r.at->skip_dates[k].ok()) {
            Error(path + ".at.skip_dates[" + std::to_string(k) + "]",
                  "'skip_dates' " + in + " holds an invalid date");
          }
        }
        if (r.at->window_start && (*r.at->window_start < std::chrono::minutes(0) ||
                                   *r.at->window_start >= std::chrono::hours(24))) {
          Error(path + ".window_start",
                "'window_start' " + in + " must be a time of day from 00:00 to 23:59");
        }
      }
      std::map<std::string, size_t> listed;
      for (size_t k = 0; k < r.notify.size(); ++k) {
        const std::string& name = r.notify[k];
        std::string item = path + ".notify[" + std::to_string(k) + "]";
        if (!listed.emplace(name, k).second) {
          Error(item, "'notify' " + in + " lists channel " + Quote(name) + " twice");
          continue;
        }
        bool found = false;
        for (std::string_view c : channel_names) found = found || c == name;
        if (found) continue;
        std::string message = "'notify' " + in + ": unknown channel " + Quote(name);
        std::string_view suggestion = detail::Suggest(name, channel_names);
        if (!suggestion.empty()) message += " (did you mean " + Quote(suggestion) + "?)";
        if (channel_names.empty()) {
          message += "; no channels are defined under 'channels:'";
        } else {
          message += "; defined channels: " + detail::JoinNames(channel_names);
        }
        Error(item, std::move(message));
      }
      for (const auto& [name, value] : r.labels) {
        std::string label_path = path + ".labels." + name;
        if (!IsPrometheusLabelName(name)) {
          Error(label_path, "label name " + Quote(name) + " " + in +
                                " is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        } else if (name.starts_with("__")) {
          Error(label_path, "label name " + Quote(name) + " " + in +
                                " starts with '__', which Prometheus reserves");
        } else {
          for (std::string_view reserved : kReservedLabels) {
            if (name == reserved) {
              Error(label_path, "label name " + Quote(name) + " " + in +
                                    " clashes with SLAyer's own label of that name (reserved: " +
                                    detail::JoinNames(kReservedLabels) + ")");
            }
          }
        }
      }
    }
  }

  void CheckSilences() {
    for (size_t i = 0; i < config_.silences.size(); ++i) {
      const Silence& s = config_.silences[i];
      std::string path = "silences[" + std::to_string(i) + "]";
      std::string in = "in silence #" + std::to_string(i + 1);
      CheckSelector(path + ".match", in, s.match);
      CheckCron(path + ".cron", "'cron' " + in, s.cron);
      CheckTimeZone(path + ".timezone", "'timezone' " + in, s.timezone);
      CheckPositive(path + ".duration", "'duration' " + in, s.duration);
    }
  }

  Config& config_;
  const SourceMap* sources_;
  Diagnostics& diagnostics_;
};

}  // namespace

std::optional<ValidatedConfig> Validator::Run(Config config, const SourceMap* sources,
                                              Diagnostics& diagnostics) {
  Checker(config, sources, diagnostics).Run();
  if (!diagnostics.empty()) return std::nullopt;
  return ValidatedConfig(std::move(config));
}

}  // namespace detail

Result<ValidatedConfig> Validate(Config config) {
  Diagnostics diagnostics;
  diagnostics.EndLoading();
  auto validated = detail::Validator::Run(std::move(config), nullptr, diagnostics);
  if (!validated) return diagnostics.ToStatus("config");
  return std::move(*validated);
}

}  // namespace slayer::config
