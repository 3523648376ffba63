#include "cube_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "codec.h"
#include "errors.h"
#include "io.h"

namespace wkw {

bool statIdentity(const std::string& path, FileIdentity& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throwIo("Cannot stat", path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    throw WkwException("ERR_WKW_IO", "Not a regular file: " + path, path);
  }
  out.dev = uint64_t(st.st_dev);
  out.ino = uint64_t(st.st_ino);
  out.size = uint64_t(st.st_size);
  out.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return true;
}

std::shared_ptr<CubeFile> CubeFile::open(const std::string& path, const Header& dataset) {
  // O_NONBLOCK: a FIFO put in place of the file after the caller's stat must fail the
  // S_ISREG check below instead of blocking this thread in open(); no effect on files.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return nullptr;
    throwIo("Cannot open", path, errno);
  }
  std::shared_ptr<CubeFile> f(new CubeFile());
  f->fd_ = fd;
  f->path_ = path;
  struct stat st;
  if (::fstat(fd, &st) != 0) throwIo("Cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) throw WkwException("ERR_WKW_IO", "Not a regular file: " + path, path);
  f->identity_.dev = uint64_t(st.st_dev);
  f->identity_.ino = uint64_t(st.st_ino);
  f->identity_.size = uint64_t(st.st_size);
  f->identity_.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  f->validate(dataset);
  return f;
}

std::shared_ptr<CubeFile> CubeFile::fromMemory(std::vector<uint8_t> bytes, const Header& dataset,
                                               const std::string& name) {
  std::shared_ptr<CubeFile> f(new CubeFile());
  f->path_ = name;
  f->identity_.size = bytes.size();
  f->memory_ = std::move(bytes);
  f->validate(dataset);
  return f;
}

CubeFile::~CubeFile() {
  if (fd_ >= 0) ::close(fd_);
}

void CubeFile::readBytes(uint64_t offset, uint8_t* dst, size_t n, int64_t block) const {
  if (fd_ < 0) {
    if (offset > memory_.size() || n > memory_.size() - offset) {
      throwTruncated("Unexpected end of file", path_, block);
    }
    std::memcpy(dst, memory_.data() + offset, n);
    return;
  }
  preadAll(fd_, dst, n, offset, path_, block);
}

void CubeFile::validate(const Header& dataset) {
  uint8_t raw[kHeaderSize];
  if (identity_.size < kHeaderSize) {
    throwTruncated("File too short for a WKW header (" + std::to_string(identity_.size) +
                       " of 16 bytes)",
                   path_);
  }
  readBytes(0, raw, kHeaderSize, -1);
  header_ = parseHeader(raw, kHeaderSize, path_);
  if (!header_.sameLayout(dataset)) {
    throwHeader("file header (block length " + std::to_string(header_.blockLen()) +
                    ", file length " + std::to_string(header_.fileLen()) + ", voxel type " +
                    std::to_string(header_.voxelType) + ", voxel size " +
                    std::to_string(header_.voxelSize) + ") does not match the dataset header",
                path_);
  }
  const uint64_t n = header_.blocksPerFile();
  const uint64_t size = identity_.size;
  if (!header_.compressed()) {
    if (header_.dataOffset < kHeaderSize) {
      throwHeader("data offset " + std::to_string(header_.dataOffset) + " overlaps the header",
                  path_);
    }
    // n * blockBytes < 2^50 cannot overflow, but dataOffset is any 64-bit value from the
    // file: compare without adding it, or a huge offset wraps around and passes.
    const uint64_t dataBytes = n * header_.blockBytes();
    if (header_.dataOffset > size || dataBytes > size - header_.dataOffset) {
      throwTruncated("Raw file of " + std::to_string(size) + " bytes is shorter than its " +
                         "header requires (" + std::to_string(dataBytes) +
                         " bytes of blocks at data offset " +
                         std::to_string(header_.dataOffset) + ")",
                     path_);
    }
    return;
  }
  const uint64_t tableEnd = kHeaderSize + 8 * n;
  if (header_.dataOffset < tableEnd) {
    throwHeader("data offset " + std::to_string(header_.dataOffset) +
                    " overlaps the jump table (which ends at " + std::to_string(tableEnd) + ")",
                path_);
  }
  if (size < tableEnd) {
    throwTruncated("File of " + std::to_string(size) + " bytes ends inside its jump table", path_);
  }
  if (header_.dataOffset > size) {
    throwTruncated("Data offset " + std::to_string(header_.dataOffset) +
                       " lies past the end of the file",
                   path_);
  }
  std::vector<uint8_t> bytes(8 * n);
  readBytes(kHeaderSize, bytes.data(), bytes.size(), -1);
  jumpTable_.resize(n);
  const uint64_t maxBlock = compressBound(header_.blockBytes());
  uint64_t prev = header_.dataOffset;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = (v << 8) | bytes[8 * i + k];
    if (v <= prev) {
      throwCorrupt("Corrupt jump table: entry " + std::to_string(i) + " (" + std::to_string(v) +
                       ") does not lie after " + std::to_string(prev),
                   path_, int64_t(i));
    }
    if (v - prev > maxBlock) {
      throwCorrupt("Corrupt jump table: block of " + std::to_string(v - prev) +
                       " bytes exceeds the LZ4 bound " + std::to_string(maxBlock),
                   path_, int64_t(i));
    }
    if (v > size) {
      throwTruncated("Corrupt jump table: block ends at " + std::to_string(v) +
                         ", past the end of the file (" + std::to_string(size) + " bytes)",
                     path_, int64_t(i));
    }
    jumpTable_[i] = v;
    prev = v;
  }
}

void CubeFile::compressedRange(uint64_t index, uint64_t& begin, uint64_t& end) const {
  if (!header_.compressed() || index >= jumpTable_.size()) {
    throwArgument("compressedRange: block index out of range or file not compressed");
  }
  begin = index == 0 ? header_.dataOffset : jumpTable_[index - 1];
  end = jumpTable_[index];
}

void CubeFile::readBlock(uint64_t index, uint8_t* dst, std::vector<uint8_t>& scratch) const {
  const uint64_t bb = header_.blockBytes();
  if (index >= header_.blocksPerFile()) throwArgument("block index out of range");
  if (!header_.compressed()) {
    readBytes(header_.dataOffset + index * bb, dst, size_t(bb), int64_t(index));
    return;
  }
  uint64_t begin, end;
  compressedRange(index, begin, end);
  size_t len = size_t(end - begin);
  if (fd_ < 0) {
    if (end > memory_.size()) throwTruncated("Unexpected end of file", path_, int64_t(index));
    decompressBlock(memory_.data() + begin, len, dst, size_t(bb), path_, int64_t(index));
    return;
  }
  if (scratch.size() < len) scratch.resize(len);
  readBytes(begin, scratch.data(), len, int64_t(index));
  decompressBlock(scratch.data(), len, dst, size_t(bb), path_, int64_t(index));
}

}  // namespace wkw
