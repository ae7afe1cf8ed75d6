// The exact solver on chains small enough to solve by hand, and its refusals.
// (Its agreement with Monte Carlo is in tests/statistical/test_agreement.cpp.)
#include <catch2/catch.hpp>
#include <cmath>

#include "brink/exact.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
using brink::test::make_world;
using brink::test::make_action;
using brink::test::pressure_action;

namespace {

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// Two rungs, escalation at rung 1, every action with escalation 0: p_up = sig(-1) each tick.
Scenario two_rungs(const std::vector<Action>& actions, const std::vector<int>& menu) {
    Scenario s = make_world(2, actions, menu);
    s.horizon = 20;
    return s;
}

std::string joined(const NotReducible& e) {
    std::string all;
    for (const std::string& r : e.reasons()) all += r + "\n";
    return all;
}

std::string refusal(const Scenario& s) {
    try {
        solve_exact(s);
    } catch (const NotReducible& e) {
        return joined(e);
    }
    return "";
}

}  // namespace

TEST_CASE("exact: a constant hazard of escalation is geometric", "[exact]") {
    const Scenario s = two_rungs({pressure_action("p", 0.4)}, {0});
    const double p = sigmoid(0.8 - 1.0);
    const ExactResult x = solve_exact(s);
    const double stay = std::pow(1.0 - p, 20);
    CHECK(x.states == 1);
    CHECK(x.outcome_probability[0] == Approx(1.0 - stay).epsilon(1e-12));
    CHECK(x.outcome_probability[1] == 0.0);
    CHECK(x.outcome_probability[2] == Approx(stay).epsilon(1e-12));
    CHECK(x.expected_end_tick == Approx((1.0 - stay) / p).epsilon(1e-12));
    CHECK(x.expected_end_tick_given[2] == 20.0);
    CHECK(x.expected_absorption_time == Approx(1.0 / p).epsilon(1e-12));
    CHECK(x.eventual_probability[0] == Approx(1.0).epsilon(1e-12));
    for (int t = 0; t <= 20; ++t) {
        const auto tt = static_cast<std::size_t>(t);
        CHECK(x.still_going[tt] == Approx(std::pow(1.0 - p, t)).epsilon(1e-12));
        CHECK(x.rung_distribution[tt][1] == Approx(1.0 - std::pow(1.0 - p, t)).epsilon(1e-12));
        CHECK(x.cumulative_incidence[0][tt] == Approx(1.0 - std::pow(1.0 - p, t)).epsilon(1e-12));
    }
    // Var[min(tau, H)] from the exact pmf.
    double m1 = 0.0, m2 = 0.0;
    for (int t = 1; t <= 20; ++t) {
        const double pmf = t < 20 ? std::pow(1.0 - p, t - 1) * p : std::pow(1.0 - p, 19);
        m1 += t * pmf;
        m2 += t * t * pmf;
    }
    CHECK(x.end_tick_variance == Approx(m2 - m1 * m1).epsilon(1e-10));
}

TEST_CASE("exact: a firebreak sets the hazard of the step it guards", "[exact][firebreak]") {
    // Two rungs, pressure 0.8 (both leaders push 0.4): the ladder's θ_up = 1 gives
    // p = sig(0.8 − 1); a firebreak into rung 1 at 2 gives p = sig(0.8 − 2) instead.
    Scenario s = two_rungs({pressure_action("p", 0.4)}, {0});
    s.ladder[1].up_threshold = 2.0;
    finalize(s);
    const double p = sigmoid(0.8 - 2.0);
    const ExactResult x = solve_exact(s);
    CHECK(x.outcome_probability[0] == Approx(1.0 - std::pow(1.0 - p, 20)).epsilon(1e-12));
    CHECK(x.expected_absorption_time == Approx(1.0 / p).epsilon(1e-12));
    // A firebreak down out of rung 1 at −2, from rung 1 of three rungs with escalation at 2:
    // pressure −1.6 (both push −0.8), so p_down = sig(−2 − (−1.6)) = sig(−0.4) and
    // p_up = sig(−1.6 − 1) each tick; the run never returns from rung 0 (p_up there is
    // sig(−2.6) too), so P(at rung 0 after tick 1) = p_down exactly.
    Scenario d = make_world(3, {pressure_action("calm", -0.8)}, {0});
    d.horizon = 5;
    d.initial_rung = 1;
    d.outcomes.escalation_rung = 2;
    d.ladder[1].down_threshold = -2.0;
    finalize(d);
    const ExactResult y = solve_exact(d);
    CHECK(y.rung_distribution[1][0] == Approx(sigmoid(-0.4)).epsilon(1e-12));
    CHECK(y.rung_distribution[1][2] == Approx(sigmoid(-1.6 - 1.0)).epsilon(1e-12));
}

