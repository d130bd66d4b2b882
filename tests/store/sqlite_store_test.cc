#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/time.h"
#include "db/connect.h"
#include "db/connection.h"
#include "fakes/fake_clock.h"
#include "store/sqlite_migrations.h"
#include "store/temp_dir.h"
#include "fakes/timestamps.h"

namespace slayer::store {
namespace {

using rules::Item;
using rules::ItemKey;
using rules::ItemState;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;

constexpr auto& kAllStates = rules::kAllItemStates;

using test::T;

ItemKey Key(std::string instance, std::string rule, std::string dag, std::string run = "",
            std::string task = "", std::string slot = "") {
  return ItemKey{std::move(instance), std::move(rule), std::move(dag),
                 std::move(run),      std::move(task), std::move(slot)};
}

Item MakeItem(ItemKey key, Timestamp need_by, ItemState state = ItemState::kPending) {
  Item item;
  item.key = std::move(key);
  item.need_by = need_by;
  item.state = state;
  item.reference = "dagrun.logical_date";
  return item;
}

// An item with every optional set, each to a distinct value with microseconds.
Item FullItem(ItemState state) {
  Item item;
  item.key = Key("prod", "daily-by-9", "sales_daily", "scheduled__2026-11-23T00:00:00+00:00",
                 "load", "2026-11-23T09:00:00Z");
  item.severity = "critical";
  item.logical_date = T("2026-11-23T00:00:00.000001Z");
  item.need_by = T("2026-11-23T09:00:00.000002Z");
  item.state = state;
  item.done_at = T("2026-11-23T09:30:00.000003Z");
  item.missed_at = T("2026-11-23T09:00:05.000004Z");
  item.reference = "dagrun.run_after (logical_date is NULL)";
  item.reference_time = T("2026-11-24T00:00:00.000005Z");
  item.paused = true;
  item.expected = true;
  return item;
}

void ExpectSameItem(const Item& got, const Item& want) {
  EXPECT_EQ(got.key, want.key) << got.key.ToString() << " vs " << want.key.ToString();
  EXPECT_EQ(got.severity, want.severity);
  EXPECT_EQ(got.logical_date, want.logical_date);
  EXPECT_EQ(got.need_by, want.need_by);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.done_at, want.done_at);
  EXPECT_EQ(got.missed_at, want.missed_at);
  EXPECT_EQ(got.reference, want.reference);
  EXPECT_EQ(got.reference_time, want.reference_time);
  EXPECT_EQ(got.paused, want.paused);
  EXPECT_EQ(got.expected, want.expected);
}

std::vector<std::string> KeysOf(const std::vector<Item>& items) {
  std::vector<std::string> keys;
  for (const Item& item : items) keys.push_back(item.key.ToString());
  return keys;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed";
    auto dsn = db::Dsn::Parse("sqlite:///" + (dir_.path() / "slayer.db").string());
    ASSERT_TRUE(dsn) << dsn.error().ToString();
    dsn_ = *dsn;
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto store = SqliteStore::Open(dsn_, &clock_);
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }

  // A second, independent connection to the file, to look at what the store wrote.
  std::unique_ptr<db::Connection> Peek(bool read_only = true) {
    auto conn = db::Connect(dsn_, {.read_only = read_only});
    EXPECT_TRUE(conn) << conn.error().ToString();
    return conn ? std::move(*conn) : nullptr;
  }

