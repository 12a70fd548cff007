//! A deterministic generator of manifest streams rich in the places where YAML decoders
//! disagree: YAML 1.1 scalars (booleans, nulls, octal/hex/binary/`_` integers, floats,
//! `.inf`/`.nan`, timestamps, sexagesimal look-alikes), every scalar style (plain, quoted with
//! escapes and folding, block scalars with indicators), tags, anchors, aliases and merge keys
//! (lists, nested, inline, before and after explicit keys), duplicate and non-string keys, flow
//! and block collections, comments in odd places, document markers and directives, deep
//! nesting, long lines and keys, tabs, CRLF, byte order marks and Unicode line separators.
//!
//! Documents are Kubernetes-shaped (a Pod or Deployment), so the quirky values land in the
//! fields Pod Security reads (`privileged`, `runAsUser`, `hostPort`, capabilities, …) as well
//! as in random extra subtrees. Most output is valid YAML; some is deliberately not, so that
//! both decoders must also agree on what they reject.

/// SplitMix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    pub fn index<T>(&mut self, xs: &[T]) -> usize {
        self.below(xs.len())
    }
}

/// Plain scalars whose resolution differs between YAML 1.1 (go-yaml v2), YAML 1.2 and
/// near misses of both.
const QUIRKS: &[&str] = &[
    // booleans and near misses
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "true",
    "True",
    "TRUE",
    "on",
    "On",
    "ON",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "false",
    "False",
    "FALSE",
    "off",
    "Off",
    "OFF",
    "yEs",
    "tRUE",
    "oN",
    "nO",
    "t",
    "f",
    "yes!",
    "nil",
    "None",
    // nulls
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "~~",
    // integers
    "0",
    "8080",
    "-1",
    "+0",
    "-0",
    "0777",
    "010",
    "00",
    "08",
    "09",
    "0x1F90",
    "0X1f90",
    "0x0",
    "0o17",
    "0O17",
    "0o0",
    "0b101",
    "0B101",
    "0b0",
    "-0b101",
    "0b-101",
    "-0x10",
    "+0x10",
    "8_080",
    "1_000",
    "0_0",
    "1__0",
    "0x_1F",
    "_1",
    "1_",
    "+1_0",
    "-0_7",
    "0b1_1",
    "0o1_7",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "0xFFFFFFFFFFFFFFFF",
    "0x10000000000000000",
    "0o7777777777777777777777",
    "0b11111111111111111111111111111111111111111111111111111111111111111",
    "-0x8000000000000000",
    "-0x8000000000000001",
    "1000000000000000000000000",
    // floats
    "0.0",
    ".0",
    ".5",
    "-.5",
    "+.5",
    "0e0",
    "1e3",
    "1E+3",
    "1.",
    "-1.5",
    "1_000.5",
    "1.5e-3",
    ".5e1",
    "1e400",
    "-1e400",
    ".5e999",
    "1e-400",
    "0x1p3",
    "1.7976931348623157e308",
    "4.9e-324",
    "5e-324",
    "2.2250738585072014e-308",
    "123456789012345678901234567890.5",
    "1e21",
    "1e20",
    "0.000001",
    "1e-7",
    "3.14159265358979323846",
    "-0.0",
    "+0.0",
    "0.1",
    "1e+06",
    "100000000000000000000",
    "1.0",
    "2.50",
    "6.02e23",
    "1_0e1_0",
    "._5",
    ".5_0",
    "1e",
    "1e+",
    ".e1",
    "0.5.",
    "1.e5",
    ".inf",
    ".Inf",
    ".INF",
    "+.inf",
    "+.Inf",
    "-.inf",
    "-.Inf",
    "-.INF",
    ".nan",
    ".NaN",
    ".NAN",
    "-.nan",
    ".iNf",
    "inf",
    "NaN",
    "Infinity",
    // timestamps and sexagesimal
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2001-12-15T02:59:43.1Z",
    "2002-12-14",
    "2001-02-30",
    "2001-1-2",
    "2001-12-14T21:59:43",
    "2001-12-14T21:59:43Z",
    "2001-12-14T21:59:43+01:00",
    "2001-12-14T21:59:43.123456789012Z",
    "2000-02-29",
    "1900-02-29",
    "2001-12-14 21:59:43.10 -5",
    "1:20",
    "190:20:30",
    "12:30:00",
    "-1:30",
    // strings that look like something
    "<<",
    "=",
    "1.2.3",
    "v1.25",
    "1.25",
    "1,000",
    "0x",
    "0b",
    "0b2",
    "0o8",
    "0xG",
    "12abc",
    ".",
    "+",
    "-",
    "a b",
    "a  b",
    "null value",
    "yes please",
    "~ x",
    "1 2",
    // ordinary values
    "ALL",
    "NET_ADMIN",
    "SYS_ADMIN",
    "RuntimeDefault",
    "Localhost",
    "Unconfined",
    "nginx:1.25",
    "registry.k8s.io/pause",
    "web",
    "spec",
    "containers",
    "name",
    "value",
    "é",
    "日本語",
    "😀",
];

