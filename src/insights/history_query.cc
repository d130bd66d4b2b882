#include "insights/history_query.h"

#include <algorithm>

#include "store/store.h"

namespace slayer::insights {

Result<std::vector<rules::Item>> ReadHistory(store::Store& store, const HistoryFilter& filter) {
  // The empty pattern matches only the empty id, which no DAG has; the store would read "" as
  // "any DAG".
  if (filter.dag_id && filter.dag_id->pattern().empty()) return std::vector<rules::Item>{};
  store::ItemFilter query;
  query.need_by_from = filter.since;
  query.need_by_to = filter.until;
  query.rule = filter.rule;
  if (filter.dag_id && filter.dag_id->is_literal()) query.dag_id = filter.dag_id->literal();
  Result<std::vector<rules::Item>> items = store.Items(query);
  if (!items) return items.error().WithContext("read the history store");
  if (filter.dag_id && !filter.dag_id->is_literal()) {
    std::erase_if(
        *items, [&](const rules::Item& item) { return !filter.dag_id->Matches(item.key.dag_id); });
  }
  return items;
}

}  // namespace slayer::insights
