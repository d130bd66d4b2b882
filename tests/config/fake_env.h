// Hermetic stand-ins for the environment and the file system that config loading reads, with
// distinctive secrets that tests look for in every message and description.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/load.h"

namespace slayer::config::testing {

// Distinctive secrets: none of them may ever appear in an error or in DescribeConfig.
inline const char kDbPassword[] = "Db-Pa55-7fq2Xz";
inline const char kSlackWebhook[] = "https://hooks.slack.com/services/T000/B000/SLACK-9kQ2mZ";
inline const char kPagerDutyKey[] = "PD-ROUTING-3vN8wL";
inline const char kHookSecret[] = "HOOK-HMAC-5tR1pY";
inline const char kSmtpPassword[] = "SMTP-PW-8uJ4cV";
inline const char kHeaderToken[] = "Bearer HDR-TOKEN-2wE6bN";
inline const char kStoragePassword[] = "Store-Pw-4xC9aS";

// The secrets, and fragments of them (a partly printed password is a leak too).
inline std::vector<std::string> AllSecrets() {
  return {kDbPassword,   kSlackWebhook,      "SLACK-9kQ2mZ",   kPagerDutyKey, kHookSecret,
          kSmtpPassword, "HDR-TOKEN-2wE6bN", kStoragePassword, "7fq2Xz",      "Db-Pa55",
          "4xC9aS",      "3vN8wL",           "5tR1pY",         "8uJ4cV"};
}
struct FakeWorld {
  std::map<std::string, std::string> env = {
      {"AIRFLOW_DB_URL", std::string("postgresql://airflow:") + kDbPassword + "@db:5432/airflow"},
      {"SLACK_WEBHOOK_URL", kSlackWebhook},
      {"SMTP_PASSWORD", kSmtpPassword},
      {"HOOK_TOKEN", kHeaderToken},
      {"STORE_URL", std::string("postgresql://slayer:") + kStoragePassword + "@store/slayer"},
      {"EMPTY_VAR", ""},
  };
  std::map<std::string, std::string> files = {
      {"/etc/slayer/pd_key", std::string(kPagerDutyKey) + "\n"},
      {"/etc/slayer/hook_secret", std::string(kHookSecret) + "\n"},
      {"/etc/slayer/db_url",
       std::string("mysql://airflow:") + kDbPassword + "@mysql:3306/airflow\n"},
      {"/etc/slayer/staging_db_url",
       std::string("postgresql://airflow:") + kDbPassword + "@staging-db/airflow\n"},
      {"/etc/slayer/empty", "\n"},
      {"/etc/slayer/ca.pem",
       "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"},
  };

  LoadOptions Options() const {
    LoadOptions options;
    options.getenv = [this](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    options.read_file = [this](const std::string& path) -> Result<std::string> {
      auto it = files.find(path);
      if (it == files.end()) {
        return NotFoundError("cannot read " + path + ": No such file or directory");
      }
      return it->second;
    };
    return options;
  }
};

}  // namespace slayer::config::testing
