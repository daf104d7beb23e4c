"""The charts: stacked bars whose parts add up to the total shown above them."""

from __future__ import annotations

from services.reporting.web.grafieken import Reeks, gestapeld


def test_the_parts_of_a_bar_stack_to_its_total() -> None:
    grafiek = gestapeld(
        "Meldingen",
        ["2017", "2018"],
        [Reeks("achterlating", [30, 39]), Reeks("huwelijksdwang", [4, 10])],
    )
    assert [t.tekst for t in grafiek.totalen] == ["34", "49"]
    assert [t.tekst for t in grafiek.xlabels] == ["2017", "2018"]
    bar_2018 = [v for v in grafiek.vlakken if v.titel.startswith("2018")]
    assert [v.titel for v in bar_2018] == ["2018, achterlating: 39", "2018, huwelijksdwang: 10"]
    schaal = bar_2018[0].hoogte / 39
    assert abs(bar_2018[1].hoogte - 10 * schaal) < 1e-9
    assert abs(bar_2018[1].y + bar_2018[1].hoogte - bar_2018[0].y) < 1e-9  # stacked


def test_the_axis_has_round_steps_and_a_zero_has_no_bar() -> None:
    grafiek = gestapeld("x", ["a", "b"], [Reeks("r", [0, 57])])
    assert [t.tekst for t in grafiek.ylabels] == ["0", "20", "40", "60"]
    assert len(grafiek.vlakken) == 1


def test_no_data_still_draws_an_axis() -> None:
    grafiek = gestapeld("x", ["2018"], [])
    assert grafiek.vlakken == [] and [t.tekst for t in grafiek.ylabels] == ["0", "1"]
