// Facts about the processor that decide how many workers to start and what a figure means.
#pragma once

#include <string>

namespace pageflow::pipeline {

// The cores this process may use: its affinity mask (taskset, a container's cpuset), lowered to a
// cgroup CPU quota where one is set (docker --cpus), never the machine's total; at least 1.
int usable_cores();

// The processor's model name and the vector features that decide neural-model speed, e.g.
// "AMD EPYC 7B13 (avx2 fma; no avx512f, no avx512_vnni)", from /proc/cpuinfo.
std::string cpu_description();

}  // namespace pageflow::pipeline