/// Texts that need quoting (or make plain scalars invalid).
const AWKWARD: &[&str] = &[
    "",
    " ",
    " leading",
    "trailing ",
    "a: b",
    "a #b",
    "a#b",
    "#x",
    "- x",
    "? x",
    "[x]",
    "{x}",
    "x, y",
    "*x",
    "&x",
    "!x",
    "%x",
    "@x",
    "`x",
    "|x",
    ">x",
    "'x",
    "\"x",
    "\\x",
    "x\\y",
    "a\tb",
    "x:",
    ":x",
    "---",
    "...",
    "--- x",
    "a\nb",
    "a\n\nb",
    "a \n b",
    "a\\nb",
    "{{ .Values.x }}",
    "\u{e9}",
    "\u{85}",
    "\u{a0}x",
    "x\u{2028}y",
    "x\u{2029}y",
    "\u{feff}x",
    "x\u{7f}",
    "x\u{80}",
    "\u{fffe}",
    "\u{1f600}",
    "\u{10ffff}",
    "\u{200b}",
    "x\r\ny",
];

const TAGS: &[&str] = &[
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!!merge",
    "!!map",
    "!!seq",
    "!!python/str",
    "!foo",
    "!",
    "!<tag:yaml.org,2002:int>",
    "!<tag:yaml.org,2002:str>",
    "!<!bar>",
    "!!Int",
    "!e!x",
];

