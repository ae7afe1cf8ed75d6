// The memory a batch needs, estimated from its inputs before anything is allocated
// (engine.hpp: aggregates_bytes, batch_memory_bytes), against what the engine and a
// result folder really allocate, measured with glibc's mallinfo2 (all arenas, mmapped
// chunks included), or AddressSanitizer's count in a sanitizer build.
#include <malloc.h>
#ifdef __SANITIZE_ADDRESS__
// From <sanitizer/allocator_interface.h>, which Debian ships without; libasan defines it.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>

#include "brink/engine.hpp"
#include "brink/output.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
namespace fs = std::filesystem;

namespace {

/// Bytes the allocator has handed out and not taken back. AddressSanitizer replaces
/// malloc (mallinfo2 then reads zeros) and counts them itself.
std::uint64_t heap_in_use() {
#ifdef __SANITIZE_ADDRESS__
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
#endif
}

LoadedScenario baseline(int horizon) {
    return load_scenario("scenarios/baseline.yaml", {"run.horizon=" + std::to_string(horizon)});
}

/// Samples the heap after every block, while the per-thread aggregates, the run slots
/// and the threads' workspaces are all alive; keeps no rows (so makes no checkpoint).
class HeapSampler final : public RunSink {
public:
    void on_block(std::uint64_t, const std::vector<RunSlot>&, std::size_t, const Aggregates&) override {
        peak = std::max(peak, heap_in_use());
    }
    std::uint64_t peak = 0;
};

/// |measured - estimate| within 0.5% of the estimate plus 64 kB (the allocator's
/// headers and page rounding of mmapped chunks).
bool close(std::uint64_t measured, std::uint64_t estimate) {
    const double diff = std::abs(static_cast<double>(measured) - static_cast<double>(estimate));
    return diff <= 0.005 * static_cast<double>(estimate) + 65536.0;
}

}  // namespace

TEST_CASE("aggregates_bytes is what Aggregates::reset allocates", "[engine][memory]") {
    for (const int horizon : {104, 3000}) {
        const LoadedScenario loaded = baseline(horizon);
        const std::uint64_t before = heap_in_use();
        auto a = std::make_unique<Aggregates>();
        a->reset(loaded.scenario);
        const std::uint64_t measured = heap_in_use() - before;
        const std::uint64_t estimate = aggregates_bytes(loaded.scenario);
        INFO("horizon " << horizon << ": measured " << measured << " bytes, estimated " << estimate);
        CHECK(close(measured, estimate));
    }
    // The histograms dominate and grow with the horizon: (horizon + 1) x variables x bins counters.
    const LoadedScenario longer = baseline(3000);
    const Scenario& s = longer.scenario;
    const auto hist = static_cast<std::uint64_t>(s.horizon + 1) * static_cast<std::uint64_t>(s.variable_count()) * kQuantileBins * 8;
    CHECK(aggregates_bytes(s) > hist);
    CHECK(aggregates_bytes(s) < hist + hist / 50);
}

TEST_CASE("batch_memory_bytes covers what run_batch holds at its peak", "[engine][memory]") {
    const LoadedScenario loaded = baseline(3000);
    const Scenario& s = loaded.scenario;
    const std::uint64_t one = aggregates_bytes(s);
    for (const int threads : {1, 2, 3}) {
        const BatchPlan plan{48, 11, threads, 0.0, 16};
        Aggregates totals;
        totals.reset(s);
        const std::uint64_t before = heap_in_use();
        HeapSampler sampler;
        run_batch(s, plan, 0, totals, sampler);
        const std::uint64_t measured = sampler.peak - before;
        // Of the estimate's threads + 2 sets of aggregates, the totals were allocated before
        // `before`, and this sink writes no checkpoint copy: threads sets and the slots remain.
        const std::uint64_t estimate = batch_memory_bytes(s, plan) - 2 * one;
        INFO(threads << " threads: measured " << measured << " bytes, estimated " << estimate);
        CHECK(close(measured, estimate));
    }
    // More threads, more sets: exactly one more Aggregates per thread.
    CHECK(batch_memory_bytes(s, BatchPlan{48, 11, 3, 0.0, 16}) - batch_memory_bytes(s, BatchPlan{48, 11, 2, 0.0, 16}) == one);
}