  std::vector<Item> AllItems() {
    auto items = store_->Items({});
    EXPECT_TRUE(items) << items.error().ToString();
    return items ? *items : std::vector<Item>{};
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{T("2026-11-23T12:00:00Z")};
  db::Dsn dsn_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, RoundTripsEveryFieldInEveryState) {
  std::vector<Item> items;
  for (ItemState state : kAllStates) {
    Item item = FullItem(state);
    item.key.slot = std::string(rules::ItemStateName(state));
    items.push_back(item);
  }
  ASSERT_TRUE(store_->Upsert(items).ok());
  for (const Item& want : items) {
    auto got = store_->Find(want.key);
    ASSERT_TRUE(got) << got.error().ToString();
    ASSERT_TRUE(got->has_value()) << want.key.ToString();
    ExpectSameItem(**got, want);
  }
}

TEST_F(SqliteStoreTest, RoundTripsUnsetOptionalsAndEmptyKeyParts) {
  Item item = MakeItem(Key("prod", "fresh-6h", "ingest"), T("2026-11-23T06:00:00Z"));
  item.severity = "info";
  item.reference = "";
  ASSERT_FALSE(item.logical_date || item.done_at || item.missed_at || item.reference_time);
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());
  auto got = store_->Find(item.key);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  ExpectSameItem(**got, item);
  EXPECT_FALSE((*got)->paused);

  // The optionals really are NULL in the file, not zero.
  auto conn = Peek();
  auto rs = conn->Query(
      "SELECT logical_date IS NULL, done_at IS NULL, missed_at IS NULL, reference_time IS NULL "
      "FROM items");
  ASSERT_TRUE(rs) << rs.error().ToString();
  ASSERT_EQ(rs->num_rows(), 1u);
  for (size_t col = 0; col < 4; ++col) EXPECT_EQ(rs->row(0).Raw(col), "1") << col;
}

TEST_F(SqliteStoreTest, RoundTripsTextWithQuotesSlashesAndUnicode) {
  Item item = MakeItem(Key("prod'; DROP TABLE items; --", "rule/with/slashes", "dag \"q\"",
                           "manual__2026-11-23T10:00:00+00:00", "täsk_ü", "slot\nnewline"),
                       T("2026-11-23T10:00:00Z"));
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());
  auto got = store_->Find(item.key);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  ExpectSameItem(**got, item);
}

TEST_F(SqliteStoreTest, StoresTimesAsIntegerMicrosecondsAndStampsUpdatedAt) {
  Item item = FullItem(ItemState::kMet);
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());
  auto conn = Peek();
  auto rs = conn->Query("SELECT typeof(need_by), need_by, typeof(done_at), updated_at FROM items");
  ASSERT_TRUE(rs) << rs.error().ToString();
  ASSERT_EQ(rs->num_rows(), 1u);
  EXPECT_EQ(rs->row(0).Raw(0), "integer");
  EXPECT_EQ(rs->row(0).Raw(1), std::to_string(item.need_by.time_since_epoch().count()));
  EXPECT_EQ(rs->row(0).Raw(2), "integer");
  EXPECT_EQ(rs->row(0).Raw(3), std::to_string(clock_.Now().time_since_epoch().count()));
}

TEST_F(SqliteStoreTest, FindOfMissingKeyIsNullopt) {
  auto got = store_->Find(Key("prod", "r", "d"));
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_F(SqliteStoreTest, UpsertReplacesByKeyIncludingClearingOptionals) {
  Item item = FullItem(ItemState::kMissed);
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());

  Item replaced = item;
  replaced.severity = "warning";
  replaced.state = ItemState::kPending;
  replaced.need_by += hours(1);
  replaced.logical_date.reset();
  replaced.done_at.reset();
  replaced.missed_at.reset();
  replaced.reference_time.reset();
  replaced.reference = "re-evaluated";
  replaced.paused = false;
  clock_.Advance(minutes(5));
  ASSERT_TRUE(store_->Upsert({&replaced, 1}).ok());

  std::vector<Item> all = AllItems();
  ASSERT_EQ(all.size(), 1u);
  ExpectSameItem(all[0], replaced);

  auto conn = Peek();
  auto rs = conn->Query("SELECT updated_at FROM items");
  ASSERT_TRUE(rs) << rs.error().ToString();
  EXPECT_EQ(rs->row(0).Raw(0), std::to_string(clock_.Now().time_since_epoch().count()));
}

