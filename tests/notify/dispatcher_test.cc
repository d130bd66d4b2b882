// Dispatcher: the outbox delivered in order, with retries, backoff, give-up and rejection, and
// nothing lost or repeated across a restart. A scripted in-process channel stands in for the
// receiver (the channels themselves are tested against real receivers elsewhere).
#include "notify/dispatcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <thread>

#include "fakes/timestamps.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::notify {
namespace {

using namespace std::chrono_literals;
using rules::Item;
using rules::ItemKey;
using rules::ItemState;
using test::T;

// Records every event it is given; answers from a script, then with `otherwise`.
class ScriptedChannel final : public Channel {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<Event> delivered;  // accepted events
    std::vector<std::string> attempts;  // every attempt's key
    std::deque<DeliveryResult> script;
    DeliveryResult otherwise = DeliveryResult::Delivered();
    std::vector<size_t> refreshes;  // sizes of each Refresh
  };
  ScriptedChannel(std::string name, std::shared_ptr<Shared> shared, bool refresh = false)
      : name_(std::move(name)), shared_(std::move(shared)), refresh_(refresh) {}
  const std::string& name() const override { return name_; }
  DeliveryResult Deliver(const Event& event) override {
    std::lock_guard lock(shared_->mu);
    shared_->attempts.push_back(event.key);
    DeliveryResult r = shared_->otherwise;
    if (!shared_->script.empty()) {
      r = shared_->script.front();
      shared_->script.pop_front();
    }
    if (r.delivered()) shared_->delivered.push_back(event);
    return r;
  }
  bool WantsRefresh() const override { return refresh_; }
  DeliveryResult Refresh(std::span<const Event> open) override {
    std::lock_guard lock(shared_->mu);
    shared_->refreshes.push_back(open.size());
    return DeliveryResult::Delivered();
  }

 private:
  std::string name_;
  std::shared_ptr<Shared> shared_;
  bool refresh_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dsn = db::Dsn::Parse("sqlite:///" + (dir_.path() / "slayer.db").string());
    ASSERT_TRUE(dsn);
    auto store = store::SqliteStore::Open(*dsn);
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }

  config::Channel Config(std::string name) {
    config::Channel c;
    c.name = std::move(name);
    c.backoff = config::Backoff{20ms, 80ms};
    return c;
  }

  std::unique_ptr<Dispatcher> Make(config::Channel config, bool refresh = false,
                                   DispatcherOptions options = {}) {
    std::vector<DispatchChannel> channels;
    channels.push_back(
        {std::make_unique<ScriptedChannel>(config.name, shared_, refresh), config});
    return std::make_unique<Dispatcher>(*store_, clock_, std::move(channels), options);
  }

  // Queues one event per key for `channel`, items in `state`.
  void Queue(const std::string& channel, const std::vector<std::string>& runs,
             std::string kind = "missed", ItemState state = ItemState::kMissed) {
    std::vector<Item> items;
    std::vector<store::OutboxEvent> events;
    for (const std::string& run : runs) {
      Item item;
      item.key = ItemKey{"prod", "r", "d", run, "", ""};
      item.need_by = T("2026-11-23T10:00:00Z");
      item.state = state;
      item.reference = "dagrun.logical_date";
      items.push_back(item);
      Event e;
      e.item_key = item.key.ToString();
      e.key = e.item_key + "#" + kind;
      e.kind = *ParseEventKind(kind);
      e.run_id = run;
      e.need_by = item.need_by;
      e.event_time = item.need_by;
      events.push_back({channel, e.key, kind, item.key, EventToJson(e), ""});
    }
    ASSERT_TRUE(store_->Record({.upsert = items, .events = events}).ok());
  }

  // Waits until `done` holds (checked under the shared mutex), at most 5 s.
  bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(shared_->mu);
        if (done()) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::vector<std::string> DeliveredRuns() {
    std::lock_guard lock(shared_->mu);
    std::vector<std::string> runs;
    for (const Event& e : shared_->delivered) {
      runs.push_back(e.run_id + "#" + std::string(EventKindName(e.kind)));
    }
    return runs;
  }

  int64_t PendingIn(const std::string& channel) {
    auto counts = store_->OutboxPendingCounts();
    EXPECT_TRUE(counts);
    return counts && counts->count(channel) ? counts->at(channel) : 0;
  }

  slayer::testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::shared_ptr<ScriptedChannel::Shared> shared_ = std::make_shared<ScriptedChannel::Shared>();
};

