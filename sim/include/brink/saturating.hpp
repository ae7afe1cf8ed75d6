// Saturating size arithmetic: sizes computed from user inputs (memory estimates,
// experiment point counts) stop at the largest uint64 instead of wrapping, so a
// product too large to represent compares as too large, never as small.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace brink::saturating {

inline constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

inline std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}

inline std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? kMax : r;
}

/// A count held in an int (negative counts as 0).
inline std::uint64_t count(int n) { return static_cast<std::uint64_t>(std::max(n, 0)); }

}  // namespace brink::saturating
