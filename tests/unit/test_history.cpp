// The history room (docs/timelines.md): calendar arithmetic, runs paused and continued,
// claims followed through runs, odds given observations (sequential Monte Carlo)
// against plain filtering, and the scores on hand-worked cases.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "brink/calendar.hpp"
#include "brink/history.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;

namespace {

constexpr int kStart = 18978;  // 2021-12-17

Scenario small_world() {
    return load_scenario("tests/data/scenarios/small.yaml", {"run.start_date=2021-12-17"}).scenario;
}

Claim move_claim(const Scenario& s, int leader, const std::string& action, int first, int last) {
    Claim c;
    c.kind = Claim::Kind::move;
    c.leader = leader;
    c.index = s.action_index(action);
    REQUIRE(c.index >= 0);
    c.first_tick = first;
    c.last_tick = last;
    c.first_day = tick_date(kStart, s.tick_days, first);
    c.last_day = tick_date(kStart, s.tick_days, last);
    return c;
}

Claim rung_claim(const Scenario& s, int rung, bool reached, int by) {
    Claim c;
    c.kind = Claim::Kind::rung;
    c.index = rung;
    c.reached = reached;
    c.first_tick = 0;
    c.last_tick = by;
    c.first_day = kStart;
    c.last_day = tick_date(kStart, s.tick_days, by);
    return c;
}

/// Plain Monte Carlo: each run played whole (as brink run plays it), its claims followed.
std::vector<std::vector<Verdict>> plain_verdicts(const Scenario& s, const std::vector<const Claim*>& claims, int runs,
                                                 std::uint64_t seed) {
    ClaimTracker tracker(s, claims);
    WorkspaceHandle ws;
    std::vector<std::vector<Verdict>> out(static_cast<std::size_t>(runs));
    for (int r = 0; r < runs; ++r) {
        RunSnapshot run;
        start_snapshot(s, run, ws);
        tracker.attach(run, out[static_cast<std::size_t>(r)]);
        continue_run(s, run, s.horizon, seed, static_cast<std::uint64_t>(r), ws, &tracker);
        tracker.settle(run);
    }
    return out;
}

double z_of(double p1, double n1, double p2, double n2) {
    const double se = std::sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    return se > 0 ? (p1 - p2) / se : 0.0;
}

}  // namespace

TEST_CASE("calendar: ISO dates, and the tick that covers a day", "[history][calendar]") {
    CHECK(parse_date("2021-12-17") == kStart);
    CHECK(parse_date("1970-01-01") == 0);
    CHECK(parse_date("2024-02-29").has_value());
    CHECK_FALSE(parse_date("2022-02-29").has_value());
    CHECK_FALSE(parse_date("2022-02-30").has_value());
    CHECK_FALSE(parse_date("2022-2-3").has_value());
    CHECK_FALSE(parse_date("2022-02-03x").has_value());
    CHECK_FALSE(parse_date("2022/02/03").has_value());
    CHECK(format_date(kStart) == "2021-12-17");
    CHECK(format_date(*parse_date("2022-02-24")) == "2022-02-24");
    // Tick t's date is the last day it covers: 10 weeks after 17 Dec 2021 is 25 Feb 2022.
    CHECK(format_date(tick_date(kStart, 7.0, 10)) == "2022-02-25");
    CHECK(tick_covering(kStart, 7.0, kStart) == 0);
    CHECK(tick_covering(kStart, 7.0, kStart + 1) == 1);
    CHECK(tick_covering(kStart, 7.0, kStart + 7) == 1);
    CHECK(tick_covering(kStart, 7.0, kStart + 8) == 2);
    CHECK(tick_covering(kStart, 7.0, *parse_date("2022-02-24")) == 10);
    CHECK(tick_covering(kStart, 7.0, kStart - 1) == -1);
    // Fractional ticks, longer and shorter than a day: every day is covered by the first
    // tick whose rounded date reaches it.
    for (const double days : {2.5, 0.3, 1.0 / 7.0}) {
        INFO("tick_days " << days);
        for (int day = kStart; day < kStart + 60; ++day) {
            const int t = tick_covering(kStart, days, day);
            CHECK(tick_date(kStart, days, t) >= day);
            if (t > 0) CHECK(tick_date(kStart, days, t - 1) < day);
        }
    }
}

