// The files of a calibration folder (docs/calibration.md, "Files").
#include <cmath>
#include <cstdio>
#include <map>

#include "brink/calibration_output.hpp"
#include "brink/calendar.hpp"
#include "brink/git_commit.hpp"
#include "brink/json.hpp"
#include "brink/output.hpp"
#include "brink/version.hpp"

namespace brink {

namespace {

std::string number(double x) {
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    return format_double(x);
}

std::string hex_hash(std::uint64_t hash) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

/// A nested YAML map built from dotted paths, keys kept in first-seen order.
struct YamlMap {
    std::vector<std::pair<std::string, YamlMap>> children;
    std::string value;  ///< a leaf's YAML text
    bool leaf = false;

    void set(const std::string& path, const std::string& text) {
        const auto dot = path.find('.');
        const std::string key = path.substr(0, dot);
        YamlMap* child = nullptr;
        for (auto& [k, v] : children)
            if (k == key) child = &v;
        if (!child) child = &children.emplace_back(key, YamlMap{}).second;
        if (dot == std::string::npos) {
            *child = YamlMap{};
            child->value = text;
            child->leaf = true;
        } else {
            child->leaf = false;
            child->set(path.substr(dot + 1), text);
        }
    }

    void emit(std::string& out, int indent) const {
        for (const auto& [key, child] : children) {
            out.append(static_cast<std::size_t>(indent), ' ').append(key).append(":");
            if (child.leaf) out.append(" ").append(child.value).append("\n");
            else child.emit(out.append("\n"), indent + 2);
        }
    }
};

const Generation& posterior(const CalibrationState& state) { return state.generations.back(); }

}  // namespace

std::string posterior_csv(const CalibrationRecord& r, const CalibrationState& state) {
    std::string out = "generation,particle,weight,temperature,log_likelihood";
    for (const std::string& p : r.paths) out.append(",").append(csv_field(p));
    out.push_back('\n');
    for (const Generation& g : state.generations)
        for (std::size_t i = 0; i < g.population.size(); ++i) {
            out.append(std::to_string(g.index)).append(",").append(std::to_string(i)).append(",");
            out.append(number(g.weights[i])).append(",").append(number(g.temperature)).append(",");
            out.append(number(g.population[i].log_likelihood));
            for (const double x : g.population[i].theta) out.append(",").append(number(x));
            out.push_back('\n');
        }
    return out;
}

std::string calibration_diagnostics_csv(const CalibrationRecord& r, const CalibrationState& state) {
    std::string out = "generation,temperature,ess,move_steps,acceptance,evaluations,runs,log_evidence,seconds\n";
    for (const Generation& g : state.generations) {
        out.append(std::to_string(g.index)).append(",").append(number(g.temperature)).append(",");
        out.append(g.index == 0 ? std::to_string(g.population.size()) : number(g.ess)).append(",");
        out.append(std::to_string(g.move_steps)).append(",").append(g.index == 0 ? "" : number(g.acceptance)).append(",");
        out.append(std::to_string(g.evaluations)).append(",").append(std::to_string(g.evaluations * r.runs_per_particle)).append(",");
        out.append(number(g.log_evidence)).append(",").append(number(g.seconds)).append("\n");
    }
    return out;
}

std::string calibration_summary_csv(const CalibrationRecord& r, const CalibrationState& state) {
    const Generation& g = posterior(state);
    std::string out = "path,prior,median,mean,sd,q05,q95,prior_q05,prior_q95\n";
    for (std::size_t k = 0; k < r.paths.size(); ++k) {
        double mean = 0.0, var = 0.0;
        for (std::size_t i = 0; i < g.population.size(); ++i) mean += g.weights[i] * g.population[i].theta[k];
        for (std::size_t i = 0; i < g.population.size(); ++i) var += g.weights[i] * std::pow(g.population[i].theta[k] - mean, 2);
        out.append(csv_field(r.paths[k])).append(",").append(csv_field(r.priors[k].text)).append(",");
        out.append(number(weighted_quantile(g.population, g.weights, k, 0.5))).append(",").append(number(mean)).append(",");
        out.append(number(std::sqrt(var))).append(",").append(number(weighted_quantile(g.population, g.weights, k, 0.05))).append(",");
        out.append(number(weighted_quantile(g.population, g.weights, k, 0.95))).append(",");
        out.append(number(r.priors[k].quantile(0.05))).append(",").append(number(r.priors[k].quantile(0.95))).append("\n");
    }
    return out;
}

std::string calibrated_yaml(const CalibrationRecord& r, const CalibrationState& state, const std::string& extends_path) {
    const Generation& g = posterior(state);
    std::string out = "# Written by brink calibrate: " + r.scenario_name + " with each calibrated number at its posterior median\n";
    out += "# (" + std::to_string(g.population.size()) + " particles, observations of " + r.timeline_file + " to " + format_date(r.until_day) +
           "; the 90% intervals are in summary.csv).\n";
    out += "# Command: " + r.command_line + "\n";
    YamlMap tree;
    tree.set("extends", Json::quote(extends_path));
    tree.set("name", Json::quote(r.scenario_name + " (calibrated)"));
    for (const std::string& o : r.overrides) {
        const auto eq = o.find('=');
        tree.set(o.substr(0, eq), o.substr(eq + 1));
    }
    for (std::size_t k = 0; k < r.paths.size(); ++k) tree.set(r.paths[k], number(weighted_quantile(g.population, g.weights, k, 0.5)));
    tree.emit(out, 0);
    return out;
}

std::string calibration_manifest(const CalibrationRecord& r, const CalibrationState& state) {
    Json j;
    j.begin_object();
    j.value("kind", "calibration").value("command_line", r.command_line);
    j.value("brink_version", kVersion);
    if (*kGitCommit) j.value("git_commit", kGitCommit);
    else j.null("git_commit");
    j.value("model_version", kModelVersion);
    j.begin_object("stream_scheme").value("name", kStreamScheme).value("version", kStreamSchemeVersion).end_object();
    j.begin_object("scenario").value("name", r.scenario_name).value("hash", hex_hash(r.scenario_hash));
    j.begin_array("files");
    for (const std::string& f : r.scenario_files) j.value("", f);
    j.end_array();
    j.begin_array("overrides");
    for (const std::string& o : r.overrides) j.value("", o);
    j.end_array().end_object();
    j.begin_object("timeline").value("file", r.timeline_file).value("hash", hex_hash(r.timeline_hash)).end_object();
    j.value("until", format_date(r.until_day));
    j.begin_array("observations");
    for (const std::string& id : r.observations) j.value("", id);
    j.end_array();
    j.value("method", "likelihood SMC sampler: adaptive tempering, systematic resampling, pseudo-marginal random-walk moves");
    j.begin_object("plan").value("particles", r.plan.particles).value("runs_per_particle", r.runs_per_particle).value("seed", r.plan.seed);
    j.value("ess_target", r.plan.ess_target).value("max_moves", r.plan.max_moves).value("max_generations", r.plan.max_generations).end_object();
    j.begin_array("parameters");
    for (std::size_t k = 0; k < r.paths.size(); ++k) {
        const Prior& p = r.priors[k];
        j.begin_object().value("path", r.paths[k]).value("prior", p.text).value("distribution", p.distribution());
        j.value("low", p.low).value("high", p.high);
        if (p.kind == Prior::Kind::beta) j.value("alpha", p.a).value("beta", p.b);
        if (p.kind == Prior::Kind::normal) j.value("mean", p.a).value("sd", p.b);
        j.end_object();
    }
    j.end_array();
    std::uint64_t evaluations = 0;
    for (const Generation& g : state.generations) evaluations += g.evaluations;
    j.value("generations", static_cast<std::uint64_t>(state.generations.size()));
    j.value("evaluations", evaluations).value("runs", evaluations * r.runs_per_particle);
    if (!state.generations.empty()) j.value("log_evidence", state.generations.back().log_evidence);
    j.value("complete", state.complete());
    j.value("threads", r.threads).value("started", r.started).value("ended", r.ended).value("wall_seconds", r.wall_seconds);
    j.end_object();
    return j.str();
}

}  // namespace brink
