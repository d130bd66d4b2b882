// The health intervals of the SQLite store (migration 3): samples of airflow_up folded into
// stretches of the same state, unknown time between them, reads by window, retention, and the
// upgrade of a version 2 store.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "db/connect.h"
#include "db/connection.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"
#include "store/sqlite_migrations.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::store {
namespace {

using namespace std::chrono_literals;
using test::T;

constexpr Duration kMaxGap = 30s;

// "up 00:00:00-00:00:20 open" for compact comparisons.
std::string Show(const HealthInterval& h) {
  auto hms = [](Timestamp t) { return FormatRfc3339(t).substr(11, 8); };
  return h.instance + " " + (h.up ? "up" : "down") + " " + hms(h.start) + "-" + hms(h.end) +
         (h.open ? " open" : "");
}

class HealthIntervalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto dsn = db::Dsn::Parse("sqlite:///" + (dir_.path() / "slayer.db").string());
    ASSERT_TRUE(dsn) << dsn.error().ToString();
    dsn_ = *dsn;
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto store = SqliteStore::Open(dsn_, &clock_);
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }
  void Sample(std::string_view at, std::optional<bool> up, std::string instance = "prod") {
    Status st = store_->RecordHealthSample(
        instance, up, T(std::string("2026-11-23T") + std::string(at) + "Z"), kMaxGap);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::vector<std::string> All(std::string instance = "") {
    auto got =
        store_->HealthIntervals(instance, T("2000-01-01T00:00:00Z"), T("2100-01-01T00:00:00Z"));
    EXPECT_TRUE(got) << got.error().ToString();
    std::vector<std::string> out;
    if (got) {
      for (const HealthInterval& h : *got) out.push_back(Show(h));
    }
    return out;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{T("2026-11-23T12:00:00Z")};
  db::Dsn dsn_;
  std::unique_ptr<SqliteStore> store_;
};

using Rows = std::vector<std::string>;

TEST_F(HealthIntervalsTest, SamplesOfTheSameStateExtendOneInterval) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:00 open"}));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:20", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:50", true));  // exactly max_gap later: still adjacent
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:50 open"}));
}

TEST_F(HealthIntervalsTest, AChangeStartsTheNewStateAtThePreviousSample) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:20", false));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:30", false));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:40", true));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:10", "prod down 00:00:10-00:00:30",
                         "prod up 00:00:30-00:00:40 open"}));
}

TEST_F(HealthIntervalsTest, AGapLongerThanMaxGapIsUnknown) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true));
  // SLAyer stopped for five minutes: the next sample, of either state, starts afresh.
  ASSERT_NO_FATAL_FAILURE(Sample("00:05:10", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:05:20", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:09:00", false));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:10", "prod up 00:05:10-00:05:20",
                         "prod down 00:09:00-00:09:00 open"}));
}

TEST_F(HealthIntervalsTest, AnUnknownSampleClosesTheInterval) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true));
  // The Airflow database was unreachable at 00:00:20: even a sample soon after does not bridge.
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:20", std::nullopt));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:10"}));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:25", std::nullopt));  // nothing open: nothing to do
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:30", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:40", false));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:10", "prod up 00:00:30-00:00:30",
                         "prod down 00:00:30-00:00:40 open"}));
}

TEST_F(HealthIntervalsTest, ASampleBeforeTheOpenEndIsIgnored) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:01:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:30", false));  // the wall clock stepped back
  ASSERT_NO_FATAL_FAILURE(Sample("00:01:00", true));   // the same instant again
  EXPECT_EQ(All(), Rows({"prod up 00:01:00-00:01:00 open"}));
  ASSERT_NO_FATAL_FAILURE(Sample("00:01:10", true));
  EXPECT_EQ(All(), Rows({"prod up 00:01:00-00:01:10 open"}));
}

TEST_F(HealthIntervalsTest, InstancesAreIndependentAndFiltered) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true, "prod"));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", false, "staging"));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true, "prod"));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", std::nullopt, "staging"));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:10 open", "staging down 00:00:00-00:00:00"}));
  EXPECT_EQ(All("staging"), Rows({"staging down 00:00:00-00:00:00"}));
  EXPECT_EQ(All("nowhere"), Rows({}));
}

TEST_F(HealthIntervalsTest, ReadsTheIntervalsOverlappingAWindow) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:20", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:40", false));
  ASSERT_NO_FATAL_FAILURE(Sample("00:01:00", false));
  ASSERT_NO_FATAL_FAILURE(Sample("00:05:00", true));  // after a gap
  auto window = [&](std::string_view from, std::string_view to) {
    auto got = store_->HealthIntervals("", T("2026-11-23T" + std::string(from) + "Z"),
                                       T("2026-11-23T" + std::string(to) + "Z"));
    EXPECT_TRUE(got) << got.error().ToString();
    Rows out;
    for (const HealthInterval& h : *got) out.push_back(Show(h));
    return out;
  };
  // [from, to): an interval counts when end >= from and start < to.
  EXPECT_EQ(window("00:00:30", "00:00:50"), Rows({"prod down 00:00:20-00:01:00"}));
  EXPECT_EQ(window("00:00:10", "00:00:30"),
            Rows({"prod up 00:00:00-00:00:20", "prod down 00:00:20-00:01:00"}));
  EXPECT_EQ(window("00:01:00", "00:05:00"), Rows({"prod down 00:00:20-00:01:00"}));
  EXPECT_EQ(window("00:01:01", "00:05:00"), Rows({}));
  EXPECT_EQ(window("00:01:01", "00:05:01"), Rows({"prod up 00:05:00-00:05:00 open"}));
}

