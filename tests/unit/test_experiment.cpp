// Experiments: sweep axes and designs, common random numbers across points,
// paired-comparison statistics against hand-computed values, and the Sobol and
// Morris estimators against functions with known indices.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>

#include "brink/experiment.hpp"
#include "brink/study.hpp"

using namespace brink;
using Catch::Contains;
namespace fs = std::filesystem;

TEST_CASE("sweep axes: lists, ranges and clear errors", "[experiment][sweep]") {
    Axis a = parse_axis("leaders.putin.priorities.sovereignty=0:1:5");
    CHECK(a.path == "leaders.putin.priorities.sovereignty");
    CHECK(a.values == std::vector<std::string>{"0", "0.25", "0.5", "0.75", "1"});
    a = parse_axis("outcomes.escalation_rung=nato_russia_clash,nuclear_alert");
    CHECK(a.values == std::vector<std::string>{"nato_russia_clash", "nuclear_alert"});
    a = parse_axis("x.y=0.2:0.8", true);
    CHECK(a.is_range);
    CHECK(a.low == 0.2);
    CHECK(a.high == 0.8);
    CHECK_THROWS_WITH(parse_axis("nopath"), Contains("expected path=values"));
    CHECK_THROWS_WITH(parse_axis("x=1:0:5"), Contains("low end must be below"));
    CHECK_THROWS_WITH(parse_axis("x=0:1:1"), Contains("count must be an integer in [2, 10000]"));
    CHECK_THROWS_WITH(parse_axis("x=0:1:2.5"), Contains("count must be an integer"));
    CHECK_THROWS_WITH(parse_axis("x=a,,b"), Contains("empty value"));
    CHECK_THROWS_WITH(parse_axis("x=0,1", true), Contains("sampling needs a range"));
}

TEST_CASE("grid points: the Cartesian product, last axis fastest", "[experiment][sweep]") {
    const auto points = grid_points({parse_axis("a=1,2"), parse_axis("b=x,y,z")});
    REQUIRE(points.size() == 6);
    CHECK(points[0] == std::vector<std::string>{"a=1", "b=x"});
    CHECK(points[1] == std::vector<std::string>{"a=1", "b=y"});
    CHECK(points[5] == std::vector<std::string>{"a=2", "b=z"});
}

TEST_CASE("Latin hypercube: one point in each stratum of every dimension", "[experiment][sweep]") {
    const int n = 50;
    const auto x = latin_hypercube(n, 3, 7);
    REQUIRE(x.size() == 50);
    for (int d = 0; d < 3; ++d) {
        std::set<int> strata;
        for (const auto& row : x) {
            CHECK(row[static_cast<std::size_t>(d)] >= 0.0);
            CHECK(row[static_cast<std::size_t>(d)] < 1.0);
            strata.insert(static_cast<int>(row[static_cast<std::size_t>(d)] * n));
        }
        CHECK(strata.size() == static_cast<std::size_t>(n));
    }
    CHECK(latin_hypercube(n, 3, 7) == x);  // reproducible from the seed
    CHECK(latin_hypercube(n, 3, 8) != x);
}

TEST_CASE("paired difference: Newcombe interval and exact McNemar test against hand computation", "[experiment][compare]") {
    // 100 pairs: outcome in both 10, only under A 5, only under B 15, in neither 70.
    const PairedDifference d = paired_difference(10, 5, 15, 70);
    CHECK(d.n == 100);
    CHECK(d.a.estimate == Approx(0.15));
    CHECK(d.b.estimate == Approx(0.25));
    CHECK(d.difference.estimate == Approx(0.10));
    // Newcombe (1998) method 10 by hand: Wilson limits lA = 0.0930599, uA = 0.2328356,
    // lB = 0.1754521, uB = 0.3430446; phi = (10*70 - 5*15) / sqrt(25*75*20*80) = 0.4042260;
    // L = 0.10 - sqrt((pB-lB)^2 - 2 phi (pB-lB)(uA-pA) + (uA-pA)^2) = 0.0138214
    // U = 0.10 + sqrt((uB-pB)^2 - 2 phi (uB-pB)(pA-lA) + (pA-lA)^2) = 0.1872716
    CHECK(d.difference.low == Approx(0.0138214).margin(1e-7));
    CHECK(d.difference.high == Approx(0.1872716).margin(1e-7));
    // McNemar exact: 20 discordant pairs, 5 one way: 2 * sum_{i<=5} C(20, i) / 2^20 = 43400 / 1048576.
    CHECK(d.p_value == Approx(43400.0 / 1048576.0).epsilon(1e-12));
    CHECK(d.significant());
    // Swapping A and B negates the difference and its interval.
    const PairedDifference r = paired_difference(10, 15, 5, 70);
    CHECK(r.difference.estimate == Approx(-0.10));
    CHECK(r.difference.low == Approx(-0.1872716).margin(1e-7));
    CHECK(r.difference.high == Approx(-0.0138214).margin(1e-7));
    CHECK(r.p_value == Approx(d.p_value));
    // Identical samples: no difference, p = 1.
    const PairedDifference same = paired_difference(std::vector<std::uint8_t>{0, 1, 2, 0}, std::vector<std::uint8_t>{0, 1, 2, 0}, 0);
    CHECK(same.difference.estimate == 0.0);
    CHECK(same.difference.low <= 0.0);
    CHECK(same.difference.high >= 0.0);
    CHECK(same.p_value == 1.0);
    CHECK_FALSE(same.significant());
    // Large discordant counts do not underflow: 1000 vs 1100 discordant pairs.
    const double p = mcnemar_exact_p(1000, 1100);
    CHECK(p > 0.02);
    CHECK(p < 0.04);  // normal approximation: z = 100 / sqrt(2100) = 2.18, p = 0.029
}

