// Planning of region reads, region writes and whole-file compression on one mag folder:
// each call becomes a list of independent tasks (per file, and per group of blocks inside
// a file) that decode straight into / encode straight from the caller's array.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

// `region` is the requested box in mag voxels; `view` the caller's array for it;
// `taskBytes` the smallest task, in bytes of decoded blocks.
std::vector<std::unique_ptr<Task>> planRead(std::shared_ptr<const MagContext> mag,
                                            const Box& region, const ArrayView& view,
                                            bool outZeroed, size_t taskBytes);
// Whole files of a compressed dataset are encoded in parallel parts; others, one task each.
std::vector<std::unique_ptr<Task>> planWrite(std::shared_ptr<const MagContext> mag,
                                             const Box& region, const ArrayView& view,
                                             const WriteOptions& options);
// Compresses (or re-encodes) the listed cube files of `src` into `dst` (same layout,
// dst.header.blockType). Files missing in `src` are skipped.
std::vector<std::unique_ptr<Task>> planCompress(std::shared_ptr<const MagContext> src,
                                                std::shared_ptr<const MagContext> dst,
                                                const std::vector<int64_t>& fileIndices,
                                                const WriteOptions& options);

}  // namespace wkw