TEST_F(HealthIntervalsTest, RetentionDeletesOnlyClosedIntervalsThatEndedBefore) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", false));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:20", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:30", true, "staging"));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:00", "prod down 00:00:00-00:00:10",
                         "prod up 00:00:10-00:00:20 open", "staging up 00:00:30-00:00:30 open"}));
  auto deleted = store_->DeleteHealthBefore(T("2026-11-23T00:00:05Z"));
  ASSERT_TRUE(deleted) << deleted.error().ToString();
  EXPECT_EQ(*deleted, 1);  // up 00:00:00-00:00:00
  deleted = store_->DeleteHealthBefore(T("2026-11-24T00:00:00Z"));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 1);  // down 00:00:00-00:00:10; the open ones stay however old
  EXPECT_EQ(All(), Rows({"prod up 00:00:10-00:00:20 open", "staging up 00:00:30-00:00:30 open"}));
}

TEST_F(HealthIntervalsTest, AReopenedStoreContinuesTheOpenInterval) {
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:00", true));
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:10", true));
  Reopen();  // a restart within max_gap
  ASSERT_NO_FATAL_FAILURE(Sample("00:00:25", true));
  Reopen();  // a restart that takes ten minutes
  ASSERT_NO_FATAL_FAILURE(Sample("00:10:25", true));
  EXPECT_EQ(All(), Rows({"prod up 00:00:00-00:00:25", "prod up 00:10:25-00:10:25 open"}));
}

TEST_F(HealthIntervalsTest, TheSchemaRefusesBadRows) {
  store_.reset();
  auto conn = db::Connect(dsn_, {.read_only = false});
  ASSERT_TRUE(conn) << conn.error().ToString();
  for (const char* bad : {
           "INSERT INTO health_intervals (instance, state, start_at, end_at, open) "
           "VALUES ('p', 'unknown', 1, 2, 0)",
           "INSERT INTO health_intervals (instance, state, start_at, end_at, open) "
           "VALUES ('p', 'up', 2, 1, 0)",
       }) {
    EXPECT_FALSE((*conn)->Execute(bad).has_value()) << bad;
  }
  // At most one open interval per instance.
  ASSERT_TRUE((*conn)
                  ->Execute("INSERT INTO health_intervals (instance, state, start_at, end_at, "
                            "open) VALUES ('p', 'up', 1, 2, 1)")
                  .has_value());
  EXPECT_FALSE((*conn)
                   ->Execute("INSERT INTO health_intervals (instance, state, start_at, end_at, "
                             "open) VALUES ('p', 'down', 2, 3, 1)")
                   .has_value());
}

// A store written by the previous SLAyer (schema version 2) gains the table on open and keeps
// its items.
TEST(HealthIntervalsMigrationTest, UpgradesAVersion2Store) {
  testing::TempDir dir;
  auto dsn = db::Dsn::Parse("sqlite:///" + (dir.path() / "slayer.db").string());
  ASSERT_TRUE(dsn);
  {
    auto conn = db::Connect(*dsn, {.read_only = false});
    ASSERT_TRUE(conn) << conn.error().ToString();
    ASSERT_TRUE((*conn)
                    ->ExecuteScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY "
                                    "KEY, applied_at TEXT NOT NULL)")
                    .ok());
    for (const Migration& m : SqliteMigrations()) {
      if (m.version > 2) break;
      ASSERT_TRUE((*conn)->ExecuteScript(m.sql).ok()) << m.version;
      ASSERT_TRUE((*conn)
                      ->Execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')",
                                {m.version})
                      .has_value());
    }
    ASSERT_TRUE((*conn)
                    ->Execute("INSERT INTO items (instance, rule, dag_id, run_id, task_id, slot, "
                              "severity, need_by, state, reference, paused, updated_at) VALUES "
                              "('prod', 'r', 'd', 'run', '', '', 'warning', 1, 'met', 'x', 0, 1)")
                    .has_value());
  }
  testing::FakeClock clock(T("2026-11-23T12:00:00Z"));
  auto store = SqliteStore::Open(*dsn, &clock);
  ASSERT_TRUE(store) << store.error().ToString();
  ASSERT_EQ(LatestSqliteSchemaVersion(), 3);
  auto item = (*store)->Find({"prod", "r", "d", "run", "", ""});
  ASSERT_TRUE(item && item->has_value());
  ASSERT_TRUE((*store)->RecordHealthSample("prod", true, T("2026-11-23T12:00:00Z"), kMaxGap).ok());
  auto got =
      (*store)->HealthIntervals("prod", T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z"));
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE((*got)[0].up);
  EXPECT_TRUE((*got)[0].open);
  store->reset();
  auto conn = db::Connect(*dsn, {.read_only = true});
  auto rs = (*conn)->Query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rs);
  ASSERT_EQ(rs->num_rows(), 3u);
  EXPECT_EQ(rs->row(1).Raw(1), "2026-01-01T00:00:00Z");
  EXPECT_EQ(rs->row(2).Raw(1), "2026-11-23T12:00:00Z");
}

}  // namespace
}  // namespace slayer::store
