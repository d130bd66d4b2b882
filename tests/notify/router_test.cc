// Router: which item changes notify which channels, and what is suppressed.
#include "notify/router.h"

#include <gtest/gtest.h>

#include "config/load.h"
#include "fakes/timestamps.h"

namespace slayer::notify {
namespace {

using rules::Item;
using rules::ItemState;
using test::T;

constexpr std::string_view kConfig = R"yaml(
airflow:
  - name: prod
    database: sqlite:////tmp/airflow.db
    airflow_url: "http://airflow.example.com:8080/"
rules:
  - name: orders-in-2h
    match: {dag_id: "orders_*"}
    reference: dagrun.logical_date
    interval: 2h
    severity: critical
    notify: [hook, pd]
    labels: {team: shop}
  - name: quiet
    match: {dag_id: "orders_*"}
    reference: dagrun.logical_date
    interval: 3h
  - name: ignore-failures
    match: {dag_id: "etl_*"}
    reference: dagrun.start_date
    interval: 1h
    on_failure: ignore
    at_risk: true
    alert_when_paused: true
    notify: hook
channels:
  hook: {type: webhook, url: "http://127.0.0.1:1/hook"}
  pd: {type: pagerduty, routing_key: k, send_resolved: false}
silences:
  - {match: {tags: [maintenance]}, cron: "0 2 * * SUN", duration: 2h, timezone: Europe/Berlin}
)yaml";

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = config::LoadConfigString(kConfig, "slayer.yml");
    ASSERT_TRUE(config) << config.error().ToString();
    auto router = Router::Make(**config);
    ASSERT_TRUE(router) << router.error().ToString();
    router_ = *router;
  }

  static Item MakeItem(std::string rule, std::string dag, ItemState state) {
    Item item;
    item.key = {"prod", std::move(rule), std::move(dag), "scheduled__2026-11-22T00:00:00+00:00",
                "", ""};
    item.severity = "critical";
    item.logical_date = T("2026-11-22T00:00:00Z");
    item.need_by = T("2026-11-22T02:00:00Z");
    item.state = state;
    return item;
  }

  std::shared_ptr<const Router> router_;
  std::vector<std::string> no_tags_;
  DagContext dag_{.tags = &no_tags_, .owners = "airflow", .airflow_major = 2};
  Timestamp now_ = T("2026-11-23T12:00:00Z");  // a Monday
};

TEST_F(RouterTest, AMissGoesToEveryChannelOfTheRuleWithTheEvent) {
  Item item = MakeItem("orders-in-2h", "orders_daily", ItemState::kMissed);
  item.missed_at = T("2026-11-22T02:00:00.5Z");
  Routed routed = router_->Route(item, ItemState::kPending, dag_, now_);
  ASSERT_EQ(routed.events.size(), 2u);
  EXPECT_TRUE(routed.suppressed.empty());
  EXPECT_EQ(routed.events[0].channel, "hook");
  EXPECT_EQ(routed.events[1].channel, "pd");
  for (const store::OutboxEvent& e : routed.events) {
    EXPECT_EQ(e.kind, "missed");
    EXPECT_EQ(e.item, item.key);
    EXPECT_EQ(e.event_key, item.key.ToString() + "#missed");
    EXPECT_EQ(e.only_after_kind, "");
  }
  auto event = EventFromJson(routed.events[0].payload);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->kind, EventKind::kMissed);
  EXPECT_EQ(event->item_key, item.key.ToString());
  EXPECT_EQ(event->event_time, T("2026-11-22T02:00:00.5Z"));
  EXPECT_DOUBLE_EQ(event->overdue_seconds, 0.5);
  EXPECT_EQ(event->labels, (std::map<std::string, std::string>{{"team", "shop"}}));
  EXPECT_EQ(event->url,
            "http://airflow.example.com:8080/dags/orders_daily/grid?dag_run_id="
            "scheduled__2026-11-22T00%3A00%3A00%2B00%3A00");
}

TEST_F(RouterTest, ARecoveryFollowsItsMissAndRespectsSendResolved) {
  Item item = MakeItem("orders-in-2h", "orders_daily", ItemState::kMetLate);
  item.done_at = T("2026-11-22T02:30:00Z");
  Routed routed = router_->Route(item, ItemState::kMissed, dag_, now_);
  ASSERT_EQ(routed.events.size(), 1u);  // pd has send_resolved: false
  EXPECT_EQ(routed.events[0].channel, "hook");
  EXPECT_EQ(routed.events[0].kind, "recovered");
  EXPECT_EQ(routed.events[0].only_after_kind, "missed");
  auto event = EventFromJson(routed.events[0].payload);
  ASSERT_TRUE(event);
  EXPECT_DOUBLE_EQ(event->lateness_seconds, 1800);
  EXPECT_DOUBLE_EQ(event->overdue_seconds, 0);
  EXPECT_EQ(event->event_time, T("2026-11-22T02:30:00Z"));
  // Finished late before the miss was declared: sent on its own.
  routed = router_->Route(item, ItemState::kPending, dag_, now_);
  ASSERT_EQ(routed.events.size(), 1u);
  EXPECT_EQ(routed.events[0].only_after_kind, "");
}

