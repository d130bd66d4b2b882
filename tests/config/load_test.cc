#include "config/load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/describe.h"
#include "config/fake_env.h"

// Golden files (tests/config/testdata):
//   good/NAME.yml           must load; when good/NAME.describe exists, DescribeConfig must equal it
//   bad/NAME.yml            must fail with exactly the text of bad/NAME.err
// Files are loaded as "NAME.yml" with the FakeWorld environment and files. To rewrite the
// expectations after an intended change, run with SLAYER_UPDATE_GOLDEN=1 and review the diff.

namespace slayer::config {
namespace {

namespace fs = std::filesystem;
using testing::AllSecrets;
using testing::FakeWorld;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool UpdateGolden() {
  const char* v = std::getenv("SLAYER_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::vector<fs::path> Files(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SLAYER_CONFIG_TESTDATA) / dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectNoSecrets(const std::string& text, const std::string& context) {
  for (const std::string& secret : AllSecrets()) {
    EXPECT_EQ(text.find(secret), std::string::npos)
        << context << " shows the secret " << secret << ":\n"
        << text;
  }
}

Result<ValidatedConfig> Load(std::string_view yaml, const FakeWorld& world = FakeWorld()) {
  return LoadConfigString(yaml, "slayer.yml", world.Options());
}

std::string LoadError(std::string_view yaml, const FakeWorld& world = FakeWorld()) {
  auto config = Load(yaml, world);
  if (config) return "loaded";
  ExpectNoSecrets(config.error().message(), "error");
  return config.error().message();
}

constexpr char kInstance[] = "airflow:\n  - {name: prod, database: \"${AIRFLOW_DB_URL}\"}\n";

TEST(GoldenConfigTest, GoodConfigsLoad) {
  FakeWorld world;
  auto files = Files("good", ".yml");
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto config = LoadConfigString(ReadFile(path), path.filename().string(), world.Options());
    ASSERT_TRUE(config) << config.error().message();
    std::string description = DescribeConfig(*config);
    ExpectNoSecrets(description, path.filename().string());
    fs::path golden = path;
    golden.replace_extension(".describe");
    if (UpdateGolden()) {
      std::ofstream(golden, std::ios::binary) << description;
    } else if (fs::exists(golden)) {
      EXPECT_EQ(description, ReadFile(golden));
    }
  }
}

TEST(GoldenConfigTest, BadConfigsFailWithTheExpectedMessages) {
  FakeWorld world;
  auto files = Files("bad", ".yml");
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto config = LoadConfigString(ReadFile(path), path.filename().string(), world.Options());
    ASSERT_FALSE(config) << "loaded, but should have failed";
    const std::string& message = config.error().message();
    EXPECT_EQ(config.error().code(), StatusCode::kInvalidArgument);
    ExpectNoSecrets(message, path.filename().string());
    fs::path golden = path;
    golden.replace_extension(".err");
    if (UpdateGolden()) {
      std::ofstream(golden, std::ios::binary) << message << "\n";
    } else {
      EXPECT_EQ(message + "\n", ReadFile(golden));
    }
  }
}

TEST(LoadConfigTest, DeployExampleLoads) {
  FakeWorld world;
  fs::path path = fs::path(SLAYER_SOURCE_DIR) / "deploy" / "slayer.example.yml";
  auto config = LoadConfigString(ReadFile(path), "deploy/slayer.example.yml", world.Options());
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_FALSE(config->config().rules.empty());
  ExpectNoSecrets(DescribeConfig(*config), "deploy example");
}

TEST(LoadConfigTest, SpecExampleIsUnderstood) {
  using namespace std::chrono;
  FakeWorld world;
  auto path = fs::path(SLAYER_CONFIG_TESTDATA) / "good" / "spec_example.yml";
  auto config = LoadConfigString(ReadFile(path), "spec_example.yml", world.Options());
  ASSERT_TRUE(config) << config.error().message();
  const Config& c = config->config();
  ASSERT_EQ(c.airflow.size(), 1u);
  EXPECT_EQ(c.airflow[0].name, "prod");
  EXPECT_EQ(c.airflow[0].database.backend, db::Backend::kPostgres);
  EXPECT_EQ(c.airflow[0].database.password, testing::kDbPassword);
  EXPECT_EQ(c.airflow[0].poll_interval, seconds(10));
  EXPECT_EQ(c.storage.url.database, "/var/lib/slayer/slayer.db");
  ASSERT_EQ(c.rules.size(), 4u);

  const Rule& hourly = c.rules[0];
  EXPECT_EQ(hourly.name, "hourly-data-in-2h");
  ASSERT_EQ(hourly.match.dag_id.size(), 1u);
  EXPECT_EQ(hourly.match.dag_id[0].pattern(), "events_*");
  EXPECT_EQ(hourly.match.tags, std::vector<std::string>{"critical"});
  EXPECT_EQ(hourly.match.owner, "data-eng");
  ASSERT_TRUE(hourly.deadline);
  EXPECT_EQ(hourly.kind(), RuleKind::kDeadline);
  EXPECT_EQ(hourly.deadline->reference, Reference::kLogicalDate);
  EXPECT_EQ(hourly.deadline->interval, hours(2));
  EXPECT_TRUE(hourly.deadline->CountsExpectedRuns());
  EXPECT_EQ(hourly.severity, Severity::kCritical);
  EXPECT_EQ(hourly.notify, (std::vector<std::string>{"pagerduty", "slack"}));
  EXPECT_EQ(hourly.labels.at("team"), "events");

  const Rule& extract = c.rules[1];
  ASSERT_EQ(extract.tasks.size(), 1u);
  EXPECT_EQ(extract.tasks[0].pattern(), "extract_*");
  EXPECT_EQ(extract.deadline->reference, Reference::kTaskStartDate);
  EXPECT_EQ(extract.deadline->interval, minutes(45));
  EXPECT_FALSE(extract.deadline->CountsExpectedRuns());
  EXPECT_EQ(extract.severity, Severity::kWarning);

  const Rule& report = c.rules[2];
  ASSERT_TRUE(report.at);
  EXPECT_EQ(report.kind(), RuleKind::kWallClock);
  EXPECT_EQ(report.at->cron, "0 9 * * MON-FRI");
  EXPECT_EQ(report.at->timezone, "Europe/Berlin");
  ASSERT_EQ(report.at->skip_dates.size(), 1u);
  EXPECT_EQ(report.at->skip_dates[0], year_month_day(year(2026), December, day(25)));
  EXPECT_EQ(report.at->window_start, minutes(0));

  const Rule& fresh = c.rules[3];
  EXPECT_EQ(fresh.kind(), RuleKind::kFreshness);
  EXPECT_EQ(*fresh.freshness, hours(24));

  ASSERT_EQ(c.channels.size(), 5u);
  const Channel* pd = config->FindChannel("pagerduty");
  ASSERT_NE(pd, nullptr);
  EXPECT_EQ(pd->type, ChannelType::kPagerduty);
  EXPECT_EQ(pd->routing_key.value, testing::kPagerDutyKey);  // trimmed of its newline
  EXPECT_EQ(pd->routing_key.origin, "file /etc/slayer/pd_key");
  EXPECT_EQ(pd->url, "https://events.pagerduty.com/v2/enqueue");
  const Channel* slack = config->FindChannel("slack");
  ASSERT_NE(slack, nullptr);
  EXPECT_EQ(slack->webhook_url.value, testing::kSlackWebhook);
  EXPECT_EQ(slack->webhook_url.origin, "env SLACK_WEBHOOK_URL");
  const Channel* mail = config->FindChannel("mail");
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(mail->to, std::vector<std::string>{"oncall@example.com"});
  EXPECT_EQ(config->FindChannel("hook")->secret.value, testing::kHookSecret);
  EXPECT_EQ(config->FindChannel("nope"), nullptr);
  // Channel backoffs come from `notifications:` when not given.
  EXPECT_EQ(slack->backoff->initial, seconds(5));
  EXPECT_EQ(slack->backoff->max, minutes(10));

  ASSERT_EQ(c.silences.size(), 1u);
  EXPECT_EQ(c.silences[0].cron, "0 2 * * SUN");
  EXPECT_EQ(c.silences[0].duration, hours(2));
  EXPECT_EQ(c.silences[0].match.dag_id[0].pattern(), "*");
}

TEST(LoadConfigTest, DefaultsApplyToAMinimalConfig) {
  using namespace std::chrono;
  auto config = Load(kInstance);
  ASSERT_TRUE(config) << config.error().message();
  const AirflowInstance& a = config->config().airflow[0];
  EXPECT_EQ(a.poll_interval, seconds(10));
  EXPECT_EQ(a.horizon, days(7));
  EXPECT_TRUE(a.airflow_native);
  EXPECT_EQ(a.airflow_url, "");
  EXPECT_EQ(a.connect_timeout, seconds(5));
  EXPECT_EQ(a.statement_timeout, seconds(10));
  EXPECT_EQ(a.health.heartbeat_timeout, seconds(60));
  EXPECT_EQ(config->config().storage.url.ToString(), "sqlite:////var/lib/slayer/slayer.db");
  EXPECT_EQ(config->config().storage.retention, days(400));
  EXPECT_EQ(config->config().display_timezone, "UTC");
  EXPECT_TRUE(config->config().rules.empty());
  EXPECT_TRUE(config->config().channels.empty());
  EXPECT_EQ(config->config().notifications.give_up_after, hours(24));
}

TEST(LoadConfigTest, CanaryRule) {
  auto config = Load(std::string(kInstance) + R"(
rules:
  - name: heartbeat-dag
    match: {dag_id: canary}
    reference: dagrun.data_interval_end
    interval: 10m
    canary: true
  - {name: plain, match: {}, reference: dagrun.logical_date, interval: 1h, canary: false}
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_TRUE(config->config().rules[0].canary);
  EXPECT_FALSE(config->config().rules[1].canary);
}

TEST(LoadConfigTest, CanaryOnAWallClockRuleIsAnErrorAtItsPosition) {
  auto config = Load(std::string(kInstance) + R"(
rules:
  - name: report
    match: {dag_id: report}
    at: "0 9 * * *"
    canary: true
)");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find(
                ":8:13: 'canary' in rule 'report' applies only to deadline rules (reference + "
                "interval), not to a wall clock rule"),
            std::string::npos)
      << config.error().message();
}

