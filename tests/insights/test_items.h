// Test helpers: store items in a line each, for the insights tests.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "fakes/timestamps.h"
#include "rules/item.h"

namespace slayer::insights::test {

using rules::ItemState;
using slayer::test::T;

// An item of instance "prod" whose done_at and missed_at follow its state: met is done a minute
// early; met_late is missed at need-by + 1s and done `late` after the need-by; missed is missed
// at need-by + 1s; abandoned fails `late` after the need-by, having been missed when that is
// positive.
inline rules::Item Item(std::string dag, std::string rule, std::string task,
                        std::string_view need_by, ItemState state,
                        Duration late = std::chrono::minutes(10)) {
  rules::Item item;
  item.key.instance = "prod";
  item.key.rule = std::move(rule);
  item.key.dag_id = std::move(dag);
  item.key.task_id = std::move(task);
  item.need_by = T(need_by);
  item.key.run_id = "scheduled__" + std::string(need_by);
  item.state = state;
  const Duration declared = std::chrono::seconds(1);
  switch (state) {
    case ItemState::kPending:
    case ItemState::kAtRisk:
      break;
    case ItemState::kMet:
      item.done_at = item.need_by - std::chrono::minutes(1);
      break;
    case ItemState::kMetLate:
      item.missed_at = item.need_by + declared;
      item.done_at = item.need_by + late;
      break;
    case ItemState::kMissed:
      item.missed_at = item.need_by + declared;
      break;
    case ItemState::kAbandoned:
      item.done_at = item.need_by + late;
      if (late > declared) item.missed_at = item.need_by + declared;
      break;
  }
  return item;
}

}  // namespace slayer::insights::test
