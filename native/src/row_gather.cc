#include "row_gather.h"

#include <cstring>
#include <vector>

#include "stream_store.h"

namespace wkw {
namespace {

// `n` bytes to `d`: the cache lines `d` covers entirely with non-temporal stores, the
// partial lines at either end with plain stores (their other bytes belong to neighbouring
// rows, perhaps written by another thread).
void streamCopy(uint8_t* d, const uint8_t* s, size_t n) {
  const size_t head = (64 - (reinterpret_cast<uintptr_t>(d) & 63)) & 63;
  if (n < head + 64) {
    std::memcpy(d, s, n);
    return;
  }
  std::memcpy(d, s, head);
  d += head, s += head, n -= head;
  const size_t lines = n / 64 * 64;
  streamBytes(d, s, lines);
  std::memcpy(d + lines, s + lines, n - lines);
}

// A piece of a block row (at most a block row long): common lengths as one or two
// fixed-size moves that may overlap, not a memcpy call each.
inline void copyPiece(uint8_t* d, const uint8_t* s, size_t n) {
  if (n == 32) {
    std::memcpy(d, s, 32);
  } else if (n > 32 && n <= 64) {
    std::memcpy(d, s, 32);
    std::memcpy(d + n - 32, s + n - 32, 32);
  } else if (n >= 16 && n < 32) {
    std::memcpy(d, s, 16);
    std::memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8 && n < 16) {
    std::memcpy(d, s, 8);
    std::memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else {
    std::memcpy(d, s, n);
  }
}

}  // namespace

void gatherBlockRow(const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t k,
                    const ArrayView& out) {
  if (k == 0 || part[0].empty()) return;
  // Per piece: its length and where its row (y, z) = (lo, lo) starts in its block.
  size_t len[kMaxGatherBlocks];
  const uint8_t* first[kMaxGatherBlocks];
  size_t total = 0;
  const Box& p = part[0];
  for (size_t j = 0; j < k; j++) {
    len[j] = size_t(part[j].hi[0] - part[j].lo[0]) * geom[j].voxelSize;
    first[j] = src[j] ? src[j] + geom[j].offsetOf(part[j].lo[0], p.lo[1], p.lo[2]) : nullptr;
    total += len[j];
  }
  const int64_t sy = geom[0].edge * int64_t(geom[0].voxelSize), sz = sy * geom[0].edge;
  thread_local std::vector<uint8_t> rowBuffer;
  if (rowBuffer.size() < total) rowBuffer.resize(total);
  uint8_t* const buffer = rowBuffer.data();  // one thread-local lookup, not one per row
  for (int64_t z = 0; z < p.hi[2] - p.lo[2]; z++) {
    for (int64_t y = 0; y < p.hi[1] - p.lo[1]; y++) {
      uint8_t* w = buffer;
      const int64_t at = z * sz + y * sy;
      for (size_t j = 0; j < k; w += len[j], j++) {
        if (first[j]) copyPiece(w, first[j] + at, len[j]);
        else std::memset(w, 0, len[j]);
      }
      streamCopy(out.at(p.lo[0], p.lo[1] + y, p.lo[2] + z), buffer, total);
    }
  }
  streamFence();  // ordered before whatever tells another thread the task is done
}

void copyBlockRow(const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t k,
                  const ArrayView& out, bool outZeroed) {
  if (k == 0 || part[0].empty()) return;
  // Per piece: its length, where its row (y, z) = (lo, lo) starts in its block and in the array.
  size_t len[kMaxGatherBlocks];
  const uint8_t* first[kMaxGatherBlocks];
  uint8_t* dst[kMaxGatherBlocks];
  const Box& p = part[0];
  for (size_t j = 0; j < k; j++) {
    len[j] = size_t(part[j].hi[0] - part[j].lo[0]) * geom[j].voxelSize;
    first[j] = src[j] ? src[j] + geom[j].offsetOf(part[j].lo[0], p.lo[1], p.lo[2]) : nullptr;
    dst[j] = out.at(part[j].lo[0], p.lo[1], p.lo[2]);
  }
  const int64_t sy = geom[0].edge * int64_t(geom[0].voxelSize), sz = sy * geom[0].edge;
  const int64_t dy = out.stride[2], dz = out.stride[3];
  for (int64_t z = 0; z < p.hi[2] - p.lo[2]; z++) {
    for (int64_t y = 0; y < p.hi[1] - p.lo[1]; y++) {
      const int64_t from = z * sz + y * sy, to = z * dz + y * dy;
      for (size_t j = 0; j < k; j++) {
        if (first[j]) copyPiece(dst[j] + to, first[j] + from, len[j]);
        else if (!outZeroed) std::memset(dst[j] + to, 0, len[j]);
      }
    }
  }
}

}  // namespace wkw
