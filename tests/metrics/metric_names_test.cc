#include "metrics/metric_names.h"

#include <gtest/gtest.h>

namespace slayer::metrics {
namespace {

TEST(MetricNamesTest, MetricNames) {
  EXPECT_TRUE(IsValidMetricName("airflow_up"));
  EXPECT_TRUE(IsValidMetricName("_private"));
  EXPECT_TRUE(IsValidMetricName("A9_b"));
  EXPECT_TRUE(IsValidMetricName("__reserved_prefix_is_fine_for_metrics"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_FALSE(IsValidMetricName("has space"));
  EXPECT_FALSE(IsValidMetricName("job:rate5m"));  // colons are for recording rules
  EXPECT_FALSE(IsValidMetricName("caf\xc3\xa9"));
}

TEST(MetricNamesTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("dag_id"));
  EXPECT_TRUE(IsValidLabelName("_x"));
  EXPECT_TRUE(IsValidLabelName("Le2"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("__x"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("a-b"));
}

}  // namespace
}  // namespace slayer::metrics
