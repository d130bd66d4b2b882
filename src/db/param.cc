#include "db/param.h"

#include <cstdio>

namespace slayer::db {

std::string Param::ToText() const {
  switch (kind_) {
    case Kind::kNull: return {};
    case Kind::kText:
    case Kind::kBlob: return text_;
    case Kind::kInt:
    case Kind::kBool: return std::to_string(int_);
    case Kind::kDouble: {
      char buf[32];
      int n = std::snprintf(buf, sizeof buf, "%.17g", double_);
      return std::string(buf, n);
    }
    case Kind::kTime: return FormatSqlTimestamp(time_);
  }
  return {};
}

}  // namespace slayer::db
