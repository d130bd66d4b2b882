// Message digests Airflow stores: MD5 (serialized_dag.dag_hash) and SHA-1 (2.x
// serialized_dag.fileloc_hash). Small local implementations: no crypto library for two hashes.
// Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace slayer::sim {

// 32 lowercase hex digits.
std::string Md5Hex(std::string_view data);

// The 20-byte SHA-1 digest.
std::array<uint8_t, 20> Sha1(std::string_view data);

// Airflow's DagCode.dag_fileloc_hash: the last 8 bytes of SHA-1(fileloc), big-endian, >> 8.
int64_t FilelocHash(std::string_view fileloc);

}  // namespace slayer::sim
