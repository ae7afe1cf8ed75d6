// The scenario format: valid files load, overrides and extends merge as documented,
// code and YAML give the same runs, and the reference documents every field.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("brink-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool same_run(const RunResult& a, const RunResult& b) {
    return a.outcome == b.outcome && a.end_tick == b.end_tick && a.max_rung == b.max_rung &&
           a.first_tick_at_rung == b.first_tick_at_rung && a.action_counts == b.action_counts &&
           a.final_state.size() == b.final_state.size() &&
           std::memcmp(a.final_state.data(), b.final_state.data(), a.final_state.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("every scenario shipped in scenarios/ loads and validates", "[loader]") {
    int count = 0;
    for (const auto& entry : fs::recursive_directory_iterator("scenarios")) {
        if (entry.path().extension() != ".yaml") continue;
        if (entry.path().parent_path().filename() == "history") continue;  // timelines: test_history.cpp
        INFO(entry.path().string());
        try {
            const LoadedScenario loaded = load_scenario(entry.path().string());
            CHECK(loaded.scenario.leaders[0].menu.size() > 0);
        } catch (const ScenarioError& e) {
            FAIL(e.what());
        }
        ++count;
    }
    CHECK(count >= 8);  // baseline, geneva-2021 and the six variants at least
}

TEST_CASE("a scenario built in code and the same scenario in YAML give bit-identical runs", "[loader][roundtrip]") {
    Action talk = test::pressure_action("talk", -0.4, true);
    talk.effects = {Effect{1, 0.05, 0.02}, Effect{2, 0.03, 0.0}};
    Action push = test::pressure_action("push", 0.7);
    push.effects = {Effect{0, 0.06, 0.01}, Effect{2, -0.04, 0.01}};
    push.cost = 0.02;
    Action strike = test::pressure_action("strike", 1.5);
    strike.requires_ = {Condition{kRung, 2.0, std::numeric_limits<double>::infinity()}, Condition{2, 0.0, 0.8}};
    Action wait = test::pressure_action("wait", 0.0);
    Scenario code = test::make_world(6, {wait, talk, push, strike}, {0, 1, 2, 3});
    code.ladder[3].war_cost = 0.4;
    code.ladder[4].war_cost = 2.0;
    code.ladder[5].terminal = true;
    code.ladder[5].war_cost = 9.0;
    code.step = LadderStep{2.0, 1.0, -0.5, 0.8};
    code.tension_rule = TensionRule{0.1, 0.05};
    code.perception = Perception{0.05, 0.5};
    code.initial = {0.4, 0.3, 0.5};
    code.initial_rung = 1;
    code.outcomes = Outcomes{4, 0, 0.25, 4, true, 0.5};
    code.leaders[0].traits = Traits{15.0, 0.3, 0.2, 0.05, 0.01, 0.7};
    code.leaders[1].traits = Traits{25.0, 0.6, 0.1, 0.02, 0.0, 0.4};
    code.events = {Event{"incident", "An incident.", 0.1, {Effect{0, 0.05, 0.0}}, {}, 0.5}};
    finalize(code);

    const std::string yaml = R"(
name: test world
run: {horizon: 20}
world:
  variables: {tension: {initial: 0.4}, channel: {initial: 0.3}, x: {initial: 0.5}}
  initial_rung: r1
ladder:
  rungs:
    - {id: r0}
    - {id: r1}
    - {id: r2}
    - {id: r3, war_cost: 0.4}
    - {id: r4, war_cost: 2.0}
    - {id: r5, war_cost: 9, terminal: true}
  step: {sensitivity: 2, up_threshold: 1, down_threshold: -0.5, tension_weight: 0.8}
  tension: {decay: 0.1, gain: 0.05}
perception: {state_noise: 0.05, escalation_bias: 0.5}
leaders:
  a:
    traits: {rationality: 15, risk_tolerance: 0.3, misperception: 0.2, reciprocity: 0.05, resolve: 0.01, memory: 0.7}
    goals: {gain: {x: 1}}
    priorities: {gain: 1}
    menu: [wait, talk, push, strike]
  b:
    traits: {rationality: 25, risk_tolerance: 0.6, misperception: 0.1, reciprocity: 0.02, resolve: 0, memory: 0.4}
    goals: {gain: {x: 1}}
    priorities: {gain: 1}
    menu: [wait, talk, push, strike]
actions:
  wait: {}
  talk: {escalation: -0.4, agreement: true, effects: {channel: {mean: 0.05, sd: 0.02}, x: 0.03}}
  push: {escalation: 0.7, cost: 0.02, effects: {tension: {mean: 0.06, sd: 0.01}, x: {mean: -0.04, sd: 0.01}}}
  strike: {escalation: 1.5, requires: {rung: {min: r2}, x: {max: 0.8}}}
events:
  incident: {hazard: 0.1, escalation: 0.5, effects: {tension: 0.05}}
outcomes: {escalation_rung: 4, settlement_rung: r0, settlement_tension: 0.25, settlement_ticks: 4, agreement_channel: 0.5}
)";
    const LoadedScenario loaded = load_scenario_text(yaml, "roundtrip.yaml");
    int differing = 0, escalations = 0;
    for (std::uint64_t run = 0; run < 300; ++run) {
        const RunResult a = simulate(code, run, 99), b = simulate(loaded.scenario, run, 99);
        differing += same_run(a, b) ? 0 : 1;
        escalations += a.outcome == Outcome::escalation;
    }
    CHECK(differing == 0);
    CHECK(escalations > 0);  // the comparison covers runs that use the ladder's top

    // The resolved YAML loads back to the same scenario.
    const LoadedScenario again = load_scenario_text(loaded.resolved_yaml, "resolved.yaml");
    CHECK(again.resolved_yaml == loaded.resolved_yaml);
    CHECK(same_run(simulate(again.scenario, 3, 1), simulate(loaded.scenario, 3, 1)));
}

