//! The documentation against the code: the tables of the user guide
//! (`book/src`), PROTOCOL.md and SECURITY.md that name error kinds, limits, error codes,
//! CLI flags and commands are read and compared with what the code
//! defines, so a rename or a new default fails here until the docs follow.
//!
//! The tables are found by their heading and their columns by their header
//! (`| field | … | default | … |`), so rewording a cell or reordering the
//! columns does not break a test; a wrong name or figure does.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

use wasmi_hdk::{ErrorKind, Limits, LimitsOverlay, protocol::codes};

/// A file of the repository, read at run time.
fn repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The user guide's chapters (`book/src/**/*.md`), as paths from the root.
fn book_chapters() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut chapters = Vec::new();
    let mut folders = vec![root.join("book/src")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("book/src is readable") {
            let path = entry.expect("a book/src entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let relative = path.strip_prefix(&root).expect("under the root");
                chapters.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    assert!(
        chapters.len() > 10,
        "found the book's chapters: {chapters:?}"
    );
    chapters.sort();
    chapters
}

/// The lines of `doc` under the heading line `heading` (exactly), up to the
/// next heading of the same or a higher level; `#` lines inside fenced
/// code are not headings.
fn section<'a>(doc: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let found = doc.lines().filter(|l| l.trim_end() == heading).count();
    assert_eq!(found, 1, "heading `{heading}` found {found} times");
    let mut fenced = false;
    doc.lines()
        .skip_while(|l| l.trim_end() != heading)
        .skip(1)
        .take_while(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            let depth = line.chars().take_while(|&c| c == '#').count();
            fenced || depth == 0 || depth > level || !line[depth..].starts_with(' ')
        })
        .collect()
}

/// The cells of one table row, trimmed; `\|` is a `|` inside a cell.
fn cells(row: &str) -> Vec<String> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    let mut out = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().unwrap().push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|cell| cell.trim().to_owned()).collect()
}

/// A markdown table: its header's cells and its rows' cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// The first table under heading `heading` of `doc`.
    fn under(doc: &str, heading: &str) -> Self {
        let lines = section(doc, heading);
        let mut rows = lines
            .iter()
            .skip_while(|l| !l.trim_start().starts_with('|'))
            .take_while(|l| l.trim_start().starts_with('|'))
            .map(|l| cells(l))
            .filter(|row| {
                !row.iter()
                    .all(|c| !c.is_empty() && c.chars().all(|c| matches!(c, '-' | ':')))
            });
        let header = rows
            .next()
            .unwrap_or_else(|| panic!("no table under `{heading}`"));
        let rows: Vec<_> = rows.collect();
        for row in &rows {
            assert_eq!(row.len(), header.len(), "a row of `{heading}`: {row:?}");
        }
        Self { header, rows }
    }

    /// The index of the column whose header contains `name`.
    fn column(&self, name: &str) -> usize {
        let name = name.to_lowercase();
        self.header
            .iter()
            .position(|h| h.to_lowercase().contains(&name))
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.header))
    }
}

/// A cell holding one code span, without its backticks.
fn unquote(cell: &str) -> &str {
    cell.trim().trim_matches('`')
}

