#include "pipeline/cpu.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace pageflow::pipeline {

namespace {

// Cores allowed by a cgroup CPU quota (v2 cpu.max, else v1 cfs files); 0 when none is set.
int cgroup_quota_cores() {
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (v2 >> quota >> period && quota != "max" && period > 0) {
    return std::max(1, static_cast<int>(std::ceil(std::stod(quota) / period)));
  }
  std::ifstream q1("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), p1("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  double q = -1;
  if (q1 >> q && p1 >> period && q > 0 && period > 0) return std::max(1, static_cast<int>(std::ceil(q / period)));
  return 0;
}

}  // namespace

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                           : static_cast<int>(std::thread::hardware_concurrency());
  if (const int quota = cgroup_quota_cores(); quota > 0) cores = std::min(cores, quota);
  return std::max(1, cores);
}

std::string cpu_description() {
  std::ifstream info("/proc/cpuinfo");
  std::string line, model = "unknown processor", flags;
  while (std::getline(info, line) && (flags.empty() || model == "unknown processor")) {
    const auto value = [&] { return line.substr(std::min(line.size(), line.find(':') + 2)); };
    if (line.rfind("model name", 0) == 0) model = value();
    if (line.rfind("flags", 0) == 0) flags = " " + value() + " ";
  }
  std::string have, lack;
  for (const char* feature : {"avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile"}) {
    const bool present = flags.find(std::string(" ") + feature + " ") != std::string::npos;
    (present ? have : lack) += std::string(present ? (have.empty() ? "" : " ") : (lack.empty() ? "no " : ", no ")) + feature;
  }
  return model + " (" + have + (have.empty() || lack.empty() ? "" : "; ") + lack + ")";
}

}  // namespace pageflow::pipeline
