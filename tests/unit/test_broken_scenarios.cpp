// The broken-scenario corpus: every file in tests/data/broken/ (and a few cases
// written here to a temp dir: binary data, huge or deeply nested files, a directory)
// must be refused with a diagnostic that names the exact file, line, column and field
// path, and says what is wrong. tests/data/broken/README.md lists the cases.
//
// Cases tagged [regression] pin fixes of loader bugs: the comment above each says what the
// loader used to report, so a return of the old behaviour is recognised.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "brink/scenario.hpp"

using brink::Diagnostic;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string kDir = "tests/data/broken/";
const std::string kSmall = "tests/data/scenarios/small.yaml";

/// The diagnostics `load_scenario` throws; fails the test if it loads instead.
std::vector<Diagnostic> diagnostics_of(const std::string& path, const std::vector<std::string>& overrides = {}) {
    try {
        brink::load_scenario(path, overrides);
    } catch (const brink::ScenarioError& e) {
        UNSCOPED_INFO("diagnostics:\n" << e.what());
        return e.diagnostics();
    }
    FAIL("'" << path << "' loaded without error; expected a ScenarioError");
    return {};
}

/// Checks one diagnostic field by field (CHECK, so every mismatch is reported).
void expect(const Diagnostic& d, const std::string& file, int line, int column, const std::string& path,
            const std::vector<std::string>& fragments) {
    INFO("diagnostic: " << d.to_string());
    CHECK(d.file == file);
    CHECK(d.line == line);
    CHECK(d.column == column);
    CHECK(d.path == path);
    for (const std::string& f : fragments) CHECK_THAT(d.message, Contains(f));
}

/// The single diagnostic a one-mistake file must produce.
void expect_only(const std::vector<Diagnostic>& ds, const std::string& file, int line, int column,
                 const std::string& path, const std::vector<std::string>& fragments) {
    REQUIRE(ds.size() == 1);
    expect(ds[0], file, line, column, path, fragments);
}

/// A fresh temp directory, removed at the end of the test.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / ("brink-broken-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& bytes) const {
        const fs::path p = path / name;
        std::ofstream(p, std::ios::binary) << bytes;
        return p.string();
    }
};

}  // namespace

// ---------------------------------------------------------------------------
// Unknown keys and names

TEST_CASE("broken: typo'd top-level key suggests the right one", "[loader]") {
    const std::string f = kDir + "typo_top_level_key.yaml";
    expect_only(diagnostics_of(f), f, 21, 1, "perceptoin",
                {"unknown key 'perceptoin'", "did you mean 'perception'?"});
}

TEST_CASE("broken: typo'd nested key suggests the right one", "[loader]") {
    const std::string f = kDir + "typo_nested_key.yaml";
    expect_only(diagnostics_of(f), f, 25, 14, "leaders.blue.traits.rationalty",
                {"unknown key 'rationalty'", "did you mean 'rationality'?"});
}

TEST_CASE("broken: unknown variable in an action's effects", "[loader]") {
    const std::string f = kDir + "unknown_effect_variable.yaml";
    expect_only(diagnostics_of(f), f, 50, 15, "actions.sanction.effects.sanctons",
                {"unknown state variable 'sanctons'", "did you mean 'sanctions'?"});
}

TEST_CASE("broken: unknown action in a menu suggests the right one", "[loader]") {
    const std::string f = kDir + "unknown_menu_action.yaml";
    expect_only(diagnostics_of(f), f, 30, 24, "leaders.blue.menu[2]",
                {"unknown action 'sanctoin'", "did you mean 'sanction'?"});
}

TEST_CASE("broken: menu lists an action whose actor is the other leader", "[loader]") {
    const std::string f = kDir + "menu_action_of_other_leader.yaml";
    expect_only(diagnostics_of(f), f, 30, 44, "leaders.blue.menu[4]",
                {"action 'attack' belongs to 'red' (its actor), not 'blue'"});
}

TEST_CASE("broken: priority for a goal the leader does not have", "[loader]") {
    const std::string f = kDir + "priority_for_unknown_goal.yaml";
    expect_only(diagnostics_of(f), f, 29, 49, "leaders.blue.priorities.prestige",
                {"unknown goal of this leader 'prestige'", "known: stability, pressure"});
}