/// The contents of the code spans (`…`) of `text`.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// `max_memory` as JavaScript and the mobile bindings spell it.
fn camel_case(field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in field.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// (a) error kinds

/// The guide's table of error kinds lists every `ErrorKind`, in the order
/// of `ErrorKind::ALL`, each with the `Error` variant and the mobile error
/// case of the same name, and nothing that is not a kind.
#[test]
fn the_guide_lists_every_error_kind() {
    let file = "book/src/limits.md";
    let doc = repo_file(file);
    let table = Table::under(&doc, "### Error kinds");
    let (kind_col, rust, mobile) = (
        table.column("kind"),
        table.column("Rust"),
        table.column("Swift"),
    );
    let mut listed = Vec::new();
    for row in &table.rows {
        let name = unquote(&row[kind_col]);
        let kind = ErrorKind::from_name(name).unwrap_or_else(|| {
            panic!("{file} lists the error kind `{name}`, which is no ErrorKind")
        });
        let variant = format!("{kind:?}");
        assert!(
            row[rust].contains(&format!("`Error::{variant}`")),
            "{file}: kind `{name}` should name `Error::{variant}`, not {}",
            row[rust]
        );
        assert!(
            row[mobile].contains(&format!("`{variant}`")),
            "{file}: kind `{name}` should name the mobile case `{variant}`, not {}",
            row[mobile]
        );
        listed.push(kind);
    }
    assert_eq!(
        listed,
        ErrorKind::ALL,
        "{file}: the error kinds must be ErrorKind::ALL, in its order"
    );
}

/// The kinds PROTOCOL.md names (the outcomes of §2, the limits of §7) are
/// error kinds.
#[test]
fn protocol_names_only_error_kinds() {
    let protocol = repo_file("PROTOCOL.md");
    let mut named = 0;
    for (heading, column) in [
        ("## 2. Lifecycle of one call", "error kind"),
        ("## 7. Limits", "error kind"),
    ] {
        let table = Table::under(&protocol, heading);
        let column = table.column(column);
        for row in &table.rows {
            for name in code_spans(&row[column]) {
                assert!(
                    ErrorKind::from_name(name).is_some(),
                    "PROTOCOL.md `{heading}` names `{name}`, which is no error kind"
                );
                named += 1;
            }
        }
    }
    assert!(named >= 6, "PROTOCOL.md names only {named} error kinds");
}

// ---------------------------------------------------------------------------
// (b) limits

/// What a default cell of a limits table says, in the field's unit.
#[derive(Debug, PartialEq)]
enum Figure {
    Unlimited,
    Count(u128),
    Millis(u128),
    Bytes(u128),
}

/// Reads `unlimited`, `250 000`, `30 s`, `500 ms`, `64 MiB`, `8 KiB`.
fn figure(cell: &str) -> Figure {
    let text = cell.trim().to_lowercase();
    if text == "unlimited" {
        return Figure::Unlimited;
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | ',' | '_')))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u128 = number
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a figure"));
    match unit.trim() {
        "" => Figure::Count(number),
        "ms" => Figure::Millis(number),
        "s" => Figure::Millis(number * 1000),
        "min" => Figure::Millis(number * 60_000),
        "b" | "bytes" => Figure::Bytes(number),
        "kib" => Figure::Bytes(number << 10),
        "mib" => Figure::Bytes(number << 20),
        "gib" => Figure::Bytes(number << 30),
        other => panic!("`{cell}`: unknown unit `{other}`"),
    }
}

/// `Limits::default()`, field by field, as the tables should state it.
fn default_figures() -> BTreeMap<&'static str, Figure> {
    let limits = Limits::default();
    let bytes = |n: usize| Figure::Bytes(n as u128);
    let figures = BTreeMap::from([
        (
            "fuel",
            limits
                .fuel()
                .map_or(Figure::Unlimited, |n| Figure::Count(n.into())),
        ),
        (
            "timeout",
            limits
                .timeout()
                .map_or(Figure::Unlimited, |t| Figure::Millis(t.as_millis())),
        ),
        ("max_memory", bytes(limits.max_memory())),
        ("max_message", bytes(limits.max_message())),
        ("max_stderr", bytes(limits.max_stderr())),
        ("fuel_slice", Figure::Count(limits.fuel_slice().into())),
        (
            "max_open_files",
            Figure::Count(limits.max_open_files() as u128),
        ),
    ]);
    let names: BTreeSet<&str> = figures.keys().copied().collect();
    assert_eq!(
        names,
        LimitsOverlay::FIELDS.into_iter().collect(),
        "this test knows every limit field"
    );
    figures
}

/// Each limits table has one row per `LimitsOverlay` field, named by the
/// field, with `Limits::default()`'s value as its default; other rows have
/// no field (`—`).
#[test]
fn limits_tables_state_the_defaults() {
    let expected = default_figures();
    for (file, heading) in [
        ("PROTOCOL.md", "## 7. Limits"),
        ("SECURITY.md", "## Limits and their defaults"),
        ("book/src/limits.md", "## Limits and their defaults"),
    ] {
        let doc = repo_file(file);
        let table = Table::under(&doc, heading);
        let (field, default) = (table.column("field"), table.column("default"));
        let mut seen = BTreeSet::new();
        for row in &table.rows {
            let name = unquote(&row[field]);
            if name == "—" {
                continue;
            }
            let Some(figure_expected) = expected.get(name) else {
                panic!("{file}: `{name}` is no limit field (LimitsOverlay::FIELDS)");
            };
            assert_eq!(
                &figure(&row[default]),
                figure_expected,
                "{file}: the default of `{name}`"
            );
            assert!(seen.insert(name), "{file}: `{name}` twice");
        }
        assert_eq!(
            seen,
            LimitsOverlay::FIELDS.into_iter().collect(),
            "{file}: one row per limit field"
        );
    }
}

