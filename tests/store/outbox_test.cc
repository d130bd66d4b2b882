// The outbox of the SQLite store: events queued with the item changes that cause them, once
// per (channel, event key), conditional on an earlier event when asked, and their delivery
// bookkeeping.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/connect.h"
#include "db/connection.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::store {
namespace {

using rules::Item;
using rules::ItemKey;
using rules::ItemState;
using test::T;

ItemKey Key(std::string run) { return ItemKey{"prod", "r", "d", std::move(run), "", ""}; }

Item MakeItem(ItemKey key, ItemState state) {
  Item item;
  item.key = std::move(key);
  item.need_by = T("2026-11-23T10:00:00Z");
  item.state = state;
  item.reference = "dagrun.logical_date";
  return item;
}

OutboxEvent Event(const ItemKey& item, std::string channel, std::string kind,
                  std::string only_after = "") {
  return OutboxEvent{.channel = std::move(channel),
                     .event_key = item.ToString() + "#" + kind,
                     .kind = kind,
                     .item = item,
                     .payload = "{\"kind\":\"" + kind + "\"}",
                     .only_after_kind = std::move(only_after)};
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
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
  void Record(std::vector<Item> items, std::vector<OutboxEvent> events) {
    ASSERT_TRUE(store_->Record({.upsert = items, .events = events}).ok());
  }
  std::vector<OutboxEntry> Pending(const std::string& channel) {
    auto entries = store_->PendingOutbox(channel, 100);
    EXPECT_TRUE(entries) << entries.error().ToString();
    return entries ? *entries : std::vector<OutboxEntry>{};
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{T("2026-11-23T12:00:00Z")};
  db::Dsn dsn_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(OutboxTest, EventsAreQueuedWithTheirItemsInOrderAndSurviveAReopen) {
  const ItemKey a = Key("a"), b = Key("b");
  Record({MakeItem(a, ItemState::kMissed), MakeItem(b, ItemState::kMissed)},
         {Event(a, "slack", "missed"), Event(a, "pd", "missed"), Event(b, "slack", "missed")});
  Reopen();
  auto slack = Pending("slack");
  ASSERT_EQ(slack.size(), 2u);
  EXPECT_EQ(slack[0].item, a);
  EXPECT_EQ(slack[0].kind, "missed");
  EXPECT_EQ(slack[0].event_key, a.ToString() + "#missed");
  EXPECT_EQ(slack[0].payload, "{\"kind\":\"missed\"}");
  EXPECT_EQ(slack[0].attempts, 0);
  EXPECT_EQ(slack[0].created_at, T("2026-11-23T12:00:00Z"));
  EXPECT_EQ(slack[0].next_attempt_at, T("2026-11-23T12:00:00Z"));
  EXPECT_EQ(slack[1].item, b);
  EXPECT_LT(slack[0].id, slack[1].id);
  EXPECT_EQ(Pending("pd").size(), 1u);
  auto items = store_->Items({});
  ASSERT_TRUE(items);
  EXPECT_EQ(items->size(), 2u);
  auto counts = store_->OutboxPendingCounts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{"pd", 1}, {"slack", 2}}));
}

TEST_F(OutboxTest, TheSameEventIsQueuedOnce) {
  const ItemKey a = Key("a");
  Record({MakeItem(a, ItemState::kMissed)}, {Event(a, "slack", "missed")});
  Record({MakeItem(a, ItemState::kMissed)}, {Event(a, "slack", "missed")});
  EXPECT_EQ(Pending("slack").size(), 1u);
}

TEST_F(OutboxTest, AnOnlyAfterEventNeedsTheEarlierEventOnTheSameChannel) {
  const ItemKey a = Key("a"), b = Key("b");
  Record({MakeItem(a, ItemState::kMissed)}, {Event(a, "slack", "missed")});
  Record({MakeItem(a, ItemState::kMetLate), MakeItem(b, ItemState::kMetLate)},
         {Event(a, "slack", "recovered", "missed"), Event(a, "pd", "recovered", "missed"),
          Event(b, "slack", "recovered", "missed")});
  auto slack = Pending("slack");
  ASSERT_EQ(slack.size(), 2u);
  EXPECT_EQ(slack[1].kind, "recovered");
  EXPECT_EQ(slack[1].item, a);
  EXPECT_TRUE(Pending("pd").empty());
}

