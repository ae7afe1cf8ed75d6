// Sizing a batch's memory from its inputs, before anything is allocated, so that a
// horizon or thread count that cannot fit is refused with the figures instead of
// ending in std::bad_alloc halfway through a batch.
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/saturating.hpp"

namespace brink {

namespace {

using saturating::add;
using saturating::count;
using saturating::mul;

/// One block's run slots: each holds a RunResult sized by prepare() (a few small
/// vectors, each with the allocator's bookkeeping).
std::uint64_t slots_bytes(const Scenario& s, const BatchPlan& plan) {
    constexpr std::uint64_t kAllocationOverhead = 16;  // glibc's per-chunk header, rounded up
    const std::uint64_t menus = s.leaders[0].menu.size() + s.leaders[1].menu.size();
    const std::uint64_t per_slot = sizeof(RunSlot) + 4 * kAllocationOverhead + count(s.rung_count()) * sizeof(int) +
                                   count(s.variable_count()) * sizeof(double) + menus * sizeof(int);
    const std::uint64_t slots = std::min(std::max<std::uint64_t>(plan.block_size, 1), std::max<std::uint64_t>(plan.runs, 1));
    return mul(per_slot, slots);
}

/// /proc/self/statm in bytes: [0] address space, [1] resident, [5] data + stack.
std::array<std::uint64_t, 7> process_memory() {
    std::array<std::uint64_t, 7> pages{};
    std::ifstream in("/proc/self/statm");
    for (std::uint64_t& p : pages) in >> p;
    const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    for (std::uint64_t& p : pages) p = mul(p, page);
    return pages;
}

/// The first number in `file`; nullopt when it is absent or says "max" (no limit).
std::optional<std::uint64_t> read_limit(const std::string& file) {
    std::ifstream in(file);
    std::uint64_t v = 0;
    if (in >> v) return v;
    return std::nullopt;
}

/// The memory limit of this process's cgroup (v2 memory.max or v1 memory.limit_in_bytes), if any.
std::optional<std::uint64_t> cgroup_limit() {
    std::ifstream in("/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        const auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        std::vector<std::string> files;
        if (line.compare(0, 3, "0::") == 0) files = {"/sys/fs/cgroup" + path + "/memory.max", "/sys/fs/cgroup/memory.max"};
        else if (controllers == "memory")
            files = {"/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
        for (const std::string& f : files)
            if (const auto v = read_limit(f)) return v;
    }
    return std::nullopt;
}

void consider(MemoryLimit& best, std::uint64_t limit, std::uint64_t held, const std::string& what) {
    const std::uint64_t free = limit > held ? limit - held : 0;
    if (free < best.bytes) best = MemoryLimit{free, what + " of " + byte_text(limit)};
}

}  // namespace

std::string byte_text(std::uint64_t bytes) {
    const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = static_cast<double>(bytes);
    std::size_t u = 0;
    while (v >= 1000.0 && u + 1 < std::size(units)) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    else std::snprintf(buf, sizeof buf, v < 10.0 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

std::uint64_t aggregates_bytes(const Scenario& s) {
    const std::uint64_t ticks = count(s.horizon) + 1, rungs = count(s.rung_count()), vars = count(s.variable_count());
    const std::uint64_t menus = s.leaders[0].menu.size() + s.leaders[1].menu.size();
    std::uint64_t words = mul(kOutcomeCount, ticks);                    // end_tick
    words = add(words, rungs + menus);                                  // max_rung, action_counts
    words = add(words, mul(2, mul(ticks, rungs)));                      // active_rung, ended_rung
    words = add(words, mul(mul(ticks, vars), 1 + kQuantileBins));       // value_sum, value_hist
    return add(sizeof(Aggregates), mul(words, sizeof(std::uint64_t)));
}

std::uint64_t batch_memory_bytes(const Scenario& s, const BatchPlan& plan) {
    const int threads = plan.threads > 0 ? plan.threads : omp_get_max_threads();
    // Per thread, the overall totals, and the checkpoint's serialised copy of them.
    const std::uint64_t copies = count(threads) + 2;
    return add(mul(copies, aggregates_bytes(s)), slots_bytes(s, plan));
}

MemoryLimit memory_limit() {
    MemoryLimit best;
    const auto held = process_memory();
    const auto physical = mul(static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)), static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
    consider(best, physical, held[1], "the machine's physical memory");
    if (const auto cgroup = cgroup_limit(); cgroup && *cgroup < physical) consider(best, *cgroup, held[1], "the cgroup's memory limit");
    rlimit r{};
    if (getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
        consider(best, r.rlim_cur, held[0], "the address-space limit (ulimit -v)");
    if (getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
        consider(best, r.rlim_cur, held[5], "the data-segment limit (ulimit -d)");
    return best;
}

void check_batch_memory(const Scenario& s, const BatchPlan& plan, std::uint64_t already_held) {
    const std::uint64_t need = batch_memory_bytes(s, plan);
    const MemoryLimit limit = memory_limit();
    const std::uint64_t available = add(limit.bytes, already_held);
    if (need <= available) return;
    const int threads = plan.threads > 0 ? plan.threads : omp_get_max_threads();
    std::ostringstream m;
    m << "this batch needs about " << byte_text(need) << " of memory: per-tick aggregates of " << byte_text(aggregates_bytes(s))
      << " (horizon " << s.horizon << " ticks x " << s.variable_count() << " variables x " << kQuantileBins
      << " histogram bins) for each of " << threads << (threads == 1 ? " thread" : " threads")
      << ", for the overall totals and for their checkpoint copy; only " << byte_text(available) << " is free under "
      << limit.source << ". Shorten run.horizon, use fewer --threads, or raise the limit";
    throw MemoryError(m.str());
}

}  // namespace brink
