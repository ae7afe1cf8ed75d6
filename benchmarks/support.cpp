#include "support.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>

namespace brink::bench {

namespace {
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

Timing best_of(int reps, const std::function<void()>& f) {
    Timing best{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    for (int r = 0; r < std::max(1, reps); ++r) {
        const double c0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const auto t1 = std::chrono::steady_clock::now();
        const double c1 = cpu_seconds();
        best.wall = std::min(best.wall, std::chrono::duration<double>(t1 - t0).count());
        best.cpu = std::min(best.cpu, c1 - c0);
    }
    return best;
}

namespace {
volatile double g_sink = 0.0;
inline std::size_t at(int i) { return static_cast<std::size_t>(i); }
inline double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
inline double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }
}  // namespace

void keep(double value) { g_sink = g_sink + value; }

// ---------------------------------------------------------------------------

std::vector<RecordedRun> record_runs(const Scenario& s, std::uint64_t seed, std::size_t count, int ticks,
                                     std::uint64_t max_tries) {
    std::vector<RecordedRun> runs;
    WorkspaceHandle handle;
    Workspace& ws = handle.get();
    RunResult result;
    TickView view;  // only events_fired is used
    const std::size_t words = (s.events.size() + 63) / 64;
    for (std::uint64_t id = 0; id < max_tries && runs.size() < count; ++id) {
        RecordedRun rec;
        rec.run_id = id;
        tick::RunState rs;
        tick::start(s, id, seed, ws, result, rs);
        for (int t = 1; t <= s.horizon; ++t) {
            rs.tick = t;
            const double tension_before = ws.state[at(s.tension)];
            tick::begin(s, ws, rs, result);
            const tick::Moves moves = tick::decide(s, ws, rs, nullptr);
            double nuclear_pressure = 0.0;
            const double pressure = tick::update_state(s, ws, rs, moves, &view, nuclear_pressure);
            tick::step_ladder(s, ws, rs, moves, pressure, nuclear_pressure, tension_before, result, nullptr);
            tick::update_commitments(s, ws, rs, moves, result, nullptr);
            TickRecord tr;
            tr.moves = moves;
            tr.fired.assign(words, 0);
            for (const int e : view.events_fired) tr.fired[at(e / 64)] |= 1ULL << (e % 64);
            rec.ticks.push_back(std::move(tr));
            if (tick::check_outcome(s, ws, rs, moves, result)) break;
        }
        if (ticks > 0 && static_cast<int>(rec.ticks.size()) != ticks) continue;
        rec.final_state = ws.state;
        rec.final_rung = rs.rung;
        rec.positions = {ws.decisions.position(), ws.world.position(), ws.ladder.position(), ws.events.position(),
                         ws.uses_intent ? ws.intent.position() : 0, ws.uses_track ? ws.track.position() : 0};
        rec.final_level = rs.level;
        runs.push_back(std::move(rec));
    }
    return runs;
}

namespace {
bool fired(const TickRecord& t, std::size_t e) { return (t.fired[e / 64] >> (e % 64)) & 1ULL; }
std::size_t noisy(const std::vector<Effect>& effects) {
    std::size_t n = 0;
    for (const Effect& e : effects) n += e.sd > 0.0 ? 1 : 0;
    return n;
}
}  // namespace

DrawCounts draw_counts(const Scenario& s, const std::vector<RecordedRun>& runs) {
    DrawCounts c;
    double ticks = 0, world = 0;
    for (const RecordedRun& r : runs)
        for (const TickRecord& t : r.ticks) {
            ticks += 1;
            world += static_cast<double>(noisy(s.actions[at(t.moves.action[0])].effects) +
                                         noisy(s.actions[at(t.moves.action[1])].effects));
            for (std::size_t e = 0; e < s.events.size(); ++e)
                if (fired(t, e)) world += static_cast<double>(noisy(s.events[e].effects));
        }
    c.decision_uniforms = 6;
    c.decision_normals = s.perception.state_noise > 0.0 ? 2.0 * s.variable_count() : 0.0;
    c.world_normals = ticks > 0 ? world / ticks : 0.0;
    c.event_uniforms = static_cast<double>(s.events.size());
    c.ladder_uniforms = 1;
    return c;
}

namespace {
inline void add_effects(const std::vector<Effect>& effects, double* state, Stream& world) {
    for (const Effect& e : effects) {
        double change = e.mean;
        if (e.sd > 0.0) change += e.sd * world.normal();
        state[at(e.variable)] += change;
    }
}
}  // namespace

bool floor_run(const Scenario& s, std::uint64_t seed, const RecordedRun& run, Workspace& ws) {
    ws.state.assign(s.initial.begin(), s.initial.end());
    ws.decisions.reseed(seed, run.run_id, StreamPurpose::decisions);
    ws.world.reseed(seed, run.run_id, StreamPurpose::world);
    ws.ladder.reseed(seed, run.run_id, StreamPurpose::ladder);
    ws.events.reseed(seed, run.run_id, StreamPurpose::events);
    // Version 2: the intent stream (one draw per leader with modes per tick) and the track
    // stream (jumps, then the nuclear step), keyed only when used, as in the model.
    bool jumps = false;
    for (const Action& a : s.actions) jumps = jumps || !a.jumps.empty();
    const bool track = s.nuclear.present();
    const int with_modes = (s.leaders[0].modes.size() >= 2) + (s.leaders[1].modes.size() >= 2);
    if (with_modes > 0) ws.intent.reseed(seed, run.run_id, StreamPurpose::intent);
    if (jumps || track) ws.track.reseed(seed, run.run_id, StreamPurpose::track);
    int level = track ? s.nuclear.initial_level : 0;
    double* state = ws.state.data();
    const std::size_t n_vars = ws.state.size();
    const std::size_t n_events = s.events.size();
    const std::size_t tension = at(s.tension);
    const bool state_noise = s.perception.state_noise > 0.0;
    const int top = s.rung_count() - 1;
    int rung = s.initial_rung;
    double sink = 0.0;
    for (const TickRecord& t : run.ticks) {
        double state_pressure = 0.0;
        for (const StateWeight& w : s.state_weights) state_pressure += w.weight * state[at(w.variable)];
        for (int i = 0; i < with_modes; ++i) sink += ws.intent.uniform();
        // The decision stream's draws, without the decisions.
        sink += ws.decisions.uniform() + ws.decisions.uniform() + ws.decisions.uniform() + ws.decisions.uniform();
        for (int i = 0; i < 2; ++i) {
            if (state_noise)
                for (std::size_t v = 0; v < n_vars; ++v) sink += ws.decisions.normal();
            sink += ws.decisions.uniform();
        }
        for (std::size_t e = 0; e < n_events; ++e) sink += ws.events.uniform();
        // The state update, with the moves and events that were played.
        const double tension_before = state[tension];
        const Action& a0 = s.actions[at(t.moves.action[0])];
        const Action& a1 = s.actions[at(t.moves.action[1])];
        double pressure = a0.escalation + a1.escalation;
        double nuclear = a0.nuclear + a1.nuclear;
        add_effects(a0.effects, state, ws.world);
        add_effects(a1.effects, state, ws.world);
        for (std::size_t e = 0; e < n_events; ++e)
            if (fired(t, e)) {
                add_effects(s.events[e].effects, state, ws.world);
                pressure += s.events[e].escalation;
                nuclear += s.events[e].nuclear;
            }
        for (std::size_t v = 0; v < n_vars; ++v) state[v] = clamp01(state[v]);
        // Ladder step (two logistics, one draw), jumps and the nuclear track, and tension.
        const int rung_before = rung;
        const double x = (pressure + state_pressure) + s.step.tension_weight * tension_before;
        const double up = rung < top ? logistic(s.step.sensitivity * (x - s.up_threshold_at[static_cast<std::size_t>(rung)])) : 0.0;
        const double down = rung > 0 ? logistic(s.step.sensitivity * (s.down_threshold_at[static_cast<std::size_t>(rung)] - x)) : 0.0;
        const double u = ws.ladder.uniform();
        if (u < up) ++rung;
        else if (u < up + down) --rung;
        for (const Action* a : {&a0, &a1})
            for (const Jump& j : a->jumps)
                if (rung < j.to && ws.track.uniform() < j.probability) rung = j.to;
        if (track) {
            const NuclearTrack& n = s.nuclear;
            const double y = nuclear + n.rung_pressure[at(rung_before)] + n.step.tension_weight * tension_before;
            const double nup = level + 1 < n.level_count() ? logistic(n.step.sensitivity * (y - n.up_threshold_at[at(level)])) : 0.0;
            const double ndown = level > 0 ? logistic(n.step.sensitivity * (n.down_threshold_at[at(level)] - y)) : 0.0;
            const double w = ws.track.uniform();
            if (w < nup) ++level;
            else if (w < nup + ndown) --level;
        }
        state[tension] = clamp01((1.0 - s.tension_rule.decay) * state[tension] + s.tension_rule.gain * pressure);
    }
    keep(sink);
    const std::array<std::uint64_t, 6> positions{ws.decisions.position(), ws.world.position(), ws.ladder.position(),
                                                 ws.events.position(), with_modes > 0 ? ws.intent.position() : 0,
                                                 jumps || track ? ws.track.position() : 0};
    return rung == run.final_rung && level == run.final_level && std::memcmp(state, run.final_state.data(), n_vars * sizeof(double)) == 0 &&
           positions == run.positions;
}

// ---------------------------------------------------------------------------

std::vector<Snapshot> take_snapshots(const Scenario& s, std::uint64_t seed, std::size_t count, int stride) {
    std::vector<Snapshot> out;
    WorkspaceHandle handle;
    Workspace& ws = handle.get();
    RunResult result;
    int n = 0;
    for (std::uint64_t id = 0; out.size() < count && id < 1000000; ++id) {
        tick::RunState rs;
        tick::start(s, id, seed, ws, result, rs);
        for (int t = 1; t <= s.horizon && out.size() < count; ++t) {
            rs.tick = t;
            Snapshot snap;
            snap.rs = rs;
            snap.state = ws.state;
            snap.beliefs = ws.beliefs;
            snap.tension_before = ws.state[at(s.tension)];
            tick::begin(s, ws, rs, result);
            const tick::Moves moves = tick::decide(s, ws, rs, nullptr);
            double nuclear_pressure = 0.0;
            const double pressure = tick::update_state(s, ws, rs, moves, nullptr, nuclear_pressure);
            tick::step_ladder(s, ws, rs, moves, pressure, nuclear_pressure, snap.tension_before, result, nullptr);
            tick::update_commitments(s, ws, rs, moves, result, nullptr);
            snap.moves = moves;
            snap.pressure = pressure;
            snap.nuclear_pressure = nuclear_pressure;
            if (n++ % stride == 0) out.push_back(std::move(snap));
            if (tick::check_outcome(s, ws, rs, moves, result)) break;
        }
    }
    return out;
}

const char* phase_name(Phase phase) {
    switch (phase) {
        case Phase::restore: return "restore";
        case Phase::decision: return "decision";
        case Phase::state_update: return "state update";
        case Phase::ladder_outcome: return "ladder/outcome";
        case Phase::full_tick: return "full tick";
    }
    return "?";
}

PhaseBench::PhaseBench(const Scenario& s, std::vector<Snapshot> corpus, std::uint64_t seed)
    : s_(s), corpus_(std::move(corpus)) {
    tick::RunState rs;
    tick::start(s_, 0, seed, handle_.get(), result_, rs);  // sizes the workspace, seeds the streams
}

void PhaseBench::pass(Phase phase) {
    Workspace& ws = handle_.get();
    double sink = 0.0;
    for (const Snapshot& snap : corpus_) {
        std::copy(snap.state.begin(), snap.state.end(), ws.state.begin());
        std::copy(snap.beliefs[0].begin(), snap.beliefs[0].end(), ws.beliefs[0].begin());
        std::copy(snap.beliefs[1].begin(), snap.beliefs[1].end(), ws.beliefs[1].begin());
        tick::RunState rs = snap.rs;
        switch (phase) {
            case Phase::restore:
                sink += ws.state[0] + rs.rung;
                break;
            case Phase::decision: {
                const tick::Moves m = tick::decide(s_, ws, rs, nullptr);
                sink += m.action[0] + m.action[1];
                break;
            }
            case Phase::state_update: {
                double nuclear_pressure = 0.0;
                sink += tick::update_state(s_, ws, rs, snap.moves, nullptr, nuclear_pressure);
                break;
            }
            case Phase::ladder_outcome:
                tick::step_ladder(s_, ws, rs, snap.moves, snap.pressure, snap.nuclear_pressure, snap.tension_before, result_,
                                  nullptr);
                sink += tick::check_outcome(s_, ws, rs, snap.moves, result_) ? 1.0 : 0.0;
                break;
            case Phase::full_tick: {
                const tick::Moves m = tick::decide(s_, ws, rs, nullptr);
                double nuclear_pressure = 0.0;
                const double p = tick::update_state(s_, ws, rs, m, nullptr, nuclear_pressure);
                tick::step_ladder(s_, ws, rs, m, p, nuclear_pressure, snap.tension_before, result_, nullptr);
                sink += tick::check_outcome(s_, ws, rs, m, result_) ? 1.0 : 0.0;
                break;
            }
        }
    }
    // step_ladder counts moves into the result; keep the counters from growing without bound.
    if (phase == Phase::ladder_outcome || phase == Phase::full_tick) result_.prepare(s_);
    sink_ += sink;
    keep(sink_);
}

PhaseSplit measure_phases(PhaseBench& bench, int reps, int passes) {
    const auto time = [&](Phase p) {
        bench.pass(p);  // warm up
        const double t = best_of(reps, [&] {
            for (int k = 0; k < passes; ++k) bench.pass(p);
        }).cpu;
        return t * 1e9 / (static_cast<double>(passes) * static_cast<double>(bench.size()));
    };
    PhaseSplit r;
    r.restore = time(Phase::restore);
    r.decision = time(Phase::decision) - r.restore;
    r.state_update = time(Phase::state_update) - r.restore;
    r.ladder_outcome = time(Phase::ladder_outcome) - r.restore;
    r.full_tick = time(Phase::full_tick) - r.restore;
    return r;
}

}  // namespace brink::bench
