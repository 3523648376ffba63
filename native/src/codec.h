// LZ4 / LZ4HC block codec. Decoding only succeeds with exactly the expected output size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace wkw {

constexpr int kDefaultHcLevel = 9;

size_t compressBound(size_t n);
// Returns the compressed size; blockType 2 = LZ4 (default acceleration), 3 = LZ4HC(level).
size_t compressBlock(const uint8_t* src, size_t n, uint8_t* dst, size_t capacity,
                     uint8_t blockType, int level);
// Throws ERR_WKW_CORRUPT unless `src` decodes to exactly `dstLen` bytes.
void decompressBlock(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen,
                     const std::string& path, int64_t blockIndex);

}  // namespace wkw
