// `slayer report` as a user runs it: the built binary on a store filled here, compared with
// what GET /api/v1/report answers on the same store (the requirement: the two agree
// byte for byte).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/slayer_report_runner.h"
#include "config/load.h"
#include "insights/temp_store.h"
#include "insights/test_items.h"

namespace slayer::cli {
namespace {

using insights::test::Item;
using rules::ItemState;
using test::T;

using test::HttpGet;
using test::Outcome;

class ReportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_path_ = dir_.path() / "history" / "slayer.db";
    std::filesystem::create_directories(store_path_.parent_path());
    config_path_ = dir_.path() / "slayer.yml";
    WriteConfig(config_path_, store_path_);
    auto store = insights::test::OpenSqliteStore(store_path_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
    // A week in November, and one item an hour ago for the default window.
    std::vector<rules::Item> items = {
        Item("finance_etl", "by-9", "", "2025-11-23T08:00:00Z", ItemState::kMet),
        Item("finance_etl", "by-9", "", "2025-11-24T08:00:00Z", ItemState::kMetLate,
             std::chrono::seconds(90)),
        Item("finance_etl", "runtime", "extract", "2025-11-24T22:30:00Z", ItemState::kMetLate,
             std::chrono::minutes(45)),
        Item("finance_report", "by-9", "", "2025-11-25T08:00:00Z", ItemState::kMissed),
        Item("sales, \"EU\"", "by-9", "", "2025-11-26T08:00:00Z", ItemState::kAbandoned),
        Item("sales, \"EU\"", "by-9", "", "2025-11-27T08:00:00Z", ItemState::kPending),
        Item("recent", "by-9", "",
             FormatRfc3339(
                 std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                 std::chrono::hours(1)),
             ItemState::kMissed),
    };
    ASSERT_TRUE(store_->Upsert(items).ok());
  }

  static void WriteConfig(const std::filesystem::path& path, const std::filesystem::path& store) {
    std::ofstream(path) << "airflow:\n"
                           "  - name: prod\n"
                           "    database: postgresql://airflow@127.0.0.1:1/airflow\n"
                           "storage: sqlite://"
                        << store.string()
                        << "\n"
                           "display_timezone: Europe/Berlin\n";
  }

  Outcome Slayer(const std::vector<std::string>& args) {
    return test::RunReport(SLAYER_EXE, config_path_, args, dir_.path());
  }

