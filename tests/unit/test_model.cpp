// Each mechanism of the model pinned to values computed by hand or analytically.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "brink/model.hpp"
#include "brink/random.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
using brink::test::make_world;
using brink::test::pressure_action;
using brink::test::Recorder;

namespace {

Action effect_action(const std::string& name, double dx) {
    Action a = pressure_action(name, 0.0);
    a.effects = {Effect{2, dx, 0.0}};
    return a;
}

/// A ladder that never moves: both step probabilities are below 1e-40.
void freeze_ladder(Scenario& s) { s.step = LadderStep{1.0, 100.0, -100.0, 0.0}; }

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// Five standard errors of a proportion: a correct implementation fails with probability < 6e-7.
double five_sigma(double p, double n) { return 5.0 * std::sqrt(p * (1.0 - p) / n); }

}  // namespace

TEST_CASE("logit choice between two actions matches exp(lambda U) / sum", "[model][decision]") {
    Scenario s = make_world(3, {effect_action("up", 0.1), effect_action("down", -0.1)}, {0, 1});
    freeze_ladder(s);
    s.leaders[0].traits.rationality = 10.0;
    finalize(s);
    Recorder rec(true);
    simulate(s, 0, 1, &rec);
    const auto& options = rec.ticks.at(0).leaders[0].options;
    REQUIRE(options.size() == 2);
    // Opponent believed uniform over {up, down}: mean effect 0, so U(up) = 0.1, U(down) = -0.1.
    CHECK(options[0].utility == Approx(0.1).margin(1e-12));
    CHECK(options[1].utility == Approx(-0.1).margin(1e-12));
    const double p_up = 1.0 / (1.0 + std::exp(-2.0));  // e^1 / (e^1 + e^-1)
    CHECK(options[0].probability == Approx(p_up).epsilon(1e-12));
    CHECK(options[1].probability == Approx(1.0 - p_up).epsilon(1e-12));

    // The draws follow those probabilities: first-tick choices over many runs.
    const int n = 20000;
    int ups = 0;
    WorkspaceHandle ws;
    for (int run = 0; run < n; ++run) {
        Recorder r(false);
        RunResult result;
        s.horizon = 1;
        simulate(s, static_cast<std::uint64_t>(run), 7, result, ws, &r);
        ups += r.ticks.at(0).leaders[0].chosen == 0 ? 1 : 0;
    }
    CHECK(std::abs(ups / double(n) - p_up) < five_sigma(p_up, n));
}