/// The guide's vocabulary of limits spells each field as every surface
/// does: `with_*` in Rust, `--kebab-case` on the command line, camelCase in
/// JavaScript, Swift and Kotlin.
#[test]
fn the_guide_spells_each_limit_field_everywhere() {
    let file = "book/src/limits.md";
    let doc = repo_file(file);
    let table = Table::under(&doc, "### Limits");
    let columns = [
        ("Rust", "with_"),
        ("CLI", "--"),
        ("JavaScript", ""),
        ("Swift", ""),
    ];
    let field = table.column("field");
    let mut seen = BTreeSet::new();
    for row in &table.rows {
        let name = unquote(&row[field]);
        assert!(
            LimitsOverlay::FIELDS.contains(&name),
            "{file}: `{name}` is no limit field"
        );
        for (header, prefix) in columns {
            let spelling = match header {
                "Rust" => format!("{prefix}{name}"),
                "CLI" => format!("{prefix}{}", name.replace('_', "-")),
                _ => camel_case(name),
            };
            let cell = &row[table.column(header)];
            assert!(
                code_spans(cell).iter().any(|s| s.starts_with(&spelling)),
                "{file}: the {header} spelling of `{name}` is `{spelling}`, not {cell}"
            );
        }
        seen.insert(name);
    }
    assert_eq!(seen, LimitsOverlay::FIELDS.into_iter().collect());
}

// ---------------------------------------------------------------------------
// (c) error codes

/// `(NAME, value)` of every `pub const` of the protocol crate's `codes`.
fn code_constants() -> BTreeMap<String, i32> {
    let source = repo_file("wasmi-plugin-protocol/src/error.rs");
    let start = source
        .find("pub mod codes {")
        .expect("`pub mod codes` in wasmi-plugin-protocol/src/error.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the end of `mod codes`")];
    let constants: BTreeMap<String, i32> = body
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub const "))
        .map(|decl| {
            let (name, rest) = decl.split_once(':').expect("NAME: i32 = VALUE;");
            let value = rest
                .split_once('=')
                .and_then(|(_, v)| v.trim().trim_end_matches(';').parse().ok())
                .unwrap_or_else(|| panic!("cannot read `pub const {decl}`"));
            (name.trim().to_owned(), value)
        })
        .collect();
    // The reading is right: the constants it found are the compiled ones.
    for (name, value) in [
        ("PARSE_ERROR", codes::PARSE_ERROR),
        ("METHOD_NOT_FOUND", codes::METHOD_NOT_FOUND),
        ("CALL_DEPTH_EXCEEDED", codes::CALL_DEPTH_EXCEEDED),
        ("QUOTA_EXCEEDED", codes::QUOTA_EXCEEDED),
        ("NOT_AN_INTEGER", codes::NOT_AN_INTEGER),
        ("RESERVED_MIN", codes::RESERVED_MIN),
        ("RESERVED_MAX", codes::RESERVED_MAX),
    ] {
        assert_eq!(constants.get(name), Some(&value), "`codes::{name}` as read");
    }
    constants
}

