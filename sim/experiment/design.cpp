// Experimental designs: sweep axes, grids, Latin hypercubes, Saltelli and Morris designs.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include "brink/experiment.hpp"
#include "brink/output.hpp"
#include "brink/random.hpp"
#include "brink/saturating.hpp"

namespace brink {

namespace {

// Experiments draw from their own stream purpose so designs never share draws with runs.
constexpr StreamPurpose kDesignStream = static_cast<StreamPurpose>(100);

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(sep, start);
        parts.push_back(text.substr(start, at - start));
        if (at == std::string::npos) return parts;
        start = at + 1;
    }
}

bool to_number(const std::string& s, double& v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

/// Fisher–Yates with draws from `stream`.
std::vector<int> permutation(int n, Stream& stream) {
    std::vector<int> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    for (int i = n - 1; i > 0; --i) {
        const auto j = static_cast<int>(stream.uniform() * (i + 1));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(std::min(j, i))]);
    }
    return p;
}

}  // namespace

Axis parse_axis(const std::string& text, bool for_sampling) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw ExperimentError("expected path=values (e.g. leaders.putin.priorities.sovereignty=0.1,0.5,0.9 or =0:1:11), found '" + text + "'");
    Axis axis;
    axis.path = text.substr(0, eq);
    const std::string spec = text.substr(eq + 1);
    const auto bad = [&](const std::string& why) { return ExperimentError("--vary " + text + ": " + why); };
    if (spec.find(':') != std::string::npos) {
        const auto parts = split(spec, ':');
        double lo = 0, hi = 0, count = 0;
        if (parts.size() == 2 && for_sampling) {
            if (!to_number(parts[0], lo) || !to_number(parts[1], hi)) throw bad("expected a range lo:hi of two numbers");
            if (!(lo < hi)) throw bad("the range's low end must be below its high end");
            axis.low = lo;
            axis.high = hi;
            axis.is_range = true;
            return axis;
        }
        if (parts.size() != 3 || !to_number(parts[0], lo) || !to_number(parts[1], hi) || !to_number(parts[2], count))
            throw bad(for_sampling ? "expected a range lo:hi" : "expected a range lo:hi:count (e.g. 0:1:11) or a list a,b,c");
        if (count < 2 || count > 10000 || std::floor(count) != count) throw bad("the count must be an integer in [2, 10000]");
        if (!(lo < hi)) throw bad("the range's low end must be below its high end");
        const int n = static_cast<int>(count);
        for (int i = 0; i < n; ++i) {
            // Endpoints exactly; interior points by interpolation.
            const double v = i == n - 1 ? hi : lo + (hi - lo) * i / (n - 1);
            axis.values.push_back(format_double(v));
        }
        axis.low = lo;
        axis.high = hi;
        return axis;
    }
    if (for_sampling) throw bad("sampling needs a range lo:hi");
    for (const std::string& v : split(spec, ',')) {
        if (v.empty()) throw bad("empty value in the list");
        axis.values.push_back(v);
    }
    return axis;
}

using saturating::add;
using saturating::count;
using saturating::mul;

std::uint64_t grid_point_count(const std::vector<Axis>& axes) {
    std::uint64_t n = 1;
    for (const Axis& a : axes) n = mul(n, a.values.size());
    return n;
}

std::uint64_t sensitivity_point_count(int parameters, int base_samples, int trajectories, bool sobol, bool morris) {
    const std::uint64_t k = count(parameters);
    const std::uint64_t saltelli = sobol ? mul(count(base_samples), add(k, 2)) : 0;
    const std::uint64_t morris_points = morris ? mul(count(trajectories), add(k, 1)) : 0;
    return add(saltelli, morris_points);
}

void check_point_count(std::uint64_t points, const std::string& what) {
    if (points <= kMaxExperimentPoints) return;
    const std::string shown = points == saturating::kMax ? "more than " + std::to_string(saturating::kMax) : std::to_string(points);
    throw ExperimentError(what + " has " + shown + " points; the limit is " + std::to_string(kMaxExperimentPoints));
}

