// Random streams. Every run owns independent streams addressed by (master seed, run id,
// purpose, branch), so a run can be replayed alone, any draw can be reached without the
// ones before it, and results never depend on how runs are spread over threads.
#pragma once

#include <Random123/philox.h>
#include <boost/random/normal_distribution.hpp>
#include <cstdint>
#include <limits>

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

/// A run's stream: the counter-based generator Philox4x64-10 (Salmon, Moraes, Dror &
/// Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3"; Random123), keyed by
/// {seed, run id}. Word w of the stream is word w mod 4 of
/// philox({w / 4, purpose, branch, 0}, {seed, run id}): nothing is seeded, a stream costs
/// two words to key, and position()/seek() reach any draw directly. Uniforms take the
/// high 53 bits of one word; normals are Boost's ziggurat on top of the words (Boost's
/// distributions are specified exactly, so the numbers are the same on every platform).
class Stream {
public:
    Stream() = default;
    Stream(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose, std::uint64_t branch = 0) {
        reseed(seed, run_id, purpose, branch);
    }
    /// Keys the stream and puts it at word 0. `branch` names a continuation of a run from
    /// a later tick (continue_run uses the tick), so a branch never replays its origin's draws.
    void reseed(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose, std::uint64_t branch = 0) {
        key_ = {{seed, run_id}};
        counter_ = {{0, static_cast<std::uint64_t>(purpose), branch, 0}};
        word_ = 0;
        normal_.reset();
    }

    std::uint64_t bits() {
        if ((word_ & 3) == 0) load(word_ >> 2);
        return block_.v[word_++ & 3];
    }
    /// Uniform on [0, 1) from the high 53 bits of one word.
    double uniform() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }
    /// Standard normal (Boost's ziggurat: one word, more on its rare rejections).
    double normal() {
        Words words{*this};
        return normal_(words);
    }

    /// How many words the stream has given: the address of the next one.
    std::uint64_t position() const { return word_; }
    /// Puts the stream at word `word`, as if `word` words had been drawn.
    void seek(std::uint64_t word) {
        word_ = word;
        if ((word_ & 3) != 0) load(word_ >> 2);
    }

private:
    using Philox = r123::Philox4x64;
    /// The stream as a uniform random bit generator, for Boost's distributions.
    struct Words {
        Stream& stream;
        using result_type = std::uint64_t;
        static constexpr result_type min() { return 0; }
        static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
        result_type operator()() { return stream.bits(); }
    };
    void load(std::uint64_t block) {
        counter_.v[0] = block;
        block_ = Philox()(counter_, key_);
    }

    Philox::key_type key_{};
    Philox::ctr_type counter_{};
    Philox::ctr_type block_{};
    std::uint64_t word_ = 0;
    boost::random::normal_distribution<double> normal_;
};

}  // namespace brink