TEST_F(SqliteStoreTest, UpsertOfTheSameKeyTwiceInOneCallKeepsTheLast) {
  Item first = MakeItem(Key("prod", "r", "d", "run1"), T("2026-11-23T10:00:00Z"));
  Item second = first;
  second.state = ItemState::kMet;
  second.done_at = T("2026-11-23T09:59:00Z");
  std::vector<Item> batch = {first, second};
  ASSERT_TRUE(store_->Upsert(batch).ok());
  std::vector<Item> all = AllItems();
  ASSERT_EQ(all.size(), 1u);
  ExpectSameItem(all[0], second);
}

TEST_F(SqliteStoreTest, UpsertIsAllOrNothing) {
  Item kept = MakeItem(Key("prod", "r", "d", "old"), T("2026-11-23T08:00:00Z"));
  ASSERT_TRUE(store_->Upsert({&kept, 1}).ok());
  {
    // Makes the database itself refuse one row, after the others of the call went in.
    auto conn = Peek(/*read_only=*/false);
    ASSERT_TRUE(conn->ExecuteScript("CREATE TRIGGER refuse_bad BEFORE INSERT ON items "
                                    "WHEN NEW.run_id = 'bad' "
                                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
                    .ok());
  }

  Item good = MakeItem(Key("prod", "r", "d", "good"), T("2026-11-23T10:00:00Z"));
  Item changed = kept;
  changed.state = ItemState::kMet;
  Item bad = MakeItem(Key("prod", "r", "d", "bad"), T("2026-11-23T11:00:00Z"));
  std::vector<Item> batch = {good, changed, bad};
  Status st = store_->Upsert(batch);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("store upsert of 3 items: ", 0), 0u) << st.message();
  EXPECT_NE(st.message().find("refused by the test"), std::string::npos) << st.message();

  std::vector<Item> all = AllItems();
  ASSERT_EQ(all.size(), 1u);
  ExpectSameItem(all[0], kept);

  // The failed call left nothing behind: the next one writes exactly its own items.
  {
    auto conn = Peek(/*read_only=*/false);
    ASSERT_TRUE(conn->ExecuteScript("DROP TRIGGER refuse_bad").ok());
  }
  ASSERT_TRUE(store_->Upsert({&good, 1}).ok());
  all = AllItems();
  ASSERT_EQ(all.size(), 2u);
  ExpectSameItem(all[0], kept);
  ExpectSameItem(all[1], good);
}

TEST_F(SqliteStoreTest, UpsertRefusesAnItemWithoutAValidState) {
  Item good = MakeItem(Key("prod", "r", "d", "good"), T("2026-11-23T10:00:00Z"));
  Item bad =
      MakeItem(Key("prod", "r", "d", "bad"), T("2026-11-23T11:00:00Z"), static_cast<ItemState>(42));
  std::vector<Item> batch = {good, bad};
  Status st = store_->Upsert(batch);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "store upsert: item prod/r/d/bad// has no valid state (42)");
  EXPECT_TRUE(AllItems().empty());
}

TEST_F(SqliteStoreTest, UpsertOfNothingSucceeds) {
  EXPECT_TRUE(store_->Upsert({}).ok());
  EXPECT_TRUE(store_->Remove({}).ok());
  EXPECT_TRUE(AllItems().empty());
}

TEST_F(SqliteStoreTest, UpsertsTenThousandItemsInOneCall) {
  std::vector<Item> items;
  items.reserve(10000);
  for (int i = 0; i < 10000; ++i) {
    Item item = MakeItem(Key("prod", "rule-" + std::to_string(i % 7), "dag_" + std::to_string(i),
                             "scheduled__" + std::to_string(i), "task"),
                         T("2026-11-23T00:00:00Z") + minutes(i));
    item.logical_date = item.need_by - hours(1);
    items.push_back(std::move(item));
  }
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->Upsert(items).ok());
  // Rewriting them all (the steady state of a poll) is an update per row.
  ASSERT_TRUE(store_->Upsert(items).ok());
  auto elapsed = std::chrono::steady_clock::now() - start;
  RecordProperty(
      "upsert_2x10000_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  // A loose bound that still catches a commit per row (seconds to minutes on a real disk).
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  EXPECT_EQ(AllItems().size(), 10000u);
}

