"""The README holds what a new user needs; docs/ holds the reference, generated from the declarations where it can be."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

from model.declare.docs import distributions_markdown, inputs_markdown, outputs_markdown, units_markdown

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = REPO / "docs"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_same_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    install, tests = blocks[0].strip(), blocks[1].strip()
    assert "pip install" in install and "police-mtfs run scenarios/central.yaml" in install
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_scenario_reference_tables_match_the_declarations():
    scenarios = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    for table in (units_markdown(), inputs_markdown(), distributions_markdown(), outputs_markdown()):
        assert table in scenarios, (
            "docs/scenarios.md is out of date: paste the output of `python -m model.declare.docs` "
            "between its 'generated' markers")


def test_the_complete_example_scenario_in_the_docs_is_valid(tmp_path):
    from model.sampling.setup import load_setup

    scenarios = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    example = scenarios.split("## A complete small example", 1)[1]
    yaml_text = re.search(r"```yaml\n(.*?)\n```", example, flags=re.S).group(1)
    path = tmp_path / "small.yaml"
    path.write_text(yaml_text + "\n", encoding="utf-8")
    setup = load_setup(path)
    assert setup.scenario.forces == ["staffordshire", "hertfordshire"]


def test_readme_is_short_and_links_every_page_of_the_docs():
    size = len(README.encode("utf-8"))
    assert size < 12_000, f"README.md is {size:,} bytes: move reference material into docs/"
    pages = sorted(path.relative_to(REPO).as_posix() for path in DOCS.glob("*.md"))
    assert pages, "no docs/*.md"
    unlinked = [page for page in pages if f"]({page})" not in README]
    assert not unlinked, f"README.md does not link {unlinked}"


def test_the_readme_python_example_runs_as_written(tmp_path):
    blocks = re.findall(r"```python\n(.*?)\n```", README, flags=re.S)
    assert len(blocks) == 1, "README.md should have exactly one ```python block: the example"
    example = blocks[0]
    assert '"reports/python-example"' in example and "paths=2000" in example
    folder = tmp_path / "python-example"
    code = example.replace('"reports/python-example"', repr(str(folder))).replace("paths=2000", "paths=200")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "p_general_below_minimum" in done.stdout
    for name in ("report.pdf", "summary.csv"):
        assert (folder / name).is_file(), f"the README's Python example did not write {name}"


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def markdown_links(text: str) -> list[str]:
    """Every link target in a Markdown text, outside fenced code blocks and code spans."""
    return LINK.findall(CODE_SPAN.sub("", FENCE.sub("", text)))


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", FENCE.sub("", text), re.M):
        anchors.add(re.sub(r"[^\w\- ]", "", heading.lower().replace("`", "")).replace(" ", "-"))
    return anchors


def test_every_relative_link_in_the_readme_and_docs_points_to_a_file_that_exists():
    broken = []
    for page in [REPO / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in markdown_links(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: and the like
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_every_dotted_name_in_docstrings_and_docs_names_something_that_exists():
    texts = [*(REPO / "model").rglob("*.py"), *DOCS.glob("*.md"), REPO / "README.md"]
    named = {(path.relative_to(REPO).as_posix(), name) for path in texts
             for name in re.findall(r"`~?(model(?:\.\w+)+)`", path.read_text(encoding="utf-8"))}
    assert len(named) > 20
    stale = sorted((where, name) for where, name in named if not _resolves(name))
    assert not stale, f"these names moved or were renamed: {stale}"
