// Copies one row of blocks along x into a caller's array, output row by output row.
//
// Copying block by block writes each output row in block-row pieces (32 bytes for a 32³
// uint8 block, half a cache line) spread over the whole result; into memory that is not
// in the cache (a fresh result array) every piece first reads its line from DRAM.
// Gathering the blocks of an x-row writes each output row once, front to back, and lets
// whole cache lines go out with non-temporal stores (no read of the line first).
#pragma once
#include <cstddef>
#include <cstdint>

#include "region.h"

namespace wkw {

constexpr size_t kMaxGatherBlocks = 64;

// Blocks j < k (at most kMaxGatherBlocks) of one x-row, in x order: `src[j]` is the
// decoded block (nullptr: reads as zeros), `geom[j]` its geometry and `part[j]` the part
// of it the view wants (same y and z range for all, adjacent in x). Every byte of the
// parts is written (zeros for missing blocks).
void gatherBlockRow(const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t k,
                    const ArrayView& out);

// The same for blocks that are already decoded (in the BlockCache): each piece straight
// into the array, output row by output row, without the row buffer and non-temporal
// stores. Block by block, the array's lines that two blocks share (a 32-byte uint8 block
// row is half a line) are written twice, far apart in time; here once, in order. Random
// 100³ reads from a warm cache: 7-23 % faster (EM uint8), 25-48 % (segmentation uint32).
// `outZeroed`: where a file is missing the array is left as it is (else zeros).
void copyBlockRow(const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t k,
                  const ArrayView& out, bool outZeroed);

}  // namespace wkw
