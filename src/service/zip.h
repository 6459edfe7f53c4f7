// A minimal ZIP writer (deflate, zlib's CRC-32) for the service's zip target: the archive is built
// in memory, as docling-serve's is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pageflow::service {

class ZipWriter {
 public:
  void add(const std::string& name, const std::string& content);
  std::string finish();  // the whole archive

 private:
  struct Entry {
    std::string name;
    uint32_t crc = 0, compressed = 0, size = 0, offset = 0;
  };
  std::string out_;
  std::vector<Entry> entries_;
};

}  // namespace pageflow::service