TEST_CASE("exact: settlement after K calm ticks, counted in the chain's state", "[exact]") {
    Scenario s = two_rungs({pressure_action("p", 0.4)}, {0});
    s.outcomes.settlement_rung = 0;
    s.outcomes.settlement_tension = 0.3;  // tension is 0: every tick at rung 0 is calm
    s.outcomes.settlement_ticks = 3;
    const double p = sigmoid(-0.2);
    const ExactResult x = solve_exact(s);
    CHECK(x.states == 3);
    CHECK(x.outcome_probability[1] == Approx(std::pow(1.0 - p, 3)).epsilon(1e-12));
    CHECK(x.outcome_probability[0] == Approx(1.0 - std::pow(1.0 - p, 3)).epsilon(1e-12));
    CHECK(x.expected_end_tick == Approx(1.0 + (1.0 - p) + (1.0 - p) * (1.0 - p)).epsilon(1e-12));
    CHECK(x.expected_end_tick_given[1] == Approx(3.0).epsilon(1e-12));
    // Tension at the threshold: no settlement can count (T' < threshold fails).
    s.initial[0] = 0.3;
    CHECK(solve_exact(s).outcome_probability[1] == 0.0);
}

TEST_CASE("exact: joint agreement needs both leaders and an open channel; escalation wins ties", "[exact]") {
    Scenario s = two_rungs({pressure_action("sign", 0.0, true), pressure_action("wait", 0.0)}, {0, 1});
    s.outcomes.joint_agreement = true;
    s.initial[1] = 0.6;  // channel above agreement_channel 0.5
    const double u = sigmoid(-1.0);
    const double go_on = (1.0 - u) * 0.75;  // neither escalation nor (both sign)
    ExactResult x = solve_exact(s);
    CHECK(x.outcome_probability[0] == Approx(u * (1.0 - std::pow(go_on, 20)) / (1.0 - go_on)).epsilon(1e-12));
    CHECK(x.outcome_probability[1] == Approx(0.25 * (1.0 - u) * (1.0 - std::pow(go_on, 20)) / (1.0 - go_on)).epsilon(1e-12));
    // Ended runs keep their rung: an agreement at rung 0 stays at rung 0.
    CHECK(x.rung_distribution[20][0] == Approx(x.outcome_probability[1] + x.outcome_probability[2]).epsilon(1e-12));

    s.initial[1] = 0.4;  // gate closed
    x = solve_exact(s);
    CHECK(x.outcome_probability[1] == 0.0);
    CHECK(x.outcome_probability[0] == Approx(1.0 - std::pow(1.0 - u, 20)).epsilon(1e-12));
    s.outcomes.joint_agreement = false;
    s.initial[1] = 0.9;
    CHECK(solve_exact(s).outcome_probability[1] == 0.0);
}