TEST_F(DispatcherTest, BackoffDoublesUpToTheCap) {
  config::Backoff b{5s, 60s};
  EXPECT_EQ(Dispatcher::BackoffAfter(1, b), 5s);
  EXPECT_EQ(Dispatcher::BackoffAfter(2, b), 10s);
  EXPECT_EQ(Dispatcher::BackoffAfter(4, b), 40s);
  EXPECT_EQ(Dispatcher::BackoffAfter(5, b), 60s);
  EXPECT_EQ(Dispatcher::BackoffAfter(1000, b), 60s);
}

TEST_F(DispatcherTest, DeliversQueuedEventsInOrderAndRecordsThem) {
  Queue("hook", {"a", "b", "c"});
  auto d = Make(Config("hook"));
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 3; }));
  EXPECT_EQ(DeliveredRuns(), (std::vector<std::string>{"a#missed", "b#missed", "c#missed"}));
  // Events queued later are delivered when the dispatcher is woken.
  Queue("hook", {"a"}, "recovered", ItemState::kMetLate);
  d->Wake();
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 4; }));
  d->Stop();
  EXPECT_EQ(PendingIn("hook"), 0);
  NotificationCounters counters = d->Counters();
  EXPECT_EQ((counters.total[{"hook", "missed", "delivered"}]), 3u);
  EXPECT_EQ((counters.total[{"hook", "recovered", "delivered"}]), 1u);
  EXPECT_EQ(counters.pending.at("hook"), 0);
  // Series that never happened exist at 0, so that rate() sees their first event.
  EXPECT_EQ(counters.total.count({"hook", "abandoned", "rejected"}), 1u);
  EXPECT_EQ((counters.total[{"hook", "abandoned", "rejected"}]), 0u);
  EXPECT_EQ(counters.total.size(), 20u);
}

TEST_F(DispatcherTest, ATransientFailureIsRetriedWithBackoffAndKeepsTheOrder) {
  shared_->script = {DeliveryResult::Retry("HTTP 503"), DeliveryResult::Retry("HTTP 503")};
  Queue("hook", {"a", "b"});
  auto d = Make(Config("hook"));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 2; }));
  const auto took = std::chrono::steady_clock::now() - started;
  d->Stop();
  // a failed twice (waits 20 ms then 40 ms), and b waited behind it.
  EXPECT_GE(took, 60ms);
  EXPECT_EQ(DeliveredRuns(), (std::vector<std::string>{"a#missed", "b#missed"}));
  {
    std::lock_guard lock(shared_->mu);
    EXPECT_EQ(shared_->attempts.size(), 4u);
  }
  NotificationCounters counters = d->Counters();
  EXPECT_EQ((counters.total[{"hook", "missed", "failed"}]), 2u);
  EXPECT_EQ((counters.total[{"hook", "missed", "delivered"}]), 2u);
}

TEST_F(DispatcherTest, ARejectedEventIsNotRetriedAndDoesNotBlockTheRest) {
  shared_->script = {DeliveryResult::Rejected("HTTP 400: invalid routing key")};
  Queue("pd", {"a", "b"});
  auto d = Make(Config("pd"));
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 1; }));
  std::this_thread::sleep_for(100ms);
  d->Stop();
  EXPECT_EQ(DeliveredRuns(), (std::vector<std::string>{"b#missed"}));
  {
    std::lock_guard lock(shared_->mu);
    EXPECT_EQ(shared_->attempts.size(), 2u);
  }
  EXPECT_EQ(PendingIn("pd"), 0);
  EXPECT_EQ((d->Counters().total[{"pd", "missed", "rejected"}]), 1u);
}

