// State encryption at rest (docs/state-encryption.md): EncryptedStore over
// the memory store (round trip, masked reads, wrong key, tampering,
// migration, rekey) and over the real backends, whose bytes on disk — the
// LMDB file, etcd's data directory — must never hold a secret in clear.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/config/workspace.h"
#include "state/crypto/encrypted_store.h"
#include "state/etcd/etcd_store.h"
#include "state/lmdb/lmdb_store.h"
#include "state/memory_store.h"
#include "tests/state/etcd_server.h"

namespace paiplan::state {
namespace {

const char* kSecret = "hunter2-Zq8-secret-value";

StateKey Key(char fill) { return StateKey::FromRaw(std::string(32, fill)); }

ResourceRecord ServiceRecord() {
  return {{"kind", "service"},
          {"hash", "abc"},
          {"attributes", {{"config", {{"admin-password", kSecret}, {"port", 3000}, {"tls", {{"api-token", 42}}}}}}},
          {"last_outcome", "success"}};
}

ResourceRecord RenderRecord() {
  return {{"kind", "render"}, {"hash", "def"}, {"content", std::string("password=") + kSecret + "\n"}};
}

// An EncryptedStore over a MemoryStore; `inner` stays readable for checks.
struct Stores {
  MemoryStore* inner;
  std::unique_ptr<EncryptedStore> store;
};

Stores Make(std::optional<StateKey> key, bool masked = false) {
  auto mem = std::make_unique<MemoryStore>();
  MemoryStore* raw = mem.get();
  return {raw, std::make_unique<EncryptedStore>(std::move(mem), std::move(key), &config::IsSensitiveKey, masked)};
}

void CommitBoth(StateStore* s) {
  auto lock = s->Lock("test");
  ASSERT_TRUE(lock.has_value());
  Batch b;
  b.puts.emplace_back("service.web", ServiceRecord());
  b.puts.emplace_back("render.web/web.conf", RenderRecord());
  ASSERT_TRUE(s->Commit(b).has_value());
  ASSERT_TRUE(s->Unlock(lock->id).ok());
}

std::string Dump(StateStore* s) {
  auto snap = s->ReadSnapshot();
  EXPECT_TRUE(snap.has_value()) << snap.error().message();
  std::string out;
  if (snap) for (const auto& [a, r] : snap->resources) out += a + " " + r.dump() + "\n";
  return out;
}

TEST(StateEncryptionTest, SealsSensitiveValuesAndContentAndReadsThemBack) {
  auto s = Make(Key('k'));
  CommitBoth(s.store.get());
  std::string stored = Dump(s.inner);
  EXPECT_EQ(stored.find("hunter2"), std::string::npos) << stored;
  EXPECT_NE(stored.find("\"$sealed\":\"pp1:"), std::string::npos) << stored;
  EXPECT_NE(stored.find("\"port\":3000"), std::string::npos) << "a value that is not sensitive was sealed";
  EXPECT_NE(stored.find("\"hash\":\"abc\""), std::string::npos);
  auto snap = s.store->ReadSnapshot();
  ASSERT_TRUE(snap.has_value()) << snap.error().message();
  EXPECT_EQ(snap->resources.at("service.web"), ServiceRecord());
  EXPECT_EQ(snap->resources.at("render.web/web.conf"), RenderRecord());
}

TEST(StateEncryptionTest, WithoutKeyWritesRefuseAndMaskedReadsShowSensitive) {
  auto mem = std::make_unique<MemoryStore>();
  MemoryStore* inner = mem.get();
  EncryptedStore writer(std::move(mem), Key('k'), &config::IsSensitiveKey, false);
  CommitBoth(&writer);
  auto snap_raw = inner->ReadSnapshot();
  ASSERT_TRUE(snap_raw.has_value());

  // The same sealed records read through a store without the key.
  auto copy = std::make_unique<MemoryStore>(snap_raw->lineage);
  auto lock = copy->Lock("t");
  ASSERT_TRUE(copy->ReplaceAll(*snap_raw).has_value());
  ASSERT_TRUE(copy->Unlock(lock->id).ok());
  auto copy2 = std::make_unique<MemoryStore>(snap_raw->lineage);
  lock = copy2->Lock("t");
  ASSERT_TRUE(copy2->ReplaceAll(*snap_raw).has_value());
  ASSERT_TRUE(copy2->Unlock(lock->id).ok());

  EncryptedStore nokey(std::move(copy), std::nullopt, &config::IsSensitiveKey, false);
  auto refused = nokey.ReadSnapshot();
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("no state key is configured"), std::string::npos);
  EXPECT_NE(refused.error().message().find("key-file"), std::string::npos);

