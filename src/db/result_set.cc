#include "db/result_set.h"

#include <charconv>
#include <cstdlib>
#include <strings.h>

namespace slayer::db {

std::string Row::ColumnName(size_t col) const {
  return col < rs_->columns_.size() ? rs_->columns_[col] : "#" + std::to_string(col);
}

bool Row::IsNull(size_t col) const { return rs_->nulls_[index_ * rs_->columns_.size() + col]; }

std::optional<std::string_view> Row::Raw(size_t col) const {
  size_t cell = index_ * rs_->columns_.size() + col;
  if (rs_->nulls_[cell]) return std::nullopt;
  uint64_t begin = cell == 0 ? 0 : rs_->ends_[cell - 1];
  return std::string_view(rs_->data_).substr(begin, rs_->ends_[cell] - begin);
}

namespace {

Status Unconvertible(std::string_view column, std::string_view value, std::string_view type) {
  std::string shown(value.substr(0, 64));
  return DataLossError("column '" + std::string(column) + "': cannot read '" + shown + "' as " +
                       std::string(type));
}

}  // namespace

template <>
Result<std::optional<std::string>> Row::Get<std::string>(size_t col) const {
  auto raw = Raw(col);
  if (!raw) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*raw));
}

template <>
Result<std::optional<int64_t>> Row::Get<int64_t>(size_t col) const {
  auto raw = Raw(col);
  if (!raw) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    // PostgreSQL and SQLite may hand back a whole number as "3.0" (numeric/float columns).
    char* e = nullptr;
    std::string s(*raw);
    double d = std::strtod(s.c_str(), &e);
    if (s.empty() || *e != '\0' || d != static_cast<double>(static_cast<int64_t>(d))) {
      return Unconvertible(ColumnName(col), *raw, "an integer");
    }
    v = static_cast<int64_t>(d);
  }
  return std::optional<int64_t>(v);
}

template <>
Result<std::optional<double>> Row::Get<double>(size_t col) const {
  auto raw = Raw(col);
  if (!raw) return std::optional<double>();
  std::string s(*raw);
  char* e = nullptr;
  double d = std::strtod(s.c_str(), &e);
  if (s.empty() || *e != '\0') return Unconvertible(ColumnName(col), *raw, "a number");
  return std::optional<double>(d);
}

template <>
Result<std::optional<bool>> Row::Get<bool>(size_t col) const {
  auto raw = Raw(col);
  if (!raw) return std::optional<bool>();
  std::string_view v = *raw;
  if (v == "t" || v == "1" || v == "true" || v == "TRUE" || v == "True") {
    return std::optional<bool>(true);
  }
  if (v == "f" || v == "0" || v == "false" || v == "FALSE" || v == "False") {
    return std::optional<bool>(false);
  }
  return Unconvertible(ColumnName(col), v, "a boolean");
}

template <>
Result<std::optional<Timestamp>> Row::Get<Timestamp>(size_t col) const {
  auto raw = Raw(col);
  if (!raw) return std::optional<Timestamp>();
  auto t = ParseTimestamp(*raw);
  if (!t) return Unconvertible(ColumnName(col), *raw, "a timestamp");
  return std::optional<Timestamp>(*t);
}

Result<size_t> ResultSet::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].size() == name.size() &&
        strncasecmp(columns_[i].data(), name.data(), name.size()) == 0) {
      return i;
    }
  }
  return NotFoundError("result has no column '" + std::string(name) + "'");
}

void ResultSet::AppendCell(std::optional<std::string_view> value) {
  if (value) data_.append(value->data(), value->size());
  ends_.push_back(data_.size());
  nulls_.push_back(!value.has_value());
}

void ResultSet::Reserve(size_t rows, size_t bytes) {
  ends_.reserve(rows * columns_.size());
  nulls_.reserve(rows * columns_.size());
  data_.reserve(bytes);
}

}  // namespace slayer::db