TEST_CASE("Sobol indices of the Ishigami function match their analytic values", "[experiment][sensitivity]") {
    // f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3, a = 7, b = 0.1 (Ishigami & Homma 1990).
    const double a = 7.0, b = 0.1, pi = std::numbers::pi;
    const double v = a * a / 8 + b * std::pow(pi, 4) / 5 + b * b * std::pow(pi, 8) / 18 + 0.5;
    const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2);
    const double v2 = a * a / 8;
    const double v13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
    const double s1[] = {v1 / v, v2 / v, 0.0};
    const double st[] = {(v1 + v13) / v, v2 / v, v13 / v};
    REQUIRE(s1[0] == Approx(0.3139).margin(1e-4));
    REQUIRE(st[2] == Approx(0.2437).margin(1e-4));

    const int n = 20000, k = 3;
    const auto design = saltelli_design(k, n, 11);
    std::vector<double> y;
    for (const auto& row : design) {
        const double x1 = -pi + 2 * pi * row[0], x2 = -pi + 2 * pi * row[1], x3 = -pi + 2 * pi * row[2];
        y.push_back(std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1));
    }
    const SobolIndices idx = sobol_indices(y, k, n, 100, 3);
    for (int i = 0; i < k; ++i) {
        INFO("parameter " << i + 1);
        const auto& f = idx.first_order[static_cast<std::size_t>(i)];
        const auto& t = idx.total[static_cast<std::size_t>(i)];
        CHECK(f.low <= f.value);
        CHECK(f.value <= f.high);
        // Within 4 bootstrap standard errors (half-width / 1.96) of the truth, and never worse than 0.05.
        const double se1 = (f.high - f.low) / (2 * 1.96), set = (t.high - t.low) / (2 * 1.96);
        CHECK(std::abs(f.value - s1[i]) < std::min(0.05, 4 * se1 + 1e-3));
        CHECK(std::abs(t.value - st[i]) < std::min(0.05, 4 * set + 1e-3));
    }
}

TEST_CASE("Morris elementary effects of a linear function are its slopes", "[experiment][sensitivity]") {
    const auto design = morris_design(3, 12, 4, 5);
    REQUIRE(design.size() == 12 * 4);
    std::vector<double> y;
    for (const auto& x : design) y.push_back(3.0 * x[0] - 0.5 * x[1] + 0.0 * x[2]);
    const MorrisEffects m = morris_effects(design, y, 3);
    CHECK(m.mu_star[0] == Approx(3.0));
    CHECK(m.mu_star[1] == Approx(0.5));
    CHECK(m.mu[1] == Approx(-0.5));
    CHECK(m.mu_star[2] == Approx(0.0).margin(1e-12));
    for (const double s : m.sigma) CHECK(s == Approx(0.0).margin(1e-9));
    // Every point stays in the unit cube, and each step moves one coordinate by delta = 2/3.
    for (std::size_t t = 0; t < design.size(); t += 4)
        for (std::size_t j = 1; j < 4; ++j) {
            int moved = 0;
            for (std::size_t d = 0; d < 3; ++d) {
                const double step = design[t + j][d] - design[t + j - 1][d];
                if (step != 0.0) { ++moved; CHECK(std::abs(step) == Approx(2.0 / 3.0)); }
                CHECK(design[t + j][d] >= 0.0);
                CHECK(design[t + j][d] <= 1.0);
            }
            CHECK(moved == 1);
        }
}

TEST_CASE("a sweep uses common random numbers: the same run ids and seed at every point", "[experiment][sweep]") {
    const fs::path dir = fs::temp_directory_path() / ("brink-sweep-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    SweepPlan plan;
    plan.scenario_file = "tests/data/scenarios/small.yaml";
    // Points 0 and 2 are the same model; point 1 differs.
    plan.axes = {parse_axis("leaders.blue.traits.risk_tolerance=0.4,0.9,0.4")};
    StudyOptions options;
    options.runs = 400;
    options.seed = 17;
    options.seed_given = true;
    options.threads = 2;
    const SweepStatus status = run_sweep(plan, dir.string(), options);
    CHECK(status.points == 3);
    CHECK(status.points_done == 3);
    const OutcomeColumn p0 = read_outcomes((dir / "points/0000").string());
    const OutcomeColumn p1 = read_outcomes((dir / "points/0001").string());
    const OutcomeColumn p2 = read_outcomes((dir / "points/0002").string());
    CHECK(p0.seed == 17);
    CHECK(p1.seed == 17);
    CHECK(p0.run_ids == p1.run_ids);
    CHECK(p0.outcomes == p2.outcomes);  // same parameters, same dice: the same runs
    CHECK(p0.end_ticks == p2.end_ticks);
    CHECK(p0.outcomes != p1.outcomes);
    // sweep.csv: one row per point, the varied parameter as a column.
    std::ifstream in(dir / "sweep.csv");
    std::string header, line;
    std::getline(in, header);
    CHECK(header.rfind("point,leaders.blue.traits.risk_tolerance,runs,p_escalation,p_escalation_low,p_escalation_high", 0) == 0);
    int rows = 0;
    while (std::getline(in, line)) ++rows;
    CHECK(rows == 3);
    // Comparing two points pairs them run by run; identical points differ by exactly 0.
    const Comparison same = compare_folders((dir / "points/0000").string(), (dir / "points/0002").string());
    for (const auto& d : same.outcomes) {
        CHECK(d.only_a == 0);
        CHECK(d.only_b == 0);
    }
    fs::remove_all(dir);
}
