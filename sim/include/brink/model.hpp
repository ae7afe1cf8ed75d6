// The Brink model: an immutable description of a crisis (Scenario) and the
// pure function that plays one run of it (simulate).
//
// The Scenario is built by the loader (scenario.hpp) or by hand in tests; after
// construction it is never mutated. Everything the tick loop needs is resolved
// to indices here: the loop touches no strings and allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace brink {

/// Index meaning "the ladder rung" wherever a variable index is expected.
inline constexpr int kRung = -1;

/// A precondition: the variable (or the rung, kRung) must lie in [min, max].
struct Condition {
    int variable = kRung;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};

/// A jump: when the action is played and the rung after the ladder's own step is
/// below `to`, the rung moves straight to `to` with this probability (an offensive
/// from a build-up straight to full-scale war).
struct Jump {
    int to = 0;
    double probability = 0.0;
};

/// One effect of an action or event on a continuous state variable:
/// the variable changes by mean + sd * z, z ~ N(0, 1).
struct Effect {
    int variable = 0;
    double mean = 0.0;
    double sd = 0.0;
};

struct Action {
    std::string name;         ///< identifier, e.g. "impose_sanctions"
    std::string description;  ///< one line, shown when a student picks a move
    std::string narrative;    ///< story line; "{actor}" is replaced by the leader's name
    std::vector<Effect> effects;
    std::vector<Condition> requires_;
    double escalation = 0.0;  ///< signed pressure on the ladder
    double nuclear = 0.0;     ///< signed pressure on the nuclear track (when the scenario has one)
    std::vector<Jump> jumps;  ///< multi-rung steps, checked in order after the ladder's step
    double cost = 0.0;        ///< utility cost to the actor
    bool agreement = false;   ///< counts toward a joint agreement (de-escalation)
};

struct Event {
    std::string name;
    std::string narrative;
    double hazard = 0.0;  ///< probability of firing in a tick where its conditions hold
    std::vector<Effect> effects;
    std::vector<Condition> requires_;
    double escalation = 0.0;
    double nuclear = 0.0;  ///< pressure on the nuclear track
};

struct Rung {
    std::string id;       ///< identifier used in CSV columns, e.g. "nato_russia_clash"
    std::string label;    ///< human label
    double war_cost = 0.0;
    bool terminal = false;  ///< reaching it ends the run in escalation
    /// Firebreaks: the pressure at which a step up *into* this rung, or down *out of*
    /// it, has probability 1/2, where it differs from the ladder's (LadderStep).
    std::optional<double> up_threshold, down_threshold;
};

/// Ordered-logit ladder step. With x = pressure + tension_weight * tension, at rung r:
///   P(up) = 1 / (1 + exp(-sensitivity * (x - θ_up(r))))
///   P(down) = 1 / (1 + exp(-sensitivity * (θ_down(r) - x)))
/// and P(stay) takes the rest. θ_up(r) is rung r+1's up_threshold (a firebreak) or
/// this up_threshold, θ_down(r) rung r's down_threshold or this down_threshold
/// (Scenario::up_threshold_at, down_threshold_at); θ_down(r) < θ_up(r) keeps the sum <= 1.
/// A state-dependent term of the ladder's pressure: weight * (variable's value).
struct StateWeight {
    int variable = 0;
    double weight = 0.0;
};

struct LadderStep {
    double sensitivity = 1.0;
    double up_threshold = 1.0;
    double down_threshold = -1.0;
    double tension_weight = 0.0;
};

/// The nuclear posture track: its own levels (none, alert, threats, use, ...) and its
/// own ordered-logit step, separate from the conventional ladder. Its pressure is the
/// moves' and events' `nuclear` pressure plus rung_pressure[rung] (a conventional war
/// raises nuclear alert without any NATO-Russia clash). Empty `levels`: no track.
struct NuclearTrack {
    std::vector<Rung> levels;         ///< war_cost and terminal as on the ladder
    LadderStep step;                  ///< sensitivity, thresholds (tension_weight applies too)
    std::vector<double> rung_pressure;  ///< by ladder rung (derived: zeros where not given)
    int initial_level = 0;
    std::vector<double> up_threshold_at, down_threshold_at;  ///< derived by finalize(), by level
    bool present() const { return !levels.empty(); }
    int level_count() const { return static_cast<int>(levels.size()); }
};

