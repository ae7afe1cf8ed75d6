// The stream scheme (sim/include/brink/random.hpp, stream scheme "philox4x64-10" version 2):
// Random123's Philox4x64-10 reproduces the published known answers, and a Stream's word w
// is word w mod 4 of philox({w / 4, purpose, branch, 0}, {seed, run id}), reachable by
// seek() without drawing the words before it.
#include <catch2/catch.hpp>
#include <Random123/philox.h>
#include <array>
#include <cstdint>
#include <vector>

#include "brink/random.hpp"

using namespace brink;

namespace {

using Philox = r123::Philox4x64;

std::array<std::uint64_t, 4> philox(const std::array<std::uint64_t, 4>& counter, const std::array<std::uint64_t, 2>& key) {
    const Philox::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
    const Philox::key_type k = {{key[0], key[1]}};
    const Philox::ctr_type out = Philox()(c, k);
    return {out.v[0], out.v[1], out.v[2], out.v[3]};
}

}  // namespace

TEST_CASE("Philox4x64-10 gives Random123's known answers", "[model][random]") {
    // Random123 1.14, examples/kat_vectors: "philox4x64 10 counter key  result".
    CHECK(philox({0, 0, 0, 0}, {0, 0}) ==
          std::array<std::uint64_t, 4>{0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL});
    const std::uint64_t ones = ~std::uint64_t{0};
    CHECK(philox({ones, ones, ones, ones}, {ones, ones}) ==
          std::array<std::uint64_t, 4>{0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL});
    CHECK(philox({0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL},
                 {0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL}) ==
          std::array<std::uint64_t, 4>{0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL, 0x57bd43b5e52b7fe6ULL});
}

TEST_CASE("a stream's words are Philox blocks at {word / 4, purpose, branch, 0} under the key {seed, run id}", "[model][random]") {
    // Stream 0/0/purpose 0/branch 0 is the all-zero known answer above.
    Stream zero(0, 0, static_cast<StreamPurpose>(0));
    CHECK(zero.bits() == 0x16554d9eca36314cULL);
    CHECK(zero.bits() == 0xdb20fe9d672d0fdcULL);
    CHECK(zero.bits() == 0xd7e772cee186176bULL);
    CHECK(zero.bits() == 0x7e68b68aec7ba23bULL);

    const std::uint64_t seed = 20211217, run = 123456789012ULL, branch = 9;
    for (const StreamPurpose purpose : {StreamPurpose::decisions, StreamPurpose::world, StreamPurpose::ladder,
                                        StreamPurpose::events, StreamPurpose::intent, StreamPurpose::track}) {
        Stream s(seed, run, purpose, branch);
        for (std::uint64_t block = 0; block < 40; ++block) {
            const auto expected = philox({block, static_cast<std::uint64_t>(purpose), branch, 0}, {seed, run});
            for (int k = 0; k < 4; ++k) {
                INFO("purpose " << static_cast<unsigned>(purpose) << " block " << block << " word " << k);
                CHECK(s.position() == 4 * block + static_cast<std::uint64_t>(k));
                CHECK(s.bits() == expected[static_cast<std::size_t>(k)]);
            }
        }
    }
}

TEST_CASE("seek reaches any word without drawing the ones before, and position counts what normals consume", "[model][random]") {
    Stream walked(7, 3, StreamPurpose::world);
    std::vector<std::uint64_t> words(1000);
    for (std::uint64_t& w : words) w = walked.bits();
    for (const std::uint64_t at : {0ULL, 1ULL, 3ULL, 4ULL, 5ULL, 511ULL, 998ULL}) {
        Stream jumped(7, 3, StreamPurpose::world);
        jumped.seek(at);
        CHECK(jumped.position() == at);
        CHECK(jumped.bits() == words[at]);
        CHECK(jumped.bits() == words[at + 1]);
    }
    // A normal takes one word, or more on the ziggurat's rare rejections; either way the
    // stream after it is the same stream, further on.
    Stream s(7, 3, StreamPurpose::world);
    std::uint64_t consumed = 0;
    for (int k = 0; k < 200; ++k) {
        const std::uint64_t before = s.position();
        (void)s.normal();
        consumed += s.position() - before;
        CHECK(s.position() > before);
    }
    CHECK(consumed >= 200);
    CHECK(s.bits() == words[consumed]);
    // Keys and counters all matter: another seed, run, purpose or branch is another stream.
    const std::uint64_t first = Stream(7, 3, StreamPurpose::world).bits();
    CHECK(Stream(8, 3, StreamPurpose::world).bits() != first);
    CHECK(Stream(7, 4, StreamPurpose::world).bits() != first);
    CHECK(Stream(7, 3, StreamPurpose::ladder).bits() != first);
    CHECK(Stream(7, 3, StreamPurpose::world, 1).bits() != first);
    CHECK(Stream(7 + (1ULL << 32), 3, StreamPurpose::world).bits() != first);
}
