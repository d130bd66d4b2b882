#include "metrics/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/family_builder.h"

namespace slayer::metrics {
namespace {

Family Gauge(std::string name) {
  FamilyBuilder builder(std::move(name), "Help.", MetricType::kGauge, {});
  builder.Add({}, 1);
  return *std::move(builder).Build();
}

TEST(SnapshotTest, SortsFamiliesByName) {
  std::vector<Family> families;
  families.push_back(Gauge("slayer_db_up"));
  families.push_back(Gauge("airflow_up"));
  families.push_back(Gauge("airflow_dags"));
  auto snapshot = Snapshot::Create(std::move(families));
  ASSERT_TRUE(snapshot) << snapshot.error().ToString();
  std::vector<std::string> names;
  for (const Family& family : snapshot->families()) names.push_back(family.name());
  EXPECT_THAT(names, ::testing::ElementsAre("airflow_dags", "airflow_up", "slayer_db_up"));
}

TEST(SnapshotTest, RejectsTwoFamiliesWithOneName) {
  std::vector<Family> families;
  families.push_back(Gauge("airflow_up"));
  families.push_back(Gauge("slayer_db_up"));
  families.push_back(Gauge("airflow_up"));
  const Status status = Snapshot::Create(std::move(families)).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "metric family \"airflow_up\" appears twice in the snapshot");
}

TEST(SnapshotTest, DefaultIsEmpty) { EXPECT_TRUE(Snapshot().families().empty()); }

}  // namespace
}  // namespace slayer::metrics
