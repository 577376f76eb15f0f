"""A force baseline that breaks the provenance rules is rejected with a clear message."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA

from model.io.errors import InputError
from model.io.forces import load_force, load_national


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(data_dir, force, old, new):
    path = data_dir / "forces" / f"{force}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def load(data_dir, force):
    return load_force(data_dir, force, load_national(data_dir))


@pytest.mark.parametrize("force, old, new, fragments", [
    ("staffordshire", "    value: £61.6m\n", "    value: £65.0m\n",
     ["budget.precept", "agree with its formula", "the formula gives 61.6"]),
    ("staffordshire", '      quote: "For 2016/17, the savings gap is assessed as being £3 million."\n', "      quote: \"\"\n",
     ["budget.savings.source.quote", "verbatim quote"]),
    ("staffordshire", "      low: 76%\n", "      low: 84%\n", ["pay_share", "low < high"]),
    ("staffordshire", "      low: 76%\n", "      low: 90%\n", ["pay_share.assumption.low", "inverted range"]),
    ("leicestershire", "        value: £9.5m\n", "        value: -£9.5m\n", ["reserves.other_earmarked.opening", "£0m or more"]),
    ("staffordshire", 'formula: "{budget.funding} - {budget.grant}"', 'formula: "{budget.funding} - {budget.grnat}"',
     ["budget.grnat", "not a figure"]),
    ("staffordshire", 'formula: "{budget.funding} - {budget.grant}"', 'formula: "{budget.funding} - {budget.precept}"',
     ["budget.precept", "circle"]),
    ("staffordshire", 'formula: "{budget.funding} - {budget.grant}"', 'formula: "__import__(1)"',
     ["budget.precept", "a formula of figures"]),
    ("hertfordshire", "    value: £147.00\n    source:", "    value: 147\n    source:", ["budget.band_d.value", "'£147'", "a bare number"]),
    ("hertfordshire", "      reason: \"Not stated in the seeds.", "      reasn: \"Not stated in the seeds.", ["reasn", "Did you mean 'reason'?"]),
    ("leicestershire", "    purpose: held\n", "    purpose: spare\n", ["purpose", "budget_support"]),
])
def test_broken_force_files_are_rejected(data_copy, force, old, new, fragments):
    path = edit(data_copy, force, old, new)
    with pytest.raises(InputError) as info:
        load(data_copy, force)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_collaboration_spend_must_cover_every_year(data_copy):
    path = data_copy / "forces" / "staffordshire.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    2017/18:\n      value: £5.2m")
    end = text.index("    2019/20:\n      value: £5.4m")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(InputError, match="none for 2017/18, 2018/19") as info:
        load(data_copy, "staffordshire")
    assert "collaboration_spend.with_forces" in str(info.value) and "straight line" in str(info.value)


def test_an_unknown_force_suggests_the_nearest(data_copy):
    with pytest.raises(InputError, match="Did you mean 'leicestershire'"):
        load(data_copy, "leicestershir")
