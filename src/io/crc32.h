#pragma once
// CRC-32 (IEEE 802.3, the polynomial of zlib and PNG): the checksum that checkpoints carry.

#include <cstddef>
#include <cstdint>

namespace engram::io {

// CRC-32 of `size` bytes, continuing from `crc` (0 to start): crc32("123456789") == 0xCBF43926.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

} // namespace engram::io