  slayer::testing::TempDir dir_;
  std::filesystem::path store_path_;
  std::filesystem::path config_path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReportCommandTest, JsonIsTheApiDocumentByteForByte) {
  // The API of a server on the same config and store, as `slayer serve` wires it.
  auto config = config::LoadConfigFile(config_path_.string());
  ASSERT_TRUE(config) << config.error().message();
  const std::string zone = (*config)->display_timezone;
  auto server = test::ServeApi::Start(config_path_, {.store = [this] { return store_.get(); },
                                                     .display_timezone = [zone] { return zone; }});
  ASSERT_TRUE(server) << server.error().message();

  struct Case {
    std::vector<std::string> flags;
    std::string query;
    std::string since = "2025-11-20T00:00:00Z";
  };
  for (const Case& c : std::vector<Case>{
           {{}, ""},
           {{"--group-by", "rule"}, "&group_by=rule"},
           {{"--group-by", "task"}, "&group_by=task"},
           {{"--dag", "finance_*"}, "&dag_id=finance_*"},
           {{"--rule", "by-9", "--dag", "finance_etl"}, "&rule=by-9&dag_id=finance_etl"},
           {{}, "", "2025-11-25T00:00:00Z"},
       }) {
    std::vector<std::string> flags = {"--since",  c.since, "--until", "2025-12-01T00:00:00Z",
                                      "--format", "json"};
    flags.insert(flags.end(), c.flags.begin(), c.flags.end());
    Outcome cli = Slayer(flags);
    ASSERT_EQ(cli.rc, 0) << cli.err;
    const std::string query = "since=" + c.since + "&until=2025-12-01T00:00:00Z" + c.query;
    long status = 0;
    std::string api = HttpGet((*server)->port(), "/api/v1/report?" + query, &status);
    ASSERT_EQ(status, 200) << api;
    EXPECT_EQ(cli.out, api + "\n") << "flags: " << ::testing::PrintToString(flags);
    EXPECT_NE(api.find("\"groups\":[{"), std::string::npos) << api;
  }
}

TEST_F(ReportCommandTest, DefaultWindowIsTheLast30Days) {
  Outcome run = Slayer({"--format", "json"});
  ASSERT_EQ(run.rc, 0) << run.err;
  // Only the item of an hour ago: the November 2025 ones are a year old.
  EXPECT_NE(run.out.find("\"groups\":[{\"key\":{\"dag_id\":\"recent\"},\"evaluated\":1,\"met\":0,"
                         "\"met_late\":0,\"missed\":1,"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("finance"), std::string::npos) << run.out;
}

TEST_F(ReportCommandTest, Csv) {
  Outcome run = Slayer({"--since", "2025-11-20", "--until", "2025-12-01", "--format", "csv"});
  ASSERT_EQ(run.rc, 0) << run.err;
  std::vector<std::string> lines;
  std::stringstream in(run.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << run.out;
  EXPECT_EQ(lines[0].rfind("dag_id,evaluated,met,met_late,missed,abandoned,compliance,", 0), 0u);
  // finance_etl: met, met_late 90s (09:00 Berlin), met_late 45m (23:30 Berlin).
  EXPECT_EQ(lines[1],
            "finance_etl,3,1,2,0,0,0.3333333333333333,1395,90,2700,2700,"
            "0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1");
  EXPECT_EQ(lines[2].rfind("finance_report,1,0,0,1,0,0,,,,,", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("\"sales, \"\"EU\"\"\",1,0,0,0,1,0,,,,,", 0), 0u) << lines[3];
}

TEST_F(ReportCommandTest, TableWithHistograms) {
  Outcome run = Slayer({"--since", "2025-11-20", "--until", "2025-12-01", "--hours"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("DAG             EVALUATED  MET  MET_LATE  MISSED  ABANDONED  "
                         "COMPLIANCE  LATE_MEAN  LATE_P95  LATE_MAX\n"
                         "finance_etl             3    1         2       0          0       "
                         "33.3%     23m15s       45m       45m\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("TOTAL"), std::string::npos);
  EXPECT_NE(run.out.find("Misses by need-by hour in Europe/Berlin, dag_id=finance_etl: 2\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("  09 | " + std::string(40, '#') + " 1\n"), std::string::npos);
  EXPECT_NE(run.out.find("Misses by need-by hour in Europe/Berlin, dag_id=finance_report: 1\n"),
            std::string::npos);
}

TEST_F(ReportCommandTest, MissingStoreIsAClearErrorAndIsNotCreated) {
  const std::filesystem::path missing = dir_.path() / "nowhere" / "slayer.db";
  WriteConfig(config_path_, missing);
  Outcome run = Slayer({});
  EXPECT_EQ(run.rc, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "no history at " + missing.string() +
                         ": has `slayer serve` run with this storage? (the config's `storage:`, "
                         "or --storage.path sqlite:///path/to/slayer.db)\n");
  EXPECT_FALSE(std::filesystem::exists(missing.parent_path()));

  // --storage.path wins over the config: the real store again.
  run = Slayer({"--storage.path", "sqlite://" + store_path_.string(), "--format", "json"});
  EXPECT_EQ(run.rc, 0) << run.err;
  run = Slayer({"--storage.path", "sqlite://" + missing.string()});
  EXPECT_EQ(run.rc, 2);
  EXPECT_NE(run.err.find("no history at " + missing.string()), std::string::npos) << run.err;
}

TEST_F(ReportCommandTest, BadFlagsExit2WithTheFlagNamed) {
  struct Case {
    std::vector<std::string> flags;
    std::string err;
  };
  for (const Case& c : std::vector<Case>{
           {{"--format", "xml"}, "--format: must be table, json or csv, not 'xml'"},
           {{"--group-by", "owner"}, "--group-by: must be dag, rule or task, not 'owner'"},
           {{"--since", "yesterday"}, "--since: 'yesterday' is neither a duration"},
           {{"--until", "2026-02-30"}, "--until: '2026-02-30' is neither"},
           {{"--since", "1d", "--until", "2d"}, "is not before --until"},
           {{"--dag", "etl_[ab"}, "--dag: glob 'etl_[ab': unclosed '['"},
           {{"--storage.path", "mongodb://x"}, "--storage.path: "},
       }) {
    Outcome run = Slayer(c.flags);
    EXPECT_EQ(run.rc, 2) << ::testing::PrintToString(c.flags);
    EXPECT_NE(run.err.find(c.err), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
  }
}

}  // namespace
}  // namespace slayer::cli