TEST_CASE("logit choice among three actions, and uniform choice at rationality 0", "[model][decision]") {
    Scenario s = make_world(3, {effect_action("up", 0.1), effect_action("stay", 0.0), effect_action("down", -0.1)}, {0, 1, 2});
    freeze_ladder(s);
    s.leaders[0].traits.rationality = 10.0;
    finalize(s);
    Recorder rec(true);
    simulate(s, 0, 1, &rec);
    const auto& o = rec.ticks.at(0).leaders[0].options;
    REQUIRE(o.size() == 3);
    const double z = std::exp(1.0) + 1.0 + std::exp(-1.0);
    CHECK(o[0].probability == Approx(std::exp(1.0) / z).epsilon(1e-12));
    CHECK(o[1].probability == Approx(1.0 / z).epsilon(1e-12));
    CHECK(o[2].probability == Approx(std::exp(-1.0) / z).epsilon(1e-12));

    s.leaders[0].traits.rationality = 0.0;
    Recorder uniform(true);
    simulate(s, 0, 1, &uniform);
    for (const Option& opt : uniform.ticks.at(0).leaders[0].options) CHECK(opt.probability == Approx(1.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("state variables are clamped to [0, 1], and so are predicted changes", "[model][clamp]") {
    Scenario s = make_world(3, {effect_action("up", 0.1), effect_action("down", -0.1)}, {0});
    freeze_ladder(s);
    s.initial[2] = 0.95;
    finalize(s);
    Recorder rec(true);
    const RunResult r = simulate(s, 0, 1, &rec);
    // Both leaders push x up by 0.1 each tick: 0.95 + 0.2 is clamped to 1.
    CHECK(rec.states.at(0)[2] == 1.0);
    CHECK(r.final_state[2] == 1.0);
    // Opponent believed to play up (its only action): predicted x = 1.05 -> clamped, so up gains nothing.
    CHECK(rec.ticks.at(0).leaders[0].options.at(0).utility == Approx(0.0).margin(1e-12));

    Scenario low = make_world(3, {effect_action("down", -0.3)}, {0});
    freeze_ladder(low);
    low.initial[2] = 0.1;
    finalize(low);
    CHECK(simulate(low, 0, 1).final_state[2] == 0.0);
}

TEST_CASE("preconditions exclude actions from the feasible set", "[model][preconditions]") {
    Action big = pressure_action("big", 0.0);
    big.requires_ = {Condition{kRung, 2.0, std::numeric_limits<double>::infinity()}};
    Action rich = pressure_action("rich", 0.0);
    rich.requires_ = {Condition{2, 0.6, 1.0}};  // x >= 0.6, but x stays at 0.5
    Scenario s = make_world(4, {pressure_action("wait", 0.0), big, rich}, {0, 1, 2});
    freeze_ladder(s);
    finalize(s);
    for (std::uint64_t run = 0; run < 50; ++run) {
        Recorder rec(true);
        simulate(s, run, 3, &rec);
        for (const TickView& t : rec.ticks)
            for (const LeaderTick& l : t.leaders) {
                REQUIRE(l.options.size() == 1);
                CHECK(l.options[0].action == 0);
                CHECK(l.chosen == 0);
            }
    }
    // At rung 2 the rung condition holds and `big` becomes feasible.
    s.initial_rung = 2;
    Recorder rec(true);
    simulate(s, 0, 3, &rec);
    CHECK(rec.ticks.at(0).leaders[0].options.size() == 2);
}

TEST_CASE("misperception rate equals misperception x (1 - channel)", "[model][perception]") {
    Scenario s = make_world(3, {pressure_action("p", 0.0), pressure_action("q", 0.0)}, {0, 1});
    freeze_ladder(s);
    for (Leader& l : s.leaders) l.traits.misperception = 0.4;
    s.initial[1] = 0.25;  // channel
    finalize(s);
    const double expected = 0.4 * (1.0 - 0.25);
    long misreads = 0, trials = 0;
    WorkspaceHandle ws;
    RunResult result;
    for (std::uint64_t run = 0; run < 2000; ++run) {
        Recorder rec(true);
        simulate(s, run, 11, result, ws, &rec);
        for (std::size_t t = 1; t < rec.ticks.size(); ++t)  // tick 1 has no previous move to see
            for (const LeaderTick& l : rec.ticks[t].leaders) {
                ++trials;
                misreads += l.misread ? 1 : 0;
            }
    }
    REQUIRE(trials == 2000L * 19 * 2);
    CHECK(std::abs(misreads / double(trials) - expected) < five_sigma(expected, double(trials)));

    // An open channel (1) removes misperception entirely.
    s.initial[1] = 1.0;
    finalize(s);
    for (std::uint64_t run = 0; run < 200; ++run) {
        Recorder rec(true);
        simulate(s, run, 11, &rec);
        for (const TickView& t : rec.ticks)
            for (const LeaderTick& l : t.leaders) CHECK_FALSE(l.misread);
    }
}

TEST_CASE("ladder step probabilities follow the ordered logit", "[model][ladder]") {
    // Both leaders push 0.2 each: pressure x = 0.4.
    Scenario s = make_world(5, {pressure_action("push", 0.2)}, {0});
    s.step = LadderStep{1.5, 0.5, -0.5, 0.0};
    s.initial_rung = 2;
    s.horizon = 1;
    finalize(s);
    const double p_up = sigmoid(1.5 * (0.4 - 0.5));
    const double p_down = sigmoid(1.5 * (-0.5 - 0.4));
    const int n = 40000;
    int up = 0, down = 0;
    WorkspaceHandle ws;
    RunResult r;
    for (int run = 0; run < n; ++run) {
        simulate(s, static_cast<std::uint64_t>(run), 5, r, ws);
        up += r.final_rung == 3;
        down += r.final_rung == 1;
    }
    CHECK(std::abs(up / double(n) - p_up) < five_sigma(p_up, n));
    CHECK(std::abs(down / double(n) - p_down) < five_sigma(p_down, n));

    // Tension adds tension_weight * tension to the pressure.
    s.step.tension_weight = 2.0;
    s.initial[0] = 0.5;
    finalize(s);
    const double p_up_tense = sigmoid(1.5 * (0.4 + 1.0 - 0.5));
    up = 0;
    for (int run = 0; run < n; ++run) {
        simulate(s, static_cast<std::uint64_t>(run), 5, r, ws);
        up += r.final_rung == 3;
    }
    CHECK(std::abs(up / double(n) - p_up_tense) < five_sigma(p_up_tense, n));

    // At the bottom rung the ladder cannot step down, though P(down) = sig(1 · (−1 + 6))
    // = 0.993 every tick; θ_up = 100 keeps it from stepping up (P ≈ e⁻¹⁰⁶), so the rung
    // stays 0 in every run.
    Scenario bottom = make_world(5, {pressure_action("calm", -3.0)}, {0});
    bottom.step = LadderStep{1.0, 100.0, -1.0, 0.0};
    finalize(bottom);
    for (std::uint64_t run = 0; run < 500; ++run) CHECK(simulate(bottom, run, 5).final_rung == 0);
}

TEST_CASE("escalation ends the run exactly when the escalation rung or a terminal rung is reached", "[model][outcomes]") {
    Scenario s = make_world(5, {pressure_action("push", 0.0)}, {0});
    s.step = LadderStep{1.0, -100.0, -200.0, 0.0};  // P(up) = 1 in double precision
    s.outcomes.escalation_rung = 3;
    s.initial_rung = 1;
    finalize(s);
    RunResult r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::escalation);
    CHECK(r.end_tick == 2);
    CHECK(r.max_rung == 3);
    CHECK(r.first_tick_at_rung == std::vector<int>{-1, 0, 1, 2, -1});

    s.ladder[2].terminal = true;
    r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::escalation);
    CHECK(r.end_tick == 1);
    CHECK(r.final_rung == 2);
}

TEST_CASE("a joint agreement ends the crisis only when the channel is open enough", "[model][outcomes]") {
    Scenario s = make_world(4, {pressure_action("agree", 0.0, true)}, {0});
    freeze_ladder(s);
    s.outcomes.joint_agreement = true;
    s.outcomes.agreement_channel = 0.5;
    s.initial[1] = 0.6;
    finalize(s);
    RunResult r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::deescalation);
    CHECK(r.end_tick == 1);

    s.initial[1] = 0.4;
    r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::frozen_conflict);
    CHECK(r.end_tick == s.horizon);

    s.initial[1] = 0.6;
    s.outcomes.joint_agreement = false;
    CHECK(simulate(s, 0, 1).outcome == Outcome::frozen_conflict);
}

