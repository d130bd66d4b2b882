#include "rules/reference.h"

namespace slayer::rules {
namespace {

using config::Reference;

std::optional<Timestamp> RunValue(Reference reference, const airflow::DagRun& run) {
  switch (reference) {
    case Reference::kLogicalDate:
      return run.logical_date;
    case Reference::kDataIntervalStart:
      return run.data_interval_start;
    case Reference::kDataIntervalEnd:
      return run.data_interval_end;
    case Reference::kRunAfter:
      // Timestamp{} marks a run_after that could not be read (row_decoder.cc): NULL.
      if (run.run_after == Timestamp{}) return std::nullopt;
      return run.run_after;
    case Reference::kQueuedAt:
      return run.queued_at;
    case Reference::kStartDate:
      return run.start_date;
    default:
      return std::nullopt;
  }
}

}  // namespace

ResolvedReference ResolveReference(const config::Deadline& deadline, const airflow::DagRun& run,
                                   const airflow::TaskInstance* task) {
  const Reference reference = deadline.reference;
  const std::string name(config::ReferenceName(reference));
  switch (reference) {
    case Reference::kFixed:
      return {deadline.fixed, name};
    case Reference::kTaskQueuedAt:
    case Reference::kTaskStartDate: {
      if (task == nullptr) return {std::nullopt, name + " (no task instance yet)"};
      const auto& value =
          reference == Reference::kTaskQueuedAt ? task->queued_dttm : task->start_date;
      if (!value) {
        return {std::nullopt, name + (reference == Reference::kTaskQueuedAt
                                          ? " (not queued yet)"
                                          : " (not started yet)")};
      }
      return {*value, name};
    }
    case Reference::kStartDate: {
      if (!run.start_date) return {std::nullopt, name + " (run not started yet)"};
      return {*run.start_date, name};
    }
    default:
      break;
  }
  if (auto value = RunValue(reference, run)) return {*value, name};
  // run_after is NOT NULL on 3.x and derived on 2.x; queued_at is the last resort only in
  // principle (kept for a run_after that could not be read).
  if (run.run_after != Timestamp{}) {
    return {run.run_after, "dagrun.run_after (" + name.substr(7) + " is NULL)"};
  }
  if (run.queued_at) return {*run.queued_at, "dagrun.queued_at (" + name.substr(7) + " is NULL)"};
  return {std::nullopt, name + " is NULL and the run has no run_after or queued_at"};
}

}  // namespace slayer::rules
