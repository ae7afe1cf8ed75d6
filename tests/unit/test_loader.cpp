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