std::vector<std::vector<std::string>> grid_points(const std::vector<Axis>& axes) {
    std::string sizes;
    for (const Axis& a : axes) sizes += (sizes.empty() ? "" : " x ") + std::to_string(a.values.size());
    check_point_count(grid_point_count(axes), "the sweep (" + sizes + " values)");
    std::vector<std::vector<std::string>> points{{}};
    for (const Axis& axis : axes) {
        std::vector<std::vector<std::string>> next;
        for (const auto& p : points)
            for (const std::string& v : axis.values) {
                auto q = p;
                q.push_back(axis.path + "=" + v);
                next.push_back(std::move(q));
            }
        points = std::move(next);
    }
    return points;
}

std::vector<std::vector<double>> latin_hypercube(int samples, int dimensions, std::uint64_t seed) {
    Stream stream(seed, 0, kDesignStream);
    std::vector<std::vector<double>> x(static_cast<std::size_t>(samples), std::vector<double>(static_cast<std::size_t>(dimensions)));
    for (int d = 0; d < dimensions; ++d) {
        const std::vector<int> strata = permutation(samples, stream);
        for (int i = 0; i < samples; ++i)
            x[static_cast<std::size_t>(i)][static_cast<std::size_t>(d)] = (strata[static_cast<std::size_t>(i)] + stream.uniform()) / samples;
    }
    return x;
}

std::vector<std::vector<std::string>> latin_hypercube_points(const std::vector<Axis>& axes, int samples, std::uint64_t seed) {
    const auto unit = latin_hypercube(samples, static_cast<int>(axes.size()), seed);
    std::vector<std::vector<std::string>> points;
    for (const auto& row : unit) {
        std::vector<std::string> p;
        for (std::size_t d = 0; d < axes.size(); ++d)
            p.push_back(axes[d].path + "=" + format_double(axes[d].low + row[d] * (axes[d].high - axes[d].low)));
        points.push_back(std::move(p));
    }
    return points;
}

std::vector<std::vector<double>> saltelli_design(int k, int n, std::uint64_t seed) {
    check_point_count(sensitivity_point_count(k, n, 0, true, false), "the Saltelli design (N (k + 2))");
    Stream stream(seed, 1, kDesignStream);
    const auto N = static_cast<std::size_t>(n);
    const auto K = static_cast<std::size_t>(k);
    std::vector<std::vector<double>> rows((K + 2) * N, std::vector<double>(K));
    for (std::size_t j = 0; j < 2 * N; ++j)
        for (std::size_t d = 0; d < K; ++d) rows[j][d] = stream.uniform();
    for (std::size_t i = 0; i < K; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            rows[(2 + i) * N + j] = rows[j];               // A ...
            rows[(2 + i) * N + j][i] = rows[N + j][i];     // ... with column i from B
        }
    return rows;
}

std::vector<std::vector<double>> morris_design(int k, int trajectories, int levels, std::uint64_t seed) {
    if (levels < 2 || levels % 2 != 0) throw ExperimentError("Morris needs an even number of levels (e.g. 4)");
    check_point_count(sensitivity_point_count(k, 0, trajectories, false, true), "the Morris design (r (k + 1))");
    Stream stream(seed, 2, kDesignStream);
    const double delta = levels / (2.0 * (levels - 1));
    std::vector<std::vector<double>> rows;
    for (int t = 0; t < trajectories; ++t) {
        // Start on the lower half of the grid so a step of +delta stays inside [0, 1].
        std::vector<double> x(static_cast<std::size_t>(k));
        for (double& v : x) v = static_cast<int>(stream.uniform() * (levels / 2)) / double(levels - 1);
        rows.push_back(x);
        for (const int d : permutation(k, stream)) {
            x[static_cast<std::size_t>(d)] += delta;
            rows.push_back(x);
        }
    }
    return rows;
}

}  // namespace brink
