"""The cleaner on small synthetic captures, one behaviour each, through the public ``clean_capture``."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.capture import MAX_CAPTURE_BYTES, read_capture
from generator.clean import NO_DATE, clean_capture
from generator.commands.clean import run as run_clean_command
from generator.errors import CaptureError

TZ = ZoneInfo("Europe/Berlin")
PARAS = [
    "The city council voted on Tuesday to expand the tram network to the northern districts, a plan that "
    "has been debated for more than a decade.",
    "Supporters of the project say it will cut travel times for thousands of commuters and reduce the "
    "number of cars in the old town.",
    "Opponents argue that the cost has doubled since the first estimate and that the money would be "
    "better spent on buses and cycle lanes.",
    "Construction is expected to begin next spring and to last at least four years, according to the "
    "transport department.",
]
MENU = ["Skip to content", "Home", "World", "Politics", "Business", "Sport", "Culture", "Search", "Log in"]
AFTER = ["Related articles", "Council approves new budget for schools", "Bus drivers to strike next week",
         "Comments", "jane99 says:", "March 12, 2024 at 9:14 am",
         "I have been waiting for this tram for years and I am glad that the council finally decided.",
         "Sign up for our newsletter", "© 2024 Example Media Group. All rights reserved."]


def capture(*header: str, paras: list[str] | None = None, after: list[str] | None = None) -> bytes:
    """A browser copy: menu lines, the header lines given, paragraphs apart by blank lines, then furniture."""
    body = "\n\n".join(PARAS if paras is None else paras)
    tail = "\n".join(AFTER if after is None else after)
    return ("\n".join(MENU) + "\n\n" + "\n".join(header) + "\n\n" + body + "\n\n" + tail + "\n").encode()


def test_article_only_and_header_fields() -> None:
    got = clean_capture(capture("City expands tram network to the north",
                                "By Anna Weber | March 12, 2024 14:05"), Path("a.txt"), TZ)
    assert got.title == "City expands tram network to the north"
    assert got.authors == ("Anna Weber",)
    assert got.date == "2024-03-12T14:05:00+01:00"  # printed without offset: the site's zone
    assert got.body == "\n\n".join(PARAS)
    for furniture in ("Skip to content", "Related articles", "Council approves", "jane99", "waiting for this tram",
                      "newsletter", "All rights reserved"):
        assert furniture not in got.body
    assert got.summary is not None and got.summary.startswith("The city council voted on Tuesday")
    assert len(got.summary) <= 301
    assert got.language == "en"
    assert got.warnings == ()


def test_no_dateline_gives_no_date_and_a_warning() -> None:
    # The story mentions a full date, but no dateline is printed: nothing may be invented.
    paras = [*PARAS[:2], "The first line was opened on March 3, 2011, after years of planning and argument.",
             *PARAS[2:]]
    got = clean_capture(capture("City expands tram network to the north", paras=paras), Path("a.txt"), TZ)
    assert got.date is None
    assert NO_DATE in got.warnings


def test_caption_with_credit_leaves_the_body() -> None:
    caption = "Workers test a new tram on the northern line in the spring of 2023."
    got = clean_capture(capture("City expands tram network to the north", "By Anna Weber | March 12, 2024",
                                f"{caption}( JOHN DOE/AFP via Getty Images)"), Path("a.txt"), TZ)
    assert got.caption == caption
    assert got.caption_credit == "JOHN DOE/AFP via Getty Images"
    assert caption not in got.body and "Getty" not in got.body


def test_caption_printed_twice_with_slash_credit() -> None:
    line = "Workers test a new tram on the northern line in the spring of last year. / City Press Office"
    got = clean_capture(capture("City expands tram network to the north", "Anna Weber", line, line),
                        Path("a.txt"), TZ)
    assert got.caption == "Workers test a new tram on the northern line in the spring of last year."
    assert got.caption_credit == "City Press Office"
    assert "Workers test" not in got.body


def test_sentence_split_across_paragraphs_is_rejoined() -> None:
    paras = [PARAS[0], "Both the mayor and the opposition leader attended the vote, and the former",
             "spoke for almost an hour about the history of the tram in the city.", *PARAS[1:]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert "and the former spoke for almost an hour" in got.body


def test_short_title_case_lines_between_paragraphs_become_subheadings() -> None:
    paras = [PARAS[0], PARAS[1], "What Happens Next", PARAS[2], PARAS[3]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert "\n\n## What Happens Next\n\n" in got.body


def test_lists_and_stray_tags_in_text_captures() -> None:
    paras = [PARAS[0], "The new line will have three stops in its first stage:",
             "- Northern Station\n- Market Square\n- University Campus", PARAS[1],
             "<strong>The tram depot will be rebuilt as part of the plan.</strong> It will open in 2027.", PARAS[2]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert "- Northern Station\n- Market Square\n- University Campus" in got.body
    assert "<strong>" not in got.body and "The tram depot will be rebuilt" in got.body


def test_outlet_in_byline_is_the_source_not_an_author() -> None:
    got = clean_capture(capture("City expands tram network to the north",
                                "By The Daily Example | Created at 2024-03-12 11:30:20 | Updated at 2024-03-12 "
                                "13:29:50"), Path("a.txt"), TZ)
    assert got.authors == ()
    assert got.source == "The Daily Example"
    assert got.date == "2024-03-12T11:30:20+01:00"
    assert got.updated == "2024-03-12T13:29:50+01:00"


def test_author_box_with_email_gives_author_and_source_domain() -> None:
    after = ["Anna Weber", "newsdesk@example-city-news.com", *AFTER]
    got = clean_capture(capture("City expands tram network to the north", after=after), Path("a.txt"), TZ)
    assert got.authors == ("Anna Weber",)
    assert got.source == "example-city-news.com"
    assert "newsdesk@" not in got.body


def test_original_url_line_gives_url_and_source() -> None:
    text = ("# City Expands Tram Network to the North\n\nBy [AFP](#)\n\nMarch 12, 2024\n\n" + "\n\n".join(PARAS)
            + "\n\nOriginal url:\n\n<https://www.thecitytimes.com/2024/03/12/tram-network>\n")
    got = clean_capture(text.encode(), Path("a.md"), TZ)
    assert got.url == "https://www.thecitytimes.com/2024/03/12/tram-network"
    assert got.source == "The City Times"  # the domain split into words the article uses
    assert got.authors == ("AFP",)  # a wire agency is an author
    assert got.title == "City Expands Tram Network to the North"
    assert "Original url" not in got.body and "https://" not in got.body
    assert got.kind == "markdown"


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_encodings_are_detected(encoding: str) -> None:
    paras = [p.replace("northern", "northern – “Nord” –") for p in PARAS]
    data = capture("Café owners welcome the tram", "March 12, 2024", paras=paras).decode().encode(encoding)
    got = clean_capture(data, Path("a.txt"), TZ)
    assert got.title == "Café owners welcome the tram"
    assert "northern – “Nord” –" in got.body


def test_mojibake_is_repaired() -> None:
    good = capture("Café owners welcome the tram", "March 12, 2024",
                   paras=[p + " It’s good news – at last." for p in PARAS])
    mangled = good.decode("utf-8").encode("utf-8").decode("cp1252").encode("utf-8")  # UTF-8 read as cp1252
    assert "Ã©" in mangled.decode() and "â€™" in mangled.decode()
    got = clean_capture(mangled, Path("a.txt"), TZ)
    assert got.title == "Café owners welcome the tram"
    assert "It’s good news – at last." in got.body


def html_page() -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        "<!DOCTYPE html><html><head><title>City expands tram network | The Example</title>"
        '<meta property="og:site_name" content="The Example">'
        '<meta name="author" content="Anna Weber">'
        '<meta property="article:published_time" content="2024-03-12T14:05:00+01:00">'
        "</head><body><nav><a href='/'>Home</a><a href='/world'>World</a></nav>"
        "<article><h1>City expands tram network</h1><figure><img src='t.jpg' alt=''><figcaption>A test tram on "
        "the northern line.Credit...Jane Roe/City Press</figcaption></figure>"
        f"{paragraphs}</article>"
        "<footer>Sign up for our newsletter. © 2024 The Example</footer></body></html>")


def test_gzipped_html_goes_through_the_html_path() -> None:
    got = clean_capture(gzip.compress(html_page().encode()), Path("page.txt"), TZ)  # name says txt: content wins
    assert got.kind == "html"
    assert got.title == "City expands tram network"
    assert got.authors == ("Anna Weber",)
    assert got.date == "2024-03-12T14:05:00+01:00"  # the publisher's timestamp carries time and offset
    assert got.source == "The Example"
    assert PARAS[0] in got.body and PARAS[3] in got.body
    assert "newsletter" not in got.body and "Home" not in got.body
    assert (got.caption, got.caption_credit) == ("A test tram on the northern line.", "Jane Roe/City Press")
    assert "test tram" not in got.body


def test_non_english_capture() -> None:
    paras = [
        "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz in die nördlichen Bezirke zu "
        "erweitern, nachdem über das Projekt mehr als zehn Jahre lang gestritten worden war.",
        "Die Befürworter sagen, dass die neue Linie die Fahrzeiten für Tausende von Pendlern verkürzen und "
        "den Verkehr in der Altstadt deutlich verringern wird.",
        "Die Gegner kritisieren dagegen, dass sich die Kosten seit der ersten Schätzung verdoppelt haben und "
        "das Geld besser für Busse und Radwege ausgegeben werden sollte.",
    ]
    after = ["Kommentare", "Das könnte Sie auch interessieren", "Newsletter abonnieren"]
    got = clean_capture(capture("Stadt erweitert das Straßenbahnnetz nach Norden", "Von Anna Weber",
                                "12. März 2024, 14:05", paras=paras, after=after), Path("de.txt"), TZ)
    assert got.language == "de"
    assert got.title == "Stadt erweitert das Straßenbahnnetz nach Norden"
    assert got.authors == ("Anna Weber",)
    assert got.date == "2024-03-12T14:05:00+01:00"
    assert got.body == "\n\n".join(paras)


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file, not a capture"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not a capture"),
    (b"GIF89a" + bytes(range(256)), "binary file, not a capture"),
    (b"some\x00text\x00with\x00nuls", "binary file, not a capture"),
    (b"   \n\t  \n", "empty capture"),
    (b"Home\nNews\nSport\nLog in\n", "no article found"),
])
def test_bad_input_raises_capture_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(CaptureError) as caught:
        clean_capture(data, Path("captures/bad.txt"), TZ)
    assert message in str(caught.value)
    assert str(caught.value).startswith("captures/bad.txt: ")


def test_huge_and_empty_files_are_refused_before_cleaning(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: no need to write 20 MB
        handle.truncate(MAX_CAPTURE_BYTES + 1)
    with pytest.raises(CaptureError, match="too large"):
        read_capture(huge)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CaptureError, match="empty capture"):
        read_capture(empty)


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<html>" + b" " * (MAX_CAPTURE_BYTES + 10))
    with pytest.raises(CaptureError, match="too large once decompressed"):
        clean_capture(bomb, Path("bomb.html"), TZ)


def test_clean_command_reports_bad_captures_and_keeps_going(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "site.yaml").write_text("title: Test\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_bytes(capture("City expands tram network to the north", "By Anna Weber | March 12, 2024"))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 binary")
    args = argparse.Namespace(root=str(tmp_path), paths=[good, bad], json=True)
    assert run_clean_command(args) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["title"] == "City expands tram network to the north"
    assert rows[0]["authors"] == ["Anna Weber"]
    assert rows[1]["error"] == f"{bad}: binary file, not a capture"


@pytest.mark.parametrize("seed", range(12))
def test_odd_input_gives_an_article_or_a_capture_error_never_a_crash(seed: int) -> None:
    import random

    rng = random.Random(seed)
    pieces = ["<div>", "</div>", "<p>", "<html>", "<!-- x", "&amp;", "\u00a0", "\r\n", "By ", "©", "...", "# ",
              "2024-13-45", "March 32, 2024", "Original url:", "<https://", "@", "|", "\x1b", "é", "日本語"]
    words = [*PARAS[0].split(), *pieces]
    text = " ".join(rng.choice(words) + ("\n" if rng.random() < 0.2 else "") for _ in range(rng.randint(1, 400)))
    for data in (text.encode("utf-8"), text.encode("utf-16"), gzip.compress(text.encode("utf-8"))):
        try:
            got = clean_capture(data, Path("odd.txt"), TZ)
        except CaptureError as exc:
            assert str(exc).startswith("odd.txt: ")
        else:
            assert got.title and got.body.strip()


def test_an_inline_related_box_does_not_cut_the_article() -> None:
    paras = [PARAS[0], PARAS[1], "Related articles", "Council approves new budget for schools",
             "Bus drivers to strike next week", PARAS[2], PARAS[3]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert got.body == "\n\n".join(PARAS)


def test_a_long_comment_thread_is_not_taken_for_the_article() -> None:
    comment = ("I have lived in the northern districts for twenty years and I can tell you that the buses are "
               "always late, so this tram is the best news we have had in a very long time.")
    after = ["34 Comments", *[x for n in range(8) for x in (f"reader{n} says:", "March 12, 2024 at 9:14 am", comment)]]
    got = clean_capture(capture("City expands tram network to the north", "By Anna Weber | March 12, 2024",
                                paras=PARAS[:2], after=after), Path("a.txt"), TZ)
    assert got.body == "\n\n".join(PARAS[:2])


def test_a_page_of_names_and_numbers_still_gives_its_text() -> None:
    rows = ["Palm Bay (1-0): Tolivert 25 points. Davis 17 points. Burgher 10 points. Bozeman 10 points.",
            "Rockledge (0-1): Blakely 15 points. Devoe 2 points. Baker 6 points. Brown 4 points. Upshaw 3.",
            "Viera (4-0): Hupfer 1 goal. Patikas 1 goal. Nielsen 1 goal. Anasa 1 assist. Sanger 4 saves."]
    got = clean_capture(capture("High school roundup", "March 12, 2024", paras=rows, after=[]), Path("a.txt"), TZ)
    assert "Tolivert 25 points" in got.body and "Hupfer 1 goal" in got.body


def test_a_link_line_inside_the_page_is_not_the_original_url() -> None:
    paras = [PARAS[0], PARAS[1], "https://twitter.com/citycouncil/status/12345", PARAS[2], PARAS[3]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert got.url is None and got.source != "Twitter"
    top = b"https://www.example-news.com/2024/03/12/tram\n\n" + capture("City expands tram network to the north")
    assert clean_capture(top, Path("b.txt"), TZ).url == "https://www.example-news.com/2024/03/12/tram"


def test_angle_bracket_titles_are_not_taken_for_tags() -> None:
    staged = "The theatre will stage <The Palace: Tale of Jang Noksu> on the new square every <em>Friday</em>."
    paras = [PARAS[0], staged, *PARAS[1:]]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=paras),
                        Path("a.txt"), TZ)
    assert "<The Palace: Tale of Jang Noksu> on the new square every Friday." in got.body


def test_hard_wrapped_plain_text_is_unwrapped() -> None:
    import textwrap

    wrapped = ["\n".join(textwrap.wrap(p + " " + p, width=72)) for p in PARAS]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024", paras=wrapped),
                        Path("a.txt"), TZ)
    assert got.body == "\n\n".join(p + " " + p for p in PARAS)


def test_a_paragraph_cut_by_a_paywall_stays_but_teasers_go() -> None:
    cut = ("The mayor said the first trams could run before the next election, although several members of "
           "the council doubted that the contractors would be able to keep to such a tight schedule…")
    teaser = ("In a devastating incident that shook the old town, a storm tore the roof off the main station "
              "and left the square flooded for days while engineers struggled to…")
    after = ["Read Now", "Storm Hits the Old Town Station", teaser, *AFTER]
    got = clean_capture(capture("City expands tram network to the north", "March 12, 2024",
                                paras=[*PARAS, cut], after=after), Path("a.txt"), TZ)
    assert got.body.endswith(cut)
    assert "devastating" not in got.body


def test_an_update_date_alone_is_used_and_said_so() -> None:
    got = clean_capture(capture("City expands tram network to the north", "Updated: March 12, 2024 10:15"),
                        Path("a.txt"), TZ)
    assert got.date == "2024-03-12T10:15:00+01:00" and got.updated is None
    assert any("update date" in w for w in got.warnings)
