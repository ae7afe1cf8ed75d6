// Every mechanism of the decision rule and the tick, against values worked out by hand.
//
// Each test builds a small world (tests/support.hpp) where one mechanism decides the
// numbers, writes the arithmetic in its comments, and asserts the values simulate()
// reports through a detail-wanting observer. Where a mechanism is random, the test
// draws the run's own streams (Stream(seed, run id, purpose), in the order of
// docs/model.md "Draws per tick"), so it knows the exact uniforms and normals the run
// uses and the expected values are exact, not statistical.
//
// Tolerances: 1e-12 for values the code computes by the same formula in another
// grouping (the optimised goal and war terms differ from the direct formula in their
// last bits); 1e-9 for the literal numbers written in the comments (rounded by hand
// to 12 digits); 5 standard errors for frequencies.
#include <catch2/catch.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "brink/model.hpp"
#include "brink/random.hpp"
#include "support.hpp"

using namespace brink;
using brink::test::add_variable;
using brink::test::make_action;
using brink::test::make_world;
using brink::test::pressure_action;
using brink::test::Recorder;
using brink::test::set_menus;
using brink::test::WorldSettings;

namespace {

constexpr double kExact = 1e-12;  // same formula, other grouping of the arithmetic
constexpr double kHand = 1e-9;    // literals rounded to 12 digits in the comments
constexpr double kInf = std::numeric_limits<double>::infinity();

double sig(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// A ladder that never moves: both step probabilities are below 1e-40.
void freeze_ladder(Scenario& s) { s.step = LadderStep{1.0, 100.0, -100.0, 0.0}; }

/// Traits by name, for readability: rationality, risk tolerance, reciprocity, resolve, memory.
Traits traits(double rationality, double risk_tolerance = 0.5, double reciprocity = 0.0, double resolve = 0.0,
              double memory = 0.5, double misperception = 0.0) {
    return Traits{rationality, risk_tolerance, misperception, reciprocity, resolve, memory};
}

/// One tick of a run's decisions stream, drawn in simulate()'s order: (misread?, which
/// move) for leader 0 then leader 1; then, for each leader in turn, one normal per
/// variable (only when state_noise > 0) and its logit uniform.
struct DecisionDraws {
    std::array<double, 2> u_misread{}, u_which{}, u_choice{};
    std::array<std::vector<double>, 2> z;
};

DecisionDraws next_decisions(Stream& stream, std::size_t noisy_variables) {
    DecisionDraws d;
    for (std::size_t i = 0; i < 2; ++i) {
        d.u_misread[i] = stream.uniform();
        d.u_which[i] = stream.uniform();
    }
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t v = 0; v < noisy_variables; ++v) d.z[i].push_back(stream.normal());
        d.u_choice[i] = stream.uniform();
    }
    return d;
}

/// The logit draw: the first option (menu order) whose cumulative probability exceeds u.
/// (simulate() compares u * total with cumulative weights; the two differ only when u
/// lies within rounding, ~1e-16, of a boundary.)
int logit_pick(const std::vector<Option>& options, double u) {
    double cumulative = 0.0;
    for (const Option& o : options) {
        cumulative += o.probability;
        if (u < cumulative) return o.action;
    }
    return options.back().action;
}

/// Five standard errors of a proportion p estimated from n trials.
double five_sigma(double p, double n) { return 5.0 * std::sqrt(p * (1.0 - p) / n); }

}  // namespace

