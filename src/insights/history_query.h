// ReadHistory: the store items a report or incident list covers: need-by in a window, a DAG id
// glob, a rule. Reads through store::Store; as thread-safe as the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/glob.h"
#include "common/result.h"
#include "common/time.h"
#include "rules/item.h"

namespace slayer::store {
class Store;
}  // namespace slayer::store

namespace slayer::insights {

struct HistoryFilter {
  Timestamp since;             // need_by >= since
  Timestamp until;             // need_by < until
  std::optional<Glob> dag_id;  // the DAG id matches; std::nullopt = any DAG
  std::string rule;            // exactly this rule; empty = any rule
};

// The items of every instance matching `filter`, ordered by need_by then key. A literal DAG id
// is looked up by the store; a pattern is matched on what the store returns. Errors are the
// store's, with context "read the history store".
Result<std::vector<rules::Item>> ReadHistory(store::Store& store, const HistoryFilter& filter);

}  // namespace slayer::insights
