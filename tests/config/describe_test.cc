#include "config/describe.h"

#include <gtest/gtest.h>

#include "config/fake_env.h"
#include "config/load.h"

namespace slayer::config {
namespace {

using testing::AllSecrets;
using testing::FakeWorld;

std::string Describe(std::string_view yaml) {
  FakeWorld world;
  auto config = LoadConfigString(yaml, "slayer.yml", world.Options());
  if (!config) return "error: " + config.error().message();
  std::string text = DescribeConfig(*config);
  for (const std::string& secret : AllSecrets()) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "shows " << secret << ":\n" << text;
  }
  return text;
}

std::string Line(const std::string& text, std::string_view prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return "(no line starting with " + std::string(prefix) + ")";
  return text.substr(at, text.find('\n', at) - at);
}

constexpr char kHead[] = R"(
airflow:
  - name: prod
    database: ${AIRFLOW_DB_URL}
channels:
  pagerduty: {type: pagerduty, routing_key_file: /etc/slayer/pd_key}
  slack: {type: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}
)";

TEST(DescribeConfigTest, RulesInPlainWords) {
  std::string text = Describe(std::string(kHead) + R"(
rules:
  - name: hourly-data-in-2h
    match: {dag_id: "events_*", tags: [critical], owner: data-eng}
    reference: dagrun.logical_date
    interval: 2h
    severity: critical
    notify: [pagerduty, slack]
    canary: true
  - name: runtime
    match: {dag_id: [a_*, b_*], tags: [x, y]}
    tasks: ["extract_*", load]
    reference: task.start_date
    interval: 45m
    on_failure: ignore
    at_risk: true
  - name: by-fixed
    match: {}
    reference: {fixed: "2026-01-01T09:00:00Z"}
  - name: early
    match: {owner: ops}
    reference: dagrun.queued_at
    interval: -5m
    alert_when_paused: true
  - name: report
    match: {dag_id: report}
    at: {cron: "0 9 * * MON-FRI", timezone: Europe/Berlin, skip_dates: [2026-12-25, 2027-01-01]}
    window_start: "06:30"
  - name: tick
    match: {}
    at: "@hourly"
  - name: fresh
    match: {tags: [critical]}
    freshness: 24h
    labels: {team: events, tier: "1"}
)");
  EXPECT_EQ(Line(text, "rule hourly-data-in-2h"),
            "rule hourly-data-in-2h: deadline per DAG run = dagrun.logical_date + 2h for DAGs "
            "matching dag_id events_* AND tag critical AND owner data-eng; severity critical; "
            "notify pagerduty, slack; runs never created count as missed; canary: exported as "
            "slayer_canary_*");
  EXPECT_EQ(Line(text, "rule runtime"),
            "rule runtime: deadline per task instance of tasks extract_* or load = "
            "task.start_date + 45m for DAGs matching dag_id a_* or b_* AND tag x or y; severity "
            "warning; notify nobody; failures ignored; notifies when at risk");
  EXPECT_EQ(Line(text, "rule by-fixed"),
            "rule by-fixed: deadline per DAG run = fixed 2026-01-01T09:00:00Z for every DAG; "
            "severity warning; notify nobody");
  EXPECT_EQ(Line(text, "rule early"),
            "rule early: deadline per DAG run = dagrun.queued_at - 5m for DAGs matching owner "
            "ops; severity warning; notify nobody; alerts for paused DAGs too");
  EXPECT_EQ(Line(text, "rule report"),
            "rule report: wall clock: at each \"0 9 * * MON-FRI\" in Europe/Berlin except "
            "2026-12-25, 2027-01-01, a successful run must have ended since 06:30 local time for "
            "DAGs matching dag_id report; severity warning; notify nobody");
  EXPECT_EQ(Line(text, "rule tick"),
            "rule tick: wall clock: at each \"@hourly\" in UTC, a successful run must have ended "
            "since the previous tick for every DAG; severity warning; notify nobody");
  EXPECT_EQ(Line(text, "rule fresh"),
            "rule fresh: freshness: the last successful run ended less than 1d ago for DAGs "
            "matching tag critical; severity warning; notify nobody; labels team=events, tier=1");
}