TEST_CASE("war cost: expected war cost one step ahead, weighted by 1 - risk_tolerance", "[mechanisms][war]") {
    // Ladder: war costs κ = {0, 1, 4, 9}, start at rung 1; sensitivity k = 2, θ_up = 1,
    // θ_down = -1, tension_weight τ = 0.5, tension T₀ = 0.4, so τ T₀ = 0.2.
    // Actions (no effects, no cost): calm e = -0.5, hold e = 0, push e = 0.5.
    // Leader 0 (menu calm, hold, push; ρ = 0.25 so weight 1 - ρ = 0.75) believes the
    // opponent uniform over its menu {hold, push}: ē = (0 + 0.5) / 2 = 0.25.
    // x(a) = e(a) + ē + τ T₀ = e(a) + 0.45;  War(a) = 0.75 [(1 - pu - pd)·1 + pu·4 + pd·0]
    //                                                = 0.75 (1 + 3 pu - pd):
    //   calm: x = -0.05, pu = sig(2(-1.05)) = sig(-2.1) = 0.109096821196,
    //                    pd = sig(2(-1 + 0.05)) = sig(-1.9) = 0.130108474363,
    //         War = 0.75 (1 + 0.327290463588 - 0.130108474363) = 0.897886491918
    //   hold: x = 0.45,  pu = sig(-1.1) = 0.249739894405, pd = sig(-2.9) = 0.052153563078,
    //         War = 0.75 (1 + 0.749219683215 - 0.052153563078) = 1.272799590102
    //   push: x = 0.95,  pu = sig(-0.1) = 0.475020812521, pd = sig(-3.9) = 0.019840305734,
    //         War = 0.75 (1 + 1.425062437563 - 0.019840305734) = 1.803916598872
    // U = -War. At rationality 2, with U* = -0.897886491918:
    //   weights exp(2 (U - U*)) = 1, exp(-0.749826196368) = 0.472452,
    //   exp(-1.812060213908) = 0.163318; Z = 1.635765980247;
    //   P = 0.611334391396, 0.288824113353, 0.099841495251.
    // Leader 1 (menu hold, push; ρ = 0.5; rationality 0) believes leader 0 uniform over
    // {calm, hold, push}: ē = 0, x(a) = e(a) + 0.2; War = 0.5 (1 + 3 pu - pd):
    //   hold: pu = sig(-1.6) = 0.167981614866, pd = sig(-2.4) = 0.083172696494 -> 0.710386074052
    //   push: pu = sig(-0.6) = 0.354343693774, pd = sig(-3.4) = 0.032295464698 -> 1.015367808312
    WorldSettings w;
    w.war_costs = {0.0, 1.0, 4.0, 9.0};
    w.traits[0] = traits(2.0, 0.25);
    w.traits[1] = traits(0.0, 0.5);
    Scenario s = make_world(4, {pressure_action("calm", -0.5), pressure_action("hold", 0.0), pressure_action("push", 0.5)},
                            {0, 1, 2}, w);
    s.step = LadderStep{2.0, 1.0, -1.0, 0.5};
    s.initial[0] = 0.4;
    s.initial_rung = 1;
    s.horizon = 1;
    set_menus(s, {0, 1, 2}, {1, 2});

    const double war0[] = {0.897886491918, 1.272799590102, 1.803916598872};
    const double p0[] = {0.611334391396, 0.288824113353, 0.099841495251};
    const double war1[] = {0.710386074052, 1.015367808312};

    SECTION("rationality 2: war terms, utilities, probabilities and the logit draw") {
        for (std::uint64_t run = 0; run < 200; ++run) {
            Recorder rec(true);
            simulate(s, run, 3, &rec);
            const LeaderTick& l0 = rec.ticks.at(0).leaders[0];
            const LeaderTick& l1 = rec.ticks.at(0).leaders[1];
            REQUIRE(l0.options.size() == 3);
            REQUIRE(l1.options.size() == 2);
            for (std::size_t k = 0; k < 3; ++k) {
                CHECK(l0.options[k].war_cost == Approx(war0[k]).margin(kHand));
                CHECK(l0.options[k].utility == Approx(-war0[k]).margin(kHand));
                CHECK(l0.options[k].probability == Approx(p0[k]).margin(kHand));
            }
            for (std::size_t k = 0; k < 2; ++k) {
                CHECK(l1.options[k].war_cost == Approx(war1[k]).margin(kHand));
                CHECK(l1.options[k].probability == Approx(0.5).margin(kExact));
            }
            // The choice is the logit draw of the decisions stream (5th and 6th uniforms).
            Stream decisions(3, run, StreamPurpose::decisions);
            const DecisionDraws d = next_decisions(decisions, 0);
            CHECK(l0.chosen == logit_pick(l0.options, d.u_choice[0]));
            CHECK(l1.chosen == logit_pick(l1.options, d.u_choice[1]));
        }
    }
    SECTION("rationality 0: the same war terms, uniform choice") {
        s.leaders[0].traits.rationality = 0.0;
        Recorder rec(true);
        simulate(s, 0, 3, &rec);
        const LeaderTick& l0 = rec.ticks.at(0).leaders[0];
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(l0.options[k].war_cost == Approx(war0[k]).margin(kHand));
            CHECK(l0.options[k].probability == Approx(1.0 / 3.0).margin(kExact));
        }
    }
    SECTION("at the bottom rung there is no step down: War = 0.75 (pu·1 + (1 - pu)·0)") {
        // calm 0.75 × 0.109096821196 = 0.081822615897; hold 0.75 × 0.249739894405 =
        // 0.187304920804; push 0.75 × 0.475020812521 = 0.356265609391.
        s.initial_rung = 0;
        Recorder rec(true);
        simulate(s, 0, 3, &rec);
        const double bottom[] = {0.081822615897, 0.187304920804, 0.356265609391};
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(rec.ticks.at(0).leaders[0].options[k].war_cost == Approx(bottom[k]).margin(kHand));
    }
    SECTION("risk tolerance 1 removes the war term; rationality 2 is then uniform") {
        s.leaders[0].traits.risk_tolerance = 1.0;
        Recorder rec(true);
        simulate(s, 0, 3, &rec);
        for (const Option& o : rec.ticks.at(0).leaders[0].options) {
            CHECK(o.war_cost == 0.0);
            CHECK(o.utility == 0.0);
            CHECK(o.probability == Approx(1.0 / 3.0).margin(kExact));
        }
    }
}

TEST_CASE("reciprocity: -γ |e(a) - e(perceived opponent move)|, and 0 at tick 1", "[mechanisms][reciprocity]") {
    // Actions (no effects): calm -0.5, hold 0, push 0.5, surge 1.0. Leader 0 chooses among
    // all four (γ = 0.3, rationality 4); leader 1 always plays push (its only move; γ = 0.2).
    // No war costs, ladder frozen, no misperception, so U = Recip.
    //  tick 1: nothing seen yet, Recip = 0 for every option, U = 0, P = 1/4.
    //  tick t >= 2, leader 0 sees push (e = 0.5):
    //    Recip = -0.3 × {1.0, 0.5, 0, 0.5} = {-0.3, -0.15, 0, -0.15}
    //    weights exp(4 U) = {e^-1.2, e^-0.6, 1, e^-0.6} = {0.301194211912, 0.548811636094, 1, 0.548811636094}
    //    Z = 2.398817484100; P = {0.125559453318, 0.228784240457, 0.416872065769, 0.228784240457}
    //  leader 1 sees leader 0's last move m: Recip(push) = -0.2 |0.5 - e(m)|:
    //    calm -0.2, hold -0.1, push 0, surge -0.1.
    const double e[] = {-0.5, 0.0, 0.5, 1.0};
    WorldSettings w;
    w.traits[0] = traits(4.0, 0.5, 0.3);
    w.traits[1] = traits(0.0, 0.5, 0.2);
    Scenario s = make_world(3,
                            {pressure_action("calm", e[0]), pressure_action("hold", e[1]), pressure_action("push", e[2]),
                             pressure_action("surge", e[3])},
                            {0, 1, 2, 3}, w);
    freeze_ladder(s);
    set_menus(s, {0, 1, 2, 3}, {2});
    const double recip0[] = {-0.3, -0.15, 0.0, -0.15};
    const double p0[] = {0.125559453318, 0.228784240457, 0.416872065769, 0.228784240457};
    const double recip1[] = {-0.2, -0.1, 0.0, -0.1};  // by leader 0's previous move

    for (const double rationality : {4.0, 0.0}) {
        s.leaders[0].traits.rationality = rationality;
        for (std::uint64_t run = 0; run < 30; ++run) {
            Recorder rec(true);
            simulate(s, run, 5, &rec);
            REQUIRE(rec.ticks.size() == 20);
            Stream decisions(5, run, StreamPurpose::decisions);
            for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
                const LeaderTick& l0 = rec.ticks[t].leaders[0];
                const LeaderTick& l1 = rec.ticks[t].leaders[1];
                REQUIRE(l0.options.size() == 4);
                for (std::size_t k = 0; k < 4; ++k) {
                    const Option& o = l0.options[k];
                    const double recip = t == 0 ? 0.0 : recip0[k];
                    CHECK(o.reciprocity == Approx(recip).margin(kExact));
                    CHECK(o.utility == Approx(recip).margin(kExact));
                    const double p = t == 0 || rationality == 0.0 ? 0.25 : p0[k];
                    CHECK(o.probability == Approx(p).margin(kHand));
                }
                const int previous0 = t == 0 ? -1 : rec.ticks[t - 1].leaders[0].chosen;
                CHECK(l0.observed == (t == 0 ? -1 : 2));
                CHECK(l1.observed == previous0);
                CHECK(l1.options.at(0).reciprocity == Approx(t == 0 ? 0.0 : recip1[previous0]).margin(kExact));
                const DecisionDraws d = next_decisions(decisions, 0);
                CHECK(l0.chosen == logit_pick(l0.options, d.u_choice[0]));
            }
        }
    }
}

