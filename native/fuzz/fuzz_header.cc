// libFuzzer target: parseHeader on arbitrary bytes.
//
// Invariants: a failure is ERR_WKW_HEADER (or ERR_WKW_TRUNCATED for fewer than 16 bytes)
// naming the source; an accepted header has geometry within the supported limits, a voxel
// size that is a whole number of items, and serialises back to exactly its 16 input bytes.
#include <cstring>
#include <string>

#include "../src/errors.h"
#include "../src/header.h"
#include "fuzz_common.h"

using namespace wkw;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string name = "fuzz-header.wkw";
  Header h;
  try {
    h = parseHeader(data, size, name);
  } catch (const WkwException& e) {
    FUZZ_CHECK(e.code == "ERR_WKW_HEADER" || (e.code == "ERR_WKW_TRUNCATED" && size < kHeaderSize),
               "unexpected error %s: %s", e.code.c_str(), e.what());
    FUZZ_CHECK(e.path == name && std::strstr(e.what(), name.c_str()) != nullptr,
               "error does not name the file: %s", e.what());
    return 0;
  }
  FUZZ_CHECK(size >= kHeaderSize, "accepted %zu bytes", size);
  FUZZ_CHECK(h.version == 1, "version %u", h.version);
  FUZZ_CHECK(h.blockLenLog2 <= kMaxLenLog2 && h.fileLenLog2 <= kMaxLenLog2, "lengths too large");
  FUZZ_CHECK(h.blockType >= kRaw && h.blockType <= kLz4hc, "block type %u", h.blockType);
  const uint32_t ts = h.typeSize();
  FUZZ_CHECK(ts == 1 || ts == 2 || ts == 4 || ts == 8, "type size %u", ts);
  FUZZ_CHECK(h.voxelSize > 0 && h.voxelSize % ts == 0, "voxel size %u", h.voxelSize);
  FUZZ_CHECK(h.numChannels() >= 1 && h.numChannels() * ts == h.voxelSize, "channels");
  FUZZ_CHECK(h.blockBytes() == h.blockVoxels() * h.voxelSize, "block bytes");
  FUZZ_CHECK(uint64_t(h.fileLenVx()) == uint64_t(h.blockLen()) * h.fileLen(), "file length");
  FUZZ_CHECK(h.dataOffset == wkwfuzz::readLe64(data + 8), "data offset");
  uint8_t out[kHeaderSize];
  serializeHeader(h, out);
  FUZZ_CHECK(std::memcmp(out, data, kHeaderSize) == 0, "serialised header differs from input");
  Header again = parseHeader(out, kHeaderSize, name);
  FUZZ_CHECK(again.sameLayout(h) && again.blockType == h.blockType &&
                 again.dataOffset == h.dataOffset,
             "re-parsed header differs");
  return 0;
}