TEST_CASE("exact: events enter the pressure law as a mixture, only where their rung condition holds", "[exact]") {
    Scenario s = two_rungs({pressure_action("p", 0.0)}, {0});
    Event incident;
    incident.name = "incident";
    incident.hazard = 0.3;
    incident.escalation = 2.0;
    incident.requires_ = {Condition{kRung, 0.0, 0.0}};
    s.events = {incident};
    finalize(s);
    const ExactResult x = solve_exact(s);
    const double p = 0.7 * sigmoid(-1.0) + 0.3 * sigmoid(1.0);
    CHECK(x.cumulative_incidence[0][1] == Approx(p).epsilon(1e-12));
    s.events[0].requires_ = {Condition{kRung, 1.0, 1.0}};  // never holds below the escalation rung
    CHECK(solve_exact(s).cumulative_incidence[0][1] == Approx(sigmoid(-1.0)).epsilon(1e-12));
}

TEST_CASE("exact: feasibility follows the rung and constant variables", "[exact]") {
    // Three rungs: 'strike' (escalation 3) only from rung 1; 'talk' only while channel >= 0.5.
    Action strike = pressure_action("strike", 3.0);
    strike.requires_ = {Condition{kRung, 1.0, 2.0}};
    Action talk = pressure_action("talk", -3.0);
    talk.requires_ = {Condition{1, 0.5, 1.0}};
    Scenario s = make_world(3, {pressure_action("wait", 0.0), strike, talk}, {0, 1, 2});
    s.initial_rung = 1;
    s.initial[1] = 0.4;  // talk infeasible
    ExactResult x = solve_exact(s);
    // At rung 1 each leader picks wait or strike: pressures 0, 3, 3, 6 with probability 1/4 each.
    const auto up = [](double pressure) { return sigmoid(pressure - 1.0); };
    const auto down = [](double pressure) { return sigmoid(-1.0 - pressure); };
    CHECK(x.cumulative_incidence[0][1] == Approx((up(0) + 2 * up(3) + up(6)) / 4).epsilon(1e-12));
    CHECK(x.rung_distribution[1][0] == Approx((down(0) + 2 * down(3) + down(6)) / 4).epsilon(1e-12));
    s.initial[1] = 0.5;  // talk feasible: 9 pairs
    x = solve_exact(s);
    const double e[] = {0.0, 3.0, -3.0};
    double p_up = 0.0;
    for (const double a : e)
        for (const double b : e) p_up += up(a + b) / 9.0;
    CHECK(x.cumulative_incidence[0][1] == Approx(p_up).epsilon(1e-12));
}

TEST_CASE("exact: the chain's rows are probability distributions; rung shares sum to 1", "[exact]") {
    const Scenario s = load_scenario("tests/data/exact/tall-ladder.yaml").scenario;
    const ExactChain chain = build_chain(s);
    for (int i = 0; i < chain.states(); ++i)
        CHECK(chain.transient.row(i).sum() + chain.absorbing.row(i).sum() == Approx(1.0).epsilon(1e-12));
    const ExactResult x = solve_chain(chain, s.horizon);
    for (int t = 0; t <= s.horizon; ++t) {
        double total = 0.0;
        for (const double p : x.rung_distribution[static_cast<std::size_t>(t)]) total += p;
        CHECK(total == Approx(1.0).epsilon(1e-12));
        if (t > 0) CHECK(x.still_going[static_cast<std::size_t>(t)] <= x.still_going[static_cast<std::size_t>(t - 1)]);
    }
    CHECK(x.outcome_probability[0] + x.outcome_probability[1] + x.outcome_probability[2] + x.outcome_probability[3] ==
          Approx(1.0).epsilon(1e-12));
}

