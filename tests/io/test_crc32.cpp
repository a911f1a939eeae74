#include <engram/io/crc32.h>

#include <gtest/gtest.h>

#include <string>

namespace engram::io {
namespace {

TEST(Crc32, MatchesTheStandardCheckValue) {
  const std::string check = "123456789"; // the CRC catalogue's check input for CRC-32/ISO-HDLC
  EXPECT_EQ(crc32(check.data(), check.size()), 0xCBF43926u);
  EXPECT_EQ(crc32(nullptr, 0), 0u);
}

TEST(Crc32, ContinuesAcrossChunks) {
  const std::string text = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(crc32(text.data(), text.size()), 0x414FA339u);
  const uint32_t head = crc32(text.data(), 10);
  EXPECT_EQ(crc32(text.data() + 10, text.size() - 10, head), 0x414FA339u);
}

TEST(Crc32, DetectsEverySingleBitFlip) {
  std::string text(64, '\0');
  for (size_t i = 0; i < text.size(); ++i)
    text[i] = static_cast<char>(i * 37 + 11);
  const uint32_t good = crc32(text.data(), text.size());
  for (size_t byte = 0; byte < text.size(); ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = text;
      flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
      EXPECT_NE(crc32(flipped.data(), flipped.size()), good) << byte << ":" << bit;
    }
}

} // namespace
} // namespace engram::io
