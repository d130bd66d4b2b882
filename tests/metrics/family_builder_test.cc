#include "metrics/family_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace slayer::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The error Build() returns for a family of `type` with `name` and `labels` and no samples.
Status SchemaError(std::string name, MetricType type, std::vector<std::string> labels,
                   std::vector<double> bounds = {}, std::string help = "Help.") {
  FamilyBuilder builder(std::move(name), std::move(help), type, std::move(labels),
                        std::move(bounds));
  return std::move(builder).Build().status();
}

TEST(FamilyBuilderTest, BuildsAndSortsSamplesByLabelValues) {
  FamilyBuilder builder("airflow_dag_runs", "Runs.", MetricType::kGauge,
                        {"airflow_instance", "state"});
  builder.Add({"prod", "running"}, 3);
  builder.Add({"dev", "queued"}, 1);
  builder.Add({"prod", "queued"}, 2);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family) << family.error().ToString();
  EXPECT_EQ(family->name(), "airflow_dag_runs");
  EXPECT_EQ(family->help(), "Runs.");
  EXPECT_EQ(family->type(), MetricType::kGauge);
  EXPECT_THAT(family->label_names(), ElementsAre("airflow_instance", "state"));
  ASSERT_EQ(family->size(), 3u);
  EXPECT_EQ(family->label_value(0, 0), "dev");
  EXPECT_EQ(family->label_value(0, 1), "queued");
  EXPECT_EQ(family->value(0), 1);
  EXPECT_EQ(family->label_value(1, 0), "prod");
  EXPECT_EQ(family->label_value(1, 1), "queued");
  EXPECT_EQ(family->value(1), 2);
  EXPECT_EQ(family->label_value(2, 1), "running");
  EXPECT_EQ(family->value(2), 3);
}

TEST(FamilyBuilderTest, OrderIsByteWiseFirstLabelFirst) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"a", "b"});
  builder.Add({"ab", ""}, 1);
  builder.Add({"a", "z"}, 2);
  builder.Add({"B", "a"}, 3);
  builder.Add({"", "b"}, 4);
  builder.Add({"a", "a\n"}, 5);
  builder.Add({"a", "a"}, 6);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family) << family.error().ToString();
  std::vector<double> order;
  for (std::size_t i = 0; i < family->size(); ++i) order.push_back(family->value(i));
  // "" < "B" < "a" < "ab"; for equal first values, the second decides ("a" < "a\n" < "z").
  EXPECT_THAT(order, ElementsAre(4, 3, 6, 5, 2, 1));
}

TEST(FamilyBuilderTest, FamilyWithoutLabelsHoldsOneSample) {
  FamilyBuilder builder("airflow_up", "Up.", MetricType::kGauge, {});
  builder.Add({}, 1);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family);
  EXPECT_EQ(family->size(), 1u);

  FamilyBuilder twice("airflow_up", "Up.", MetricType::kGauge, {});
  twice.Add({}, 1);
  twice.Add({}, 0);
  EXPECT_EQ(std::move(twice).Build().status().code(), StatusCode::kInvalidArgument);
}

TEST(FamilyBuilderTest, EmptyFamilyIsValid) {
  FamilyBuilder builder("slayer_deadline_open", "Open.", MetricType::kGauge, {"rule"});
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family);
  EXPECT_TRUE(family->empty());
}

TEST(FamilyBuilderTest, HistogramSamples) {
  FamilyBuilder builder("q_seconds", "Queue time.", MetricType::kHistogram, {"instance"},
                        {0.5, 1, kInf});
  const std::uint64_t b_counts[] = {1, 2, 3};
  const std::uint64_t a_counts[] = {0, 0, 4};
  builder.AddHistogram({"b"}, b_counts, 2.5);
  builder.AddHistogram({"a"}, a_counts, 40);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family) << family.error().ToString();
  EXPECT_THAT(family->bucket_bounds(), ElementsAre(0.5, 1, kInf));
  ASSERT_EQ(family->size(), 2u);
  EXPECT_EQ(family->label_value(0, 0), "a");
  EXPECT_THAT(family->bucket_counts(0), ElementsAre(0, 0, 4));
  EXPECT_EQ(family->sum(0), 40);
  EXPECT_EQ(family->count(0), 4u);
  EXPECT_THAT(family->bucket_counts(1), ElementsAre(1, 2, 3));
  EXPECT_EQ(family->sum(1), 2.5);
  EXPECT_EQ(family->count(1), 3u);
}

