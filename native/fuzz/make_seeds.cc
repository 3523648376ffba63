// Writes hand-made seed inputs for the fuzz targets: small valid cube files of many
// geometries, voxel types and block types, and edge cases just outside the format
// (truncations, bad jump tables, LZ4 blocks that decode short or long, huge offsets).
//
//   make_seeds <cube-corpus-dir> <header-corpus-dir>
//
// The last two bytes of a cube seed select the fuzz target's mode (see fuzz_cube_file.cc);
// in raw files and LZ4 blocks they are data / final literals, so variants stay valid.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../src/codec.h"
#include "../src/header.h"
#include "fuzz_common.h"

using namespace wkw;
using Bytes = std::vector<uint8_t>;

namespace {

std::string cubeDir, headerDir;
int written = 0;

void save(const std::string& dir, const std::string& name, const Bytes& b) {
  std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  written++;
}

Header layout(uint8_t bl, uint8_t fl, uint8_t blockType, uint8_t vt, uint8_t vs) {
  Header h;
  h.blockLenLog2 = bl;
  h.fileLenLog2 = fl;
  h.blockType = blockType;
  h.voxelType = vt;
  h.voxelSize = vs;
  h.dataOffset = h.dataFileOffset();
  return h;
}

// Block content: zeros, a gradient, or noise, so LZ4 sees runs, matches and literals.
Bytes blockContent(const Header& h, uint64_t index, uint32_t seed) {
  Bytes b(size_t(h.blockBytes()));
  uint32_t s = seed * 2654435761u + uint32_t(index) * 40503u + 1;
  switch ((index + seed) % 3) {
    case 0: break;
    case 1:
      for (size_t i = 0; i < b.size(); i++) b[i] = uint8_t(i / 7 + index);
      break;
    case 2:
      for (size_t i = 0; i < b.size(); i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        b[i] = uint8_t(s >> 24);
      }
      break;
  }
  return b;
}

Bytes packBlock(const Bytes& block, uint8_t blockType) {
  Bytes out(compressBound(block.size()));
  out.resize(compressBlock(block.data(), block.size(), out.data(), out.size(), blockType, 9));
  return out;
}

// A complete file; `blocks` overrides the content of single blocks before packing.
Bytes makeFile(const Header& h, uint32_t seed, const std::vector<Bytes>* packedOverride = nullptr) {
  const uint64_t n = h.blocksPerFile();
  Bytes file(kHeaderSize);
  serializeHeader(h, file.data());
  if (!h.compressed()) {
    for (uint64_t i = 0; i < n; i++) {
      Bytes b = blockContent(h, i, seed);
      file.insert(file.end(), b.begin(), b.end());
    }
    return file;
  }
  file.resize(size_t(h.dataOffset));
  uint64_t pos = h.dataOffset;
  for (uint64_t i = 0; i < n; i++) {
    Bytes p = packedOverride && i < packedOverride->size() && !(*packedOverride)[i].empty()
                  ? (*packedOverride)[i]
                  : packBlock(blockContent(h, i, seed), h.blockType);
    file.insert(file.end(), p.begin(), p.end());
    pos += p.size();
    wkwfuzz::writeLe64(file.data() + kHeaderSize + 8 * i, pos);
  }
  return file;
}

void withSelectors(const std::string& name, Bytes file) {
  save(cubeDir, name + ".wkw", file);
  if (file.size() < 2) return;
  const uint8_t variants[][2] = {{0x01, 0x08}, {0x1f, 0x00}, {0x02, 0x08}, {0x03, 0x00}};
  int k = 0;
  for (auto& v : variants) {
    Bytes f = file;
    f[f.size() - 2] = v[0];
    f[f.size() - 1] = v[1];
    save(cubeDir, name + ".sel" + std::to_string(k++) + ".wkw", f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds <cube-corpus-dir> <header-corpus-dir>\n");
    return 2;
  }
  cubeDir = argv[1];
  headerDir = argv[2];

  // Valid files: (blockLenLog2, fileLenLog2, voxelType, voxelSize) x block types.
  struct G {
    uint8_t bl, fl, vt, vs;
  };
  const G geoms[] = {{0, 0, 1, 1}, {1, 1, 2, 2}, {2, 1, 1, 3}, {2, 2, 3, 4}, {3, 0, 4, 8},
                     {3, 1, 5, 4}, {4, 0, 1, 1}, {5, 0, 1, 1}, {1, 3, 1, 1}, {2, 2, 6, 8},
                     {0, 4, 7, 1}, {2, 1, 8, 4}, {1, 2, 9, 4}, {2, 0, 10, 16}};
  uint32_t seed = 1;
  for (const G& g : geoms) {
    for (uint8_t type = kRaw; type <= kLz4hc; type++) {
      Header h = layout(g.bl, g.fl, type, g.vt, g.vs);
      if (h.blocksPerFile() * h.blockBytes() > (uint64_t(1) << 17)) continue;
      std::string name = "valid_b" + std::to_string(h.blockLen()) + "_f" +
                         std::to_string(h.fileLen()) + "_t" + std::to_string(type) + "_v" +
                         std::to_string(g.vt) + "x" + std::to_string(g.vs);
      withSelectors(name, makeFile(h, seed++));
      Bytes head(kHeaderSize);
      serializeHeader(h, head.data());
      save(headerDir, name + ".hdr", head);
      Header ds = h;
      ds.dataOffset = 0;
      serializeHeader(ds, head.data());
      save(headerDir, name + ".header.wkw", head);
    }
  }

  // Edge cases around one small LZ4 and one small raw geometry.
  const Header lz = layout(2, 1, kLz4, 1, 1);  // 4^3 voxels per block, 8 blocks
  const Header raw = layout(2, 1, kRaw, 1, 1);
  const Bytes goodLz = makeFile(lz, 99), goodRaw = makeFile(raw, 98);
  {
    Bytes f(goodLz.begin(), goodLz.begin() + kHeaderSize);
    save(cubeDir, "edge_header_only.wkw", f);
    save(cubeDir, "edge_empty.wkw", {});
    save(cubeDir, "edge_15_bytes.wkw", Bytes(goodLz.begin(), goodLz.begin() + 15));
    save(cubeDir, "edge_table_cut.wkw", Bytes(goodLz.begin(), goodLz.begin() + 40));
  }
  {
    Bytes f = goodRaw;
    f.pop_back();
    save(cubeDir, "edge_raw_short_by_one.wkw", f);
    f = goodRaw;
    wkwfuzz::writeLe64(f.data() + 8, ~uint64_t(0) - 200);  // wraps around when added
    save(cubeDir, "edge_raw_offset_wraps.wkw", f);
    f = goodRaw;
    wkwfuzz::writeLe64(f.data() + 8, 8);  // overlaps the header
    save(cubeDir, "edge_raw_offset_in_header.wkw", f);
    f = goodRaw;
    f.insert(f.begin() + kHeaderSize, 5, 0xab);  // gap before the blocks
    wkwfuzz::writeLe64(f.data() + 8, kHeaderSize + 5);
    save(cubeDir, "edge_raw_offset_gap.wkw", f);
  }
  {
    Bytes f = goodLz;
    uint64_t e2 = wkwfuzz::readLe64(f.data() + kHeaderSize + 16);
    wkwfuzz::writeLe64(f.data() + kHeaderSize + 24, e2 - 1);  // goes backwards
    save(cubeDir, "edge_lz4_table_backwards.wkw", f);
    f = goodLz;
    wkwfuzz::writeLe64(f.data() + kHeaderSize + 8 * 7, f.size() + 1);  // past the end
    save(cubeDir, "edge_lz4_table_past_end.wkw", f);
    f = goodLz;
    wkwfuzz::writeLe64(f.data() + kHeaderSize, lz.dataOffset);  // empty block 0
    save(cubeDir, "edge_lz4_empty_block.wkw", f);
    f = goodLz;
    wkwfuzz::writeLe64(f.data() + 8, kHeaderSize + 8);  // data offset inside the table
    save(cubeDir, "edge_lz4_offset_in_table.wkw", f);
    f = goodLz;
    wkwfuzz::writeLe64(f.data() + 8, ~uint64_t(0) - 4);
    save(cubeDir, "edge_lz4_offset_huge.wkw", f);
    f = goodLz;
    f.resize(f.size() - 3);
    save(cubeDir, "edge_lz4_last_block_cut.wkw", f);
  }
  {
    // Block 3 decodes short, block 5 long, block 6 has a trailing byte.
    std::vector<Bytes> over(8);
    Bytes half(size_t(lz.blockBytes() / 2), 7), dbl(size_t(lz.blockBytes() * 2), 9);
    over[3] = packBlock(half, kLz4);
    over[5] = packBlock(dbl, kLz4);
    over[6] = packBlock(blockContent(lz, 6, 5), kLz4);
    over[6].push_back(0);
    save(cubeDir, "edge_lz4_bad_blocks.wkw", makeFile(lz, 5, &over));
    // Gap between the jump table and block 0 (dataOffset beyond the table end).
    Bytes f = makeFile(lz, 6);
    Bytes g(f.begin(), f.begin() + ptrdiff_t(lz.dataOffset));
    g.insert(g.end(), 3, 0xee);
    g.insert(g.end(), f.begin() + ptrdiff_t(lz.dataOffset), f.end());
    wkwfuzz::writeLe64(g.data() + 8, lz.dataOffset + 3);
    for (uint64_t i = 0; i < 8; i++) {
      uint8_t* p = g.data() + kHeaderSize + 8 * i;
      wkwfuzz::writeLe64(p, wkwfuzz::readLe64(p) + 3);
    }
    save(cubeDir, "edge_lz4_offset_gap.wkw", g);
  }
  {
    // Headers just outside the format, and a 128^3-block header over a tiny file.
    Bytes f = goodLz;
    f[0] = 'X';
    save(cubeDir, "edge_bad_magic.wkw", f);
    f = goodLz;
    f[3] = 2;
    save(cubeDir, "edge_version2.wkw", f);
    f = goodLz;
    f[5] = 4;
    save(cubeDir, "edge_block_type4.wkw", f);
    f = goodLz;
    f[6] = 11;
    save(cubeDir, "edge_voxel_type11.wkw", f);
    f = goodRaw;
    f[6] = 2;  // uint16 with voxel size 1
    save(cubeDir, "edge_voxel_size_odd.wkw", f);
    f = goodLz;
    f[4] = 0x77;
    save(cubeDir, "edge_len128.wkw", f);
    f = goodLz;
    f[4] = 0x88;
    save(cubeDir, "edge_len256.wkw", f);
    Bytes hd(goodLz.begin(), goodLz.begin() + kHeaderSize);
    save(headerDir, "edge_15.hdr", Bytes(hd.begin(), hd.begin() + 15));
    hd[4] = 0x78;
    save(headerDir, "edge_len256.hdr", hd);
  }
  std::printf("%d seed files\n", written);
  return 0;
}
