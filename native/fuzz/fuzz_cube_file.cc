// libFuzzer target: the whole read path of one cube file.
//
// The input is the complete image of a cube file (header, jump table, blocks). It is checked
// against a dataset header, every block is decoded with readBlock, and the decoded blocks
// are copied into a region array with copyBlockToArray, in two memory layouts.
//
// Which dataset header, which I/O path and which region are chosen by the last two bytes of
// the input (they stay part of the file image, so fixture files work as seeds unchanged):
//   sel  = last byte:   bits 0-2 == 7 -> a fixed dataset layout, index sel >> 4;
//                       otherwise the layout of the file's own header (if it parses and
//                       its blocks are at most 2 MiB; else a fixed layout);
//                       bit 3 -> also open the image as a real file descriptor (memfd,
//                       pread path) and compare it with the in-memory path block by block.
//   sel2 = second last: bits 0-1 region shape, bits 2-4 file position (x, y, z index 0/1).
//
// Invariants checked besides memory safety and UB (ASan, UBSan, and in the core also
// unsigned wrap-around and value-changing implicit conversions):
//   - every failure is a wkw::WkwException with ERR_WKW_HEADER, ERR_WKW_TRUNCATED or
//     ERR_WKW_CORRUPT, naming the file; block errors name the block index;
//   - a raw block is exactly the bytes at dataOffset + i * blockBytes of the image;
//   - a decoded LZ4 block round-trips through compressBlock / decompressBlock;
//   - the memcpy (Fortran order) and element-wise (C order) region copies agree, copying
//     back with copyArrayToBlock restores the block, and zeroArray clears the region;
//   - the fd path and the memory path give the same result for every block.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../src/codec.h"
#include "../src/cube_file.h"
#include "../src/errors.h"
#include "../src/header.h"
#include "../src/morton.h"
#include "../src/region.h"
#include "fuzz_common.h"

using namespace wkw;

