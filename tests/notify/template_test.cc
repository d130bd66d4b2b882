#include "notify/template.h"

#include <gtest/gtest.h>

#include "notify/example_events.h"

namespace slayer::notify {
namespace {

using testing::ExampleAbandoned;
using testing::ExampleAtRisk;
using testing::ExampleMissed;
using testing::ExampleRecovered;

std::string Render(std::string_view text, const Event& event) {
  auto t = MessageTemplate::Parse(text);
  EXPECT_TRUE(t) << t.error().message();
  return t ? t->Render(event) : "";
}

TEST(TemplateTest, SummaryPerKind) {
  EXPECT_EQ(EventSummary(ExampleMissed()),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 missed its deadline (rule "
            "orders-in-2h, 12m past 10:00:00 UTC)");
  EXPECT_EQ(EventSummary(ExampleRecovered()),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 finished 40m late (rule "
            "orders-in-2h, need-by 10:00:00 UTC)");
  EXPECT_EQ(EventSummary(ExampleAbandoned(true)),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 failed or was removed after "
            "missing its deadline (rule orders-in-2h, 30m past 10:00:00 UTC)");
  EXPECT_EQ(EventSummary(ExampleAbandoned(false)),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 failed or was removed before "
            "its deadline (rule orders-in-2h, need-by 10:00:00 UTC)");
  EXPECT_EQ(EventSummary(ExampleAtRisk()),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 is at risk of missing its "
            "deadline (rule orders-in-2h, need-by 10:00:00 UTC)");
}

TEST(TemplateTest, SummaryOfATaskAndOfAnItemWithoutRun) {
  Event task = ExampleMissed();
  task.task_id = "load";
  EXPECT_EQ(EventSummary(task),
            "orders_daily task load run scheduled__2026-01-01T08:00:00+00:00 missed its deadline "
            "(rule orders-in-2h, 12m past 10:00:00 UTC)");
  Event fresh = ExampleMissed();
  fresh.run_id.clear();
  fresh.overdue_seconds = 3900.7;
  EXPECT_EQ(EventSummary(fresh),
            "orders_daily missed its deadline (rule orders-in-2h, 1h5m past 10:00:00 UTC)");
}

TEST(TemplateTest, SummaryShowsTheDateOfANeedByOnAnotherDay) {
  Event e = ExampleMissed();
  e.event_time = test::T("2026-01-02T00:30:00Z");
  e.overdue_seconds = 14.5 * 3600;
  EXPECT_EQ(EventSummary(e),
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 missed its deadline (rule "
            "orders-in-2h, 14h30m past 2026-01-01 10:00:00 UTC)");
}

TEST(TemplateTest, DefaultText) {
  EXPECT_EQ(DefaultEventText(ExampleMissed()),
            "DAG: orders_daily\n"
            "Run: scheduled__2026-01-01T08:00:00+00:00\n"
            "Rule: orders-in-2h (critical, Airflow prod)\n"
            "Need-by: 2026-01-01T10:00:00Z\n"
            "Overdue: 12m\n"
            "Link: https://airflow.example.com/dags/orders_daily/grid?dag_run_id="
            "scheduled__2026-01-01T08%3A00%3A00%2B00%3A00");
  Event recovered = ExampleRecovered();
  recovered.task_id = "load";
  recovered.url.clear();
  EXPECT_EQ(DefaultEventText(recovered),
            "DAG: orders_daily\n"
            "Run: scheduled__2026-01-01T08:00:00+00:00\n"
            "Task: load\n"
            "Rule: orders-in-2h (critical, Airflow prod)\n"
            "Need-by: 2026-01-01T10:00:00Z\n"
            "Late by: 40m");
  // Before the need-by there is no delay to show.
  EXPECT_EQ(DefaultEventText(ExampleAtRisk()).find("Overdue"), std::string::npos);
  EXPECT_EQ(DefaultEventText(ExampleAbandoned(false)).find("Overdue"), std::string::npos);
  EXPECT_NE(DefaultEventText(ExampleAbandoned(true)).find("\nOverdue: 30m\n"), std::string::npos);
}

TEST(TemplateTest, RendersEveryPlaceholder) {
  Event e = ExampleRecovered();
  e.task_id = "load";
  e.lateness_seconds = 2400.5;
  EXPECT_EQ(Render("{{kind}}|{{airflow_instance}}|{{rule}}|{{severity}}|{{dag_id}}|{{run_id}}|"
                   "{{task_id}}|{{logical_date}}|{{need_by}}|{{event_time}}",
                   e),
            "recovered|prod|orders-in-2h|critical|orders_daily|"
            "scheduled__2026-01-01T08:00:00+00:00|load|2026-01-01T08:00:00Z|"
            "2026-01-01T10:00:00Z|2026-01-01T10:40:00Z");
  EXPECT_EQ(Render("{{overdue}} {{overdue_seconds}} {{lateness}} {{lateness_seconds}}", e),
            "0s 0 40m 2400.5");
  EXPECT_EQ(Render("{{labels.team}}/{{labels.missing}}/{{ url }}", e), "data//" + e.url);
  EXPECT_EQ(Render("{{summary}}", e), EventSummary(e));
  e.logical_date.reset();
  EXPECT_EQ(Render("[{{logical_date}}]", e), "[]");
  EXPECT_EQ(Render("no placeholders {here}", e), "no placeholders {here}");
}

TEST(TemplateTest, FormatSeconds) {
  EXPECT_EQ(FormatSeconds(0), "0s");
  EXPECT_EQ(FormatSeconds(0.9), "0s");
  EXPECT_EQ(FormatSeconds(-5), "0s");
  EXPECT_EQ(FormatSeconds(59.99), "59s");
  EXPECT_EQ(FormatSeconds(3900), "1h5m");
  EXPECT_EQ(FormatSeconds(90061), "1d1h1m1s");
}

TEST(TemplateTest, ChannelTemplatesUseTheConfigOrTheDefaults) {
  config::Channel channel;
  channel.name = "ops";
  auto defaults = ChannelTemplates::FromConfig(channel);
  ASSERT_TRUE(defaults) << defaults.error().message();
  EXPECT_FALSE(defaults->has_text());
  EXPECT_EQ(defaults->Title(ExampleMissed()), EventSummary(ExampleMissed()));
  EXPECT_EQ(defaults->Text(ExampleMissed()), DefaultEventText(ExampleMissed()));
  EXPECT_EQ(Render(kDefaultTitleTemplate, ExampleMissed()), EventSummary(ExampleMissed()));

  channel.title = "[{{severity}}] {{dag_id}}";
  channel.text = "late by {{overdue}}";
  auto own = ChannelTemplates::FromConfig(channel);
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_TRUE(own->has_text());
  EXPECT_EQ(own->Title(ExampleMissed()), "[critical] orders_daily");
  EXPECT_EQ(own->Text(ExampleMissed()), "late by 12m");
}

TEST(TemplateTest, BadTemplatesNameTheKeyAndTheChannel) {
  config::Channel channel;
  channel.name = "ops";
  channel.text = "{{dag_id}} {{overdue";
  auto t = ChannelTemplates::FromConfig(channel);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(t.error().message().starts_with(
      "'text' in channel 'ops': '{{' at character 12 ('{{overdue') is never closed with '}}'"))
      << t.error().message();
  Status status = CheckTemplate("{{dagid}}");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(status.message().starts_with(
      "unknown placeholder '{{dagid}}' at character 1 (did you mean '{{dag_id}}'?); valid "
      "placeholders: kind, summary,"))
      << status.message();
  EXPECT_TRUE(CheckTemplate("{{summary}}").ok());
}

}  // namespace
}  // namespace slayer::notify