// Regression: an unknown rung used to become rung 0 and trip the cross-field checks,
// adding two false errors ("the initial rung (2) is already at or above it" and
// "settlement_rung must be below escalation_rung"). Only the real mistake is reported.
TEST_CASE("broken: unknown rung in outcomes (one error, no follow-on errors)", "[loader][regression]") {
    const std::string f = kDir + "unknown_outcome_rung.yaml";
    const auto ds = diagnostics_of(f);
    REQUIRE(!ds.empty());
    expect(ds[0], f, 68, 20, "outcomes.escalation_rung", {"unknown rung 'clahs'", "did you mean 'clash'?"});
    CHECK(ds.size() == 1);
}

// ---------------------------------------------------------------------------
// Wrong types and values out of range

TEST_CASE("broken: a string where a number is expected", "[loader]") {
    const std::string f = kDir + "string_for_number.yaml";
    expect_only(diagnostics_of(f), f, 25, 27, "leaders.blue.traits.rationality",
                {"expected a number in [0, 10000], found 'high'"});
}

TEST_CASE("broken: a list where a map is expected", "[loader]") {
    const std::string f = kDir + "list_for_map.yaml";
    expect_only(diagnostics_of(f), f, 19, 9, "ladder.step", {"expected a map, found a list"});
}

TEST_CASE("broken: probability above 1", "[loader]") {
    const std::string f = kDir + "probability_above_one.yaml";
    expect_only(diagnostics_of(f), f, 66, 22, "events.incident.hazard", {"expected a number in [0, 1], found 1.5"});
}

TEST_CASE("broken: negative horizon", "[loader]") {
    const std::string f = kDir + "negative_horizon.yaml";
    expect_only(diagnostics_of(f), f, 3, 16, "run.horizon", {"expected an integer in [1, 100000], found -5"});
}

TEST_CASE("broken: non-integer horizon", "[loader]") {
    const std::string f = kDir + "fractional_horizon.yaml";
    expect_only(diagnostics_of(f), f, 3, 16, "run.horizon", {"expected an integer in [1, 100000], found 30.5"});
}

// Regression: a number that failed to parse used to be replaced by the range minimum (-100)
// and compared with down_threshold, adding a false "down_threshold (-0.5) must be below
// up_threshold (-100)" error, sorted before the real one.
TEST_CASE("broken: non-numeric threshold (one error, no follow-on errors)", "[loader][regression]") {
    const std::string f = kDir + "threshold_not_a_number.yaml";
    const auto ds = diagnostics_of(f);
    REQUIRE(!ds.empty());
    CHECK(ds.size() == 1);
    const auto real = std::find_if(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.path == "ladder.step.up_threshold"; });
    REQUIRE(real != ds.end());
    expect(*real, f, 19, 42, "ladder.step.up_threshold", {"expected a number in [-100, 100], found 'high'"});
}

// Regression: as for the unknown rung, index 99 used to become rung 0, and two false errors followed.
TEST_CASE("broken: escalation rung outside the ladder (one error, no follow-on errors)", "[loader][regression]") {
    const std::string f = kDir + "escalation_rung_outside_ladder.yaml";
    const auto ds = diagnostics_of(f);
    REQUIRE(!ds.empty());
    expect(ds[0], f, 68, 20, "outcomes.escalation_rung",
           {"expected a rung id or an index in [0, 5], found 99 (outside the ladder)"});
    CHECK(ds.size() == 1);
}

TEST_CASE("broken: settlement rung not below escalation rung", "[loader]") {
    const std::string f = kDir + "settlement_not_below_escalation.yaml";
    expect_only(diagnostics_of(f), f, 69, 20, "outcomes.settlement_rung", {"must be below escalation_rung"});
}

TEST_CASE("broken: down_threshold at or above up_threshold", "[loader]") {
    const std::string f = kDir + "thresholds_inverted.yaml";
    expect_only(diagnostics_of(f), f, 19, 9, "ladder.step",
                {"down_threshold (1.5) must be below up_threshold (1)"});
}

