//! The layers of docs/ARCHITECTURE.md, checked on the source: which top-level module may use
//! which, no cycles between files, no file over 400 lines and no function over 80. It reads
//! every `use` line and every `crate::`/`super::`/`self::` path of `src/` (test modules
//! aside), so a forbidden import fails here with the file that made it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may use whom (top-level modules of `src/`), as docs/ARCHITECTURE.md draws it.
/// `faces`, `main` and `lib` may use anything; `secret` and `gzip` are small utilities
/// anyone may use.
const MAY_USE: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("secret", &[]),
    ("gzip", &[]),
    ("api", &["domain"]),
    ("report", &["api", "domain"]),
    ("store", &["domain"]),
    ("elevenlabs", &["domain"]),
    ("journal", &["elevenlabs", "store", "domain"]),
    ("client", &["api", "report", "domain"]),
    ("sim", &["elevenlabs", "domain"]),
    (
        "monitor",
        &["journal", "elevenlabs", "store", "api", "report", "domain"],
    ),
    (
        "campaign",
        &["monitor", "journal", "elevenlabs", "store", "api", "domain"],
    ),
    // `elevenlabs` for the workspace's reads the page lists (agents, phone numbers,
    // audio); every submit goes through `campaign` and its journal.
    (
        "service",
        &[
            "campaign",
            "monitor",
            "elevenlabs",
            "store",
            "api",
            "report",
            "domain",
        ],
    ),
    ("tui", &["client", "api", "report", "domain"]),
    ("cli", &["domain"]),
    ("config", &["elevenlabs", "service", "store", "domain"]),
];
const ANYONE_MAY_USE: &[&str] = &["secret", "gzip"];
const TOP_MAY_USE_ALL: &[&str] = &["faces", "main", "lib"];

const MAX_FILE_LINES: usize = 400;
const MAX_FN_LINES: usize = 80;