const BASE64: &[&str] = &[
    "aGVsbG8=",
    "aGVs\n  bG8=",
    "aGVsbG8",
    "a=GV",
    "",
    "4pyT",
    "/w==",
    "4oI=",
    "7aCA",
    "AAE=",
    "8J+YgA==",
    "wAE=",
    "YWJj ZGVm",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
enum Kind {
    Scalar(String, Style),
    Seq(Vec<N>),
    Map(Vec<(N, N)>),
    Alias(String),
}

#[derive(Clone, Debug)]
struct N {
    anchor: Option<String>,
    tag: Option<String>,
    flow: bool,
    kind: Kind,
}

impl N {
    fn scalar(text: &str, style: Style) -> N {
        N {
            anchor: None,
            tag: None,
            flow: false,
            kind: Kind::Scalar(text.to_owned(), style),
        }
    }

    fn plain(text: &str) -> N {
        N::scalar(text, Style::Plain)
    }

    fn map(entries: Vec<(N, N)>) -> N {
        N {
            anchor: None,
            tag: None,
            flow: false,
            kind: Kind::Map(entries),
        }
    }

    fn seq(items: Vec<N>) -> N {
        N {
            anchor: None,
            tag: None,
            flow: false,
            kind: Kind::Seq(items),
        }
    }

    fn is_collection(&self) -> bool {
        matches!(self.kind, Kind::Seq(_) | Kind::Map(_))
    }
}

struct Gen {
    rng: Rng,
    /// Anchors defined so far in this document: (name, is a mapping).
    anchors: Vec<(String, bool)>,
    next_anchor: usize,
    /// Percent chance of the quirky features (varies per file).
    quirk: u64,
}

impl Gen {
    fn scalar_text(&mut self) -> (String, Style) {
        let r = self.rng.below(100);
        if r < 55 {
            let text = self.rng.pick(QUIRKS).to_owned();
            let style = match self.rng.below(10) {
                0 => Style::Single,
                1 => Style::Double,
                _ => Style::Plain,
            };
            (text, style)
        } else if r < 70 {
            let text = self.rng.pick(AWKWARD).to_owned();
            let style = match self.rng.below(6) {
                0 => Style::Plain,
                1 | 2 => Style::Single,
                3 => Style::Literal,
                4 => Style::Folded,
                _ => Style::Double,
            };
            (text, style)
        } else if r < 80 {
            (
                self.multiline_text(),
                self.rng.pick(&[
                    Style::Literal,
                    Style::Folded,
                    Style::Double,
                    Style::Single,
                    Style::Plain,
                ]),
            )
        } else if r < 88 {
            (self.double_escapes(), Style::Double)
        } else {
            let n = self.rng.below(1000);
            (format!("value-{n}"), Style::Plain)
        }
    }

    fn multiline_text(&mut self) -> String {
        let lines = 1 + self.rng.below(4);
        let mut s = String::new();
        for i in 0..lines {
            if i > 0 {
                s.push('\n');
                if self.rng.chance(20) {
                    s.push('\n');
                }
                if self.rng.chance(15) {
                    s.push_str("  ");
                }
            }
            s.push_str(self.rng.pick(&[
                "line",
                "more text",
                "x: y",
                "# not a comment",
                "- item",
                "  indented",
                "end ",
            ]));
        }
        if self.rng.chance(30) {
            s.push('\n');
        }
        if self.rng.chance(10) {
            s.push_str("\n\n");
        }
        s
    }

    /// Raw text of a double-quoted scalar's content, escapes included (emitted as is).
    fn double_escapes(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..1 + self.rng.below(4) {
            s.push_str(self.rng.pick(&[
                "\\n",
                "\\t",
                "\\x41",
                "\\xe9",
                "\\x80",
                "\\u00e9",
                "\\u2028",
                "\\uFEFF",
                "\\U0001F600",
                "\\0",
                "\\a",
                "\\b",
                "\\e",
                "\\f",
                "\\v",
                "\\/",
                "\\\"",
                "\\\\",
                "\\N",
                "\\_",
                "\\L",
                "\\P",
                "\\ ",
                "\\\t",
                "\\q",
                "\\x4",
                "\\uD800",
                "\\U00110000",
                "a",
                "yes",
                " ",
                "\\r\\n",
                "\\u0000",
                "\\x7f",
            ]));
        }
        format!("\u{1}{s}")
    }

    fn tag(&mut self) -> Option<String> {
        self.rng
            .chance(self.quirk / 3)
            .then(|| self.rng.pick(TAGS).to_string())
    }

    fn leaf(&mut self) -> N {
        if !self.anchors.is_empty() && self.rng.chance(self.quirk / 2) {
            let i = self.rng.index(&self.anchors);
            let name = self.anchors[i].0.clone();
            return N {
                anchor: None,
                tag: None,
                flow: false,
                kind: Kind::Alias(name),
            };
        }
        let (text, style) = self.scalar_text();
        let mut n = N::scalar(&text, style);
        n.tag = self.tag();
        if self.rng.chance(self.quirk / 3) {
            let name = format!("a{}", self.next_anchor);
            self.next_anchor += 1;
            self.anchors.push((name.clone(), false));
            n.anchor = Some(name);
        }
        if n.tag.as_deref() == Some("!!binary") && self.rng.chance(70) {
            n.kind = Kind::Scalar(self.rng.pick(BASE64).to_string(), Style::Plain);
        }
        n
    }

    fn key(&mut self) -> N {
        let r = self.rng.below(100);
        if r < 70 {
            N::plain(self.rng.pick(&[
                "name",
                "image",
                "value",
                "privileged",
                "runAsUser",
                "hostPort",
                "containerPort",
                "a",
                "b",
                "x",
                "key",
                "labels",
                "spec",
                "<<",
                "Privileged",
                "runAsNonroot",
            ]))
        } else if r < 85 {
            N::plain(self.rng.pick(QUIRKS))
        } else if r < 93 {
            let (t, s) = self.scalar_text();
            N::scalar(
                &t,
                if matches!(s, Style::Literal | Style::Folded) {
                    Style::Double
                } else {
                    s
                },
            )
        } else if r < 97 {
            let mut k = N::plain(self.rng.pick(&["1", "0x1", "true", "yes", "~", "1.5", "k"]));
            k.tag = self.tag();
            k
        } else {
            // A collection as a key (rejected by both).
            let mut k = N::seq(vec![N::plain("x")]);
            k.flow = true;
            k
        }
    }

    fn value(&mut self, depth: usize) -> N {
        if depth > 5 || self.rng.chance(55) {
            return self.leaf();
        }
        if self.rng.chance(45) {
            self.seq(depth)
        } else {
            self.mapping(depth, Vec::new())
        }
    }

    fn seq(&mut self, depth: usize) -> N {
        let items = (0..self.rng.below(4))
            .map(|_| self.value(depth + 1))
            .collect();
        let mut n = N::seq(items);
        self.props(&mut n);
        n
    }

    fn mapping(&mut self, depth: usize, mut entries: Vec<(N, N)>) -> N {
        for _ in 0..self.rng.below(4) {
            let key = self.key();
            let value = self.value(depth + 1);
            entries.push((key, value));
        }
        self.merges(&mut entries);
        self.duplicates(&mut entries);
        if self.rng.chance(10) {
            let i = self.rng.below(entries.len() + 1);
            let j = self.rng.below(entries.len() + 1);
            if i < entries.len() && j < entries.len() {
                entries.swap(i, j);
            }
        }
        let mut n = N::map(entries);
        self.props(&mut n);
        n
    }

    fn merges(&mut self, entries: &mut Vec<(N, N)>) {
        if !self.rng.chance(self.quirk) {
            return;
        }
        let maps: Vec<String> = self
            .anchors
            .iter()
            .filter(|a| a.1)
            .map(|a| a.0.clone())
            .collect();
        let alias = |name: &str| N {
            anchor: None,
            tag: None,
            flow: false,
            kind: Kind::Alias(name.to_owned()),
        };
        let value = match (self.rng.below(6), maps.is_empty()) {
            (0 | 1, false) => alias(&maps[self.rng.index(&maps)]),
            (2, false) => {
                let mut s = N::seq(
                    (0..1 + self.rng.below(3))
                        .map(|_| alias(&maps[self.rng.index(&maps)]))
                        .collect(),
                );
                s.flow = self.rng.chance(70);
                s
            }
            (3, _) => {
                let mut m = N::map(vec![
                    (N::plain("privileged"), self.leaf()),
                    (
                        N::plain(self.rng.pick(&["runAsUser", "a", "x"])),
                        self.leaf(),
                    ),
                ]);
                m.flow = self.rng.chance(50);
                m
            }
            (4, _) => self.leaf(),
            _ => {
                let mut s = N::seq(vec![
                    N::map(vec![(N::plain("a"), self.leaf())]),
                    self.leaf(),
                ]);
                s.flow = true;
                s
            }
        };
        let mut key = N::plain("<<");
        match self.rng.below(8) {
            0 => key = N::scalar("<<", Style::Double),
            1 => key.tag = Some("!!merge".into()),
            2 => key.tag = Some("!".into()),
            _ => {}
        }
        let at = self.rng.below(entries.len() + 1);
        entries.insert(at, (key, value));
        if self.rng.chance(30) {
            // A second merge key in the same mapping.
            let at = self.rng.below(entries.len() + 1);
            let v = if maps.is_empty() {
                self.leaf()
            } else {
                alias(&maps[self.rng.index(&maps)])
            };
            entries.insert(at, (N::plain("<<"), v));
        }
    }

    fn duplicates(&mut self, entries: &mut Vec<(N, N)>) {
        if entries.is_empty() || !self.rng.chance(self.quirk / 2) {
            return;
        }
        let i = self.rng.below(entries.len());
        let key = match self.rng.below(4) {
            0 => entries[i].0.clone(),
            // The same key in another spelling (`1` and `"1"`, `yes` and `true`).
            1 => N::scalar(&key_text(&entries[i].0), Style::Double),
            2 => N::plain(
                self.rng
                    .pick(&["true", "yes", "Y", "1", "01", "0x1", "1.0", "+1"]),
            ),
            _ => N::plain(self.rng.pick(&["1", "true", "1.5", "~"])),
        };
        let value = self.leaf();
        entries.push((key, value));
    }

    fn props(&mut self, n: &mut N) {
        n.flow = self.rng.chance(25);
        if self.rng.chance(self.quirk / 4) {
            n.tag = Some(
                self.rng
                    .pick(&["!!map", "!!seq", "!foo", "!!str", "!"])
                    .to_string(),
            );
        }
        if self.rng.chance(self.quirk) {
            let name = format!("a{}", self.next_anchor);
            self.next_anchor += 1;
            self.anchors
                .push((name.clone(), matches!(n.kind, Kind::Map(_))));
            n.anchor = Some(name);
        }
    }

    /// A Kubernetes-shaped document with quirky values in the fields Pod Security reads.
    fn workload(&mut self) -> N {
        let mut sc = vec![
            (N::plain("privileged"), self.pss_value()),
            (N::plain("allowPrivilegeEscalation"), self.pss_value()),
            (N::plain("runAsUser"), self.pss_value()),
            (N::plain("runAsNonRoot"), self.pss_value()),
        ];
        if self.rng.chance(40) {
            let caps = N::seq(vec![self.pss_value(), N::plain("NET_ADMIN")]);
            sc.push((
                N::plain("capabilities"),
                N::map(vec![(N::plain("add"), caps)]),
            ));
        }
        let sc = self.mapping(3, sc);
        let (container_port, host_port) = (self.pss_value(), self.pss_value());
        let port = self.mapping(
            4,
            vec![
                (N::plain("containerPort"), container_port),
                (N::plain("hostPort"), host_port),
            ],
        );
        let container = self.mapping(
            2,
            vec![
                (N::plain("name"), N::plain("app")),
                (N::plain("image"), N::plain("nginx:1.25")),
                (N::plain("securityContext"), sc),
                (N::plain("ports"), N::seq(vec![port])),
            ],
        );
        let mut spec = vec![
            (N::plain("hostNetwork"), self.pss_value()),
            (N::plain("containers"), N::seq(vec![container])),
        ];
        if self.rng.chance(30) {
            spec.push((N::plain("extra"), self.value(1)));
        }
        let spec = self.mapping(1, spec);
        let app = self.leaf();
        let labels = self.mapping(2, vec![(N::plain("app"), app)]);
        let meta = N::map(vec![
            (N::plain("name"), N::plain("web")),
            (N::plain("labels"), labels),
        ]);
        let deployment = self.rng.chance(40);
        let body = if deployment {
            N::map(vec![(
                N::plain("template"),
                N::map(vec![(N::plain("spec"), spec)]),
            )])
        } else {
            spec
        };
        let root = vec![
            (
                N::plain("apiVersion"),
                N::plain(if deployment { "apps/v1" } else { "v1" }),
            ),
            (
                N::plain("kind"),
                N::plain(if deployment { "Deployment" } else { "Pod" }),
            ),
            (N::plain("metadata"), meta),
            (N::plain("spec"), body),
        ];
        let mut root = N::map(root);
        root.flow = self.rng.chance(8);
        root
    }

    fn pss_value(&mut self) -> N {
        if self.rng.chance(70) {
            let text = self.rng.pick(QUIRKS).to_owned();
            let mut n = N::plain(&text);
            if self.rng.chance(10) {
                n.kind = Kind::Scalar(text, self.rng.pick(&[Style::Single, Style::Double]));
            }
            n.tag = self.tag();
            n
        } else {
            self.leaf()
        }
    }

    fn deep(&mut self) -> N {
        let depth = self.rng.pick(&[30, 120, 254, 255, 256, 300, 600]);
        let flow = self.rng.chance(50);
        let mut n = N::plain("x");
        for i in 0..depth {
            n = if i % 2 == 0 {
                N::seq(vec![n])
            } else {
                N::map(vec![(N::plain("k"), n)])
            };
            n.flow = flow;
        }
        n
    }
}

fn key_text(n: &N) -> String {
    match &n.kind {
        Kind::Scalar(t, _) => t.clone(),
        _ => "k".into(),
    }
}

/// Whether `text` can be written as a plain scalar in the given context.
fn plain_ok(text: &str, flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.starts_with(' ') || text.ends_with(' ') || text.contains(['\n', '\r', '\t']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        let second = text.chars().nth(1);
        if !(matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' ')) {
            return false;
        }
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return false;
    }
    if flow && text.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if text == "---" || text == "..." || text.starts_with("--- ") {
        return false;
    }
    !text.chars().any(|c| {
        (c as u32) < 0x20
            || c == '\u{7f}'
            || c == '\u{feff}'
            || ('\u{80}'..'\u{a0}').contains(&c)
            || c == '\u{2028}'
            || c == '\u{2029}'
    })
}