TEST_CASE("broken: a firebreak on the lowest rung", "[loader][firebreak]") {
    const std::string f = kDir + "firebreak_on_lowest_rung.yaml";
    expect_only(diagnostics_of(f), f, 13, 45, "ladder.rungs[0].up_threshold", {"the lowest rung is never stepped up into"});
}

TEST_CASE("broken: a rung's down firebreak not below the up threshold into the rung above", "[loader][firebreak]") {
    const std::string f = kDir + "firebreak_down_not_below_up.yaml";
    expect_only(diagnostics_of(f), f, 16, 7, "ladder.rungs[3]",
                {"at rung 'crisis' the down threshold in force (1.5, this rung's down_threshold) must be below the up "
                 "threshold into 'clash' (1.2, its up_threshold)"});
    // The same through --set: a firebreak into 'clash' below the ladder's down threshold.
    const auto ds = diagnostics_of(kSmall, {"ladder.rungs.4.up_threshold=-0.7"});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].path == "ladder.rungs[3]");
    CHECK_THAT(ds[0].message, Contains("(-0.5, the ladder's) must be below the up threshold into 'clash' (-0.7, its up_threshold)"));
}

TEST_CASE("broken: requires with min above max", "[loader]") {
    const std::string f = kDir + "requires_min_above_max.yaml";
    expect_only(diagnostics_of(f), f, 63, 25, "actions.agree.requires.channel",
                {"min (0.6) is above max (0.3); no state satisfies it"});
}

// ---------------------------------------------------------------------------
// Goals, priorities, leaders

TEST_CASE("broken: priorities all zero", "[loader]") {
    const std::string f = kDir + "priorities_all_zero.yaml";
    expect_only(diagnostics_of(f), f, 29, 17, "leaders.blue.priorities", {"all priorities are zero"});
}

TEST_CASE("broken: a goal with no priority", "[loader]") {
    const std::string f = kDir + "goal_without_priority.yaml";
    expect_only(diagnostics_of(f), f, 29, 17, "leaders.blue.priorities.pressure",
                {"goal 'pressure' has no priority", "add 'pressure: <0..1>'"});
}

TEST_CASE("broken: a leader with no always-feasible action", "[loader]") {
    const std::string f = kDir + "no_always_feasible_action.yaml";
    expect_only(diagnostics_of(f), f, 30, 11, "leaders.blue.menu",
                {"at rung 0 ('calm') no action is sure to be feasible", "without state conditions"});
}

// Regression: the error used to point at 23:3, the key of 'blue' (a valid leader), because a
// block map's position is its first key's. It points at the leader that is one too many
// (39:3, 'green') and names it.
TEST_CASE("broken: three leaders (points at the extra one)", "[loader][regression]") {
    const std::string f = kDir + "three_leaders.yaml";
    expect_only(diagnostics_of(f), f, 39, 3, "leaders.green",
                {"expected exactly 2 leaders (the model is bilateral), found 3", "green"});
}

// ---------------------------------------------------------------------------
// Missing pieces

TEST_CASE("broken: missing required section outcomes", "[loader]") {
    const std::string f = kDir + "missing_outcomes.yaml";
    // Positioned at the top-level map (its first key, `name:` on line 2).
    expect_only(diagnostics_of(f), f, 2, 1, "outcomes", {"missing required section 'outcomes'"});
}

// Regression: the error used to point at 6:5, the key 'channel' (the first variable), which
// read as a complaint about channel. It points at the `variables:` key (5:3).
TEST_CASE("broken: missing tension variable", "[loader][regression]") {
    const std::string f = kDir + "missing_tension_variable.yaml";
    expect_only(diagnostics_of(f), f, 5, 3, "world.variables",
                {"the model needs a variable named 'tension'"});
}

// ---------------------------------------------------------------------------
// extends

TEST_CASE("broken: extends cycle a -> b -> a", "[loader]") {
    const std::string f = kDir + "extends_cycle_a.yaml";
    // Found where the cycle closes: the `extends:` value in b.
    expect_only(diagnostics_of(f), kDir + "extends_cycle_b.yaml", 2, 10, "extends",
                {"extends cycle: extends_cycle_a.yaml -> extends_cycle_b.yaml -> extends_cycle_a.yaml"});
}

