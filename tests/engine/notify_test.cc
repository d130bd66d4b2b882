// The engine queues notifications in the outbox with the item changes that cause them
// (docs/notifications.md#delivery-and-retries), and keeps both when the store write fails.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/load.h"
#include "db/connect.h"
#include "db/connection.h"
#include "engine/instance_engine.h"
#include "fakes/fake_airflow_source.h"
#include "fakes/timestamps.h"
#include "store/temp_dir.h"

namespace slayer::engine {
namespace {

using test::T;

constexpr std::string_view kConfig = R"yaml(
airflow: [{name: prod, database: "sqlite:////tmp/a.db", airflow_url: "http://af"}]
rules:
  - name: start-plus-1h
    match: {dag_id: etl}
    reference: dagrun.start_date
    interval: 1h
    notify: [hook]
channels:
  hook: {type: webhook, url: "http://127.0.0.1:1/"}
)yaml";

class EngineNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = config::LoadConfigString(kConfig, "slayer.yml");
    ASSERT_TRUE(config) << config.error().ToString();
    auto rules = rules::RuleSet::Make((*config)->rules);
    ASSERT_TRUE(rules);
    auto router = notify::Router::Make(**config);
    ASSERT_TRUE(router);
    auto store = store::OpenStore(*db::Dsn::Parse("sqlite://" + (dir_.path() / "s.db").string()));
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
    EngineOptions options;
    options.instance = "prod";
    engine_ = std::make_unique<InstanceEngine>(
        options, std::make_shared<const rules::RuleSet>(std::move(*rules)), store_.get());
    engine_->SetNotifier(*router, [this](const std::vector<notify::Suppressed>&) { ++woken_; });
    engine_->SetAirflowMajor(3);

    airflow::Dag dag;
    dag.dag_id = "etl";
    data_->dags = {dag};
    run_.dag_id = "etl";
    run_.run_id = "manual__1";
    run_.logical_date = T("2026-11-23T08:00:00Z");
    run_.run_after = *run_.logical_date;
    run_.start_date = T("2026-11-23T08:00:00Z");
    run_.state = airflow::DagRunState::kRunning;
    data_->runs = {run_};
    ASSERT_TRUE(engine_->Restore(T("2026-11-23T08:30:00Z")).ok());
  }

  std::vector<store::OutboxEntry> Outbox() {
    auto entries = store_->PendingOutbox("hook", 100);
    EXPECT_TRUE(entries) << entries.error().ToString();
    return entries ? *entries : std::vector<store::OutboxEntry>{};
  }

  Status Poll(Timestamp now) {
    std::vector<airflow::DagRun> active;
    for (const auto& r : data_->runs) {
      if (r.state == airflow::DagRunState::kRunning) active.push_back(r);
    }
    return engine_->Poll(source_, active, now);
  }

  slayer::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<InstanceEngine> engine_;
  std::shared_ptr<slayer::testing::FakeAirflowData> data_ =
      std::make_shared<slayer::testing::FakeAirflowData>();
  slayer::testing::FakeAirflowSource source_{data_};
  airflow::DagRun run_;
  int woken_ = 0;
};

TEST_F(EngineNotifyTest, AMissAndItsRecoveryAreQueuedWithTheItem) {
  ASSERT_TRUE(Poll(T("2026-11-23T08:30:00Z")).ok());
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(woken_, 0);

  ASSERT_TRUE(Poll(T("2026-11-23T09:00:01Z")).ok());
  auto entries = Outbox();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, "missed");
  EXPECT_EQ(entries[0].item.run_id, "manual__1");
  auto event = notify::EventFromJson(entries[0].payload);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->url, "http://af/dags/etl/runs/manual__1");
  EXPECT_EQ(woken_, 1);
  auto item = store_->Find(entries[0].item);
  ASSERT_TRUE(item && item->has_value());
  EXPECT_EQ((*item)->state, rules::ItemState::kMissed);

  // Polling again changes nothing and queues nothing.
  ASSERT_TRUE(Poll(T("2026-11-23T09:00:30Z")).ok());
  EXPECT_EQ(Outbox().size(), 1u);

  data_->runs[0].state = airflow::DagRunState::kSuccess;
  data_->runs[0].end_date = T("2026-11-23T09:10:00Z");
  ASSERT_TRUE(Poll(T("2026-11-23T09:10:05Z")).ok());
  entries = Outbox();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].kind, "recovered");
  EXPECT_EQ(entries[1].event_key, entries[0].item.ToString() + "#recovered");
  event = notify::EventFromJson(entries[1].payload);
  ASSERT_TRUE(event);
  EXPECT_DOUBLE_EQ(event->lateness_seconds, 600);
}

TEST_F(EngineNotifyTest, AFailedStoreWriteKeepsTheChangeAndItsEventForTheNextWrite) {
  ASSERT_TRUE(Poll(T("2026-11-23T08:30:00Z")).ok());
  // Take the store away: make its file read-only for this process is not possible as root,
  // so lock it with a second writer instead.
  auto dsn = *db::Dsn::Parse("sqlite://" + (dir_.path() / "s.db").string());
  auto locker = db::Connect(dsn, {.read_only = false});
  ASSERT_TRUE(locker) << locker.error().ToString();
  ASSERT_TRUE((*locker)->ExecuteScript("PRAGMA busy_timeout = 0; BEGIN EXCLUSIVE").ok());
  Status st = Poll(T("2026-11-23T09:00:01Z"));
  EXPECT_FALSE(st.ok());
  ASSERT_TRUE((*locker)->ExecuteScript("ROLLBACK").ok());
  EXPECT_EQ(woken_, 0);
  // The miss was decided (the tracker moved on); the next write records it with its event.
  ASSERT_TRUE(Poll(T("2026-11-23T09:00:30Z")).ok());
  auto entries = Outbox();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, "missed");
  EXPECT_EQ(woken_, 1);
}

}  // namespace
}  // namespace slayer::engine
