// EditDistance: the Levenshtein distance between two strings (insert, delete, replace, each 1),
// for "did you mean" hints in config and web config errors. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace slayer {

size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace slayer