/// tension' = clamp((1 - decay) * tension + gain * pressure), after action effects.
struct TensionRule {
    double decay = 0.0;
    double gain = 0.0;
};

struct Traits {
    double rationality = 1.0;     ///< logit precision lambda, >= 0
    double risk_tolerance = 0.5;  ///< in [0,1]; war cost is scaled by (1 - risk_tolerance)
    double misperception = 0.0;   ///< in [0,1]; misread probability before the channel
    double reciprocity = 0.0;     ///< >= 0; pull toward matching the opponent's escalation
    double resolve = 0.0;         ///< >= 0; bonus for staying the course (repeating last move)
    double memory = 0.5;          ///< in [0,1); weight kept by old beliefs each tick
    int foresight = 1;            ///< ticks of lookahead; 1 is the one-step (version 1) rule
    double discount = 0.9;        ///< in (0,1]; weight of each later tick of the lookahead
};

/// A hidden mode (intent) of a leader: move propensities added to its utilities, and the
/// hazard of entering the mode from another one:
///   P(enter) = 1 / (1 + exp(-(intercept + sum_v slope_v * state_v + rung_slope * rung)))
/// on the start-of-tick state. The opponent sees moves, not modes.
struct Mode {
    std::string id;
    std::vector<double> propensity;  ///< utility bonus by menu position
    bool enterable = false;          ///< false: never entered after the start
    double intercept = 0.0;
    std::vector<StateWeight> slopes;
    double rung_slope = 0.0;
    double prior = 0.0;              ///< the opponent's initial belief in this mode
    // Derived by finalize(): the opponent's likelihood of each of this leader's menu
    // moves under the mode (a logit over the propensities at this leader's rationality),
    // and the mode's shift of the expected escalation against the mode-free menu mean.
    std::vector<double> likelihood;
    double escalation_shift = 0.0;
};

/// A conditional commitment: if the opponent plays a trigger move, `by` commits to play
/// `response` within `window` ticks. Its credibility kappa (state, public) weighs the
/// response in the opponent's anticipation; honouring moves kappa toward 1 by
/// `learning`, a bluff toward 0. While a triggered commitment is pending, the committer's
/// response gains `audience_cost` of utility (backing down costs that much).
struct Commitment {
    std::string id;
    int by = 0;                    ///< the committing leader (0 or 1)
    std::vector<int> trigger;      ///< action indices of the opponent's moves that trigger it
    int response = 0;              ///< action index (in the committer's menu)
    int window = 1;                ///< ticks to respond after the trigger
    double credibility = 0.5;      ///< initial kappa in [0,1]
    double learning = 0.3;         ///< in [0,1]
    double audience_cost = 0.0;    ///< >= 0, utility
    int declared_by = -1;          ///< action index that declares it; -1: standing from the start
};

struct Leader {
    std::string id;    ///< identifier, e.g. "biden"
    std::string name;  ///< display name, e.g. "President Biden"
    std::vector<std::string> goal_names;
    std::vector<double> priorities;            ///< one per goal
    std::vector<std::vector<double>> goals;    ///< goal x variable weights
    std::vector<double> value_weights;         ///< derived: sum_g priority_g * goals[g]
    Traits traits;
    std::vector<int> menu;  ///< indices into Scenario::actions
    std::vector<Mode> modes;  ///< empty: no hidden modes; else the first is the initial mode
    /// Perceived-move distribution used when this leader misreads the opponent:
    /// cumulative probabilities over the opponent's menu, escalation-biased.
    std::vector<double> misread_cdf;
};