TEST_CASE("a run continued from tick 0 in one piece is simulate()'s run, bit for bit", "[history][snapshot]") {
    const Scenario s = load_scenario("scenarios/baseline.yaml").scenario;
    WorkspaceHandle ws;
    for (std::uint64_t id = 0; id < 60; ++id) {
        const RunResult plain = simulate(s, id, 7, nullptr);
        RunSnapshot run;
        start_snapshot(s, run, ws);
        continue_run(s, run, s.horizon, 7, id, ws);
        INFO("run " << id);
        CHECK(run.result.outcome == plain.outcome);
        CHECK(run.result.end_tick == plain.end_tick);
        CHECK(run.result.first_tick_at_rung == plain.first_tick_at_rung);
        CHECK(run.result.final_state == plain.final_state);
        CHECK(run.result.action_counts == plain.action_counts);
        CHECK(run.result.final_credibility == plain.final_credibility);
    }
}

TEST_CASE("a run paused and continued with the same key ends like one played through", "[history][snapshot]") {
    // Continuing in pieces keys the streams anew at each piece, so the draws differ; but a
    // run paused at tick 5, copied and continued twice with the same key is the same run twice.
    const Scenario s = load_scenario("scenarios/baseline.yaml").scenario;
    WorkspaceHandle ws;
    RunSnapshot run;
    start_snapshot(s, run, ws);
    continue_run(s, run, 5, 3, 11, ws);
    CHECK(run.tick == 5);
    RunSnapshot a = run, b = run;
    continue_run(s, a, s.horizon, 3, 12, ws);
    continue_run(s, b, s.horizon, 3, 12, ws);
    CHECK(a.result.final_state == b.result.final_state);
    CHECK(a.result.end_tick == b.result.end_tick);
    RunSnapshot c = run;
    continue_run(s, c, s.horizon, 3, 13, ws);
    CHECK(c.result.final_state != a.result.final_state);  // another key, another branch
}

TEST_CASE("a branch draws from its own streams: a continuation never replays its origin's draws", "[history][snapshot][random]") {
    // A 41-rung ladder with a constant pressure 0 from rung 20: P(up) = P(down) = sig(-1)
    // at every rung, so each tick's rung step is a function of that tick's ladder uniform
    // alone, and 20 ticks never reach either end. A run continued after tick 8 with the
    // same seed and key draws from branch 8 (docs/model.md, "Random numbers"); were it
    // branch 0, its steps at ticks 9..20 would be the run's own steps at ticks 1..12.
    using brink::test::make_world;
    using brink::test::pressure_action;
    Scenario s = make_world(41, {pressure_action("hold", 0.0)}, {0});
    s.initial_rung = 20;
    finalize(s);
    struct Steps : TickObserver {
        std::vector<int> by_tick;
        void on_tick(const TickView& v) override { by_tick.push_back(v.rung - v.rung_before); }
    };
    WorkspaceHandle ws;
    int replayed = 0, moving = 0;
    for (std::uint64_t id = 0; id < 40; ++id) {
        Steps whole;
        RunSnapshot run;
        start_snapshot(s, run, ws);
        continue_run(s, run, s.horizon, 5, id, ws, &whole);
        REQUIRE(whole.by_tick.size() == 20);
        RunSnapshot paused;
        start_snapshot(s, paused, ws);
        continue_run(s, paused, 8, 5, id, ws);
        Steps branch;
        continue_run(s, paused, s.horizon, 5, id, ws, &branch);
        REQUIRE(branch.by_tick.size() == 12);
        bool same = true;
        for (std::size_t t = 0; t < 12; ++t) same = same && branch.by_tick[t] == whole.by_tick[t];
        replayed += same;
        for (const int step : whole.by_tick) moving += step != 0;
    }
    // Under independent streams, 12 steps (each -1, 0, +1 with probabilities 0.27, 0.46,
    // 0.27) repeat another run's by chance with probability about 0.36^12 < 1e-5 per run.
    CHECK(moving > 100);
    CHECK(replayed == 0);
}

