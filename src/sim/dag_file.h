// Reads the simulator's YAML DAG file (format: docs/simulator.md) into DagSpecs, validated:
// unknown keys, bad durations, rates outside [0, 1], unknown time zones, bad crons, unknown
// pools, unknown or cyclic upstream tasks are errors. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "sim/dag_spec.h"

namespace slayer::sim {

// Loads `path`. Errors are kInvalidArgument with one line "path:line:col: message" (1-based),
// or "path: message" when the file cannot be read.
Result<DagFile> LoadDagFile(const std::string& path);

// As LoadDagFile for YAML text; `name` stands for the file in messages and, unless a DAG sets
// `fileloc`, gives its default fileloc /opt/airflow/dags/<stem of name>.py.
Result<DagFile> ParseDagFile(std::string_view yaml, const std::string& name);

}  // namespace slayer::sim
