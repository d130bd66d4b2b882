// storage.retention: the engine deletes final items older than the retention from the store,
// and never open ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/instance_engine.h"
#include "fakes/fake_airflow_source.h"
#include "fakes/timestamps.h"
#include "store/temp_dir.h"

namespace slayer::engine {
namespace {

using test::T;

rules::Item ItemAt(std::string run, rules::ItemState state, Timestamp need_by) {
  rules::Item item;
  item.key = {"prod", "r", "etl", std::move(run), "", ""};
  item.need_by = need_by;
  item.state = state;
  item.reference = "dagrun.logical_date";
  return item;
}

TEST(RetentionTest, DeletesOnlyFinalItemsOlderThanTheRetention) {
  testing::TempDir dir;
  auto store = store::OpenStore(*db::Dsn::Parse("sqlite://" + (dir.path() / "s.db").string()));
  ASSERT_TRUE(store) << store.error().message();
  const Timestamp now = T("2026-11-23T10:00:00Z");
  std::vector<rules::Item> items = {
      ItemAt("old_met", rules::ItemState::kMet, now - std::chrono::days(40)),
      ItemAt("old_missed", rules::ItemState::kMissed, now - std::chrono::days(40)),
      ItemAt("recent_met", rules::ItemState::kMet, now - std::chrono::days(20))};
  ASSERT_TRUE((*store)->Upsert(items).ok());

  EngineOptions options;
  options.instance = "prod";
  options.retention = std::chrono::days(30);
  options.horizon = std::chrono::days(1);
  InstanceEngine engine(options, std::make_shared<const rules::RuleSet>(), store->get());
  auto data = std::make_shared<testing::FakeAirflowData>();
  testing::FakeAirflowSource source(data);
  ASSERT_TRUE(engine.Poll(source, {}, now).ok());

  store::ItemFilter all;
  auto left = (*store)->Items(all);
  ASSERT_TRUE(left) << left.error().message();
  std::vector<std::string> runs;
  for (const auto& item : *left) runs.push_back(item.key.run_id);
  std::sort(runs.begin(), runs.end());
  EXPECT_EQ(runs, (std::vector<std::string>{"old_missed", "recent_met"}));
}

}  // namespace
}  // namespace slayer::engine
