// Scaling a DAG set for benchmarks: clone a file's DAGs up to a count, or generate a synthetic
// set (the `--dags N` template). Pure functions; deterministic.
#pragma once

#include "sim/dag_spec.h"

namespace slayer::sim {

// Exactly `count` DAGs: the file's DAGs first, then clones of them round-robin, whose dag_ids
// get a "_c00042" suffix. With count <= the file's size, the first `count` DAGs.
DagFile CloneDags(const DagFile& file, int count);

// `count` synthetic DAGs with `tasks_per_dag` tasks each (a fan-out/fan-in shape), daily crons
// spread over the minutes of the day, a few with SLAs (2.x) / deadlines (3.1), mild failure and
// lateness rates. default_pool gets enough slots for the load.
DagFile GenerateDags(int count, int tasks_per_dag);

}  // namespace slayer::sim
