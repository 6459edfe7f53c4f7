#include "service/zip.h"

#include <zlib.h>

#include <stdexcept>

namespace pageflow::service {

namespace {

void put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

std::string raw_deflate(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zip: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zip: deflate failed");
  return out;
}

constexpr uint32_t kDosDate = (46u << 9) | (1u << 5) | 1u;  // 2026-01-01: fixed, so archives are reproducible

}  // namespace

void ZipWriter::add(const std::string& name, const std::string& content) {
  if (content.size() > 0xfffffffful || out_.size() > 0xfffffffful) throw std::runtime_error("zip: entry over 4 GB");
  Entry e;
  e.name = name;
  e.crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
  const std::string packed = raw_deflate(content);
  e.compressed = static_cast<uint32_t>(packed.size());
  e.size = static_cast<uint32_t>(content.size());
  e.offset = static_cast<uint32_t>(out_.size());
  put32(out_, 0x04034b50);
  put16(out_, 20);
  put16(out_, 0x0800);  // names are UTF-8
  put16(out_, 8);       // deflate
  put16(out_, 0);
  put16(out_, kDosDate);
  put32(out_, e.crc);
  put32(out_, e.compressed);
  put32(out_, e.size);
  put16(out_, static_cast<uint32_t>(name.size()));
  put16(out_, 0);
  out_ += name;
  out_ += packed;
  entries_.push_back(std::move(e));
}

std::string ZipWriter::finish() {
  const uint32_t directory = static_cast<uint32_t>(out_.size());
  for (const Entry& e : entries_) {
    put32(out_, 0x02014b50);
    put16(out_, 20);
    put16(out_, 20);
    put16(out_, 0x0800);
    put16(out_, 8);
    put16(out_, 0);
    put16(out_, kDosDate);
    put32(out_, e.crc);
    put32(out_, e.compressed);
    put32(out_, e.size);
    put16(out_, static_cast<uint32_t>(e.name.size()));
    put16(out_, 0);
    put16(out_, 0);
    put16(out_, 0);
    put16(out_, 0);
    put32(out_, 0);
    put32(out_, e.offset);
    out_ += e.name;
  }
  const uint32_t size = static_cast<uint32_t>(out_.size()) - directory;
  put32(out_, 0x06054b50);
  put16(out_, 0);
  put16(out_, 0);
  put16(out_, static_cast<uint32_t>(entries_.size()));
  put16(out_, static_cast<uint32_t>(entries_.size()));
  put32(out_, size);
  put32(out_, directory);
  put16(out_, 0);
  return std::move(out_);
}

}  // namespace pageflow::service
