#include <iostream>

#include "cli/commands.h"
#include "config/describe.h"
#include "config/load.h"

namespace slayer::cli {

int RunCheckConfig(const GlobalOptions& global) {
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return 1;
  }
  std::cout << config::DescribeConfig(*config);
  std::cout << global.config_file << ": OK\n";
  return 0;
}

}  // namespace slayer::cli