struct Outcomes {
    int escalation_rung = 7;
    int settlement_rung = 1;
    double settlement_tension = 0.3;
    int settlement_ticks = 8;
    bool joint_agreement = true;
    double agreement_channel = 0.5;  ///< channel needed for a joint agreement to end the crisis
    /// At the horizon a run still at or above this rung is an ongoing war, else a frozen
    /// conflict (-1: not set, which means escalation_rung: every such run is frozen).
    int war_rung = -1;
    int nuclear_escalation_level = -1;  ///< a nuclear-track level that ends the run in escalation (-1: none)
};

struct Perception {
    double state_noise = 0.0;      ///< sd of each perceived variable at channel 0
    double escalation_bias = 0.0;  ///< misread draw: P(j) ~ exp(bias * escalation_j)
};

struct Scenario {
    std::string name;
    std::string description;
    double tick_days = 7.0;
    std::optional<int> start_day;  ///< run.start_date as days since 1970-01-01 (calendar.hpp); none: ticks only
    int horizon = 104;
    std::uint64_t default_runs = 10000;
    std::uint64_t default_seed = 1;

    std::vector<std::string> variables;  ///< continuous state variables, all in [0,1]
    std::vector<double> initial;         ///< initial value of each variable
    int initial_rung = 0;
    int tension = 0;  ///< index of the variable 'tension'
    int channel = 0;  ///< index of the variable 'channel'

    std::vector<Rung> ladder;
    LadderStep step;
    /// War dynamics (ladder.step.state_weights): the ladder's x gains sum_v weight_v *
    /// state_v on the start-of-tick state (exhaustion pulling a war down).
    std::vector<StateWeight> state_weights;
    TensionRule tension_rule;
    Perception perception;
    std::vector<Action> actions;
    std::vector<Event> events;
    std::array<Leader, 2> leaders;
    Outcomes outcomes;
    NuclearTrack nuclear;
    std::vector<Commitment> commitments;

    /// Derived by finalize(): the step thresholds in force at each rung (firebreaks or
    /// the ladder's), by rung.
    std::vector<double> up_threshold_at, down_threshold_at;

    int rung_count() const { return static_cast<int>(ladder.size()); }
    int variable_count() const { return static_cast<int>(variables.size()); }
    int variable_index(const std::string& name) const;  ///< -1 when absent
    int action_index(const std::string& name) const;    ///< -1 when absent
};

/// Fills the derived fields (value weights, misread tables, step thresholds by rung). The loader calls it;
/// tests that build scenarios by hand call it too. Throws std::invalid_argument
/// if the scenario is structurally inconsistent (index out of range and the like).
void finalize(Scenario& scenario);

/// A run that reaches the horizon is an ongoing war (final rung >= Outcomes::war_rung) or a frozen conflict.
enum class Outcome : std::uint8_t { escalation = 0, deescalation = 1, frozen_conflict = 2, ongoing_war = 3 };
inline constexpr int kOutcomeCount = 4;
const char* outcome_name(Outcome outcome);   ///< "escalation", "deescalation", "frozen_conflict", "ongoing_war"
const char* outcome_label(Outcome outcome);  ///< "escalation", "de-escalation", "frozen conflict", "ongoing war"
/// The outcome named `name` (outcome_name's spelling); std::nullopt if none is.
std::optional<Outcome> parse_outcome(const std::string& name);
/// The outcome of a run that reaches the horizon at `rung`: an ongoing war at or above
/// outcomes.war_rung (not set: escalation_rung, so none), else a frozen conflict.
inline Outcome horizon_outcome(const Scenario& s, int rung) {
    const int war_rung = s.outcomes.war_rung < 0 ? s.outcomes.escalation_rung : s.outcomes.war_rung;
    return rung >= war_rung ? Outcome::ongoing_war : Outcome::frozen_conflict;
}

