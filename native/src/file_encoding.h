// New compressed cube files encoded in parallel parts (whole-file writes and compress),
// and decompression of whole files.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

// Tasks encoding the file `fbox` of `mag` from the caller's array (it covers the whole file).
void planWholeFileWrite(std::vector<std::unique_ptr<Task>>& tasks,
                        std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy, int64_t fz,
                        const ArrayView& view, const WriteOptions& options);
// Tasks re-encoding one cube file of `src` into `dst` (dst's block type, may be raw).
void planFileCompress(std::vector<std::unique_ptr<Task>>& tasks,
                      std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
                      int64_t fx, int64_t fy, int64_t fz, const WriteOptions& options);

// Fills block `index` (Morton order) of a generated file; called from several pool threads.
using BlockFill = std::function<void(uint64_t index, uint8_t* block)>;
// Tasks encoding a new compressed file `target` (fileHeader's geometry and block type) whose
// blocks come from `fill` (e.g. downsampling), committed atomically like a whole-file write.
void planGeneratedFile(std::vector<std::unique_ptr<Task>>& tasks, std::string target,
                       const Header& fileHeader, const WriteOptions& options,
                       std::shared_ptr<const BlockFill> fill);

}  // namespace wkw
