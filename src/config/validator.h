// Internal to config/: the semantic checks shared by Validate (a Config built in code) and the
// loader (a Config read from a file, with positions). Not thread-safe.
#pragma once

#include <optional>

#include "config/config.h"
#include "config/diagnostics.h"

namespace slayer::config::detail {

class Validator {
 public:
  // Checks `config`, adding errors to `diagnostics` at the positions `sources` knows (null: no
  // positions). Returns the ValidatedConfig when `diagnostics` is empty at the end, which
  // includes errors added before the call (by the loader).
  static std::optional<ValidatedConfig> Run(Config config, const SourceMap* sources,
                                            Diagnostics& diagnostics);
};

}  // namespace slayer::config::detail