TEST_CASE("resolve: +β for repeating one's own last move, none at tick 1", "[mechanisms][resolve]") {
    // Actions calm, hold, push (no effects); both leaders choose among all three.
    // Leader 0: β = 0.2, rationality 3; leader 1: β = 0.5, rationality 0. No war, no
    // reciprocity, so U = Resolve.
    //  tick 1: no previous move: Resolve = 0 for all, U = 0, P = 1/3 each.
    //  tick t >= 2: the option equal to the leader's own move of tick t-1 has Resolve = β.
    //    Leader 0: weights {e^0.6, 1, 1}, e^0.6 = 1.822118800391, Z = 3.822118800391:
    //    P(repeat) = 0.476730027388, P(other) = 1/Z = 0.261634986306.
    //    Leader 1 (rationality 0): Resolve 0.5 on its repeat, P = 1/3 each.
    WorldSettings w;
    w.traits[0] = traits(3.0, 0.5, 0.0, 0.2);
    w.traits[1] = traits(0.0, 0.5, 0.0, 0.5);
    Scenario s = make_world(3, {pressure_action("calm", -0.5), pressure_action("hold", 0.0), pressure_action("push", 0.5)},
                            {0, 1, 2}, w);
    freeze_ladder(s);
    const double beta[] = {0.2, 0.5};

    for (const double rationality : {3.0, 0.0}) {
        s.leaders[0].traits.rationality = rationality;
        std::array<int, 3> repeats_seen{};
        for (std::uint64_t run = 0; run < 30; ++run) {
            Recorder rec(true);
            simulate(s, run, 9, &rec);
            Stream decisions(9, run, StreamPurpose::decisions);
            for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
                for (std::size_t i = 0; i < 2; ++i) {
                    const LeaderTick& l = rec.ticks[t].leaders[i];
                    REQUIRE(l.options.size() == 3);
                    const int previous = t == 0 ? -1 : rec.ticks[t - 1].leaders[i].chosen;
                    if (i == 0 && previous >= 0) ++repeats_seen[static_cast<std::size_t>(previous)];
                    for (const Option& o : l.options) {
                        const double resolve = o.action == previous ? beta[i] : 0.0;
                        CHECK(o.resolve == resolve);
                        CHECK(o.utility == Approx(resolve).margin(kExact));
                        double p = 1.0 / 3.0;
                        if (i == 0 && rationality > 0.0 && previous >= 0)
                            p = o.action == previous ? 0.476730027388 : 0.261634986306;
                        CHECK(o.probability == Approx(p).margin(kHand));
                    }
                }
                const DecisionDraws d = next_decisions(decisions, 0);
                CHECK(rec.ticks[t].leaders[0].chosen == logit_pick(rec.ticks[t].leaders[0].options, d.u_choice[0]));
            }
        }
        for (const int n : repeats_seen) CHECK(n > 0);  // every option was the previous move sometimes
    }
}

TEST_CASE("belief memory: b <- η b + (1 - η) 1[k = seen], read through the predicted state", "[mechanisms][memory]") {
    // A variable y (start 0.875) that leader 0 dislikes (weight -1). Leader 1 always plays
    // push (y + 0.25): its other move hold_b costs 1 and its rationality is 1000, so
    // hold_b's logit weight is exp(-1000) = 0. Leader 0's moves grab and grab_dear both
    // take y - 0.25 (grab_dear also costs 0.05), so y stays 0.875 + 0.25 - 0.25 = 0.875.
    // Leader 0's beliefs over {push, hold_b} start at (1/2, 1/2) and see push every tick:
    //   b_push(1) = 0.5, b_push(t) = η b_push(t-1) + (1 - η) = 1 - 0.5 η^(t-1).
    // Predicted y: ỹ = 0.875 + 0.25 b_push >= 1, so the clamp binds:
    //   Goal(grab) = -1 × [clamp(ỹ - 0.25) - clamp(ỹ)] = -(0.625 + 0.25 b_push - 1)
    //              = 0.375 - 0.25 b_push = 0.125 (1 + η^(t-1)).
    // η = 0.6: ticks 1..6 give 0.25, 0.2, 0.17, 0.152, 0.1412, 0.13472.
    // U(grab) = Goal, U(grab_dear) = Goal - 0.05; at rationality 10 P(grab) = sig(0.5) =
    // 0.622459331202 every tick (the cost alone separates them), 1/2 at rationality 0.
    WorldSettings w;
    w.traits[0] = traits(10.0, 0.5, 0.0, 0.0, 0.6);
    w.traits[1] = traits(1000.0);
    Scenario s = make_world(3, {pressure_action("placeholder", 0.0)}, {0}, w);
    const int y = add_variable(s, "y", 0.875, -1.0, 0.0);
    s.actions = {make_action("grab", 0.0, {Effect{y, -0.25, 0.0}}), make_action("grab_dear", 0.0, {Effect{y, -0.25, 0.0}}, 0.05),
                 make_action("push", 0.0, {Effect{y, 0.25, 0.0}}), make_action("hold_b", 0.0, {}, 1.0)};
    freeze_ladder(s);
    set_menus(s, {0, 1}, {2, 3});

    const auto check_run = [&](double eta, double rationality, const std::vector<double>& literal) {
        s.leaders[0].traits.memory = eta;
        s.leaders[0].traits.rationality = rationality;
        Recorder rec(true, 4);
        simulate(s, 0, 1, &rec);
        REQUIRE(rec.ticks.size() == 20);
        for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
            const LeaderTick& l0 = rec.ticks[t].leaders[0];
            CHECK(rec.ticks[t].leaders[1].chosen == 2);
            CHECK(l0.observed == (t == 0 ? -1 : 2));
            CHECK(rec.states[t][static_cast<std::size_t>(y)] == 0.875);
            const double goal = 0.125 * (1.0 + std::pow(eta, static_cast<double>(t)));
            if (t < literal.size()) CHECK(goal == Approx(literal[t]).margin(kHand));
            REQUIRE(l0.options.size() == 2);
            CHECK(l0.options[0].utility == Approx(goal).margin(kExact));
            CHECK(l0.options[0].by_goal.at(0) == Approx(goal).margin(kExact));
            CHECK(l0.options[1].utility == Approx(goal - 0.05).margin(kExact));
            CHECK(l0.options[0].probability == Approx(rationality > 0.0 ? 0.622459331202 : 0.5).margin(kHand));
        }
    };
    SECTION("η = 0.6") { check_run(0.6, 10.0, {0.25, 0.2, 0.17, 0.152, 0.1412, 0.13472}); }
    SECTION("η = 0.6 at rationality 0") { check_run(0.6, 0.0, {0.25, 0.2, 0.17}); }
    SECTION("η = 0 keeps only the last move: 0.25, then 0.125") { check_run(0.0, 10.0, {0.25, 0.125, 0.125}); }
    SECTION("η = 0.999 barely moves: 0.25, 0.249875, 0.249750125") {
        check_run(0.999, 10.0, {0.25, 0.249875, 0.249750125});
    }
}