TEST(LoadConfigTest, RuleAndChannelDefaults) {
  using namespace std::chrono;
  auto config = Load(std::string(kInstance) + R"(
notifications: {retry_initial: 1s, retry_max: 1m, give_up_after: 2h}
rules:
  - {name: r, match: {}, freshness: 1h}
  - {name: t, match: {}, tasks: "load_*", reference: task.queued_at, interval: -5m}
  - {name: f, match: {}, reference: {fixed: "2026-03-01T12:00:00+01:00"}}
  - {name: w, match: {}, at: "@daily"}
channels:
  hook: {type: webhook, url: "http://hook", backoff: {max: 5m}}
  am: {type: alertmanager, url: "http://am:9093", send_resolved: false, timeout: 3s,
       max_retries: 4, backoff: {initial: 2s, max: 30s}}
)");
  ASSERT_TRUE(config) << config.error().message();
  const Rule& r = config->config().rules[0];
  EXPECT_TRUE(r.match.MatchesEveryDag());
  EXPECT_EQ(r.severity, Severity::kWarning);
  EXPECT_TRUE(r.notify.empty());
  EXPECT_EQ(r.on_failure, OnFailure::kAlert);
  EXPECT_FALSE(r.alert_when_paused);
  EXPECT_FALSE(r.at_risk);
  EXPECT_FALSE(r.canary);
  EXPECT_TRUE(r.tasks.empty());
  const Rule& t = config->config().rules[1];
  EXPECT_EQ(t.deadline->interval, -minutes(5));  // negative intervals are allowed
  EXPECT_EQ(t.tasks[0].pattern(), "load_*");
  const Rule& f = config->config().rules[2];
  EXPECT_EQ(f.deadline->reference, Reference::kFixed);
  EXPECT_EQ(FormatRfc3339(f.deadline->fixed), "2026-03-01T11:00:00Z");
  EXPECT_EQ(f.deadline->interval, Duration::zero());  // optional with a fixed reference
  const Rule& w = config->config().rules[3];
  EXPECT_EQ(w.at->cron, "@daily");
  EXPECT_EQ(w.at->timezone, "UTC");
  EXPECT_FALSE(w.at->window_start.has_value());
  const Channel& hook = *config->FindChannel("hook");
  EXPECT_TRUE(hook.send_resolved);
  EXPECT_EQ(hook.timeout, seconds(10));
  EXPECT_FALSE(hook.max_retries.has_value());
  EXPECT_EQ(hook.backoff->initial, seconds(1));  // from notifications
  EXPECT_EQ(hook.backoff->max, minutes(5));
  const Channel& am = *config->FindChannel("am");
  EXPECT_FALSE(am.send_resolved);
  EXPECT_EQ(am.timeout, seconds(3));
  EXPECT_EQ(am.max_retries, 4);
  EXPECT_EQ(am.backoff->initial, seconds(2));
  EXPECT_EQ(am.backoff->max, seconds(30));
}

