// The scenario format, declared once. The loader reads every field through this
// table (range, default); tests check that docs/scenario-reference.md documents
// every path in it.
#include <limits>

#include "brink/scenario.hpp"

namespace brink {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

const std::vector<FieldSpec>& scenario_fields() {
    static const std::vector<FieldSpec> fields = {
        // Top level
        {"name", "string", "", 0, 0, "file name without .yaml", "Scenario title shown in summaries and reports."},
        {"description", "string", "", 0, 0, "\"\"", "What situation the scenario represents."},
        {"extends", "string", "path", 0, 0, "", "Base scenario file (relative to this file); this file overrides it."},
        {"run", "map", "", 0, 0, "", "Run control."},
        {"run.horizon", "integer", "ticks", 1, 100000, "104", "Longest run; reaching it without another outcome is a stalemate."},
        {"run.tick_days", "number", "days", 0.001, 3660, "7", "Length of a tick, for reporting times."},
        {"run.runs", "integer", "runs", 1, 1e12, "10000", "Default number of Monte Carlo runs."},
        {"run.seed", "integer", "", 0, 1.8446744073709552e19, "1", "Default master seed."},
        {"world", "map", "", 0, 0, "", "State variables and the starting point."},
        {"world.variables", "map", "", 0, 0, "", "The continuous state variables, each in [0, 1]; `tension` and `channel` are required."},
        {"world.variables.*", "map", "", 0, 0, "", "One state variable, named by its key."},
        {"world.variables.*.initial", "number", "share of maximum", 0, 1, "", "Value at tick 0."},
        {"world.variables.*.description", "string", "", 0, 0, "\"\"", "What the variable means."},
        {"world.initial_rung", "rung", "rung", 0, kInf, "0", "Ladder rung at tick 0 (id or index)."},
        {"ladder", "map", "", 0, 0, "", "The escalation ladder and how it moves."},
        {"ladder.rungs", "list", "", 0, 0, "", "Rungs from lowest to highest (at least 2)."},
        {"ladder.rungs[]", "map", "", 0, 0, "", "One rung."},
        {"ladder.rungs[].id", "string", "", 0, 0, "", "Identifier (letters, digits, _), used in CSV columns and references."},
        {"ladder.rungs[].label", "string", "", 0, 0, "the id", "Human-readable name."},
        {"ladder.rungs[].war_cost", "number", "utility", 0, 1000, "0", "Cost of being at this rung, before risk tolerance."},
        {"ladder.rungs[].terminal", "boolean", "", 0, 0, "false", "Reaching this rung ends the run in escalation."},
        {"ladder.step", "map", "", 0, 0, "", "Ordered-logit step of the ladder."},
        {"ladder.step.sensitivity", "number", "1/pressure", 0, 100, "1", "Steepness k of the step logistics."},
        {"ladder.step.up_threshold", "number", "pressure", -100, 100, "1", "Pressure at which stepping up has probability 1/2."},
        {"ladder.step.down_threshold", "number", "pressure", -100, 100, "-1", "Pressure at which stepping down has probability 1/2; must be below up_threshold."},
        {"ladder.step.tension_weight", "number", "pressure", -100, 100, "0", "Pressure added per unit of tension."},
        {"ladder.tension", "map", "", 0, 0, "", "How tension follows the moves."},
        {"ladder.tension.decay", "number", "1/tick", 0, 1, "0", "Share of tension that fades each tick."},
        {"ladder.tension.gain", "number", "tension/pressure", -10, 10, "0", "Tension added per unit of escalation pressure."},
        {"perception", "map", "", 0, 0, "", "Fog: noise on what leaders see."},
        {"perception.state_noise", "number", "sd", 0, 1, "0", "Noise sd of each perceived variable when the channel is closed (scaled by 1 - channel)."},
        {"perception.escalation_bias", "number", "1/escalation", -10, 10, "0", "When a move is misread, the move seen is drawn with P(j) proportional to exp(bias * escalation_j)."},
        {"leaders", "map", "", 0, 0, "", "Exactly two leaders, keyed by id."},
        {"leaders.*", "map", "", 0, 0, "", "One leader."},
        {"leaders.*.name", "string", "", 0, 0, "the id", "Display name, used in narratives."},
        {"leaders.*.traits", "map", "", 0, 0, "", "Decision traits."},
        {"leaders.*.traits.rationality", "number", "1/utility", 0, 10000, "1", "Logit precision lambda: 0 is uniform choice, large is best response."},
        {"leaders.*.traits.risk_tolerance", "number", "", 0, 1, "0.5", "War cost is scaled by (1 - risk_tolerance)."},
        {"leaders.*.traits.misperception", "number", "probability", 0, 1, "0", "Chance of misreading the opponent's move when the channel is closed; times (1 - channel)."},
        {"leaders.*.traits.reciprocity", "number", "utility/escalation", 0, 100, "0", "Penalty per unit of escalation difference from the opponent's perceived move."},
        {"leaders.*.traits.resolve", "number", "utility", 0, 100, "0", "Bonus for repeating one's own last move."},
        {"leaders.*.traits.memory", "number", "", 0, 0.999, "0.5", "Weight old beliefs keep each tick."},
        {"leaders.*.priorities", "map", "", 0, 0, "", "Weight of each goal; every goal needs one."},
        {"leaders.*.priorities.*", "number", "", 0, 1, "", "Weight of the goal named by the key."},
        {"leaders.*.goals", "map", "", 0, 0, "", "Each goal's score as weights on state variables."},
        {"leaders.*.goals.*", "map", "", 0, 0, "", "One goal: variable -> weight."},
        {"leaders.*.goals.*.*", "number", "utility/unit", -10, 10, "", "Weight of the variable named by the key in this goal."},
        {"leaders.*.menu", "list", "", 0, 0, "", "Names of the actions this leader may choose."},
        {"actions", "map", "", 0, 0, "", "The action catalogue, keyed by action name."},
        {"actions.*", "map", "", 0, 0, "", "One action."},
        {"actions.*.actor", "string", "", 0, 0, "any", "Leader id allowed to use it, or `any`."},
        {"actions.*.description", "string", "", 0, 0, "\"\"", "One line shown in `brink play`."},
        {"actions.*.narrative", "string", "", 0, 0, "\"{actor} chooses <name>.\"", "Story line for traces; {actor} becomes the leader's name."},
        {"actions.*.escalation", "number", "pressure", -10, 10, "0", "Signed pressure on the ladder."},
        {"actions.*.cost", "number", "utility", -10, 10, "0", "Utility cost to the actor."},
        {"actions.*.agreement", "boolean", "", 0, 0, "false", "Counts toward a joint agreement."},
        {"actions.*.effects", "map", "", 0, 0, "{}", "Change of state variables: variable -> mean, or variable -> {mean, sd}."},
        {"actions.*.effects.*", "number or map", "per tick", -1, 1, "", "Mean change of the variable named by the key (short form)."},
        {"actions.*.effects.*.mean", "number", "per tick", -1, 1, "", "Mean change."},
        {"actions.*.effects.*.sd", "number", "per tick", 0, 1, "0", "Noise sd of the change."},
        {"actions.*.requires", "map", "", 0, 0, "{}", "Preconditions: variable or `rung` -> {min, max}."},
        {"actions.*.requires.*", "map", "", 0, 0, "", "Range the variable (or `rung`) must lie in."},
        {"actions.*.requires.*.min", "number or rung", "", 0, 1, "no bound", "Lowest allowed value (inclusive): in [0, 1] for a variable, a rung id or index for `rung`."},
        {"actions.*.requires.*.max", "number or rung", "", 0, 1, "no bound", "Highest allowed value (inclusive): in [0, 1] for a variable, a rung id or index for `rung`."},
        {"events", "map", "", 0, 0, "{}", "Exogenous events, keyed by name."},
        {"events.*", "map", "", 0, 0, "", "One event."},
        {"events.*.hazard", "number", "probability/tick", 0, 1, "", "Chance of firing each tick its conditions hold."},
        {"events.*.narrative", "string", "", 0, 0, "\"<name> occurs.\"", "Story line for traces."},
        {"events.*.escalation", "number", "pressure", -10, 10, "0", "Pressure added to the ladder step when it fires."},
        {"events.*.effects", "map", "", 0, 0, "{}", "As for actions."},
        {"events.*.effects.*", "number or map", "per tick", -1, 1, "", "As for actions."},
        {"events.*.effects.*.mean", "number", "per tick", -1, 1, "", "As for actions."},
        {"events.*.effects.*.sd", "number", "per tick", 0, 1, "0", "As for actions."},
        {"events.*.requires", "map", "", 0, 0, "{}", "As for actions."},
        {"events.*.requires.*", "map", "", 0, 0, "", "As for actions."},
        {"events.*.requires.*.min", "number or rung", "", 0, 1, "no bound", "As for actions."},
        {"events.*.requires.*.max", "number or rung", "", 0, 1, "no bound", "As for actions."},
        {"outcomes", "map", "", 0, 0, "", "How runs end."},
        {"outcomes.escalation_rung", "rung", "rung", 0, kInf, "", "Reaching this rung (or any terminal rung) is escalation."},
        {"outcomes.settlement_rung", "rung", "rung", 0, kInf, "", "Highest rung compatible with a settlement."},
        {"outcomes.settlement_tension", "number", "", 0, 1, "0.3", "Tension must be below this for a settlement."},
        {"outcomes.settlement_ticks", "integer", "ticks", 1, 100000, "8", "Consecutive settled ticks needed for de-escalation."},
        {"outcomes.joint_agreement", "boolean", "", 0, 0, "true", "Both leaders choosing agreement actions in one tick ends the crisis."},
        {"experiment", "map", "", 0, 0, "", "A sweep declared in the file, run by `brink sweep FILE` with no --vary."},
        {"experiment.vary", "map", "", 0, 0, "", "Parameter path -> values: a list [a, b, c], a range \"lo:hi:count\", or with `sample` a range \"lo:hi\"."},
        {"experiment.vary.*", "list or string", "", 0, 0, "", "Values of the parameter path given as the key."},
        {"experiment.sample", "integer", "points", 0, 100000, "0", "Latin hypercube sample size; 0 runs the full grid."},
        {"outcomes.agreement_channel", "number", "", 0, 1, "0.5", "Channel needed for a joint agreement to count."},
    };
    return fields;
}

}  // namespace brink