TEST_CASE("perceived-state noise: ŝ = s + state_noise (1 - channel) z, seen through the goal's clamp",
          "[mechanisms][state_noise]") {
    // x starts at 0.875; leader 0 chooses grab (x + 0.25) or wait (nothing) at rationality 5;
    // leader 1 only waits, so the predicted x is leader 0's perceived x̂.
    // x̂ = 0.875 + 0.02 (1 - C) z, z = leader 0's normal for x (the third of its three
    // normals, tick 1, after the four perception uniforms).
    //   Goal(grab) = clamp(x̂ + 0.25) - clamp(x̂) = 1 - x̂ = 0.125 - 0.02 (1 - C) z
    //   (x̂ in [0.75, 1] unless |z| > 6.25), Goal(wait) = 0.
    //   P(grab) = exp(5 U) / (exp(5 U) + 1) = sig(5 U).
    // E.g. C = 0.5, z = 1: U = 0.125 - 0.01 = 0.115, P = sig(0.575) = 0.639915.
    // At C = 1 there is no noise (U = 0.125 exactly), but the normals are still drawn.
    WorldSettings w;
    w.traits[0] = traits(5.0);
    Scenario s = make_world(3, {make_action("grab", 0.0, {Effect{2, 0.25, 0.0}}), pressure_action("wait", 0.0)}, {0, 1}, w);
    freeze_ladder(s);
    s.initial[2] = 0.875;
    s.perception.state_noise = 0.02;
    s.horizon = 1;
    set_menus(s, {0, 1}, {1});
    CHECK(sig(5.0 * 0.115) == Approx(0.639915).margin(1e-6));

    for (const double channel : {0.5, 0.0, 1.0}) {
        for (const double rationality : {5.0, 0.0}) {
            s.initial[1] = channel;
            s.leaders[0].traits.rationality = rationality;
            double largest_shift = 0.0;
            for (std::uint64_t run = 0; run < 300; ++run) {
                Recorder rec(true);
                simulate(s, run, 13, &rec);
                Stream decisions(13, run, StreamPurpose::decisions);
                const DecisionDraws d = next_decisions(decisions, 3);
                const double seen_x = 0.875 + 0.02 * (1.0 - channel) * d.z[0][2];
                const double u_grab = std::clamp(seen_x + 0.25, 0.0, 1.0) - std::clamp(seen_x, 0.0, 1.0);
                largest_shift = std::max(largest_shift, std::abs(u_grab - 0.125));
                const LeaderTick& l0 = rec.ticks.at(0).leaders[0];
                REQUIRE(l0.options.size() == 2);
                CHECK(l0.options[0].utility == Approx(u_grab).margin(kExact));
                CHECK(l0.options[1].utility == 0.0);
                const double p = rationality > 0.0 ? sig(5.0 * u_grab) : 0.5;
                CHECK(l0.options[0].probability == Approx(p).margin(kExact));
                CHECK(l0.chosen == logit_pick(l0.options, d.u_choice[0]));
            }
            if (channel == 1.0) CHECK(largest_shift == 0.0);
            else CHECK(largest_shift > 0.02 * (1.0 - channel));  // some |z| > 1 among 300 runs
        }
    }
}

