// TextColumns: rows of cells printed with each column as wide as its widest cell, two spaces
// apart; text columns left-aligned, number columns right-aligned, no trailing spaces. The
// layout of every `slayer report` table. Pure; a value type.
#pragma once

#include <string>
#include <vector>

namespace slayer::insights {

class TextColumns {
 public:
  // One flag per column: true for right alignment.
  explicit TextColumns(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}
  // REQUIRES: row.size() == the number of columns.
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Every row, each ending with "\n".
  std::string Render() const;

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace slayer::insights
