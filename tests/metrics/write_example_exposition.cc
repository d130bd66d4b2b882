// Writes the example exposition (example_exposition.h) to the file named by its one argument,
// for the promtool integration test. Exits 1 with a message if that fails.
#include <cstdio>
#include <fstream>
#include <string>

#include "metrics/example_exposition.h"
#include "metrics/text_renderer.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_FILE\n", argv[0]);
    return 2;
  }
  auto snapshot = slayer::metrics::BuildExampleSnapshot();
  if (!snapshot) {
    std::fprintf(stderr, "build example snapshot: %s\n", snapshot.error().ToString().c_str());
    return 1;
  }
  std::string text;
  slayer::metrics::RenderText(*snapshot, &text);
  std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::fprintf(stderr, "write %s failed\n", argv[1]);
    return 1;
  }
  return 0;
}
