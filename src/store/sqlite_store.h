// SqliteStore: the Store (store/store.h) in one SQLite file in WAL mode, over db::Connection.
// Thread-safe: one connection behind one mutex, each call one transaction. The file's layout and
// how to back it up: docs/store.md.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "common/time.h"
#include "db/dsn.h"
#include "db/param.h"
#include "rules/item.h"
#include "store/store.h"

namespace slayer::db {
class Connection;
}  // namespace slayer::db

namespace slayer::store {

class SqliteStore final : public Store {
 public:
  // Opens the SQLite file `dsn` names, creating it when missing (its directory must exist:
  // OpenStore creates it), sets WAL, synchronous=NORMAL and a busy timeout, and applies the
  // migrations the file lacks. `clock` stamps updated_at and applied_at; it must outlive the
  // store; nullptr means the system clock. Errors: kFailedPrecondition for a store written by
  // a newer SLAyer or a database that is not a SLAyer store; kPermissionDenied for a file or
  // directory we cannot write; otherwise the error of db::Connect. All name the DSN.
  static Result<std::unique_ptr<SqliteStore>> Open(const db::Dsn& dsn,
                                                   const Clock* clock = nullptr);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Store
  Status Upsert(std::span<const rules::Item> items) override;
  Status Remove(std::span<const rules::ItemKey> keys) override;
  Result<std::vector<rules::Item>> OpenItems(std::string_view instance) override;
  Result<std::vector<rules::Item>> Items(const ItemFilter& filter) override;
  Result<std::optional<rules::Item>> Find(const rules::ItemKey& key) override;
  Result<std::optional<Timestamp>> Watermark(std::string_view instance,
                                             std::string_view name) override;
  Status SetWatermark(std::string_view instance, std::string_view name, Timestamp value) override;
  Result<int64_t> DeleteFinalBefore(Timestamp before) override;
  Status Record(const Changes& changes) override;
  Result<int64_t> RecordHistory(
      std::span<const rules::Item> items, std::string_view instance,
      std::span<const std::pair<std::string, Timestamp>> watermarks) override;
  Result<std::vector<OutboxEntry>> PendingOutbox(std::string_view channel,
                                                 size_t limit) override;
  Status OutboxRetry(int64_t id, int attempts, Timestamp next_attempt_at,
                     std::string_view error) override;
  Status OutboxFinish(int64_t id, OutboxOutcome outcome, Timestamp at,
                      std::string_view error) override;
  Result<int64_t> DropOutboxExcept(std::span<const std::string> channels, Timestamp at) override;
  Result<std::map<std::string, int64_t>> OutboxPendingCounts() override;
  Result<std::vector<std::string>> DeliveredPayloadsWhileState(std::string_view channel,
                                                               std::string_view kind,
                                                               rules::ItemState state) override;
  Status RecordHealthSample(std::string_view instance, std::optional<bool> up, Timestamp at,
                            Duration max_gap) override;
  Result<std::vector<HealthInterval>> HealthIntervals(std::string_view instance, Timestamp from,
                                                      Timestamp to) override;
  Result<int64_t> DeleteHealthBefore(Timestamp before) override;

 private:
  SqliteStore(std::unique_ptr<db::Connection> conn, std::string where, const Clock* clock);

  // REQUIRES: mu_ held (or the store not yet shared).
  Status Configure();
  Status Migrate();
  // Runs `body` between BEGIN [IMMEDIATE] and COMMIT, rolling back when it fails. Writers take
  // the write lock up front, so a busy file fails at BEGIN (after the busy timeout), not midway.
  template <typename Body>
  auto InTransaction(bool write, Body&& body) -> decltype(body());
  Status Finish(Status outcome);
  static Status CheckStates(std::span<const rules::Item> items);
  // REQUIRES: mu_ held, inside a write transaction.
  // Stages `items` and merges them into `items` with `merge` (kMergeStaging or
  // kMergeHistory); returns how many rows the merge changed.
  Result<int64_t> MergeRows(std::span<const rules::Item> items, const db::Param& now,
                            std::string_view merge);
  Status UpsertRows(std::span<const rules::Item> items, const db::Param& now);
  Status RemoveKeys(std::span<const rules::ItemKey> keys);
  Result<std::vector<rules::Item>> QueryItems(std::string_view sql,
                                              const std::vector<db::Param>& params);

  SystemClock system_clock_;
  const Clock& clock_;
  const std::string where_;  // the DSN, for errors

  std::mutex mu_;
  std::unique_ptr<db::Connection> conn_;  // GUARDED_BY(mu_)
};

}  // namespace slayer::store