TEST_F(SqliteStoreTest, RemoveDeletesOnlyTheGivenKeys) {
  std::vector<Item> items = {
      MakeItem(Key("prod", "r", "d", "expected__1"), T("2026-11-23T10:00:00Z")),
      MakeItem(Key("prod", "r", "d", "real__1"), T("2026-11-23T10:00:00Z")),
      MakeItem(Key("prod", "r", "d", "expected__1", "task"), T("2026-11-23T10:00:00Z")),
      MakeItem(Key("stage", "r", "d", "expected__1"), T("2026-11-23T10:00:00Z")),
  };
  ASSERT_TRUE(store_->Upsert(items).ok());
  std::vector<ItemKey> gone = {items[0].key, Key("prod", "r", "d", "never-stored")};
  ASSERT_TRUE(store_->Remove(gone).ok());
  EXPECT_EQ(KeysOf(AllItems()),
            (std::vector<std::string>{"prod/r/d/expected__1/task/", "prod/r/d/real__1//",
                                      "stage/r/d/expected__1//"}));
  auto found = store_->Find(items[0].key);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(SqliteStoreTest, OpenItemsReturnsTheOpenItemsOfOneInstanceOrderedByKey) {
  std::vector<Item> items;
  for (ItemState state : kAllStates) {
    std::string name(rules::ItemStateName(state));
    // Need-by times decrease as keys increase, so key order differs from need_by order.
    items.push_back(MakeItem(Key("prod", "r", "dag_" + name),
                             T("2026-11-23T12:00:00Z") - minutes(items.size()), state));
    items.push_back(MakeItem(Key("stage", "r", "dag_" + name), T("2026-11-23T10:00:00Z"), state));
  }
  ASSERT_TRUE(store_->Upsert(items).ok());

  auto open = store_->OpenItems("prod");
  ASSERT_TRUE(open) << open.error().ToString();
  EXPECT_EQ(KeysOf(*open),
            (std::vector<std::string>{"prod/r/dag_at_risk///", "prod/r/dag_missed///",
                                      "prod/r/dag_pending///"}));
  for (const Item& item : *open) EXPECT_TRUE(item.open());

  auto none = store_->OpenItems("nowhere");
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteStoreTest, OpenItemsAgreesWithIsFinal) {
  std::vector<Item> items;
  for (ItemState state : kAllStates) {
    items.push_back(MakeItem(Key("prod", "r", std::string(rules::ItemStateName(state))),
                             T("2026-11-23T10:00:00Z"), state));
  }
  ASSERT_TRUE(store_->Upsert(items).ok());
  auto open = store_->OpenItems("prod");
  ASSERT_TRUE(open) << open.error().ToString();
  ItemFilter open_only;
  open_only.open_only = true;
  auto filtered = store_->Items(open_only);
  ASSERT_TRUE(filtered) << filtered.error().ToString();
  for (ItemState state : kAllStates) {
    auto has = [&](const std::vector<Item>& v) {
      return std::any_of(v.begin(), v.end(), [&](const Item& i) { return i.state == state; });
    };
    EXPECT_EQ(has(*open), !rules::IsFinal(state)) << rules::ItemStateName(state);
    EXPECT_EQ(has(*filtered), !rules::IsFinal(state)) << rules::ItemStateName(state);
  }
}

class SqliteStoreItemsTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    items_ = {
        MakeItem(Key("prod", "by-9", "sales", "run_a"), T("2026-11-23T09:00:00Z"), ItemState::kMet),
        MakeItem(Key("prod", "by-9", "orders", "run_a"), T("2026-11-23T09:00:00Z"),
                 ItemState::kMissed),
        MakeItem(Key("prod", "by-10", "sales", "run_b"), T("2026-11-23T10:00:00Z"),
                 ItemState::kPending),
        MakeItem(Key("prod", "by-9", "sales", "run_c"), T("2026-11-24T09:00:00Z"),
                 ItemState::kAtRisk),
        MakeItem(Key("stage", "by-9", "sales", "run_a"), T("2026-11-23T09:30:00Z"),
                 ItemState::kAbandoned),
        MakeItem(Key("prod", "airflow:sla", "sales", "run_a", "load"), T("2026-11-22T23:00:00Z"),
                 ItemState::kMetLate),
    };
    ASSERT_TRUE(store_->Upsert(items_).ok());
  }

  std::vector<std::string> Query(const ItemFilter& filter) {
    auto items = store_->Items(filter);
    EXPECT_TRUE(items) << items.error().ToString();
    return items ? KeysOf(*items) : std::vector<std::string>{};
  }

  std::vector<Item> items_;
};