struct Emitter<'a> {
    step: usize,
    /// Whether block sequences under a mapping key are indented (`key:\n  - x`) or not.
    indent_seqs: bool,
    rng: &'a mut Rng,
    quirk: u64,
}

impl Emitter<'_> {
    fn props(&self, n: &N) -> String {
        let mut s = String::new();
        if let Some(a) = &n.anchor {
            s.push('&');
            s.push_str(a);
            s.push(' ');
        }
        if let Some(t) = &n.tag {
            s.push_str(t);
            s.push(' ');
        }
        s
    }

    fn comment(&mut self) -> &'static str {
        if self.rng.chance(self.quirk / 4) {
            self.rng
                .pick(&[" # c", "  #: c", " # - x", " #", "\t# tab"])
        } else {
            ""
        }
    }

    /// A scalar on one line (flow or key position), quoting when plain is impossible.
    fn inline_scalar(&mut self, text: &str, style: Style, flow: bool) -> String {
        if let Some(raw) = text.strip_prefix('\u{1}') {
            return format!("\"{raw}\"");
        }
        let style = match style {
            Style::Literal | Style::Folded => Style::Double,
            Style::Plain if !plain_ok(text, flow) && !self.rng.chance(4) => Style::Double,
            s => s,
        };
        match style {
            Style::Plain => text.to_owned(),
            Style::Single => format!("'{}'", text.replace('\'', "''").replace('\n', "\n\n")),
            _ => double_quote(text),
        }
    }

    /// A scalar as a block value at `indent` (the parent's indentation + step), possibly over
    /// several lines.
    fn block_scalar(&mut self, text: &str, style: Style, indent: usize) -> String {
        let pad = " ".repeat(indent);
        match style {
            Style::Literal | Style::Folded if !text.starts_with('\u{1}') => {
                let mut header = String::from(if style == Style::Literal { "|" } else { ">" });
                let first_indented = text.lines().next().is_some_and(|l| l.starts_with(' '));
                let explicit = first_indented || self.rng.chance(20);
                let chomp = self.rng.pick(&["", "-", "+"]);
                if explicit && self.rng.chance(50) {
                    header.push_str(&self.step.clamp(1, 9).to_string());
                    header.push_str(chomp);
                } else {
                    header.push_str(chomp);
                    if explicit {
                        header.push_str(&self.step.clamp(1, 9).to_string());
                    }
                }
                header.push_str(self.comment());
                let mut s = header;
                for line in text.split('\n') {
                    s.push('\n');
                    if !line.is_empty() {
                        s.push_str(&pad);
                        s.push_str(line);
                    }
                }
                if text.ends_with('\n') {
                    // The last split piece was empty: the text's final line break is there.
                    s.pop();
                }
                s
            }
            Style::Plain
                if text.contains('\n')
                    && !text.contains("\n\n")
                    && text.lines().all(|l| plain_ok(l.trim(), false)) =>
            {
                // A multi-line plain scalar: continuation lines are folded.
                text.lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(&format!("\n{pad}"))
            }
            Style::Single | Style::Double
                if text.contains('\n') && !text.starts_with('\u{1}') && self.rng.chance(50) =>
            {
                // Quoted over several lines: a line break is written as an empty line.
                let inner = if style == Style::Single {
                    text.replace('\'', "''")
                } else {
                    text.replace('\\', "\\\\").replace('"', "\\\"")
                };
                let q = if style == Style::Single { '\'' } else { '"' };
                let body = inner.replace('\n', &format!("\n\n{pad}"));
                format!("{q}{body}{q}")
            }
            _ => self.inline_scalar(text, style, false),
        }
    }

    fn flow(&mut self, n: &N) -> String {
        let props = self.props(n);
        let body = match &n.kind {
            Kind::Alias(a) => return format!("*{a}"),
            Kind::Scalar(t, s) => self.inline_scalar(t, *s, true),
            Kind::Seq(items) => {
                let parts: Vec<String> = items.iter().map(|i| self.flow(i)).collect();
                let sep = if self.rng.chance(10) { " ,  " } else { ", " };
                format!("[{}]", parts.join(sep))
            }
            Kind::Map(entries) => {
                let mut parts = Vec::new();
                for (k, v) in entries {
                    let key = self.flow(k);
                    let value = self.flow(v);
                    let key = if k.is_collection() || key.len() > 900 {
                        format!("? {key}")
                    } else {
                        key
                    };
                    // A space after an alias key: `*a:` would name the anchor `a:`.
                    let colon = if matches!(k.kind, Kind::Alias(_)) {
                        " :"
                    } else {
                        ":"
                    };
                    parts.push(format!("{key}{colon} {value}"));
                }
                format!("{{{}}}", parts.join(", "))
            }
        };
        format!("{props}{body}")
    }

    /// Emits `n` as the value after `key:` or `- ` at `indent` (the column of the key or dash).
    fn block_value(&mut self, n: &N, indent: usize, in_seq: bool) -> String {
        let props = self.props(n);
        let child = indent + self.step;
        match &n.kind {
            Kind::Alias(a) => format!(" *{a}{}", self.comment()),
            Kind::Scalar(t, s) => format!(" {props}{}", self.block_scalar(t, *s, child)),
            Kind::Seq(_) | Kind::Map(_) if n.flow || items_len(n) == 0 => {
                let text = self.flow(n);
                format!(" {text}{}", self.comment())
            }
            Kind::Seq(items) => {
                let seq_indent = if in_seq || self.indent_seqs {
                    child
                } else {
                    indent
                };
                let mut s = format!(
                    "{}{}",
                    if props.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", props.trim_end())
                    },
                    self.comment()
                );
                for item in items {
                    s.push('\n');
                    s.push_str(&" ".repeat(seq_indent));
                    s.push('-');
                    s.push_str(&self.block_value(item, seq_indent, true));
                }
                s
            }
            Kind::Map(entries) => {
                let mut s = format!(
                    "{}{}",
                    if props.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", props.trim_end())
                    },
                    self.comment()
                );
                for (k, v) in entries {
                    s.push('\n');
                    s.push_str(&" ".repeat(child));
                    s.push_str(&self.entry(k, v, child));
                }
                s
            }
        }
    }

    fn entry(&mut self, k: &N, v: &N, indent: usize) -> String {
        let key = self.flow(k);
        if k.is_collection() || key.len() > 1100 || self.rng.chance(3) {
            // An explicit key.
            let mut s = format!("? {key}\n{}:", " ".repeat(indent));
            s.push_str(&self.block_value(v, indent, false));
            return s;
        }
        let colon = if matches!(k.kind, Kind::Alias(_)) {
            " :"
        } else {
            ":"
        };
        format!("{key}{colon}{}", self.block_value(v, indent, false))
    }

    fn document(&mut self, root: &N) -> String {
        if root.flow || !root.is_collection() || root.anchor.is_some() || root.tag.is_some() {
            return match &root.kind {
                Kind::Scalar(t, s) => self.block_scalar(t, *s, 1),
                _ => self.flow(root),
            };
        }
        match &root.kind {
            Kind::Map(entries) => entries
                .iter()
                .map(|(k, v)| self.entry(k, v, 0))
                .collect::<Vec<_>>()
                .join("\n"),
            Kind::Seq(items) => items
                .iter()
                .map(|i| format!("-{}", self.block_value(i, 0, true)))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => unreachable!(),
        }
    }
}

