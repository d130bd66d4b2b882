// ${VAR} expansion in config values. Pure function; thread-safe when `lookup` is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace slayer::config {

// Returns the value of an environment variable, or std::nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
std::optional<std::string> LookupProcessEnv(std::string_view name);

// Expands, in `text`:
//   ${VAR}          the value of VAR; an error when VAR is not set (an empty value is fine)
//   ${VAR:-default} the value of VAR, or `default` when VAR is unset or empty
//   $$              a literal '$'
// A '$' before anything else is kept as is, so "pa$word" needs no escaping. VAR is
// [A-Za-z_][A-Za-z0-9_]*; `default` is literal text up to the first '}'. Expanded values are not
// expanded again. The names of the variables read are appended to `used` when it is not null.
// Errors never quote `text` (it may hold a credential), only the variable reference.
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup,
                              std::vector<std::string>* used = nullptr);

}  // namespace slayer::config