TEST_F(SqliteStoreItemsTest, NoFilterReturnsEverythingByNeedByThenKey) {
  EXPECT_EQ(Query({}), (std::vector<std::string>{
                           "prod/airflow:sla/sales/run_a/load/",  // 11-22 23:00
                           "prod/by-9/orders/run_a//",            // 11-23 09:00
                           "prod/by-9/sales/run_a//",             // 11-23 09:00
                           "stage/by-9/sales/run_a//",            // 11-23 09:30
                           "prod/by-10/sales/run_b//",            // 11-23 10:00
                           "prod/by-9/sales/run_c//",             // 11-24 09:00
                       }));
}

TEST_F(SqliteStoreItemsTest, TimeRangeIncludesFromAndExcludesTo) {
  ItemFilter f;
  f.need_by_from = T("2026-11-23T09:00:00Z");
  f.need_by_to = T("2026-11-23T10:00:00Z");
  EXPECT_EQ(Query(f),
            (std::vector<std::string>{"prod/by-9/orders/run_a//", "prod/by-9/sales/run_a//",
                                      "stage/by-9/sales/run_a//"}));
  ItemFilter only_from;
  only_from.need_by_from = T("2026-11-23T10:00:00Z");
  EXPECT_EQ(Query(only_from),
            (std::vector<std::string>{"prod/by-10/sales/run_b//", "prod/by-9/sales/run_c//"}));
  ItemFilter only_to;
  only_to.need_by_to = T("2026-11-23T09:00:00Z");
  EXPECT_EQ(Query(only_to), (std::vector<std::string>{"prod/airflow:sla/sales/run_a/load/"}));
}

TEST_F(SqliteStoreItemsTest, FiltersByInstanceDagRuleAndOpenState) {
  ItemFilter instance;
  instance.instance = "stage";
  EXPECT_EQ(Query(instance), (std::vector<std::string>{"stage/by-9/sales/run_a//"}));

  ItemFilter dag;
  dag.dag_id = "orders";
  EXPECT_EQ(Query(dag), (std::vector<std::string>{"prod/by-9/orders/run_a//"}));

  ItemFilter rule;
  rule.rule = "by-9";
  rule.instance = "prod";
  EXPECT_EQ(Query(rule),
            (std::vector<std::string>{"prod/by-9/orders/run_a//", "prod/by-9/sales/run_a//",
                                      "prod/by-9/sales/run_c//"}));

  ItemFilter open;
  open.open_only = true;
  EXPECT_EQ(Query(open),
            (std::vector<std::string>{"prod/by-9/orders/run_a//", "prod/by-10/sales/run_b//",
                                      "prod/by-9/sales/run_c//"}));

  ItemFilter combined;
  combined.dag_id = "sales";
  combined.rule = "by-9";
  combined.open_only = true;
  combined.need_by_to = T("2026-11-25T00:00:00Z");
  EXPECT_EQ(Query(combined), (std::vector<std::string>{"prod/by-9/sales/run_c//"}));

  ItemFilter nothing;
  nothing.dag_id = "sal";  // exact, not a prefix
  EXPECT_TRUE(Query(nothing).empty());
}