TEST_F(OutboxTest, AFailedRecordQueuesNothing) {
  const ItemKey a = Key("a");
  Item bad = MakeItem(a, static_cast<ItemState>(42));
  std::vector<Item> items{bad};
  std::vector<OutboxEvent> events{Event(a, "slack", "missed")};
  EXPECT_FALSE(store_->Record({.upsert = items, .events = events}).ok());
  EXPECT_TRUE(Pending("slack").empty());
}

TEST_F(OutboxTest, RetryAndFinishBookkeeping) {
  const ItemKey a = Key("a"), b = Key("b"), c = Key("c");
  Record({MakeItem(a, ItemState::kMissed), MakeItem(b, ItemState::kMissed),
          MakeItem(c, ItemState::kMissed)},
         {Event(a, "hook", "missed"), Event(b, "hook", "missed"), Event(c, "hook", "missed")});
  auto entries = Pending("hook");
  ASSERT_EQ(entries.size(), 3u);
  ASSERT_TRUE(store_->OutboxRetry(entries[0].id, 2, T("2026-11-23T12:05:00Z"), "HTTP 503").ok());
  ASSERT_TRUE(store_->OutboxFinish(entries[1].id, OutboxOutcome::kDelivered,
                                   T("2026-11-23T12:00:01Z"), "")
                  .ok());
  ASSERT_TRUE(store_->OutboxFinish(entries[2].id, OutboxOutcome::kRejected,
                                   T("2026-11-23T12:00:02Z"), "HTTP 400")
                  .ok());
  // A finished entry cannot be finished again (a late duplicate of the dispatcher's call).
  ASSERT_TRUE(store_->OutboxFinish(entries[1].id, OutboxOutcome::kDropped,
                                   T("2026-11-23T12:00:03Z"), "x")
                  .ok());
  Reopen();
  auto left = Pending("hook");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, entries[0].id);
  EXPECT_EQ(left[0].attempts, 2);
  EXPECT_EQ(left[0].next_attempt_at, T("2026-11-23T12:05:00Z"));
  EXPECT_EQ(left[0].last_error, "HTTP 503");
  // The delivered miss of b counts as an open alert while b is missed.
  auto open = store_->DeliveredPayloadsWhileState("hook", "missed", ItemState::kMissed);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->size(), 1u);
  Record({MakeItem(b, ItemState::kMetLate)}, {});
  open = store_->DeliveredPayloadsWhileState("hook", "missed", ItemState::kMissed);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(OutboxTest, RekeyMovesTheEntriesOfAnItem) {
  const ItemKey expected = Key("scheduled__x"), real = Key("manual__x");
  Record({MakeItem(expected, ItemState::kMissed)}, {Event(expected, "slack", "missed")});
  std::vector<Item> items{MakeItem(real, ItemState::kMetLate)};
  std::vector<ItemKey> remove{expected};
  std::vector<std::pair<ItemKey, ItemKey>> rekey{{expected, real}};
  std::vector<OutboxEvent> events{Event(real, "slack", "recovered", "missed")};
  ASSERT_TRUE(
      store_->Record({.upsert = items, .remove = remove, .rekey = rekey, .events = events}).ok());
  auto slack = Pending("slack");
  ASSERT_EQ(slack.size(), 2u);
  EXPECT_EQ(slack[0].item, real);
  EXPECT_EQ(slack[1].kind, "recovered");
}

TEST_F(OutboxTest, RemovedChannelsAreDroppedAndRetentionDeletesFinishedEntries) {
  const ItemKey a = Key("a");
  Record({MakeItem(a, ItemState::kMissed)},
         {Event(a, "slack", "missed"), Event(a, "old", "missed")});
  std::vector<std::string> keep{"slack"};
  auto dropped = store_->DropOutboxExcept(keep, T("2026-11-23T12:00:00Z"));
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, 1);
  EXPECT_TRUE(Pending("old").empty());
  EXPECT_EQ(Pending("slack").size(), 1u);
  // Retention: the dropped entry goes, the pending one stays however old.
  ASSERT_TRUE(store_->DeleteFinalBefore(T("2027-01-01T00:00:00Z")));
  EXPECT_EQ(Pending("slack").size(), 1u);
  auto conn = db::Connect(dsn_, {.read_only = true});
  ASSERT_TRUE(conn);
  auto rows = (*conn)->Query("SELECT count(*) FROM outbox");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->row(0).Require<int64_t>(0).value(), 1);
}

}  // namespace
}  // namespace slayer::store
