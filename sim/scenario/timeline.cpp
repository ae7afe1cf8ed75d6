// The timeline loader (docs/timelines.md). Like the scenario loader it collects every
// problem with its place before giving up, and names the closest key or name.
#include "brink/timeline.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "brink/calendar.hpp"
#include "documents.hpp"
#include "tree.hpp"

namespace brink {

using tree::Entry;
using tree::Mark;
using tree::Node;

namespace {

constexpr std::array kWhatKeys{"move", "event", "rung", "level", "outcome", "variable"};

std::string place(const Mark& m) { return m.file + ":" + std::to_string(m.line) + ":" + std::to_string(m.column); }

bool is_identifier(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

class TimelineReader : DocumentReader {
public:
    TimelineReader(const Scenario& s, std::vector<Diagnostic>& diagnostics) : DocumentReader(diagnostics), s_(s) {
        last_day_ = s.start_day ? tick_date(*s.start_day, s.tick_days, s.horizon) : 0;
    }

    Timeline read(const Node& root, const std::string& file) {
        Timeline t;
        t.file = file;
        keys(root, "", {"name", "description", "scenario", "observations", "questions"});
        t.name = text(root, "name", "", true);
        t.description = text(root, "description", "", false);
        text(root, "scenario", "", false);
        if (!s_.start_day) {
            error(root.mark, "", "the scenario has no calendar: give it run.start_date (YYYY-MM-DD) to read a timeline against it");
            return t;
        }
        for_items(root, "observations", [&](const Node& item, const std::string& path) {
            Observation o;
            keys(item, path, {"id", "text", "source", "leader", "move", "event", "rung", "level", "reached", "outcome",
                              "variable", "range", "date", "from", "to", "by"});
            common(item, path, o.id, o.text, o.source, false);
            o.claim = claim(item, path);
            o.where = place(item.mark);
            t.observations.push_back(std::move(o));
        });
        for_items(root, "questions", [&](const Node& item, const std::string& path) { t.questions.push_back(question(item, path)); });
        return t;
    }

private:
    const Scenario& s_;
    int last_day_ = 0;
    std::set<std::string> ids_;

    std::string text(const Node& parent, const std::string& key, const std::string& path, bool required) {
        const Node* n = parent.find(key);
        if (!n) {
            if (required) error(parent.where(), child(path, key), "missing required field '" + key + "' (a string)");
            return "";
        }
        if (n->kind != Node::Kind::scalar || n->scalar.empty()) {
            error(n->mark, child(path, key), "expected a non-empty string, found " + describe(*n));
            return "";
        }
        return n->scalar;
    }

    template <class Read>
    void for_items(const Node& root, const std::string& key, Read read) {
        const Node* list = root.find(key);
        if (!list || list->kind == Node::Kind::null) return;
        if (list->kind != Node::Kind::list) {
            error(list->mark, key, "expected a list of items (- id: ...), found " + describe(*list));
            return;
        }
        for (std::size_t i = 0; i < list->list.size(); ++i) {
            const Node& item = list->list[i];
            const std::string path = key + "[" + std::to_string(i) + "]";
            if (item.kind != Node::Kind::map) error(item.mark, path, "expected a map (id:, source:, ...), found " + describe(item));
            else read(item, path);
        }
    }

    void common(const Node& item, const std::string& path, std::string& id, std::string& text_out, std::string& source,
                bool text_required) {
        id = text(item, "id", path, true);
        if (!id.empty()) {
            const Node& n = *item.find("id");
            if (!is_identifier(id)) error(n.mark, child(path, "id"), "ids use letters, digits and _ (found '" + id + "')");
            else if (!ids_.insert(id).second) error(n.mark, child(path, "id"), "duplicate id '" + id + "' (ids are unique within a timeline)");
        }
        text_out = text(item, "text", path, text_required);
        source = text(item, "source", path, true);
    }

    /// A date field: a real day, not before the start, not after the horizon (unless `any_day`).
    std::optional<int> date(const Node& parent, const std::string& key, const std::string& path, bool any_day = false) {
        const Node* n = parent.find(key);
        if (!n) return std::nullopt;
        const std::string p = child(path, key);
        const std::optional<int> day = n->kind == Node::Kind::scalar ? parse_date(n->scalar) : std::nullopt;
        if (!day) {
            error(n->mark, p, "expected a date YYYY-MM-DD, found " + describe(*n));
            return std::nullopt;
        }
        if (!any_day && *day < *s_.start_day) {
            error(n->mark, p, "date " + n->scalar + " is before the scenario's start date " + format_date(*s_.start_day));
            return std::nullopt;
        }
        if (!any_day && *day > last_day_) {
            error(n->mark, p, "date " + n->scalar + " is after the scenario's last tick (" + format_date(last_day_) + ", tick " +
                                  std::to_string(s_.horizon) + ")");
            return std::nullopt;
        }
        return day;
    }

    int tick_of(int day) const { return tick_covering(*s_.start_day, s_.tick_days, day); }

    Claim claim(const Node& item, const std::string& path) {
        Claim c;
        std::vector<std::string> present;
        for (const char* k : kWhatKeys)
            if (item.find(k)) present.emplace_back(k);
        if (present.size() != 1) {
            const std::string found = present.empty() ? "none" : list_names(present);
            error(item.mark, path, "expected exactly one of move, event, rung, level, outcome, variable (what the item states), found " + found);
            return c;
        }
        const std::string what = present[0];
        const Node& n = *item.find(what);
        const std::string p = child(path, what);
        only_with(item, path, "leader", what == "move", "move");
        only_with(item, path, "reached", what == "rung" || what == "level" || what == "outcome", "rung, level or outcome");
        only_with(item, path, "range", what == "variable", "variable");
        if (what == "move") read_move(item, path, n, c);
        else if (what == "event") {
            c.kind = Claim::Kind::event;
            std::vector<std::string> names;
            for (const Event& e : s_.events) names.push_back(e.name);
            c.index = name(n, p, names, "event").value_or(-1);
        } else if (what == "rung" || what == "level") {
            c.kind = what == "rung" ? Claim::Kind::rung : Claim::Kind::level;
            const std::vector<Rung>& rungs = what == "rung" ? s_.ladder : s_.nuclear.levels;
            if (rungs.empty()) error(n.mark, p, "the scenario has no nuclear track (nuclear.levels); a level cannot be observed");
            else c.index = name(n, p, ids(rungs), what, true).value_or(-1);
            c.reached = boolean(item, "reached", path, true);
        } else if (what == "outcome") {
            c.kind = Claim::Kind::outcome;
            const std::optional<Outcome> o = n.kind == Node::Kind::scalar ? parse_outcome(n.scalar) : std::nullopt;
            if (!o || (*o != Outcome::escalation && *o != Outcome::deescalation))
                error(n.mark, p, "expected escalation or deescalation (an outcome that ends a run), found " + describe(n));
            else c.outcome = *o;
            c.reached = boolean(item, "reached", path, true);
        } else read_variable(item, path, n, c);
        when(item, path, c);
        c.describe = describe_claim(c);
        return c;
    }

    void only_with(const Node& item, const std::string& path, const std::string& key, bool allowed, const std::string& with) {
        if (const Node* n = item.find(key); n && !allowed) error(n->mark, child(path, key), "'" + key + "' goes only with " + with);
    }

    static std::vector<std::string> ids(const std::vector<Rung>& rungs) {
        std::vector<std::string> out;
        for (const Rung& r : rungs) out.push_back(r.id);
        return out;
    }

    bool boolean(const Node& parent, const std::string& key, const std::string& path, bool fallback) {
        const Node* n = parent.find(key);
        if (!n) return fallback;
        if (n->kind == Node::Kind::scalar && !n->quoted && (n->scalar == "true" || n->scalar == "false")) return n->scalar == "true";
        error(n->mark, child(path, key), "expected true or false, found " + describe(*n));
        return fallback;
    }

    void read_move(const Node& item, const std::string& path, const Node& n, Claim& c) {
        c.kind = Claim::Kind::move;
        const Node* leader = item.find("leader");
        if (!leader) {
            error(item.mark, child(path, "leader"), "missing required field 'leader' (whose move: " + s_.leaders[0].id + " or " + s_.leaders[1].id + ")");
            return;
        }
        c.leader = name(*leader, child(path, "leader"), {s_.leaders[0].id, s_.leaders[1].id}, "leader").value_or(-1);
        if (c.leader < 0) return;
        std::vector<std::string> menu;
        for (const int a : s_.leaders[static_cast<std::size_t>(c.leader)].menu) menu.push_back(s_.actions[static_cast<std::size_t>(a)].name);
        const int position = name(n, child(path, "move"), menu, "action in " + s_.leaders[static_cast<std::size_t>(c.leader)].id + "'s menu").value_or(-1);
        if (position >= 0) c.index = s_.leaders[static_cast<std::size_t>(c.leader)].menu[static_cast<std::size_t>(position)];
    }

    void read_variable(const Node& item, const std::string& path, const Node& n, Claim& c) {
        c.kind = Claim::Kind::variable;
        c.index = name(n, child(path, "variable"), s_.variables, "variable").value_or(-1);
        const Node* range = item.find("range");
        const std::string p = child(path, "range");
        if (!range) {
            error(item.mark, p, "missing required field 'range' ([min, max] within [0, 1])");
            return;
        }
        const auto number = &DocumentReader::number_of;
        const std::optional<double> lo = range->kind == Node::Kind::list && range->list.size() == 2 ? number(range->list[0]) : std::nullopt;
        const std::optional<double> hi = range->kind == Node::Kind::list && range->list.size() == 2 ? number(range->list[1]) : std::nullopt;
        if (!lo || !hi || *lo < 0.0 || *hi > 1.0 || *lo > *hi) {
            error(range->mark, p, "expected [min, max] with 0 <= min <= max <= 1, found " +
                                      (range->kind == Node::Kind::list ? tree::emit(*range).substr(0, 60) : describe(*range)));
            return;
        }
        c.min = *lo;
        c.max = *hi;
    }

    /// The item's dates: a window for moves and events, `by` for rungs, levels and outcomes, `date` for variables.
    void when(const Node& item, const std::string& path, Claim& c) {
        const bool window = c.kind == Claim::Kind::move || c.kind == Claim::Kind::event;
        const bool by_kind = c.kind == Claim::Kind::rung || c.kind == Claim::Kind::level || c.kind == Claim::Kind::outcome;
        std::vector<std::string> allowed = window ? std::vector<std::string>{"date", "from", "to", "by"}
                                                  : by_kind ? std::vector<std::string>{"by"} : std::vector<std::string>{"date"};
        for (const char* k : {"date", "from", "to", "by"})
            if (const Node* n = item.find(k); n && std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                error(n->mark, child(path, k), std::string("'") + k + "' does not go with this kind of item (expected " + list_names(allowed) + ")");
        const std::optional<int> on = date(item, "date", path), from = date(item, "from", path), to = date(item, "to", path),
                                 by = date(item, "by", path);
        const int forms = (item.find("date") ? 1 : 0) + (item.find("from") || item.find("to") ? 1 : 0) + (item.find("by") ? 1 : 0);
        if (forms == 0) {
            error(item.mark, path, "missing its date: expected " + std::string(window ? "date, from and to, or by" : by_kind ? "by" : "date"));
            return;
        }
        if (window && forms > 1) error(item.mark, path, "give one of date, from and to, or by (found more than one)");
        if (window && (item.find("from") || item.find("to")) && !(item.find("from") && item.find("to")))
            error(item.mark, path, std::string("a window needs both from and to (found only ") + (item.find("from") ? "from" : "to") + ")");
        if (from && to && *to < *from)
            error(item.find("to")->mark, child(path, "to"), "the window ends (" + format_date(*to) + ") before it starts (" + format_date(*from) + ")");
        if (on) c.first_day = c.last_day = *on;
        else if (from && to) c.first_day = *from, c.last_day = *to;
        else if (by) c.first_day = *s_.start_day, c.last_day = *by;
        else return;
        c.first_tick = std::max(1, tick_of(c.first_day));
        c.last_tick = tick_of(c.last_day);
        if (window) c.last_tick = std::max(1, c.last_tick);
    }

    std::string describe_claim(const Claim& c) const {
        const auto window = [&] {
            return c.first_day == c.last_day ? " on " + format_date(c.first_day) : " in " + format_date(c.first_day) + ".." + format_date(c.last_day);
        };
        switch (c.kind) {
            case Claim::Kind::move:
                if (c.leader < 0 || c.index < 0) return "";
                return s_.leaders[static_cast<std::size_t>(c.leader)].id + " plays " + s_.actions[static_cast<std::size_t>(c.index)].name + window();
            case Claim::Kind::event:
                return c.index < 0 ? "" : s_.events[static_cast<std::size_t>(c.index)].name + " fires" + window();
            case Claim::Kind::rung:
            case Claim::Kind::level: {
                const std::vector<Rung>& rungs = c.kind == Claim::Kind::rung ? s_.ladder : s_.nuclear.levels;
                if (c.index < 0) return "";
                return std::string(c.kind == Claim::Kind::rung ? "rung " : "level ") + rungs[static_cast<std::size_t>(c.index)].id +
                       (c.reached ? " reached" : " not reached") + " by " + format_date(c.last_day);
            }
            case Claim::Kind::outcome:
                return std::string(c.reached ? "" : "no ") + outcome_name(c.outcome) + " by " + format_date(c.last_day);
            case Claim::Kind::variable:
                if (c.index < 0) return "";
                return s_.variables[static_cast<std::size_t>(c.index)] + " in [" + format_number(c.min) + ", " + format_number(c.max) + "] on " +
                       format_date(c.last_day);
        }
        return "";
    }

    Question question(const Node& item, const std::string& path) {
        Question q;
        keys(item, path, {"id", "text", "source", "leader", "move", "event", "rung", "level", "reached", "outcome", "variable",
                          "range", "date", "from", "to", "by", "resolution", "resolved_on", "asked", "forecasts"});
        common(item, path, q.id, q.text, q.source, true);
        q.claim = claim(item, path);
        q.where = place(item.mark);
        if (!item.find("resolution")) error(item.mark, child(path, "resolution"), "missing required field 'resolution' (true or false: how the question resolved)");
        q.resolution = boolean(item, "resolution", path, false);
        q.resolved_day = date(item, "resolved_on", path, true).value_or(q.claim.last_day);
        q.asked_day = date(item, "asked", path).value_or(*s_.start_day);
        if (const Node* asked = item.find("asked"); asked && q.asked_day > q.resolved_day)
            error(asked->mark, child(path, "asked"), "asked on " + format_date(q.asked_day) + ", after it resolved (" + format_date(q.resolved_day) + ")");
        if (const Node* list = item.find("forecasts"); list && list->kind != Node::Kind::null) {
            if (list->kind != Node::Kind::list) error(list->mark, child(path, "forecasts"), "expected a list of {who, date, probability, source}, found " + describe(*list));
            else
                for (std::size_t i = 0; i < list->list.size(); ++i)
                    forecast(list->list[i], child(path, "forecasts") + "[" + std::to_string(i) + "]", q);
        }
        return q;
    }

    void forecast(const Node& n, const std::string& path, Question& q) {
        if (n.kind != Node::Kind::map) {
            error(n.mark, path, "expected a map {who, date, probability, source}, found " + describe(n));
            return;
        }
        keys(n, path, {"who", "date", "probability", "source"});
        PublishedForecast f;
        f.who = text(n, "who", path, true);
        f.source = text(n, "source", path, true);
        const std::optional<int> day = date(n, "date", path, true);
        if (!n.find("date")) error(n.mark, child(path, "date"), "missing required field 'date' (YYYY-MM-DD)");
        f.day = day.value_or(q.asked_day);
        if (day && *day > q.resolved_day)
            error(n.find("date")->mark, child(path, "date"), "forecast dated " + format_date(*day) + ", after the question resolved (" + format_date(q.resolved_day) + ")");
        const Node* p = n.find("probability");
        double v = -1.0;
        if (!p) error(n.mark, child(path, "probability"), "missing required field 'probability' (a number in [0, 1])");
        else if (const std::optional<double> x = number_of(*p); !x || !(*x >= 0.0 && *x <= 1.0))
            error(p->mark, child(path, "probability"), "expected a probability in [0, 1], found " + describe(*p));
        else v = *x;
        f.probability = v;
        q.forecasts.push_back(std::move(f));
    }
};

}  // namespace

Timeline load_timeline(const std::string& path, const Scenario& scenario) {
    const Node root = load_document(path, kTimelineDocument);
    std::vector<Diagnostic> diagnostics;
    Timeline timeline = TimelineReader(scenario, diagnostics).read(root, path);
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    return timeline;
}

}  // namespace brink