TEST_F(SqliteStoreItemsTest, LimitKeepsTheNewestInAscendingOrder) {
  ItemFilter f;
  f.limit = 3;
  EXPECT_EQ(Query(f),
            (std::vector<std::string>{"stage/by-9/sales/run_a//", "prod/by-10/sales/run_b//",
                                      "prod/by-9/sales/run_c//"}));
  // A tie at the cut is broken by key: of the two 09:00 items the greater key is newer.
  f.limit = 4;
  EXPECT_EQ(Query(f),
            (std::vector<std::string>{"prod/by-9/sales/run_a//", "stage/by-9/sales/run_a//",
                                      "prod/by-10/sales/run_b//", "prod/by-9/sales/run_c//"}));
  f.limit = 100;
  EXPECT_EQ(Query(f).size(), items_.size());
  f.limit = 1;
  f.need_by_to = T("2026-11-23T09:30:00Z");
  EXPECT_EQ(Query(f), (std::vector<std::string>{"prod/by-9/sales/run_a//"}));
}

// RecordHistory (slayer backfill): new items go in; an open item is finished by a final one
// (its declared missed_at kept); final items and open-by-open stay; watermarks in the same
// transaction; the count says what changed.
TEST_F(SqliteStoreTest, RecordHistoryInsertsAbsentFinishesOpenAndKeepsFinal) {
  const Timestamp need = T("2026-11-23T10:00:00Z");
  Item open_missed = MakeItem(Key("prod", "in-2h", "etl", "open"), need, ItemState::kMissed);
  open_missed.missed_at = need + minutes(1);
  Item final_met = MakeItem(Key("prod", "in-2h", "etl", "final"), need, ItemState::kMet);
  final_met.done_at = need - minutes(5);
  Item still_pending = MakeItem(Key("prod", "in-2h", "etl", "pending"), need, ItemState::kPending);
  ASSERT_TRUE(store_->Upsert(std::vector<Item>{open_missed, final_met, still_pending}).ok());

  Item late = MakeItem(Key("prod", "in-2h", "etl", "open"), need, ItemState::kMetLate);
  late.done_at = need + minutes(30);
  late.missed_at = need;
  Item other = MakeItem(Key("prod", "in-2h", "etl", "final"), need, ItemState::kMetLate);  // must not replace `met`
  other.done_at = need + minutes(9);
  Item missed = MakeItem(Key("prod", "in-2h", "etl", "pending"), need, ItemState::kMissed);  // open by open: kept
  missed.missed_at = need;
  Item fresh = MakeItem(Key("prod", "in-2h", "etl", "new"), need, ItemState::kAbandoned);
  const std::vector<std::pair<std::string, Timestamp>> marks = {{"backfill/etl", need}};
  auto n = store_->RecordHistory(std::vector<Item>{late, other, missed, fresh}, "prod", marks);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 2);  // `open` finished, `new` inserted

  auto got = store_->Find(Key("prod", "in-2h", "etl", "open"));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->state, ItemState::kMetLate);
  EXPECT_EQ((*got)->done_at, need + minutes(30));
  EXPECT_EQ((*got)->missed_at, need + minutes(1));  // when the live engine declared it
  got = store_->Find(Key("prod", "in-2h", "etl", "final"));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->state, ItemState::kMet);
  EXPECT_EQ((*got)->done_at, need - minutes(5));
  got = store_->Find(Key("prod", "in-2h", "etl", "pending"));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->state, ItemState::kPending);
  got = store_->Find(Key("prod", "in-2h", "etl", "new"));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->state, ItemState::kAbandoned);
  auto mark = store_->Watermark("prod", "backfill/etl");
  ASSERT_TRUE(mark && *mark);
  EXPECT_EQ(**mark, need);

  // Twice: nothing changes.
  auto again = store_->RecordHistory(std::vector<Item>{late, other, missed, fresh}, "prod", marks);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(*again, 0);
}

