// The random streams across run ids (docs/validation.md): a run's streams are keyed by
// (seed, run id, purpose, branch) (Philox4x64-10, sim/include/brink/random.hpp), so
// neighbouring run ids, purposes and branches must give unrelated numbers.
// For 10^5 consecutive run ids, the first uniform of each stream must
//   - be uniform: Pearson chi-square over 1000 equal bins below its critical value at
//     alpha = 1e-6 (999 df: Boost's exact chi-square quantile, 1226.0);
//   - show no lag-1 serial correlation across run ids: |r| < 6 / sqrt(n) (under
//     independence r is about N(0, 1/n), so a false alarm has probability ~2e-9);
//   - and be uncorrelated with the first uniform of the run's other streams.
// Checked for the six purposes on the run's own branch (0) and two more streams on
// branches (decisions on branch 1, ladder on branch 7), for two master seeds:
// 2 x 8 x 2 + 2 x 28 = 88 comparisons, so the file fails a correct generator with
// probability below 1e-4 in the worst case (all at the chi-square bound) and in practice
// far less.
#include <catch2/catch.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <cstdio>
#include <vector>

#include "brink/random.hpp"

using namespace brink;

namespace {

constexpr std::uint64_t kRunIds = 100000;
constexpr int kBins = 1000;

struct StreamName {
    StreamPurpose purpose;
    std::uint64_t branch;
};

std::vector<double> first_uniforms(std::uint64_t seed, StreamName name) {
    std::vector<double> u(kRunIds);
    for (std::uint64_t id = 0; id < kRunIds; ++id) u[id] = Stream(seed, id, name.purpose, name.branch).uniform();
    return u;
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = static_cast<double>(x.size());
    double mx = 0.0, my = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace

TEST_CASE("streams: first uniforms of consecutive run ids are uniform and serially uncorrelated", "[statistical][streams]") {
    const double critical = boost::math::quantile(boost::math::complement(boost::math::chi_squared(kBins - 1), 1e-6));
    const double r_bound = 6.0 / std::sqrt(static_cast<double>(kRunIds));
    const StreamName streams[] = {{StreamPurpose::decisions, 0}, {StreamPurpose::world, 0}, {StreamPurpose::ladder, 0},
                                  {StreamPurpose::events, 0},    {StreamPurpose::intent, 0}, {StreamPurpose::track, 0},
                                  {StreamPurpose::decisions, 1}, {StreamPurpose::ladder, 7}};
    for (const std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{20211217}}) {
        std::vector<std::vector<double>> firsts;
        for (const StreamName name : streams) {
            const std::vector<double> u = first_uniforms(seed, name);
            std::vector<double> counts(kBins, 0.0);
            std::uint64_t outside = 0;
            for (const double x : u) {
                if (x < 0.0 || x >= 1.0) ++outside;
                else counts[static_cast<std::size_t>(x * kBins)] += 1.0;
            }
            REQUIRE(outside == 0);
            const double expected = static_cast<double>(kRunIds) / kBins;
            double chi2 = 0.0;
            for (const double c : counts) chi2 += (c - expected) * (c - expected) / expected;
            const std::vector<double> head(u.begin(), u.end() - 1), tail(u.begin() + 1, u.end());
            const double r = correlation(head, tail);
            std::printf("seed %llu purpose %u branch %llu: chi-square %.1f (critical %.1f), lag-1 r %+.5f (bound %.5f)\n",
                        static_cast<unsigned long long>(seed), static_cast<unsigned>(name.purpose),
                        static_cast<unsigned long long>(name.branch), chi2, critical, r, r_bound);
            CHECK(chi2 < critical);
            CHECK(std::abs(r) < r_bound);
            firsts.push_back(u);
        }
        for (std::size_t a = 0; a < firsts.size(); ++a)
            for (std::size_t b = a + 1; b < firsts.size(); ++b) {
                const double r = correlation(firsts[a], firsts[b]);
                INFO("streams " << a << " and " << b << ": r = " << r);
                CHECK(std::abs(r) < r_bound);
            }
    }
}