TEST(FamilyBuilderTest, RejectsInvalidMetricNames) {
  for (const char* name : {"", "9lives", "has-dash", "has space", "job:rate5m"}) {
    const Status status = SchemaError(name, MetricType::kGauge, {});
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(status.message(), HasSubstr("invalid metric name")) << name;
  }
}

TEST(FamilyBuilderTest, RejectsEmptyOrMalformedHelp) {
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {}, {}, "").message(),
              HasSubstr("HELP text must not be empty"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {}, {}, "caf\xe9").message(),
              HasSubstr("not valid UTF-8"));
}

TEST(FamilyBuilderTest, CountersAndOnlyCountersEndInTotal) {
  EXPECT_EQ(SchemaError("slayer_deadline_misses", MetricType::kCounter, {}).message(),
            "metric family \"slayer_deadline_misses\": a counter's name must end in _total");
  EXPECT_THAT(SchemaError("slayer_open_total", MetricType::kGauge, {}).message(),
              HasSubstr("only counters may have a name ending in _total"));
  EXPECT_THAT(SchemaError("slayer_open_total", MetricType::kHistogram, {}, {kInf}).message(),
              HasSubstr("only counters"));
  EXPECT_TRUE(SchemaError("slayer_misses_total", MetricType::kCounter, {}).ok());
  EXPECT_TRUE(SchemaError("legacy_total", MetricType::kUntyped, {}).ok());
}

TEST(FamilyBuilderTest, RejectsNamesOfHistogramSeriesOnOtherTypes) {
  for (const char* name : {"x_bucket", "x_count", "x_sum"}) {
    EXPECT_THAT(SchemaError(name, MetricType::kGauge, {}).message(),
                HasSubstr("reserved for histogram series"))
        << name;
    EXPECT_THAT(SchemaError(name, MetricType::kUntyped, {}).message(),
                HasSubstr("reserved for histogram series"))
        << name;
  }
}

TEST(FamilyBuilderTest, RejectsInvalidReservedAndRepeatedLabelNames) {
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"dag-id"}).message(),
              HasSubstr("invalid label name \"dag-id\""));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"1st"}).message(),
              HasSubstr("invalid label name"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {""}).message(),
              HasSubstr("invalid label name"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"__name__"}).message(),
              HasSubstr("not start with __"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"le"}).message(),
              HasSubstr("label name \"le\" is reserved"));
  EXPECT_THAT(SchemaError("x_seconds", MetricType::kHistogram, {"le"}, {kInf}).message(),
              HasSubstr("label name \"le\" is reserved"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"quantile"}).message(),
              HasSubstr("is reserved"));
  EXPECT_THAT(SchemaError("x", MetricType::kGauge, {"dag_id", "rule", "dag_id"}).message(),
              HasSubstr("label name \"dag_id\" appears twice"));
}

TEST(FamilyBuilderTest, RejectsBadBucketBounds) {
  EXPECT_THAT(SchemaError("h", MetricType::kHistogram, {}, {}).message(),
              HasSubstr("last bucket bound must be +Inf"));
  EXPECT_THAT(SchemaError("h", MetricType::kHistogram, {}, {1, 5}).message(),
              HasSubstr("last bucket bound must be +Inf"));
  EXPECT_THAT(SchemaError("h", MetricType::kHistogram, {}, {5, 1, kInf}).message(),
              HasSubstr("strictly increasing, got 5 before 1"));
  EXPECT_THAT(SchemaError("h", MetricType::kHistogram, {}, {1, 1, kInf}).message(),
              HasSubstr("strictly increasing"));
  EXPECT_THAT(SchemaError("h", MetricType::kHistogram, {}, {kNaN, kInf}).message(),
              HasSubstr("NaN"));
  EXPECT_THAT(SchemaError("g", MetricType::kGauge, {}, {1, kInf}).message(),
              HasSubstr("only histograms have bucket bounds"));
  EXPECT_TRUE(SchemaError("h", MetricType::kHistogram, {}, {kInf}).ok());
  EXPECT_TRUE(SchemaError("h", MetricType::kHistogram, {}, {-1, 0, 2.5, kInf}).ok());
}

TEST(FamilyBuilderTest, RejectsMismatchedLabelCounts) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"a", "b"});
  builder.Add({"1", "2"}, 1);
  builder.Add({"only one"}, 2);
  const Status status = std::move(builder).Build().status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "metric family \"x\": sample #1 has 1 label values for 2 label names");

  FamilyBuilder too_many("x", "Help.", MetricType::kGauge, {});
  too_many.Add({"a"}, 1);
  EXPECT_THAT(std::move(too_many).Build().status().message(),
              HasSubstr("1 label values for 0 label names"));
}