TEST(LoadConfigTest, ExpandsEnvironmentVariablesInEveryValue) {
  using namespace std::chrono;
  FakeWorld world;
  world.env["POLL"] = "30s";
  world.env["INSTANCE"] = "staging";
  auto config = Load(R"(
airflow:
  - name: ${INSTANCE}
    database: ${AIRFLOW_DB_URL}
    poll_interval: ${POLL}
    horizon: ${HORIZON:-3d}
    airflow_native: ${NATIVE:-false}
    airflow_url: "https://${INSTANCE}.example.com"
storage: ${STORE_URL}
rules:
  - {name: r, match: {dag_id: "${INSTANCE}_*"}, freshness: 1h, labels: {env: "${INSTANCE}"}}
)",
                     world);
  ASSERT_TRUE(config) << config.error().message();
  const AirflowInstance& a = config->config().airflow[0];
  EXPECT_EQ(a.name, "staging");
  EXPECT_EQ(a.database.host, "db");
  EXPECT_EQ(a.poll_interval, seconds(30));
  EXPECT_EQ(a.horizon, days(3));
  EXPECT_FALSE(a.airflow_native);
  EXPECT_EQ(a.airflow_url, "https://staging.example.com");
  EXPECT_EQ(config->config().storage.url.backend, db::Backend::kPostgres);
  EXPECT_EQ(config->config().storage.url.password, testing::kStoragePassword);
  EXPECT_TRUE(config->config().rules[0].match.Matches("staging_etl", {}, ""));
  EXPECT_EQ(config->config().rules[0].labels.at("env"), "staging");
  ExpectNoSecrets(DescribeConfig(*config), "describe");
}

