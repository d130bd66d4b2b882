// The SLAyer configuration as plain structs with their defaults (docs/configuration.md has the
// YAML form of every field). Code outside config/ accepts only a ValidatedConfig, which
// LoadConfigFile / LoadConfigString (config/load.h) and Validate (config/validate.h) produce.
// Value types; thread-compatible (a ValidatedConfig is immutable, so sharing one is safe).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/glob.h"
#include "common/time.h"
#include "db/dsn.h"

namespace slayer::config {

// A credential (webhook URL, routing key, HMAC secret, password). `value` goes to the channel code
// only: never print, log or put it in an error. `origin` is safe to print.
struct Secret {
  std::string value;   // the credential itself; empty = not configured
  std::string origin;  // where it came from: "file /etc/slayer/pd_key", "env SLACK_URL", "inline"

  bool empty() const { return value.empty(); }
};

// `health:` of an Airflow instance.
struct Health {
  // A scheduler whose last heartbeat is older than this is down (airflow_up 0). Default 60s.
  Duration heartbeat_timeout = std::chrono::seconds(60);
};

// One entry of `airflow:`: an Airflow deployment read through its metadata database.
struct AirflowInstance {
  // The airflow_instance label; [A-Za-z0-9_-]+, unique. Required.
  std::string name;
  // `database:` (a URL) or `database_file:` (a file holding it). The password is never printed.
  // Required.
  db::Dsn database;
  // How often the database is read; at least 1s. Default 10s.
  Duration poll_interval = std::chrono::seconds(10);
  // Runs older than this are not tracked live. Default 7d.
  Duration horizon = std::chrono::days(7);
  // Also report Airflow's own SLAs (2.x) and deadlines (3.1+). Default true.
  bool airflow_native = true;
  // Base URL of the Airflow web UI, for links. Default empty: no links.
  std::string airflow_url;
  // Per connection attempt. Default 5s.
  Duration connect_timeout = std::chrono::seconds(5);
  // Per query. Default 10s.
  Duration statement_timeout = std::chrono::seconds(10);
  Health health;
};

// `storage:`: SLAyer's own history store.
struct Storage {
  // sqlite:///abs/path or postgresql://...; `storage: <url>` or `storage: {url: ...}`.
  // Default sqlite:////var/lib/slayer/slayer.db.
  db::Dsn url = {.backend = db::Backend::kSqlite, .database = "/var/lib/slayer/slayer.db"};
  // History older than this is deleted. Default 400d.
  Duration retention = std::chrono::days(400);
};

// `match:` of a rule or silence: which DAGs it covers. Every given condition must hold; an empty
// Selector covers every DAG.
struct Selector {
  std::vector<Glob> dag_id;       // the DAG id matches one of these; empty = any DAG id
  std::vector<std::string> tags;  // the DAG has at least one of these tags; empty = any
  std::string owner;              // one of the DAG's owners is exactly this; empty = any

  bool MatchesEveryDag() const { return dag_id.empty() && tags.empty() && owner.empty(); }
  // `owners` is Airflow's dag.owners text: a comma-separated list ("airflow, data-eng").
  bool Matches(std::string_view id, const std::vector<std::string>& dag_tags,
               std::string_view owners) const;
};

// The time a deadline counts from.
enum class Reference {
  kLogicalDate,        // dagrun.logical_date (Airflow 2: execution_date)
  kDataIntervalStart,  // dagrun.data_interval_start
  kDataIntervalEnd,    // dagrun.data_interval_end
  kRunAfter,           // dagrun.run_after (Airflow 2: the data interval end)
  kQueuedAt,           // dagrun.queued_at
  kStartDate,          // dagrun.start_date
  kTaskQueuedAt,       // task.queued_at
  kTaskStartDate,      // task.start_date
  kFixed,              // fixed: <instant>
};

// "dagrun.logical_date", ..., "task.start_date", "fixed".
std::string_view ReferenceName(Reference reference);
// task.queued_at and task.start_date: they need the rule's `tasks`.
bool IsTaskReference(Reference reference);
// The references that follow the DAG's schedule (logical date, data interval start and end).
bool IsScheduleReference(Reference reference);

// A deadline rule: need-by = reference + interval, per DAG run, or per task instance when the
// rule has `tasks`.
struct Deadline {
  Reference reference = Reference::kLogicalDate;  // `reference:`. Required.
  // The instant of `reference: {fixed: ...}`; only when reference == kFixed.
  Timestamp fixed{};
  // `interval:`; may be negative (need-by before the reference). Required and non-zero, except
  // with a fixed reference, where it is optional (default 0s).
  Duration interval{0};
  // `expected_runs:` also count runs that should exist by the DAG's timetable but were never
  // created. Only for schedule references (see IsScheduleReference); default true there.
  bool expected_runs = true;

