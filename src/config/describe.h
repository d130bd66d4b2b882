// The config as SLAyer understood it, in plain words, for `slayer check-config`. Pure;
// thread-safe.
#pragma once

#include <string>

#include "config/config.h"

namespace slayer::config {

// One section per top-level key; each rule on one line, e.g.
//   rule hourly-data-in-2h: deadline per DAG run = dagrun.logical_date + 2h for DAGs matching
//   dag_id events_* AND tag critical AND owner data-eng; severity critical; notify pagerduty, slack
// DSNs are redacted; secrets appear only as their origin ("routing key from file /etc/x").
std::string DescribeConfig(const ValidatedConfig& config);

}  // namespace slayer::config
