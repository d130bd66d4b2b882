#include <iostream>

#include "cli/commands.h"
#include "common/log.h"

namespace slayer::cli {

bool SetUpLogging(const GlobalOptions& global) {
  auto level = ParseLogLevel(global.log_level);
  if (!level) {
    std::cerr << "--log.level: " << level.error().message() << "\n";
    return false;
  }
  auto format = ParseLogFormat(global.log_format);
  if (!format) {
    std::cerr << "--log.format: " << format.error().message() << "\n";
    return false;
  }
  SetLogLevel(*level);
  SetLogFormat(*format);
  return true;
}

}  // namespace slayer::cli
