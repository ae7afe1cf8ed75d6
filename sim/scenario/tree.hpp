// A YAML document as a plain tree whose every node remembers its file, line and
// column. yaml-cpp marks carry no file name, and `extends` mixes nodes from
// several files, so the loader converts once and works on this tree.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brink/scenario.hpp"

namespace brink::tree {

struct Mark {
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based
};

struct Node;
struct Entry;

struct Node {
    enum class Kind { null, scalar, map, list };
    Kind kind = Kind::null;
    std::string scalar;
    bool quoted = false;  // a quoted scalar is always a string
    std::vector<Entry> map;
    std::vector<Node> list;
    Mark mark;   // where the value starts
    Mark owner;  // where the key naming it is (unset for the root and list items)

    /// The best place to report something missing from this node: its key, else itself.
    const Mark& where() const { return owner.line > 0 ? owner : mark; }

    const Node* find(const std::string& key) const;
    Node* find(const std::string& key);
};

struct Entry {
    std::string key;
    Mark key_mark;
    Node value;
};

/// A plain scalar or an empty map at `mark` (for names read from keys, and absent sections).
Node scalar_node(const std::string& text, const Mark& mark);
Node empty_map(const Mark& mark);

/// Parses YAML text; problems (syntax, duplicate keys, too deep) go to `diagnostics`.
Node parse(const std::string& text, const std::string& file, std::vector<Diagnostic>& diagnostics);

/// Merges `over` onto `base`: maps merge by key (recursively); anything else,
/// lists included, replaces the base value whole.
void merge(Node& base, const Node& over);

/// Applies one "a.b.c=value" override; the value is parsed as YAML.
void apply_override(Node& root, const std::string& assignment, std::vector<Diagnostic>& diagnostics);

/// Writes the tree back as YAML (block style, keys in order).
std::string emit(const Node& root);

const char* kind_name(Node::Kind kind);

}  // namespace brink::tree