TEST_CASE("misread moves: probability m (1 - channel), drawn with P(j) ~ exp(bias e(j))", "[mechanisms][misread]") {
    // Leader 1 plays calm (e = -1), hold (0) or push (1) at random (rationality 0). Leader 0
    // only holds, with reciprocity 0.3, so Recip = -0.3 |0 - e(seen)|: -0.3 when it sees
    // calm or push, 0 when it sees hold.
    // A misread draws the move seen from leader 1's whole menu with the cumulative table
    // of exp(bias e(j)), the first j whose cumulative share exceeds u_which:
    //   bias 1.5: weights e^-1.5, 1, e^1.5 = 0.223130160148, 1, 4.481689070338;
    //     Z = 5.704819230486; P = 0.039112573271, 0.175290392140, 0.785597034589;
    //     cumulative 0.039112573271, 0.214402965411, 1.
    //   bias -2: weights e^2, 1, e^-2 = 7.389056098931, 1, 0.135335283237;
    //     Z = 8.524391382167; cumulative 0.866813332197, 0.984123760024, 1.
    //   bias 0: cumulative 1/3, 2/3, 1.
    // A misread happens when u_misread < m (1 - C): m = 1, C = 0 gives 1 (always);
    // m = 0.6, C = 0.25 gives 0.45.
    WorldSettings w;
    w.traits[0] = traits(0.0, 0.5, 0.3);
    Scenario s = make_world(3, {pressure_action("calm", -1.0), pressure_action("hold", 0.0), pressure_action("push", 1.0)},
                            {0, 1, 2}, w);
    freeze_ladder(s);
    set_menus(s, {1}, {0, 1, 2});

    const auto run_all = [&](double m, double channel, double bias, const std::array<double, 3>& cumulative,
                             const std::array<double, 3>& share) {
        s.leaders[0].traits.misperception = m;
        s.initial[1] = channel;
        s.perception.escalation_bias = bias;
        finalize(s);
        const double q = m * (1.0 - channel);
        std::array<long, 3> seen_when_misread{};
        long misreads = 0, observations = 0;
        for (std::uint64_t run = 0; run < 300; ++run) {
            Recorder rec(true);
            simulate(s, run, 17, &rec);
            REQUIRE(rec.ticks.size() == 20);
            Stream decisions(17, run, StreamPurpose::decisions);
            for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
                const DecisionDraws d = next_decisions(decisions, 0);
                const LeaderTick& l0 = rec.ticks[t].leaders[0];
                if (t == 0) {  // nothing to see at tick 1, whatever the draws
                    CHECK(l0.observed == -1);
                    CHECK_FALSE(l0.misread);
                    CHECK(l0.options.at(0).reciprocity == 0.0);
                    continue;
                }
                const int actual = rec.ticks[t - 1].leaders[1].chosen;
                const bool misread = d.u_misread[0] < q;
                int expected = actual;
                if (misread) {
                    const auto k = static_cast<std::size_t>(
                        std::upper_bound(cumulative.begin(), cumulative.end(), d.u_which[0]) - cumulative.begin());
                    expected = static_cast<int>(std::min<std::size_t>(k, 2));  // leader 1's menu is {0, 1, 2}
                    ++seen_when_misread[static_cast<std::size_t>(expected)];
                }
                ++observations;
                misreads += misread;
                CHECK(l0.actual_previous == actual);
                CHECK(l0.misread == misread);
                CHECK(l0.observed == expected);
                CHECK(l0.options.at(0).reciprocity == Approx(expected == 1 ? 0.0 : -0.3).margin(kExact));
            }
        }
        for (std::size_t j = 0; j < 3; ++j) CHECK(s.leaders[0].misread_cdf[j] == Approx(cumulative[j]).margin(kHand));
        CHECK(observations == 300 * 19);
        if (q == 0.0) {
            CHECK(misreads == 0);
            return;
        }
        // The exact checks above already pin every draw; the frequencies restate them
        // against the hand-computed shares (5 standard errors).
        const double n = static_cast<double>(misreads);
        CHECK(std::abs(n / static_cast<double>(observations) - q) <= five_sigma(q, static_cast<double>(observations)) + 1e-12);
        for (std::size_t j = 0; j < 3; ++j)
            CHECK(std::abs(static_cast<double>(seen_when_misread[j]) / n - share[j]) < five_sigma(share[j], n));
    };
    SECTION("bias 1.5, always misread") {
        run_all(1.0, 0.0, 1.5, {0.039112573271, 0.214402965411, 1.0}, {0.039112573271, 0.175290392140, 0.785597034589});
    }
    SECTION("bias -2, misread with probability 0.6 × (1 - 0.25) = 0.45") {
        run_all(0.6, 0.25, -2.0, {0.866813332197, 0.984123760024, 1.0}, {0.866813332197, 0.117310427826, 0.015876239976});
    }
    SECTION("bias 0: uniform misreads") {
        run_all(1.0, 0.0, 0.0, {1.0 / 3.0, 2.0 / 3.0, 1.0}, {1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0});
    }
    SECTION("an open channel: no misreads at all") {
        run_all(1.0, 1.0, 1.5, {0.039112573271, 0.214402965411, 1.0}, {0.0, 0.0, 0.0});
    }
}

TEST_CASE("effect noise: each effect with sd > 0 adds sd z, z from the world stream in order", "[mechanisms][noise]") {
    // Leader 0 plays jig0: x + 0.1 (sd 0.05) and channel + 0 (sd 0: no draw).
    // Leader 1 plays jig1: x - 0.1 (sd 0.02). The ladder is frozen. Per tick, with z_a and
    // z_b the next two normals of the world stream:
    //   x' = clamp((x + (0.1 + 0.05 z_a)) + (-0.1 + 0.02 z_b)),
    // a change of sd sqrt(0.05² + 0.02²) = 0.053851648071 a tick. E.g. z_a = 1, z_b = -1:
    // x' = x + 0.05 - 0.02 = x + 0.03.
    Scenario s = make_world(3,
                            {make_action("jig0", 0.0, {Effect{2, 0.1, 0.05}, Effect{1, 0.0, 0.0}}),
                             make_action("jig1", 0.0, {Effect{2, -0.1, 0.02}})},
                            {0}, WorldSettings{});
    freeze_ladder(s);
    set_menus(s, {0}, {1});
    double sum_sq = 0.0;
    int changes = 0;
    for (std::uint64_t run = 0; run < 100; ++run) {
        Recorder rec(true);
        simulate(s, run, 21, &rec);
        REQUIRE(rec.ticks.size() == 20);
        Stream world(21, run, StreamPurpose::world);
        double x = 0.5;
        for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
            const double z_a = world.normal(), z_b = world.normal();
            const double before = x;
            x += 0.1 + 0.05 * z_a;
            x += -0.1 + 0.02 * z_b;
            x = std::clamp(x, 0.0, 1.0);
            CHECK(rec.states[t][2] == Approx(x).margin(kExact));
            CHECK(rec.states[t][1] == 0.0);  // the channel (make_world: 0) takes a mean-0, sd-0 effect
            if (t == 0) {
                sum_sq += (x - before) * (x - before);
                ++changes;
            }
        }
    }
    // The tick-1 changes (x starts at 0.5, never clamped then) have variance 0.0029; the
    // sample of 100 lies within 5 standard errors (0.0029 × sqrt(2/100) × 5 = 0.00205).
    CHECK(std::abs(sum_sq / changes - 0.0029) < 0.00205);
}