  bool CountsExpectedRuns() const { return expected_runs && IsScheduleReference(reference); }
};

// A wall clock rule (`at:`): at each tick, the DAG must have a successful run that ended after
// the window start.
struct WallClock {
  std::string cron;              // `cron:`, 5 fields or a preset (@daily). Required.
  std::string timezone = "UTC";  // `timezone:`, IANA name the cron runs in. Default UTC.
  // `skip_dates:`, local dates without a tick (holidays). Default none.
  std::vector<std::chrono::year_month_day> skip_dates;
  // `window_start: "HH:MM"` (on the rule): local time of day of the tick's day after which a
  // success counts; unset = the previous tick.
  std::optional<std::chrono::minutes> window_start;
};

enum class RuleKind { kDeadline, kWallClock, kFreshness };
enum class Severity { kCritical, kWarning, kInfo };
enum class OnFailure { kAlert, kIgnore };

std::string_view RuleKindName(RuleKind kind);          // "deadline", "wall clock", "freshness"
std::string_view SeverityName(Severity severity);      // "critical", "warning", "info"
std::string_view OnFailureName(OnFailure on_failure);  // "alert", "ignore"

// One entry of `rules:`. Exactly one of deadline, at and freshness is set.
struct Rule {
  std::string name;  // the rule label; [A-Za-z0-9_.-]+, unique. Required.
  Selector match;    // `match:`. Required (`match: {}` = every DAG).
  // `tasks:` (deadline rules only): evaluate per task instance of the tasks whose id matches one
  // of these globs; empty = per DAG run.
  std::vector<Glob> tasks;
  std::optional<Deadline> deadline;   // `reference:` + `interval:`
  std::optional<WallClock> at;        // `at:` (+ `window_start:`)
  std::optional<Duration> freshness;  // `freshness:`: the last success ended less than this ago
  Severity severity = Severity::kWarning;  // `severity:`. Default warning.
  std::vector<std::string> notify;  // channel names, each defined in `channels:`; empty = none
  // Extra labels on alerts and metrics: valid Prometheus label names, none of SLAyer's own.
  std::map<std::string, std::string> labels;
  OnFailure on_failure = OnFailure::kAlert;  // a failed run/task: alert (abandoned) or ignore
  bool alert_when_paused = false;            // notify for paused DAGs too (default: report only)
  bool at_risk = false;                      // also notify when an item is predicted to miss
  // `canary:` (deadline rules with expected runs only): the rule watches a small, frequent DAG
  // whose lateness means "Airflow is not scheduling"; its schedule delay, end-to-end time and
  // open miss are exported as slayer_canary_* (docs/health.md#canary). Default false.
  bool canary = false;

