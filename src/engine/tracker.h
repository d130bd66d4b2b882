// Tracker: the lifecycle of every tracked item of one Airflow instance (SPEC section 3,
// "Evaluation"), in memory: it applies observations made from fresh reads and says what
// changed. pending -> met | missed -> met_late | abandoned; a miss is declared only when an
// observation made at or after the need-by says the work is still open, so never on stale data.
// It also answers what is due (pending items whose need-by has passed: re-read them now) and
// when the next need-by is (the timer queue). Not thread-safe: the instance's poll thread owns
// it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"
#include "rules/evaluate.h"
#include "rules/item.h"

namespace slayer::engine {

// One change of one item. `item` is the item after the change.
struct Transition {
  rules::Item item;
  std::optional<rules::ItemState> from;  // std::nullopt: the item is new
};

struct ApplyResult {
  std::vector<Transition> transitions;
  // Keys that no longer exist: an expected run's item moved to the real run's key.
  std::vector<rules::ItemKey> removed;
  // The same moves as (old key, new key).
  std::vector<std::pair<rules::ItemKey, rules::ItemKey>> rekeyed;
};

class Tracker {
 public:
  Tracker() = default;

  // After a restart: the open items from the store, and the keys of items that are already
  // final within the horizon (so that re-reading their runs does not record them twice).
  void Restore(std::vector<rules::Item> open, std::span<const rules::Item> final_items);

  // Applies observations made at `now` from reads done just before. For each armed
  // observation:
  //  - a key already final: ignored;
  //  - a new key: created (pending), and then as below; a DAG-level schedule-slot observation
  //    whose logical date matches an open item of the same rule and DAG under another run_id
  //    (the expected run that Airflow created under another id) takes that item over: the old
  //    key is reported in `removed`;
  //  - done: pending -> met (done at or before need-by) or met_late; missed -> met_late. A done
  //    observation without a time counts as done at `now`;
  //  - failed: open -> abandoned (done_at = when it failed, if known);
  //  - open: pending and need_by <= now -> missed (missed_at = now); a pending item's need-by,
  //    reference and labels follow the observation; a missed item keeps its need-by.
  // Unarmed observations are ignored.
  ApplyResult Apply(std::span<const rules::Observation> observations, Timestamp now);

  // Pending items predicted to finish after their need-by (which is still ahead): pending ->
  // at_risk, appended to `result`. An at-risk item stays so until it is met or missed. Keys
  // that are not pending, or whose need-by has passed, are left alone.
  void MarkAtRisk(std::span<const rules::ItemKey> keys, Timestamp now, ApplyResult& result);

  // The run was deleted from Airflow: its open items (every rule and task) are abandoned.
  ApplyResult AbandonRun(std::string_view dag_id, std::string_view run_id, Timestamp now);

  // Open items with need_by < `before` leave live tracking (beyond the horizon): they stay as
  // they are in the store. Final keys with need_by < `before` are forgotten. Returns how many
  // open items left.
  size_t Expire(Timestamp before);

  // Pending items whose need_by <= now: re-read them and Apply to declare the miss.
  std::vector<rules::ItemKey> Due(Timestamp now) const;
  // The earliest need_by of a pending item, or of one whose need_by is after `after`.
  std::optional<Timestamp> NextNeedBy() const;
  std::optional<Timestamp> NextNeedByAfter(Timestamp after) const;

  // Open items by key.
  const std::map<rules::ItemKey, rules::Item>& open() const { return open_; }
  const rules::Item* Find(const rules::ItemKey& key) const;
  bool IsFinal(const rules::ItemKey& key) const;
  size_t final_count() const { return final_.size(); }

 private:
  void Change(rules::Item& item, rules::ItemState to, ApplyResult& result,
              std::optional<rules::ItemState> from);
  void Finish(const rules::ItemKey& key, Timestamp need_by);

  std::map<rules::ItemKey, rules::Item> open_;
  // Pending items by need-by (the timer queue).
  std::set<std::pair<Timestamp, rules::ItemKey>> pending_by_need_;
  // Final items: hash of the key -> need_by (for Expire).
  std::unordered_map<uint64_t, Timestamp> final_;
};

// A stable 64-bit hash of a key (FNV-1a over its parts).
uint64_t HashKey(const rules::ItemKey& key);

}  // namespace slayer::engine