TEST_CASE("events: fire when u < hazard and requires hold, add effects and escalation", "[mechanisms][events]") {
    // Both leaders wait (escalation 0.1 each): the leaders' pressure is 0.2. Events, in order:
    //   shock: hazard 0.3, escalation 0.5, x + 0.0625 (sd 0.01), no conditions;
    //   quake: hazard 0.6, escalation -0.25, tension + 0.125, requires x <= 0.6;
    //   gate:  hazard 1, escalation 2, x - 0.5, requires rung >= 1 (the ladder is frozen at 0).
    // Per tick, u_shock, u_quake, u_gate are the next three uniforms of the events stream;
    // each fires if u < hazard and its conditions hold on the start-of-tick state.
    //   pressure = 0.2 + 0.5 [shock] - 0.25 [quake]     (gate never)
    //   x' = clamp(x + [shock] (0.0625 + 0.01 z)), z the next world normal when shock fires
    //   T' = clamp(T + 0.125 [quake])                     (decay and gain 0)
    // E.g. both fire at tick 1: pressure = 0.45, x = 0.4625 + 0.01 z, T = 0.125.
    Scenario s = make_world(3, {pressure_action("wait", 0.1)}, {0}, WorldSettings{});
    freeze_ladder(s);
    s.initial[2] = 0.4;
    s.events = {Event{"shock", "", 0.3, {Effect{2, 0.0625, 0.01}}, {}, 0.5},
                Event{"quake", "", 0.6, {Effect{0, 0.125, 0.0}}, {Condition{2, -kInf, 0.6}}, -0.25},
                Event{"gate", "", 1.0, {Effect{2, -0.5, 0.0}}, {Condition{kRung, 1.0, kInf}}, 2.0}};
    finalize(s);
    long ticks = 0, shocks = 0, quakes_blocked = 0, quakes = 0;
    for (std::uint64_t run = 0; run < 300; ++run) {
        Recorder rec(true);
        simulate(s, run, 23, &rec);
        REQUIRE(rec.ticks.size() == 20);
        Stream events(23, run, StreamPurpose::events), world(23, run, StreamPurpose::world);
        double x = 0.4, tension = 0.0;
        for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
            const double u_shock = events.uniform(), u_quake = events.uniform(), u_gate = events.uniform();
            const bool shock = u_shock < 0.3;
            const bool quake = u_quake < 0.6 && x <= 0.6;
            (void)u_gate;  // drawn every tick although gate's condition never holds (the next ticks' draws show it)
            quakes_blocked += u_quake < 0.6 && !quake;
            std::vector<int> fired;
            if (shock) fired.push_back(0);
            if (quake) fired.push_back(1);
            CHECK(rec.ticks[t].events_fired == fired);
            CHECK(rec.ticks[t].pressure == Approx(0.2 + (shock ? 0.5 : 0.0) - (quake ? 0.25 : 0.0)).margin(kExact));
            if (shock) x = std::clamp(x + (0.0625 + 0.01 * world.normal()), 0.0, 1.0);
            if (quake) tension = std::min(1.0, tension + 0.125);
            CHECK(rec.states[t][2] == Approx(x).margin(kExact));
            CHECK(rec.states[t][0] == Approx(tension).margin(kExact));
            ++ticks;
            shocks += shock;
            quakes += quake;
        }
    }
    CHECK(quakes > 0);
    CHECK(quakes_blocked > 0);  // the requires condition was tested both ways
    CHECK(std::abs(static_cast<double>(shocks) / static_cast<double>(ticks) - 0.3) < five_sigma(0.3, static_cast<double>(ticks)));
}

TEST_CASE("tension: T' = clamp((1 - decay) T_e + gain P), T_e after the tick's effects", "[mechanisms][tension]") {
    // decay 0.25, gain 0.125, T0 = 0.5, ladder frozen.
    Scenario s = make_world(3, {pressure_action("push", 0.25)}, {0}, WorldSettings{});
    freeze_ladder(s);
    s.tension_rule = TensionRule{0.25, 0.125};
    s.initial[0] = 0.5;
    finalize(s);
    SECTION("no tension effects: P = 0.5, T_t = 0.25 + 0.25 × 0.75^t") {
        // tick 1: 0.75 × 0.5 + 0.125 × 0.5 = 0.375 + 0.0625 = 0.4375
        // tick 2: 0.75 × 0.4375 + 0.0625 = 0.328125 + 0.0625 = 0.390625
        // tick 3: 0.75 × 0.390625 + 0.0625 = 0.35546875; fixed point 0.0625 / 0.25 = 0.25.
        Recorder rec(true);
        simulate(s, 0, 1, &rec);
        CHECK(rec.states.at(0)[0] == 0.4375);
        CHECK(rec.states.at(1)[0] == 0.390625);
        CHECK(rec.states.at(2)[0] == 0.35546875);
        for (std::size_t t = 0; t < rec.states.size(); ++t)
            CHECK(rec.states[t][0] == Approx(0.25 + 0.25 * std::pow(0.75, double(t + 1))).margin(kExact));
    }
    SECTION("tension effects and the state clamp come first: T' = 0.75 min(1, T + 2 × 0.125) + 0.0625") {
        // Both leaders' push now also adds 0.125 to tension: T_e = clamp(T + 0.25).
        // tick 1: 0.75 × (0.5 + 0.25) + 0.0625 = 0.5625 + 0.0625 = 0.625
        // tick 2: 0.75 × (0.625 + 0.25) + 0.0625 = 0.65625 + 0.0625 = 0.71875
        // tick 3: 0.75 × (0.71875 + 0.25) + 0.0625 = 0.7265625 + 0.0625 = 0.7890625
        // tick 4: 0.7890625 + 0.25 = 1.0390625 is clamped to 1 first: 0.75 × 1 + 0.0625 = 0.8125
        // then 0.8125 + 0.25 > 1 again: 0.8125 every tick (without the clamp before the
        // update it would tend to 1).
        s.actions[0].effects = {Effect{0, 0.125, 0.0}};
        finalize(s);
        Recorder rec(true);
        simulate(s, 0, 1, &rec);
        REQUIRE(rec.states.size() == 20);
        const double expected[] = {0.625, 0.71875, 0.7890625};
        for (std::size_t t = 0; t < rec.states.size(); ++t) CHECK(rec.states[t][0] == (t < 3 ? expected[t] : 0.8125));
    }
    SECTION("the result is clamped to [0, 1]") {
        // decay 0, gain 0.75: P = -1 gives 0.5 - 0.75 -> 0; P = +1 gives 0.5 + 0.75 -> 1.
        s.tension_rule = TensionRule{0.0, 0.75};
        s.actions[0].escalation = -0.5;
        finalize(s);
        Recorder low(true);
        simulate(s, 0, 1, &low);
        CHECK(low.states.at(0)[0] == 0.0);
        s.actions[0].escalation = 0.5;
        finalize(s);
        Recorder high(true);
        simulate(s, 0, 1, &high);
        CHECK(high.states.at(0)[0] == 1.0);
    }
}

