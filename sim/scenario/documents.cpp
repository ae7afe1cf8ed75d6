#include "documents.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace brink {

using tree::Node;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string suggestion(const std::string& wrong, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(wrong, c);
        if (d < best_distance) { best_distance = d; best = c; }
    }
    const std::size_t limit = std::max<std::size_t>(2, wrong.size() / 3);
    if (best.empty() || best_distance > limit) return "";
    return "; did you mean '" + best + "'?";
}

std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i == 8) { out += ", ..."; break; }
        out += (i ? ", " : "") + names[i];
    }
    return out;
}

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream s;
    s << v;
    return s.str();
}

std::optional<std::string> read_file(const std::string& path, const DocumentKind& kind, std::vector<Diagnostic>& diagnostics) {
    namespace fs = std::filesystem;
    const auto fail = [&](const std::string& message) {
        diagnostics.push_back(Diagnostic{path, 0, 0, "", message});
        return std::nullopt;
    };
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return fail("cannot open: no such file");
    if (fs::is_directory(status)) return fail(std::string("is a directory; expected ") + kind.file);
    if (!fs::is_regular_file(status)) return fail(std::string("is not a regular file; expected ") + kind.file);
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) return fail("cannot read its size: " + ec.message());
    if (size > kMaxFileBytes) {
        std::ostringstream s;
        s.precision(1);
        s << std::fixed << "is " << static_cast<double>(size) / (1 << 20) << " MiB; " << kind.plural << " are limited to 16 MiB";
        return fail(s.str());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open for reading (permission denied?)");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (!in) return fail("could not be read completely");
    if (text.empty()) return fail(std::string("is empty; expected ") + kind.content);
    if (const auto nul = text.find('\0'); nul != std::string::npos)
        return fail("looks like a binary file (NUL byte at offset " + std::to_string(nul) + "), not YAML text");
    return text;
}

Node parse_document(const std::string& text, const std::string& file, const DocumentKind& kind, std::vector<Diagnostic>& diagnostics) {
    const std::size_t before = diagnostics.size();
    Node root = tree::parse(text, file, diagnostics);
    if (diagnostics.size() != before) return Node{};
    if (root.kind == Node::Kind::null) {
        diagnostics.push_back(Diagnostic{file, 0, 0, "", std::string("contains no YAML content (only comments or blank lines); expected ") + kind.content});
        return Node{};
    }
    if (root.kind != Node::Kind::map) {
        diagnostics.push_back(Diagnostic{file, root.mark.line, root.mark.column, "",
                                         std::string("expected a map at the top level (") + kind.keys + "), found " + tree::kind_name(root.kind)});
        return Node{};
    }
    return root;
}


Node load_document(const std::string& path, const DocumentKind& kind) {
    std::vector<Diagnostic> diagnostics;
    const auto text = read_file(path, kind, diagnostics);
    if (!text) throw ScenarioError(std::move(diagnostics));
    Node root = parse_document(*text, path, kind, diagnostics);
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    return root;
}

void DocumentReader::error(const tree::Mark& m, const std::string& path, const std::string& message) {
    diagnostics_.push_back(Diagnostic{m.file, m.line, m.column, path, message});
}

std::string DocumentReader::describe(const Node& n) {
    return n.kind == Node::Kind::scalar ? "'" + n.scalar + "'" : tree::kind_name(n.kind);
}

void DocumentReader::keys(const Node& map, const std::string& path, const std::vector<std::string>& allowed) {
    for (const tree::Entry& e : map.map)
        if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
            error(e.key_mark, child(path, e.key),
                  "unknown key '" + e.key + "'" + suggestion(e.key, allowed) + " (expected one of: " + list_names(allowed) + ")");
}

std::optional<int> DocumentReader::name(const Node& n, const std::string& path, const std::vector<std::string>& names,
                                        const std::string& kind, bool by_index) {
    if (n.kind != Node::Kind::scalar) {
        error(n.mark, path, "expected the name of " + kind + ", found " + describe(n));
        return std::nullopt;
    }
    const auto it = std::find(names.begin(), names.end(), n.scalar);
    if (it != names.end()) return static_cast<int>(it - names.begin());
    if (by_index) {
        int index = -1;
        const auto [end, ec] = std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), index);
        if (ec == std::errc() && end == n.scalar.data() + n.scalar.size() && index >= 0 && index < static_cast<int>(names.size()))
            return index;
    }
    error(n.mark, path, "unknown " + kind + " '" + n.scalar + "'" + suggestion(n.scalar, names) + " (known: " + list_names(names) + ")");
    return std::nullopt;
}

std::optional<double> DocumentReader::number_of(const Node& n) {
    double v = 0.0;
    if (n.kind != Node::Kind::scalar || n.quoted) return std::nullopt;
    const auto [end, ec] = std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), v);
    if (ec != std::errc() || end != n.scalar.data() + n.scalar.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

}  // namespace brink