namespace {

struct Layout {
  uint8_t blockLenLog2, fileLenLog2, voxelType, voxelSize;
};
// Dataset layouts to check files against (mismatching headers, exotic geometry).
const Layout kFixed[] = {
    {0, 0, 1, 1}, {1, 1, 2, 2}, {2, 1, 1, 3}, {2, 2, 3, 4}, {3, 0, 4, 8}, {3, 1, 5, 4},
    {4, 0, 1, 1}, {5, 0, 1, 1}, {5, 1, 1, 1}, {4, 2, 1, 1}, {1, 3, 1, 1}, {2, 2, 6, 8},
    {5, 1, 2, 2}, {5, 1, 1, 3}, {0, 4, 7, 1}, {2, 1, 8, 4},
};
constexpr size_t kNumFixed = sizeof(kFixed) / sizeof(kFixed[0]);

constexpr uint64_t kMaxBlockBytes = uint64_t(1) << 21;
constexpr uint64_t kMaxRegionBytes = uint64_t(1) << 15;
constexpr int kMaxFailedBlocks = 16;
// WKW_FUZZ_VERBOSE=1: one line per input (how it was read), for checking seeds by hand.
const bool kVerbose = std::getenv("WKW_FUZZ_VERBOSE") != nullptr;
const std::string kName = "fuzz-input.wkw";

Header fixedHeader(size_t index) {
  const Layout& l = kFixed[index % kNumFixed];
  Header h;
  h.blockLenLog2 = l.blockLenLog2;
  h.fileLenLog2 = l.fileLenLog2;
  h.voxelType = l.voxelType;
  h.voxelSize = l.voxelSize;
  h.blockType = kRaw;
  h.dataOffset = 0;
  return h;
}

bool isFileError(const WkwException& e) {
  return e.code == "ERR_WKW_HEADER" || e.code == "ERR_WKW_TRUNCATED" ||
         e.code == "ERR_WKW_CORRUPT";
}

void checkFileError(const WkwException& e, const std::string& path, int64_t block) {
  FUZZ_CHECK(isFileError(e), "unexpected error code %s: %s", e.code.c_str(), e.what());
  FUZZ_CHECK(e.path == path, "error names %s instead of %s", e.path.c_str(), path.c_str());
  FUZZ_CHECK(std::strstr(e.what(), path.c_str()) != nullptr, "message lacks the path: %s",
             e.what());
  if (block >= 0) {
    FUZZ_CHECK(e.code != "ERR_WKW_HEADER", "header error while decoding block: %s", e.what());
    FUZZ_CHECK(e.blockIndex == block, "block error names block %lld instead of %lld: %s",
               (long long)e.blockIndex, (long long)block, e.what());
  }
}

// Opens the image through a real descriptor (the pread path of CubeFile::open).
std::shared_ptr<CubeFile> openViaFd(const uint8_t* data, size_t size, const Header& ds,
                                    std::string& path) {
  int mfd = ::memfd_create("wkw-fuzz", MFD_CLOEXEC);
  FUZZ_CHECK(mfd >= 0, "memfd_create failed");
  size_t done = 0;
  while (done < size) {
    ssize_t r = ::write(mfd, data + done, size - done);
    FUZZ_CHECK(r > 0, "write to memfd failed");
    done += size_t(r);
  }
  path = "/proc/self/fd/" + std::to_string(mfd);
  std::shared_ptr<CubeFile> f;
  try {
    f = CubeFile::open(path, ds);
  } catch (...) {
    ::close(mfd);
    throw;
  }
  ::close(mfd);
  return f;
}

struct BlockResult {
  bool ok = false;
  std::string code;
};

BlockResult decode(const CubeFile& f, uint64_t i, uint8_t* dst, std::vector<uint8_t>& scratch) {
  BlockResult r;
  try {
    f.readBlock(i, dst, scratch);
    r.ok = true;
  } catch (const WkwException& e) {
    checkFileError(e, f.path(), int64_t(i));
    r.code = e.code;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t sel = size >= 1 ? data[size - 1] : 0;
  const uint8_t sel2 = size >= 2 ? data[size - 2] : 0;

  Header ds = fixedHeader(sel >> 4);
  if ((sel & 7) != 7 && size >= kHeaderSize) {
    try {
      Header own = parseHeader(data, size, kName);
      if (own.blockBytes() <= kMaxBlockBytes) {
        ds = own;
        ds.dataOffset = 0;
      }
    } catch (const WkwException& e) {
      checkFileError(e, kName, -1);
    }
  }

  std::shared_ptr<CubeFile> file;
  try {
    file = CubeFile::fromMemory(std::vector<uint8_t>(data, data + size), ds, kName);
  } catch (const WkwException& e) {
    checkFileError(e, kName, -1);
    if (kVerbose) std::fprintf(stderr, "rejected: %s: %s\n", e.code.c_str(), e.what());
  }

  std::shared_ptr<CubeFile> viaFd;
  std::string fdPath;
  if (sel & 8) {
    try {
      viaFd = openViaFd(data, size, ds, fdPath);
    } catch (const WkwException& e) {
      checkFileError(e, fdPath, -1);
    }
    FUZZ_CHECK(bool(viaFd) == bool(file), "fd path and memory path disagree on validity");
  }
  if (!file) return 0;

  const Header& h = file->header();
  FUZZ_CHECK(h.sameLayout(ds), "accepted a file whose layout differs from the dataset");
  const uint64_t n = h.blocksPerFile();
  const uint64_t bb = h.blockBytes();
  const int64_t b = h.blockLen();
  const int64_t fileVx = h.fileLenVx();
  const uint32_t ts = h.typeSize();
  const uint32_t channels = h.numChannels();
  if (h.compressed()) {
    FUZZ_CHECK(h.dataOffset >= kHeaderSize + 8 * n, "data offset overlaps the jump table");
  } else {
    FUZZ_CHECK(h.dataOffset >= kHeaderSize && h.dataOffset <= size &&
                   n * bb <= size - h.dataOffset,
               "raw file accepted although too short");
  }

  // The file's voxel box in global coordinates, and the region to copy into.
  Box fbox = Box::cube(((sel2 >> 2) & 1) * fileVx, ((sel2 >> 3) & 1) * fileVx,
                       ((sel2 >> 4) & 1) * fileVx, fileVx);
  Box region = fbox;
  switch (sel2 & 3) {
    case 0: break;  // the whole file (shrunk below if large)
    case 1:         // unaligned interior box
      for (int i = 0; i < 3; i++) {
        region.lo[i] = fbox.lo[i] + fileVx / 3;
        region.hi[i] = fbox.lo[i] + std::max<int64_t>(fileVx / 3 + 1, 2 * fileVx / 3 + 1);
      }
      break;
    case 2:  // one voxel in the middle of the file
      for (int i = 0; i < 3; i++) {
        region.lo[i] = fbox.lo[i] + fileVx / 2;
        region.hi[i] = region.lo[i] + 1;
      }
      break;
    case 3:  // a box reaching beyond the file on the high side
      for (int i = 0; i < 3; i++) {
        region.lo[i] = fbox.lo[i] + fileVx - std::max<int64_t>(1, b / 2 + 1);
        region.hi[i] = fbox.hi[i] + b;
      }
      break;
  }
  region = region.intersect(fbox);
  auto regionBytes = [&]() {
    return uint64_t(region.hi[0] - region.lo[0]) * uint64_t(region.hi[1] - region.lo[1]) *
           uint64_t(region.hi[2] - region.lo[2]) * h.voxelSize;
  };
  while (!region.empty() && regionBytes() > kMaxRegionBytes) {
    int d = 0;
    for (int i = 1; i < 3; i++)
      if (region.hi[i] - region.lo[i] > region.hi[d] - region.lo[d]) d = i;
    region.hi[d] = region.lo[d] + (region.hi[d] - region.lo[d]) / 2;
  }
  const int64_t sx = region.hi[0] - region.lo[0], sy = region.hi[1] - region.lo[1],
                sz = region.hi[2] - region.lo[2];
  const size_t items = size_t(sx * sy * sz) * channels;
  // Two arrays for the region: Fortran order (rows copied with memcpy) and C order
  // (z fastest, element by element). Exact sizes, so ASan sees any overrun.
  std::vector<uint8_t> fortran(items * ts), corder(items * ts);
  ArrayView vf, vc;
  vf.base = fortran.data();
  vc.base = corder.data();
  for (ArrayView* v : {&vf, &vc}) {
    for (int i = 0; i < 3; i++) v->origin[i] = region.lo[i];
    v->channels = channels;
    v->typeSize = ts;
  }
  vf.stride[0] = ts;
  vf.stride[1] = int64_t(h.voxelSize);
  vf.stride[2] = vf.stride[1] * sx;
  vf.stride[3] = vf.stride[2] * sy;
  vc.stride[3] = ts;
  vc.stride[2] = ts * sz;
  vc.stride[1] = vc.stride[2] * sy;
  vc.stride[0] = vc.stride[1] * sx;

  std::vector<uint8_t> block(static_cast<size_t>(bb)), other(static_cast<size_t>(bb));
  std::vector<uint8_t> packed, unpacked;
  std::vector<uint8_t> scratch, scratchFd;
  int failed = 0;
  bool roundTripped = false;
  for (uint64_t i = 0; i < n; i++) {
    uint32_t bx, by, bz;
    mortonDecode(i, bx, by, bz);
    FUZZ_CHECK(mortonEncode(bx, by, bz) == i, "Morton round trip failed for %llu",
               (unsigned long long)i);
    BlockResult r = decode(*file, i, block.data(), scratch);
    if (viaFd) {
      BlockResult rf = decode(*viaFd, i, other.data(), scratchFd);
      FUZZ_CHECK(r.ok == rf.ok && r.code == rf.code, "fd and memory paths differ at block %llu",
                 (unsigned long long)i);
      if (r.ok) {
        FUZZ_CHECK(std::memcmp(block.data(), other.data(), size_t(bb)) == 0,
                   "fd and memory paths decode block %llu differently", (unsigned long long)i);
      }
    }
    if (!r.ok) {
      if (kVerbose) std::fprintf(stderr, "block %llu: %s\n", (unsigned long long)i, r.code.c_str());
      if (++failed >= kMaxFailedBlocks) break;
      continue;
    }
    if (!h.compressed()) {
      FUZZ_CHECK(std::memcmp(block.data(), data + h.dataOffset + i * bb, size_t(bb)) == 0,
                 "raw block %llu is not the bytes at its offset", (unsigned long long)i);
    } else if (!roundTripped) {
      roundTripped = true;
      packed.resize(compressBound(size_t(bb)));
      size_t len = compressBlock(block.data(), size_t(bb), packed.data(), packed.size(), kLz4, 1);
      unpacked.resize(size_t(bb));
      decompressBlock(packed.data(), len, unpacked.data(), size_t(bb), "roundtrip", int64_t(i));
      FUZZ_CHECK(unpacked == block, "LZ4 round trip changed block %llu", (unsigned long long)i);
    }
    BlockGeom g{{fbox.lo[0] + int64_t(bx) * b, fbox.lo[1] + int64_t(by) * b,
                 fbox.lo[2] + int64_t(bz) * b},
                b,
                h.voxelSize};
    Box part = Box::cube(g.origin[0], g.origin[1], g.origin[2], b).intersect(region);
    if (part.empty()) continue;
    copyBlockToArray(block.data(), g, part, vf);
    copyBlockToArray(block.data(), g, part, vc);
    // And back (the write path's copy): the part comes back unchanged from either layout.
    for (const ArrayView* v : {&vf, &vc}) {
      std::memset(other.data(), 0xa5, other.size());
      copyArrayToBlock(*v, part, other.data(), g);
      for (int64_t z = part.lo[2]; z < part.hi[2]; z++)
        for (int64_t y = part.lo[1]; y < part.hi[1]; y++) {
          size_t off = g.offsetOf(part.lo[0], y, z);
          FUZZ_CHECK(std::memcmp(other.data() + off, block.data() + off,
                                 size_t(part.hi[0] - part.lo[0]) * h.voxelSize) == 0,
                     "copyArrayToBlock does not invert copyBlockToArray in block %llu",
                     (unsigned long long)i);
        }
    }
  }

  if (kVerbose) {
    std::fprintf(stderr, "accepted: %llu blocks, %d failed, region %lldx%lldx%lld, fd %d\n",
                 (unsigned long long)n, failed, (long long)sx, (long long)sy, (long long)sz,
                 viaFd ? 1 : 0);
  }
  // Both layouts hold the same items.
  for (int64_t z = 0; z < sz; z++)
    for (int64_t y = 0; y < sy; y++)
      for (int64_t x = 0; x < sx; x++)
        for (uint32_t c = 0; c < channels; c++) {
          const uint8_t* a = fortran.data() + c * vf.stride[0] + x * vf.stride[1] +
                             y * vf.stride[2] + z * vf.stride[3];
          const uint8_t* e = corder.data() + c * vc.stride[0] + x * vc.stride[1] +
                             y * vc.stride[2] + z * vc.stride[3];
          bool same = true;
          for (uint32_t k = 0; k < ts; k++) same &= a[k] == e[k];
          FUZZ_CHECK(same, "region layouts differ at (%u,%lld,%lld,%lld)", c, (long long)x,
                     (long long)y, (long long)z);
        }
  zeroArray(vc, region);
  FUZZ_CHECK(corder == std::vector<uint8_t>(corder.size()), "zeroArray left a non-zero byte");
  return 0;
}