TEST_CASE("ladder step: thresholds, sensitivity and tension weight, on the start-of-tick tension", "[mechanisms][ladder]") {
    // 7 rungs, start at 3 (the run ends in escalation at rung 6); sensitivity k = 1.5,
    // θ_up = 0.75, θ_down = -0.5, tension weight τ = 0.8. Tension starts at 0.25 and moves
    // (decay 0.2, gain 0.1), so the one-tick lag matters. Both leaders choose at random
    // among calm -0.5, hold 0, push 0.5. With x = P + τ T₀ (T₀ the start-of-tick tension):
    //   p_up = sig(1.5 (x - 0.75)) (0 at rung 6), p_down = sig(1.5 (-0.5 - x)) (0 at rung 0),
    // and u (the next ladder uniform) steps up if u < p_up, down if u < p_up + p_down.
    // E.g. tick 1 with P = 0.5: x = 0.5 + 0.8 × 0.25 = 0.7, p_up = sig(-0.075) =
    // 0.481258784121, p_down = sig(-1.8) = 0.141851064900.
    Scenario s = make_world(7, {pressure_action("calm", -0.5), pressure_action("hold", 0.0), pressure_action("push", 0.5)},
                            {0, 1, 2}, WorldSettings{});
    s.step = LadderStep{1.5, 0.75, -0.5, 0.8};
    s.tension_rule = TensionRule{0.2, 0.1};
    s.initial[0] = 0.25;
    s.initial_rung = 3;
    finalize(s);
    CHECK(sig(1.5 * (0.7 - 0.75)) == Approx(0.481258784121).margin(kHand));
    CHECK(sig(1.5 * (-0.5 - 0.7)) == Approx(0.141851064900).margin(kHand));

    bool bottom = false, escalated = false;
    for (std::uint64_t run = 0; run < 300; ++run) {
        Recorder rec(true);
        const RunResult result = simulate(s, run, 29, &rec);
        Stream ladder(29, run, StreamPurpose::ladder);
        int rung = 3;
        double tension = 0.25;
        for (std::size_t t = 0; t < rec.ticks.size(); ++t) {
            const TickView& v = rec.ticks[t];
            const double pressure = s.actions[static_cast<std::size_t>(v.leaders[0].chosen)].escalation +
                                    s.actions[static_cast<std::size_t>(v.leaders[1].chosen)].escalation;
            CHECK(v.pressure == pressure);
            const double x = pressure + 0.8 * tension;
            const double p_up = rung < 6 ? sig(1.5 * (x - 0.75)) : 0.0;
            const double p_down = rung > 0 ? sig(1.5 * (-0.5 - x)) : 0.0;
            const double u = ladder.uniform();
            CHECK(v.rung_before == rung);
            rung += u < p_up ? 1 : (u < p_up + p_down ? -1 : 0);
            CHECK(v.rung == rung);
            bottom = bottom || rung == 0;
            tension = rec.states[t][0];  // the next tick steps on this tick's end tension
            CHECK(tension == Approx(std::clamp(0.8 * (t == 0 ? 0.25 : rec.states[t - 1][0]) + 0.1 * pressure, 0.0, 1.0))
                                 .margin(kExact));
        }
        escalated = escalated || result.outcome == Outcome::escalation;
    }
    CHECK(bottom);     // the path reached the bottom rung (where p_down = 0)
    CHECK(escalated);  // and the escalation rung
}

TEST_CASE("the state is clamped to [0, 1] once, after all of a tick's effects", "[mechanisms][clamp]") {
    // Leader 0 plays up (x + 0.25), leader 1 plays down (x - 0.25); frozen ladder.
    //  x0 = 0.875: 0.875 + 0.25 - 0.25 = 0.875 (clamping after the first effect would give
    //  1 - 0.25 = 0.75). x0 = 0.125 with the roles swapped: 0.125 - 0.25 + 0.25 = 0.125
    //  (clamping in between: 0 + 0.25 = 0.25). Both up from 0.875: 1.375 -> 1; both down
    //  from 0.125: -0.375 -> 0.
    Scenario s = make_world(3, {make_action("up", 0.0, {Effect{2, 0.25, 0.0}}), make_action("down", 0.0, {Effect{2, -0.25, 0.0}})},
                            {0}, WorldSettings{});
    freeze_ladder(s);
    const auto final_x = [&](double x0, int move0, int move1) {
        s.initial[2] = x0;
        set_menus(s, {move0}, {move1});
        Recorder rec(true);
        simulate(s, 0, 1, &rec);
        return rec.states.at(0)[2];
    };
    CHECK(final_x(0.875, 0, 1) == 0.875);
    CHECK(final_x(0.125, 1, 0) == 0.125);
    CHECK(final_x(0.875, 0, 0) == 1.0);
    CHECK(final_x(0.125, 1, 1) == 0.0);
}