/// PROTOCOL.md §4 lists every constant of `codes` with its number, and no
/// constant that is not one.
#[test]
fn protocol_lists_every_error_code() {
    let constants = code_constants();
    let protocol = repo_file("PROTOCOL.md");
    let table = Table::under(&protocol, "## 4. Errors");
    let (code, constant) = (table.column("code"), table.column("constant"));
    let mut listed = BTreeSet::new();
    for row in &table.rows {
        let numbers: BTreeSet<i32> = row[code]
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .filter_map(|n| n.parse().ok())
            .collect();
        let names: Vec<&str> = code_spans(&row[constant])
            .iter()
            .flat_map(|span| span.split(|c: char| !(c.is_ascii_uppercase() || c == '_')))
            .filter(|name| !name.is_empty())
            .collect();
        assert!(
            !names.is_empty(),
            "PROTOCOL.md §4: a row names no constant: {row:?}"
        );
        let values: BTreeSet<i32> = names
            .iter()
            .map(|name| {
                *constants.get(*name).unwrap_or_else(|| {
                    panic!("PROTOCOL.md §4 lists `{name}`, which is no constant of `codes`")
                })
            })
            .collect();
        assert_eq!(
            numbers, values,
            "PROTOCOL.md §4: the code of {names:?} (from wasmi-plugin-protocol/src/error.rs)"
        );
        listed.extend(names.into_iter().map(str::to_owned));
    }
    let all: BTreeSet<String> = constants.into_keys().collect();
    assert_eq!(
        listed, all,
        "PROTOCOL.md §4 lists every constant of `codes`"
    );
}

// ---------------------------------------------------------------------------
// (d), (e) the command line

/// The long flags `wasmi-host/src/cli.rs` declares (`#[arg(long …)]`).
fn cli_long_flags(source: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    for chunk in source.split("#[arg(").skip(1) {
        // The attribute runs to its balanced closing parenthesis.
        let mut depth = 1;
        let end = chunk
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a closed #[arg(…)]");
        let attribute = &chunk[..end];
        // Outside string literals, is there a `long`?
        let code: String = attribute
            .split('"')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ");
        let tokens: Vec<&str> = code
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        if !tokens.contains(&"long") {
            continue;
        }
        let flag = match attribute.split_once("long = \"") {
            Some((_, rest)) => rest.split('"').next().unwrap().to_owned(),
            None => {
                // The field after `)]`, with or without `pub(crate)`.
                let rest = chunk[end..].trim_start_matches([')', ']']).trim_start();
                let rest = rest.strip_prefix("pub(crate) ").unwrap_or(rest);
                let field = rest.split(':').next().expect("the field after #[arg(…)]");
                field.trim().replace('_', "-")
            }
        };
        flags.insert(flag);
    }
    flags
}

/// The subcommands of `enum Command` in `wasmi-host/src/cli.rs`.
fn cli_subcommands(source: &str) -> BTreeSet<String> {
    let start = source
        .find("enum Command {")
        .expect("`enum Command` in wasmi-host/src/cli.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the end of `enum Command`")];
    body.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("//") && !line.starts_with('#'))
        .filter_map(|line| line.split_once('(').or_else(|| line.split_once(" {")))
        .filter(|(variant, _)| variant.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|(variant, _)| variant.to_lowercase())
        .collect()
}