TEST_CASE("extends merges maps by key and replaces lists; --set overrides after it", "[loader][extends]") {
    const fs::path d = temp_dir("extends");
    fs::copy_file("tests/data/scenarios/small.yaml", d / "base.yaml");
    write(d / "child.yaml",
          "extends: base.yaml\nname: Child\nleaders:\n  red:\n    priorities: {relief: 0.9}\n    menu: [wait, talk]\n");
    const LoadedScenario child = load_scenario((d / "child.yaml").string());
    const Scenario& s = child.scenario;
    CHECK(s.name == "Child");
    REQUIRE(child.files.size() == 2);
    CHECK(child.files[1] == (d / "base.yaml").string());
    const Leader& red = s.leaders[1];
    CHECK(red.priorities[1] == 0.9);   // overridden
    CHECK(red.priorities[0] == 0.4);   // kept from the base (maps merge by key)
    CHECK(red.traits.rationality == 20.0);
    CHECK(red.menu.size() == 2);       // lists replace whole
    CHECK(child.resolved_yaml.find("extends") == std::string::npos);

    const LoadedScenario set = load_scenario((d / "child.yaml").string(), {"leaders.red.priorities.relief=0.25", "run.horizon=12"});
    CHECK(set.scenario.leaders[1].priorities[1] == 0.25);
    CHECK(set.scenario.horizon == 12);
    CHECK(set.hash != child.hash);

    // List items are reached by index.
    const LoadedScenario item = load_scenario((d / "child.yaml").string(), {"ladder.rungs.4.war_cost=3.5"});
    CHECK(item.scenario.ladder[4].war_cost == 3.5);
    try {
        load_scenario((d / "child.yaml").string(), {"ladder.rungs.9.war_cost=1"});
        FAIL("an index past the end of the list was accepted");
    } catch (const ScenarioError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].file == "--set");
        CHECK(e.diagnostics()[0].column == 14);
        CHECK_THAT(e.diagnostics()[0].message, Catch::Contains("a list of 6 items; expected an index in [0, 5], found '9'"));
    }
    fs::remove_all(d);
}

TEST_CASE("scenario-reference.md documents every field the loader accepts", "[loader][docs]") {
    const std::string doc = read("docs/scenario-reference.md");
    REQUIRE_FALSE(doc.empty());
    for (const FieldSpec& f : scenario_fields()) {
        INFO("field " << f.path);
        const std::string quoted = std::string("`").append(f.path).append("`");
        CHECK(doc.find(quoted) != std::string::npos);
    }
}