fn items_len(n: &N) -> usize {
    match &n.kind {
        Kind::Seq(i) => i.len(),
        Kind::Map(e) => e.len(),
        _ => 0,
    }
}

fn double_quote(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => s.push_str(&format!("\\x{:02x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// One generated file: a stream of one to three documents, then file-level mutations.
pub fn file(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let quirk = rng.pick(&[5, 15, 30, 50]);
    let docs = 1 + rng.below(3);
    let mut text = String::new();
    if rng.chance(5) {
        text.push_str("%YAML 1.1\n");
    }
    if rng.chance(15) {
        text.push_str(rng.pick(&[
            "---\n",
            "--- # first\n",
            "# Source: chart/templates/x.yaml\n",
            "\n",
        ]));
    }
    for d in 0..docs {
        if d > 0 {
            text.push_str(rng.pick(&[
                "---\n",
                "---\n",
                "---\n",
                "--- # next\n",
                "---   \n",
                "...\n---\n",
                "---\n...\n",
                "--- x\n",
                "----\n",
                "---\t\n",
                "\n---\n\n",
                "---\n# only a comment\n---\n",
                "%YAML 1.1\n---\n",
            ]));
        }
        let mut g = Gen {
            rng: Rng::new(rng.next()),
            anchors: Vec::new(),
            next_anchor: 0,
            quirk,
        };
        let root = match g.rng.below(20) {
            0 => g.deep(),
            1 => g.value(0),
            2 => g.leaf(),
            _ => g.workload(),
        };
        let mut e = Emitter {
            step: 1 + rng.below(4),
            indent_seqs: rng.chance(60),
            rng: &mut rng,
            quirk,
        };
        let body = e.document(&root);
        text.push_str(&body);
        text.push('\n');
        if rng.chance(5) {
            text.push_str(rng.pick(&[
                "...\n",
                "...\nkind: Ignored\n",
                "# trailing comment\n",
                "\n\n",
            ]));
        }
    }
    mutate(&mut rng, text)
}

/// File-level changes: line ends, byte order marks, tabs, odd characters, long lines.
fn mutate(rng: &mut Rng, mut text: String) -> Vec<u8> {
    if rng.chance(8) {
        // A tab after a colon, or in indentation.
        let spots: Vec<usize> = text.match_indices(": ").map(|(i, _)| i + 1).collect();
        if !spots.is_empty() {
            let at = rng.pick(&spots);
            text.replace_range(at..at + 1, "\t");
        }
    }
    if rng.chance(3) {
        let spots: Vec<usize> = text.match_indices("\n  ").map(|(i, _)| i + 1).collect();
        if !spots.is_empty() {
            let at = rng.pick(&spots);
            text.replace_range(at..at + 1, "\t");
        }
    }
    if rng.chance(5) {
        // An odd character somewhere in a line.
        let c = rng.pick(&[
            '\u{2028}', '\u{85}', '\u{a0}', '\u{feff}', '\u{7f}', '\u{9f}', '\u{fffe}', '\u{1}',
            '\u{200b}', '\r',
        ]);
        let spots: Vec<usize> = text
            .char_indices()
            .filter(|(_, ch)| *ch == ' ')
            .map(|(i, _)| i)
            .collect();
        if !spots.is_empty() {
            let at = rng.pick(&spots);
            text.insert(at + 1, c);
        }
    }
    if rng.chance(4) {
        // A very long line: a long value, or a long key (go-yaml limits implicit keys to 1024).
        let n = rng.pick(&[1000, 1023, 1024, 1025, 5000, 70_000]);
        let long = "x".repeat(n);
        if rng.chance(50) {
            text.push_str(&format!("{long}: 1\n"));
        } else {
            text.push_str(&format!("long: {long}\n"));
        }
    }
    if rng.chance(10) {
        text = text.replace('\n', "\r\n");
    }
    if rng.chance(3) && text.ends_with('\n') {
        text.pop();
    }
    let mut bytes = text.into_bytes();
    if rng.chance(4) {
        bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
    }
    bytes
}