TEST_CASE("a settlement needs low rung and low tension for settlement_ticks ticks in a row", "[model][outcomes]") {
    Scenario s = make_world(4, {pressure_action("wait", 0.0)}, {0});
    freeze_ladder(s);
    s.outcomes.settlement_rung = 0;
    s.outcomes.settlement_tension = 0.2;
    s.outcomes.settlement_ticks = 3;
    finalize(s);
    RunResult r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::deescalation);
    CHECK(r.end_tick == 3);

    s.initial[0] = 0.2;  // tension not below the threshold
    finalize(s);
    r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::frozen_conflict);
    CHECK(r.end_tick == s.horizon);

    s.initial[0] = 0.0;
    s.initial_rung = 1;  // above the settlement rung
    finalize(s);
    CHECK(simulate(s, 0, 1).outcome == Outcome::frozen_conflict);
}

TEST_CASE("a run that reaches the horizon is an ongoing war at or above war_rung, else a frozen conflict", "[model][outcomes]") {
    Scenario s = make_world(6, {pressure_action("wait", 0.0)}, {0});  // escalation at rung 5
    freeze_ladder(s);
    s.initial_rung = 3;
    finalize(s);
    // Not set (-1): the war rung is the escalation rung, which a run at the horizon is below.
    RunResult r = simulate(s, 0, 1);
    CHECK(r.outcome == Outcome::frozen_conflict);
    CHECK(r.end_tick == s.horizon);
    CHECK(r.final_rung == 3);
    s.outcomes.war_rung = 3;  // at the war rung: an ongoing war
    CHECK(simulate(s, 0, 1).outcome == Outcome::ongoing_war);
    s.outcomes.war_rung = 2;  // above it
    CHECK(simulate(s, 0, 1).outcome == Outcome::ongoing_war);
    s.outcomes.war_rung = 4;  // below it
    CHECK(simulate(s, 0, 1).outcome == Outcome::frozen_conflict);

    // The final rung decides, not the highest: a run that climbed to the war rung and came
    // back down is a frozen conflict; other outcomes are never split.
    Scenario down = make_world(6, {pressure_action("calm", -0.5)}, {0});
    down.step = LadderStep{200.0, 100.0, 0.0, 0.0};  // pressure -1: P(down) = 1, the run walks to rung 0
    down.initial_rung = 3;
    down.outcomes.war_rung = 3;
    finalize(down);
    r = simulate(down, 0, 1);
    CHECK(r.max_rung == 3);
    CHECK(r.final_rung == 0);
    CHECK(r.outcome == Outcome::frozen_conflict);
    Scenario up = make_world(6, {pressure_action("push", 0.5)}, {0});
    up.step = LadderStep{200.0, 0.0, -100.0, 0.0};  // P(up) = 1: escalation at tick 5, above war_rung
    up.outcomes.war_rung = 2;
    finalize(up);
    CHECK(simulate(up, 0, 1).outcome == Outcome::escalation);
    CHECK(std::string(outcome_name(Outcome::frozen_conflict)) == "frozen_conflict");
    CHECK(std::string(outcome_name(Outcome::ongoing_war)) == "ongoing_war");
}