/// The `--flags` of `text`'s code spans.
fn documented_flags(text: &str) -> BTreeSet<String> {
    code_spans(text)
        .iter()
        .flat_map(|span| span.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')))
        .filter_map(|word| word.strip_prefix("--"))
        .filter(|flag| flag.starts_with(|c: char| c.is_ascii_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// The guide's command-line chapter names every long flag `wasmi-host`
/// has, and no flag it does not have.
#[test]
fn the_guide_documents_every_cli_flag() {
    let cli = repo_file("wasmi-host/src/cli.rs");
    let flags = cli_long_flags(&cli);
    assert!(
        flags.contains("max-stderr") && flags.contains("plugin") && flags.contains("mock-file"),
        "reading cli.rs found {flags:?}"
    );
    let (file, heading) = ("book/src/cli.md", "## Commands");
    let doc = repo_file(file);
    let documented = documented_flags(&section(&doc, heading).join("\n"));
    let missing: Vec<_> = flags.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "{file}: the CLI section lacks {missing:?}"
    );
    let unknown: Vec<_> = documented.difference(&flags).collect();
    assert!(
        unknown.is_empty(),
        "{file}: the CLI section names flags wasmi-host lacks: {unknown:?}"
    );
}

/// The words that follow `wasmi-host` in the code of `doc` (its code spans
/// and fenced blocks), e.g. `call` in `cargo run -p wasmi-host -- call`.
fn words_after_wasmi_host(doc: &str) -> Vec<String> {
    let (mut fenced_lines, mut prose) = (Vec::new(), Vec::new());
    let mut fenced = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            fenced_lines.push(line);
        } else {
            prose.push(line);
        }
    }
    let prose = prose.join("\n");
    let mut code = code_spans(&prose);
    code.extend(fenced_lines);
    let mut words = Vec::new();
    for text in code {
        for (at, _) in text.match_indices("wasmi-host") {
            let rest = &text[at + "wasmi-host".len()..];
            if !rest.starts_with(char::is_whitespace) {
                continue;
            }
            let mut tokens = rest.split_whitespace();
            let token = match tokens.next() {
                Some("--") => tokens.next(),
                other => other,
            };
            let Some(token) = token else { continue };
            let word: String = token
                .chars()
                .take_while(|c| c.is_ascii_lowercase())
                .collect();
            if !token.starts_with('-') && !word.is_empty() {
                words.push(word);
            }
        }
    }
    words
}

/// Every `wasmi-host COMMAND` the docs show is a subcommand, and the
/// guide's command-line chapter shows each subcommand.
#[test]
fn docs_name_only_real_subcommands() {
    let commands = cli_subcommands(&repo_file("wasmi-host/src/cli.rs"));
    assert!(
        commands.contains("call") && commands.contains("check"),
        "reading cli.rs found {commands:?}"
    );
    let mut in_cli_chapter = BTreeSet::new();
    for file in [
        "README.md",
        "PROTOCOL.md",
        "SECURITY.md",
        "BENCHMARKS.md",
        "docs/plugin-without-a-kit.md",
        "plugins/README.md",
        "fuzz/README.md",
        "wasmi-host/README.md",
    ]
    .map(String::from)
    .into_iter()
    .chain(book_chapters())
    {
        let file = file.as_str();
        for word in words_after_wasmi_host(&repo_file(file)) {
            assert!(
                commands.contains(&word),
                "{file} shows `wasmi-host {word}`, which is no subcommand of {commands:?}"
            );
            if file == "book/src/cli.md" {
                in_cli_chapter.insert(word);
            }
        }
    }
    assert_eq!(
        in_cli_chapter, commands,
        "book/src/cli.md shows every subcommand"
    );
}

// ---------------------------------------------------------------------------
// names issue 13 retired

/// The names the API had before issue 13 are gone from the docs (the
/// changelog keeps them, to say what they became).
#[test]
fn docs_use_no_retired_names() {
    const RETIRED: &[&str] = &[
        "PluginHost",
        "WasmPlugin",
        "timeoutMs",
        "timeout_ms",
        "call_typed",
        "CallOutcome",
        "method_with_schema",
        "ManifestLimits",
        "HostRouter::method(",
        "Router::method(",
        ".method(\"",
        "with_fuel(Some",
        "with_timeout(Some",
        "with_timeout(None",
        "protocol_violation",
        "\"outOfFuel\"",
        "`outOfFuel`",
        "`memoryLimit`",
        "`invalidModule`",
        "wallTimeMs",
        "wall_time_us",
        "max_memory_bytes",
        "UnreachableCodeReached",
    ];
    for file in [
        "README.md",
        "PROTOCOL.md",
        "SECURITY.md",
        "BENCHMARKS.md",
        "docs/plugin-without-a-kit.md",
        "plugins/README.md",
        "mobile-demo/README.md",
        "fuzz/README.md",
        "wasmi-host/README.md",
        "wasmi-hdk/README.md",
        "wasmi-pdk/README.md",
        "wasmi-plugin-protocol/README.md",
    ]
    .map(String::from)
    .into_iter()
    .chain(book_chapters())
    {
        let text = repo_file(&file);
        for name in RETIRED.iter().copied() {
            assert!(!text.contains(name), "{file} still says `{name}`");
        }
    }
}

/// `wasmi_hdk::WASMI_VERSION` (what `wasmi-host --version` prints) is the
/// wasmi the workspace locks.
#[test]
fn the_engine_version_is_the_locked_one() {
    let lock = repo_file("Cargo.lock");
    let locked = lock
        .split("[[package]]")
        .find(|package| package.contains("\nname = \"wasmi\"\n"))
        .and_then(|package| {
            package
                .lines()
                .find_map(|line| line.strip_prefix("version = \""))
                .map(|v| v.trim_end_matches('"').to_owned())
        })
        .expect("wasmi is in Cargo.lock");
    assert_eq!(locked, wasmi_hdk::WASMI_VERSION);
}
