#include "tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <optional>

namespace brink::tree {

namespace {

// Deeper than any sensible scenario; guards the recursive walks below.
constexpr int kMaxDepth = 64;

Mark to_mark(const YAML::Mark& m, const std::string& file) {
    return Mark{file, m.line + 1, m.column + 1};
}

void add(std::vector<Diagnostic>& out, const Mark& mark, std::string path, std::string message) {
    out.push_back(Diagnostic{mark.file, mark.line, mark.column, std::move(path), std::move(message)});
}

Node convert(const YAML::Node& y, const std::string& file, const std::string& path, int depth,
             std::vector<Diagnostic>& diagnostics) {
    Node n;
    n.mark = to_mark(y.Mark(), file);
    if (depth > kMaxDepth) {
        add(diagnostics, n.mark, path, "nested more than " + std::to_string(kMaxDepth) + " levels deep; a scenario needs at most 6");
        return n;
    }
    switch (y.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: n.kind = Node::Kind::null; break;
        case YAML::NodeType::Scalar:
            n.kind = Node::Kind::scalar;
            n.scalar = y.Scalar();
            n.quoted = y.Tag() == "!";
            break;
        case YAML::NodeType::Sequence: {
            n.kind = Node::Kind::list;
            std::size_t i = 0;
            for (const YAML::Node& item : y) {
                n.list.push_back(convert(item, file, path + "[" + std::to_string(i) + "]", depth + 1, diagnostics));
                ++i;
            }
            break;
        }
        case YAML::NodeType::Map:
            n.kind = Node::Kind::map;
            for (const auto& kv : y) {
                const YAML::Node& key = kv.first;
                const Mark key_mark = to_mark(key.Mark(), file);
                if (!key.IsScalar()) {
                    add(diagnostics, key_mark, path, "expected a plain name as a key, found a " +
                                                         std::string(key.IsMap() ? "map" : "list"));
                    continue;
                }
                const std::string name = key.Scalar();
                const std::string child_path = path.empty() ? name : path + "." + name;
                if (const Node* first = n.find(name)) {
                    add(diagnostics, key_mark, child_path,
                        "duplicate key '" + name + "' (first given at line " + std::to_string(first->mark.line) +
                            "); remove one of them");
                    continue;
                }
                n.map.push_back(Entry{name, key_mark, convert(kv.second, file, child_path, depth + 1, diagnostics)});
                n.map.back().value.owner = key_mark;
                if (n.map.back().value.kind == Node::Kind::null) n.map.back().value.mark = key_mark;
            }
            break;
    }
    return n;
}

void emit_node(YAML::Emitter& out, const Node& n) {
    switch (n.kind) {
        case Node::Kind::null: out << YAML::Null; break;
        case Node::Kind::scalar:
            if (n.quoted) out << YAML::DoubleQuoted << n.scalar;
            else out << n.scalar;
            break;
        case Node::Kind::list:
            out << YAML::BeginSeq;
            for (const Node& item : n.list) emit_node(out, item);
            out << YAML::EndSeq;
            break;
        case Node::Kind::map:
            out << YAML::BeginMap;
            for (const Entry& e : n.map) {
                out << YAML::Key << e.key << YAML::Value;
                emit_node(out, e.value);
            }
            out << YAML::EndMap;
            break;
    }
}

/// Position of byte `offset` in `text` as a mark.
Mark mark_at(const std::string& text, std::size_t offset, const std::string& file) {
    Mark m{file, 1, 1};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') { ++m.line; m.column = 1; }
        else ++m.column;
    }
    return m;
}

/// yaml-cpp may report a position just past the end of the text; keep it on the last line.
Mark within_text(Mark m, const std::string& text) {
    int lines = 1;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) lines += text[i] == '\n';
    if (m.line > lines) {
        const std::size_t start = text.rfind('\n', text.size() >= 2 ? text.size() - 2 : 0);
        m.line = lines;
        m.column = static_cast<int>(text.size() - (start == std::string::npos ? 0 : start + 1));
        if (m.column < 1) m.column = 1;
    }
    return m;
}