TEST_F(DispatcherTest, MaxRetriesDropsTheEvent) {
  shared_->otherwise = DeliveryResult::Retry("connection refused");
  Queue("hook", {"a"});
  config::Channel c = Config("hook");
  c.max_retries = 2;
  auto d = Make(c);
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->attempts.size() == 3; }));
  std::this_thread::sleep_for(200ms);
  d->Stop();
  {
    std::lock_guard lock(shared_->mu);
    EXPECT_EQ(shared_->attempts.size(), 3u);  // the first attempt and two retries
  }
  EXPECT_EQ(PendingIn("hook"), 0);
  EXPECT_EQ((d->Counters().total[{"hook", "missed", "dropped"}]), 1u);
}

TEST_F(DispatcherTest, GiveUpAfterDropsOldEvents) {
  shared_->otherwise = DeliveryResult::Retry("connection refused");
  Queue("hook", {"a"});
  DispatcherOptions options;
  options.give_up_after = 150ms;
  auto d = Make(Config("hook"), false, options);
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return PendingIn("hook") == 0; }));
  d->Stop();
  {
    std::lock_guard lock(shared_->mu);
    EXPECT_GE(shared_->attempts.size(), 2u);  // retried until too old
  }
  EXPECT_EQ((d->Counters().total[{"hook", "missed", "dropped"}]), 1u);
}

TEST_F(DispatcherTest, ARestartResumesWithoutRepeatingDeliveredEvents) {
  shared_->otherwise = DeliveryResult::Retry("connection refused");
  Queue("hook", {"a", "b"});
  {
    auto d = Make(Config("hook"));
    ASSERT_TRUE(d->Start().ok());
    ASSERT_TRUE(WaitFor([&] { return shared_->attempts.size() >= 2; }));
    d->Stop();
  }
  EXPECT_TRUE(DeliveredRuns().empty());
  {
    std::lock_guard lock(shared_->mu);
    shared_->otherwise = DeliveryResult::Delivered();
  }
  auto d = Make(Config("hook"));
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 2; }));
  d->Stop();
  // Once more: nothing left to deliver.
  auto again = Make(Config("hook"));
  ASSERT_TRUE(again->Start().ok());
  std::this_thread::sleep_for(100ms);
  again->Stop();
  EXPECT_EQ(DeliveredRuns(), (std::vector<std::string>{"a#missed", "b#missed"}));
}

TEST_F(DispatcherTest, EventsOfRemovedChannelsAreDroppedAtStart) {
  Queue("old", {"a"});
  Queue("hook", {"b"});
  auto d = Make(Config("hook"));
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->delivered.size() == 1; }));
  d->Stop();
  EXPECT_EQ(PendingIn("old"), 0);
  EXPECT_EQ(DeliveredRuns(), (std::vector<std::string>{"b#missed"}));
}

TEST_F(DispatcherTest, RefreshRepostsTheDeliveredMissesOfOpenItems) {
  Queue("am", {"a", "b"});
  DispatcherOptions options;
  options.refresh_interval = 50ms;
  auto d = Make(Config("am"), /*refresh=*/true, options);
  ASSERT_TRUE(d->Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    return shared_->delivered.size() == 2 && !shared_->refreshes.empty() &&
           shared_->refreshes.back() == 2;
  }));
  // b finishes late: only a is re-posted from then on.
  Item b;
  b.key = ItemKey{"prod", "r", "d", "b", "", ""};
  b.need_by = T("2026-11-23T10:00:00Z");
  b.state = ItemState::kMetLate;
  b.reference = "dagrun.logical_date";
  std::vector<Item> items{b};
  ASSERT_TRUE(store_->Record({.upsert = items}).ok());
  ASSERT_TRUE(WaitFor([&] { return shared_->refreshes.back() == 1; }));
  d->Stop();
}

TEST_F(DispatcherTest, SuppressedNotificationsAreCounted) {
  auto d = Make(Config("hook"));
  d->CountSuppressed({{"hook", EventKind::kMissed, "silence #1"},
                      {"hook", EventKind::kMissed, "paused DAG"}});
  EXPECT_EQ((d->Counters().total[{"hook", "missed", "suppressed"}]), 2u);
}

}  // namespace
}  // namespace slayer::notify
