"""The five seed captures (tests/fixtures/seeds/captures, a copy of ../shared/seeds): the fields a careful
editor would write, checked here with small expectations of our own (the shared scorer checks the rest)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from generator.clean import NO_DATE, Cleaned, clean_capture

SEEDS = Path(__file__).parent / "fixtures" / "seeds" / "captures"
TZ = ZoneInfo("UTC")


def seed(prefix: str) -> Cleaned:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return clean_capture(path.read_bytes(), path, TZ)


def test_seed_000_byline_date_caption_and_no_teaser() -> None:
    got = seed("000")
    assert got.title == "Russian delegation to North Korea completes visit"
    assert got.authors == ("Lance Luo",)
    assert got.date == "2023-11-17T01:27:00+00:00"
    assert got.caption_credit == "KIM WON JIN/AFP via Getty Images"
    assert got.caption is not None and got.caption.endswith("on November 14, 2023.")
    assert "forward-looking" not in got.body and "This audio is created" not in got.body
    assert got.body.endswith("has vowed to respond to any military aggression.")


def test_seed_001_outlet_byline_is_source_and_appeal_dropped() -> None:
    got = seed("001")
    assert got.authors == ()
    assert got.source == "The Moscow Times"
    assert (got.date, got.updated) == ("2024-11-19T11:30:20+00:00", "2024-11-19T13:29:50+00:00")
    assert "unprecedented challenges" not in got.body and "Remind me later" not in got.body


def test_seed_002_undated_caption_twice_and_email_source() -> None:
    got = seed("002")
    assert got.date is None and NO_DATE in got.warnings
    assert got.authors == ("Daniel Kim",)
    assert got.source == "viewusglobal.com"
    assert got.caption_credit == "Yonhap News"
    assert got.caption is not None and got.caption not in got.body
    assert "Latest Stories" not in got.body and "Dining Out" not in got.body


def test_seed_003_markdown_url_wire_author_and_rejoined_sentence() -> None:
    got = seed("003")
    assert got.title == "Russian Delegation in N. Korea to 'Further Revitalize' Ties"
    assert got.authors == ("AFP",)
    assert got.date == "2023-11-15"
    assert got.url is not None and got.url.startswith("https://www.themoscowtimes.com/2023/11/15/")
    assert got.source == "The Moscow Times"
    assert got.caption_credit == "AP/TASS"
    assert "the former for its invasion of Ukraine" in got.body
    assert "Embed" not in got.body and "Original url" not in got.body


def test_seed_004_subheadings_and_tagged_caption() -> None:
    got = seed("004")
    assert got.date is None and got.authors == () and got.source is None
    assert "\n## Conclusion\n" in got.body and "\n## A New Strategic Level of Relations\n" in got.body
    assert got.caption == ("Russian Foreign Minister Sergey Lavrov left and North Korean Foreign Minister "
                           "Choe Son Hui shake hands")
    assert "<strong>" not in got.body and "Advertisement" not in got.body and "LEAVE A REPLY" not in got.body