/// The first tab in a line's leading whitespace, at or before `limit`: YAML forbids tabs there,
/// and yaml-cpp's message for one ("end of map not found") does not say so.
std::optional<std::size_t> tab_in_indentation(const std::string& text, std::size_t limit) {
    bool at_line_start = true;
    for (std::size_t i = 0; i < text.size() && i <= limit; ++i) {
        const char c = text[i];
        if (c == '\n') at_line_start = true;
        else if (at_line_start && c == '\t') {
            const std::size_t content = text.find_first_not_of(" \t", i);
            if (content != std::string::npos && text[content] != '#' && text[content] != '\n') return i;
            at_line_start = false;  // a blank or comment line may hold tabs
        } else if (c != ' ') at_line_start = false;
    }
    return std::nullopt;
}

/// yaml-cpp's words for a line indented where no map or list expects it, with what usually
/// causes it in a scenario (a field uncommented without the keys that hold it).
std::string indentation_message(const std::string& yaml_message) {
    static constexpr const char* kIndentationErrors[] = {"end of map not found", "illegal map value",
                                                         "end of sequence not found", "illegal block entry"};
    for (const char* known : kIndentationErrors)
        if (yaml_message == known)
            return "malformed YAML: " + yaml_message + ": this line's indentation does not fit the lines above it"
                   " (a field must sit under the keys that hold it: uncommenting a field of `brink new`'s file,"
                   " uncomment its parent lines too, e.g. leaders:, the leader, traits:)";
    return "malformed YAML: " + yaml_message;
}

/// The last '[' or '{' before `limit` that is never closed, skipping quotes and comments.
std::optional<std::size_t> unclosed_bracket(const std::string& text, std::size_t limit) {
    std::vector<std::size_t> open;
    char quote = 0;
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        const char c = text[i];
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        else if (c == '[' || c == '{') open.push_back(i);
        else if ((c == ']' || c == '}') && !open.empty()) open.pop_back();
    }
    if (open.empty()) return std::nullopt;
    return open.front();
}

}  // namespace

Node scalar_node(const std::string& text, const Mark& mark) {
    Node n;
    n.kind = Node::Kind::scalar;
    n.scalar = text;
    n.mark = mark;
    return n;
}

Node empty_map(const Mark& mark) {
    Node n;
    n.kind = Node::Kind::map;
    n.mark = mark;
    return n;
}

const Node* Node::find(const std::string& key) const {
    for (const Entry& e : map)
        if (e.key == key) return &e.value;
    return nullptr;
}

Node* Node::find(const std::string& key) {
    for (Entry& e : map)
        if (e.key == key) return &e.value;
    return nullptr;
}

const char* kind_name(Node::Kind kind) {
    switch (kind) {
        case Node::Kind::null: return "nothing";
        case Node::Kind::scalar: return "a value";
        case Node::Kind::map: return "a map";
        case Node::Kind::list: return "a list";
    }
    return "?";
}

Node parse(const std::string& text, const std::string& file, std::vector<Diagnostic>& diagnostics) {
    try {
        const YAML::Node root = YAML::Load(text);
        return convert(root, file, "", 0, diagnostics);
    } catch (const YAML::DeepRecursion& e) {
        add(diagnostics, within_text(to_mark(e.mark, file), text), "",
            "nested too deeply for a scenario (more than yaml-cpp's depth limit); a scenario needs at most 6 levels");
    } catch (const YAML::ParserException& e) {
        const auto opener = unclosed_bracket(text, e.mark.pos);
        if (opener && (e.msg.find("end of sequence flow") != std::string::npos || e.msg.find("end of map flow") != std::string::npos)) {
            const char c = text[*opener];
            add(diagnostics, mark_at(text, *opener, file), "",
                std::string("malformed YAML: this '") + c + "' is never closed (expected '" + (c == '[' ? ']' : '}') + "')");
        } else if (const auto tab = tab_in_indentation(text, static_cast<std::size_t>(std::max(e.mark.pos, 0)))) {
            add(diagnostics, mark_at(text, *tab, file), "", "malformed YAML: a tab in the indentation (YAML indents with spaces only)");
        } else {
            add(diagnostics, within_text(to_mark(e.mark, file), text), "", indentation_message(e.msg));
        }
    } catch (const YAML::Exception& e) {
        add(diagnostics, to_mark(e.mark, file), "", "malformed YAML: " + e.msg);
    }
    return Node{};
}