TEST_CASE("scenario files stay on the safe side of the parser", "[loader][limits]") {
    // Exactly at the limits nothing is refused for size: a long but valid comment block.
    const fs::path d = temp_dir("limits");
    std::string text = read("tests/data/scenarios/small.yaml");
    text.append("# ").append(std::size_t{1} << 20, 'x').append("\n");
    write(d / "long.yaml", text);
    CHECK_NOTHROW(load_scenario((d / "long.yaml").string()));
    fs::remove_all(d);
}

namespace {

bool same_weights(const std::vector<StateWeight>& a, const std::vector<std::pair<int, double>>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].variable != b[i].first || a[i].weight != b[i].second) return false;
    return true;
}

std::vector<int> actions_named(const Scenario& s, const std::vector<std::string>& names) {
    std::vector<int> out;
    for (const std::string& n : names) out.push_back(s.action_index(n));
    return out;
}

}  // namespace

TEST_CASE("version-2 fields load as written (small-v2.yaml)", "[loader][v2]") {
    const LoadedScenario loaded = load_scenario("tests/data/scenarios/small-v2.yaml");
    const Scenario& s = loaded.scenario;
    // The resolved YAML (what a result folder records) loads back to itself.
    CHECK(load_scenario_text(loaded.resolved_yaml, "resolved.yaml").resolved_yaml == loaded.resolved_yaml);
    const int trust = s.variable_index("trust"), readiness = s.variable_index("readiness"), channel = s.variable_index("channel");
    REQUIRE((trust == 3 && readiness == 4 && channel == 1));

    // Traits: foresight and discount, with discount's default for red.
    CHECK(s.leaders[0].traits.foresight == 3);
    CHECK(s.leaders[0].traits.discount == 0.8);
    CHECK(s.leaders[1].traits.foresight == 2);
    CHECK(s.leaders[1].traits.discount == 0.9);

    // War dynamics: state weights in file order.
    CHECK(same_weights(s.state_weights, {{trust, -0.4}, {readiness, 0.3}}));

    // Nuclear track.
    const NuclearTrack& n = s.nuclear;
    REQUIRE(n.level_count() == 3);
    CHECK(n.levels[0].id == "normal");
    CHECK(n.levels[1].label == "Forces on alert");
    CHECK(n.levels[2].label == "use");
    CHECK(n.levels[1].war_cost == 0.5);
    CHECK(n.levels[2].war_cost == 20.0);
    CHECK((!n.levels[0].terminal && !n.levels[1].terminal && n.levels[2].terminal));
    CHECK((!n.levels[0].up_threshold && !n.levels[0].down_threshold));
    CHECK((n.levels[1].down_threshold == -2.0 && !n.levels[1].up_threshold));
    CHECK((n.levels[2].up_threshold == 3.5 && !n.levels[2].down_threshold));
    CHECK(n.initial_level == 0);
    CHECK(n.step.sensitivity == 1.5);
    CHECK(n.step.up_threshold == 2.0);
    CHECK(n.step.down_threshold == -1.0);
    CHECK(n.step.tension_weight == 0.5);
    CHECK(n.rung_pressure == std::vector<double>{0, 0, 0, 0.8, 1.2, 0});  // by id (war) and by index (4)

    // Actions and events: nuclear pressure (default 0) and jumps (rung by id and by index).
    const Action& attack = s.actions[static_cast<std::size_t>(s.action_index("attack"))];
    CHECK(attack.nuclear == 0.5);
    REQUIRE(attack.jumps.size() == 2);
    CHECK((attack.jumps[0].to == 3 && attack.jumps[0].probability == 0.6));
    CHECK((attack.jumps[1].to == 4 && attack.jumps[1].probability == 0.1));
    CHECK(s.actions[static_cast<std::size_t>(s.action_index("threaten"))].nuclear == 0.2);
    const Action& wait = s.actions[static_cast<std::size_t>(s.action_index("wait"))];
    CHECK((wait.nuclear == 0.0 && wait.jumps.empty()));
    CHECK(s.events[0].nuclear == -0.3);

    // Modes: file order, propensities by menu position (red: wait talk threaten mobilise attack agree).
    CHECK(s.leaders[0].modes.empty());
    const std::vector<Mode>& modes = s.leaders[1].modes;
    REQUIRE(modes.size() == 3);
    CHECK((modes[0].id == "coerce" && modes[1].id == "decided" && modes[2].id == "talks"));
    CHECK(modes[0].propensity == std::vector<double>{0, 0, 0.2, 0, 0, 0});
    CHECK(modes[1].propensity == std::vector<double>{0, 0, 0, 0.5, 1.0, 0});
    CHECK(modes[2].propensity == std::vector<double>{0, 0.3, 0, 0, 0, 0});
    CHECK((!modes[0].enterable && modes[1].enterable && modes[2].enterable));
    CHECK(modes[1].intercept == -3.0);
    CHECK(same_weights(modes[1].slopes, {{readiness, 2.5}, {trust, -1.0}}));
    CHECK(modes[1].rung_slope == 0.4);
    CHECK((modes[2].intercept == 0.0 && modes[2].rung_slope == 0.0));  // defaults
    CHECK(same_weights(modes[2].slopes, {{channel, 1.0}}));
    // Priors 3, 1 and (default) 0, normalised by finalize().
    CHECK((modes[0].prior == 0.75 && modes[1].prior == 0.25 && modes[2].prior == 0.0));

    // Commitments, in file order, actions as indices; defaults where not given.
    REQUIRE(s.commitments.size() == 3);
    const Commitment& warning = s.commitments[0];
    CHECK((warning.id == "sanctions_warning" && warning.by == 0));
    CHECK(warning.trigger == actions_named(s, {"attack"}));
    CHECK(warning.response == s.action_index("sanction"));
    CHECK(warning.window == 3);
    CHECK(warning.credibility == 0.7);
    CHECK(warning.learning == 0.2);
    CHECK(warning.audience_cost == 0.4);
    CHECK(warning.declared_by == s.action_index("warn"));
    const Commitment& line = s.commitments[1];
    CHECK((line.id == "red_line" && line.by == 0));
    CHECK(line.trigger == actions_named(s, {"mobilise", "attack"}));
    CHECK(line.response == s.action_index("threaten"));
    CHECK((line.window == 1 && line.credibility == 0.5 && line.learning == 0.3 && line.audience_cost == 0.0));
    CHECK(line.declared_by == -1);  // standing
    const Commitment& retaliation = s.commitments[2];
    CHECK((retaliation.id == "retaliation" && retaliation.by == 1));
    CHECK(retaliation.trigger == actions_named(s, {"sanction"}));
    CHECK((retaliation.window == 2 && retaliation.credibility == 0.0));

    // Outcomes.
    CHECK(s.outcomes.war_rung == 3);
    CHECK(s.outcomes.nuclear_escalation_level == 2);
}

