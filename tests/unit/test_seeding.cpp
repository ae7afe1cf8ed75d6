// Stream::reseed computes Boost's seed_seq by hand (sim/model/random.cpp, for speed):
// it must give exactly the state that seeding through boost::random::seed_seq gives.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/seed_seq.hpp>
#include <catch2/catch.hpp>
#include <cstdint>

#include "brink/random.hpp"

using namespace brink;

TEST_CASE("Stream::reseed gives the same stream as seeding mt19937_64 through boost::random::seed_seq",
          "[model][random]") {
    const std::uint64_t seeds[] = {0, 1, 5, 20211217, 0xffffffffULL, 1ULL << 32, 0x9e3779b97f4a7c15ULL, ~0ULL};
    const std::uint64_t runs[] = {0, 1, 2, 17, 4095, 4096, 1000000, 0xffffffffULL, 1ULL << 32, ~0ULL};
    const StreamPurpose purposes[] = {StreamPurpose::decisions, StreamPurpose::world, StreamPurpose::ladder,
                                      StreamPurpose::events};
    int compared = 0;
    for (const std::uint64_t seed : seeds)
        for (const std::uint64_t run : runs)
            for (const StreamPurpose purpose : purposes) {
                const std::uint32_t words[] = {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                                               static_cast<std::uint32_t>(run), static_cast<std::uint32_t>(run >> 32),
                                               static_cast<std::uint32_t>(purpose)};
                boost::random::seed_seq sequence(std::begin(words), std::end(words));
                boost::random::mt19937_64 expected(sequence);
                Stream stream(seed, run, purpose);
                bool same = true;
                for (int k = 0; k < 700; ++k) same = same && stream.bits() == expected();  // past the second twist
                CHECK(same);
                ++compared;
            }
    CHECK(compared == 320);
}
