// ResultSet: the rows of one query, as raw values with explicit NULLs, and typed access that
// parses each backend's text forms (PostgreSQL 't'/'f', MySQL/SQLite 0/1, timestamps of every
// backend, see common/time.h). Values are stored flat: one buffer and an offset per cell.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace slayer::db {

class ResultSet;

// A view of one row; valid while its ResultSet lives and is not modified.
class Row {
 public:
  Row(const ResultSet& rs, size_t index) : rs_(&rs), index_(index) {}

  bool IsNull(size_t col) const;
  // The raw bytes; std::nullopt for NULL. Blobs are already decoded to bytes.
  std::optional<std::string_view> Raw(size_t col) const;

  // Typed access: std::nullopt for NULL, an error naming the column when the value does not
  // convert. T is one of std::string, int64_t, double, bool, Timestamp.
  template <typename T>
  Result<std::optional<T>> Get(size_t col) const;

  // As Get, but NULL is an error too ("column 'x' is NULL").
  template <typename T>
  Result<T> Require(size_t col) const {
    auto v = Get<T>(col);
    if (!v) return v.error();
    if (!v->has_value()) return DataLossError("column '" + ColumnName(col) + "' is NULL");
    return std::move(**v);
  }

 private:
  std::string ColumnName(size_t col) const;
  const ResultSet* rs_;
  size_t index_;
};

class ResultSet {
 public:
  ResultSet() = default;
  explicit ResultSet(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  size_t num_rows() const { return columns_.empty() ? 0 : nulls_.size() / columns_.size(); }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }

  // Index of a column by name (case-insensitive); NotFound error naming it when absent.
  Result<size_t> ColumnIndex(std::string_view name) const;

  Row row(size_t i) const { return Row(*this, i); }

  // Building (drivers only): cells are appended row by row, num_columns() per row.
  void AppendCell(std::optional<std::string_view> value);
  void Reserve(size_t rows, size_t bytes);

 private:
  friend class Row;
  std::vector<std::string> columns_;
  std::string data_;
  std::vector<uint64_t> ends_;  // end offset of each cell in data_
  std::vector<bool> nulls_;
};

}  // namespace slayer::db
