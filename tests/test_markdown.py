"""The two Markdown renderers make the same site: markdown-it-pyrs (the fast path) gives markdown-it-py's
HTML and facts on every body it is used for (``generator.markdown``)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from generator import markdown
from generator.model import derive
from tests.trees import tree

EXAMPLES = Path(__file__).parent / "fixtures" / "markdown" / "examples.json"  # CommonMark 0.31.2 + GFM tables,
# strikethrough: the Markdown of markdown-it-py's own spec and fixture tests (its sdist's tests/ folder)
FIXTURE_ARTICLES = Path(__file__).parent / "fixtures" / "site" / "content"

fast = pytest.mark.skipif(markdown._FAST is None, reason="markdown-it-pyrs is not installed for this Python")


def spec_examples() -> list[str]:
    return [example["markdown"] for example in json.loads(EXAMPLES.read_text("utf-8"))]


def fixture_bodies() -> list[str]:
    return [path.read_text("utf-8").split("\n---\n", 1)[1] for path in sorted(FIXTURE_ARTICLES.rglob("*.md"))]


WORDS = ["the", "council", "voted", "Zürich", "São Paulo", "€4.5m", "“quoted”", "—", "naïve", "ministers", "1990s",
         "per cent", "Kyiv", "l'État", "60%", "co-operation", "Œuvre", "déjà", "talks;", "(briefly)", "£20", "It's"]


def news_body(rng: random.Random) -> str:
    """A body as captures give them: paragraphs with links (absolute and relative), emphasis, headings,
    lists, quotes, a table, an image, hard line breaks."""
    def sentence() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(5, 18))]
        at = rng.randrange(len(words))
        words[at] = rng.choice([f"*{words[at]}*", f"**{words[at]}**", f"~~{words[at]}~~", f"_{words[at]}_",
                                f"[{words[at]}](https://example.org/a/{at})", f"[{words[at]}](../{at}/)",
                                f"[{words[at]}](/page-{at}.html \"title\")", words[at]])
        return " ".join(words).capitalize() + rng.choice([".", "?", "!", "…", ":"])

    blocks = []
    for _ in range(rng.randint(3, 12)):
        kind = rng.choice(["p", "p", "p", "h", "list", "olist", "quote", "table", "image", "break"])
        if kind == "h":
            blocks.append("#" * rng.randint(1, 4) + " " + sentence())
        elif kind == "list":
            blocks.append("\n".join(f"- {sentence()}" for _ in range(rng.randint(1, 4))))
        elif kind == "olist":
            blocks.append("\n\n".join(f"{n}. {sentence()}" for n in range(1, rng.randint(2, 4))))
        elif kind == "quote":
            blocks.append(f"> {sentence()}\n>\n> — {rng.choice(WORDS)}")
        elif kind == "table":
            rows = ["| a | b |", "|---|:--|", *(f"| {rng.choice(WORDS)} | {sentence()} |" for _ in range(3))]
            blocks.append("\n".join(rows))
        elif kind == "image":
            blocks.append(f"![{rng.choice(WORDS)}]({rng.choice(['photo.jpg', 'https://cdn.example.org/x.png'])})")
        elif kind == "break":
            blocks.append(f"{sentence()}  \n{sentence()}\\\n{sentence()}")
        else:
            blocks.append("\n".join(sentence() for _ in range(rng.randint(1, 5))))
    return "\n\n".join(blocks) + "\n"


PIECES = ["*", "_", "**", "~~", "~", "`", "[", "]", "(", ")", "!", "<", ">", "#", "-", "+", "1.", "|", "\n", "\n\n",
          " ", "  ", "    ", "\t", "a", "word", "é", "£", "“", "”", "&amp;", "&nbsp;", "\\", "http://x.y/z",
          "<http://a.b>", "'", '"', ":", "---", "===", "```", "&#35;", "ß", "€", "\u00a0", "—", "…", "[a]: /u", "[a]",
          "\n> ", "\n- ", "\n1. ", "\n| a | b |\n|---|---|\n", " | ", "](rel/x)", "![i](p.png)", "  \n", "\n## "]


def random_markup(rng: random.Random) -> str:
    """Markup soup: every construct next to every other, where the two parsers' edge cases live."""
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def assert_same(bodies: list[str], least_fast: float) -> None:
    """Where the fast path is taken it gives the reference's HTML and facts; and it is taken for at least
    ``least_fast`` of the bodies (else this test would pass by never using it)."""
    assert markdown._FAST is not None
    used = 0
    for body in bodies:
        if markdown.needs_reference(body):
            continue
        used += 1
        assert markdown.fast_facts(body, markdown._FAST) == markdown.reference_facts(body), repr(body)
    assert used >= least_fast * len(bodies), f"fast path taken for {used} of {len(bodies)}"


@fast
def test_spec_examples_render_the_same() -> None:
    examples = spec_examples()
    assert len(examples) == 709
    assert_same(examples, least_fast=0.6)


@fast
def test_fixture_and_generated_articles_all_take_the_fast_path_and_render_the_same() -> None:
    rng = random.Random(18)
    bodies = fixture_bodies() + [news_body(rng) for _ in range(600)]
    assert_same(bodies, least_fast=0.95)


@fast
def test_random_markup_renders_the_same_where_the_fast_path_is_taken() -> None:
    rng = random.Random(20260)
    assert_same([random_markup(rng) for _ in range(6000)], least_fast=0.2)


@fast
def test_a_body_that_makes_the_rust_port_panic_is_rendered_by_markdown_it_py(capfd: pytest.CaptureFixture[str],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    body = "See [` here."
    assert markdown.needs_reference(body)
    assert markdown._FAST is not None
    with pytest.raises(BaseException, match="index out of bounds"):
        markdown.fast_facts(body, markdown._FAST)
    monkeypatch.setattr(markdown, "needs_reference", lambda body: False)  # a panic the guard does not foresee
    assert markdown.facts(body) == markdown.reference_facts(body)
    capfd.readouterr()  # the port's panic messages


def test_every_unusual_space_sends_a_body_to_markdown_it_py() -> None:
    """markdown-it-py strips all of str.isspace()'s characters around a paragraph; the port only ASCII ones."""
    odd = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace() and chr(code) not in " \t\n"]
    assert odd and all(markdown.needs_reference(f"a{space}b") for space in odd)
    assert not markdown.needs_reference("a b\tc\nd")


def test_a_hard_line_break_separates_words_in_the_summary() -> None:
    for body in ("One  \ntwo three.\n", "One\\\ntwo three.\n", "One\ntwo three.\n"):
        assert derive(body).summary == "One two three."


def test_summary_comes_from_the_first_paragraph_a_tight_list_item_included() -> None:
    assert derive("# Title\n\n- first *point* [here](x)\n- second\n\nLater text.\n").summary == "first point here"
    assert derive("# Only a heading\n").summary == ""


def test_the_site_is_the_same_without_markdown_it_pyrs(site: Path, tmp_path: Path) -> None:
    """A Python without the port (3.13, or a platform it has no wheel for) builds the same site."""
    outputs = {}
    for name, block in (("with", ""), ("without", "sys.modules['markdown_it_pyrs'] = None; ")):
        out = tmp_path / name
        code = (f"import sys; {block}from generator.cli import main; "
                f"sys.exit(main(['-C', {str(site)!r}, 'build', '--out', {str(out)!r}]))")
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        outputs[name] = tree(out)
    assert outputs["with"] == outputs["without"]
    assert len(outputs["with"]) > 20
