// Timelines (docs/timelines.md): what was observed during a crisis and which yes/no
// questions were asked about it, stated in a scenario's terms. The scenario room
// loads them (load_timeline); the history room checks them against runs.
#pragma once

#include <string>
#include <vector>

#include "brink/model.hpp"

namespace brink {

/// What an item states about a run, with its ticks resolved against the scenario's calendar.
struct Claim {
    enum class Kind { move, event, rung, level, outcome, variable };
    Kind kind = Kind::rung;
    int leader = -1;    ///< move: 0 or 1
    int index = -1;     ///< action, event, rung, level or variable index
    bool reached = true;  ///< rung, level: reached (true) or never reached (false)
    Outcome outcome = Outcome::escalation;  ///< outcome: escalation or deescalation
    double min = 0.0, max = 1.0;            ///< variable: the range
    int first_tick = 0;  ///< move, event: the window's first tick (>= 1)
    int last_tick = 0;   ///< the tick by which it is decided: window end, `by` or `date`
    int first_day = 0, last_day = 0;  ///< the same as dates (days since 1970-01-01)
    std::string describe;  ///< "putin plays full_scale_offensive in 2022-02-19..2022-02-25"
};

struct PublishedForecast {
    std::string who;
    int day = 0;
    double probability = 0.0;
    std::string source;
};

struct Observation {
    std::string id, text, source;
    Claim claim;
    std::string where;  ///< "file:line:column", for messages
};

struct Question {
    std::string id, text, source;
    Claim claim;
    bool resolution = false;
    int resolved_day = 0;  ///< default: the claim's last day
    int asked_day = 0;     ///< the date of the model's probability; default: the start date
    std::vector<PublishedForecast> forecasts;
    std::string where;
};

struct Timeline {
    std::string name, description, file;
    std::vector<Observation> observations;  ///< in file order
    std::vector<Question> questions;
};

/// Loads a timeline against `scenario` (which must have run.start_date): every name
/// resolved, every date turned into ticks. Throws ScenarioError with every problem
/// found, each located (file:line:column, field path, expected, found).
Timeline load_timeline(const std::string& path, const Scenario& scenario);

}  // namespace brink
