// SHA-256, for content hashes recorded in the state and in markers.
// Thread-safety: Sha256 objects are not shared; the free function is pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace paiplan {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  void Block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace paiplan