TEST_F(SqliteStoreTest, WatermarksSetGetOverwriteAndMissing) {
  auto missing = store_->Watermark("prod", "wallclock:by-9:sales");
  ASSERT_TRUE(missing) << missing.error().ToString();
  EXPECT_FALSE(missing->has_value());

  const Timestamp first = T("2026-11-23T09:00:00.000001Z");
  ASSERT_TRUE(store_->SetWatermark("prod", "wallclock:by-9:sales", first).ok());
  ASSERT_TRUE(store_->SetWatermark("stage", "wallclock:by-9:sales", first - hours(1)).ok());
  ASSERT_TRUE(store_->SetWatermark("prod", "wallclock:by-9:orders", first - hours(2)).ok());

  auto got = store_->Watermark("prod", "wallclock:by-9:sales");
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(*got, first);

  // Overwriting may move a watermark either way; the store keeps what it is told.
  const Timestamp later = first + hours(24);
  ASSERT_TRUE(store_->SetWatermark("prod", "wallclock:by-9:sales", later).ok());
  got = store_->Watermark("prod", "wallclock:by-9:sales");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, later);
  ASSERT_TRUE(store_->SetWatermark("prod", "wallclock:by-9:sales", first).ok());
  got = store_->Watermark("prod", "wallclock:by-9:sales");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, first);

  got = store_->Watermark("stage", "wallclock:by-9:sales");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, first - hours(1));
  got = store_->Watermark("prod", "wallclock:by-9:orders");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, first - hours(2));
  got = store_->Watermark("stage", "wallclock:by-9:orders");
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST_F(SqliteStoreTest, DeleteFinalBeforeDeletesOnlyFinalItemsOlderThanTheCutoff) {
  const Timestamp cutoff = T("2026-01-01T00:00:00Z");
  std::vector<Item> items;
  for (ItemState state : kAllStates) {
    std::string name(rules::ItemStateName(state));
    items.push_back(MakeItem(Key("prod", "r", name, "old"), cutoff - microseconds(1), state));
    items.push_back(MakeItem(Key("prod", "r", name, "at_cutoff"), cutoff, state));
    items.push_back(MakeItem(Key("prod", "r", name, "new"), cutoff + hours(1), state));
  }
  ASSERT_TRUE(store_->Upsert(items).ok());

  auto deleted = store_->DeleteFinalBefore(cutoff);
  ASSERT_TRUE(deleted) << deleted.error().ToString();
  EXPECT_EQ(*deleted, 3);  // met, met_late and abandoned, each once: the "old" ones

  std::vector<Item> left = AllItems();
  EXPECT_EQ(left.size(), items.size() - 3);
  for (const Item& item : items) {
    auto found = store_->Find(item.key);
    ASSERT_TRUE(found);
    bool should_be_gone = rules::IsFinal(item.state) && item.key.run_id == "old";
    EXPECT_EQ(found->has_value(), !should_be_gone) << item.key.ToString();
  }

  deleted = store_->DeleteFinalBefore(cutoff);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 0);
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndDoesNotRerunMigrations) {
  Item item = FullItem(ItemState::kMetLate);
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());
  ASSERT_TRUE(store_->SetWatermark("prod", "w", T("2026-11-23T08:00:00Z")).ok());
  const Timestamp first_open = clock_.Now();

  clock_.Advance(hours(24));
  Reopen();
  Reopen();

  auto got = store_->Find(item.key);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  ExpectSameItem(**got, item);
  auto mark = store_->Watermark("prod", "w");
  ASSERT_TRUE(mark);
  EXPECT_EQ(*mark, T("2026-11-23T08:00:00Z"));

  store_.reset();
  auto conn = Peek();
  auto rs = conn->Query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rs) << rs.error().ToString();
  ASSERT_EQ(rs->num_rows(), static_cast<size_t>(LatestSqliteSchemaVersion()));
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    EXPECT_EQ(rs->row(i).Raw(0), std::to_string(i + 1));
    EXPECT_EQ(rs->row(i).Raw(1), FormatRfc3339(first_open));
  }
}

