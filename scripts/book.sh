#!/usr/bin/env bash
# Builds the user guide (book/) with mdBook into target/book and fails on
# any warning or broken link. mdBook is installed from crates.io once, into
# ~/.cache/wasmi-plugins/tools. The guide's Rust snippets are doctests of
# the integration-tests crate (`cargo test --doc -p integration-tests`, part
# of `cargo test --workspace`), not run here.
set -euo pipefail
cd "$(dirname "$0")/.."

MDBOOK_VERSION=0.5.4
tools="$HOME/.cache/wasmi-plugins/tools"
mdbook="$tools/bin/mdbook"
if ! [[ -x $mdbook ]] || [[ "$("$mdbook" --version)" != "mdbook v$MDBOOK_VERSION" ]]; then
    echo "installing mdbook $MDBOOK_VERSION into $tools"
    # Only what `build` needs: no `serve`/`watch` (a web server and a file watcher).
    # Its own temporary target dir, removed after the install.
    env -u CARGO_TARGET_DIR cargo install mdbook --locked --version "$MDBOOK_VERSION" \
        --no-default-features --features search --root "$tools"
fi

# mdBook only logs most problems (a failed include, unbalanced HTML): any
# warning fails the build here.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$mdbook" build book 2>&1 | tee "$log"
if grep -Eq '(WARN|ERROR)' "$log"; then
    echo "error: mdbook reported problems (above)" >&2
    exit 1
fi

# mdBook does not check links: every relative link and #fragment of the
# rendered pages must name a page and an id that exist.
python3 - target/book <<'PY'
import html.parser, os, sys, urllib.parse

root = sys.argv[1]
pages, ids = {}, {}

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value and tag in ("a", "img"):
                self.links.append(value)

for folder, _, files in os.walk(root):
    for file in files:
        if file.endswith(".html"):
            path = os.path.join(folder, file)
            page = Page()
            with open(path, encoding="utf-8") as f:
                page.feed(f.read())
            pages[path], ids[path] = page.links, page.ids

broken = []
for page, links in pages.items():
    for link in links:
        url = urllib.parse.urlparse(link)
        if url.scheme or link.startswith("//"):
            continue                                    # external: not checked offline
        target = page if not url.path else os.path.normpath(
            os.path.join(os.path.dirname(page), urllib.parse.unquote(url.path)))
        if os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not os.path.exists(target):
            broken.append(f"{os.path.relpath(page, root)}: {link} (no such file)")
        elif url.fragment and target in ids and urllib.parse.unquote(url.fragment) not in ids[target]:
            broken.append(f"{os.path.relpath(page, root)}: {link} (no such anchor)")
for line in sorted(set(broken)):
    print("broken link:", line, file=sys.stderr)
print(f"links: {sum(map(len, pages.values()))} in {len(pages)} pages, {len(set(broken))} broken")
sys.exit(1 if broken else 0)
PY
echo "book: target/book/index.html"
