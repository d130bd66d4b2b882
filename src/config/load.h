// Reading the YAML config file into a ValidatedConfig: parse, expand ${VAR}, read *_file
// secrets, check every key and value, then Validate. docs/configuration.md describes the format.
// Thread-safe when the LoadOptions callbacks are.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "config/expand.h"

namespace slayer::config {

// What loading may read besides the YAML text. Unset members use the process environment and
// the file system; tests inject fakes.
struct LoadOptions {
  // Looks up ${VAR}. Default: the process environment.
  EnvLookup getenv;
  // Reads a whole file: the config (LoadConfigFile) and every `*_file` value. Errors should say
  // why (missing, permission); they are shown after the key that named the file. Default: the
  // file system.
  std::function<Result<std::string>(const std::string& path)> read_file;
};

// Loads and validates the config in `path`. On error, kInvalidArgument whose message holds one
// line per problem, "file:line:col: message" (1-based), ordered by position, at most 20 lines
// plus a count of the rest. No message contains a secret (DSN password, webhook URL, key).
// Relative `*_file` paths are resolved against the directory of `path`.
Result<ValidatedConfig> LoadConfigFile(const std::string& path, const LoadOptions& options = {});

// As LoadConfigFile, for YAML text; messages name `file_name_for_errors`, and relative `*_file`
// paths are resolved against its directory (the working directory when it has none).
Result<ValidatedConfig> LoadConfigString(std::string_view yaml,
                                         std::string_view file_name_for_errors,
                                         const LoadOptions& options = {});

}  // namespace slayer::config