TEST_CASE("a checkpoint is the one more copy of the aggregates that the estimate counts", "[engine][memory]") {
    const LoadedScenario loaded = baseline(3000);
    const Scenario& s = loaded.scenario;
    const fs::path dir = fs::temp_directory_path() / ("brink-memory-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const BatchRecord record = brink::test::record_of(loaded, BatchPlan{20, 3, 1, 0.0, 10});
    Aggregates totals;
    totals.reset(s);
    {
        auto folder = ResultFolder::create(dir.string(), s, record);
        const BatchStatus status = run_batch(s, record.plan, 0, totals, *folder);
        folder->finish(totals, status, false, 0.1, "start", "end", 1);  // interrupted: keeps checkpoint.bin
    }
    const std::uint64_t size = fs::file_size(dir / "checkpoint.bin");
    INFO("checkpoint.bin " << size << " bytes, one Aggregates estimated at " << aggregates_bytes(s));
    CHECK(size <= aggregates_bytes(s) + 65536);
    CHECK(size >= aggregates_bytes(s) - aggregates_bytes(s) / 100);
    fs::remove_all(dir);
}

TEST_CASE("a batch that cannot fit is refused with the figures, before anything is allocated", "[engine][memory]") {
    const LoadedScenario loaded = baseline(100000);
    const Scenario& s = loaded.scenario;
    // 4096 threads of 2.9 GB aggregates (18 variables): about 12 TB, more than any machine this runs on.
    const BatchPlan plan{10, 1, 4096, 0.0, 4096};
    CHECK(batch_memory_bytes(s, plan) > 10'000'000'000'000ULL);
    CHECK(batch_memory_bytes(s, plan) > memory_limit().bytes);
    const std::uint64_t before = heap_in_use();
    try {
        check_batch_memory(s, plan);
        FAIL("check_batch_memory accepted a 12 TB batch");
    } catch (const MemoryError& e) {
        const std::string message = e.what();
        INFO(message);
        CHECK(message.find("needs about 12 TB") != std::string::npos);
        CHECK(message.find("horizon 100000 ticks") != std::string::npos);
        CHECK(message.find("4096 threads") != std::string::npos);
        CHECK(message.find(" is free under ") != std::string::npos);
    }
    CHECK(heap_in_use() - before < 1000000);  // refused without allocating the aggregates
    // A batch that fits passes.
    CHECK_NOTHROW(check_batch_memory(baseline(104).scenario, BatchPlan{10, 1, 2, 0.0, 4096}));
}

// AddressSanitizer reserves terabytes of address space, so no address-space limit can be
// set under it; the ordinary build runs this case.
#ifndef __SANITIZE_ADDRESS__
namespace {
/// This process's address space, from /proc/self/statm.
std::uint64_t process_bytes() {
    std::ifstream in("/proc/self/statm");
    std::uint64_t pages = 0;
    in >> pages;
    return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}
}  // namespace

TEST_CASE("run_batch refuses a batch over the address-space limit instead of running out", "[engine][memory]") {
    const LoadedScenario loaded = baseline(100000);
    const BatchPlan plan{10, 1, 2, 0.0, 4096};  // about 11 GB
    // In a child process, so that the limit (what this process holds + 1 GB) binds it alone.
    // Its exit code: 0 refused with MemoryError, 3 std::bad_alloc, 4 ran.
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const rlimit limit{process_bytes() + 1'000'000'000ULL, RLIM_INFINITY};
        if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(5);
        try {
            Aggregates unallocated;
            HeapSampler sink;
            run_batch(loaded.scenario, plan, 0, unallocated, sink);
        } catch (const MemoryError&) {
            _exit(0);
        } catch (const std::bad_alloc&) {
            _exit(3);
        }
        _exit(4);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
#endif

TEST_CASE("memory sizes are written for people", "[engine][memory]") {
    CHECK(byte_text(512) == "512 bytes");
    CHECK(byte_text(2'730'000'000ULL) == "2.7 GB");
    CHECK(byte_text(11'200'000'000'000ULL) == "11 TB");
    CHECK(byte_text(std::numeric_limits<std::uint64_t>::max()) == "18 EB");
}
