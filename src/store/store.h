// Store: SLAyer's own durable record (SPEC section 7): every tracked item with its outcome, and
// watermarks (how far an evaluation has got, per instance and name). SQLite in WAL mode today
// (OpenStore); PostgreSQL later behind the same interface. Each call is one transaction: it
// either happens entirely or not at all. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "common/time.h"
#include "db/dsn.h"
#include "rules/item.h"

namespace slayer::store {

struct ItemFilter {
  std::string instance;         // empty = every instance
  std::optional<Timestamp> need_by_from;  // need_by >= this
  std::optional<Timestamp> need_by_to;    // need_by < this
  std::string dag_id;           // exact; empty = any
  std::string rule;             // exact; empty = any
  bool open_only = false;       // only pending, at_risk and missed items
  size_t limit = 0;             // 0 = no limit; otherwise the newest `limit` by need_by
};

// A notification to queue in the outbox (docs/notifications.md#delivery-and-retries): one event
// for one channel, about one item.
struct OutboxEvent {
  std::string channel;
  std::string event_key;  // the idempotency key; (channel, event_key) is queued at most once
  std::string kind;       // missed, recovered, abandoned, at_risk
  rules::ItemKey item;
  std::string payload;  // the event (notify::EventToJson)
  // When set, the event is queued only if an event of this kind for the same item and channel
  // was queued before (a recovery is sent only where the miss was sent).
  std::string only_after_kind;
};

// An event in the outbox, as the dispatcher sees it.
struct OutboxEntry {
  int64_t id = 0;  // the queue order
  std::string channel;
  std::string event_key;
  std::string kind;
  rules::ItemKey item;
  std::string payload;
  int attempts = 0;  // failed attempts so far
  Timestamp created_at{};
  Timestamp next_attempt_at{};  // not before this
  std::string last_error;
};

enum class OutboxOutcome {
  kDelivered,  // the receiver accepted it
  kRejected,   // the receiver refused it for good
  kDropped,    // given up: too many attempts, too old, or its channel is gone
};

// Everything one evaluation changed, written in one transaction: items, the keys of items that
// moved (an expected run's item re-keyed to the real run), and the notifications they cause.
struct Changes {
  std::span<const rules::Item> upsert;
  std::span<const rules::ItemKey> remove;
  // Items that moved: the outbox entries of the old key now belong to the new key.
  std::span<const std::pair<rules::ItemKey, rules::ItemKey>> rekey;
  std::span<const OutboxEvent> events;
};

// A stretch of time during which one Airflow instance's health (airflow_up: a live scheduler)
// was known and did not change (docs/store.md, docs/health.md#uptime).
struct HealthInterval {
  std::string instance;
  bool up = false;
  Timestamp start{};
  Timestamp end{};    // the last sample of the stretch; equal to start after a single sample
  bool open = false;  // the instance's latest stretch, which the next sample may extend
};

class Store {
 public:
  virtual ~Store() = default;

  // Inserts or replaces items by key, all in one transaction.
  virtual Status Upsert(std::span<const rules::Item> items) = 0;
  // Removes items by key (an expected run re-keyed to the real run, say), in one transaction.
  virtual Status Remove(std::span<const rules::ItemKey> keys) = 0;
  // The open items of one instance (to continue after a restart), ordered by key.
  virtual Result<std::vector<rules::Item>> OpenItems(std::string_view instance) = 0;
  // Items matching `filter`, ordered by need_by then key.
  virtual Result<std::vector<rules::Item>> Items(const ItemFilter& filter) = 0;
  // One item, or std::nullopt.
  virtual Result<std::optional<rules::Item>> Find(const rules::ItemKey& key) = 0;

  // Watermarks: a timestamp per (instance, name), e.g. "wallclock:report-by-9:daily_sales".
  virtual Result<std::optional<Timestamp>> Watermark(std::string_view instance,
                                                     std::string_view name) = 0;
  virtual Status SetWatermark(std::string_view instance, std::string_view name,
                              Timestamp value) = 0;

