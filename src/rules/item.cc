#include "rules/item.h"

#include <algorithm>
#include <array>
#include <utility>

namespace slayer::rules {
namespace {

constexpr std::array<std::pair<ItemState, std::string_view>, 6> kStateNames = {{
    {ItemState::kPending, "pending"},
    {ItemState::kAtRisk, "at_risk"},
    {ItemState::kMissed, "missed"},
    {ItemState::kMet, "met"},
    {ItemState::kMetLate, "met_late"},
    {ItemState::kAbandoned, "abandoned"},
}};

}  // namespace

std::string_view ItemStateName(ItemState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<ItemState> ParseItemState(std::string_view name) {
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool IsFinal(ItemState state) {
  switch (state) {
    case ItemState::kMet:
    case ItemState::kMetLate:
    case ItemState::kAbandoned:
      return true;
    case ItemState::kPending:
    case ItemState::kAtRisk:
    case ItemState::kMissed:
      return false;
  }
  return false;
}

std::string ItemKey::ToString() const {
  std::string out;
  out.reserve(instance.size() + rule.size() + dag_id.size() + run_id.size() + task_id.size() +
              slot.size() + 5);
  out += instance;
  out += '/';
  out += rule;
  out += '/';
  out += dag_id;
  out += '/';
  out += run_id;
  out += '/';
  out += task_id;
  out += '/';
  out += slot;
  return out;
}

Duration Item::lateness() const {
  if (state != ItemState::kMetLate || !done_at) return Duration::zero();
  // Airflow can stamp an end_date before the need-by and commit it after SLAyer read the work
  // as open (and declared the miss): late, by nothing.
  return std::max(Duration::zero(), *done_at - need_by);
}

Duration Item::overdue(Timestamp now) const {
  if (state != ItemState::kMissed) return Duration::zero();
  return std::max(Duration::zero(), now - need_by);
}

}  // namespace slayer::rules
