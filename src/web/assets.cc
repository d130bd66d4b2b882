#include "web/assets.h"

#include <cstddef>

namespace slayer::web {

namespace detail {
// In the file that embed_web.cmake generates at build time.
extern const Asset kAssets[];
extern const size_t kAssetCount;
}  // namespace detail

std::span<const Asset> Assets() { return {detail::kAssets, detail::kAssetCount}; }

const Asset& Page() { return detail::kAssets[0]; }

const Asset* FindAsset(std::string_view path) {
  for (const Asset& asset : Assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace slayer::web
