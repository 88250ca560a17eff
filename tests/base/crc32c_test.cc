#include "engine/base/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace paiplan {
namespace {

// Test vectors from RFC 3720 (iSCSI), appendix B.4, and the usual check value.
TEST(Crc32cTest, MatchesPublishedVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(char(i));
  EXPECT_EQ(Crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, ExtendEqualsOneShotAndEveryByteFlipIsDetected) {
  std::string text = "{\"attributes\":{\"config\":\"v1\"},\"kind\":\"service\"} and a tail";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(Crc32cExtend(Crc32c(text.substr(0, cut)), text.substr(cut)), Crc32c(text));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = text;
      damaged[i] = char(damaged[i] ^ (1 << bit));
      EXPECT_NE(Crc32c(damaged), Crc32c(text)) << i << ":" << bit;
    }
  }
}

}  // namespace
}  // namespace paiplan