TEST_CASE("exact: the runs still going at the horizon split by their rung there into frozen conflicts and ongoing wars", "[exact]") {
    // Three rungs, escalation at rung 2, pressure 0: each tick P(up) = u = sig(-1), and at
    // rung 1 also P(down) = sig(-1 - 0) = u. Two ticks from rung 0:
    //   rung 0: (1 - u)^2 + u * u;  rung 1: (1 - u) u + u (1 - 2u);  escalation: u^2.
    Scenario s = make_world(3, {pressure_action("wait", 0.0)}, {0});
    s.horizon = 2;
    const double u = sigmoid(-1.0);
    const double at0 = (1.0 - u) * (1.0 - u) + u * u, at1 = (1.0 - u) * u + u * (1.0 - 2.0 * u);
    const auto frozen = static_cast<std::size_t>(Outcome::frozen_conflict), war = static_cast<std::size_t>(Outcome::ongoing_war);
    ExactResult x = solve_exact(s);  // war_rung not set: every run at the horizon is frozen
    CHECK(x.outcome_probability[0] == Approx(u * u).epsilon(1e-12));
    CHECK(x.outcome_probability[frozen] == Approx(at0 + at1).epsilon(1e-12));
    CHECK(x.outcome_probability[war] == 0.0);
    CHECK(std::isnan(x.expected_end_tick_given[war]));

    s.outcomes.war_rung = 1;
    x = solve_exact(s);
    CHECK(x.outcome_probability[0] == Approx(u * u).epsilon(1e-12));
    CHECK(x.outcome_probability[frozen] == Approx(at0).epsilon(1e-12));
    CHECK(x.outcome_probability[war] == Approx(at1).epsilon(1e-12));
    CHECK(x.outcome_probability[frozen] + x.outcome_probability[war] == Approx(x.still_going[2]).epsilon(1e-12));
    for (const std::size_t k : {frozen, war}) {
        CHECK(x.expected_end_tick_given[k] == 2.0);
        CHECK(x.cumulative_incidence[k][1] == 0.0);  // reached only at the horizon
        CHECK(x.cumulative_incidence[k][2] == x.outcome_probability[k]);
    }
}

TEST_CASE("exact: misperception and state noise do not change the solution at rationality 0", "[exact]") {
    LoadedScenario quiet = load_scenario("tests/data/exact/four-rungs.yaml",
                                         {"leaders.a.traits.misperception=0", "leaders.b.traits.misperception=0",
                                          "perception.state_noise=0"});
    LoadedScenario foggy = load_scenario("tests/data/exact/four-rungs.yaml",
                                         {"leaders.a.traits.misperception=1", "perception.state_noise=1"});
    const ExactResult a = solve_exact(quiet.scenario), b = solve_exact(foggy.scenario);
    for (std::size_t k = 0; k < kOutcomeCount; ++k) CHECK(a.outcome_probability[k] == b.outcome_probability[k]);
}

