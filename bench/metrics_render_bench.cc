// Rendering the text exposition: the SPEC target is 100k series in well under 20 ms. Also
// measures building (validating and sorting) the families, which happens once per poll rather
// than once per scrape.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "metrics/family_builder.h"
#include "metrics/snapshot.h"
#include "metrics/text_renderer.h"

namespace slayer::metrics {
namespace {

constexpr int kSeries = 100'000;

struct OverdueRow {
  std::string instance;
  std::string rule;
  std::string dag_id;
  std::string task_id;
  std::string run_id;
  std::string severity;
  double overdue_seconds;
};

std::string RunId(int hour) {
  char text[64];
  std::snprintf(text, sizeof(text), "scheduled__2026-01-%02dT%02d:00:00+00:00", 1 + hour / 24 % 28,
                hour % 24);
  return text;
}

// 100k open misses as a large deployment might have them: 2 instances, 40 rules, 5k DAGs with
// ids of 30-40 characters, 10 tasks or the run itself, run ids as Airflow writes them, and
// overdue times with microsecond fractions. Shuffled, as collectors produce them.
std::vector<OverdueRow> OverdueRows() {
  std::vector<OverdueRow> rows;
  rows.reserve(kSeries);
  for (int i = 0; i < kSeries; ++i) {
    const int dag = i / 20;
    const int task = i % 10;
    OverdueRow row;
    row.instance = dag % 2 == 0 ? "prod-eu-west-1" : "prod-us-east-1";
    row.rule = "hourly-data-in-2h-" + std::to_string(dag % 40);
    row.dag_id = "events_ingest_customer_segment_" + std::to_string(100000 + dag);
    row.task_id = task == 0 ? "" : "extract_partition_" + std::to_string(1000 + task);
    row.run_id = RunId(i / 10 % 20 + dag % 500);
    row.severity = task % 3 == 0 ? "critical" : "warning";
    row.overdue_seconds = 60 + (i % 86400) + (i % 1000003) * 1e-6;
    rows.push_back(std::move(row));
  }
  std::shuffle(rows.begin(), rows.end(), std::mt19937(7));
  return rows;
}

Family BuildOverdue(const std::vector<OverdueRow>& rows) {
  FamilyBuilder builder("slayer_deadline_overdue_seconds",
                        "Seconds since the need-by time of each open miss.", MetricType::kGauge,
                        {"airflow_instance", "rule", "dag_id", "task_id", "run_id", "severity"});
  builder.Reserve(rows.size(), rows.size() * 128);
  for (const OverdueRow& row : rows) {
    builder.Add({row.instance, row.rule, row.dag_id, row.task_id, row.run_id, row.severity},
                row.overdue_seconds);
  }
  auto family = std::move(builder).Build();
  if (!family) {
    std::fprintf(stderr, "%s\n", family.error().ToString().c_str());
    std::abort();
  }
  return *std::move(family);
}

Family BuildSlaMisses() {
  FamilyBuilder builder("airflow_sla_misses",
                        "Open SLA misses: 1 per missed task or DAG run (task_id empty).",
                        MetricType::kGauge, {"dag_id", "task_id", "execution_date"});
  builder.Reserve(kSeries, kSeries * 80);
  for (int i = 0; i < kSeries; ++i) {
    const int dag = i / 10;
    const int task = i % 10;
    char date[32];
    std::snprintf(date, sizeof(date), "2026-01-%02dT%02d:00:00Z", 1 + dag / 24 % 28, dag % 24);
    const std::string dag_id = "finance_reporting_pipeline_" + std::to_string(10000 + dag);
    const std::string task_id = task == 0 ? "" : "load_ledger_table_" + std::to_string(task);
    builder.Add({dag_id, task_id, date}, 1);
  }
  return *std::move(builder).Build();
}

void RenderBenchmark(benchmark::State& state, const Family& family, bool reuse_buffer) {
  std::vector<Family> families = {family};
  const Snapshot snapshot = *Snapshot::Create(std::move(families));
  std::string text;
  for (auto _ : state) {
    if (reuse_buffer) {
      text.clear();
    } else {
      std::string().swap(text);
    }
    RenderText(snapshot, &text);
    benchmark::DoNotOptimize(text.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(family.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["output_MB"] = static_cast<double>(text.size()) / 1e6;
}

// A scrape handler that keeps its buffer between scrapes (the steady state).
void BM_RenderOverdueSeconds100k(benchmark::State& state) {
  static const Family family = BuildOverdue(OverdueRows());
  RenderBenchmark(state, family, /*reuse_buffer=*/true);
}
BENCHMARK(BM_RenderOverdueSeconds100k)->Unit(benchmark::kMillisecond);

// The same with a new string per scrape: adds allocation and first-touch page faults.
void BM_RenderOverdueSeconds100kFreshBuffer(benchmark::State& state) {
  static const Family family = BuildOverdue(OverdueRows());
  RenderBenchmark(state, family, /*reuse_buffer=*/false);
}
BENCHMARK(BM_RenderOverdueSeconds100kFreshBuffer)->Unit(benchmark::kMillisecond);

void BM_RenderSlaMisses100k(benchmark::State& state) {
  static const Family family = BuildSlaMisses();
  RenderBenchmark(state, family, /*reuse_buffer=*/true);
}
BENCHMARK(BM_RenderSlaMisses100k)->Unit(benchmark::kMillisecond);

// 2k histograms of 10 buckets (24k series), e.g. lateness per instance, rule and DAG.
void BM_RenderLatenessHistograms2k(benchmark::State& state) {
  static const Family family = [] {
    const double inf = std::numeric_limits<double>::infinity();
    FamilyBuilder builder("slayer_deadline_lateness_seconds",
                          "Lateness of items that finished after their need-by time.",
                          MetricType::kHistogram, {"airflow_instance", "rule", "dag_id"},
                          {60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, inf});
    for (int i = 0; i < 2000; ++i) {
      const std::uint64_t counts[] = {1, 3, 4, 9, 12, 15, 15, 16, 16, 17};
      builder.AddHistogram({"prod-eu-west-1", "hourly-data-in-2h-" + std::to_string(i % 40),
                            "events_ingest_customer_segment_" + std::to_string(100000 + i)},
                           counts, 45678.25 + i);
    }
    return *std::move(builder).Build();
  }();
  RenderBenchmark(state, family, /*reuse_buffer=*/true);
  state.SetItemsProcessed(state.iterations() * 2000 * 12);
}
BENCHMARK(BM_RenderLatenessHistograms2k)->Unit(benchmark::kMillisecond);

// Per poll, not per scrape: copying 100k shuffled samples in, validating, sorting.
void BM_BuildOverdueSeconds100k(benchmark::State& state) {
  static const std::vector<OverdueRow> rows = OverdueRows();
  for (auto _ : state) {
    Family family = BuildOverdue(rows);
    benchmark::DoNotOptimize(family.size());
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_BuildOverdueSeconds100k)->Unit(benchmark::kMillisecond);

// The same with samples added in order (say, from a std::map): Build() skips the sort.
void BM_BuildOverdueSeconds100kSortedInput(benchmark::State& state) {
  static const std::vector<OverdueRow> rows = [] {
    std::vector<OverdueRow> sorted = OverdueRows();
    std::sort(sorted.begin(), sorted.end(), [](const OverdueRow& a, const OverdueRow& b) {
      return std::tie(a.instance, a.rule, a.dag_id, a.task_id, a.run_id, a.severity) <
             std::tie(b.instance, b.rule, b.dag_id, b.task_id, b.run_id, b.severity);
    });
    return sorted;
  }();
  for (auto _ : state) {
    Family family = BuildOverdue(rows);
    benchmark::DoNotOptimize(family.size());
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_BuildOverdueSeconds100kSortedInput)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace slayer::metrics
