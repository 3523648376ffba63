// The 16-byte WKW header: parsing with full validation, and serialisation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace wkw {

enum BlockType : uint8_t { kRaw = 1, kLz4 = 2, kLz4hc = 3 };

constexpr size_t kHeaderSize = 16;
// Limits of what we accept: 128 per edge is the practical maximum of the reference
// (lengths travel as uint8 through its C ABI) and keeps jump tables and blocks bounded.
constexpr uint8_t kMaxLenLog2 = 7;

struct Header {
  uint8_t version = 1;
  uint8_t blockLenLog2 = 5;
  uint8_t fileLenLog2 = 5;
  uint8_t blockType = kRaw;
  uint8_t voxelType = 1;
  uint8_t voxelSize = 1;
  uint64_t dataOffset = 0;

  uint32_t blockLen() const { return 1u << blockLenLog2; }
  uint32_t fileLen() const { return 1u << fileLenLog2; }
  uint32_t fileLenVx() const { return 1u << (blockLenLog2 + fileLenLog2); }
  uint64_t blocksPerFile() const { return uint64_t(1) << (3 * fileLenLog2); }
  uint64_t blockVoxels() const { return uint64_t(1) << (3 * blockLenLog2); }
  uint64_t blockBytes() const { return blockVoxels() * voxelSize; }
  bool compressed() const { return blockType == kLz4 || blockType == kLz4hc; }
  uint32_t typeSize() const;
  uint32_t numChannels() const { return voxelSize / typeSize(); }
  // Offset of the first block in a data file of this geometry and block type.
  uint64_t dataFileOffset() const {
    return compressed() ? kHeaderSize + 8 * blocksPerFile() : kHeaderSize;
  }
  // Same voxel geometry and type: what a cube file must share with its dataset.
  bool sameLayout(const Header& o) const {
    return blockLenLog2 == o.blockLenLog2 && fileLenLog2 == o.fileLenLog2 &&
           voxelType == o.voxelType && voxelSize == o.voxelSize;
  }
};

uint32_t voxelTypeSize(uint8_t code);  // 0 for an unknown code

// Validates magic, version, lengths, block type, voxel type and voxel size.
// `path` only names the source in errors.
Header parseHeader(const uint8_t* bytes, size_t length, const std::string& path);
void serializeHeader(const Header& header, uint8_t out[kHeaderSize]);

}  // namespace wkw
