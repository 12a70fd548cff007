#!/usr/bin/env python3
"""Checks psslint's module graph against the layers in docs/architecture.md.

    scripts/check-layers.py            # exit 1 on any violation, each one named
    scripts/check-layers.py --graph    # also print the module graph (who imports whom)
    scripts/check-layers.py --self-test  # show that it catches each kind of violation

A circle is printed as one shortest loop, `FILE:LINE -> FILE:LINE -> ... -> FILE`, each LINE
being where that file imports the next.

Reads every file under src/, takes its references to the crate's own modules (`use` items,
with their brace groups, and `crate::`/`super::`/`self::` paths in code; comments and string
literals are not code) and resolves each to the file that defines the module it names. Fails on:
- an import circle between files (a loop of references, however long);
- a module of a lower layer referring to one of a higher layer, or to another module of its
  own layer (the modules of one layer are independent of each other);
- a top-level module of src/ that the layer list does not name, or a name in the list that is
  not a module of src/ (the list must stay true).

The layer list is the numbered list between `<!-- layers -->` and `<!-- /layers -->` in
docs/architecture.md, lowest layer first; each line names its modules in backticks. A new
top-level module gets a layer by a line (or a name on a line) there. Python 3 standard library
only; runs in well under a second.
"""

import bisect
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
DOC = os.path.join(ROOT, "docs", "architecture.md")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def read_layers():
    """The layer list from the doc: a list of lists of module names, lowest first."""
    try:
        text = open(DOC, encoding="utf-8").read()
    except OSError as e:
        sys.exit(f"check-layers: cannot read {DOC}: {e}")
    m = re.search(r"<!-- layers -->(.*?)<!-- /layers -->", text, re.S)
    if not m:
        sys.exit(f"check-layers: {DOC} has no `<!-- layers -->` ... `<!-- /layers -->` list")
    layers = []
    for line in m.group(1).splitlines():
        item = re.match(r"\s*\d+\.\s+(.*)", line)
        if not item:
            continue
        # The modules are the backticked names before the first dash (the rest is prose).
        head = re.split(r"\s[—–-]\s", item.group(1), maxsplit=1)[0]
        names = re.findall(r"`(" + IDENT + r")`", head)
        if not names:
            sys.exit(f"check-layers: layer line names no module in backticks: {line.strip()}")
        layers.append(names)
    if not layers:
        sys.exit(f"check-layers: the layer list in {DOC} is empty")
    return layers