TEST_CASE("claims: moves in a window, rungs by a date, variables at a date, outcomes", "[history][claims]") {
    const Scenario s = small_world();
    // Follow one run by hand (its ticks recorded) and check every verdict against the record.
    struct Record : TickObserver {
        std::vector<int> red, rung;
        std::vector<double> tension;
        void on_tick(const TickView& v) override {
            red.push_back(v.leaders[1].chosen);
            rung.push_back(v.rung);
            tension.push_back(v.state[0]);
        }
    };
    const int tension = s.variable_index("tension");
    REQUIRE(tension == 0);
    for (std::uint64_t id = 0; id < 40; ++id) {
        Record rec;
        const RunResult r = simulate(s, id, 5, &rec);
        const int threaten = s.action_index("threaten");
        Claim move = move_claim(s, 1, "threaten", 2, 4);
        Claim reached = rung_claim(s, 3, true, 6), not_reached = rung_claim(s, 3, false, 6);
        Claim var;
        var.kind = Claim::Kind::variable, var.index = tension, var.min = 0.2, var.max = 0.6, var.last_tick = 3;
        Claim ended;
        ended.kind = Claim::Kind::outcome, ended.outcome = Outcome::deescalation, ended.last_tick = 8;
        Claim not_ended = ended;
        not_ended.reached = false;
        // Late in the horizon most runs have ended: they are read at their final state.
        Claim late = var, late_any = var;
        late.last_tick = late_any.last_tick = 25;
        late.min = late_any.min = 0.0;
        late.max = 0.3;
        late_any.max = 1.0;
        std::vector<Verdict> verdicts;
        ClaimTracker tracker(s, {&move, &reached, &not_reached, &var, &ended, &late, &late_any, &not_ended});
        RunSnapshot run;
        WorkspaceHandle ws;
        start_snapshot(s, run, ws);
        tracker.attach(run, verdicts);
        continue_run(s, run, s.horizon, 5, id, ws, &tracker);
        tracker.settle(run);
        REQUIRE(run.result.end_tick == r.end_tick);
        const auto played = [&](int t) { return t <= static_cast<int>(rec.red.size()) && rec.red[static_cast<std::size_t>(t - 1)] == threaten; };
        const bool moved = played(2) || played(3) || played(4);
        bool high = s.initial_rung >= 3;
        for (int t = 1; t <= 6 && t <= static_cast<int>(rec.rung.size()); ++t) high = high || rec.rung[static_cast<std::size_t>(t - 1)] >= 3;
        const int at3 = std::min(3, static_cast<int>(rec.tension.size()));
        const double v = rec.tension[static_cast<std::size_t>(at3 - 1)];
        INFO("run " << id << " ended at " << r.end_tick);
        CHECK(verdicts[0] == (moved ? Verdict::holds : Verdict::fails));
        CHECK(verdicts[1] == (high ? Verdict::holds : Verdict::fails));
        CHECK(verdicts[2] == (high ? Verdict::fails : Verdict::holds));
        CHECK(verdicts[3] == (v >= 0.2 && v <= 0.6 ? Verdict::holds : Verdict::fails));
        CHECK(verdicts[4] == (r.outcome == Outcome::deescalation && r.end_tick <= 8 ? Verdict::holds : Verdict::fails));
        const double at25 = rec.tension[static_cast<std::size_t>(std::min(25, static_cast<int>(rec.tension.size())) - 1)];
        CHECK(verdicts[5] == (at25 <= 0.3 ? Verdict::holds : Verdict::fails));
        CHECK(verdicts[6] == Verdict::holds);
        CHECK(verdicts[7] == (r.outcome == Outcome::deescalation && r.end_tick <= 8 ? Verdict::fails : Verdict::holds));
    }
}

TEST_CASE("odds given an observation agree with plain runs filtered on it", "[history][condition]") {
    // The observation (red threatens in weeks 1-2) has moderate probability and moves the
    // question (the crisis rung by week 4): a conditioner that ignored it would be off by
    // many standard errors, which the test checks first.
    const Scenario s = small_world();
    Timeline t;
    t.observations.push_back(Observation{"threat", "", "test", move_claim(s, 1, "threaten", 1, 2), "test"});
    Question q;
    q.id = "crisis";
    q.claim = rung_claim(s, 3, true, 4);
    t.questions.push_back(q);

    const int runs = 40000;
    const auto verdicts = plain_verdicts(s, {&t.observations[0].claim, &t.questions[0].claim}, runs, 99);
    double held = 0, both = 0, question = 0;
    for (const auto& v : verdicts) {
        held += v[0] == Verdict::holds;
        both += v[0] == Verdict::holds && v[1] == Verdict::holds;
        question += v[1] == Verdict::holds;
    }
    const double p_obs = held / runs, filtered = both / held, unconditional = question / runs;
    INFO("P(observation) " << p_obs << ", P(question) " << unconditional << ", filtered " << filtered);
    REQUIRE(p_obs > 0.1);
    REQUIRE(p_obs < 0.9);
    REQUIRE(std::abs(z_of(filtered, held, unconditional, runs)) > 8.0);  // the observation matters

    ConditionPlan plan;
    plan.particles = 20000;
    plan.seed = 4;
    const OddsAsOf odds = odds_as_of(s, t, t.observations[0].claim.last_day, plan);
    REQUIRE(odds.stages.size() == 1);
    CHECK(odds.stages[0].survivors >= plan.particles / 4);
    // Conservative: the interval is taken at the ESS; the test at the particle count.
    const double conditioned = odds.questions[0].probability;
    INFO("conditioned " << conditioned << " ESS " << odds.ess);
    CHECK(std::abs(z_of(conditioned, odds.ess, filtered, held)) < 4.0);
    CHECK(odds.questions[0].interval.low <= filtered + 4 * std::sqrt(filtered * (1 - filtered) / held));
    CHECK(odds.questions[0].interval.high >= filtered - 4 * std::sqrt(filtered * (1 - filtered) / held));
}