TEST_CASE("exact: refusals name each mechanism in the way", "[exact]") {
    Scenario s = two_rungs({pressure_action("p", 0.4)}, {0});
    s.leaders[1].traits.rationality = 12.0;
    CHECK_THAT(refusal(s), Catch::Contains("leader 'b' has rationality 12; the exact solver needs 0 (uniform choice)"));

    s = two_rungs({pressure_action("p", 0.4)}, {0});
    s.step.tension_weight = 0.5;
    s.tension_rule.gain = 0.05;
    CHECK_THAT(refusal(s), Catch::Contains("variable 'tension' changes during a run (ladder.tension.gain = 0.05)"));
    CHECK_THAT(refusal(s), Catch::Contains("it feeds the ladder step (ladder.step.tension_weight = 0.5)"));

    // Settlement reads tension; an action moves it.
    Action heat = pressure_action("heat", 0.1);
    heat.effects = {Effect{0, 0.05, 0.0}};
    s = two_rungs({heat}, {0});
    s.outcomes.settlement_tension = 0.3;
    CHECK_THAT(refusal(s), Catch::Contains("action 'heat' (mean 0.05)"));
    CHECK_THAT(refusal(s), Catch::Contains("it decides settlements"));
    s.outcomes.settlement_tension = 0.0;  // no settlement can count: tension is not read
    CHECK_NOTHROW(solve_exact(s));

    // Joint agreement reads the channel; an agreement action opens it.
    Action open = pressure_action("open", -0.2, true);
    open.effects = {Effect{1, 0.1, 0.02}};
    s = two_rungs({open}, {0});
    s.outcomes.joint_agreement = true;
    s.initial[1] = 0.5;
    CHECK_THAT(refusal(s), Catch::Contains("variable 'channel' changes during a run (action 'open' (mean 0.1, sd 0.02))"));
    CHECK_THAT(refusal(s), Catch::Contains("it gates joint agreements"));

    // A condition on a variable that moves.
    Action gated = pressure_action("gated", 0.5);
    gated.requires_ = {Condition{2, 0.4, 1.0}};
    Action drift = pressure_action("drift", 0.0);
    drift.effects = {Effect{2, -0.01, 0.0}};
    s = two_rungs({gated, drift, pressure_action("wait", 0.0)}, {0, 1, 2});
    CHECK_THAT(refusal(s), Catch::Contains("variable 'x' changes during a run (action 'drift' (mean -0.01)) and the chain reads it: action 'gated' requires it in [0.4, 1]"));

    // Effects pushing a variable against the bound it sits on are undone by the clamp.
    drift.effects = {Effect{2, -0.01, 0.0}};
    s = two_rungs({gated, drift}, {0, 1});
    s.initial[2] = 0.0;
    CHECK_NOTHROW(solve_exact(s));

    // Every reason at once, from a file.
    const Scenario small = load_scenario("tests/data/scenarios/small.yaml").scenario;
    try {
        solve_exact(small);
        FAIL("small.yaml should not reduce");
    } catch (const NotReducible& e) {
        const std::string all = joined(e);
        CHECK_THAT(all, Catch::Contains("leader 'blue' has rationality 20"));
        CHECK_THAT(all, Catch::Contains("leader 'red' has rationality 20"));
        CHECK_THAT(all, Catch::Contains("variable 'tension' changes during a run"));
        CHECK_THAT(all, Catch::Contains("variable 'channel' changes during a run"));
        CHECK_THAT(all, Catch::Contains("variable 'trust' changes during a run"));
        CHECK_THAT(std::string(e.what()), Catch::StartsWith("the scenario does not reduce to a Markov chain on the ladder:"));
    }
    CHECK_FALSE(reducibility_problems(load_scenario("scenarios/baseline.yaml").scenario).empty());
    CHECK(reducibility_problems(load_scenario("tests/data/exact/four-rungs.yaml").scenario).empty());
}

TEST_CASE("exact: a jump moves the rung past the rungs between, and agrees with the runs", "[exact][jumps]") {
    // Four rungs, escalation at 3, from rung 0; one action (both leaders) with pressure
    // 0.4 and a jump to rung 2 with probability 0.25. After the one-step move (p_up =
    // sig(0.8 - 1) from rung 0), the jump takes the mass below rung 2: the first tick
    // ends at rung 2 with probability 1 - (1 - 0.25)^2 of the mass still below it (each
    // leader's jump is tried in turn).
    Scenario s = make_world(4, {pressure_action("surge", 0.4)}, {0});
    s.actions[0].jumps = {Jump{2, 0.25}};
    s.outcomes.escalation_rung = 3;
    s.horizon = 30;
    finalize(s);
    const ExactResult x = solve_exact(s);
    const double up = sigmoid(0.8 - 1.0);
    const double stay_below = 0.75 * 0.75;  // both leaders' jumps fail
    CHECK(x.rung_distribution[1][0] == Approx((1.0 - up) * stay_below).epsilon(1e-12));
    CHECK(x.rung_distribution[1][1] == Approx(up * stay_below).epsilon(1e-12));
    CHECK(x.rung_distribution[1][2] == Approx(1.0 - stay_below).epsilon(1e-12));
    // The runs: P(escalation by the horizon) within 5 standard errors of the exact value,
    // and the rung after tick 1 (the jump is the only way past rung 1 in one tick).
    const int runs = 20000;
    int escalated = 0, at_two_after_one = 0;
    WorkspaceHandle ws;
    RunResult r;
    for (int id = 0; id < runs; ++id) {
        simulate(s, static_cast<std::uint64_t>(id), 99, r, ws);
        escalated += r.outcome == Outcome::escalation;
        at_two_after_one += r.first_tick_at_rung[2] == 1;
    }
    const double p = x.outcome_probability[0];
    CHECK(std::abs(escalated / double(runs) - p) < 5.0 * std::sqrt(p * (1.0 - p) / runs));
    const double q = 1.0 - stay_below;
    CHECK(std::abs(at_two_after_one / double(runs) - q) < 5.0 * std::sqrt(q * (1.0 - q) / runs));
}