TEST(FamilyBuilderTest, RejectsDuplicateLabelSets) {
  FamilyBuilder builder("airflow_sla_misses", "Misses.", MetricType::kGauge,
                        {"dag_id", "task_id", "execution_date"});
  builder.Add({"etl", "load", "2026-01-15T08:00:00Z"}, 1);
  builder.Add({"etl", "", "2026-01-15T08:00:00Z"}, 1);
  builder.Add({"etl", "load", "2026-01-15T08:00:00Z"}, 1);
  const Status status = std::move(builder).Build().status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "metric family \"airflow_sla_misses\": two samples with label values "
            "{dag_id=\"etl\",task_id=\"load\",execution_date=\"2026-01-15T08:00:00Z\"}");
}

TEST(FamilyBuilderTest, ValuesThatDifferOnlyByLabelBoundaryAreDistinct) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"a", "b"});
  builder.Add({"ab", "c"}, 1);
  builder.Add({"a", "bc"}, 2);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family) << family.error().ToString();
  EXPECT_EQ(family->value(0), 2);
}

TEST(FamilyBuilderTest, RejectsLabelValuesThatAreNotUtf8) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"dag_id", "pool"});
  builder.Add({"etl", "caf\xe9"}, 1);
  EXPECT_EQ(std::move(builder).Build().status().message(),
            "metric family \"x\": sample #0: the value of label \"pool\" is not valid UTF-8");
}

TEST(FamilyBuilderTest, RejectsNegativeAndNaNCounters) {
  FamilyBuilder negative("x_total", "Help.", MetricType::kCounter, {"a"});
  negative.Add({"ok"}, 0);
  negative.Add({"bad"}, -1);
  EXPECT_EQ(std::move(negative).Build().status().message(),
            "metric family \"x_total\": sample {a=\"bad\"}: a counter must be >= 0, got -1");

  FamilyBuilder nan("x_total", "Help.", MetricType::kCounter, {});
  nan.Add({}, kNaN);
  EXPECT_THAT(std::move(nan).Build().status().message(), HasSubstr("got NaN"));

  FamilyBuilder gauge("x", "Help.", MetricType::kGauge, {});
  gauge.Add({}, -kInf);
  EXPECT_TRUE(std::move(gauge).Build());
}

TEST(FamilyBuilderTest, RejectsSamplesOfTheWrongKind) {
  FamilyBuilder histogram("h_seconds", "Help.", MetricType::kHistogram, {}, {kInf});
  histogram.Add({}, 1);
  EXPECT_THAT(std::move(histogram).Build().status().message(), HasSubstr("AddHistogram"));

  FamilyBuilder gauge("g", "Help.", MetricType::kGauge, {});
  const std::uint64_t counts[] = {1};
  gauge.AddHistogram({}, counts, 1);
  EXPECT_THAT(std::move(gauge).Build().status().message(),
              HasSubstr("only histograms take AddHistogram; a gauge's samples"));
}

TEST(FamilyBuilderTest, RejectsBadHistogramCounts) {
  FamilyBuilder wrong_size("h_seconds", "Help.", MetricType::kHistogram, {"a"}, {1, kInf});
  const std::uint64_t three[] = {1, 2, 3};
  wrong_size.AddHistogram({"x"}, three, 1);
  EXPECT_THAT(std::move(wrong_size).Build().status().message(),
              HasSubstr("sample {a=\"x\"}: 3 bucket counts for 2 buckets"));

  FamilyBuilder decreasing("h_seconds", "Help.", MetricType::kHistogram, {"a"}, {1, kInf});
  const std::uint64_t down[] = {5, 4};
  decreasing.AddHistogram({"x"}, down, 1);
  EXPECT_THAT(std::move(decreasing).Build().status().message(), HasSubstr("must be cumulative"));
}

TEST(FamilyBuilderTest, KeepsTheFirstMistake) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"a"});
  builder.Add({"1", "2"}, 1);
  builder.Add({"\xff"}, 1);
  EXPECT_FALSE(builder.status().ok());
  EXPECT_THAT(std::move(builder).Build().status().message(), HasSubstr("sample #0 has 2"));
}

TEST(FamilyBuilderTest, AcceptsSpansOfLabelValues) {
  FamilyBuilder builder("x", "Help.", MetricType::kGauge, {"a", "b"});
  const std::vector<std::string> owned = {"left", "right"};
  const std::vector<std::string_view> views(owned.begin(), owned.end());
  builder.Reserve(1, 9);
  builder.Add(views, 1);
  auto family = std::move(builder).Build();
  ASSERT_TRUE(family);
  EXPECT_EQ(family->label_value(0, 1), "right");
}

}  // namespace
}  // namespace slayer::metrics
