// SLAyer's version, from the CMake project version.
#pragma once

#include <string_view>

namespace slayer::cli {

#ifndef SLAYER_VERSION
#define SLAYER_VERSION "0.0.0-dev"
#endif
inline constexpr std::string_view kVersion = SLAYER_VERSION;

}  // namespace slayer::cli
