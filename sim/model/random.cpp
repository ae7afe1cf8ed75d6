#include "brink/random.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace brink {

namespace {

/// mt19937_64's state: 312 64-bit words, seeded from 624 32-bit seed-sequence words.
constexpr std::size_t kSeedWords = 624;
constexpr std::size_t kInputWords = 5;

/// Exactly boost::random::seed_seq(v, v + 5).generate(out, out + 624) (Boost 1.74,
/// boost/random/seed_seq.hpp, which is the C++ standard's seed_seq algorithm),
/// specialised to these sizes: the general code's `% n` index arithmetic becomes
/// wrap-around tests, and the word each step reads from the step before stays in a
/// register. Same operations on the same 32-bit words in the same order, so the same
/// bits, about twice as fast (the stream scheme is pinned by tests/unit/test_model.cpp).
void seed_sequence(const std::uint32_t (&v)[kInputWords], std::uint32_t (&out)[kSeedWords]) {
    constexpr std::size_t n = kSeedWords, s = kInputWords;
    constexpr std::size_t t = 11;  // n >= 623
    constexpr std::size_t p = (n - t) / 2, q = p + t;
    constexpr std::size_t m = n;   // max(s + 1, n)
    static_assert(s + 1 < n && p + t < n);
    std::fill(std::begin(out), std::end(out), 0x8b8b8b8bu);
    std::uint32_t previous = out[n - 1];  // out[(k + n - 1) % n], written by the step before
    for (std::size_t k = 0; k < m; ++k) {
        const std::size_t kp = k + p < n ? k + p : k + p - n;
        const std::size_t kq = k + q < n ? k + q : k + q - n;
        std::uint32_t r1 = out[k] ^ out[kp] ^ previous;
        r1 ^= r1 >> 27;
        r1 *= 1664525u;
        const std::uint32_t r2 = r1 + static_cast<std::uint32_t>(k == 0 ? s : (k <= s ? k + v[k - 1] : k));
        out[kp] += r1;
        out[kq] += r2;
        out[k] = r2;
        previous = r2;
    }
    for (std::size_t k = 0; k < n; ++k) {  // the standard's k = m ... m + n - 1, here as k % n
        const std::size_t kp = k + p < n ? k + p : k + p - n;
        const std::size_t kq = k + q < n ? k + q : k + q - n;
        std::uint32_t r3 = out[k] + out[kp] + previous;
        r3 ^= r3 >> 27;
        r3 *= 1566083941u;
        const std::uint32_t r4 = r3 - static_cast<std::uint32_t>(k);
        out[kp] ^= r3;
        out[kq] ^= r4;
        out[k] = r4;
        previous = r4;
    }
}

}  // namespace

void Stream::reseed(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose) {
    const std::uint32_t words[kInputWords] = {
        static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
        static_cast<std::uint32_t>(run_id), static_cast<std::uint32_t>(run_id >> 32),
        static_cast<std::uint32_t>(purpose)};
    // engine_.seed(boost::random::seed_seq(words)) generates these 624 words and packs
    // them two by two (low half first) into the state; seed(first, last) packs the same
    // way, and both then set the state index and normalise the state identically.
    std::uint32_t state[kSeedWords];
    seed_sequence(words, state);
    std::uint32_t* first = state;
    engine_.seed(first, state + kSeedWords);
    normal_.reset();
}

}  // namespace brink
