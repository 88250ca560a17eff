#include "state/crypto/state_key.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <memory>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"

namespace paiplan::state {
namespace {

constexpr std::string_view kPrefix = "pp1:";
constexpr size_t kNonce = 12, kTag = 16;

std::string B64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  out.resize(size_t(n));
  return out;
}

bool UnB64(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  out->assign(in.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out->resize(size_t(n) - pad);
  return true;
}

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

bool IsSealed(std::string_view text) { return text.starts_with(kPrefix); }

std::string SealedKeyId(std::string_view text) {
  if (!IsSealed(text)) return "";
  text.remove_prefix(kPrefix.size());
  return std::string(text.substr(0, text.find(':')));
}

StateKey StateKey::FromRaw(std::string raw) {
  StateKey k;
  k.id_ = Sha256Hex(raw).substr(0, 8);
  k.raw_ = std::move(raw);
  return k;
}

Result<StateKey> StateKey::LoadFile(const std::string& path) {
  PP_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path));
  size_t b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
  std::string hex = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  if (!ok) {
    return Err(Status::InvalidArgument(path + ": not a state key (it must hold 64 hexadecimal digits, 32 bytes); "
                                       "make one with: openssl rand -hex 32 > " + path + " && chmod 600 " + path));
  }
  std::string raw;
  for (size_t i = 0; i < 64; i += 2) raw.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return FromRaw(std::move(raw));
}

Result<std::string> StateKey::Seal(std::string_view plain, std::string_view aad) const {
  unsigned char nonce[kNonce];
  if (RAND_bytes(nonce, sizeof nonce) != 1) return Err(Status::Internal("RAND_bytes failed"));
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string body(reinterpret_cast<char*>(nonce), kNonce);
  body.resize(kNonce + plain.size() + kTag);
  auto* out = reinterpret_cast<unsigned char*>(body.data()) + kNonce;
  int n = 0, m = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(raw_.data()), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                              int(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), out, &n, reinterpret_cast<const unsigned char*>(plain.data()),
                              int(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), out + n, &m) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kTag), out + plain.size()) == 1;
  if (!ok) return Err(Status::Internal("AES-256-GCM encryption failed in libcrypto"));
  return std::string(kPrefix) + id_ + ":" + B64(body);
}

Result<std::string> StateKey::Open(std::string_view sealed, std::string_view aad) const {
  std::string kid = SealedKeyId(sealed);
  if (kid.empty()) return Err(Status::Corruption("not an encrypted state value"));
  if (kid != id_) {
    return Err(Status::FailedPrecondition("the state was encrypted with key " + kid + ", but the key file given is " +
                                          id_ + "; use the key the state was written with"));
  }
  std::string body;
  if (!UnB64(sealed.substr(kPrefix.size() + kid.size() + 1), &body) || body.size() < kNonce + kTag) {
    return Err(Status::Corruption("an encrypted state value is malformed"));
  }
  size_t len = body.size() - kNonce - kTag;
  auto* in = reinterpret_cast<unsigned char*>(body.data());
  std::string plain(len, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0, m = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(raw_.data()), in) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                              int(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), out, &n, in + kNonce, int(len)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kTag), in + kNonce + len) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), out + n, &m) == 1;
  if (!ok) return Err(Status::Corruption("an encrypted state value fails authentication (edited, or moved "
                                         "to another resource)"));
  return plain;
}

}  // namespace paiplan::state