TEST_F(RouterTest, NothingForMetPendingUnchangedOrRulesWithoutNotify) {
  EXPECT_TRUE(router_->Route(MakeItem("orders-in-2h", "orders_daily", ItemState::kMet),
                             ItemState::kPending, dag_, now_)
                  .events.empty());
  EXPECT_TRUE(router_->Route(MakeItem("orders-in-2h", "orders_daily", ItemState::kPending),
                             std::nullopt, dag_, now_)
                  .events.empty());
  EXPECT_TRUE(router_->Route(MakeItem("orders-in-2h", "orders_daily", ItemState::kMissed),
                             ItemState::kMissed, dag_, now_)
                  .events.empty());
  EXPECT_TRUE(router_->Route(MakeItem("quiet", "orders_daily", ItemState::kMissed),
                             ItemState::kPending, dag_, now_)
                  .events.empty());
  EXPECT_TRUE(router_->Route(MakeItem("airflow:sla", "orders_daily", ItemState::kMissed),
                             ItemState::kPending, dag_, now_)
                  .events.empty());
}

TEST_F(RouterTest, AbandonedFollowsOnFailureAndAtRiskIsOptIn) {
  Item failed = MakeItem("orders-in-2h", "orders_daily", ItemState::kAbandoned);
  Routed routed = router_->Route(failed, ItemState::kMissed, dag_, now_);
  ASSERT_EQ(routed.events.size(), 2u);
  auto event = EventFromJson(routed.events[0].payload);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, EventKind::kAbandoned);
  EXPECT_TRUE(event->was_missed);
  EXPECT_EQ(event->event_time, now_);  // no failure time known
  EXPECT_TRUE(router_->Route(MakeItem("ignore-failures", "etl_x", ItemState::kAbandoned),
                             ItemState::kPending, dag_, now_)
                  .events.empty());
  EXPECT_EQ(router_->Route(MakeItem("ignore-failures", "etl_x", ItemState::kAtRisk),
                           ItemState::kPending, dag_, now_)
                .events.size(),
            1u);
  EXPECT_TRUE(router_->Route(MakeItem("orders-in-2h", "orders_daily", ItemState::kAtRisk),
                             ItemState::kPending, dag_, now_)
                  .events.empty());
}

TEST_F(RouterTest, PausedDagsAreSuppressedUnlessAlertWhenPaused) {
  Item item = MakeItem("orders-in-2h", "orders_daily", ItemState::kMissed);
  item.paused = true;
  Routed routed = router_->Route(item, ItemState::kPending, dag_, now_);
  EXPECT_TRUE(routed.events.empty());
  ASSERT_EQ(routed.suppressed.size(), 2u);
  EXPECT_EQ(routed.suppressed[0].why, "paused DAG");
  Item etl = MakeItem("ignore-failures", "etl_x", ItemState::kMissed);
  etl.paused = true;
  EXPECT_EQ(router_->Route(etl, ItemState::kPending, dag_, now_).events.size(), 1u);
}

TEST_F(RouterTest, SilencesCoverTheirWindowInTheirTimeZoneForMatchingDags) {
  std::vector<std::string> tags{"maintenance"};
  DagContext tagged{.tags = &tags, .owners = "", .airflow_major = 2};
  // Sunday 2026-11-22 02:00 Europe/Berlin = 01:00 UTC, for 2 h.
  EXPECT_EQ(router_->ActiveSilence("orders_daily", tagged, T("2026-11-22T00:59:59Z")),
            std::nullopt);
  EXPECT_EQ(router_->ActiveSilence("orders_daily", tagged, T("2026-11-22T01:00:00Z")), 1u);
  EXPECT_EQ(router_->ActiveSilence("orders_daily", tagged, T("2026-11-22T02:59:59Z")), 1u);
  EXPECT_EQ(router_->ActiveSilence("orders_daily", tagged, T("2026-11-22T03:00:00Z")),
            std::nullopt);
  EXPECT_EQ(router_->ActiveSilence("orders_daily", dag_, T("2026-11-22T01:30:00Z")),
            std::nullopt);
  Item item = MakeItem("orders-in-2h", "orders_daily", ItemState::kMissed);
  Routed routed = router_->Route(item, ItemState::kPending, tagged, T("2026-11-22T01:30:00Z"));
  EXPECT_TRUE(routed.events.empty());
  ASSERT_EQ(routed.suppressed.size(), 2u);
  EXPECT_EQ(routed.suppressed[1].channel, "pd");
  EXPECT_EQ(routed.suppressed[1].why, "silence #1");
}

TEST_F(RouterTest, AirflowLinksFollowTheMajorVersion) {
  rules::ItemKey key{"prod", "r", "my dag", "manual__2026-11-22T00:00:00+00:00", "load", ""};
  EXPECT_EQ(router_->AirflowLink(key, 3),
            "http://airflow.example.com:8080/dags/my%20dag/runs/"
            "manual__2026-11-22T00%3A00%3A00%2B00%3A00/tasks/load");
  EXPECT_EQ(router_->AirflowLink(key, 2),
            "http://airflow.example.com:8080/dags/my%20dag/grid?dag_run_id="
            "manual__2026-11-22T00%3A00%3A00%2B00%3A00&task_id=load");
  key.run_id.clear();
  key.task_id.clear();
  EXPECT_EQ(router_->AirflowLink(key, 3), "http://airflow.example.com:8080/dags/my%20dag");
  key.instance = "other";
  EXPECT_EQ(router_->AirflowLink(key, 3), "");
}

}  // namespace
}  // namespace slayer::notify
