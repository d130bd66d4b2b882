#include "metrics/text_renderer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/family_builder.h"
#include "metrics/snapshot.h"

namespace slayer::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string GoldenPath(const std::string& name) {
  return std::string(SLAYER_METRICS_TESTDATA_DIR) + "/" + name;
}

// Compares `actual` with testdata/`name`. SLAYER_UPDATE_GOLDEN=1 rewrites the file instead
// (review the diff before committing it).
void ExpectGolden(const std::string& name, const std::string& actual) {
  if (const char* update = std::getenv("SLAYER_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(GoldenPath(name), std::ios::binary) << actual;
    return;
  }
  std::ifstream file(GoldenPath(name), std::ios::binary);
  ASSERT_TRUE(file) << "missing golden file " << GoldenPath(name);
  std::stringstream expected;
  expected << file.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file " << name;
}

Family Built(FamilyBuilder builder) {
  auto family = std::move(builder).Build();
  EXPECT_TRUE(family) << family.error().ToString();
  return *std::move(family);
}

std::string Render(std::vector<Family> families) {
  auto snapshot = Snapshot::Create(std::move(families));
  EXPECT_TRUE(snapshot) << snapshot.error().ToString();
  std::string text;
  RenderText(*snapshot, &text);
  return text;
}

TEST(TextRendererTest, Gauges) {
  std::vector<Family> families;
  FamilyBuilder up("airflow_up", "1 when a scheduler heartbeat is fresh, else 0.",
                   MetricType::kGauge, {});
  up.Add({}, 1);
  families.push_back(Built(std::move(up)));

  FamilyBuilder runs("airflow_dag_runs", "Queued and running DAG runs.", MetricType::kGauge,
                     {"airflow_instance", "state"});
  runs.Add({"prod", "running"}, 12);
  runs.Add({"dev", "running"}, 0.5);
  runs.Add({"prod", "queued"}, 1);
  families.push_back(Built(std::move(runs)));

  FamilyBuilder values("slayer_example_value", "Sample values as the text format spells them.",
                       MetricType::kGauge, {"case"});
  values.Add({"integer"}, 42);
  values.Add({"negative"}, -7);
  values.Add({"zero"}, -0.0);
  values.Add({"million"}, 1e6);
  values.Add({"fraction"}, 0.25);
  values.Add({"tiny"}, 1.5e-7);
  values.Add({"huge"}, 1e20);
  values.Add({"timestamp"}, 1768467600.125);
  values.Add({"pos_inf"}, kInf);
  values.Add({"neg_inf"}, -kInf);
  values.Add({"nan"}, std::numeric_limits<double>::quiet_NaN());
  families.push_back(Built(std::move(values)));

  ExpectGolden("gauge.prom", Render(std::move(families)));
}

TEST(TextRendererTest, Counters) {
  std::vector<Family> families;
  FamilyBuilder outcomes("slayer_deadline_outcomes_total", "Evaluated deadlines by outcome.",
                         MetricType::kCounter, {"airflow_instance", "rule", "dag_id", "outcome"});
  outcomes.Add({"prod", "report-by-9", "daily_sales_report", "met"}, 250);
  outcomes.Add({"prod", "hourly-data-in-2h", "events_ingest", "met"}, 4210);
  outcomes.Add({"prod", "hourly-data-in-2h", "events_ingest", "met_late"}, 12);
  outcomes.Add({"prod", "hourly-data-in-2h", "events_ingest", "missed"}, 3);
  outcomes.Add({"prod", "hourly-data-in-2h", "events_ingest", "abandoned"}, 1);
  families.push_back(Built(std::move(outcomes)));

  FamilyBuilder errors("slayer_poll_errors_total", "Polls that failed.", MetricType::kCounter, {});
  errors.Add({}, 0);
  families.push_back(Built(std::move(errors)));

  ExpectGolden("counter.prom", Render(std::move(families)));
}

TEST(TextRendererTest, Histograms) {
  std::vector<Family> families;
  FamilyBuilder lateness("slayer_deadline_lateness_seconds",
                         "Lateness of items that finished after their need-by time.",
                         MetricType::kHistogram, {"airflow_instance", "rule"}, {60, 3600, kInf});
  const std::uint64_t hourly[] = {2, 5, 6};
  const std::uint64_t daily[] = {0, 0, 0};
  lateness.AddHistogram({"prod", "hourly"}, hourly, 9000.5);
  lateness.AddHistogram({"prod", "daily"}, daily, 0);
  families.push_back(Built(std::move(lateness)));

  FamilyBuilder queue("airflow_task_queue_seconds",
                      "Time task instances spent queued before they started running.",
                      MetricType::kHistogram, {}, {0.5, 1, 60, kInf});
  const std::uint64_t queue_counts[] = {3, 5, 9, 10};
  queue.AddHistogram({}, queue_counts, 250.75);
  families.push_back(Built(std::move(queue)));

  families.push_back(
      Built(FamilyBuilder("slayer_example_empty_seconds", "A histogram without samples.",
                          MetricType::kHistogram, {"rule"}, {1, kInf})));

  ExpectGolden("histogram.prom", Render(std::move(families)));
}

TEST(TextRendererTest, UntypedAndEmptyFamilies) {
  std::vector<Family> families;
  families.push_back(
      Built(FamilyBuilder("slayer_outbox_pending", "Notifications waiting in the outbox.",
                          MetricType::kGauge, {"channel", "kind"})));
  FamilyBuilder untyped("slayer_example_untyped", "A sample without a declared type.",
                        MetricType::kUntyped, {"kind"});
  untyped.Add({"b"}, -1.5);
  untyped.Add({"a"}, 3);
  families.push_back(Built(std::move(untyped)));

  ExpectGolden("untyped_and_empty.prom", Render(std::move(families)));
}

TEST(TextRendererTest, Escaping) {
  std::vector<Family> families;
  FamilyBuilder gauge("slayer_example_escaping",
                      "Backslash \\ and line feed \n are escaped in HELP; \"quotes\" are not.",
                      MetricType::kGauge, {"dag_id", "value"});
  gauge.Add({"etl", "plain"}, 3);
  gauge.Add({"etl", "back\\slash"}, 1);
  gauge.Add({"etl", "say \"hi\""}, 4);
  gauge.Add({"etl", "line\nfeed"}, 2);
  gauge.Add({"etl", "tab\there"}, 5);
  gauge.Add({"etl", "\xc3\xbcn\xc3\xaf\x63\xc3\xb6\x64\xc3\xa9 \xe2\x9c\x93"}, 6);
  families.push_back(Built(std::move(gauge)));

  FamilyBuilder histogram("slayer_example_escaped_seconds",
                          "A histogram whose label needs escaping: C:\\dir\nnext line.",
                          MetricType::kHistogram, {"path"}, {1, kInf});
  const std::uint64_t plain[] = {0, 1};
  const std::uint64_t escaped[] = {1, 2};
  histogram.AddHistogram({"plain"}, plain, 7);
  histogram.AddHistogram({"C:\\dir \"x\""}, escaped, 3);
  families.push_back(Built(std::move(histogram)));

  ExpectGolden("escaping.prom", Render(std::move(families)));
}

TEST(TextRendererTest, AppendsToWhatIsThere) {
  FamilyBuilder builder("airflow_up", "Up.", MetricType::kGauge, {});
  builder.Add({}, 0);
  const Family family = Built(std::move(builder));
  std::string text = "prefix\n";
  RenderText(family, &text);
  RenderText(family, &text);
  EXPECT_EQ(text,
            "prefix\n"
            "# HELP airflow_up Up.\n# TYPE airflow_up gauge\nairflow_up 0\n"
            "# HELP airflow_up Up.\n# TYPE airflow_up gauge\nairflow_up 0\n");
}

TEST(TextRendererTest, EmptySnapshotRendersNothing) {
  std::string text;
  RenderText(Snapshot(), &text);
  EXPECT_EQ(text, "");
}

// A family large enough to cross the renderer's output chunks, with samples added in random
// order: the output is the same whatever the insertion order, and its lines are sorted.
TEST(TextRendererTest, OrderIsStableWhateverTheInsertionOrder) {
  struct Row {
    std::string dag_id;
    std::string task_id;
    double value;
  };
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back({"dag_" + std::to_string(i % 97), "task_" + std::to_string(i), i * 0.5});
  }
  rows.push_back({"dag_\"quoted\"", "t", 1});  // mixes the escaping path in
  auto render = [](const std::vector<Row>& ordered) {
    FamilyBuilder builder("slayer_example_overdue_seconds", "Help.", MetricType::kGauge,
                          {"dag_id", "task_id"});
    for (const Row& row : ordered) builder.Add({row.dag_id, row.task_id}, row.value);
    std::string text;
    RenderText(Built(std::move(builder)), &text);
    return text;
  };
  const std::string first = render(rows);
  std::mt19937 random(42);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(rows.begin(), rows.end(), random);
    EXPECT_EQ(render(rows), first);
  }

  std::vector<std::string> lines;
  std::istringstream stream(first);
  for (std::string line; std::getline(stream, line);) {
    if (!line.starts_with("#")) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), rows.size());
  // Order is by the raw values: '"' sorts before the digits, though escaped it renders as '\'.
  EXPECT_EQ(lines.front(),
            R"(slayer_example_overdue_seconds{dag_id="dag_\"quoted\"",task_id="t"} 1)");
  // Without escapes, the order of the values is the byte order of the lines ('"' < digits).
  EXPECT_TRUE(std::is_sorted(lines.begin() + 1, lines.end()));
}

}  // namespace
}  // namespace slayer::metrics