TEST_CASE("exact: the nuclear track and state weights on changing variables are refused, with reasons", "[exact][version2]") {
    Scenario s = make_world(3, {pressure_action("p", 0.4)}, {0});
    s.nuclear.levels = {Rung{"none", "none", 0.0, false, {}, {}}, Rung{"alert", "alert", 1.0, false, {}, {}}};
    finalize(s);
    const std::vector<std::string> problems = reducibility_problems(s);
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Catch::Contains("the scenario has a nuclear track (nuclear.levels): the chain would be on "
                                            "(rung, level, settlement counter)"));
    // A state weight on a variable that moves: refused; on one that does not: reduced,
    // its constant pressure added to the step (here it cancels the actions' 0.8).
    Scenario w = make_world(3, {make_action("p", 0.4, {Effect{2, 0.01, 0.0}})}, {0});
    w.state_weights = {StateWeight{2, -1.0}};
    finalize(w);
    CHECK_THAT(refusal(w), Catch::Contains("variable 'x' changes during a run (action 'p' (mean 0.01)) and the chain reads it: "
                                           "it feeds the ladder step (ladder.step.state_weights.x = -1); the exact solver "
                                           "needs it constant"));
    w.state_weights = {StateWeight{2, 0.0}};  // a zero weight reads nothing
    finalize(w);
    CHECK(reducibility_problems(w).empty());
    Scenario c = make_world(3, {pressure_action("p", 0.4)}, {0});
    c.initial[2] = 0.8;
    c.state_weights = {StateWeight{2, -1.0}};
    c.outcomes.escalation_rung = 2;
    finalize(c);
    REQUIRE(reducibility_problems(c).empty());
    CHECK(solve_exact(c).rung_distribution[1][1] == Approx(sigmoid(0.0 - 1.0)).epsilon(1e-12));
}

TEST_CASE("exact: a jump never lowers the rung; one past the escalation rung ends the run held at its target",
          "[exact][jumps]") {
    // Five rungs, escalation at 3, from rung 2; both leaders' only move has pressure 0 and
    // jumps to rung 1 (p 0.9) and to rung 4 (p 0.5). The step from rung 2: up and down
    // each a = sig(-1). The jump to 1 finds no mass below rung 1; the jump to 4 (tried
    // by each leader) keeps a quarter of the mass below 4, and the rest ends the run at 4.
    Action hold = pressure_action("hold", 0.0);
    hold.jumps = {Jump{1, 0.9}, Jump{4, 0.5}};
    Scenario s = make_world(5, {hold}, {0});
    s.outcomes.escalation_rung = 3;
    s.initial_rung = 2;
    s.horizon = 2;
    finalize(s);
    const ExactResult x = solve_exact(s);
    const double a = sigmoid(-1.0);
    CHECK(x.rung_distribution[1][0] == 0.0);
    CHECK(x.rung_distribution[1][1] == Approx(0.25 * a).epsilon(1e-12));
    CHECK(x.rung_distribution[1][2] == Approx(0.25 * (1.0 - 2.0 * a)).epsilon(1e-12));
    CHECK(x.rung_distribution[1][3] == Approx(0.25 * a).epsilon(1e-12));
    CHECK(x.rung_distribution[1][4] == Approx(0.75).epsilon(1e-12));
    const double first = 0.75 + 0.25 * a;
    CHECK(x.cumulative_incidence[0][1] == Approx(first).epsilon(1e-12));
    // Tick 2. From rung 1 the step reaches rung 2 at most, so escalation is the jump to 4
    // (0.75); from rung 2 it is the jump or the step up. The mass stepping down to rung 0
    // stays there only if both jumps to 1 and both jumps to 4 fail.
    CHECK(x.cumulative_incidence[0][2] ==
          Approx(first + 0.25 * a * 0.75 + 0.25 * (1.0 - 2.0 * a) * (0.75 + 0.25 * a)).epsilon(1e-12));
    CHECK(x.rung_distribution[2][0] == Approx(0.25 * a * a * 0.1 * 0.5 * 0.1 * 0.5).epsilon(1e-12));
}