TEST_CASE("a version-1 scenario gets the version-2 defaults (every mechanism off)", "[loader][v2]") {
    const Scenario s = load_scenario("tests/data/scenarios/small.yaml").scenario;
    for (const Leader& l : s.leaders) {
        CHECK(l.traits.foresight == 1);
        CHECK(l.traits.discount == 0.9);
        CHECK(l.modes.empty());
    }
    CHECK(s.state_weights.empty());
    CHECK_FALSE(s.nuclear.present());
    CHECK(s.commitments.empty());
    for (const Action& a : s.actions) CHECK((a.nuclear == 0.0 && a.jumps.empty()));
    for (const Event& e : s.events) CHECK(e.nuclear == 0.0);
    CHECK(s.outcomes.war_rung == -1);
    CHECK(s.outcomes.nuclear_escalation_level == -1);
}

TEST_CASE("command-line overrides (--set) reach the version-2 fields", "[loader][v2]") {
    const std::string v2 = "tests/data/scenarios/small-v2.yaml";
    const Scenario s = load_scenario(v2, {"leaders.blue.traits.foresight=5", "leaders.red.traits.discount=0.5",
                                          "commitments.sanctions_warning.credibility=0", "commitments.red_line.window=4",
                                          "commitments.red_line.declared_by=warn", "commitments.retaliation.audience_cost=2",
                                          "actions.attack.jumps.1.probability=0.25", "actions.attack.nuclear=-1",
                                          "events.incident.nuclear=0.7", "nuclear.step.up_threshold=2.5",
                                          "nuclear.rung_pressure.war=0.1", "nuclear.levels.2.war_cost=30",
                                          "nuclear.initial_level=alert", "leaders.red.modes.decided.enter.intercept=-1",
                                          "leaders.red.modes.talks.propensity.agree=0.6", "ladder.step.state_weights.trust=-0.9",
                                          "ladder.step.state_weights.channel=0.2", "outcomes.war_rung=buildup"})
                             .scenario;
    CHECK(s.leaders[0].traits.foresight == 5);
    CHECK(s.leaders[1].traits.discount == 0.5);
    CHECK(s.commitments[0].credibility == 0.0);
    CHECK(s.commitments[1].window == 4);
    CHECK(s.commitments[1].declared_by == s.action_index("warn"));
    CHECK(s.commitments[2].audience_cost == 2.0);
    const Action& attack = s.actions[static_cast<std::size_t>(s.action_index("attack"))];
    CHECK(attack.jumps[1].probability == 0.25);
    CHECK(attack.nuclear == -1.0);
    CHECK(s.events[0].nuclear == 0.7);
    CHECK(s.nuclear.step.up_threshold == 2.5);
    CHECK(s.nuclear.rung_pressure[3] == 0.1);
    CHECK(s.nuclear.levels[2].war_cost == 30.0);
    CHECK(s.nuclear.initial_level == 1);
    CHECK(s.leaders[1].modes[1].intercept == -1.0);
    CHECK(s.leaders[1].modes[2].propensity[5] == 0.6);
    CHECK(same_weights(s.state_weights, {{3, -0.9}, {4, 0.3}, {1, 0.2}}));  // a new key goes last
    CHECK(s.outcomes.war_rung == 2);

    // A version-1 scenario takes a version-2 field from the command line.
    CHECK(load_scenario("tests/data/scenarios/small.yaml", {"leaders.red.traits.foresight=4"}).scenario.leaders[1].traits.foresight == 4);
}

