#include "insights/history_query.h"

#include <gtest/gtest.h>

#include "insights/temp_store.h"
#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;

class HistoryQueryTest : public TempStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TempStoreTest::SetUp());
    std::vector<rules::Item> items = {
        Item("finance_etl", "by-9", "", "2026-11-02T08:00:00Z", ItemState::kMet),
        Item("finance_report", "by-9", "", "2026-11-02T09:00:00Z", ItemState::kMissed),
        Item("finance_etl", "runtime", "load", "2026-11-03T08:00:00Z", ItemState::kMetLate),
        Item("sales", "by-9", "", "2026-11-04T08:00:00Z", ItemState::kMet),
        Item("sales", "by-9", "", "2026-12-01T00:00:00Z", ItemState::kMet),  // after the window
    };
    ASSERT_TRUE(store_->Upsert(items).ok());
  }

  std::vector<std::string> Dags(const HistoryFilter& filter) {
    auto items = ReadHistory(*store_, filter);
    EXPECT_TRUE(items) << items.error().message();
    std::vector<std::string> out;
    if (items) {
      for (const rules::Item& i : *items) out.push_back(i.key.dag_id + "/" + i.key.rule);
    }
    return out;
  }

  HistoryFilter November() {
    return {.since = T("2026-11-01T00:00:00Z"), .until = T("2026-12-01T00:00:00Z")};
  }
};

TEST_F(HistoryQueryTest, WindowOrderedByNeedBy) {
  EXPECT_EQ(Dags(November()), (std::vector<std::string>{"finance_etl/by-9", "finance_report/by-9",
                                                        "finance_etl/runtime", "sales/by-9"}));
}

TEST_F(HistoryQueryTest, DagGlobIsMatchedOnWhatTheStoreReturns) {
  HistoryFilter f = November();
  f.dag_id = *Glob::Compile("finance_*");
  EXPECT_EQ(Dags(f), (std::vector<std::string>{"finance_etl/by-9", "finance_report/by-9",
                                               "finance_etl/runtime"}));
  f.dag_id = *Glob::Compile("*_etl");
  EXPECT_EQ(Dags(f), (std::vector<std::string>{"finance_etl/by-9", "finance_etl/runtime"}));
}

TEST_F(HistoryQueryTest, LiteralDagAndRule) {
  HistoryFilter f = November();
  f.dag_id = *Glob::Compile("sales");
  EXPECT_EQ(Dags(f), (std::vector<std::string>{"sales/by-9"}));
  f.dag_id = *Glob::Compile("finance_etl");
  f.rule = "runtime";
  EXPECT_EQ(Dags(f), (std::vector<std::string>{"finance_etl/runtime"}));
  f.dag_id = *Glob::Compile("fin\\*");  // an escaped star is a literal: no DAG has it
  EXPECT_TRUE(Dags(f).empty());
}

TEST_F(HistoryQueryTest, EmptyPatternMatchesNothing) {
  HistoryFilter f = November();
  f.dag_id = *Glob::Compile("");
  EXPECT_TRUE(Dags(f).empty());
}

}  // namespace
}  // namespace slayer::insights
