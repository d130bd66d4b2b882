#include "config/validate.h"

#include <gtest/gtest.h>

namespace slayer::config {
namespace {

using namespace std::chrono;

Config Minimal() {
  Config c;
  AirflowInstance a;
  a.name = "prod";
  a.database = *db::Dsn::Parse("sqlite:////tmp/airflow.db");
  c.airflow.push_back(a);
  return c;
}

Rule Fresh(std::string name) {
  Rule r;
  r.name = std::move(name);
  r.freshness = hours(1);
  return r;
}

std::string Error(const Config& c) {
  auto v = Validate(c);
  return v ? "valid" : v.error().message();
}

TEST(ValidateTest, AcceptsAConfigBuiltInCode) {
  Config c = Minimal();
  c.rules.push_back(Fresh("r"));
  Channel ch;
  ch.name = "am";
  ch.type = ChannelType::kAlertmanager;
  ch.url = "http://am:9093";
  c.channels.push_back(ch);
  c.rules[0].notify = {"am"};
  auto v = Validate(c);
  ASSERT_TRUE(v) << v.error().message();
  // Backoffs are filled in from `notifications`.
  ASSERT_TRUE(v->FindChannel("am")->backoff.has_value());
  EXPECT_EQ(v->FindChannel("am")->backoff->initial, seconds(5));
  EXPECT_EQ(v->FindChannel("am")->backoff->max, minutes(10));
}

TEST(ValidateTest, ErrorsWithoutAFileNameThePath) {
  Config c = Minimal();
  c.airflow.push_back(c.airflow[0]);
  c.airflow[0].poll_interval = milliseconds(500);
  Rule none;
  none.name = "bad name";
  c.rules.push_back(none);
  Rule two = Fresh("two");
  two.deadline = Deadline{};
  c.rules.push_back(two);
  Rule task = Fresh("task");
  task.freshness.reset();
  task.deadline = Deadline{.reference = Reference::kTaskStartDate, .interval = minutes(5)};
  task.notify = {"nowhere"};
  task.labels = {{"dag_id", "x"}, {"9x", "y"}, {"__a", "z"}, {"team", "ok"}};
  c.rules.push_back(task);
  EXPECT_EQ(Error(c),
            "airflow[0].poll_interval: 'poll_interval' in airflow instance 'prod' must be at least "
            "1s, got 500ms\n"
            "airflow[1].name: airflow instance name 'prod' is used twice (first at "
            "airflow[0].name); names must be unique\n"
            "rules[0].name: rule name 'bad name' may contain only letters, digits, '_', '-' and "
            "'.'\n"
            "rules[0]: rule 'bad name' has no kind: give 'reference' and 'interval' (a deadline), "
            "'at' (a wall clock time) or 'freshness'\n"
            "rules[1]: rule 'two' has more than one kind; a rule has exactly one of reference + "
            "interval, at, freshness\n"
            "rules[1].interval: 'interval' in rule 'two' must not be 0s (need-by = reference + "
            "interval; it may be negative)\n"
            "rules[2].reference: 'reference' in rule 'task' is task.start_date, which needs "
            "'tasks' (the tasks whose instances are timed, e.g. tasks: [\"extract_*\"])\n"
            "rules[2].notify[0]: 'notify' in rule 'task': unknown channel 'nowhere'; no channels "
            "are defined under 'channels:'\n"
            "rules[2].labels.9x: label name '9x' in rule 'task' is not a valid Prometheus label "
            "name ([a-zA-Z_][a-zA-Z0-9_]*)\n"
            "rules[2].labels.__a: label name '__a' in rule 'task' starts with '__', which "
            "Prometheus reserves\n"
            "rules[2].labels.dag_id: label name 'dag_id' in rule 'task' clashes with SLAyer's own "
            "label of that name (reserved: airflow_instance, rule, dag_id, task_id, run_id, "
            "severity, execution_date, outcome, le)");
}

TEST(ValidateTest, NeedsAnInstance) {
  EXPECT_EQ(Error(Config{}), "airflow: 'airflow' needs at least one Airflow instance");
}

TEST(ValidateTest, ChecksChannelsByType) {
  Config c = Minimal();
  Channel slack;
  slack.name = "slack";
  slack.type = ChannelType::kSlack;
  c.channels.push_back(slack);
  Channel mail;
  mail.name = "mail";
  mail.type = ChannelType::kEmail;
  mail.url = "http://mail";
  mail.from = "nobody";
  mail.password = {"pw-value", "inline"};
  c.channels.push_back(mail);
  Channel am;
  am.name = "am";
  am.type = ChannelType::kAlertmanager;
  am.url = "am:9093";
  am.backoff = Backoff{seconds(10), seconds(1)};
  c.channels.push_back(am);
  EXPECT_EQ(Error(c),
            "channels.slack: slack channel 'slack' needs 'webhook_url' or 'webhook_url_file'\n"
            "channels.mail.url: 'url' in channel 'mail' must be smtp://host:port (STARTTLS) or "
            "smtps://host:port (TLS)\n"
            "channels.mail.from: 'from' in channel 'mail': 'nobody' is not an email address\n"
            "channels.mail: email channel 'mail' needs 'to', the recipient addresses\n"
            "channels.mail: email channel 'mail' has a password but no 'username' to log in with\n"
            "channels.am.url: 'url' in channel 'am' must be an http:// or https:// URL\n"
            "channels.am.backoff.max: 'max' in 'backoff' in channel 'am' (1s) must not be less "
            "than 'initial' (10s)");
}

TEST(ValidateTest, ChecksMessageTemplates) {
  Config c = Minimal();
  Channel am;
  am.name = "am";
  am.type = ChannelType::kAlertmanager;
  am.url = "http://am:9093";
  am.title = "{{dag_id}} late by {{overdue}} ({{labels.team}})";
  am.text = "{{summary}}\n{{ url }}";
  c.channels.push_back(am);
  ASSERT_EQ(Error(c), "valid");

  c.channels[0].title = "{{dag_id}} late by {{overdu}}";
  c.channels[0].text = "{{summary";
  Channel hook;
  hook.name = "hook";
  hook.type = ChannelType::kWebhook;
  hook.url = "https://example.com/hook";
  hook.title = "{{summary}}";
  hook.headers = {{"IDEMPOTENCY-KEY", "x"}};
  c.channels.push_back(hook);
  std::string error = Error(c);
  EXPECT_NE(error.find("channels.am.title: 'title' in channel 'am': unknown placeholder "
                       "'{{overdu}}' at character 20 (did you mean '{{overdue}}'?); valid "
                       "placeholders: kind, summary, "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\nchannels.am.text: 'text' in channel 'am': '{{' at character 1 "
                       "('{{summary') is never closed with '}}'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\nchannels.hook.title: 'title' in channel 'hook': a webhook posts a "
                       "fixed JSON body; templates apply to the other channel types"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\nchannels.hook.headers.IDEMPOTENCY-KEY: header 'IDEMPOTENCY-KEY' in "
                       "channel 'hook' is set by SLAyer itself"),
            std::string::npos)
      << error;
}

TEST(ValidateTest, ChecksRangesAndStorage) {
  Config c = Minimal();
  c.storage.url = *db::Dsn::Parse("mysql://u@h/db");
  c.storage.retention = Duration::zero();
  c.notifications.retry_max = seconds(1);
  c.airflow[0].horizon = -hours(1);
  c.airflow[0].airflow_url = "airflow.example.com";
  EXPECT_EQ(Error(c),
            "airflow[0].horizon: 'horizon' in airflow instance 'prod' must be positive, got -1h\n"
            "airflow[0].airflow_url: 'airflow_url' in airflow instance 'prod' must be an http:// "
            "or https:// URL such as https://airflow.example.com\n"
            "storage.url: 'storage' must be sqlite:///path or postgresql://...; MySQL is not "
            "supported for SLAyer's own store\n"
            "storage.retention: 'retention' in 'storage' must be positive, got 0s\n"
            "notifications.retry_max: 'retry_max' in 'notifications' (1s) must not be less than "
            "'retry_initial' (5s)");
}

// Cron and time zones come from src/cron.
TEST(ValidateTest, ChecksCronAndTimeZones) {
  Config c = Minimal();
  c.display_timezone = "Mars/Olympus";
  Rule r;
  r.name = "w";
  r.at = WallClock{.cron = "0 9 * * MON-FRI", .timezone = "Europe/Berlin"};
  c.rules.push_back(r);
  ASSERT_EQ(Error(c),
            "display_timezone: 'display_timezone': unknown time zone 'Mars/Olympus' (use an IANA "
            "name such as UTC, Europe/Berlin or America/New_York)");
  c.display_timezone = "America/New_York";
  c.rules[0].at->cron = "0 0 30 2 *";
  EXPECT_EQ(Error(c),
            "rules[0].at.cron: 'cron' in 'at' in rule 'w': cron '0 0 30 2 *' never "
            "matches any date");
  c.rules[0].at->cron = "@daily";
  EXPECT_EQ(Error(c), "valid");
}

}  // namespace
}  // namespace slayer::config