TEST_CASE("broken: extends a missing file", "[loader]") {
    const std::string f = kDir + "extends_missing_file.yaml";
    expect_only(diagnostics_of(f), f, 2, 10, "extends",
                {"base scenario 'tests/data/broken/no_such_base.yaml'", "no such file",
                 "extends is relative to the folder of " + f + ": " + fs::absolute(kDir + "no_such_base.yaml").string()});
}

// ---------------------------------------------------------------------------
// YAML syntax and structure

// Regression: this used to be reported at 31:6 (the ':' of `red:` on the next line) as "end of
// sequence flow not found" (yaml-cpp's words). It points at the '[' that is never closed
// (30:11) and says so in plain words.
TEST_CASE("broken: malformed YAML, unclosed bracket", "[loader][regression]") {
    const std::string f = kDir + "unclosed_bracket.yaml";
    expect_only(diagnostics_of(f), f, 30, 11, "", {"malformed YAML", "'['"});
}

// yaml-cpp says "end of map not found" for a tab in the indentation; the loader names the tab.
TEST_CASE("broken: a tab in the indentation", "[loader]") {
    const std::string f = kDir + "tab_indented.yaml";
    expect_only(diagnostics_of(f), f, 24, 1, "", {"malformed YAML", "a tab in the indentation", "spaces only"});
}

// The usual slip after `brink new`: a field uncommented without its parent keys. yaml-cpp's
// "end of map not found" alone does not say what to do.
TEST_CASE("broken: a field uncommented without the keys that hold it", "[loader]") {
    const std::string f = kDir + "orphan_field.yaml";
    expect_only(diagnostics_of(f), f, 7, 9, "", {"end of map not found", "indentation", "uncomment its parent lines too"});
}

TEST_CASE("broken: duplicate key", "[loader]") {
    const std::string f = kDir + "duplicate_key.yaml";
    expect_only(diagnostics_of(f), f, 70, 3, "outcomes.settlement_rung",
                {"duplicate key 'settlement_rung' (first given at line 69)"});
}

TEST_CASE("broken: empty file", "[loader]") {
    const std::string f = kDir + "empty.yaml";
    expect_only(diagnostics_of(f), f, 0, 0, "", {"is empty"});
}

TEST_CASE("broken: comments-only file", "[loader]") {
    const std::string f = kDir + "comments_only.yaml";
    expect_only(diagnostics_of(f), f, 0, 0, "", {"contains no YAML content (only comments or blank lines)"});
}

TEST_CASE("broken: binary file", "[loader]") {
    const TempDir d("binary");
    const std::string f = d.write("binary.yaml", std::string("name: x\n\0\x01\x02\xff\xfe binary", 20));
    expect_only(diagnostics_of(f), f, 0, 0, "", {"looks like a binary file (NUL byte at offset 8)"});
}

TEST_CASE("broken: a directory given as the scenario", "[loader]") {
    const TempDir d("directory");
    const std::string f = (d.path / "scenario.yaml").string();
    fs::create_directory(f);
    expect_only(diagnostics_of(f), f, 0, 0, "", {"is a directory"});
}

TEST_CASE("broken: missing file", "[loader]") {
    const std::string f = kDir + "does_not_exist.yaml";
    expect_only(diagnostics_of(f), f, 0, 0, "", {"cannot open: no such file"});
}

TEST_CASE("broken: file over 16 MiB is refused before parsing", "[loader]") {
    const TempDir d("huge");
    const std::string f = d.write("huge.yaml", "name: huge\n");
    fs::resize_file(f, 17u << 20);  // sparse: cheap to make
    expect_only(diagnostics_of(f), f, 0, 0, "", {"is 17.0 MiB; scenario files are limited to 16 MiB"});
}