TEST_F(SqliteStoreTest, UsesTheWalJournal) {
  auto conn = Peek();
  auto rs = conn->Query("PRAGMA journal_mode");
  ASSERT_TRUE(rs) << rs.error().ToString();
  EXPECT_EQ(rs->row(0).Raw(0), "wal");
}

TEST_F(SqliteStoreTest, RefusesAStoreWithANewerSchemaVersion) {
  Item item = MakeItem(Key("prod", "r", "d"), T("2026-11-23T10:00:00Z"));
  ASSERT_TRUE(store_->Upsert({&item, 1}).ok());
  store_.reset();
  const int future = LatestSqliteSchemaVersion() + 1;
  {
    auto conn = Peek(/*read_only=*/false);
    ASSERT_TRUE(conn->Execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                              {future, "2030-01-01T00:00:00Z"})
                    .has_value());
  }
  auto store = SqliteStore::Open(dsn_, &clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.error().message(), "store " + dsn_.ToString() + " has schema version " +
                                         std::to_string(future) + ", this slayer knows up to " +
                                         std::to_string(LatestSqliteSchemaVersion()) +
                                         "; upgrade slayer");

  // Refusing changed nothing.
  auto conn = Peek();
  auto rs = conn->Query(
      "SELECT (SELECT count(*) FROM items), (SELECT max(version) FROM "
      "schema_migrations)");
  ASSERT_TRUE(rs) << rs.error().ToString();
  EXPECT_EQ(rs->row(0).Raw(0), "1");
  EXPECT_EQ(rs->row(0).Raw(1), std::to_string(future));
}

TEST(SqliteStoreOpenTest, RefusesADatabaseThatIsNotASlayerStore) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  auto dsn = db::Dsn::Parse("sqlite:///" + (dir.path() / "airflow.db").string());
  ASSERT_TRUE(dsn);
  {
    auto conn = db::Connect(*dsn, {.read_only = false});
    ASSERT_TRUE(conn) << conn.error().ToString();
    ASSERT_TRUE((*conn)->ExecuteScript("CREATE TABLE dag_run (id INTEGER PRIMARY KEY)").ok());
  }
  auto store = SqliteStore::Open(*dsn);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.error().message(),
            "store " + dsn->ToString() +
                " is not a SLAyer store (it has tables but no schema_migrations); point storage "
                "at a new file");
  // Nothing of ours was written into it.
  auto conn = db::Connect(*dsn, {});
  ASSERT_TRUE(conn);
  auto rs = (*conn)->Query("SELECT group_concat(name) FROM sqlite_master");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->row(0).Raw(0), "dag_run");
}

TEST(SqliteStoreOpenTest, RefusesAFileThatIsNotADatabase) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const auto path = dir.path() / "slayer.db";
  std::ofstream(path) << "this is not an SQLite database, just some text that is long enough "
                         "to fill the 100-byte header SQLite checks for its magic string.\n";
  auto dsn = db::Dsn::Parse("sqlite:///" + path.string());
  ASSERT_TRUE(dsn);
  auto store = SqliteStore::Open(*dsn);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kDataLoss) << store.error().ToString();
  EXPECT_NE(store.error().message().find(path.string()), std::string::npos)
      << store.error().ToString();
}

TEST_F(SqliteStoreTest, ConcurrentCallsFromManyThreadsAreSerialised) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Item item = MakeItem(Key("prod", "r", "dag" + std::to_string(t), std::to_string(i)),
                             T("2026-11-23T10:00:00Z") + minutes(i));
        EXPECT_TRUE(store_->Upsert({&item, 1}).ok());
        EXPECT_TRUE(store_->SetWatermark("prod", "t" + std::to_string(t), item.need_by).ok());
        auto open = store_->OpenItems("prod");
        EXPECT_TRUE(open);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(AllItems().size(), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    auto mark = store_->Watermark("prod", "t" + std::to_string(t));
    ASSERT_TRUE(mark);
    EXPECT_EQ(*mark, T("2026-11-23T10:00:00Z") + minutes(kPerThread - 1));
  }
}

}  // namespace
}  // namespace slayer::store