  // Deletes final items whose need_by is older than `before` (retention), and the finished
  // outbox entries created before it. Returns how many items.
  virtual Result<int64_t> DeleteFinalBefore(Timestamp before) = 0;

  // Applies `changes` in one transaction: all of it or nothing.
  virtual Status Record(const Changes& changes) = 0;

  // History evaluated from Airflow's past runs (`slayer backfill`), in one transaction: inserts
  // the items the store does not hold; replaces a held item that is still open (pending,
  // at_risk, missed) when the new one is final, keeping the time its miss was declared; leaves
  // held final items as they are (so running it twice changes nothing, and what the live engine
  // recorded wins). Sets `watermarks` of `instance` too. Returns how many items were inserted
  // or finished.
  virtual Result<int64_t> RecordHistory(
      std::span<const rules::Item> items, std::string_view instance,
      std::span<const std::pair<std::string, Timestamp>> watermarks) = 0;

  // The outbox. The pending entries of one channel in queue order (at most `limit`).
  virtual Result<std::vector<OutboxEntry>> PendingOutbox(std::string_view channel,
                                                         size_t limit) = 0;
  // A failed attempt: `attempts` so far, when to try again, why it failed.
  virtual Status OutboxRetry(int64_t id, int attempts, Timestamp next_attempt_at,
                             std::string_view error) = 0;
  // The entry is finished (delivered, rejected or dropped) at `at`.
  virtual Status OutboxFinish(int64_t id, OutboxOutcome outcome, Timestamp at,
                              std::string_view error) = 0;
  // Drops the pending entries of channels not in `channels` (removed from the config).
  // Returns how many.
  virtual Result<int64_t> DropOutboxExcept(std::span<const std::string> channels,
                                           Timestamp at) = 0;
  // Pending entries per channel.
  virtual Result<std::map<std::string, int64_t>> OutboxPendingCounts() = 0;
  // The payloads of the delivered `kind` events of `channel` whose item is still in `state`
  // (the open misses an Alertmanager must be reminded of), in queue order.
  virtual Result<std::vector<std::string>> DeliveredPayloadsWhileState(
      std::string_view channel, std::string_view kind, rules::ItemState state) = 0;

  // Airflow health over time (uptime). Records one sample of `instance` taken at `at`: `up`
  // true or false, or std::nullopt when it could not be read (the Airflow database was
  // unreachable). A known sample at most `max_gap` after the end of the instance's open
  // interval extends it when the state is the same, or closes it and opens one from its end
  // when the state changed (the time between two samples counts as the later sample's state).
  // After a longer gap or an unknown sample, a new interval starts at `at`: the time in between
  // is unknown. An unknown sample closes the open interval. A sample before the open interval's
  // end (the wall clock stepped back) is ignored. One transaction.
  virtual Status RecordHealthSample(std::string_view instance, std::optional<bool> up,
                                    Timestamp at, Duration max_gap) = 0;
  // The health intervals of `instance` (every instance when empty) with end >= from and
  // start < to, ordered by instance then start.
  virtual Result<std::vector<HealthInterval>> HealthIntervals(std::string_view instance,
                                                              Timestamp from, Timestamp to) = 0;
  // Deletes the closed health intervals that ended before `before` (retention). Returns how
  // many.
  virtual Result<int64_t> DeleteHealthBefore(Timestamp before) = 0;
};

// Opens (creating if needed, with parent directories) the store a DSN names and brings its
// schema to the current version (versioned migrations; a store written by a newer SLAyer is
// refused with kFailedPrecondition). SQLite: WAL journal, synchronous=NORMAL, busy timeout.
// Errors name the DSN (password redacted) and what to do.
Result<std::unique_ptr<Store>> OpenStore(const db::Dsn& dsn);

}  // namespace slayer::store