  // REQUIRES: the rule is valid (exactly one kind set).
  RuleKind kind() const;
};

enum class ChannelType { kAlertmanager, kSlack, kPagerduty, kWebhook, kEmail };

std::string_view ChannelTypeName(ChannelType type);  // "alertmanager", "slack", ...

// Retry timing of a channel: exponential from `initial`, capped at `max`.
struct Backoff {
  // The first retry delay. Default 5s (as notifications.retry_initial).
  Duration initial = std::chrono::seconds(5);
  // The longest delay. Default 10m (as notifications.retry_max).
  Duration max = std::chrono::minutes(10);
};

// One entry of `channels:` (name -> channel). Only the fields of its type are set.
struct Channel {
  std::string name;                          // the key under `channels:`; [A-Za-z0-9_-]+
  ChannelType type = ChannelType::kWebhook;  // `type:`. Required.
  // alertmanager: base URL (http[s]://host:9093); webhook: the URL posted to; email: smtp:// or
  // smtps://host:port; pagerduty: the Events API v2 endpoint
  // (default https://events.pagerduty.com/v2/enqueue).
  std::string url;
  Secret webhook_url;  // slack: `webhook_url` / `webhook_url_file`. Required for slack.
  Secret routing_key;  // pagerduty: `routing_key` / `routing_key_file`. Required for pagerduty.
  Secret secret;       // webhook: HMAC-SHA256 key for X-Slayer-Signature; empty = unsigned
  // webhook: extra HTTP headers. Values may hold credentials: never printed.
  std::map<std::string, std::string> headers;
  std::string from;             // email: sender address. Required for email.
  std::vector<std::string> to;  // email: recipients. Required for email.
  std::string username;         // email: SMTP login; empty = no authentication
  Secret password;              // email: `password` / `password_file`
  bool send_resolved = true;    // also send `recovered` notifications. Default true.
  // `title:` / `text:` message templates with {{placeholders}} (docs/notifications.md#templates):
  // the Slack headline and text, the e-mail subject and body, the PagerDuty summary, the
  // Alertmanager summary and description annotations. Empty = the default. Not for webhook.
  std::string title;
  std::string text;
  // `ca_file:` PEM file of the certificate authorities to trust for https:// and smtps:// or
  // STARTTLS; empty = the system's.
  std::string ca_file;
  Duration timeout = std::chrono::seconds(10);  // per delivery attempt. Default 10s.
  // Deliveries retried at most this often; unset = until notifications.give_up_after.
  std::optional<int> max_retries;
  // `backoff: {initial, max}`; unset = notifications.retry_initial / retry_max. Always set in a
  // ValidatedConfig.
  std::optional<Backoff> backoff;
};

// One entry of `silences:`: a recurring maintenance window. Suppresses notifications (never the
// record) for the matching DAGs from each cron tick for `duration`.
struct Silence {
  Selector match;                // `match:`. Required.
  std::string cron;              // `cron:`. Required.
  Duration duration{0};          // `duration:`, positive. Required.
  std::string timezone = "UTC";  // `timezone:`. Default UTC.
};

// `notifications:`: the outbox's retry policy, the default for every channel.
struct Notifications {
  // The first retry delay. Default 5s.
  Duration retry_initial = std::chrono::seconds(5);
  // The longest delay, at least retry_initial. Default 10m.
  Duration retry_max = std::chrono::minutes(10);
  // An event not delivered by then is dropped. Default 24h.
  Duration give_up_after = std::chrono::hours(24);
};

// The whole file.
struct Config {
  std::vector<AirflowInstance> airflow;  // `airflow:`, at least one. Required.
  Storage storage;
  std::string display_timezone = "UTC";  // reports and charts bucket by this zone. Default UTC.
  std::vector<Rule> rules;
  std::vector<Channel> channels;  // in file order
  std::vector<Silence> silences;
  Notifications notifications;
};

namespace detail {
class Validator;
}  // namespace detail

// A Config that passed validation: names are unique, references resolve, time zones and cron
// expressions parse, every rule has exactly one kind, channel backoffs are filled in.
class ValidatedConfig {
 public:
  const Config& config() const { return config_; }
  const Config& operator*() const { return config_; }
  const Config* operator->() const { return &config_; }

  // The channel called `name`, or nullptr.
  const Channel* FindChannel(std::string_view name) const;

 private:
  friend class detail::Validator;
  explicit ValidatedConfig(Config config) : config_(std::move(config)) {}
  Config config_;
};

}  // namespace slayer::config