TEST_CASE("a run reproduced from (run id, seed) is bit-identical", "[model][reproducible]") {
    const LoadedScenario loaded = load_scenario("tests/data/scenarios/small.yaml");
    const Scenario& s = loaded.scenario;
    WorkspaceHandle ws;
    RunResult first, other, again;
    simulate(s, 17, 5, first, ws);
    simulate(s, 18, 5, other, ws);  // reuse the workspace in between
    simulate(s, 17, 5, again, ws);
    CHECK(first.outcome == again.outcome);
    CHECK(first.end_tick == again.end_tick);
    CHECK(first.first_tick_at_rung == again.first_tick_at_rung);
    CHECK(first.action_counts == again.action_counts);
    CHECK(std::memcmp(first.final_state.data(), again.final_state.data(), first.final_state.size() * sizeof(double)) == 0);
    const RunResult fresh = simulate(s, 17, 5);  // a fresh workspace
    CHECK(std::memcmp(first.final_state.data(), fresh.final_state.data(), first.final_state.size() * sizeof(double)) == 0);
    // A different seed gives a different stream.
    bool differs = false;
    for (std::uint64_t run = 0; run < 20 && !differs; ++run) {
        const RunResult a = simulate(s, run, 5), b = simulate(s, run, 6);
        differs = a.final_state != b.final_state;
    }
    CHECK(differs);
}