def strip(code):
    """The code with comments and string/char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif code.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if code.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif code.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * code.count("\n", i, j))
            i = j
        elif re.match(r'(?:b|c)?r(#*)"', code[i : i + 260]) and (i == 0 or not re.match(r"[A-Za-z0-9_]", code[i - 1])):
            m = re.match(r'(?:b|c)?r(#*)"', code[i:])
            close = '"' + m.group(1)
            j = code.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append(' ""' + "\n" * code.count("\n", i, j))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            out.append(' ""' + "\n" * code.count("\n", i, j))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            m = re.match(r"'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'])'", code[i:])
            if m:
                out.append(" ' '")
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_tests(code):
    """The code without `#[cfg(test)]` items (blanked, newlines kept), and the names of the
    modules declared `#[cfg(test)] mod NAME;` (test-only files)."""
    test_files = set()
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", code):
        if m.start() < i:
            continue
        out.append(code[i : m.start()])
        decl = re.match(r"\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", code[m.end() :])
        if decl:
            test_files.add(decl.group(1))
            j = m.end() + decl.end()
        else:
            # The item ends at its first `;` outside braces or at the brace closing its body.
            j, depth = m.end(), 0
            while j < len(code):
                ch = code[j]
                j += 1
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif ch == ";" and depth == 0:
                    break
        out.append("\n" * code.count("\n", m.start(), j))
        i = j
    out.append(code[i:])
    return "".join(out), test_files


def expand_use(tree):
    """`a::{b, c::{d as e, *}}` → [([a, b], None), ([a, c, d], "e"), ([a, c, "*"], None)]."""
    tree = re.sub(r"\s+as\s+(" + IDENT + ")", r"@\1", tree)
    tree = re.sub(r"\s+", "", tree)
    paths = []

    def walk(prefix, s):
        # Split s at top-level commas.
        parts, depth, start = [], 0, 0
        for k, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(s[start:k])
                start = k + 1
        parts.append(s[start:])
        for part in parts:
            if not part:
                continue
            b = part.find("{")
            if b >= 0:
                head = [x for x in part[:b].split("::") if x]
                walk(prefix + head, part[b + 1 : part.rindex("}")])
            else:
                part, _, alias = part.partition("@")
                segs = [x for x in part.split("::") if x]
                paths.append((prefix + segs, alias or None))

    walk([], tree)
    return paths


class Crate:
    def __init__(self):
        self.files = {}  # module path (tuple) -> file path relative to ROOT
        for dirpath, _, names in os.walk(SRC):
            for name in names:
                if not name.endswith(".rs"):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, SRC)[:-3].split(os.sep)
                if rel[-1] == "mod":
                    rel = rel[:-1]
                if rel in (["lib"], ["main"]):
                    rel = []
                    if name == "main.rs":
                        continue  # the binary: it uses the library by name, not crate::
                self.files[tuple(rel)] = os.path.relpath(full, ROOT)

        self.reexports = {}  # module path -> {name: absolute path it re-exports}
        self.globs = {}  # module path -> [absolute module paths re-exported with ::*]

    def module_of(self, path):
        """The deepest module file a path names, and the rest of the path."""
        path = tuple(path)
        for k in range(len(path), -1, -1):
            if path[:k] in self.files:
                return path[:k], path[k:]
        return None, path

    def resolve(self, path, seen=None):
        """The file that defines what a path names, through `pub use` re-exports (None:
        outside the crate's modules)."""
        module, rest = self.module_of(path)
        if module is None:
            return None
        seen = seen or set()
        if rest and (module, rest[0]) not in seen:
            seen.add((module, rest[0]))
            target = self.reexports.get(module, {}).get(rest[0])
            if target is not None:
                return self.resolve(list(target) + list(rest[1:]), seen)
            for glob in self.globs.get(module, ()):
                found = self.resolve(list(glob) + list(rest), seen)
                if found is not None and found != glob:
                    return found
        return module


def references(crate, module, code):
    """(line, absolute path, alias, is a `use`) for each path in one file's code that may name
    a module of the crate."""
    children = {m[len(module)] for m in crate.files if len(m) == len(module) + 1 and m[: len(module)] == module}
    newlines = [k for k, ch in enumerate(code) if ch == "\n"]
    # Inline modules (`mod tests { ... }`): paths inside are relative to them.
    inline = []  # (name, depth at which it closes)
    depth = 0
    out = []

    def absolute(segs, here):
        if not segs:
            return None
        if segs[0] == "crate":
            return segs[1:]
        if segs[0] in ("self", "super"):
            base = list(here)
            while segs and segs[0] in ("self", "super"):
                if segs[0] == "super":
                    if not base:
                        return None
                    base.pop()
                segs = segs[1:]
            return base + segs
        if segs[0] in children and len(here) == len(module):
            return list(module) + segs
        return None

    events = [(m.start(), "event", (m.group(0), m.group(1))) for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{|[{}]", code)]
    uses = [(m.start(), m.end(), m.group(1)) for m in re.finditer(r"\buse\s+([^;]*);", code)]
    spans = [(a, b) for a, b, _ in uses]
    paths = [
        (m.start(), "path", m.group(0))
        for m in re.finditer(r"(?<![A-Za-z0-9_:])(?:" + IDENT + r")(?:::" + IDENT + r")+", code)
        if not any(a <= m.start() < b for a, b in spans)
    ]
    for pos, kind, data in sorted(events + [(a, "use", tree) for a, _, tree in uses] + paths):
        here = list(module) + [name for name, _ in inline]
        if kind == "event":
            tok, name = data
            if tok == "}":
                depth -= 1
                if inline and inline[-1][1] == depth:
                    inline.pop()
            else:
                if name:
                    inline.append((name, depth))
                depth += 1
            continue
        line = bisect.bisect_left(newlines, pos) + 1
        items = expand_use(data) if kind == "use" else [(data.split("::"), None)]
        for segs, alias in items:
            target = absolute(segs, here)
            if target is not None:
                out.append((line, tuple(target), alias, kind == "use" and not inline))
    return out


def sccs(graph):
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index, low, on, stack, result, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    result.append(sorted(comp))
    return result


def shortest_loop(graph, members):
    """A shortest loop of imports within one knot: [a, b, ..., a]."""
    best = None
    for start in sorted(members):
        prev, frontier, found = {start: None}, [start], None
        while frontier and found is None:
            nxt = []
            for a in frontier:
                for b in sorted(graph[a]):
                    if b not in members:
                        continue
                    if b == start:
                        found = a
                        break
                    if b not in prev:
                        prev[b] = a
                        nxt.append(b)
                if found is not None:
                    break
            frontier = nxt
        if found is None:
            continue
        path = [found]
        while prev[path[-1]] is not None:
            path.append(prev[path[-1]])
        loop = list(reversed(path)) + [start]
        if best is None or len(loop) < len(best):
            best = loop
    return best


def main():
    show_graph = "--graph" in sys.argv[1:]
    layers = read_layers()
    layer_of = {}
    for k, names in enumerate(layers):
        for name in names:
            if name in layer_of:
                sys.exit(f"check-layers: `{name}` is on two layers of the list in {DOC}")
            layer_of[name] = k
    crate = Crate()
    problems = []
    top = sorted({m[0] for m in crate.files if m})
    for name in top:
        if name not in layer_of:
            problems.append(
                f"src/{name} is on no layer: add it to the layer list in docs/architecture.md"
            )
    for name in layer_of:
        if name not in top:
            problems.append(f"docs/architecture.md lists `{name}`, which is not a module of src/")

    # Each file's code without comments, literals and test-only items; test-only files
    # (`#[cfg(test)] mod NAME;`) are left out.
    codes, test_only = {}, set()
    for module, rel in sorted(crate.files.items()):
        code, tests = drop_tests(strip(open(os.path.join(ROOT, rel), encoding="utf-8").read()))
        codes[module] = code
        test_only.update(module + (t,) for t in tests)
    for module in test_only:
        crate.files.pop(module, None)
        codes.pop(module, None)
    refs = {module: references(crate, module, code) for module, code in codes.items()}
    # What each module's `use` items bring in, so that a path through a re-export names the
    # file that defines the item (`crate::report::Format` is report/mod.rs's own, say, while
    # `crate::plan::Plan` is plan/model.rs's).
    for module, found in refs.items():
        for _, target, alias, is_use in found:
            if not is_use or not target:
                continue
            if target[-1] == "*":
                crate.globs.setdefault(module, []).append(target[:-1])
            else:
                name = alias or target[-1]
                if name != "_":
                    crate.reexports.setdefault(module, {})[name] = target
    graph = {m: set() for m in crate.files}
    where = {}  # (from, to) -> first line
    for module, found in refs.items():
        for line, target, _, _ in found:
            if target and target[-1] == "*":
                target = target[:-1]
            b = crate.resolve(target)
            if b is None or b == module or b not in graph:
                continue
            graph[module].add(b)
            where.setdefault((module, b), line)

    def name(m):
        return crate.files[m]

    for a in sorted(graph):
        for b in sorted(graph[a]):
            if not a or not b or a[0] == b[0]:
                continue
            la, lb = layer_of.get(a[0]), layer_of.get(b[0])
            if la is None or lb is None:
                continue
            if lb > la:
                problems.append(
                    f"{name(a)}:{where[(a, b)]}: `{a[0]}` (layer {la + 1}) imports `{'::'.join(b)}` "
                    f"of the higher layer {lb + 1} (`{b[0]}`)"
                )
            elif lb == la:
                problems.append(
                    f"{name(a)}:{where[(a, b)]}: `{a[0]}` imports `{'::'.join(b)}` of its own layer "
                    f"{la + 1}: modules of one layer are independent"
                )
    for comp in sccs(graph):
        loop = shortest_loop(graph, set(comp))
        ties = " -> ".join(f"{name(a)}:{where[(a, b)]}" for a, b in zip(loop, loop[1:]))
        others = f" ({len(comp)} files in this knot)" if len(comp) > len(loop) - 1 else ""
        problems.append(f"import circle: {ties} -> {name(loop[-1])}{others}")

    if show_graph:
        for a in sorted(graph):
            targets = ", ".join(sorted(name(b) for b in graph[a]))
            print(f"{name(a)} -> {targets}")
    edges = sum(len(v) for v in graph.values())
    if problems:
        for p in problems:
            print(f"check-layers: {p}", file=sys.stderr)
        print(f"check-layers: {len(problems)} problem(s) in {len(graph)} files", file=sys.stderr)
        return 1
    print(
        f"check-layers: {len(top)} modules on {len(layers)} layers, {len(graph)} files, "
        f"{edges} imports between files: no import circle, no import of a higher layer"
    )
    return 0


def self_test():
    """Copies src/ and the doc to a scratch tree, breaks them one way at a time and checks
    that each break is caught (and that the untouched copy passes)."""
    import shutil
    import subprocess
    import tempfile

    breaks = {
        "passes": ({}, None),
        "upward": (
            {"src/model/field.rs": "\nuse crate::lint::partial::Partial;\n"},
            "`model` (layer 1) imports `lint::partial`",
        ),
        "circle": (
            {"src/lint/text.rs": "\nuse super::document::*;\n"},
            "import circle: ",
        ),
        "same layer": (
            # plan and notices on one layer: notices' imports of plan break it.
            {"docs/architecture.md": lambda t: re.sub(r"\n\d+\. `notices`[^\n]*", "", t.replace("`plan` —", "`plan`, `notices` —"))},
            "of its own layer",
        ),
        "unlisted": ({"src/newstage/mod.rs": "\n"}, "src/newstage is on no layer"),
        "test code is no import": (
            {"src/model/level.rs": "\n#[cfg(test)]\nmod more { use crate::lint::partial::Partial; }\n"},
            None,
        ),
    }
    failed = 0
    for what, (edits, expect) in breaks.items():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(SRC, os.path.join(tmp, "src"))
            os.makedirs(os.path.join(tmp, "scripts"))
            os.makedirs(os.path.join(tmp, "docs"))
            shutil.copy(DOC, os.path.join(tmp, "docs", "architecture.md"))
            shutil.copy(os.path.abspath(__file__), os.path.join(tmp, "scripts", "check-layers.py"))
            for rel, text in edits.items():
                path = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
                new = text(old) if callable(text) else old + text
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
            run = subprocess.run(
                [sys.executable, os.path.join(tmp, "scripts", "check-layers.py")],
                capture_output=True,
                text=True,
            )
            ok = run.returncode == 0 if expect is None else (run.returncode == 1 and expect in run.stderr)
            print(f"check-layers self-test: {what}: {'ok' if ok else 'FAILED'}")
            if not ok:
                failed += 1
                print(run.stdout + run.stderr, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(self_test() if "--self-test" in sys.argv[1:] else main())