TEST(DescribeConfigTest, EverySection) {
  std::string text = Describe(R"(
airflow:
  - name: prod
    database: ${AIRFLOW_DB_URL}
    airflow_url: "https://admin:Db-Pa55-7fq2Xz@airflow.example.com"
  - name: files
    database_file: /etc/slayer/db_url
    poll_interval: 1m
    airflow_native: false
storage: ${STORE_URL}
channels:
  pagerduty: {type: pagerduty, routing_key_file: /etc/slayer/pd_key}
  slack: {type: slack, webhook_url: "${SLACK_WEBHOOK_URL}", send_resolved: false}
  am: {type: alertmanager, url: "http://alertmanager:9093", max_retries: 3}
  mail: {type: email, url: "smtp://mail:587", from: slayer@example.com,
         to: [a@example.com, b@example.com], username: slayer, password: "${SMTP_PASSWORD}"}
  hook: {type: webhook, url: "https://example.com/hook?token=HDR-TOKEN-2wE6bN",
         secret_file: /etc/slayer/hook_secret, headers: {Authorization: "${HOOK_TOKEN}"}}
silences:
  - {match: {dag_id: "*"}, cron: "0 2 * * SUN", duration: 2h}
)");
  EXPECT_EQ(Line(text, "  prod:"),
            "  prod: postgresql://airflow:***@db:5432/airflow; poll every 10s; track runs of the "
            "last 7d; Airflow's own SLAs and deadlines on; timeouts: connect 5s, statement 10s, "
            "scheduler heartbeat 1m; links to https://admin:***@airflow.example.com");
  EXPECT_EQ(Line(text, "  files:"),
            "  files: mysql://airflow:***@mysql:3306/airflow; poll every 1m; track runs of the "
            "last 7d; Airflow's own SLAs and deadlines off; timeouts: connect 5s, statement 10s, "
            "scheduler heartbeat 1m");
  EXPECT_EQ(Line(text, "storage:"),
            "storage: postgresql://slayer:***@store/slayer; keep history for 400d");
  EXPECT_EQ(Line(text, "  pagerduty:"),
            "  pagerduty: pagerduty Events API v2 at https://events.pagerduty.com/v2/enqueue "
            "(routing key from file /etc/slayer/pd_key); sends recoveries; timeout 10s; retries "
            "after 5s, doubling up to 10m");
  EXPECT_EQ(Line(text, "  slack:"),
            "  slack: slack incoming webhook (URL from env SLACK_WEBHOOK_URL); does not send "
            "recoveries; timeout 10s; retries after 5s, doubling up to 10m");
  EXPECT_EQ(Line(text, "  am:"),
            "  am: alertmanager at http://alertmanager:9093; sends recoveries; timeout 10s; "
            "retries after 5s, doubling up to 10m, at most 3 times");
  EXPECT_EQ(Line(text, "  mail:"),
            "  mail: email via smtp://mail:587 from slayer@example.com to a@example.com, "
            "b@example.com, login slayer (password from env SMTP_PASSWORD); sends recoveries; "
            "timeout 10s; retries after 5s, doubling up to 10m");
  EXPECT_EQ(Line(text, "  hook:"),
            "  hook: webhook POST to https://example.com/hook?token=***, signed (secret from file "
            "/etc/slayer/hook_secret), headers Authorization; sends recoveries; timeout 10s; "
            "retries after 5s, doubling up to 10m");
  EXPECT_EQ(Line(text, "  silence #1"),
            "  silence #1: no notifications for DAGs matching dag_id * during 2h from each \"0 2 "
            "* * SUN\" in UTC");
  EXPECT_EQ(Line(text, "notifications:"),
            "notifications: retry after 5s, doubling up to 10m; give up after 1d");
  EXPECT_EQ(Line(text, "display time zone:"), "display time zone: UTC");
}

}  // namespace
}  // namespace slayer::config