TEST_CASE("broken: nesting deeper than the loader allows (balanced, 100 levels)", "[loader]") {
    const TempDir d("nested100");
    const std::string f = d.write("nested.yaml", std::string(100, '[') + std::string(100, ']') + "\n");
    const auto ds = diagnostics_of(f);
    REQUIRE(ds.size() == 1);
    // The 65th '[' opens the node nested one level too deep.
    CHECK(ds[0].file == f);
    CHECK(ds[0].line == 1);
    CHECK(ds[0].column == 66);
    CHECK_THAT(ds[0].message, Contains("nested more than 64 levels deep"));
}

// Regression: 10000 '[' are refused by yaml-cpp's depth guard, which used to be reported as
// "nested too deeply for a scenario (bad file)" at 2:1, past the end of the only line ("bad
// file" is yaml-cpp's generic text and misleads). The position is on line 1, where the nesting is.
TEST_CASE("broken: 10000 nested brackets", "[loader][regression]") {
    const TempDir d("nested10000");
    const std::string f = d.write("nested.yaml", std::string(10000, '[') + "\n");
    const auto ds = diagnostics_of(f);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].file == f);
    CHECK(ds[0].line == 1);
    CHECK(ds[0].column >= 1);
    CHECK_THAT(ds[0].message, Contains("nested"));
    CHECK_THAT(ds[0].message, !Contains("bad file"));
}

// ---------------------------------------------------------------------------
// Version-2 fields (model version 2: foresight, modes, commitments, jumps, nuclear track).
// Each file is a copy of tests/data/scenarios/small-v2.yaml with one mistake, except the
// last two, copies of small.yaml (no nuclear track). One diagnostic each, nothing else.

namespace {

struct Case {
    const char* file;
    int line, column;
    const char* path;
    std::vector<std::string> fragments;
};

const std::vector<Case> kVersion2Cases = {
    {"foresight_not_an_integer", 39, 96, "leaders.blue.traits.foresight", {"expected an integer in [1, 12], found 2.5"}},
    {"discount_zero", 39, 109, "leaders.blue.traits.discount", {"expected a number in [0.01, 1], found 0"}},
    {"single_mode", 53, 5, "leaders.red.modes", {"expected at least 2 modes", "found 1"}},
    {"no_enterable_mode", 53, 5, "leaders.red.modes", {"no mode after the first has 'enter'", "never leaves 'coerce'"}},
    {"propensity_not_in_menu", 58, 37, "leaders.red.modes.decided.propensity.sanction",
     {"action 'sanction' is not in red's menu", "red's menu: wait, talk, threaten, mobilise, attack, agree"}},
    {"unknown_slope_variable", 59, 41, "leaders.red.modes.decided.enter.slopes.readines",
     {"unknown state variable 'readines'", "did you mean 'readiness'?"}},
    {"typo_mode_key", 60, 9, "leaders.red.modes.decided.priro", {"unknown key 'priro'", "did you mean 'prior'?"}},
    {"state_weight_unknown_variable", 25, 34, "ladder.step.state_weights.readyness",
     {"unknown state variable 'readyness'", "did you mean 'readiness'?"}},
    {"commitment_unknown_leader", 87, 9, "commitments.sanctions_warning.by", {"unknown leader 'blu'", "did you mean 'blue'?"}},
    {"commitment_trigger_own_action", 88, 15, "commitments.sanctions_warning.trigger[0]",
     {"action 'sanction' is not in red's menu (a trigger is a move of the committer's opponent)"}},
    {"commitment_empty_trigger", 88, 14, "commitments.sanctions_warning.trigger",
     {"expected a non-empty list of red's actions, found an empty list"}},
    {"commitment_response_not_in_menu", 89, 15, "commitments.sanctions_warning.response",
     {"action 'attack' is not in blue's menu (it is a move of the committer, blue)"}},
    {"commitment_missing_response", 95, 3, "commitments.red_line.response", {"missing required field 'response'"}},
    {"commitment_declared_by_other_leader", 94, 18, "commitments.sanctions_warning.declared_by",
     {"action 'mobilise' is not in blue's menu"}},
    {"commitment_credibility_above_one", 91, 18, "commitments.sanctions_warning.credibility", {"expected a number in [0, 1], found 1.2"}},
    {"commitment_window_zero", 90, 13, "commitments.sanctions_warning.window", {"expected an integer in [1, 1000], found 0"}},
    {"jump_unknown_rung", 78, 18, "actions.attack.jumps[0].to", {"unknown rung 'wr'", "did you mean 'war'?"}},
    {"jump_to_lowest_rung", 78, 18, "actions.attack.jumps[0].to", {"a jump to the lowest rung never happens"}},
    {"jump_missing_probability", 78, 13, "actions.attack.jumps[0].probability", {"missing required field 'probability'"}},
    {"jumps_not_a_list", 78, 12, "actions.attack.jumps", {"expected a list like [{to: conventional_war, probability: 0.6}], found a map"}},
    {"nuclear_one_level", 30, 5, "nuclear.levels", {"expected at least 2 levels, found 1"}},
    {"nuclear_duplicate_level", 31, 7, "nuclear.levels[1].id", {"duplicate level id 'normal'"}},
    {"nuclear_thresholds_inverted", 34, 9, "nuclear.step", {"down_threshold (2.5) must be below up_threshold (2)"}},
    {"nuclear_firebreak_on_lowest_level", 30, 34, "nuclear.levels[0].up_threshold", {"the lowest level is never stepped up into"}},
    {"nuclear_firebreak_down_not_below_up", 31, 7, "nuclear.levels[1]",
     {"at level 'alert' the down threshold in force (4, this level's down_threshold) must be below the up threshold into 'use' "
      "(3.5, its up_threshold)"}},
    {"nuclear_unknown_initial_level", 33, 18, "nuclear.initial_level", {"unknown nuclear level 'alret'", "did you mean 'alert'?"}},
    {"rung_pressure_unknown_rung", 35, 19, "nuclear.rung_pressure.wra", {"unknown rung 'wra'", "did you mean 'war'?"}},
    {"rung_pressure_rung_twice", 35, 29, "nuclear.rung_pressure.3", {"rung 3 ('war') is already given as 'war'"}},
    {"nuclear_escalation_level_unknown", 101, 29, "outcomes.nuclear_escalation_level", {"unknown nuclear level 'uses'", "did you mean 'use'?"}},
    {"nuclear_escalation_level_at_initial", 101, 29, "outcomes.nuclear_escalation_level", {"the initial level is already at or above it"}},
    {"war_rung_not_below_escalation", 100, 13, "outcomes.war_rung", {"must be above settlement_rung and below escalation_rung"}},
    {"nuclear_pressure_without_track", 66, 54, "events.incident.nuclear", {"the scenario has no nuclear track, so this pressure would press on nothing"}},
    {"nuclear_level_without_track", 72, 29, "outcomes.nuclear_escalation_level", {"the scenario has no nuclear track"}},
};

}  // namespace