TEST_CASE("all utility terms together: U = Goal - War - c + Recip + Resolve, logit at rationality 1.5",
          "[mechanisms][utility]") {
    // Ladder as in the war-cost test: κ = {0, 1, 4, 9}, rung 1, k = 2, θ = ±1, τ = 0.5,
    // T₀ = 0.4 (constant: no decay, gain or tension effects). Leader 1 always plays push
    // (its only move, e = 0.5), so leader 0 expects ē = 0.5 and, from tick 2, sees push.
    // Leader 0: ρ = 0.5, γ = 0.4, β = 0.3, rationality 1.5; moves
    //   grab: x + 0.25 (x starts at 0.5, so no clamp by tick 2), e = 0, cost 0.05;
    //   push: e = 0.5;  calm: e = -0.5.
    // x(a) = e(a) + 0.5 + 0.2; War = 0.5 (1 + 3 pu - pd):
    //   grab: x = 0.7, pu = sig(-0.6) = 0.354343693774, pd = sig(-3.4) = 0.032295464698, War = 1.015367808312
    //   push: x = 1.2, pu = sig(0.4)  = 0.598687660112, pd = sig(-4.4) = 0.012128434984, War = 1.391967272677
    //   calm: x = 0.2, pu = sig(-1.6) = 0.167981614866, pd = sig(-2.4) = 0.083172696494, War = 0.710386074052
    // Recip from tick 2 (seen push, 0.5): grab -0.4 × 0.5 = -0.2, push 0, calm -0.4 × 1 = -0.4.
    // Tick 1 (no Recip, no Resolve):
    //   U = grab 0.25 - 1.015367808312 - 0.05 = -0.815367808312, push -1.391967272677, calm -0.710386074052
    //   P = 0.385855660596, 0.162481502855, 0.451662836549
    // Tick 2 at rung 1, before Resolve: grab 0.25 - 1.015367808312 - 0.05 - 0.2 = -1.015367808312,
    //   push -1.391967272677, calm -0.710386074052 - 0.4 = -1.110386074052; + 0.3 on last tick's move:
    //   after grab: U = -0.715367808312, -1.391967272677, -1.110386074052;
    //               weights exp(1.5 (U - U*)) = 1, 0.362439, 0.552928 (Z = 1.915367);
    //               P = 0.522093152056, 0.189226900668, 0.288679947276
    //   after push: U = -1.015367808312, -1.091967272677, -1.110386074052;
    //               P = 0.362500117418, 0.323152905116, 0.314346977466
    //   after calm: U = -1.015367808312, -1.391967272677, -0.810386074052;
    //               P = 0.341483288620, 0.194105057509, 0.464411653871
    WorldSettings w;
    w.war_costs = {0.0, 1.0, 4.0, 9.0};
    w.traits[0] = traits(1.5, 0.5, 0.4, 0.3);
    Scenario s = make_world(4,
                            {make_action("grab", 0.0, {Effect{2, 0.25, 0.0}}, 0.05), pressure_action("push", 0.5),
                             pressure_action("calm", -0.5)},
                            {0, 1, 2}, w);
    s.step = LadderStep{2.0, 1.0, -1.0, 0.5};
    s.initial[0] = 0.4;
    s.initial_rung = 1;
    s.horizon = 2;
    set_menus(s, {0, 1, 2}, {1});

    const double war[] = {1.015367808312, 1.391967272677, 0.710386074052};
    const double cost[] = {0.05, 0.0, 0.0};
    const double goal[] = {0.25, 0.0, 0.0};
    const double u1[] = {-0.815367808312, -1.391967272677, -0.710386074052};
    const double p1[] = {0.385855660596, 0.162481502855, 0.451662836549};
    const double recip2[] = {-0.2, 0.0, -0.4};
    const double u2[3][3] = {{-0.715367808312, -1.391967272677, -1.110386074052},
                             {-1.015367808312, -1.091967272677, -1.110386074052},
                             {-1.015367808312, -1.391967272677, -0.810386074052}};
    const double p2[3][3] = {{0.522093152056, 0.189226900668, 0.288679947276},
                             {0.362500117418, 0.323152905116, 0.314346977466},
                             {0.341483288620, 0.194105057509, 0.464411653871}};
    std::array<int, 3> checked{};
    for (std::uint64_t run = 0; run < 300; ++run) {
        Recorder rec(true);
        simulate(s, run, 31, &rec);
        Stream decisions(31, run, StreamPurpose::decisions);
        const LeaderTick& first = rec.ticks.at(0).leaders[0];
        REQUIRE(first.options.size() == 3);
        for (std::size_t k = 0; k < 3; ++k) {
            const Option& o = first.options[k];
            CHECK(o.by_goal.at(0) == Approx(goal[k]).margin(kExact));
            CHECK(o.war_cost == Approx(war[k]).margin(kHand));
            CHECK(o.action_cost == cost[k]);
            CHECK(o.reciprocity == 0.0);
            CHECK(o.resolve == 0.0);
            CHECK(o.utility == Approx(u1[k]).margin(kHand));
            CHECK(o.probability == Approx(p1[k]).margin(kHand));
        }
        CHECK(first.chosen == logit_pick(first.options, next_decisions(decisions, 0).u_choice[0]));
        if (rec.ticks.size() < 2 || rec.ticks[1].rung_before != 1) continue;  // the hand values are for rung 1
        const auto previous = static_cast<std::size_t>(first.chosen);
        const LeaderTick& second = rec.ticks[1].leaders[0];
        REQUIRE(second.options.size() == 3);
        for (std::size_t k = 0; k < 3; ++k) {
            const Option& o = second.options[k];
            CHECK(o.war_cost == Approx(war[k]).margin(kHand));
            CHECK(o.reciprocity == Approx(recip2[k]).margin(kExact));
            CHECK(o.resolve == (k == previous ? 0.3 : 0.0));
            CHECK(o.utility == Approx(u2[previous][k]).margin(kHand));
            CHECK(o.probability == Approx(p2[previous][k]).margin(kHand));
        }
        CHECK(second.chosen == logit_pick(second.options, next_decisions(decisions, 0).u_choice[0]));
        ++checked[previous];
    }
    for (const int n : checked) CHECK(n > 0);  // each of the three tick-2 cases was checked
}