/// Everything one run leaves behind; sized once per scenario and reused.
struct RunResult {
    std::uint64_t run_id = 0;
    Outcome outcome = Outcome::frozen_conflict;
    int end_tick = 0;  ///< ticks played (the outcome was reached at the end of this tick)
    int max_rung = 0;
    int final_rung = 0;
    std::vector<int> first_tick_at_rung;  ///< -1 when never reached; 0 for the initial rung
    std::vector<int> last_tick_at_rung;   ///< the last tick that ended at the rung (0: only the start); -1 never
    std::vector<int> ticks_at_rung;       ///< ticks that ended at the rung (tick 0 not counted): they sum to end_tick
    std::vector<double> final_state;
    std::array<std::vector<int>, 2> action_counts;  ///< per leader, by menu position
    // Version-2 mechanisms (empty when the scenario has none of them):
    int max_level = 0;                    ///< highest nuclear-track level reached
    int final_level = 0;
    std::vector<int> first_tick_at_level; ///< -1 when never reached; 0 for the initial level
    std::vector<int> honoured, bluffed;   ///< by commitment: times honoured / not honoured
    std::vector<double> final_credibility;  ///< by commitment
    std::array<std::vector<int>, 2> first_tick_in_mode;  ///< per leader, by mode: -1 never, 0 initial
    int parameter_set = -1;  ///< ensemble runs: the member whose numbers it played; -1 otherwise

    void prepare(const Scenario& scenario);  ///< sizes the vectors; allocates only when needed
};

/// What a leader weighed in one decision (filled only for observers that ask).
struct Option {
    int action = 0;
    double utility = 0.0;      ///< relative utility used by the logit rule
    double probability = 0.0;  ///< logit choice probability
    std::vector<double> by_goal;  ///< priority-weighted change of each goal's score
    double war_cost = 0.0;     ///< expected war cost term (already negated into utility)
    double action_cost = 0.0;
    double reciprocity = 0.0;
    double resolve = 0.0;
    double lookahead = 0.0;    ///< foresight: discounted war cost of ticks 2..H (negated into utility)
    double committed = 0.0;    ///< foresight: credibility-weighted value of the opponent's committed responses
    double propensity = 0.0;   ///< the current mode's propensity for the move
    double audience = 0.0;     ///< audience cost avoided by honouring a pending commitment
};

/// A commitment as a leader saw it in one decision.
struct CommitmentView {
    int commitment = 0;
    bool active = false;     ///< declared (or standing) and not pending
    bool pending = false;    ///< triggered, awaiting the response
    int deadline = 0;        ///< last tick to honour it, when pending
    double credibility = 0.0;
};

struct LeaderTick {
    int chosen = -1;          ///< action index
    int observed = -1;        ///< opponent's last move as this leader saw it (-1: none yet)
    int actual_previous = -1; ///< opponent's actual last move
    bool misread = false;
    std::vector<Option> options;  ///< feasible options with utilities and probabilities
    std::vector<double> perceived;  ///< the state as this leader perceived it (after noise)
    std::vector<double> beliefs;    ///< over the opponent's menu, as used in this decision
    int mode = -1;                  ///< this leader's hidden mode (-1: none)
    std::vector<double> type_beliefs;  ///< over the opponent's modes (empty: it has none)
    std::vector<CommitmentView> commitments;  ///< every commitment, as this tick began
};

struct TickView {
    int tick = 0;  ///< 1-based tick just played
    int rung_before = 0;
    int rung = 0;
    int level_before = 0;  ///< nuclear track
    int level = 0;
    bool jumped = false;   ///< the rung moved by a jump this tick
    std::vector<int> honoured, bluffed;  ///< commitments resolved this tick (details only)
    double pressure = 0.0;  ///< summed escalation of both moves and events
    const double* state = nullptr;  ///< the variables after the tick
    std::array<LeaderTick, 2> leaders;
    std::vector<int> events_fired;  ///< event indices (filled only when details are wanted)
    const char* event_flags = nullptr;  ///< by event index: nonzero if it fired this tick (always set)
};

