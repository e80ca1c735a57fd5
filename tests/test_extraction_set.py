"""Specification of the constructed extraction set in ``tests/extraction_set/``.

Every page there was built around an article text written first; that text is the gold.
No outlet served these pages and no extractor produced the gold, so this module never runs an
extractor (only the registry's URL checks are used). It states what the set promises:

- every page has a gold file with the agreed keys, in NFC, dated in 2026 (+07:00);
- the title, the lead and every gold paragraph are whole blocks of the page's visible text
  (script/style dropped, whitespace collapsed), in order; captions, credits and bylines are not;
- the URLs are article URLs by the registry's rules (non-registry hosts by the heuristic);
- each failure mode a gold file claims is really present in the page, and the set covers every
  failure mode at least twice, on different outlets.

The reading of the pages and the checks shared with the held-out set are in ``gold_pages``.
"""

from __future__ import annotations

import pytest

from tests import gold_pages as gp

SET = gp.GoldSet(gp.TESTS_DIR / "extraction_set")
NAMES = SET.names
each_page = pytest.mark.parametrize("name", NAMES)


def claiming(mode: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("name", SET.claiming(mode))


# --------------------------------------------------------------------------- every page


def test_the_set_exists_and_every_page_has_a_gold_file() -> None:
    gp.check_files(SET, fewest=30)


@each_page
def test_gold_has_the_agreed_keys_and_types(name: str) -> None:
    gp.check_keys(SET, name, gp.REQUIRED, gp.FAILURE_MODES)


@each_page
def test_text_is_nfc(name: str) -> None:
    gp.check_nfc(SET, name)


@each_page
def test_page_says_it_is_constructed(name: str) -> None:
    gp.check_constructed(SET, name)


@each_page
def test_url_is_an_article_url_of_its_outlet(name: str) -> None:
    gp.check_url(SET, name)


@each_page
def test_published_at_is_a_2026_time_in_vietnam(name: str) -> None:
    gp.check_published_at(SET, name)


@each_page
def test_weekday_names_on_the_page_match_their_dates(name: str) -> None:
    gp.check_weekdays(SET, name)


@each_page
def test_title_lead_and_paragraphs_are_whole_visible_blocks_in_order(name: str) -> None:
    gp.check_blocks_in_order(SET, name)


@each_page
def test_gold_body_leaves_out_captions_credits_and_bylines(name: str) -> None:
    gp.check_no_furniture(SET, name)


@each_page
def test_body_length(name: str) -> None:
    gp.check_body_length(SET, name, 100, 750)


@each_page
def test_pages_are_heavy_with_boilerplate(name: str) -> None:
    gp.check_boilerplate(SET, name)


# --------------------------------------------------------------------------- failure modes


@each_page
def test_split_body_pages_hold_the_text_in_several_containers(name: str) -> None:
    gp.check_split_body(SET, name)


@claiming("div-paragraphs")
def test_div_paragraph_pages_have_paragraphs_outside_p(name: str) -> None:
    gp.check_div_paragraphs(SET, name)


@each_page
def test_sapo_swallows_exactly_when_the_lead_element_holds_the_first_paragraph(name: str) -> None:
    gp.check_sapo_swallows(SET, name)


@claiming("glued-byline")
def test_glued_bylines_have_no_space_between_author_and_agency(name: str) -> None:
    gp.check_glued_byline(SET, name)


@each_page
def test_no_json_ld_exactly_when_the_page_has_no_structured_date(name: str) -> None:
    gp.check_no_json_ld(SET, name)


@claiming("republished")
def test_republished_pages_end_the_body_with_the_credit(name: str) -> None:
    gp.check_credit_closes_body(SET, name)


@claiming("long-captions")
def test_long_captions_sit_between_body_paragraphs(name: str) -> None:
    gp.check_long_captions(SET, name)


@claiming("related-in-body")
def test_related_boxes_sit_between_body_paragraphs(name: str) -> None:
    gp.check_related_box(SET, name)


@claiming("video-block")
def test_video_blocks_sit_between_body_paragraphs(name: str) -> None:
    gp.check_marks_in_body(SET, name, "video", "iframe")


@each_page
def test_data_tables_are_in_the_body_and_in_the_gold(name: str) -> None:
    gp.check_data_tables(SET, name)


# --------------------------------------------------------------------------- the whole set


def test_every_failure_mode_is_covered_twice_on_different_outlets() -> None:
    hosts = SET.hosts_per_mode()
    for mode in gp.FAILURE_MODES:
        assert len(hosts[mode]) >= 2, f"{mode}: {sorted(hosts[mode])}"


def test_structured_data_varies_like_the_real_sites() -> None:
    gp.check_structured_data_varies(SET, not_article=1)


def test_outlets_and_hosts_are_spread() -> None:
    gp.check_outlets_spread(SET, outlets=14, per_outlet=4)
