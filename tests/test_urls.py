import pytest

from generator.slugs import collision_key, slugify
from generator.urls import Urls, output_file


@pytest.mark.parametrize("base", ["https://example.org/", "https://user.github.io/repo/"])
@pytest.mark.parametrize("page, target, expected", [
    ("", "articles/x/", "articles/x/"),
    ("articles/x/", "articles/y/", "../y/"),
    ("articles/x/", "", "../../"),
    ("articles/x/", "assets/style.css", "../../assets/style.css"),
    ("topics/", "topics/", "./"),
    ("feed.xml", "topics/t/", "topics/t/"),
])
def test_relative_links_do_not_depend_on_the_base_path(base, page, target, expected):
    assert Urls(base).relative(page, target) == expected


def test_absolute_and_rooted_carry_the_sub_path():
    urls = Urls("https://user.github.io/repo/")
    assert urls.absolute("articles/x/") == "https://user.github.io/repo/articles/x/"
    assert urls.rooted("assets/s.css") == "/repo/assets/s.css"
    assert Urls("https://example.org/").rooted("") == "/"


def test_output_file():
    assert output_file("") == "index.html"
    assert output_file("a/b/") == "a/b/index.html"
    assert output_file("feed.xml") == "feed.xml"


@pytest.mark.parametrize("title, slug", [
    ("Russia’s Gratitude towards North Korea", "russias-gratitude-towards-north-korea"),
    ("Ким Чен Ын встретился", "kim-chen-yn-vstretilsia"),
    ("김정은 위원장", "gimjeongeun-wiweonjang"),
    ("???", "fallback"),
])
def test_slugify_transliterates_and_never_returns_empty(title, slug):
    assert slugify(title, fallback="fallback") == slug


def test_collision_key_folds_case_and_accents():
    assert collision_key("Café") == collision_key("cafe")