/// Sees every tick of a run. The default observer wants no decision details,
/// so the tick loop skips the work of recording them.
class TickObserver {
public:
    virtual ~TickObserver() = default;
    virtual bool wants_details() const { return false; }
    virtual void on_start(const double* /*state*/, int /*rung*/) {}
    virtual void on_tick(const TickView& view) = 0;
    /// Called (for observers that want details) after both leaders have drawn their
    /// choices and before the effects; returning another feasible action replaces the
    /// leader's choice. `brink play` uses it to let a person play one leader.
    virtual int override_choice(int /*leader*/, const LeaderTick& /*decision*/, int chosen) { return chosen; }
};

/// Scratch memory for simulate(); reuse one per thread to avoid allocation.
struct Workspace;
class WorkspaceHandle {
public:
    WorkspaceHandle();
    ~WorkspaceHandle();
    WorkspaceHandle(const WorkspaceHandle&) = delete;
    WorkspaceHandle& operator=(const WorkspaceHandle&) = delete;
    Workspace& get() { return *ws_; }
private:
    Workspace* ws_;
};

/// Thrown when a run leaves the model's domain (a variable becomes NaN, say).
class RunError : public std::exception {
public:
    explicit RunError(std::string message) : message_(std::move(message)) {}
    const char* what() const noexcept override { return message_.c_str(); }
private:
    std::string message_;
};

/// Plays one run. A pure function of (scenario, run_id, seed): the result does not
/// depend on anything else. Throws RunError if the run leaves the model's domain.
void simulate(const Scenario& scenario, std::uint64_t run_id, std::uint64_t seed,
              RunResult& result, WorkspaceHandle& workspace, TickObserver* observer = nullptr);

/// A run paused between ticks: everything it carries into the next tick, so that it
/// can be copied, stored, edited and continued (conditioning on a timeline, branching).
/// The random streams are not part of it: continue_run() keys them anew.
struct RunSnapshot {
    int tick = 0;        ///< ticks played
    bool ended = false;  ///< an outcome was reached (result.outcome, result.end_tick)
    int rung = 0, level = 0;
    int settled_ticks = 0;  ///< consecutive ticks in the settlement zone
    std::array<int, 2> last{-1, -1};           ///< each leader's previous action (-1: none yet)
    std::array<int, 2> last_position{-1, -1};  ///< ... and its menu position
    std::array<int, 2> mode{0, 0};             ///< hidden modes
    std::vector<double> state;                 ///< the variables
    std::array<std::vector<double>, 2> beliefs;       ///< over the opponent's menu
    std::array<std::vector<double>, 2> type_beliefs;  ///< over the opponent's modes
    std::vector<char> active, pending;  ///< by commitment
    std::vector<int> deadline;          ///< by commitment, when pending
    std::vector<double> credibility;    ///< by commitment
    RunResult result;                   ///< the run so far (first ticks, counts, ...)
};

/// The state at tick 0: what every run of the scenario starts from.
void start_snapshot(const Scenario& scenario, RunSnapshot& snapshot, WorkspaceHandle& workspace);

/// Plays ticks snapshot.tick + 1 .. min(until, horizon), or until an outcome, drawing
/// from the streams of run `key` under master seed `seed` on the branch that forks at
/// snapshot.tick (the streams' branch word). From tick 0's snapshot in one call with
/// key = run id, this is simulate() bit for bit; continued in pieces, each piece draws
/// from its own branch's streams (a branch of the run, not the run itself), so a branch
/// never replays the draws its origin made from tick 1.
/// At the horizon the result gets the horizon's outcome. Throws RunError like simulate().
void continue_run(const Scenario& scenario, RunSnapshot& snapshot, int until, std::uint64_t seed, std::uint64_t key,
                  WorkspaceHandle& workspace, TickObserver* observer = nullptr);

/// Convenience overload that allocates its own workspace.
RunResult simulate(const Scenario& scenario, std::uint64_t run_id, std::uint64_t seed,
                   TickObserver* observer = nullptr);

}  // namespace brink
