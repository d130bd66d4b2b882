#include "engine/tracker.h"

#include <algorithm>

namespace slayer::engine {

using rules::Item;
using rules::ItemKey;
using rules::ItemState;
using rules::Observation;
using rules::Progress;

uint64_t HashKey(const ItemKey& key) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view part) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator: ("ab","c") != ("a","bc")
    h *= 1099511628211ULL;
  };
  mix(key.instance);
  mix(key.rule);
  mix(key.dag_id);
  mix(key.run_id);
  mix(key.task_id);
  mix(key.slot);
  return h;
}

void Tracker::Restore(std::vector<Item> open, std::span<const Item> final_items) {
  for (Item& item : open) {
    if (item.state == ItemState::kPending || item.state == ItemState::kAtRisk) {
      pending_by_need_.insert({item.need_by, item.key});
    }
    ItemKey key = item.key;
    open_.insert_or_assign(std::move(key), std::move(item));
  }
  for (const Item& item : final_items) final_.emplace(HashKey(item.key), item.need_by);
}

const Item* Tracker::Find(const ItemKey& key) const {
  auto it = open_.find(key);
  return it == open_.end() ? nullptr : &it->second;
}

bool Tracker::IsFinal(const ItemKey& key) const { return final_.contains(HashKey(key)); }

void Tracker::Change(Item& item, ItemState to, ApplyResult& result,
                     std::optional<ItemState> from) {
  const bool was_pending = from && (*from == ItemState::kPending || *from == ItemState::kAtRisk);
  if (was_pending) pending_by_need_.erase({item.need_by, item.key});
  item.state = to;
  if (to == ItemState::kPending || to == ItemState::kAtRisk) {
    pending_by_need_.insert({item.need_by, item.key});
  }
  result.transitions.push_back({item, from});
}

void Tracker::Finish(const ItemKey& key, Timestamp need_by) {
  final_[HashKey(key)] = need_by;
  open_.erase(key);
}

ApplyResult Tracker::Apply(std::span<const Observation> observations, Timestamp now) {
  ApplyResult result;
  for (const Observation& o : observations) {
    if (!o.armed) continue;
    const ItemKey& key = o.item.key;
    if (IsFinal(key)) continue;
    auto it = open_.find(key);
    std::optional<ItemState> from;
    if (it == open_.end() && o.schedule_slot && o.item.logical_date) {
      // The expected run was created under another run_id: take its item over. Only an
      // expected item: a real run whose logical date (or run_after, when it has none) is the
      // same keeps its own item.
      for (auto old = open_.begin(); old != open_.end(); ++old) {
        const Item& cand = old->second;
        if (cand.expected && cand.key.rule == key.rule && cand.key.dag_id == key.dag_id &&
            cand.key.task_id.empty() && cand.key.slot == key.slot &&
            cand.logical_date == o.item.logical_date) {
          Item moved = cand;
          if (moved.state == ItemState::kPending || moved.state == ItemState::kAtRisk) {
            pending_by_need_.erase({moved.need_by, moved.key});
          }
          result.removed.push_back(moved.key);
          result.rekeyed.emplace_back(moved.key, key);
          open_.erase(old);
          moved.key = key;
          if (moved.state == ItemState::kPending || moved.state == ItemState::kAtRisk) {
            pending_by_need_.insert({moved.need_by, moved.key});
          }
          it = open_.emplace(key, std::move(moved)).first;
          break;
        }
      }
    }
    if (it == open_.end()) {
      Item item = o.item;
      item.state = ItemState::kPending;
      item.done_at.reset();
      item.missed_at.reset();
      it = open_.emplace(key, std::move(item)).first;
      pending_by_need_.insert({it->second.need_by, key});
      result.transitions.push_back({it->second, std::nullopt});
    } else {
      from = it->second.state;
    }
    Item& item = it->second;
    const ItemState state = item.state;
    const bool pending = state == ItemState::kPending || state == ItemState::kAtRisk;
    if (pending) {
      // The need-by, reference and labels follow the data until the miss is declared.
      if (item.need_by != o.item.need_by) {
        pending_by_need_.erase({item.need_by, key});
        item.need_by = o.item.need_by;
        pending_by_need_.insert({item.need_by, key});
      }
      item.reference = o.item.reference;
      item.reference_time = o.item.reference_time;
    }
    item.logical_date = o.item.logical_date;
    item.severity = o.item.severity;
    item.paused = o.item.paused;
    item.expected = o.item.expected;
    // A brand-new item's creation was recorded above; its next change is from kPending.
    if (!from) from = ItemState::kPending;

    switch (o.progress) {
      case Progress::kDone: {
        const Timestamp at = o.progress_at.value_or(now);
        item.done_at = at;
        ItemState to = (pending && at <= item.need_by) ? ItemState::kMet : ItemState::kMetLate;
        Change(item, to, result, from);
        Finish(key, item.need_by);
        break;
      }
      case Progress::kFailed:
        item.done_at = o.progress_at;
        Change(item, ItemState::kAbandoned, result, from);
        Finish(key, item.need_by);
        break;
      case Progress::kOpen:
        if (pending && item.need_by <= now) {
          item.missed_at = now;
          Change(item, ItemState::kMissed, result, from);
        }
        break;
    }
  }
  return result;
}

void Tracker::MarkAtRisk(std::span<const ItemKey> keys, Timestamp now, ApplyResult& result) {
  for (const ItemKey& key : keys) {
    auto it = open_.find(key);
    if (it == open_.end()) continue;
    Item& item = it->second;
    if (item.state != ItemState::kPending || item.need_by <= now) continue;
    Change(item, ItemState::kAtRisk, result, item.state);
  }
}

ApplyResult Tracker::AbandonRun(std::string_view dag_id, std::string_view run_id, Timestamp now) {
  ApplyResult result;
  std::vector<ItemKey> keys;
  for (const auto& [key, item] : open_) {
    if (key.dag_id == dag_id && key.run_id == run_id && !item.expected) keys.push_back(key);
  }
  for (const ItemKey& key : keys) {
    Item& item = open_.at(key);
    item.done_at = now;
    Change(item, ItemState::kAbandoned, result, item.state);
    Finish(key, item.need_by);
  }
  return result;
}

size_t Tracker::Expire(Timestamp before) {
  size_t n = 0;
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.need_by < before) {
      pending_by_need_.erase({it->second.need_by, it->first});
      final_[HashKey(it->first)] = it->second.need_by;
      it = open_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  std::erase_if(final_, [before](const auto& entry) { return entry.second < before; });
  return n;
}

std::vector<ItemKey> Tracker::Due(Timestamp now) const {
  std::vector<ItemKey> out;
  for (const auto& [need_by, key] : pending_by_need_) {
    if (need_by > now) break;
    out.push_back(key);
  }
  return out;
}

std::optional<Timestamp> Tracker::NextNeedBy() const {
  if (pending_by_need_.empty()) return std::nullopt;
  return pending_by_need_.begin()->first;
}

std::optional<Timestamp> Tracker::NextNeedByAfter(Timestamp after) const {
  auto it = pending_by_need_.lower_bound({after + std::chrono::microseconds(1), ItemKey{}});
  if (it == pending_by_need_.end()) return std::nullopt;
  return it->first;
}

}  // namespace slayer::engine