TEST(LoadConfigTest, ReadsSecretsFromFiles) {
  FakeWorld world;
  world.files["/etc/slayer/smtp_pw"] = std::string("  ") + testing::kSmtpPassword + "\r\n";
  auto config = Load(R"(
airflow:
  - {name: prod, database_file: /etc/slayer/db_url}
storage: {url_file: /etc/slayer/db_url_pg, retention: 30d}
channels:
  mail: {type: email, url: "smtps://mail:465", from: a@example.com, to: b@example.com,
         username: slayer, password_file: /etc/slayer/smtp_pw}
)",
                     [&] {
                       world.files["/etc/slayer/db_url_pg"] =
                           std::string("postgresql://s:") + testing::kStoragePassword + "@h/s";
                       return world;
                     }());
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->config().airflow[0].database.backend, db::Backend::kMysql);
  EXPECT_EQ(config->config().airflow[0].database.password, testing::kDbPassword);
  EXPECT_EQ(config->config().storage.url.password, testing::kStoragePassword);
  EXPECT_EQ(config->config().storage.retention, std::chrono::days(30));
  const Channel& mail = *config->FindChannel("mail");
  EXPECT_EQ(mail.password.value, testing::kSmtpPassword);  // trimmed
  EXPECT_EQ(mail.password.origin, "file /etc/slayer/smtp_pw");
  EXPECT_EQ(mail.to, std::vector<std::string>{"b@example.com"});
  ExpectNoSecrets(DescribeConfig(*config), "describe");
}