  EncryptedStore masked(std::move(copy2), std::nullopt, &config::IsSensitiveKey, true);
  auto shown = masked.ReadSnapshot();
  ASSERT_TRUE(shown.has_value()) << shown.error().message();
  EXPECT_EQ(shown->resources.at("service.web")["attributes"]["config"]["admin-password"], "(sensitive)");
  EXPECT_EQ(shown->resources.at("render.web/web.conf")["content"], "(sensitive)");
  EXPECT_EQ(shown->resources.at("service.web")["attributes"]["config"]["port"], 3000);
}

TEST(StateEncryptionTest, AnotherKeyIsNamedAndTamperingIsDetected) {
  StateKey a = Key('a'), b = Key('b');
  auto sealed = a.Seal("\"x\"", "service.web");
  ASSERT_TRUE(sealed.has_value());
  auto wrong = b.Open(*sealed, "service.web");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find(a.id()), std::string::npos);
  EXPECT_NE(wrong.error().message().find(b.id()), std::string::npos);
  auto moved = a.Open(*sealed, "service.other");
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().code(), Code::kCorruption);
  std::string edited = *sealed;
  size_t mid = edited.size() / 2 + 8;  // inside the base64 body, away from its padding bits
  edited[mid] = edited[mid] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(a.Open(edited, "service.web").has_value());
  auto again = a.Seal("\"x\"", "service.web");
  EXPECT_NE(*again, *sealed) << "the nonce must be fresh for every value";
}

TEST(StateEncryptionTest, KeyFileMustHold64HexDigits) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("good")) << std::string(64, 'f') << "\n";
  std::ofstream(dir.Sub("bad")) << "not a key\n";
  EXPECT_TRUE(StateKey::LoadFile(dir.Sub("good")).has_value());
  auto bad = StateKey::LoadFile(dir.Sub("bad"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("openssl rand -hex 32"), std::string::npos);
}

TEST(StateEncryptionTest, ClearStateIsMigratedOnFirstWriteAndRekeyed) {
  auto mem = std::make_unique<MemoryStore>();
  MemoryStore* inner = mem.get();
  // Written before encryption: the inner store directly.
  CommitBoth(inner);
  ASSERT_NE(Dump(inner).find("hunter2"), std::string::npos);
  EncryptedStore enc(std::move(mem), Key('k'), &config::IsSensitiveKey, false);
  auto lock = enc.Lock("t");
  Batch b;
  b.puts.emplace_back("label.n1", ResourceRecord{{"kind", "label"}});
  ASSERT_TRUE(enc.Commit(b).has_value());
  EXPECT_EQ(Dump(inner).find("hunter2"), std::string::npos) << "first write did not migrate: " << Dump(inner);
  EXPECT_NE(Dump(&enc).find("hunter2"), std::string::npos) << "the migrated value must read back";

  // Rekey: afterwards only the new key opens it.
  auto rekeyed = enc.Rekey(Key('n'));
  ASSERT_TRUE(rekeyed.has_value()) << rekeyed.error().message();
  ASSERT_TRUE(enc.Unlock(lock->id).ok());
  auto old = enc.ReadSnapshot();
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code(), Code::kFailedPrecondition);
  std::string stored = Dump(inner);
  EXPECT_EQ(stored.find("hunter2"), std::string::npos);
  EXPECT_NE(stored.find("pp1:" + Key('n').id()), std::string::npos);
}

// Every byte of every file under `dir` (a backend's files on disk).
std::string AllBytes(const std::string& dir) {
  std::string out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out += ss.str();
  }
  return out;
}

TEST(StateEncryptionTest, LmdbFileNeverHoldsTheSecret) {
  for (bool with_key : {false, true}) {
    testing::TempDir dir;
    auto inner = LmdbStore::Open(dir.Sub("state"));
    ASSERT_TRUE(inner.has_value()) << inner.error().message();
    std::optional<StateKey> key;
    if (with_key) key = Key('k');
    {
      EncryptedStore store(std::move(*inner), key, &config::IsSensitiveKey, false);
      CommitBoth(&store);
      EXPECT_NE(Dump(&store).find(kSecret), std::string::npos) << "the value must read back";
    }
    bool found = AllBytes(dir.Sub("state")).find(kSecret) != std::string::npos;
    // Without a key the clear value is in the file: the check can see it.
    EXPECT_EQ(found, !with_key) << (with_key ? "the LMDB file holds the secret in clear" : "control");
  }
}

TEST(StateEncryptionTest, EtcdNeverHoldsTheSecret) {
  for (bool with_key : {false, true}) {
    testing::EtcdServer etcd;
    std::string err = etcd.Start();
    ASSERT_EQ(err, "") << err;
    EtcdOptions o;
    o.endpoint = etcd.endpoint();
    auto inner = EtcdStore::Open(o);
    ASSERT_TRUE(inner.has_value()) << inner.error().message();
    std::optional<StateKey> key;
    if (with_key) key = Key('k');
    {
      EncryptedStore store(std::move(*inner), key, &config::IsSensitiveKey, false);
      CommitBoth(&store);
      EXPECT_NE(Dump(&store).find(kSecret), std::string::npos);
    }
    etcd.Stop();  // flushed: its WAL and db hold everything it was sent
    bool found = AllBytes(etcd.data_dir()).find(kSecret) != std::string::npos;
    EXPECT_EQ(found, !with_key) << (with_key ? "etcd holds the secret in clear" : "control");
  }
}

}  // namespace
}  // namespace paiplan::state
