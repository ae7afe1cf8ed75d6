// Internal to the model room: the phases of one tick (MODEL.md section 5), shared by
// simulate() and the benchmarks (benchmarks/), so that what is measured is exactly
// the code that runs. Not part of the public API: only sim/model and benchmarks/
// include it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "brink/model.hpp"
#include "brink/random.hpp"

namespace brink {

/// Scratch memory of one run, reused from run to run (one per thread). After the
/// first run of a scenario nothing in the tick loop allocates.
struct Workspace {
    std::vector<double> state;
    std::vector<double> perceived;        // one leader's perceived state
    std::vector<double> predicted;        // perceived + believed opponent effect (details only)
    std::array<std::vector<double>, 2> beliefs;  // over the opponent's menu
    std::vector<char> feasible;           // by action index, on the start-of-tick state
    std::vector<double> weights;          // logit weights of the feasible options
    std::vector<double> utilities;        // their utilities (details only)
    std::vector<int> options;             // their positions in the leader's menu
    std::vector<double> correction;       // goal-term corrections by menu position, this decision
    // Each leader's menu, flattened at the start of every run (the scenario may change
    // between runs): action, escalation and cost by menu position, and the effects'
    // means listed by the variable they change.
    struct Menu {
        std::vector<int> action;
        std::vector<double> escalation, cost;
        // The goal term is linear in the effects wherever nothing is clamped at 0 or 1:
        // the weighted sum of position k's effect means. A decision corrects it only on
        // the variables where some move could reach a bound (MODEL.md's clamp).
        std::vector<double> goal_linear;  // by menu position
        std::vector<int> touched;         // the variables the menu's effects change
        std::vector<double> touched_low, touched_high;  // least and greatest effect mean on each
        std::vector<int> touch_begin;     // touched[t]'s effects are [touch_begin[t], touch_begin[t + 1])
        std::vector<int> touch_position;  // the menu position of each
        std::vector<double> touch_mean;
        std::vector<int> touch_of;        // by variable: its index in `touched`, or -1
        // By variable: min(0, least mean) and max(0, greatest mean) of the menu's effects,
        // bounds on any belief-weighted mean of its moves' effects.
        std::vector<double> envelope_low, envelope_high;
        // The war term depends on an action only through its escalation, and a menu has
        // few distinct escalations (8 of Biden's 17 moves, 10 of Putin's 18 in the
        // baseline): one class per distinct value, its war term computed once per decision.
        std::vector<int> escalation_class;     // by menu position
        std::vector<double> class_escalation;  // by class
        // exp(-k e) and exp(k e) of each class's escalation e (k: the ladder's step
        // sensitivity), so that a decision's step logistics need two exp() calls, not
        // two per class; `factored` is false when one of them is not a normal number
        // (extreme sensitivities), and the decision then uses the direct formula.
        std::vector<double> class_up_factor, class_down_factor;
        bool factored = false;
    };
    std::array<Menu, 2> menus;
    std::vector<double> class_war;    // the war term of each class, this decision
    std::vector<double> class_recip;  // the reciprocity term of each class, this decision
    Stream decisions, world, ladder, events;
    std::vector<char> event_fires;  // by event index, decided on the start-of-tick state
};

namespace tick {

/// What a run carries from one tick to the next besides the variables.
struct RunState {
    int tick = 0;  ///< the tick being played (1-based)
    int rung = 0;
    int settled_ticks = 0;
    std::array<int, 2> last{-1, -1};  ///< each leader's action of the previous tick
};

/// The two moves of a tick: action indices and their positions in the menus.
struct Moves {
    std::array<int, 2> action{};
    std::array<int, 2> position{};
};

/// Resets the workspace, the result and the run state for run `run_id` (reseeds the streams).
void start(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, Workspace& ws, RunResult& result,
           RunState& rs);

/// Decision phase: perception (beliefs), feasibility, both leaders' logit choices.
/// `details` (optional) receives what each leader saw and weighed.
Moves decide(const Scenario& s, Workspace& ws, const RunState& rs, TickView* details);

/// State-update phase: event draws, effects with noise, NaN check and clamp.
/// Returns the tick's pressure. Throws RunError on a NaN.
double update_state(const Scenario& s, Workspace& ws, const RunState& rs, const Moves& moves, TickView* details);

/// Ladder step on the pressure and the start-of-tick tension, tension update and
/// the result's bookkeeping (highest rung, first ticks, action counts, last moves).
void step_ladder(const Scenario& s, Workspace& ws, RunState& rs, const Moves& moves, double pressure,
                 double tension_before, RunResult& result);

/// Outcome check at the end of the tick; true when the run ends (result.outcome set).
bool check_outcome(const Scenario& s, const Workspace& ws, RunState& rs, const Moves& moves, RunResult& result);

}  // namespace tick
}  // namespace brink