TEST(LoadConfigTest, RelativeSecretFilesAreRelativeToTheConfigFile) {
  FakeWorld world;
  world.files["/etc/slayer/conf.d/secrets/pd"] = testing::kPagerDutyKey;
  auto yaml =
      std::string(kInstance) + "channels: {pd: {type: pagerduty, routing_key_file: secrets/pd}}\n";
  auto config = LoadConfigString(yaml, "/etc/slayer/conf.d/slayer.yml", world.Options());
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->FindChannel("pd")->routing_key.value, testing::kPagerDutyKey);
  EXPECT_EQ(config->FindChannel("pd")->routing_key.origin, "file /etc/slayer/conf.d/secrets/pd");
}

TEST(LoadConfigTest, ReadsChannelTemplatesAndCaFiles) {
  FakeWorld world;
  world.files["/etc/slayer/conf.d/certs/ca.pem"] = world.files["/etc/slayer/ca.pem"];
  auto config = LoadConfigString(std::string(kInstance) + R"(
channels:
  slack:
    type: slack
    webhook_url: ${SLACK_WEBHOOK_URL}
    title: "{{dag_id}} late"
    text: "{{summary}} {{labels.team}}"
    ca_file: certs/ca.pem
  am: {type: alertmanager, url: "http://am:9093", ca_file: /etc/slayer/ca.pem}
)",
                                 "/etc/slayer/conf.d/slayer.yml", world.Options());
  ASSERT_TRUE(config) << config.error().message();
  const Channel& slack = *config->FindChannel("slack");
  EXPECT_EQ(slack.title, "{{dag_id}} late");
  EXPECT_EQ(slack.text, "{{summary}} {{labels.team}}");
  EXPECT_EQ(slack.ca_file, "/etc/slayer/conf.d/certs/ca.pem");  // relative to the config file
  const Channel& am = *config->FindChannel("am");
  EXPECT_EQ(am.ca_file, "/etc/slayer/ca.pem");
  EXPECT_TRUE(am.title.empty());
  EXPECT_TRUE(am.text.empty());
}

TEST(LoadConfigTest, MergeKeysShareRuleDefaults) {
  auto config = Load(std::string(kInstance) + R"(
channels: {am: {type: alertmanager, url: "http://am"}}
x-defaults: &defaults
  severity: critical
  notify: [am]
rules:
  - <<: *defaults
    name: a
    match: {}
    freshness: 1h
  - <<: *defaults
    name: b
    match: {}
    freshness: 2h
    severity: info
)");
  // x-defaults is not a SLAyer key.
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "slayer.yml:5:1: unknown key 'x-defaults' at the top level (accepted: airflow, "
            "storage, display_timezone, rules, channels, silences, notifications)");

  config = Load(std::string(kInstance) + R"(
channels: {am: {type: alertmanager, url: "http://am"}}
rules:
  - &a
    name: a
    match: {}
    freshness: 1h
    severity: critical
    notify: [am]
  - <<: *a
    name: b
    severity: info
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->config().rules[1].name, "b");
  EXPECT_EQ(config->config().rules[1].severity, Severity::kInfo);  // explicit keys win
  EXPECT_EQ(config->config().rules[1].notify, std::vector<std::string>{"am"});
  EXPECT_EQ(*config->config().rules[1].freshness, std::chrono::hours(1));
}