TEST_CASE("random streams: known first values pin the seeding scheme", "[model][random]") {
    Stream s(1, 0, StreamPurpose::decisions);
    const std::uint64_t a = s.bits(), b = s.bits();
    Stream again(1, 0, StreamPurpose::decisions);
    CHECK(again.bits() == a);
    CHECK(again.bits() == b);
    // Different purpose or run id: a different stream.
    CHECK(Stream(1, 0, StreamPurpose::world).bits() != a);
    CHECK(Stream(1, 1, StreamPurpose::decisions).bits() != a);
    CHECK(Stream(1ULL << 32, 0, StreamPurpose::decisions).bits() != a);
    // Pinned: a change here changes every published result (stream scheme philox4x64-10,
    // version 2; version 1, mt19937_64 through seed_seq, gave 13738999685742379034).
    CHECK(a == 13544356828153190067ULL);
    Stream u(1, 0, StreamPurpose::decisions);
    const double x = u.uniform();
    CHECK(x >= 0.0);
    CHECK(x < 1.0);
    CHECK(x == static_cast<double>(a >> 11) * 0x1.0p-53);
}

TEST_CASE("a run that leaves the model's domain throws RunError", "[model][errors]") {
    Scenario s = make_world(3, {effect_action("broken", std::numeric_limits<double>::quiet_NaN())}, {0});
    freeze_ladder(s);
    finalize(s);
    CHECK_THROWS_AS(simulate(s, 0, 1), RunError);
    CHECK_THROWS_WITH(simulate(s, 0, 1), Catch::Contains("'x' became NaN at tick 1"));
}

TEST_CASE("the ladder steps on the start-of-tick tension, not on the tension the tick's effects leave", "[model][ladder]") {
    // One action raises tension directly by 0.5 (no escalation, no noise), and both
    // leaders play it; tension starts at 0 and neither decays nor gains. Step: k = 200,
    // θ_up = 0.25, tension weight 1. Tick 1 steps on T₀ = 0: P(up) = sig(200 · (0 − 0.25))
    // = sig(−50) ≈ 2e-22, so the rung stays 0, while the effects leave tension at
    // clamp(0 + 0.5 + 0.5) = 1. Tick 2 steps on T₀ = 1: P(up) = sig(150) = 1 in double
    // precision, so it climbs to 1. A ladder that read the end-of-tick tension would
    // climb at tick 1.
    Action raise = pressure_action("raise_tension", 0.0);
    raise.effects = {Effect{0, 0.5, 0.0}};
    Scenario s = make_world(4, {raise}, {0});
    s.step = LadderStep{200.0, 0.25, -100.0, 1.0};
    s.horizon = 2;
    finalize(s);
    for (std::uint64_t run = 0; run < 200; ++run) {
        Recorder rec(false);
        simulate(s, run, 3, &rec);
        REQUIRE(rec.ticks.size() == 2);
        CHECK(rec.ticks[0].rung == 0);
        CHECK(rec.states[0][0] == 1.0);  // 0.5 from each leader's move
        CHECK(rec.ticks[1].rung == 1);
    }
}

