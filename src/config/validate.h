// The semantic checks of a Config: unique and well-formed names, resolvable channel names, time
// zones and cron expressions, one kind per rule, label names, ranges of durations. Pure;
// thread-safe.
#pragma once

#include "common/result.h"
#include "config/config.h"

namespace slayer::config {

// Checks a Config built in code (LoadConfig* run the same checks on a file, with positions).
// On error, kInvalidArgument with one "path: message" line per problem, e.g.
// "rules[1].notify[0]: unknown channel 'slak' in rule 'x' (did you mean 'slack'?)".
// Fills each channel's unset `backoff` from `notifications`.
Result<ValidatedConfig> Validate(Config config);

}  // namespace slayer::config
