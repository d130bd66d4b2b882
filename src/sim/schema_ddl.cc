#include "sim/schema_ddl.h"

#include <string>

namespace slayer::sim {

Result<std::string_view> SchemaDdl(AirflowVersion v, db::Backend backend) {
  auto name = SchemaFileName(v, backend);
  if (!name) return name.error();
  for (int i = 0; i < detail::kEmbeddedSchemaFileCount; ++i) {
    if (*name == detail::kEmbeddedSchemaFiles[i].name) {
      return std::string_view(detail::kEmbeddedSchemaFiles[i].text);
    }
  }
  return InternalError("schema file " + *name + " is not embedded in this binary");
}

std::vector<std::string> SplitSqlStatements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  size_t pos = 0;
  while (pos < script.size()) {
    size_t end = script.find('\n', pos);
    if (end == std::string_view::npos) end = script.size();
    std::string_view line = script.substr(pos, end - pos);
    pos = end + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    if (line.substr(first, 2) == "--") continue;
    size_t last = line.find_last_not_of(" \t\r");
    current.append(line.substr(0, last + 1));
    if (line[last] == ';') {
      current.pop_back();
      out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back('\n');
    }
  }
  size_t first = current.find_first_not_of(" \t\r\n");
  if (first != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace slayer::sim