TEST(LoadConfigTest, SecretsStayOutOfErrors) {
  // A password with an unencoded '/' is read as a password (the authority ends at the first
  // '/' after the last '@') and never shown.
  FakeWorld world;
  world.env["AIRFLOW_DB_URL"] = "postgresql://airflow:Db-Pa55/7fq2Xz@db:5432/airflow";
  auto loaded = Load(kInstance, world);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ((*loaded)->airflow[0].database.password, "Db-Pa55/7fq2Xz");
  EXPECT_EQ(DescribeConfig(*loaded).find("7fq2Xz"), std::string::npos);
  // Broken elsewhere (the port), the error shows neither the password nor a part of it.
  world.env["AIRFLOW_DB_URL"] = "postgresql://airflow:Db-Pa55/7fq2Xz@db:port/airflow";
  std::string error = LoadError(kInstance, world);
  EXPECT_NE(error.find("port 'port' is not a number"), std::string::npos) << error;
  EXPECT_EQ(error.find("7fq2Xz"), std::string::npos);
  EXPECT_EQ(error.find("Db-Pa55"), std::string::npos);

  // A URL without a scheme is not redacted by the DSN parser; we do it.
  world.env["AIRFLOW_DB_URL"] = "airflow:Db-Pa55-7fq2Xz@db/airflow";
  error = LoadError(kInstance, world);
  EXPECT_NE(error.find("invalid database URL 'airflow:***@db/airflow'"), std::string::npos)
      << error;

  // Secret query parameters.
  world.env["AIRFLOW_DB_URL"] = "postgresql://db/airflow?password=Db-Pa55-7fq2Xz&x";
  error = LoadError(kInstance, world);
  EXPECT_EQ(error.find("Db-Pa55"), std::string::npos) << error;

  // A secret value that is not a URL is described, never shown.
  world.env["SLACK_WEBHOOK_URL"] = "SLACK-9kQ2mZ";
  error = LoadError(std::string(kInstance) +
                        "channels: {slack: {type: slack, webhook_url: \"${SLACK_WEBHOOK_URL}\"}}\n",
                    world);
  EXPECT_EQ(error,
            "slayer.yml:3:46: 'webhook_url' in channel 'slack' (env SLACK_WEBHOOK_URL) must be an "
            "https:// URL such as https://hooks.slack.com/services/...; the value is not shown "
            "because it is a secret");
}

TEST(LoadConfigTest, SecretsFromFilesStayOutOfErrorsToo) {
  FakeWorld world;
  world.files["/etc/slayer/db_url"] =
      std::string("postgres://u:") + testing::kDbPassword + "@db:99999/airflow";
  std::string error =
      LoadError("airflow: [{name: prod, database_file: /etc/slayer/db_url}]\n", world);
  EXPECT_EQ(error,
            "slayer.yml:1:39: 'database_file' in airflow instance 'prod': invalid database URL "
            "'postgres://u:***@db:99999/airflow': port '99999' is not a number from 1 to 65535");
}

TEST(LoadConfigTest, ReportsEveryErrorUpToALimit) {
  std::string yaml = std::string(kInstance) + "rules:\n";
  for (int i = 0; i < 25; ++i) {
    yaml += "  - {name: r" + std::to_string(i) + ", match: {}, freshness: soon}\n";
  }
  std::string error = LoadError(yaml);
  size_t lines = std::count(error.begin(), error.end(), '\n') + 1;
  EXPECT_EQ(lines, 21u);
  EXPECT_NE(error.find("slayer.yml:4:38: 'freshness' in rule 'r0': invalid duration 'soon'"),
            std::string::npos)
      << error;
  EXPECT_TRUE(error.ends_with("\nslayer.yml: 5 more errors not shown")) << error;
}

TEST(LoadConfigFileTest, ReadsFromDiskAndNamesTheFile) {
  fs::path dir = fs::temp_directory_path() / ("slayer_config_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "slayer.yml";
  std::ofstream(file) << "airflow:\n  - {name: prod, database: \"sqlite:////tmp/airflow.db\"}\n"
                         "channels: {pd: {type: pagerduty, routing_key_file: pd_key}}\n";
  std::ofstream(dir / "pd_key") << "key-from-disk\n";
  auto config = LoadConfigFile(file.string());
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->config().airflow[0].database.database, "/tmp/airflow.db");
  EXPECT_EQ(config->FindChannel("pd")->routing_key.value, "key-from-disk");

  std::ofstream(file) << "airflow:\n  - {name: prod, database: \"sqlite:////tmp/a.db\"}\n"
                         "rules: [{name: r, match: {}, freshness: 1x}]\n";
  config = LoadConfigFile(file.string());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            file.string() +
                ":3:41: 'freshness' in rule 'r': invalid duration '1x': unknown unit 'x' "
                "(examples: 90s, 45m, 2h, 7d, 1h30m)");

  auto missing = LoadConfigFile((dir / "nope.yml").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "config file: cannot read " + (dir / "nope.yml").string() +
                                           ": No such file or directory");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slayer::config
