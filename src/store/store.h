// Store: SLAyer's own durable record (SPEC section 7): every tracked item with its outcome, and
// watermarks (how far an evaluation has got, per instance and name). SQLite in WAL mode today
// (OpenStore); PostgreSQL later behind the same interface. Each call is one transaction: it
// either happens entirely or not at all. Implementations are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

  // Deletes final items whose need_by is older than `before` (retention). Returns how many.
  virtual Result<int64_t> DeleteFinalBefore(Timestamp before) = 0;
};

// Opens (creating if needed, with parent directories) the store a DSN names and brings its
// schema to the current version (versioned migrations; a store written by a newer SLAyer is
// refused with kFailedPrecondition). SQLite: WAL journal, synchronous=NORMAL, busy timeout.
// Errors name the DSN (password redacted) and what to do.
Result<std::unique_ptr<Store>> OpenStore(const db::Dsn& dsn);

}  // namespace slayer::store