TEST_CASE("branching from tick 0 reproduces brink run's distribution", "[history][condition]") {
    const Scenario s = small_world();
    Timeline none;
    ConditionPlan plan;
    plan.particles = 20000;
    const OddsAsOf odds = odds_as_of(s, none, kStart, plan);
    CHECK(odds.stages.empty());
    CHECK(odds.ess == 20000.0);
    std::array<double, kOutcomeCount> plain{};
    WorkspaceHandle ws;
    RunResult r;
    for (std::uint64_t id = 0; id < 20000; ++id) {
        simulate(s, id, 1234, r, ws);
        plain[static_cast<std::size_t>(r.outcome)] += 1.0 / 20000;
    }
    for (int k = 0; k < kOutcomeCount; ++k) {
        INFO(outcome_name(static_cast<Outcome>(k)));
        const double p = odds.outcomes[static_cast<std::size_t>(k)].probability;
        CHECK(std::abs(z_of(p, 20000, plain[static_cast<std::size_t>(k)], 20000)) < 4.0);
        // Unconditioned, the interval is Wilson's on the run count.
        CHECK(odds.outcomes[static_cast<std::size_t>(k)].interval.low ==
              Approx(wilson(static_cast<std::uint64_t>(std::llround(p * 20000)), 20000).low).margin(1e-12));
    }
}

TEST_CASE("conditioned odds are identical on 1 and 2 threads", "[history][condition]") {
    const Scenario s = small_world();
    Timeline t;
    t.observations.push_back(Observation{"threat", "", "test", move_claim(s, 1, "threaten", 1, 2), "test"});
    t.observations.push_back(Observation{"calm", "", "test", rung_claim(s, 4, false, 5), "test"});
    Question q;
    q.claim = rung_claim(s, 3, true, 10);
    t.questions.push_back(q);
    ConditionPlan plan;
    plan.particles = 3000;
    plan.threads = 1;
    const OddsAsOf one = odds_as_of(s, t, tick_date(kStart, 7, 6), plan);
    plan.threads = 2;
    const OddsAsOf two = odds_as_of(s, t, tick_date(kStart, 7, 6), plan);
    REQUIRE(one.stages.size() == 2);
    for (std::size_t k = 0; k < 2; ++k) CHECK(one.stages[k].survivors == two.stages[k].survivors);
    for (int k = 0; k < kOutcomeCount; ++k)
        CHECK(one.outcomes[static_cast<std::size_t>(k)].probability == two.outcomes[static_cast<std::size_t>(k)].probability);
    CHECK(one.questions[0].probability == two.questions[0].probability);
}

TEST_CASE("an observation no run satisfies is named, and nothing divides by zero", "[history][condition]") {
    const Scenario s = small_world();
    Timeline t;
    // The run starts at rung 2 (buildup): "buildup never reached" is false in every run.
    t.observations.push_back(Observation{"never_buildup", "", "test", rung_claim(s, 2, false, 3), "timeline.yaml:7:5"});
    t.observations.back().claim.describe = "rung buildup not reached by 2022-01-07";
    ConditionPlan plan;
    plan.particles = 200;
    plan.max_rounds = 3;
    try {
        odds_as_of(s, t, tick_date(kStart, 7, 3), plan);
        FAIL("expected a ConditionError");
    } catch (const ConditionError& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Catch::Contains("never_buildup (timeline.yaml:7:5)"));
        CHECK_THAT(m, Catch::Contains("after 600 continuations"));
    }
}

