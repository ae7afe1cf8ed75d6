// Random streams. Every run owns independent streams derived from
// (master seed, run id, purpose), so a run can be replayed alone and results
// never depend on how runs are spread over threads.
#pragma once

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cstdint>

namespace brink {

/// What a stream is used for. Separate streams keep, for example, the ladder's
/// draws aligned across scenarios whose leaders draw differently (common random
/// numbers in sweeps and comparisons).
enum class StreamPurpose : std::uint32_t {
    decisions = 1,  ///< misperception draws, perceived-state noise, logit choices
    world = 2,      ///< noise on the effects of actions and events
    ladder = 3,     ///< one draw per tick for the ladder step
    events = 4,     ///< one draw per event per tick
    intent = 5,     ///< model version 2: one draw per leader with hidden modes per tick
    track = 6,      ///< model version 2: jumps' draws, then the nuclear track's step
};

/// SplitMix64 (Steele, Lea & Flood 2014): a bijective mix of 64 bits, for deriving the
/// master seed of a family of streams from a key (a stage, a generation).
inline std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// A run's stream: Boost's mt19937_64 seeded through boost::random::seed_seq with
/// the words {seed_lo, seed_hi, run_lo, run_hi, purpose}, plus the fast
/// conversions the tick loop needs. Boost's generators and distributions are
/// specified exactly, so the numbers are the same on every platform.
class Stream {
public:
    Stream() = default;
    Stream(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose) { reseed(seed, run_id, purpose); }
    void reseed(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose);

    std::uint64_t bits() { return engine_(); }
    /// Uniform on [0, 1) from the high 53 bits of one draw.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// Standard normal (Boost's ziggurat).
    double normal() { return normal_(engine_); }

private:
    boost::random::mt19937_64 engine_;
    boost::random::normal_distribution<double> normal_;
};

}  // namespace brink