TEST_CASE("exact: each leader's jumps come with its own move, chosen uniformly", "[exact][jumps]") {
    // Four rungs, escalation at 3, from rung 0. Leader a only waits; leader b waits or
    // surges (pressure 0, a jump to rung 2 with p 0.4), each with probability 1/2.
    Action surge = pressure_action("surge", 0.0);
    surge.jumps = {Jump{2, 0.4}};
    Scenario s = make_world(4, {pressure_action("wait", 0.0), surge}, {0});
    s.outcomes.escalation_rung = 3;
    brink::test::set_menus(s, {0}, {0, 1});
    const ExactChain chain = build_chain(s);
    const double up = sigmoid(-1.0);
    const int at0 = chain.state_index(0, 0), at1 = chain.state_index(1, 0), at2 = chain.state_index(2, 0);
    CHECK(chain.transient(at0, at2) == Approx(0.5 * 0.4).epsilon(1e-12));
    CHECK(chain.transient(at0, at1) == Approx(0.8 * up).epsilon(1e-12));
    CHECK(chain.transient(at0, at0) == Approx(0.8 * (1.0 - up)).epsilon(1e-12));
    // From rung 2 the jump has nothing below its target once the step goes up or stays,
    // but takes back (with 0.2) the mass that stepped down to rung 1.
    const double down = sigmoid(-1.0);
    CHECK(chain.transient(at2, at1) == Approx(0.8 * down).epsilon(1e-12));
    CHECK(chain.absorbing(at2, chain.absorbing_column(0, 3)) == Approx(up).epsilon(1e-12));
}

TEST_CASE("exact: foresight, hidden modes and commitments leave the chain unchanged at rationality 0",
          "[exact][version2]") {
    // They change utilities (and commitments a credibility that no step reads); at
    // rationality 0 every feasible move has weight exp(0) = 1 whatever its utility.
    // (test_agreement.cpp checks the runs agree with the chain with all of them on.)
    Action surge = pressure_action("surge", 0.5);
    surge.jumps = {Jump{2, 0.3}};
    Scenario plain = make_world(4, {pressure_action("wait", 0.0), surge, pressure_action("calm", -0.5)}, {0, 1, 2});
    plain.outcomes.escalation_rung = 3;
    finalize(plain);
    Scenario strategic = plain;
    for (Leader& l : strategic.leaders) l.traits.foresight = 4, l.traits.discount = 0.7;
    Mode calm_mode, hawk;
    calm_mode.id = "calm";
    calm_mode.propensity = {0.0, 0.0, 2.0};
    hawk.id = "hawk";
    hawk.propensity = {0.0, 5.0, -5.0};
    hawk.enterable = true;
    hawk.intercept = 1.0;
    strategic.leaders[0].modes = {calm_mode, hawk};
    Commitment answer;
    answer.id = "answer";
    answer.by = 1;
    answer.trigger = {1};
    answer.response = 1;
    answer.credibility = 0.9;
    answer.audience_cost = 4.0;
    strategic.commitments = {answer};
    finalize(strategic);
    REQUIRE(reducibility_problems(strategic).empty());
    const ExactResult a = solve_exact(plain), b = solve_exact(strategic);
    for (std::size_t k = 0; k < kOutcomeCount; ++k) CHECK(a.outcome_probability[k] == b.outcome_probability[k]);
    CHECK(a.rung_distribution == b.rung_distribution);
}