TEST_CASE("scores on hand-worked cases", "[history][scores]") {
    CHECK(brier_score(0.7, true) == Approx(0.09));
    CHECK(brier_score(0.7, false) == Approx(0.49));
    CHECK(brier_score(1.0, true) == 0.0);
    CHECK(log_score(0.7, true) == Approx(-std::log(0.7)));
    CHECK(log_score(0.7, false) == Approx(-std::log(0.3)));
    CHECK(log_score(0.0, true) == Approx(-std::log(1e-4)));  // clipped, never infinite
    CHECK(log_score(1.0, true) == Approx(-std::log(1 - 1e-4)));
    std::vector<ScoredForecast> f(4);
    f[0].probability = 0.05, f[0].resolution = false;
    f[1].probability = 0.15, f[1].resolution = true;
    f[2].probability = 0.95, f[2].resolution = true;
    f[3].probability = 1.0, f[3].resolution = false;
    const auto bins = reliability(f, 10);
    REQUIRE(bins.size() == 10);
    CHECK(bins[0].count == 1);
    CHECK(bins[0].frequency == 0.0);
    CHECK(bins[1].count == 1);
    CHECK(bins[1].frequency == 1.0);
    CHECK(bins[9].count == 2);  // 0.95 and 1.0 (the last bin is closed)
    CHECK(bins[9].mean_probability == Approx(0.975));
    CHECK(bins[9].frequency == 0.5);
}

// ---------------------------------------------------------------- the timeline loader

namespace {

std::string good_timeline() {
    std::ifstream in("tests/data/timelines/small.yaml");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The message of loading `text` (written to a file) against the small world; "" if it loads.
std::string timeline_error(const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() / "brink-timeline-test.yaml").string();
    std::ofstream(path) << text;
    try {
        load_timeline(path, small_world());
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the test timeline loads with its dates as ticks", "[history][timeline]") {
    const Timeline t = load_timeline("tests/data/timelines/small.yaml", small_world());
    REQUIRE(t.observations.size() == 3);
    REQUIRE(t.questions.size() == 2);
    const Claim& move = t.observations[0].claim;
    CHECK(move.kind == Claim::Kind::move);
    CHECK(move.leader == 1);
    CHECK(move.first_tick == 1);  // 18 Dec is the day after the start: tick 1
    CHECK(move.last_tick == 2);   // 31 Dec is in tick 2 (25-31 Dec)
    CHECK(t.observations[1].claim.reached == false);
    CHECK(t.observations[1].claim.last_tick == 4);
    CHECK(t.observations[2].claim.last_tick == 3);
    const Question& q = t.questions[0];
    CHECK(q.resolution == false);
    CHECK(q.resolved_day == *parse_date("2022-02-01"));
    CHECK(q.asked_day == kStart);
    REQUIRE(q.forecasts.size() == 2);
    CHECK(q.forecasts[0].probability == 0.2);
    CHECK(t.questions[1].asked_day == *parse_date("2021-12-24"));
    CHECK(t.questions[1].claim.outcome == Outcome::deescalation);
}

TEST_CASE("broken timelines are refused with located errors", "[history][timeline][broken]") {
    const std::string good = good_timeline();
    REQUIRE(timeline_error(good).empty());
    struct Case {
        std::string from, to, expected;
    };
    const std::vector<Case> cases = {
        {"move: threaten", "move: threatn", ":10:11: observations[0].move: unknown action in red's menu 'threatn'; did you mean 'threaten'?"},
        {"move: threaten", "move: sanction", "unknown action in red's menu 'sanction'"},
        {"rung: clash", "rung: clsh", ":15:11: observations[1].rung: unknown rung 'clsh'; did you mean 'clash'?"},
        {"leader: red", "leader: rde", "observations[0].leader: unknown leader 'rde'; did you mean 'red'?"},
        {"from: 2021-12-18", "from: 2021-12-01", ":11:11: observations[0].from: date 2021-12-01 is before the scenario's start date 2021-12-17"},
        {"to: 2021-12-31", "to: 2021-12-17", ":12:9: observations[0].to: the window ends (2021-12-17) before it starts (2021-12-18)"},
        {"by: 2022-01-14", "by: 2023-01-14", "observations[1].by: date 2023-01-14 is after the scenario's last tick (2022-07-15, tick 30)"},
        {"probability: 0.2", "probability: 1.2", "questions[0].forecasts[0].probability: expected a probability in [0, 1], found '1.2'"},
        {"probability: 0.2", "probability: -0.1", "expected a probability in [0, 1], found '-0.1'"},
        {"    resolution: false\n", "", "questions[0].resolution: missing required field 'resolution'"},
        {"date: 2022-01-07", "date: 2022-02-30", "observations[2].date: expected a date YYYY-MM-DD, found '2022-02-30'"},
        {"range: [0, 1]", "range: [0.8, 0.2]", "observations[2].range: expected [min, max] with 0 <= min <= max <= 1"},
        {"reached: false", "reachd: false", "observations[1].reachd: unknown key 'reachd'; did you mean 'reached'?"},
        {"id: no_clash", "id: red_threatens", "observations[1].id: duplicate id 'red_threatens'"},
        {"    source: test fixture\n    rung: clash", "    rung: clash", "observations[1].source: missing required field 'source'"},
        {"    rung: clash\n", "    rung: clash\n    event: shock\n", "expected exactly one of move, event, rung, level, outcome, variable"},
        {"rung: crisis\n    by: 2022-02-01", "rung: crisis\n    date: 2022-02-01", "'date' does not go with this kind of item (expected by)"},
        {"outcome: deescalation", "outcome: frozen_conflict", "expected escalation or deescalation (an outcome that ends a run), found 'frozen_conflict'"},
        {"    rung: clash\n", "    level: clash\n", "the scenario has no nuclear track"},
        {"asked: 2021-12-24", "asked: 2022-04-01", "questions[1].asked: asked on 2022-04-01, after it resolved (2022-03-01)"},
        {"    from: 2021-12-18\n", "", "a window needs both from and to (found only to)"},
        {"    move: threaten\n", "    move: threaten\n    reached: true\n", "observations[0].reached: 'reached' goes only with rung, level or outcome"},
    };
    for (const Case& c : cases) {
        INFO("replacing '" << c.from << "' with '" << c.to << "'");
        const std::string message = timeline_error(replaced(good, c.from, c.to));
        CHECK_THAT(message, Catch::Contains(c.expected));
        CHECK_THAT(message, Catch::Contains("brink-timeline-test.yaml:"));
    }
    // Without a calendar a scenario cannot be read against dates.
    const std::string path = (std::filesystem::temp_directory_path() / "brink-timeline-test.yaml").string();
    std::ofstream(path) << good;
    const Scenario undated = load_scenario("tests/data/scenarios/small.yaml").scenario;
    CHECK_THROWS_WITH(load_timeline(path, undated), Catch::Contains("the scenario has no calendar"));
}

TEST_CASE("every shipped timeline loads against the scenario it names", "[history][timeline]") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("scenarios/history")) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path().string());
        std::ifstream in(entry.path());
        std::string line, scenario;
        while (std::getline(in, line))
            if (line.rfind("scenario: ", 0) == 0) scenario = line.substr(10);
        REQUIRE_FALSE(scenario.empty());
        const Scenario s = load_scenario((entry.path().parent_path() / scenario).string()).scenario;
        try {
            const Timeline t = load_timeline(entry.path().string(), s);
            CHECK(t.observations.size() >= 5);
            CHECK(t.questions.size() >= 5);
            for (const Question& q : t.questions)
                for (const PublishedForecast& f : q.forecasts) CHECK_FALSE(f.source.empty());
        } catch (const ScenarioError& e) {
            FAIL(e.what());
        }
        ++count;
    }
    CHECK(count >= 1);
}