TEST_CASE("broken: each mistake in a version-2 field gives one located diagnostic", "[loader][v2]") {
    for (const Case& c : kVersion2Cases) {
        DYNAMIC_SECTION(c.file) {
            const std::string f = kDir + c.file + ".yaml";
            expect_only(diagnostics_of(f), f, c.line, c.column, c.path, c.fragments);
        }
    }
}

TEST_CASE("broken: --set on version-2 fields is checked like the file", "[loader][v2]") {
    const std::string v2 = "tests/data/scenarios/small-v2.yaml";
    // "leaders.blue.traits.foresight=" is 30 characters; the value starts at column 31.
    expect_only(diagnostics_of(v2, {"leaders.blue.traits.foresight=13"}), "--set", 1, 31, "leaders.blue.traits.foresight",
                {"expected an integer in [1, 12], found 13"});
    expect_only(diagnostics_of(v2, {"commitments.sanctions_warning.credibility=-0.1"}), "--set", 1, 43,
                "commitments.sanctions_warning.credibility", {"expected a number in [0, 1], found -0.1"});
    expect_only(diagnostics_of(v2, {"commitments.sanctions_warning.respones=sanction"}), "--set", 1, 31,
                "commitments.sanctions_warning.respones", {"unknown key 'respones'", "did you mean 'response'?"});
    expect_only(diagnostics_of(v2, {"commitments.red_line.by=green"}), "--set", 1, 25, "commitments.red_line.by",
                {"unknown leader 'green'"});
    expect_only(diagnostics_of(v2, {"actions.attack.jumps.1.to=calm"}), "--set", 1, 27, "actions.attack.jumps[1].to",
                {"a jump to the lowest rung never happens"});
    // An unknown initial level is not compared with the escalation level (no follow-on error).
    const std::string unknown_initial = kDir + "nuclear_unknown_initial_level.yaml";
    expect_only(diagnostics_of(unknown_initial, {"outcomes.nuclear_escalation_level=0"}), unknown_initial, 33, 18,
                "nuclear.initial_level", {"unknown nuclear level 'alret'"});
    // A version-1 scenario cannot name a nuclear level it does not have.
    expect_only(diagnostics_of(kSmall, {"outcomes.nuclear_escalation_level=1"}), "--set", 1, 35, "outcomes.nuclear_escalation_level",
                {"the scenario has no nuclear track"});
}