void merge(Node& base, const Node& over) {
    if (base.kind != Node::Kind::map || over.kind != Node::Kind::map) {
        base = over;
        return;
    }
    for (const Entry& e : over.map) {
        if (Node* existing = base.find(e.key)) merge(*existing, e.value);
        else base.map.push_back(e);
    }
}

void apply_override(Node& root, const std::string& assignment, std::vector<Diagnostic>& diagnostics) {
    const auto eq = assignment.find('=');
    const Mark where{"--set", 1, 1};
    if (eq == std::string::npos || eq == 0) {
        add(diagnostics, where, assignment, "expected path=value (e.g. leaders.putin.priorities.sovereignty=0.9), found '" + assignment + "'");
        return;
    }
    const std::string path = assignment.substr(0, eq);
    const std::string value_text = assignment.substr(eq + 1);
    std::vector<std::string> keys;
    std::vector<int> key_columns;  // 1-based column of each key in the assignment
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        keys.push_back(path.substr(start, dot - start));
        key_columns.push_back(static_cast<int>(start) + 1);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    for (const std::string& k : keys)
        if (k.empty()) {
            add(diagnostics, where, path, "empty name in the path '" + path + "'");
            return;
        }
    std::vector<Diagnostic> value_problems;
    Node value = parse(value_text, "--set", value_problems);
    for (Diagnostic& d : value_problems) {
        d.path = path;
        d.column += static_cast<int>(eq) + 1;
        diagnostics.push_back(d);
    }
    if (!value_problems.empty()) return;
    const Mark value_mark{"--set", 1, static_cast<int>(eq) + 2};
    std::function<void(Node&)> stamp = [&](Node& n) {
        n.mark = value_mark;
        for (Entry& e : n.map) { e.key_mark = value_mark; stamp(e.value); }
        for (Node& item : n.list) stamp(item);
    };
    stamp(value);
    if (value.kind == Node::Kind::null) value = scalar_node("", value_mark);

    Node* node = &root;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        std::string prefix;
        for (std::size_t j = 0; j < i; ++j) prefix += (j ? "." : "") + keys[j];
        if (node->kind == Node::Kind::list) {
            // A list item by its index: ladder.rungs.7.war_cost=6
            const std::string& k = keys[i];
            const bool digits = !k.empty() && k.size() < 9 && k.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || std::stoul(k) >= node->list.size()) {
                add(diagnostics, Mark{"--set", 1, key_columns[i]}, path,
                    "'" + prefix + "' is a list of " + std::to_string(node->list.size()) + " items; expected an index in [0, " +
                        std::to_string(node->list.size() == 0 ? 0 : node->list.size() - 1) + "], found '" + k + "'");
                return;
            }
            node = &node->list[std::stoul(k)];
            continue;
        }
        if (node->kind != Node::Kind::map) {
            add(diagnostics, where, path, "cannot set inside '" + prefix + "', which is " + kind_name(node->kind) + ", not a map");
            return;
        }
        Node* child = node->find(keys[i]);
        if (!child) {
            const Mark key_mark{"--set", 1, key_columns[i]};
            node->map.push_back(Entry{keys[i], key_mark, empty_map(key_mark)});
            node->map.back().value.owner = key_mark;
            child = &node->map.back().value;
        }
        node = child;
    }
    const Mark owner = node->owner;
    *node = value;
    node->owner = owner;
}

std::string emit(const Node& root) {
    YAML::Emitter out;
    out.SetIndent(2);
    emit_node(out, root);
    return std::string(out.c_str()) + "\n";
}

}  // namespace brink::tree
