// brink new NAME [--from SCENARIO]: a short scenario that extends another, with the
// fields a researcher usually changes written out, commented, at the base's values.
// Values come from the loaded base; units and ranges from the schema table.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "brink/output.hpp"
#include "common.hpp"
#include "data_dirs.hpp"

namespace brink::cli {

namespace fs = std::filesystem;

namespace {

/// --from's default: scenarios/baseline.yaml here, else an installed brink's, else the one in
/// the source tree Brink was built from.
std::string default_base() {
    const std::string here = "scenarios/baseline.yaml";
    std::error_code ec;
    if (fs::is_regular_file(here, ec)) return here;
    return shipped_path(here).value_or(here);
}

const FieldSpec& spec(std::string_view path) {
    for (const FieldSpec& f : scenario_fields())
        if (f.path == path) return f;
    throw std::logic_error("brink new: the schema has no field " + std::string(path));  // a renamed field: fix the list below
}

/// Whole numbers as integers ("100000", not "1e+05"); the rest as format_double.
std::string number_text(double x) {
    return std::abs(x) < 1e9 && x == std::floor(x) ? std::to_string(static_cast<long long>(x)) : format_double(x);
}

/// A YAML double-quoted string.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out + "\"";
}

/// "# unit, in [min, max]" from the schema.
std::string range_comment(std::string_view path) {
    const FieldSpec& f = spec(path);
    std::string text = "# ";
    if (!f.unit.empty()) text.append(f.unit).append(", ");
    return text + "in [" + number_text(f.min) + ", " + number_text(f.max) + "]";
}

/// The fields, uncommented: YAML that merges over the base unchanged in value.
class Body {
public:
    void line(int depth, const std::string& text, const std::string& comment = "") {
        std::string l(static_cast<std::size_t>(2 * depth), ' ');
        l += text;
        if (!comment.empty()) l += std::string(l.size() < 38 ? 38 - l.size() : 1, ' ') + comment;
        text_ += l + "\n";
    }
    void field(int depth, const std::string& key, const std::string& value, std::string_view schema_path) {
        line(depth, key + ": " + value, range_comment(schema_path));
    }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

std::string fields_of(const Scenario& s) {
    Body b;
    b.line(0, "run:");
    b.field(1, "runs", std::to_string(s.default_runs), "run.runs");
    b.field(1, "horizon", std::to_string(s.horizon), "run.horizon");
    b.line(0, "world:");
    b.line(1, "initial_rung: " + s.ladder[static_cast<std::size_t>(s.initial_rung)].id,
           "# rung: an id of ladder.rungs (or its index, 0 to " + std::to_string(s.rung_count() - 1) + ")");
    b.line(1, "variables:");
    for (std::size_t v = 0; v < s.variables.size(); ++v)
        b.line(2, s.variables[v] + ": {initial: " + format_double(s.initial[v]) + "}", range_comment("world.variables.*.initial"));
    b.line(0, "ladder:");
    b.line(1, "tension:");
    b.field(2, "decay", format_double(s.tension_rule.decay), "ladder.tension.decay");
    b.field(2, "gain", format_double(s.tension_rule.gain), "ladder.tension.gain");
    b.line(0, "perception:");
    b.field(1, "state_noise", format_double(s.perception.state_noise), "perception.state_noise");
    b.line(0, "leaders:");
    for (const Leader& l : s.leaders) {
        b.line(1, l.id + ":");
        b.line(2, "traits:");
        const Traits& t = l.traits;
        b.field(3, "rationality", format_double(t.rationality), "leaders.*.traits.rationality");
        b.field(3, "risk_tolerance", format_double(t.risk_tolerance), "leaders.*.traits.risk_tolerance");
        b.field(3, "misperception", format_double(t.misperception), "leaders.*.traits.misperception");
        b.field(3, "reciprocity", format_double(t.reciprocity), "leaders.*.traits.reciprocity");
        b.field(3, "resolve", format_double(t.resolve), "leaders.*.traits.resolve");
        b.line(2, "priorities:");
        for (std::size_t g = 0; g < l.goal_names.size(); ++g)
            b.field(3, l.goal_names[g], format_double(l.priorities[g]), "leaders.*.priorities.*");
    }
    return b.text();
}

/// Each line behind "# ": the researcher uncomments what the variant changes.
std::string commented(const std::string& body) {
    std::string out;
    std::size_t begin = 0;
    while (begin < body.size()) {
        const std::size_t end = body.find('\n', begin);
        out += "# " + body.substr(begin, end - begin + 1);
        begin = end + 1;
    }
    return out;
}

std::string scenario_text(const std::string& name, const std::string& file, const std::string& extends, const std::string& base_file,
                          const std::string& modeline, const Scenario& base, bool uncomment) {
    const std::string fields = fields_of(base);
    return modeline + "# " + name + ": a variant of " + base_file + " (written by `brink new`).\n"
           "# Say here what it changes and why; every field it does not write is the base's.\n"
           "# Check it with:  brink validate " + file + "   (docs/scenario-reference.md has every field)\n\n"
           "extends: " + extends + "\n"
           "name: " + name + "\n"
           "description: " + quoted("Variant of " + base.name + ": say what changes.") + "\n\n"
           "# The fields a variant usually changes, at the base's values. To change one, uncomment it\n"
           "# with the lines above it that hold it (e.g. leaders:, the leader, traits:); the comment\n"
           "# after each gives its unit and range. Lists (a menu, the rungs) replace the base's whole.\n"
           "#\n" + (uncomment ? fields : commented(fields));
}

/// NAME: a file name without a folder, letters, digits, '-', '_' and '.'.
bool good_name(const std::string& name) {
    return !name.empty() && name.front() != '.' && name.front() != '-' &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == std::string::npos;
}

/// Loads `text` as the file `path` would be (its extends relative to `path`'s folder);
/// prints the problems and returns false on any.
bool loads_as(const std::string& path, const std::string& text) {
    const std::string probe = path + ".check" + std::to_string(::getpid());
    try {
        write_file_atomically(probe, text);
        load_scenario(probe);
    } catch (const ScenarioError& e) {
        ::unlink(probe.c_str());
        print_diagnostics(e);
        return false;
    }
    ::unlink(probe.c_str());
    return true;
}

/// Writes `text` to `path` unless something is there already: a temporary file, then
/// link(2), which refuses an existing name (rename would replace it). Returns errno or 0.
int write_new_file(const std::string& path, const std::string& text) {
    const std::string temporary = path + ".tmp" + std::to_string(::getpid());
    write_file_atomically(temporary, text);
    const int err = ::link(temporary.c_str(), path.c_str()) == 0 ? 0 : errno;
    ::unlink(temporary.c_str());
    return err;
}

/// `base` as the new file in `folder` names it: relative to that folder (how the loader reads
/// extends), or absolute when the two share nothing but the root.
std::string extends_path(const std::string& base, const fs::path& folder) {
    std::error_code ec;
    const fs::path to = fs::weakly_canonical(fs::absolute(base), ec), from = fs::weakly_canonical(folder, ec);
    const fs::path relative = to.lexically_relative(from);
    const auto ups = std::count(relative.begin(), relative.end(), fs::path(".."));
    const fs::path below_root = from.relative_path();
    const auto depth = std::distance(below_root.begin(), below_root.end());
    return (relative.empty() || ups >= depth ? to : relative).generic_string();
}

/// The base's editor modeline ("# yaml-language-server: $schema=PATH", in its first lines), with
/// PATH made relative to `folder` so an editor finds the same schema from the new file; empty
/// when the base has none or its schema file is not there. A URL is kept as it is.
std::string schema_modeline(const std::string& base, const fs::path& folder) {
    static constexpr std::string_view key = "# yaml-language-server: $schema=";
    std::ifstream in(base);
    std::string line;
    for (int n = 0; n < 5 && std::getline(in, line); ++n) {
        if (!line.starts_with(key)) continue;
        const std::string schema = line.substr(key.size());
        if (schema.find("://") != std::string::npos) return line + "\n";
        const fs::path resolved = fs::absolute(base).parent_path() / schema;
        std::error_code ec;
        if (!fs::is_regular_file(resolved, ec)) return {};
        return std::string(key) + extends_path(resolved.string(), folder) + "\n";
    }
    return {};
}

struct NewOptions {
    std::string name, from, out;
};

int new_command(const NewOptions& o) {
    const auto fail = [](const std::string& m) { return std::cerr << "brink new: " << m << "\n", int{usage_error}; };
    std::string name = o.name;
    if (name.size() > 5 && name.ends_with(".yaml")) name.resize(name.size() - 5);
    if (!good_name(name)) return fail("NAME is a file name of letters, digits, '-', '_' and '.' (use --out for another folder), found '" + o.name + "'");
    const std::string from = o.from.empty() ? default_base() : o.from;
    const std::string out = o.out.empty() ? name + ".yaml" : o.out;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec))) return fail(out + " already exists; brink new does not overwrite (remove it, or give --out FILE)");
    const fs::path folder = fs::absolute(out).parent_path();
    if (!fs::is_directory(folder, ec)) return fail("cannot write " + out + ": there is no folder " + folder.string());
    const auto base = load_or_report(from, {});
    if (!base) return std::cerr << "brink new: --from " << from << " is not a scenario brink can load (above)\n", int{usage_error};
    const std::string extends = extends_path(from, folder);
    const std::string file = fs::path(out).filename().string();
    const std::string modeline = schema_modeline(from, folder);
    const auto text = [&](bool uncomment) { return scenario_text(name, file, extends, from, modeline, base->scenario, uncomment); };
    try {
        // Both as written and with every field uncommented, it must load: checked before it exists.
        if (!loads_as(out, text(true)) || !loads_as(out, text(false)))
            return std::cerr << "brink new: the scenario written from " << from << " does not load (a bug in brink new)\n", int{runtime_failure};
        if (const int err = write_new_file(out, text(false)); err != 0)
            return err == EEXIST ? fail(out + " already exists; brink new does not overwrite (remove it, or give --out FILE)")
                                 : (std::cerr << "brink new: cannot write " << out << ": " << std::strerror(err) << "\n", int{io_error});
    } catch (const OutputError& e) {
        return exit_code_for("new", e);
    }
    std::printf("wrote %s (extends %s); uncomment the fields it changes, then  brink validate %s\n", out.c_str(), extends.c_str(), out.c_str());
    return ok;
}

}  // namespace

Command add_new_command(CLI::App& app) {
    auto o = std::make_shared<NewOptions>();
    CLI::App* cmd = app.add_subcommand("new", "Write a short scenario that extends another, its usual fields commented at the base's values");
    cmd->add_option("name", o->name, "The new scenario's name; the file is NAME.yaml in this folder")->required();
    cmd->add_option("--from", o->from, "The scenario it extends (default scenarios/baseline.yaml)");
    cmd->add_option("--out", o->out, "Write it here instead of NAME.yaml (never over an existing file)");
    return Command{cmd, [o] { return new_command(*o); }};
}

}  // namespace brink::cli
