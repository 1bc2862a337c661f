"""Periods as values: their kind, the periods beside them, their history and their words, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.periods import PeriodError, parse_period, window


@pytest.mark.parametrize(
    ("code", "words", "short", "stock", "flow"),
    [
        ("2016-17Q3", "April to December 2016", "Apr–Dec 2016", "at the end of December 2016",
         "in April to December 2016"),
        ("2016-17Q4", "April 2016 to March 2017", "Apr 2016–Mar 2017", "at the end of March 2017",
         "in April 2016 to March 2017"),
        ("2016-17", "April 2016 to March 2017", "2016-17", "at the end of March 2017", "in April 2016 to March 2017"),
        ("2016-12", "December 2016", "Dec 2016", "at the end of December 2016", "in December 2016"),
        ("R12:2017-06", "July 2016 to June 2017", "12 months to Jun 2017", "at the end of June 2017",
         "in July 2016 to June 2017"),
        ("2016-05-01..2016-08-15", "1 May to 15 August 2016", "1 May–15 Aug 2016", "on 15 August 2016",
         "from 1 May to 15 August 2016"),
    ],
)  # fmt: skip
def test_periods_in_words(code, words, short, stock, flow):
    period = parse_period(code)
    assert (period.words, period.short, period.when(True), period.when(False)) == (words, short, stock, flow)
    assert not any(c in period.words for c in ("Q", "R12", ".."))


def test_history_goes_back_to_the_first_year_loaded():
    codes = [p.code for p in parse_period("2015-16Q2").history("2014-15")]
    assert codes == ["2014-15Q1", "2014-15Q2", "2014-15Q3", "2014-15Q4", "2015-16Q1", "2015-16Q2"]
    assert [p.code for p in parse_period("2016-17").history("2014-15")] == ["2014-15", "2015-16", "2016-17"]
    assert [p.code for p in parse_period("2014-06").history("2014-15")] == ["2014-04", "2014-05", "2014-06"]
    assert [p.code for p in parse_period("R12:2014-05").history("2014-15")] == ["R12:2014-04", "R12:2014-05"]
    odd = window(dt.date(2016, 5, 1), dt.date(2016, 8, 15))
    assert odd.history("2013-14") == [odd]


def test_full_year_like_windows_are_twelve_months():
    assert [parse_period(c).full_year_like for c in ("2016-17", "2016-17Q4", "R12:2016-12", "2016-17Q3")] == [
        True, True, True, False,
    ]  # fmt: skip
    assert parse_period("2015-16Q4").full_year_like  # 366 days in a leap year


def test_a_bad_code_says_what_periods_look_like():
    with pytest.raises(PeriodError, match="use 2016-17, 2016-17Q3, 2016-12 or R12:2016-12"):
        parse_period("Q3 2016")