TEST_CASE("broken: the version-2 corpus base loads", "[loader][v2]") {
    CHECK_NOTHROW(brink::load_scenario("tests/data/scenarios/small-v2.yaml"));
}

// ---------------------------------------------------------------------------
// --set overrides (applied to the valid small scenario)

TEST_CASE("broken: --set with a bad value", "[loader]") {
    // "leaders.blue.traits.rationality=" is 32 characters; the value starts at column 33.
    expect_only(diagnostics_of(kSmall, {"leaders.blue.traits.rationality=abc"}), "--set", 1, 33,
                "leaders.blue.traits.rationality", {"expected a number in [0, 10000], found 'abc'"});
}

// Regression (column only): keys created by --set used to get the value's column (32, the '5')
// while the message is about the key 'rationalty', which starts at column 21.
TEST_CASE("broken: --set with a typo'd key", "[loader][regression]") {
    expect_only(diagnostics_of(kSmall, {"leaders.blue.traits.rationalty=5"}), "--set", 1, 21,
                "leaders.blue.traits.rationalty", {"unknown key 'rationalty'", "did you mean 'rationality'?"});
}

// Regression: a typo in the leader id used to create a third leader 'bleu' silently, and the
// error was blamed on the scenario file (small.yaml:23:3 "expected exactly 2 leaders ... found
// 3") without mentioning --set or 'bleu'. It is reported against --set, at 'bleu' (column 9).
TEST_CASE("broken: --set with a typo'd leader id", "[loader][regression]") {
    const auto ds = diagnostics_of(kSmall, {"leaders.bleu.traits.rationality=5"});
    REQUIRE(ds.size() == 1);
    expect(ds[0], "--set", 1, 9, "leaders.bleu", {"bleu"});
}

// ---------------------------------------------------------------------------
// Many mistakes: all reported in one pass, in file order

TEST_CASE("broken: several mistakes are all reported, in file order", "[loader]") {
    const std::string f = kDir + "several_mistakes.yaml";
    const auto ds = diagnostics_of(f);
    REQUIRE(ds.size() == 7);
    expect(ds[0], f, 3, 16, "run.horizon", {"expected an integer in [1, 100000], found -1"});
    expect(ds[1], f, 14, 31, "ladder.rungs[1].war_cost", {"expected a number in [0, 1000], found -0.05"});
    expect(ds[2], f, 25, 14, "leaders.blue.traits.rationalty", {"unknown key 'rationalty'", "did you mean 'rationality'?"});
    expect(ds[3], f, 30, 24, "leaders.blue.menu[2]", {"unknown action 'sanctoin'", "did you mean 'sanction'?"});
    expect(ds[4], f, 46, 55, "actions.talk.effects.trust", {"expected a number in [-1, 1], found 3"});
    expect(ds[5], f, 66, 22, "events.incident.hazard", {"expected a number in [0, 1], found 1.5"});
    expect(ds[6], f, 71, 21, "outcomes.settlement_ticks", {"expected an integer in [1, 100000], found 0"});
}

TEST_CASE("broken: the corpus is only broken where intended (base file loads)", "[loader]") {
    // Every file in tests/data/broken/ is a copy of this one with one mistake.
    CHECK_NOTHROW(brink::load_scenario(kSmall));
}
