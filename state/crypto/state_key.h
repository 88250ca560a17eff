// The state encryption key (docs/state-encryption.md) and
// AES-256-GCM over it, from OpenSSL's libcrypto.
//
// A key file holds 32 random bytes written as 64 hexadecimal digits
// (`openssl rand -hex 32 > state.key`); surrounding whitespace is ignored.
// A sealed value is "pp1:<key id>:<base64(nonce[12] | ciphertext | tag[16])>",
// with a fresh random nonce per value; the key id (the first 8 hex digits of
// SHA-256 over the key) lets a wrong key be named instead of failing as
// "corrupt". The additional authenticated data binds a value to its place
// (the resource address), so values cannot be swapped between records.
//
// Thread-safety: StateKey is immutable; Seal/Open may run concurrently.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace paiplan::state {

class StateKey {
 public:
  // Reads and checks the key file. Fails: NotFound / IOError (unreadable),
  // InvalidArgument naming the file when it is not 64 hex digits (the message
  // says how to make one).
  static Result<StateKey> LoadFile(const std::string& path);
  // From 32 raw bytes. REQUIRES: raw.size() == 32.
  static StateKey FromRaw(std::string raw);

  const std::string& id() const { return id_; }

  // Encrypts `plain`. Fails: Internal only if libcrypto fails.
  Result<std::string> Seal(std::string_view plain, std::string_view aad) const;
  // Decrypts a Seal() result. Fails: FailedPrecondition when it was sealed
  // with another key (names both ids), Corruption when the text is malformed
  // or fails authentication (edited, or moved to another address).
  Result<std::string> Open(std::string_view sealed, std::string_view aad) const;

 private:
  std::string raw_;  // 32 bytes
  std::string id_;   // 8 hex digits
};

// Whether `text` looks like a Seal() result ("pp1:").
bool IsSealed(std::string_view text);
// The key id a sealed text names ("" when it is not sealed).
std::string SealedKeyId(std::string_view text);

}  // namespace paiplan::state