/// One source file: its module path (`["monitor", "poller"]`) and its text without comments
/// and without `#[cfg(test)]` modules.
struct Source {
    path: PathBuf,
    module: Vec<String>,
    code: String,
    lines: usize,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let rel = p.strip_prefix(&root).unwrap().with_extension("");
                let mut module: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(module.last().map(String::as_str), Some("mod")) {
                    module.pop();
                }
                out.push(Source {
                    path: p
                        .strip_prefix(root.parent().unwrap())
                        .unwrap()
                        .to_path_buf(),
                    module,
                    code: without_tests(&strip_comments(&text)),
                    lines: text.lines().count(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Drops `//` comments and blanks out string literals (so a path in a message is no import).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' && !(prev == '\'' && chars.get(i + 1) == Some(&'\'')) {
                in_str = !in_str;
                kept.push('"');
            } else if !in_str {
                kept.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Cuts `#[cfg(test)] mod ... { ... }` blocks: tests may reach anything.
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find(['{', ';']) else {
            break;
        };
        if after.as_bytes()[open] == b';' {
            rest = &after[open + 1..];
            continue;
        }
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Expands a use tree (`crate::a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let head = tree.split(" as ").next().unwrap_or(tree);
        return vec![segments(head)];
    };
    let prefix = segments(&tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| {
            expand(p).into_iter().map(|tail| {
                let mut full = prefix.clone();
                full.extend(tail);
                full
            })
        })
        .collect()
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path a file names: its (non-`pub`) `use` trees, inline `crate::`/`super::`/`self::`
/// paths, and paths through the child modules it declares. Re-exports (`pub use`) are
/// naming, not dependence, and are left out.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut children = BTreeSet::new();
    for stmt in code.split(';') {
        let s = stmt.trim_start();
        let s = s.rsplit(['}', '{']).next().unwrap_or(s).trim_start();
        let s = s.strip_prefix("#[cfg(test)]").unwrap_or(s).trim_start();
        if let Some(name) = s
            .strip_prefix("mod ")
            .or_else(|| s.strip_prefix("pub mod "))
            .or_else(|| s.strip_prefix("pub(crate) mod "))
            && name.chars().all(is_ident)
        {
            children.insert(name.trim().to_string());
        }
    }
    let bytes: Vec<char> = code.chars().collect();
    let text: String = bytes.iter().collect();
    for (at, _) in text.match_indices("use ") {
        let before = text[..at].trim_end();
        let preceded_ok = at == 0 || !is_ident(bytes[text[..at].chars().count() - 1]);
        if !preceded_ok || before.ends_with("pub") || before.ends_with(')') {
            continue;
        }
        if let Some(end) = text[at..].find(';') {
            paths.extend(expand(&text[at + 4..at + end]));
        }
    }
    // Inline paths: a run of `ident::ident...` not preceded by `::` or an identifier,
    // outside re-exports.
    let chars: Vec<char> = without_reexports(&text).chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars[i]) && (i == 0 || (!is_ident(chars[i - 1]) && chars[i - 1] != ':')) {
            let start = i;
            while i < chars.len() && (is_ident(chars[i]) || chars[i] == ':') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            // `a::{b, c}` is a use tree, read above.
            if run.contains("::") && !run.ends_with("::") {
                let segs = segments(&run);
                if matches!(segs[0].as_str(), "crate" | "super" | "self")
                    || children.contains(&segs[0])
                {
                    paths.push(segs);
                }
            }
        } else {
            i += 1;
        }
    }
    paths
        .into_iter()
        .map(|p| {
            if children.contains(&p[0]) {
                std::iter::once("self".to_string()).chain(p).collect()
            } else {
                p
            }
        })
        .collect()
}

/// The text with its `pub use ...;` statements blanked out.
fn without_reexports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("pub") {
        let after = &rest[at..];
        let head = after.split_once("use ").map(|(h, _)| h.trim());
        let is_reexport = matches!(head, Some("pub") | Some("pub(crate)") | Some("pub(super)"))
            && (at == 0 || !is_ident(rest[..at].chars().last().unwrap_or(' ')));
        if is_reexport && let Some(end) = after.find(';') {
            out.push_str(&rest[..at]);
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[..at + 3]);
            rest = &after[3..];
        }
    }
    out.push_str(rest);
    out
}

/// The file a path leads to: the longest prefix that is a module file of `src/`.
fn resolve<'a>(
    from: &Source,
    path: &[String],
    files: &'a BTreeMap<Vec<String>, PathBuf>,
) -> Option<&'a PathBuf> {
    let mut abs: Vec<String> = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("self" | "super") => from.module.clone(),
        _ => return None,
    };
    let mut rest = if path[0] == "crate" { &path[1..] } else { path };
    while let Some(first) = rest.first() {
        match first.as_str() {
            "self" => {}
            "super" => {
                abs.pop();
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    abs.extend(rest.iter().cloned());
    (1..=abs.len())
        .rev()
        .find_map(|n| files.get(&abs[..n].to_vec()))
}

struct Graph {
    /// file → the files it uses, with the path that made each edge.
    edges: BTreeMap<PathBuf, BTreeMap<PathBuf, String>>,
    tops: BTreeMap<PathBuf, String>,
}

fn graph(sources: &[Source]) -> Graph {
    let files: BTreeMap<Vec<String>, PathBuf> = sources
        .iter()
        .map(|s| (s.module.clone(), s.path.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    let mut tops = BTreeMap::new();
    for s in sources {
        let top = match s.module.first() {
            Some(m) => m.clone(),
            None => s.path.file_stem().unwrap().to_string_lossy().into_owned(),
        };
        tops.insert(s.path.clone(), top);
        let mut out = BTreeMap::new();
        for p in named_paths(&s.code) {
            if let Some(target) = resolve(s, &p, &files)
                && *target != s.path
            {
                out.entry(target.clone()).or_insert_with(|| p.join("::"));
            }
        }
        edges.insert(s.path.clone(), out);
    }
    Graph { edges, tops }
}

#[test]
fn layers_are_kept() {
    let g = graph(&sources());
    let rules: BTreeMap<&str, &[&str]> = MAY_USE.iter().copied().collect();
    let mut wrong = Vec::new();
    for (file, uses) in &g.edges {
        let from = g.tops[file].as_str();
        if TOP_MAY_USE_ALL.contains(&from) {
            continue;
        }
        let Some(allowed) = rules.get(from) else {
            wrong.push(format!(
                "{}: module `{from}` is not in docs/ARCHITECTURE.md's table",
                file.display()
            ));
            continue;
        };
        for (target, via) in uses {
            let to = g.tops[target].as_str();
            if to != from && !allowed.contains(&to) && !ANYONE_MAY_USE.contains(&to) {
                wrong.push(format!(
                    "{} uses `{via}`: `{from}` may not use `{to}`",
                    file.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "forbidden imports (see docs/ARCHITECTURE.md):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_cycles_between_files() {
    let g = graph(&sources());
    // ARCH_EDGES=src/monitor prints the edges under that folder, to see why a ring forms.
    if let Ok(prefix) = std::env::var("ARCH_EDGES") {
        for (from, uses) in g.edges.iter().filter(|(f, _)| f.starts_with(&prefix)) {
            for (to, via) in uses.iter().filter(|(t, _)| t.starts_with(&prefix)) {
                eprintln!("{} -> {} ({via})", from.display(), to.display());
            }
        }
    }
    let cycles = strongly_connected(&g.edges);
    let shown: Vec<String> = cycles
        .iter()
        .map(|c| {
            let names: Vec<String> = c.iter().map(|p| p.display().to_string()).collect();
            names.join(" ↔ ")
        })
        .collect();
    assert!(
        shown.is_empty(),
        "files that use each other (directly or in a ring):\n{}",
        shown.join("\n")
    );
}

/// Tarjan's strongly connected components with more than one file.
fn strongly_connected(edges: &BTreeMap<PathBuf, BTreeMap<PathBuf, String>>) -> Vec<Vec<PathBuf>> {
    struct T<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeMap<PathBuf, String>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a PathBuf) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.edges.get(v).into_iter().flat_map(|m| m.keys()) {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                t.low.entry(v).and_modify(|l| *l = (*l).min(lw));
            } else if t.on.contains(w) {
                let iw = t.index[w];
                t.low.entry(v).and_modify(|l| *l = (*l).min(iw));
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn files_stay_small() {
    let big: Vec<String> = sources()
        .iter()
        .filter(|s| s.lines > MAX_FILE_LINES)
        .map(|s| format!("{}: {} lines", s.path.display(), s.lines))
        .collect();
    assert!(
        big.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        big.join("\n")
    );
}

#[test]
fn functions_stay_short() {
    let mut long = Vec::new();
    for s in sources() {
        let lines: Vec<&str> = s.code.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(name) = fn_name(line) else { continue };
            let mut depth = 0i32;
            let mut started = false;
            let mut end = i;
            for (j, l) in lines.iter().enumerate().skip(i) {
                for c in l.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            started = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                end = j;
                if (started && depth <= 0) || (!started && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            let n = end - i + 1;
            if n > MAX_FN_LINES {
                long.push(format!(
                    "{}:{} fn {name}: {n} lines",
                    s.path.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them; data tables belong in consts):\n{}",
        long.join("\n")
    );
}

/// The name of the function a line starts, if it starts one.
fn fn_name(line: &str) -> Option<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "fn")?;
    let before_ok = words[..at].iter().all(|w| {
        matches!(*w, "pub" | "async" | "const" | "unsafe" | "extern") || w.starts_with("pub(")
    });
    let name = words.get(at + 1)?;
    let name = name.split(['(', '<']).next()?;
    (before_ok && !name.is_empty()).then_some(name)
}

#[test]
fn the_checker_sees_what_it_must() {
    // The parts above, on small inputs: a grouped use, a re-export, a child module path.
    let paths = expand("crate::a::{b, c::{d, e as f}}");
    assert_eq!(
        paths,
        vec![
            segments("crate::a::b"),
            segments("crate::a::c::d"),
            segments("crate::a::c::e")
        ]
    );
    let named =
        named_paths("pub use crate::x::Y;\nmod kid;\nfn f() { kid::go(); crate::z::w(); }\n");
    assert!(named.contains(&segments("self::kid::go")), "{named:?}");
    assert!(named.contains(&segments("crate::z::w")), "{named:?}");
    assert!(
        !named.iter().any(|p| p.contains(&"x".to_string())),
        "{named:?}"
    );
    assert_eq!(strip_comments("a // crate::b\n"), "a \n");
    assert_eq!(
        without_tests("x\n#[cfg(test)]\nmod tests { use crate::y; }\nz"),
        "x\n\nz"
    );
    assert_eq!(fn_name("    pub(crate) async fn go(x: u8) {"), Some("go"));
    assert_eq!(fn_name("let f = fn_like;"), None);
}