TEST_CASE("each rung's history (first and last tick, ticks spent) agrees with the run's ticks", "[history][runs]") {
    const Scenario s = load_scenario("scenarios/baseline.yaml").scenario;
    struct Rungs : TickObserver {
        std::vector<int> rung;
        void on_start(const double*, int r) override { rung.assign(1, r); }
        void on_tick(const TickView& v) override { rung.push_back(v.rung); }
    };
    for (std::uint64_t id = 0; id < 50; ++id) {
        Rungs rec;
        const RunResult r = simulate(s, id, 17, &rec);
        INFO("run " << id);
        int total = 0;
        for (int g = 0; g < s.rung_count(); ++g) {
            int first = -1, last = -1, spent = 0;
            for (std::size_t t = 0; t < rec.rung.size(); ++t)
                if (rec.rung[t] == g) {
                    if (first < 0) first = static_cast<int>(t);
                    last = static_cast<int>(t);
                    spent += t > 0 ? 1 : 0;
                }
            CHECK(r.first_tick_at_rung[static_cast<std::size_t>(g)] == first);
            CHECK(r.last_tick_at_rung[static_cast<std::size_t>(g)] == last);
            CHECK(r.ticks_at_rung[static_cast<std::size_t>(g)] == spent);
            total += r.ticks_at_rung[static_cast<std::size_t>(g)];
        }
        CHECK(total == r.end_tick);
    }
}