TEST_CASE("extends merges the version-2 maps by key and replaces their lists", "[loader][v2][extends]") {
    const fs::path d = temp_dir("extends-v2");
    fs::copy_file("tests/data/scenarios/small-v2.yaml", d / "base.yaml");
    write(d / "child.yaml", R"(extends: base.yaml
leaders:
  red:
    traits: {foresight: 4}
    modes:
      decided: {prior: 5}
      resigned: {propensity: {agree: 1}, enter: {intercept: -6}}
commitments:
  red_line: {credibility: 0.9}
  counter: {by: red, trigger: [warn], response: threaten}
nuclear:
  rung_pressure: {buildup: 0.3}
actions:
  attack: {jumps: [{to: clash, probability: 0.2}]}
)");
    const Scenario s = load_scenario((d / "child.yaml").string()).scenario;
    CHECK(s.leaders[1].traits.foresight == 4);
    CHECK(s.leaders[1].traits.rationality == 20.0);  // kept from the base
    const std::vector<Mode>& modes = s.leaders[1].modes;
    REQUIRE(modes.size() == 4);
    CHECK((modes[0].id == "coerce" && modes[1].id == "decided" && modes[2].id == "talks" && modes[3].id == "resigned"));
    CHECK(modes[1].propensity == std::vector<double>{0, 0, 0, 0.5, 1.0, 0});  // kept; only the prior changed
    CHECK(modes[1].intercept == -3.0);
    CHECK((modes[0].prior == 3.0 / 8 && modes[1].prior == 5.0 / 8));
    CHECK(modes[3].propensity == std::vector<double>{0, 0, 0, 0, 0, 1});
    REQUIRE(s.commitments.size() == 4);
    CHECK((s.commitments[1].id == "red_line" && s.commitments[1].credibility == 0.9));
    CHECK(s.commitments[1].trigger.size() == 2);  // kept from the base
    CHECK((s.commitments[3].id == "counter" && s.commitments[3].by == 1));
    CHECK(s.nuclear.rung_pressure == std::vector<double>{0, 0, 0.3, 0.8, 1.2, 0});
    const Action& attack = s.actions[static_cast<std::size_t>(s.action_index("attack"))];
    REQUIRE(attack.jumps.size() == 1);  // a list replaces whole
    CHECK((attack.jumps[0].to == 4 && attack.jumps[0].probability == 0.2));
    CHECK(attack.nuclear == 0.5);  // the rest of the action kept
    fs::remove_all(d);
}