TEST_CASE("firebreaks: a rung's own thresholds guard the step into it and the step out of it", "[model][ladder][firebreak]") {
    // Both leaders push +0.5 every tick: pressure 1. Step k = 200, θ_up = 0, so without a
    // firebreak P(up) = sig(200 · 1) = 1 (in double precision) and the run climbs a rung a
    // tick: 0 → 1 → 2 → 3 = the escalation rung at tick 3.
    Scenario up = make_world(4, {pressure_action("push", 0.5)}, {0});
    up.step = LadderStep{200.0, 0.0, -100.0, 0.0};
    finalize(up);
    RunResult r = simulate(up, 0, 1);
    CHECK(r.outcome == Outcome::escalation);
    CHECK(r.first_tick_at_rung == std::vector<int>{0, 1, 2, 3});
    // A firebreak into rung 2 at pressure 2: at rung 1, P(up) = sig(200 · (1 − 2)) =
    // sig(−200) ≈ 1e-87, so the run stops at rung 1 for the whole horizon (20 ticks);
    // the step from rung 0 still uses the ladder's θ_up = 0.
    up.ladder[2].up_threshold = 2.0;
    finalize(up);
    CHECK(up.up_threshold_at == std::vector<double>{0.0, 2.0, 0.0, 0.0});
    for (std::uint64_t run = 0; run < 50; ++run) {
        r = simulate(up, run, 1);
        CHECK(r.outcome == Outcome::frozen_conflict);
        CHECK(r.first_tick_at_rung == std::vector<int>{0, 1, -1, -1});
        CHECK(r.final_rung == 1);
    }

    // Both push −0.5: pressure −1, θ_down = 0, so P(down) = sig(200 · (0 − (−1))) = 1 and
    // a run from rung 3 (escalation rung 4) steps down a rung a tick to 0. A firebreak out
    // of rung 2 at −2 gives P(down) = sig(200 · (−2 + 1)) ≈ 1e-87 there: it stops at 2.
    Scenario down = make_world(5, {pressure_action("calm", -0.5)}, {0});
    down.step = LadderStep{200.0, 100.0, 0.0, 0.0};
    down.initial_rung = 3;
    finalize(down);
    r = simulate(down, 0, 1);
    CHECK(r.first_tick_at_rung == std::vector<int>{3, 2, 1, 0, -1});
    down.ladder[2].down_threshold = -2.0;
    finalize(down);
    CHECK(down.down_threshold_at == std::vector<double>{0.0, 0.0, -2.0, 0.0, 0.0});
    for (std::uint64_t run = 0; run < 50; ++run) {
        r = simulate(down, run, 1);
        CHECK(r.first_tick_at_rung == std::vector<int>{-1, -1, 1, 0, -1});
        CHECK(r.final_rung == 2);
    }

    // An inverted pair at a rung (down out of rung 1 not below up into rung 2) is refused.
    up.ladder[1].down_threshold = 3.0;
    CHECK_THROWS_AS(finalize(up), std::invalid_argument);
}

TEST_CASE("firebreaks enter the leaders' war-cost forecast", "[model][decision][firebreak]") {
    // War costs {0, 1, 5}, at rung 1, risk tolerance 0.5, k = 1, tension weight 0; one
    // move of escalation 0 for both, so the forecast's pressure is 0. The ladder's
    // θ_up = 10 would make a step up unlikely; the firebreaks set θ_up(1) = 0.5 (into
    // rung 2) and θ_down(1) = −0.5 (out of rung 1):
    //   p_up = sig(1 · (0 − 0.5)) = 0.3775406687981454, p_down = sig(1 · (−0.5 − 0)) = the same,
    //   p_stay = 1 − 2 · 0.3775406687981454 = 0.2449186624037092,
    //   War = 0.5 · (0.2449186624037092 · 1 + 0.3775406687981454 · 5 + 0.3775406687981454 · 0)
    //       = 0.5 · 2.1326220063944362 = 1.0663110031972181.
    brink::test::WorldSettings settings;
    settings.war_costs = {0.0, 1.0, 5.0};
    Scenario s = make_world(3, {pressure_action("hold", 0.0)}, {0}, settings);
    s.step = LadderStep{1.0, 10.0, -1.0, 0.0};
    s.initial_rung = 1;
    s.ladder[2].up_threshold = 0.5;
    s.ladder[1].down_threshold = -0.5;
    s.horizon = 1;
    finalize(s);
    Recorder rec(true);
    simulate(s, 0, 1, &rec);
    REQUIRE(rec.ticks.size() == 1);
    for (const LeaderTick& lt : rec.ticks[0].leaders) {
        REQUIRE(lt.options.size() == 1);
        CHECK(lt.options[0].war_cost == Approx(1.0663110031972181).margin(1e-12));
    }
}
