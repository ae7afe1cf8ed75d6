// Priors of a calibration: reading them, their densities, quantiles and the unbounded
// coordinate the sampler moves in (docs/calibration.md, "Priors").
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "brink/calibration.hpp"

namespace brink {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// ln s(z) = -ln(1 + e^-z), without overflow for large |z|.
double log_logistic(double z) { return z < -30.0 ? z : -std::log1p(std::exp(-z)); }

/// "name(a, b, ...)" -> name and numbers; false when it is not of that shape.
bool split_call(const std::string& text, std::string& name, std::vector<double>& args, std::string& problem) {
    const auto open = text.find('(');
    if (open == std::string::npos || text.back() != ')') return problem = "expected NAME(NUMBERS), e.g. uniform(0.2, 0.9)", false;
    name = text.substr(0, open);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    std::stringstream in(text.substr(open + 1, text.size() - open - 2));
    std::string part;
    while (std::getline(in, part, ',')) {
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        while (end && *end == ' ') ++end;
        if (end == part.c_str() || (end && *end != '\0') || !std::isfinite(v))
            return problem = "expected a finite number, found '" + part + "'", false;
        args.push_back(v);
    }
    return true;
}

[[noreturn]] void refuse(const std::string& text, const std::string& why) {
    throw CalibrationError("prior '" + text + "': " + why);
}

void check_bounds(const Prior& p) {
    if (!(p.low < p.high))
        refuse(p.text, "the lower bound (" + std::to_string(p.low) + ") must be below the upper (" + std::to_string(p.high) + ")");
    if (p.kind == Prior::Kind::log_uniform && p.low <= 0.0) refuse(p.text, "a loguniform prior needs a lower bound above 0");
    if (p.kind == Prior::Kind::beta && (p.a <= 0.0 || p.b <= 0.0)) refuse(p.text, "beta's alpha and beta must be above 0");
    if (p.kind == Prior::Kind::normal && p.b <= 0.0) refuse(p.text, "the normal's sd must be above 0");
}

/// The mass a truncated normal keeps on [low, high].
double normal_mass(const Prior& p) {
    const boost::math::normal n(p.a, p.b);
    return boost::math::cdf(n, p.high) - boost::math::cdf(n, p.low);
}

}  // namespace

const char* Prior::distribution() const {
    switch (kind) {
        case Kind::uniform: return "uniform";
        case Kind::log_uniform: return "loguniform";
        case Kind::beta: return "beta";
        case Kind::normal: return "normal";
    }
    return "uniform";
}

Prior parse_prior(const std::string& text) {
    Prior p;
    p.text = text;
    std::string name, problem;
    std::vector<double> args;
    if (!split_call(text, name, args, problem)) refuse(text, problem);
    const auto want = [&](std::size_t n, const char* form) {
        if (args.size() != n) refuse(text, std::string("expected ") + form + ", found " + std::to_string(args.size()) + " number(s)");
    };
    if (name == "uniform" || name == "loguniform") {
        want(2, name == "uniform" ? "uniform(LOW, HIGH)" : "loguniform(LOW, HIGH)");
        p.kind = name == "uniform" ? Prior::Kind::uniform : Prior::Kind::log_uniform;
        p.low = args[0], p.high = args[1];
    } else if (name == "beta") {
        if (args.size() != 2) want(4, "beta(ALPHA, BETA) or beta(ALPHA, BETA, LOW, HIGH)");
        p.kind = Prior::Kind::beta;
        p.a = args[0], p.b = args[1];
        if (args.size() == 4) p.low = args[2], p.high = args[3];
    } else if (name == "normal") {
        want(4, "normal(MEAN, SD, LOW, HIGH) (a normal truncated to [LOW, HIGH])");
        p.kind = Prior::Kind::normal;
        p.a = args[0], p.b = args[1], p.low = args[2], p.high = args[3];
    } else {
        refuse(text, "unknown distribution '" + name + "' (expected uniform, loguniform, beta or normal)");
    }
    check_bounds(p);
    if (p.kind == Prior::Kind::normal && !(normal_mass(p) > 1e-12)) refuse(text, "the normal puts no mass on [LOW, HIGH]");
    return p;
}

double Prior::log_density(double x) const {
    if (!(x >= low && x <= high)) return kNegInf;
    const double width = high - low;
    switch (kind) {
        case Kind::uniform: return -std::log(width);
        case Kind::log_uniform: return -std::log(x) - std::log(std::log(high / low));
        case Kind::beta: {
            const double u = (x - low) / width;
            if ((u <= 0.0 && a < 1.0) || (u >= 1.0 && b < 1.0)) return std::numeric_limits<double>::infinity();
            return std::log(boost::math::pdf(boost::math::beta_distribution<double>(a, b), u)) - std::log(width);
        }
        case Kind::normal: {
            const double z = (x - a) / b;
            return -0.5 * z * z - std::log(b * std::sqrt(2.0 * M_PI)) - std::log(normal_mass(*this));
        }
    }
    return kNegInf;
}

double Prior::quantile(double u) const {
    const double width = high - low;
    switch (kind) {
        case Kind::uniform: return low + width * u;
        case Kind::log_uniform: return low * std::pow(high / low, u);
        case Kind::beta: return low + width * boost::math::quantile(boost::math::beta_distribution<double>(a, b), u);
        case Kind::normal: {
            const boost::math::normal n(a, b);
            const double lo = boost::math::cdf(n, low), hi = boost::math::cdf(n, high);
            return std::min(high, std::max(low, boost::math::quantile(n, lo + u * (hi - lo))));
        }
    }
    return low;
}

double Prior::to_free(double x) const {
    const double s = kind == Kind::log_uniform ? std::log(x / low) / std::log(high / low) : (x - low) / (high - low);
    return std::log(s) - std::log1p(-s);
}

double Prior::from_free(double z) const {
    const double s = logistic(z);
    if (kind == Kind::log_uniform) return std::min(high, std::max(low, low * std::pow(high / low, s)));
    return std::min(high, std::max(low, low + (high - low) * s));
}

double Prior::log_jacobian(double z) const {
    const double ds = log_logistic(z) + log_logistic(-z);  // ln s(z)(1 - s(z))
    if (kind == Kind::log_uniform) return std::log(from_free(z)) + std::log(std::log(high / low)) + ds;
    return std::log(high - low) + ds;
}

double Prior::log_free_density(double z) const {
    switch (kind) {
        // flat in s: the density in z is the logistic's, s(1 - s)
        case Kind::uniform:
        case Kind::log_uniform: return log_logistic(z) + log_logistic(-z);
        case Kind::beta: return a * log_logistic(z) + b * log_logistic(-z) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
        case Kind::normal: return log_density(from_free(z)) + log_jacobian(z);
    }
    return kNegInf;
}

}  // namespace brink
